package storage

import (
	"context"
	"time"
)

// Block is an account's block of another: neither sees the other's
// statuses, and follows between them are removed.
type Block struct {
	ID              ID        `db:"id"`
	AccountID       ID        `db:"account_id"`
	TargetAccountID ID        `db:"target_account_id"`
	URI             string    `db:"uri"` // id of the Block activity
	CreatedAt       time.Time `db:"created_at"`
}

// Mute hides an account's statuses (and, with HideNotifications, its
// notifications) from AccountID. A mute with ExpiresAt in the past no
// longer applies.
type Mute struct {
	ID                ID         `db:"id"`
	AccountID         ID         `db:"account_id"`
	TargetAccountID   ID         `db:"target_account_id"`
	HideNotifications bool       `db:"hide_notifications"`
	ExpiresAt         *time.Time `db:"expires_at"`
	CreatedAt         time.Time  `db:"created_at"`
}

// DomainBlock is a user-level block of every account of a remote domain.
type DomainBlock struct {
	ID        ID        `db:"id"`
	AccountID ID        `db:"account_id"`
	Domain    string    `db:"domain"` // lower-case
	CreatedAt time.Time `db:"created_at"`
}

// BlockState tells how an account and another block each other.
type BlockState struct {
	Blocking  bool // the account blocks the other
	BlockedBy bool // the other blocks the account
}

// Blocks stores account blocks; one per (account, target).
type Blocks interface {
	// Create inserts b (ErrConflict when the pair already exists). It
	// assigns b.ID when zero and sets CreatedAt when zero.
	Create(ctx context.Context, b *Block) error
	Get(ctx context.Context, accountID, targetID ID) (*Block, error)
	GetByURI(ctx context.Context, uri string) (*Block, error)
	Delete(ctx context.Context, accountID, targetID ID) error
	// List pages through the blocks made by accountID (by block ID).
	List(ctx context.Context, accountID ID, p Page) ([]*Block, error)
	// States tells, for each of ids, whether accountID blocks it or is
	// blocked by it. IDs with neither may be absent from the map.
	States(ctx context.Context, accountID ID, ids []ID) (map[ID]BlockState, error)
	// BlockerIDs lists every account that blocks targetID.
	BlockerIDs(ctx context.Context, targetID ID) ([]ID, error)
}

// Mutes stores account mutes; one per (account, target). Expired mutes are
// ignored by every read but Get and List.
type Mutes interface {
	// Create inserts m, or replaces the existing mute of the same pair
	// (keeping its ID). It assigns m.ID when zero and sets CreatedAt.
	Create(ctx context.Context, m *Mute) error
	Get(ctx context.Context, accountID, targetID ID) (*Mute, error)
	Delete(ctx context.Context, accountID, targetID ID) error
	// List pages through the unexpired mutes made by accountID (by mute ID).
	List(ctx context.Context, accountID ID, p Page) ([]*Mute, error)
	// States returns accountID's unexpired mutes of any of ids, by target.
	States(ctx context.Context, accountID ID, ids []ID) (map[ID]*Mute, error)
	// MuterIDs lists the accounts with an unexpired mute of targetID; with
	// notificationsOnly, only those that also hide its notifications.
	MuterIDs(ctx context.Context, targetID ID, notificationsOnly bool) ([]ID, error)
	// DeleteExpired removes mutes that expired before now.
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)
}

// DomainBlocks stores user-level domain blocks; one per (account, domain).
// Domains are compared case-insensitively.
type DomainBlocks interface {
	// Create inserts d (ErrConflict when it exists).
	Create(ctx context.Context, d *DomainBlock) error
	Delete(ctx context.Context, accountID ID, domain string) error
	// List pages through accountID's domain blocks (by ID).
	List(ctx context.Context, accountID ID, p Page) ([]*DomainBlock, error)
	// Domains lists every domain accountID blocks.
	Domains(ctx context.Context, accountID ID) ([]string, error)
	// Blocking reports whether accountID blocks domain.
	Blocking(ctx context.Context, accountID ID, domain string) (bool, error)
}

// AudienceQuery selects local accounts following AuthorID, for home feed
// fan-out and follower notifications.
type AudienceQuery struct {
	AuthorID ID
	// AuthorDomain is the author's domain ("" if local): followers blocking
	// it are dropped.
	AuthorDomain string
	// ShowingReblogs keeps only followers that show the author's boosts.
	ShowingReblogs bool
	// Notifying keeps only followers asking to be notified of new statuses.
	Notifying bool
	// AlsoFollowing, when set, keeps only followers that also follow this
	// account, and this account itself when it follows the author (replies
	// reach those who follow both sides, and the replied-to account).
	AlsoFollowing ID
	// Exclude drops followers that block, or have an unexpired mute of,
	// any of these accounts (always include AuthorID).
	Exclude []ID
}

// TagUse is a hashtag and how many statuses carry it.
type TagUse struct {
	Name string `db:"tag"`
	Uses int64  `db:"uses"`
}

// StatusSearch is a plain substring search of statuses.
type StatusSearch struct {
	// Query is matched case-insensitively against the status source text,
	// or its HTML content when there is no source.
	Query string
	// ViewerID's own statuses are searched, and the public statuses of
	// indexable accounts.
	ViewerID ID
	// AccountID, when set, restricts the search to one author.
	AccountID ID
}

// Queries holds read queries spanning several tables, used by the
// application core for fan-out and search.
type Queries interface {
	// Audience lists the local followers selected by q, ordered by ID.
	Audience(ctx context.Context, q AudienceQuery) ([]ID, error)
	// SearchTags finds hashtags in use starting with prefix
	// (case-insensitive), the exact match first, then the most used.
	SearchTags(ctx context.Context, prefix string, limit, offset int) ([]TagUse, error)
	// SearchStatuses finds statuses (not boosts) matching q, newest first.
	SearchStatuses(ctx context.Context, q StatusSearch, limit, offset int) ([]*Status, error)
}
