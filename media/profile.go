package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"io"

	"golang.org/x/image/draw"

	"github.com/herd-social/herd/storage"
)

// Sizes of profile images, as Mastodon's: avatars are cropped to a square
// of AvatarSize, headers to HeaderWidth×HeaderHeight (never enlarged).
const (
	AvatarSize   = 400
	HeaderWidth  = 1500
	HeaderHeight = 500
)

// maxAnimatedAvatarPixels bounds the frames an animated GIF avatar may
// decode to (the sum of their areas) for it to stay animated; larger ones
// keep only their first frame.
const maxAnimatedAvatarPixels = 16_000_000

// Keys of storage.Account.Extra written for profile images.
const (
	// ExtraAvatarMedia and ExtraHeaderMedia hold the ID of the media
	// attachment (Purpose MediaAvatar / MediaHeader) whose file is the
	// account's avatar or header, as a JSON string.
	ExtraAvatarMedia = "avatar_media_id"
	ExtraHeaderMedia = "header_media_id"
	// ExtraAvatarStatic holds the URL of a still version of an animated
	// avatar (the Account entity's avatar_static), as a JSON string.
	ExtraAvatarStatic = "avatar_static_url"
)

// ProfileMediaKey returns the Extra key that holds the attachment ID of an
// account's avatar or header ("" for other purposes).
func ProfileMediaKey(p storage.MediaPurpose) string {
	switch p {
	case storage.MediaAvatar:
		return ExtraAvatarMedia
	case storage.MediaHeader:
		return ExtraHeaderMedia
	}
	return ""
}

// ProfileMediaID returns the attachment ID kept in an account's Extra
// under key (0 when there is none).
func ProfileMediaID(a *storage.Account, key string) storage.ID {
	raw, ok := a.Extra[key]
	if !ok {
		return 0
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return 0
	}
	id, err := storage.ParseID(s)
	if err != nil {
		return 0
	}
	return id
}

// ProcessProfileImage processes an avatar or header file: decoded within
// the limits, turned upright, cropped around its centre to the shape of
// the purpose (a square of AvatarSize, or HeaderWidth×HeaderHeight) and
// scaled down to it, re-encoded without metadata. The Result's Original
// is the image to show and its Preview a still one: for an animated GIF
// avatar small enough to keep (at most AvatarSize square and
// maxAnimatedAvatarPixels in all frames) the Original is the GIF,
// re-encoded frame by frame, and the Preview its first frame; any other
// animated GIF keeps only its first frame.
func ProcessProfileImage(data []byte, purpose storage.MediaPurpose, l Limits) (res *Result, err error) {
	l = l.WithDefaults()
	w, h := AvatarSize, AvatarSize
	switch purpose {
	case storage.MediaAvatar:
	case storage.MediaHeader:
		w, h = HeaderWidth, HeaderHeight
	default:
		return nil, fmt.Errorf("media: profile image: purpose %q", purpose)
	}
	img, f, err := DecodeImage(data, l)
	animated := errors.Is(err, ErrAnimated)
	if animated {
		// DecodeImage checked the frames and the dimensions: the first
		// frame is safe to decode.
		defer func() {
			if p := recover(); p != nil {
				res, err = nil, fmt.Errorf("%w: GIF decoder failed: %v", ErrCorrupt, p)
			}
		}()
		img, err = gif.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%w: GIF: %v", ErrCorrupt, err)
		}
	} else if err != nil {
		return nil, err
	}
	if f.MIME == "image/jpeg" {
		img = orient(img, jpegOrientation(data))
	}
	still := cover(img, w, h)
	rend, err := encode(still, isOpaque(img))
	if err != nil {
		return nil, err
	}
	res = &Result{Type: storage.MediaImage, Original: rend, Blurhash: blurhashOf(still)}
	pv := rend
	res.Preview = &pv
	res.Meta = storage.MediaMeta{Original: sizeMeta(rend.Width, rend.Height), Small: sizeMeta(rend.Width, rend.Height)}
	if animated && purpose == storage.MediaAvatar {
		if g, ok := keepAnimated(data, w, h); ok {
			res.Original = g
			res.Meta.Original = sizeMeta(g.Width, g.Height)
		}
	}
	return res, nil
}

// keepAnimated re-encodes an animated GIF (dropping its comments and
// application data but the loop count) when it fits within w×h and its
// frames are small enough to decode.
func keepAnimated(data []byte, w, h int) (r Rendition, ok bool) {
	cfg, err := gif.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width > w || cfg.Height > h {
		return r, false
	}
	if _, pixels, err := scanGIF(data); err != nil || pixels > maxAnimatedAvatarPixels {
		return r, false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil || len(g.Image) < 2 {
		return r, false
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: g.Image, Delay: g.Delay, Disposal: g.Disposal, LoopCount: g.LoopCount,
		Config: g.Config, BackgroundIndex: g.BackgroundIndex}); err != nil {
		return r, false
	}
	return Rendition{Data: buf.Bytes(), ContentType: "image/gif", Ext: ".gif", Width: cfg.Width, Height: cfg.Height,
		Size: int64(buf.Len())}, true
}

