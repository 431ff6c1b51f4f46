// Package blobstest is the conformance suite for media.Blobs
// implementations: a backend that passes Run behaves as Herd expects.
package blobstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/media"
)

// Options adjusts the suite for a backend's documented limits.
type Options struct {
	// SkipConcurrentOverwrite skips the check that readers racing with
	// writers of the same key see whole blobs only, for test servers that
	// do not replace objects atomically (S3 itself does). Herd writes each
	// key once, so production backends are not expected to set it.
	SkipConcurrentOverwrite bool
}

// Run checks the Blobs returned by newBlobs. Each subtest gets a fresh,
// empty Blobs; newBlobs registers any cleanup with t.
func Run(t *testing.T, newBlobs func(t *testing.T) media.Blobs) {
	RunOptions(t, newBlobs, Options{})
}

// RunOptions is Run with Options.
func RunOptions(t *testing.T, newBlobs func(t *testing.T) media.Blobs, o Options) {
	t.Run("PutOpenStat", func(t *testing.T) { testPutOpen(t, newBlobs(t)) })
	t.Run("Replace", func(t *testing.T) { testReplace(t, newBlobs(t)) })
	t.Run("UnknownSize", func(t *testing.T) { testUnknownSize(t, newBlobs(t)) })
	t.Run("FailedPut", func(t *testing.T) { testFailedPut(t, newBlobs(t)) })
	t.Run("Seek", func(t *testing.T) { testSeek(t, newBlobs(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, newBlobs(t)) })
	t.Run("List", func(t *testing.T) { testList(t, newBlobs(t)) })
	t.Run("InvalidKeys", func(t *testing.T) { testInvalidKeys(t, newBlobs(t)) })
	t.Run("ConcurrentKeys", func(t *testing.T) { testConcurrentKeys(t, newBlobs(t)) })
	t.Run("ConcurrentOverwrite", func(t *testing.T) {
		if o.SkipConcurrentOverwrite {
			t.Skip("the backend does not replace blobs atomically under concurrent writers (Options.SkipConcurrentOverwrite)")
		}
		testConcurrent(t, newBlobs(t))
	})
}

func put(t *testing.T, b media.Blobs, key string, data []byte, typ string) {
	t.Helper()
	require.NoError(t, b.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), typ))
}

func read(t *testing.T, b media.Blobs, key string) ([]byte, media.BlobInfo) {
	t.Helper()
	r, err := b.Open(t.Context(), key)
	require.NoError(t, err)
	defer r.Close()
	data, err := io.ReadAll(r)
	require.NoError(t, err)
	return data, r.Info()
}

func testPutOpen(t *testing.T, b media.Blobs) {
	ctx := t.Context()
	before := time.Now().Add(-time.Minute)
	data := []byte("\xff\xd8\xff\xe0 not really a jpeg")
	put(t, b, "a/1/original.jpg", data, "image/jpeg")
	got, info := read(t, b, "a/1/original.jpg")
	assert.Equal(t, data, got)
	assert.Equal(t, "a/1/original.jpg", info.Key)
	assert.Equal(t, int64(len(data)), info.Size)
	assert.Equal(t, "image/jpeg", info.ContentType)
	assert.True(t, info.ModTime.After(before), "mod time %v", info.ModTime)

	st, err := b.Stat(ctx, "a/1/original.jpg")
	require.NoError(t, err)
	assert.Equal(t, info.Key, st.Key)
	assert.Equal(t, info.Size, st.Size)
	assert.Equal(t, info.ContentType, st.ContentType)

	put(t, b, "empty", nil, "text/plain")
	got, info = read(t, b, "empty")
	assert.Empty(t, got)
	assert.Equal(t, int64(0), info.Size)

	_, err = b.Open(ctx, "a/2/original.jpg")
	assert.ErrorIs(t, err, media.ErrNotFound)
	_, err = b.Stat(ctx, "nope")
	assert.ErrorIs(t, err, media.ErrNotFound)
	_, err = b.Open(ctx, "a/1")
	assert.ErrorIs(t, err, media.ErrNotFound, "a key prefix is no blob")
	_, err = b.Open(ctx, "a/1/original.jpg/x")
	assert.ErrorIs(t, err, media.ErrNotFound, "a path below a blob is no blob")
}

func testReplace(t *testing.T, b media.Blobs) {
	put(t, b, "k.bin", []byte("first version, longer"), "application/octet-stream")
	put(t, b, "k.bin", []byte("second"), "image/png")
	got, info := read(t, b, "k.bin")
	assert.Equal(t, "second", string(got))
	assert.Equal(t, "image/png", info.ContentType)
}

