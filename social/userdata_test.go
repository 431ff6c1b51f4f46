package social_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// testClock is a settable time source for a Service.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// clocked returns a service over e's store whose time is clk.
func (e *env) clocked(clk *testClock) *social.Service {
	return social.New(e.store, e.urls, &social.Options{Events: e.events, Now: clk.now})
}

func TestScheduledStatuses(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		clk := &testClock{t: time.Now().UTC()}
		svc := e.clocked(clk)
		alice, bob := e.local("alice"), e.local("bob")
		e.follow(bob, alice)

		_, err := svc.ScheduleStatus(e.ctx, alice, social.PostInput{Text: "soon"}, clk.now().Add(4*time.Minute), "")
		require.ErrorIs(t, err, social.ErrScheduledTooSoon)
		_, err = svc.ScheduleStatus(e.ctx, alice, social.PostInput{Text: ""}, clk.now().Add(time.Hour), "")
		require.ErrorIs(t, err, social.ErrInvalid, "a blank status cannot be scheduled either")

		m := &storage.MediaAttachment{AccountID: alice.ID, Type: storage.MediaImage, State: storage.MediaReady}
		require.NoError(t, e.store.MediaAttachments().Create(e.ctx, m))
		at := clk.now().Add(10 * time.Minute)
		sc, err := svc.ScheduleStatus(e.ctx, alice, social.PostInput{Text: "later #go", SpoilerText: "cw", MediaIDs: []storage.ID{m.ID}}, at, "key-1")
		require.NoError(t, err)
		assert.Equal(t, "later #go", sc.Params.Text)
		assert.Equal(t, storage.VisibilityPublic, sc.Params.Visibility, "the user's default visibility")
		assert.Equal(t, "key-1", sc.Params.Idempotency)
		_, err = svc.ScheduleStatus(e.ctx, alice, social.PostInput{Text: "again", MediaIDs: []storage.ID{m.ID}}, at, "")
		require.ErrorIs(t, err, social.ErrInvalid, "media reserved by another scheduled status")

		other, err := svc.ScheduleStatus(e.ctx, alice, social.PostInput{Text: "cancel me"}, at, "")
		require.NoError(t, err)
		require.NoError(t, svc.CancelScheduledStatus(e.ctx, alice, other.ID))
		require.ErrorIs(t, svc.CancelScheduledStatus(e.ctx, alice, other.ID), social.ErrNotFound)
		_, err = svc.ScheduledStatus(e.ctx, bob, sc.ID)
		require.ErrorIs(t, err, social.ErrNotFound, "another account's scheduled status")

		_, err = svc.RescheduleStatus(e.ctx, alice, sc.ID, clk.now().Add(time.Minute))
		require.ErrorIs(t, err, social.ErrScheduledTooSoon)
		at = clk.now().Add(20 * time.Minute)
		sc, err = svc.RescheduleStatus(e.ctx, alice, sc.ID, at)
		require.NoError(t, err)
		assert.Equal(t, at.Truncate(time.Microsecond), sc.ScheduledAt)
		list, err := svc.ScheduledStatuses(e.ctx, alice, storage.Page{})
		require.NoError(t, err)
		require.Len(t, list, 1)

		n, err := svc.PublishDue(e.ctx, nil)
		require.NoError(t, err)
		assert.Zero(t, n, "nothing due yet")
		clk.add(21 * time.Minute)
		n, err = svc.PublishDue(e.ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		list, err = svc.ScheduledStatuses(e.ctx, alice, storage.Page{})
		require.NoError(t, err)
		assert.Empty(t, list, "published statuses leave the list")

		home := e.homeIDs(bob)
		require.Len(t, home, 1, "the published status reached the follower's home feed")
		st := e.status(home[0])
		assert.Equal(t, alice.ID, st.AccountID)
		assert.Equal(t, "cw", st.SpoilerText)
		assert.Equal(t, storage.IDs{m.ID}, st.MediaIDs)
		got, err := e.store.MediaAttachments().Get(e.ctx, m.ID)
		require.NoError(t, err)
		assert.Equal(t, st.ID, got.StatusID, "the reserved media is attached")
		assert.NotEmpty(t, e.events.ofType(social.EventStatusCreated), "published through the posting path")
	})
}

