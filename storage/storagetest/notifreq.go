package storagetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunNotificationRequests checks a backend's storage.NotificationRequests:
// the default policy and its updates, filed notifications left out of the
// normal list (unless IncludeFiltered) and grouped into one request per
// sender with a count and the last status, paging of requests, summary
// counts, accept (the notifications come back, the sender is permitted)
// and dismiss (the notifications go), each scoped to the recipient.
func RunNotificationRequests(t *testing.T, open func(t *testing.T) storage.Store) {
	h := newHarness(t, open)
	ctx := t.Context()
	nr := h.s.NotificationRequests()
	me, a, b := h.local(t, "me"), h.local(t, "a"), h.remote(t, "b", "remote.example", "")
	st := h.post(t, a)

	// Policy: defaults, then stored.
	p, err := nr.Policy(ctx, me.ID)
	require.NoError(t, err)
	assert.Equal(t, storage.DefaultNotificationPolicy(me.ID), p)
	requireInvalid(t, nr.SetPolicy(ctx, &storage.NotificationPolicy{AccountID: me.ID, ForNotFollowing: "maybe"}), "bad action")
	p.ForNotFollowing, p.ForNewAccounts = storage.PolicyDrop, storage.PolicyFilter
	require.NoError(t, nr.SetPolicy(ctx, p))
	p.ForNotFollowers = storage.PolicyFilter
	require.NoError(t, nr.SetPolicy(ctx, p), "update")
	got, err := nr.Policy(ctx, me.ID)
	require.NoError(t, err)
	assert.Equal(t, storage.PolicyDrop, got.ForNotFollowing)
	assert.Equal(t, storage.PolicyFilter, got.ForNotFollowers)
	assert.Equal(t, storage.PolicyFilter, got.ForNewAccounts)
	assert.Equal(t, storage.PolicyFilter, got.ForPrivateMentions)
	assert.False(t, got.UpdatedAt.IsZero())

	// A normal notification, then filed ones from a (two) and b (one).
	normal := &storage.Notification{AccountID: me.ID, FromAccountID: a.ID, Type: storage.NotifyFollow}
	require.NoError(t, h.s.Notifications().Create(ctx, normal))
	fa1 := &storage.Notification{AccountID: me.ID, FromAccountID: a.ID, Type: storage.NotifyMention, StatusID: st.ID}
	ra, err := nr.File(ctx, fa1)
	require.NoError(t, err)
	assert.True(t, fa1.Filtered)
	assert.Equal(t, int64(1), ra.NotificationsCount)
	assert.Equal(t, st.ID, ra.LastStatusID)
	fa2 := &storage.Notification{AccountID: me.ID, FromAccountID: a.ID, Type: storage.NotifyFavourite}
	ra2, err := nr.File(ctx, fa2)
	require.NoError(t, err)
	assert.Equal(t, ra.ID, ra2.ID, "one request per sender")
	assert.Equal(t, int64(2), ra2.NotificationsCount)
	assert.Equal(t, st.ID, ra2.LastStatusID, "a notification without status keeps the last status")
	fb := &storage.Notification{AccountID: me.ID, FromAccountID: b.ID, Type: storage.NotifyFollow}
	rb, err := nr.File(ctx, fb)
	require.NoError(t, err)
	// Someone else's request.
	_, err = nr.File(ctx, &storage.Notification{AccountID: a.ID, FromAccountID: b.ID, Type: storage.NotifyFollow})
	require.NoError(t, err)

	list := func(f storage.NotificationFilter) []storage.ID {
		return notificationIDs(try(h.s.Notifications().List(ctx, me.ID, f, storage.Page{})).must(t))
	}
	assert.Equal(t, []storage.ID{normal.ID}, list(storage.NotificationFilter{}), "filtered left out")
	assert.Equal(t, []storage.ID{fb.ID, fa2.ID, fa1.ID, normal.ID}, list(storage.NotificationFilter{IncludeFiltered: true}))
	n, err := h.s.Notifications().CountSince(ctx, me.ID, 0, storage.NotificationFilter{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)

	reqs, err := nr.List(ctx, me.ID, storage.Page{})
	require.NoError(t, err)
	require.Len(t, reqs, 2)
	assert.Equal(t, rb.ID, reqs[0].ID, "newest first")
	assert.Equal(t, int64(1), reqs[0].NotificationsCount)
	assert.Equal(t, int64(2), reqs[1].NotificationsCount)
	reqs, err = nr.List(ctx, me.ID, storage.Page{MaxID: rb.ID, Limit: 1})
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	assert.Equal(t, ra.ID, reqs[0].ID)
	r, c, err := nr.Summary(ctx, me.ID)
	require.NoError(t, err)
	assert.Equal(t, [2]int64{2, 3}, [2]int64{r, c})

	_, err = nr.Get(ctx, a.ID, ra.ID)
	requireNotFound(t, err, "someone else's request")
	requireNotFound(t, nr.Accept(ctx, a.ID, ra.ID), "accept someone else's request")
	requireNotFound(t, nr.Dismiss(ctx, a.ID, ra.ID), "dismiss someone else's request")

	// Accept a: its notifications come back, it is permitted.
	ok, err := nr.Permitted(ctx, me.ID, a.ID)
	require.NoError(t, err)
	assert.False(t, ok)
	require.NoError(t, nr.Accept(ctx, me.ID, ra.ID))
	_, err = nr.Get(ctx, me.ID, ra.ID)
	requireNotFound(t, err, "accepted request")
	assert.Equal(t, []storage.ID{fa2.ID, fa1.ID, normal.ID}, list(storage.NotificationFilter{}))
	ok, err = nr.Permitted(ctx, me.ID, a.ID)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = nr.Permitted(ctx, a.ID, me.ID)
	require.NoError(t, err)
	assert.False(t, ok, "permission is one way")

	// Dismiss b: its notification is gone.
	require.NoError(t, nr.Dismiss(ctx, me.ID, rb.ID))
	requireNotFound(t, nr.Dismiss(ctx, me.ID, rb.ID), "dismissed twice")
	assert.Equal(t, []storage.ID{fa2.ID, fa1.ID, normal.ID}, list(storage.NotificationFilter{IncludeFiltered: true}))
	r, c, err = nr.Summary(ctx, me.ID)
	require.NoError(t, err)
	assert.Equal(t, [2]int64{0, 0}, [2]int64{r, c})
	r, _, err = nr.Summary(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1), r, "the other recipient's request stays")
}
