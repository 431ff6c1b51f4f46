package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

func TestServeZeroConfig(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	addr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errs syncBuffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"serve", "--listen", addr}, env(nil), &out, &errs) }()

	var resp *http.Response
	require.Eventually(t, func() bool {
		var err error
		resp, err = http.Get("http://" + addr + "/health")
		return err == nil
	}, 20*time.Second, 50*time.Millisecond, "server did not start: %s", errs.String())
	body := new(bytes.Buffer)
	_, _ = body.ReadFrom(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "OK", body.String())

	assert.Contains(t, out.String(), "Log in at: http://localhost:8080")
	assert.Contains(t, out.String(), "Password:")
	assert.FileExists(t, filepath.Join(dir, "herd-data", "herd.db"))

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, errs.String())
	case <-time.After(20 * time.Second):
		t.Fatal("server did not shut down")
	}

	// A second start does not create another administrator.
	var out2 bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"account", "list"}, env(nil), &out2, &errs))
	assert.Equal(t, 2, strings.Count(out2.String(), "\n"), out2.String()) // header + admin
}

func TestAccountCommands(t *testing.T) {
	data := t.TempDir()
	e := env(map[string]string{"HERD_DATA": data})
	var out, errs bytes.Buffer
	code := run(context.Background(), []string{"account", "create", "--username", "alice", "--email", "alice@example.com", "--password", "correct horse battery", "--admin"}, e, &out, &errs)
	require.Equal(t, 0, code, errs.String())
	assert.Contains(t, out.String(), "created alice")

	out.Reset()
	code = run(context.Background(), []string{"account", "create", "--username", "alice", "--email", "other@example.com", "--password", "correct horse battery"}, e, &out, &errs)
	assert.Equal(t, 1, code)
	assert.Contains(t, errs.String(), "already taken")

	out.Reset()
	require.Equal(t, 0, run(context.Background(), []string{"account", "set-role", "--username", "ALICE", "--role", "moderator"}, e, &out, &errs))
	assert.Contains(t, out.String(), "alice is now moderator")

	out.Reset()
	require.Equal(t, 0, run(context.Background(), []string{"account", "list"}, e, &out, &errs))
	assert.Contains(t, out.String(), "moderator")
	assert.Contains(t, out.String(), "alice@example.com")

	errs.Reset()
	assert.Equal(t, 1, run(context.Background(), []string{"account", "set-role", "--username", "nobody", "--role", "admin"}, e, &out, &errs))
	assert.Contains(t, errs.String(), `no local account "nobody"`)
}

func TestMigrateIdempotent(t *testing.T) {
	e := env(map[string]string{"HERD_DATA": t.TempDir()})
	var out, errs bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"migrate"}, e, &out, &errs), errs.String())
	assert.Contains(t, out.String(), "applied 0001_init")
	out.Reset()
	require.Equal(t, 0, run(context.Background(), []string{"migrate"}, e, &out, &errs), errs.String())
	assert.Contains(t, out.String(), "up to date")
}

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "herd.conf")
	require.NoError(t, os.WriteFile(file, []byte("# comment\nlisten = 127.0.0.1:9000\npublic-url = https://file.example\ndata = /from/file\n"), 0o600))
	var c config
	fs := newFlagSet("serve", &bytes.Buffer{})
	registerFlags(fs, &c, true)
	require.NoError(t, fs.Parse([]string{"--config", file, "--listen", "127.0.0.1:7000"}))
	require.NoError(t, resolveConfig(fs, &c, env(map[string]string{"HERD_PUBLIC_URL": "https://env.example"}), true))
	assert.Equal(t, "127.0.0.1:7000", c.Listen)              // flag wins
	assert.Equal(t, "https://env.example", c.PublicURL)      // env beats file
	assert.Equal(t, "/from/file", c.Data)                    // file beats default
	assert.Equal(t, "sqlite:/from/file/herd.db", c.Database) // derived
	assert.Equal(t, "info", c.LogLevel)                      // default
}

