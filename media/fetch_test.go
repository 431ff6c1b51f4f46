package media_test

import (
	"bytes"
	"context"
	"image"
	"image/gif"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// fetchEnv is a media service, a fetcher and a remote server of files.
type fetchEnv struct {
	env
	tmp     string
	fetcher *media.Fetcher
	remote  *storage.Account
	srv     *httptest.Server
	files   map[string][]byte
	hits    atomic.Int64
	logs    *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// loopbackClient is the SSRF-guarded transport client, allowed to reach
// the test server on 127.0.0.1 over http, with media-sized bodies.
func loopbackClient(allowLoopback bool) *http.Client {
	o := &transport.Options{AllowHTTP: true, MaxBodyBytes: 200 << 20, Timeout: time.Minute}
	if allowLoopback {
		o.AllowPrivate = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}
	return transport.New(o).HTTPClient()
}

func newFetchEnv(t *testing.T, client *http.Client, opts *media.FetcherOptions) *fetchEnv {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herd.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	e := &fetchEnv{tmp: t.TempDir(), files: map[string][]byte{}, logs: &syncBuffer{}}
	e.store, e.blobs = st, newFS(t)
	proc := media.NewProcessor(&media.ProcessorOptions{TempDir: e.tmp})
	e.svc = media.NewService(st, e.blobs, proc, media.PublicURL("https://herd.example/media"), nil)
	t.Cleanup(func() { _ = e.svc.Close(context.Background()) })
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.hits.Add(1)
		switch r.URL.Path {
		case "/endless":
			w.Header().Set("Content-Type", "image/jpeg")
			_, _ = w.Write(encJPEG(t, photo(64, 64))[:600])
			chunk := make([]byte, 1024)
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				time.Sleep(5 * time.Millisecond)
			}
			return
		}
		b, ok := e.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg") // whatever it is: the type is sniffed
		_, _ = w.Write(b)
	}))
	t.Cleanup(e.srv.Close)
	var o media.FetcherOptions
	if opts != nil {
		o = *opts
	}
	o.Logger = slog.New(slog.NewTextHandler(e.logs, nil))
	if client == nil {
		client = loopbackClient(true)
	}
	e.fetcher = media.NewFetcher(e.svc, client, &o)
	t.Cleanup(func() { _ = e.fetcher.Close(context.Background()) })
	e.remote = &storage.Account{Username: "carol", Domain: "remote.example", URI: "https://remote.example/users/carol"}
	require.NoError(t, st.Accounts().Create(ctx, e.remote))
	for _, name := range []string{"alice"} {
		a := &storage.Account{Username: name, URI: "https://herd.example/users/" + name}
		require.NoError(t, st.Accounts().Create(ctx, a))
		e.alice = a
	}
	return e
}

// attachment records a remote attachment of carol pointing at path on the
// file server.
func (e *fetchEnv) attachment(t *testing.T, path string, mod func(*storage.MediaAttachment)) *storage.MediaAttachment {
	t.Helper()
	m := &storage.MediaAttachment{AccountID: e.remote.ID, Type: storage.MediaImage, State: storage.MediaReady,
		RemoteURL: e.srv.URL + path, Description: "remote alt"}
	if mod != nil {
		mod(m)
	}
	require.NoError(t, e.store.MediaAttachments().Create(t.Context(), m))
	return m
}

func (e *fetchEnv) wait(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	require.NoError(t, e.fetcher.Wait(ctx))
}

// tempFiles lists what the processor left in its temporary directory.
func (e *fetchEnv) tempFiles(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir(e.tmp)
	require.NoError(t, err)
	out := []string{}
	for _, d := range ents {
		out = append(out, d.Name())
	}
	return out
}

