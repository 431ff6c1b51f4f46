// Command streaming is the load harness of Herd's streaming API: it opens N
// WebSocket subscribers to a streaming server's user or public stream,
// posts statuses through POST /api/v1/statuses, and measures the delivery
// latency from the moment the POST returns to the receipt of the "update"
// frame at every subscriber (p50, p99, max), and the server's memory per
// idle connection.
//
// It works on loopback only and is bounded: -n connections, -posts posts,
// -timeout for the whole run; the server it starts is stopped and its
// temporary directory removed at the end.
//
// The server runs in a child process of this program, so that its RSS is
// measured alone, on a fresh SQLite database with a memory hub. With
// -renderer api (the default) it is composed as herd serve composes it:
// mastoapi's POST /api/v1/statuses and the streaming Handler rendering
// through mastoapi (statuses prepared once per event). With -renderer
// store it is package streamtest (StoreRenderer, a minimal POST).
//
// Besides the latency the clients see, the server reports its own fan-out
// latency (streaming.Options.OnWritten: from the Handler receiving an event
// to its frame written to a socket), because harness and server share the
// machine's cores: the clients' reading competes with the server's writing.
//
//	go run ./bench/streaming                          # 10,000 subscribers, user stream, 100 accounts
//	go run ./bench/streaming -stream public -accounts 100
//	go run ./bench/streaming -n 2000 -accounts 2000   # one viewer per connection
//
// The accounts (-accounts) all follow the poster; connections use their
// tokens round-robin, so each post is rendered once per account (the
// Handler shares a rendering between the connections of one viewer, and a
// frame between the viewers who see the same bytes) and written to every
// connection. HERD_BENCH_CPUPROFILE=FILE profiles the server while posting.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/mastoapi/streaming/streamtest"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage/sqlite"
	"github.com/herd-social/herd/timeline"
)

var verbose bool

func main() {
	var (
		n        = flag.Int("n", 10000, "WebSocket subscribers")
		accounts = flag.Int("accounts", 100, "distinct accounts (viewers) among the subscribers")
		stream   = flag.String("stream", "user", "stream to subscribe: user or public")
		posts    = flag.Int("posts", 20, "statuses to post")
		interval = flag.Duration("interval", 500*time.Millisecond, "pause between posts")
		dials    = flag.Int("dials", 64, "concurrent dials while connecting")
		timeout  = flag.Duration("timeout", 10*time.Minute, "bound of the whole run")
		renderer = flag.String("renderer", "api", "server's renderer: api (mastoapi, as herd serve) or store (streaming.StoreRenderer)")
		client   = flag.String("client", "raw", "subscribers' client: raw (a minimal reader of the TCP connection) or websocket (github.com/coder/websocket)")
	)
	flag.BoolVar(&verbose, "v", false, "print each post's slowest delivery")
	flag.Parse()
	raiseFDLimit()
	if serveChild() {
		return
	}
	if *stream != "user" && *stream != "public" {
		log.Fatal("-stream must be user or public")
	}
	if *client != "raw" && *client != "websocket" {
		log.Fatal("-client must be raw or websocket")
	}
	if *renderer != "api" && *renderer != "store" {
		log.Fatal("-renderer must be api or store")
	}
	os.Setenv(rendererEnv, *renderer)
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *n, *accounts, *stream, *posts, *interval, *dials, *client); err != nil {
		log.Fatal(err)
	}
}

// serveEnv, set in the child's environment, makes it the server; its value
// is the number of accounts to seed.
const serveEnv = "HERD_BENCH_STREAMING_SERVE"

// rendererEnv passes -renderer to the child.
const rendererEnv = "HERD_BENCH_STREAMING_RENDERER"

// serveChild runs the server when this process is the harness's child.
func serveChild() bool {
	v := os.Getenv(serveEnv)
	if v == "" {
		return false
	}
	accounts, _ := strconv.Atoi(v)
	raiseFDLimit()
	if err := runServer(accounts, os.Getenv(rendererEnv)); err != nil {
		log.Fatal(err)
	}
	return true
}

