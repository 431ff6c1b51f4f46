package media_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/storage"
)

// photo draws a w×h picture with gradients and noise, so that it
// compresses like a photograph.
func photo(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			i := img.PixOffset(x, y)
			n := uint8(rng.IntN(24))
			img.Pix[i] = uint8(x*255/w) + n
			img.Pix[i+1] = uint8(y*255/h) + n
			img.Pix[i+2] = uint8((x+y)*127/(w+h)) + n
			img.Pix[i+3] = 0xff
		}
	}
	return img
}

func encJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}))
	return buf.Bytes()
}

func encPNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// withExif inserts an APP1 Exif segment with the given orientation (and a
// made-up GPS-looking payload) after the SOI marker of a JPEG.
func withExif(jpg []byte, orientation uint16) []byte {
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00*")
	binary.Write(&tiff, binary.BigEndian, uint32(8))
	binary.Write(&tiff, binary.BigEndian, uint16(1))                 // one entry
	binary.Write(&tiff, binary.BigEndian, []uint16{0x0112, 3})       // Orientation, SHORT
	binary.Write(&tiff, binary.BigEndian, uint32(1))                 // count
	binary.Write(&tiff, binary.BigEndian, []uint16{orientation, 0})  // value
	binary.Write(&tiff, binary.BigEndian, uint32(0))                 // next IFD
	tiff.WriteString("GPS 52.5200N 13.4050E secret-location-marker") // payload to be stripped
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	out := []byte{0xff, 0xd8, 0xff, 0xe1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// pngWithSize rewrites the IHDR dimensions of a PNG (fixing its CRC): a
// small file that declares a huge image.
func pngWithSize(t testing.TB, w, h uint32) []byte {
	data := encPNG(t, image.NewGray(image.Rect(0, 0, 8, 8)))
	binary.BigEndian.PutUint32(data[16:], w)
	binary.BigEndian.PutUint32(data[20:], h)
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29]))
	return data
}

func decode(t *testing.T, r media.Rendition) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(r.Data))
	require.NoError(t, err)
	return img
}

func TestProcessImage(t *testing.T) {
	transparent := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	for i := 3; i < len(transparent.Pix); i += 8 {
		transparent.Pix[i] = 0x80
	}
	pal := image.NewPaletted(image.Rect(0, 0, 100, 50), color.Palette{color.Black, color.White})
	var gifBuf bytes.Buffer
	require.NoError(t, gif.Encode(&gifBuf, pal, nil))

	cases := []struct {
		name         string
		data         []byte
		origW, origH int
		prevW, prevH int
		origType     string
		prevType     string
	}{
		{"large jpeg", encJPEG(t, photo(4000, 3000)), 1920, 1440, 640, 480, "image/jpeg", "image/jpeg"},
		{"portrait jpeg", encJPEG(t, photo(1000, 2500)), 768, 1920, 256, 640, "image/jpeg", "image/jpeg"},
		{"small jpeg kept", encJPEG(t, photo(320, 200)), 320, 200, 320, 200, "image/jpeg", "image/jpeg"},
		{"opaque png stays png", encPNG(t, photo(800, 600)), 800, 600, 640, 480, "image/png", "image/jpeg"},
		{"transparent png", encPNG(t, transparent), 300, 200, 300, 200, "image/png", "image/png"},
		{"static gif", gifBuf.Bytes(), 100, 50, 100, 50, "image/png", "image/jpeg"},
		{"webp lossless with alpha", webpLossless, 1, 1, 1, 1, "image/png", "image/png"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := media.ProcessImage(c.data, media.Limits{})
			require.NoError(t, err)
			defer res.Close()
			assert.Equal(t, storage.MediaImage, res.Type)
			assert.Equal(t, c.origType, res.Original.ContentType)
			assert.Equal(t, [2]int{c.origW, c.origH}, [2]int{res.Original.Width, res.Original.Height})
			require.NotNil(t, res.Preview)
			assert.Equal(t, c.prevType, res.Preview.ContentType)
			assert.Equal(t, [2]int{c.prevW, c.prevH}, [2]int{res.Preview.Width, res.Preview.Height})
			o := decode(t, res.Original).Bounds()
			assert.Equal(t, [2]int{c.origW, c.origH}, [2]int{o.Dx(), o.Dy()})
			p := decode(t, *res.Preview).Bounds()
			assert.Equal(t, [2]int{c.prevW, c.prevH}, [2]int{p.Dx(), p.Dy()})
			assert.Len(t, res.Blurhash, 4+2*(4*3-1)+2, "4×3 components")
			require.NotNil(t, res.Meta.Original)
			assert.Equal(t, c.origW, res.Meta.Original.Width)
			assert.Equal(t, c.prevH, res.Meta.Small.Height)
			assert.InDelta(t, float64(c.origW)/float64(c.origH), res.Meta.Original.Aspect, 1e-3)
			assert.Equal(t, int64(len(res.Original.Data)), res.Original.Size)
		})
	}
}

