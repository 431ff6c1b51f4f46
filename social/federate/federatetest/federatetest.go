// Package federatetest runs complete Herd federation stacks in-process for
// tests: each Server has its own SQLite store, social.Service, Resolver,
// Inbox, Sender, durable Deliverer, actor documents, WebFinger,
// followers synchronisation and federate.Federator, served on a loopback
// httptest server in local federation mode (plain http, 127.0.0.0/8
// allowed), so that handles look like alice@127.0.0.1:PORT.
//
//	a, b := federatetest.NewServer(t, nil), federatetest.NewServer(t, nil)
//	alice, bob := a.CreateUser(t, "alice", false), b.CreateUser(t, "bob", false)
//	bobAtA := a.Lookup(t, b, bob)                 // WebFinger + actor fetch
//	_, err := a.Social.Follow(ctx, alice, bobAtA.ID, social.FollowOptions{})
//	a.Flush(t)                                    // deliveries done (and b answered)
//
// Tests that drive two herd processes through the Mastodon API can reuse
// Flush and Eventually, and build Servers with Options.Mount to add the
// API's routes on the same mux.
package federatetest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/federation/webfinger"
	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/federate"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// Options tunes a Server.
type Options struct {
	// Federate tunes the Federator (Sync is set by the Server).
	Federate *federate.Options
	// Inbox tunes the inboxes (Log and Recipient are set by the Server).
	Inbox *federation.InboxOptions
	// Mount, when set, adds routes to the server's mux after the
	// federation routes, with the Server built (e.g. the Mastodon API).
	Mount func(s *Server, mux *http.ServeMux)
	// Workers of the Deliverer (default 16).
	Workers int
	// Media gives the Server a media service on a temporary directory,
	// served at /media/, and a media.Fetcher that caches the attachments of
	// inbound posts and the avatars and headers of remote actors.
	Media bool
	// ManualPollUpdates leaves the Federator's poll updates to the test
	// (Federator.SendDuePollUpdates): by default the Server runs
	// Federator.RunPollUpdates.
	ManualPollUpdates bool
}

// Server is one in-process Herd federation stack.
type Server struct {
	HTTP      *httptest.Server
	URL       string
	Store     storage.Store
	URLs      *social.URLs
	Social    *social.Service
	Client    *transport.Client
	Resolver  *federation.Resolver
	Deliverer *federation.Deliverer
	Sender    *federation.Sender
	Handlers  *federation.Handlers
	Federator *federate.Federator
	Sync      *federate.FollowersSync
	Hooks     *federate.Hooks
	Events    *Recorder
	Instance  *storage.Account
	// Media and Fetcher are set with Options.Media.
	Media   *media.Service
	Fetcher *media.Fetcher
}

// LoopbackClient is a transport client for local federation: plain http
// and 127.0.0.0/8 allowed, short timeouts.
func LoopbackClient() *transport.Client {
	return transport.New(&transport.Options{AllowHTTP: true, AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Timeout: 5 * time.Second, DialTimeout: 2 * time.Second})
}

