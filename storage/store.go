package storage

import (
	"context"
	"time"
)

// Store is the whole persistent state of a Herd server, composed of
// per-entity stores. Implementations are safe for concurrent use.
type Store interface {
	Accounts() Accounts
	Users() Users
	Statuses() Statuses
	Follows() Follows
	Favourites() Favourites
	Bookmarks() Bookmarks
	Pins() Pins
	Notifications() Notifications
	OAuth() OAuth
	Instances() Instances
	Feeds() Feeds
	Deliveries() Deliveries
	InboxLog() InboxLog
	Blocks() Blocks
	Mutes() Mutes
	DomainBlocks() DomainBlocks
	Queries() Queries
	MediaAttachments() MediaAttachments
	PushSubscriptions() PushSubscriptions
	HeldPosts() HeldPosts
	Settings() Settings
	Filters() Filters
	InstanceDomainBlocks() InstanceDomainBlocks
	DomainAllows() DomainAllows
	Severances() Severances
	Lists() Lists
	UserData
	Polls() Polls
	Reports() Reports
	AccountWarnings() AccountWarnings
	Rules() Rules
	AuditLog() AuditLog
	AdminAccounts() AdminAccounts
	Announcements() Announcements
	Jobs() Jobs
	CustomEmojis() CustomEmojis
	Discovery() Discovery
	DirectStatuses() DirectStatuses
	EmailDomainBlocks() EmailDomainBlocks
	IPBlocks() IPBlocks
	CanonicalEmailBlocks() CanonicalEmailBlocks
	NotificationRequests() NotificationRequests

	// Tx runs fn in a transaction: every store reached through the Store
	// passed to fn reads and writes within it. The transaction commits when
	// fn returns nil and rolls back when it returns an error or panics.
	// Calling Tx on a Store that is already transactional runs fn within the
	// same transaction. fn must use only the Store it is given: a write
	// through the outer store waits for the transaction to end (on SQLite,
	// which has one writer connection, it never ends: a deadlock).
	Tx(ctx context.Context, fn func(tx Store) error) error

	// NewID returns a fresh ID from the store's generator.
	NewID() ID

	// Ping checks that the database answers.
	Ping(ctx context.Context) error

	// Close releases the database connections.
	Close() error
}

// AccountFilter narrows an account listing.
type AccountFilter struct {
	// Origin selects "local", "remote" or "" (both).
	Origin string
	// Domain selects the accounts of one remote domain.
	Domain string
	// Username matches accounts whose username starts with this prefix
	// (case-insensitive).
	Username string
}

// Accounts stores local and remote accounts. Usernames are unique per
// domain, compared case-insensitively; URIs are unique.
type Accounts interface {
	// Create inserts a. It assigns a.ID when zero and sets CreatedAt and
	// UpdatedAt when zero.
	Create(ctx context.Context, a *Account) error
	Get(ctx context.Context, id ID) (*Account, error)
	// GetMany returns the accounts with the given IDs that exist, in no
	// particular order.
	GetMany(ctx context.Context, ids []ID) ([]*Account, error)
	// GetByUsername finds an account by username (case-insensitive) and
	// domain ("" for local accounts).
	GetByUsername(ctx context.Context, username, domain string) (*Account, error)
	GetByURI(ctx context.Context, uri string) (*Account, error)
	// Update writes every field of a (but the counters, which only Adjust
	// changes) and sets UpdatedAt.
	Update(ctx context.Context, a *Account) error
	Delete(ctx context.Context, id ID) error
	// List pages through accounts, newest first.
	List(ctx context.Context, f AccountFilter, p Page) ([]*Account, error)
	// Search finds accounts whose username, display name or domain contain
	// q (case-insensitive), local ones first.
	Search(ctx context.Context, q string, limit, offset int) ([]*Account, error)
	// Count counts accounts matching f.
	Count(ctx context.Context, f AccountFilter) (int64, error)
	// AdjustCounts adds the deltas to the account's counters (never below
	// zero). A non-nil lastStatusAt is recorded as LastStatusAt.
	AdjustCounts(ctx context.Context, id ID, statuses, followers, following int64, lastStatusAt *time.Time) error
	// SetCachedImage points the avatar (purpose MediaAvatar) or header
	// (MediaHeader) of account id at url, this server's copy of the image
	// at remote, if remote is still the account's remote URL of it and
	// the image is not cached yet (its URL is empty or remote): of several
	// processes caching one image, one wins. It reports whether it did
	// (false too when there is no such account).
	SetCachedImage(ctx context.Context, id ID, purpose MediaPurpose, remote, url string) (bool, error)
}

