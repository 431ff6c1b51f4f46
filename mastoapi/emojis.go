package mastoapi

import (
	"context"
	"net/http"
	"sort"

	"github.com/herd-social/herd/storage"
)

// CustomEmojiToAPI converts a stored local custom emoji to the entity
// GET /api/v1/custom_emojis lists.
func CustomEmojiToAPI(e *storage.CustomEmoji) CustomEmoji {
	static := e.StaticURL
	if static == "" {
		static = e.ImageURL
	}
	out := CustomEmoji{Shortcode: e.Shortcode, URL: e.ImageURL, StaticURL: static, VisibleInPicker: e.VisibleInPicker}
	if e.Category != "" {
		c := e.Category
		out.Category = &c
	}
	return out
}

// customEmojis answers the enabled local custom emojis, by shortcode
// (public, as on Mastodon).
func (a *API) customEmojis(w http.ResponseWriter, r *http.Request) error {
	list, err := a.store.CustomEmojis().List(r.Context(), storage.CustomEmojiFilter{EnabledOnly: true})
	if err != nil {
		return err
	}
	out := make([]CustomEmoji, 0, len(list))
	for _, e := range list {
		out = append(out, CustomEmojiToAPI(e))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Shortcode < out[j].Shortcode })
	w.Header().Set("Cache-Control", "public, max-age=60")
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// localEmoji finds the enabled local custom emoji a reaction names, or
// nil.
func (a *API) localEmoji(ctx context.Context, name string) (*storage.CustomEmoji, error) {
	if !storage.ValidShortcode(name) {
		return nil, nil
	}
	found, err := a.store.CustomEmojis().GetByShortcodes(ctx, "", []string{name})
	if err != nil {
		return nil, err
	}
	for _, e := range found {
		if !e.Disabled {
			return e, nil
		}
	}
	return nil, nil
}

// reactionEmojis sets url and static_url on the reactions that name a
// local custom emoji (still enabled or not: the reaction was accepted).
func (a *API) reactionEmojis(ctx context.Context, list ...*Announcement) error {
	var names []string
	seen := map[string]bool{}
	for _, an := range list {
		for _, r := range an.Reactions {
			if !seen[r.Name] && storage.ValidShortcode(r.Name) {
				seen[r.Name] = true
				names = append(names, r.Name)
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	found, err := a.store.CustomEmojis().GetByShortcodes(ctx, "", names)
	if err != nil {
		return err
	}
	by := make(map[string]CustomEmoji, len(found))
	for _, e := range found {
		by[e.Shortcode] = CustomEmojiToAPI(e)
	}
	for _, an := range list {
		for i := range an.Reactions {
			if e, ok := by[an.Reactions[i].Name]; ok {
				u, s := e.URL, e.StaticURL
				an.Reactions[i].URL, an.Reactions[i].StaticURL = &u, &s
			}
		}
	}
	return nil
}
