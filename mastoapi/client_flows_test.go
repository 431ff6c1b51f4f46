package mastoapi_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-mastodon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/storage"
)

// goMasto is a server with three users signed in through go-mastodon, for
// the flows below that go on from TestGoMastodonFlow.
type goMasto struct {
	app                     *mastodon.Application
	t                       *testing.T
	e                       *env
	ctx                     context.Context
	alice, bob, carol       *mastodon.Client
	aliceID, bobID, carolID mastodon.ID
}

func newGoMasto(t *testing.T, mod func(*mastoapi.Options)) *goMasto {
	t.Helper()
	e := newEnv(t, mod)
	ctx := context.Background()
	for _, name := range []string{"alice", "bob", "carol"} {
		e.createUser(name, "correct horse battery")
	}
	app, err := mastodon.RegisterApp(ctx, &mastodon.AppConfig{
		Server: e.srv.URL, ClientName: "flows", Scopes: "read write follow push", RedirectURIs: "urn:ietf:wg:oauth:2.0:oob",
	})
	require.NoError(t, err)
	g := &goMasto{t: t, e: e, ctx: ctx, app: app}
	signIn := func(name string) (*mastodon.Client, mastodon.ID) {
		c := mastodon.NewClient(&mastodon.Config{Server: e.srv.URL, ClientID: app.ClientID, ClientSecret: app.ClientSecret})
		require.NoError(t, c.Authenticate(ctx, name+"@example.com", "correct horse battery"))
		me, err := c.GetAccountCurrentUser(ctx)
		require.NoError(t, err)
		return c, me.ID
	}
	g.alice, g.aliceID = signIn("alice")
	g.bob, g.bobID = signIn("bob")
	g.carol, g.carolID = signIn("carol")
	return g
}

