package media

import "errors"

// Errors of processing, returned wrapped with a message that says what is
// wrong with the file. The Mastodon API maps all of them to 422.
var (
	// ErrUnsupported: the file is of a type Herd does not accept (sniffed
	// from its content; its name does not matter).
	ErrUnsupported = errors.New("media: unsupported file type")
	// ErrTooLarge: the file, its dimensions or its duration exceed Limits.
	ErrTooLarge = errors.New("media: file too large")
	// ErrCorrupt: the file is truncated or malformed.
	ErrCorrupt = errors.New("media: corrupt or truncated file")
	// ErrToolsMissing: the file is video or audio and ffmpeg/ffprobe are
	// not installed (see CheckTools).
	ErrToolsMissing = errors.New("media: ffmpeg and ffprobe are required for video and audio")
)

// IsInputError reports whether err is a fault of the uploaded file (or of
// the server's missing tools) rather than of storage: the errors above.
func IsInputError(err error) bool {
	return errors.Is(err, ErrUnsupported) || errors.Is(err, ErrTooLarge) ||
		errors.Is(err, ErrCorrupt) || errors.Is(err, ErrToolsMissing)
}
