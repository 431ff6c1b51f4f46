package federation_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

type fixedSigners struct{ s *signature.Signer }

func (f fixedSigners) Signer(context.Context, storage.ID) (*signature.Signer, error) { return f.s, nil }

func newSigner(t testing.TB) *signature.Signer {
	key, err := signature.GenerateRSAKey(2048)
	require.NoError(t, err)
	s, err := signature.NewSigner("https://local.example/users/alice#main-key", key, nil)
	require.NoError(t, err)
	return s
}

func openStore(t testing.TB) *sqlite.Store {
	s, err := sqlite.Open(context.Background(), t.TempDir()+"/herd.db", nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func loopbackClient() *transport.Client {
	return transport.New(&transport.Options{AllowHTTP: true, AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Timeout: 5 * time.Second})
}

func fastBackoff(int) time.Duration { return 20 * time.Millisecond }

// run starts d and returns a stop function that waits for Run to return.
func run(t *testing.T, d *federation.Deliverer) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	stop := func() { once.Do(func() { stopOnce(t, cancel, done) }) }
	t.Cleanup(stop)
	return stop
}

func stopOnce(t *testing.T, cancel func(), done chan error) {
	{
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("deliverer did not stop")
		}
	}
}

type inbox struct {
	srv      *httptest.Server
	mu       sync.Mutex
	bodies   []string
	headers  []http.Header
	handler  func(w http.ResponseWriter, r *http.Request) bool // return true when handled
	inflight atomic.Int32
	maxSeen  atomic.Int32
}

func newInbox(t *testing.T) *inbox {
	in := &inbox{}
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := in.inflight.Add(1)
		defer in.inflight.Add(-1)
		for {
			m := in.maxSeen.Load()
			if n <= m || in.maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		if in.handler != nil && in.handler(w, r) {
			return
		}
		b, _ := io.ReadAll(r.Body)
		in.mu.Lock()
		in.bodies = append(in.bodies, string(b))
		in.headers = append(in.headers, r.Header.Clone())
		in.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(in.srv.Close)
	return in
}

func (in *inbox) count() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.bodies)
}

func TestDelivererDeliversSigned(t *testing.T) {
	st := openStore(t)
	a, b := newInbox(t), newInbox(t)
	d := federation.NewDeliverer(st.Deliveries(), loopbackClient(), fixedSigners{newSigner(t)}, &federation.DelivererOptions{Instances: st.Instances()})
	run(t, d)
	body := `{"id":"https://local.example/a/1","type":"Create"}`
	require.NoError(t, d.Deliver(context.Background(), &storage.OutgoingActivity{URI: "https://local.example/a/1", Body: []byte(body),
		Inboxes: []string{a.srv.URL + "/inbox", b.srv.URL + "/users/x/inbox", a.srv.URL + "/inbox"}}))
	require.Eventually(t, func() bool { return a.count() == 1 && b.count() == 1 }, 10*time.Second, 10*time.Millisecond)
	a.mu.Lock()
	h := a.headers[0]
	assert.Equal(t, body, a.bodies[0])
	a.mu.Unlock()
	assert.Contains(t, h.Get("Signature"), `keyId="https://local.example/users/alice#main-key"`)
	assert.Contains(t, h.Get("Signature"), `headers="(request-target) host date digest"`)
	assert.True(t, strings.HasPrefix(h.Get("Digest"), "SHA-256="))
	assert.Equal(t, "application/activity+json", h.Get("Content-Type"))
	require.Eventually(t, func() bool {
		depth, err := st.Deliveries().Depth(context.Background())
		return err == nil && len(depth) == 0 && d.Stats().Delivered == 2
	}, 5*time.Second, 10*time.Millisecond)
	host := strings.TrimPrefix(a.srv.URL, "http://")
	inst, err := st.Instances().Get(context.Background(), host)
	require.NoError(t, err)
	assert.NotNil(t, inst.LastSuccessAt)
}

