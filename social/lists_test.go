package social_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

func (e *env) newList(owner *storage.Account, title string, policy storage.RepliesPolicy, exclusive bool) *storage.List {
	e.t.Helper()
	l, err := e.svc.CreateList(e.ctx, owner, social.ListInput{Title: &title, RepliesPolicy: &policy, Exclusive: &exclusive})
	require.NoError(e.t, err)
	return l
}

// listIDs lists the status IDs of a list's timeline as the service shows it.
func (e *env) listIDs(owner *storage.Account, l *storage.List) []storage.ID {
	e.t.Helper()
	pg, err := e.svc.ListPage(e.ctx, owner, l.ID, storage.Page{Limit: storage.MaxLimit})
	require.NoError(e.t, err)
	return ids(pg.Statuses)
}

func requireValidation(t *testing.T, err error, field string) {
	t.Helper()
	var ve *social.ValidationError
	require.True(t, errors.As(err, &ve), "want a validation error, got %v", err)
	assert.Equal(t, field, ve.Field)
}

func TestListsCRUD(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice, bob, carol := e.local("alice"), e.local("bob"), e.local("carol")
		e.follow(alice, bob)

		title := "  Friends  "
		l, err := e.svc.CreateList(e.ctx, alice, social.ListInput{Title: &title})
		require.NoError(t, err)
		assert.Equal(t, "Friends", l.Title)
		assert.Equal(t, storage.RepliesList, l.RepliesPolicy)
		assert.False(t, l.Exclusive)

		blank := " "
		_, err = e.svc.CreateList(e.ctx, alice, social.ListInput{Title: &blank})
		requireValidation(t, err, "title")
		_, err = e.svc.CreateList(e.ctx, alice, social.ListInput{})
		requireValidation(t, err, "title")
		bad := storage.RepliesPolicy("everyone")
		_, err = e.svc.CreateList(e.ctx, alice, social.ListInput{Title: &title, RepliesPolicy: &bad})
		requireValidation(t, err, "replies_policy")

		got, err := e.svc.GetList(e.ctx, alice, l.ID)
		require.NoError(t, err)
		assert.Equal(t, l.ID, got.ID)
		_, err = e.svc.GetList(e.ctx, carol, l.ID)
		require.ErrorIs(t, err, social.ErrNotFound, "someone else's list is not found")

		none, yes, newTitle := storage.RepliesNone, true, "Close friends"
		up, err := e.svc.UpdateList(e.ctx, alice, l.ID, social.ListInput{Title: &newTitle, RepliesPolicy: &none, Exclusive: &yes})
		require.NoError(t, err)
		assert.Equal(t, "Close friends", up.Title)
		assert.Equal(t, storage.RepliesNone, up.RepliesPolicy)
		assert.True(t, up.Exclusive)
		_, err = e.svc.UpdateList(e.ctx, carol, l.ID, social.ListInput{Title: &newTitle})
		require.ErrorIs(t, err, social.ErrNotFound)

		mine, err := e.svc.Lists(e.ctx, alice)
		require.NoError(t, err)
		require.Len(t, mine, 1)
		theirs, err := e.svc.Lists(e.ctx, carol)
		require.NoError(t, err)
		assert.Empty(t, theirs)

		// Members: followed accounts only, once, all or nothing.
		require.NoError(t, e.svc.AddToList(e.ctx, alice, l.ID, []storage.ID{bob.ID}))
		requireValidation(t, e.svc.AddToList(e.ctx, alice, l.ID, []storage.ID{bob.ID}), "account")
		requireValidation(t, e.svc.AddToList(e.ctx, alice, l.ID, []storage.ID{carol.ID}), "account")
		require.ErrorIs(t, e.svc.AddToList(e.ctx, alice, l.ID, []storage.ID{424242}), social.ErrNotFound)
		require.ErrorIs(t, e.svc.AddToList(e.ctx, carol, l.ID, []storage.ID{bob.ID}), social.ErrNotFound)
		members, err := e.svc.ListAccounts(e.ctx, alice, l.ID, storage.Page{}, false)
		require.NoError(t, err)
		require.Len(t, members, 1)
		assert.Equal(t, bob.ID, members[0].Account.ID)
		assert.Equal(t, bob.ID, members[0].Cursor)
		_, err = e.svc.ListAccounts(e.ctx, carol, l.ID, storage.Page{}, true)
		require.ErrorIs(t, err, social.ErrNotFound)

		holding, err := e.svc.ListsContaining(e.ctx, alice, bob.ID)
		require.NoError(t, err)
		require.Len(t, holding, 1)
		_, err = e.svc.ListsContaining(e.ctx, alice, 424242)
		require.ErrorIs(t, err, social.ErrNotFound)

		require.ErrorIs(t, e.svc.RemoveFromList(e.ctx, carol, l.ID, []storage.ID{bob.ID}), social.ErrNotFound)
		require.NoError(t, e.svc.RemoveFromList(e.ctx, alice, l.ID, []storage.ID{bob.ID, carol.ID}))
		members, err = e.svc.ListAccounts(e.ctx, alice, l.ID, storage.Page{}, true)
		require.NoError(t, err)
		assert.Empty(t, members)

		require.NoError(t, e.svc.AuthorizeList(e.ctx, alice, l.ID))
		require.ErrorIs(t, e.svc.AuthorizeList(e.ctx, carol, l.ID), social.ErrNotFound)
		require.ErrorIs(t, e.svc.DeleteList(e.ctx, carol, l.ID), social.ErrNotFound)
		require.NoError(t, e.svc.DeleteList(e.ctx, alice, l.ID))
		require.ErrorIs(t, e.svc.DeleteList(e.ctx, alice, l.ID), social.ErrNotFound)
		_, err = e.svc.ListPage(e.ctx, alice, l.ID, storage.Page{})
		require.ErrorIs(t, err, social.ErrNotFound)
	})
}