// Users stores the credentials and settings of local accounts. Emails are
// unique (case-insensitive); each account has at most one user.
type Users interface {
	Create(ctx context.Context, u *User) error
	Get(ctx context.Context, id ID) (*User, error)
	GetByAccountID(ctx context.Context, accountID ID) (*User, error)
	GetByEmail(ctx context.Context, email string) (*User, error)
	Update(ctx context.Context, u *User) error
	List(ctx context.Context, p Page) ([]*User, error)
	Count(ctx context.Context) (int64, error)
}

// StatusFilter narrows the statuses of one account.
type StatusFilter struct {
	// Visibilities to include; empty means all.
	Visibilities   []Visibility
	ExcludeReplies bool
	ExcludeReblogs bool
	OnlyMedia      bool
	Tagged         string
}

// PublicFilter narrows the public timeline.
type PublicFilter struct {
	LocalOnly  bool
	RemoteOnly bool
	OnlyMedia  bool
}

// TagFilter selects statuses for a hashtag timeline: statuses carrying any
// tag in Any, all tags in All and none in None. Tags are compared
// case-insensitively.
type TagFilter struct {
	Any       []string
	All       []string
	None      []string
	LocalOnly bool
	OnlyMedia bool
	// Visibilities to include; empty means public only.
	Visibilities []Visibility
}

// Statuses stores statuses, boosts and their edit history. URIs are unique;
// an account boosts a status at most once.
type Statuses interface {
	// Create inserts s. It assigns s.ID when zero, sets timestamps when
	// zero, and defaults ConversationID to the parent's conversation (or
	// the status itself).
	Create(ctx context.Context, s *Status) error
	Get(ctx context.Context, id ID) (*Status, error)
	GetMany(ctx context.Context, ids []ID) ([]*Status, error)
	GetByURI(ctx context.Context, uri string) (*Status, error)
	// Update writes the editable fields of s (content, text, spoiler,
	// sensitive, language, mentions, tags, emojis, media, poll, edited_at)
	// and sets UpdatedAt.
	Update(ctx context.Context, s *Status) error
	// Delete removes the status, its boosts, edits, favourites, bookmarks,
	// pins, notifications and feed entries.
	Delete(ctx context.Context, id ID) error
	// GetReblog finds accountID's boost of statusID.
	GetReblog(ctx context.Context, accountID, statusID ID) (*Status, error)
	// Reblogs pages through the boosts of a status, newest first.
	Reblogs(ctx context.Context, statusID ID, p Page) ([]*Status, error)
	// ByAccount pages through the statuses of one account, newest first.
	ByAccount(ctx context.Context, accountID ID, f StatusFilter, p Page) ([]*Status, error)
	// Public pages through public statuses (not boosts, not replies to
	// others), newest first.
	Public(ctx context.Context, f PublicFilter, p Page) ([]*Status, error)
	// Tagged pages through statuses for a hashtag timeline.
	Tagged(ctx context.Context, f TagFilter, p Page) ([]*Status, error)
	// Ancestors returns up to limit statuses above id in its thread,
	// oldest first.
	Ancestors(ctx context.Context, id ID, limit int) ([]*Status, error)
	// Descendants returns up to limit statuses below id in its thread, in
	// thread order (depth first, oldest first among siblings).
	Descendants(ctx context.Context, id ID, limit int) ([]*Status, error)
	// AddEdit records an earlier version of a status.
	AddEdit(ctx context.Context, e *StatusEdit) error
	// Edits returns the recorded versions of a status, oldest first.
	Edits(ctx context.Context, statusID ID) ([]*StatusEdit, error)
	// AdjustCounts adds the deltas to the status's counters (never below zero).
	AdjustCounts(ctx context.Context, id ID, replies, reblogs, favourites int64) error
	// ViewerStates tells, for each of statusIDs, how accountID interacted
	// with it. Statuses with no interaction may be absent from the map.
	ViewerStates(ctx context.Context, accountID ID, statusIDs []ID) (map[ID]ViewerState, error)
	// Count counts statuses; with local set, only local ones.
	Count(ctx context.Context, local bool) (int64, error)
}

