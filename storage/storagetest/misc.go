package storagetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

func notificationIDs(ns []*storage.Notification) []storage.ID {
	out := make([]storage.ID, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

func testNotifications(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	me, f1, f2 := h.local(t, "me"), h.local(t, "f"), h.remote(t, "f", "remote.example", "")
	mine, other := h.post(t, me), h.post(t, me)
	create := func(from *storage.Account, typ storage.NotificationType, st *storage.Status) *storage.Notification {
		t.Helper()
		n := &storage.Notification{AccountID: me.ID, FromAccountID: from.ID, Type: typ}
		if st != nil {
			n.StatusID = st.ID
		}
		require.NoError(t, h.s.Notifications().Create(ctx, n))
		require.NotZero(t, n.ID)
		return n
	}
	nFollow := create(f1, storage.NotifyFollow, nil)
	nFav1 := create(f1, storage.NotifyFavourite, mine)
	nFav2 := create(f2, storage.NotifyFavourite, mine)
	nMention := create(f2, storage.NotifyMention, other)
	nFavOther := create(f1, storage.NotifyFavourite, other)
	nReblog := create(f2, storage.NotifyReblog, mine)
	// Someone else's notification.
	require.NoError(t, h.s.Notifications().Create(ctx, &storage.Notification{AccountID: f1.ID, FromAccountID: me.ID, Type: storage.NotifyFollow}))

	list := func(f storage.NotificationFilter, p storage.Page) []storage.ID {
		return notificationIDs(try(h.s.Notifications().List(ctx, me.ID, f, p)).must(t))
	}
	ids := func(ns ...*storage.Notification) []storage.ID { return notificationIDs(ns) }
	require.Equal(t, ids(nReblog, nFavOther, nMention, nFav2, nFav1, nFollow), list(storage.NotificationFilter{}, storage.Page{}))
	require.Equal(t, ids(nFavOther, nFav2, nFav1), list(storage.NotificationFilter{Types: []storage.NotificationType{storage.NotifyFavourite}}, storage.Page{}))
	require.Equal(t, ids(nReblog, nMention, nFollow), list(storage.NotificationFilter{ExcludeTypes: []storage.NotificationType{storage.NotifyFavourite}}, storage.Page{}))
	require.Equal(t, ids(nMention, nFollow), list(storage.NotificationFilter{
		Types:        []storage.NotificationType{storage.NotifyMention, storage.NotifyFollow, storage.NotifyReblog},
		ExcludeTypes: []storage.NotificationType{storage.NotifyReblog}}, storage.Page{}))
	require.Equal(t, ids(nReblog, nMention, nFav2), list(storage.NotificationFilter{FromAccountID: f2.ID}, storage.Page{}))
	require.Equal(t, ids(nFav2, nFav1), list(storage.NotificationFilter{}, storage.Page{MaxID: nMention.ID, Limit: 2}))

	got := try(h.s.Notifications().Get(ctx, me.ID, nFav1.ID)).must(t)
	require.Equal(t, nFav1, got)
	_, err := h.s.Notifications().Get(ctx, f1.ID, nFav1.ID)
	requireNotFound(t, err, "Get of someone else's notification")
	requireInvalid(t, h.s.Notifications().Create(ctx, &storage.Notification{AccountID: me.ID, FromAccountID: f1.ID}), "notification without type")

	count := func(since storage.ID, f storage.NotificationFilter) int64 {
		return try(h.s.Notifications().CountSince(ctx, me.ID, since, f)).must(t)
	}
	require.Equal(t, int64(6), count(0, storage.NotificationFilter{}))
	require.Equal(t, int64(3), count(nFav2.ID, storage.NotificationFilter{}))
	require.Equal(t, int64(1), count(nFav2.ID, storage.NotificationFilter{Types: []storage.NotificationType{storage.NotifyFavourite}}))
	require.Equal(t, int64(2), count(nFav2.ID, storage.NotificationFilter{ExcludeTypes: []storage.NotificationType{storage.NotifyFavourite}}))

	// Dismiss: only the recipient can.
	requireNotFound(t, h.s.Notifications().Dismiss(ctx, f1.ID, nFollow.ID), "Dismiss by someone else")
	require.NoError(t, h.s.Notifications().Dismiss(ctx, me.ID, nFollow.ID))
	requireNotFound(t, h.s.Notifications().Dismiss(ctx, me.ID, nFollow.ID), "Dismiss twice")
	_, err = h.s.Notifications().Get(ctx, me.ID, nFollow.ID)
	requireNotFound(t, err, "Get after Dismiss")

	// DeleteFor: one type, one sender, one status (or any status).
	require.NoError(t, h.s.Notifications().DeleteFor(ctx, storage.NotifyFavourite, f1.ID, mine.ID))
	require.Equal(t, ids(nReblog, nFavOther, nMention, nFav2), list(storage.NotificationFilter{}, storage.Page{}))
	require.NoError(t, h.s.Notifications().DeleteFor(ctx, storage.NotifyFavourite, f2.ID, 0))
	require.Equal(t, ids(nReblog, nFavOther, nMention), list(storage.NotificationFilter{}, storage.Page{}))
	require.NoError(t, h.s.Notifications().DeleteFor(ctx, storage.NotifyFollow, f2.ID, 0), "DeleteFor with nothing to delete")

	require.NoError(t, h.s.Notifications().Clear(ctx, me.ID))
	requireEmpty(t, try(h.s.Notifications().List(ctx, me.ID, storage.NotificationFilter{}, storage.Page{})).must(t), "List after Clear")
	require.Len(t, try(h.s.Notifications().List(ctx, f1.ID, storage.NotificationFilter{}, storage.Page{})).must(t), 1, "Clear leaves others' notifications")
	require.NoError(t, h.s.Notifications().Clear(ctx, me.ID), "Clear of an empty list")

	// Extra and GroupKey round-trip.
	n := &storage.Notification{AccountID: me.ID, FromAccountID: f1.ID, Type: storage.NotifyStatus, StatusID: mine.ID,
		GroupKey: "grp-1", Extra: storage.Extra{"k": json.RawMessage(`"v"`)}}
	require.NoError(t, h.s.Notifications().Create(ctx, n))
	require.Equal(t, n, try(h.s.Notifications().Get(ctx, me.ID, n.ID)).must(t))
}

func testOAuth(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	a := h.local(t, "oauth")
	app := &storage.Application{Name: "Tusky", Website: "https://tusky.app", RedirectURIs: storage.Strings{"oauth2redirect://com.keylesspalace.tusky/"},
		Scopes: storage.Strings{"read", "write", "follow", "push"}, ClientID: "client-1", ClientSecretHash: "secret-hash"}
	require.NoError(t, h.s.OAuth().CreateApplication(ctx, app))
	require.NotZero(t, app.ID)
	require.Equal(t, app, try(h.s.OAuth().GetApplication(ctx, app.ID)).must(t))
	require.Equal(t, app, try(h.s.OAuth().GetApplicationByClientID(ctx, "client-1")).must(t))
	requireConflict(t, h.s.OAuth().CreateApplication(ctx, &storage.Application{Name: "x", ClientID: "client-1", ClientSecretHash: "s"}), "duplicate client id")
	requireInvalid(t, h.s.OAuth().CreateApplication(ctx, &storage.Application{Name: "x"}), "application without client id")
	_, err := h.s.OAuth().GetApplication(ctx, h.s.NewID())
	requireNotFound(t, err, "GetApplication")
	_, err = h.s.OAuth().GetApplicationByClientID(ctx, "nope")
	requireNotFound(t, err, "GetApplicationByClientID")

	t.Run("Codes", func(t *testing.T) {
		ctx := t.Context()
		c := &storage.AuthorizationCode{CodeHash: "code-hash-1", ApplicationID: app.ID, AccountID: a.ID, RedirectURI: "urn:ietf:wg:oauth:2.0:oob",
			Scopes: storage.Strings{"read"}, CodeChallenge: "challenge", CodeChallengeMethod: "S256", ExpiresAt: ts(2030, 1, 1, 0, 10, 0, 0)}
		require.NoError(t, h.s.OAuth().CreateCode(ctx, c))
		requireConflict(t, h.s.OAuth().CreateCode(ctx, &storage.AuthorizationCode{CodeHash: "code-hash-1", ApplicationID: app.ID, AccountID: a.ID}), "duplicate code")
		requireInvalid(t, h.s.OAuth().CreateCode(ctx, &storage.AuthorizationCode{ApplicationID: app.ID, AccountID: a.ID}), "code without hash")

		got := try(h.s.OAuth().ConsumeCode(ctx, "code-hash-1")).must(t)
		require.NotNil(t, got.UsedAt, "a consumed code is marked used")
		c.UsedAt = got.UsedAt
		require.Equal(t, c, got)
		_, err := h.s.OAuth().ConsumeCode(ctx, "code-hash-1")
		requireNotFound(t, err, "a code is consumed once")
		_, err = h.s.OAuth().ConsumeCode(ctx, "unknown")
		requireNotFound(t, err, "unknown code")
	})

	t.Run("Tokens", func(t *testing.T) {
		ctx := t.Context()
		tok := &storage.Token{TokenHash: "tok-1", ApplicationID: app.ID, AccountID: a.ID, Scopes: storage.Strings{"read", "write"}}
		require.NoError(t, h.s.OAuth().CreateToken(ctx, tok))
		require.NotZero(t, tok.ID)
		require.Equal(t, tok, try(h.s.OAuth().GetToken(ctx, "tok-1")).must(t))
		requireConflict(t, h.s.OAuth().CreateToken(ctx, &storage.Token{TokenHash: "tok-1", ApplicationID: app.ID}), "duplicate token")
		requireInvalid(t, h.s.OAuth().CreateToken(ctx, &storage.Token{ApplicationID: app.ID}), "token without hash")

		used := time.Date(2026, 8, 9, 10, 11, 12, 13_456_789, time.FixedZone("X", 3600))
		require.NoError(t, h.s.OAuth().TouchToken(ctx, tok.ID, used))
		got := try(h.s.OAuth().GetToken(ctx, "tok-1")).must(t)
		require.NotNil(t, got.LastUsedAt)
		require.Equal(t, used.UTC().Truncate(time.Microsecond), *got.LastUsedAt, "UTC, microsecond precision")
		requireNotFound(t, h.s.OAuth().TouchToken(ctx, h.s.NewID(), used), "TouchToken of an unknown token")

		// A client-credentials token has no account.
		cc := &storage.Token{TokenHash: "tok-cc", ApplicationID: app.ID}
		require.NoError(t, h.s.OAuth().CreateToken(ctx, cc))
		require.Equal(t, cc, try(h.s.OAuth().GetToken(ctx, "tok-cc")).must(t))

		require.NoError(t, h.s.OAuth().RevokeToken(ctx, "tok-1"))
		_, err := h.s.OAuth().GetToken(ctx, "tok-1")
		requireNotFound(t, err, "GetToken after RevokeToken")
		requireNotFound(t, h.s.OAuth().RevokeToken(ctx, "tok-1"), "RevokeToken twice")
		requireNotFound(t, h.s.OAuth().RevokeToken(ctx, "unknown"), "RevokeToken of an unknown token")

		t2 := &storage.Token{TokenHash: "tok-2", ApplicationID: app.ID, AccountID: a.ID}
		t3 := &storage.Token{TokenHash: "tok-3", ApplicationID: app.ID, AccountID: a.ID}
		require.NoError(t, h.s.OAuth().CreateToken(ctx, t2))
		require.NoError(t, h.s.OAuth().CreateToken(ctx, t3))
		require.NoError(t, h.s.OAuth().RevokeAccountTokens(ctx, a.ID))
		for _, hash := range []string{"tok-2", "tok-3"} {
			_, err := h.s.OAuth().GetToken(ctx, hash)
			requireNotFound(t, err, "GetToken after RevokeAccountTokens")
		}
		try(h.s.OAuth().GetToken(ctx, "tok-cc")).must(t)
	})
}

func testInstances(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	requireEmpty(t, try(h.s.Instances().List(ctx, "", 10)).must(t), "List on an empty store")
	require.Zero(t, try(h.s.Instances().Count(ctx)).must(t))

	first := ts(2026, 1, 1, 12, 0, 0, 123456)
	in := &storage.Instance{Domain: "Mastodon.Social", SharedInboxURI: "https://mastodon.social/inbox", Software: "mastodon", SoftwareVersion: "4.5.0", FirstSeenAt: first}
	require.NoError(t, h.s.Instances().Upsert(ctx, in))
	got := try(h.s.Instances().Get(ctx, "mastodon.social")).must(t)
	require.Equal(t, "mastodon.social", got.Domain, "domains are stored lower-case")
	require.Equal(t, first, got.FirstSeenAt)
	require.False(t, got.UpdatedAt.IsZero())
	require.Equal(t, in, got)

	again := &storage.Instance{Domain: "mastodon.social", Software: "mastodon", SoftwareVersion: "4.6.0", FailureCount: 3,
		LastFailureAt: ptr(ts(2026, 2, 2, 2, 2, 2, 2)), UnavailableSince: ptr(ts(2026, 2, 1, 0, 0, 0, 0))}
	require.NoError(t, h.s.Instances().Upsert(ctx, again))
	got = try(h.s.Instances().Get(ctx, "MASTODON.social")).must(t)
	require.Equal(t, first, got.FirstSeenAt, "a second Upsert keeps first_seen_at")
	require.Equal(t, "4.6.0", got.SoftwareVersion)
	require.Equal(t, "", got.SharedInboxURI, "Upsert writes every field")
	require.Equal(t, int64(3), got.FailureCount)
	require.Equal(t, again.LastFailureAt, got.LastFailureAt)
	require.Equal(t, again.UnavailableSince, got.UnavailableSince)
	require.Equal(t, again.UpdatedAt, got.UpdatedAt)

	for _, d := range []string{"b.example", "a.example", "c.example"} {
		require.NoError(t, h.s.Instances().Upsert(ctx, &storage.Instance{Domain: d}))
	}
	domains := func(after string, limit int) []string {
		var out []string
		for _, i := range try(h.s.Instances().List(ctx, after, limit)).must(t) {
			out = append(out, i.Domain)
		}
		return out
	}
	require.Equal(t, []string{"a.example", "b.example", "c.example", "mastodon.social"}, domains("", 10), "ordered by domain")
	require.Equal(t, []string{"b.example", "c.example"}, domains("a.example", 2), "after a domain")
	require.Empty(t, domains("mastodon.social", 10))
	require.Equal(t, int64(4), try(h.s.Instances().Count(ctx)).must(t))
	_, err := h.s.Instances().Get(ctx, "unknown.example")
	requireNotFound(t, err, "Get")
	requireInvalid(t, h.s.Instances().Upsert(ctx, &storage.Instance{}), "instance without domain")
}

func testFeeds(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	owner := h.s.NewID()
	home := storage.HomeFeed(owner)
	list := storage.Feed{Kind: storage.FeedList, Owner: owner}
	authorA, authorB := h.s.NewID(), h.s.NewID()
	var entries []storage.FeedEntry
	for i := 0; i < 10; i++ {
		e := storage.FeedEntry{StatusID: h.s.NewID(), AuthorID: authorA}
		if i%3 == 0 {
			e.AuthorID = authorB
		}
		if i == 4 {
			e.ReblogOfID = h.s.NewID()
		}
		entries = append(entries, e)
	}
	newestFirst := func(es []storage.FeedEntry) []storage.FeedEntry {
		out := make([]storage.FeedEntry, len(es))
		for i, e := range es {
			out[len(es)-1-i] = e
		}
		return out
	}
	page := func(f storage.Feed, p storage.Page) []storage.FeedEntry {
		return try(h.s.Feeds().Page(ctx, f, p)).must(t)
	}

	requireEmpty(t, page(home, storage.Page{}), "Page of an empty feed")
	require.NoError(t, h.s.Feeds().Insert(ctx, home), "Insert of nothing")
	// Insert out of order, and twice: entries are unique and ordered by status ID.
	require.NoError(t, h.s.Feeds().Insert(ctx, home, entries[5:]...))
	require.NoError(t, h.s.Feeds().Insert(ctx, home, entries[:6]...))
	require.NoError(t, h.s.Feeds().Insert(ctx, home, entries[2]))
	require.Equal(t, newestFirst(entries), page(home, storage.Page{}))
	require.Equal(t, newestFirst(entries[3:7]), page(home, storage.Page{MaxID: entries[7].StatusID, Limit: 4}))
	require.Equal(t, newestFirst(entries[3:5]), page(home, storage.Page{MinID: entries[2].StatusID, Limit: 2}))
	requireEmpty(t, page(list, storage.Page{}), "a list feed with the same owner is another feed")

	require.NoError(t, h.s.Feeds().Insert(ctx, list, entries[0]))
	require.NoError(t, h.s.Feeds().Remove(ctx, home, entries[9].StatusID))
	require.NoError(t, h.s.Feeds().Remove(ctx, home, entries[9].StatusID), "Remove of an absent entry")
	require.Equal(t, newestFirst(entries[:9]), page(home, storage.Page{}))

	require.NoError(t, h.s.Feeds().RemoveAuthor(ctx, home, authorB))
	var onlyA []storage.FeedEntry
	for _, e := range entries[:9] {
		if e.AuthorID == authorA {
			onlyA = append(onlyA, e)
		}
	}
	require.Equal(t, newestFirst(onlyA), page(home, storage.Page{}))
	require.Equal(t, []storage.FeedEntry{entries[0]}, page(list, storage.Page{}), "RemoveAuthor touches one feed")

	t.Run("InsertMany", func(t *testing.T) {
		ctx := t.Context()
		owners := make([]storage.ID, 1200) // crosses the 500-row batches
		for i := range owners {
			owners[i] = h.s.NewID()
		}
		e := storage.FeedEntry{StatusID: h.s.NewID(), AuthorID: authorA}
		require.NoError(t, h.s.Feeds().InsertMany(ctx, storage.FeedHome, owners, e))
		require.NoError(t, h.s.Feeds().InsertMany(ctx, storage.FeedHome, owners[400:700], e), "InsertMany is idempotent")
		require.NoError(t, h.s.Feeds().InsertMany(ctx, storage.FeedHome, nil, e), "InsertMany to no one")
		for _, i := range []int{0, 1, 499, 500, 501, 999, 1000, 1199} {
			require.Equal(t, []storage.FeedEntry{e}, try(h.s.Feeds().Page(ctx, storage.HomeFeed(owners[i]), storage.Page{})).must(t), "owner %d", i)
		}
		// RemoveStatus removes it from every feed, and no other entry.
		other := storage.FeedEntry{StatusID: h.s.NewID(), AuthorID: authorB}
		require.NoError(t, h.s.Feeds().Insert(ctx, storage.HomeFeed(owners[1199]), other))
		require.NoError(t, h.s.Feeds().RemoveStatus(ctx, e.StatusID))
		for _, i := range []int{0, 500, 1000} {
			requireEmpty(t, try(h.s.Feeds().Page(ctx, storage.HomeFeed(owners[i]), storage.Page{})).must(t), "after RemoveStatus")
		}
		require.Equal(t, []storage.FeedEntry{other}, try(h.s.Feeds().Page(ctx, storage.HomeFeed(owners[1199]), storage.Page{})).must(t))
	})

	t.Run("Trim", func(t *testing.T) {
		ctx := t.Context()
		f := storage.HomeFeed(h.s.NewID())
		other := storage.HomeFeed(h.s.NewID())
		var es []storage.FeedEntry
		for i := 0; i < 30; i++ {
			es = append(es, storage.FeedEntry{StatusID: h.s.NewID(), AuthorID: authorA})
		}
		require.NoError(t, h.s.Feeds().Insert(ctx, f, es...))
		require.NoError(t, h.s.Feeds().Insert(ctx, other, es...))
		require.NoError(t, h.s.Feeds().Trim(ctx, f, 40), "Trim to more than the feed holds")
		require.Len(t, try(h.s.Feeds().Page(ctx, f, storage.Page{Limit: 40})).must(t), 30)
		require.NoError(t, h.s.Feeds().Trim(ctx, f, 12))
		require.Equal(t, newestFirst(es[18:]), try(h.s.Feeds().Page(ctx, f, storage.Page{Limit: 40})).must(t), "Trim keeps the newest")
		require.NoError(t, h.s.Feeds().Trim(ctx, f, 1))
		require.Equal(t, []storage.FeedEntry{es[29]}, try(h.s.Feeds().Page(ctx, f, storage.Page{})).must(t))
		require.NoError(t, h.s.Feeds().Trim(ctx, f, 0))
		requireEmpty(t, try(h.s.Feeds().Page(ctx, f, storage.Page{})).must(t), "Trim to 0 empties the feed")
		require.Len(t, try(h.s.Feeds().Page(ctx, other, storage.Page{Limit: 40})).must(t), 30, "Trim touches one feed")
		require.NoError(t, h.s.Feeds().Trim(ctx, f, 5), "Trim of an empty feed")
	})
}
