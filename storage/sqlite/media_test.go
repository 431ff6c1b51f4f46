package sqlite_test

import (
	"testing"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/storagetest"
)

func TestMedia(t *testing.T) {
	storagetest.RunMedia(t, func(t *testing.T) storage.Store { return openTemp(t) })
}