func TestListsLimit(t *testing.T) {
	e := newEnv(t)
	alice := e.local("alice")
	for i := 0; i < social.MaxLists; i++ {
		e.newList(alice, "l", storage.RepliesList, false)
	}
	title := "one too many"
	_, err := e.svc.CreateList(e.ctx, alice, social.ListInput{Title: &title})
	requireValidation(t, err, "lists")
}

func TestListFanOut(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice, bob, carol, dave := e.local("alice"), e.local("bob"), e.local("carol"), e.local("dave")
		e.follow(alice, bob)
		e.follow(alice, carol)
		e.follow(dave, bob)
		l := e.newList(alice, "bob", storage.RepliesList, false)
		require.NoError(t, e.svc.AddToList(e.ctx, alice, l.ID, []storage.ID{bob.ID}))
		other := e.newList(dave, "dave's", storage.RepliesList, false)
		require.NoError(t, e.svc.AddToList(e.ctx, dave, other.ID, []storage.ID{bob.ID}))
		e.events.reset()

		pub := e.post(bob, "hello", storage.VisibilityPublic)
		priv := e.post(bob, "followers only", storage.VisibilityPrivate)
		dm := e.post(bob, "@alice psst", storage.VisibilityDirect)
		byCarol := e.post(carol, "not in the list", storage.VisibilityPublic)
		assert.Equal(t, []storage.ID{priv.ID, pub.ID}, e.listIDs(alice, l), "public and private statuses of members, not direct ones")
		assert.Equal(t, []storage.ID{priv.ID, pub.ID}, e.listIDs(dave, other), "every owner's list")
		assert.Contains(t, e.home(alice), pub.ID, "a non-exclusive list leaves home alone")
		assert.Contains(t, e.home(alice), dm.ID)
		assert.Contains(t, e.home(alice), byCarol.ID)

		created := e.events.ofType(social.EventStatusCreated)
		require.NotEmpty(t, created)
		assert.ElementsMatch(t, []storage.ID{l.ID, other.ID}, created[0].ListFeeds, "the event names the list feeds")
		assert.Empty(t, created[2].ListFeeds, "a direct status goes to no list")

		// Boosts by members go to the list (the booster is the member).
		boost, err := e.svc.Reblog(e.ctx, bob, byCarol.ID, social.ReblogInput{})
		require.NoError(t, err)
		assert.Equal(t, boost.ID, e.listIDs(alice, l)[0])

		// Edits are announced to the lists holding the status.
		e.events.reset()
		_, err = e.svc.EditStatus(e.ctx, bob, pub.ID, social.EditInput{Text: "hello again"})
		require.NoError(t, err)
		updated := e.events.ofType(social.EventStatusUpdated)
		require.Len(t, updated, 1)
		assert.ElementsMatch(t, []storage.ID{l.ID, other.ID}, updated[0].ListFeeds)

		// Deleting a status takes it out of list feeds.
		_, err = e.svc.DeleteStatus(e.ctx, bob, priv.ID)
		require.NoError(t, err)
		assert.NotContains(t, e.listIDs(alice, l), priv.ID)

		// Someone else's list timeline is not found.
		_, err = e.svc.ListPage(e.ctx, dave, l.ID, storage.Page{})
		require.ErrorIs(t, err, social.ErrNotFound)

		// Blocking and muting apply as on home.
		_, err = e.svc.Mute(e.ctx, dave, bob.ID, social.MuteOptions{})
		require.NoError(t, err)
		late := e.post(bob, "after the mute", storage.VisibilityPublic)
		assert.NotContains(t, e.listIDs(dave, other), late.ID, "muted")
		assert.Contains(t, e.listIDs(alice, l), late.ID)
	})
}

