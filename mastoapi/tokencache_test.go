package mastoapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
)

// TestTokenCacheRevocation checks that a token revoked through the API
// stops working at once although it was cached, and that one revoked
// behind the API's back (another process) stops within the cache's TTL.
func TestTokenCacheRevocation(t *testing.T) {
	e := newEnv(t, nil)
	e.createUser("alice", "correct horse battery")
	app := e.registerApp("read write")
	tok := e.passwordToken(app, "alice@example.com", "correct horse battery", "read").AccessToken

	requireStatus(t, e.get("/api/v1/accounts/verify_credentials", tok), http.StatusOK)
	resp := e.postForm("/oauth/revoke", url.Values{"client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "token": {tok}}, "")
	requireStatus(t, resp, http.StatusOK)
	assert.Equal(t, http.StatusUnauthorized, e.get("/api/v1/accounts/verify_credentials", tok).StatusCode, "revoked through the API")

	// Revoked in the store directly: trusted until the TTL ends.
	tok2 := e.passwordToken(app, "alice@example.com", "correct horse battery", "read").AccessToken
	requireStatus(t, e.get("/api/v1/accounts/verify_credentials", tok2), http.StatusOK)
	require.NoError(t, e.store.OAuth().RevokeToken(context.Background(), mastoapi.HashToken(tok2)))
	assert.Equal(t, http.StatusOK, e.get("/api/v1/accounts/verify_credentials", tok2).StatusCode, "cached within the TTL")
	e.clock.Advance(mastoapi.DefaultTokenCacheTTL)
	assert.Equal(t, http.StatusUnauthorized, e.get("/api/v1/accounts/verify_credentials", tok2).StatusCode, "revoked elsewhere, after the TTL")
}

// TestTokenCacheOff checks that a negative TTL turns the cache off: a
// token revoked in the store fails on the next request.
func TestTokenCacheOff(t *testing.T) {
	e := newEnv(t, func(o *mastoapi.Options) { o.TokenCacheTTL = -1 })
	tok, _ := e.userToken("alice", "read")
	requireStatus(t, e.get("/api/v1/accounts/verify_credentials", tok), http.StatusOK)
	require.NoError(t, e.store.OAuth().RevokeToken(context.Background(), mastoapi.HashToken(tok)))
	assert.Equal(t, http.StatusUnauthorized, e.get("/api/v1/accounts/verify_credentials", tok).StatusCode)
}
