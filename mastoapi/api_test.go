package mastoapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
)

func TestInstance(t *testing.T) {
	e := newEnv(t, func(o *mastoapi.Options) { o.Instance.Registrations = mastoapi.RegistrationsApproval })
	for _, tok := range []string{"", "not-a-token"} { // public: a bad token does not matter
		resp := e.get("/api/v2/instance", tok)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
		in := decode[map[string]any](t, e.validate(resp))
		assert.Equal(t, "4.5.0 (compatible; Herd 0.1.0)", in["version"])
		assert.EqualValues(t, 6, in["api_versions"].(map[string]any)["mastodon"])
		assert.Equal(t, e.urls.Host(), in["domain"])
		cfg := in["configuration"].(map[string]any)
		assert.EqualValues(t, 500, cfg["statuses"].(map[string]any)["max_characters"])
		assert.Contains(t, cfg["urls"].(map[string]any)["streaming"], "ws://")
		reg := in["registrations"].(map[string]any)
		assert.Equal(t, true, reg["enabled"])
		assert.Equal(t, true, reg["approval_required"])
		assert.NotEmpty(t, in["contact"].(map[string]any)["email"])
		assert.Len(t, in["rules"], 1)
	}
	resp := e.get("/api/v1/instance", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	v1 := decode[map[string]any](t, e.validate(resp))
	assert.Equal(t, e.urls.Host(), v1["uri"])
	assert.Equal(t, true, v1["approval_required"])
	assert.EqualValues(t, 0, v1["stats"].(map[string]any)["user_count"])

	for _, p := range []string{"/api/v1/instance/peers", "/api/v1/instance/activity", "/api/v1/instance/rules",
		"/api/v1/custom_emojis", "/api/v1/trends/tags", "/api/v1/trends/statuses", "/api/v1/trends/links"} {
		resp := e.get(p, "")
		require.Equal(t, http.StatusOK, resp.StatusCode, p)
		e.validate(resp)
	}
}

func TestAccountsAndScopes(t *testing.T) {
	e := newEnv(t, nil)
	read, alice := e.userToken("alice", "read")
	app := e.registerApp("read write follow push profile")
	e.createUser("bob", "correct horse battery")
	writeOnly := e.passwordToken(app, "bob@example.com", "correct horse battery", "write").AccessToken
	profile := e.passwordToken(app, "bob@example.com", "correct horse battery", "profile").AccessToken
	readAccounts := e.passwordToken(app, "bob@example.com", "correct horse battery", "read:accounts").AccessToken

	resp := e.get("/api/v1/accounts/verify_credentials", read)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	me := decode[map[string]any](t, e.validate(resp))
	assert.Equal(t, alice.ID.String(), me["id"])
	assert.Equal(t, e.srv.URL+"/static/avatar.png", me["avatar"])
	assert.Equal(t, e.srv.URL+"/static/header.png", me["header"])
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT00:00:00\.000Z$`, me["created_at"])
	assert.Nil(t, me["last_status_at"])
	assert.Equal(t, "public", me["source"].(map[string]any)["privacy"])
	assert.Equal(t, []any{}, me["emojis"])

	for _, tc := range []struct {
		path, token string
		status      int
		body        string
	}{
		{"/api/v1/accounts/verify_credentials", "", 401, `{"error":"The access token is invalid"}`},
		{"/api/v1/accounts/verify_credentials", "bogus", 401, `{"error":"The access token is invalid"}`},
		{"/api/v1/accounts/verify_credentials", writeOnly, 403, `{"error":"This action is outside the authorized scopes"}`},
		{"/api/v1/accounts/verify_credentials", profile, 200, ""},
		{"/api/v1/accounts/verify_credentials", readAccounts, 200, ""},
		{"/api/v1/preferences", profile, 403, `{"error":"This action is outside the authorized scopes"}`},
		{"/api/v1/preferences", read, 200, ""},
		{"/api/v1/accounts/" + alice.ID.String(), "", 200, ""},
		{"/api/v1/accounts/" + alice.ID.String(), writeOnly, 403, `{"error":"This action is outside the authorized scopes"}`},
		{"/api/v1/accounts/" + alice.ID.String(), "bogus", 401, `{"error":"The access token is invalid"}`},
		{"/api/v1/accounts/123", "", 404, `{"error":"Record not found"}`},
		{"/api/v1/accounts/lookup?acct=alice", "", 200, ""},
		{"/api/v1/accounts/lookup?acct=@alice@" + e.urls.Host(), "", 200, ""},
		{"/api/v1/accounts/lookup?acct=nobody", "", 404, `{"error":"Record not found"}`},
		{"/api/v1/accounts/lookup", "", 404, `{"error":"Record not found"}`},
		{"/api/v1/lists", read, 200, "[]"},
		{"/api/v1/filters", read, 200, "[]"},
		{"/api/v2/filters", read, 200, "[]"},
		{"/api/v1/markers", read, 200, "{}"},
		{"/api/v1/announcements", read, 200, "[]"},
		{"/api/v2/suggestions", read, 200, "[]"},
	} {
		resp := e.get(tc.path, tc.token)
		require.Equal(t, tc.status, resp.StatusCode, tc.path)
		if tc.path != "/api/v1/filters" { // the schema mistakes this list for one filter
			e.validate(resp)
		}
		if tc.body != "" {
			assert.Equal(t, tc.body, strings.TrimSpace(readBody(t, resp)), tc.path)
		}
	}

	// The token is also accepted as a parameter.
	assert.Equal(t, http.StatusOK, e.get("/api/v1/preferences?access_token="+read, "").StatusCode)

	// Disabled users are locked out.
	u, err := e.store.Users().GetByEmail(context.Background(), "alice@example.com")
	require.NoError(t, err)
	u.Disabled = true
	require.NoError(t, e.store.Users().Update(context.Background(), u))
	resp = e.get("/api/v1/accounts/verify_credentials", read)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "Your login is currently disabled", decode[oauthErr](t, resp).Error)
}

func TestTokenLastUsed(t *testing.T) {
	e := newEnv(t, nil)
	tok, _ := e.userToken("alice", "read")
	assert.Nil(t, getToken(t, e, tok).LastUsedAt)
	e.get("/api/v1/preferences", tok)
	t1 := getToken(t, e, tok).LastUsedAt
	require.NotNil(t, t1)
	e.get("/api/v1/preferences", tok)
	assert.Equal(t, *t1, *getToken(t, e, tok).LastUsedAt, "touched again within a minute")
	e.clock.Advance(2 * time.Minute)
	e.get("/api/v1/preferences", tok)
	assert.True(t, getToken(t, e, tok).LastUsedAt.After(*t1))
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(o *mastoapi.Options) { o.RateLimit = mastoapi.RateLimit{Requests: 3, Window: 5 * time.Minute} })
	for i := 0; i < 3; i++ {
		resp := e.get("/api/v1/instance", "")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "3", resp.Header.Get("X-RateLimit-Limit"))
		assert.Equal(t, []string{"2", "1", "0"}[i], resp.Header.Get("X-RateLimit-Remaining"))
		assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, resp.Header.Get("X-RateLimit-Reset"))
	}
	resp := e.get("/api/v1/instance", "")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	e.validate(resp)
	assert.Equal(t, `{"error":"Too many requests"}`, strings.TrimSpace(readBody(t, resp)))
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	e.clock.Advance(5 * time.Minute)
	assert.Equal(t, http.StatusOK, e.get("/api/v1/instance", "").StatusCode)
}

func TestCORS(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do(request{method: http.MethodOptions, path: "/api/v1/statuses", header: map[string]string{
		"Origin": "https://elk.zone", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type,idempotency-key"}})
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), "Idempotency-Key")
	assert.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "POST")
	resp = e.do(request{method: http.MethodOptions, path: "/oauth/token", header: map[string]string{"Origin": "https://elk.zone", "Access-Control-Request-Method": "POST"}})
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp = e.do(request{path: "/api/v1/instance", header: map[string]string{"Origin": "https://elk.zone"}})
	assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, resp.Header.Get("Access-Control-Expose-Headers"), "Link")
	assert.Contains(t, resp.Header.Get("Access-Control-Expose-Headers"), "X-RateLimit-Remaining")
	// The HTML pages are not for other origins.
	resp = e.do(request{path: "/oauth/authorize", header: map[string]string{"Origin": "https://elk.zone"}})
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
}

func TestIdempotency(t *testing.T) {
	e := newEnv(t, nil)
	var calls atomic.Int64
	e.api.Handle(http.MethodPost, "/api/v1/test/create", mastoapi.RouteOptions{Auth: mastoapi.AuthUser, Scopes: []string{"write:statuses"}},
		func(w http.ResponseWriter, r *http.Request) error {
			n := calls.Add(1)
			if mastoapi.ParamsOf(r).String("fail") != "" {
				return mastoapi.NewError(http.StatusUnprocessableEntity, "Validation failed: nope")
			}
			mastoapi.WriteJSON(w, http.StatusOK, map[string]any{"n": n, "text": mastoapi.ParamsOf(r).String("status")})
			return nil
		})
	alice, _ := e.userToken("alice", "write")
	bob, _ := e.userToken("bob", "write")
	post := func(tok, key string, vs url.Values) string {
		resp := e.do(request{method: http.MethodPost, path: "/api/v1/test/create", body: strings.NewReader(vs.Encode()),
			ctype: "application/x-www-form-urlencoded", token: tok, header: map[string]string{"Idempotency-Key": key}})
		return strings.TrimSpace(readBody(t, resp))
	}
	first := post(alice, "k1", url.Values{"status": {"hello"}})
	assert.Equal(t, `{"n":1,"text":"hello"}`, first)
	assert.Equal(t, first, post(alice, "k1", url.Values{"status": {"hello"}}))
	assert.EqualValues(t, 1, calls.Load())
	assert.Equal(t, `{"n":2,"text":"hello"}`, post(bob, "k1", url.Values{"status": {"hello"}}), "keys are per account")
	assert.Equal(t, `{"n":3,"text":"x"}`, post(alice, "k2", url.Values{"status": {"x"}}))
	// Failures are not cached.
	post(alice, "k3", url.Values{"fail": {"1"}})
	assert.Equal(t, `{"n":5,"text":"y"}`, post(alice, "k3", url.Values{"status": {"y"}}))
	// Entries expire after an hour.
	e.clock.Advance(61 * time.Minute)
	assert.Equal(t, `{"n":6,"text":"hello"}`, post(alice, "k1", url.Values{"status": {"hello"}}))
}

// echoParams registers a route that reports what the parameter parser read.
func echoParams(e *env) {
	e.api.Handle(http.MethodPost, "/api/v1/test/echo", mastoapi.RouteOptions{Auth: mastoapi.AuthNone},
		func(w http.ResponseWriter, r *http.Request) error {
			p := mastoapi.ParamsOf(r)
			var fields []map[string]string
			for _, f := range p.Objects("fields_attributes") {
				fields = append(fields, map[string]string{"name": f.String("name"), "value": f.String("value")})
			}
			limit, err := p.Int("limit", 20)
			if err != nil {
				return err
			}
			mastoapi.WriteJSON(w, http.StatusOK, map[string]any{
				"status":    p.String("status"),
				"types":     p.Strings("types"),
				"options":   p.Sub("poll").Strings("options"),
				"expires":   p.Sub("poll").String("expires_in"),
				"multiple":  p.Sub("poll").Bool("multiple", false),
				"sensitive": p.BoolPtr("sensitive"),
				"fields":    fields,
				"limit":     limit,
			})
			return nil
		})
}

func TestParamsFromEveryEncoding(t *testing.T) {
	e := newEnv(t, nil)
	echoParams(e)
	want := `{"expires":"300","fields":[{"name":"a","value":"1"},{"name":"b","value":"2"}],"limit":5,"multiple":true,` +
		`"options":["x","y"],"sensitive":true,"status":"hi","types":["mention","follow"]}`
	form := url.Values{"status": {"hi"}, "types[]": {"mention", "follow"}, "poll[options][]": {"x", "y"}, "poll[expires_in]": {"300"},
		"poll[multiple]": {"on"}, "sensitive": {"1"}, "limit": {"5"},
		"fields_attributes[0][name]": {"a"}, "fields_attributes[0][value]": {"1"},
		"fields_attributes[1][name]": {"b"}, "fields_attributes[1][value]": {"2"}}
	check := func(name string, resp *http.Response) {
		t.Helper()
		require.Equal(t, http.StatusOK, resp.StatusCode, name)
		assert.JSONEq(t, want, readBody(t, resp), name)
	}
	check("query", e.do(request{method: http.MethodPost, path: "/api/v1/test/echo?" + form.Encode()}))
	check("form", e.postForm("/api/v1/test/echo", form, ""))
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	mw.Close()
	check("multipart", e.do(request{method: http.MethodPost, path: "/api/v1/test/echo", body: &buf, ctype: mw.FormDataContentType()}))
	check("json", e.postJSON("/api/v1/test/echo", map[string]any{
		"status": "hi", "types": []string{"mention", "follow"}, "sensitive": true, "limit": 5,
		"poll":              map[string]any{"options": []string{"x", "y"}, "expires_in": 300, "multiple": true},
		"fields_attributes": []map[string]string{{"name": "a", "value": "1"}, {"name": "b", "value": "2"}},
	}, ""))
	// Rails-style list of objects in a form.
	resp := e.postForm("/api/v1/test/echo", url.Values{"fields_attributes[][name]": {"a", "b"}, "fields_attributes[][value]": {"1", "2"}}, "")
	assert.Contains(t, readBody(t, resp), `"fields":[{"name":"a","value":"1"},{"name":"b","value":"2"}]`)
	// Booleans as Mastodon reads them.
	for v, want := range map[string]string{"true": "true", "1": "true", "on": "true", "false": "false", "0": "false", "off": "false", "": "null"} {
		resp := e.postForm("/api/v1/test/echo", url.Values{"sensitive": {v}}, "")
		assert.Contains(t, readBody(t, resp), `"sensitive":`+want, v)
	}

	// Bad input: 4xx with a message, never 5xx.
	for _, tc := range []struct {
		name   string
		req    request
		status int
	}{
		{"malformed JSON", request{body: strings.NewReader(`{"status":`), ctype: "application/json"}, 400},
		{"JSON array", request{body: strings.NewReader(`[1,2]`), ctype: "application/json"}, 400},
		{"bad form escape", request{body: strings.NewReader(`status=%zz`), ctype: "application/x-www-form-urlencoded"}, 400},
		{"multipart without boundary", request{body: strings.NewReader(`x`), ctype: "multipart/form-data"}, 400},
		{"too large", request{body: strings.NewReader("status=" + strings.Repeat("a", 2<<20)), ctype: "application/x-www-form-urlencoded"}, 413},
		{"not an integer", request{body: strings.NewReader(`limit=ten`), ctype: "application/x-www-form-urlencoded"}, 422},
		{"too deep", request{body: strings.NewReader(`a[b][c][d][e][f][g][h][i][j]=1`), ctype: "application/x-www-form-urlencoded"}, 400},
	} {
		tc.req.method, tc.req.path = http.MethodPost, "/api/v1/test/echo"
		resp := e.do(tc.req)
		assert.Equal(t, tc.status, resp.StatusCode, tc.name)
		var body map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body), tc.name)
		assert.NotEmpty(t, body["error"], tc.name)
	}
}

func TestSignUpModes(t *testing.T) {
	signUp := func(e *env, username string) *http.Response {
		app := e.registerApp("read write")
		resp := e.postForm("/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID},
			"client_secret": {app.ClientSecret}, "scope": {"read write"}}, "")
		tok := decode[tokenResp](t, resp)
		return e.postForm("/api/v1/accounts", url.Values{"username": {username}, "email": {username + "@example.com"},
			"password": {"correct horse battery"}, "agreement": {"true"}, "locale": {"en"}, "reason": {"hi"}}, tok.AccessToken)
	}
	t.Run("open", func(t *testing.T) {
		e := newEnv(t, nil)
		resp := signUp(e, "carol")
		requireStatus(t, resp, http.StatusOK)
		tok := decode[tokenResp](t, e.validate(resp))
		resp = e.get("/api/v1/accounts/verify_credentials", tok.AccessToken)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "carol", decode[map[string]any](t, resp)["username"])
		resp = signUp(e, "carol")
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		assert.Equal(t, "Validation failed: Username is already taken", decode[oauthErr](t, resp).Error)
		resp = signUp(e, "no spaces allowed")
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		// No agreement, no account.
		app := e.registerApp("write:accounts")
		ct := decode[tokenResp](t, e.postForm("/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID},
			"client_secret": {app.ClientSecret}, "scope": {"write:accounts"}}, ""))
		resp = e.postForm("/api/v1/accounts", url.Values{"username": {"dave"}, "email": {"dave@example.com"}, "password": {"correct horse battery"}}, ct.AccessToken)
		assert.Equal(t, "Validation failed: Agreement must be accepted", decode[oauthErr](t, resp).Error)
		// A read-only app token may not sign up.
		ro := e.registerApp("read")
		rt := decode[tokenResp](t, e.postForm("/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {ro.ClientID}, "client_secret": {ro.ClientSecret}}, ""))
		resp = e.postForm("/api/v1/accounts", url.Values{"username": {"dave"}}, rt.AccessToken)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Equal(t, http.StatusUnauthorized, e.postForm("/api/v1/accounts", url.Values{"username": {"dave"}}, "").StatusCode)
	})
	t.Run("approval", func(t *testing.T) {
		e := newEnv(t, func(o *mastoapi.Options) { o.Instance.Registrations = mastoapi.RegistrationsApproval })
		resp := signUp(e, "erin")
		requireStatus(t, resp, http.StatusOK)
		tok := decode[tokenResp](t, resp)
		resp = e.get("/api/v1/accounts/verify_credentials", tok.AccessToken)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Equal(t, "Your login is currently pending approval", decode[oauthErr](t, resp).Error)
		app := e.registerApp("read")
		resp = e.postForm("/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret},
			"username": {"erin@example.com"}, "password": {"correct horse battery"}}, "")
		assert.Equal(t, "invalid_grant", decode[oauthErr](t, resp).Error)
		u, err := e.store.Users().GetByEmail(context.Background(), "erin@example.com")
		require.NoError(t, err)
		assert.False(t, u.Approved)
		assert.Equal(t, "hi", u.SignUpReason)
	})
	t.Run("closed", func(t *testing.T) {
		e := newEnv(t, func(o *mastoapi.Options) { o.Instance.Registrations = mastoapi.RegistrationsClosed })
		resp := signUp(e, "frank")
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Equal(t, "This action is not allowed", decode[oauthErr](t, resp).Error)
		_, html := getPage(t, e.browser(), e.url("/auth/sign_up"))
		assert.Contains(t, html, "closed")
	})
	t.Run("html", func(t *testing.T) {
		e := newEnv(t, nil)
		b := e.browser()
		resp, html := getPage(t, b, e.url("/auth/sign_up"))
		require.Equal(t, http.StatusOK, resp.StatusCode)
		f := formFields(t, html)
		f.Set("username", "gina")
		f.Set("email", "gina@example.com")
		f.Set("password", "short")
		f.Set("agreement", "1")
		resp, html = postPage(t, b, e.url("/auth/sign_up"), f)
		assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		assert.Contains(t, html, "Password must be at least 8 characters")
		f.Set("password", "correct horse battery")
		resp, html = postPage(t, b, e.url("/auth/sign_up"), f)
		require.Equal(t, http.StatusOK, resp.StatusCode, html)
		assert.Contains(t, html, "ready")
		f.Del("authenticity_token")
		resp, _ = postPage(t, b, e.url("/auth/sign_up"), f)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	})
}

func TestDefaultImagesAndRoutes(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range []string{"/static/avatar.png", "/static/header.png"} {
		resp := e.get(p, "")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "image/png", resp.Header.Get("Content-Type"))
		img, err := png.Decode(resp.Body)
		require.NoError(t, err)
		assert.Positive(t, img.Bounds().Dx())
	}
	routes := e.api.Routes()
	assert.Contains(t, routes, mastoapi.Route{Method: "GET", Path: "/api/v2/instance"})
	assert.Contains(t, routes, mastoapi.Route{Method: "POST", Path: "/oauth/token"})
	resp := e.get("/api/v1/nothing-here", "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, http.StatusMethodNotAllowed, e.do(request{method: http.MethodDelete, path: "/api/v1/instance"}).StatusCode)
}

func TestLinkHeader(t *testing.T) {
	q := url.Values{"limit": {"2"}, "max_id": {"999"}, "access_token": {"secret"}, "types[]": {"mention"}}
	h := mastoapi.LinkHeader("https://herd.example", "/api/v1/notifications", q, 100, 200)
	assert.Equal(t, `<https://herd.example/api/v1/notifications?limit=2&max_id=100&types%5B%5D=mention>; rel="next", `+
		`<https://herd.example/api/v1/notifications?limit=2&min_id=200&types%5B%5D=mention>; rel="prev"`, h)
	assert.NotContains(t, h, "secret")
	assert.Equal(t, "", mastoapi.LinkHeader("https://herd.example", "/x", nil, 0, 0))
	re := regexp.MustCompile(`max_id=(\d+)`)
	assert.Equal(t, "100", re.FindStringSubmatch(h)[1])
}

func TestFormatTime(t *testing.T) {
	ts := time.Date(2026, 11, 25, 20, 7, 41, 0, time.FixedZone("CET", 3600))
	assert.Equal(t, "2026-11-25T19:07:41.000Z", mastoapi.FormatTime(ts))
	assert.Equal(t, "2026-11-25T19:07:41.120Z", mastoapi.FormatTime(ts.Add(120*time.Millisecond+999)))
	assert.Equal(t, "2026-11-25", mastoapi.FormatDate(ts))
}

func TestScopes(t *testing.T) {
	s := mastoapi.ParseScopes("read write:statuses follow admin:read")
	for _, want := range []string{"read", "read:accounts", "write:statuses", "read:follows", "write:blocks", "admin:read:reports"} {
		assert.True(t, s.Allows(want), want)
	}
	for _, want := range []string{"write", "write:media", "push", "admin:write", "profile"} {
		assert.False(t, s.Allows(want), want)
	}
	assert.True(t, mastoapi.ParseScopes("read write").Covers(mastoapi.ParseScopes("read:accounts write")))
	assert.False(t, mastoapi.ParseScopes("read").Covers(mastoapi.ParseScopes("read push")))
	assert.False(t, mastoapi.ParseScopes("read bogus").Valid())
	assert.Equal(t, "read write", mastoapi.ParseScopes("read+write,read").String())
}

// BenchmarkVerifyCredentials measures an authenticated request end to end
// (token lookup, user and account loads, rate limit, JSON rendering).
func BenchmarkVerifyCredentials(b *testing.B) {
	e := newEnv(b, func(o *mastoapi.Options) { o.RateLimit.Disabled = true })
	a, _ := e.createUser("alice", "correct horse battery")
	_ = a
	app := e.registerApp("read")
	tok := e.passwordToken(app, "alice@example.com", "correct horse battery", "read").AccessToken
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/api/v1/accounts/verify_credentials", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		e.api.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
}
