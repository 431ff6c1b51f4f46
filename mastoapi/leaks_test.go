package mastoapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
	"github.com/herd-social/herd/timeline"
)

// The tests of this file check that the user safety tools leave nothing
// through: each of the four sentences of issue 8's Tests section maps to
// one test (the fourth, inbox refusals, lives in package federation:
// TestInboxRefusesBlockedHost, with the signed-fetch counterpart
// TestBlockedAccountCannotFetchBlockersDocuments).

// streamEnv is an env whose API also serves the streaming API, wired as
// herd serve wires it.
type streamEnv struct {
	*env
}

func newStreamEnv(t *testing.T) *streamEnv {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herd.db"), &sqlite.Options{CheckSharedRecords: true})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	hub := timeline.NewMemoryHub()
	e := &env{t: t, store: st, clock: &clock{t: time.Now().UTC()}}
	mux := http.NewServeMux()
	e.srv = httptest.NewServer(mux)
	e.urls, err = social.NewURLs(e.srv.URL)
	require.NoError(t, err)
	var svc *social.Service
	pub := streaming.NewPublisher(hub, st, &streaming.PublisherOptions{
		Limited: func(ctx context.Context, a *storage.Account) bool { return svc.Limited(ctx, a) }})
	svc = social.New(st, e.urls, &social.Options{Events: pub})
	e.api = mastoapi.New(st, svc, e.urls, &mastoapi.Options{Now: e.clock.Now, RateLimit: mastoapi.RateLimit{Disabled: true}})
	auth := streaming.AuthenticatorFunc(func(ctx context.Context, token string) (*storage.Account, []string, error) {
		acct, scopes, err := e.api.StreamAuthenticate(ctx, token)
		if errors.Is(err, mastoapi.ErrInvalidToken) {
			return nil, nil, fmt.Errorf("%w: %v", streaming.ErrInvalidToken, err)
		}
		return acct, scopes, err
	})
	mux.Handle("/api/v1/streaming", streaming.New(hub, auth, apiRenderer{e.api}, &streaming.Options{RenderCacheTTL: -1}))
	mux.Handle("/", e.api)
	t.Cleanup(e.srv.Close)
	t.Cleanup(func() { hub.Close() })
	return &streamEnv{e}
}

type wsFrame struct {
	Stream  []string `json:"stream"`
	Event   string   `json:"event"`
	Payload *string  `json:"payload"`
}

// dial opens a WebSocket stream (query: "stream=public" …).
func (e *streamEnv) dial(token, query string) *websocket.Conn {
	e.t.Helper()
	u := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/streaming?access_token=" + token + "&" + query
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, u, nil)
	require.NoError(e.t, err)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	e.t.Cleanup(func() { c.CloseNow() })
	return c
}

// next reads the next frame with a status payload and returns the
// status's id and content.
func (e *streamEnv) next(c *websocket.Conn) (event, id, content string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	require.NoError(e.t, err)
	var f wsFrame
	require.NoError(e.t, json.Unmarshal(b, &f), "%s", b)
	if f.Payload == nil {
		return f.Event, "", ""
	}
	var m obj
	if json.Unmarshal([]byte(*f.Payload), &m) != nil {
		return f.Event, *f.Payload, ""
	}
	if st, ok := m["status"].(obj); ok { // a notification
		return f.Event, fmt.Sprint(m["id"]), fmt.Sprint(st["content"])
	}
	return f.Event, fmt.Sprint(m["id"]), fmt.Sprint(m["content"])
}

// contentsOf lists the contents of a list of statuses.
func contentsOf(list []any) string {
	var b strings.Builder
	for _, x := range list {
		st := x.(obj)
		b.WriteString(fmt.Sprint(st["content"]))
		if r, ok := st["reblog"].(obj); ok {
			b.WriteString(fmt.Sprint(r["content"]))
		}
		if s, ok := st["status"].(obj); ok {
			b.WriteString(fmt.Sprint(s["content"]))
		}
		if a, ok := st["account"].(obj); ok {
			b.WriteString(" by " + fmt.Sprint(a["username"]) + "\n")
		}
	}
	return b.String()
}