// Follows stores follows and follow requests. There is at most one follow
// and one request per (account, target) pair.
type Follows interface {
	Create(ctx context.Context, f *Follow) error
	Get(ctx context.Context, accountID, targetID ID) (*Follow, error)
	GetByURI(ctx context.Context, uri string) (*Follow, error)
	// Update writes ShowReblogs, Notify and Languages.
	Update(ctx context.Context, f *Follow) error
	Delete(ctx context.Context, accountID, targetID ID) error
	// Followers pages through the follows whose target is accountID (by follow ID).
	Followers(ctx context.Context, accountID ID, p Page) ([]*Follow, error)
	// Following pages through the follows made by accountID (by follow ID).
	Following(ctx context.Context, accountID ID, p Page) ([]*Follow, error)
	// FollowerIDs lists every follower of accountID; with localOnly, only
	// local ones. Used for fan-out.
	FollowerIDs(ctx context.Context, accountID ID, localOnly bool) ([]ID, error)
	// FollowerInboxes lists the distinct inboxes of the remote followers of
	// accountID, preferring shared inboxes. Used for delivery.
	FollowerInboxes(ctx context.Context, accountID ID) ([]string, error)

	CreateRequest(ctx context.Context, r *FollowRequest) error
	GetRequest(ctx context.Context, accountID, targetID ID) (*FollowRequest, error)
	GetRequestByURI(ctx context.Context, uri string) (*FollowRequest, error)
	DeleteRequest(ctx context.Context, accountID, targetID ID) error
	// Requests pages through the pending requests to follow accountID.
	Requests(ctx context.Context, accountID ID, p Page) ([]*FollowRequest, error)

	// States tells how viewerID relates to each of targetIDs.
	States(ctx context.Context, viewerID ID, targetIDs []ID) (map[ID]FollowState, error)
}

// Favourites stores likes; one per (account, status).
type Favourites interface {
	Create(ctx context.Context, f *Favourite) error
	Get(ctx context.Context, accountID, statusID ID) (*Favourite, error)
	GetByURI(ctx context.Context, uri string) (*Favourite, error)
	Delete(ctx context.Context, accountID, statusID ID) error
	// ByAccount pages through an account's favourites (by favourite ID).
	ByAccount(ctx context.Context, accountID ID, p Page) ([]*Favourite, error)
	// ByStatus pages through the favourites of a status (by favourite ID).
	ByStatus(ctx context.Context, statusID ID, p Page) ([]*Favourite, error)
}

// Bookmarks stores bookmarks; one per (account, status).
type Bookmarks interface {
	Create(ctx context.Context, b *Bookmark) error
	Delete(ctx context.Context, accountID, statusID ID) error
	ByAccount(ctx context.Context, accountID ID, p Page) ([]*Bookmark, error)
}

// Pins stores pinned statuses; one per (account, status).
type Pins interface {
	Create(ctx context.Context, p *Pin) error
	Delete(ctx context.Context, accountID, statusID ID) error
	// ByAccount lists an account's pins, newest first.
	ByAccount(ctx context.Context, accountID ID) ([]*Pin, error)
	Count(ctx context.Context, accountID ID) (int64, error)
}

