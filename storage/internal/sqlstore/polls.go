package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/herd-social/herd/storage"
)

// Polls implements storage.Store.
func (s *Store) Polls() storage.Polls { return polls{s} }

type polls struct{ s *Store }

var (
	pollCols     = selectList(&storage.Poll{}, "")
	pollVoteCols = selectList(&storage.PollVote{}, "")
	// pollUpdateCols are the columns Update writes.
	pollUpdateCols = []string{"options", "multiple", "hide_totals", "expires_at", "closed_at", "votes_count",
		"voters_count", "last_fetched_at", "updated_at"}
)

// maxPollList bounds the listing of ListDue.
const maxPollList = 1000

func normPoll(p *storage.Poll) {
	p.ExpiresAt, p.ClosedAt, p.LastFetchedAt = normp(p.ExpiresAt), normp(p.ClosedAt), normp(p.LastFetchedAt)
	if p.Options == nil {
		p.Options = storage.PollOptions{}
	}
}

func (r polls) Create(ctx context.Context, p *storage.Poll) error {
	if p.StatusID == 0 || p.AccountID == 0 {
		return fmt.Errorf("create poll: status and account are required: %w", storage.ErrInvalid)
	}
	r.s.stampNew(&p.ID, &p.CreatedAt, &p.UpdatedAt)
	normPoll(p)
	return r.s.wrap(r.s.insert(ctx, "polls", p), "create poll %s", p.ID)
}

func (r polls) Get(ctx context.Context, id storage.ID) (*storage.Poll, error) {
	var p storage.Poll
	if err := r.s.get(ctx, &p, "SELECT "+pollCols+" FROM polls WHERE id = ?", id); err != nil {
		return nil, r.s.wrap(err, "get poll %s", id)
	}
	return &p, nil
}

func (r polls) GetMany(ctx context.Context, ids []storage.ID) ([]*storage.Poll, error) {
	out := []*storage.Poll{}
	if len(ids) == 0 {
		return out, nil
	}
	err := r.s.sel(ctx, &out, "SELECT "+pollCols+" FROM polls WHERE id IN (?)", ids)
	return out, r.s.wrap(err, "get %d polls", len(ids))
}

func (r polls) Update(ctx context.Context, p *storage.Poll) error {
	p.UpdatedAt = r.s.now()
	normPoll(p)
	return r.s.wrap(r.s.update(ctx, "polls", "id", p, pollUpdateCols), "update poll %s", p.ID)
}

func (r polls) Delete(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		if _, err := ts.exec(ctx, "DELETE FROM poll_votes WHERE poll_id = ?", id); err != nil {
			return err
		}
		return ts.execAffected(ctx, "DELETE FROM polls WHERE id = ?", id)
	}), "delete poll %s", id)
}

