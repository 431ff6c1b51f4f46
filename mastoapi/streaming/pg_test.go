package streaming_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	mastodon "github.com/mattn/go-mastodon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi/streaming"
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

// TestAnnouncementsAcrossProcessesOnPostgres: two processes poll the
// announcements of one database at once; each change is streamed once,
// and reaches the clients of both.
func TestAnnouncementsAcrossProcessesOnPostgres(t *testing.T) {
	base := pgDSN(t)
	dsn := pgSchema(t, base)
	channel := "herd_stream_test_" + hex.EncodeToString([]byte(t.Name()))[:16]
	type proc struct {
		e   *env
		hub *pghub.Hub
	}
	open := func() proc {
		store, err := postgres.Open(context.Background(), dsn, &postgres.Options{MaxConns: 4})
		require.NoError(t, err)
		t.Cleanup(func() { store.Close() })
		db, err := sql.Open("postgres", dsn)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		hub, err := pghub.New(context.Background(), db, dsn, &pghub.Options{Channel: channel})
		require.NoError(t, err)
		return proc{newEnvOn(t, store, hub, nil), hub}
	}
	a, b := open(), open()
	ctx := cancelled(t)
	sub, err := b.hub.Subscribe(ctx, 16, streaming.ChannelAnnouncements)
	require.NoError(t, err)
	defer sub.Close()
	_, tok := b.e.user("alice")
	ws := b.e.wsDial("stream=user&access_token=" + tok)
	b.e.waitConns(1)

	publishBoth := func() {
		errs := make(chan error, 2)
		for _, p := range []proc{a, b} {
			go func() { errs <- streaming.PublishAnnouncements(ctx, p.e.srv.Store, p.hub) }()
		}
		require.NoError(t, <-errs)
		require.NoError(t, <-errs)
	}
	expectOnce := func(event, data string) {
		t.Helper()
		select {
		case m := <-sub.C():
			assert.Equal(t, event, m.Event)
			assert.Equal(t, data, m.Data)
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s", event)
		}
		select {
		case m := <-sub.C():
			t.Fatalf("streamed twice: %+v", m)
		case <-time.After(300 * time.Millisecond):
		}
	}

	ann := &storage.Announcement{Text: "from process A", Published: true}
	require.NoError(t, a.e.srv.Store.Announcements().Create(ctx, ann))
	publishBoth()
	expectOnce(streaming.EventAnnouncement, ann.ID.String())

	require.NoError(t, a.e.srv.Store.Announcements().Delete(ctx, ann.ID))
	publishBoth()
	expectOnce(streaming.EventAnnouncementDelete, ann.ID.String())
	// The client on B gets the deletion (the announcement event itself
	// needs an AnnouncementRenderer, which StoreRenderer is not).
	f := readFrame(t, ws)
	assert.Equal(t, "announcement.delete", f.Event)
	require.NotNil(t, f.Payload)
	assert.Equal(t, ann.ID.String(), *f.Payload)
}
