package social_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

func TestPostStatusRendering(t *testing.T) {
	e := newEnv(t)
	alice := e.local("alice")
	bob := e.local("bob")
	carol := e.remote("carol", "remote.example")
	st := e.post(alice, "Hi @bob and @carol@remote.example and @bob@herd.example, @ghost@nowhere.example!\n#Go #go #Gophers https://go.dev/doc. <b>", "")
	assert.Equal(t, `<p>Hi <span class="h-card" translate="no"><a href="https://herd.example/@bob" class="u-url mention">@<span>bob</span></a></span>`+
		` and <span class="h-card" translate="no"><a href="https://remote.example/@carol" class="u-url mention">@<span>carol</span></a></span>`+
		` and <span class="h-card" translate="no"><a href="https://herd.example/@bob" class="u-url mention">@<span>bob</span></a></span>, @ghost@nowhere.example!<br />`+
		`<a href="https://herd.example/tags/go" class="mention hashtag" rel="tag">#<span>Go</span></a> `+
		`<a href="https://herd.example/tags/go" class="mention hashtag" rel="tag">#<span>go</span></a> `+
		`<a href="https://herd.example/tags/gophers" class="mention hashtag" rel="tag">#<span>Gophers</span></a> `+
		`<a href="https://go.dev/doc" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">https://</span><span class="">go.dev/doc</span><span class="invisible"></span></a>. &lt;b&gt;</p>`,
		st.Content)
	require.Len(t, st.Mentions, 2)
	assert.Equal(t, storage.Mention{AccountID: bob.ID, Username: "bob", Acct: "bob", URL: bob.URL, URI: bob.URI}, st.Mentions[0])
	assert.Equal(t, "carol@remote.example", st.Mentions[1].Acct)
	assert.Equal(t, carol.ID, st.Mentions[1].AccountID)
	assert.Equal(t, storage.Strings{"go", "gophers"}, e.status(st.ID).Tags)
	assert.Equal(t, e.urls.Status("alice", st.ID), st.URI)
	assert.Equal(t, e.urls.StatusPage("alice", st.ID), st.URL)
	assert.True(t, st.Local)
	assert.Equal(t, storage.VisibilityPublic, st.Visibility)
	assert.Equal(t, st.ID, st.ConversationID)
	assert.Equal(t, []string{"mention:alice"}, e.notifications(bob))
	assert.Equal(t, int64(1), e.account(alice.ID).StatusesCount)
	assert.NotNil(t, e.account(alice.ID).LastStatusAt)
}

type mentionResolver map[string]*storage.Account

func (m mentionResolver) ResolveMention(_ context.Context, user, domain string) (*storage.Account, error) {
	if a := m[user+"@"+domain]; a != nil {
		return a, nil
	}
	return nil, fmt.Errorf("no such account: %w", storage.ErrNotFound)
}

type emojiResolver struct{}

func (emojiResolver) ResolveEmojis(_ context.Context, codes []string) ([]storage.Emoji, error) {
	var out []storage.Emoji
	for _, c := range codes {
		if c == "blobcat" {
			out = append(out, storage.Emoji{Shortcode: c, URL: "https://herd.example/emoji/blobcat.png"})
		}
	}
	return out, nil
}

func TestPostStatusResolvers(t *testing.T) {
	e := newEnv(t)
	alice := e.local("alice")
	dave := e.remote("dave", "fetched.example")
	svc := social.New(e.store, e.urls, &social.Options{Mentions: mentionResolver{"dave@fetched.example": dave}, Emojis: emojiResolver{}})
	st, err := svc.PostStatus(e.ctx, alice, social.PostInput{Text: "@dave@fetched.example :blobcat: :unknown:"})
	require.NoError(t, err)
	require.Len(t, st.Mentions, 1)
	assert.Equal(t, dave.ID, st.Mentions[0].AccountID)
	assert.Equal(t, storage.Emojis{{Shortcode: "blobcat", URL: "https://herd.example/emoji/blobcat.png"}}, st.Emojis)
}

func TestPostStatusValidation(t *testing.T) {
	e := newEnv(t)
	alice := e.local("alice")
	bob := e.local("bob")
	remote := e.remote("rem", "remote.example")
	var ve *social.ValidationError
	_, err := e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "  \n"})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "text", ve.Field)
	assert.ErrorIs(t, err, social.ErrUnprocessable)

	_, err = e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: strings.Repeat("a", 501)})
	require.ErrorAs(t, err, &ve)
	_, err = e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: strings.Repeat("a", 500)})
	require.NoError(t, err)
	// URLs count 23 whatever their length, so this fits.
	_, err = e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: strings.Repeat("a", 470) + " https://example.com/" + strings.Repeat("x", 300)})
	require.NoError(t, err)
	// The spoiler counts too.
	_, err = e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: strings.Repeat("a", 490), SpoilerText: strings.Repeat("b", 11)})
	require.ErrorAs(t, err, &ve)

	_, err = e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "x", Visibility: "secret"})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "visibility", ve.Field)
	_, err = e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "x", MediaIDs: []storage.ID{1, 2, 3, 4, 5}})
	require.ErrorAs(t, err, &ve)
	_, err = e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "x", Language: "not a language"})
	require.ErrorAs(t, err, &ve)
	// Media alone is enough; it must be the author's and unattached.
	_, err = e.svc.PostStatus(e.ctx, alice, social.PostInput{MediaIDs: []storage.ID{42}})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "media_ids", ve.Field)
	m := &storage.MediaAttachment{AccountID: alice.ID, Type: storage.MediaImage, State: storage.MediaReady}
	require.NoError(t, e.store.MediaAttachments().Create(e.ctx, m))
	st, err := e.svc.PostStatus(e.ctx, alice, social.PostInput{MediaIDs: []storage.ID{m.ID}})
	require.NoError(t, err)
	assert.True(t, st.HasMedia)
	got, err := e.store.MediaAttachments().Get(e.ctx, m.ID)
	require.NoError(t, err)
	assert.Equal(t, st.ID, got.StatusID, "attached in the status's transaction")
	// A second post racing for the same upload fails and stores nothing.
	before, err := e.store.Accounts().Get(e.ctx, alice.ID)
	require.NoError(t, err)
	_, err = e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "again", MediaIDs: []storage.ID{m.ID}})
	require.ErrorAs(t, err, &ve)
	after, err := e.store.Accounts().Get(e.ctx, alice.ID)
	require.NoError(t, err)
	assert.Equal(t, before.StatusesCount, after.StatusesCount, "the failed post is rolled back")
	// Another account's upload is invalid too.
	bm := &storage.MediaAttachment{AccountID: bob.ID, Type: storage.MediaImage, State: storage.MediaReady}
	require.NoError(t, e.store.MediaAttachments().Create(e.ctx, bm))
	_, err = e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "theft", MediaIDs: []storage.ID{bm.ID}})
	require.ErrorAs(t, err, &ve)

	// Replying to what the author cannot see is "not found".
	secret := e.post(bob, "followers only", storage.VisibilityPrivate)
	_, err = e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "hi", InReplyToID: secret.ID})
	assert.ErrorIs(t, err, social.ErrNotFound)
	_, err = e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "hi", InReplyToID: 12345})
	assert.ErrorIs(t, err, social.ErrNotFound)
	// Only local accounts post here.
	_, err = e.svc.PostStatus(e.ctx, remote, social.PostInput{Text: "hi"})
	assert.ErrorIs(t, err, social.ErrForbidden)
	assert.Equal(t, int64(3), e.account(alice.ID).StatusesCount, "failed posts leave counters alone")
}

