package media_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/media"
)

func TestHandler(t *testing.T) {
	b := newFS(t)
	ctx := t.Context()
	video := strings.Repeat("0123456789", 1000)
	require.NoError(t, b.Put(ctx, "a/1/r/original.mp4", strings.NewReader(video), int64(len(video)), "video/mp4"))
	require.NoError(t, b.Put(ctx, "a/1/r/page.html", strings.NewReader("<script>alert(1)</script>"), -1, "image/png"))
	require.NoError(t, b.Put(ctx, "tmp/raw", strings.NewReader("raw"), -1, "image/jpeg"))
	srv := httptest.NewServer(http.StripPrefix("/media", media.Handler(b, nil)))
	defer srv.Close()

	get := func(method, path string, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, nil)
		require.NoError(t, err)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(body)
	}

	resp, body := get("GET", "/media/a/1/r/original.mp4", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, video, body)
	assert.Equal(t, "video/mp4", resp.Header.Get("Content-Type"))
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "default-src 'none'; media-src 'self'; sandbox", resp.Header.Get("Content-Security-Policy"))
	assert.Contains(t, resp.Header.Get("Cache-Control"), "max-age=31536000")
	assert.Equal(t, "bytes", resp.Header.Get("Accept-Ranges"))
	lastMod := resp.Header.Get("Last-Modified")
	assert.NotEmpty(t, lastMod)

	resp, body = get("GET", "/media/a/1/r/original.mp4", map[string]string{"Range": "bytes=10-19"})
	assert.Equal(t, http.StatusPartialContent, resp.StatusCode)
	assert.Equal(t, "0123456789", body)
	assert.Equal(t, "bytes 10-19/10000", resp.Header.Get("Content-Range"))

	resp, _ = get("GET", "/media/a/1/r/original.mp4", map[string]string{"If-Modified-Since": lastMod})
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)

	resp, body = get("HEAD", "/media/a/1/r/original.mp4", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, "10000", resp.Header.Get("Content-Length"))

	resp, _ = get("GET", "/media/a/1/r/page.html", nil)
	assert.Equal(t, "image/png", resp.Header.Get("Content-Type"), "the stored type, never a sniffed one")
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))

	for _, p := range []string{"/media/a/1/r/missing.jpg", "/media/a/1/r", "/media/a/1/r/", "/media/", "/media/tmp/raw",
		"/media/a/1/../1/r/original.mp4", "/media/a/1/r/original.mp4~type", "/media/A/1"} {
		resp, _ = get("GET", p, nil)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, p)
	}
	resp, _ = get("POST", "/media/a/1/r/original.mp4", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}
