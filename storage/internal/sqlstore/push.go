package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/herd-social/herd/storage"
)

// PushSubscriptions implements storage.Store.
func (s *Store) PushSubscriptions() storage.PushSubscriptions { return pushSubs{s} }

// Settings implements storage.Store.
func (s *Store) Settings() storage.Settings { return settings{s} }

type pushSubs struct{ s *Store }

var pushCols = selectList(&storage.PushSubscription{}, "")

func (r pushSubs) Put(ctx context.Context, p *storage.PushSubscription) error {
	if p.TokenID == 0 || p.AccountID == 0 || p.Endpoint == "" {
		return fmt.Errorf("push subscription: token, account and endpoint are required: %w", storage.ErrInvalid)
	}
	if p.Policy == "" {
		p.Policy = storage.PushPolicyAll
	}
	if p.ID == 0 {
		p.ID = r.s.NewID()
	}
	now := r.s.now()
	p.CreatedAt, p.UpdatedAt = now, now
	cols := columnsOf(p)
	q := "INSERT INTO push_subscriptions (" + strings.Join(cols, ", ") + ") VALUES (:" + strings.Join(cols, ", :") +
		") ON CONFLICT (token_id) DO UPDATE SET account_id = excluded.account_id, endpoint = excluded.endpoint," +
		" key_p256dh = excluded.key_p256dh, key_auth = excluded.key_auth, alerts = excluded.alerts," +
		" policy = excluded.policy, standard = excluded.standard, updated_at = excluded.updated_at"
	if err := r.s.named(ctx, q, p); err != nil {
		return r.s.wrap(err, "put push subscription of token %s", p.TokenID)
	}
	got, err := r.GetByToken(ctx, p.TokenID)
	if err != nil {
		return err
	}
	*p = *got
	return nil
}

func (r pushSubs) GetByToken(ctx context.Context, tokenID storage.ID) (*storage.PushSubscription, error) {
	var p storage.PushSubscription
	err := r.s.get(ctx, &p, "SELECT "+pushCols+" FROM push_subscriptions WHERE token_id = ?", tokenID)
	if err != nil {
		return nil, r.s.wrap(err, "get push subscription of token %s", tokenID)
	}
	return &p, nil
}

func (r pushSubs) Update(ctx context.Context, p *storage.PushSubscription) error {
	if p.Policy == "" {
		p.Policy = storage.PushPolicyAll
	}
	p.UpdatedAt = r.s.now()
	return r.s.wrap(r.s.update(ctx, "push_subscriptions", "id", p, []string{"alerts", "policy", "updated_at"}),
		"update push subscription %s", p.ID)
}

func (r pushSubs) DeleteByToken(ctx context.Context, tokenID storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM push_subscriptions WHERE token_id = ?", tokenID),
		"delete push subscription of token %s", tokenID)
}

func (r pushSubs) Delete(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM push_subscriptions WHERE id = ?", id),
		"delete push subscription %s", id)
}

func (r pushSubs) ByAccount(ctx context.Context, accountID storage.ID) ([]*storage.PushSubscription, error) {
	out := []*storage.PushSubscription{}
	err := r.s.sel(ctx, &out, "SELECT "+selectList(&storage.PushSubscription{}, "p")+
		" FROM push_subscriptions p JOIN oauth_tokens t ON t.id = p.token_id"+
		" WHERE p.account_id = ? AND t.revoked_at IS NULL ORDER BY p.id", accountID)
	return out, r.s.wrap(err, "push subscriptions of account %s", accountID)
}

type settings struct{ s *Store }

func (r settings) Get(ctx context.Context, key string) (string, error) {
	var v string
	if err := r.s.get(ctx, &v, "SELECT value FROM settings WHERE key = ?", key); err != nil {
		return "", r.s.wrap(err, "get setting %q", key)
	}
	return v, nil
}

func (r settings) Set(ctx context.Context, key, value string) error {
	if key == "" {
		return fmt.Errorf("setting: empty key: %w", storage.ErrInvalid)
	}
	_, err := r.s.exec(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
	return r.s.wrap(err, "set setting %q", key)
}

func (r settings) SetIfAbsent(ctx context.Context, key, value string) (string, error) {
	if key == "" {
		return "", fmt.Errorf("setting: empty key: %w", storage.ErrInvalid)
	}
	if _, err := r.s.exec(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, value); err != nil {
		return "", r.s.wrap(err, "set setting %q", key)
	}
	// Read through the writer: a reader could lag behind the insert.
	var vs []string
	if err := selectW(ctx, r.s, &vs, "SELECT value FROM settings WHERE key = ?", key); err != nil || len(vs) == 0 {
		if err == nil {
			err = storage.ErrNotFound
		}
		return "", r.s.wrap(err, "get setting %q", key)
	}
	return vs[0], nil
}