func TestPostStatusDefaultsAndReplies(t *testing.T) {
	e := newEnv(t)
	alice := e.local("alice")
	bob := e.local("bob")
	_, err := e.svc.UpdateProfile(e.ctx, alice, social.ProfileInput{Privacy: ptr(storage.VisibilityUnlisted), Sensitive: ptr(true), Language: ptr("fr")})
	require.NoError(t, err)
	st := e.post(alice, "bonjour", "")
	assert.Equal(t, storage.VisibilityUnlisted, st.Visibility)
	assert.True(t, st.Sensitive)
	assert.Equal(t, "fr", st.Language)
	cw, err := e.svc.PostStatus(e.ctx, bob, social.PostInput{Text: "x", SpoilerText: "cw", Sensitive: ptr(false)})
	require.NoError(t, err)
	assert.True(t, cw.Sensitive, "a spoiler makes the status sensitive")

	r1 := e.reply(bob, st, "reply", storage.VisibilityPublic)
	assert.Equal(t, st.ID, r1.InReplyToID)
	assert.Equal(t, alice.ID, r1.InReplyToAccountID)
	assert.Equal(t, st.URI, r1.InReplyToURI)
	assert.Equal(t, st.ID, r1.ConversationID)
	r2 := e.reply(alice, r1, "reply to reply", storage.VisibilityPublic)
	assert.Equal(t, st.ID, r2.ConversationID)
	e.reply(alice, st, "direct reply", storage.VisibilityDirect)
	assert.Equal(t, int64(1), e.status(st.ID).RepliesCount, "direct replies do not count")
	assert.Equal(t, int64(1), e.status(r1.ID).RepliesCount)
}

func TestVisibilityMatrix(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		author := e.local("author")
		follower := e.local("follower")
		mentioned := e.local("mentioned")
		stranger := e.local("stranger")
		blocked := e.local("blocked")   // the author blocks them
		blocking := e.local("blocking") // they block the author
		remoteFollower := e.remote("rf", "remote.example")
		e.follow(follower, author)
		e.follow(blocked, author)
		e.follow(remoteFollower, author)
		sts := map[storage.Visibility]*storage.Status{}
		for _, v := range []storage.Visibility{storage.VisibilityPublic, storage.VisibilityUnlisted, storage.VisibilityPrivate, storage.VisibilityDirect} {
			sts[v] = e.post(author, "hello @mentioned @blocked", v)
		}
		_, err := e.svc.Block(e.ctx, author, blocked.ID)
		require.NoError(t, err)
		_, err = e.svc.Block(e.ctx, blocking, author.ID)
		require.NoError(t, err)

		viewers := []struct {
			name   string
			viewer *storage.Account
			want   map[storage.Visibility]bool
		}{
			{"anonymous", nil, map[storage.Visibility]bool{"public": true, "unlisted": true}},
			{"author", author, map[storage.Visibility]bool{"public": true, "unlisted": true, "private": true, "direct": true}},
			{"follower", follower, map[storage.Visibility]bool{"public": true, "unlisted": true, "private": true}},
			{"remote follower", remoteFollower, map[storage.Visibility]bool{"public": true, "unlisted": true, "private": true}},
			{"mentioned", mentioned, map[storage.Visibility]bool{"public": true, "unlisted": true, "private": true, "direct": true}},
			{"stranger", stranger, map[storage.Visibility]bool{"public": true, "unlisted": true}},
			{"blocked", blocked, map[storage.Visibility]bool{}},
			{"blocking", blocking, map[storage.Visibility]bool{}},
		}
		for _, v := range viewers {
			var visible []*storage.Status
			for vis, st := range sts {
				ok, err := e.svc.CanSee(e.ctx, v.viewer, st)
				require.NoError(t, err)
				assert.Equal(t, v.want[vis], ok, "%s sees %s", v.name, vis)
				got, err := e.svc.GetStatus(e.ctx, v.viewer, st.ID)
				if v.want[vis] {
					require.NoError(t, err)
					assert.Equal(t, st.ID, got.ID)
					visible = append(visible, st)
				} else {
					assert.ErrorIs(t, err, social.ErrNotFound, "%s gets %s", v.name, vis)
				}
			}
			all := []*storage.Status{sts["public"], sts["unlisted"], sts["private"], sts["direct"]}
			filtered, err := e.svc.FilterVisible(e.ctx, v.viewer, all)
			require.NoError(t, err)
			assert.Len(t, filtered, len(visible), v.name)
		}
		// A boost is visible only when the boosted status is.
		pub := sts["public"]
		boost, err := e.svc.Reblog(e.ctx, follower, pub.ID, social.ReblogInput{})
		require.NoError(t, err)
		ok, err := e.svc.CanSee(e.ctx, blocking, boost)
		require.NoError(t, err)
		assert.False(t, ok, "boost of a blocked author")
		ok, err = e.svc.CanSee(e.ctx, stranger, boost)
		require.NoError(t, err)
		assert.True(t, ok)
	})
}

