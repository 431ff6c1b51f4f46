package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/herd-social/herd/storage"
)

type inboxLog struct{ s *Store }

// InboxLog implements storage.Store.
func (s *Store) InboxLog() storage.InboxLog { return inboxLog{s} }

// maxActivityIDLen bounds the ids recorded; longer ones are refused.
const maxActivityIDLen = 2048

func (l inboxLog) MarkProcessed(ctx context.Context, activityID string, at time.Time) (bool, error) {
	if activityID == "" || len(activityID) > maxActivityIDLen {
		return false, fmt.Errorf("inbox log: activity id of %d bytes: %w", len(activityID), storage.ErrInvalid)
	}
	res, err := l.s.exec(ctx, "INSERT INTO inbox_log (activity_id, processed_at) VALUES (?, ?) ON CONFLICT (activity_id) DO NOTHING",
		activityID, norm(at))
	if err != nil {
		return false, l.s.wrap(err, "inbox log: mark %s", activityID)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("inbox log: mark %s: %w", activityID, err)
	}
	return n == 1, nil
}

func (l inboxLog) Forget(ctx context.Context, activityID string) error {
	if _, err := l.s.exec(ctx, "DELETE FROM inbox_log WHERE activity_id = ?", activityID); err != nil {
		return l.s.wrap(err, "inbox log: forget %s", activityID)
	}
	return nil
}

func (l inboxLog) Prune(ctx context.Context, before time.Time) (int64, error) {
	res, err := l.s.exec(ctx, "DELETE FROM inbox_log WHERE processed_at < ?", norm(before))
	if err != nil {
		return 0, l.s.wrap(err, "inbox log: prune")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("inbox log: prune: %w", err)
	}
	return n, nil
}
