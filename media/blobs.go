package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Blobs stores media files under keys. Keys are relative, slash-separated
// paths of the characters [a-z0-9/._-] (see ValidKey). Implementations are
// safe for concurrent use; NewFS and NewS3 are the two in this module, and
// blobstest.Run is the conformance suite any other must pass.
type Blobs interface {
	// Put stores the contents of r under key, replacing any blob stored
	// there. size is the length of r, or -1 when unknown. Put is atomic:
	// readers see the old blob or the whole new one, and when Put fails
	// (including when r fails) nothing is left under key but what was
	// there before.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open opens the blob under key for reading. A missing blob gives an
	// error wrapping ErrNotFound. The caller closes the Blob.
	Open(ctx context.Context, key string) (Blob, error)
	// Stat describes the blob under key, or gives an error wrapping
	// ErrNotFound.
	Stat(ctx context.Context, key string) (BlobInfo, error)
	// Delete removes the blob under key. Deleting a missing blob is not an
	// error.
	Delete(ctx context.Context, key string) error
	// List lists up to limit blobs whose keys start with prefix and sort
	// after the key after (""; the start), in key order. A page shorter
	// than limit is the last. Listed BlobInfos may leave ContentType
	// empty (S3 listings do not carry it).
	List(ctx context.Context, prefix, after string, limit int) ([]BlobInfo, error)
}

// Blob is an open blob: readable, seekable (so that http.ServeContent can
// serve byte ranges) and described by its BlobInfo.
type Blob interface {
	io.ReadSeekCloser
	Info() BlobInfo
}

// BlobInfo describes a stored blob.
type BlobInfo struct {
	Key         string
	Size        int64
	ContentType string
	ModTime     time.Time
}

var (
	// ErrNotFound is returned (wrapped) for a key with no blob.
	ErrNotFound = errors.New("media: blob not found")
	// ErrInvalidKey is returned (wrapped) for a key that ValidKey refuses.
	ErrInvalidKey = errors.New("media: invalid blob key")
)

// MaxKeyLen bounds the length of blob keys.
const MaxKeyLen = 512

// ValidKey checks a blob key: 1 to MaxKeyLen characters of [a-z0-9/._-],
// not starting or ending with '/', with no empty, "." or ".." segment and
// no segment starting with '.' (so that no key names a hidden or temporary
// file). Backslashes, NUL, absolute paths and upper case are refused.
func ValidKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return fmt.Errorf("%w: length %d", ErrInvalidKey, len(key))
	}
	segStart := 0
	for i := 0; i <= len(key); i++ {
		if i < len(key) {
			c := key[i]
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
				continue
			case c == '/':
			default:
				return fmt.Errorf("%w: %q: character %q is not allowed", ErrInvalidKey, key, c)
			}
		}
		seg := key[segStart:i]
		if seg == "" || seg[0] == '.' {
			return fmt.Errorf("%w: %q: empty or dot segment", ErrInvalidKey, key)
		}
		segStart = i + 1
	}
	return nil
}

// checkList validates the arguments of List.
func checkList(prefix string, limit int) (int, error) {
	// A prefix is a key cut short: with one more character it must be
	// a valid key.
	if prefix != "" && ValidKey(prefix+"x") != nil {
		return 0, fmt.Errorf("%w: prefix %q", ErrInvalidKey, prefix)
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return limit, nil
}