func TestFanOut(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		author := e.local("author")
		f1 := e.local("f1")
		noBoosts := e.local("noboosts")
		muter := e.local("muter")
		blocker := e.local("blocker")
		mentioned := e.local("mentioned")
		other := e.local("other")
		bothSides := e.local("bothsides")
		remoteFollower := e.remote("rf", "remote.example")
		for _, f := range []*storage.Account{f1, muter, blocker, bothSides, remoteFollower} {
			e.follow(f, author)
		}
		_, err := e.svc.Follow(e.ctx, noBoosts, author.ID, social.FollowOptions{Reblogs: ptr(false)})
		require.NoError(t, err)
		e.follow(bothSides, other)
		_, err = e.svc.Mute(e.ctx, muter, author.ID, social.MuteOptions{})
		require.NoError(t, err)
		// blocker blocks author: the follow goes away, but check the feed rule by re-adding it directly.
		_, err = e.svc.Block(e.ctx, blocker, author.ID)
		require.NoError(t, err)
		require.NoError(t, e.store.Follows().Create(e.ctx, &storage.Follow{AccountID: blocker.ID, TargetAccountID: author.ID, ShowReblogs: true}))

		e.events.reset()
		pub := e.post(author, "public", storage.VisibilityPublic)
		created := e.events.ofType(social.EventStatusCreated)
		require.Len(t, created, 1)
		assert.ElementsMatch(t, []storage.ID{author.ID, f1.ID, noBoosts.ID, bothSides.ID}, created[0].HomeFeeds)
		assert.Equal(t, pub.ID, created[0].Status.ID)
		for _, a := range []*storage.Account{author, f1, noBoosts, bothSides} {
			assert.Contains(t, e.homeIDs(a), pub.ID, a.Username)
		}
		for _, a := range []*storage.Account{muter, blocker, mentioned, other} {
			assert.NotContains(t, e.homeIDs(a), pub.ID, a.Username)
		}
		unl := e.post(author, "unlisted", storage.VisibilityUnlisted)
		assert.Contains(t, e.homeIDs(f1), unl.ID)
		priv := e.post(author, "private @mentioned", storage.VisibilityPrivate)
		assert.Contains(t, e.homeIDs(f1), priv.ID)
		assert.NotContains(t, e.homeIDs(mentioned), priv.ID, "private goes to followers only")
		dm := e.post(author, "direct @mentioned", storage.VisibilityDirect)
		assert.Contains(t, e.homeIDs(mentioned), dm.ID)
		assert.Contains(t, e.homeIDs(author), dm.ID)
		assert.NotContains(t, e.homeIDs(f1), dm.ID, "direct goes to mentioned accounts only")

		// A reply to someone else reaches followers that follow both sides.
		parent := e.post(other, "question", storage.VisibilityPublic)
		r := e.reply(author, parent, "answer", storage.VisibilityPublic)
		assert.Contains(t, e.homeIDs(bothSides), r.ID)
		assert.NotContains(t, e.homeIDs(f1), r.ID)
		assert.Contains(t, e.homeIDs(author), r.ID)
		// A reply to a follower of the author reaches that follower, as on
		// Mastodon ("it's a reply to me").
		asker := e.local("asker")
		e.follow(asker, author)
		toAsker := e.reply(author, e.post(asker, "asker asks", storage.VisibilityPublic), "answer to asker", storage.VisibilityPublic)
		assert.Contains(t, e.homeIDs(asker), toAsker.ID)
		assert.NotContains(t, e.homeIDs(f1), toAsker.ID, "f1 does not follow asker")
		// A self-reply (thread) reaches every follower.
		thread := e.reply(author, pub, "more", storage.VisibilityPublic)
		assert.Contains(t, e.homeIDs(f1), thread.ID)

		// Boosts: followers of the booster, unless they hide its boosts.
		booster := e.local("booster")
		e.follow(f1, booster)
		_, err = e.svc.Follow(e.ctx, noBoosts, booster.ID, social.FollowOptions{Reblogs: ptr(false)})
		require.NoError(t, err)
		e.events.reset()
		b, err := e.svc.Reblog(e.ctx, booster, parent.ID, social.ReblogInput{})
		require.NoError(t, err)
		assert.Contains(t, e.homeIDs(f1), b.ID)
		assert.NotContains(t, e.homeIDs(noBoosts), b.ID)
		rb := e.events.ofType(social.EventStatusReblogged)
		require.Len(t, rb, 1)
		assert.ElementsMatch(t, []storage.ID{booster.ID, f1.ID}, rb[0].HomeFeeds)
		assert.Equal(t, parent.ID, rb[0].Reblog.ID)

		// The home timeline shows what was fanned out, newest first.
		assert.Equal(t, []storage.ID{b.ID, thread.ID, priv.ID, unl.ID, pub.ID}, e.home(f1))

		// Unfollow removes the author's entries; delete removes the status everywhere.
		_, err = e.svc.Unfollow(e.ctx, f1, author.ID)
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{b.ID}, e.homeIDs(f1))
		_, err = e.svc.DeleteStatus(e.ctx, author, pub.ID)
		require.NoError(t, err)
		assert.NotContains(t, e.homeIDs(noBoosts), pub.ID)

		// Remote statuses reach local followers through FanOut.
		rem := e.remote("rem", "far.example")
		e.follow(f1, rem)
		_, err = e.svc.AcceptFollow(e.ctx, f1.ID, rem.ID)
		require.NoError(t, err)
		rst := &storage.Status{AccountID: rem.ID, URI: "https://far.example/s/1", Content: "<p>hi</p>", Visibility: storage.VisibilityPublic,
			Mentions: storage.Mentions{{AccountID: mentioned.ID, Username: "mentioned", Acct: "mentioned"}}}
		require.NoError(t, e.store.Statuses().Create(e.ctx, rst))
		owners, err := e.svc.FanOut(e.ctx, rst)
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{f1.ID}, owners)
		assert.Contains(t, e.homeIDs(f1), rst.ID)
		assert.Contains(t, e.notifications(mentioned), "mention:rem")
	})
}

func TestHomeFiltersAtReadTime(t *testing.T) {
	e := newEnv(t)
	alice := e.local("alice")
	bob := e.local("bob")
	carol := e.local("carol")
	e.follow(alice, bob)
	e.follow(alice, carol)
	var bobs []storage.ID
	for i := 0; i < 30; i++ {
		bobs = append(bobs, e.post(bob, fmt.Sprint("bob ", i), storage.VisibilityPublic).ID)
	}
	c := e.post(carol, "carol", storage.VisibilityPublic)
	// Entries stay in the feed, but a mute made elsewhere hides them at read time.
	require.NoError(t, e.store.Mutes().Create(e.ctx, &storage.Mute{AccountID: alice.ID, TargetAccountID: bob.ID}))
	sts, err := e.svc.Home(e.ctx, alice, storage.Page{Limit: 5})
	require.NoError(t, err)
	assert.Equal(t, []storage.ID{c.ID}, ids(sts), "the page is filled past the muted entries")
	require.NoError(t, e.store.Mutes().Delete(e.ctx, alice.ID, bob.ID))
	sts, err = e.svc.Home(e.ctx, alice, storage.Page{Limit: 5})
	require.NoError(t, err)
	assert.Equal(t, []storage.ID{c.ID, bobs[29], bobs[28], bobs[27], bobs[26]}, ids(sts))
}

func TestTimelinePagination(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice := e.local("alice")
		bob := e.local("bob")
		e.follow(alice, bob)
		var posted []storage.ID
		for i := 0; i < 45; i++ {
			posted = append(posted, e.post(bob, fmt.Sprintf("post %d #n%d", i, i%3), storage.VisibilityPublic).ID)
		}
		newestFirst := make([]storage.ID, len(posted))
		for i, id := range posted {
			newestFirst[len(posted)-1-i] = id
		}
		// Page down with max_id.
		var got []storage.ID
		p := storage.Page{Limit: 20}
		for {
			sts, err := e.svc.Home(e.ctx, alice, p)
			require.NoError(t, err)
			if len(sts) == 0 {
				break
			}
			got = append(got, ids(sts)...)
			p.MaxID = sts[len(sts)-1].ID
		}
		assert.Equal(t, newestFirst, got)
		// min_id returns the statuses right after it, newest first.
		sts, err := e.svc.Home(e.ctx, alice, storage.Page{MinID: posted[9], Limit: 3})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{posted[12], posted[11], posted[10]}, ids(sts))
		// since_id returns the newest.
		sts, err = e.svc.Home(e.ctx, alice, storage.Page{SinceID: posted[9], Limit: 3})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{posted[44], posted[43], posted[42]}, ids(sts))

		pub, err := e.svc.Public(e.ctx, nil, storage.PublicFilter{LocalOnly: true}, storage.Page{Limit: 40, MaxID: posted[5]})
		require.NoError(t, err)
		assert.Equal(t, newestFirst[40:], ids(pub))
		remote, err := e.svc.Public(e.ctx, nil, storage.PublicFilter{RemoteOnly: true}, storage.Page{})
		require.NoError(t, err)
		assert.Empty(t, remote)

		tagged, err := e.svc.Tag(e.ctx, nil, social.TagQuery{Tag: "N0"}, storage.Page{Limit: 40})
		require.NoError(t, err)
		assert.Len(t, tagged, 15)
		tagged, err = e.svc.Tag(e.ctx, nil, social.TagQuery{Tag: "n0", Any: []string{"n1"}, None: []string{"n1"}}, storage.Page{Limit: 40})
		require.NoError(t, err)
		assert.Len(t, tagged, 15)
		tagged, err = e.svc.Tag(e.ctx, nil, social.TagQuery{Tag: "n0", All: []string{"n1"}}, storage.Page{Limit: 40})
		require.NoError(t, err)
		assert.Empty(t, tagged)

		acct, err := e.svc.AccountStatuses(e.ctx, nil, bob.ID, social.AccountStatusesFilter{}, storage.Page{Limit: 10})
		require.NoError(t, err)
		assert.Equal(t, newestFirst[:10], ids(acct))
	})
}