// raw sends a request go-mastodon has no method for through the client's
// own HTTP client and token: form parameters in the query for GET and
// DELETE, in the body otherwise. It returns the status code and decodes a
// 200 response into out (when not nil).
func (g *goMasto) raw(c *mastodon.Client, method, path string, form url.Values, out any) int {
	g.t.Helper()
	u := c.Config.Server + path
	var body io.Reader
	if form != nil {
		if method == http.MethodGet || method == http.MethodDelete {
			u += "?" + form.Encode()
		} else {
			body = strings.NewReader(form.Encode())
		}
	}
	req, err := http.NewRequestWithContext(g.ctx, method, u, body)
	require.NoError(g.t, err)
	req.Header.Set("Authorization", "Bearer "+c.Config.AccessToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	require.NoError(g.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(g.t, err)
	if resp.StatusCode == http.StatusOK && out != nil {
		require.NoError(g.t, json.Unmarshal(b, out), "%s %s: %s", method, path, b)
	}
	return resp.StatusCode
}

func (g *goMasto) post(c *mastodon.Client, toot *mastodon.Toot) *mastodon.Status {
	g.t.Helper()
	st, err := c.PostStatus(g.ctx, toot)
	require.NoError(g.t, err)
	return st
}

func (g *goMasto) follow(c *mastodon.Client, id mastodon.ID) {
	g.t.Helper()
	rel, err := c.AccountFollow(g.ctx, id)
	require.NoError(g.t, err)
	require.True(g.t, rel.Following)
}

func (g *goMasto) home(c *mastodon.Client) []mastodon.ID {
	g.t.Helper()
	sts, err := c.GetTimelineHome(g.ctx, &mastodon.Pagination{Limit: 40})
	require.NoError(g.t, err)
	return statusIDs(sts)
}

// notifiers lists "type:account" of c's notifications.
func (g *goMasto) notifiers(c *mastodon.Client) []string {
	g.t.Helper()
	ns, err := c.GetNotifications(g.ctx, nil)
	require.NoError(g.t, err)
	out := []string{}
	for _, n := range ns {
		out = append(out, n.Type+":"+n.Account.Acct)
	}
	return out
}

func (g *goMasto) thread(c *mastodon.Client, id mastodon.ID) (anc, desc []mastodon.ID) {
	g.t.Helper()
	ctxt, err := c.GetStatusContext(g.ctx, id)
	require.NoError(g.t, err)
	return statusIDs(ctxt.Ancestors), statusIDs(ctxt.Descendants)
}

func statusIDs(sts []*mastodon.Status) []mastodon.ID {
	out := []mastodon.ID{}
	for _, s := range sts {
		out = append(out, s.ID)
	}
	return out
}

// TestGoMastodonBlockFlow blocks and unblocks through go-mastodon, and
// checks that the blocked account's home timeline, notifications, thread
// and profile view show nothing of the blocker meanwhile.
func TestGoMastodonBlockFlow(t *testing.T) {
	g := newGoMasto(t, nil)
	ctx := g.ctx
	g.follow(g.bob, g.aliceID)
	g.follow(g.alice, g.bobID)
	hello := g.post(g.alice, &mastodon.Toot{Status: "hello from alice"})
	root := g.post(g.bob, &mastodon.Toot{Status: "bob's question"})
	reply := g.post(g.alice, &mastodon.Toot{Status: "@bob an answer", InReplyToID: root.ID})
	_, err := g.alice.Favourite(ctx, root.ID)
	require.NoError(t, err)
	require.Contains(t, g.home(g.bob), hello.ID)
	require.Contains(t, g.home(g.bob), reply.ID, "a reply to bob from someone he follows")
	require.ElementsMatch(t, []string{"follow:alice", "mention:alice", "favourite:alice"}, g.notifiers(g.bob))
	_, desc := g.thread(g.bob, root.ID)
	require.Equal(t, []mastodon.ID{reply.ID}, desc)

	rel, err := g.alice.AccountBlock(ctx, g.bobID)
	require.NoError(t, err)
	assert.True(t, rel.Blocking)
	assert.False(t, rel.Following, "a block ends the follows both ways")
	assert.False(t, rel.FollowedBy)
	var rels []struct {
		ID        string `json:"id"`
		BlockedBy bool   `json:"blocked_by"`
	}
	require.Equal(t, http.StatusOK, g.raw(g.bob, http.MethodGet, "/api/v1/accounts/relationships", url.Values{"id[]": {string(g.aliceID)}}, &rels))
	require.Len(t, rels, 1)
	assert.True(t, rels[0].BlockedBy)
	blocks, err := g.alice.GetBlocks(ctx, nil)
	require.NoError(t, err)
	require.Len(t, blocks, 1)
	assert.Equal(t, g.bobID, blocks[0].ID)

	// The blocked account sees nothing of the blocker.
	assert.NotContains(t, g.home(g.bob), hello.ID)
	assert.NotContains(t, g.home(g.bob), reply.ID)
	assert.Empty(t, g.notifiers(g.bob))
	_, desc = g.thread(g.bob, root.ID)
	assert.Empty(t, desc)
	_, err = g.bob.GetStatus(ctx, hello.ID)
	assert.Error(t, err)
	sts, err := g.bob.GetAccountStatuses(ctx, g.aliceID, nil)
	require.NoError(t, err)
	assert.Empty(t, sts)
	// Nor does the blocker see the blocked.
	assert.NotContains(t, g.home(g.alice), root.ID)
	_, err = g.alice.Favourite(ctx, root.ID)
	assert.Error(t, err)

	rel, err = g.alice.AccountUnblock(ctx, g.bobID)
	require.NoError(t, err)
	assert.False(t, rel.Blocking)
	blocks, err = g.alice.GetBlocks(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, blocks)
	_, err = g.bob.GetStatus(ctx, hello.ID)
	assert.NoError(t, err)
	_, desc = g.thread(g.bob, root.ID)
	assert.Equal(t, []mastodon.ID{reply.ID}, desc)
}

// TestGoMastodonMuteDomainBlockReportFlow mutes with a duration and
// notifications left on (a raw request: go-mastodon's AccountMute sends no
// parameters), blocks a domain and reports an account.
func TestGoMastodonMuteDomainBlockReportFlow(t *testing.T) {
	g := newGoMasto(t, nil)
	ctx := g.ctx
	g.follow(g.alice, g.carolID)
	g.follow(g.alice, g.bobID)

	// Mute carol for an hour, notifications still on.
	var rel mastodon.Relationship
	require.Equal(t, http.StatusOK, g.raw(g.alice, http.MethodPost, "/api/v1/accounts/"+string(g.carolID)+"/mute",
		url.Values{"duration": {"3600"}, "notifications": {"false"}}, &rel))
	assert.True(t, rel.Muting)
	assert.False(t, rel.MutingNotifications)
	mutes, err := g.alice.GetMutes(ctx, nil)
	require.NoError(t, err)
	require.Len(t, mutes, 1)
	assert.Equal(t, g.carolID, mutes[0].ID)
	var raw []struct {
		ID            string  `json:"id"`
		MuteExpiresAt *string `json:"mute_expires_at"`
	}
	require.Equal(t, http.StatusOK, g.raw(g.alice, http.MethodGet, "/api/v1/mutes", nil, &raw))
	require.Len(t, raw, 1)
	require.NotNil(t, raw[0].MuteExpiresAt)
	at, err := time.Parse(time.RFC3339, *raw[0].MuteExpiresAt)
	require.NoError(t, err)
	assert.WithinDuration(t, g.e.clock.Now().Add(time.Hour), at, time.Minute)

	chatter := g.post(g.carol, &mastodon.Toot{Status: "carol chatters"})
	ping := g.post(g.carol, &mastodon.Toot{Status: "@alice ping"})
	assert.NotContains(t, g.home(g.alice), chatter.ID)
	assert.NotContains(t, g.home(g.alice), ping.ID)
	assert.Contains(t, g.notifiers(g.alice), "mention:carol", "notifications=false keeps carol's notifications")
	// Threads: carol is left out above and below (Mastodon's StatusFilter).
	root := g.post(g.bob, &mastodon.Toot{Status: "bob asks"})
	carolReply := g.post(g.carol, &mastodon.Toot{Status: "carol answers", InReplyToID: root.ID})
	bobReply := g.post(g.bob, &mastodon.Toot{Status: "bob answers carol", InReplyToID: carolReply.ID})
	anc, _ := g.thread(g.alice, bobReply.ID)
	assert.Equal(t, []mastodon.ID{root.ID}, anc)
	_, desc := g.thread(g.alice, root.ID)
	assert.Equal(t, []mastodon.ID{bobReply.ID}, desc)
	anc, _ = g.thread(g.bob, bobReply.ID)
	assert.Equal(t, []mastodon.ID{root.ID, carolReply.ID}, anc, "bob mutes no one")

	unmuted, err := g.alice.AccountUnmute(ctx, g.carolID)
	require.NoError(t, err)
	assert.False(t, unmuted.Muting)
	anc, _ = g.thread(g.alice, bobReply.ID)
	assert.Equal(t, []mastodon.ID{root.ID, carolReply.ID}, anc)

	// A user domain block hides a remote account's posts from the public
	// timeline and shows in the relationship.
	far := &storage.Account{Username: "far", Domain: "far.example", URI: "https://far.example/users/far",
		InboxURI: "https://far.example/users/far/inbox", ActorType: storage.ActorPerson}
	require.NoError(t, g.e.store.Accounts().Create(ctx, far))
	farPost := &storage.Status{AccountID: far.ID, URI: "https://far.example/notes/1", URL: "https://far.example/@far/1",
		Content: "<p>from afar</p>", Visibility: storage.VisibilityPublic}
	require.NoError(t, g.e.store.Statuses().Create(ctx, farPost))
	public := func() []mastodon.ID {
		sts, err := g.alice.GetTimelinePublic(ctx, false, nil)
		require.NoError(t, err)
		return statusIDs(sts)
	}
	require.Contains(t, public(), mastodon.ID(farPost.ID.String()))
	require.Equal(t, http.StatusOK, g.raw(g.alice, http.MethodPost, "/api/v1/domain_blocks", url.Values{"domain": {"far.example"}}, nil))
	var domains []string
	require.Equal(t, http.StatusOK, g.raw(g.alice, http.MethodGet, "/api/v1/domain_blocks", nil, &domains))
	assert.Equal(t, []string{"far.example"}, domains)
	assert.NotContains(t, public(), mastodon.ID(farPost.ID.String()))
	rels, err := g.alice.GetAccountRelationships(ctx, []string{far.ID.String()})
	require.NoError(t, err)
	require.Len(t, rels, 1)
	assert.True(t, rels[0].DomainBlocking)
	_, err = g.alice.GetStatus(ctx, mastodon.ID(farPost.ID.String()))
	assert.Error(t, err)
	require.Equal(t, http.StatusOK, g.raw(g.alice, http.MethodDelete, "/api/v1/domain_blocks", url.Values{"domain": {"far.example"}}, nil))
	assert.Contains(t, public(), mastodon.ID(farPost.ID.String()))

	// A report, seen by the moderators.
	rep, err := g.bob.Report(ctx, g.carolID, []mastodon.ID{carolReply.ID}, "off-topic")
	require.NoError(t, err)
	require.NotEmpty(t, rep.ID)
	assert.False(t, rep.ActionTaken)
	repID, err := storage.ParseID(string(rep.ID))
	require.NoError(t, err)
	stored, err := g.e.store.Reports().Get(ctx, repID)
	require.NoError(t, err)
	assert.Equal(t, string(g.carolID), stored.TargetAccountID.String())
	assert.Equal(t, string(g.bobID), stored.AccountID.String())
	require.Len(t, stored.StatusIDs, 1)
	assert.Equal(t, string(carolReply.ID), stored.StatusIDs[0].String())
	assert.Equal(t, "off-topic", stored.Comment)
}

// TestGoMastodonFiltersFlow manages v1 filters with go-mastodon's methods
// and a v2 filter with raw requests, and sees them applied to the home
// timeline.
func TestGoMastodonFiltersFlow(t *testing.T) {
	g := newGoMasto(t, nil)
	ctx := g.ctx
	g.follow(g.alice, g.bobID)

	f, err := g.alice.CreateFilter(ctx, &mastodon.Filter{Phrase: "spoiler", Context: []string{"home", "thread"}, Irreversible: true})
	require.NoError(t, err)
	require.NotEmpty(t, f.ID)
	assert.Equal(t, "spoiler", f.Phrase)
	assert.ElementsMatch(t, []string{"home", "thread"}, f.Context)
	assert.True(t, f.Irreversible)
	f, err = g.alice.UpdateFilter(ctx, f.ID, &mastodon.Filter{Phrase: "spoilers", Context: []string{"home"}, Irreversible: true, WholeWord: true})
	require.NoError(t, err)
	assert.Equal(t, "spoilers", f.Phrase)
	assert.True(t, f.WholeWord)
	got, err := g.alice.GetFilter(ctx, f.ID)
	require.NoError(t, err)
	assert.Equal(t, f.Phrase, got.Phrase)

	// v2: a warning filter, through raw requests.
	var v2 struct {
		ID           string `json:"id"`
		Title        string `json:"title"`
		FilterAction string `json:"filter_action"`
		Keywords     []struct {
			Keyword string `json:"keyword"`
		} `json:"keywords"`
	}
	require.Equal(t, http.StatusOK, g.raw(g.alice, http.MethodPost, "/api/v2/filters", url.Values{
		"title": {"Fruit"}, "context[]": {"home"}, "filter_action": {"warn"},
		"keywords_attributes[0][keyword]": {"pineapple"},
	}, &v2))
	require.NotEmpty(t, v2.ID)
	assert.Equal(t, "warn", v2.FilterAction)
	require.Len(t, v2.Keywords, 1)
	assert.Equal(t, "pineapple", v2.Keywords[0].Keyword)
	filters, err := g.alice.GetFilters(ctx)
	require.NoError(t, err)
	var phrases []string
	for _, x := range filters {
		phrases = append(phrases, x.Phrase)
	}
	assert.ElementsMatch(t, []string{"spoilers", "pineapple"}, phrases, "v1 lists every keyword")

	hidden := g.post(g.bob, &mastodon.Toot{Status: "big spoilers ahead"})
	warned := g.post(g.bob, &mastodon.Toot{Status: "pineapple on pizza"})
	plain := g.post(g.bob, &mastodon.Toot{Status: "nothing to see"})
	sts, err := g.alice.GetTimelineHome(ctx, nil)
	require.NoError(t, err)
	ids := statusIDs(sts)
	assert.NotContains(t, ids, hidden.ID, "an irreversible v1 filter hides")
	require.Contains(t, ids, warned.ID)
	require.Contains(t, ids, plain.ID)
	for _, s := range sts {
		switch s.ID {
		case warned.ID:
			require.Len(t, s.Filtered, 1)
			assert.Equal(t, "Fruit", s.Filtered[0].Filter.Title)
			assert.Equal(t, "warn", s.Filtered[0].Filter.FilterAction)
			assert.Equal(t, []string{"pineapple"}, s.Filtered[0].KeywordMatches)
		case plain.ID:
			assert.Empty(t, s.Filtered)
		}
	}
	// The author's own view is not filtered.
	_, err = g.bob.GetStatus(ctx, hidden.ID)
	require.NoError(t, err)

	require.Equal(t, http.StatusOK, g.raw(g.alice, http.MethodDelete, "/api/v2/filters/"+v2.ID, nil, nil))
	require.NoError(t, g.alice.DeleteFilter(ctx, f.ID))
	filters, err = g.alice.GetFilters(ctx)
	require.NoError(t, err)
	assert.Empty(t, filters)
	assert.Contains(t, g.home(g.alice), hidden.ID, "no filter left")
}

// TestGoMastodonStatusFeaturesFlow covers polls, scheduled statuses,
// bookmarks, lists, conversations, followed hashtags and the Web Push
// subscription through go-mastodon.
func TestGoMastodonStatusFeaturesFlow(t *testing.T) {
	pushKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serverKey, err := pushKey.PublicKey.ECDH()
	require.NoError(t, err)
	vapid := base64.RawURLEncoding.EncodeToString(serverKey.Bytes())
	g := newGoMasto(t, func(o *mastoapi.Options) { o.Instance.VAPIDPublicKey = vapid })
	ctx := g.ctx
	g.follow(g.alice, g.bobID)
	g.follow(g.bob, g.aliceID)

	t.Run("poll", func(t *testing.T) {
		st := g.post(g.alice, &mastodon.Toot{Status: "Which one?", Poll: &mastodon.TootPoll{
			Options: []string{"Go", "Rust", "Zig"}, ExpiresInSeconds: 3600}})
		require.NotNil(t, st.Poll)
		require.Len(t, st.Poll.Options, 3)
		assert.False(t, st.Poll.Multiple)
		p, err := g.bob.GetPoll(ctx, st.Poll.ID)
		require.NoError(t, err)
		assert.False(t, p.Voted)
		assert.Equal(t, "Go", p.Options[0].Title)
		p, err = g.bob.PollVote(ctx, st.Poll.ID, 0)
		require.NoError(t, err)
		assert.True(t, p.Voted)
		assert.Equal(t, []int{0}, p.OwnVotes)
		assert.EqualValues(t, 1, p.VotesCount)
		assert.EqualValues(t, 1, p.Options[0].VotesCount)
		_, err = g.bob.PollVote(ctx, st.Poll.ID, 1)
		assert.Error(t, err, "one vote per account")
		p, err = g.alice.GetPoll(ctx, st.Poll.ID)
		require.NoError(t, err)
		assert.EqualValues(t, 1, p.VotersCount)
		assert.True(t, p.Voted, "the author counts as having voted, as on Mastodon")
		assert.Empty(t, p.OwnVotes)
		// The poll's end comes from the service's clock (real time), not the API's.
		assert.WithinDuration(t, time.Now().Add(time.Hour), p.ExpiresAt, time.Minute)
	})

	t.Run("scheduled", func(t *testing.T) {
		at := g.e.clock.Now().Add(time.Hour).UTC().Truncate(time.Second)
		st := g.post(g.alice, &mastodon.Toot{Status: "later, maybe", ScheduledAt: &at})
		require.NotEmpty(t, st.ID, "the scheduled status's ID")
		type scheduled struct {
			ID          string    `json:"id"`
			ScheduledAt time.Time `json:"scheduled_at"`
			Params      struct {
				Text string `json:"text"`
			} `json:"params"`
		}
		var list []scheduled
		require.Equal(t, http.StatusOK, g.raw(g.alice, http.MethodGet, "/api/v1/scheduled_statuses", nil, &list))
		require.Len(t, list, 1)
		assert.Equal(t, string(st.ID), list[0].ID)
		assert.Equal(t, "later, maybe", list[0].Params.Text)
		assert.True(t, at.Equal(list[0].ScheduledAt), "%s != %s", at, list[0].ScheduledAt)
		mine, err := g.alice.GetAccountStatuses(ctx, g.aliceID, nil)
		require.NoError(t, err)
		assert.NotContains(t, statusIDs(mine), st.ID, "not published yet")
		later := at.Add(time.Hour)
		var moved scheduled
		require.Equal(t, http.StatusOK, g.raw(g.alice, http.MethodPut, "/api/v1/scheduled_statuses/"+list[0].ID,
			url.Values{"scheduled_at": {later.Format(time.RFC3339)}}, &moved))
		assert.True(t, later.Equal(moved.ScheduledAt))
		assert.Equal(t, http.StatusNotFound, g.raw(g.bob, http.MethodGet, "/api/v1/scheduled_statuses/"+list[0].ID, nil, nil))
		require.Equal(t, http.StatusOK, g.raw(g.alice, http.MethodDelete, "/api/v1/scheduled_statuses/"+list[0].ID, nil, nil))
		require.Equal(t, http.StatusOK, g.raw(g.alice, http.MethodGet, "/api/v1/scheduled_statuses", nil, &list))
		assert.Empty(t, list)
	})

	t.Run("bookmarks", func(t *testing.T) {
		st := g.post(g.alice, &mastodon.Toot{Status: "keep this"})
		_, err := g.bob.Bookmark(ctx, st.ID)
		require.NoError(t, err)
		bms, err := g.bob.GetBookmarks(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, []mastodon.ID{st.ID}, statusIDs(bms))
		un, err := g.bob.Unbookmark(ctx, st.ID)
		require.NoError(t, err)
		assert.Equal(t, false, un.Bookmarked)
		bms, err = g.bob.GetBookmarks(ctx, nil)
		require.NoError(t, err)
		assert.Empty(t, bms)
	})

	t.Run("lists", func(t *testing.T) {
		l, err := g.alice.CreateList(ctx, "Friends")
		require.NoError(t, err)
		assert.Equal(t, "Friends", l.Title)
		require.NoError(t, g.alice.AddToList(ctx, l.ID, g.bobID))
		assert.Error(t, g.alice.AddToList(ctx, l.ID, g.carolID), "only followed accounts join a list")
		members, err := g.alice.GetListAccounts(ctx, l.ID)
		require.NoError(t, err)
		require.Len(t, members, 1)
		assert.Equal(t, g.bobID, members[0].ID)
		of, err := g.alice.GetAccountLists(ctx, g.bobID)
		require.NoError(t, err)
		require.Len(t, of, 1)
		assert.Equal(t, l.ID, of[0].ID)
		st := g.post(g.bob, &mastodon.Toot{Status: "for my friends"})
		feed, err := g.alice.GetTimelineList(ctx, l.ID, nil)
		require.NoError(t, err)
		assert.Equal(t, []mastodon.ID{st.ID}, statusIDs(feed))
		l, err = g.alice.RenameList(ctx, l.ID, "Close friends")
		require.NoError(t, err)
		assert.Equal(t, "Close friends", l.Title)
		require.NoError(t, g.alice.RemoveFromList(ctx, l.ID, g.bobID))
		members, err = g.alice.GetListAccounts(ctx, l.ID)
		require.NoError(t, err)
		assert.Empty(t, members)
		require.NoError(t, g.alice.DeleteList(ctx, l.ID))
		lists, err := g.alice.GetLists(ctx)
		require.NoError(t, err)
		assert.Empty(t, lists)
	})

	t.Run("conversations", func(t *testing.T) {
		dm := g.post(g.alice, &mastodon.Toot{Status: "@bob just between us", Visibility: "direct"})
		convs, err := g.bob.GetConversations(ctx, nil)
		require.NoError(t, err)
		require.Len(t, convs, 1)
		assert.True(t, convs[0].Unread)
		require.NotNil(t, convs[0].LastStatus)
		assert.Equal(t, dm.ID, convs[0].LastStatus.ID)
		require.Len(t, convs[0].Accounts, 1)
		assert.Equal(t, g.aliceID, convs[0].Accounts[0].ID)
		require.NoError(t, g.bob.MarkConversationAsRead(ctx, convs[0].ID))
		convs, err = g.bob.GetConversations(ctx, nil)
		require.NoError(t, err)
		require.Len(t, convs, 1)
		assert.False(t, convs[0].Unread)
		mine, err := g.alice.GetConversations(ctx, nil)
		require.NoError(t, err)
		require.Len(t, mine, 1, "the sender has the conversation too")
		require.NoError(t, g.bob.DeleteConversation(ctx, convs[0].ID))
		convs, err = g.bob.GetConversations(ctx, nil)
		require.NoError(t, err)
		assert.Empty(t, convs)
		_, err = g.carol.GetStatus(ctx, dm.ID)
		assert.Error(t, err, "a direct status is for those it mentions")
	})

	t.Run("followed_tags", func(t *testing.T) {
		tag, err := g.alice.TagFollow(ctx, "Gophers")
		require.NoError(t, err)
		assert.True(t, tag.Following)
		followed, err := g.alice.TagsFollowed(ctx, nil)
		require.NoError(t, err)
		require.Len(t, followed, 1)
		assert.Equal(t, "gophers", strings.ToLower(followed[0].Name))
		// carol, whom alice does not follow, reaches her home with the tag.
		st := g.post(g.carol, &mastodon.Toot{Status: "hello #gophers"})
		assert.Contains(t, g.home(g.alice), st.ID)
		info, err := g.alice.TagInfo(ctx, "gophers")
		require.NoError(t, err)
		assert.True(t, info.Following)
		tag, err = g.alice.TagUnfollow(ctx, "gophers")
		require.NoError(t, err)
		assert.False(t, tag.Following)
		followed, err = g.alice.GetFollowedTags(ctx, nil)
		require.NoError(t, err)
		assert.Empty(t, followed)
	})

	t.Run("push", func(t *testing.T) {
		clientKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		secret := make([]byte, 16)
		_, _ = rand.Read(secret)
		on, off := mastodon.Sbool(true), mastodon.Sbool(false)
		// go-mastodon's Authenticate asks for "read write follow" only: a
		// token with the push scope comes from the password grant.
		tok := g.e.passwordToken(appCreds{ClientID: g.app.ClientID, ClientSecret: g.app.ClientSecret},
			"alice@example.com", "correct horse battery", "read write follow push")
		alice := mastodon.NewClient(&mastodon.Config{Server: g.e.srv.URL, AccessToken: tok.AccessToken})
		_, err = g.alice.GetPushSubscription(ctx)
		assert.ErrorContains(t, err, "403", "the push scope is needed")
		sub, err := alice.AddPushSubscription(ctx, "https://push.example/alice", clientKey.PublicKey, secret,
			mastodon.PushAlerts{Mention: &on, Follow: &off})
		require.NoError(t, err)
		assert.NotEmpty(t, sub.ID)
		assert.Equal(t, "https://push.example/alice", sub.Endpoint)
		assert.Equal(t, vapid, sub.ServerKey)
		require.NotNil(t, sub.Alerts)
		assert.Equal(t, &on, sub.Alerts.Mention)
		assert.Equal(t, &off, sub.Alerts.Follow)
		got, err := alice.GetPushSubscription(ctx)
		require.NoError(t, err)
		assert.Equal(t, sub.ID, got.ID)
		other := g.e.passwordToken(appCreds{ClientID: g.app.ClientID, ClientSecret: g.app.ClientSecret},
			"alice@example.com", "correct horse battery", "push")
		_, err = mastodon.NewClient(&mastodon.Config{Server: g.e.srv.URL, AccessToken: other.AccessToken}).GetPushSubscription(ctx)
		assert.ErrorContains(t, err, "404", "one subscription per token")
		got, err = alice.UpdatePushSubscription(ctx, &mastodon.PushAlerts{Favourite: &on})
		require.NoError(t, err)
		assert.Equal(t, &on, got.Alerts.Favourite)
		require.NoError(t, alice.RemovePushSubscription(ctx))
		_, err = alice.GetPushSubscription(ctx)
		assert.ErrorContains(t, err, "404")
	})
}