// TestScheduledPublishOnce runs several publishers at once and a publisher
// that died after posting: every scheduled status is published once.
func TestScheduledPublishOnce(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		clk := &testClock{t: time.Now().UTC()}
		alice := e.local("alice")
		svc := e.clocked(clk)
		const count = 12
		for i := range count {
			_, err := svc.ScheduleStatus(e.ctx, alice, social.PostInput{Text: "post"}, clk.now().Add(10*time.Minute+time.Duration(i)*time.Second), "")
			require.NoError(t, err)
		}
		clk.add(time.Hour)

		// A publisher claims one and posts it, then dies before deleting it.
		claimed, err := e.store.ScheduledStatuses().ClaimDue(e.ctx, clk.now(), time.Minute, 1)
		require.NoError(t, err)
		require.Len(t, claimed, 1)
		_, err = svc.PostStatus(e.ctx, alice, social.PostInput{Text: claimed[0].Params.Text, ID: claimed[0].StatusID})
		require.NoError(t, err)

		var wg sync.WaitGroup
		total := make([]int, 3)
		for i := range total {
			pub := e.clocked(clk)
			wg.Go(func() {
				n, err := pub.PublishDue(e.ctx, &social.SchedulerOptions{Lease: time.Minute})
				assert.NoError(t, err)
				total[i] = n
			})
		}
		wg.Wait()
		assert.Equal(t, count-1, total[0]+total[1]+total[2])
		// After the lease the dead publisher's status is found posted.
		clk.add(2 * time.Minute)
		n, err := svc.PublishDue(e.ctx, &social.SchedulerOptions{Lease: time.Minute})
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.Len(t, e.homeIDs(alice), count)
		left, err := e.store.ScheduledStatuses().List(e.ctx, alice.ID, storage.Page{})
		require.NoError(t, err)
		assert.Empty(t, left)
	})
}

func TestConversations(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice, bob := e.local("alice"), e.local("bob")
		carol := e.remote("carol", "remote.example")
		root := e.post(alice, "hi @bob and @carol@remote.example", storage.VisibilityDirect)

		ac, err := e.svc.Conversations(e.ctx, alice, storage.Page{})
		require.NoError(t, err)
		require.Len(t, ac, 1)
		assert.False(t, ac[0].Unread, "the author's own status is read")
		assert.ElementsMatch(t, storage.IDs{bob.ID, carol.ID}, ac[0].ParticipantIDs)
		assert.Equal(t, root.ID, ac[0].LastStatusID)
		bc, err := e.svc.Conversations(e.ctx, bob, storage.Page{})
		require.NoError(t, err)
		require.Len(t, bc, 1)
		assert.True(t, bc[0].Unread)
		assert.ElementsMatch(t, storage.IDs{alice.ID, carol.ID}, bc[0].ParticipantIDs)

		// A remote reply reaches the local participants' conversations.
		reply, created, err := e.svc.ReceiveStatus(e.ctx, &storage.Status{AccountID: carol.ID, URI: "https://remote.example/s/1",
			Content: "<p>hey</p>", Visibility: storage.VisibilityDirect, InReplyToID: root.ID, InReplyToAccountID: alice.ID,
			Mentions: storage.Mentions{{AccountID: alice.ID, Username: "alice"}}, CreatedAt: time.Now()}, social.ReceiveOptions{})
		require.NoError(t, err)
		require.True(t, created)
		c, err := e.svc.Conversation(e.ctx, alice, ac[0].ID)
		require.NoError(t, err)
		assert.True(t, c.Unread)
		assert.Equal(t, reply.ID, c.LastStatusID)
		c, err = e.svc.MarkConversation(e.ctx, alice, c.ID, false)
		require.NoError(t, err)
		assert.False(t, c.Unread)
		_, err = e.svc.MarkConversation(e.ctx, bob, c.ID, false)
		require.ErrorIs(t, err, social.ErrNotFound, "another account's conversation")
		c2, err := e.svc.ConversationOfStatus(e.ctx, alice, reply)
		require.NoError(t, err)
		assert.Equal(t, c.ID, c2.ID)

		direct, err := e.svc.DirectTimeline(e.ctx, alice, storage.Page{})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{reply.ID, root.ID}, statusIDsOf(direct))
		direct, err = e.svc.DirectTimeline(e.ctx, alice, storage.Page{MaxID: reply.ID})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{root.ID}, statusIDsOf(direct))
		direct, err = e.svc.DirectTimeline(e.ctx, bob, storage.Page{})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{root.ID}, statusIDsOf(direct), "bob was not addressed by the reply")

		// Deleting the reply brings the root back as the last status.
		_, err = e.svc.DeleteStatus(e.ctx, carol, reply.ID)
		require.NoError(t, err)
		c, err = e.svc.Conversation(e.ctx, alice, c.ID)
		require.NoError(t, err)
		assert.Equal(t, root.ID, c.LastStatusID)

		require.NoError(t, e.svc.DeleteConversation(e.ctx, bob, bc[0].ID))
		bc, err = e.svc.Conversations(e.ctx, bob, storage.Page{})
		require.NoError(t, err)
		assert.Empty(t, bc)
		_, err = e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "@bob again", Visibility: storage.VisibilityDirect, InReplyToID: root.ID})
		require.NoError(t, err)
		bc, err = e.svc.Conversations(e.ctx, bob, storage.Page{})
		require.NoError(t, err)
		assert.Len(t, bc, 1, "a new status brings the conversation back")
	})
}

