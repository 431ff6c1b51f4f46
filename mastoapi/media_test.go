package mastoapi_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// newMediaEnv is newEnv with a media service on a temporary directory.
func newMediaEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herd.db"), &sqlite.Options{CheckSharedRecords: true})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, store: st, clock: &clock{t: time.Now().UTC()}}
	var handler http.Handler
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	e.urls, err = social.NewURLs(e.srv.URL)
	require.NoError(t, err)
	blobs, err := media.NewFS(t.TempDir(), nil)
	require.NoError(t, err)
	svc := media.NewService(st, blobs, media.NewProcessor(nil), e.urls.Media, nil)
	t.Cleanup(func() { _ = svc.Close(context.Background()) })
	e.api = mastoapi.New(st, social.New(st, e.urls, nil), e.urls, &mastoapi.Options{
		Now: e.clock.Now, RateLimit: mastoapi.RateLimit{Disabled: true}, Media: svc,
	})
	handler = e.api
	return e
}

// testPNG encodes a w×h gradient.
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// upload posts a multipart upload and returns the response.
func (e *env) upload(path, token string, file []byte, fields map[string]string) *http.Response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if file != nil {
		fw, err := mw.CreateFormFile("file", "picture.png")
		require.NoError(e.t, err)
		_, err = fw.Write(file)
		require.NoError(e.t, err)
	}
	for k, v := range fields {
		require.NoError(e.t, mw.WriteField(k, v))
	}
	require.NoError(e.t, mw.Close())
	return e.do(request{method: http.MethodPost, path: path, body: &body, ctype: mw.FormDataContentType(), token: token})
}

func TestMediaUploadAndStatus(t *testing.T) {
	e := newMediaEnv(t)
	tok, acct := e.userToken("alice", "read write")
	other, _ := e.userToken("bob", "read write:media write:statuses")

	// v2 upload of a small PNG: processed within the wait, 200.
	resp := e.upload("/api/v2/media", tok, testPNG(t, 64, 48), map[string]string{"description": "a gradient", "focus": "0.5,-0.25"})
	requireStatus(t, resp, http.StatusOK)
	e.validate(resp)
	m := decode[obj](t, resp)
	require.Equal(t, "image", m["type"])
	require.NotEmpty(t, m["url"])
	require.NotEmpty(t, m["preview_url"])
	require.NotEmpty(t, m["blurhash"])
	require.Equal(t, "a gradient", m["description"])
	require.Nil(t, m["text_url"])
	meta := m["meta"].(obj)
	require.Equal(t, obj{"x": 0.5, "y": -0.25}, meta["focus"])
	require.EqualValues(t, 64, meta["original"].(obj)["width"])
	id := m["id"].(string)

	// PUT updates description and focus; GET shows it; others get 404.
	upd := e.call(http.MethodPut, "/api/v1/media/"+id, tok, url.Values{"description": {"new words"}, "focus": {"0,0"}}, http.StatusOK).(obj)
	require.Equal(t, "new words", upd["description"])
	got := e.getObj("/api/v1/media/"+id, tok, http.StatusOK)
	require.Equal(t, "new words", got["description"])
	require.Equal(t, obj{"x": 0.0, "y": 0.0}, got["meta"].(obj)["focus"])
	requireStatus(t, e.get("/api/v1/media/"+id, other), http.StatusNotFound)
	requireStatus(t, e.do(request{method: http.MethodPut, path: "/api/v1/media/" + id, token: other,
		body: bytes.NewReader([]byte("description=x")), ctype: "application/x-www-form-urlencoded"}), http.StatusNotFound)

	// Bad description length and focus.
	msg := e.errorOf(http.MethodPut, "/api/v1/media/"+id, tok, url.Values{"focus": {"2,0"}}, http.StatusUnprocessableEntity)
	require.Contains(t, msg, "Focus")

	// Someone else cannot attach it.
	msg = e.errorOf(http.MethodPost, "/api/v1/statuses", other, url.Values{"status": {"mine"}, "media_ids[]": {id}}, http.StatusUnprocessableEntity)
	require.Contains(t, msg, "Validation failed")
	msg = e.errorOf(http.MethodPost, "/api/v1/statuses", tok, url.Values{"status": {"x"}, "media_ids[]": {"123456"}}, http.StatusUnprocessableEntity)
	require.Contains(t, msg, "Validation failed")

	// The owner attaches it; the status renders it, also when read back.
	st := e.post(tok, "look", "media_ids[]", id)
	atts := st["media_attachments"].([]any)
	require.Len(t, atts, 1)
	require.Equal(t, id, atts[0].(obj)["id"])
	require.Equal(t, "new words", atts[0].(obj)["description"])
	sid := st["id"].(string)
	read := e.getObj("/api/v1/statuses/"+sid, other, http.StatusOK)
	require.Len(t, read["media_attachments"].([]any), 1)
	tl := e.getList("/api/v1/accounts/"+acct.ID.String()+"/statuses", other)
	require.Len(t, tl, 1)
	require.Len(t, tl[0].(obj)["media_attachments"].([]any), 1)
	ma, err := e.store.MediaAttachments().Get(context.Background(), mustParseID(t, id))
	require.NoError(t, err)
	require.Equal(t, sid, ma.StatusID.String())

	// An attached upload cannot go on another status.
	msg = e.errorOf(http.MethodPost, "/api/v1/statuses", tok, url.Values{"status": {"again"}, "media_ids[]": {id}}, http.StatusUnprocessableEntity)
	require.Contains(t, msg, "Validation failed")

	// v1 upload waits and answers 200.
	resp = e.upload("/api/v1/media", tok, testPNG(t, 10, 10), nil)
	requireStatus(t, resp, http.StatusOK)
	require.NotEmpty(t, decode[obj](t, resp)["url"])
}

