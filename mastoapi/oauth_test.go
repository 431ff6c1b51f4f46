package mastoapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
)

func TestCreateAppEncodings(t *testing.T) {
	e := newEnv(t, nil)
	type app struct {
		ID, Name, RedirectURI, ClientID, ClientSecret, VAPIDKey string
		Website                                                 *string
		Scopes, RedirectURIs                                    []string
		ClientSecretExpiresAt                                   *int64
	}
	check := func(resp *http.Response, wantRedirects []string, wantScopes []string) {
		t.Helper()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		e.validate(resp)
		a := decode[map[string]any](t, resp)
		for _, k := range []string{"id", "name", "website", "scopes", "redirect_uri", "redirect_uris", "client_id", "client_secret", "client_secret_expires_at", "vapid_key"} {
			assert.Contains(t, a, k)
		}
		assert.EqualValues(t, 0, a["client_secret_expires_at"])
		var uris []string
		for _, u := range a["redirect_uris"].([]any) {
			uris = append(uris, u.(string))
		}
		assert.Equal(t, wantRedirects, uris)
		assert.Equal(t, strings.Join(wantRedirects, "\n"), a["redirect_uri"])
		var scopes []string
		for _, s := range a["scopes"].([]any) {
			scopes = append(scopes, s.(string))
		}
		assert.Equal(t, wantScopes, scopes)
	}

	// Form, with a custom scheme and default scopes.
	check(e.postForm("/api/v1/apps", url.Values{"client_name": {"Form"}, "redirect_uris": {"myapp://callback"}}, ""),
		[]string{"myapp://callback"}, []string{"read"})
	// JSON with an array of redirect URIs (Ice Cubes).
	check(e.postJSON("/api/v1/apps", map[string]any{"client_name": "JSON", "redirect_uris": []string{"https://app.example/cb", mastoapi.OOBRedirectURI},
		"scopes": "read write push", "website": "https://app.example"}, ""),
		[]string{"https://app.example/cb", mastoapi.OOBRedirectURI}, []string{"read", "write", "push"})
	// Query parameters only.
	q := url.Values{"client_name": {"Query"}, "redirect_uris": {"urn:ietf:wg:oauth:2.0:oob"}, "scopes": {"read:accounts follow"}}
	check(e.do(request{method: http.MethodPost, path: "/api/v1/apps?" + q.Encode()}), []string{mastoapi.OOBRedirectURI}, []string{"read:accounts", "follow"})
	// Multipart, newline-separated redirect URIs.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("client_name", "Multipart")
	mw.WriteField("redirect_uris", "myapp://a\nmyapp://b")
	mw.Close()
	check(e.do(request{method: http.MethodPost, path: "/api/v1/apps", body: &buf, ctype: mw.FormDataContentType()}),
		[]string{"myapp://a", "myapp://b"}, []string{"read"})

	// Validation errors are 422 with Mastodon's message.
	for _, tc := range []struct {
		vs   url.Values
		want string
	}{
		{url.Values{"redirect_uris": {"myapp://cb"}}, "Validation failed: Application name can't be blank"},
		{url.Values{"client_name": {"x"}}, "Validation failed: Redirect URI can't be blank"},
		{url.Values{"client_name": {"x"}, "redirect_uris": {"not a uri"}}, "Validation failed: Redirect URI must be an absolute URI."},
		{url.Values{"client_name": {"x"}, "redirect_uris": {"javascript:alert(1)"}}, "Validation failed: Redirect URI is forbidden by the server."},
		{url.Values{"client_name": {"x"}, "redirect_uris": {"https://a.example/cb#frag"}}, "Validation failed: Redirect URI cannot contain a fragment."},
		{url.Values{"client_name": {"x"}, "redirect_uris": {"myapp://cb"}, "scopes": {"read sudo"}}, "Validation failed: Scopes are not valid"},
	} {
		resp := e.postForm("/api/v1/apps", tc.vs, "")
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		e.validate(resp)
		assert.Equal(t, tc.want, decode[oauthErr](t, resp).Error)
	}
}