func TestAccountStatusesAndContext(t *testing.T) {
	e := newEnv(t)
	bob := e.local("bob")
	fan := e.local("fan")
	stranger := e.local("stranger")
	e.follow(fan, bob)
	pub := e.post(bob, "public", storage.VisibilityPublic)
	priv := e.post(bob, "private", storage.VisibilityPrivate)
	dm := e.post(bob, "dm @fan", storage.VisibilityDirect)
	reply := e.reply(stranger, pub, "reply", storage.VisibilityPublic)
	bobReply := e.reply(bob, reply, "reply to stranger", storage.VisibilityPublic)
	hidden := e.reply(bob, pub, "private reply", storage.VisibilityPrivate)
	boost, err := e.svc.Reblog(e.ctx, bob, reply.ID, social.ReblogInput{})
	require.NoError(t, err)

	list := func(viewer *storage.Account, f social.AccountStatusesFilter) []storage.ID {
		sts, err := e.svc.AccountStatuses(e.ctx, viewer, bob.ID, f, storage.Page{Limit: 40})
		require.NoError(t, err)
		return ids(sts)
	}
	assert.Equal(t, []storage.ID{boost.ID, hidden.ID, bobReply.ID, dm.ID, priv.ID, pub.ID}, list(bob, social.AccountStatusesFilter{}))
	assert.Equal(t, []storage.ID{boost.ID, hidden.ID, bobReply.ID, priv.ID, pub.ID}, list(fan, social.AccountStatusesFilter{}))
	assert.Equal(t, []storage.ID{boost.ID, bobReply.ID, pub.ID}, list(stranger, social.AccountStatusesFilter{}))
	assert.Equal(t, []storage.ID{bobReply.ID, pub.ID}, list(nil, social.AccountStatusesFilter{ExcludeReblogs: true}))
	assert.Equal(t, []storage.ID{boost.ID, pub.ID}, list(nil, social.AccountStatusesFilter{ExcludeReplies: true}))

	_, err = e.svc.Pin(e.ctx, bob, priv.ID)
	require.NoError(t, err)
	_, err = e.svc.Pin(e.ctx, bob, pub.ID)
	require.NoError(t, err)
	assert.Equal(t, []storage.ID{pub.ID, priv.ID}, list(bob, social.AccountStatusesFilter{Pinned: true}))
	assert.Equal(t, []storage.ID{pub.ID}, list(stranger, social.AccountStatusesFilter{Pinned: true}))

	_, err = e.svc.Block(e.ctx, bob, stranger.ID)
	require.NoError(t, err)
	assert.Empty(t, list(stranger, social.AccountStatusesFilter{}))
	_, err = e.svc.AccountStatuses(e.ctx, nil, 999, social.AccountStatusesFilter{}, storage.Page{})
	assert.ErrorIs(t, err, social.ErrNotFound)

	// Context: the stranger's reply is hidden from bob now (block), the private reply from anonymous.
	c, err := e.svc.Context(e.ctx, fan, bobReply.ID)
	require.NoError(t, err)
	assert.Equal(t, []storage.ID{pub.ID, reply.ID}, ids(c.Ancestors))
	assert.Empty(t, c.Descendants)
	c, err = e.svc.Context(e.ctx, nil, pub.ID)
	require.NoError(t, err)
	assert.Empty(t, c.Ancestors)
	assert.Equal(t, []storage.ID{reply.ID, bobReply.ID}, ids(c.Descendants))
	c, err = e.svc.Context(e.ctx, fan, pub.ID)
	require.NoError(t, err)
	assert.Equal(t, []storage.ID{reply.ID, bobReply.ID, hidden.ID}, ids(c.Descendants))
	c, err = e.svc.Context(e.ctx, bob, pub.ID)
	require.NoError(t, err)
	assert.Equal(t, []storage.ID{bobReply.ID, hidden.ID}, ids(c.Descendants), "blocked accounts' replies are hidden")
	_, err = e.svc.Context(e.ctx, stranger, priv.ID)
	assert.ErrorIs(t, err, social.ErrNotFound)
}

func TestInteractions(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice := e.local("alice")
		bob := e.local("bob")
		st := e.post(alice, "hello", storage.VisibilityPublic)

		// Favourite: idempotent, counted, notified once.
		for i := 0; i < 2; i++ {
			got, err := e.svc.Favourite(e.ctx, bob, st.ID)
			require.NoError(t, err)
			assert.Equal(t, int64(1), got.FavouritesCount)
		}
		assert.Equal(t, []string{"favourite:bob"}, e.notifications(alice))
		favs := e.events.ofType(social.EventStatusFavourited)
		require.Len(t, favs, 1)
		assert.Equal(t, e.urls.Activity("bob", "likes", favs[0].Favourite.ID), favs[0].Favourite.URI)
		states, err := e.store.Statuses().ViewerStates(e.ctx, bob.ID, []storage.ID{st.ID})
		require.NoError(t, err)
		assert.True(t, states[st.ID].Favourited)
		by, err := e.svc.FavouritedBy(e.ctx, nil, st.ID, storage.Page{})
		require.NoError(t, err)
		require.Len(t, by, 1)
		assert.Equal(t, bob.ID, by[0].Account.ID)
		mine, err := e.svc.Favourites(e.ctx, bob, storage.Page{})
		require.NoError(t, err)
		require.Len(t, mine, 1)
		assert.Equal(t, st.ID, mine[0].Status.ID)
		assert.Equal(t, by[0].Cursor, mine[0].Cursor)
		// Self-favourite: no notification.
		_, err = e.svc.Favourite(e.ctx, alice, st.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"favourite:bob"}, e.notifications(alice))
		for i := 0; i < 2; i++ {
			got, err := e.svc.Unfavourite(e.ctx, bob, st.ID)
			require.NoError(t, err)
			assert.Equal(t, int64(1), got.FavouritesCount)
		}
		assert.Empty(t, e.notifications(alice), "undoing removes the notification")

		// Boost: idempotent, counted, notified; unboost undoes it all.
		b1, err := e.svc.Reblog(e.ctx, bob, st.ID, social.ReblogInput{})
		require.NoError(t, err)
		b2, err := e.svc.Reblog(e.ctx, bob, st.ID, social.ReblogInput{})
		require.NoError(t, err)
		assert.Equal(t, b1.ID, b2.ID)
		assert.Equal(t, st.ID, b1.ReblogOfID)
		assert.Equal(t, e.urls.Status("bob", b1.ID)+"/activity", b1.URI)
		assert.Equal(t, int64(1), e.status(st.ID).ReblogsCount)
		assert.Equal(t, int64(1), e.account(bob.ID).StatusesCount)
		assert.Equal(t, []string{"reblog:bob"}, e.notifications(alice))
		// Acting on the boost's id acts on the original.
		fav, err := e.svc.Favourite(e.ctx, bob, b1.ID)
		require.NoError(t, err)
		assert.Equal(t, st.ID, fav.ID)
		rb, err := e.svc.RebloggedBy(e.ctx, nil, st.ID, storage.Page{})
		require.NoError(t, err)
		require.Len(t, rb, 1)
		assert.Equal(t, b1.ID, rb[0].Cursor)
		orig, err := e.svc.Unreblog(e.ctx, bob, st.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(0), orig.ReblogsCount)
		assert.Equal(t, int64(0), e.account(bob.ID).StatusesCount)
		assert.Equal(t, []string{"favourite:bob"}, e.notifications(alice))
		_, err = e.svc.Unreblog(e.ctx, bob, st.ID)
		require.NoError(t, err)
		require.Len(t, e.events.ofType(social.EventStatusUnreblogged), 1)

		// Boost visibility never exceeds the original's; private boosts by the author only; no direct.
		unl := e.post(alice, "unlisted", storage.VisibilityUnlisted)
		b, err := e.svc.Reblog(e.ctx, bob, unl.ID, social.ReblogInput{Visibility: storage.VisibilityPublic})
		require.NoError(t, err)
		assert.Equal(t, storage.VisibilityUnlisted, b.Visibility)
		e.follow(bob, alice)
		priv := e.post(alice, "private", storage.VisibilityPrivate)
		_, err = e.svc.Reblog(e.ctx, bob, priv.ID, social.ReblogInput{})
		assert.ErrorIs(t, err, social.ErrForbidden)
		own, err := e.svc.Reblog(e.ctx, alice, priv.ID, social.ReblogInput{})
		require.NoError(t, err)
		assert.Equal(t, storage.VisibilityPrivate, own.Visibility)
		dm := e.post(alice, "@bob dm", storage.VisibilityDirect)
		_, err = e.svc.Reblog(e.ctx, bob, dm.ID, social.ReblogInput{})
		assert.ErrorIs(t, err, social.ErrForbidden)
		_, err = e.svc.Reblog(e.ctx, bob, st.ID, social.ReblogInput{Visibility: storage.VisibilityDirect})
		var ve *social.ValidationError
		assert.ErrorAs(t, err, &ve)

		// Bookmarks: idempotent, listed with their cursor.
		for i := 0; i < 2; i++ {
			_, err = e.svc.Bookmark(e.ctx, bob, st.ID)
			require.NoError(t, err)
		}
		bms, err := e.svc.Bookmarks(e.ctx, bob, storage.Page{})
		require.NoError(t, err)
		require.Len(t, bms, 1)
		for i := 0; i < 2; i++ {
			_, err = e.svc.Unbookmark(e.ctx, bob, st.ID)
			require.NoError(t, err)
		}
		bms, err = e.svc.Bookmarks(e.ctx, bob, storage.Page{})
		require.NoError(t, err)
		assert.Empty(t, bms)

		// Invisible statuses cannot be acted upon.
		stranger := e.local("stranger")
		for name, fn := range map[string]func() error{
			"favourite": func() error { _, err := e.svc.Favourite(e.ctx, stranger, priv.ID); return err },
			"reblog":    func() error { _, err := e.svc.Reblog(e.ctx, stranger, priv.ID, social.ReblogInput{}); return err },
			"bookmark":  func() error { _, err := e.svc.Bookmark(e.ctx, stranger, priv.ID); return err },
			"unfav":     func() error { _, err := e.svc.Unfavourite(e.ctx, stranger, priv.ID); return err },
			"missing":   func() error { _, err := e.svc.Favourite(e.ctx, stranger, 1); return err },
		} {
			assert.ErrorIs(t, fn(), social.ErrNotFound, name)
		}
	})
}

