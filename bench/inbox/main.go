// Command inbox is a load harness for an ActivityPub shared inbox: it plays
// many remote senders at once and measures how many signed activities a
// running server accepts per second.
//
// It serves its own sender actors (each on its own loopback address, so
// that each is a distinct host to the target's per-host rate limit, with a
// real key the target fetches once and caches), signs Create(Note)
// activities of those actors before the measurement starts (RSA-2048
// signing costs about 1 ms: it must not limit the sender), warms the
// target's key cache with one activity per sender, then POSTs the rest to
// the target's inbox with a fixed concurrency and reports accepted
// activities per second and latency percentiles.
//
//	go run ./examples/bot -public-url http://127.0.0.1:8090 -listen 127.0.0.1:8090 \
//		-allow-private-addresses 127.0.0.0/8 -data /tmp/bot-bench &
//	go run ./bench/inbox -target http://127.0.0.1:8090 -senders 100 -concurrency 32 -count 20000
//
// The run is bounded by -count (and -duration). Targets must be on loopback
// unless -allow-remote is given: do not point it at servers you do not run.
package main

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/signature"
)

type config struct {
	target      string
	inboxPath   string
	senders     int
	concurrency int
	count       int
	duration    time.Duration
	keyType     string
	keys        int
	allowRemote bool
}

func main() {
	var c config
	flag.StringVar(&c.target, "target", "http://127.0.0.1:8090", "base URL of the server under test")
	flag.StringVar(&c.inboxPath, "inbox", "/inbox", "path of the shared inbox on the target")
	flag.IntVar(&c.senders, "senders", 100, "distinct sender actors, each on its own loopback address (max 10000)")
	flag.IntVar(&c.concurrency, "concurrency", 32, "concurrent POSTs")
	flag.IntVar(&c.count, "count", 20000, "activities to send in the measured phase (max 1000000)")
	flag.DurationVar(&c.duration, "duration", 2*time.Minute, "stop the measured phase after this long even if -count is not reached")
	flag.StringVar(&c.keyType, "key", "rsa", "sender keys: rsa (RSA-2048, rsa-sha256, as Mastodon) or ed25519 (hs2019)")
	flag.IntVar(&c.keys, "keys", 8, "distinct key pairs shared round-robin by the senders (RSA generation is slow)")
	flag.BoolVar(&c.allowRemote, "allow-remote", false, "allow a target that is not on a loopback address")
	flag.Parse()
	if err := run(context.Background(), c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "inbox-bench:", err)
		os.Exit(1)
	}
}

// sender is one remote actor played by the harness.
type sender struct {
	id, keyID string
	signer    *signature.Signer
	pubPEM    string
	srv       *http.Server
}

type request struct {
	header http.Header
	body   []byte
}

