package streaming_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	mastodon "github.com/mattn/go-mastodon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/postgres"
	"github.com/herd-social/herd/timeline/pghub"
)

// pgDSN returns HERD_TEST_POSTGRES_DSN or skips.
func pgDSN(t *testing.T) string {
	d := os.Getenv("HERD_TEST_POSTGRES_DSN")
	if d == "" {
		if os.Getenv("HERD_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("HERD_TEST_POSTGRES_DSN is not set but HERD_TEST_REQUIRE_POSTGRES=1")
		}
		t.Skip("HERD_TEST_POSTGRES_DSN not set: skipping PostgreSQL streaming tests")
	}
	return d
}

// pgSchema creates a fresh schema and returns a DSN using it.
func pgSchema(t *testing.T, base string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "herd_stream_" + hex.EncodeToString(b[:])
	admin, err := sqlx.Open("postgres", base)
	require.NoError(t, err)
	_, err = admin.Exec("CREATE SCHEMA " + schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestTwoProcessesOnOnePostgres runs two "processes" — each with its own
// store connection pool, pghub and streaming server — on one database: a
// status posted through A reaches a client connected to B.
func TestTwoProcessesOnOnePostgres(t *testing.T) {
	base := pgDSN(t)
	dsn := pgSchema(t, base)
	channel := "herd_stream_test_" + hex.EncodeToString([]byte(t.Name()))[:16]
	proc := func() *env {
		store, err := postgres.Open(context.Background(), dsn, &postgres.Options{MaxConns: 4})
		require.NoError(t, err)
		t.Cleanup(func() { store.Close() })
		db, err := sql.Open("postgres", dsn)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		hub, err := pghub.New(context.Background(), db, dsn, &pghub.Options{Channel: channel})
		require.NoError(t, err)
		return newEnvOn(t, store, hub, nil)
	}
	a, b := proc(), proc()
	alice, aliceTok := b.user("alice")
	bob, _ := a.user("bob")
	a.follow(alice, bob)

	ctx := cancelled(t)
	user, err := b.client(aliceTok).StreamingUser(ctx)
	require.NoError(t, err)
	pub, err := b.client(aliceTok).NewWSClient().StreamingWSPublic(ctx, true)
	require.NoError(t, err)
	b.waitConns(2)

	st := a.post(bob, "from process A #pg", storage.VisibilityPublic)
	for _, ch := range []chan mastodon.Event{user, pub} {
		up, ok := next(t, ch).(*mastodon.UpdateEvent)
		require.True(t, ok)
		assert.Equal(t, st.ID.String(), string(up.Status.ID))
	}
	// A mention made in A notifies alice on B.
	a.post(bob, "@alice hi", storage.VisibilityPublic)
	for {
		if n, ok := next(t, user).(*mastodon.NotificationEvent); ok {
			assert.Equal(t, "mention", n.Notification.Type)
			break
		}
	}
}
