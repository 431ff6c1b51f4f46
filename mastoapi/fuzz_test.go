package mastoapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/herd-social/herd/mastoapi"
)

// FuzzRouter throws arbitrary methods, paths, queries and bodies at the
// API: it must never panic nor answer 5xx.
func FuzzRouter(f *testing.F) {
	e := newEnv(f, func(o *mastoapi.Options) { o.RateLimit.Disabled = true })
	seeds := []struct{ method, path, query, ctype, body string }{
		{"GET", "/api/v1/instance", "", "", ""},
		{"POST", "/api/v1/apps", "client_name=x", "application/x-www-form-urlencoded", "redirect_uris=myapp://cb&scopes=read"},
		{"POST", "/api/v1/apps", "", "application/json", `{"client_name":"x","redirect_uris":["a://b"],"scopes":["read"]}`},
		{"POST", "/oauth/token", "", "application/x-www-form-urlencoded", "grant_type=authorization_code&code=x&client_id=y"},
		{"POST", "/oauth/token", "", "application/json", `{"grant_type":"password","username":1,"password":null}`},
		{"GET", "/oauth/authorize", "response_type=code&client_id=x&redirect_uri=urn:ietf:wg:oauth:2.0:oob", "", ""},
		{"POST", "/oauth/authorize", "", "application/x-www-form-urlencoded", "step=sign_in&email=a&password=b"},
		{"POST", "/oauth/revoke", "", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc\r\n--x--\r\n"},
		{"GET", "/api/v1/accounts/lookup", "acct=@@@", "", ""},
		{"GET", "/api/v1/accounts/99999999999999999999", "", "", ""},
		{"POST", "/api/v1/accounts", "access_token=x", "application/json", `{"username":[1,{}]}`},
		{"POST", "/auth/sign_up", "", "application/x-www-form-urlencoded", "a[b][][c]=1&a[b][][c]=2&a[]=3"},
		{"OPTIONS", "/api/v1/statuses", "", "", ""},
		{"GET", "/api/v1/preferences", "access_token=%zz", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.ctype, s.body)
	}
	f.Fuzz(func(t *testing.T, method, path, query, ctype, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req := httptest.NewRequest(http.MethodGet, "/", strings.NewReader(body))
		req.Method = method
		req.URL.Path = path
		req.URL.RawQuery = query
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if strings.Contains(query, "auth") {
			req.Header.Set("Authorization", "Bearer "+query)
		}
		rec := httptest.NewRecorder()
		e.api.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s (%s) → %d: %s", method, path, query, ctype, rec.Code, rec.Body.String())
		}
	})
}
