package federate_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/federate/federatetest"
	"github.com/herd-social/herd/storage"
)

// pair is two servers, each with users, that know each other's users.
type pair struct {
	a, b *federatetest.Server
}

func newPair(t *testing.T) *pair {
	t.Parallel()
	return &pair{a: federatetest.NewServer(t, nil), b: federatetest.NewServer(t, nil)}
}

func (p *pair) flush(t *testing.T) { federatetest.FlushAll(t, p.a, p.b) }

func homeHas(t testing.TB, s *federatetest.Server, a *storage.Account, uri string) bool {
	for _, st := range s.Home(t, a) {
		if st.URI == uri {
			return true
		}
	}
	return false
}

func notified(t *testing.T, s *federatetest.Server, a *storage.Account, typ storage.NotificationType) int {
	n := 0
	for _, x := range s.Notifications(t, a) {
		if x.Type == typ {
			n++
		}
	}
	return n
}

// follow makes follower (on from) follow target (on to) and waits for the
// follow to settle.
func follow(t *testing.T, from, to *federatetest.Server, follower, target *storage.Account) *storage.Account {
	t.Helper()
	remote := from.Lookup(t, to, target)
	_, err := from.Social.Follow(t.Context(), follower, remote.ID, social.FollowOptions{})
	require.NoError(t, err)
	federatetest.FlushAll(t, from, to)
	return remote
}

func isFollowing(t *testing.T, s *federatetest.Server, followerID, targetID storage.ID) bool {
	_, err := s.Store.Follows().Get(t.Context(), followerID, targetID)
	return err == nil
}

func TestFollowOpenBothDirections(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	for _, dir := range [][2]*federatetest.Server{{p.a, p.b}, {p.b, p.a}} {
		from, to := dir[0], dir[1]
		fu := from.CreateUser(t, "fan", false)
		tu := to.CreateUser(t, "star", false)
		remote := follow(t, from, to, fu, tu)
		// The follower's server turned the request into a follow on Accept.
		assert.True(t, isFollowing(t, from, fu.ID, remote.ID), "follow recorded on the follower's server")
		fanThere := to.AccountByURI(fu.URI)
		require.NotNil(t, fanThere)
		assert.True(t, isFollowing(t, to, fanThere.ID, tu.ID), "follow recorded on the followed server")
		assert.Equal(t, 1, notified(t, to, tu, storage.NotifyFollow))
		assert.EqualValues(t, 1, to.Account(t, tu.ID).FollowersCount)

		// Unfollow: Undo(Follow).
		_, err := from.Social.Unfollow(ctx, fu, remote.ID)
		require.NoError(t, err)
		federatetest.FlushAll(t, from, to)
		assert.False(t, isFollowing(t, to, fanThere.ID, tu.ID), "unfollow reached the followed server")
	}
}

func TestFollowLockedBothDirections(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	for _, dir := range [][2]*federatetest.Server{{p.a, p.b}, {p.b, p.a}} {
		from, to := dir[0], dir[1]
		fu := from.CreateUser(t, "asker", false)
		tu := to.CreateUser(t, "private", true)
		remote := follow(t, from, to, fu, tu)
		assert.False(t, isFollowing(t, from, fu.ID, remote.ID), "no follow before approval")
		_, err := from.Store.Follows().GetRequest(ctx, fu.ID, remote.ID)
		require.NoError(t, err, "pending request on the follower's server")
		askerThere := to.AccountByURI(fu.URI)
		require.NotNil(t, askerThere)
		_, err = to.Store.Follows().GetRequest(ctx, askerThere.ID, tu.ID)
		require.NoError(t, err, "pending request on the locked server")
		assert.Equal(t, 1, notified(t, to, tu, storage.NotifyFollowRequest))

		_, err = to.Social.AcceptFollow(ctx, askerThere.ID, tu.ID)
		require.NoError(t, err)
		federatetest.FlushAll(t, from, to)
		assert.True(t, isFollowing(t, from, fu.ID, remote.ID), "Accept turned the request into a follow")

		// A second asker is rejected.
		fu2 := from.CreateUser(t, "asker2", false)
		_, err = from.Social.Follow(ctx, fu2, remote.ID, social.FollowOptions{})
		require.NoError(t, err)
		federatetest.FlushAll(t, from, to)
		asker2There := to.AccountByURI(fu2.URI)
		require.NotNil(t, asker2There)
		_, err = to.Social.RejectFollow(ctx, asker2There.ID, tu.ID)
		require.NoError(t, err)
		federatetest.FlushAll(t, from, to)
		_, err = from.Store.Follows().GetRequest(ctx, fu2.ID, remote.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "Reject removed the request")
		assert.False(t, isFollowing(t, from, fu2.ID, remote.ID))
	}
}

