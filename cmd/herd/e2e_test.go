package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage/sqlite"
)

// The end-to-end tests run real `herd serve` processes (the binary built
// from this package) on loopback ports, in local federation mode, and drive
// them through the Mastodon API as a client app would.

var (
	buildOnce sync.Once
	herdBin   string
	buildErr  error
)

func herdBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "herd-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		herdBin = filepath.Join(dir, "herd")
		out, err := exec.Command("go", "build", "-o", herdBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return herdBin
}

// node is one running herd process.
type node struct {
	t    *testing.T
	base string // public URL, also where it listens
	host string // host:port
	data string
}

func startNode(t *testing.T) *node {
	t.Helper()
	bin := herdBinary(t)
	addr := freePort(t)
	n := &node{t: t, base: "http://" + addr, host: addr, data: t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--listen", addr, "--public-url", n.base, "--data", n.data,
		"--allow-private-addresses", "127.0.0.0/8", "--registrations", "open", "--log-level", "debug", "--rate-limit", "off")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
		}
		if t.Failed() || os.Getenv("HERD_E2E_LOGS") != "" {
			t.Logf("logs of %s:\n%s", n.base, tail(withoutPolling(logs.String()), 20000))
			n.dumpQueue()
		}
	})
	require.Eventually(t, func() bool {
		resp, err := http.Get(n.base + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}, 30*time.Second, 50*time.Millisecond, "herd at %s did not start", n.base)
	return n
}

// withoutPolling drops the request lines of timeline polling from logs.
func withoutPolling(s string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if !strings.Contains(line, "path=/api/v1/timelines/home") && !strings.Contains(line, "path=/api/v1/accounts/relationships") {
			b.WriteString(line)
		}
	}
	return b.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// user signs up a user through the API and returns its bearer token.
func (n *node) user(username string) string {
	t := n.t
	app := n.call("", "POST", "/api/v1/apps", url.Values{"client_name": {"e2e"}, "redirect_uris": {"urn:ietf:wg:oauth:2.0:oob"}, "scopes": {"read write follow"}}, 200)
	tok := n.call("", "POST", "/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {app["client_id"].(string)},
		"client_secret": {app["client_secret"].(string)}, "scope": {"read write follow"}}, 200)
	password := "correct horse battery staple"
	n.call(tok["access_token"].(string), "POST", "/api/v1/accounts", url.Values{"username": {username}, "email": {username + "@example.com"},
		"password": {password}, "agreement": {"true"}, "locale": {"en"}}, 200)
	user := n.call("", "POST", "/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {app["client_id"].(string)},
		"client_secret": {app["client_secret"].(string)}, "username": {username + "@example.com"}, "password": {password}, "scope": {"read write follow"}}, 200)
	token, _ := user["access_token"].(string)
	require.NotEmpty(t, token)
	return token
}

// call sends a form request and decodes a JSON object answer, checking the status.
func (n *node) call(token, method, path string, form url.Values, want int) map[string]any {
	n.t.Helper()
	var out map[string]any
	n.do(token, method, path, form, want, &out)
	return out
}

func (n *node) list(token, path string) []map[string]any {
	n.t.Helper()
	var out []map[string]any
	n.do(token, "GET", path, nil, 200, &out)
	return out
}

func (n *node) do(token, method, path string, form url.Values, want int, out any) {
	t := n.t
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, n.base+path, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, want, resp.StatusCode, "%s %s: %s", method, path, b)
	if out != nil {
		require.NoError(t, json.Unmarshal(b, out), "%s %s: %s", method, path, b)
	}
}

// resolve finds a remote account through search with resolve=true.
func (n *node) resolve(token, handle string) string {
	n.t.Helper()
	res := n.call(token, "GET", "/api/v2/search?type=accounts&resolve=true&q="+url.QueryEscape(handle), nil, 200)
	accts, _ := res["accounts"].([]any)
	require.Len(n.t, accts, 1, "search %s: %v", handle, res)
	return accts[0].(map[string]any)["id"].(string)
}

