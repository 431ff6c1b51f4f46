package social

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/herd-social/herd/storage"
)

// Default poll limits, as on Mastodon.
const (
	DefaultMaxPollOptions     = 4
	DefaultMaxPollOptionChars = 50
	DefaultMinPollExpiration  = 5 * time.Minute
	DefaultMaxPollExpiration  = 2629746 * time.Second // a month
	// DefaultPollExpiryInterval is how often RunPollExpiry looks for polls
	// that have ended.
	DefaultPollExpiryInterval = 15 * time.Second
)

// Event types of polls.
const (
	// EventPollVoted: Actor voted (local or remote) in Poll of Status;
	// Votes are the new votes, Target the poll's author.
	EventPollVoted EventType = "poll.voted"
	// EventPollEnded: the Poll of Status (whose author is Actor, local or
	// remote) has ended; its voters were notified.
	EventPollEnded EventType = "poll.ended"
)

// PollInput is the poll of a new or edited status.
type PollInput struct {
	// Options are the choices, in order.
	Options []string
	// ExpiresIn is how long the poll stays open.
	ExpiresIn time.Duration
	// Multiple allows choosing several options.
	Multiple bool
	// HideTotals hides the counts until the poll has ended.
	HideTotals bool
}

// PollLimits are the bounds polls must keep (advertised in the instance
// configuration).
type PollLimits struct {
	MaxOptions     int
	MaxOptionChars int
	MinExpiration  time.Duration
	MaxExpiration  time.Duration
}

// PollLimits returns the effective poll limits.
func (s *Service) PollLimits() PollLimits {
	return PollLimits{MaxOptions: s.opts.MaxPollOptions, MaxOptionChars: s.opts.MaxPollOptionChars,
		MinExpiration: s.opts.MinPollExpiration, MaxExpiration: s.opts.MaxPollExpiration}
}

// Messages of vote errors, as Mastodon words them (they carry no field).
const (
	msgPollEnded     = "The poll has already ended"
	msgAlreadyVoted  = "You have already voted on this poll"
	msgSelfVote      = "You cannot vote in your own polls"
	msgInvalidChoice = "The chosen vote option does not exist"
)

// validatePoll checks a poll against the limits, as Mastodon's
// PollValidator does.
func (s *Service) validatePoll(in *PollInput, media []storage.ID) error {
	if in == nil {
		return nil
	}
	l := s.PollLimits()
	if len(media) > 0 {
		return invalid("media_ids", "cannot be attached to a post with a poll")
	}
	if len(in.Options) < 2 {
		return invalid("poll_options", "must have more than one item")
	}
	if len(in.Options) > l.MaxOptions {
		return invalid("poll_options", "can't contain more than %d items", l.MaxOptions)
	}
	seen := map[string]bool{}
	for _, o := range in.Options {
		t := strings.TrimSpace(o)
		if t == "" {
			return invalid("poll_options", "can't be blank")
		}
		if graphemes(o) > l.MaxOptionChars {
			return invalid("poll_options", "cannot be longer than %d characters each", l.MaxOptionChars)
		}
		if seen[t] {
			return invalid("poll_options", "contain duplicate items")
		}
		seen[t] = true
	}
	if in.ExpiresIn < l.MinExpiration {
		return invalid("poll_expires_at", "is too soon")
	}
	if in.ExpiresIn > l.MaxExpiration {
		return invalid("poll_expires_at", "is too far into the future")
	}
	return nil
}

// newPoll builds the record of a validated poll input for status st.
func (s *Service) newPoll(id storage.ID, st *storage.Status, in *PollInput, now time.Time) *storage.Poll {
	exp := now.Add(in.ExpiresIn)
	p := &storage.Poll{ID: id, StatusID: st.ID, AccountID: st.AccountID, Multiple: in.Multiple, HideTotals: in.HideTotals,
		ExpiresAt: &exp, Options: make(storage.PollOptions, len(in.Options)), CreatedAt: now, UpdatedAt: now}
	for i, o := range in.Options {
		p.Options[i] = storage.PollOption{Title: o}
	}
	return p
}

// sameChoices reports whether the poll input keeps the options and the
// kind of the poll p (votes then stay valid).
func sameChoices(p *storage.Poll, in *PollInput) bool {
	return p != nil && in != nil && p.Multiple == in.Multiple && slices.Equal(p.Options.Titles(), in.Options)
}

