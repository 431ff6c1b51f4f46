package storage

import (
	"context"
	"time"
)

// Delivery is one outgoing activity awaiting POST to one inbox. The
// activity body is stored once however many inboxes it goes to.
type Delivery struct {
	ID            ID        `db:"id"`
	ActivityID    ID        `db:"activity_id"` // the stored activity (not its ActivityPub id)
	Inbox         string    `db:"inbox"`
	Host          string    `db:"host"`
	Attempts      int       `db:"attempts"` // attempts started so far, this claim included
	NextAttemptAt time.Time `db:"next_attempt_at"`
	LastError     string    `db:"last_error"`
	CreatedAt     time.Time `db:"created_at"`
	// Filled by Claim from the stored activity.
	ActivityURI string `db:"activity_uri"`
	SignerID    ID     `db:"signer_id"`
	Body        []byte `db:"body"`
}

// OutgoingActivity is an activity to deliver to a set of inboxes.
type OutgoingActivity struct {
	URI      string // ActivityPub id, for logs and deduplication
	SignerID ID     // the local account (or zero for the instance actor) whose key signs it
	Body     []byte // the JSON-LD document
	Inboxes  []string
}

// HostDepth is the number of deliveries pending for one host.
type HostDepth struct {
	Host    string `db:"host"`
	Pending int64  `db:"pending"`
}

// Deliveries is the durable queue of outgoing deliveries. Claimed
// deliveries are leased: a process that dies mid-delivery loses its lease
// and another process (or the same one after a restart) claims them again.
type Deliveries interface {
	// Enqueue stores the activity and one delivery per distinct inbox, due now.
	Enqueue(ctx context.Context, a *OutgoingActivity) error
	// Claim leases up to n deliveries due at now for lease, skipping the given
	// hosts, oldest due first, and counts an attempt on each.
	Claim(ctx context.Context, n int, now time.Time, lease time.Duration, skipHosts []string) ([]*Delivery, error)
	// Done removes a delivered delivery (and its activity when no other
	// delivery needs it).
	Done(ctx context.Context, id ID) error
	// Retry releases the lease and schedules the next attempt.
	Retry(ctx context.Context, id ID, at time.Time, lastErr string) error
	// Drop removes a delivery that will never succeed.
	Drop(ctx context.Context, id ID) error
	// DeferHost postpones every pending delivery to host until at least until.
	DeferHost(ctx context.Context, host string, until time.Time) error
	// DropHost removes every pending delivery to host and returns how many.
	DropHost(ctx context.Context, host string) (int64, error)
	// Depth lists pending deliveries per host, most first.
	Depth(ctx context.Context) ([]HostDepth, error)
	// NextDue returns the earliest next attempt time, or ErrNotFound when
	// the queue is empty.
	NextDue(ctx context.Context) (time.Time, error)
}
