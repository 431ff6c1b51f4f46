package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/storage/sqlite"
)

// The harness against a federation Inbox in a test server: every activity
// is verified and accepted.
func TestHarnessAgainstInbox(t *testing.T) {
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), nil)
	require.NoError(t, err)
	defer store.Close()
	client := transport.New(&transport.Options{AllowHTTP: true, AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	resolver := federation.NewResolver(store.Accounts(), client, nil, &federation.ResolverOptions{AllowHTTP: true})
	h := &federation.Handlers{}
	var creates atomic.Int32
	federation.On(h, func(ctx context.Context, in *federation.Incoming[federation.Create]) error {
		creates.Add(1)
		return nil
	})
	srv := httptest.NewServer(federation.NewInbox(resolver, h, &federation.InboxOptions{Log: store.InboxLog()}))
	defer srv.Close()

	var out bytes.Buffer
	err = run(ctx, config{target: srv.URL, inboxPath: "/", senders: 3, concurrency: 1, count: 30,
		duration: time.Minute, keyType: "ed25519", keys: 1}, &out)
	require.NoError(t, err, out.String())
	assert.Contains(t, out.String(), "measured: 30 activities")
	assert.Contains(t, out.String(), "30×202")
	assert.Contains(t, out.String(), "accepted/s:")
	assert.EqualValues(t, 33, creates.Load())
}

func TestHarnessRefusesRemoteTargetsAndBadFlags(t *testing.T) {
	var out bytes.Buffer
	err := run(t.Context(), config{target: "http://192.0.2.1:8080", inboxPath: "/inbox", senders: 1, concurrency: 1, count: 1, keyType: "rsa", keys: 1}, &out)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "not loopback"), err.Error())
	for _, c := range []config{
		{target: "http://127.0.0.1:1", senders: 0, concurrency: 1, count: 1, keys: 1},
		{target: "http://127.0.0.1:1", senders: 1, concurrency: 1, count: 2_000_000, keys: 1},
		{target: "ftp://127.0.0.1:1", senders: 1, concurrency: 1, count: 1, keys: 1},
		{target: "http://127.0.0.1:1", senders: 1, concurrency: 1, count: 1, keys: 1, keyType: "dsa"},
	} {
		assert.Error(t, run(t.Context(), c, &out), "%+v", c)
	}
}
