package streaming_test

import (
	"context"
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
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/timeline"
)

// bigRenderer renders every status as a large payload, to fill sockets.
type bigRenderer struct{ size int }

func (b bigRenderer) RenderStatus(_ context.Context, _ *storage.Account, id storage.ID) ([]byte, error) {
	return []byte(`{"id":"` + id.String() + `","content":"` + strings.Repeat("x", b.size) + `"}`), nil
}

func (b bigRenderer) RenderNotification(context.Context, *storage.Account, storage.ID) ([]byte, error) {
	return nil, streaming.ErrNotFound
}

func anyToken(_ context.Context, token string) (*storage.Account, []string, error) {
	id, err := strconv.ParseInt(token, 10, 64)
	if err != nil {
		return nil, nil, streaming.ErrInvalidToken
	}
	return &storage.Account{ID: storage.ID(id), Username: "u" + token}, []string{"read"}, nil
}

func TestSlowClientIsDroppedWithoutSlowingOthers(t *testing.T) {
	hub := timeline.NewMemoryHub()
	h := streaming.New(hub, streaming.AuthenticatorFunc(anyToken), bigRenderer{size: 16 << 10}, &streaming.Options{
		WriteTimeout: 300 * time.Millisecond, Heartbeat: time.Hour, QueueSize: 64})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	t.Cleanup(func() { hub.Close() })
	u := "ws" + strings.TrimPrefix(ts.URL, "http") + streaming.DefaultPrefix + "?stream=public&access_token="
	ctx := cancelled(t)

	slow, _, err := websocket.Dial(ctx, u+"1", nil) // never reads
	require.NoError(t, err)
	defer slow.CloseNow()
	fast, _, err := websocket.Dial(ctx, u+"2", nil)
	require.NoError(t, err)
	defer fast.CloseNow()
	fast.SetReadLimit(1 << 20)
	require.Eventually(t, func() bool { return h.Connections() == 2 }, 5*time.Second, time.Millisecond)

	var got atomic.Int64
	go func() {
		for {
			if _, _, err := fast.Read(ctx); err != nil {
				return
			}
			got.Add(1)
		}
	}()
	// About 10 MB for each client: more than loopback socket buffers hold
	// for a client that does not read.
	const n = 600
	start := time.Now()
	published, afterDrop := 0, 0
	for published < n && afterDrop < 50 { // 50 more after the drop prove the fast one still receives
		published++
		require.NoError(t, hub.Publish(ctx, timeline.Message{Channel: "public", Event: "update", Data: strconv.Itoa(published)}))
		if h.Connections() == 1 {
			afterDrop++
		}
		time.Sleep(2 * time.Millisecond)
	}
	require.Eventually(t, func() bool { return h.Connections() == 1 }, 10*time.Second, 10*time.Millisecond,
		"the slow client was not dropped")
	t.Logf("one client dropped; %d events published in %s; fast got %d", published, time.Since(start), got.Load())
	require.Eventually(t, func() bool { return got.Load() == int64(published) }, 10*time.Second, 10*time.Millisecond)
	assert.EqualValues(t, published, got.Load())
}

func TestClientThatNeverAnswersPingsIsDropped(t *testing.T) {
	hub := timeline.NewMemoryHub()
	h := streaming.New(hub, streaming.AuthenticatorFunc(anyToken), bigRenderer{size: 10}, &streaming.Options{
		WriteTimeout: 200 * time.Millisecond, Heartbeat: 50 * time.Millisecond})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	t.Cleanup(func() { hub.Close() })
	u := "ws" + strings.TrimPrefix(ts.URL, "http") + streaming.DefaultPrefix + "?access_token=1"
	c, _, err := websocket.Dial(cancelled(t), u, nil) // never reads: never answers pings
	require.NoError(t, err)
	defer c.CloseNow()
	require.Eventually(t, func() bool { return h.Connections() == 1 }, 5*time.Second, time.Millisecond)
	require.Eventually(t, func() bool { return h.Connections() == 0 }, 5*time.Second, 10*time.Millisecond)
}