func TestDelivererRetriesThenSucceeds(t *testing.T) {
	st := openStore(t)
	in := newInbox(t)
	var calls atomic.Int32
	in.handler = func(w http.ResponseWriter, r *http.Request) bool {
		if calls.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return true
		}
		return false
	}
	d := federation.NewDeliverer(st.Deliveries(), loopbackClient(), fixedSigners{newSigner(t)},
		&federation.DelivererOptions{Backoff: fastBackoff, PollInterval: 10 * time.Millisecond})
	run(t, d)
	require.NoError(t, d.Deliver(context.Background(), &storage.OutgoingActivity{URI: "u", Body: []byte("{}"), Inboxes: []string{in.srv.URL + "/inbox"}}))
	require.Eventually(t, func() bool { return in.count() == 1 && d.Stats().Delivered == 1 }, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, int64(2), d.Stats().Retried)
}

func TestDelivererDropsGoneAndRefused(t *testing.T) {
	st := openStore(t)
	in := newInbox(t)
	in.handler = func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/gone":
			w.WriteHeader(http.StatusGone)
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
		case "/refused":
			w.WriteHeader(http.StatusBadRequest)
		default:
			return false
		}
		return true
	}
	var gone atomic.Value
	d := federation.NewDeliverer(st.Deliveries(), loopbackClient(), fixedSigners{newSigner(t)}, &federation.DelivererOptions{
		OnGone: func(_ context.Context, inbox string) { gone.Store(inbox) },
	})
	run(t, d)
	require.NoError(t, d.Deliver(context.Background(), &storage.OutgoingActivity{URI: "u", Body: []byte("{}"),
		Inboxes: []string{in.srv.URL + "/gone", in.srv.URL + "/missing", in.srv.URL + "/refused"}}))
	require.Eventually(t, func() bool { return d.Stats().Dropped == 3 }, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, in.srv.URL+"/gone", gone.Load())
	assert.Equal(t, int64(0), d.Stats().Retried)
}

func TestDelivererHonoursRetryAfter(t *testing.T) {
	st := openStore(t)
	in := newInbox(t)
	in.handler = func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	}
	d := federation.NewDeliverer(st.Deliveries(), loopbackClient(), fixedSigners{newSigner(t)}, &federation.DelivererOptions{Backoff: fastBackoff})
	stop := run(t, d)
	start := time.Now()
	require.NoError(t, d.Deliver(context.Background(), &storage.OutgoingActivity{URI: "u", Body: []byte("{}"), Inboxes: []string{in.srv.URL + "/inbox"}}))
	require.Eventually(t, func() bool { return d.Stats().Retried == 1 }, 10*time.Second, 10*time.Millisecond)
	stop()
	next, err := st.Deliveries().NextDue(context.Background())
	require.NoError(t, err)
	assert.True(t, next.After(start.Add(59*time.Minute)), "next attempt %v should honour Retry-After", next)
}

func TestDelivererCircuitBreaker(t *testing.T) {
	st := openStore(t)
	in := newInbox(t)
	var calls atomic.Int32
	in.handler = func(w http.ResponseWriter, r *http.Request) bool {
		calls.Add(1)
		w.WriteHeader(http.StatusBadGateway)
		return true
	}
	d := federation.NewDeliverer(st.Deliveries(), loopbackClient(), fixedSigners{newSigner(t)}, &federation.DelivererOptions{
		Backoff: fastBackoff, BreakerThreshold: 3, BreakerCooldown: time.Hour, PerHost: 1, PollInterval: 10 * time.Millisecond, Instances: st.Instances(),
	})
	run(t, d)
	inboxes := make([]string, 10)
	for i := range inboxes {
		inboxes[i] = fmt.Sprintf("%s/users/%d/inbox", in.srv.URL, i)
	}
	require.NoError(t, d.Deliver(context.Background(), &storage.OutgoingActivity{URI: "u", Body: []byte("{}"), Inboxes: inboxes}))
	host := strings.TrimPrefix(in.srv.URL, "http://")
	require.Eventually(t, func() bool { return len(d.Stats().OpenCircuits) == 1 }, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, []string{host}, d.Stats().OpenCircuits)
	time.Sleep(200 * time.Millisecond)
	assert.LessOrEqual(t, calls.Load(), int32(4), "no more attempts while the circuit is open")
	inst, err := st.Instances().Get(context.Background(), host)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, inst.FailureCount, int64(3))
}