// editPoll applies the poll of an edit to st (in a transaction): a new
// poll is created, a changed one updated (its votes removed when its
// options or kind change, as on Mastodon; its end moved to ExpiresIn from
// now), and a poll left out of the edit deleted. It sets st.PollID.
func (s *Service) editPoll(ctx context.Context, tx storage.Store, st *storage.Status, cur *storage.Poll, in *PollInput, now time.Time) error {
	switch {
	case in == nil && cur == nil:
		return nil
	case in == nil:
		if err := tx.Polls().Delete(ctx, cur.ID); err != nil {
			return fmt.Errorf("delete poll: %w", err)
		}
		st.PollID = 0
		return nil
	case cur == nil:
		p := s.newPoll(tx.NewID(), st, in, now)
		if err := tx.Polls().Create(ctx, p); err != nil {
			return fmt.Errorf("create poll: %w", err)
		}
		st.PollID = p.ID
		return nil
	}
	exp := now.Add(in.ExpiresIn)
	if !sameChoices(cur, in) {
		if err := tx.Polls().DeleteVotes(ctx, cur.ID); err != nil {
			return fmt.Errorf("reset votes: %w", err)
		}
		cur.Options = make(storage.PollOptions, len(in.Options))
		for i, o := range in.Options {
			cur.Options[i] = storage.PollOption{Title: o}
		}
		cur.VotesCount, cur.VotersCount = 0, 0
	}
	cur.Multiple, cur.HideTotals, cur.ExpiresAt, cur.ClosedAt = in.Multiple, in.HideTotals, &exp, nil
	if err := tx.Polls().Update(ctx, cur); err != nil {
		return fmt.Errorf("update poll: %w", err)
	}
	st.PollID = cur.ID
	return nil
}

// loadPoll returns the poll of st, nil when it has none (or it is gone).
func loadPoll(ctx context.Context, tx storage.Store, st *storage.Status) (*storage.Poll, error) {
	if st.PollID == 0 {
		return nil, nil
	}
	p, err := tx.Polls().Get(ctx, st.PollID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load poll %s: %w", st.PollID, err)
	}
	return p, nil
}

// snapshotOf is snapshot with the titles of the status's poll.
func snapshotOf(ctx context.Context, tx storage.Store, st *storage.Status, at time.Time) (*storage.StatusEdit, error) {
	e := snapshot(st, at)
	p, err := loadPoll(ctx, tx, st)
	if err != nil {
		return nil, err
	}
	if p != nil {
		e.PollOptions = p.Options.Titles()
	}
	return e, nil
}

// GetPoll returns a poll and its status, if the viewer (nil: anonymous)
// may see the status.
func (s *Service) GetPoll(ctx context.Context, viewer *storage.Account, id storage.ID) (*storage.Poll, *storage.Status, error) {
	p, err := s.store.Polls().Get(ctx, id)
	if err != nil {
		return nil, nil, notFound(err, "poll %s", id)
	}
	st, err := s.visibleStatus(ctx, s.store, viewerID(viewer), p.StatusID)
	if err != nil {
		return nil, nil, fmt.Errorf("poll %s: %w", id, err)
	}
	return p, st, nil
}

// Vote records the choices (indexes into the options) of a local account
// in a poll of a status it may see, and returns the updated poll. A vote
// on a remote poll is counted here at once and sent to the poll's server
// (through EventPollVoted). It fails with a *ValidationError when the poll
// has ended, the voter wrote it or already voted, or a choice is not an
// option (or several are given for a single-choice poll).
func (s *Service) Vote(ctx context.Context, voter *storage.Account, pollID storage.ID, choices []int) (*storage.Poll, error) {
	if err := requireLocal(voter); err != nil {
		return nil, err
	}
	var out *storage.Poll
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		p, err := tx.Polls().Get(ctx, pollID)
		if err != nil {
			return notFound(err, "poll %s", pollID)
		}
		st, err := s.visibleStatus(ctx, tx, voter.ID, p.StatusID)
		if err != nil {
			return err
		}
		if p.Expired(s.now()) {
			return invalid("", msgPollEnded)
		}
		if p.AccountID == voter.ID {
			return invalid("", msgSelfVote)
		}
		if len(choices) == 0 {
			return invalid("", msgInvalidChoice)
		}
		uniq := []int{}
		for _, c := range choices {
			if c < 0 || c >= len(p.Options) {
				return invalid("", msgInvalidChoice)
			}
			if !slices.Contains(uniq, c) {
				uniq = append(uniq, c)
			}
		}
		if len(uniq) > 1 && !p.Multiple {
			return invalid("", msgAlreadyVoted)
		}
		own, err := tx.Polls().OwnVotes(ctx, voter.ID, []storage.ID{p.ID})
		if err != nil {
			return fmt.Errorf("load votes: %w", err)
		}
		if len(own[p.ID]) > 0 {
			return invalid("", msgAlreadyVoted)
		}
		author, err := tx.Accounts().Get(ctx, p.AccountID)
		if err != nil {
			return notFound(err, "poll author %s", p.AccountID)
		}
		votes := make([]*storage.PollVote, len(uniq))
		for i, c := range uniq {
			v := &storage.PollVote{ID: tx.NewID(), Choice: c}
			if !author.Local() {
				// The id of the Note that carries the vote.
				v.URI = voter.URI + "#votes/" + v.ID.String()
			}
			votes[i] = v
		}
		np, err := tx.Polls().Vote(ctx, p.ID, voter.ID, votes)
		if errors.Is(err, storage.ErrConflict) {
			return invalid("", msgAlreadyVoted)
		}
		if err != nil {
			return fmt.Errorf("vote: %w", err)
		}
		ev.add(Event{Type: EventPollVoted, Actor: voter, Target: author, Status: st, Poll: np, Votes: votes})
		out = np
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("vote in poll %s: %w", pollID, err)
	}
	return out, nil
}

