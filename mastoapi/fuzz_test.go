package mastoapi_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
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

// FuzzSocialRoutes throws arbitrary requests at the endpoints over the
// social core with a valid token: bad parameters get 4xx, never 5xx.
func FuzzSocialRoutes(f *testing.F) {
	e := newEnv(f, func(o *mastoapi.Options) { o.RateLimit.Disabled = true })
	tok, acct := e.userToken("alice", "read write follow")
	_, bob := e.createUser("bob", "correct horse battery")
	st := e.post(tok, "seed #tag")["id"].(string)
	bobID := bob.AccountID.String()
	list := e.postObj("/api/v1/lists", tok, url.Values{"title": {"seed"}}, http.StatusOK)["id"].(string)
	seeds := []struct{ method, path, query, ctype, body string }{
		{"POST", "/api/v1/lists", "", "application/json", `{"title":["a"],"replies_policy":{},"exclusive":"maybe"}`},
		{"PUT", "/api/v1/lists/" + list, "", "application/x-www-form-urlencoded", "title=%00&replies_policy=all"},
		{"POST", "/api/v1/lists/" + list + "/accounts", "", "application/json", `{"account_ids":[1,"x",{}]}`},
		{"DELETE", "/api/v1/lists/" + list + "/accounts", "account_ids[]=" + bobID + "&account_ids[][x]=1", "", ""},
		{"GET", "/api/v1/lists/" + list + "/accounts", "limit=0&max_id=-1", "", ""},
		{"GET", "/api/v1/timelines/list/" + list, "since_id=1&limit=99999999999999999999", "", ""},
		{"POST", "/api/v1/statuses", "", "application/x-www-form-urlencoded", "status=hi&visibility=private&in_reply_to_id=" + st},
		{"POST", "/api/v1/statuses", "", "application/json", `{"status":"x","poll":{"options":["a"]},"media_ids":[1,{}],"sensitive":{}}`},
		{"PUT", "/api/v1/statuses/" + st, "", "application/json", `{"status":["a","b"],"spoiler_text":null}`},
		{"GET", "/api/v1/statuses", "id[]=1&id[]=x&id[][a]=2", "", ""},
		{"POST", "/api/v1/statuses/" + st + "/reblog", "visibility=direct", "", ""},
		{"GET", "/api/v1/timelines/home", "max_id=1&min_id=99999999999999999999&limit=-5", "", ""},
		{"GET", "/api/v1/timelines/tag/%00", "any[]=a&all[][x]=b&none=", "", ""},
		{"GET", "/api/v1/timelines/public", "local=maybe&remote=1&only_media[]=1", "", ""},
		{"GET", "/api/v1/accounts/" + acct.ID.String() + "/statuses", "pinned=1&tagged=%23&exclude_replies=yes", "", ""},
		{"POST", "/api/v1/accounts/" + bobID + "/follow", "", "application/json", `{"languages":"en","reblogs":[]}`},
		{"POST", "/api/v1/accounts/" + bobID + "/mute", "duration=99999999999999999999", "", ""},
		{"GET", "/api/v1/accounts/relationships", "id=1&id[]=" + bobID, "", ""},
		{"PATCH", "/api/v1/accounts/update_credentials", "", "application/x-www-form-urlencoded", "fields_attributes[x][name]=1&source=2&source[privacy]=&note=%F0"},
		{"GET", "/api/v1/notifications", "types[]=mention&exclude_types=x&account_id=q", "", ""},
		{"GET", "/api/v2/notifications/favourite-1-2/accounts", "", "", ""},
		{"POST", "/api/v1/markers", "", "application/json", `{"home":{"last_read_id":{}},"notifications":"x"}`},
		{"GET", "/api/v2/search", "q=%40a%40b&resolve=true&type=all&offset=-1&limit=1000", "", ""},
		{"DELETE", "/api/v1/domain_blocks", "domain=", "", ""},
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
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		e.api.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s (%s) → %d: %s", method, path, query, ctype, rec.Code, rec.Body.String())
		}
	})
}
