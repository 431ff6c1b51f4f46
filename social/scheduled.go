package social

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/herd-social/herd/storage"
)

// Limits of scheduled statuses, as Mastodon's.
const (
	// MinScheduleDelay is how far ahead a status must be scheduled.
	MinScheduleDelay = 5 * time.Minute
	// MaxScheduledTotal bounds an account's pending scheduled statuses.
	MaxScheduledTotal = 300
	// MaxScheduledDaily bounds those due on one (UTC) day.
	MaxScheduledDaily = 25
)

// ScheduleError is a scheduling rule broken (too soon, too many); its
// message is fit to show a user as is.
type ScheduleError struct{ Message string }

func (e *ScheduleError) Error() string { return e.Message }

// ErrScheduledTooSoon is returned (wrapped) for a status scheduled less than
// MinScheduleDelay ahead.
var ErrScheduledTooSoon = &ScheduleError{Message: "Scheduled time must be at least 5 minutes in the future"}

// checkSchedule checks at against the delay and the account's limits;
// exclude is a scheduled status not to count (when rescheduling it).
func (s *Service) checkSchedule(ctx context.Context, accountID storage.ID, at time.Time, exclude *storage.ScheduledStatus) error {
	if at.Before(s.now().Add(MinScheduleDelay)) {
		return ErrScheduledTooSoon
	}
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	total, err := s.store.ScheduledStatuses().Count(ctx, accountID, time.Time{}, far)
	if err != nil {
		return fmt.Errorf("count scheduled statuses: %w", err)
	}
	day := at.UTC().Truncate(24 * time.Hour)
	daily, err := s.store.ScheduledStatuses().Count(ctx, accountID, day, day.Add(24*time.Hour))
	if err != nil {
		return fmt.Errorf("count scheduled statuses: %w", err)
	}
	if exclude != nil {
		total--
		if !exclude.ScheduledAt.Before(day) && exclude.ScheduledAt.Before(day.Add(24*time.Hour)) {
			daily--
		}
	}
	if total >= MaxScheduledTotal {
		return &ScheduleError{Message: fmt.Sprintf("You have exceeded the limit of %d scheduled posts", MaxScheduledTotal)}
	}
	if daily >= MaxScheduledDaily {
		return &ScheduleError{Message: fmt.Sprintf("You have exceeded the limit of %d scheduled posts for that day", MaxScheduledDaily)}
	}
	return nil
}

// ScheduleStatus validates in as PostStatus would and stores it to be
// published at at (at least MinScheduleDelay ahead) by RunScheduler. Its
// media are reserved for it; idempotency is the request's
// Idempotency-Key, kept in the params.
func (s *Service) ScheduleStatus(ctx context.Context, author *storage.Account, in PostInput, at time.Time, idempotency string) (*storage.ScheduledStatus, error) {
	text, spoiler, err := s.checkPost(author, in)
	if err != nil {
		return nil, err
	}
	if err := s.checkSchedule(ctx, author.ID, at, nil); err != nil {
		return nil, err
	}
	if in.InReplyToID != 0 {
		if _, err := s.visibleStatus(ctx, s.store, author.ID, in.InReplyToID); err != nil {
			return nil, fmt.Errorf("in reply to: %w", err)
		}
	}
	vis := in.Visibility
	if vis == "" {
		vis = storage.VisibilityPublic
		if u, err := s.store.Users().GetByAccountID(ctx, author.ID); err == nil && u.DefaultVisibility.Valid() {
			vis = u.DefaultVisibility
		}
	}
	st := &storage.ScheduledStatus{
		AccountID:   author.ID,
		ScheduledAt: at.UTC(),
		MediaIDs:    append(storage.IDs{}, in.MediaIDs...),
		Params: storage.ScheduledParams{Text: text, SpoilerText: spoiler, Sensitive: in.Sensitive, Visibility: vis,
			Language: in.Language, InReplyToID: in.InReplyToID, ApplicationID: in.ApplicationID, Idempotency: idempotency},
	}
	if in.Poll != nil {
		st.Params.Poll = &storage.ScheduledPoll{Options: append([]string(nil), in.Poll.Options...),
			ExpiresIn: int64(in.Poll.ExpiresIn / time.Second), Multiple: in.Poll.Multiple, HideTotals: in.Poll.HideTotals}
	}
	if err := s.store.ScheduledStatuses().Create(ctx, st); err != nil {
		if errors.Is(err, storage.ErrInvalid) {
			return nil, invalid("media_ids", "are invalid")
		}
		return nil, fmt.Errorf("schedule status: %w", err)
	}
	return st, nil
}

// ScheduledStatuses pages through the account's scheduled statuses.
func (s *Service) ScheduledStatuses(ctx context.Context, account *storage.Account, p storage.Page) ([]*storage.ScheduledStatus, error) {
	if err := requireLocal(account); err != nil {
		return nil, err
	}
	out, err := s.store.ScheduledStatuses().List(ctx, account.ID, p)
	if err != nil {
		return nil, fmt.Errorf("scheduled statuses: %w", err)
	}
	return out, nil
}

// ScheduledStatus returns one of the account's scheduled statuses.
func (s *Service) ScheduledStatus(ctx context.Context, account *storage.Account, id storage.ID) (*storage.ScheduledStatus, error) {
	if err := requireLocal(account); err != nil {
		return nil, err
	}
	st, err := s.store.ScheduledStatuses().Get(ctx, account.ID, id)
	if err != nil {
		return nil, notFound(err, "scheduled status %s", id)
	}
	return st, nil
}