// ReceiveVote counts the vote of a remote account in a local poll: the
// option titled choice of the poll of status statusID (uri is the id of
// the Note that carried it). A vote on an ended poll, for an unknown
// option, or repeated is ignored (nil, nil).
func (s *Service) ReceiveVote(ctx context.Context, voter *storage.Account, statusID storage.ID, choice, uri string) (*storage.Poll, error) {
	if voter == nil || voter.Local() {
		return nil, fmt.Errorf("receive vote: not a remote account: %w", ErrForbidden)
	}
	var out *storage.Poll
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		st, err := s.visibleStatus(ctx, tx, voter.ID, statusID)
		if err != nil {
			return err
		}
		p, err := loadPoll(ctx, tx, st)
		if err != nil || p == nil || !st.Local || p.Expired(s.now()) || p.AccountID == voter.ID {
			return err
		}
		idx := slices.Index(p.Options.Titles(), choice)
		if idx < 0 {
			return nil
		}
		author, err := tx.Accounts().Get(ctx, p.AccountID)
		if err != nil {
			return notFound(err, "poll author %s", p.AccountID)
		}
		votes := []*storage.PollVote{{Choice: idx, URI: uri}}
		np, err := tx.Polls().Vote(ctx, p.ID, voter.ID, votes)
		if errors.Is(err, storage.ErrConflict) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("vote: %w", err)
		}
		ev.add(Event{Type: EventPollVoted, Actor: voter, Target: author, Status: st, Poll: np, Votes: votes})
		out = np
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("receive vote on %s: %w", statusID, err)
	}
	return out, nil
}

// ClosePolls processes the polls that have ended by now (local ones and
// remote ones local accounts voted in): each is closed once, whatever the
// number of processes sharing the store, and its local author and local
// voters get a "poll" notification; EventPollEnded is published for it.
// It returns how many polls it closed.
func (s *Service) ClosePolls(ctx context.Context) (int, error) {
	n := 0
	for {
		due, err := s.store.Polls().ListDue(ctx, s.now(), 100)
		if err != nil {
			return n, fmt.Errorf("close polls: %w", err)
		}
		for _, p := range due {
			closed, err := s.closePoll(ctx, p)
			if err != nil {
				return n, err
			}
			if closed {
				n++
			}
		}
		if len(due) < 100 {
			return n, nil
		}
	}
}

