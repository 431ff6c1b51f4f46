package social

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/herd-social/herd/storage"
)

// Sentinel errors of the application core. The HTTP layer maps them in one
// place: ErrNotFound → 404, ErrForbidden → 403, ErrInvalid (and every
// *ValidationError) → 422.
var (
	// ErrNotFound is returned (wrapped) when a record does not exist or the
	// viewer may not see it: existence is never revealed.
	ErrNotFound = errors.New("not found")
	// ErrForbidden is returned (wrapped) for an action on someone else's
	// resource, or one a block forbids.
	ErrForbidden = errors.New("forbidden")
	// ErrUnprocessable is the same sentinel as ErrInvalid, under the name
	// of the HTTP status it maps to.
	ErrUnprocessable = ErrInvalid
)

// EventType names what happened.
type EventType string

// Event types. Actor is the account that acted; see Event for the other fields.
const (
	EventStatusCreated       EventType = "status.created"       // Status (a new post), HomeFeeds
	EventStatusUpdated       EventType = "status.updated"       // Status (edited), HomeFeeds
	EventStatusDeleted       EventType = "status.deleted"       // Status (deleted), DeletedReblogs
	EventStatusFavourited    EventType = "status.favourited"    // Status, Favourite, Target (author)
	EventStatusUnfavourited  EventType = "status.unfavourited"  // Status, Favourite, Target
	EventStatusReblogged     EventType = "status.reblogged"     // Status (the new boost), Reblog, Target, HomeFeeds
	EventStatusUnreblogged   EventType = "status.unreblogged"   // Status (the removed boost), Reblog, Target
	EventAccountFollowed     EventType = "account.followed"     // Target, Follow (accepted follow)
	EventAccountUnfollowed   EventType = "account.unfollowed"   // Target, Follow (the follow or request undone)
	EventFollowRequested     EventType = "follow.requested"     // Target, Follow (the pending request)
	EventFollowAccepted      EventType = "follow.accepted"      // Actor = target, Target = requester, Follow
	EventFollowRejected      EventType = "follow.rejected"      // Actor = target, Target = requester, Follow (the request)
	EventAccountUpdated      EventType = "account.updated"      // Actor (the new profile)
	EventAccountBlocked      EventType = "account.blocked"      // Target, Block
	EventAccountUnblocked    EventType = "account.unblocked"    // Target, Block
	EventNotificationCreated EventType = "notification.created" // Notification, Target (the recipient), Status if any
)

// Event tells the streaming API and federation what happened. It is
// published after the transaction that made the change commits. Actors may
// be remote (for statuses received through federation): federation delivers
// only events whose Actor is local.
type Event struct {
	Type  EventType
	Actor *storage.Account
	// Status is the status concerned; for boosts, the boost.
	Status *storage.Status
	// Reblog is the boosted status, for boosts.
	Reblog *storage.Status
	// Target is the other account concerned: followed, blocked, notified,
	// or the author of a favourited or boosted status.
	Target       *storage.Account
	Notification *storage.Notification
	Follow       *storage.Follow
	Favourite    *storage.Favourite
	Block        *storage.Block
	// HomeFeeds lists the local accounts whose home feed received (or, for
	// edits, holds) the status: streaming sends "update" (or
	// "status.update") to them.
	HomeFeeds []storage.ID
	// ListFeeds lists the lists whose feed received (or, for edits,
	// holds) the status: streaming sends "update" (or "status.update") to
	// their list streams.
	ListFeeds []storage.ID
	// DeletedReblogs lists boosts removed with a deleted status.
	DeletedReblogs []*storage.Status
	// Poll is the poll concerned (poll events), as updated.
	Poll *storage.Poll
	// Votes are the new votes of a poll.voted event.
	Votes []*storage.PollVote
	// Report is the report concerned (report.forwarded).
	Report *storage.Report
	// ForwardTo lists more actors whose servers receive a forwarded report.
	ForwardTo []string
}

// EventSink receives events. Publish must not block for long; it runs on
// the caller's goroutine after the change committed.
type EventSink interface {
	Publish(ctx context.Context, e Event)
}

// EventSinkFunc adapts a function to EventSink.
type EventSinkFunc func(ctx context.Context, e Event)

// Publish implements EventSink.
func (f EventSinkFunc) Publish(ctx context.Context, e Event) { f(ctx, e) }

// MentionResolver finds an account for a mention that is not in the store,
// such as a remote account reached through WebFinger. It returns
// storage.ErrNotFound (wrapped) when there is none.
type MentionResolver interface {
	ResolveMention(ctx context.Context, username, domain string) (*storage.Account, error)
}

// EmojiResolver finds the custom emojis for shortcodes used in a text.
// Unknown shortcodes are left out of the result.
type EmojiResolver interface {
	ResolveEmojis(ctx context.Context, shortcodes []string) ([]storage.Emoji, error)
}

