package storage

import (
	"context"
	"database/sql/driver"
	"time"
)

// PollOption is one choice of a poll and how many votes it has.
type PollOption struct {
	Title      string `json:"title"`
	VotesCount int64  `json:"votes_count"`
}

// PollOptions is the list of choices of a poll, stored as a JSON array.
type PollOptions []PollOption

// Value implements driver.Valuer.
func (o PollOptions) Value() (driver.Value, error) {
	if o == nil {
		o = PollOptions{}
	}
	return jsonValue(o)
}

// Scan implements sql.Scanner.
func (o *PollOptions) Scan(src any) error { return jsonScan(src, o) }

// Titles lists the titles of the options, in order.
func (o PollOptions) Titles() []string {
	out := make([]string, len(o))
	for i, op := range o {
		out[i] = op.Title
	}
	return out
}

// Poll is the poll attached to a status (Status.PollID names it). For
// local polls the counts follow the votes recorded here; for remote polls
// they are the tallies the author's server publishes, plus the local votes
// counted since.
type Poll struct {
	ID        ID          `db:"id"`
	StatusID  ID          `db:"status_id"`
	AccountID ID          `db:"account_id"` // the author of the status
	Options   PollOptions `db:"options"`
	Multiple  bool        `db:"multiple"`
	// HideTotals hides the counts from everyone but the author until the
	// poll has ended.
	HideTotals bool `db:"hide_totals"`
	// ExpiresAt is when the poll ends; nil for a remote poll without end.
	ExpiresAt *time.Time `db:"expires_at"`
	// ClosedAt is set once the end of the poll was processed (see
	// Polls.Close), or when a remote poll is known to be closed.
	ClosedAt    *time.Time `db:"closed_at"`
	VotesCount  int64      `db:"votes_count"`
	VotersCount int64      `db:"voters_count"`
	// LastFetchedAt is when a remote poll's tallies were last received.
	LastFetchedAt *time.Time `db:"last_fetched_at"`
	CreatedAt     time.Time  `db:"created_at"`
	UpdatedAt     time.Time  `db:"updated_at"`
}

// Expired reports whether the poll has ended at now: closed, or past its
// expiry.
func (p *Poll) Expired(now time.Time) bool {
	if p == nil {
		return false
	}
	return p.ClosedAt != nil || (p.ExpiresAt != nil && !p.ExpiresAt.After(now))
}

// PollVote is one choice of one account in a poll; a vote on a
// multiple-choice poll is several PollVotes.
type PollVote struct {
	ID        ID        `db:"id"`
	PollID    ID        `db:"poll_id"`
	AccountID ID        `db:"account_id"`
	Choice    int       `db:"choice"` // index into Poll.Options
	URI       string    `db:"uri"`    // id of a remote vote's Note, or of a local vote sent to a remote poll
	CreatedAt time.Time `db:"created_at"`
}

// Polls stores polls and their votes. A status has at most one poll; an
// account votes for each choice of a poll at most once.
type Polls interface {
	// Create inserts p. It assigns p.ID when zero and sets CreatedAt and
	// UpdatedAt when zero. StatusID and AccountID are required, and the
	// status must exist.
	Create(ctx context.Context, p *Poll) error
	Get(ctx context.Context, id ID) (*Poll, error)
	// GetMany returns the polls with the given IDs that exist, in no
	// particular order.
	GetMany(ctx context.Context, ids []ID) ([]*Poll, error)
	// Update writes the options (titles and counts), Multiple, HideTotals,
	// ExpiresAt, ClosedAt, VotesCount, VotersCount and LastFetchedAt, and
	// sets UpdatedAt.
	Update(ctx context.Context, p *Poll) error
	// Delete removes a poll and its votes.
	Delete(ctx context.Context, id ID) error
	// Vote records the choices of accountID atomically and updates the
	// counts: each chosen option and VotesCount grow by one per choice,
	// VotersCount by one when the account had not voted yet. It fails with
	// ErrConflict, recording nothing, when the account already chose one
	// of these options, or already voted on a poll that is not Multiple;
	// with ErrInvalid when a choice is not an option. PollID and AccountID
	// of the votes are set from the arguments; IDs and CreatedAt when zero.
	// It returns the updated poll.
	Vote(ctx context.Context, pollID, accountID ID, votes []*PollVote) (*Poll, error)
	// Votes lists every vote of a poll, oldest first.
	Votes(ctx context.Context, pollID ID) ([]*PollVote, error)
	// DeleteVotes removes every vote of a poll (the counts are the
	// caller's: see Update).
	DeleteVotes(ctx context.Context, pollID ID) error
	// OwnVotes tells, for each of pollIDs, which choices accountID made
	// (in increasing order). Polls the account did not vote on are absent.
	OwnVotes(ctx context.Context, accountID ID, pollIDs []ID) (map[ID][]int, error)
	// ListDue lists up to limit polls that are not closed and expire at or
	// before now, soonest first.
	ListDue(ctx context.Context, now time.Time, limit int) ([]*Poll, error)
	// Close sets ClosedAt to at if the poll is not closed yet, and reports
	// whether it did: of several processes closing one poll, one wins.
	Close(ctx context.Context, id ID, at time.Time) (bool, error)
}