func statusIDsOf(sts []*storage.Status) []storage.ID {
	out := []storage.ID{}
	for _, st := range sts {
		out = append(out, st.ID)
	}
	return out
}

func TestConversationMutes(t *testing.T) {
	e := newEnv(t)
	alice, bob := e.local("alice"), e.local("bob")
	st := e.post(alice, "thread", storage.VisibilityPublic)
	other := e.post(alice, "another", storage.VisibilityPublic)
	_, err := e.svc.MuteConversation(e.ctx, alice, st.ID)
	require.NoError(t, err)
	muted, err := e.svc.MutedThreads(e.ctx, alice, []*storage.Status{st, other})
	require.NoError(t, err)
	assert.Equal(t, map[storage.ID]bool{st.ID: true}, muted)

	_, err = e.svc.Favourite(e.ctx, bob, st.ID)
	require.NoError(t, err)
	e.reply(bob, st, "@alice reply", storage.VisibilityPublic)
	assert.Empty(t, e.notifications(alice), "no notifications from a muted thread")
	_, err = e.svc.Favourite(e.ctx, bob, other.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"favourite:bob"}, e.notifications(alice))

	_, err = e.svc.UnmuteConversation(e.ctx, alice, st.ID)
	require.NoError(t, err)
	e.reply(bob, st, "@alice again", storage.VisibilityPublic)
	assert.Equal(t, []string{"mention:bob", "favourite:bob"}, e.notifications(alice))
	_, err = e.svc.MuteConversation(e.ctx, bob, 12345)
	require.ErrorIs(t, err, social.ErrNotFound)
}

func TestFollowedTagsFanOut(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice, bob, carol := e.local("alice"), e.local("bob"), e.local("carol")
		dave := e.remote("dave", "remote.example")
		name, err := e.svc.FollowTag(e.ctx, alice, "#GoLang")
		require.NoError(t, err)
		assert.Equal(t, "golang", name)
		_, err = e.svc.FollowTag(e.ctx, alice, "not a tag")
		require.ErrorIs(t, err, social.ErrInvalid)

		pub := e.post(bob, "hello #golang", storage.VisibilityPublic)
		e.post(bob, "quiet #golang", storage.VisibilityUnlisted)
		e.post(bob, "other #rust", storage.VisibilityPublic)
		_, err = e.svc.Block(e.ctx, alice, carol.ID)
		require.NoError(t, err)
		e.post(carol, "blocked #golang", storage.VisibilityPublic)
		remote, _, err := e.svc.ReceiveStatus(e.ctx, &storage.Status{AccountID: dave.ID, URI: "https://remote.example/s/9",
			Content: "<p>#golang</p>", Visibility: storage.VisibilityPublic, Tags: storage.Strings{"golang"}, CreatedAt: time.Now()}, social.ReceiveOptions{})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{remote.ID, pub.ID}, e.homeIDs(alice), "public statuses with a followed tag, local and remote")
		var reached bool
		for _, ev := range e.events.ofType(social.EventStatusCreated) {
			if ev.Status.ID == pub.ID {
				reached = assert.Contains(t, ev.HomeFeeds, alice.ID)
			}
		}
		assert.True(t, reached, "the user stream is told")

		states, err := e.svc.TagStates(e.ctx, alice, []string{"golang", "Rust"})
		require.NoError(t, err)
		assert.Equal(t, map[string]social.TagState{"golang": {Following: true}, "rust": {}}, states)
		tags, err := e.svc.FollowedTags(e.ctx, alice, storage.Page{})
		require.NoError(t, err)
		require.Len(t, tags, 1)
		_, err = e.svc.UnfollowTag(e.ctx, alice, "golang")
		require.NoError(t, err)
		e.post(bob, "after #golang", storage.VisibilityPublic)
		assert.Len(t, e.homeIDs(alice), 2)
	})
}

