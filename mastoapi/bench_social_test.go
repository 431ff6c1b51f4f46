package mastoapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// discardWriter is a ResponseWriter that keeps the status and drops the
// body (as a server's connection would), so that benchmarks do not count
// the growth of a recorder's buffer; it keeps the start of the body for
// error messages.
type discardWriter struct {
	h      http.Header
	status int
	head   []byte
}

func (w *discardWriter) Header() http.Header { return w.h }

func (w *discardWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if len(w.head) < 512 {
		w.head = append(w.head, p[:min(len(p), 512-len(w.head))]...)
	}
	return len(p), nil
}

// benchRequest serves one request in process and fails on a non-200.
func benchRequest(b *testing.B, api http.Handler, method, target, token string) {
	req := httptest.NewRequest(method, target, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := &discardWriter{h: http.Header{}}
	api.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		b.Fatalf("%s %s → %d: %s", method, target, w.status, w.head)
	}
}

// benchPost posts a form in process and fails on a non-200.
func benchPost(b *testing.B, api http.Handler, target, token string, vs url.Values) {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(vs.Encode()))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("POST %s → %d: %s", target, rec.Code, rec.Body.String())
	}
}

// homeFixture is a realistic home timeline: the viewer (bob) follows
// homeAuthors local accounts (alice among them) that posted
// homePostsPerAuthor statuses each, so the home feed is full. One in ten
// statuses is a boost of another author's status, one in seven a reply,
// one in five mentions bob, one in eleven is followers-only; bob mutes two
// authors and blocks one, so that filtering has work to do.
type homeFixture struct {
	e          *env
	bob, alice string // tokens
	authors    []*storage.Account
}

const (
	homeAuthors        = 100
	homePostsPerAuthor = 10
)

func seedHome(b *testing.B) *homeFixture {
	b.Helper()
	ctx := context.Background()
	e := newEnv(b, func(o *mastoapi.Options) { o.RateLimit.Disabled = true })
	fx := &homeFixture{e: e}
	var bobAcct, aliceAcct *storage.Account
	fx.bob, bobAcct = e.userToken("bob", "read write follow")
	fx.alice, aliceAcct = e.userToken("alice", "read write follow")
	svc := social.New(e.store, e.urls, nil)
	fx.authors = []*storage.Account{aliceAcct}
	for i := 1; i < homeAuthors; i++ {
		name := fmt.Sprintf("author%d", i)
		a := &storage.Account{Username: name, DisplayName: "Author " + name, URI: e.urls.Actor(name), URL: e.urls.Profile(name),
			InboxURI: e.urls.Inbox(name), OutboxURI: e.urls.Outbox(name), FollowersURI: e.urls.Followers(name),
			FollowingURI: e.urls.Following(name), Note: "<p>I post things.</p>", Discoverable: true, Indexable: true}
		if err := e.store.Accounts().Create(ctx, a); err != nil {
			b.Fatal(err)
		}
		fx.authors = append(fx.authors, a)
	}
	for _, a := range fx.authors {
		if _, err := svc.Follow(ctx, bobAcct, a.ID, social.FollowOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	var posted []*storage.Status
	n := 0
	for round := 0; round < homePostsPerAuthor; round++ {
		for _, a := range fx.authors {
			n++
			var err error
			var st *storage.Status
			switch {
			case n%10 == 0 && len(posted) > 50:
				st, err = svc.Reblog(ctx, a, posted[len(posted)-37].ID, social.ReblogInput{})
				if err != nil && strings.Contains(err.Error(), "already") {
					continue
				}
			default:
				in := social.PostInput{Text: fmt.Sprintf("Status %d with a #tag and a link https://example.com/%d", n, n)}
				if n%5 == 0 {
					in.Text = "@bob " + in.Text
				}
				if n%7 == 0 && len(posted) > 0 {
					in.InReplyToID = posted[len(posted)-1].ID
				}
				if n%11 == 0 {
					in.Visibility = storage.VisibilityPrivate
				}
				st, err = svc.PostStatus(ctx, a, in)
			}
			if err != nil {
				b.Fatal(err)
			}
			if st.ReblogOfID == 0 && st.Visibility == storage.VisibilityPublic {
				posted = append(posted, st)
			}
		}
	}
	// Mute two authors and block one: their statuses (and boosts of them)
	// are filtered out at read time.
	for _, i := range []int{3, 4} {
		if _, err := svc.Mute(ctx, bobAcct, fx.authors[i].ID, social.MuteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := svc.Block(ctx, bobAcct, fx.authors[5].ID); err != nil {
		b.Fatal(err)
	}
	return fx
}

// BenchmarkHomeTimeline renders the newest home timeline page of 20
// statuses for a viewer following 100 accounts with a full feed (1,000
// statuses, with boosts, replies, mentions, private posts, mutes and a
// block), in process on SQLite.
func BenchmarkHomeTimeline(b *testing.B) {
	fx := seedHome(b)
	b.ReportAllocs()
	for b.Loop() {
		benchRequest(b, fx.e.api, http.MethodGet, "/api/v1/timelines/home?limit=20", fx.bob)
	}
}

// BenchmarkPublicTimelineLocal renders the local public timeline (20
// statuses) for a signed-in viewer, on the same data as
// BenchmarkHomeTimeline.
func BenchmarkPublicTimelineLocal(b *testing.B) {
	fx := seedHome(b)
	b.ReportAllocs()
	for b.Loop() {
		benchRequest(b, fx.e.api, http.MethodGet, "/api/v1/timelines/public?local=true", fx.bob)
	}
}

// BenchmarkPostStatus posts a public status by an author with one local
// follower (fan-out to its home feed), on the same data as
// BenchmarkHomeTimeline.
func BenchmarkPostStatus(b *testing.B) {
	fx := seedHome(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		benchPost(b, fx.e.api, "/api/v1/statuses", fx.alice, url.Values{"status": {fmt.Sprintf("benchmark post %d #bench", i)}})
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
	b.ReportAllocs()
	for b.Loop() {
		benchRequest(b, e.api, http.MethodGet, "/api/v1/notifications?limit=40", alice)
	}
}
