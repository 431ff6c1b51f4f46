package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage/sqlite"
)

// server is the Herd server under load.
type server interface {
	// RSS returns the server's resident set size in KiB.
	RSS() (int64, error)
	Stop()
}

// startupRuns is how many times the server is restarted to time start-up.
const startupRuns = 3

// process is `herd serve` in a child process.
type process struct {
	cmd  *exec.Cmd
	done chan error
}

// startProcess builds cmd/herd (unless -herd names a binary) and starts
// `herd serve` on the seeded database: once to let it create what a first
// start creates, then startupRuns times to time the start-up; the last run
// stays up for the load.
func startProcess(ctx context.Context, c *config, tmp, dataDir, dbPath, base string, rep *report, out io.Writer) (server, error) {
	bin := c.Herd
	if bin == "" {
		bin = filepath.Join(tmp, "herd")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/herd")
		build.Dir = c.Repo
		build.Stdout, build.Stderr = out, os.Stderr
		t := time.Now()
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("go build ./cmd/herd: %w", err)
		}
		fmt.Fprintf(out, "built herd in %s\n", time.Since(t).Round(time.Millisecond))
	}
	logPath := filepath.Join(tmp, "herd.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	start := func() (*process, time.Duration, error) {
		cmd := exec.Command(bin, "serve", "--data", dataDir, "--database", "sqlite:"+dbPath,
			"--listen", strings.TrimPrefix(base, "http://"), "--public-url", base, "--log-level", "warn")
		cmd.Stdout, cmd.Stderr = logf, logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		t := time.Now()
		if err := cmd.Start(); err != nil {
			return nil, 0, fmt.Errorf("start herd: %w", err)
		}
		p := &process{cmd: cmd, done: make(chan error, 1)}
		go func() { p.done <- cmd.Wait() }()
		d, err := waitHealthy(ctx, base, t, 60*time.Second)
		if err != nil {
			p.Stop()
			return nil, 0, fmt.Errorf("%w (log: %s)", err, tail(logPath))
		}
		return p, d, nil
	}
	p, first, err := start()
	if err != nil {
		return nil, err
	}
	rep.FirstStart = first
	var times []time.Duration
	for i := 0; i < startupRuns; i++ {
		p.Stop()
		if p, rep.Startup, err = start(); err != nil {
			return nil, err
		}
		times = append(times, rep.Startup)
	}
	slices.Sort(times)
	rep.Startups = times
	rep.Startup = times[len(times)/2]
	// Idle: a second after start-up, before any API request.
	time.Sleep(time.Second)
	if rep.IdleRSSKB, err = p.RSS(); err != nil {
		p.Stop()
		return nil, err
	}
	fmt.Fprintf(out, "herd serve: first start %s, start-up %v (median %s), idle RSS %.1f MiB\n",
		fmtDur(rep.FirstStart), fmtDurs(times), fmtDur(rep.Startup), float64(rep.IdleRSSKB)/1024)
	return p, nil
}

func (p *process) RSS() (int64, error) { return procRSS(p.cmd.Process.Pid) }

// Stop sends SIGTERM, then SIGKILL after 15 s, to the server's process group.
func (p *process) Stop() {
	if p.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// procRSS reads VmRSS of a process, in KiB.
func procRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

func fmtDurs(ds []time.Duration) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = fmtDur(d)
	}
	return strings.Join(s, ", ")
}

// inProcess is the API served from this process, composed as cmd/herd
// composes it (without federation), for CPU profiles.
type inProcess struct {
	srv   *http.Server
	close func() error
}

func startInProcess(ctx context.Context, dbPath, base string, port int, rep *report) (server, error) {
	t := time.Now()
	st, err := sqlite.Open(ctx, dbPath, nil)
	if err != nil {
		return nil, err
	}
	urls, err := social.NewURLs(base)
	if err != nil {
		st.Close()
		return nil, err
	}
	api := mastoapi.New(st, social.New(st, urls, nil), urls, nil)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		if err := st.Ping(r.Context()); err != nil {
			http.Error(w, "UNAVAILABLE", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "OK")
	})
	for _, p := range []string{"/api/", "/oauth/", "/static/"} {
		mux.Handle(p, api)
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		st.Close()
		return nil, err
	}
	s := &inProcess{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, close: st.Close}
	go s.srv.Serve(ln) //nolint:errcheck // ends with Shutdown
	if rep.Startup, err = waitHealthy(ctx, base, t, 30*time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	rep.InProcess = true
	return s, nil
}

func (s *inProcess) RSS() (int64, error) { return procRSS(os.Getpid()) }

func (s *inProcess) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	_ = s.close()
}

// startCPUProfile profiles this process into path until the returned
// function is called.
func startCPUProfile(path string) (func() error, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
