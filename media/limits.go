package media

import "time"

// Limits bounds what uploads and remote media may be. The zero value of a
// field means its default (see DefaultLimits).
type Limits struct {
	// ImageSizeLimit is the largest image file, in bytes (16 MiB).
	ImageSizeLimit int64
	// ImageMatrixLimit is the most pixels an image may have (40,000,000),
	// checked from its header before it is decoded.
	ImageMatrixLimit int64
	// ImageDimensionLimit is the largest width or height of an image (8192).
	ImageDimensionLimit int
	// VideoSizeLimit is the largest video or audio file, in bytes (99 MiB).
	VideoSizeLimit int64
	// VideoMatrixLimit is the most pixels per video frame (3840×2160).
	VideoMatrixLimit int64
	// VideoFrameRateLimit is the highest frame rate of a video (120).
	VideoFrameRateLimit int
	// MaxDuration is the longest video or audio (10 minutes); longer input
	// is refused.
	MaxDuration time.Duration
	// DescriptionLimit is the longest description, in characters (1500).
	DescriptionLimit int
	// OriginalSize bounds the width and height of the stored original
	// image and video (1920); PreviewSize those of the preview (640).
	OriginalSize, PreviewSize int
	// GIFVMaxDuration is the longest silent video shown as a looping gifv
	// (60 seconds); longer silent videos stay videos.
	GIFVMaxDuration time.Duration
}

// DefaultLimits returns the default limits.
func DefaultLimits() Limits {
	return Limits{
		ImageSizeLimit:      16 << 20,
		ImageMatrixLimit:    40_000_000,
		ImageDimensionLimit: 8192,
		VideoSizeLimit:      99 << 20,
		VideoMatrixLimit:    3840 * 2160,
		VideoFrameRateLimit: 120,
		MaxDuration:         10 * time.Minute,
		DescriptionLimit:    1500,
		OriginalSize:        1920,
		PreviewSize:         640,
		GIFVMaxDuration:     60 * time.Second,
	}
}

// WithDefaults returns l with its zero fields set to the defaults.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits()
	if l.ImageSizeLimit <= 0 {
		l.ImageSizeLimit = d.ImageSizeLimit
	}
	if l.ImageMatrixLimit <= 0 {
		l.ImageMatrixLimit = d.ImageMatrixLimit
	}
	if l.ImageDimensionLimit <= 0 {
		l.ImageDimensionLimit = d.ImageDimensionLimit
	}
	if l.VideoSizeLimit <= 0 {
		l.VideoSizeLimit = d.VideoSizeLimit
	}
	if l.VideoMatrixLimit <= 0 {
		l.VideoMatrixLimit = d.VideoMatrixLimit
	}
	if l.VideoFrameRateLimit <= 0 {
		l.VideoFrameRateLimit = d.VideoFrameRateLimit
	}
	if l.MaxDuration <= 0 {
		l.MaxDuration = d.MaxDuration
	}
	if l.DescriptionLimit <= 0 {
		l.DescriptionLimit = d.DescriptionLimit
	}
	if l.OriginalSize <= 0 {
		l.OriginalSize = d.OriginalSize
	}
	if l.PreviewSize <= 0 {
		l.PreviewSize = d.PreviewSize
	}
	if l.GIFVMaxDuration <= 0 {
		l.GIFVMaxDuration = d.GIFVMaxDuration
	}
	return l
}

// maxUpload is the largest file of any type.
func (l Limits) maxUpload() int64 { return max(l.ImageSizeLimit, l.VideoSizeLimit) }

// InstanceConfig is configuration.media_attachments of /api/v2/instance.
type InstanceConfig struct {
	SupportedMIMETypes  []string `json:"supported_mime_types"`
	DescriptionLimit    int      `json:"description_limit"`
	ImageSizeLimit      int64    `json:"image_size_limit"`
	ImageMatrixLimit    int64    `json:"image_matrix_limit"`
	VideoSizeLimit      int64    `json:"video_size_limit"`
	VideoFrameRateLimit int      `json:"video_frame_rate_limit"`
	VideoMatrixLimit    int64    `json:"video_matrix_limit"`
}

// Instance returns the limits as /api/v2/instance advertises them. withAV
// tells whether video and audio are accepted (ffmpeg is installed, see
// CheckTools); without it only images are listed.
func (l Limits) Instance(withAV bool) InstanceConfig {
	l = l.WithDefaults()
	return InstanceConfig{
		SupportedMIMETypes:  SupportedMIMETypes(withAV),
		DescriptionLimit:    l.DescriptionLimit,
		ImageSizeLimit:      l.ImageSizeLimit,
		ImageMatrixLimit:    l.ImageMatrixLimit,
		VideoSizeLimit:      l.VideoSizeLimit,
		VideoFrameRateLimit: l.VideoFrameRateLimit,
		VideoMatrixLimit:    l.VideoMatrixLimit,
	}
}

// SupportedMIMETypes lists the MIME types uploads may have (as sniffed
// from their content); withAV adds video and audio.
func SupportedMIMETypes(withAV bool) []string {
	out := []string{"image/jpeg", "image/png", "image/gif", "image/webp"}
	if withAV {
		out = append(out,
			"video/mp4", "video/quicktime", "video/webm", "video/ogg",
			"audio/mpeg", "audio/mp3", "audio/mp4", "audio/m4a", "audio/x-m4a", "audio/aac",
			"audio/ogg", "audio/opus", "audio/webm", "audio/wav", "audio/wave", "audio/x-wav", "audio/flac")
	}
	return out
}
