package media_test

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/media"
)

func emojiPNG(t testing.TB, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x * 4), uint8(y * 4), 0x80, uint8(128 + x%128)})
		}
	}
	return encPNG(t, img)
}

func truncated(b []byte) []byte { return b[:len(b)/2] }

func TestProcessEmojiImage(t *testing.T) {
	t.Run("PNG kept as uploaded", func(t *testing.T) {
		data := emojiPNG(t, 64, 64)
		res, err := media.ProcessEmojiImage(data, media.Limits{})
		require.NoError(t, err)
		defer res.Close()
		assert.Equal(t, data, res.Original.Data)
		assert.Equal(t, "image/png", res.Original.ContentType)
		assert.Equal(t, ".png", res.Original.Ext)
		require.NotNil(t, res.Preview)
		assert.Equal(t, "image/png", res.Preview.ContentType)
		assert.Equal(t, 64, res.Preview.Width)
	})
	t.Run("animated GIF stays animated, static is its first frame", func(t *testing.T) {
		res, err := media.ProcessEmojiImage(animatedGIF(t, 4), media.Limits{})
		require.NoError(t, err)
		assert.Equal(t, "image/gif", res.Original.ContentType)
		g, err := gif.DecodeAll(bytes.NewReader(res.Original.Data))
		require.NoError(t, err)
		assert.Len(t, g.Image, 4)
		img, err := png.Decode(bytes.NewReader(res.Preview.Data))
		require.NoError(t, err)
		assert.Equal(t, image.Pt(61, 33), img.Bounds().Size())
	})
	t.Run("JPEG becomes PNG", func(t *testing.T) {
		res, err := media.ProcessEmojiImage(encJPEG(t, photo(40, 30)), media.Limits{})
		require.NoError(t, err)
		assert.Equal(t, "image/png", res.Original.ContentType)
		assert.Equal(t, 40, res.Original.Width)
	})
	t.Run("large static scaled", func(t *testing.T) {
		var buf bytes.Buffer
		require.NoError(t, (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, image.NewGray(image.Rect(0, 0, 2000, 1000))))
		res, err := media.ProcessEmojiImage(buf.Bytes(), media.Limits{})
		require.NoError(t, err)
		assert.Equal(t, 512, res.Preview.Width)
		assert.Equal(t, 256, res.Preview.Height)
	})
	bad := map[string]struct {
		data []byte
		want error
		msg  string
	}{
		"empty":     {nil, media.ErrUnsupported, "empty file"},
		"text":      {[]byte("hello, this is not an image at all"), media.ErrUnsupported, "not a PNG, GIF, WebP or JPEG"},
		"too large": {append(emojiPNG(t, 8, 8), make([]byte, media.MaxEmojiSize)...), media.ErrTooLarge, "256 KB"},
		"truncated": {truncated(emojiPNG(t, 64, 64)), media.ErrCorrupt, "image/png"},
		"bomb":      {pngWithSize(t, 100000, 100000), media.ErrTooLarge, "pixels"},
	}
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := media.ProcessEmojiImage(c.data, media.Limits{})
			require.ErrorIs(t, err, c.want)
			assert.Contains(t, err.Error(), c.msg)
			assert.True(t, media.IsInputError(err))
		})
	}
}

func TestStoreEmojiImage(t *testing.T) {
	e := newEnv(t, media.Limits{}, nil)
	ctx := t.Context()
	img, err := e.svc.StoreEmojiImage(ctx, "BlobCat", bytes.NewReader(animatedGIF(t, 3)))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(img.ImageKey, "emoji/blobcat/"), img.ImageKey)
	assert.True(t, strings.HasSuffix(img.ImageKey, ".gif"))
	assert.True(t, strings.HasSuffix(img.StaticKey, ".png"))
	assert.Equal(t, "https://herd.example/media/"+img.ImageKey, img.ImageURL)
	assert.Equal(t, "https://herd.example/media/"+img.StaticKey, img.StaticURL)
	assert.Equal(t, "image/gif", img.ContentType)
	assert.ElementsMatch(t, []string{img.ImageKey, img.StaticKey}, e.keys(t))
	b, err := e.blobs.Open(ctx, img.StaticKey)
	require.NoError(t, err)
	data, _ := io.ReadAll(b)
	b.Close()
	_, err = png.Decode(bytes.NewReader(data))
	require.NoError(t, err)

	_, err = e.svc.StoreEmojiImage(ctx, "bad code", bytes.NewReader(emojiPNG(t, 8, 8)))
	require.Error(t, err)
	_, err = e.svc.StoreEmojiImage(ctx, "junk", strings.NewReader("GIF89a but not really"))
	require.ErrorIs(t, err, media.ErrCorrupt)
	assert.Len(t, e.keys(t), 2, "a bad image stores nothing")

	require.NoError(t, e.svc.DeleteEmojiImage(ctx, img.ImageKey, img.StaticKey))
	assert.Empty(t, e.keys(t))
	require.NoError(t, e.svc.DeleteEmojiImage(ctx, img.ImageKey, ""), "deleting again is no error")
}

func FuzzProcessEmojiImage(f *testing.F) {
	f.Add(emojiPNG(f, 4, 4))
	f.Add(animatedGIF(&testing.T{}, 2))
	f.Add([]byte("GIF89a\x01\x00\x01\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := media.ProcessEmojiImage(data, media.Limits{ImageMatrixLimit: 1 << 20})
		if err != nil {
			if !media.IsInputError(err) {
				t.Fatalf("not an input error: %v", err)
			}
			return
		}
		if res.Preview == nil || res.Original.Size == 0 {
			t.Fatal("missing rendition")
		}
	})
}

func BenchmarkProcessEmojiImage(b *testing.B) {
	for name, data := range map[string][]byte{"png128": emojiPNG(b, 128, 128), "gif4frames": animatedGIFB(b, 4)} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				res, err := media.ProcessEmojiImage(data, media.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				res.Close()
			}
		})
	}
}

func animatedGIFB(b *testing.B, frames int) []byte {
	t := &testing.T{}
	return animatedGIF(t, frames)
}
