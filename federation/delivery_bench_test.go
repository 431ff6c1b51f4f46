package federation_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/storage"
)

// benchFanOut measures delivering one activity to inboxesPerHost inboxes on
// each of hosts loopback servers, from Deliver to the last 2xx received.
func benchFanOut(b *testing.B, hosts, inboxesPerHost int) {
	var received atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		received.Add(1)
		w.WriteHeader(http.StatusAccepted)
	})
	var inboxes []string
	for i := 0; i < hosts; i++ {
		srv := httptest.NewServer(h)
		b.Cleanup(srv.Close)
		for j := 0; j < inboxesPerHost; j++ {
			if inboxesPerHost == 1 {
				inboxes = append(inboxes, srv.URL+"/inbox")
			} else {
				inboxes = append(inboxes, fmt.Sprintf("%s/users/u%d/inbox", srv.URL, j))
			}
		}
	}
	st := openStore(b)
	client := loopbackClient()
	d := federation.NewDeliverer(st.Deliveries(), client, federation.NewAccountSigners(st.Accounts(), newSigner(b)), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()

	body := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://local.example/users/alice/statuses/1/activity","type":"Create","actor":"https://local.example/users/alice","to":["https://www.w3.org/ns/activitystreams#Public"],"object":{"id":"https://local.example/users/alice/statuses/1","type":"Note","content":"<p>Hello, Fediverse</p>"}}`)
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		want := received.Load() + int64(len(inboxes))
		if err := d.Deliver(ctx, &storage.OutgoingActivity{URI: fmt.Sprint("a", i), Body: body, Inboxes: inboxes}); err != nil {
			b.Fatal(err)
		}
		for received.Load() < want {
			time.Sleep(2 * time.Millisecond)
		}
		// Wait for the queue to drain too: delivered means recorded as done.
		for {
			depth, err := st.Deliveries().Depth(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if len(depth) == 0 {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		total += time.Since(start)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/fanout")
	b.ReportMetric(float64(len(inboxes))*float64(b.N)/total.Seconds(), "deliveries/s")
}

// BenchmarkDeliverSharedInboxes500Hosts: one activity to 10,000 followers on
// 500 hosts with shared inboxes — 500 POSTs. Goal ≤ 3 s.
func BenchmarkDeliverSharedInboxes500Hosts(b *testing.B) { benchFanOut(b, 500, 1) }

// BenchmarkDeliverPersonalInboxes10k: one activity to 10,000 personal inboxes
// on 500 hosts. Goal ≤ 8 s.
func BenchmarkDeliverPersonalInboxes10k(b *testing.B) { benchFanOut(b, 500, 20) }
