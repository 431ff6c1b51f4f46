package social_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// TestNotificationPolicyNewAccounts checks for_new_accounts (accounts
// younger than 30 days), that filtered notifications publish no event
// (so are neither streamed nor pushed), and accepting a request.
func TestNotificationPolicyNewAccounts(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		alice := e.local("alice")
		fresh := e.local("fresh")
		veteran := e.local("veteran", func(a *storage.Account) { a.CreatedAt = time.Now().Add(-31 * 24 * time.Hour) })
		p := storage.DefaultNotificationPolicy(alice.ID)
		p.ForNewAccounts = storage.PolicyFilter
		require.NoError(t, e.svc.UpdateNotificationPolicy(e.ctx, alice, p))
		bad := *p
		bad.ForNotFollowing = "sometimes"
		require.ErrorIs(t, e.svc.UpdateNotificationPolicy(e.ctx, alice, &bad), social.ErrInvalid)

		before := len(e.events.ofType(social.EventNotificationCreated))
		e.post(fresh, "@alice hello", storage.VisibilityPublic)
		assert.Len(t, e.events.ofType(social.EventNotificationCreated), before, "a filtered notification is not published")
		e.post(veteran, "@alice hello", storage.VisibilityPublic)
		assert.Equal(t, []string{"mention:veteran"}, e.notifications(alice))

		rs, err := e.svc.NotificationRequests(e.ctx, alice, storage.Page{})
		require.NoError(t, err)
		require.Len(t, rs, 1)
		assert.Equal(t, fresh.ID, rs[0].FromAccountID)
		_, sum, err := e.svc.NotificationPolicy(e.ctx, alice)
		require.NoError(t, err)
		assert.Equal(t, social.NotificationPolicySummary{PendingRequests: 1, PendingNotifications: 1}, sum)

		// Blocking the sender hides its request.
		_, err = e.svc.Block(e.ctx, alice, fresh.ID)
		require.NoError(t, err)
		_, err = e.svc.NotificationRequest(e.ctx, alice, rs[0].ID)
		require.ErrorIs(t, err, social.ErrNotFound)
		_, err = e.svc.Unblock(e.ctx, alice, fresh.ID)
		require.NoError(t, err)

		require.NoError(t, e.svc.AcceptNotificationRequest(e.ctx, alice, rs[0].ID))
		require.ErrorIs(t, e.svc.AcceptNotificationRequest(e.ctx, alice, rs[0].ID), social.ErrNotFound)
		assert.Equal(t, []string{"mention:veteran", "mention:fresh"}, e.notifications(alice))
		e.post(fresh, "@alice again", storage.VisibilityPublic)
		assert.Equal(t, []string{"mention:fresh", "mention:veteran", "mention:fresh"}, e.notifications(alice))
		assert.Len(t, e.events.ofType(social.EventNotificationCreated), before+2)
	})
}

// BenchmarkMentionNotification posts a status by a stranger mentioning
// ten local users, whose notifications go through their policy: the
// default one (accepted), or for_not_following=filter (filed as requests).
func BenchmarkMentionNotification(b *testing.B) {
	for _, filter := range []bool{false, true} {
		b.Run(map[bool]string{false: "accept", true: "filter"}[filter], func(b *testing.B) {
			urls, err := social.NewURLs("https://herd.example")
			require.NoError(b, err)
			st := openSQLite(b)
			svc := social.New(st, urls, nil)
			ctx := b.Context()
			mk := func(name string) *storage.Account {
				a := &storage.Account{Username: name, URI: urls.Actor(name)}
				require.NoError(b, st.Accounts().Create(ctx, a))
				return a
			}
			stranger := mk("stranger")
			text := ""
			for i := range 10 {
				a := mk("u" + string(rune('a'+i)))
				text += "@" + a.Username + " "
				if filter {
					p := storage.DefaultNotificationPolicy(a.ID)
					p.ForNotFollowing = storage.PolicyFilter
					require.NoError(b, svc.UpdateNotificationPolicy(ctx, a, p))
				}
			}
			b.ResetTimer()
			for b.Loop() {
				_, err := svc.PostStatus(ctx, stranger, social.PostInput{Text: text + "hi", Visibility: storage.VisibilityPublic})
				require.NoError(b, err)
			}
		})
	}
}