// RescheduleStatus moves one of the account's scheduled statuses to at,
// under the rules of ScheduleStatus.
func (s *Service) RescheduleStatus(ctx context.Context, account *storage.Account, id storage.ID, at time.Time) (*storage.ScheduledStatus, error) {
	cur, err := s.ScheduledStatus(ctx, account, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkSchedule(ctx, account.ID, at, cur); err != nil {
		return nil, err
	}
	st, err := s.store.ScheduledStatuses().Reschedule(ctx, account.ID, id, at.UTC())
	if err != nil {
		return nil, notFound(err, "reschedule status %s", id)
	}
	return st, nil
}

// CancelScheduledStatus deletes one of the account's scheduled statuses;
// its media become unattached uploads again.
func (s *Service) CancelScheduledStatus(ctx context.Context, account *storage.Account, id storage.ID) error {
	if err := requireLocal(account); err != nil {
		return err
	}
	if err := s.store.ScheduledStatuses().Delete(ctx, account.ID, id); err != nil {
		return notFound(err, "cancel scheduled status %s", id)
	}
	return nil
}

// SchedulerOptions tunes RunScheduler.
type SchedulerOptions struct {
	// Interval between looks for due statuses (default 10 s).
	Interval time.Duration
	// Lease is how long a claimed status stays with the process that
	// claimed it before another may retry it (default 5 minutes).
	Lease time.Duration
	// Logger reports failures (default: discard).
	Logger *slog.Logger
}

func (o *SchedulerOptions) norm() SchedulerOptions {
	var out SchedulerOptions
	if o != nil {
		out = *o
	}
	if out.Interval <= 0 {
		out.Interval = 10 * time.Second
	}
	if out.Lease <= 0 {
		out.Lease = 5 * time.Minute
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	return out
}

// RunScheduler publishes scheduled statuses as they fall due, until ctx
// ends (it then returns nil). Several processes sharing one database may
// run it: each due status is claimed atomically by one of them, and a
// status whose publisher died is retried after the lease with the same
// status ID, so it is never published twice.
func (s *Service) RunScheduler(ctx context.Context, opts *SchedulerOptions) error {
	o := opts.norm()
	t := time.NewTicker(o.Interval)
	defer t.Stop()
	for {
		if _, err := s.publishDue(ctx, o); err != nil && ctx.Err() == nil {
			o.Logger.Error("scheduler: publish due statuses", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// PublishDue publishes the scheduled statuses due now, once, and returns
// how many it published. RunScheduler calls it periodically.
func (s *Service) PublishDue(ctx context.Context, opts *SchedulerOptions) (int, error) {
	return s.publishDue(ctx, opts.norm())
}

func (s *Service) publishDue(ctx context.Context, o SchedulerOptions) (int, error) {
	n := 0
	for {
		due, err := s.store.ScheduledStatuses().ClaimDue(ctx, s.now(), o.Lease, 50)
		if err != nil {
			return n, fmt.Errorf("claim scheduled statuses: %w", err)
		}
		for _, sc := range due {
			ok, err := s.publishScheduled(ctx, sc)
			if err != nil {
				o.Logger.Warn("scheduler: publish", "scheduled_status", sc.ID, "err", err)
				continue
			}
			if ok {
				n++
			}
		}
		if len(due) < 50 {
			return n, nil
		}
	}
}

// publishScheduled posts one claimed scheduled status through PostStatus
// and deletes it. A status that can no longer be posted (its author or
// reply target gone, its text now invalid) is dropped; other errors leave
// it for a retry after the lease.
func (s *Service) publishScheduled(ctx context.Context, sc *storage.ScheduledStatus) (bool, error) {
	drop := func() error {
		return ignoreNotFound(s.store.ScheduledStatuses().Delete(ctx, sc.AccountID, sc.ID))
	}
	author, err := s.store.Accounts().Get(ctx, sc.AccountID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && author.SuspendedAt != nil) {
		return false, drop()
	}
	if err != nil {
		return false, fmt.Errorf("load author: %w", err)
	}
	// A disabled (or not yet approved) user's scheduled statuses are not
	// published: they are dropped, as the user could not post them now.
	if u, err := s.store.Users().GetByAccountID(ctx, author.ID); err == nil && (u.Disabled || !u.Approved) {
		return false, drop()
	}
	p := sc.Params
	in := PostInput{Text: p.Text, SpoilerText: p.SpoilerText, Sensitive: p.Sensitive, Visibility: p.Visibility,
		Language: p.Language, InReplyToID: p.InReplyToID, MediaIDs: sc.MediaIDs, ApplicationID: p.ApplicationID, ID: sc.StatusID}
	if p.Poll != nil {
		in.Poll = &PollInput{Options: p.Poll.Options, ExpiresIn: time.Duration(p.Poll.ExpiresIn) * time.Second,
			Multiple: p.Poll.Multiple, HideTotals: p.Poll.HideTotals}
	}
	st, err := s.PostStatus(ctx, author, in)
	switch {
	case errors.Is(err, storage.ErrConflict):
		// Published by an earlier attempt that died before deleting.
		return false, drop()
	case errors.Is(err, ErrInvalid), errors.Is(err, ErrNotFound), errors.Is(err, ErrForbidden):
		if derr := drop(); derr != nil {
			return false, derr
		}
		return false, fmt.Errorf("dropped: %w", err)
	case err != nil:
		return false, err
	}
	if len(sc.MediaIDs) > 0 {
		if err := s.store.MediaAttachments().Attach(ctx, sc.MediaIDs, st.ID, author.ID); err != nil {
			return true, errors.Join(fmt.Errorf("attach media to %s: %w", st.ID, err), drop())
		}
	}
	return true, drop()
}
