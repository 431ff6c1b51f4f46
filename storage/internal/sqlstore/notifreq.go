package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/herd-social/herd/storage"
)

// NotificationRequests implements storage.Store.
func (s *Store) NotificationRequests() storage.NotificationRequests { return notifRequests{s} }

type notifRequests struct{ s *Store }

var policyCols = selectList(&storage.NotificationPolicy{}, "")

// requestsTable is notification_requests with each request's count of
// filtered notifications.
const requestsTable = `(SELECT r.id, r.account_id, r.from_account_id, r.last_status_id, r.created_at, r.updated_at,
	(SELECT COUNT(*) FROM notifications n WHERE n.account_id = r.account_id AND n.from_account_id = r.from_account_id AND n.filtered) AS notifications_count
	FROM notification_requests r) rq`

var requestCols = selectList(&storage.NotificationRequest{}, "")

func (r notifRequests) Policy(ctx context.Context, accountID storage.ID) (*storage.NotificationPolicy, error) {
	var p storage.NotificationPolicy
	err := r.s.get(ctx, &p, "SELECT "+policyCols+" FROM notification_policies WHERE account_id = ?", accountID)
	if err != nil {
		if err = r.s.wrap(err, "notification policy of %s", accountID); errors.Is(err, storage.ErrNotFound) {
			return storage.DefaultNotificationPolicy(accountID), nil
		}
		return nil, err
	}
	return &p, nil
}

func (r notifRequests) SetPolicy(ctx context.Context, p *storage.NotificationPolicy) error {
	if p.AccountID == 0 {
		return fmt.Errorf("notification policy: account is required: %w", storage.ErrInvalid)
	}
	for _, a := range []storage.PolicyAction{p.ForNotFollowing, p.ForNotFollowers, p.ForNewAccounts, p.ForPrivateMentions, p.ForLimitedAccounts} {
		if !a.Valid() {
			return fmt.Errorf("notification policy: action %q: %w", a, storage.ErrInvalid)
		}
	}
	p.UpdatedAt = r.s.now()
	_, err := r.s.exec(ctx, `INSERT INTO notification_policies (`+policyCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET for_not_following = excluded.for_not_following,
			for_not_followers = excluded.for_not_followers, for_new_accounts = excluded.for_new_accounts,
			for_private_mentions = excluded.for_private_mentions, for_limited_accounts = excluded.for_limited_accounts,
			updated_at = excluded.updated_at`,
		p.AccountID, string(p.ForNotFollowing), string(p.ForNotFollowers), string(p.ForNewAccounts),
		string(p.ForPrivateMentions), string(p.ForLimitedAccounts), p.UpdatedAt)
	return r.s.wrap(err, "set notification policy of %s", p.AccountID)
}

func (r notifRequests) File(ctx context.Context, n *storage.Notification) (*storage.NotificationRequest, error) {
	var out *storage.NotificationRequest
	err := r.s.Tx(ctx, func(tx storage.Store) error {
		n.Filtered = true
		if err := tx.Notifications().Create(ctx, n); err != nil {
			return err
		}
		ts := tx.(*Store)
		now := ts.now()
		_, err := ts.exec(ctx, `INSERT INTO notification_requests (id, account_id, from_account_id, last_status_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id, from_account_id) DO UPDATE SET updated_at = excluded.updated_at,
				last_status_id = COALESCE(excluded.last_status_id, notification_requests.last_status_id)`,
			ts.NewID(), n.AccountID, n.FromAccountID, n.StatusID, now, now)
		if err != nil {
			return ts.wrap(err, "file notification")
		}
		var req storage.NotificationRequest
		err = ts.get(ctx, &req, "SELECT "+requestCols+" FROM "+requestsTable+" WHERE account_id = ? AND from_account_id = ?", n.AccountID, n.FromAccountID)
		out = &req
		return ts.wrap(err, "file notification")
	})
	if err != nil {
		n.Filtered = false
		return nil, err
	}
	return out, nil
}

func (r notifRequests) Get(ctx context.Context, accountID, id storage.ID) (*storage.NotificationRequest, error) {
	var req storage.NotificationRequest
	err := r.s.get(ctx, &req, "SELECT "+requestCols+" FROM "+requestsTable+" WHERE id = ? AND account_id = ?", id, accountID)
	return &req, r.s.wrap(err, "notification request %s", id)
}

func (r notifRequests) List(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.NotificationRequest, error) {
	out, err := listPage[storage.NotificationRequest](ctx, r.s, requestsTable, []string{"account_id = ?"}, []any{accountID}, "id", p)
	return out, r.s.wrap(err, "notification requests of %s", accountID)
}

func (r notifRequests) Accept(ctx context.Context, accountID, id storage.ID) error {
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		req, err := ts.NotificationRequests().Get(ctx, accountID, id)
		if err != nil {
			return err
		}
		if _, err := ts.exec(ctx, "UPDATE notifications SET filtered = ? WHERE account_id = ? AND from_account_id = ? AND filtered", false, accountID, req.FromAccountID); err != nil {
			return ts.wrap(err, "accept notification request %s", id)
		}
		if _, err := ts.exec(ctx, `INSERT INTO notification_permissions (account_id, from_account_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT (account_id, from_account_id) DO NOTHING`, accountID, req.FromAccountID, ts.now()); err != nil {
			return ts.wrap(err, "accept notification request %s", id)
		}
		_, err = ts.exec(ctx, "DELETE FROM notification_requests WHERE id = ?", id)
		return ts.wrap(err, "accept notification request %s", id)
	})
}

func (r notifRequests) Dismiss(ctx context.Context, accountID, id storage.ID) error {
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		req, err := ts.NotificationRequests().Get(ctx, accountID, id)
		if err != nil {
			return err
		}
		if _, err := ts.exec(ctx, "DELETE FROM notifications WHERE account_id = ? AND from_account_id = ? AND filtered", accountID, req.FromAccountID); err != nil {
			return ts.wrap(err, "dismiss notification request %s", id)
		}
		_, err = ts.exec(ctx, "DELETE FROM notification_requests WHERE id = ?", id)
		return ts.wrap(err, "dismiss notification request %s", id)
	})
}

func (r notifRequests) Permitted(ctx context.Context, accountID, fromAccountID storage.ID) (bool, error) {
	var n int64
	err := r.s.get(ctx, &n, "SELECT COUNT(*) FROM notification_permissions WHERE account_id = ? AND from_account_id = ?", accountID, fromAccountID)
	return n > 0, r.s.wrap(err, "notification permission")
}

func (r notifRequests) Summary(ctx context.Context, accountID storage.ID) (requests, notifications int64, err error) {
	if err := r.s.get(ctx, &requests, "SELECT COUNT(*) FROM notification_requests WHERE account_id = ?", accountID); err != nil {
		return 0, 0, r.s.wrap(err, "notification requests summary")
	}
	err = r.s.get(ctx, &notifications, `SELECT COUNT(*) FROM notifications n WHERE n.account_id = ? AND n.filtered
		AND EXISTS (SELECT 1 FROM notification_requests r WHERE r.account_id = n.account_id AND r.from_account_id = n.from_account_id)`, accountID)
	return requests, notifications, r.s.wrap(err, "notification requests summary")
}
