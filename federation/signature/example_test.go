package signature_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/herd-social/herd/federation/signature"
)

// Example signs an ActivityPub POST the way Mastodon expects it and
// verifies it in an inbox handler.
func Example() {
	// The sending actor's key pair; the public half is published in the
	// actor document as publicKeyPem.
	key, err := signature.GenerateRSAKey(2048)
	if err != nil {
		panic(err)
	}
	publicKeyPem, _ := signature.EncodePublicKeyPEM(&key.PublicKey)
	const keyID = "https://social.example/users/alice#main-key"

	// The receiver resolves keyIds to keys (normally by fetching the actor).
	keys := signature.KeyResolverFunc(func(ctx context.Context, id string, refresh bool) (*signature.PublicKey, error) {
		if id != keyID {
			return nil, fmt.Errorf("unknown key %s", id)
		}
		pub, err := signature.DecodePublicKeyPEM(publicKeyPem)
		if err != nil {
			return nil, err
		}
		return &signature.PublicKey{ID: id, Owner: "https://social.example/users/alice", Key: pub}, nil
	})
	// The test server speaks plain HTTP; a real inbox behind a proxy sets
	// Scheme "https" and its public Authority.
	verifier := signature.NewVerifier(&signature.Options{Scheme: "http"})
	inbox := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		res, err := verifier.Verify(r.Context(), r, body, keys)
		if err != nil {
			http.Error(w, err.Error(), signature.HTTPStatus(err))
			return
		}
		fmt.Println("verified:", res.Owner, res.Scheme, res.Algorithm)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer inbox.Close()

	// Sign and deliver.
	body := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Follow","actor":"https://social.example/users/alice","object":"https://remote.example/users/bob"}`)
	req, _ := http.NewRequest(http.MethodPost, inbox.URL+"/users/bob/inbox", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/activity+json")
	signer, err := signature.NewSigner(keyID, key, nil)
	if err != nil {
		panic(err)
	}
	if err := signer.Sign(req, body); err != nil {
		panic(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println("status:", resp.StatusCode)
	// Output:
	// verified: https://social.example/users/alice draft-cavage rsa-sha256
	// status: 202
}

// Example_doubleKnock shows the "double-knock": sign with the scheme last
// known to work for the peer (RFC 9421 here), and when the peer answers
// 401, sign again with the other scheme and remember the choice per host.
func Example_doubleKnock() {
	key, _ := signature.GenerateEd25519Key()
	signer, _ := signature.NewSigner("https://social.example/users/alice#main-key", key, nil)

	// A peer that only understands draft-cavage.
	peer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Signature-Input") != "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer peer.Close()

	preferred := map[string]signature.Scheme{} // per host; persist it in practice
	body := []byte(`{"type":"Like"}`)
	deliver := func(scheme signature.Scheme) int {
		req, _ := http.NewRequest(http.MethodPost, peer.URL+"/inbox", bytes.NewReader(body))
		if err := signer.SignScheme(scheme, req, body); err != nil {
			panic(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	host := peer.Listener.Addr().String()
	scheme, ok := preferred[host]
	if !ok {
		scheme = signature.SchemeRFC9421
	}
	status := deliver(scheme)
	fmt.Println(scheme, status)
	if status == http.StatusUnauthorized {
		scheme = scheme.Other()
		status = deliver(scheme)
		fmt.Println(scheme, status)
	}
	if status < 300 {
		preferred[host] = scheme
	}
	// Output:
	// rfc9421 401
	// draft-cavage 202
}

// ExampleDecodePublicKeyMultibase decodes a FEP-521a Multikey.
func ExampleDecodePublicKeyMultibase() {
	key, err := signature.DecodePublicKeyMultibase("z6Mkh4LmfP1ev9MNPGr7JbEbtD6BD4fsu1duEj83PMCs3xHG")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%T\n", key)
	// Output: ed25519.PublicKey
}
