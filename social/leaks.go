package social

import (
	"context"
	"fmt"

	"github.com/herd-social/herd/storage"
)

// This file holds the checks that keep notifications from leaking what a
// user's safety tools hide: they run when a notification is created
// (notify), when one is read (Notifications, Notification, unread counts)
// and before one is pushed (NotificationVisible, for Web Push).

// limitFilterable reports whether notifications of type t from a limited
// account are hidden from recipients who do not follow it (Mastodon
// filters these into notification requests; administrative types are
// never filtered).
func limitFilterable(t storage.NotificationType) bool {
	switch t {
	case storage.NotifySignUp, storage.NotifyReport, storage.NotifySevered, storage.NotifyModeration,
		storage.NotifyPoll, storage.NotifyUpdate:
		return false
	}
	return true
}

// maxUnreadScan bounds how many notifications an unread count reads to
// apply the filters (Mastodon caps unread counts at 1000 too).
const maxUnreadScan = 1000

// keepNotifications returns the notifications of ns account may see, in
// order: not from an account it blocks or is blocked by, a suspended
// account or one of a domain it blocks; not from an account it mutes with
// notifications hidden; not from a limited account it does not follow
// (for the types Mastodon filters); and, for notifications about a
// status, only when the account may still see that status.
func (s *Service) keepNotifications(ctx context.Context, account *storage.Account, ns []*storage.Notification) ([]*storage.Notification, error) {
	out := make([]*storage.Notification, 0, len(ns))
	if len(ns) == 0 {
		return out, nil
	}
	from := make([]storage.ID, 0, len(ns))
	var statusIDs []storage.ID
	for _, n := range ns {
		from = append(from, n.FromAccountID)
		if n.StatusID != 0 {
			statusIDs = append(statusIDs, n.StatusID)
		}
	}
	rel, err := loadRelations(ctx, s.store, account.ID, from)
	if err != nil {
		return nil, err
	}
	// Limited senders: hidden unless the account follows them.
	limited := map[storage.ID]bool{}
	var limitedIDs []storage.ID
	for id, a := range rel.accounts {
		if id != account.ID && s.Limited(ctx, a) {
			limited[id] = true
			limitedIDs = append(limitedIDs, id)
		}
	}
	if err := rel.loadFollowing(ctx, s.store, limitedIDs); err != nil {
		return nil, err
	}
	// ... or the account accepts them (policy or accepted request).
	if limitedIDs, err = s.acceptedLimited(ctx, account, limitedIDs); err != nil {
		return nil, err
	}
	for _, id := range limitedIDs {
		limited[id] = false
	}
	// Statuses: still visible to the account.
	visible := map[storage.ID]bool{}
	if statusIDs = uniqueIDs(statusIDs); len(statusIDs) > 0 {
		sts, err := s.store.Statuses().GetMany(ctx, statusIDs)
		if err != nil {
			return nil, fmt.Errorf("load notified statuses: %w", err)
		}
		set, err := loadSet(ctx, s.store, account.ID, sts, false)
		if err != nil {
			return nil, err
		}
		for _, st := range sts {
			visible[st.ID] = set.visible(st)
		}
	}
	for _, n := range ns {
		if rel.blocked(n.FromAccountID) {
			continue
		}
		if m := rel.mutes[n.FromAccountID]; m != nil && m.HideNotifications {
			continue
		}
		if limited[n.FromAccountID] && limitFilterable(n.Type) && !rel.following[n.FromAccountID] {
			continue
		}
		if n.StatusID != 0 && !visible[n.StatusID] {
			continue
		}
		out = append(out, n)
	}
	return out, nil
}

// NotificationVisible reports whether the recipient of n may still see it
// (the rules of Notifications): Web Push asks before sending, since a block
// or mute may come between a notification's creation and its push.
func (s *Service) NotificationVisible(ctx context.Context, n *storage.Notification) (bool, error) {
	if n == nil {
		return false, nil
	}
	recipient, err := s.store.Accounts().Get(ctx, n.AccountID)
	if err != nil {
		return false, notFound(err, "notification recipient %s", n.AccountID)
	}
	kept, err := s.keepNotifications(ctx, recipient, []*storage.Notification{n})
	if err != nil {
		return false, fmt.Errorf("notification %s: %w", n.ID, err)
	}
	return len(kept) == 1, nil
}

// countVisibleSince counts account's notifications newer than sinceID
// matching f that pass keepNotifications, reading at most maxUnreadScan.
func (s *Service) countVisibleSince(ctx context.Context, account *storage.Account, sinceID storage.ID, f storage.NotificationFilter) (int64, error) {
	var count int64
	p := storage.Page{SinceID: sinceID, Limit: storage.MaxLimit}
	for read := 0; read < maxUnreadScan; {
		ns, err := s.store.Notifications().List(ctx, account.ID, f, p)
		if err != nil {
			return 0, fmt.Errorf("count notifications: %w", err)
		}
		kept, err := s.keepNotifications(ctx, account, ns)
		if err != nil {
			return 0, fmt.Errorf("count notifications: %w", err)
		}
		count += int64(len(kept))
		if len(ns) < p.Limit {
			break
		}
		read += len(ns)
		p.MaxID = ns[len(ns)-1].ID
	}
	return count, nil
}

// notifyLimited reports whether a notification from from must not be
// created because from is suspended. Limited senders go through the
// recipient's notification policy (for_limited_accounts, notificationAction).
func (s *Service) notifyLimited(_ context.Context, _ storage.Store, _, from *storage.Account, _ storage.NotificationType) (bool, error) {
	return from.SuspendedAt != nil, nil
}

// RefusesFetch reports whether owner (a local account) refuses signer
// its ActivityPub documents: owner blocks signer, or blocks signer's
// domain (which also covers a fetch signed by that server's instance
// actor). federation.FetchGate calls it for signed fetches.
func (s *Service) RefusesFetch(ctx context.Context, owner, signer *storage.Account) (bool, error) {
	if owner == nil || signer == nil || owner.ID == signer.ID {
		return false, nil
	}
	if signer.Domain != "" {
		blocked, err := s.store.DomainBlocks().Blocking(ctx, owner.ID, signer.Domain)
		if err != nil {
			return false, fmt.Errorf("refuses fetch: %w", err)
		}
		if blocked {
			return true, nil
		}
	}
	if signer.ID == 0 {
		return false, nil
	}
	bs, err := s.store.Blocks().States(ctx, owner.ID, []storage.ID{signer.ID})
	if err != nil {
		return false, fmt.Errorf("refuses fetch: %w", err)
	}
	return bs[signer.ID].Blocking, nil
}
