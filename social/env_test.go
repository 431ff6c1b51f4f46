package social_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/postgres"
	"github.com/herd-social/herd/storage/sqlite"
)

// recorder is an EventSink keeping every event.
type recorder struct {
	mu     sync.Mutex
	events []social.Event
}

func (r *recorder) Publish(_ context.Context, e social.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) ofType(typ social.EventType) []social.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []social.Event
	for _, e := range r.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = nil
}

// env is a Service over a fresh store with helpers to build fixtures.
type env struct {
	t      *testing.T
	ctx    context.Context
	store  storage.Store
	urls   *social.URLs
	svc    *social.Service
	events *recorder
	seq    int
}

func openSQLite(t testing.TB) storage.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "herd.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// openPostgres opens a store on a fresh schema of the server named by
// HERD_TEST_POSTGRES_DSN, skipping the test when it is unset.
func openPostgres(t testing.TB) storage.Store {
	t.Helper()
	base := os.Getenv("HERD_TEST_POSTGRES_DSN")
	if base == "" {
		t.Skip("HERD_TEST_POSTGRES_DSN is not set")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "herd_social_" + hex.EncodeToString(b[:])
	admin, err := sqlx.Open("postgres", base)
	require.NoError(t, err)
	admin.SetMaxOpenConns(1)
	_, err = admin.Exec("CREATE SCHEMA " + schema)
	require.NoError(t, err)
	dsn := base + " search_path=" + schema
	if u, err := url.Parse(base); err == nil && strings.HasPrefix(base, "postgres") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	s, err := postgres.Open(context.Background(), dsn, &postgres.Options{MaxConns: 8})
	require.NoError(t, err)
	t.Cleanup(func() {
		s.Close()
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	return s
}

func newEnvOn(t *testing.T, st storage.Store) *env {
	urls, err := social.NewURLs("https://herd.example")
	require.NoError(t, err)
	rec := &recorder{}
	return &env{t: t, ctx: context.Background(), store: st, urls: urls, events: rec,
		svc: social.New(st, urls, &social.Options{Events: rec})}
}

func newEnv(t *testing.T) *env { return newEnvOn(t, openSQLite(t)) }

// onBackends runs fn on SQLite and, when configured, PostgreSQL.
func onBackends(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newEnvOn(t, openSQLite(t))) })
	t.Run("postgres", func(t *testing.T) { fn(t, newEnvOn(t, openPostgres(t))) })
}

// local creates a local account with a user (no key pair: tests need none).
func (e *env) local(name string, mods ...func(*storage.Account)) *storage.Account {
	e.t.Helper()
	a := &storage.Account{Username: name, URI: e.urls.Actor(name), URL: e.urls.Profile(name), InboxURI: e.urls.Inbox(name),
		Discoverable: true, Indexable: true}
	for _, m := range mods {
		m(a)
	}
	require.NoError(e.t, e.store.Accounts().Create(e.ctx, a))
	e.seq++
	require.NoError(e.t, e.store.Users().Create(e.ctx, &storage.User{AccountID: a.ID, Email: fmt.Sprintf("%s%d@herd.example", name, e.seq),
		Role: storage.RoleUser, Approved: true, DefaultVisibility: storage.VisibilityPublic}))
	return a
}

func (e *env) remote(name, domain string, mods ...func(*storage.Account)) *storage.Account {
	e.t.Helper()
	a := &storage.Account{Username: name, Domain: domain, URI: "https://" + domain + "/users/" + name,
		URL: "https://" + domain + "/@" + name, InboxURI: "https://" + domain + "/users/" + name + "/inbox"}
	for _, m := range mods {
		m(a)
	}
	require.NoError(e.t, e.store.Accounts().Create(e.ctx, a))
	return a
}

func locked(a *storage.Account) { a.Locked = true }

func (e *env) account(id storage.ID) *storage.Account {
	e.t.Helper()
	a, err := e.store.Accounts().Get(e.ctx, id)
	require.NoError(e.t, err)
	return a
}

func (e *env) status(id storage.ID) *storage.Status {
	e.t.Helper()
	st, err := e.store.Statuses().Get(e.ctx, id)
	require.NoError(e.t, err)
	return st
}

func (e *env) follow(a, b *storage.Account) {
	e.t.Helper()
	_, err := e.svc.Follow(e.ctx, a, b.ID, social.FollowOptions{})
	require.NoError(e.t, err)
}

func (e *env) post(a *storage.Account, text string, vis storage.Visibility) *storage.Status {
	e.t.Helper()
	st, err := e.svc.PostStatus(e.ctx, a, social.PostInput{Text: text, Visibility: vis})
	require.NoError(e.t, err)
	return st
}

func (e *env) reply(a *storage.Account, parent *storage.Status, text string, vis storage.Visibility) *storage.Status {
	e.t.Helper()
	st, err := e.svc.PostStatus(e.ctx, a, social.PostInput{Text: text, Visibility: vis, InReplyToID: parent.ID})
	require.NoError(e.t, err)
	return st
}

// homeIDs lists the status IDs of a's home feed as stored.
func (e *env) homeIDs(a *storage.Account) []storage.ID {
	e.t.Helper()
	entries, err := e.store.Feeds().Page(e.ctx, storage.HomeFeed(a.ID), storage.Page{Limit: storage.MaxLimit})
	require.NoError(e.t, err)
	ids := []storage.ID{}
	for _, en := range entries {
		ids = append(ids, en.StatusID)
	}
	return ids
}

// home lists the IDs of a's home timeline as the service shows it.
func (e *env) home(a *storage.Account) []storage.ID {
	e.t.Helper()
	sts, err := e.svc.Home(e.ctx, a, storage.Page{Limit: storage.MaxLimit})
	require.NoError(e.t, err)
	return ids(sts)
}

func ids(sts []*storage.Status) []storage.ID {
	out := []storage.ID{}
	for _, st := range sts {
		out = append(out, st.ID)
	}
	return out
}

// notifications lists a's notifications as "type:from".
func (e *env) notifications(a *storage.Account) []string {
	e.t.Helper()
	ns, err := e.svc.Notifications(e.ctx, a, storage.NotificationFilter{}, storage.Page{Limit: storage.MaxLimit})
	require.NoError(e.t, err)
	out := []string{}
	for _, n := range ns {
		out = append(out, string(n.Type)+":"+e.account(n.FromAccountID).Username)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

var _ = time.Second
