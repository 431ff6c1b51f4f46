package media_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

type env struct {
	store storage.Store
	blobs media.Blobs
	svc   *media.Service
	alice *storage.Account
	bob   *storage.Account
}

func newEnv(t *testing.T, limits media.Limits, opts *media.ServiceOptions) *env {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herd.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	blobs := newFS(t)
	proc := media.NewProcessor(&media.ProcessorOptions{Limits: limits, TempDir: t.TempDir()})
	svc := media.NewService(st, blobs, proc, media.PublicURL("https://herd.example/media"), opts)
	t.Cleanup(func() { _ = svc.Close(context.Background()) })
	e := &env{store: st, blobs: blobs, svc: svc}
	for _, name := range []string{"alice", "bob"} {
		a := &storage.Account{Username: name, URI: "https://herd.example/users/" + name}
		require.NoError(t, st.Accounts().Create(ctx, a))
		if name == "alice" {
			e.alice = a
		} else {
			e.bob = a
		}
	}
	return e
}

// keys lists every stored blob.
func (e *env) keys(t *testing.T) []string {
	t.Helper()
	list, err := e.blobs.List(t.Context(), "", "", 1000)
	require.NoError(t, err)
	out := []string{}
	for _, b := range list {
		out = append(out, b.Key)
	}
	return out
}

func TestServiceUploadImage(t *testing.T) {
	e := newEnv(t, media.Limits{}, &media.ServiceOptions{SyncWait: 30 * time.Second})
	ctx := t.Context()
	jpg := withExif(encJPEG(t, photo(2400, 1200)), 1)
	m, err := e.svc.Upload(ctx, e.alice.ID, bytes.NewReader(jpg), "cat.png", "a cat", storage.MediaFocus{X: 0.5, Y: -0.25})
	require.NoError(t, err)
	assert.Equal(t, storage.MediaReady, m.State, "small images are processed within the wait")
	assert.Equal(t, storage.MediaImage, m.Type)
	assert.Equal(t, "image/jpeg", m.ContentType, "the sniffed type, not the file name's")
	assert.Equal(t, "a cat", m.Description)
	assert.Equal(t, 0.5, m.FocusX)
	assert.NotEmpty(t, m.Blurhash)
	require.NotNil(t, m.Meta.Original)
	assert.Equal(t, 1920, m.Meta.Original.Width)
	assert.Equal(t, 640, m.Meta.Small.Width)
	assert.True(t, strings.HasPrefix(e.svc.URL(m.FileKey), "https://herd.example/media/a/"+m.ID.String()+"/"))
	assert.ElementsMatch(t, []string{m.FileKey, m.PreviewKey}, e.keys(t), "the raw upload is gone")
	info, err := e.blobs.Stat(ctx, m.FileKey)
	require.NoError(t, err)
	assert.Equal(t, "image/jpeg", info.ContentType)
	assert.Equal(t, m.Size, info.Size)
	r, err := e.blobs.Open(ctx, m.FileKey)
	require.NoError(t, err)
	stored, _ := io.ReadAll(r)
	r.Close()
	assert.False(t, bytes.Contains(stored, []byte("secret-location-marker")))

	// Update: the owner only.
	desc := "a sleeping cat"
	got, err := e.svc.Update(ctx, e.alice.ID, m.ID, &desc, &storage.MediaFocus{X: -1, Y: 1})
	require.NoError(t, err)
	assert.Equal(t, desc, got.Description)
	assert.Equal(t, -1.0, got.FocusX)
	_, err = e.svc.Update(ctx, e.bob.ID, m.ID, &desc, nil)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = e.svc.Update(ctx, e.alice.ID, m.ID, nil, &storage.MediaFocus{X: 2})
	assert.ErrorIs(t, err, media.ErrInvalidInput)
	long := strings.Repeat("é", 1501)
	_, err = e.svc.Update(ctx, e.alice.ID, m.ID, &long, nil)
	assert.ErrorIs(t, err, media.ErrInvalidInput)
}

// slowReader yields a byte now and then, forever.
type slowReader struct{}

func (slowReader) Read(p []byte) (int, error) {
	time.Sleep(10 * time.Millisecond)
	p[0] = 0xff
	return 1, nil
}

func TestServiceBadUploads(t *testing.T) {
	e := newEnv(t, media.Limits{ImageSizeLimit: 1 << 20}, &media.ServiceOptions{SyncWait: 30 * time.Second, UploadTimeout: 300 * time.Millisecond})
	ctx := t.Context()
	jpg := encJPEG(t, photo(400, 300))
	cases := []struct {
		name string
		r    io.Reader
		want error
	}{
		{"html named jpg", strings.NewReader("<html><script>alert(1)</script>"), media.ErrUnsupported},
		{"empty", strings.NewReader(""), media.ErrUnsupported},
		{"truncated jpeg", bytes.NewReader(jpg[:len(jpg)/2]), media.ErrCorrupt},
		{"bomb", bytes.NewReader(pngWithSize(t, 60000, 60000)), media.ErrTooLarge},
		{"oversized", io.MultiReader(bytes.NewReader(jpg), bytes.NewReader(make([]byte, 2<<20))), media.ErrTooLarge},
		{"never ends", slowReader{}, media.ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := e.svc.Upload(ctx, e.alice.ID, c.r, "x.jpg", "", storage.MediaFocus{})
			require.Error(t, err)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, c.want, "got %v", err)
			require.NoError(t, e.svc.Wait(ctx))
			assert.Empty(t, e.keys(t), "no files left behind")
			left, err := e.store.MediaAttachments().ListUnattached(ctx, time.Now().Add(time.Hour), 10)
			require.NoError(t, err)
			assert.Empty(t, left, "no records left behind")
		})
	}
}