func run(ctx context.Context, c config, out io.Writer) error {
	if c.senders < 1 || c.senders > 10000 || c.concurrency < 1 || c.count < 1 || c.count > 1_000_000 || c.keys < 1 {
		return errors.New("need 1 ≤ -senders ≤ 10000, -concurrency ≥ 1, 1 ≤ -count ≤ 1000000, -keys ≥ 1")
	}
	target, err := url.Parse(c.target)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return fmt.Errorf("-target %q: not an http(s) base URL", c.target)
	}
	if !c.allowRemote {
		if err := checkLoopback(ctx, target.Hostname()); err != nil {
			return err
		}
	}
	inbox := target.JoinPath(c.inboxPath).String()

	// Keys and sender actors.
	t0 := time.Now()
	keys := make([]crypto.Signer, min(c.keys, c.senders))
	for i := range keys {
		if keys[i], err = newKey(c.keyType); err != nil {
			return err
		}
	}
	senders := make([]*sender, c.senders)
	for i := range senders {
		if senders[i], err = startSender(i, keys[i%len(keys)]); err != nil {
			return err
		}
	}
	defer func() {
		for _, s := range senders {
			_ = s.srv.Close()
		}
	}()
	fmt.Fprintf(out, "%d senders (%d %s keys) ready in %s\n", len(senders), len(keys), c.keyType, time.Since(t0).Round(time.Millisecond))

	// Pre-sign everything: the warm-up (one per sender) and the measured run.
	t0 = time.Now()
	warm, err := presign(senders, inbox, 0, len(senders))
	if err != nil {
		return err
	}
	reqs, err := presign(senders, inbox, len(senders), c.count)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d activities signed in %s\n", len(warm)+len(reqs), time.Since(t0).Round(time.Millisecond))

	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: c.concurrency * 2, MaxIdleConnsPerHost: c.concurrency * 2, IdleConnTimeout: time.Minute}}

	// Warm-up: the target fetches and caches each sender's key.
	t0 = time.Now()
	wres := send(ctx, client, inbox, warm, min(c.concurrency, 16), time.Minute)
	fmt.Fprintf(out, "warm-up: %d activities in %s: %s\n", len(warm), time.Since(t0).Round(time.Millisecond), wres.statusLine())
	if wres.status[http.StatusAccepted] == 0 {
		return fmt.Errorf("the target accepted nothing during the warm-up (%s): is it running, in local mode, allowing 127.0.0.0/8?", wres.statusLine())
	}

	// The measured run.
	res := send(ctx, client, inbox, reqs, c.concurrency, c.duration)
	lat := res.latencies
	slices.Sort(lat)
	fmt.Fprintf(out, "measured: %d activities, concurrency %d, %s: %s\n", res.sent, c.concurrency, res.elapsed.Round(time.Millisecond), res.statusLine())
	fmt.Fprintf(out, "accepted/s: %.0f\n", float64(res.status[http.StatusAccepted])/res.elapsed.Seconds())
	if len(lat) > 0 {
		fmt.Fprintf(out, "latency: p50 %s  p90 %s  p99 %s  max %s\n", pct(lat, 50), pct(lat, 90), pct(lat, 99), lat[len(lat)-1].Round(time.Microsecond))
	}
	return nil
}

// checkLoopback refuses targets that resolve to anything but loopback.
func checkLoopback(ctx context.Context, host string) error {
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", host, err)
	}
	for _, a := range addrs {
		if !a.Unmap().IsLoopback() {
			return fmt.Errorf("target %s resolves to %s, not loopback (use -allow-remote for a server you run)", host, a)
		}
	}
	return nil
}

func newKey(kind string) (crypto.Signer, error) {
	switch kind {
	case "rsa":
		return signature.GenerateRSAKey(2048)
	case "ed25519":
		k, err := signature.GenerateEd25519Key()
		return k, err
	}
	return nil, fmt.Errorf("-key %q: rsa or ed25519", kind)
}

