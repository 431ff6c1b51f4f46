package federation

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/storage"
)

// CustomEmojiToObject renders a local custom emoji as the Emoji object
// (Mastodon's toot:Emoji) served at its id and embedded in the tag of
// Notes and actors that use it: id, ":shortcode:" as name, updated, and
// an Image icon with its media type and URL.
func CustomEmojiToObject(e *storage.CustomEmoji) *ap.Object {
	icon := imageObject(e.ImageURL)
	if e.ContentType != "" {
		icon.MediaType = e.ContentType
	}
	return &ap.Object{ID: e.URI, Type: ap.TypeEmoji, Name: ":" + e.Shortcode + ":", Updated: e.UpdatedAt,
		Icon: ap.Refs{ap.Embed(icon)}}
}

// EmojiLookup finds a custom emoji by ID; storage.CustomEmojis is one.
type EmojiLookup interface {
	Get(ctx context.Context, id storage.ID) (*storage.CustomEmoji, error)
}

// EmojiHandler serves the Emoji objects of local custom emojis at their
// ids (GET /emojis/{id}, path wildcard "id"), as Mastodon does. Remote and
// disabled emojis answer 404. It serves ActivityPub JSON whatever the
// Accept header says: an emoji has no HTML page.
func EmojiHandler(emojis EmojiLookup, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := storage.ParseID(r.PathValue("id"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		e, err := emojis.Get(r.Context(), id)
		if err != nil {
			if !errors.Is(err, storage.ErrNotFound) {
				log.Error("serve emoji", "id", id, "err", err)
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			http.NotFound(w, r)
			return
		}
		if e.Domain != "" || e.Disabled {
			http.NotFound(w, r)
			return
		}
		writeActivityJSON(w, CustomEmojiToObject(e), "max-age=3600, public")
	})
}
