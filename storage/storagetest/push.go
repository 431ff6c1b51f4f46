package storagetest

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunPush checks a backend's storage.PushSubscriptions and storage.Settings:
// one subscription per token replaced in place, alert and policy updates,
// revoked tokens' subscriptions left out of the account listing, and
// SetIfAbsent keeping the first value under concurrent writers.
func RunPush(t *testing.T, open func(t *testing.T) storage.Store) {
	t.Run("Subscriptions", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		a := h.local(t, "pusher")
		b := h.local(t, "other")
		app := &storage.Application{Name: "push app", ClientID: "push-client", ClientSecretHash: "x", RedirectURIs: storage.Strings{"urn:ietf:wg:oauth:2.0:oob"}}
		require.NoError(t, h.s.OAuth().CreateApplication(ctx, app))
		tok1 := &storage.Token{TokenHash: "push-tok-1", ApplicationID: app.ID, AccountID: a.ID}
		tok2 := &storage.Token{TokenHash: "push-tok-2", ApplicationID: app.ID, AccountID: a.ID}
		tok3 := &storage.Token{TokenHash: "push-tok-3", ApplicationID: app.ID, AccountID: b.ID}
		for _, tk := range []*storage.Token{tok1, tok2, tok3} {
			require.NoError(t, h.s.OAuth().CreateToken(ctx, tk))
		}
		ps := h.s.PushSubscriptions()
		_, err := ps.GetByToken(ctx, tok1.ID)
		requireNotFound(t, err, "no subscription yet")
		requireInvalid(t, ps.Put(ctx, &storage.PushSubscription{TokenID: tok1.ID, AccountID: a.ID}), "subscription without endpoint")

		s1 := &storage.PushSubscription{TokenID: tok1.ID, AccountID: a.ID, Endpoint: "https://push.example/1",
			KeyP256DH: "BP256", KeyAuth: "auth", Alerts: storage.PushAlerts{"mention": true, "follow": false}, Standard: true}
		require.NoError(t, ps.Put(ctx, s1))
		require.NotZero(t, s1.ID)
		assert.Equal(t, storage.PushPolicyAll, s1.Policy, "policy defaults to all")
		got, err := ps.GetByToken(ctx, tok1.ID)
		require.NoError(t, err)
		assert.Equal(t, s1, got)

		// A second Put for the same token replaces it and keeps its ID.
		again := &storage.PushSubscription{TokenID: tok1.ID, AccountID: a.ID, Endpoint: "https://push.example/1b",
			KeyP256DH: "BP256b", KeyAuth: "auth2", Alerts: storage.PushAlerts{"favourite": true}, Policy: storage.PushPolicyFollowed}
		require.NoError(t, ps.Put(ctx, again))
		assert.Equal(t, s1.ID, again.ID)
		assert.Equal(t, "https://push.example/1b", again.Endpoint)
		assert.Equal(t, storage.PushAlerts{"favourite": true}, again.Alerts)
		assert.False(t, again.Standard)

		again.Alerts = storage.PushAlerts{"poll": true}
		again.Policy = storage.PushPolicyNone
		require.NoError(t, ps.Update(ctx, again))
		got, err = ps.GetByToken(ctx, tok1.ID)
		require.NoError(t, err)
		assert.Equal(t, storage.PushAlerts{"poll": true}, got.Alerts)
		assert.Equal(t, storage.PushPolicyNone, got.Policy)

		require.NoError(t, ps.Put(ctx, &storage.PushSubscription{TokenID: tok2.ID, AccountID: a.ID, Endpoint: "https://push.example/2", KeyP256DH: "k", KeyAuth: "a"}))
		require.NoError(t, ps.Put(ctx, &storage.PushSubscription{TokenID: tok3.ID, AccountID: b.ID, Endpoint: "https://push.example/3", KeyP256DH: "k", KeyAuth: "a"}))
		list, err := ps.ByAccount(ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, tok1.ID, list[0].TokenID)

		require.NoError(t, h.s.OAuth().RevokeToken(ctx, "push-tok-2"))
		list, err = ps.ByAccount(ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, list, 1, "a revoked token's subscription receives nothing")

		require.NoError(t, ps.DeleteByToken(ctx, tok1.ID))
		requireNotFound(t, ps.DeleteByToken(ctx, tok1.ID), "deleted twice")
		list, err = ps.ByAccount(ctx, a.ID)
		require.NoError(t, err)
		assert.Empty(t, list)
		assert.NotNil(t, list, "empty, not nil")

		s3, err := ps.GetByToken(ctx, tok3.ID)
		require.NoError(t, err)
		require.NoError(t, ps.Delete(ctx, s3.ID))
		requireNotFound(t, ps.Delete(ctx, s3.ID), "deleted twice")
	})

	t.Run("Settings", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		st := h.s.Settings()
		_, err := st.Get(ctx, "missing")
		requireNotFound(t, err, "unknown key")
		requireInvalid(t, st.Set(ctx, "", "x"), "empty key")
		require.NoError(t, st.Set(ctx, "k", "v1"))
		require.NoError(t, st.Set(ctx, "k", "v2 — ünïcode"))
		v, err := st.Get(ctx, "k")
		require.NoError(t, err)
		assert.Equal(t, "v2 — ünïcode", v)

		// Concurrent SetIfAbsent: every caller sees the one value that won.
		const n = 8
		vals := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := st.SetIfAbsent(ctx, "vapid", string(rune('a'+i)))
				assert.NoError(t, err)
				vals[i] = v
			}()
		}
		wg.Wait()
		for _, v := range vals {
			assert.Equal(t, vals[0], v)
		}
		v, err = st.Get(ctx, "vapid")
		require.NoError(t, err)
		assert.Equal(t, vals[0], v)
	})
}
