package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"

	"github.com/buckket/go-blurhash"
	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/herd-social/herd/storage"
)

// ErrAnimated is returned by DecodeImage for an animated GIF (one of more
// than one frame, within the limits): Processor.Process turns these into a
// gifv with ffmpeg.
var ErrAnimated = errors.New("media: animated image")

// maxGIFFrames bounds the frames of an animated GIF, and maxGIFPixels the
// sum of their areas, checked before anything is decoded.
const (
	maxGIFFrames = 2000
	maxGIFPixels = 2_000_000_000
)

// DecodeImage decodes a JPEG, PNG, GIF (its first frame) or WebP image
// within the limits: the file size and the dimensions declared in its
// header are checked before the pixels are decoded, so that a small file
// declaring a huge image (a decompression bomb) costs nothing. The format
// is sniffed from data. Errors wrap ErrUnsupported, ErrTooLarge or
// ErrCorrupt. It never panics.
func DecodeImage(data []byte, l Limits) (img image.Image, f Format, err error) {
	l = l.WithDefaults()
	f = Sniff(data)
	if int64(len(data)) > l.ImageSizeLimit {
		return nil, f, fmt.Errorf("%w: image of %d bytes, the limit is %d", ErrTooLarge, len(data), l.ImageSizeLimit)
	}
	if f.Kind != storage.MediaImage {
		return nil, f, fmt.Errorf("%w: %s is not a supported image", ErrUnsupported, f.MIME)
	}
	var cfg image.Config
	r := bytes.NewReader(data)
	defer func() {
		if p := recover(); p != nil { // a decoder bug must not take the server down
			img, err = nil, fmt.Errorf("%w: %s decoder failed: %v", ErrCorrupt, f.MIME, p)
		}
	}()
	switch f.MIME {
	case "image/jpeg":
		cfg, err = jpeg.DecodeConfig(r)
	case "image/png":
		cfg, err = png.DecodeConfig(r)
	case "image/gif":
		frames, pixels, gerr := scanGIF(data)
		if gerr != nil {
			return nil, f, gerr
		}
		if frames > maxGIFFrames || pixels > maxGIFPixels {
			return nil, f, fmt.Errorf("%w: GIF with %d frames of %d pixels in all", ErrTooLarge, frames, pixels)
		}
		cfg, err = gif.DecodeConfig(r)
		if err == nil && frames > 1 {
			if err := checkDims(cfg, l); err != nil {
				return nil, f, err
			}
			return nil, f, ErrAnimated
		}
	case "image/webp":
		cfg, err = webp.DecodeConfig(r)
	}
	if err != nil {
		return nil, f, fmt.Errorf("%w: %s header: %v", ErrCorrupt, f.MIME, err)
	}
	if err := checkDims(cfg, l); err != nil {
		return nil, f, err
	}
	r.Reset(data)
	switch f.MIME {
	case "image/jpeg":
		img, err = jpeg.Decode(r)
	case "image/png":
		img, err = png.Decode(r)
	case "image/gif":
		img, err = gif.Decode(r)
	case "image/webp":
		img, err = webp.Decode(r)
	}
	if err != nil {
		return nil, f, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.MIME, err)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, f, fmt.Errorf("%w: %s decodes to %dx%d, its header says %dx%d", ErrCorrupt, f.MIME, b.Dx(), b.Dy(), cfg.Width, cfg.Height)
	}
	return img, f, nil
}

func checkDims(cfg image.Config, l Limits) error {
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: image of %dx%d pixels", ErrCorrupt, w, h)
	}
	if w > l.ImageDimensionLimit || h > l.ImageDimensionLimit || int64(w)*int64(h) > l.ImageMatrixLimit {
		return fmt.Errorf("%w: image of %dx%d pixels, the limits are %d per side and %d in all",
			ErrTooLarge, w, h, l.ImageDimensionLimit, l.ImageMatrixLimit)
	}
	return nil
}

