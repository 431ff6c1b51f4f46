package social_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// TestMutedAccountHiddenFromThreads checks that a muted account's statuses
// are absent from the muter's threads, among the ancestors as among the
// descendants (as Mastodon's StatusFilter), whether or not the mute hides
// notifications, while other viewers see the whole thread and the muted
// status itself stays reachable by ID.
func TestMutedAccountHiddenFromThreads(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		bob := e.local("bob")
		carol := e.local("carol")
		alice := e.local("alice")
		other := e.local("other")
		muterSts := e.local("mutersts")

		root := e.post(bob, "root", storage.VisibilityPublic)
		carolReply := e.reply(carol, root, "carol answers", storage.VisibilityPublic)
		bobReply := e.reply(bob, carolReply, "bob answers carol", storage.VisibilityPublic)
		aliceReply := e.reply(alice, bobReply, "alice chimes in", storage.VisibilityPublic)
		carolAgain := e.reply(carol, aliceReply, "carol again", storage.VisibilityPublic)

		_, err := e.svc.Mute(e.ctx, alice, carol.ID, social.MuteOptions{})
		require.NoError(t, err)
		_, err = e.svc.Mute(e.ctx, muterSts, carol.ID, social.MuteOptions{Notifications: ptr(false)})
		require.NoError(t, err)

		// A viewer who mutes no one sees the whole thread.
		anc, desc := e.threadIDs(other, aliceReply.ID)
		assert.Equal(t, []storage.ID{root.ID, carolReply.ID, bobReply.ID}, anc)
		assert.Equal(t, []storage.ID{carolAgain.ID}, desc)
		_, desc = e.threadIDs(other, root.ID)
		assert.Equal(t, []storage.ID{carolReply.ID, bobReply.ID, aliceReply.ID, carolAgain.ID}, desc)

		for _, muter := range []*storage.Account{alice, muterSts} {
			anc, desc = e.threadIDs(muter, aliceReply.ID)
			assert.Equal(t, []storage.ID{root.ID, bobReply.ID}, anc, "%s: the muted ancestor is hidden", muter.Username)
			assert.Empty(t, desc, "%s: the muted reply is hidden", muter.Username)
			_, desc = e.threadIDs(muter, root.ID)
			assert.Equal(t, []storage.ID{bobReply.ID, aliceReply.ID}, desc, muter.Username)
			// The muted status itself is still shown when asked for, with
			// its thread around it (less the muted account's other posts).
			_, err = e.svc.GetStatus(e.ctx, muter, carolReply.ID)
			require.NoError(t, err)
			anc, desc = e.threadIDs(muter, carolReply.ID)
			assert.Equal(t, []storage.ID{root.ID}, anc, muter.Username)
			assert.Equal(t, []storage.ID{bobReply.ID, aliceReply.ID}, desc, muter.Username)
		}

		// The muted account sees its own statuses in the thread.
		anc, _ = e.threadIDs(carol, aliceReply.ID)
		assert.Equal(t, []storage.ID{root.ID, carolReply.ID, bobReply.ID}, anc)

		// Unmuting brings them back.
		_, err = e.svc.Unmute(e.ctx, alice, carol.ID)
		require.NoError(t, err)
		anc, desc = e.threadIDs(alice, aliceReply.ID)
		assert.Equal(t, []storage.ID{root.ID, carolReply.ID, bobReply.ID}, anc)
		assert.Equal(t, []storage.ID{carolAgain.ID}, desc)
	})
}
