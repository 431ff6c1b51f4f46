package federate_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/federate/federatetest"
	"github.com/herd-social/herd/storage"
)

// BenchmarkInboundCreateToHome measures an inbound Create(Note) from a
// known remote actor with 100 local followers, from the POST to the
// inbox until the 202: the handler stores the status and fans it out
// synchronously, so at the 202 it is in every follower's home timeline
// (checked after the loop). The time includes signing the request on the
// sending side (≈1 ms of RSA). Goal: visible ≤ 50 ms after the 202.
func BenchmarkInboundCreateToHome(b *testing.B) {
	// The per-host rate limit (20/s, burst 200) would answer 429 here.
	s := federatetest.NewServer(b, &federatetest.Options{Inbox: &federation.InboxOptions{Rate: -1}})
	ctx := context.Background()
	m := newBenchPeer(b, "poster")
	author, err := s.Resolver.ResolveActor(federation.WithFetchBudget(ctx, 3), m.actor)
	if err != nil {
		b.Fatal(err)
	}
	var followers []*storage.Account
	err = s.Store.Tx(ctx, func(tx storage.Store) error {
		for i := range 100 {
			a := &storage.Account{Username: fmt.Sprintf("f%d", i), URI: s.URLs.Actor(fmt.Sprintf("f%d", i)),
				FollowersURI: s.URLs.Followers(fmt.Sprintf("f%d", i)), Discoverable: true}
			if err := tx.Accounts().Create(ctx, a); err != nil {
				return err
			}
			if err := tx.Follows().Create(ctx, &storage.Follow{AccountID: a.ID, TargetAccountID: author.ID, ShowReblogs: true, CreatedAt: time.Now()}); err != nil {
				return err
			}
			followers = append(followers, a)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	inbox := s.URL + "/inbox"
	// Warm up: key cache, connections.
	if code := m.send(inbox, m.create(m.note("/notes/warm", "<p>warm</p>", nil))); code != http.StatusAccepted {
		b.Fatalf("warm-up: %d", code)
	}
	b.ResetTimer()
	var last string
	for i := 0; i < b.N; i++ {
		n := m.note(fmt.Sprintf("/notes/%d", i), fmt.Sprintf("<p>post %d #bench</p>", i), nil)
		if code := m.send(inbox, m.create(n)); code != http.StatusAccepted {
			b.Fatalf("inbox answered %d", code)
		}
		last = n.ID
	}
	b.StopTimer()
	for _, f := range []*storage.Account{followers[0], followers[99]} {
		if !homeHas(b, s, f, last) {
			b.Fatalf("last post not in the home of %s at the 202", f.Username)
		}
	}
}

// BenchmarkOutboundPost10kFollowers500Hosts measures a public post by an
// account with 10,000 remote followers on 500 loopback hosts (shared
// inboxes, so 500 POSTs), from PostStatus until every host received it
// and the delivery queue is empty. It includes the FEP-8fcf digest header
// (cached per account). Goal ≤ 3 s.
func BenchmarkOutboundPost10kFollowers500Hosts(b *testing.B) {
	const hosts, perHost = 500, 20
	s := federatetest.NewServer(b, &federatetest.Options{Workers: 64})
	ctx := context.Background()
	var received atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		received.Add(1)
		w.WriteHeader(http.StatusAccepted)
	})
	alice := s.CreateUser(b, "alice", false)
	err := s.Store.Tx(ctx, func(tx storage.Store) error {
		for i := range hosts {
			srv := httptest.NewServer(h)
			b.Cleanup(srv.Close)
			for j := range perHost {
				uri := fmt.Sprintf("%s/users/u%d", srv.URL, j)
				a := &storage.Account{Username: fmt.Sprintf("u%d", j), Domain: srv.Listener.Addr().String(), URI: uri,
					InboxURI: uri + "/inbox", SharedInboxURI: srv.URL + "/inbox", FollowersURI: uri + "/followers"}
				if err := tx.Accounts().Create(ctx, a); err != nil {
					return err
				}
				if err := tx.Follows().Create(ctx, &storage.Follow{AccountID: a.ID, TargetAccountID: alice.ID, ShowReblogs: true, CreatedAt: time.Now()}); err != nil {
					return err
				}
			}
			_ = i
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		want := received.Load() + hosts
		if _, err := s.Social.PostStatus(ctx, alice, social.PostInput{Text: fmt.Sprintf("post %d", i)}); err != nil {
			b.Fatal(err)
		}
		for received.Load() < want {
			time.Sleep(2 * time.Millisecond)
		}
		for {
			d, err := s.Store.Deliveries().Depth(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if len(d) == 0 {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		total += time.Since(start)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/post")
}

// newBenchPeer is newPeer for benchmarks.
func newBenchPeer(b *testing.B, name string) *peer { return newPeerTB(b, name) }

var _ = ap.Public