// TestBlockedAccountCannotSeeBlockersPosts: once alice blocks bob, bob
// sees none of alice's posts (nor alice herself) through the API —
// statuses, threads, timelines, profiles, lists of accounts, search,
// notifications — nor through streaming, and alice sees none of bob's.
func TestBlockedAccountCannotSeeBlockersPosts(t *testing.T) {
	e := newStreamEnv(t)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, bobAcct := e.userToken("bob", "read write follow")
	carol, carolAcct := e.userToken("carol", "read write follow")
	aid, bid, cid := aliceAcct.ID.String(), bobAcct.ID.String(), carolAcct.ID.String()

	// Before the block: bob follows alice, alice follows carol, alice
	// interacts with bob's and carol's posts (notifications for bob).
	e.postObj("/api/v1/accounts/"+aid+"/follow", bob, nil, http.StatusOK)
	e.postObj("/api/v1/accounts/"+cid+"/follow", alice, nil, http.StatusOK)
	e.postObj("/api/v1/accounts/"+cid+"/follow", bob, nil, http.StatusOK)
	pub := e.post(alice, "alicesecret public #leaks")["id"].(string)
	e.post(alice, "alicesecret unlisted", "visibility", "unlisted")
	e.post(alice, "alicesecret private", "visibility", "private")
	root := e.post(carol, "carol root #leaks")["id"].(string)
	e.post(alice, "alicesecret reply", "in_reply_to_id", root)
	e.postObj("/api/v1/statuses/"+root+"/favourite", alice, nil, http.StatusOK)
	e.postObj("/api/v1/statuses/"+root+"/reblog", alice, nil, http.StatusOK)
	bobPost := e.post(bob, "bobsecret hello")["id"].(string)
	e.postObj("/api/v1/statuses/"+bobPost+"/favourite", alice, nil, http.StatusOK)
	e.post(alice, "@bob alicesecret mention before")
	require.NotEmpty(t, e.getList("/api/v1/notifications", bob), "bob was notified before the block")

	e.postObj("/api/v1/accounts/"+bid+"/block", alice, nil, http.StatusOK)
	e.post(alice, "@bob alicesecret mention after")

	// Bob's streams, opened after the block.
	streams := map[string]*websocket.Conn{
		"user": e.dial(bob, "stream=user"), "public": e.dial(bob, "stream=public"), "public:local": e.dial(bob, "stream=public:local"),
		"hashtag": e.dial(bob, "stream=hashtag&tag=leaks"),
	}

	for _, c := range []struct{ name, path string }{
		{"home", "/api/v1/timelines/home"},
		{"public", "/api/v1/timelines/public"},
		{"local", "/api/v1/timelines/public?local=true"},
		{"hashtag", "/api/v1/timelines/tag/leaks"},
		{"account statuses", "/api/v1/accounts/" + aid + "/statuses"},
		{"account statuses pinned", "/api/v1/accounts/" + aid + "/statuses?pinned=true"},
		{"thread", "/api/v1/statuses/" + root + "/context"},
		{"notifications", "/api/v1/notifications"},
		{"grouped notifications", "/api/v2/notifications"},
		{"search statuses", "/api/v2/search?type=statuses&q=alicesecret"},
		{"search accounts", "/api/v2/search?type=accounts&q=alice"},
		{"favourited_by", "/api/v1/statuses/" + root + "/favourited_by"},
		{"reblogged_by", "/api/v1/statuses/" + root + "/reblogged_by"},
		{"followers of carol", "/api/v1/accounts/" + cid + "/followers"},
		{"conversations", "/api/v1/conversations"},
		{"favourites", "/api/v1/favourites"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := e.get(c.path, bob)
			requireStatus(t, resp, http.StatusOK)
			body := readBody(t, resp)
			assert.NotContains(t, body, "alicesecret", "%s leaks alice's posts", c.path)
			assert.NotContains(t, body, `"username":"alice"`, "%s leaks alice", c.path)
		})
	}
	for _, path := range []string{"/api/v1/statuses/" + pub, "/api/v1/statuses/" + pub + "/context",
		"/api/v1/statuses/" + pub + "/favourited_by", "/api/v1/statuses/" + pub + "/reblogged_by"} {
		e.call(http.MethodGet, path, bob, nil, http.StatusNotFound)
	}
	// Both directions: alice no longer sees bob's posts either.
	e.call(http.MethodGet, "/api/v1/statuses/"+bobPost, alice, nil, http.StatusNotFound)
	assert.Empty(t, e.getList("/api/v1/accounts/"+bid+"/statuses", alice))
	// Unread counts agree with the lists.
	assert.Equal(t, 0.0, e.getObj("/api/v1/notifications/unread_count", bob, http.StatusOK)["count"])
	assert.Equal(t, 0.0, e.getObj("/api/v2/notifications/unread_count", bob, http.StatusOK)["count"])

	// Streaming: alice posts, then carol posts a sentinel; the first event
	// of each of bob's streams is carol's.
	e.post(alice, "alicesecret streamed #leaks")
	e.post(alice, "@bob alicesecret streamed mention")
	sentinel := e.post(carol, "carol sentinel #leaks")["id"].(string)
	for name, c := range streams {
		ev, id, content := e.next(c)
		assert.Equal(t, "update", ev, name)
		assert.Equal(t, sentinel, id, "%s: first event is %q", name, content)
	}
}

