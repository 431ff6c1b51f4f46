package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"io"
	"strings"

	"github.com/herd-social/herd/storage"
)

// MaxEmojiSize bounds the file of a custom emoji, as Mastodon's 256 KB.
const MaxEmojiSize = 256 * 1024

// maxEmojiStatic bounds the sides of an emoji's still PNG version; larger
// images are scaled down to fit.
const maxEmojiStatic = 512

// EmojiPrefix is the blob key prefix of custom emoji images.
const EmojiPrefix = "emoji/"

// ProcessEmojiImage checks a custom emoji image and makes its renditions:
// PNG, GIF, WebP or JPEG of at most MaxEmojiSize bytes that decodes within
// the limits. The Result's Original is the image to show (a GIF
// re-encoded frame by frame so that an animation is kept; a PNG or WebP
// as uploaded, APNG included; a JPEG converted to PNG) and its Preview a
// still PNG of the first frame (the static_url), at most 512 pixels a
// side. Bad files fail with ErrUnsupported, ErrTooLarge or ErrCorrupt
// and a message saying what is wrong.
func ProcessEmojiImage(data []byte, l Limits) (res *Result, err error) {
	l = l.WithDefaults()
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty file", ErrUnsupported)
	}
	if len(data) > MaxEmojiSize {
		return nil, fmt.Errorf("%w: emoji image of %d bytes, the limit is %d (256 KB)", ErrTooLarge, len(data), MaxEmojiSize)
	}
	f := Sniff(data)
	switch f.MIME {
	case "image/png", "image/gif", "image/webp", "image/jpeg":
	default:
		return nil, fmt.Errorf("%w: %s is not a PNG, GIF, WebP or JPEG image", ErrUnsupported, f.MIME)
	}
	img, f, err := DecodeImage(data, l)
	animated := errors.Is(err, ErrAnimated)
	if animated {
		if _, pixels, gerr := scanGIF(data); gerr != nil {
			return nil, gerr
		} else if pixels > maxAnimatedAvatarPixels {
			return nil, fmt.Errorf("%w: animated GIF of %d pixels in all frames, the limit is %d", ErrTooLarge, pixels, maxAnimatedAvatarPixels)
		}
		defer func() {
			if p := recover(); p != nil {
				res, err = nil, fmt.Errorf("%w: GIF decoder failed: %v", ErrCorrupt, p)
			}
		}()
		if img, err = gif.Decode(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("%w: GIF: %v", ErrCorrupt, err)
		}
	} else if err != nil {
		return nil, err
	}
	b := img.Bounds()
	var still image.Image = img
	if w, h := fit(b.Dx(), b.Dy(), maxEmojiStatic); w != b.Dx() || h != b.Dy() {
		still = scale(img, w, h)
	}
	static, err := encode(still, false)
	if err != nil {
		return nil, err
	}
	res = &Result{Type: storage.MediaImage, Preview: &static}
	switch {
	case animated:
		g, ok := keepAnimated(data, l.ImageDimensionLimit, l.ImageDimensionLimit)
		if !ok {
			return nil, fmt.Errorf("%w: animated GIF does not decode", ErrCorrupt)
		}
		res.Original = g
	case f.MIME == "image/jpeg":
		res.Original = static
		if still != img {
			if res.Original, err = encode(img, false); err != nil {
				return nil, err
			}
		}
	default:
		ext := ".png"
		if f.MIME == "image/webp" {
			ext = ".webp"
		} else if f.MIME == "image/gif" {
			ext = ".gif"
		}
		res.Original = Rendition{Data: data, ContentType: f.MIME, Ext: ext, Width: b.Dx(), Height: b.Dy(), Size: int64(len(data))}
	}
	res.Meta = storage.MediaMeta{Original: sizeMeta(res.Original.Width, res.Original.Height), Small: sizeMeta(static.Width, static.Height)}
	return res, nil
}

// EmojiImage is a stored custom emoji image: the blob keys and public URLs
// of the image and of its still PNG version.
type EmojiImage struct {
	ImageKey, StaticKey string
	ImageURL, StaticURL string
	ContentType         string
	Size                int64
	Width, Height       int
}

// StoreEmojiImage reads a custom emoji image for shortcode from r (at most
// MaxEmojiSize bytes), processes it (ProcessEmojiImage, within the
// processor's image concurrency bound) and stores its two files under
// EmojiPrefix. Bad files fail with ErrUnsupported, ErrTooLarge or
// ErrCorrupt and store nothing. The caller records the emoji and, when
// that fails, removes the files with DeleteEmojiImage.
func (s *Service) StoreEmojiImage(ctx context.Context, shortcode string, r io.Reader) (*EmojiImage, error) {
	if !storage.ValidShortcode(shortcode) {
		return nil, fmt.Errorf("media: emoji shortcode %q: want 2 to 100 letters, digits or underscores", shortcode)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxEmojiSize+1))
	if err != nil {
		return nil, fmt.Errorf("media: read emoji image: %w", err)
	}
	if err := acquire(ctx, s.proc.imageSem); err != nil {
		return nil, err
	}
	res, err := ProcessEmojiImage(data, s.proc.limits)
	<-s.proc.imageSem
	if err != nil {
		return nil, err
	}
	defer res.Close()
	base := EmojiPrefix + strings.ToLower(shortcode) + "/" + randomToken() + "/"
	imageKey, staticKey, err := s.putRenditions(ctx, res, base)
	if err != nil {
		return nil, fmt.Errorf("media: store emoji image: %w", err)
	}
	return &EmojiImage{ImageKey: imageKey, StaticKey: staticKey, ImageURL: s.URL(imageKey), StaticURL: s.URL(staticKey),
		ContentType: res.Original.ContentType, Size: res.Original.Size, Width: res.Original.Width, Height: res.Original.Height}, nil
}

// DeleteEmojiImage removes the files of a local custom emoji (keys that
// are empty are skipped; missing files are no error).
func (s *Service) DeleteEmojiImage(ctx context.Context, imageKey, staticKey string) error {
	var errs []error
	for _, k := range []string{imageKey, staticKey} {
		if k == "" {
			continue
		}
		if err := s.blobs.Delete(ctx, k); err != nil {
			errs = append(errs, fmt.Errorf("media: delete emoji file %s: %w", k, err))
		}
	}
	return errors.Join(errs...)
}
