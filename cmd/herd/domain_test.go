package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDomainCommands(t *testing.T) {
	dir := t.TempDir()
	e := env(map[string]string{"HERD_DATA": dir})
	do := func(args ...string) (int, string, string) {
		var out, errs bytes.Buffer
		code := run(context.Background(), append([]string{"domain"}, args...), e, &out, &errs)
		return code, out.String(), errs.String()
	}
	code, out, errs := do("block", "Evil.Example", "--severity", "silence", "--reject-media", "--comment", "spam wave")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "blocked evil.example (silence)")
	code, out, errs = do("block", "--severity", "suspend", "evil.example")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "blocked evil.example (suspend)", "blocking again updates")
	code, _, errs = do("allow", "friends.example")
	require.Equal(t, 0, code, errs)
	code, out, errs = do("list")
	require.Equal(t, 0, code, errs)
	assert.Regexp(t, `evil\.example\s+suspend\s+true\s+false\s+false\s+spam wave`, out, "reject-media kept from the first block")
	assert.Regexp(t, `friends\.example\s+allow`, out)

	code, _, errs = do("block", "evil.example", "--severity", "nuke")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "severity")
	code, _, errs = do("block", "localhost:8080")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "this server")
	code, _, errs = do("block")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "DOMAIN is required")
	code, _, _ = do("frobnicate")
	assert.Equal(t, 2, code)

	code, out, errs = do("unblock", "evil.example")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "unblocked evil.example")
	code, _, errs = do("unblock", "evil.example")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "not blocked")
	code, out, errs = do("disallow", "friends.example")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "disallowed friends.example")
	code, out, _ = do("list")
	require.Equal(t, 0, code)
	assert.NotContains(t, out, "example")
}
