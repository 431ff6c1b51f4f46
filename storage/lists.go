package storage

import (
	"context"
	"time"
)

// RepliesPolicy says which replies by a list's members reach the list's
// timeline, as Mastodon's List.replies_policy.
type RepliesPolicy string

// The replies policies. Whatever the policy, replies to the list's owner
// are shown, and self-replies are not replies for this purpose.
const (
	// RepliesFollowed shows replies to any account the owner follows.
	RepliesFollowed RepliesPolicy = "followed"
	// RepliesList shows replies to members of the list (the default).
	RepliesList RepliesPolicy = "list"
	// RepliesNone shows no replies to others.
	RepliesNone RepliesPolicy = "none"
)

// Valid reports whether p is one of the known policies.
func (p RepliesPolicy) Valid() bool {
	switch p {
	case RepliesFollowed, RepliesList, RepliesNone:
		return true
	}
	return false
}

// List is a user's list of accounts, with a timeline of its own (the
// FeedList feed whose owner is the list's ID).
type List struct {
	ID ID `db:"id"`
	// AccountID is the list's owner, a local account.
	AccountID     ID            `db:"account_id"`
	Title         string        `db:"title"`
	RepliesPolicy RepliesPolicy `db:"replies_policy"`
	// Exclusive lists keep their members' posts out of the owner's home
	// timeline.
	Exclusive bool      `db:"exclusive"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// ListFeed is the materialised timeline of a list.
func ListFeed(listID ID) Feed { return Feed{Kind: FeedList, Owner: listID} }

// ListMembership is one list that holds a given account, with what
// fan-out needs to know of the list.
type ListMembership struct {
	ListID        ID            `db:"list_id"`
	OwnerID       ID            `db:"owner_id"`
	RepliesPolicy RepliesPolicy `db:"replies_policy"`
	Exclusive     bool          `db:"exclusive"`
}

// Limits of a page of list members, as Mastodon's.
const (
	DefaultListMembers = 40
	MaxListMembers     = 80
)

// Lists stores users' lists and their members (list_id, account_id pairs,
// each account at most once per list). Deleting an account deletes its
// lists and its memberships; deleting a follow (Follows.Delete) removes the
// followed account from the follower's lists, as Mastodon does.
type Lists interface {
	// Create inserts l. It assigns l.ID when zero, sets the timestamps when
	// zero and defaults RepliesPolicy to RepliesList. An empty title or an
	// unknown policy gives ErrInvalid.
	Create(ctx context.Context, l *List) error
	Get(ctx context.Context, id ID) (*List, error)
	// Update writes Title, RepliesPolicy and Exclusive and sets UpdatedAt.
	Update(ctx context.Context, l *List) error
	// Delete removes the list, its members and its feed.
	Delete(ctx context.Context, id ID) error
	// ByAccount lists the lists owned by ownerID, oldest first.
	ByAccount(ctx context.Context, ownerID ID) ([]*List, error)
	// Containing lists the lists owned by ownerID that hold accountID,
	// oldest first.
	Containing(ctx context.Context, ownerID, accountID ID) ([]*List, error)

	// AddMembers adds accounts to a list; those already in it are left
	// as they are. An unknown list or account gives ErrNotFound.
	AddMembers(ctx context.Context, listID ID, accountIDs []ID) error
	// RemoveMembers removes accounts from a list, with their entries in
	// the list's feed. Accounts not in the list are ignored.
	RemoveMembers(ctx context.Context, listID ID, accountIDs []ID) error
	// Members pages through the account IDs of a list's members, by
	// account ID (newest first); p.Limit is clamped to 1..MaxListMembers
	// (DefaultListMembers when unset).
	Members(ctx context.Context, listID ID, p Page) ([]ID, error)
	// MemberIDs lists every member of a list, by account ID.
	MemberIDs(ctx context.Context, listID ID) ([]ID, error)
	// Memberships lists every list, whoever owns it, that holds accountID:
	// the lists a status by accountID fans out to.
	Memberships(ctx context.Context, accountID ID) ([]ListMembership, error)
}
