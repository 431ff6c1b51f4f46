package social

import (
	"context"
	"fmt"

	"github.com/herd-social/herd/storage"
)

// Notifications pages through account's notifications, newest first,
// leaving out those from accounts it now blocks, is blocked by, or mutes
// with notifications hidden, from suspended accounts and blocked domains,
// from limited accounts it does not follow, and those about statuses it
// may no longer see.
func (s *Service) Notifications(ctx context.Context, account *storage.Account, f storage.NotificationFilter, p storage.Page) ([]*storage.Notification, error) {
	if account == nil {
		return nil, ErrForbidden
	}
	p = p.Norm(storage.DefaultLimit, storage.MaxLimit)
	out := []*storage.Notification{}
	// Filtering may leave a page short: read on (a few rounds at most)
	// while more may exist, so that a filtered page is not taken for the
	// end of the list.
	for round := 0; round < maxFillRounds; round++ {
		ns, err := s.store.Notifications().List(ctx, account.ID, f, p)
		if err != nil {
			return nil, fmt.Errorf("notifications: %w", err)
		}
		kept, err := s.keepNotifications(ctx, account, ns)
		if err != nil {
			return nil, fmt.Errorf("notifications: %w", err)
		}
		if p.Ascending() {
			out = append(kept, out...)
		} else {
			out = append(out, kept...)
		}
		if len(ns) < p.Limit || len(out) >= p.Limit {
			break
		}
		if p.Ascending() {
			p.MinID = ns[0].ID
			if ns[len(ns)-1].ID > p.MinID {
				p.MinID = ns[len(ns)-1].ID
			}
		} else {
			p.MaxID = ns[len(ns)-1].ID
		}
	}
	if len(out) > p.Limit {
		if p.Ascending() {
			out = out[len(out)-p.Limit:]
		} else {
			out = out[:p.Limit]
		}
	}
	return out, nil
}

// Notification returns one of account's notifications (ErrNotFound when
// Notifications would leave it out).
func (s *Service) Notification(ctx context.Context, account *storage.Account, id storage.ID) (*storage.Notification, error) {
	if account == nil {
		return nil, ErrForbidden
	}
	n, err := s.store.Notifications().Get(ctx, account.ID, id)
	if err != nil {
		return nil, notFound(err, "notification %s", id)
	}
	kept, err := s.keepNotifications(ctx, account, []*storage.Notification{n})
	if err != nil {
		return nil, fmt.Errorf("notification %s: %w", id, err)
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("notification %s: %w", id, ErrNotFound)
	}
	return n, nil
}

// DismissNotification deletes one of account's notifications.
func (s *Service) DismissNotification(ctx context.Context, account *storage.Account, id storage.ID) error {
	if account == nil {
		return ErrForbidden
	}
	if err := s.store.Notifications().Dismiss(ctx, account.ID, id); err != nil {
		return notFound(err, "dismiss notification %s", id)
	}
	return nil
}

// ClearNotifications deletes every notification of account.
func (s *Service) ClearNotifications(ctx context.Context, account *storage.Account) error {
	if account == nil {
		return ErrForbidden
	}
	if err := s.store.Notifications().Clear(ctx, account.ID); err != nil {
		return fmt.Errorf("clear notifications: %w", err)
	}
	return nil
}

// UnreadNotifications counts account's notifications newer than sinceID
// (the read marker) matching f that Notifications would show, counting at
// most 1000.
func (s *Service) UnreadNotifications(ctx context.Context, account *storage.Account, sinceID storage.ID, f storage.NotificationFilter) (int64, error) {
	if account == nil {
		return 0, ErrForbidden
	}
	n, err := s.store.Notifications().CountSince(ctx, account.ID, sinceID, f)
	if err != nil {
		return 0, fmt.Errorf("count notifications: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	// Count only what Notifications would show.
	return s.countVisibleSince(ctx, account, sinceID, f)
}