func TestFetchAttachment(t *testing.T) {
	e := newFetchEnv(t, nil, nil)
	ctx := t.Context()
	e.files["/a.jpg"] = withExif(encJPEG(t, photo(2400, 1600)), 6)
	m := e.attachment(t, "/a.jpg", func(m *storage.MediaAttachment) { m.Blurhash = "LEHV6nWB2yk8pyo0adR*.7kCMdnj" })

	e.fetcher.EnqueueAttachments(m.ID)
	e.wait(t)
	got, err := e.svc.Get(ctx, m.ID)
	require.NoError(t, err)
	assert.NotEmpty(t, got.FileKey, "cached")
	assert.NotEmpty(t, got.PreviewKey)
	assert.Equal(t, m.RemoteURL, got.RemoteURL, "the remote URL is kept")
	assert.Equal(t, storage.MediaImage, got.Type)
	assert.Equal(t, "image/jpeg", got.ContentType)
	assert.Equal(t, "remote alt", got.Description)
	assert.Equal(t, m.Blurhash, got.Blurhash, "the author's blurhash is kept")
	require.NotNil(t, got.Meta.Original)
	assert.Equal(t, 1280, got.Meta.Original.Width, "processed like uploads: oriented and resized")
	assert.Equal(t, 1920, got.Meta.Original.Height)
	assert.ElementsMatch(t, []string{got.FileKey, got.PreviewKey}, e.keys(t))
	b, err := e.blobs.Open(ctx, got.FileKey)
	require.NoError(t, err)
	defer b.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(b)
	require.NoError(t, err)
	assert.NotContains(t, buf.String(), "secret-location-marker", "metadata stripped")

	// Cached already: nothing is fetched again.
	hits := e.hits.Load()
	require.NoError(t, e.fetcher.FetchAttachment(ctx, m.ID))
	assert.Equal(t, hits, e.hits.Load())

	// Pruning removes the cached files and keeps the record.
	n, err := e.svc.Prune(ctx, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Empty(t, e.keys(t))
	got, err = e.svc.Get(ctx, m.ID)
	require.NoError(t, err)
	assert.Empty(t, got.FileKey)
	assert.Equal(t, m.RemoteURL, got.RemoteURL)
}

func TestFetchBadRemoteMedia(t *testing.T) {
	e := newFetchEnv(t, nil, &media.FetcherOptions{Timeout: 500 * time.Millisecond})
	ctx := t.Context()
	e.files["/bomb.png"] = pngWithSize(t, 100000, 100000)
	e.files["/page.jpg"] = []byte("<!doctype html><html><body>not an image</body></html>")
	e.files["/truncated.jpg"] = encJPEG(t, photo(300, 200))[:700]
	cases := map[string]error{
		"/bomb.png":      media.ErrTooLarge,
		"/page.jpg":      media.ErrUnsupported,
		"/truncated.jpg": media.ErrCorrupt,
		"/endless":       media.ErrTooLarge,
		"/missing.jpg":   nil,
	}
	for path, want := range cases {
		t.Run(path, func(t *testing.T) {
			m := e.attachment(t, path, nil)
			err := e.fetcher.FetchAttachment(ctx, m.ID)
			require.Error(t, err)
			if want != nil {
				assert.ErrorIs(t, err, want)
			}
			got, gerr := e.svc.Get(ctx, m.ID)
			require.NoError(t, gerr)
			assert.Empty(t, got.FileKey, "the remote URL stays the fallback")
			assert.Equal(t, m.RemoteURL, got.RemoteURL)
			assert.Empty(t, e.keys(t), "no files left")
			assert.Empty(t, e.tempFiles(t), "no temporary files left")
		})
	}
	// Through the queue, a failure is a log line; a URL that failed is not
	// fetched again at once.
	m := e.attachment(t, "/bomb.png", nil)
	hits := e.hits.Load()
	e.fetcher.EnqueueAttachments(m.ID)
	e.wait(t)
	assert.Equal(t, hits, e.hits.Load(), "recently failed URL not fetched again")
	m2 := e.attachment(t, "/page.jpg?again", nil)
	e.fetcher.EnqueueAttachments(m2.ID)
	e.wait(t)
	assert.Contains(t, e.logs.String(), "stays at its remote URL")
}

func TestFetchRefusesPrivateAddresses(t *testing.T) {
	e := newFetchEnv(t, loopbackClient(false), nil)
	e.files["/a.jpg"] = encJPEG(t, photo(100, 100))
	m := e.attachment(t, "/a.jpg", nil)
	err := e.fetcher.FetchAttachment(t.Context(), m.ID)
	assert.ErrorIs(t, err, transport.ErrForbiddenAddress)
	assert.Zero(t, e.hits.Load(), "the guarded dialer never connected")
	assert.Empty(t, e.keys(t))
}

func TestFetchRejectMedia(t *testing.T) {
	var asked []string
	var mu sync.Mutex
	e := newFetchEnv(t, nil, &media.FetcherOptions{RejectMedia: func(_ context.Context, domain string) bool {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, domain)
		return domain == "remote.example"
	}})
	ctx := t.Context()
	e.files["/a.jpg"] = encJPEG(t, photo(100, 100))
	e.files["/avatar.png"] = encPNG(t, photo(500, 500))
	m := e.attachment(t, "/a.jpg", nil)
	e.fetcher.EnqueueAttachments(m.ID)
	e.remote.AvatarURL, e.remote.AvatarRemoteURL = e.srv.URL+"/avatar.png", e.srv.URL+"/avatar.png"
	require.NoError(t, e.fetcher.Accounts(e.store.Accounts()).Update(ctx, e.remote))
	e.wait(t)
	assert.Zero(t, e.hits.Load(), "nothing fetched from a rejected domain")
	got, err := e.svc.Get(ctx, m.ID)
	require.NoError(t, err)
	assert.Equal(t, storage.MediaUnknown, got.Type, "shown as a link to the remote file")
	assert.Equal(t, m.RemoteURL, got.RemoteURL)
	a, err := e.store.Accounts().Get(ctx, e.remote.ID)
	require.NoError(t, err)
	assert.Equal(t, e.remote.AvatarRemoteURL, a.AvatarURL)
	mu.Lock()
	assert.Contains(t, asked, "remote.example")
	mu.Unlock()
}

