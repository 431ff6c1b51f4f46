package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// testDirectory checks Discovery.Directory: who is listed, the two orders,
// local only, offset and limit, and the viewer's exclusions.
func testDirectory(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	d := h.s.Discovery()
	disc := func(a *storage.Account) { a.Discoverable = true }
	now := time.Now().UTC()
	posted := func(a *storage.Account, ago time.Duration) {
		require.NoError(t, h.s.Accounts().AdjustCounts(ctx, a.ID, 1, 0, 0, ptr(now.Add(-ago))))
	}

	viewer := h.local(t, "viewer")
	old := h.local(t, "old", disc)
	recent := h.local(t, "recent", disc)
	quiet := h.local(t, "quiet", disc) // never posted
	far := h.remote(t, "far", "far.example", "", disc)
	bad := h.remote(t, "bad", "bad.example", "", disc)
	blocked := h.local(t, "blocked", disc)
	blocker := h.local(t, "blocker", disc)
	muted := h.local(t, "muted", disc)
	// Never listed.
	hidden := h.local(t, "hidden")
	silenced := h.local(t, "silenced", disc, func(a *storage.Account) { a.SilencedAt = ptr(now) })
	suspended := h.remote(t, "suspended", "far.example", "", disc, func(a *storage.Account) { a.SuspendedAt = ptr(now) })
	moved := h.local(t, "moved", disc, func(a *storage.Account) { a.MovedToID = old.ID })
	pending := h.local(t, "pending", disc)
	require.NoError(t, h.s.Users().Create(ctx, &storage.User{AccountID: pending.ID, Email: "pending@example.com"}))
	approved := h.local(t, "approved", disc)
	require.NoError(t, h.s.Users().Create(ctx, &storage.User{AccountID: approved.ID, Email: "approved@example.com", Approved: true}))

	posted(old, 3*time.Hour)
	posted(recent, time.Minute)
	posted(far, time.Hour)
	posted(bad, 2*time.Hour)
	for _, a := range []*storage.Account{hidden, silenced, suspended, moved, pending} {
		posted(a, time.Second)
	}
	require.NoError(t, h.s.Blocks().Create(ctx, &storage.Block{AccountID: viewer.ID, TargetAccountID: blocked.ID}))
	require.NoError(t, h.s.Blocks().Create(ctx, &storage.Block{AccountID: blocker.ID, TargetAccountID: viewer.ID}))
	require.NoError(t, h.s.Mutes().Create(ctx, &storage.Mute{AccountID: viewer.ID, TargetAccountID: muted.ID}))
	require.NoError(t, h.s.DomainBlocks().Create(ctx, &storage.DomainBlock{AccountID: viewer.ID, Domain: "bad.example"}))

	ids, err := d.Directory(ctx, storage.DirectoryQuery{Limit: 40})
	require.NoError(t, err)
	assert.Equal(t, []storage.ID{recent.ID, far.ID, bad.ID, old.ID, approved.ID, muted.ID, blocker.ID, blocked.ID, quiet.ID}, ids,
		"active: latest status first, then those that never posted, newest first")

	ids, err = d.Directory(ctx, storage.DirectoryQuery{New: true, Limit: 40})
	require.NoError(t, err)
	assert.Equal(t, []storage.ID{approved.ID, muted.ID, blocker.ID, blocked.ID, bad.ID, far.ID, quiet.ID, recent.ID, old.ID}, ids, "new: newest first")

	ids, err = d.Directory(ctx, storage.DirectoryQuery{New: true, Offset: 2, Limit: 3})
	require.NoError(t, err)
	assert.Equal(t, []storage.ID{blocker.ID, blocked.ID, bad.ID}, ids, "offset and limit")

	ids, err = d.Directory(ctx, storage.DirectoryQuery{Viewer: viewer.ID, Limit: 40})
	require.NoError(t, err)
	assert.Equal(t, []storage.ID{recent.ID, far.ID, old.ID, approved.ID, quiet.ID}, ids, "the viewer's blocks, mutes and domain blocks")

	ids, err = d.Directory(ctx, storage.DirectoryQuery{Viewer: viewer.ID, Local: true, Limit: 40})
	require.NoError(t, err)
	assert.Equal(t, []storage.ID{recent.ID, old.ID, approved.ID, quiet.ID}, ids, "local only")

	ids, err = d.Directory(ctx, storage.DirectoryQuery{Offset: 100})
	require.NoError(t, err)
	requireEmpty(t, ids, "past the end")
}
