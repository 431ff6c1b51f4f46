package transport_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"

	"github.com/herd-social/herd/federation/transport"
)

func ExampleClient_GetActivity() {
	// A peer serving an actor document (on loopback, as in a test).
	var peer *httptest.Server
	peer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json")
		fmt.Fprintf(w, `{"id":%q,"type":"Person","preferredUsername":"alice"}`, peer.URL+r.URL.Path)
	}))
	defer peer.Close()

	client := transport.New(&transport.Options{
		UserAgent: "herd/0.1.0 (+https://example.com/)",
		// Loopback and plain http are refused by default; allow them here.
		AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		AllowHTTP:    true,
	})
	doc, err := client.GetActivity(context.Background(), peer.URL+"/users/alice", nil)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(doc.ID == peer.URL+"/users/alice", len(doc.Body) > 0)

	// The default client refuses the same loopback address at connect time.
	_, err = transport.New(&transport.Options{AllowHTTP: true}).GetActivity(context.Background(), peer.URL+"/users/alice", nil)
	fmt.Println(errors.Is(err, transport.ErrForbiddenAddress))
	// Output:
	// true true
	// true
}

func ExampleClient_Post() {
	inbox := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer inbox.Close()

	client := transport.New(&transport.Options{
		AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		AllowHTTP:    true,
	})
	res, err := client.Post(context.Background(), inbox.URL+"/inbox", []byte(`{"type":"Create"}`), "", nil)
	fmt.Println(res.StatusCode, res.RetryAfter, err != nil)
	// Output: 503 30s true
}
