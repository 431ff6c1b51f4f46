package media_test

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/media"
)

func TestBadImages(t *testing.T) {
	jpg := encJPEG(t, photo(200, 100))
	png := encPNG(t, photo(200, 100))
	// A GIF header followed by script: sniffs as GIF, is no image.
	gifScript := []byte("GIF89a/*\x00\x00\x00\x00*/=1;alert(document.cookie)//")
	// A valid GIF with HTML appended: decodes, and the re-encoded output
	// holds none of the HTML.
	var g bytes.Buffer
	require.NoError(t, gif.Encode(&g, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.White}), nil))
	gifHTML := append(g.Bytes(), []byte("<html><script>alert(1)</script></html>")...)

	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, media.ErrUnsupported},
		{"html named .jpg", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), media.ErrUnsupported},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), media.ErrUnsupported},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), media.ErrUnsupported},
		{"zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), media.ErrUnsupported},
		{"avif", []byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"), media.ErrUnsupported},
		{"heic", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), media.ErrUnsupported},
		{"video is not an image", []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), media.ErrUnsupported},
		{"truncated jpeg", jpg[:len(jpg)/2], media.ErrCorrupt},
		{"jpeg header only", jpg[:20], media.ErrCorrupt},
		{"truncated png", png[:len(png)/2], media.ErrCorrupt},
		{"png signature only", png[:8], media.ErrCorrupt},
		{"gif polyglot script", gifScript, media.ErrCorrupt},
		{"png bomb 100000x100000", pngWithSize(t, 100000, 100000), media.ErrTooLarge},
		{"png bomb 8000x8000 over matrix", pngWithSize(t, 8000, 8000), media.ErrTooLarge},
		{"png 9000x10", pngWithSize(t, 9000, 10), media.ErrTooLarge},
		{"png declares more than it has", pngWithSize(t, 4000, 4000), media.ErrCorrupt},
		{"png zero width", pngWithSize(t, 0, 10), media.ErrCorrupt},
		{"oversized file", append(append([]byte{}, jpg...), make([]byte, 17<<20)...), media.ErrTooLarge},
		{"riff webp garbage", []byte("RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00\xff\xff\xff\xff"), media.ErrCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := media.ProcessImage(c.data, media.Limits{})
			require.Error(t, err)
			assert.Nil(t, res)
			assert.ErrorIs(t, err, c.want, "got %v", err)
			assert.True(t, media.IsInputError(err))
		})
	}

	t.Run("gif with trailing html", func(t *testing.T) {
		res, err := media.ProcessImage(gifHTML, media.Limits{})
		require.NoError(t, err)
		assert.False(t, bytes.Contains(res.Original.Data, []byte("script")))
		assert.False(t, bytes.Contains(res.Preview.Data, []byte("script")))
	})
}

func TestSniff(t *testing.T) {
	cases := []struct {
		head string
		mime string
	}{
		{"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"},
		{"\x89PNG\r\n\x1a\n\x00\x00", "image/png"},
		{"GIF89a\x01\x00", "image/gif"},
		{"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"},
		{"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"},
		{"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "video/mp4"},
		{"\x00\x00\x00\x20ftypmp42\x00\x00\x00\x00", "video/mp4"},
		{"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "video/quicktime"},
		{"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio/mp4"},
		{"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00", "image/avif"},
		{"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic"},
		{"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm"},
		{"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1eOpusHead", "audio/ogg"},
		{"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1e\x80theora", "video/ogg"},
		{"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"},
		{"\xff\xfb\x90\x64\x00\x00", "audio/mpeg"},
		{"\xff\xf1\x50\x80\x00\x1f\xfc", "audio/aac"},
		{"fLaC\x00\x00\x00\x22", "audio/flac"},
		{"<html><body>", "text/html"},
	}
	for _, c := range cases {
		f := media.Sniff([]byte(c.head))
		assert.Equal(t, c.mime, f.MIME, "%q", c.head)
	}
	assert.False(t, media.Sniff([]byte("<html>")).Supported())
	assert.False(t, media.Sniff([]byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00")).Supported())
	assert.True(t, media.Sniff([]byte("GIF87a")).Supported())
}

func FuzzSniff(f *testing.F) {
	for _, s := range []string{"\xff\xd8\xff", "\x89PNG\r\n\x1a\n", "GIF89a", "RIFF\x00\x00\x00\x00WEBP", "\x00\x00\x00\x20ftypisom",
		"\x1a\x45\xdf\xa3", "OggS", "ID3", "\xff\xfb\x90", "\xff\xf1\x50\x80", "fLaC", "<html>"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := media.Sniff(data)
		if got.MIME == "" {
			t.Fatal("empty MIME type")
		}
		if got.Supported() && got.Kind == "" {
			t.Fatal("supported without a kind")
		}
	})
}

func FuzzDecodeImage(f *testing.F) {
	f.Add(encJPEG(f, photo(16, 8)))
	f.Add(withExif(encJPEG(f, photo(8, 16)), 6))
	f.Add(encPNG(f, photo(8, 8)))
	f.Add(pngWithSize(f, 100000, 100000))
	f.Add(webpLossless)
	var g bytes.Buffer
	_ = gif.EncodeAll(&g, &gif.GIF{
		Image: []*image.Paletted{image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White}),
			image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White})},
		Delay: []int{10, 10},
	})
	f.Add(g.Bytes())
	small := media.Limits{ImageDimensionLimit: 512, ImageMatrixLimit: 512 * 512}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, _, err := media.DecodeImage(data, small)
		if err != nil {
			if img != nil {
				t.Fatal("an image with an error")
			}
			return
		}
		b := img.Bounds()
		if b.Dx() <= 0 || b.Dy() <= 0 || b.Dx() > 512 || b.Dy() > 512 {
			t.Fatalf("decoded %v beyond the limits", b)
		}
		if _, err := media.ProcessImage(data, small); err != nil && !media.IsInputError(err) {
			t.Fatalf("ProcessImage: %v", err)
		}
	})
}
