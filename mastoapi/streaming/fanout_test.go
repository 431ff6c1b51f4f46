package streaming_test

import (
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/timeline"
)

// A client that stops reading fills its socket: frames are then written
// partly by the fan-out worker and finished by the connection's writer
// goroutine, while pings go out every few milliseconds. Every frame must
// still arrive whole and in order once the client reads again.
func TestFramesStayWholeWhenTheSocketFills(t *testing.T) {
	hub := timeline.NewMemoryHub()
	t.Cleanup(func() { hub.Close() })
	var written atomic.Int64
	h := streaming.New(hub, streaming.AuthenticatorFunc(anyToken), bigRenderer{size: 64 << 10}, &streaming.Options{
		WriteTimeout: 10 * time.Second, Heartbeat: 5 * time.Millisecond, QueueSize: 1000,
		OnWritten: func(event string, d time.Duration) {
			if event == "update" && d >= 0 {
				written.Add(1)
			}
		}})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	ctx := cancelled(t)
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+streaming.DefaultPrefix+"?stream=public&access_token=1", nil)
	require.NoError(t, err)
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	require.Eventually(t, func() bool { return h.Connections() == 1 }, 5*time.Second, time.Millisecond)

	const n = 240 // 15 MB: more than loopback socket buffers take at once
	for i := 1; i <= n; i++ {
		require.NoError(t, hub.Publish(ctx, timeline.Message{Channel: "public", Event: "update", Data: strconv.Itoa(i)}))
	}
	time.Sleep(300 * time.Millisecond) // pings are due meanwhile
	for i := 1; i <= n; i++ {
		_, b, err := c.Read(ctx)
		require.NoError(t, err, "frame %d", i)
		var f struct {
			Event   string `json:"event"`
			Payload string `json:"payload"`
		}
		require.NoError(t, json.Unmarshal(b, &f), "frame %d is whole JSON", i)
		var st struct{ ID string }
		require.NoError(t, json.Unmarshal([]byte(f.Payload), &st))
		assert.Equal(t, strconv.Itoa(i), st.ID, "frames keep their order")
	}
	assert.Eventually(t, func() bool { return written.Load() == n }, 5*time.Second, time.Millisecond, "OnWritten is called per frame")
	assert.Equal(t, 1, h.Connections())
}

// Events of several channels reach a connection in the order they were
// published, whichever fan-out worker serves it.
func TestEventsKeepTheirOrderAcrossChannels(t *testing.T) {
	hub := timeline.NewMemoryHub()
	t.Cleanup(func() { hub.Close() })
	h := streaming.New(hub, streaming.AuthenticatorFunc(anyToken), bigRenderer{size: 10}, &streaming.Options{
		Heartbeat: time.Hour, Workers: 4, QueueSize: 1000})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	ctx := cancelled(t)
	u := "ws" + strings.TrimPrefix(ts.URL, "http") + streaming.DefaultPrefix + "?access_token="
	var conns []*websocket.Conn
	for i := range 8 {
		c, _, err := websocket.Dial(ctx, u+strconv.Itoa(i+1), nil)
		require.NoError(t, err)
		defer c.CloseNow()
		send(t, c, `{"type":"subscribe","stream":"user"}`)
		send(t, c, `{"type":"subscribe","stream":"public"}`)
		conns = append(conns, c)
	}
	require.Eventually(t, func() bool { return h.Connections() == 8 }, 5*time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond) // subscriptions are processed

	const n = 200
	for i := 1; i <= n; i++ {
		ch, ev := "public", "update"
		if i%2 == 0 {
			ch, ev = streaming.ChannelDeletes, "delete"
		}
		require.NoError(t, hub.Publish(ctx, timeline.Message{Channel: ch, Event: ev, Data: strconv.Itoa(i)}))
	}
	for _, c := range conns {
		for i := 1; i <= n; i++ {
			f := readFrame(t, c)
			if i%2 == 0 {
				require.Equal(t, "delete", f.Event)
				require.NotNil(t, f.Payload)
				require.Equal(t, strconv.Itoa(i), *f.Payload)
			} else {
				require.Equal(t, "update", f.Event)
				require.Equal(t, strconv.Itoa(i), statusID(t, f))
			}
		}
	}
}
