package storage

import (
	"context"
	"database/sql/driver"
	"time"
)

// MediaType is the kind of a media attachment, named as in the Mastodon API.
type MediaType string

// The kinds of media attachments.
const (
	MediaUnknown MediaType = "unknown" // not (yet) known, or a remote file we do not render
	MediaImage   MediaType = "image"   // a still image
	MediaGIFV    MediaType = "gifv"    // a looping, silent video (animated GIFs become these)
	MediaVideo   MediaType = "video"
	MediaAudio   MediaType = "audio"
)

// Valid reports whether t is one of the known media types.
func (t MediaType) Valid() bool {
	switch t {
	case MediaUnknown, MediaImage, MediaGIFV, MediaVideo, MediaAudio:
		return true
	}
	return false
}

// MediaState is where a media attachment stands in processing.
type MediaState string

// The processing states of a media attachment.
const (
	MediaProcessing MediaState = "processing" // uploaded, being processed
	MediaReady      MediaState = "ready"      // processed; FileKey and PreviewKey are set
	MediaFailed     MediaState = "failed"     // processing failed; ProcessingError says why
)

// Valid reports whether s is one of the known states.
func (s MediaState) Valid() bool {
	switch s {
	case MediaProcessing, MediaReady, MediaFailed:
		return true
	}
	return false
}

// MediaPurpose says what a media attachment is for.
type MediaPurpose string

// The purposes of media attachments.
const (
	// MediaForStatus is the media of a status (attached or waiting to be).
	MediaForStatus MediaPurpose = ""
	// MediaAvatar and MediaHeader are an account's profile images: never
	// attached to a status, never expired as unattached uploads.
	MediaAvatar MediaPurpose = "avatar"
	MediaHeader MediaPurpose = "header"
)

// Valid reports whether p is one of the known purposes.
func (p MediaPurpose) Valid() bool {
	switch p {
	case MediaForStatus, MediaAvatar, MediaHeader:
		return true
	}
	return false
}

// MediaSize describes one rendition of a media file, with the field names
// of a Mastodon MediaAttachment's meta.original and meta.small.
type MediaSize struct {
	Width     int     `json:"width,omitempty"`
	Height    int     `json:"height,omitempty"`
	Size      string  `json:"size,omitempty"`   // "WxH"
	Aspect    float64 `json:"aspect,omitempty"` // width / height
	FrameRate string  `json:"frame_rate,omitempty"`
	Duration  float64 `json:"duration,omitempty"` // seconds
	Bitrate   int64   `json:"bitrate,omitempty"`  // bits per second
}

// MediaFocus is a focal point, each coordinate in [-1, 1] (0,0 is the centre,
// y grows upwards), as in the Mastodon API.
type MediaFocus struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// MediaMeta is the metadata of a media attachment, shaped like a Mastodon
// MediaAttachment's meta object and stored as JSON.
type MediaMeta struct {
	Original *MediaSize `json:"original,omitempty"`
	Small    *MediaSize `json:"small,omitempty"`
	// Length is the duration of video and audio as H:MM:SS.ss.
	Length string `json:"length,omitempty"`
	// Duration is the duration of video and audio in seconds.
	Duration float64 `json:"duration,omitempty"`
	// FPS is the frame rate of video, rounded.
	FPS int `json:"fps,omitempty"`
	// AudioEncode, AudioBitrate and AudioChannels describe the audio track.
	AudioEncode   string `json:"audio_encode,omitempty"`
	AudioBitrate  string `json:"audio_bitrate,omitempty"`
	AudioChannels string `json:"audio_channels,omitempty"`
}

// Value implements driver.Valuer.
func (m MediaMeta) Value() (driver.Value, error) { return jsonValue(m) }

// Scan implements sql.Scanner.
func (m *MediaMeta) Scan(src any) error { return jsonScan(src, m) }

// MediaAttachment is an uploaded or remote media file and its renditions.
// The files themselves live in blob storage under FileKey (the processed
// original) and PreviewKey (a small image); the record holds what the
// Mastodon API and ActivityPub render.
type MediaAttachment struct {
	ID        ID `db:"id"`
	AccountID ID `db:"account_id"`
	// StatusID is the status the attachment belongs to; zero until
	// attached (see MediaAttachments.Attach).
	StatusID    ID         `db:"status_id"`
	Type        MediaType  `db:"type"`
	State       MediaState `db:"state"`
	FileKey     string     `db:"file_key"`
	PreviewKey  string     `db:"preview_key"`
	ContentType string     `db:"content_type"` // of the file under FileKey
	Size        int64      `db:"size"`         // bytes of the file under FileKey
	// RemoteURL is the origin of remote media (empty for local uploads).
	// Remote media whose files were pruned keep the record with empty keys.
	RemoteURL       string    `db:"remote_url"`
	Description     string    `db:"description"`
	FocusX          float64   `db:"focus_x"`
	FocusY          float64   `db:"focus_y"`
	Blurhash        string    `db:"blurhash"`
	Meta            MediaMeta `db:"meta"`
	ProcessingError string    `db:"processing_error"`
	CreatedAt       time.Time `db:"created_at"`
	UpdatedAt       time.Time `db:"updated_at"`
	// Purpose is MediaForStatus, or MediaAvatar/MediaHeader for profile
	// images (set at Create, never changed).
	Purpose MediaPurpose `db:"purpose"`
}

// MediaAttachments stores media attachment records (not their files).
type MediaAttachments interface {
	// Create inserts m. It assigns m.ID when zero, sets CreatedAt and
	// UpdatedAt when zero, and defaults Type to MediaUnknown and State to
	// MediaProcessing. AccountID is required.
	Create(ctx context.Context, m *MediaAttachment) error
	Get(ctx context.Context, id ID) (*MediaAttachment, error)
	// GetMany returns the attachments with the given IDs that exist, in ID
	// order.
	GetMany(ctx context.Context, ids []ID) ([]*MediaAttachment, error)
	// ByStatus returns the attachments of a status, in ID order.
	ByStatus(ctx context.Context, statusID ID) ([]*MediaAttachment, error)
	// Update writes every field of m but ID, AccountID, StatusID (which
	// only Attach changes) and CreatedAt, and sets UpdatedAt.
	Update(ctx context.Context, m *MediaAttachment) error
	Delete(ctx context.Context, id ID) error
	// Attach attaches the attachments ids to statusID, atomically: each
	// must belong to accountID (else ErrNotFound) and be unattached or
	// attached to statusID already (else ErrConflict); on error none is
	// attached. Profile images (Purpose not MediaForStatus) are not found.
	Attach(ctx context.Context, ids []ID, statusID, accountID ID) error
	// ListUnattached lists up to limit attachments for statuses
	// (Purpose MediaForStatus) not attached to any status and created
	// before olderThan, oldest first. Attachments reserved by a scheduled
	// status are not listed.
	ListUnattached(ctx context.Context, olderThan time.Time, limit int) ([]*MediaAttachment, error)
	// ListRemoteCached lists up to limit remote attachments (RemoteURL set,
	// whatever their Purpose) whose files are cached (FileKey or PreviewKey set) and that were
	// created before olderThan, oldest first.
	ListRemoteCached(ctx context.Context, olderThan time.Time, limit int) ([]*MediaAttachment, error)
	// CountRemoteCached counts what ListRemoteCached would list without a
	// limit.
	CountRemoteCached(ctx context.Context, olderThan time.Time) (int64, error)
}