// TestVisibilityBothDirections posts each visibility and checks who
// receives what: followers-only never reaches non-followers, direct only
// the mentioned.
func TestVisibilityBothDirections(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	for _, dir := range [][2]*federatetest.Server{{p.a, p.b}, {p.b, p.a}} {
		src, dst := dir[0], dir[1]
		author := src.CreateUser(t, "author", false)
		fan := dst.CreateUser(t, "fan", false)
		stranger := dst.CreateUser(t, "stranger", false)
		friend := dst.CreateUser(t, "friend", false) // mentioned, not a follower
		follow(t, dst, src, fan, author)
		friendAtSrc := src.Lookup(t, dst, friend)
		_ = friendAtSrc

		post := func(vis storage.Visibility, text string) *storage.Status {
			st, err := src.Social.PostStatus(ctx, author, social.PostInput{Text: text, Visibility: vis})
			require.NoError(t, err)
			federatetest.FlushAll(t, src, dst)
			return st
		}
		pub := post(storage.VisibilityPublic, "hello world #herd")
		priv := post(storage.VisibilityPrivate, "for my followers only")
		dm := post(storage.VisibilityDirect, "psst @"+dst.Handle(friend))
		privMention := post(storage.VisibilityPrivate, "followers and @"+dst.Handle(friend))

		// Public: stored, in the follower's home, on the hashtag timeline.
		got := dst.StatusByURI(pub.URI)
		require.NotNil(t, got, "public post delivered")
		assert.Equal(t, storage.VisibilityPublic, got.Visibility)
		assert.True(t, homeHas(t, dst, fan, pub.URI))
		assert.False(t, homeHas(t, dst, stranger, pub.URI))
		tagged, err := dst.Social.Tag(ctx, stranger, social.TagQuery{Any: []string{"herd"}}, storage.Page{Limit: 20})
		require.NoError(t, err)
		assert.True(t, slices.ContainsFunc(tagged, func(s *storage.Status) bool { return s.URI == pub.URI }), "on the hashtag timeline")

		// Followers-only: the follower sees it, nobody else can.
		gotPriv := dst.StatusByURI(priv.URI)
		require.NotNil(t, gotPriv)
		assert.Equal(t, storage.VisibilityPrivate, gotPriv.Visibility)
		assert.True(t, homeHas(t, dst, fan, priv.URI))
		for _, other := range []*storage.Account{stranger, friend} {
			_, err := dst.Social.GetStatus(ctx, other, gotPriv.ID)
			assert.ErrorIs(t, err, social.ErrNotFound, "followers-only post hidden from %s", other.Username)
			assert.False(t, homeHas(t, dst, other, priv.URI))
		}

		// Direct: only the mentioned account, with a mention notification.
		gotDM := dst.StatusByURI(dm.URI)
		require.NotNil(t, gotDM)
		assert.Equal(t, storage.VisibilityDirect, gotDM.Visibility)
		_, err = dst.Social.GetStatus(ctx, friend, gotDM.ID)
		assert.NoError(t, err)
		for _, other := range []*storage.Account{fan, stranger} {
			_, err := dst.Social.GetStatus(ctx, other, gotDM.ID)
			assert.ErrorIs(t, err, social.ErrNotFound, "direct message hidden from %s", other.Username)
			assert.False(t, homeHas(t, dst, other, dm.URI))
		}
		assert.GreaterOrEqual(t, notified(t, dst, friend, storage.NotifyMention), 1)

		// Private with a mention: the follower and the mentioned.
		gotPM := dst.StatusByURI(privMention.URI)
		require.NotNil(t, gotPM)
		_, err = dst.Social.GetStatus(ctx, friend, gotPM.ID)
		assert.NoError(t, err)
		_, err = dst.Social.GetStatus(ctx, stranger, gotPM.ID)
		assert.ErrorIs(t, err, social.ErrNotFound)
	}
}

func TestPostWithoutFollowersIsNotDelivered(t *testing.T) {
	p := newPair(t)
	author := p.a.CreateUser(t, "lonely", false)
	p.b.CreateUser(t, "someone", false)
	st, err := p.a.Social.PostStatus(t.Context(), author, social.PostInput{Text: "nobody listens", Visibility: storage.VisibilityPrivate})
	require.NoError(t, err)
	p.flush(t)
	assert.Nil(t, p.b.StatusByURI(st.URI))
}