func TestPins(t *testing.T) {
	e := newEnv(t)
	alice := e.local("alice")
	bob := e.local("bob")
	var ve *social.ValidationError
	var pinned []*storage.Status
	for i := 0; i < 5; i++ {
		st := e.post(alice, fmt.Sprint("pin ", i), []storage.Visibility{storage.VisibilityPublic, storage.VisibilityUnlisted, storage.VisibilityPrivate}[i%3])
		_, err := e.svc.Pin(e.ctx, alice, st.ID)
		require.NoError(t, err)
		pinned = append(pinned, st)
	}
	_, err := e.svc.Pin(e.ctx, alice, pinned[0].ID)
	require.NoError(t, err, "pinning twice is fine, even at the limit")
	sixth := e.post(alice, "sixth", storage.VisibilityPublic)
	_, err = e.svc.Pin(e.ctx, alice, sixth.ID)
	require.ErrorAs(t, err, &ve)
	_, err = e.svc.Unpin(e.ctx, alice, pinned[0].ID)
	require.NoError(t, err)
	_, err = e.svc.Unpin(e.ctx, alice, pinned[0].ID)
	require.NoError(t, err)
	_, err = e.svc.Pin(e.ctx, alice, sixth.ID)
	require.NoError(t, err)

	dm := e.post(alice, "dm", storage.VisibilityDirect)
	_, err = e.svc.Pin(e.ctx, alice, dm.ID)
	require.ErrorAs(t, err, &ve)
	bobs := e.post(bob, "bob's", storage.VisibilityPublic)
	_, err = e.svc.Pin(e.ctx, alice, bobs.ID)
	require.ErrorAs(t, err, &ve)
	b, err := e.svc.Reblog(e.ctx, alice, bobs.ID, social.ReblogInput{})
	require.NoError(t, err)
	_, err = e.svc.Pin(e.ctx, alice, b.ID)
	require.ErrorAs(t, err, &ve)
}

