package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// config holds the command-line flags.
type config struct {
	Statuses    int
	Accounts    int
	Followed    int
	Tokens      int
	Duration    time.Duration
	Connections int
	Threads     int
	Rate        int // total requests per second to pace wrk at (0: as fast as it can)
	Timeout     time.Duration
	Repo        string
	Herd        string
	Load        string // wrk, go or auto
	Profile     string // directory for CPU profiles (in-process server)
	Keep        bool
	Only        string // comma-separated scenario names
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench/api: ")
	var c config
	flag.IntVar(&c.Statuses, "statuses", 100_000, "statuses to seed")
	flag.IntVar(&c.Accounts, "accounts", 1_000, "accounts the statuses are spread over (half local)")
	flag.IntVar(&c.Followed, "followed", 100, "accounts the viewer follows (its home feed holds their statuses)")
	flag.IntVar(&c.Tokens, "tokens", 6_000, "access tokens of the viewer (each may make 300 requests per 5 minutes)")
	flag.DurationVar(&c.Duration, "duration", 10*time.Second, "load time per endpoint (at most 60s)")
	flag.IntVar(&c.Connections, "connections", 32, "concurrent connections")
	flag.IntVar(&c.Threads, "threads", runtime.NumCPU(), "wrk threads")
	flag.IntVar(&c.Rate, "rate", 0, "pace wrk at about this many requests per second in all (0: closed loop, as fast as the server answers); latency is then measured at that rate")
	flag.DurationVar(&c.Timeout, "timeout", 6*time.Minute, "bound on the whole run")
	flag.StringVar(&c.Repo, "repo", ".", "repository root (where ./cmd/herd is)")
	flag.StringVar(&c.Herd, "herd", "", "herd binary to run (default: build ./cmd/herd into the temporary directory)")
	flag.StringVar(&c.Load, "load", "auto", "load generator: wrk, go, or auto (wrk when installed)")
	flag.StringVar(&c.Profile, "profile", "", "run the server in this process and write a CPU profile per endpoint to this directory")
	flag.BoolVar(&c.Keep, "keep", false, "keep the temporary directory (database, logs, scripts)")
	flag.StringVar(&c.Only, "only", "", "comma-separated scenarios to run (home, public_local, post_status, verify_credentials, instance)")
	flag.Parse()
	if err := c.check(); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, c.Timeout)
	defer cancelTimeout()
	if err := run(ctx, &c, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func (c *config) check() error {
	switch {
	case c.Statuses <= 0 || c.Statuses > 5_000_000:
		return errors.New("-statuses must be in 1..5,000,000")
	case c.Accounts <= 0 || c.Followed <= 0 || c.Followed > c.Accounts:
		return errors.New("-accounts and -followed must be positive, -followed at most -accounts")
	case c.Tokens <= 0 || c.Tokens > 100_000:
		return errors.New("-tokens must be in 1..100,000")
	case c.Duration <= 0 || c.Duration > time.Minute:
		return errors.New("-duration must be in (0, 1m]")
	case c.Connections <= 0 || c.Connections > 1024:
		return errors.New("-connections must be in 1..1024")
	case c.Threads <= 0 || c.Threads > c.Connections:
		return errors.New("-threads must be in 1..connections")
	case c.Rate < 0:
		return errors.New("-rate must be 0 or more")
	case c.Rate > 0 && c.Load == "go":
		return errors.New("-rate paces wrk: it needs -load wrk or auto")
	case c.Load != "auto" && c.Load != "wrk" && c.Load != "go":
		return errors.New("-load must be wrk, go or auto")
	}
	return nil
}

func run(ctx context.Context, c *config, out io.Writer) error {
	tmp, err := os.MkdirTemp("", "herd-bench-api-")
	if err != nil {
		return err
	}
	if c.Keep {
		fmt.Fprintf(out, "temporary directory (kept): %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	dataDir := filepath.Join(tmp, "data")
	if err := os.Mkdir(dataDir, 0o700); err != nil {
		return err
	}
	dbPath := filepath.Join(dataDir, "herd.db")

	gen := c.Load
	if gen == "auto" {
		gen = "go"
		if _, err := exec.LookPath("wrk"); err == nil {
			gen = "wrk"
		}
	} else if gen == "wrk" {
		if _, err := exec.LookPath("wrk"); err != nil {
			return errors.New("wrk is not installed (apt-get install -y wrk), or use -load go")
		}
	}

	port, err := freePort()
	if err != nil {
		return err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)

	start := time.Now()
	fx, err := seed(ctx, dbPath, c)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(out, "seeded %d statuses by %d accounts, viewer follows %d (home feed %d entries), %d tokens in %s\n",
		c.Statuses, c.Accounts, c.Followed, fx.FeedSize, len(fx.Tokens), time.Since(start).Round(time.Millisecond))

	rep := &report{Config: *c, Generator: gen, Base: base}
	var srv server
	if c.Profile != "" {
		if err := os.MkdirAll(c.Profile, 0o755); err != nil {
			return err
		}
		srv, err = startInProcess(ctx, dbPath, base, port, rep)
	} else {
		srv, err = startProcess(ctx, c, tmp, dataDir, dbPath, base, rep, out)
	}
	if err != nil {
		return err
	}
	defer srv.Stop()

	scenarios, err := checkScenarios(ctx, base, fx, c)
	if err != nil {
		return err
	}
	rep.Skipped = scenarios.skipped
	// Each scenario gets its own tokens (the check used the first one), so
	// that no token exceeds its rate limit across scenarios.
	share := (len(fx.Tokens) - 1) / max(1, len(scenarios.run))
	if capacity := share * perToken; share < c.Threads || float64(capacity) < 40_000*c.Duration.Seconds() {
		fmt.Fprintf(out, "warning: %d tokens per scenario allow %d requests before the rate limit; raise -tokens\n", share, capacity)
	}
	for k, sc := range scenarios.run {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var stopProfile func() error
		if c.Profile != "" {
			if stopProfile, err = startCPUProfile(filepath.Join(c.Profile, sc.Name+".pprof")); err != nil {
				return err
			}
		}
		res, err := drive(ctx, gen, sc, base, fx.Tokens[1+k*share:1+(k+1)*share], c, tmp)
		if stopProfile != nil {
			if perr := stopProfile(); perr != nil && err == nil {
				err = perr
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", sc.Name, err)
		}
		fmt.Fprintf(out, "%-20s %9.0f req/s  p50 %-9s p99 %-9s non-2xx %d of %d\n",
			sc.Name, res.RPS, fmtDur(res.P50), fmtDur(res.P99), res.Non2xx, res.Requests)
		if res.Non2xx > 0 {
			fmt.Fprintf(out, "warning: %s: %d answers were not 2xx (429 when rate-limited: routes without a token are limited per IP address, 300 per 5 minutes)\n", sc.Name, res.Non2xx)
		}
		rep.Results = append(rep.Results, res)
	}
	if rss, err := srv.RSS(); err == nil {
		rep.RSSAfterKB = rss
	}
	rep.print(out)
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitHealthy polls GET /health until it answers 200 and returns how long
// that took since since.
func waitHealthy(ctx context.Context, base string, since time.Time, limit time.Duration) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/health", nil)
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(since), nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("server not healthy after %s: %w", limit, ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
}
