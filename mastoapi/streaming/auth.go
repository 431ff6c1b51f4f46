package streaming

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/herd-social/herd/storage"
)

// ErrInvalidToken is returned (wrapped) by an Authenticator for a token
// that is unknown, revoked or expired, or whose user may no longer use the
// API. The Handler answers 401, or closes an open stream.
var ErrInvalidToken = errors.New("streaming: invalid access token")

// Authenticator resolves access tokens. mastoapi implements it with its
// OAuth tokens; StoreAuthenticator is a minimal implementation.
type Authenticator interface {
	// Authenticate returns the account of a token (nil for an app-only,
	// client-credentials token) and its scopes. It returns ErrInvalidToken
	// (wrapped) when the token must be refused; any other error is taken
	// as temporary (500 on connect; an open stream stays open).
	Authenticate(ctx context.Context, token string) (*storage.Account, []string, error)
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(ctx context.Context, token string) (*storage.Account, []string, error)

// Authenticate implements Authenticator.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, token string) (*storage.Account, []string, error) {
	return f(ctx, token)
}

// StoreAuthenticator authenticates the OAuth tokens of a store, looked up
// by their SHA-256 hex digest (the scheme of mastoapi.HashToken). It checks
// that the token is unrevoked and that its account exists and is not
// suspended; mastoapi's own Authenticator applies its fuller user checks.
type StoreAuthenticator struct {
	Store storage.Store
}

var _ Authenticator = StoreAuthenticator{}

// HashToken returns the SHA-256 hex digest of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Authenticate implements Authenticator.
func (a StoreAuthenticator) Authenticate(ctx context.Context, token string) (*storage.Account, []string, error) {
	if token == "" || len(token) > 512 {
		return nil, nil, ErrInvalidToken
	}
	t, err := a.Store.OAuth().GetToken(ctx, HashToken(token))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, ErrInvalidToken
	}
	if err != nil {
		return nil, nil, fmt.Errorf("streaming: authenticate: %w", err)
	}
	if t.RevokedAt != nil {
		return nil, nil, ErrInvalidToken
	}
	if t.AccountID == 0 {
		return nil, t.Scopes, nil
	}
	acct, err := a.Store.Accounts().Get(ctx, t.AccountID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, ErrInvalidToken
	}
	if err != nil {
		return nil, nil, fmt.Errorf("streaming: authenticate: %w", err)
	}
	if acct.SuspendedAt != nil {
		return nil, nil, ErrInvalidToken
	}
	return acct, t.Scopes, nil
}

// tokenFrom extracts the access token of a request: the Authorization
// header (Bearer), then Sec-WebSocket-Protocol (WebSocket only; the value
// is echoed back as the subprotocol), then the access_token parameter.
func tokenFrom(r *http.Request, ws bool) (token, subprotocol string) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok), ""
		}
	}
	if ws {
		if p := strings.TrimSpace(r.Header.Get("Sec-WebSocket-Protocol")); p != "" {
			// Browsers send the token as the only subprotocol.
			first, _, _ := strings.Cut(p, ",")
			first = strings.TrimSpace(first)
			return first, first
		}
	}
	return r.URL.Query().Get("access_token"), ""
}

// hasScope reports whether scopes grant any of want. A parent scope
// ("read") grants its children ("read:statuses").
func hasScope(scopes []string, want ...string) bool {
	for _, s := range scopes {
		for _, w := range want {
			if s == w || (strings.HasPrefix(w, s+":") && !strings.Contains(s, ":")) {
				return true
			}
		}
	}
	return false
}

// requiredScope is the scope a stream needs, as Mastodon: notifications
// need read:notifications, everything else read:statuses.
func requiredScope(s Stream) string {
	if s.Name == StreamUserNotification {
		return "read:notifications"
	}
	return "read:statuses"
}