// scanGIF walks the blocks of a GIF without decoding pixels and counts its
// frames and the sum of their areas.
func scanGIF(d []byte) (frames int, pixels int64, err error) {
	bad := func(what string) (int, int64, error) {
		return 0, 0, fmt.Errorf("%w: GIF: %s", ErrCorrupt, what)
	}
	if len(d) < 13 {
		return bad("truncated header")
	}
	p := 13
	if d[10]&0x80 != 0 { // global colour table
		p += 3 << (d[10]&7 + 1)
	}
	skipSub := func() bool { // data sub-blocks up to the terminator
		for {
			if p >= len(d) {
				return false
			}
			n := int(d[p])
			p++
			if n == 0 {
				return true
			}
			p += n
		}
	}
	for {
		if p >= len(d) {
			if frames > 0 {
				return frames, pixels, nil // a missing trailer is common
			}
			return bad("no image")
		}
		switch d[p] {
		case 0x3b: // trailer
			if frames == 0 {
				return bad("no image")
			}
			return frames, pixels, nil
		case 0x21: // extension
			p += 2
			if !skipSub() {
				return bad("truncated extension")
			}
		case 0x2c: // image descriptor
			if p+10 > len(d) {
				return bad("truncated image descriptor")
			}
			w := int64(d[p+5]) | int64(d[p+6])<<8
			h := int64(d[p+7]) | int64(d[p+8])<<8
			flags := d[p+9]
			p += 10
			if flags&0x80 != 0 {
				p += 3 << (flags&7 + 1)
			}
			p++ // LZW minimum code size
			if !skipSub() {
				if frames > 0 {
					return frames, pixels, nil
				}
				return bad("truncated image data")
			}
			frames++
			pixels += w * h
			if frames > maxGIFFrames || pixels > maxGIFPixels {
				return frames, pixels, nil
			}
		default:
			return bad(fmt.Sprintf("unknown block 0x%02x", d[p]))
		}
	}
}

// Rendition is one processed file: in memory (Data) or in a temporary file
// (Path) that Result.Close removes.
type Rendition struct {
	Data        []byte
	Path        string
	ContentType string
	// Ext is the file name extension, with its dot (".jpg").
	Ext           string
	Width, Height int
	Size          int64
}

// Result is the outcome of processing one file.
type Result struct {
	Type     storage.MediaType
	Original Rendition
	// Preview is a still image (the poster frame of a video); nil for
	// audio.
	Preview  *Rendition
	Blurhash string
	Meta     storage.MediaMeta
	temp     []string
}

// imageOptions sizes the renditions of an image.
type imageOptions struct {
	originalSize, previewSize int
	// forceJPEG encodes opaque images as JPEG whatever their source.
	forceJPEG bool
}

// processImage turns a decoded image into its stored renditions.
func processImage(img image.Image, f Format, orientation int, o imageOptions) (*Result, error) {
	src := img.Bounds()
	opaque := isOpaque(img)
	ow, oh := fit(src.Dx(), src.Dy(), o.originalSize)
	var orig image.Image = img
	if ow != src.Dx() || oh != src.Dy() {
		orig = scale(img, ow, oh)
	}
	pw, ph := fit(ow, oh, o.previewSize)
	var prev image.Image = orig
	if pw != ow || ph != oh {
		prev = scale(orig, pw, ph)
	}
	orig = orient(orig, orientation)
	prev = orient(prev, orientation)

	jpegOut := opaque && (o.forceJPEG || f.MIME == "image/jpeg" || f.MIME == "image/webp")
	res := &Result{Type: storage.MediaImage}
	var err error
	if res.Original, err = encode(orig, jpegOut); err != nil {
		return nil, err
	}
	pv, err := encode(prev, opaque)
	if err != nil {
		return nil, err
	}
	res.Preview = &pv
	res.Blurhash = blurhashOf(prev)
	res.Meta = storage.MediaMeta{Original: sizeMeta(res.Original.Width, res.Original.Height), Small: sizeMeta(pv.Width, pv.Height)}
	return res, nil
}

func sizeMeta(w, h int) *storage.MediaSize {
	return &storage.MediaSize{Width: w, Height: h, Size: fmt.Sprintf("%dx%d", w, h), Aspect: round(float64(w)/float64(h), 1e6)}
}

func round(v, scale float64) float64 { return math.Round(v*scale) / scale }

// fit scales w×h down to fit within box×box, keeping the aspect ratio.
func fit(w, h, box int) (int, int) {
	if w <= box && h <= box {
		return w, h
	}
	if w >= h {
		return box, max(1, int(math.Round(float64(h)*float64(box)/float64(w))))
	}
	return max(1, int(math.Round(float64(w)*float64(box)/float64(h)))), box
}