// TestInteractionsBothDirections: reply, mention, boost, favourite, edit,
// delete, and their undos.
func TestInteractionsBothDirections(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	for _, dir := range [][2]*federatetest.Server{{p.a, p.b}, {p.b, p.a}} {
		src, dst := dir[0], dir[1]
		author := src.CreateUser(t, "writer", false)
		reader := dst.CreateUser(t, "reader", false)
		readerFan := src.CreateUser(t, "readerfan", false)
		follow(t, dst, src, reader, author)
		follow(t, src, dst, readerFan, reader)

		orig, err := src.Social.PostStatus(ctx, author, social.PostInput{Text: "original post"})
		require.NoError(t, err)
		p.flush(t)
		there := dst.StatusByURI(orig.URI)
		require.NotNil(t, there)

		// Favourite on dst → Like to src: counted and notified.
		_, err = dst.Social.Favourite(ctx, reader, there.ID)
		require.NoError(t, err)
		p.flush(t)
		got, err := src.Store.Statuses().Get(ctx, orig.ID)
		require.NoError(t, err)
		assert.EqualValues(t, 1, got.FavouritesCount)
		assert.Equal(t, 1, notified(t, src, author, storage.NotifyFavourite))
		_, err = dst.Social.Unfavourite(ctx, reader, there.ID)
		require.NoError(t, err)
		p.flush(t)
		got, _ = src.Store.Statuses().Get(ctx, orig.ID)
		assert.EqualValues(t, 0, got.FavouritesCount, "Undo(Like) applied")

		// Boost on dst → Announce: counted, notified, in the booster's
		// followers' home on src.
		boost, err := dst.Social.Reblog(ctx, reader, there.ID, social.ReblogInput{})
		require.NoError(t, err)
		p.flush(t)
		got, _ = src.Store.Statuses().Get(ctx, orig.ID)
		assert.EqualValues(t, 1, got.ReblogsCount)
		assert.Equal(t, 1, notified(t, src, author, storage.NotifyReblog))
		assert.True(t, homeHas(t, src, readerFan, boost.URI), "boost in the booster's follower's home")
		_, err = dst.Social.Unreblog(ctx, reader, there.ID)
		require.NoError(t, err)
		p.flush(t)
		got, _ = src.Store.Statuses().Get(ctx, orig.ID)
		assert.EqualValues(t, 0, got.ReblogsCount, "Undo(Announce) applied")
		assert.Nil(t, src.StatusByURI(boost.URI))

		// Reply with a mention on dst → src: linked to the parent, author notified.
		authorAtDst := dst.AccountByURI(author.URI)
		require.NotNil(t, authorAtDst)
		reply, err := dst.Social.PostStatus(ctx, reader, social.PostInput{Text: "@" + src.Handle(author) + " nice one", InReplyToID: there.ID})
		require.NoError(t, err)
		p.flush(t)
		replyAtSrc := src.StatusByURI(reply.URI)
		require.NotNil(t, replyAtSrc, "reply delivered to the author replied to")
		assert.Equal(t, orig.ID, replyAtSrc.InReplyToID)
		assert.Equal(t, 1, notified(t, src, author, storage.NotifyMention))
		got, _ = src.Store.Statuses().Get(ctx, orig.ID)
		assert.EqualValues(t, 1, got.RepliesCount)

		// Edit on src → Update(Note): content and history on dst, booster notified.
		_, err = dst.Social.Reblog(ctx, reader, there.ID, social.ReblogInput{})
		require.NoError(t, err)
		p.flush(t)
		_, err = src.Social.EditStatus(ctx, author, orig.ID, social.EditInput{Text: "edited post"})
		require.NoError(t, err)
		p.flush(t)
		there = dst.StatusByURI(orig.URI)
		assert.Contains(t, there.Content, "edited post")
		assert.NotNil(t, there.EditedAt)
		hist, err := dst.Social.History(ctx, reader, there.ID)
		require.NoError(t, err)
		assert.Len(t, hist, 2)
		assert.Equal(t, 1, notified(t, dst, reader, storage.NotifyUpdate))

		// Delete on src → Delete: gone on dst with its boost.
		_, err = src.Social.DeleteStatus(ctx, author, orig.ID)
		require.NoError(t, err)
		p.flush(t)
		assert.Nil(t, dst.StatusByURI(orig.URI), "deleted on the other server")
		assert.False(t, homeHas(t, dst, reader, orig.URI))
	}
}