func TestFetchProfile(t *testing.T) {
	e := newFetchEnv(t, nil, nil)
	ctx := t.Context()
	e.files["/avatar.png"] = encPNG(t, photo(800, 600))
	e.files["/header.jpg"] = encJPEG(t, photo(3000, 1200))
	r := &storage.Account{Username: "dave", Domain: "remote.example", URI: "https://remote.example/users/dave",
		AvatarURL: e.srv.URL + "/avatar.png", AvatarRemoteURL: e.srv.URL + "/avatar.png",
		HeaderURL: e.srv.URL + "/header.jpg", HeaderRemoteURL: e.srv.URL + "/header.jpg"}
	accounts := e.fetcher.Accounts(e.store.Accounts())
	require.NoError(t, accounts.Create(ctx, r), "storing a remote account queues its images")
	e.wait(t)
	a, err := e.store.Accounts().Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Regexp(t, `^https://herd\.example/media/p/\d+/[0-9a-f]+/original\.jpg$`, a.AvatarURL, "opaque images become JPEG")
	assert.Regexp(t, `^https://herd\.example/media/p/\d+/[0-9a-f]+/original\.jpg$`, a.HeaderURL)
	assert.Equal(t, r.AvatarRemoteURL, a.AvatarRemoteURL, "remote URLs kept")
	avatar, err := e.svc.Get(ctx, media.ProfileMediaID(a, media.ExtraAvatarMedia))
	require.NoError(t, err)
	assert.Equal(t, storage.MediaAvatar, avatar.Purpose)
	assert.Equal(t, 400, avatar.Meta.Original.Width, "cropped square")
	assert.Equal(t, 400, avatar.Meta.Original.Height)
	header, err := e.svc.Get(ctx, media.ProfileMediaID(a, media.ExtraHeaderMedia))
	require.NoError(t, err)
	assert.Equal(t, 1500, header.Meta.Original.Width)
	assert.Equal(t, 500, header.Meta.Original.Height)
	assert.Len(t, e.keys(t), 4)

	// Stored again with the same images: nothing is fetched again.
	hits := e.hits.Load()
	require.NoError(t, accounts.Update(ctx, a))
	e.wait(t)
	assert.Equal(t, hits, e.hits.Load())

	// A local upload is kept by prune; the cached remote images go and
	// the account points at its remote images again.
	local, err := e.svc.SetProfileImage(ctx, e.alice.ID, storage.MediaAvatar, bytes.NewReader(encJPEG(t, photo(300, 500))))
	require.NoError(t, err)
	n, err := e.svc.Prune(ctx, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	a, err = e.store.Accounts().Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, a.AvatarRemoteURL, a.AvatarURL)
	assert.Equal(t, a.HeaderRemoteURL, a.HeaderURL)
	assert.Zero(t, media.ProfileMediaID(a, media.ExtraAvatarMedia))
	assert.ElementsMatch(t, []string{local.FileKey, local.PreviewKey}, e.keys(t))
	_, err = e.svc.Get(ctx, avatar.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func TestSetProfileImage(t *testing.T) {
	e := newEnv(t, media.Limits{}, nil)
	ctx := t.Context()
	// A tall photo becomes a centred 300×300 square (never enlarged).
	m, err := e.svc.SetProfileImage(ctx, e.alice.ID, storage.MediaAvatar, bytes.NewReader(withExif(encJPEG(t, photo(300, 500)), 1)))
	require.NoError(t, err)
	assert.Equal(t, storage.MediaAvatar, m.Purpose)
	assert.Equal(t, storage.MediaReady, m.State)
	assert.Equal(t, "300x300", m.Meta.Original.Size)
	assert.NotEmpty(t, m.Blurhash)
	// An animated GIF avatar stays animated, with a still preview.
	g, err := e.svc.SetProfileImage(ctx, e.alice.ID, storage.MediaAvatar, bytes.NewReader(animatedGIF(t, 5)))
	require.NoError(t, err)
	assert.Equal(t, "image/gif", g.ContentType)
	b, err := e.blobs.Open(ctx, g.FileKey)
	require.NoError(t, err)
	anim, err := gif.DecodeAll(b)
	b.Close()
	require.NoError(t, err)
	assert.Len(t, anim.Image, 5)
	pb, err := e.blobs.Open(ctx, g.PreviewKey)
	require.NoError(t, err)
	_, format, err := image.Decode(pb)
	pb.Close()
	require.NoError(t, err)
	assert.Equal(t, "jpeg", format, "the still avatar (opaque)")
	// A header is cropped to 3:1.
	h, err := e.svc.SetProfileImage(ctx, e.alice.ID, storage.MediaHeader, bytes.NewReader(encJPEG(t, photo(2000, 2000))))
	require.NoError(t, err)
	assert.Equal(t, "1500x500", h.Meta.Original.Size)
	// Bad files store nothing.
	before := e.keys(t)
	for _, bad := range [][]byte{pngWithSize(t, 100000, 100000), []byte("GIF89a nonsense"), []byte("%PDF-1.4")} {
		_, err := e.svc.SetProfileImage(ctx, e.alice.ID, storage.MediaAvatar, bytes.NewReader(bad))
		require.Error(t, err)
		assert.True(t, media.IsInputError(err), "%v", err)
	}
	assert.ElementsMatch(t, before, e.keys(t))
	// Profile images are not status media.
	err = e.svc.DeleteUnattached(ctx, e.alice.ID, m.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func TestDeleteUnattached(t *testing.T) {
	e := newEnv(t, media.Limits{}, &media.ServiceOptions{SyncWait: 30 * time.Second})
	ctx := t.Context()
	up := func() *storage.MediaAttachment {
		m, err := e.svc.Upload(ctx, e.alice.ID, bytes.NewReader(encJPEG(t, photo(100, 80))), "", "", storage.MediaFocus{})
		require.NoError(t, err)
		return m
	}
	free, used := up(), up()
	st := &storage.Status{AccountID: e.alice.ID, URI: "https://herd.example/s/1", Local: true, Visibility: storage.VisibilityPublic}
	require.NoError(t, e.store.Statuses().Create(ctx, st))
	require.NoError(t, e.store.MediaAttachments().Attach(ctx, []storage.ID{used.ID}, st.ID, e.alice.ID))

	assert.ErrorIs(t, e.svc.DeleteUnattached(ctx, e.bob.ID, free.ID), storage.ErrNotFound, "another account's")
	assert.ErrorIs(t, e.svc.DeleteUnattached(ctx, e.alice.ID, used.ID), media.ErrAttached)
	require.NoError(t, e.svc.DeleteUnattached(ctx, e.alice.ID, free.ID))
	_, err := e.svc.Get(ctx, free.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.ElementsMatch(t, []string{used.FileKey, used.PreviewKey}, e.keys(t), "the files went with it")
}

func FuzzProcessProfileImage(f *testing.F) {
	f.Add(encPNG(f, photo(40, 30)), true)
	f.Add(encJPEG(f, photo(50, 20)), false)
	f.Add(pngWithSize(f, 100000, 10), true)
	f.Add([]byte("GIF89a\x01\x00\x01\x00"), true)
	l := media.Limits{ImageMatrixLimit: 1 << 20, ImageDimensionLimit: 2048}
	f.Fuzz(func(t *testing.T, data []byte, avatar bool) {
		p := storage.MediaHeader
		if avatar {
			p = storage.MediaAvatar
		}
		res, err := media.ProcessProfileImage(data, p, l)
		if err != nil {
			if !media.IsInputError(err) {
				t.Fatalf("not an input error: %v", err)
			}
			return
		}
		defer res.Close()
		if res.Original.Width > media.HeaderWidth || res.Original.Height > media.AvatarSize+100 {
			t.Fatalf("rendition of %dx%d", res.Original.Width, res.Original.Height)
		}
	})
}
