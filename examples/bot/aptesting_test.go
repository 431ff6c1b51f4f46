package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation/interop"
)

// aptestingCLI returns the node binary and the activitypub-testing CLI
// installed by scripts/node-deps.sh, skipping the test when they are
// missing (failing it when HERD_TEST_REQUIRE_NODE=1, as in CI).
func aptestingCLI(t *testing.T) (node, cli string) {
	t.Helper()
	unavailable := func(why string) {
		if os.Getenv(interop.EnvRequireNode) == "1" {
			t.Fatalf("activitypub-testing unavailable: %s (run scripts/node-deps.sh)", why)
		}
		t.Skipf("activitypub-testing unavailable: %s (run scripts/node-deps.sh)", why)
	}
	node = os.Getenv(interop.EnvNode)
	if node == "" {
		var err error
		if node, err = exec.LookPath("node"); err != nil {
			unavailable("node not found")
		}
	}
	cli, err := filepath.Abs("../../federation/interop/testdata/aptesting/node_modules/activitypub-testing/src/cli.js")
	require.NoError(t, err)
	if _, err := os.Stat(cli); err != nil {
		unavailable(err.Error())
	}
	return node, cli
}

// aptestingResult is one line of `activitypub-testing test actor` output:
// an Assertion of one test rule with its outcome.
type aptestingResult struct {
	Result struct {
		Outcome string `json:"outcome"`
		Info    string `json:"info"`
	} `json:"result"`
	Test struct {
		Slug string `json:"slug"`
	} `json:"test"`
}

// TestActivityPubTestingActor runs the activitypub-testing CLI (`test actor`)
// against the bot's actor and the instance actor: no rule may fail.
func TestActivityPubTestingActor(t *testing.T) {
	node, cli := aptestingCLI(t)
	b := startBot(t, nil)
	for _, actor := range []string{b.Account().URI, b.URLs().InstanceActor()} {
		t.Run(actor, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, cli, "test", "actor", actor)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Run(), "stderr: %s", stderr.String())

			// The output is one JSON Assertion per line.
			outcomes := map[string]int{}
			sc := bufio.NewScanner(&stdout)
			sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
			for sc.Scan() {
				line := bytes.TrimSpace(sc.Bytes())
				if len(line) == 0 {
					continue
				}
				var r aptestingResult
				require.NoError(t, json.Unmarshal(line, &r), "%s", line)
				require.NotEmpty(t, r.Test.Slug, "%s", line)
				outcomes[r.Result.Outcome]++
				t.Logf("%-12s %s %s", r.Result.Outcome, r.Test.Slug, r.Result.Info)
				assert.Contains(t, []string{"passed", "inapplicable"}, r.Result.Outcome,
					"rule %s: %s", r.Test.Slug, r.Result.Info)
			}
			require.NoError(t, sc.Err())
			assert.GreaterOrEqual(t, outcomes["passed"], 2, "%v", outcomes)
			assert.Zero(t, outcomes["failed"])
		})
	}
}
