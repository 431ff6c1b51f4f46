package storage

import (
	"context"
	"database/sql/driver"
	"time"
)

// PushAlerts tells which notification types a Web Push subscription
// receives, by Mastodon notification type ("mention", "admin.report", …).
type PushAlerts map[string]bool

// Value implements driver.Valuer.
func (a PushAlerts) Value() (driver.Value, error) {
	if a == nil {
		return "{}", nil
	}
	return jsonValue(a)
}

// Scan implements sql.Scanner.
func (a *PushAlerts) Scan(src any) error { return jsonScan(src, a) }

// Push policies: whose notifications a subscription receives.
const (
	PushPolicyAll      = "all"
	PushPolicyFollowed = "followed" // from accounts the user follows
	PushPolicyFollower = "follower" // from accounts that follow the user
	PushPolicyNone     = "none"
)

// PushSubscription is a Web Push subscription (RFC 8030) tied to one access
// token, as in Mastodon: a token has at most one, and it stops receiving
// pushes when the token is revoked.
type PushSubscription struct {
	ID        ID     `db:"id"`
	TokenID   ID     `db:"token_id"`
	AccountID ID     `db:"account_id"`
	Endpoint  string `db:"endpoint"`
	// KeyP256DH and KeyAuth are the client's keys (base64url), used to
	// encrypt each message (RFC 8291).
	KeyP256DH string     `db:"key_p256dh"`
	KeyAuth   string     `db:"key_auth"`
	Alerts    PushAlerts `db:"alerts"`
	Policy    string     `db:"policy"`
	// Standard selects RFC 8291 (aes128gcm) encryption as the client asked.
	Standard  bool      `db:"standard"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// PushSubscriptions stores Web Push subscriptions.
type PushSubscriptions interface {
	// Put creates the token's subscription or replaces it (keeping its ID).
	// It assigns s.ID when zero and sets the timestamps.
	Put(ctx context.Context, s *PushSubscription) error
	// GetByToken returns the token's subscription.
	GetByToken(ctx context.Context, tokenID ID) (*PushSubscription, error)
	// Update writes Alerts and Policy.
	Update(ctx context.Context, s *PushSubscription) error
	// DeleteByToken removes the token's subscription.
	DeleteByToken(ctx context.Context, tokenID ID) error
	// Delete removes a subscription (e.g. its endpoint answered 404 or 410).
	Delete(ctx context.Context, id ID) error
	// ByAccount lists the subscriptions of accountID whose token is not
	// revoked.
	ByAccount(ctx context.Context, accountID ID) ([]*PushSubscription, error)
}

// Settings stores server-wide values that every process must share, such
// as generated keys. Keys are short names; values are opaque strings.
type Settings interface {
	// Get returns the value of key, or ErrNotFound.
	Get(ctx context.Context, key string) (string, error)
	// Set writes key's value.
	Set(ctx context.Context, key, value string) error
	// SetIfAbsent writes key's value unless key exists, and returns the
	// value now stored (the existing one when another writer came first).
	SetIfAbsent(ctx context.Context, key, value string) (string, error)
}