func TestDelivererPerHostLimit(t *testing.T) {
	st := openStore(t)
	in := newInbox(t)
	in.handler = func(w http.ResponseWriter, r *http.Request) bool {
		time.Sleep(20 * time.Millisecond)
		return false
	}
	d := federation.NewDeliverer(st.Deliveries(), loopbackClient(), fixedSigners{newSigner(t)}, &federation.DelivererOptions{PerHost: 2, Workers: 16})
	run(t, d)
	inboxes := make([]string, 20)
	for i := range inboxes {
		inboxes[i] = fmt.Sprintf("%s/users/%d/inbox", in.srv.URL, i)
	}
	require.NoError(t, d.Deliver(context.Background(), &storage.OutgoingActivity{URI: "u", Body: []byte("{}"), Inboxes: inboxes}))
	require.Eventually(t, func() bool { return in.count() == 20 }, 20*time.Second, 10*time.Millisecond)
	assert.LessOrEqual(t, in.maxSeen.Load(), int32(2))
}

func TestDelivererSurvivesCrash(t *testing.T) {
	st := openStore(t)
	in := newInbox(t)
	require.NoError(t, st.Deliveries().Enqueue(context.Background(), &storage.OutgoingActivity{URI: "u", Body: []byte(`{"a":1}`), Inboxes: []string{in.srv.URL + "/inbox"}}))
	// A process claims the delivery and dies without finishing it.
	claimed, err := st.Deliveries().Claim(context.Background(), 10, time.Now(), 300*time.Millisecond, nil)
	require.NoError(t, err)
	require.Len(t, claimed, 1)
	// A new deliverer picks it up once the lease runs out.
	d := federation.NewDeliverer(st.Deliveries(), loopbackClient(), fixedSigners{newSigner(t)}, &federation.DelivererOptions{PollInterval: 50 * time.Millisecond})
	run(t, d)
	require.Eventually(t, func() bool { return in.count() == 1 }, 10*time.Second, 20*time.Millisecond)
}

func TestDelivererDoubleKnock(t *testing.T) {
	st := openStore(t)
	in := newInbox(t)
	in.handler = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Signature-Input") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return true
		}
		return false
	}
	d := federation.NewDeliverer(st.Deliveries(), loopbackClient(), fixedSigners{newSigner(t)}, &federation.DelivererOptions{})
	run(t, d)
	for i := 0; i < 2; i++ {
		require.NoError(t, d.Deliver(context.Background(), &storage.OutgoingActivity{URI: fmt.Sprint(i), Body: []byte("{}"), Inboxes: []string{in.srv.URL + "/inbox"}}))
		require.Eventually(t, func() bool { return in.count() == i+1 }, 10*time.Second, 10*time.Millisecond)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	assert.NotEmpty(t, in.headers[1].Get("Content-Digest"))
	assert.Equal(t, int64(0), d.Stats().Dropped)
}

func TestDelivererSkipsUnavailableHosts(t *testing.T) {
	st := openStore(t)
	in := newInbox(t)
	host := strings.TrimPrefix(in.srv.URL, "http://")
	past := time.Now().Add(-8 * 24 * time.Hour)
	require.NoError(t, st.Instances().Upsert(context.Background(), &storage.Instance{Domain: host, UnavailableSince: &past}))
	d := federation.NewDeliverer(st.Deliveries(), loopbackClient(), fixedSigners{newSigner(t)}, &federation.DelivererOptions{Instances: st.Instances()})
	require.NoError(t, d.Deliver(context.Background(), &storage.OutgoingActivity{URI: "u", Body: []byte("{}"), Inboxes: []string{in.srv.URL + "/inbox"}}))
	depth, err := st.Deliveries().Depth(context.Background())
	require.NoError(t, err)
	assert.Empty(t, depth)
	require.NoError(t, federation.MarkAvailable(context.Background(), st.Instances(), host))
	require.NoError(t, d.Deliver(context.Background(), &storage.OutgoingActivity{URI: "u", Body: []byte("{}"), Inboxes: []string{in.srv.URL + "/inbox"}}))
	depth, err = st.Deliveries().Depth(context.Background())
	require.NoError(t, err)
	assert.Len(t, depth, 1)
}