// raiseFDLimit lifts the soft limit of open files to the hard limit.
func raiseFDLimit() {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return
	}
	l.Cur = l.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
}

// ready is what the server prints once it listens.
type ready struct {
	Addr   string   `json:"addr"`
	Poster string   `json:"poster"`
	Tokens []string `json:"tokens"`
}

// stats is what the server's /bench/stats answers (after a GC).
type stats struct {
	Connections int    `json:"connections"`
	RSS         int64  `json:"rss"`
	HeapInuse   uint64 `json:"heap_inuse"`
	StackInuse  uint64 `json:"stack_inuse"`
	Goroutines  int    `json:"goroutines"`
	CPU         int64  `json:"cpu_ns"` // user + system CPU time of the process so far
}

// cpuTime returns the process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// written collects the server-side fan-out latencies (Options.OnWritten):
// from the Handler receiving an event to its frame written to a socket.
type written struct {
	mu sync.Mutex
	d  []int64 // microseconds
}

func (w *written) add(_ string, d time.Duration) {
	w.mu.Lock()
	w.d = append(w.d, d.Microseconds())
	w.mu.Unlock()
}

// take returns and forgets what was collected.
func (w *written) take() []int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	d := w.d
	w.d = nil
	return d
}

// runServer seeds a fresh SQLite store, serves the streaming API and
// POST /api/v1/statuses on loopback — composed as herd serve composes them
// (mastoapi renderer) or with streamtest's StoreRenderer — prints a ready
// line and serves until its standard input closes.
func runServer(accounts int, renderer string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "herd-bench-streaming")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "herd.db"), nil)
	if err != nil {
		return err
	}
	defer store.Close()
	hub := timeline.NewMemoryHub()
	defer hub.Close()
	var wr written
	sopts := &streaming.Options{OnWritten: wr.add, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	srv, err := streamtest.New(store, hub, &streamtest.Options{Streaming: sopts})
	if err != nil {
		return err
	}
	var app http.Handler = srv
	conns := srv.Handler.Connections
	if renderer != "store" {
		pub := streaming.NewPublisher(hub, store, nil)
		svc := social.New(store, srv.URLs, &social.Options{Events: pub})
		api := mastoapi.New(store, svc, srv.URLs, &mastoapi.Options{RateLimit: mastoapi.RateLimit{Disabled: true}})
		sh := streaming.New(hub, api.StreamAuthenticator(), api.StreamRenderer(), sopts)
		m := http.NewServeMux()
		m.Handle(streaming.DefaultPrefix, sh)
		m.Handle(streaming.DefaultPrefix+"/", sh)
		m.Handle("/api/", api)
		app, conns = m, sh.Connections
	}
	poster, err := srv.CreateAccount(ctx, "poster")
	if err != nil {
		return err
	}
	r := ready{}
	if r.Poster, err = srv.CreateToken(ctx, poster); err != nil {
		return err
	}
	for i := range accounts {
		a, err := srv.CreateAccount(ctx, fmt.Sprintf("viewer%d", i))
		if err != nil {
			return err
		}
		tok, err := srv.CreateToken(ctx, a, "read")
		if err != nil {
			return err
		}
		if _, err := srv.Service.Follow(ctx, a, poster.ID, social.FollowOptions{}); err != nil {
			return err
		}
		r.Tokens = append(r.Tokens, tok)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	r.Addr = ln.Addr().String()
	mux := http.NewServeMux()
	mux.Handle("/", app)
	mux.HandleFunc("GET /bench/written", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(wr.take())
	})
	mux.HandleFunc("GET /bench/stats", func(w http.ResponseWriter, _ *http.Request) {
		cpu := cpuTime() // before the GC below
		runtime.GC()
		debug.FreeOSMemory()
		if path := os.Getenv("HERD_BENCH_HEAPPROFILE"); path != "" {
			if f, err := os.Create(path); err == nil {
				_ = pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		_ = json.NewEncoder(w).Encode(stats{Connections: conns(), RSS: rss(os.Getpid()),
			HeapInuse: ms.HeapInuse, StackInuse: ms.StackInuse, Goroutines: runtime.NumGoroutine(), CPU: int64(cpu)})
	})
	// With HERD_BENCH_CPUPROFILE set, the posting phase is profiled.
	mux.HandleFunc("POST /bench/cpu", func(w http.ResponseWriter, r *http.Request) {
		path := os.Getenv("HERD_BENCH_CPUPROFILE")
		if path == "" {
			return
		}
		if r.URL.Query().Get("stop") != "" {
			pprof.StopCPUProfile()
			return
		}
		if f, err := os.Create(path); err == nil {
			_ = pprof.StartCPUProfile(f)
		}
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
	_, _ = io.Copy(io.Discard, os.Stdin) // the harness closes stdin to stop us
	hub.Close()                          // ends every stream
	return hs.Close()
}

// rss reads VmRSS of a process, in bytes.
func rss(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func run(ctx context.Context, n, accounts int, stream string, posts int, interval time.Duration, dials int, clientKind string) error {
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), serveEnv+"="+strconv.Itoa(accounts))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	seedStart := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		stdin.Close()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("server did not start: %w", err)
	}
	var r ready
	if err := json.Unmarshal(line, &r); err != nil {
		return fmt.Errorf("server ready line %q: %w", line, err)
	}
	fmt.Printf("server pid %d on %s, %d accounts seeded in %s\n", cmd.Process.Pid, r.Addr, accounts, time.Since(seedStart).Round(time.Millisecond))
	base := "http://" + r.Addr
	before, err := getStats(ctx, base)
	if err != nil {
		return err
	}

	// Connect.
	subs := make([]*subscriber, n)
	start := time.Now()
	sem := make(chan struct{}, dials)
	var wg sync.WaitGroup
	var dialErr atomic.Value
	for i := range subs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			u := "ws://" + r.Addr + streaming.DefaultPrefix + "?stream=" + stream + "&access_token=" + url.QueryEscape(r.Tokens[i%len(r.Tokens)])
			s, err := dial(ctx, u, clientKind == "raw")
			if err != nil {
				dialErr.Store(err)
				return
			}
			subs[i] = s
		}()
	}
	wg.Wait()
	if err, _ := dialErr.Load().(error); err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	fmt.Printf("%d subscribers connected in %s\n", n, time.Since(start).Round(time.Millisecond))
	defer func() {
		for _, s := range subs {
			s.close()
		}
	}()
	for _, s := range subs {
		go s.read(ctx)
	}
	time.Sleep(2 * time.Second) // let the server settle
	idle, err := getStats(ctx, base)
	if err != nil {
		return err
	}
	if idle.Connections != n {
		return fmt.Errorf("server counts %d connections, want %d", idle.Connections, n)
	}
	perConn := float64(idle.RSS-before.RSS) / float64(n)
	perHeap := float64(idle.HeapInuse-before.HeapInuse) / float64(n)
	perStack := float64(idle.StackInuse-before.StackInuse) / float64(n)
	fmt.Printf("server RSS %.1f MB idle before, %.1f MB with %d idle connections: %.1f KB per connection (heap %.1f KB, stacks %.1f KB; %d goroutines)\n",
		mb(before.RSS), mb(idle.RSS), n, perConn/1024, perHeap/1024, perStack/1024, idle.Goroutines)

	// Post and measure.
	client := &http.Client{Timeout: 30 * time.Second}
	profile := func(q string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/bench/cpu"+q, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	profile("")
	defer profile("?stop=1")
	if _, err := getWritten(ctx, base); err != nil { // forget frames written while connecting
		return err
	}
	var lat, server []time.Duration
	harnessCPU := cpuTime()
	missed := 0
	for p := range posts {
		id, returned, err := post(ctx, client, base, r.Poster, fmt.Sprintf("load test %d", p))
		if err != nil {
			return err
		}
		deadline := time.Now().Add(10 * time.Second)
		last := time.Duration(0)
		for _, s := range subs {
			t, ok := s.wait(id, deadline)
			if !ok {
				missed++
				continue
			}
			d := max(0, t.Sub(returned))
			last = max(last, d)
			lat = append(lat, d)
		}
		w, err := getWritten(ctx, base)
		if err != nil {
			return err
		}
		server = append(server, w...)
		if verbose {
			fmt.Printf("post %d: last delivery %s after the POST returned\n", p, last.Round(100*time.Microsecond))
		}
		time.Sleep(interval)
	}
	slices.Sort(lat)
	if len(lat) == 0 {
		return errors.New("no event received")
	}
	harnessCPU = cpuTime() - harnessCPU
	after, _ := getStats(ctx, base)
	fmt.Printf("%d posts × %d subscribers (%s stream, %d accounts): %d deliveries, %d missed\n", posts, n, stream, accounts, len(lat), missed)
	fmt.Printf("latency from POST return: p50 %s  p99 %s  max %s\n", pct(lat, 50), pct(lat, 99), lat[len(lat)-1].Round(100*time.Microsecond))
	if len(server) > 0 {
		slices.Sort(server)
		fmt.Printf("server fan-out (event received by the Handler to frame written, %d frames): p50 %s  p99 %s  max %s\n",
			len(server), pct(server, 50), pct(server, 99), server[len(server)-1].Round(100*time.Microsecond))
	}
	fmt.Printf("server CPU while posting: %s per post (user + system, %d posts)\n",
		(time.Duration(after.CPU-idle.CPU) / time.Duration(posts)).Round(100*time.Microsecond), posts)
	fmt.Printf("harness CPU while posting: %s per post (its %d readers share the server's cores)\n",
		(harnessCPU / time.Duration(posts)).Round(100*time.Microsecond), n)
	fmt.Printf("server connections at the end: %d\n", after.Connections)
	return nil
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

func pct(d []time.Duration, p int) time.Duration {
	i := (len(d)*p + 99) / 100
	if i > 0 {
		i--
	}
	return d[i].Round(100 * time.Microsecond)
}

// getWritten fetches (and resets) the server's fan-out latencies.
func getWritten(ctx context.Context, base string) ([]time.Duration, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/bench/written", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var us []int64
	if err := json.NewDecoder(resp.Body).Decode(&us); err != nil {
		return nil, fmt.Errorf("bench/written: %w", err)
	}
	out := make([]time.Duration, len(us))
	for i, u := range us {
		out[i] = time.Duration(u) * time.Microsecond
	}
	return out, nil
}

func getStats(ctx context.Context, base string) (stats, error) {
	var s stats
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/bench/stats", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

func post(ctx context.Context, c *http.Client, base, token, text string) (string, time.Time, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/statuses", strings.NewReader(url.Values{"status": {text}}.Encode()))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return "", time.Time{}, err
	}
	defer resp.Body.Close()
	var out struct {
		ID string `json:"id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	returned := time.Now()
	if err != nil || resp.StatusCode != http.StatusOK {
		return "", returned, fmt.Errorf("post: %d %v", resp.StatusCode, err)
	}
	return out.ID, returned, nil
}

// subscriber is one WebSocket connection recording when each status
// arrived. It reads through the WebSocket library (-client websocket) or,
// to leave the server's cores as much CPU as possible, straight from the
// TCP connection (-client raw, the default: a minimal RFC 6455 client
// that reads unmasked server frames and answers pings).
type subscriber struct {
	ws   *websocket.Conn // -client websocket
	raw  net.Conn        // -client raw
	br   *bufio.Reader
	mu   sync.Mutex
	got  map[string]time.Time
	cond chan struct{} // signalled on every arrival
}

func newSubscriber() *subscriber {
	return &subscriber{got: map[string]time.Time{}, cond: make(chan struct{}, 1)}
}

func dial(ctx context.Context, u string, raw bool) (*subscriber, error) {
	for attempt := 0; ; attempt++ {
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		s := newSubscriber()
		var err error
		if raw {
			err = s.dialRaw(dctx, u)
		} else {
			var c *websocket.Conn
			c, _, err = websocket.Dial(dctx, u, &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled})
			if err == nil {
				c.SetReadLimit(1 << 20)
				s.ws = c
			}
		}
		cancel()
		if err == nil {
			return s, nil
		}
		if attempt == 5 || ctx.Err() != nil {
			return nil, err
		}
		time.Sleep(100 * time.Millisecond << attempt)
	}
}

// dialRaw opens the connection and does the opening handshake by hand.
func (s *subscriber) dialRaw(ctx context.Context, u string) error {
	pu, err := url.Parse(u)
	if err != nil {
		return err
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", pu.Host)
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	req := "GET " + pu.RequestURI() + " HTTP/1.1\r\nHost: " + pu.Host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		c.Close()
		return err
	}
	br := bufio.NewReaderSize(c, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		c.Close()
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		c.Close()
		return fmt.Errorf("handshake: %s", resp.Status)
	}
	_ = c.SetDeadline(time.Time{})
	s.raw, s.br = c, br
	return nil
}

func (s *subscriber) close() {
	if s.ws != nil {
		s.ws.CloseNow()
	}
	if s.raw != nil {
		s.raw.Close()
	}
}

var idMarker = []byte(`\"id\":\"`)

// read records the arrival of every update frame until the connection ends.
func (s *subscriber) read(ctx context.Context) {
	if s.raw != nil {
		s.readRaw()
		return
	}
	for {
		_, b, err := s.ws.Read(ctx)
		if err != nil {
			return
		}
		s.record(b, time.Now())
	}
}

// readRaw reads server frames (unmasked, unfragmented as Herd sends
// them), answering pings with pongs.
func (s *subscriber) readRaw() {
	var hdr [8]byte
	buf := make([]byte, 0, 4096)
	for {
		if _, err := io.ReadFull(s.br, hdr[:2]); err != nil {
			return
		}
		op, n := hdr[0]&0x0f, int(hdr[1]&0x7f)
		switch n {
		case 126:
			if _, err := io.ReadFull(s.br, hdr[:2]); err != nil {
				return
			}
			n = int(binary.BigEndian.Uint16(hdr[:2]))
		case 127:
			if _, err := io.ReadFull(s.br, hdr[:8]); err != nil {
				return
			}
			n = int(binary.BigEndian.Uint64(hdr[:8]))
		}
		if n > 1<<20 {
			return
		}
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		b := buf[:n]
		if _, err := io.ReadFull(s.br, b); err != nil {
			return
		}
		switch op {
		case 0x1: // text
			s.record(b, time.Now())
		case 0x9: // ping: a pong with the same payload, masked with a zero key
			pong := append([]byte{0x8a, 0x80 | byte(n), 0, 0, 0, 0}, b...)
			if _, err := s.raw.Write(pong); err != nil {
				return
			}
		case 0x8: // close
			return
		}
	}
}

// record notes the arrival of an update frame.
func (s *subscriber) record(b []byte, now time.Time) {
	if !bytes.Contains(b[:min(len(b), 64)], []byte(`"update"`)) {
		return
	}
	i := bytes.Index(b, idMarker)
	if i < 0 {
		return
	}
	rest := b[i+len(idMarker):]
	j := bytes.IndexByte(rest, '\\')
	if j < 0 {
		return
	}
	s.mu.Lock()
	s.got[string(rest[:j])] = now
	s.mu.Unlock()
	select {
	case s.cond <- struct{}{}:
	default:
	}
}

// wait returns when status id arrived, or false at the deadline.
func (s *subscriber) wait(id string, deadline time.Time) (time.Time, bool) {
	for {
		s.mu.Lock()
		t, ok := s.got[id]
		if ok {
			delete(s.got, id)
		}
		s.mu.Unlock()
		if ok {
			return t, true
		}
		d := time.Until(deadline)
		if d <= 0 {
			return time.Time{}, false
		}
		select {
		case <-s.cond:
		case <-time.After(min(d, 50*time.Millisecond)):
		}
	}
}
