package mastoapi

import "net/http"

// registerRoutes declares every endpoint with its authentication mode and
// scopes (Mastodon's: the token must grant one of them).
func (a *API) registerRoutes() {
	const (
		get  = http.MethodGet
		post = http.MethodPost
	)
	public := RouteOptions{Auth: AuthNone}
	optional := func(scopes ...string) RouteOptions { return RouteOptions{Auth: AuthOptional, Scopes: scopes} }
	user := func(scopes ...string) RouteOptions { return RouteOptions{Auth: AuthUser, Scopes: scopes} }

	// OAuth 2 authorization server.
	a.Handle(post, "/api/v1/apps", public, a.createApp)
	a.Handle(get, "/api/v1/apps/verify_credentials", RouteOptions{Auth: AuthApp}, a.verifyApp)
	a.Handle(get, "/oauth/authorize", public, a.authorizeGet)
	a.Handle(post, "/oauth/authorize", public, a.authorizePost)
	a.Handle(post, "/oauth/token", public, a.token)
	a.Handle(post, "/oauth/revoke", public, a.revoke)
	a.Handle(get, "/oauth/userinfo", user("profile"), a.userinfo)
	a.Handle(post, "/oauth/userinfo", user("profile"), a.userinfo)
	a.Handle(get, "/.well-known/oauth-authorization-server", public, a.oauthMetadata)

	// Instance.
	a.Handle(get, "/api/v1/instance", public, a.instanceV1)
	a.Handle(get, "/api/v2/instance", public, a.instanceV2)
	a.Handle(get, "/api/v1/instance/peers", public, a.instancePeers)
	a.Handle(get, "/api/v1/instance/activity", public, emptyList)
	a.Handle(get, "/api/v1/instance/rules", public, a.instanceRules)
	a.Handle(get, "/api/v1/custom_emojis", public, emptyList)
	a.Handle(get, "/api/v1/trends/tags", public, emptyList)
	a.Handle(get, "/api/v1/trends/statuses", public, emptyList)
	a.Handle(get, "/api/v1/trends/links", public, emptyList)

	// Accounts. Static segments are registered before /{id} so they win.
	a.Handle(post, "/api/v1/accounts", RouteOptions{Auth: AuthApp, Scopes: []string{"write:accounts"}, AuthLimited: true}, a.registerAccount)
	a.Handle(get, "/api/v1/accounts/verify_credentials", user("read:accounts", "profile"), a.verifyCredentials)
	a.Handle(get, "/api/v1/accounts/lookup", optional("read:accounts"), a.lookupAccount)
	a.Handle(get, "/api/v1/accounts/{id:[0-9]+}", optional("read:accounts"), a.showAccount)
	a.Handle(get, "/api/v1/preferences", user("read:accounts"), a.preferences)
	a.Handle(get, "/auth/sign_up", public, a.signUpGet)
	a.Handle(post, "/auth/sign_up", RouteOptions{Auth: AuthNone, AuthLimited: true}, a.signUpPost)

	// Startup calls whose features come later: they answer empty.
	a.Handle(get, "/api/v1/announcements", user("read"), emptyList)
	a.Handle(get, "/api/v2/suggestions", user("read:accounts"), emptyList)
	a.Handle(get, "/api/v1/markers", user("read:statuses"), emptyObject)
	a.Handle(get, "/api/v1/lists", user("read:lists"), emptyList)
	a.Handle(get, "/api/v1/filters", user("read:filters"), emptyList)
	a.Handle(get, "/api/v2/filters", user("read:filters"), emptyList)

	// Default images.
	for _, m := range []string{get, http.MethodHead} {
		a.Handle(m, "/static/avatar.png", public, a.serveImage("avatar.png"))
		a.Handle(m, "/static/header.png", public, a.serveImage("header.png"))
	}
}