func TestFollowFlow(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice := e.local("alice")
		bob := e.local("bob")
		lockedAcct := e.local("locked", locked)
		remote := e.remote("rem", "remote.example")
		old := e.post(bob, "before the follow", storage.VisibilityPrivate)

		rel, err := e.svc.Follow(e.ctx, alice, bob.ID, social.FollowOptions{Notify: ptr(true), Languages: []string{"en"}})
		require.NoError(t, err)
		assert.True(t, rel.Following)
		assert.True(t, rel.ShowingReblogs)
		assert.True(t, rel.Notifying)
		assert.Equal(t, []string{"en"}, rel.Languages)
		assert.Equal(t, int64(1), e.account(alice.ID).FollowingCount)
		assert.Equal(t, int64(1), e.account(bob.ID).FollowersCount)
		assert.Equal(t, []string{"follow:alice"}, e.notifications(bob))
		assert.Contains(t, e.homeIDs(alice), old.ID, "recent statuses are merged into the home feed")
		fe := e.events.ofType(social.EventAccountFollowed)
		require.Len(t, fe, 1)
		assert.Equal(t, e.urls.Activity("alice", "follows", fe[0].Follow.ID), fe[0].Follow.URI)
		// Following again updates options without counting twice.
		rel, err = e.svc.Follow(e.ctx, alice, bob.ID, social.FollowOptions{Reblogs: ptr(false)})
		require.NoError(t, err)
		assert.False(t, rel.ShowingReblogs)
		assert.True(t, rel.Notifying)
		assert.Equal(t, int64(1), e.account(bob.ID).FollowersCount)
		// Notify: new statuses notify alice.
		e.post(bob, "news", storage.VisibilityPublic)
		assert.Equal(t, []string{"status:bob"}, e.notifications(alice))
		rels, err := e.svc.Relationships(e.ctx, bob, []storage.ID{alice.ID, 424242})
		require.NoError(t, err)
		require.Len(t, rels, 1)
		assert.True(t, rels[0].FollowedBy)
		assert.False(t, rels[0].Following)

		_, err = e.svc.Follow(e.ctx, alice, alice.ID, social.FollowOptions{})
		assert.ErrorIs(t, err, social.ErrForbidden)
		_, err = e.svc.Follow(e.ctx, alice, 999, social.FollowOptions{})
		assert.ErrorIs(t, err, social.ErrNotFound)

		// Locked account: a request, a follow_request notification, then authorize.
		rel, err = e.svc.Follow(e.ctx, alice, lockedAcct.ID, social.FollowOptions{})
		require.NoError(t, err)
		assert.False(t, rel.Following)
		assert.True(t, rel.Requested)
		assert.Equal(t, int64(0), e.account(lockedAcct.ID).FollowersCount)
		assert.Equal(t, []string{"follow_request:alice"}, e.notifications(lockedAcct))
		reqs, err := e.svc.FollowRequests(e.ctx, lockedAcct, storage.Page{})
		require.NoError(t, err)
		require.Len(t, reqs, 1)
		assert.Equal(t, alice.ID, reqs[0].Account.ID)
		rels, err = e.svc.Relationships(e.ctx, lockedAcct, []storage.ID{alice.ID})
		require.NoError(t, err)
		assert.True(t, rels[0].RequestedBy)
		rel, err = e.svc.AcceptFollow(e.ctx, alice.ID, lockedAcct.ID)
		require.NoError(t, err)
		assert.True(t, rel.FollowedBy)
		assert.Equal(t, int64(1), e.account(lockedAcct.ID).FollowersCount)
		assert.Empty(t, e.notifications(lockedAcct), "the request notification goes with the request")
		require.Len(t, e.events.ofType(social.EventFollowAccepted), 1)
		_, err = e.svc.AcceptFollow(e.ctx, alice.ID, lockedAcct.ID)
		assert.ErrorIs(t, err, social.ErrNotFound)

		// Reject.
		_, err = e.svc.Follow(e.ctx, bob, lockedAcct.ID, social.FollowOptions{})
		require.NoError(t, err)
		rel, err = e.svc.RejectFollow(e.ctx, bob.ID, lockedAcct.ID)
		require.NoError(t, err)
		assert.False(t, rel.FollowedBy)
		assert.False(t, rel.RequestedBy)
		reqs, err = e.svc.FollowRequests(e.ctx, lockedAcct, storage.Page{})
		require.NoError(t, err)
		assert.Empty(t, reqs)

		// Cancelling a request by unfollowing.
		_, err = e.svc.Follow(e.ctx, bob, lockedAcct.ID, social.FollowOptions{})
		require.NoError(t, err)
		rel, err = e.svc.Unfollow(e.ctx, bob, lockedAcct.ID)
		require.NoError(t, err)
		assert.False(t, rel.Requested)
		assert.Empty(t, e.notifications(lockedAcct))

		// Remote target: a pending request, turned into a follow by the remote Accept.
		rel, err = e.svc.Follow(e.ctx, alice, remote.ID, social.FollowOptions{})
		require.NoError(t, err)
		assert.True(t, rel.Requested)
		req := e.events.ofType(social.EventFollowRequested)
		require.NotEmpty(t, req)
		assert.Equal(t, remote.ID, req[len(req)-1].Target.ID)
		assert.NotEmpty(t, req[len(req)-1].Follow.URI)
		rel, err = e.svc.AcceptFollow(e.ctx, alice.ID, remote.ID)
		require.NoError(t, err)
		assert.True(t, rel.FollowedBy)
		// A remote account following a local one (inbound Follow) with its activity id.
		rel, err = e.svc.Follow(e.ctx, remote, bob.ID, social.FollowOptions{URI: "https://remote.example/follows/1"})
		require.NoError(t, err)
		assert.True(t, rel.Following)
		f, err := e.store.Follows().Get(e.ctx, remote.ID, bob.ID)
		require.NoError(t, err)
		assert.Equal(t, "https://remote.example/follows/1", f.URI)
		// RemoveFromFollowers.
		_, err = e.svc.RemoveFromFollowers(e.ctx, bob, remote.ID)
		require.NoError(t, err)
		_, err = e.store.Follows().Get(e.ctx, remote.ID, bob.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)

		// Unfollow.
		rel, err = e.svc.Unfollow(e.ctx, alice, bob.ID)
		require.NoError(t, err)
		assert.False(t, rel.Following)
		assert.Equal(t, int64(0), e.account(bob.ID).FollowersCount)
		assert.Equal(t, int64(2), e.account(alice.ID).FollowingCount)
		followers, err := e.svc.Followers(e.ctx, nil, lockedAcct.ID, storage.Page{})
		require.NoError(t, err)
		require.Len(t, followers, 1)
		following, err := e.svc.Following(e.ctx, nil, alice.ID, storage.Page{})
		require.NoError(t, err)
		assert.Len(t, following, 2)
	})
}

func TestNotificationSuppression(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice := e.local("alice")
		blocker := e.local("blocker")
		muterAll := e.local("muterall")
		muterStatuses := e.local("mutersts")
		domainBlocker := e.local("domblock")
		plain := e.local("plain")
		rem := e.remote("rem", "spam.example")
		_, err := e.svc.Block(e.ctx, blocker, alice.ID)
		require.NoError(t, err)
		_, err = e.svc.Mute(e.ctx, muterAll, alice.ID, social.MuteOptions{})
		require.NoError(t, err)
		_, err = e.svc.Mute(e.ctx, muterStatuses, alice.ID, social.MuteOptions{Notifications: ptr(false)})
		require.NoError(t, err)
		require.NoError(t, e.svc.BlockDomain(e.ctx, domainBlocker, "SPAM.example"))

		e.post(alice, "@blocker @muterall @mutersts @plain @domblock hi", storage.VisibilityPublic)
		assert.Empty(t, e.notifications(blocker))
		assert.Empty(t, e.notifications(muterAll))
		assert.Equal(t, []string{"mention:alice"}, e.notifications(muterStatuses))
		assert.Equal(t, []string{"mention:alice"}, e.notifications(plain))

		st := e.post(domainBlocker, "hello", storage.VisibilityPublic)
		_, err = e.svc.Favourite(e.ctx, rem, st.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"mention:alice"}, e.notifications(domainBlocker), "no favourite from a blocked domain")

		// Notifications made before a block are hidden when read.
		_, err = e.svc.Block(e.ctx, plain, alice.ID)
		require.NoError(t, err)
		assert.Empty(t, e.notifications(plain))

		// Get / dismiss / clear.
		ns, err := e.svc.Notifications(e.ctx, muterStatuses, storage.NotificationFilter{Types: []storage.NotificationType{storage.NotifyMention}}, storage.Page{})
		require.NoError(t, err)
		require.Len(t, ns, 1)
		n, err := e.svc.Notification(e.ctx, muterStatuses, ns[0].ID)
		require.NoError(t, err)
		assert.Equal(t, ns[0].ID, n.ID)
		_, err = e.svc.Notification(e.ctx, plain, ns[0].ID)
		assert.ErrorIs(t, err, social.ErrNotFound)
		count, err := e.svc.UnreadNotifications(e.ctx, muterStatuses, 0, storage.NotificationFilter{})
		require.NoError(t, err)
		assert.Equal(t, int64(1), count)
		require.NoError(t, e.svc.DismissNotification(e.ctx, muterStatuses, ns[0].ID))
		assert.ErrorIs(t, e.svc.DismissNotification(e.ctx, muterStatuses, ns[0].ID), social.ErrNotFound)
		require.NoError(t, e.svc.ClearNotifications(e.ctx, domainBlocker))
		assert.Empty(t, e.notifications(domainBlocker))
		created := e.events.ofType(social.EventNotificationCreated)
		assert.NotEmpty(t, created)
		for _, ev := range created {
			assert.NotNil(t, ev.Notification)
			assert.NotNil(t, ev.Target)
		}
	})
}

