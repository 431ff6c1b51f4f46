package storage

import (
	"context"
	"time"
)

// Job is a piece of delayed work kept in the store, so that it runs after
// a restart and, of several processes sharing the store, in one of them
// at a time. Kind says what to do and Key on what (for example the local
// poll whose tallies are to be sent): there is at most one pending job per
// (Kind, Key), so that asking again for work already pending coalesces.
type Job struct {
	ID   ID     `db:"id"`
	Kind string `db:"kind"`
	Key  ID     `db:"key_id"`
	// DueAt is when the job is to run.
	DueAt time.Time `db:"due_at"`
	// Rev counts the Schedule calls the job stands for; Done compares it
	// to tell whether the job was asked for again while it ran.
	Rev int64 `db:"rev"`
	// Attempts counts the claims since the job was last scheduled afresh,
	// this claim included.
	Attempts int `db:"attempts"`
	// LockedUntil is when the lease of a claimed job ends (nil when it is
	// not claimed).
	LockedUntil *time.Time `db:"locked_until"`
	CreatedAt   time.Time  `db:"created_at"`
}

// Jobs is the durable store of delayed, coalescing jobs. A runner claims
// the due jobs of its kind with a lease, does them and marks them Done; a
// runner that dies loses its lease and the job is claimed again.
type Jobs interface {
	// Schedule asks for the job (kind, key) to run at due. When that job is
	// already pending it stays one job, due at the earlier time, and its
	// Rev grows (a job running meanwhile stays pending: see Done). kind
	// must not be empty (ErrInvalid).
	Schedule(ctx context.Context, kind string, key ID, due time.Time) error
	// Claim leases up to n jobs of kind that are due at now and not leased,
	// earliest due first, for lease, and counts an attempt on each.
	Claim(ctx context.Context, kind string, now time.Time, lease time.Duration, n int) ([]*Job, error)
	// Done ends the claimed job j. It is removed, unless it was scheduled
	// again since it was claimed (its Rev changed): then it stays, released
	// and due at again (its attempts reset), and Done reports true. Done
	// does nothing (and reports false) when j is no longer the latest claim
	// of the job: its lease lapsed and another runner claimed it.
	Done(ctx context.Context, j *Job, again time.Time) (bool, error)
	// Get returns the pending job (kind, key), or ErrNotFound.
	Get(ctx context.Context, kind string, key ID) (*Job, error)
}