func TestListRepliesPolicy(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice, bob, carol, erin, zed := e.local("alice"), e.local("bob"), e.local("carol"), e.local("erin"), e.local("zed")
		for _, b := range []*storage.Account{bob, carol, erin} {
			e.follow(alice, b)
		}
		lists := map[storage.RepliesPolicy]*storage.List{}
		for _, p := range []storage.RepliesPolicy{storage.RepliesFollowed, storage.RepliesList, storage.RepliesNone} {
			l := e.newList(alice, string(p), p, false)
			require.NoError(t, e.svc.AddToList(e.ctx, alice, l.ID, []storage.ID{bob.ID, carol.ID}))
			lists[p] = l
		}
		byCarol := e.post(carol, "carol", storage.VisibilityPublic)
		byErin := e.post(erin, "erin", storage.VisibilityPublic)
		byZed := e.post(zed, "zed", storage.VisibilityPublic)
		byAlice := e.post(alice, "alice", storage.VisibilityPublic)
		byBob := e.post(bob, "bob", storage.VisibilityPublic)

		toMember := e.reply(bob, byCarol, "@carol to a member", storage.VisibilityPublic)
		toFollowed := e.reply(bob, byErin, "@erin to someone followed", storage.VisibilityPublic)
		toStranger := e.reply(bob, byZed, "@zed to a stranger", storage.VisibilityPublic)
		toOwner := e.reply(bob, byAlice, "@alice to the owner", storage.VisibilityPublic)
		self := e.reply(bob, byBob, "a thread", storage.VisibilityPublic)

		has := func(p storage.RepliesPolicy, st *storage.Status) bool {
			for _, id := range e.listIDs(alice, lists[p]) {
				if id == st.ID {
					return true
				}
			}
			return false
		}
		for _, c := range []struct {
			name                string
			st                  *storage.Status
			followed, list, non bool
		}{
			{"reply to a member", toMember, true, true, false},
			{"reply to an account followed", toFollowed, true, false, false},
			{"reply to a stranger", toStranger, false, false, false},
			{"reply to the owner", toOwner, true, true, true},
			{"self-reply", self, true, true, true},
		} {
			assert.Equal(t, c.followed, has(storage.RepliesFollowed, c.st), "followed: %s", c.name)
			assert.Equal(t, c.list, has(storage.RepliesList, c.st), "list: %s", c.name)
			assert.Equal(t, c.non, has(storage.RepliesNone, c.st), "none: %s", c.name)
		}
	})
}