func TestClientCredentialsAndRevoke(t *testing.T) {
	e := newEnv(t, nil)
	app := e.registerApp("read write")
	resp := e.postForm("/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID},
		"client_secret": {app.ClientSecret}, "scope": {"read"}}, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	tok := decode[tokenResp](t, e.validate(resp))
	assert.Equal(t, "Bearer", tok.TokenType)
	assert.Equal(t, "read", tok.Scope)
	assert.InDelta(t, e.clock.Now().Unix(), tok.CreatedAt, 2)

	// An app token verifies the app but is not a user.
	resp = e.get("/api/v1/apps/verify_credentials", tok.AccessToken)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	e.validate(resp)
	got := decode[map[string]any](t, resp)
	assert.Equal(t, app.ID, got["id"])
	assert.NotContains(t, got, "client_secret")
	resp = e.get("/api/v1/accounts/verify_credentials", tok.AccessToken)
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	assert.Equal(t, "This method requires an authenticated user", decode[oauthErr](t, resp).Error)

	// Revoking with a wrong secret does nothing, but answers 200 {}.
	resp = e.postForm("/oauth/revoke", url.Values{"token": {tok.AccessToken}, "client_id": {app.ClientID}, "client_secret": {"wrong"}}, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, http.StatusOK, e.get("/api/v1/apps/verify_credentials", tok.AccessToken).StatusCode)
	// Another client cannot revoke it.
	other := e.registerApp("read")
	e.postForm("/oauth/revoke", url.Values{"token": {tok.AccessToken}, "client_id": {other.ClientID}, "client_secret": {other.ClientSecret}}, "")
	assert.Equal(t, http.StatusOK, e.get("/api/v1/apps/verify_credentials", tok.AccessToken).StatusCode)
	// The owning client can.
	resp = e.postForm("/oauth/revoke", url.Values{"token": {tok.AccessToken}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}}, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{}`, readBody(t, resp))
	resp = e.get("/api/v1/apps/verify_credentials", tok.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, `{"error":"The access token is invalid"}`, strings.TrimSpace(readBody(t, resp)))
	// Unknown tokens: still 200.
	resp = e.postForm("/oauth/revoke", url.Values{"token": {"nope"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}}, "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestTokenErrors(t *testing.T) {
	e := newEnv(t, nil)
	e.createUser("alice", "correct horse battery")
	app := e.registerApp("read write")
	for _, tc := range []struct {
		name   string
		vs     url.Values
		status int
		code   string
	}{
		{"no grant", url.Values{"client_id": {app.ClientID}}, 400, "invalid_request"},
		{"unsupported", url.Values{"grant_type": {"refresh_token"}, "client_id": {app.ClientID}}, 400, "unsupported_grant_type"},
		{"unknown client", url.Values{"grant_type": {"client_credentials"}, "client_id": {"nope"}, "client_secret": {"x"}}, 401, "invalid_client"},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID}, "client_secret": {"x"}}, 401, "invalid_client"},
		{"no secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID}}, 401, "invalid_client"},
		{"scope beyond app", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "scope": {"push"}}, 400, "invalid_scope"},
		{"unknown scope", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "scope": {"root"}}, 400, "invalid_scope"},
		{"wrong password", url.Values{"grant_type": {"password"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "username": {"alice@example.com"}, "password": {"nope nope nope"}}, 400, "invalid_grant"},
		{"unknown user", url.Values{"grant_type": {"password"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "username": {"bob@example.com"}, "password": {"nope nope nope"}}, 400, "invalid_grant"},
		{"bad code", url.Values{"grant_type": {"authorization_code"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "code": {"nope"}, "redirect_uri": {mastoapi.OOBRedirectURI}}, 400, "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := e.postForm("/oauth/token", tc.vs, "")
			require.Equal(t, tc.status, resp.StatusCode)
			e.validate(resp)
			got := decode[oauthErr](t, resp)
			assert.Equal(t, tc.code, got.Error)
			assert.NotEmpty(t, got.Description)
		})
	}
	// HTTP Basic client authentication works too.
	req, _ := http.NewRequest(http.MethodPost, e.url("/oauth/token"), strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(app.ClientID), url.QueryEscape(app.ClientSecret))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func pkcePair() (verifier, challenge string) {
	verifier = strings.Repeat("abcdefgh", 6) // 48 unreserved characters
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize runs the browser part of the flow and returns the final response
// (a redirect or a page).
func authorizeURL(app appCreds, redirect, scope, state, challenge string, extra url.Values) string {
	q := url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {redirect}, "scope": {scope}, "state": {state}}
	if challenge != "" {
		q.Set("code_challenge", challenge)
		q.Set("code_challenge_method", "S256")
	}
	for k, v := range extra {
		q[k] = v
	}
	return "/oauth/authorize?" + q.Encode()
}

func getPage(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	return resp, readBody(t, resp)
}

func postPage(t *testing.T, c *http.Client, u string, vs url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, vs)
	require.NoError(t, err)
	defer resp.Body.Close()
	return resp, readBody(t, resp)
}

func TestAuthorizationCodeFlow(t *testing.T) {
	e := newEnv(t, nil)
	e.createUser("alice", "correct horse battery")
	const redirect = "myapp://oauth/callback"
	app := e.registerApp("read write follow", redirect)
	verifier, challenge := pkcePair()
	b := e.browser()

	// Not signed in: the sign-in page, locked down.
	resp, html := getPage(t, b, e.url(authorizeURL(app, redirect, "read write", "xyz", challenge, nil)))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")
	assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
	assert.Contains(t, html, `name="password"`)
	assert.NotContains(t, html, "<script")
	fields := formFields(t, html)

	// A wrong password shows the page again.
	fields.Set("email", "alice@example.com")
	fields.Set("password", "wrong password")
	resp, html = postPage(t, b, e.url("/oauth/authorize"), fields)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, html, "Invalid email or password.")

	// A missing CSRF token is refused.
	noCSRF := url.Values{}
	for k, v := range fields {
		noCSRF[k] = v
	}
	noCSRF.Del("authenticity_token")
	resp, _ = postPage(t, b, e.url("/oauth/authorize"), noCSRF)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	// Signing in shows the consent page.
	fields.Set("password", "correct horse battery")
	resp, html = postPage(t, b, e.url("/oauth/authorize"), fields)
	require.Equal(t, http.StatusOK, resp.StatusCode, html)
	assert.Contains(t, html, "Test App")
	assert.Contains(t, html, "Authorize")
	assert.Contains(t, html, "<code>write</code>")
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "herd_session" {
			session = c
		}
	}
	require.NotNil(t, session)
	assert.True(t, session.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, session.SameSite)
	// The session cookie is not an API token.
	assert.Equal(t, http.StatusUnauthorized, e.get("/api/v1/accounts/verify_credentials", session.Value).StatusCode)

	consent := formFields(t, html)
	consent.Set("decision", "authorize")
	resp, _ = postPage(t, b, e.url("/oauth/authorize"), consent)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "myapp", loc.Scheme)
	assert.Equal(t, "xyz", loc.Query().Get("state"))
	code := loc.Query().Get("code")
	require.NotEmpty(t, code)

	exchange := func(code, verifier, redirect string) *http.Response {
		// A public client: PKCE instead of the secret.
		return e.postForm("/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {app.ClientID},
			"code": {code}, "code_verifier": {verifier}, "redirect_uri": {redirect}}, "")
	}
	resp = exchange(code, verifier, redirect)
	requireStatus(t, resp, http.StatusOK)
	tok := decode[tokenResp](t, e.validate(resp))
	assert.Equal(t, "read write", tok.Scope)
	resp = e.get("/api/v1/accounts/verify_credentials", tok.AccessToken)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "alice", decode[map[string]any](t, e.validate(resp))["username"])

	// A code works once.
	resp = exchange(code, verifier, redirect)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "invalid_grant", decode[oauthErr](t, resp).Error)

	// Signed in already: straight to consent. Then a wrong verifier, a wrong
	// redirect URI and an expired code all fail.
	newCode := func(extra url.Values) string {
		t.Helper()
		resp, html := getPage(t, b, e.url(authorizeURL(app, redirect, "read", "s2", challenge, extra)))
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, html, `value="authorize"`)
		f := formFields(t, html)
		f.Set("decision", "authorize")
		resp, _ = postPage(t, b, e.url("/oauth/authorize"), f)
		require.Equal(t, http.StatusFound, resp.StatusCode)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		return loc.Query().Get("code")
	}
	resp = exchange(newCode(nil), strings.Repeat("x", 43), redirect)
	assert.Equal(t, "invalid_grant", decode[oauthErr](t, resp).Error)
	resp = exchange(newCode(nil), verifier, "myapp://other")
	assert.Equal(t, "invalid_grant", decode[oauthErr](t, resp).Error)
	c := newCode(nil)
	e.clock.Advance(11 * time.Minute)
	resp = exchange(c, verifier, redirect)
	assert.Equal(t, "invalid_grant", decode[oauthErr](t, resp).Error)

	// force_login shows the sign-in page despite the session.
	_, html = getPage(t, b, e.url(authorizeURL(app, redirect, "read", "s3", challenge, url.Values{"force_login": {"true"}})))
	assert.Contains(t, html, `name="password"`)

	// Deny sends the user back with access_denied.
	_, html = getPage(t, b, e.url(authorizeURL(app, redirect, "read", "s4", "", nil)))
	f := formFields(t, html)
	f.Set("decision", "deny")
	resp, _ = postPage(t, b, e.url("/oauth/authorize"), f)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, _ = url.Parse(resp.Header.Get("Location"))
	assert.Equal(t, "access_denied", loc.Query().Get("error"))
	assert.Equal(t, "s4", loc.Query().Get("state"))

	// Scope beyond the app's, and the plain PKCE method, are sent back as errors.
	resp, _ = getPage(t, b, e.url(authorizeURL(app, redirect, "push", "s5", "", nil)))
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, _ = url.Parse(resp.Header.Get("Location"))
	assert.Equal(t, "invalid_scope", loc.Query().Get("error"))
	resp, _ = getPage(t, b, e.url(authorizeURL(app, redirect, "read", "s6", "", url.Values{"code_challenge": {challenge}, "code_challenge_method": {"plain"}})))
	loc, _ = url.Parse(resp.Header.Get("Location"))
	assert.Equal(t, "invalid_request", loc.Query().Get("error"))

	// A redirect URI that is not registered is never redirected to.
	resp, html = getPage(t, b, e.url(authorizeURL(app, "https://evil.example/cb", "read", "s7", "", nil)))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, html, "redirect URI")
	resp, _ = getPage(t, b, e.url("/oauth/authorize?response_type=code&client_id=unknown"))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestAuthorizationCodeOOB(t *testing.T) {
	e := newEnv(t, nil)
	e.createUser("bob", "correct horse battery")
	app := e.registerApp("read")
	b := e.browser()
	_, html := getPage(t, b, e.url(authorizeURL(app, mastoapi.OOBRedirectURI, "read", "", "", nil)))
	f := formFields(t, html)
	f.Set("email", "bob@example.com")
	f.Set("password", "correct horse battery")
	_, html = postPage(t, b, e.url("/oauth/authorize"), f)
	f = formFields(t, html)
	f.Set("decision", "authorize")
	resp, html := postPage(t, b, e.url("/oauth/authorize"), f)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	m := regexpCode.FindStringSubmatch(html)
	require.NotNil(t, m, html)
	// A confidential client exchanges it with its secret.
	resp = e.postForm("/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {app.ClientID},
		"client_secret": {app.ClientSecret}, "code": {m[1]}, "redirect_uri": {mastoapi.OOBRedirectURI}}, "")
	requireStatus(t, resp, http.StatusOK)
	// Without PKCE, the secret is required.
	_, html = getPage(t, b, e.url(authorizeURL(app, mastoapi.OOBRedirectURI, "read", "", "", nil)))
	f = formFields(t, html)
	f.Set("decision", "authorize")
	_, html = postPage(t, b, e.url("/oauth/authorize"), f)
	m = regexpCode.FindStringSubmatch(html)
	resp = e.postForm("/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {app.ClientID},
		"code": {m[1]}, "redirect_uri": {mastoapi.OOBRedirectURI}}, "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, "invalid_client", decode[oauthErr](t, resp).Error)
}

func TestOAuthMetadata(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.get("/.well-known/oauth-authorization-server", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
	m := decode[map[string]any](t, e.validate(resp))
	assert.Equal(t, e.srv.URL+"/oauth/token", m["token_endpoint"])
	assert.Equal(t, []any{"S256"}, m["code_challenge_methods_supported"])
	assert.Equal(t, []any{"code"}, m["response_types_supported"])
	assert.Equal(t, e.srv.URL+"/api/v1/apps", m["app_registration_endpoint"])
}

var regexpCode = regexpMustCompile(`class="code" type="text" readonly value="([^"]+)"`)