func TestBadInputClearErrors(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(notDir, []byte("x"), 0o600))
	badConf := filepath.Join(dir, "bad.conf")
	require.NoError(t, os.WriteFile(badConf, []byte("nonsense line\n"), 0o600))
	unknownConf := filepath.Join(dir, "unknown.conf")
	require.NoError(t, os.WriteFile(unknownConf, []byte("colour = blue\n"), 0o600))
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--public-url", "ftp://x"}, "public url"},
		{[]string{"serve", "--listen", "nonsense"}, "--listen"},
		{[]string{"serve", "--database", "mysql://x"}, "want sqlite:PATH or postgres://"},
		{[]string{"serve", "--log-level", "loud"}, "--log-level"},
		{[]string{"serve", "--allow-private-addresses", "not-a-cidr"}, "not a CIDR"},
		{[]string{"serve", "--rate-limit", "lots"}, "--rate-limit"},
		{[]string{"serve", "--registrations", "maybe"}, "--registrations"},
		{[]string{"migrate", "--data", filepath.Join(notDir, "sub")}, "data directory"},
		{[]string{"migrate", "--database", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2"}, "is PostgreSQL running"},
		{[]string{"migrate", "--config", badConf}, "want key = value"},
		{[]string{"migrate", "--config", unknownConf}, `unknown key "colour"`},
		{[]string{"migrate", "--config", filepath.Join(dir, "missing.conf")}, "config file"},
		{[]string{"account", "create", "--username", "x"}, "--username and --email are required"},
		{[]string{"account", "create", "--username", "bad name", "--email", "a@b.c", "--data", dir}, "username"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errs bytes.Buffer
			code := run(context.Background(), tc.args, env(map[string]string{"HERD_DATA": t.TempDir()}), &out, &errs)
			assert.Equal(t, 1, code)
			assert.Contains(t, errs.String(), tc.want)
			assert.NotContains(t, errs.String(), "goroutine", "no stack traces")
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(errs.String()), "\n")+1, "one line: %s", errs.String())
		})
	}
	var out, errs bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), []string{"frobnicate"}, env(nil), &out, &errs))
	assert.Equal(t, 2, run(context.Background(), nil, env(nil), &out, &errs))
	out.Reset()
	assert.Equal(t, 0, run(context.Background(), []string{"version"}, env(nil), &out, &errs))
	assert.Equal(t, fmt.Sprintf("herd %s (Mastodon API %s)\n", Version, MastodonVersion), out.String())
}

func FuzzParseConfig(f *testing.F) {
	f.Add("listen = 127.0.0.1:8080\n# c\npublic-url = \"https://x.example\"\n")
	f.Add("=\n")
	f.Add("no equals here")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseConfig(strings.NewReader(s), "fuzz")
		if err != nil {
			return
		}
		for k := range m {
			if k == "" {
				t.Fatal("empty key accepted")
			}
		}
	})
}

func TestMediaPrune(t *testing.T) {
	e := env(map[string]string{"HERD_DATA": t.TempDir()})
	var out, errs bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"media", "prune", "--older-than", "30d"}, e, &out, &errs), errs.String())
	assert.Contains(t, out.String(), "removed the cached files of 0 remote attachments")
	errs.Reset()
	assert.Equal(t, 1, run(context.Background(), []string{"media", "prune", "--older-than", "soon"}, e, &out, &errs))
	assert.Contains(t, errs.String(), "want a number of days")
	assert.Equal(t, 2, run(context.Background(), []string{"media"}, e, &out, &errs))
}

func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	p := &progressBar{w: &b}
	p.update(0, 4)
	p.update(2, 4)
	p.update(2, 4)
	p.update(4, 4)
	p.finish()
	assert.Equal(t, "\r[------------------------------] 0/4\r[###############---------------] 2/4\r[##############################] 4/4\n", b.String())
}
