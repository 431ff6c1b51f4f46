package interop_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation/interop"
)

func TestLaunchWithoutNode(t *testing.T) {
	_, err := interop.Launch(context.Background(), &interop.Options{Node: filepath.Join(t.TempDir(), "no-node")})
	require.Error(t, err)
	assert.ErrorIs(t, err, interop.ErrNodeUnavailable)
}

func TestLaunchWithoutNodeModules(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "peer.mjs"), []byte("process.exit(1)\n"), 0o644))
	_, err := interop.Launch(context.Background(), &interop.Options{Dir: dir})
	require.Error(t, err)
	assert.ErrorIs(t, err, interop.ErrNodeUnavailable, "missing node or node_modules both mean unavailable")
}

func TestLaunchMissingPeerDir(t *testing.T) {
	_, err := interop.Launch(context.Background(), &interop.Options{Dir: t.TempDir()})
	require.Error(t, err)
	assert.NotErrorIs(t, err, interop.ErrNodeUnavailable, "a missing peer.mjs is a broken checkout, not a missing tool")
}
