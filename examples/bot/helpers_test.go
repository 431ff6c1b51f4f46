package main

import (
	"context"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/storage/sqlite"
)

// testBot is a bot served in-process on a loopback port, in local
// federation mode, recording the events it handles.
type testBot struct {
	*Bot
	t     testing.TB
	srv   *httptest.Server
	store *sqlite.Store

	mu     sync.Mutex
	events []Event
	signal chan struct{}
}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

func startBot(t testing.TB, opts *Options) *testBot {
	t.Helper()
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bot.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	tb := &testBot{t: t, store: store, signal: make(chan struct{}, 1)}
	tb.srv = httptest.NewUnstartedServer(nil)
	var o Options
	if opts != nil {
		o = *opts
	}
	o.AllowPrivate = loopback
	o.OnEvent = tb.record
	if o.Deliverer == nil {
		o.Deliverer = &federation.DelivererOptions{PollInterval: 20 * time.Millisecond}
	}
	b, err := New(ctx, store, "http://"+tb.srv.Listener.Addr().String(), &o)
	require.NoError(t, err)
	tb.Bot = b
	tb.srv.Config.Handler = b.Handler()
	tb.srv.Start()
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = b.Run(runCtx)
	}()
	// Cleanups run last-in first-out: stop the deliverer, then the server,
	// then close the store.
	t.Cleanup(tb.srv.Close)
	t.Cleanup(func() { cancel(); <-done })
	return tb
}

func (tb *testBot) record(_ context.Context, ev Event) {
	tb.mu.Lock()
	tb.events = append(tb.events, ev)
	tb.mu.Unlock()
	select {
	case tb.signal <- struct{}{}:
	default:
	}
}

// handle is the bot's handle, user@127.0.0.1:PORT.
func (tb *testBot) handle() string { return tb.Account().Username + "@" + tb.URLs().Host() }

// waitEvent waits for an event of type typ satisfying match (nil: any) and
// returns it.
func (tb *testBot) waitEvent(typ string, match func(Event) bool) Event {
	tb.t.Helper()
	deadline := time.After(10 * time.Second)
	seen := 0
	for {
		tb.mu.Lock()
		evs := tb.events[seen:]
		seen = len(tb.events)
		tb.mu.Unlock()
		for _, ev := range evs {
			if ev.Type == typ && (match == nil || match(ev)) {
				return ev
			}
		}
		select {
		case <-tb.signal:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			tb.t.Fatalf("no %s event arrived at %s", typ, tb.Account().URI)
		}
	}
}

// eventually polls cond until it holds, failing the test after 10 s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
