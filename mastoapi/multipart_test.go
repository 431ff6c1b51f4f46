package mastoapi_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// multipartBody streams a multipart upload of file (repeated as the
// "file" part) with a description, without holding it twice in memory.
func multipartBody(file []byte) (io.Reader, string) {
	var head, tail bytes.Buffer
	mw := multipart.NewWriter(&head)
	_ = mw.WriteField("description", "burst")
	_, _ = mw.CreateFormFile("file", "big.jpg")
	tail.WriteString("\r\n--" + mw.Boundary() + "--\r\n")
	return io.MultiReader(bytes.NewReader(head.Bytes()), bytes.NewReader(file), &tail), mw.FormDataContentType()
}

// TestUploadBurstMemory: 50 concurrent 10 MB uploads are streamed to
// temporary files, so the heap stays far below the 500 MB they weigh
// together; every upload gets an answer and no temporary file is left.
func TestUploadBurstMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 500 MB through the API")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newMediaEnv(t)
	tok, _ := e.userToken("alice", "read write")

	// A small JPEG followed by 10 MB of padding: a valid image file of
	// 10 MB, read in full by the upload.
	const size = 10 << 20
	file := make([]byte, size)
	jpg := testJPEGBytes(t, 64, 48)
	copy(file, jpg)
	for i := len(jpg); i < size; i++ {
		file[i] = byte(i * 7)
	}

	// A low GC target keeps garbage out of the measure: the heap in use
	// then follows what is live.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()

	const n = 50
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, ctype := multipartBody(file)
			req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v2/media", body)
			if !assert.NoError(t, err) {
				return
			}
			req.Header.Set("Content-Type", ctype)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if !assert.NoError(t, err) {
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled

	grown := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("heap in use: %d MB before, %d MB at the peak of %d concurrent %d MB uploads", base.HeapInuse>>20, peak.Load()>>20, n, size>>20)
	for i, c := range codes {
		assert.Contains(t, []int{http.StatusOK, http.StatusAccepted}, c, "upload %d", i)
	}
	// Buffered in memory, the uploads would take 500 MB (the multipart
	// parser kept 8 MB of each, and every processing job read its whole
	// file before waiting for its turn); streamed, the heap grows by the
	// few images the processor holds (2 per image worker) and buffers.
	assert.Less(t, grown, int64(128<<20), "heap growth during the burst")
	left, err := filepath.Glob(filepath.Join(tmp, "herd-upload-*"))
	require.NoError(t, err)
	assert.Empty(t, left, "temporary files are removed")
}

func testJPEGBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 60, 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, nil))
	return buf.Bytes()
}

// TestMultipartBounds: too many parts, an oversized value or a truncated
// body are refused, and leave no temporary file behind.
func TestMultipartBounds(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newMediaEnv(t)
	tok, _ := e.userToken("alice", "read write")
	send := func(build func(mw *multipart.Writer), truncate bool) int {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		build(mw)
		if !truncate {
			require.NoError(t, mw.Close())
		}
		resp := e.do(request{method: http.MethodPost, path: "/api/v2/media", body: &buf, ctype: mw.FormDataContentType(), token: tok})
		resp.Body.Close()
		return resp.StatusCode
	}
	file := func(mw *multipart.Writer) {
		fw, err := mw.CreateFormFile("file", "a.png")
		require.NoError(t, err)
		_, _ = fw.Write(testPNG(t, 8, 8))
	}
	assert.Equal(t, http.StatusBadRequest, send(func(mw *multipart.Writer) {
		file(mw)
		for i := range 100 {
			_ = mw.WriteField(fmt.Sprintf("f%d", i), "x")
		}
	}, false), "too many parts")
	assert.Equal(t, http.StatusBadRequest, send(func(mw *multipart.Writer) {
		file(mw)
		_ = mw.WriteField("description", string(bytes.Repeat([]byte("a"), 100<<10)))
	}, false), "oversized value")
	assert.Equal(t, http.StatusBadRequest, send(func(mw *multipart.Writer) {
		file(mw)
	}, true), "truncated body")
	assert.Equal(t, http.StatusOK, send(file, false))
	left, err := filepath.Glob(filepath.Join(tmp, "herd-upload-*"))
	require.NoError(t, err)
	assert.Empty(t, left, "temporary files are removed")
}