// scale resizes img to w×h with approximate bilinear interpolation (fast
// paths for the YCbCr images JPEG decodes to).
func scale(img image.Image, w, h int) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

func isOpaque(img image.Image) bool {
	switch m := img.(type) {
	case *image.YCbCr, *image.Gray, *image.Gray16, *image.CMYK:
		return true
	case *image.Paletted:
		for _, c := range m.Palette {
			if _, _, _, a := c.RGBA(); a != 0xffff {
				return m.Opaque()
			}
		}
		return true
	case interface{ Opaque() bool }:
		return m.Opaque()
	}
	return false
}

// encode encodes an image as JPEG (quality 85) or PNG.
func encode(img image.Image, asJPEG bool) (Rendition, error) {
	var buf bytes.Buffer
	b := img.Bounds()
	r := Rendition{Width: b.Dx(), Height: b.Dy()}
	if asJPEG {
		buf.Grow(b.Dx() * b.Dy() / 4)
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
			return r, fmt.Errorf("media: encode jpeg: %w", err)
		}
		r.ContentType, r.Ext = "image/jpeg", ".jpg"
	} else {
		enc := png.Encoder{CompressionLevel: png.DefaultCompression}
		if err := enc.Encode(&buf, img); err != nil {
			return r, fmt.Errorf("media: encode png: %w", err)
		}
		r.ContentType, r.Ext = "image/png", ".png"
	}
	r.Data = buf.Bytes()
	r.Size = int64(len(r.Data))
	return r, nil
}

// blurhashOf computes the blurhash (4×3 components) of a small copy of img.
func blurhashOf(img image.Image) string {
	b := img.Bounds()
	w, h := fit(b.Dx(), b.Dy(), 32)
	small := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(small, small.Bounds(), img, b, draw.Src, nil)
	// Transparent pixels count as white, as browsers show them on a
	// light background.
	for i := 0; i < len(small.Pix); i += 4 {
		if a := small.Pix[i+3]; a != 0xff {
			for k := range 3 {
				small.Pix[i+k] = uint8((int(small.Pix[i+k])*int(a) + 255*(255-int(a))) / 255)
			}
			small.Pix[i+3] = 0xff
		}
	}
	hash, err := blurhash.Encode(4, 3, small)
	if err != nil {
		return ""
	}
	return hash
}

// orient applies an EXIF orientation (2–8) to img.
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	src, ok := img.(*image.RGBA)
	if !ok {
		b := img.Bounds()
		src = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+dw*4]
		for x := range dw {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			si := src.PixOffset(sx+src.Rect.Min.X, sy+src.Rect.Min.Y)
			copy(row[x*4:x*4+4], src.Pix[si:si+4])
		}
	}
	return dst
}

// ProcessImage processes an image file: decoded within the limits, turned
// upright by its EXIF orientation, stripped of all metadata (re-encoded),
// stored as an original of at most Limits.OriginalSize per side (JPEG for
// opaque photos, PNG for images with transparency) and a preview of at
// most Limits.PreviewSize per side, with a blurhash of the preview. Animated
// GIFs need ffmpeg: use Processor.Process for them.
func ProcessImage(data []byte, l Limits) (*Result, error) {
	l = l.WithDefaults()
	img, f, err := DecodeImage(data, l)
	if errors.Is(err, ErrAnimated) {
		return nil, fmt.Errorf("%w: animated GIFs become video and need Processor.Process", ErrUnsupported)
	}
	if err != nil {
		return nil, err
	}
	orientation := 1
	if f.MIME == "image/jpeg" {
		orientation = jpegOrientation(data)
	}
	return processImage(img, f, orientation, imageOptions{originalSize: l.OriginalSize, previewSize: l.PreviewSize})
}

// Open opens the rendition's content.
func (r *Rendition) Open() (io.ReadCloser, error) {
	if r.Path != "" {
		return openFile(r.Path)
	}
	return io.NopCloser(bytes.NewReader(r.Data)), nil
}

// Close removes the temporary files of the result.
func (r *Result) Close() error {
	var first error
	for _, p := range r.temp {
		if err := removeFile(p); err != nil && first == nil {
			first = err
		}
	}
	r.temp = nil
	return first
}