func TestProfileUpdateBlockAndAccountDelete(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	for _, dir := range [][2]*federatetest.Server{{p.a, p.b}, {p.b, p.a}} {
		src, dst := dir[0], dir[1]
		author := src.CreateUser(t, "celebrity", false)
		fan := dst.CreateUser(t, "fan", false)
		follow(t, dst, src, fan, author)

		// Profile update.
		name, note := "Famous <b>One</b>", "I post things"
		_, err := src.Social.UpdateProfile(ctx, author, social.ProfileInput{DisplayName: &name, Note: &note})
		require.NoError(t, err)
		p.flush(t)
		there := dst.AccountByURI(author.URI)
		require.NotNil(t, there)
		assert.Equal(t, "Famous One", there.DisplayName, "display name refreshed, as text")
		assert.Contains(t, there.Note, "I post things")

		// Block from src: the follow goes on both sides.
		fanAtSrc := src.AccountByURI(fan.URI)
		require.NotNil(t, fanAtSrc)
		_, err = src.Social.Block(ctx, author, fanAtSrc.ID)
		require.NoError(t, err)
		p.flush(t)
		assert.False(t, isFollowing(t, dst, fan.ID, there.ID), "Block removed the follow on the blocked side")
		bs, err := dst.Store.Blocks().States(ctx, fan.ID, []storage.ID{there.ID})
		require.NoError(t, err)
		assert.True(t, bs[there.ID].BlockedBy)
		_, err = src.Social.Unblock(ctx, author, fanAtSrc.ID)
		require.NoError(t, err)
		p.flush(t)
		bs, _ = dst.Store.Blocks().States(ctx, fan.ID, []storage.ID{there.ID})
		assert.False(t, bs[there.ID].BlockedBy, "Undo(Block) applied")

		// Account deletion.
		follow(t, dst, src, fan, author)
		st, err := src.Social.PostStatus(ctx, author, social.PostInput{Text: "last words"})
		require.NoError(t, err)
		p.flush(t)
		require.NotNil(t, dst.StatusByURI(st.URI))
		require.NoError(t, src.Federator.SendActorDelete(ctx, author))
		p.flush(t)
		assert.Nil(t, dst.AccountByURI(author.URI), "remote account removed")
		assert.Nil(t, dst.StatusByURI(st.URI), "its statuses removed")
		assert.EqualValues(t, 0, dst.Account(t, fan.ID).FollowingCount)
	}
}

func TestResolve(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	bob := p.b.CreateUser(t, "bob", false)
	st, err := p.b.Social.PostStatus(ctx, bob, social.PostInput{Text: "find me"})
	require.NoError(t, err)

	for _, q := range []string{"@" + p.b.Handle(bob), p.b.Handle(bob), bob.URI} {
		r, err := p.a.Federator.Resolve(ctx, q)
		require.NoError(t, err, q)
		require.NotNil(t, r.Account, q)
		assert.Equal(t, bob.URI, r.Account.URI)
	}
	r, err := p.a.Federator.Resolve(ctx, st.URI)
	require.NoError(t, err)
	require.NotNil(t, r.Status)
	assert.Contains(t, r.Status.Content, "find me")
	_, err = p.a.Federator.Resolve(ctx, "nobody@"+p.b.URLs.Host())
	assert.Error(t, err)
	_, err = p.a.Federator.Resolve(ctx, "not a handle")
	assert.Error(t, err)
}

func TestPinnedInFeatured(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	alice := p.a.CreateUser(t, "alice", false)
	st, err := p.a.Social.PostStatus(ctx, alice, social.PostInput{Text: "pinned"})
	require.NoError(t, err)
	_, err = p.a.Social.Pin(ctx, alice, st.ID)
	require.NoError(t, err)
	doc, err := p.b.Resolver.Fetch(ctx, alice.FeaturedURI)
	require.NoError(t, err)
	assert.True(t, doc.CollectionItems().Contains(st.URI) || strings.Contains(func() string {
		var ids []string
		for _, o := range doc.CollectionItems().Objects() {
			ids = append(ids, o.ID)
		}
		return strings.Join(ids, " ")
	}(), st.URI))
}

var _ = time.Second
var _ = context.Background

// TestBoostOfUnknownRemoteStatus: a followed remote account boosts a post
// this server does not have; it is fetched and the boost lands in the home
// of the booster's local followers.
func TestBoostOfUnknownRemoteStatus(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	alice := p.a.CreateUser(t, "alice", false)
	bob := p.b.CreateUser(t, "bob", false)
	carol := p.b.CreateUser(t, "carol", false)
	follow(t, p.a, p.b, alice, bob)
	st, err := p.b.Social.PostStatus(ctx, carol, social.PostInput{Text: "carol speaks"})
	require.NoError(t, err)
	p.flush(t)
	require.Nil(t, p.a.StatusByURI(st.URI), "nobody on a follows carol")
	boost, err := p.b.Social.Reblog(ctx, bob, st.ID, social.ReblogInput{})
	require.NoError(t, err)
	p.flush(t)
	orig := p.a.StatusByURI(st.URI)
	require.NotNil(t, orig, "boosted post fetched")
	assert.Contains(t, orig.Content, "carol speaks")
	assert.True(t, homeHas(t, p.a, alice, boost.URI), "boost in the home of bob's follower")
	assert.False(t, homeHas(t, p.a, alice, st.URI), "the original itself is not")
}