func TestEditStatus(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice := e.local("alice")
		bob := e.local("bob")
		carol := e.local("carol")
		st := e.post(alice, "first #one", storage.VisibilityPublic)
		_, err := e.svc.Reblog(e.ctx, bob, st.ID, social.ReblogInput{})
		require.NoError(t, err)

		hist, err := e.svc.History(e.ctx, nil, st.ID)
		require.NoError(t, err)
		require.Len(t, hist, 1, "an unedited status has one version")
		assert.Equal(t, "first #one", hist[0].Text)

		// An edit that changes nothing records nothing.
		same, err := e.svc.EditStatus(e.ctx, alice, st.ID, social.EditInput{Text: "first #one"})
		require.NoError(t, err)
		assert.Nil(t, same.EditedAt)

		e.events.reset()
		ed, err := e.svc.EditStatus(e.ctx, alice, st.ID, social.EditInput{Text: "second #two @carol", SpoilerText: "cw"})
		require.NoError(t, err)
		require.NotNil(t, ed.EditedAt)
		assert.True(t, ed.Sensitive)
		assert.Contains(t, ed.Content, "#<span>two</span>")
		stored := e.status(st.ID)
		assert.Equal(t, storage.Strings{"two"}, stored.Tags)
		assert.Equal(t, "second #two @carol", stored.Text)
		assert.Equal(t, []string{"update:alice"}, e.notifications(bob), "boosters are told of the edit")
		assert.Equal(t, []string{"mention:alice"}, e.notifications(carol), "new mentions are notified")
		up := e.events.ofType(social.EventStatusUpdated)
		require.Len(t, up, 1)
		assert.Contains(t, up[0].HomeFeeds, alice.ID)

		_, err = e.svc.EditStatus(e.ctx, alice, st.ID, social.EditInput{Text: "third @carol"})
		require.NoError(t, err)
		assert.Equal(t, []string{"mention:alice"}, e.notifications(carol), "old mentions are not notified again")
		hist, err = e.svc.History(e.ctx, bob, st.ID)
		require.NoError(t, err)
		require.Len(t, hist, 3)
		assert.Equal(t, []string{"first #one", "second #two @carol", "third @carol"}, []string{hist[0].Text, hist[1].Text, hist[2].Text})
		assert.Equal(t, "cw", hist[1].SpoilerText)

		src, err := e.svc.Source(e.ctx, alice, st.ID)
		require.NoError(t, err)
		assert.Equal(t, &social.StatusSource{ID: st.ID, Text: "third @carol"}, src)
		_, err = e.svc.Source(e.ctx, bob, st.ID)
		assert.ErrorIs(t, err, social.ErrForbidden)
		_, err = e.svc.EditStatus(e.ctx, bob, st.ID, social.EditInput{Text: "hijack"})
		assert.ErrorIs(t, err, social.ErrForbidden)
		priv := e.post(alice, "private", storage.VisibilityPrivate)
		_, err = e.svc.EditStatus(e.ctx, bob, priv.ID, social.EditInput{Text: "x"})
		assert.ErrorIs(t, err, social.ErrNotFound)
		_, err = e.svc.History(e.ctx, bob, priv.ID)
		assert.ErrorIs(t, err, social.ErrNotFound)
		var ve *social.ValidationError
		_, err = e.svc.EditStatus(e.ctx, alice, st.ID, social.EditInput{Text: ""})
		assert.ErrorAs(t, err, &ve)
	})
}

func TestDeleteStatus(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice := e.local("alice")
		bob := e.local("bob")
		e.follow(bob, alice)
		parent := e.post(bob, "parent", storage.VisibilityPublic)
		st := e.reply(alice, parent, "@bob the text", storage.VisibilityPublic)
		_, err := e.svc.Favourite(e.ctx, bob, st.ID)
		require.NoError(t, err)
		_, err = e.svc.Bookmark(e.ctx, bob, st.ID)
		require.NoError(t, err)
		boost, err := e.svc.Reblog(e.ctx, bob, st.ID, social.ReblogInput{})
		require.NoError(t, err)
		_, err = e.svc.Pin(e.ctx, alice, st.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(1), e.status(parent.ID).RepliesCount)
		assert.Equal(t, int64(2), e.account(bob.ID).StatusesCount)

		_, err = e.svc.DeleteStatus(e.ctx, bob, st.ID)
		assert.ErrorIs(t, err, social.ErrForbidden)
		e.events.reset()
		del, err := e.svc.DeleteStatus(e.ctx, alice, st.ID)
		require.NoError(t, err)
		assert.Equal(t, "@bob the text", del.Text, "the text serves delete and redraft")
		_, err = e.store.Statuses().Get(e.ctx, st.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		_, err = e.store.Statuses().Get(e.ctx, boost.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "boosts go with the status")
		assert.Equal(t, int64(0), e.status(parent.ID).RepliesCount)
		assert.Equal(t, int64(0), e.account(alice.ID).StatusesCount)
		assert.Equal(t, int64(1), e.account(bob.ID).StatusesCount, "the boost no longer counts")
		assert.NotContains(t, e.homeIDs(bob), st.ID)
		assert.NotContains(t, e.homeIDs(bob), boost.ID)
		bms, err := e.svc.Bookmarks(e.ctx, bob, storage.Page{})
		require.NoError(t, err)
		assert.Empty(t, bms)
		assert.Empty(t, e.notifications(bob))
		dels := e.events.ofType(social.EventStatusDeleted)
		require.Len(t, dels, 1)
		require.Len(t, dels[0].DeletedReblogs, 1)
		assert.Equal(t, boost.ID, dels[0].DeletedReblogs[0].ID)
		_, err = e.svc.DeleteStatus(e.ctx, alice, st.ID)
		assert.ErrorIs(t, err, social.ErrNotFound)

		// Deleting one's boost by its id is an unboost.
		b, err := e.svc.Reblog(e.ctx, alice, parent.ID, social.ReblogInput{})
		require.NoError(t, err)
		assert.Equal(t, int64(1), e.status(parent.ID).ReblogsCount)
		_, err = e.svc.DeleteStatus(e.ctx, alice, b.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(0), e.status(parent.ID).ReblogsCount)
		assert.Equal(t, int64(0), e.account(alice.ID).StatusesCount)
	})
}

func TestBlocksAndMutes(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice := e.local("alice")
		bob := e.local("bob")
		e.follow(alice, bob)
		e.follow(bob, alice)
		bst := e.post(bob, "bob", storage.VisibilityPublic)
		ast := e.post(alice, "alice", storage.VisibilityPublic)
		rel, err := e.svc.Block(e.ctx, alice, bob.ID)
		require.NoError(t, err)
		assert.True(t, rel.Blocking)
		assert.False(t, rel.Following)
		assert.False(t, rel.FollowedBy)
		for _, a := range []*storage.Account{alice, bob} {
			acct := e.account(a.ID)
			assert.Zero(t, acct.FollowersCount)
			assert.Zero(t, acct.FollowingCount)
		}
		assert.NotContains(t, e.homeIDs(alice), bst.ID)
		assert.NotContains(t, e.homeIDs(bob), ast.ID)
		_, err = e.svc.Follow(e.ctx, bob, alice.ID, social.FollowOptions{})
		assert.ErrorIs(t, err, social.ErrForbidden)
		rels, err := e.svc.Relationships(e.ctx, bob, []storage.ID{alice.ID})
		require.NoError(t, err)
		assert.True(t, rels[0].BlockedBy)
		_, err = e.svc.Block(e.ctx, alice, bob.ID)
		require.NoError(t, err, "blocking twice is fine")
		blocks, err := e.svc.Blocks(e.ctx, alice, storage.Page{})
		require.NoError(t, err)
		require.Len(t, blocks, 1)
		assert.Equal(t, bob.ID, blocks[0].Account.ID)
		be := e.events.ofType(social.EventAccountBlocked)
		require.Len(t, be, 1)
		assert.Equal(t, e.urls.Activity("alice", "blocks", be[0].Block.ID), be[0].Block.URI)
		rel, err = e.svc.Unblock(e.ctx, alice, bob.ID)
		require.NoError(t, err)
		assert.False(t, rel.Blocking)
		require.Len(t, e.events.ofType(social.EventAccountUnblocked), 1)
		_, err = e.svc.Unblock(e.ctx, alice, bob.ID)
		require.NoError(t, err)

		// Mutes hide statuses from the home feed and public timelines, not from direct view.
		carol := e.local("carol")
		e.follow(alice, carol)
		cst := e.post(carol, "carol", storage.VisibilityPublic)
		rel, err = e.svc.Mute(e.ctx, alice, carol.ID, social.MuteOptions{Duration: 0})
		require.NoError(t, err)
		assert.True(t, rel.Muting)
		assert.True(t, rel.MutingNotifications)
		assert.NotContains(t, e.home(alice), cst.ID)
		pub, err := e.svc.Public(e.ctx, alice, storage.PublicFilter{}, storage.Page{})
		require.NoError(t, err)
		assert.NotContains(t, ids(pub), cst.ID)
		_, err = e.svc.GetStatus(e.ctx, alice, cst.ID)
		require.NoError(t, err)
		rel, err = e.svc.Mute(e.ctx, alice, carol.ID, social.MuteOptions{Notifications: ptr(false), Duration: 3600 * 1e9})
		require.NoError(t, err)
		assert.False(t, rel.MutingNotifications)
		require.NotNil(t, rel.Mute.ExpiresAt)
		mutes, err := e.svc.Mutes(e.ctx, alice, storage.Page{})
		require.NoError(t, err)
		require.Len(t, mutes, 1)
		assert.NotNil(t, mutes[0].Mute.ExpiresAt)
		rel, err = e.svc.Unmute(e.ctx, alice, carol.ID)
		require.NoError(t, err)
		assert.False(t, rel.Muting)

		// Domain blocks.
		rem := e.remote("rem", "blocked.example")
		require.NoError(t, e.svc.BlockDomain(e.ctx, alice, "blocked.example"))
		require.NoError(t, e.svc.BlockDomain(e.ctx, alice, "blocked.example"))
		var ve *social.ValidationError
		assert.ErrorAs(t, e.svc.BlockDomain(e.ctx, alice, "herd.example"), &ve)
		assert.ErrorAs(t, e.svc.BlockDomain(e.ctx, alice, "no spaces"), &ve)
		rels, err = e.svc.Relationships(e.ctx, alice, []storage.ID{rem.ID})
		require.NoError(t, err)
		assert.True(t, rels[0].DomainBlocking)
		rst := &storage.Status{AccountID: rem.ID, URI: "https://blocked.example/1", Visibility: storage.VisibilityPublic}
		require.NoError(t, e.store.Statuses().Create(e.ctx, rst))
		ok, err := e.svc.CanSee(e.ctx, alice, rst)
		require.NoError(t, err)
		assert.False(t, ok)
		dbs, err := e.svc.DomainBlocks(e.ctx, alice, storage.Page{})
		require.NoError(t, err)
		require.Len(t, dbs, 1)
		require.NoError(t, e.svc.UnblockDomain(e.ctx, alice, "BLOCKED.example"))
		ok, err = e.svc.CanSee(e.ctx, alice, rst)
		require.NoError(t, err)
		assert.True(t, ok)
	})
}

