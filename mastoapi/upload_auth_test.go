package mastoapi_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage/sqlite"
)

// TestAnonymousUploadTakesNoSlot checks that a client without a token
// cannot hold an upload slot (or fill the disk) with a slow body: it is
// refused before its body is read, and an authenticated upload goes
// through at once.
func TestAnonymousUploadTakesNoSlot(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herd.db"), nil)
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
		Now: e.clock.Now, RateLimit: mastoapi.RateLimit{Disabled: true}, Media: svc, MaxConcurrentUploads: 1})
	handler = e.api
	tok, _ := e.userToken("alice", "read write")

	// An anonymous body trickling in.
	pr, pw := io.Pipe()
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	_, _ = mw.CreateFormFile("file", "x.jpg")
	done := make(chan int, 1)
	go func() {
		_, _ = pw.Write(head.Bytes())
		for range 200 {
			if _, err := pw.Write(bytes.Repeat([]byte{'A'}, 1024)); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}()
	anon, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v2/media", pr)
	anon.Header.Set("Content-Type", mw.FormDataContentType())
	go func() {
		resp, err := http.DefaultClient.Do(anon)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	time.Sleep(300 * time.Millisecond)
	defer func() {
		_ = pw.Close()
		if code := <-done; code != 0 {
			require.Equal(t, http.StatusUnauthorized, code)
		}
	}()

	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("file", "p.png")
	_, _ = fw.Write(testPNG(t, 8, 8))
	_ = w.Close()
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(rctx, http.MethodPost, e.srv.URL+"/api/v2/media", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err, "an authenticated upload does not wait for an anonymous body")
	resp.Body.Close()
	require.Contains(t, []int{200, 202}, resp.StatusCode)
}
