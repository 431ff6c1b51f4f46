package storage

import (
	"context"
	"time"
)

// TagDayUses counts the uses of one hashtag on one UTC day: the statuses
// carrying it and their distinct authors.
type TagDayUses struct {
	Tag string `db:"tag"`
	// Day is the number of whole days since the Unix epoch (UTC) of the
	// statuses' IDs (see ID.Time).
	Day int64 `db:"day"`
	// Domain is the authors' domain ("" for local accounts): uses are
	// counted per domain, so that the caller can leave out domains it
	// moderates (an account has one domain: Accounts add up across them).
	Domain   string `db:"domain"`
	Uses     int64  `db:"uses"`
	Accounts int64  `db:"accounts"`
}

// TagUsesQuery selects the hashtag uses TagUses counts.
type TagUsesQuery struct {
	// Since and Until bound the statuses by the time of their ID:
	// [Since, Until). Until zero means no upper bound.
	Since, Until time.Time
	// Tags restricts the count to these (stored, lower-case) names; empty
	// counts every hashtag.
	Tags []string
}

// ExtraHideCollections is the key of Account.Extra (a JSON boolean) set
// when the account hides its followers and following from everyone else.
const ExtraHideCollections = "hide_collections"

// Ranked is a record ID with the score that ranked it.
type Ranked struct {
	ID    ID    `db:"id"`
	Score int64 `db:"score"`
}

// ActivityCounts is what happened on the instance over a period.
type ActivityCounts struct {
	// Statuses counts the local statuses created (not boosts).
	Statuses int64
	// Logins counts the distinct local accounts recorded active
	// (RecordActivity) on the days of the period.
	Logins int64
	// Registrations counts the users created.
	Registrations int64
}

// Discovery answers the questions behind trends, instance activity and
// follow suggestions. Every query is bounded by an ID (time) range or by
// the asking account's own relations, so that none reads a whole table.
type Discovery interface {
	// TagUses counts, per hashtag and per UTC day, the uses of hashtags in
	// public statuses (not boosts) whose authors are neither silenced nor
	// suspended. Rows come in no particular order; days without uses are
	// absent.
	TagUses(ctx context.Context, q TagUsesQuery) ([]TagDayUses, error)

	// TrendingStatuses ranks the public statuses created since since (by
	// ID time) by favourites + boosts + replies, highest first (newest
	// first among equals), and returns at most limit with a score of at
	// least minScore. Left out: boosts, replies, sensitive statuses and
	// those with a content warning, and statuses whose authors are not
	// discoverable, or are silenced, suspended or marked sensitive.
	TrendingStatuses(ctx context.Context, since time.Time, minScore int64, limit int) ([]Ranked, error)

	// RecordActivity records that accountID used the instance on the UTC
	// day of at. Recording the same day again is a no-op.
	RecordActivity(ctx context.Context, accountID ID, at time.Time) error
	// Activity counts what happened in [since, until).
	Activity(ctx context.Context, since, until time.Time) (ActivityCounts, error)

	// FriendsOfFriends ranks the accounts followed by the accounts
	// accountID follows by how many of those follow them (Score), highest
	// first. MostFollowed ranks local accounts by followers. Both leave out
	// accountID itself and the accounts it follows, has asked to follow,
	// blocks, mutes, dismissed (DismissSuggestion), is blocked by or whose
	// domain it blocks, and accounts that are not discoverable, suspended,
	// silenced or moved; they return at most limit. FriendsOfFriends does
	// not go through the follows of accounts that hide their collections
	// (Extra[ExtraHideCollections] is true): suggesting whom they follow
	// would reveal it.
	FriendsOfFriends(ctx context.Context, accountID ID, limit int) ([]Ranked, error)
	MostFollowed(ctx context.Context, accountID ID, limit int) ([]Ranked, error)
	// DismissSuggestion stops suggesting targetID to accountID. Dismissing
	// twice is a no-op.
	DismissSuggestion(ctx context.Context, accountID, targetID ID) error

	// Directory returns the IDs of the accounts of the profile directory,
	// in q's order: discoverable accounts that are neither suspended,
	// silenced nor moved, and whose user (for local accounts that have
	// one) is approved.
	Directory(ctx context.Context, q DirectoryQuery) ([]ID, error)
}

// DirectStatuses indexes the direct statuses of each account.
type DirectStatuses interface {
	// Page pages through the IDs of the direct statuses accountID wrote or
	// is mentioned in, newest first, with the Page semantics.
	Page(ctx context.Context, accountID ID, p Page) ([]ID, error)
}

// DirectoryQuery selects a page of the profile directory.
type DirectoryQuery struct {
	// Viewer, when not zero, leaves out the accounts it blocks, mutes or is
	// blocked by, and (unless Local) those of the domains it blocks.
	Viewer ID
	// Local selects local accounts only.
	Local bool
	// New orders by creation, newest first; otherwise by the time of the
	// latest status, most recent first (accounts that never posted last).
	New bool
	// Offset skips that many accounts; Limit bounds the page (default
	// DefaultLimit).
	Offset, Limit int
}
