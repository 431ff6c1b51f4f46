package apitest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
	"github.com/herd-social/herd/timeline"
)

// server is a real Herd API on a fresh SQLite database behind an httptest
// server whose URL is the public URL, composed as cmd/herd composes it
// (store, social core, mastoapi, and the streaming API on an in-process
// hub), without federation.
type server struct {
	t     testing.TB
	srv   *httptest.Server
	store storage.Store
	urls  *social.URLs
	api   *mastoapi.API
	hub   *timeline.MemoryHub
	// streams serves /api/v1/streaming.
	streams *streaming.Handler
}

const testPassword = "correct horse battery staple"

// testVAPIDKey is the Web Push server key the test server shows (an
// uncompressed P-256 point, base64url; nothing is pushed).
const testVAPIDKey = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"

func newServer(t testing.TB) *server {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herd.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	s := &server{t: t, store: st}
	var h http.Handler = http.NotFoundHandler()
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(s.srv.Close)
	s.urls, err = social.NewURLs(s.srv.URL)
	require.NoError(t, err)
	s.hub = timeline.NewMemoryHub()
	t.Cleanup(func() { s.hub.Close() })
	svc := social.New(st, s.urls, &social.Options{Events: streaming.NewPublisher(s.hub, st, nil)})
	s.api = mastoapi.New(st, svc, s.urls, &mastoapi.Options{
		RateLimit: mastoapi.RateLimit{Disabled: true},
		Instance: mastoapi.InstanceInfo{Title: "Herd apitest", Registrations: mastoapi.RegistrationsOpen,
			VAPIDPublicKey: testVAPIDKey},
		Hub: s.hub,
	})
	s.streams = streaming.New(s.hub, s.api.StreamAuthenticator(), s.api.StreamRenderer(), nil)
	m := http.NewServeMux()
	m.Handle(streaming.DefaultPrefix, s.streams)
	m.Handle(streaming.DefaultPrefix+"/", s.streams)
	m.Handle("/", s.api)
	h = m
	return s
}

// createUser creates an approved local user with testPassword.
func (s *server) createUser(username string, locked bool) *storage.Account {
	s.t.Helper()
	a, _, err := social.CreateUser(context.Background(), s.store, s.urls, social.NewUser{
		Username: username, Email: username + "@example.com", Password: testPassword, Approved: true, Locked: locked,
	})
	require.NoError(s.t, err)
	return a
}

type appCreds struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// registerApp registers an OAuth app through POST /api/v1/apps (JSON body,
// as masto sends it).
func (s *server) registerApp(name, scopes string) appCreds {
	s.t.Helper()
	body, _ := json.Marshal(map[string]string{"client_name": name, "redirect_uris": mastoapi.OOBRedirectURI, "scopes": scopes})
	resp, err := http.Post(s.srv.URL+"/api/v1/apps", "application/json", strings.NewReader(string(body)))
	require.NoError(s.t, err)
	var app appCreds
	decodeOK(s.t, resp, &app)
	require.NotEmpty(s.t, app.ClientID)
	return app
}

// passwordToken gets a user token through the password grant.
func (s *server) passwordToken(app appCreds, username, scopes string) string {
	s.t.Helper()
	resp, err := http.PostForm(s.srv.URL+"/oauth/token", url.Values{
		"grant_type": {"password"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret},
		"username": {username + "@example.com"}, "password": {testPassword}, "scope": {scopes},
	})
	require.NoError(s.t, err)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	decodeOK(s.t, resp, &tok)
	require.NotEmpty(s.t, tok.AccessToken)
	return tok.AccessToken
}

func decodeOK(t testing.TB, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", b)
	require.NoError(t, json.Unmarshal(b, v), "body: %s", b)
}