func TestMediaBadUploads(t *testing.T) {
	e := newMediaEnv(t)
	tok, _ := e.userToken("alice", "write:media")

	resp := e.upload("/api/v2/media", tok, []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), nil)
	requireStatus(t, resp, http.StatusUnprocessableEntity)
	require.Contains(t, decode[obj](t, resp)["error"], "Validation failed")

	resp = e.upload("/api/v2/media", tok, nil, map[string]string{"description": "no file"})
	requireStatus(t, resp, http.StatusUnprocessableEntity)

	resp = e.upload("/api/v2/media", tok, testPNG(t, 4, 4), map[string]string{"focus": "abc"})
	requireStatus(t, resp, http.StatusUnprocessableEntity)

	// A token without write:media is refused.
	rtok, _ := e.userToken("bob", "read")
	resp = e.upload("/api/v2/media", rtok, testPNG(t, 4, 4), nil)
	requireStatus(t, resp, http.StatusForbidden)
}

func TestMediaUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	tok, _ := e.userToken("alice", "read write")
	resp := e.upload("/api/v2/media", tok, testPNG(t, 4, 4), nil)
	requireStatus(t, resp, http.StatusUnprocessableEntity)
	require.Equal(t, "Media uploads are not available", decode[obj](t, resp)["error"])
	requireStatus(t, e.get("/api/v1/media/1", tok), http.StatusUnprocessableEntity)
	msg := e.errorOf(http.MethodPost, "/api/v1/statuses", tok, url.Values{"status": {"x"}, "media_ids[]": {"1"}}, http.StatusUnprocessableEntity)
	require.Contains(t, msg, "Validation failed")
}

func mustParseID(t testing.TB, s string) storage.ID {
	t.Helper()
	id, err := storage.ParseID(s)
	require.NoError(t, err)
	return id
}

func TestMediaProcessing(t *testing.T) {
	e := newMediaEnv(t)
	tok, acct := e.userToken("alice", "read write")
	m := &storage.MediaAttachment{AccountID: acct.ID, Type: storage.MediaVideo, State: storage.MediaProcessing}
	require.NoError(t, e.store.MediaAttachments().Create(context.Background(), m))

	resp := e.get("/api/v1/media/"+m.ID.String(), tok)
	requireStatus(t, resp, http.StatusPartialContent)
	got := decode[obj](t, resp)
	require.Nil(t, got["url"])
	require.Equal(t, "video", got["type"])

	msg := e.errorOf(http.MethodPost, "/api/v1/statuses", tok, url.Values{"status": {"x"}, "media_ids[]": {m.ID.String()}}, http.StatusUnprocessableEntity)
	require.Equal(t, "Cannot attach files that have not finished processing. Try again in a moment!", msg)
}

func TestMediaToAPIRemote(t *testing.T) {
	m := &storage.MediaAttachment{ID: 7, Type: storage.MediaImage, State: storage.MediaReady,
		RemoteURL: "https://remote.example/a.png", Description: "d"}
	out := mastoapi.MediaToAPI(m, func(k string) string { return "https://local/" + k })
	require.Equal(t, "https://remote.example/a.png", *out.URL)
	require.Equal(t, "https://remote.example/a.png", *out.RemoteURL)
	require.Nil(t, out.PreviewURL)
	m.FileKey, m.PreviewKey = "f.png", "p.png"
	out = mastoapi.MediaToAPI(m, func(k string) string { return "https://local/" + k })
	require.Equal(t, "https://local/f.png", *out.URL)
	require.Equal(t, "https://local/p.png", *out.PreviewURL)
}

func TestInstanceAdvertisesMediaLimits(t *testing.T) {
	e := newMediaEnv(t)
	resp := e.do(request{method: http.MethodGet, path: "/api/v2/instance"})
	requireStatus(t, resp, http.StatusOK)
	e.validate(resp)
	in := decode[obj](t, resp)
	mc := in["configuration"].(obj)["media_attachments"].(obj)
	types := mc["supported_mime_types"].([]any)
	require.Contains(t, types, "image/png")
	require.EqualValues(t, media.DefaultLimits().ImageSizeLimit, mc["image_size_limit"])
}
