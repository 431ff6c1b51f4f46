package mastoapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/mastoapi/internal/openapitest"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type env struct {
	t     testing.TB
	api   *mastoapi.API
	srv   *httptest.Server
	store storage.Store
	urls  *social.URLs
	clock *clock
}

// newEnv starts the API on a fresh SQLite database behind an httptest
// server whose URL is the public URL.
func newEnv(t testing.TB, mod func(*mastoapi.Options)) *env {
	t.Helper()
	ctx := context.Background()
	// Tests (not benchmarks) check that no handler changes a record the
	// store shared with it (storage.WithSharedRecords).
	_, bench := t.(*testing.B)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herd.db"), &sqlite.Options{CheckSharedRecords: !bench})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, store: st, clock: &clock{t: time.Now().UTC()}}
	var handler http.Handler
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	e.urls, err = social.NewURLs(e.srv.URL)
	require.NoError(t, err)
	opts := &mastoapi.Options{
		Now:       e.clock.Now,
		RateLimit: mastoapi.RateLimit{Requests: 10000, AuthRequests: 10000},
		Instance: mastoapi.InstanceInfo{
			Title: "Herd Test", Description: "A test server", Registrations: mastoapi.RegistrationsOpen,
			Rules: []mastoapi.Rule{{Text: "Be kind", Hint: "Really"}},
		},
	}
	if mod != nil {
		mod(opts)
	}
	e.api = mastoapi.New(st, social.New(st, e.urls, nil), e.urls, opts)
	handler = e.api
	return e
}

func (e *env) url(path string) string { return e.srv.URL + path }

// createUser creates an approved local user.
func (e *env) createUser(username, password string) (*storage.Account, *storage.User) {
	e.t.Helper()
	a, u, err := social.CreateUser(context.Background(), e.store, e.urls, social.NewUser{
		Username: username, Email: username + "@example.com", Password: password, Approved: true,
	})
	require.NoError(e.t, err)
	return a, u
}

type request struct {
	method, path string
	body         io.Reader
	ctype        string
	token        string
	header       map[string]string
}

func (e *env) do(r request) *http.Response {
	e.t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	req, err := http.NewRequest(r.method, e.url(r.path), r.body)
	require.NoError(e.t, err)
	if r.ctype != "" {
		req.Header.Set("Content-Type", r.ctype)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (e *env) get(path, token string) *http.Response {
	return e.do(request{path: path, token: token})
}

func (e *env) postForm(path string, vs url.Values, token string) *http.Response {
	return e.do(request{method: http.MethodPost, path: path, body: strings.NewReader(vs.Encode()),
		ctype: "application/x-www-form-urlencoded", token: token})
}

func (e *env) postJSON(path string, v any, token string) *http.Response {
	b, err := json.Marshal(v)
	require.NoError(e.t, err)
	return e.do(request{method: http.MethodPost, path: path, body: strings.NewReader(string(b)), ctype: "application/json", token: token})
}

// validate checks the response against the OpenAPI schema.
func (e *env) validate(resp *http.Response) *http.Response {
	e.t.Helper()
	openapitest.Validate(e.t, nil, resp)
	return resp
}

func decode[T any](t testing.TB, resp *http.Response) T {
	t.Helper()
	var v T
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &v), "body: %s", b)
	return v
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

type appCreds struct {
	ID           string `json:"id"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

func (e *env) registerApp(scopes string, redirect ...string) appCreds {
	e.t.Helper()
	if len(redirect) == 0 {
		redirect = []string{mastoapi.OOBRedirectURI}
	}
	resp := e.postForm("/api/v1/apps", url.Values{"client_name": {"Test App"}, "redirect_uris": {strings.Join(redirect, "\n")}, "scopes": {scopes}}, "")
	require.Equal(e.t, http.StatusOK, resp.StatusCode)
	return decode[appCreds](e.t, resp)
}

type tokenResp struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
	CreatedAt   int64  `json:"created_at"`
}

type oauthErr struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func (e *env) passwordToken(app appCreds, email, password, scope string) tokenResp {
	e.t.Helper()
	resp := e.postForm("/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {app.ClientID},
		"client_secret": {app.ClientSecret}, "username": {email}, "password": {password}, "scope": {scope}}, "")
	requireStatus(e.t, resp, http.StatusOK)
	return decode[tokenResp](e.t, e.validate(resp))
}

// userToken creates a user and a password-grant token with scopes.
func (e *env) userToken(username, scope string) (string, *storage.Account) {
	e.t.Helper()
	a, _ := e.createUser(username, "correct horse battery")
	app := e.registerApp("read write follow push profile")
	return e.passwordToken(app, username+"@example.com", "correct horse battery", scope).AccessToken, a
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests see where the server sends the user.
func (e *env) browser() *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(e.t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// formFields extracts the hidden fields of a page.
func formFields(t *testing.T, html string) url.Values {
	t.Helper()
	vs := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(html, -1) {
		vs.Set(m[1], unescapeHTML(m[2]))
	}
	require.NotEmpty(t, vs.Get("authenticity_token"), "no CSRF token in page: %s", html)
	return vs
}

func unescapeHTML(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`).Replace(s)
}

func regexpMustCompile(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// requireStatus fails with the body when resp has another status; the body
// stays readable.
func requireStatus(t testing.TB, resp *http.Response, status int) {
	t.Helper()
	if resp.StatusCode == status {
		return
	}
	t.Fatalf("status %d, want %d; body: %s", resp.StatusCode, status, readBody(t, resp))
}

func getToken(t *testing.T, e *env, plain string) *storage.Token {
	t.Helper()
	tok, err := e.store.OAuth().GetToken(context.Background(), mastoapi.HashToken(plain))
	require.NoError(t, err)
	return tok
}