func TestListExclusive(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice, bob, carol := e.local("alice"), e.local("bob"), e.local("carol")
		e.follow(alice, bob)
		e.follow(carol, bob)
		l := e.newList(alice, "bob only here", storage.RepliesList, true)
		require.NoError(t, e.svc.AddToList(e.ctx, alice, l.ID, []storage.ID{bob.ID}))
		e.events.reset()

		st := e.post(bob, "hi", storage.VisibilityPublic)
		assert.Equal(t, []storage.ID{st.ID}, e.listIDs(alice, l))
		assert.NotContains(t, e.homeIDs(alice), st.ID, "an exclusive list keeps its members out of home")
		assert.Contains(t, e.homeIDs(carol), st.ID, "others' homes are unaffected")
		created := e.events.ofType(social.EventStatusCreated)
		require.Len(t, created, 1)
		assert.NotContains(t, created[0].HomeFeeds, alice.ID)
		assert.Contains(t, created[0].HomeFeeds, carol.ID)

		// Not exclusive any more: home again.
		no := false
		_, err := e.svc.UpdateList(e.ctx, alice, l.ID, social.ListInput{Exclusive: &no})
		require.NoError(t, err)
		st2 := e.post(bob, "hi again", storage.VisibilityPublic)
		assert.Contains(t, e.homeIDs(alice), st2.ID)
	})
}

func TestListUnfollowAndBackfill(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice, bob := e.local("alice"), e.local("bob")
		e.follow(alice, bob)
		old := e.post(bob, "before", storage.VisibilityPublic)
		oldPriv := e.post(bob, "before, private", storage.VisibilityPrivate)
		oldDM := e.post(bob, "@alice before, direct", storage.VisibilityDirect)
		l := e.newList(alice, "bob", storage.RepliesList, false)
		require.NoError(t, e.svc.AddToList(e.ctx, alice, l.ID, []storage.ID{bob.ID}))
		got := e.listIDs(alice, l)
		assert.Equal(t, []storage.ID{oldPriv.ID, old.ID}, got, "a new member's latest statuses are merged, direct ones not")
		assert.NotContains(t, got, oldDM.ID)

		// Removing a member empties the list feed of its statuses.
		require.NoError(t, e.svc.RemoveFromList(e.ctx, alice, l.ID, []storage.ID{bob.ID}))
		assert.Empty(t, e.listIDs(alice, l))
		require.NoError(t, e.svc.AddToList(e.ctx, alice, l.ID, []storage.ID{bob.ID}))

		// Unfollowing removes the member from the owner's lists.
		_, err := e.svc.Unfollow(e.ctx, alice, bob.ID)
		require.NoError(t, err)
		members, err := e.svc.ListAccounts(e.ctx, alice, l.ID, storage.Page{}, true)
		require.NoError(t, err)
		assert.Empty(t, members)
		assert.Empty(t, e.listIDs(alice, l))
		after := e.post(bob, "after", storage.VisibilityPublic)
		assert.NotContains(t, e.listIDs(alice, l), after.ID)

		// Blocking ends the follow, hence the membership, too.
		e.follow(alice, bob)
		require.NoError(t, e.svc.AddToList(e.ctx, alice, l.ID, []storage.ID{bob.ID}))
		_, err = e.svc.Block(e.ctx, bob, alice.ID)
		require.NoError(t, err)
		members, err = e.svc.ListAccounts(e.ctx, alice, l.ID, storage.Page{}, true)
		require.NoError(t, err)
		assert.Empty(t, members)
	})
}

func TestListRemoteStatus(t *testing.T) {
	e := newEnv(t)
	alice := e.local("alice")
	rem := e.remote("rem", "remote.example")
	_, err := e.svc.Follow(e.ctx, alice, rem.ID, social.FollowOptions{})
	require.NoError(t, err)
	if _, err := e.store.Follows().Get(e.ctx, alice.ID, rem.ID); err != nil {
		_, err = e.svc.AcceptFollow(e.ctx, alice.ID, rem.ID)
		require.NoError(t, err)
	}
	l := e.newList(alice, "remote", storage.RepliesList, true)
	require.NoError(t, e.svc.AddToList(e.ctx, alice, l.ID, []storage.ID{rem.ID}))
	st := &storage.Status{AccountID: rem.ID, URI: "https://remote.example/users/rem/statuses/1", Content: "<p>hi</p>",
		Visibility: storage.VisibilityPublic, CreatedAt: time.Now().Add(-time.Minute)}
	got, created, err := e.svc.ReceiveStatus(e.ctx, st, social.ReceiveOptions{})
	require.NoError(t, err)
	require.True(t, created)
	assert.Equal(t, []storage.ID{got.ID}, e.listIDs(alice, l), "statuses received through federation reach lists")
	assert.NotContains(t, e.homeIDs(alice), got.ID, "exclusive")
}