// webpLossless is a 1×1 lossless WebP.
var webpLossless = []byte{
	0x52, 0x49, 0x46, 0x46, 0x1a, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4c,
	0x0d, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe,
	0x07, 0x00,
}

func TestEXIFOrientation(t *testing.T) {
	// Left half red, right half blue; orientation 6 means "rotate 90°
	// clockwise to view": the left half ends up on top.
	src := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := range 32 {
		for x := range 64 {
			c := color.RGBA{0xff, 0, 0, 0xff}
			if x >= 32 {
				c = color.RGBA{0, 0, 0xff, 0xff}
			}
			src.Set(x, y, c)
		}
	}
	red := func(img image.Image, x, y int) bool {
		r, _, b, _ := img.At(x, y).RGBA()
		return r > 0x8000 && b < 0x8000
	}
	for _, c := range []struct {
		orientation uint16
		w, h        int
		p1, p2      image.Point // p1 must be red, p2 blue
	}{
		{1, 64, 32, image.Pt(8, 16), image.Pt(56, 16)},
		{3, 64, 32, image.Pt(56, 16), image.Pt(8, 16)}, // 180°: red on the right
		{6, 32, 64, image.Pt(16, 8), image.Pt(16, 56)}, // 90° clockwise: red on top
		{8, 32, 64, image.Pt(16, 56), image.Pt(16, 8)}, // 90° counter-clockwise: red at the bottom
	} {
		in := withExif(encJPEG(t, src), c.orientation)
		require.True(t, bytes.Contains(in, []byte("secret-location-marker")))
		res, err := media.ProcessImage(in, media.Limits{})
		require.NoError(t, err)
		assert.Equal(t, [2]int{c.w, c.h}, [2]int{res.Original.Width, res.Original.Height}, "orientation %d", c.orientation)
		for _, r := range []media.Rendition{res.Original, *res.Preview} {
			img := decode(t, r)
			assert.True(t, red(img, c.p1.X, c.p1.Y), "orientation %d: red at %v", c.orientation, c.p1)
			assert.False(t, red(img, c.p2.X, c.p2.Y), "orientation %d: blue at %v", c.orientation, c.p2)
		}
		// Metadata is gone: no APP1 (or any APPn) segment, no payload.
		for _, out := range [][]byte{res.Original.Data, res.Preview.Data} {
			assert.False(t, bytes.Contains(out, []byte("Exif")), "EXIF stripped")
			assert.False(t, bytes.Contains(out, []byte("secret-location-marker")))
			assert.False(t, bytes.Contains(out[:4], []byte{0xff, 0xe1}), "no APP1 after SOI")
		}
	}
}

func BenchmarkProcessJPEG12MP(b *testing.B) {
	data := encJPEG(b, photo(4000, 3000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := media.ProcessImage(data, media.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		_ = res.Close()
	}
}