func (r polls) Vote(ctx context.Context, pollID, accountID storage.ID, votes []*storage.PollVote) (*storage.Poll, error) {
	if accountID == 0 || len(votes) == 0 {
		return nil, fmt.Errorf("vote in poll %s: an account and a choice are required: %w", pollID, storage.ErrInvalid)
	}
	var out *storage.Poll
	err := r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		// Lock the poll row (PostgreSQL; SQLite has one writer): the
		// counts are read, changed and written back.
		q := "SELECT " + pollCols + " FROM polls WHERE id = ?"
		if ts.cfg.Dialect == Postgres {
			q += " FOR UPDATE"
		}
		var p storage.Poll
		if err := ts.get(ctx, &p, q, pollID); err != nil {
			return ts.wrap(err, "vote in poll %s", pollID)
		}
		var prior []int
		if err := ts.sel(ctx, &prior, "SELECT choice FROM poll_votes WHERE poll_id = ? AND account_id = ?", pollID, accountID); err != nil {
			return ts.wrap(err, "vote in poll %s", pollID)
		}
		if len(prior) > 0 && !p.Multiple {
			return fmt.Errorf("vote in poll %s: account %s already voted: %w", pollID, accountID, storage.ErrConflict)
		}
		seen := map[int]bool{}
		for _, c := range prior {
			seen[c] = true
		}
		now := ts.now()
		for _, v := range votes {
			if v.Choice < 0 || v.Choice >= len(p.Options) {
				return fmt.Errorf("vote in poll %s: choice %d: %w", pollID, v.Choice, storage.ErrInvalid)
			}
			if seen[v.Choice] {
				return fmt.Errorf("vote in poll %s: account %s already chose %d: %w", pollID, accountID, v.Choice, storage.ErrConflict)
			}
			seen[v.Choice] = true
			v.PollID, v.AccountID = pollID, accountID
			if v.ID == 0 {
				v.ID = ts.NewID()
			}
			if v.CreatedAt.IsZero() {
				v.CreatedAt = now
			}
			v.CreatedAt = norm(v.CreatedAt)
			if err := ts.insert(ctx, "poll_votes", v); err != nil {
				return ts.wrap(err, "vote in poll %s", pollID)
			}
			p.Options[v.Choice].VotesCount++
			p.VotesCount++
		}
		if len(prior) == 0 {
			p.VotersCount++
		}
		p.UpdatedAt = now
		if err := ts.update(ctx, "polls", "id", &p, []string{"options", "votes_count", "voters_count", "updated_at"}); err != nil {
			return ts.wrap(err, "vote in poll %s", pollID)
		}
		out = &p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (r polls) Votes(ctx context.Context, pollID storage.ID) ([]*storage.PollVote, error) {
	out := []*storage.PollVote{}
	err := r.s.sel(ctx, &out, "SELECT "+pollVoteCols+" FROM poll_votes WHERE poll_id = ? ORDER BY id", pollID)
	return out, r.s.wrap(err, "votes of poll %s", pollID)
}

func (r polls) DeleteVotes(ctx context.Context, pollID storage.ID) error {
	_, err := r.s.exec(ctx, "DELETE FROM poll_votes WHERE poll_id = ?", pollID)
	return r.s.wrap(err, "delete votes of poll %s", pollID)
}

func (r polls) OwnVotes(ctx context.Context, accountID storage.ID, pollIDs []storage.ID) (map[storage.ID][]int, error) {
	out := map[storage.ID][]int{}
	if accountID == 0 || len(pollIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		PollID storage.ID `db:"poll_id"`
		Choice int        `db:"choice"`
	}
	err := r.s.sel(ctx, &rows, "SELECT poll_id, choice FROM poll_votes WHERE account_id = ? AND poll_id IN (?)", accountID, pollIDs)
	if err != nil {
		return nil, r.s.wrap(err, "votes of account %s", accountID)
	}
	for _, row := range rows {
		out[row.PollID] = append(out[row.PollID], row.Choice)
	}
	for _, cs := range out {
		slices.Sort(cs)
	}
	return out, nil
}

func (r polls) ListDue(ctx context.Context, now time.Time, limit int) ([]*storage.Poll, error) {
	if limit <= 0 || limit > maxPollList {
		limit = maxPollList
	}
	out := []*storage.Poll{}
	err := r.s.sel(ctx, &out, "SELECT "+pollCols+" FROM polls WHERE closed_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at, id LIMIT ?",
		norm(now), limit)
	return out, r.s.wrap(err, "list due polls")
}

func (r polls) Close(ctx context.Context, id storage.ID, at time.Time) (bool, error) {
	res, err := r.s.exec(ctx, "UPDATE polls SET closed_at = ?, updated_at = ? WHERE id = ? AND closed_at IS NULL", norm(at), r.s.now(), id)
	if err != nil {
		return false, r.s.wrap(err, "close poll %s", id)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, r.s.wrap(err, "close poll %s", id)
	}
	if n == 0 {
		if _, err := r.Get(ctx, id); err != nil {
			return false, err
		}
	}
	return n == 1, nil
}
