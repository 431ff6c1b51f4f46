package social

import (
	"context"
	"fmt"

	"github.com/herd-social/herd/storage"
)

// Notifications pages through account's notifications, newest first,
// leaving out those from accounts it now blocks, is blocked by, or mutes
// with notifications hidden.
func (s *Service) Notifications(ctx context.Context, account *storage.Account, f storage.NotificationFilter, p storage.Page) ([]*storage.Notification, error) {
	if account == nil {
		return nil, ErrForbidden
	}
	ns, err := s.store.Notifications().List(ctx, account.ID, f, p)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	from := make([]storage.ID, 0, len(ns))
	for _, n := range ns {
		from = append(from, n.FromAccountID)
	}
	rel, err := loadRelations(ctx, s.store, account.ID, from)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	out := make([]*storage.Notification, 0, len(ns))
	for _, n := range ns {
		if rel.blocked(n.FromAccountID) {
			continue
		}
		if m := rel.mutes[n.FromAccountID]; m != nil && m.HideNotifications {
			continue
		}
		out = append(out, n)
	}
	return s.limitedNotifications(ctx, account.ID, rel, out)
}

// Notification returns one of account's notifications.
func (s *Service) Notification(ctx context.Context, account *storage.Account, id storage.ID) (*storage.Notification, error) {
	if account == nil {
		return nil, ErrForbidden
	}
	n, err := s.store.Notifications().Get(ctx, account.ID, id)
	if err != nil {
		return nil, notFound(err, "notification %s", id)
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
// (the read marker) matching f.
func (s *Service) UnreadNotifications(ctx context.Context, account *storage.Account, sinceID storage.ID, f storage.NotificationFilter) (int64, error) {
	if account == nil {
		return 0, ErrForbidden
	}
	n, err := s.store.Notifications().CountSince(ctx, account.ID, sinceID, f)
	if err != nil {
		return 0, fmt.Errorf("count notifications: %w", err)
	}
	return n, nil
}
