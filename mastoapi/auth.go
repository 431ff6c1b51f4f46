package mastoapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/herd-social/herd/storage"
)

// Auth is the authenticated caller of a request: a token and, unless it is
// an app-only (client credentials) token, its user and account.
type Auth struct {
	Token   *storage.Token
	Scopes  Scopes
	Account *storage.Account // nil for app-only tokens
	User    *storage.User    // nil for app-only tokens
}

// AccountID returns the caller's account ID, zero for app-only tokens.
func (au *Auth) AccountID() storage.ID {
	if au == nil || au.Account == nil {
		return 0
	}
	return au.Account.ID
}

// sessionScope marks the tokens behind browser sessions: they sign a user in
// to the OAuth pages and are never accepted as API tokens.
const sessionScope = "herd:session"

// touchInterval bounds how often a token's last use is written.
const touchInterval = time.Minute

// HashToken returns the SHA-256 hex digest under which a token, code or
// client secret is stored.
func HashToken(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// newSecret returns a random URL-safe string of 32 random bytes.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// bearerToken extracts the access token from the Authorization header or
// the access_token parameter.
func bearerToken(r *http.Request, p *Params) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	return p.String("access_token")
}

func hasToken(r *http.Request, p *Params) bool {
	return r.Header.Get("Authorization") != "" || p.Has("access_token")
}

// authenticate resolves the request's token as the route requires.
func (a *API) authenticate(ctx context.Context, r *http.Request, p *Params, o RouteOptions) (*Auth, error) {
	if o.Auth == AuthOptional && !hasToken(r, p) {
		return nil, nil
	}
	tok := bearerToken(r, p)
	if tok == "" {
		return nil, ErrInvalidToken
	}
	au, err := a.lookupToken(ctx, tok)
	if err != nil {
		return nil, err
	}
	if !au.Scopes.AllowsAny(o.Scopes...) {
		return nil, ErrOutsideScopes
	}
	if o.Auth == AuthUser && au.Account == nil {
		return nil, ErrUserRequired
	}
	return au, nil
}

// lookupToken finds an unrevoked API token and its user, rejecting users who
// may not use the API.
func (a *API) lookupToken(ctx context.Context, tok string) (*Auth, error) {
	if len(tok) > 512 {
		return nil, ErrInvalidToken
	}
	hash := HashToken(tok)
	now := a.now()
	t, touched := a.tokens.get(hash, now)
	if t == nil {
		var err error
		t, err = a.store.OAuth().GetToken(ctx, hash)
		if errors.Is(err, storage.ErrNotFound) {
			return nil, ErrInvalidToken
		}
		if err != nil {
			return nil, fmt.Errorf("authenticate: %w", err)
		}
		a.tokens.put(hash, t, now)
		touched = t.LastUsedAt
	}
	scopes := Scopes(t.Scopes)
	for _, s := range scopes {
		if s == sessionScope {
			return nil, ErrInvalidToken
		}
	}
	au := &Auth{Token: t, Scopes: scopes}
	if t.AccountID != 0 {
		u, acct, err := a.loadUser(ctx, t.AccountID)
		if err != nil {
			return nil, err
		}
		au.User, au.Account = u, acct
	}
	if touched == nil || now.Sub(*touched) >= touchInterval {
		if err := a.store.OAuth().TouchToken(ctx, t.ID, now); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Warn("mastoapi: touch token", "token_id", t.ID, "err", err)
		}
		a.recordActivity(ctx, t.AccountID, touched, now)
		a.tokens.touched(hash, now)
	}
	return au, nil
}

// DefaultTokenCacheTTL is how long a verified access token is trusted
// without reading it again (Options.TokenCacheTTL).
const DefaultTokenCacheTTL = 3 * time.Second

// maxCachedTokens bounds the token cache; it is emptied when full.
const maxCachedTokens = 10000

// tokenCache keeps the tokens found valid by hash for a short time, so that
// a request does not read its token again. Only the token is kept: its user
// and account are read on every request, so that a disabled user or a
// suspended account is turned away at once. A token revoked through this
// API is dropped from the cache at once; one revoked elsewhere (another
// process sharing the database, the command line) stays usable here for at
// most the TTL.
type tokenCache struct {
	ttl time.Duration // ≤ 0: no caching
	mu  sync.Mutex
	m   map[string]*cachedToken
}

type cachedToken struct {
	tok      *storage.Token
	loaded   time.Time
	lastUsed *time.Time // as last written by TouchToken
}

// get returns a copy of the cached token (callers may keep it) and when it
// was last marked used, or nil when none is cached or it expired.
func (c *tokenCache) get(hash string, now time.Time) (*storage.Token, *time.Time) {
	if c.ttl <= 0 {
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[hash]
	if e == nil {
		return nil, nil
	}
	if age := now.Sub(e.loaded); age < 0 || age >= c.ttl {
		delete(c.m, hash)
		return nil, nil
	}
	t := *e.tok
	return &t, e.lastUsed
}

func (c *tokenCache) put(hash string, t *storage.Token, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	cp := *t
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedTokens {
		c.m = make(map[string]*cachedToken)
	}
	c.m[hash] = &cachedToken{tok: &cp, loaded: now, lastUsed: t.LastUsedAt}
}

// touched records that the token was marked used at t.
func (c *tokenCache) touched(hash string, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[hash]; e != nil {
		e.lastUsed = &t
	}
}

// forget drops a token (revoked) from the cache.
func (c *tokenCache) forget(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, hash)
}

// loadUser loads the user and account of a token and checks that they may
// act, with Mastodon's messages.
func (a *API) loadUser(ctx context.Context, accountID storage.ID) (*storage.User, *storage.Account, error) {
	u, err := a.store.Users().GetByAccountID(ctx, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, ErrInvalidToken
	}
	if err != nil {
		return nil, nil, fmt.Errorf("authenticate: user: %w", err)
	}
	acct, err := a.store.Accounts().Get(ctx, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, ErrInvalidToken
	}
	if err != nil {
		return nil, nil, fmt.Errorf("authenticate: account: %w", err)
	}
	if err := userUsable(u, acct); err != nil {
		return nil, nil, err
	}
	return u, acct, nil
}

// userUsable returns the 403 Mastodon gives when a user may not act.
func userUsable(u *storage.User, acct *storage.Account) *Error {
	switch {
	case u.ConfirmedAt == nil:
		return NewError(http.StatusForbidden, "Your login is missing a confirmed e-mail address")
	case !u.Approved:
		return NewError(http.StatusForbidden, "Your login is currently pending approval")
	case u.Disabled || acct.SuspendedAt != nil:
		return NewError(http.StatusForbidden, "Your login is currently disabled")
	}
	return nil
}

// issueToken creates an access token and returns its plain value.
func (a *API) issueToken(ctx context.Context, st storage.Store, appID, accountID storage.ID, scopes Scopes) (string, *storage.Token, error) {
	plain := newSecret()
	t := &storage.Token{
		TokenHash:     HashToken(plain),
		ApplicationID: appID,
		AccountID:     accountID,
		Scopes:        storage.Strings(scopes),
		CreatedAt:     a.now().UTC(),
	}
	if err := st.OAuth().CreateToken(ctx, t); err != nil {
		return "", nil, fmt.Errorf("create token: %w", err)
	}
	return plain, t, nil
}

// idempotencyScope names whose Idempotency-Keys a request shares.
func idempotencyScope(au *Auth) string {
	if au.Account != nil {
		return "account:" + au.Account.ID.String()
	}
	return "token:" + au.Token.ID.String()
}
