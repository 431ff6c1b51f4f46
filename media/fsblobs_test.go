package media_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/media/blobstest"
)

func newFS(t *testing.T) media.Blobs {
	b, err := media.NewFS(t.TempDir(), nil)
	require.NoError(t, err)
	return b
}

func TestFSConformance(t *testing.T) { blobstest.Run(t, newFS) }