// TestMutedAccountAbsentFromHomeAndNotifications: a muted account's posts
// leave the home timeline and its streams, its notifications are hidden
// (unless the mute keeps them), and its posts stay on its profile; a mute
// with a duration ends by itself.
func TestMutedAccountAbsentFromHomeAndNotifications(t *testing.T) {
	e := newStreamEnv(t)
	alice, _ := e.userToken("alice", "read write follow")
	bob, bobAcct := e.userToken("bob", "read write follow")
	carol, carolAcct := e.userToken("carol", "read write follow")
	bid := bobAcct.ID.String()
	e.postObj("/api/v1/accounts/"+bid+"/follow", alice, nil, http.StatusOK)
	e.postObj("/api/v1/accounts/"+carolAcct.ID.String()+"/follow", alice, nil, http.StatusOK)
	before := e.post(bob, "bobmuted before")["id"].(string)
	e.post(bob, "@alice bobmuted mention before")

	rel := e.postObj("/api/v1/accounts/"+bid+"/mute", alice, url.Values{"duration": {"3600"}}, http.StatusOK)
	assert.Equal(t, true, rel["muting"])
	assert.Equal(t, true, rel["muting_notifications"])
	mutes := e.getList("/api/v1/mutes", alice)
	require.Len(t, mutes, 1)
	assert.NotNil(t, mutes[0].(obj)["mute_expires_at"])

	user := e.dial(alice, "stream=user")
	e.post(bob, "bobmuted after")
	e.post(bob, "@alice bobmuted mention after")
	boosted := e.post(carol, "carol post")["id"].(string)
	e.postObj("/api/v1/statuses/"+boosted+"/reblog", bob, nil, http.StatusOK)
	sentinel := e.post(carol, "carol sentinel")["id"].(string)

	for _, path := range []string{"/api/v1/timelines/home", "/api/v1/notifications", "/api/v2/notifications"} {
		resp := e.get(path, alice)
		requireStatus(t, resp, http.StatusOK)
		assert.NotContains(t, readBody(t, resp), "bobmuted", path)
	}
	assert.Equal(t, 0.0, e.getObj("/api/v1/notifications/unread_count", alice, http.StatusOK)["count"])
	ev, id, content := e.next(user)
	assert.Equal(t, "update", ev)
	assert.Equal(t, boosted, id, "first streamed: %q (not bob's post, mention or boost)", content)
	_, id, _ = e.next(user)
	assert.Equal(t, sentinel, id)

	// Still on bob's profile and the status itself.
	assert.Contains(t, contentsOf(e.getList("/api/v1/accounts/"+bid+"/statuses", alice)), "bobmuted after")
	e.getObj("/api/v1/statuses/"+before, alice, http.StatusOK)

	// A mute that keeps notifications: the mention shows, home still not.
	e.postObj("/api/v1/accounts/"+bid+"/mute", alice, url.Values{"notifications": {"false"}}, http.StatusOK)
	assert.Contains(t, contentsOf(e.getList("/api/v1/notifications", alice)), "bobmuted mention before",
		"notifications made before the mute show again")
	e.post(bob, "@alice bobmuted mention kept")
	assert.Contains(t, contentsOf(e.getList("/api/v1/notifications", alice)), "bobmuted mention kept")
	assert.NotContains(t, contentsOf(e.getList("/api/v1/timelines/home", alice)), "bobmuted")

	// Unmuted: bob's new posts come back.
	e.postObj("/api/v1/accounts/"+bid+"/unmute", alice, nil, http.StatusOK)
	e.post(bob, "bobback")
	assert.Contains(t, contentsOf(e.getList("/api/v1/timelines/home", alice)), "bobback")

	// A mute with a duration ends by itself (durations are in seconds).
	e.postObj("/api/v1/accounts/"+bid+"/mute", alice, url.Values{"duration": {"1"}}, http.StatusOK)
	e.post(bob, "@alice bobmuted briefly")
	assert.NotContains(t, contentsOf(e.getList("/api/v1/notifications", alice)), "bobmuted briefly")
	time.Sleep(1100 * time.Millisecond)
	rels := e.getList("/api/v1/accounts/relationships?id[]="+bid, alice)
	assert.Equal(t, false, rels[0].(obj)["muting"], "the mute expired")
	e.post(bob, "@alice bobfree again")
	assert.Contains(t, contentsOf(e.getList("/api/v1/notifications", alice)), "bobfree again")
}