// TestTwoServersFollowEachOther runs two herd processes on two ports that
// find each other through WebFinger, follow each other and see each
// other's posts in their home timelines.
func TestTwoServersFollowEachOther(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test builds and runs herd")
	}
	a, b := startNode(t), startNode(t)
	alice, bob := a.user("alice"), b.user("bob")

	bobAtA := a.resolve(alice, "bob@"+b.host)
	rel := a.call(alice, "POST", "/api/v1/accounts/"+bobAtA+"/follow", url.Values{}, 200)
	require.Contains(t, []any{true}, rel["following"].(bool) || rel["requested"].(bool))

	aliceAtB := b.resolve(bob, "alice@"+a.host)
	b.call(bob, "POST", "/api/v1/accounts/"+aliceAtB+"/follow", url.Values{}, 200)

	// Both follows are accepted over federation.
	require.Eventually(t, func() bool {
		var rels []map[string]any
		a.do(alice, "GET", "/api/v1/accounts/relationships?id[]="+bobAtA, nil, 200, &rels)
		return len(rels) == 1 && rels[0]["following"] == true && rels[0]["followed_by"] == true
	}, 30*time.Second, 200*time.Millisecond, "alice and bob do not follow each other")

	// Alice streams her home timeline (SSE) while bob posts.
	events := a.stream(alice, "/api/v1/streaming/user")

	// A post by bob reaches alice's home timeline, and the other way round.
	post := b.call(bob, "POST", "/api/v1/statuses", url.Values{"status": {"Hello from B #herd"}, "visibility": {"public"}}, 200)
	require.NotEmpty(t, post["id"])
	require.Eventually(t, func() bool {
		for _, st := range a.list(alice, "/api/v1/timelines/home") {
			if strings.Contains(fmt.Sprint(st["content"]), "Hello from B") {
				return true
			}
		}
		return false
	}, 30*time.Second, 200*time.Millisecond, "bob's post did not reach alice")
	select {
	case ev := <-events:
		require.Equal(t, "update", ev.event)
		var st map[string]any
		require.NoError(t, json.Unmarshal([]byte(ev.data), &st))
		require.Contains(t, st["content"], "Hello from B")
	case <-time.After(30 * time.Second):
		t.Fatal("no update event on alice's user stream")
	}
	a.call(alice, "POST", "/api/v1/statuses", url.Values{"status": {"Hello back from A"}, "visibility": {"private"}}, 200)
	require.Eventually(t, func() bool {
		for _, st := range b.list(bob, "/api/v1/timelines/home") {
			if strings.Contains(fmt.Sprint(st["content"]), "Hello back from A") && st["visibility"] == "private" {
				return true
			}
		}
		return false
	}, 30*time.Second, 200*time.Millisecond, "alice's followers-only post did not reach bob")
}

type sseEvent struct{ event, data string }

// stream opens an SSE stream and returns its events; it closes at cleanup.
func (n *node) stream(token, path string) <-chan sseEvent {
	t := n.t
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", n.base+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	out := make(chan sseEvent, 16)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				ev.event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				ev.data = strings.TrimSpace(strings.TrimPrefix(line, "data:"))
			case line == "" && ev.event != "":
				select {
				case out <- ev:
				default:
				}
				ev = sseEvent{}
			}
		}
	}()
	return out
}

// dumpQueue logs the delivery queue of a node (for failed tests).
func (n *node) dumpQueue() {
	st, err := sqlite.Open(context.Background(), filepath.Join(n.data, "herd.db"), &sqlite.Options{SkipMigrations: true})
	if err != nil {
		n.t.Logf("open %s: %v", n.data, err)
		return
	}
	defer st.Close()
	var rows []struct {
		Inbox    string `db:"inbox"`
		Attempts int    `db:"attempts"`
		Next     string `db:"next_attempt_at"`
		LastErr  string `db:"last_error"`
	}
	err = st.DB().Select(&rows, "SELECT inbox, attempts, CAST(next_attempt_at AS TEXT) AS next_attempt_at, last_error FROM deliveries")
	n.t.Logf("queue of %s (%v): %+v", n.base, err, rows)
	var follows []struct {
		A string `db:"a"`
		B string `db:"b"`
	}
	err = st.DB().Select(&follows, "SELECT a1.uri AS a, a2.uri AS b FROM follows f JOIN accounts a1 ON a1.id = f.account_id JOIN accounts a2 ON a2.id = f.target_account_id")
	n.t.Logf("follows of %s (%v): %+v", n.base, err, follows)
}