func testUnknownSize(t *testing.T, b media.Blobs) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 70000) // > 1 MiB, several parts
	require.NoError(t, b.Put(t.Context(), "big/file.bin", onlyReader{bytes.NewReader(data)}, -1, "video/mp4"))
	got, info := read(t, b, "big/file.bin")
	assert.Equal(t, len(data), len(got))
	assert.True(t, bytes.Equal(data, got))
	assert.Equal(t, int64(len(data)), info.Size)
}

// onlyReader hides every method but Read (no Seek, no WriterTo).
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// failingReader returns n bytes and then an error.
type failingReader struct{ n int }

var errBroken = errors.New("broken upload")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errBroken
	}
	k := min(len(p), f.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	f.n -= k
	return k, nil
}

func testFailedPut(t *testing.T, b media.Blobs) {
	ctx := t.Context()
	err := b.Put(ctx, "fail/new.bin", &failingReader{n: 100000}, -1, "image/png")
	require.Error(t, err)
	_, err = b.Stat(ctx, "fail/new.bin")
	assert.ErrorIs(t, err, media.ErrNotFound, "a failed Put leaves no blob")

	put(t, b, "fail/old.bin", []byte("keep me"), "text/plain")
	require.Error(t, b.Put(ctx, "fail/old.bin", &failingReader{n: 10}, -1, "image/png"))
	got, info := read(t, b, "fail/old.bin")
	assert.Equal(t, "keep me", string(got), "a failed Put keeps the old blob")
	assert.Equal(t, "text/plain", info.ContentType)

	require.Error(t, b.Put(ctx, "fail/short.bin", strings.NewReader("abc"), 10, "text/plain"), "size mismatch")
	_, err = b.Stat(ctx, "fail/short.bin")
	assert.ErrorIs(t, err, media.ErrNotFound)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.Error(t, b.Put(cctx, "fail/cancelled.bin", strings.NewReader("abc"), 3, "text/plain"))
	_, err = b.Stat(ctx, "fail/cancelled.bin")
	assert.ErrorIs(t, err, media.ErrNotFound)

	list, err := b.List(ctx, "", "", 100)
	require.NoError(t, err)
	assert.Equal(t, []string{"fail/old.bin"}, keys(list), "no temporary files are listed or left")
}

func testSeek(t *testing.T, b media.Blobs) {
	data := []byte("0123456789")
	put(t, b, "seek.txt", data, "text/plain")
	r, err := b.Open(t.Context(), "seek.txt")
	require.NoError(t, err)
	defer r.Close()
	n, err := r.Seek(-3, io.SeekEnd)
	require.NoError(t, err)
	assert.Equal(t, int64(7), n)
	rest, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, "789", string(rest))
	_, err = r.Seek(2, io.SeekStart)
	require.NoError(t, err)
	buf := make([]byte, 3)
	_, err = io.ReadFull(r, buf)
	require.NoError(t, err)
	assert.Equal(t, "234", string(buf))
	_, err = r.Seek(1, io.SeekCurrent)
	require.NoError(t, err)
	_, err = io.ReadFull(r, buf)
	require.NoError(t, err)
	assert.Equal(t, "678", string(buf))
}

func testDelete(t *testing.T, b media.Blobs) {
	ctx := t.Context()
	put(t, b, "d/1/a.jpg", []byte("a"), "image/jpeg")
	put(t, b, "d/1/b.jpg", []byte("b"), "image/jpeg")
	require.NoError(t, b.Delete(ctx, "d/1/a.jpg"))
	_, err := b.Stat(ctx, "d/1/a.jpg")
	assert.ErrorIs(t, err, media.ErrNotFound)
	_, err = b.Stat(ctx, "d/1/b.jpg")
	require.NoError(t, err, "deleting one blob keeps its neighbours")
	require.NoError(t, b.Delete(ctx, "d/1/a.jpg"), "deleting a missing blob is fine")
	require.NoError(t, b.Delete(ctx, "never/was"), "deleting a missing blob is fine")
	require.NoError(t, b.Delete(ctx, "d/1/b.jpg"))
	put(t, b, "d/1/c.jpg", []byte("c"), "image/jpeg")
	got, _ := read(t, b, "d/1/c.jpg")
	assert.Equal(t, "c", string(got), "a Put after deleting the last blob of a prefix works")
}

func keys(list []media.BlobInfo) []string {
	out := make([]string, len(list))
	for i, l := range list {
		out[i] = l.Key
	}
	return out
}