// TestFilteredKeywordHidesOrWarnsInEachContext: a keyword filter with the
// "hide" action drops matching statuses in each of its contexts, one with
// "warn" marks them with "filtered"; outside its contexts a filter does
// nothing to the listing.
func TestFilteredKeywordHidesOrWarnsInEachContext(t *testing.T) {
	type where struct {
		context string
		read    func(e *env, viewer string, bob *storage.Account, root string) []any
	}
	contexts := []where{
		{"home", func(e *env, v string, _ *storage.Account, _ string) []any {
			return e.getList("/api/v1/timelines/home", v)
		}},
		{"public", func(e *env, v string, _ *storage.Account, _ string) []any {
			return e.getList("/api/v1/timelines/public", v)
		}},
		{"account", func(e *env, v string, b *storage.Account, _ string) []any {
			return e.getList("/api/v1/accounts/"+b.ID.String()+"/statuses", v)
		}},
		{"thread", func(e *env, v string, _ *storage.Account, root string) []any {
			return e.getObj("/api/v1/statuses/"+root+"/context", v, http.StatusOK)["descendants"].([]any)
		}},
		{"notifications", func(e *env, v string, _ *storage.Account, _ string) []any {
			var out []any
			for _, n := range e.getList("/api/v1/notifications?types[]=mention", v) {
				out = append(out, n.(obj)["status"])
			}
			return out
		}},
	}
	for _, c := range contexts {
		for _, action := range []string{"hide", "warn"} {
			t.Run(c.context+"/"+action, func(t *testing.T) {
				e := newEnv(t, nil)
				alice, _ := e.userToken("alice", "read write follow")
				bob, bobAcct := e.userToken("bob", "read write follow")
				e.postObj("/api/v1/accounts/"+bobAcct.ID.String()+"/follow", alice, nil, http.StatusOK)
				e.sendJSON(http.MethodPost, "/api/v2/filters", alice, obj{"title": "Spoilers", "context": []string{c.context},
					"filter_action": action, "keywords_attributes": []obj{{"keyword": "spoiler", "whole_word": true}}}, http.StatusOK)
				root := e.post(bob, "@alice a thread")["id"].(string)
				match := e.post(bob, "@alice big spoiler here", "in_reply_to_id", root)["id"].(string)
				other := e.post(bob, "@alice spoilers are not whole words", "in_reply_to_id", root)["id"].(string)

				got := byID(c.read(e.env(), alice, bobAcct, root))
				require.Contains(t, got, other, "a non-matching status stays")
				assert.Empty(t, filterOf(t, got[other]))
				if action == "hide" {
					assert.NotContains(t, got, match, "hidden in %s", c.context)
				} else {
					require.Contains(t, got, match, "warned, not hidden, in %s", c.context)
					assert.Equal(t, []string{"Spoilers:warn"}, filterOf(t, got[match]))
				}
				// Another context is not affected by the filter's action.
				if c.context != "account" {
					acct := byID(e.getList("/api/v1/accounts/"+bobAcct.ID.String()+"/statuses", alice))
					assert.Contains(t, acct, match, "not hidden outside its context")
				}
			})
		}
	}
}