// Notifications stores notifications.
type Notifications interface {
	Create(ctx context.Context, n *Notification) error
	// Get returns the notification id of recipient accountID.
	Get(ctx context.Context, accountID, id ID) (*Notification, error)
	List(ctx context.Context, accountID ID, f NotificationFilter, p Page) ([]*Notification, error)
	// Dismiss deletes one notification of accountID.
	Dismiss(ctx context.Context, accountID, id ID) error
	// Clear deletes every notification of accountID.
	Clear(ctx context.Context, accountID ID) error
	// DeleteFor deletes the notifications of a given type from one account
	// about one status (zero: any), e.g. when a favourite is undone.
	DeleteFor(ctx context.Context, typ NotificationType, fromAccountID, statusID ID) error
	// CountSince counts accountID's notifications with an ID above sinceID.
	CountSince(ctx context.Context, accountID, sinceID ID, f NotificationFilter) (int64, error)
}

// OAuth stores OAuth2 applications, authorization codes and tokens. Codes
// and tokens are looked up by hash; the plain values are never stored.
type OAuth interface {
	CreateApplication(ctx context.Context, a *Application) error
	GetApplication(ctx context.Context, id ID) (*Application, error)
	GetApplicationByClientID(ctx context.Context, clientID string) (*Application, error)

	CreateCode(ctx context.Context, c *AuthorizationCode) error
	// ConsumeCode marks the code with this hash used and returns it. A code
	// already used or unknown gives ErrNotFound; expiry is the caller's check.
	ConsumeCode(ctx context.Context, codeHash string) (*AuthorizationCode, error)

	CreateToken(ctx context.Context, t *Token) error
	// GetToken returns the unrevoked token with this hash.
	GetToken(ctx context.Context, tokenHash string) (*Token, error)
	// RevokeToken revokes the token with this hash.
	RevokeToken(ctx context.Context, tokenHash string) error
	// RevokeAccountTokens revokes every token of an account.
	RevokeAccountTokens(ctx context.Context, accountID ID) error
	// TouchToken records that a token was used at t.
	TouchToken(ctx context.Context, id ID, t time.Time) error
}

// Instances stores known servers and their delivery state.
type Instances interface {
	// Upsert inserts the instance or updates every field of the existing one.
	Upsert(ctx context.Context, i *Instance) error
	Get(ctx context.Context, domain string) (*Instance, error)
	// List lists instances ordered by domain, after the given domain.
	List(ctx context.Context, after string, limit int) ([]*Instance, error)
	Count(ctx context.Context) (int64, error)
}

// Feeds stores materialised timelines (home and list feeds).
type Feeds interface {
	// Insert adds entries to a feed; entries already present are ignored.
	Insert(ctx context.Context, feed Feed, entries ...FeedEntry) error
	// InsertMany adds one entry to many feeds of the same kind.
	InsertMany(ctx context.Context, kind FeedKind, owners []ID, entry FeedEntry) error
	// Remove removes one status from a feed.
	Remove(ctx context.Context, feed Feed, statusID ID) error
	// RemoveAuthor removes every entry by an author from a feed (unfollow).
	RemoveAuthor(ctx context.Context, feed Feed, authorID ID) error
	// RemoveStatus removes a status from every feed.
	RemoveStatus(ctx context.Context, statusID ID) error
	// Page returns entries of a feed, newest first.
	Page(ctx context.Context, feed Feed, p Page) ([]FeedEntry, error)
	// Trim keeps only the newest keep entries of a feed.
	Trim(ctx context.Context, feed Feed, keep int) error
}

// UserData is the part of a Store that holds what accounts keep for
// themselves (scheduled statuses, conversations, markers, notes,
// endorsements, featured and followed tags). Store embeds it.
type UserData interface {
	ScheduledStatuses() ScheduledStatuses
	Conversations() Conversations
	ConversationMutes() ConversationMutes
	Markers() Markers
	AccountNotes() AccountNotes
	Endorsements() Endorsements
	FeaturedTags() FeaturedTags
	FollowedTags() FollowedTags
}