func TestFeaturedTags(t *testing.T) {
	e := newEnv(t)
	alice, bob := e.local("alice"), e.local("bob")
	e.post(alice, "#go #cats", storage.VisibilityPublic)
	e.post(alice, "#go", storage.VisibilityPublic)
	f, err := e.svc.FeatureTag(e.ctx, alice, "Go", true)
	require.NoError(t, err)
	assert.Equal(t, "go", f.Name)
	assert.EqualValues(t, 2, f.StatusesCount)
	assert.NotNil(t, f.LastStatusAt)
	_, err = e.svc.FeatureTag(e.ctx, alice, "go", true)
	require.ErrorIs(t, err, social.ErrInvalid, "featuring twice through featured_tags")
	again, err := e.svc.FeatureTag(e.ctx, alice, "go", false)
	require.NoError(t, err)
	assert.Equal(t, f.ID, again.ID, "featuring twice through tags/:id/feature")
	sugg, err := e.svc.FeaturedTagSuggestions(e.ctx, alice)
	require.NoError(t, err)
	assert.Equal(t, []string{"cats"}, sugg)
	list, err := e.svc.FeaturedTags(e.ctx, bob, alice.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	for i := range social.MaxFeaturedTags - 1 {
		_, err := e.svc.FeatureTag(e.ctx, alice, "tag"+string(rune('a'+i)), true)
		require.NoError(t, err)
	}
	_, err = e.svc.FeatureTag(e.ctx, alice, "onemore", true)
	require.ErrorIs(t, err, social.ErrInvalid, "limit")
	require.ErrorIs(t, e.svc.UnfeatureTag(e.ctx, bob, f.ID), social.ErrNotFound)
	require.NoError(t, e.svc.UnfeatureTag(e.ctx, alice, f.ID))
	_, err = e.svc.UnfeatureTagName(e.ctx, alice, "taga")
	require.NoError(t, err)
	states, err := e.svc.TagStates(e.ctx, alice, []string{"go", "tagb"})
	require.NoError(t, err)
	assert.Equal(t, map[string]social.TagState{"go": {}, "tagb": {Featuring: true}}, states)
}

func TestEndorsementsAndNotes(t *testing.T) {
	e := newEnv(t)
	alice, bob, carol := e.local("alice"), e.local("bob"), e.local("carol")
	_, err := e.svc.Endorse(e.ctx, alice, bob.ID)
	require.ErrorIs(t, err, social.ErrNotFollowing)
	e.follow(alice, bob)
	e.follow(alice, carol)
	rel, err := e.svc.Endorse(e.ctx, alice, bob.ID)
	require.NoError(t, err)
	assert.True(t, rel.Endorsed)
	_, err = e.svc.Endorse(e.ctx, alice, carol.ID)
	require.NoError(t, err)
	list, err := e.svc.Endorsements(e.ctx, bob, alice.ID, storage.Page{})
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, carol.ID, list[0].Account.ID)
	rel, err = e.svc.Unendorse(e.ctx, alice, carol.ID)
	require.NoError(t, err)
	assert.False(t, rel.Endorsed)
	_, err = e.svc.Unfollow(e.ctx, alice, bob.ID)
	require.NoError(t, err)
	list, err = e.svc.Endorsements(e.ctx, alice, alice.ID, storage.Page{})
	require.NoError(t, err)
	assert.Empty(t, list, "unfollowing unendorses")

	rel, err = e.svc.SetAccountNote(e.ctx, alice, bob.ID, "  likes Go  ")
	require.NoError(t, err)
	assert.Equal(t, "likes Go", rel.Note)
	rels, err := e.svc.Relationships(e.ctx, alice, []storage.ID{bob.ID, carol.ID})
	require.NoError(t, err)
	assert.Equal(t, "likes Go", rels[0].Note)
	assert.Equal(t, "", rels[1].Note)
	rels, err = e.svc.Relationships(e.ctx, carol, []storage.ID{bob.ID})
	require.NoError(t, err)
	assert.Equal(t, "", rels[0].Note, "notes are private")
	rel, err = e.svc.SetAccountNote(e.ctx, alice, bob.ID, "")
	require.NoError(t, err)
	assert.Equal(t, "", rel.Note)
	long := make([]byte, social.MaxAccountNoteChars+1)
	for i := range long {
		long[i] = 'x'
	}
	_, err = e.svc.SetAccountNote(e.ctx, alice, bob.ID, string(long))
	require.ErrorIs(t, err, social.ErrInvalid)
}
