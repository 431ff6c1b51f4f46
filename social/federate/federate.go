package federate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// Defaults of Options.
const (
	// DefaultMaxAttachments bounds the remote attachments kept per status.
	DefaultMaxAttachments = 8
	// DefaultMaxMentionFetches bounds the unknown mentioned actors fetched
	// for one inbound post.
	DefaultMaxMentionFetches = 5
	// DefaultSendTimeout bounds the work one event does before its
	// activity is queued (resolving recipients that are not stored).
	DefaultSendTimeout = 10 * time.Second
	// DefaultResolveBudget is the fetch budget of one search resolution.
	DefaultResolveBudget = 10
)

// Options tunes a Federator. The zero value gives the defaults.
type Options struct {
	// PostPolicy, when set, judges every post this server fetches itself
	// (the object of a boost, thread ancestors, search results) before it
	// is stored, as the inbox's policy judges what is delivered: it returns
	// the post to store (possibly rewritten) or an error to drop it.
	PostPolicy func(ctx context.Context, post *ap.Object, author *storage.Account) (*ap.Object, error)
	// ThreadDepth bounds the ancestors fetched above an inbound reply
	// (default federation.DefaultThreadDepth); the fetch budget of the
	// activity bounds them too.
	ThreadDepth int
	// MaxAttachments bounds the attachments kept per remote status
	// (default DefaultMaxAttachments).
	MaxAttachments int
	// MaxMentionFetches bounds the unknown mentioned actors fetched for
	// one inbound post (default DefaultMaxMentionFetches).
	MaxMentionFetches int
	// SendTimeout bounds the work of one outbound event (default
	// DefaultSendTimeout).
	SendTimeout time.Duration
	// ResolveBudget is the fetch budget of Resolve (default
	// DefaultResolveBudget).
	ResolveBudget int
	// AcceptUnsolicited stores inbound posts that no local account follows,
	// is mentioned in or is replied to (default false: they are dropped,
	// as Mastodon does, so that strangers cannot fill the database).
	AcceptUnsolicited bool
	// Sanitizer cleans remote HTML (default NewSanitizer()).
	Sanitizer *Sanitizer
	// Sync, when set, takes part in followers collection synchronisation
	// (FEP-8fcf): its cache is invalidated on follow changes and inbound
	// Collection-Synchronization headers are checked.
	Sync *FollowersSync
	// Logger receives delivery failures (warn) and ignored activities
	// (debug). Nil discards.
	Logger *slog.Logger
	// Media, when set, is given the attachments of every inbound status
	// stored, to cache their files in the background (media.Fetcher);
	// until then, and if that fails, they point at their remote URLs.
	Media MediaCache
	// PollUpdateDelay is how long to wait after a vote in a local poll
	// before sending the new tallies to the servers of the followers and
	// voters (default DefaultPollUpdateDelay); votes of that time are sent
	// together.
	PollUpdateDelay time.Duration
	// PollUpdateInterval is how often RunPollUpdates looks for due poll
	// updates (default DefaultPollUpdateInterval, or PollUpdateDelay when
	// that is shorter).
	PollUpdateInterval time.Duration
}

// MediaCache caches the files of remote attachments; *media.Fetcher is
// one. EnqueueAttachments must not block.
type MediaCache interface {
	EnqueueAttachments(ids ...storage.ID)
}

// MediaRemover is implemented by a MediaCache that can delete the cached
// files of attachments whose records are gone (a remote edit removed
// them); *media.Fetcher is one.
type MediaRemover interface {
	DeleteCachedFiles(ctx context.Context, ms ...*storage.MediaAttachment) error
}

// Federator joins the application core (social) and the ActivityPub
// engine (federation): it is the social.EventSink that turns what local
// accounts do into activities sent to other servers (see Publish), the set
// of inbox handlers that apply what other servers send (see Register), and
// the resolver of remote handles and URLs for search (see Resolve).
// It is safe for concurrent use.
type Federator struct {
	svc      *social.Service
	store    storage.Store
	urls     *social.URLs
	resolver *federation.Resolver
	sender   *federation.Sender
	z        *Sanitizer
	o        Options
	log      *slog.Logger
}

var (
	_ social.EventSink       = (*Federator)(nil)
	_ social.MentionResolver = (*Federator)(nil)
)

