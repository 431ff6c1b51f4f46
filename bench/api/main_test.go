package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunInProcess runs the whole harness on a tiny data set with the
// in-process server and the Go load generator: seeding, the endpoint
// checks, the load, the profiles and the report.
func TestRunInProcess(t *testing.T) {
	prof := t.TempDir()
	c := &config{
		Statuses: 300, Accounts: 30, Followed: 5, Tokens: 160, Duration: 200 * time.Millisecond,
		Connections: 4, Threads: 1, Timeout: time.Minute, Repo: filepath.Join("..", ".."), Load: "go", Profile: prof,
	}
	require.NoError(t, c.check())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, c, &out), out.String())
	report := out.String()
	for _, want := range []string{"/api/v1/timelines/home?limit=20", "/api/v1/timelines/public?local=true", "/api/v1/statuses", "| Measure | Result | Goal | Met |"} {
		assert.Contains(t, report, want)
	}
	for _, line := range strings.Split(report, "\n") {
		if strings.HasPrefix(line, "| `") {
			assert.NotContains(t, line, "non-2xx", "every request succeeds: %s", line)
		}
	}
	for _, name := range []string{"home", "public_local", "post_status"} {
		st, err := os.Stat(filepath.Join(prof, name+".pprof"))
		require.NoError(t, err)
		assert.Positive(t, st.Size())
	}
}

func TestConfigCheck(t *testing.T) {
	good := config{Statuses: 10, Accounts: 2, Followed: 1, Tokens: 1, Duration: time.Second, Connections: 2, Threads: 1, Load: "auto"}
	require.NoError(t, good.check())
	for name, mod := range map[string]func(*config){
		"statuses":    func(c *config) { c.Statuses = 0 },
		"followed":    func(c *config) { c.Followed = 3 },
		"duration":    func(c *config) { c.Duration = 2 * time.Minute },
		"threads":     func(c *config) { c.Threads = 3 },
		"load":        func(c *config) { c.Load = "ab" },
		"connections": func(c *config) { c.Connections = 0 },
	} {
		c := good
		mod(&c)
		assert.Error(t, c.check(), name)
	}
}
