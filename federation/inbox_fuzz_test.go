package federation_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/storage"
)

// offlineClient fails every DNS lookup at once: fuzzing must not touch the
// network.
func offlineClient() *transport.Client {
	return transport.New(&transport.Options{Timeout: time.Second, Resolver: &net.Resolver{PreferGo: true,
		Dial: func(context.Context, string, string) (net.Conn, error) { return nil, errors.New("offline") }}})
}

// storeRemote stores a remote actor with key, freshly fetched, so that its
// key resolves without the network.
func storeRemote(t testing.TB, st storage.Store, id string, key *rsa.PrivateKey) *signature.Signer {
	pub, err := signature.EncodePublicKeyPEM(&key.PublicKey)
	require.NoError(t, err)
	now := time.Now().UTC()
	a := &storage.Account{Username: "sender", Domain: "remote.example", URI: id, InboxURI: id + "/inbox",
		PublicKeyID: id + "#main-key", PublicKeyPEM: string(pub), FetchedAt: &now}
	require.NoError(t, st.Accounts().Create(context.Background(), a))
	s, err := signature.NewSigner(a.PublicKeyID, key, nil)
	require.NoError(t, err)
	return s
}

func FuzzInbox(f *testing.F) {
	st := openStore(f)
	const actor = "https://remote.example/users/sender"
	signer := storeRemote(f, st, actor, testKey(f, 0))
	resolver := federation.NewResolver(st.Accounts(), offlineClient(), nil, nil)
	h := &federation.Handlers{}
	federation.On(h, func(ctx context.Context, in *federation.Incoming[federation.Create]) error {
		// Fetches fail here (no network): that is a TemporaryError (503),
		// a property of the network, not of the input. Count it as handled.
		var tmp *federation.TemporaryError
		if _, err := in.Object(ctx); err != nil && !errors.As(err, &tmp) {
			return err
		}
		return nil
	})
	federation.On(h, func(context.Context, *federation.Incoming[federation.Follow]) error { return nil })
	inbox := federation.NewInbox(resolver, h, &federation.InboxOptions{Rate: -1})

	sign := func(body []byte) string {
		r := httptest.NewRequest(http.MethodPost, localInbox, bytes.NewReader(body))
		require.NoError(f, signer.Sign(r, body))
		return r.Header.Get("Signature") + "\n" + r.Header.Get("Date") + "\n" + r.Header.Get("Digest")
	}
	for _, body := range []string{
		`{"id":"https://remote.example/a/1","type":"Follow","actor":"` + actor + `","object":"https://local.example/users/bob"}`,
		`{"id":"https://remote.example/a/2","type":"Create","actor":"` + actor + `","object":{"id":"https://other.example/n/1","type":"Note","attributedTo":"` + actor + `"}}`,
		`{"id":"https://remote.example/a/3","type":"Create","actor":"` + actor + `","object":"https://remote.example/n/2"}`,
		`[1,2,3]`, `{"a":[[[[[[[[[[]]]]]]]]]]}`, `not json`, ``,
	} {
		f.Add([]byte(body), "application/activity+json", sign([]byte(body)))
	}
	f.Add([]byte(`{}`), "text/plain", `keyId="x"`)

	f.Fuzz(func(t *testing.T, body []byte, contentType, sig string) {
		r := httptest.NewRequest(http.MethodPost, localInbox, bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		parts := bytes.SplitN([]byte(sig), []byte("\n"), 3)
		r.Header.Set("Signature", string(parts[0]))
		if len(parts) > 1 {
			r.Header.Set("Date", string(parts[1]))
		}
		if len(parts) > 2 {
			r.Header.Set("Digest", string(parts[2]))
		}
		w := httptest.NewRecorder()
		inbox.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("status %d for body %q: %s", w.Code, body, w.Body.String())
		}
	})
}