func TestUpdateProfile(t *testing.T) {
	e := newEnv(t)
	alice := e.local("alice")
	e.local("bob")
	var ve *social.ValidationError
	a, err := e.svc.UpdateProfile(e.ctx, alice, social.ProfileInput{
		DisplayName: ptr(" Alice "),
		Note:        ptr("Hi @bob\n\n#go <3"),
		Locked:      ptr(true),
		Bot:         ptr(true),
		Fields:      &[]social.FieldInput{{Name: "Site", Value: "https://alice.example"}, {Name: "", Value: ""}, {Name: "Pronouns", Value: "she/her"}},
		AvatarURL:   ptr("https://herd.example/media/a.png"),
	})
	require.NoError(t, err)
	assert.Equal(t, "Alice", a.DisplayName)
	assert.Equal(t, "Hi @bob\n\n#go <3", a.NoteSource)
	assert.Contains(t, a.Note, `class="u-url mention"`)
	assert.Contains(t, a.Note, "</p><p>")
	assert.Contains(t, a.Note, "&lt;3")
	assert.True(t, a.Locked)
	assert.Equal(t, storage.ActorService, a.ActorType)
	require.Len(t, a.Fields, 2)
	assert.Contains(t, a.Fields[0].Value, `rel="nofollow noopener me"`)
	assert.Equal(t, "she/her", a.Fields[1].Value)
	stored := e.account(alice.ID)
	assert.Equal(t, a.Fields, stored.Fields)
	assert.Equal(t, "https://herd.example/media/a.png", stored.AvatarURL)
	require.Len(t, e.events.ofType(social.EventAccountUpdated), 1)

	_, err = e.svc.UpdateProfile(e.ctx, alice, social.ProfileInput{Fields: &[]social.FieldInput{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}}})
	assert.ErrorAs(t, err, &ve)
	_, err = e.svc.UpdateProfile(e.ctx, alice, social.ProfileInput{Fields: &[]social.FieldInput{{"a", strings.Repeat("x", 256)}}})
	assert.ErrorAs(t, err, &ve)
	_, err = e.svc.UpdateProfile(e.ctx, alice, social.ProfileInput{DisplayName: ptr(strings.Repeat("x", 31))})
	assert.ErrorAs(t, err, &ve)
	_, err = e.svc.UpdateProfile(e.ctx, alice, social.ProfileInput{Privacy: ptr(storage.Visibility("x"))})
	assert.ErrorAs(t, err, &ve)
	_, err = e.svc.UpdateProfile(e.ctx, e.remote("r", "remote.example"), social.ProfileInput{})
	assert.ErrorIs(t, err, social.ErrForbidden)

	_, err = e.svc.UpdateProfile(e.ctx, alice, social.ProfileInput{Privacy: ptr(storage.VisibilityPrivate)})
	require.NoError(t, err)
	assert.Equal(t, storage.VisibilityPrivate, e.post(alice, "x", "").Visibility)
}

func TestSearch(t *testing.T) {
	e := newEnv(t)
	alice := e.local("alice")
	bob := e.local("bobby")
	e.remote("bobremote", "remote.example")
	blocker := e.local("bobblocker")
	_, err := e.svc.Block(e.ctx, blocker, alice.ID)
	require.NoError(t, err)
	accts, err := e.svc.SearchAccounts(e.ctx, alice, "@bob", 10, 0)
	require.NoError(t, err)
	var names []string
	for _, a := range accts {
		names = append(names, a.Acct())
	}
	assert.ElementsMatch(t, []string{"bobby", "bobremote@remote.example"}, names)
	accts, err = e.svc.SearchAccounts(e.ctx, nil, "bob@remote.example", 10, 0)
	require.NoError(t, err)
	require.Len(t, accts, 1)

	e.post(bob, "I like #GoLang and #gophers", storage.VisibilityPublic)
	e.post(alice, "#golang forever", storage.VisibilityPublic)
	tags, err := e.svc.SearchHashtags(e.ctx, "go", 10, 0)
	require.NoError(t, err)
	require.Len(t, tags, 2)
	assert.Equal(t, storage.TagUse{Name: "golang", Uses: 2}, tags[0])

	sts, err := e.svc.SearchStatuses(e.ctx, alice, "GOLANG", 0, 10, 0)
	require.NoError(t, err)
	assert.Len(t, sts, 2)
	sts, err = e.svc.SearchStatuses(e.ctx, nil, "golang", 0, 10, 0)
	require.NoError(t, err)
	assert.Empty(t, sts)
}

func TestEventsOnlyAfterCommit(t *testing.T) {
	e := newEnv(t)
	alice := e.local("alice")
	_, err := e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "x", InReplyToID: 1})
	require.Error(t, err)
	assert.Empty(t, e.events.events, "a failed post publishes nothing")
	e.post(alice, "ok", storage.VisibilityPublic)
	assert.Len(t, e.events.ofType(social.EventStatusCreated), 1)
}

func TestErrorsAreDistinct(t *testing.T) {
	assert.False(t, errors.Is(social.ErrNotFound, social.ErrForbidden))
	assert.True(t, errors.Is(&social.ValidationError{Field: "f", Message: "m"}, social.ErrUnprocessable))
}
