package mastoapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/herd-social/herd/mastoapi"
)

// benchRequest serves one request in process and fails on a non-200.
func benchRequest(b *testing.B, api http.Handler, method, target, token string) {
	req := httptest.NewRequest(method, target, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s %s → %d: %s", method, target, rec.Code, rec.Body.String())
	}
}

// BenchmarkHomeTimeline renders a home timeline page of 20 statuses (with
// boosts, replies and mentions) for a follower, in process on SQLite.
func BenchmarkHomeTimeline(b *testing.B) {
	e := newEnv(b, func(o *mastoapi.Options) { o.RateLimit.Disabled = true })
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, _ := e.userToken("bob", "read write follow")
	e.postObj("/api/v1/accounts/"+aliceAcct.ID.String()+"/follow", bob, nil, http.StatusOK)
	var last string
	for i := 0; i < 40; i++ {
		extra := []string{}
		if last != "" && i%3 == 0 {
			extra = []string{"in_reply_to_id", last}
		}
		last = e.post(alice, "@bob a post with a #tag and https://example.com/link", extra...)["id"].(string)
		if i%5 == 0 {
			e.postObj("/api/v1/statuses/"+last+"/reblog", alice, nil, http.StatusOK)
		}
	}
	b.ResetTimer()
	b.ReportAllocs()
	for b.Loop() {
		benchRequest(b, e.api, http.MethodGet, "/api/v1/timelines/home?limit=20", bob)
	}
}

// BenchmarkNotifications renders a page of 40 notifications.
func BenchmarkNotifications(b *testing.B) {
	e := newEnv(b, func(o *mastoapi.Options) { o.RateLimit.Disabled = true })
	alice, _ := e.userToken("alice", "read write follow")
	bob, _ := e.userToken("bob", "read write follow")
	for i := 0; i < 40; i++ {
		id := e.post(alice, "post")["id"].(string)
		e.postObj("/api/v1/statuses/"+id+"/favourite", bob, nil, http.StatusOK)
	}
	b.ResetTimer()
	b.ReportAllocs()
	for b.Loop() {
		benchRequest(b, e.api, http.MethodGet, "/api/v1/notifications?limit=40", alice)
	}
}