// NewServer starts a Server; it stops with the test.
func NewServer(t testing.TB, opts *Options) *Server {
	t.Helper()
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	ctx := context.Background()
	mux := http.NewServeMux()
	s := &Server{HTTP: httptest.NewServer(mux), Handlers: &federation.Handlers{}, Events: &Recorder{}, Hooks: &federate.Hooks{}}
	t.Cleanup(s.HTTP.Close)
	s.URL = s.HTTP.URL
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herd.db"), nil)
	if err != nil {
		t.Fatalf("federatetest: open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	s.Store = store
	if s.URLs, err = social.NewURLs(s.URL); err != nil {
		t.Fatalf("federatetest: %v", err)
	}
	inst, instSigner, err := federation.EnsureInstanceActor(ctx, store.Accounts(), s.URLs)
	if err != nil {
		t.Fatalf("federatetest: instance actor: %v", err)
	}
	s.Instance = inst
	s.Client = LoopbackClient()
	accounts := store.Accounts()
	if o.Media {
		s.newMedia(t, mux)
		accounts = s.Fetcher.Accounts(accounts)
	}
	s.Resolver = federation.NewResolver(federate.SanitizingAccounts(accounts, nil), s.Client, instSigner,
		&federation.ResolverOptions{AllowHTTP: true, LocalHost: s.URLs.Host()})
	s.Sync = federate.NewFollowersSync(store, s.URLs, s.Resolver, nil)
	s.Deliverer = federation.NewDeliverer(store.Deliveries(), s.Sync.Poster(s.Client), federation.NewAccountSigners(store.Accounts(), instSigner),
		&federation.DelivererOptions{PollInterval: 20 * time.Millisecond, Workers: o.Workers,
			Backoff: func(int) time.Duration { return 50 * time.Millisecond }})
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Deliverer.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	s.Sender = federation.NewSender(s.Deliverer, s.Resolver, store.Follows(), nil)

	s.Hooks.Also(s.Events)
	s.Social = social.New(store, s.URLs, &social.Options{Events: s.Hooks, Mentions: s.Hooks})
	fo := federate.Options{}
	if o.Federate != nil {
		fo = *o.Federate
	}
	fo.Sync = s.Sync
	if s.Fetcher != nil {
		fo.Media = s.Fetcher
	}
	s.Federator = federate.New(s.Social, s.Resolver, s.Sender, &fo)
	s.Hooks.Set(s.Federator)
	s.Federator.Register(s.Handlers)
	if !o.ManualPollUpdates {
		pollDone := make(chan struct{})
		go func() { _ = s.Federator.RunPollUpdates(runCtx); close(pollDone) }()
		t.Cleanup(func() { cancel(); <-pollDone })
	}

	federation.NewActorHandler(store.Accounts(), s.URLs, &federation.ActorHandlerOptions{InstanceActor: inst,
		Accounts: store.Accounts(), Follows: store.Follows(), Statuses: store.Statuses(), Pins: store.Pins(), Polls: store.Polls(),
		HideCollections: social.HidesCollections}).Mount(mux)
	io := federation.InboxOptions{}
	if o.Inbox != nil {
		io = *o.Inbox
	}
	io.Log = store.InboxLog()
	io.Recipient = nil
	mux.Handle("POST /inbox", s.Sync.Middleware(federation.NewInbox(s.Resolver, s.Handlers, &io)))
	io.Recipient = federation.RecipientByPathValue(store.Accounts(), "name")
	mux.Handle("POST /users/{name}/inbox", s.Sync.Middleware(federation.NewInbox(s.Resolver, s.Handlers, &io)))
	mux.Handle("GET /users/{name}/followers_synchronization", s.Sync.Handler())
	mux.Handle("/.well-known/", webfinger.NewHandler(federation.NewWebFingerResolver(store.Accounts(), s.URLs), nil))
	if o.Mount != nil {
		o.Mount(s, mux)
	}
	return s
}

// CreateUser creates a local user (locked: follow requests need approval).
func (s *Server) CreateUser(t testing.TB, name string, locked bool) *storage.Account {
	t.Helper()
	a, _, err := social.CreateUser(context.Background(), s.Store, s.URLs, social.NewUser{Username: name,
		Email: name + "@example.test", Password: "correct horse battery", Approved: true, Locked: locked})
	if err != nil {
		t.Fatalf("federatetest: create user %s: %v", name, err)
	}
	return a
}

// Handle is the user@host handle of a local account of s.
func (s *Server) Handle(a *storage.Account) string { return a.Username + "@" + s.URLs.Host() }

// Lookup resolves the account acct of server other on s (WebFinger and
// actor fetch) and returns s's record of it.
func (s *Server) Lookup(t testing.TB, other *Server, acct *storage.Account) *storage.Account {
	t.Helper()
	a, err := s.Resolver.ResolveHandle(federation.WithFetchBudget(context.Background(), 5), other.Handle(acct))
	if err != nil {
		t.Fatalf("federatetest: look up %s: %v", other.Handle(acct), err)
	}
	return a
}

// Account reloads an account of s by ID.
func (s *Server) Account(t testing.TB, id storage.ID) *storage.Account {
	t.Helper()
	a, err := s.Store.Accounts().Get(context.Background(), id)
	if err != nil {
		t.Fatalf("federatetest: account %s: %v", id, err)
	}
	return a
}

// AccountByURI returns s's record of the actor iri, or nil.
func (s *Server) AccountByURI(iri string) *storage.Account {
	a, err := s.Store.Accounts().GetByURI(context.Background(), iri)
	if err != nil {
		return nil
	}
	return a
}

// StatusByURI returns s's record of the status iri, or nil.
func (s *Server) StatusByURI(iri string) *storage.Status {
	st, err := s.Store.Statuses().GetByURI(context.Background(), iri)
	if err != nil {
		return nil
	}
	return st
}

// Flush waits until s's delivery queue is empty: every queued activity was
// delivered (the receiving inbox processes it before answering) or dropped.
func (s *Server) Flush(t testing.TB) {
	t.Helper()
	Eventually(t, 15*time.Second, func() bool {
		d, err := s.Store.Deliveries().Depth(context.Background())
		return err == nil && len(d) == 0
	}, "delivery queue of %s did not drain", s.URL)
}

// FlushAll flushes the servers until all their queues are empty at once
// (an activity may cause answers, such as Accept).
func FlushAll(t testing.TB, servers ...*Server) {
	t.Helper()
	Eventually(t, 20*time.Second, func() bool {
		for _, s := range servers {
			d, err := s.Store.Deliveries().Depth(context.Background())
			if err != nil || len(d) > 0 {
				return false
			}
		}
		// Twice, a little apart: an answer may be queued just now.
		time.Sleep(30 * time.Millisecond)
		for _, s := range servers {
			d, err := s.Store.Deliveries().Depth(context.Background())
			if err != nil || len(d) > 0 {
				return false
			}
		}
		return true
	}, "delivery queues did not drain")
}

// Home returns the IDs of the statuses in an account's home feed, newest first.
func (s *Server) Home(t testing.TB, a *storage.Account) []*storage.Status {
	t.Helper()
	sts, err := s.Social.Home(context.Background(), a, storage.Page{Limit: storage.MaxLimit})
	if err != nil {
		t.Fatalf("federatetest: home of %s: %v", a.Username, err)
	}
	return sts
}

// Notifications returns an account's notifications, newest first.
func (s *Server) Notifications(t testing.TB, a *storage.Account) []*storage.Notification {
	t.Helper()
	ns, err := s.Social.Notifications(context.Background(), a, storage.NotificationFilter{}, storage.Page{Limit: storage.MaxLimit})
	if err != nil {
		t.Fatalf("federatetest: notifications of %s: %v", a.Username, err)
	}
	return ns
}

// Eventually polls cond every 10 ms until it holds, failing the test after
// timeout.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("federatetest: "+msg, args...)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Recorder is a social.EventSink keeping every event.
type Recorder struct {
	mu     sync.Mutex
	events []social.Event
}

// Publish implements social.EventSink.
func (r *Recorder) Publish(_ context.Context, e social.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

// OfType returns the events of one type, in order.
func (r *Recorder) OfType(typ social.EventType) []social.Event {
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

// newMedia sets up Media and Fetcher and serves the blobs at /media/.
func (s *Server) newMedia(t testing.TB, mux *http.ServeMux) {
	blobs, err := media.NewFS(filepath.Join(t.TempDir(), "media"), nil)
	if err != nil {
		t.Fatalf("federatetest: media: %v", err)
	}
	s.Media = media.NewService(s.Store, blobs, media.NewProcessor(&media.ProcessorOptions{TempDir: t.TempDir()}), s.URLs.Media,
		&media.ServiceOptions{SyncWait: time.Minute})
	client := transport.New(&transport.Options{AllowHTTP: true, AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Timeout: time.Minute, MaxBodyBytes: 200 << 20})
	s.Fetcher = media.NewFetcher(s.Media, client.HTTPClient(), nil)
	t.Cleanup(func() {
		_ = s.Fetcher.Close(context.Background())
		_ = s.Media.Close(context.Background())
	})
	mux.Handle("GET /media/", http.StripPrefix("/media", media.Handler(blobs, nil)))
}

// WaitMedia waits until the Fetcher cached what it was given.
func (s *Server) WaitMedia(t testing.TB) {
	t.Helper()
	if s.Fetcher == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Fetcher.Wait(ctx); err != nil {
		t.Fatalf("federatetest: media fetches did not finish: %v", err)
	}
}
