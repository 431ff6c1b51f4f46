package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeEmojiPNG writes a small PNG and returns its path.
func writeEmojiPNG(t *testing.T, dir, name string) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	for i := range 32 {
		img.Set(i, i, color.NRGBA{0xff, 0x80, 0, 0xff})
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o644))
	return p
}

// mediaFiles lists the files under the media directory of data.
func mediaFiles(t *testing.T, data string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(data, "media")
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, "~type") { // the FS blobs keep the content type aside
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func TestEmojiCommands(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	e := env(map[string]string{"HERD_DATA": data, "HERD_PUBLIC_URL": "https://herd.example"})
	ctx := context.Background()
	herd := func(want int, args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		code := run(ctx, args, e, &out, &errs)
		require.Equal(t, want, code, "herd %v: %s%s", args, out.String(), errs.String())
		return out.String() + errs.String()
	}
	pngFile := writeEmojiPNG(t, files, "blobcat.png")
	out := herd(0, "emoji", "add", "blobcat", pngFile, "--category", "Blobs")
	assert.Regexp(t, `added :blobcat: \(image/png, \d+ bytes\) https://herd\.example/media/emoji/blobcat/[0-9a-f]+/original\.png`, out)
	herd(0, "emoji", "add", ":Fox_2:", pngFile, "--hidden")
	assert.Len(t, mediaFiles(t, data), 4, "an image and a still PNG per emoji")

	list := herd(0, "emoji", "list")
	assert.Regexp(t, `:blobcat:\s+enabled\s+shown\s+Blobs\s+https://herd\.example/media/emoji/`, list)
	assert.Regexp(t, `:Fox_2:\s+enabled\s+hidden\s+-`, list)

	assert.Contains(t, herd(1, "emoji", "add", "BlobCat", pngFile), "shortcode has already been taken")
	assert.Contains(t, herd(1, "emoji", "add", "x", pngFile), "want 2 to 100 letters")
	txt := filepath.Join(files, "notes.txt")
	require.NoError(t, os.WriteFile(txt, []byte("just some text, not an image"), 0o644))
	assert.Contains(t, herd(1, "emoji", "add", "texty", txt), "not a PNG, GIF, WebP or JPEG")
	raw, err := os.ReadFile(pngFile)
	require.NoError(t, err)
	big := filepath.Join(files, "big.png")
	require.NoError(t, os.WriteFile(big, append(raw, make([]byte, 300*1024)...), 0o644))
	assert.Contains(t, herd(1, "emoji", "add", "huge", big), "256 KB")
	assert.Contains(t, herd(1, "emoji", "add", "missing", filepath.Join(files, "nope.png")), "no such file")
	herd(2, "emoji", "add")
	assert.Contains(t, herd(1, "emoji", "add", "nofile"), "give the image file")
	assert.Len(t, mediaFiles(t, data), 4, "failed additions leave no files")

	assert.Contains(t, herd(0, "emoji", "disable", "blobcat"), "disabled :blobcat:")
	assert.Regexp(t, `:blobcat:\s+disabled`, herd(0, "emoji", "list"))
	assert.Contains(t, herd(0, "emoji", "enable", ":blobcat:"), "enabled :blobcat:")
	assert.Contains(t, herd(1, "emoji", "disable", "nothing"), "not found")
	assert.Contains(t, herd(0, "emoji", "remove", "Fox_2"), "removed :Fox_2:")
	assert.Len(t, mediaFiles(t, data), 2, "removing an emoji removes its files")
	assert.NotContains(t, herd(0, "emoji", "list"), "Fox_2")
	herd(2, "emoji", "frobnicate")

	audit := herd(0, "audit", "--limit", "20")
	for _, action := range []string{"custom_emoji.create", "custom_emoji.disable", "custom_emoji.enable", "custom_emoji.destroy"} {
		assert.Contains(t, audit, action)
	}
	assert.Contains(t, audit, "the server removed the custom emoji :Fox_2:")
}

// TestEmojiFederates runs two servers: an emoji added with the command
// line on B shows in B's API, is served as an Emoji object, and reaches A
// as a tag of bob's post, whose entity on A carries it.
func TestEmojiFederates(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test builds and runs herd")
	}
	a, b := startNode(t), startNode(t)
	alice, bob := a.user("alice"), b.user("bob")

	var out, errs bytes.Buffer
	pngFile := writeEmojiPNG(t, t.TempDir(), "blobcat.png")
	code := run(context.Background(), []string{"emoji", "add", "blobcat", pngFile, "--data", b.data, "--public-url", b.base}, env(nil), &out, &errs)
	require.Equal(t, 0, code, errs.String())

	var emojis []map[string]any
	b.do("", "GET", "/api/v1/custom_emojis", nil, 200, &emojis)
	require.Len(t, emojis, 1)
	imageURL := emojis[0]["url"].(string)
	resp, err := http.Get(imageURL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "image/png", resp.Header.Get("Content-Type"))

	me := b.call(bob, "PATCH", "/api/v1/accounts/update_credentials", url.Values{"display_name": {"Bob :blobcat:"}}, 200)
	require.Len(t, me["emojis"], 1, "a local profile's emojis resolve on update")

	bobAtA := a.resolve(alice, "bob@"+b.host)
	acct := a.call(alice, "GET", "/api/v1/accounts/"+bobAtA, nil, 200)
	require.Len(t, acct["emojis"], 1, "the actor's Emoji tags show on the remote account")
	assert.Equal(t, imageURL, acct["emojis"].([]any)[0].(map[string]any)["url"])
	a.call(alice, "POST", "/api/v1/accounts/"+bobAtA+"/follow", url.Values{}, 200)
	require.Eventually(t, func() bool {
		var rels []map[string]any
		a.do(alice, "GET", "/api/v1/accounts/relationships?id[]="+bobAtA, nil, 200, &rels)
		return len(rels) == 1 && rels[0]["following"] == true
	}, 30*time.Second, 200*time.Millisecond, "alice does not follow bob")

	post := b.call(bob, "POST", "/api/v1/statuses", url.Values{"status": {"purr :blobcat:"}, "visibility": {"public"}}, 200)
	require.Len(t, post["emojis"], 1)

	// The Note B serves carries the Emoji tag, whose id B serves.
	req, _ := http.NewRequest("GET", post["uri"].(string), nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	var note map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&note))
	resp.Body.Close()
	tags, _ := note["tag"].([]any)
	require.Len(t, tags, 1, "%v", note)
	tag := tags[0].(map[string]any)
	assert.Equal(t, "Emoji", tag["type"])
	assert.Equal(t, ":blobcat:", tag["name"])
	assert.Equal(t, imageURL, tag["icon"].(map[string]any)["url"])
	assert.Regexp(t, regexp.MustCompile(`^`+regexp.QuoteMeta(b.base)+`/emojis/\d+$`), tag["id"])
	resp, err = http.Get(tag["id"].(string))
	require.NoError(t, err)
	var obj map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&obj))
	resp.Body.Close()
	assert.Equal(t, "Emoji", obj["type"])
	assert.Equal(t, tag["id"], obj["id"])

	// A shows bob's post with the emoji.
	require.Eventually(t, func() bool {
		for _, st := range a.list(alice, "/api/v1/timelines/home") {
			if strings.Contains(st["content"].(string), "purr") {
				em, _ := st["emojis"].([]any)
				return len(em) == 1 && em[0].(map[string]any)["shortcode"] == "blobcat" && em[0].(map[string]any)["url"] == imageURL
			}
		}
		return false
	}, 30*time.Second, 200*time.Millisecond, "bob's post did not reach alice with its emoji")
	// A remote emoji is not in A's own list.
	var mine []map[string]any
	a.do("", "GET", "/api/v1/custom_emojis", nil, 200, &mine)
	assert.Empty(t, mine)
}