// cover crops img around its centre to the aspect ratio w:h and scales it
// down to at most w×h (smaller images are not enlarged).
func cover(img image.Image, w, h int) image.Image {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	cw, ch := sw, sw*h/w
	if ch > sh {
		cw, ch = sh*w/h, sh
	}
	cw, ch = max(1, cw), max(1, ch)
	x0, y0 := b.Min.X+(sw-cw)/2, b.Min.Y+(sh-ch)/2
	crop := image.Rect(x0, y0, x0+cw, y0+ch)
	dw, dh := min(w, cw), min(h, ch)
	if cw > w || ch > h {
		dw, dh = w, h // the crop has the target's aspect ratio
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, crop, draw.Src, nil)
	return dst
}

// SetProfileImage processes an avatar or header of accountID read from r
// (ProcessProfileImage, with the processor's image concurrency bound) and
// stores it as a ready media attachment of that purpose, whose FileKey is
// the image and PreviewKey its still version. It does not change the
// account: the caller points the account at the attachment (URL of
// FileKey, ExtraAvatarStatic, ProfileMediaKey) and deletes the previous
// one with Delete. Bad files fail with ErrUnsupported, ErrTooLarge or
// ErrCorrupt and store nothing.
func (s *Service) SetProfileImage(ctx context.Context, accountID storage.ID, purpose storage.MediaPurpose, r io.Reader) (*storage.MediaAttachment, error) {
	if ProfileMediaKey(purpose) == "" {
		return nil, fmt.Errorf("media: profile image: purpose %q", purpose)
	}
	l := s.Limits()
	rctx, cancel := context.WithTimeout(ctx, s.opts.UploadTimeout)
	defer cancel()
	data, err := io.ReadAll(io.LimitReader(ctxReader{rctx, r}, l.ImageSizeLimit+1))
	if err != nil {
		if rctx.Err() != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("%w: the upload did not finish within %s", ErrTooLarge, s.opts.UploadTimeout)
		}
		return nil, fmt.Errorf("media: read profile image: %w", err)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty file", ErrUnsupported)
	}
	res, err := s.proc.ProcessProfileImage(ctx, data, purpose)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	m := &storage.MediaAttachment{ID: s.store.NewID(), AccountID: accountID, Purpose: purpose, State: storage.MediaReady}
	if err := s.storeResult(ctx, m, res, "p/"); err != nil {
		return nil, err
	}
	if err := s.store.MediaAttachments().Create(ctx, m); err != nil {
		_ = s.deleteFiles(context.WithoutCancel(ctx), m)
		return nil, fmt.Errorf("media: record profile image: %w", err)
	}
	return m, nil
}

// ProcessProfileImage runs ProcessProfileImage within the processor's
// limits and image concurrency bound.
func (p *Processor) ProcessProfileImage(ctx context.Context, data []byte, purpose storage.MediaPurpose) (*Result, error) {
	if err := acquire(ctx, p.imageSem); err != nil {
		return nil, err
	}
	defer func() { <-p.imageSem }()
	return ProcessProfileImage(data, purpose, p.limits)
}

// storeResult puts the renditions of res under prefix+ID/token/ and sets
// m's keys, type, content type, size, blurhash (unless m has one) and
// meta. On error nothing stays stored.
func (s *Service) storeResult(ctx context.Context, m *storage.MediaAttachment, res *Result, prefix string) error {
	fileKey, previewKey, err := s.putRenditions(ctx, res, prefix+m.ID.String()+"/"+randomToken()+"/")
	if err != nil {
		return fmt.Errorf("media: store files: %w", err)
	}
	m.FileKey, m.PreviewKey = fileKey, previewKey
	m.Type, m.ContentType, m.Size = res.Type, res.Original.ContentType, res.Original.Size
	if m.Blurhash == "" {
		m.Blurhash = res.Blurhash
	}
	m.Meta = res.Meta
	return nil
}

// putRenditions puts the original of res (and its preview, if any) under
// base and returns their keys (previewKey is "" without a preview). On
// error nothing stays stored.
func (s *Service) putRenditions(ctx context.Context, res *Result, base string) (fileKey, previewKey string, err error) {
	var stored []string
	put := func(r *Rendition, name string) (string, error) {
		rc, err := r.Open()
		if err != nil {
			return "", err
		}
		defer rc.Close()
		key := base + name + r.Ext
		if err := s.blobs.Put(ctx, key, rc, r.Size, r.ContentType); err != nil {
			return "", err
		}
		stored = append(stored, key)
		return key, nil
	}
	fileKey, err = put(&res.Original, "original")
	if err == nil && res.Preview != nil {
		previewKey, err = put(res.Preview, "small")
	}
	if err != nil {
		for _, k := range stored {
			_ = s.blobs.Delete(context.WithoutCancel(ctx), k)
		}
		return "", "", err
	}
	return fileKey, previewKey, nil
}
