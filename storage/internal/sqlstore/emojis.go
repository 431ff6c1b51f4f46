package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/herd-social/herd/storage"
)

// CustomEmojis implements storage.Store.
func (s *Store) CustomEmojis() storage.CustomEmojis { return customEmojis{s} }

type customEmojis struct{ s *Store }

var (
	customEmojiCols       = selectList(&storage.CustomEmoji{}, "")
	customEmojiUpdateCols = []string{"uri", "image_url", "static_url", "image_key", "static_key", "content_type", "size",
		"category", "visible_in_picker", "disabled", "updated_at"}
)

func checkCustomEmoji(e *storage.CustomEmoji) error {
	if !storage.ValidShortcode(e.Shortcode) {
		return fmt.Errorf("custom emoji: shortcode %q: want 2 to 100 letters, digits or underscores: %w", e.Shortcode, storage.ErrInvalid)
	}
	if e.ImageURL == "" {
		return fmt.Errorf("custom emoji %q: image URL is required: %w", e.Shortcode, storage.ErrInvalid)
	}
	return nil
}

func (r customEmojis) Create(ctx context.Context, e *storage.CustomEmoji) error {
	if err := checkCustomEmoji(e); err != nil {
		return err
	}
	e.Domain = strings.ToLower(e.Domain)
	if e.ID == 0 {
		e.ID = r.s.NewID()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = r.s.now()
	}
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = e.CreatedAt
	}
	e.CreatedAt, e.UpdatedAt = norm(e.CreatedAt), norm(e.UpdatedAt)
	return r.s.wrap(r.s.insert(ctx, "custom_emojis", e), "create custom emoji %q", e.Shortcode)
}

func (r customEmojis) Get(ctx context.Context, id storage.ID) (*storage.CustomEmoji, error) {
	var e storage.CustomEmoji
	if err := r.s.get(ctx, &e, "SELECT "+customEmojiCols+" FROM custom_emojis WHERE id = ?", id); err != nil {
		return nil, r.s.wrap(err, "get custom emoji %s", id)
	}
	return &e, nil
}

func (r customEmojis) GetByShortcode(ctx context.Context, shortcode, domain string) (*storage.CustomEmoji, error) {
	var e storage.CustomEmoji
	err := r.s.get(ctx, &e, "SELECT "+customEmojiCols+" FROM custom_emojis WHERE domain = ? AND lower(shortcode) = ? AND shortcode = ?",
		strings.ToLower(domain), strings.ToLower(shortcode), shortcode)
	if err != nil {
		return nil, r.s.wrap(err, "get custom emoji %q@%q", shortcode, domain)
	}
	return &e, nil
}

func (r customEmojis) GetByShortcodes(ctx context.Context, domain string, shortcodes []string) ([]*storage.CustomEmoji, error) {
	out := []*storage.CustomEmoji{}
	if len(shortcodes) == 0 {
		return out, nil
	}
	lower := make([]string, len(shortcodes))
	want := make(map[string]bool, len(shortcodes))
	for i, sc := range shortcodes {
		lower[i] = strings.ToLower(sc)
		want[sc] = true
	}
	var rows []*storage.CustomEmoji
	err := r.s.sel(ctx, &rows, "SELECT "+customEmojiCols+" FROM custom_emojis WHERE domain = ? AND lower(shortcode) IN (?)",
		strings.ToLower(domain), lower)
	if err != nil {
		return nil, r.s.wrap(err, "get custom emojis of %q", domain)
	}
	for _, e := range rows {
		if want[e.Shortcode] {
			out = append(out, e)
		}
	}
	return out, nil
}

func (r customEmojis) List(ctx context.Context, f storage.CustomEmojiFilter) ([]*storage.CustomEmoji, error) {
	q := "SELECT " + customEmojiCols + " FROM custom_emojis WHERE domain = ?"
	args := []any{strings.ToLower(f.Domain)}
	if f.EnabledOnly {
		q += " AND disabled = ?"
		args = append(args, false)
	}
	out := []*storage.CustomEmoji{}
	if err := r.s.sel(ctx, &out, q+" ORDER BY shortcode, id", args...); err != nil {
		return nil, r.s.wrap(err, "list custom emojis")
	}
	return out, nil
}

func (r customEmojis) Update(ctx context.Context, e *storage.CustomEmoji) error {
	if err := checkCustomEmoji(e); err != nil {
		return err
	}
	e.UpdatedAt = norm(r.s.now())
	return r.s.wrap(r.s.update(ctx, "custom_emojis", "id", e, customEmojiUpdateCols), "update custom emoji %s", e.ID)
}

func (r customEmojis) Delete(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM custom_emojis WHERE id = ?", id), "delete custom emoji %s", id)
}