func (s *Service) closePoll(ctx context.Context, p *storage.Poll) (bool, error) {
	won := false
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		at := s.now()
		if p.ExpiresAt != nil && p.ExpiresAt.Before(at) {
			at = *p.ExpiresAt
		}
		ok, err := tx.Polls().Close(ctx, p.ID, at)
		if err != nil || !ok {
			return ignoreNotFound(err)
		}
		won = true
		p.ClosedAt = &at
		st, err := tx.Statuses().Get(ctx, p.StatusID)
		if err != nil {
			return ignoreNotFound(err)
		}
		author, err := tx.Accounts().Get(ctx, p.AccountID)
		if err != nil {
			return ignoreNotFound(err)
		}
		if author.Local() {
			// The author is told too, by itself, as on Mastodon.
			n := &storage.Notification{AccountID: author.ID, FromAccountID: author.ID, Type: storage.NotifyPoll,
				StatusID: st.ID, CreatedAt: s.now()}
			if err := tx.Notifications().Create(ctx, n); err != nil {
				return fmt.Errorf("create poll notification: %w", err)
			}
			ev.add(Event{Type: EventNotificationCreated, Actor: author, Target: author, Notification: n, Status: st})
		}
		votes, err := tx.Polls().Votes(ctx, p.ID)
		if err != nil {
			return fmt.Errorf("load votes: %w", err)
		}
		var voterIDs []storage.ID
		for _, v := range votes {
			voterIDs = append(voterIDs, v.AccountID)
		}
		voters, err := tx.Accounts().GetMany(ctx, uniqueIDs(voterIDs))
		if err != nil {
			return fmt.Errorf("load voters: %w", err)
		}
		for _, v := range voters {
			if err := s.notify(ctx, tx, ev, v, author, storage.NotifyPoll, st); err != nil {
				return err
			}
		}
		ev.add(Event{Type: EventPollEnded, Actor: author, Status: st, Poll: p})
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("close poll %s: %w", p.ID, err)
	}
	return won, nil
}

// RunPollExpiry calls ClosePolls every interval (DefaultPollExpiryInterval
// when not positive) until ctx is done, and returns ctx's error. report
// (may be nil) receives the outcome of each round that closed polls or
// failed; failures are retried at the next tick.
func (s *Service) RunPollExpiry(ctx context.Context, interval time.Duration, report func(closed int, err error)) error {
	if interval <= 0 {
		interval = DefaultPollExpiryInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.ClosePolls(ctx)
		if report != nil && (n > 0 || err != nil) && ctx.Err() == nil {
			report(n, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// applyRemotePoll brings the poll of a remote status in line with in (the
// poll of its Question as the author's server publishes it; nil when it
// has none), within tx: a new poll is created, a poll with the same
// options takes the published tallies, end and closing, a poll whose
// options changed is replaced (its votes removed) and a poll gone from
// the post is deleted. It sets st.PollID (the caller writes st) and
// reports whether the options changed (an edit).
func (s *Service) applyRemotePoll(ctx context.Context, tx storage.Store, st *storage.Status, in *storage.Poll) (bool, error) {
	cur, err := loadPoll(ctx, tx, st)
	if err != nil {
		return false, err
	}
	now := s.now()
	switch {
	case in == nil && cur == nil:
		return false, nil
	case in == nil:
		if err := tx.Polls().Delete(ctx, cur.ID); err != nil {
			return false, fmt.Errorf("delete poll: %w", err)
		}
		st.PollID = 0
		return true, nil
	case cur == nil:
		p := *in
		p.ID, p.StatusID, p.AccountID, p.LastFetchedAt = tx.NewID(), st.ID, st.AccountID, &now
		// ClosedAt means "its end was processed": a poll that ended before
		// it arrived has no local voter to tell.
		p.ExpiresAt, p.ClosedAt = endOf(in), nil
		if p.Expired(now) {
			p.ClosedAt = &now
		}
		if err := tx.Polls().Create(ctx, &p); err != nil {
			return false, fmt.Errorf("create poll: %w", err)
		}
		st.PollID = p.ID
		return true, nil
	}
	changed := cur.Multiple != in.Multiple || !slices.Equal(cur.Options.Titles(), in.Options.Titles())
	if changed {
		if err := tx.Polls().DeleteVotes(ctx, cur.ID); err != nil {
			return false, fmt.Errorf("reset votes: %w", err)
		}
	}
	cur.Options, cur.Multiple, cur.ExpiresAt = in.Options, in.Multiple, endOf(in)
	if changed && (cur.ExpiresAt == nil || cur.ExpiresAt.After(now)) {
		// A new poll (its votes were reset) opens again. A poll whose end
		// was processed is never reopened by tallies alone: a peer could
		// otherwise close it again and again, notifying the voters each time.
		cur.ClosedAt = nil
	}
	cur.VotesCount, cur.VotersCount, cur.LastFetchedAt = in.VotesCount, in.VotersCount, &now
	if err := tx.Polls().Update(ctx, cur); err != nil {
		return false, fmt.Errorf("update poll: %w", err)
	}
	st.PollID = cur.ID
	return changed, nil
}

// endOf is when a remote poll ends: its end time, or the time it was
// closed when that is earlier. The closing itself is processed by
// ClosePolls (which notifies the local voters) once that time has passed.
func endOf(p *storage.Poll) *time.Time {
	end := p.ExpiresAt
	if c := p.ClosedAt; c != nil && (end == nil || c.Before(*end)) {
		end = c
	}
	return end
}