// env returns e itself (lets table entries take an *env).
func (e *env) env() *env { return e }

// TestLimitedAccountHiddenFromNonFollowers: a limited (silenced) account's
// posts stay off public timelines and public streams, its replies out of
// the threads of those who do not follow it, and its notifications to
// non-followers are not created; its followers still see it.
func TestLimitedAccountHiddenFromNonFollowers(t *testing.T) {
	e := newStreamEnv(t)
	alice, _ := e.userToken("alice", "read write follow")
	bob, bobAcct := e.userToken("bob", "read write follow")
	carol, carolAcct := e.userToken("carol", "read write follow")
	bid := bobAcct.ID.String()
	e.postObj("/api/v1/accounts/"+bid+"/follow", carol, nil, http.StatusOK)
	root := e.post(carol, "carol root")["id"].(string)
	e.post(bob, "@carol bobearly", "in_reply_to_id", root)

	ctx := context.Background()
	b, err := e.store.Accounts().Get(ctx, bobAcct.ID)
	require.NoError(t, err)
	now := time.Now().UTC()
	b.SilencedAt = &now
	require.NoError(t, e.store.Accounts().Update(ctx, b))

	public := e.dial(alice, "stream=public")
	e.post(bob, "@alice boblimited public")
	e.post(bob, "boblimited reply", "in_reply_to_id", root)
	sentinel := e.post(carol, "carol sentinel")["id"].(string)

	for _, path := range []string{"/api/v1/timelines/public", "/api/v1/notifications", "/api/v1/statuses/" + root + "/context"} {
		resp := e.get(path, alice)
		requireStatus(t, resp, http.StatusOK)
		body := readBody(t, resp)
		assert.NotContains(t, body, "boblimited", path)
		assert.NotContains(t, body, "bobearly", path)
	}
	_, id, content := e.next(public)
	assert.Equal(t, sentinel, id, "first public event: %q", content)
	// A follower still sees bob in its home and in threads.
	assert.Contains(t, contentsOf(e.getList("/api/v1/timelines/home", carol)), "boblimited public")
	assert.Contains(t, contentsOf(e.getObj("/api/v1/statuses/"+root+"/context", carol, http.StatusOK)["descendants"].([]any)), "boblimited reply")
	_ = carolAcct
}