// New returns a Federator over the service svc (whose store and URL layout
// it uses), fetching with resolver and sending with sender.
func New(svc *social.Service, resolver *federation.Resolver, sender *federation.Sender, opts *Options) *Federator {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.ThreadDepth <= 0 {
		o.ThreadDepth = federation.DefaultThreadDepth
	}
	if o.MaxAttachments <= 0 {
		o.MaxAttachments = DefaultMaxAttachments
	}
	if o.MaxMentionFetches <= 0 {
		o.MaxMentionFetches = DefaultMaxMentionFetches
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = DefaultSendTimeout
	}
	if o.ResolveBudget <= 0 {
		o.ResolveBudget = DefaultResolveBudget
	}
	if o.PollUpdateDelay <= 0 {
		o.PollUpdateDelay = DefaultPollUpdateDelay
	}
	if o.PollUpdateInterval <= 0 {
		o.PollUpdateInterval = min(DefaultPollUpdateInterval, o.PollUpdateDelay)
	}
	z := o.Sanitizer
	if z == nil {
		z = NewSanitizer()
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Federator{svc: svc, store: svc.Store(), urls: svc.URLs(), resolver: resolver, sender: sender, z: z, o: o, log: log}
}

// Register installs the Federator's inbox handlers on h: Follow, Accept,
// Reject, Undo, Create, Update, Delete, Like, Announce, Block, Move and
// Flag.
// Register before the inbox serves.
func (f *Federator) Register(h *federation.Handlers) {
	federation.On(h, f.onFollow)
	federation.On(h, f.onAccept)
	federation.On(h, f.onReject)
	federation.On(h, f.onUndo)
	federation.On(h, f.onCreate)
	federation.On(h, f.onUpdate)
	federation.On(h, f.onDelete)
	federation.On(h, f.onLike)
	federation.On(h, f.onAnnounce)
	federation.On(h, f.onBlock)
	federation.On(h, f.onMove)
	federation.On(h, f.onFlag)
}

// ResolveMention implements social.MentionResolver: a mention of
// user@domain not yet stored is looked up through WebFinger.
func (f *Federator) ResolveMention(ctx context.Context, username, domain string) (*storage.Account, error) {
	ctx = federation.WithFetchBudget(ctx, 3)
	a, err := f.resolver.ResolveHandle(ctx, username+"@"+domain)
	if err != nil {
		return nil, fmt.Errorf("resolve mention @%s@%s: %w: %w", username, domain, storage.ErrNotFound, err)
	}
	return a, nil
}

// localByURI returns the local account whose actor IRI is iri, or nil.
func (f *Federator) localByURI(ctx context.Context, iri string) (*storage.Account, error) {
	if iri == "" || !strings.HasPrefix(iri, f.urls.Base()+"/") {
		return nil, nil
	}
	a, err := f.store.Accounts().GetByURI(ctx, iri)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load account %s: %w", iri, err)
	}
	if !a.Local() || a.URI == f.urls.InstanceActor() {
		return nil, nil
	}
	return a, nil
}

// statusByURI returns the stored status iri, or nil.
func (f *Federator) statusByURI(ctx context.Context, iri string) (*storage.Status, error) {
	if iri == "" {
		return nil, nil
	}
	st, err := f.store.Statuses().GetByURI(ctx, iri)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load status %s: %w", iri, err)
	}
	return st, nil
}

// Hooks breaks the construction cycle between a social.Service (which
// takes an EventSink and a MentionResolver) and the Federator (which takes
// the Service): give Hooks to social.New, then Set the Federator.
//
//	hooks := &federate.Hooks{}
//	svc := social.New(store, urls, &social.Options{Events: hooks, Mentions: hooks})
//	fed := federate.New(svc, resolver, sender, nil)
//	hooks.Set(fed)
//
// Events published before Set are dropped. Other sinks (streaming) can be
// chained with Next.
type Hooks struct {
	mu   sync.RWMutex
	f    *Federator
	next []social.EventSink
}

// Set makes h forward to f.
func (h *Hooks) Set(f *Federator) {
	h.mu.Lock()
	h.f = f
	h.mu.Unlock()
}

// Also adds sinks that receive every event after the Federator.
func (h *Hooks) Also(sinks ...social.EventSink) {
	h.mu.Lock()
	h.next = append(h.next, sinks...)
	h.mu.Unlock()
}

// Publish implements social.EventSink.
func (h *Hooks) Publish(ctx context.Context, e social.Event) {
	h.mu.RLock()
	f, next := h.f, h.next
	h.mu.RUnlock()
	if f != nil {
		f.Publish(ctx, e)
	}
	for _, s := range next {
		s.Publish(ctx, e)
	}
}

// ResolveMention implements social.MentionResolver.
func (h *Hooks) ResolveMention(ctx context.Context, username, domain string) (*storage.Account, error) {
	h.mu.RLock()
	f := h.f
	h.mu.RUnlock()
	if f == nil {
		return nil, fmt.Errorf("resolve mention: federation not ready: %w", storage.ErrNotFound)
	}
	return f.ResolveMention(ctx, username, domain)
}
