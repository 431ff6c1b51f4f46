package federation_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/storage"
)

// TestBlockedAccountCannotFetchBlockersDocuments: a signed fetch of a local
// account's actor, outbox, collections or statuses by an account (or
// server) the owner refuses answers 404; by a suspended host 401; a bad
// signature 401; others, signed or not, get the document.
func TestBlockedAccountCannotFetchBlockersDocuments(t *testing.T) {
	blocked := &blockSet{}
	e := newEnv(t, nil)
	urls, err := federation.NewURLs("https://local.example")
	require.NoError(t, err)
	owner := localAccount(t, e.store, urls, "owner")
	st := &storage.Status{ID: e.store.NewID(), URI: urls.Actor("owner") + "/statuses/1", AccountID: owner.ID, Local: true,
		Content: "<p>hello</p>", Visibility: storage.VisibilityPublic, CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
	require.NoError(t, e.store.Statuses().Create(t.Context(), st))

	good, bad := newPeer(t), newPeer(t)
	mallory, trent := good.actor("mallory", 0), good.actor("trent", 1)
	spammer := bad.actor("spam", 2)
	blocked.set(bad.host(), true)
	refusals := 0
	gate := &federation.FetchGate{Resolver: e.resolver, Blocked: blocked,
		Refuses: func(_ context.Context, o, signer *storage.Account) (bool, error) {
			require.Equal(t, owner.ID, o.ID)
			refusals++
			return signer.URI == mallory.id, nil
		}}
	mux := http.NewServeMux()
	federation.NewActorHandler(e.store.Accounts(), urls, &federation.ActorHandlerOptions{Accounts: e.store.Accounts(),
		Follows: e.store.Follows(), Statuses: e.store.Statuses(), Pins: e.store.Pins(), Gate: gate}).Mount(mux)

	paths := []string{"/users/owner", "/users/owner/outbox", "/users/owner/outbox?page=true", "/users/owner/followers",
		"/users/owner/following", "/users/owner/collections/featured", "/users/owner/statuses/" + st.ID.String()}
	type signer struct {
		name string
		sign func(r *http.Request)
		want int
	}
	signers := []signer{
		{"unsigned", func(*http.Request) {}, http.StatusOK},
		{"trent", func(r *http.Request) { require.NoError(t, trent.signer.Sign(r, nil)) }, http.StatusOK},
		{"mallory (blocked)", func(r *http.Request) { require.NoError(t, mallory.signer.Sign(r, nil)) }, http.StatusNotFound},
		{"suspended host", func(r *http.Request) { require.NoError(t, spammer.signer.Sign(r, nil)) }, http.StatusUnauthorized},
		{"bad signature", func(r *http.Request) {
			require.NoError(t, trent.signer.Sign(r, nil))
			r.Header.Set("Date", time.Now().Add(-3*time.Hour).UTC().Format(http.TimeFormat))
		}, http.StatusUnauthorized},
	}
	for _, s := range signers {
		for _, p := range paths {
			t.Run(s.name+" "+p, func(t *testing.T) {
				r := httptest.NewRequest(http.MethodGet, "https://local.example"+p, nil)
				r.Header.Set("Accept", "application/activity+json")
				s.sign(r)
				w := serve(mux, r)
				want := s.want
				if p == "/users/owner" && want != http.StatusUnauthorized || p == "/users/owner" && s.name == "bad signature" {
					// The actor document (with the key that verifies the
					// owner's Block) stays readable to everyone but
					// suspended servers.
					want = http.StatusOK
				}
				require.Equal(t, want, w.Code, w.Body.String())
				if want == http.StatusNotFound {
					require.NotContains(t, w.Body.String(), "hello", "nothing of the owner's leaks")
				}
			})
		}
	}
	require.Positive(t, refusals)
	require.Zero(t, bad.hitCount("/users/spam"), "the key of a suspended host is not even fetched")
}
