package social_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// TestTimelinePages checks that the *Page variants return the statuses of
// the plain calls with the authors and boosted statuses they loaded, and
// that followers-only statuses still follow the follow state.
func TestTimelinePages(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice, bob, carol := e.local("alice"), e.local("bob"), e.local("carol")
		e.follow(bob, alice)
		e.follow(bob, carol)
		own := e.post(carol, "carol's post", storage.VisibilityPublic)
		boost, err := e.svc.Reblog(e.ctx, alice, own.ID, social.ReblogInput{})
		require.NoError(t, err)
		priv := e.post(alice, "followers only", storage.VisibilityPrivate)

		pg, err := e.svc.HomePage(e.ctx, bob, storage.Page{Limit: 20})
		require.NoError(t, err)
		plain, err := e.svc.Home(e.ctx, bob, storage.Page{Limit: 20})
		require.NoError(t, err)
		assert.Equal(t, ids(plain), ids(pg.Statuses))
		assert.Equal(t, []storage.ID{priv.ID, boost.ID, own.ID}, ids(pg.Statuses))
		for _, id := range []storage.ID{alice.ID, carol.ID} {
			require.NotNil(t, pg.Accounts[id], "author %s", id)
		}
		require.NotNil(t, pg.Boosted[own.ID])
		assert.Equal(t, own.Content, pg.Boosted[own.ID].Content)

		// The public timeline holds public statuses only, with their
		// authors; once bob no longer follows alice, her account's listing
		// leaves out her followers-only status.
		_, err = e.svc.Unfollow(e.ctx, bob, alice.ID)
		require.NoError(t, err)
		pub, err := e.svc.PublicPage(e.ctx, bob, storage.PublicFilter{LocalOnly: true}, storage.Page{Limit: 20})
		require.NoError(t, err)
		assert.NotContains(t, ids(pub.Statuses), priv.ID)
		assert.Contains(t, ids(pub.Statuses), own.ID)
		require.NotNil(t, pub.Accounts[carol.ID])

		acct, err := e.svc.AccountStatusesPage(e.ctx, bob, alice.ID, social.AccountStatusesFilter{}, storage.Page{Limit: 20})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{boost.ID}, ids(acct.Statuses), "no followers-only status for a non-follower")
		require.NotNil(t, acct.Boosted[own.ID])
		e.follow(bob, alice)
		acct, err = e.svc.AccountStatusesPage(e.ctx, bob, alice.ID, social.AccountStatusesFilter{}, storage.Page{Limit: 20})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{priv.ID, boost.ID}, ids(acct.Statuses))
	})
}
