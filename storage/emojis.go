package storage

import (
	"context"
	"regexp"
	"time"
)

// CustomEmoji is a custom emoji: a local one an administrator added (Domain
// "", its image stored in the media blobs under ImageKey and StaticKey) or
// a remote one seen on a post or a profile (Domain set, its images where
// the remote server keeps them). Shortcodes are case-sensitive, as on
// Mastodon, but unique per domain compared case-insensitively.
type CustomEmoji struct {
	ID        ID     `db:"id"`
	Shortcode string `db:"shortcode"`
	// Domain is "" for a local emoji, the remote server's host otherwise.
	Domain string `db:"domain"`
	// URI is the ActivityPub id of the Emoji object.
	URI string `db:"uri"`
	// ImageURL is the image as uploaded (possibly animated), StaticURL a
	// still PNG version (the image itself for remote emojis).
	ImageURL  string `db:"image_url"`
	StaticURL string `db:"static_url"`
	// ImageKey and StaticKey are the blob keys of a local emoji's files.
	ImageKey    string `db:"image_key"`
	StaticKey   string `db:"static_key"`
	ContentType string `db:"content_type"`
	Size        int64  `db:"size"`
	// Category groups emojis in clients' pickers ("" for none).
	Category        string    `db:"category"`
	VisibleInPicker bool      `db:"visible_in_picker"`
	Disabled        bool      `db:"disabled"`
	CreatedAt       time.Time `db:"created_at"`
	UpdatedAt       time.Time `db:"updated_at"`
}

var shortcodeRE = regexp.MustCompile(`^[A-Za-z0-9_]{2,100}$`)

// ValidShortcode reports whether s is a valid custom emoji shortcode: 2 to
// 100 ASCII letters, digits and underscores (without the colons).
func ValidShortcode(s string) bool { return shortcodeRE.MatchString(s) }

// CustomEmojiFilter narrows a listing of custom emojis.
type CustomEmojiFilter struct {
	// Domain selects the emojis of one domain ("" local ones).
	Domain string
	// EnabledOnly leaves out disabled emojis.
	EnabledOnly bool
}

// CustomEmojis stores custom emojis, local and remote; (shortcode, domain)
// is unique, shortcodes compared case-insensitively.
type CustomEmojis interface {
	// Create inserts e (ID and timestamps set when zero). An invalid
	// shortcode gives ErrInvalid, one taken on e.Domain ErrConflict.
	Create(ctx context.Context, e *CustomEmoji) error
	Get(ctx context.Context, id ID) (*CustomEmoji, error)
	// GetByShortcode finds the emoji with exactly this shortcode (case
	// matters) on domain ("" local).
	GetByShortcode(ctx context.Context, shortcode, domain string) (*CustomEmoji, error)
	// GetByShortcodes returns the emojis of domain whose shortcode is one
	// of shortcodes (exact case), in no particular order; unknown ones are
	// left out.
	GetByShortcodes(ctx context.Context, domain string, shortcodes []string) ([]*CustomEmoji, error)
	// List returns the emojis matching f, ordered by shortcode.
	List(ctx context.Context, f CustomEmojiFilter) ([]*CustomEmoji, error)
	// Update writes uri, the image fields, category, visible_in_picker
	// and disabled, and sets UpdatedAt.
	Update(ctx context.Context, e *CustomEmoji) error
	Delete(ctx context.Context, id ID) error
}