func testList(t *testing.T, b media.Blobs) {
	ctx := t.Context()
	all := []string{"a/1/x.jpg", "a/1/y.jpg", "a/2/x.jpg", "a/20/x.jpg", "ab/x.jpg", "b.jpg", "tmp/u1", "tmp/u2"}
	for i, k := range all {
		put(t, b, k, []byte(strings.Repeat("z", i+1)), "image/jpeg")
	}
	list, err := b.List(ctx, "", "", 100)
	require.NoError(t, err)
	assert.Equal(t, all, keys(list))
	assert.Equal(t, int64(1), list[0].Size)
	if list[0].ContentType != "" { // listings may leave the type out
		assert.Equal(t, "image/jpeg", list[0].ContentType)
	}

	list, err = b.List(ctx, "a/", "", 100)
	require.NoError(t, err)
	assert.Equal(t, []string{"a/1/x.jpg", "a/1/y.jpg", "a/2/x.jpg", "a/20/x.jpg"}, keys(list))
	list, err = b.List(ctx, "a/2", "", 100)
	require.NoError(t, err)
	assert.Equal(t, []string{"a/2/x.jpg", "a/20/x.jpg"}, keys(list), "prefixes are strings, not directories")
	list, err = b.List(ctx, "a", "", 100)
	require.NoError(t, err)
	assert.Equal(t, []string{"a/1/x.jpg", "a/1/y.jpg", "a/2/x.jpg", "a/20/x.jpg", "ab/x.jpg"}, keys(list))
	list, err = b.List(ctx, "tmp/", "", 100)
	require.NoError(t, err)
	assert.Equal(t, []string{"tmp/u1", "tmp/u2"}, keys(list))
	list, err = b.List(ctx, "zzz/", "", 100)
	require.NoError(t, err)
	assert.Empty(t, list)

	// Paging with after.
	var paged []string
	after := ""
	for range 10 {
		page, err := b.List(ctx, "", after, 3)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), 3)
		paged = append(paged, keys(page)...)
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].Key
	}
	assert.Equal(t, all, paged)
}

func testInvalidKeys(t *testing.T, b media.Blobs) {
	ctx := t.Context()
	for _, k := range []string{"", "/abs", "a/../b", "..", "../x", "a/./b", "a//b", "a/", ".hidden", "a/.x",
		"A.jpg", "a\\b", "a\x00b", "a b", "a~type", "é.jpg", "a?b", "a%2fb", strings.Repeat("a", media.MaxKeyLen+1)} {
		t.Run(fmt.Sprintf("%q", k), func(t *testing.T) {
			err := b.Put(ctx, k, strings.NewReader("x"), 1, "text/plain")
			assert.ErrorIs(t, err, media.ErrInvalidKey)
			_, err = b.Open(ctx, k)
			assert.ErrorIs(t, err, media.ErrInvalidKey)
			_, err = b.Stat(ctx, k)
			assert.ErrorIs(t, err, media.ErrInvalidKey)
			assert.ErrorIs(t, b.Delete(ctx, k), media.ErrInvalidKey)
		})
	}
	list, err := b.List(ctx, "", "", 100)
	require.NoError(t, err)
	assert.Empty(t, list, "no invalid key stored anything")
	_, err = b.List(ctx, "../", "", 10)
	assert.ErrorIs(t, err, media.ErrInvalidKey)
}

func testConcurrent(t *testing.T, b media.Blobs) {
	ctx := t.Context()
	var wg sync.WaitGroup
	versions := [][]byte{bytes.Repeat([]byte("A"), 200000), bytes.Repeat([]byte("B"), 100000)}
	errs := make(chan error, 32)
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			v := versions[i%2]
			errs <- b.Put(ctx, "race/blob", bytes.NewReader(v), int64(len(v)), "application/octet-stream")
		}()
		go func() {
			defer wg.Done()
			r, err := b.Open(ctx, "race/blob")
			if errors.Is(err, media.ErrNotFound) {
				return
			}
			if err != nil {
				errs <- err
				return
			}
			defer r.Close()
			data, err := io.ReadAll(r)
			if err != nil {
				errs <- err
				return
			}
			if !bytes.Equal(data, versions[0]) && !bytes.Equal(data, versions[1]) {
				errs <- fmt.Errorf("read a torn blob of %d bytes", len(data))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}

func testConcurrentKeys(t *testing.T, b media.Blobs) {
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("many/%02d.bin", i)
			data := bytes.Repeat([]byte{byte('a' + i)}, 50000+i)
			if err := b.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "application/octet-stream"); err != nil {
				errs <- err
				return
			}
			r, err := b.Open(ctx, key)
			if err != nil {
				errs <- err
				return
			}
			defer r.Close()
			got, err := io.ReadAll(r)
			if err != nil {
				errs <- err
				return
			}
			if !bytes.Equal(got, data) {
				errs <- fmt.Errorf("%s: read %d bytes, want %d", key, len(got), len(data))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	list, err := b.List(ctx, "many/", "", 100)
	require.NoError(t, err)
	assert.Len(t, list, 16)
}
