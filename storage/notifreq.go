package storage

import (
	"context"
	"time"
)

// PolicyAction is what a notification policy does with the notifications
// of one kind of sender, as in Mastodon's NotificationPolicy.
type PolicyAction string

// Policy actions.
const (
	PolicyAccept PolicyAction = "accept" // notified as usual
	PolicyFilter PolicyAction = "filter" // kept aside in a notification request
	PolicyDrop   PolicyAction = "drop"   // not stored at all
)

// Valid reports whether a is one of the policy actions.
func (a PolicyAction) Valid() bool {
	return a == PolicyAccept || a == PolicyFilter || a == PolicyDrop
}

// NotificationPolicy is a user's filtering of notifications from strangers.
type NotificationPolicy struct {
	AccountID ID `db:"account_id"`
	// ForNotFollowing: senders the user does not follow.
	ForNotFollowing PolicyAction `db:"for_not_following"`
	// ForNotFollowers: senders that do not follow the user.
	ForNotFollowers PolicyAction `db:"for_not_followers"`
	// ForNewAccounts: senders whose account is less than 30 days old.
	ForNewAccounts PolicyAction `db:"for_new_accounts"`
	// ForPrivateMentions: direct mentions that do not reply to the user.
	ForPrivateMentions PolicyAction `db:"for_private_mentions"`
	// ForLimitedAccounts: senders limited by a moderator.
	ForLimitedAccounts PolicyAction `db:"for_limited_accounts"`
	UpdatedAt          time.Time    `db:"updated_at"`
}

// DefaultNotificationPolicy is the policy of a user who never set one (as
// on Mastodon: private mentions and limited accounts are filtered).
func DefaultNotificationPolicy(accountID ID) *NotificationPolicy {
	return &NotificationPolicy{
		AccountID:          accountID,
		ForNotFollowing:    PolicyAccept,
		ForNotFollowers:    PolicyAccept,
		ForNewAccounts:     PolicyAccept,
		ForPrivateMentions: PolicyFilter,
		ForLimitedAccounts: PolicyFilter,
	}
}

// NotificationRequest groups the filtered notifications FromAccountID sent
// AccountID; one per (AccountID, FromAccountID).
type NotificationRequest struct {
	ID            ID `db:"id"`
	AccountID     ID `db:"account_id"` // recipient
	FromAccountID ID `db:"from_account_id"`
	// LastStatusID is the status of the latest filtered notification that
	// had one (zero: none).
	LastStatusID ID        `db:"last_status_id"`
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
	// NotificationsCount is computed on read: the request's filtered
	// notifications.
	NotificationsCount int64 `db:"notifications_count"`
}

// NotificationRequests stores notification policies, filtered
// notifications grouped into requests, and the senders a user accepted.
type NotificationRequests interface {
	// Policy returns accountID's policy (DefaultNotificationPolicy when it
	// never set one).
	Policy(ctx context.Context, accountID ID) (*NotificationPolicy, error)
	// SetPolicy stores p (every action must be valid: ErrInvalid).
	SetPolicy(ctx context.Context, p *NotificationPolicy) error
	// File stores n as a filtered notification (n.Filtered is set) and
	// creates or updates the request of its recipient and sender.
	File(ctx context.Context, n *Notification) (*NotificationRequest, error)
	// Get returns accountID's request id, or ErrNotFound.
	Get(ctx context.Context, accountID, id ID) (*NotificationRequest, error)
	// List pages through accountID's requests by ID, newest first.
	List(ctx context.Context, accountID ID, p Page) ([]*NotificationRequest, error)
	// Accept moves the filtered notifications of request id to the
	// normal list, deletes the request and permits its sender (later
	// notifications from it are never filtered).
	Accept(ctx context.Context, accountID, id ID) error
	// Dismiss deletes request id and its filtered notifications.
	Dismiss(ctx context.Context, accountID, id ID) error
	// Permitted reports whether accountID accepted a request from
	// fromAccountID.
	Permitted(ctx context.Context, accountID, fromAccountID ID) (bool, error)
	// Summary counts accountID's pending requests and their filtered
	// notifications.
	Summary(ctx context.Context, accountID ID) (requests, notifications int64, err error)
}
