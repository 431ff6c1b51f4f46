package streaming_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/timeline"
)

func routes(msgs []timeline.Message) []string {
	out := []string{}
	for _, m := range msgs {
		out = append(out, m.Event+" "+m.Channel+" "+m.Data)
	}
	sort.Strings(out)
	return out
}

func TestPublisherRouting(t *testing.T) {
	store := openSQLite(t)
	p := streaming.NewPublisher(timeline.NewMemoryHub(), store, nil)
	ctx := context.Background()
	local := &storage.Account{ID: 1, Username: "bob"}
	remote := &storage.Account{ID: 2, Username: "eve", Domain: "remote.example"}
	silenced := &storage.Account{ID: 3, Username: "sil", SilencedAt: &time.Time{}}
	msgs := func(e social.Event) []string {
		m, err := p.Messages(ctx, e)
		require.NoError(t, err)
		return routes(m)
	}

	// A local public status with a tag and media.
	st := &storage.Status{ID: 10, AccountID: 1, Local: true, Visibility: storage.VisibilityPublic, Tags: []string{"go"}, HasMedia: true}
	assert.Equal(t, []string{
		"update hashtag:go 10", "update hashtag:local:go 10", "update public 10", "update public:local 10",
		"update public:local:media 10", "update public:media 10", "update user:1 10", "update user:5 10",
	}, msgs(social.Event{Type: social.EventStatusCreated, Actor: local, Status: st, HomeFeeds: []storage.ID{1, 5}}))

	// A remote reply to someone else: hashtags, but no public timelines.
	reply := &storage.Status{ID: 11, AccountID: 2, Visibility: storage.VisibilityPublic, Tags: []string{"go"}, InReplyToAccountID: 9}
	assert.Equal(t, []string{"update hashtag:go 11", "update user:5 11"},
		msgs(social.Event{Type: social.EventStatusCreated, Actor: remote, Status: reply, HomeFeeds: []storage.ID{5}}))
	reply.InReplyToAccountID = 0
	assert.Contains(t, msgs(social.Event{Type: social.EventStatusCreated, Actor: remote, Status: reply}), "update public:remote 11")

	// Silenced authors and unlisted statuses stay off public channels.
	assert.Empty(t, msgs(social.Event{Type: social.EventStatusCreated, Actor: silenced,
		Status: &storage.Status{ID: 12, AccountID: 3, Local: true, Visibility: storage.VisibilityPublic}}))
	assert.Equal(t, []string{"update user:5 13"}, msgs(social.Event{Type: social.EventStatusCreated, Actor: local,
		Status: &storage.Status{ID: 13, AccountID: 1, Visibility: storage.VisibilityUnlisted, Tags: []string{"go"}}, HomeFeeds: []storage.ID{5}}))

	// Direct statuses: home feeds and conversations.
	dm := &storage.Status{ID: 14, AccountID: 1, Visibility: storage.VisibilityDirect, Mentions: storage.Mentions{{AccountID: 5}}}
	assert.Equal(t, []string{"conversation direct:1 14", "conversation direct:5 14", "update user:1 14", "update user:5 14"},
		msgs(social.Event{Type: social.EventStatusCreated, Actor: local, Status: dm, HomeFeeds: []storage.ID{1, 5}}))

	// Edits carry a version; deletions a bare ID.
	edited := *st
	at := time.UnixMilli(1700000000123)
	edited.EditedAt = &at
	assert.Contains(t, msgs(social.Event{Type: social.EventStatusUpdated, Actor: local, Status: &edited, HomeFeeds: []storage.ID{5}}),
		"status.update user:5 10@1700000000123")
	assert.Equal(t, []string{
		"delete deletes 10", "delete deletes 20", "delete hashtag:go 10", "delete hashtag:local:go 10", "delete public 10",
		"delete public:local 10", "delete public:local:media 10", "delete public:media 10",
	}, msgs(social.Event{Type: social.EventStatusDeleted, Actor: local, Status: st,
		DeletedReblogs: []*storage.Status{{ID: 20, AccountID: 7, ReblogOfID: 10, Visibility: storage.VisibilityPublic}}}))
	assert.Equal(t, []string{"delete user:1 14", "delete user:5 14"},
		msgs(social.Event{Type: social.EventStatusDeleted, Actor: local, Status: dm}))

	// Boosts go to home feeds only; notifications to both user channels.
	boost := &storage.Status{ID: 15, AccountID: 1, ReblogOfID: 11, Visibility: storage.VisibilityPublic}
	assert.Equal(t, []string{"update user:5 15"},
		msgs(social.Event{Type: social.EventStatusReblogged, Actor: local, Status: boost, HomeFeeds: []storage.ID{5}}))
	assert.Equal(t, []string{"notification user:5 30", "notification user:notification:5 30"},
		msgs(social.Event{Type: social.EventNotificationCreated, Notification: &storage.Notification{ID: 30, AccountID: 5}}))
}

func TestPublisherPrivateDeleteReachesLocalFollowers(t *testing.T) {
	e := newEnv(t, nil)
	alice, _ := e.user("alice")
	bob, _ := e.user("bob")
	e.follow(alice, bob)
	st := e.post(bob, "followers only", storage.VisibilityPrivate)
	m, err := e.srv.Publisher.Messages(e.ctx, social.Event{Type: social.EventStatusDeleted, Actor: bob, Status: st})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		"delete " + streaming.UserChannel(alice.ID) + " " + st.ID.String(),
		"delete " + streaming.UserChannel(bob.ID) + " " + st.ID.String(),
	}, routes(m))
}