// Options tunes a Service. The zero value is ready to use.
type Options struct {
	// Logger receives best-effort failures that do not fail the call
	// (recording remote custom emojis); nil discards them.
	Logger *slog.Logger
	// Events receives what happened; nil means nowhere.
	Events EventSink
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Mentions resolves mentions of accounts not yet stored; nil means
	// only stored accounts are mentioned.
	Mentions MentionResolver
	// Emojis resolves custom emoji shortcodes; nil means the store's
	// enabled local custom emojis (NewEmojiResolver).
	Emojis EmojiResolver
	// MaxStatusChars bounds the length of a status (default 500).
	MaxStatusChars int
	// MaxPinned bounds the pinned statuses of an account (default 5).
	MaxPinned int
	// MaxMediaAttachments bounds the media of a status (default 4).
	MaxMediaAttachments int
	// MaxProfileFields bounds the profile fields of an account (default 4).
	MaxProfileFields int
	// Domains is the instance's domain moderation (moderation.Domains):
	// silenced domains are limited, suspended ones hidden, and the admin
	// domain block functions reload it. Nil: no instance domain moderation.
	Domains DomainModeration
	// RejectMedia reports the domains whose media are rejected: their
	// custom emojis are neither shown on their statuses nor recorded.
	// Nil: none.
	RejectMedia func(ctx context.Context, domain string) bool
	// MaxPollOptions bounds the options of a poll (default
	// DefaultMaxPollOptions); MaxPollOptionChars their length (default
	// DefaultMaxPollOptionChars).
	MaxPollOptions     int
	MaxPollOptionChars int
	// MinPollExpiration and MaxPollExpiration bound how long a poll stays
	// open (defaults DefaultMinPollExpiration, DefaultMaxPollExpiration).
	MinPollExpiration time.Duration
	MaxPollExpiration time.Duration
	// Limiter, when set, limits accounts beyond those a moderator silenced
	// (see Service.Limited), such as those of silenced domains.
	Limiter Limiter
}

// Service is the application core for local users. It is safe for
// concurrent use.
type Service struct {
	store storage.Store
	urls  *URLs
	opts  Options
}

// New returns a Service over store, laying out addresses with urls.
func New(store storage.Store, urls *URLs, opts *Options) *Service {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxStatusChars <= 0 {
		o.MaxStatusChars = 500
	}
	if o.MaxPinned <= 0 {
		o.MaxPinned = 5
	}
	if o.MaxMediaAttachments <= 0 {
		o.MaxMediaAttachments = 4
	}
	if o.MaxProfileFields <= 0 {
		o.MaxProfileFields = 4
	}
	if o.MaxPollOptions <= 0 {
		o.MaxPollOptions = DefaultMaxPollOptions
	}
	if o.MaxPollOptionChars <= 0 {
		o.MaxPollOptionChars = DefaultMaxPollOptionChars
	}
	if o.MinPollExpiration <= 0 {
		o.MinPollExpiration = DefaultMinPollExpiration
	}
	if o.MaxPollExpiration <= 0 {
		o.MaxPollExpiration = DefaultMaxPollExpiration
	}
	return &Service{store: store, urls: urls, opts: o}
}

// Store returns the service's store.
func (s *Service) Store() storage.Store { return s.store }

// URLs returns the service's address layout.
func (s *Service) URLs() *URLs { return s.urls }

// Limits returns the effective limits (for the instance entity).
func (s *Service) Limits() (maxChars, maxMedia, maxPinned, maxFields int) {
	return s.opts.MaxStatusChars, s.opts.MaxMediaAttachments, s.opts.MaxPinned, s.opts.MaxProfileFields
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// events collects the events of a transaction, published once it commits.
type events []Event

func (e *events) add(ev Event) { *e = append(*e, ev) }

// tx runs fn in a transaction and publishes its events once it commits.
func (s *Service) tx(ctx context.Context, fn func(tx storage.Store, ev *events) error) error {
	var ev events
	err := s.store.Tx(ctx, func(tx storage.Store) error {
		ev = ev[:0]
		return fn(tx, &ev)
	})
	if err != nil {
		return err
	}
	s.publish(ctx, ev)
	return nil
}

func (s *Service) publish(ctx context.Context, evs []Event) {
	if s.opts.Events == nil {
		return
	}
	for _, e := range evs {
		s.opts.Events.Publish(ctx, e)
	}
}

// notFound maps the store's ErrNotFound to ours, keeping other errors.
func notFound(err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%s: %w", msg, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// ignoreNotFound returns nil for storage.ErrNotFound.
func ignoreNotFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

func viewerID(viewer *storage.Account) storage.ID {
	if viewer == nil {
		return 0
	}
	return viewer.ID
}

// requireLocal checks that actor is a local account.
func requireLocal(actor *storage.Account) error {
	if actor == nil || actor.ID == 0 {
		return fmt.Errorf("no account: %w", ErrForbidden)
	}
	if !actor.Local() {
		return fmt.Errorf("account %s is not local: %w", actor.ID, ErrForbidden)
	}
	return nil
}