// startSender serves sender i's actor on its own loopback address
// 127.1.X.Y (a distinct host for the target's per-host rate limit).
func startSender(i int, key crypto.Signer) (*sender, error) {
	addr := netip.AddrFrom4([4]byte{127, 1, byte(i / 250), byte(1 + i%250)})
	ln, err := net.Listen("tcp", netip.AddrPortFrom(addr, 0).String())
	if err != nil {
		return nil, fmt.Errorf("sender %d: listen on %s: %w (Linux routes all of 127.0.0.0/8 to loopback)", i, addr, err)
	}
	base := "http://" + ln.Addr().String()
	s := &sender{id: fmt.Sprintf("%s/users/s%d", base, i)}
	s.keyID = s.id + "#main-key"
	if s.signer, err = signature.NewSigner(s.keyID, key, nil); err != nil {
		return nil, err
	}
	pem, err := signature.EncodePublicKeyPEM(key.Public())
	if err != nil {
		return nil, err
	}
	s.pubPEM = string(pem)
	actor, err := ap.Encode(&ap.Object{ID: s.id, Type: ap.TypePerson, PreferredUsername: fmt.Sprintf("s%d", i),
		Inbox: s.id + "/inbox", Outbox: s.id + "/outbox", Followers: s.id + "/followers", Following: s.id + "/following",
		Endpoints: &ap.Endpoints{SharedInbox: base + "/inbox"},
		PublicKey: &ap.PublicKey{ID: s.keyID, Owner: s.id, PublicKeyPem: s.pubPEM}})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{name}", func(w http.ResponseWriter, r *http.Request) {
		if base+r.URL.Path != s.id {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		_, _ = w.Write(actor)
	})
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// presign builds and signs activities first … first+n-1, spread over the
// senders, on every core.
func presign(senders []*sender, inbox string, first, n int) ([]request, error) {
	out := make([]request, n)
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	now := time.Now().UTC().Truncate(time.Second)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				r, err := signedCreate(senders[(first+i)%len(senders)], first+i, inbox, now)
				if err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
				out[i] = r
			}
		}()
	}
	wg.Wait()
	return out, firstErr
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// signedCreate is a typical public Create(Note) of about 1 KB, signed as
// Mastodon signs (draft-cavage, (request-target) host date digest).
func signedCreate(s *sender, n int, inbox string, now time.Time) (request, error) {
	note := &ap.Object{ID: fmt.Sprintf("%s/statuses/%d", s.id, n), Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(s.id)},
		Content: fmt.Sprintf(`<p>Load test post number %d: a typical status of a few words, with <a href="https://example.com/">a link</a> and a <a href="https://example.com/tags/herd" class="mention hashtag" rel="tag">#<span>herd</span></a> tag.</p>`, n),
		To:      []string{ap.Public}, Cc: []string{s.id + "/followers"}, Published: now,
		URL: ap.Refs{ap.IRIRef(fmt.Sprintf("%s/statuses/%d", s.id, n))},
		Tag: ap.Refs{ap.Embed(&ap.Object{Type: ap.TypeHashtag, Href: "https://example.com/tags/herd", Name: "#herd"})}}
	body, err := ap.Encode(federation.CreateOf(note))
	if err != nil {
		return request{}, err
	}
	r, err := http.NewRequest(http.MethodPost, inbox, bytes.NewReader(body))
	if err != nil {
		return request{}, err
	}
	r.Header.Set("Content-Type", "application/activity+json")
	if err := s.signer.Sign(r, body); err != nil {
		return request{}, err
	}
	return request{header: r.Header, body: body}, nil
}

type result struct {
	sent      int
	elapsed   time.Duration
	status    map[int]int
	errors    int
	firstErr  string
	latencies []time.Duration
}

func (r *result) statusLine() string {
	codes := make([]int, 0, len(r.status))
	for c := range r.status {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	s := ""
	for _, c := range codes {
		s += fmt.Sprintf("%d×%d ", r.status[c], c)
	}
	if r.errors > 0 {
		s += fmt.Sprintf("%d errors (first: %s)", r.errors, r.firstErr)
	}
	return s
}

// send POSTs reqs with the given concurrency, stopping after maxTime.
func send(ctx context.Context, client *http.Client, inbox string, reqs []request, concurrency int, maxTime time.Duration) *result {
	ctx, cancel := context.WithTimeout(ctx, maxTime)
	defer cancel()
	res := &result{status: map[int]int{}, latencies: make([]time.Duration, 0, len(reqs))}
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(reqs) {
					return
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, inbox, bytes.NewReader(reqs[i].body))
				if err != nil {
					return
				}
				req.Header = reqs[i].header.Clone()
				t := time.Now()
				resp, err := client.Do(req)
				d := time.Since(t)
				code := 0
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					code = resp.StatusCode
				}
				mu.Lock()
				res.sent++
				if err != nil {
					if ctx.Err() == nil {
						res.errors++
						if res.firstErr == "" {
							res.firstErr = err.Error()
						}
					}
				} else {
					res.status[code]++
					res.latencies = append(res.latencies, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(i, len(sorted))-1)].Round(time.Microsecond)
}