func TestServiceVideoAsync(t *testing.T) {
	needFFmpeg(t)
	e := newEnv(t, media.Limits{}, nil)
	ctx := t.Context()
	mp4 := clip(t, "v.mp4", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine", "-t", "1",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac")
	m, err := e.svc.Upload(ctx, e.alice.ID, bytes.NewReader(mp4), "", "", storage.MediaFocus{})
	require.NoError(t, err)
	assert.Equal(t, storage.MediaProcessing, m.State, "video answers at once")
	require.NoError(t, e.svc.Wait(ctx))
	got, err := e.svc.Get(ctx, m.ID)
	require.NoError(t, err)
	assert.Equal(t, storage.MediaReady, got.State)
	assert.Equal(t, storage.MediaVideo, got.Type)
	assert.Equal(t, "video/mp4", got.ContentType)
	assert.NotEmpty(t, got.PreviewKey)
	assert.NotZero(t, got.Meta.Duration)
	assert.ElementsMatch(t, []string{got.FileKey, got.PreviewKey}, e.keys(t))

	// A broken video fails in the background: the record says why.
	m, err = e.svc.Upload(ctx, e.alice.ID, bytes.NewReader(mp4[:len(mp4)/3]), "", "", storage.MediaFocus{})
	require.NoError(t, err)
	require.NoError(t, e.svc.Wait(ctx))
	got, err = e.svc.Get(ctx, m.ID)
	require.NoError(t, err)
	assert.Equal(t, storage.MediaFailed, got.State)
	assert.Contains(t, got.ProcessingError, "corrupt")
	assert.Empty(t, got.FileKey)
	assert.Len(t, e.keys(t), 2, "the failed upload left no files")
}

func TestServiceExpireAndPrune(t *testing.T) {
	e := newEnv(t, media.Limits{}, &media.ServiceOptions{SyncWait: 30 * time.Second})
	ctx := t.Context()
	upload := func() *storage.MediaAttachment {
		m, err := e.svc.Upload(ctx, e.alice.ID, bytes.NewReader(encJPEG(t, photo(100, 80))), "", "", storage.MediaFocus{})
		require.NoError(t, err)
		require.Equal(t, storage.MediaReady, m.State)
		return m
	}
	keep, drop := upload(), upload()
	st := &storage.Status{AccountID: e.alice.ID, URI: "https://herd.example/s/1", Local: true, Visibility: storage.VisibilityPublic}
	require.NoError(t, e.store.Statuses().Create(ctx, st))
	require.NoError(t, e.store.MediaAttachments().Attach(ctx, []storage.ID{keep.ID}, st.ID, e.alice.ID))
	// A raw upload left by a crash.
	require.NoError(t, e.blobs.Put(ctx, media.TempPrefix+"stale", strings.NewReader("x"), 1, "image/jpeg"))

	n, err := e.svc.ExpireUnattached(ctx, time.Now().Add(-time.Hour))
	require.NoError(t, err)
	assert.Zero(t, n, "nothing old enough")
	n, err = e.svc.ExpireUnattached(ctx, time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = e.svc.Get(ctx, drop.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.ElementsMatch(t, []string{keep.FileKey, keep.PreviewKey}, e.keys(t))

	// Remote media: cached files pruned, records kept.
	var remote []*storage.MediaAttachment
	for i := range 3 {
		m := &storage.MediaAttachment{AccountID: e.bob.ID, Type: storage.MediaImage, State: storage.MediaReady,
			RemoteURL: "https://remote.example/" + string(rune('a'+i)) + ".jpg",
			FileKey:   "r/" + string(rune('a'+i)) + "/original.jpg", PreviewKey: "r/" + string(rune('a'+i)) + "/small.jpg"}
		require.NoError(t, e.store.MediaAttachments().Create(ctx, m))
		for _, k := range []string{m.FileKey, m.PreviewKey} {
			require.NoError(t, e.blobs.Put(ctx, k, strings.NewReader("jpg"), 3, "image/jpeg"))
		}
		remote = append(remote, m)
	}
	var calls [][2]int
	n, err = e.svc.Prune(ctx, time.Now().Add(time.Hour), func(done, total int) { calls = append(calls, [2]int{done, total}) })
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.Equal(t, [][2]int{{1, 3}, {2, 3}, {3, 3}}, calls)
	assert.ElementsMatch(t, []string{keep.FileKey, keep.PreviewKey}, e.keys(t))
	got, err := e.svc.Get(ctx, remote[0].ID)
	require.NoError(t, err)
	assert.Empty(t, got.FileKey)
	assert.Equal(t, remote[0].RemoteURL, got.RemoteURL)
}
