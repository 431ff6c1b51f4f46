package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation/interop"
)

// testJPEG draws a small gradient JPEG.
func testJPEG(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}))
	return b.Bytes()
}

// upload posts a file to /api/v2/media and waits until it is processed.
func (n *node) upload(token string, data []byte, description, focus string) string {
	t := n.t
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "picture.jpg")
	require.NoError(t, err)
	_, _ = fw.Write(data)
	require.NoError(t, mw.WriteField("description", description))
	require.NoError(t, mw.WriteField("focus", focus))
	require.NoError(t, mw.Close())
	req, err := http.NewRequest("POST", n.base+"/api/v2/media", &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, []int{200, 202}, resp.StatusCode, "%s", b)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	id := m["id"].(string)
	waitUntil(t, "the upload is processed", func() bool {
		req, _ := http.NewRequest("GET", n.base+"/api/v1/media/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return id
}

// TestFedifyMedia checks attachments between herd and the Fedify peer,
// both ways: what the peer receives of a herd post with an image, and a
// peer note's image stored, cached and served by herd.
func TestFedifyMedia(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test builds and runs herd and a Node.js peer")
	}
	peer := interop.StartPeer(t)
	h := startNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	mt := h.user("mika")

	// Out: the peer follows mika, who posts a picture with alt text.
	follow, err := peer.Follow(ctx, "mika@"+h.host)
	require.NoError(t, err)
	peer.WaitFor(t, "Accept", interop.ObjectIs(follow), e2eWait)
	media := h.upload(mt, testJPEG(t, 640, 480), "a gradient, left dark", "-0.5,0.25")
	st := h.call(mt, "POST", "/api/v1/statuses", url.Values{"status": {"a picture"}, "media_ids[]": {media}}, 200)
	create := peer.WaitFor(t, "Create", interop.ObjectIs(st["uri"].(string)), e2eWait)
	atts, _ := create.RawObject()["attachment"].([]any)
	require.Len(t, atts, 1)
	a := atts[0].(map[string]any)
	assert.Equal(t, "Image", a["type"])
	assert.Equal(t, "image/jpeg", a["mediaType"])
	assert.Equal(t, "a gradient, left dark", a["name"])
	assert.NotEmpty(t, a["blurhash"])
	assert.Equal(t, []any{-0.5, 0.25}, a["focalPoint"])
	assert.EqualValues(t, 640, a["width"])
	assert.EqualValues(t, 480, a["height"])
	u := fmt.Sprint(a["url"])
	if m, ok := a["url"].(map[string]any); ok {
		u = fmt.Sprint(m["href"])
	}
	require.True(t, strings.HasPrefix(u, h.base+"/media/"), u)
	resp, err := http.Get(u)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "image/jpeg", resp.Header.Get("Content-Type"))

	// In: mika follows the peer, whose note carries an image served
	// elsewhere; herd stores it, caches it and serves it itself.
	img := testJPEG(t, 320, 200)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(img)
	}))
	defer files.Close()
	peerID := h.resolve(mt, peer.Handle)
	h.call(mt, "POST", "/api/v1/accounts/"+peerID+"/follow", url.Values{}, 200)
	waitUntil(t, "mika follows the peer", func() bool { return h.relationship(mt, peerID)["following"] == true })
	_, err = peer.Note(ctx, interop.NoteRequest{Content: "<p>peer picture</p>", Visibility: interop.Public,
		Attachments: []interop.Attachment{{URL: files.URL + "/pic.jpg", MediaType: "image/jpeg", Name: "a peer gradient", Width: 320, Height: 200}}})
	require.NoError(t, err)
	var got map[string]any
	waitUntil(t, "the picture is stored and cached", func() bool {
		got = h.findIn(mt, "/api/v1/timelines/home", "peer picture")
		if got == nil {
			return false
		}
		ms, _ := got["media_attachments"].([]any)
		return len(ms) == 1 && strings.HasPrefix(fmt.Sprint(ms[0].(map[string]any)["url"]), h.base+"/media/")
	})
	m := got["media_attachments"].([]any)[0].(map[string]any)
	assert.Equal(t, "image", m["type"])
	assert.Equal(t, "a peer gradient", m["description"])
	assert.Equal(t, files.URL+"/pic.jpg", m["remote_url"])
	assert.NotEmpty(t, m["blurhash"])
	resp, err = http.Get(fmt.Sprint(m["url"]))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "image/jpeg", resp.Header.Get("Content-Type"))
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
}
