package mastoapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/timeline"
)

// Announcement is the Mastodon Announcement entity.
type Announcement struct {
	ID          string                `json:"id"`
	Content     string                `json:"content"`
	StartsAt    *Time                 `json:"starts_at"`
	EndsAt      *Time                 `json:"ends_at"`
	AllDay      bool                  `json:"all_day"`
	Published   bool                  `json:"published"`
	PublishedAt Time                  `json:"published_at"`
	UpdatedAt   Time                  `json:"updated_at"`
	Read        *bool                 `json:"read,omitempty"` // only for a signed-in viewer
	Mentions    []AnnouncementAccount `json:"mentions"`
	Statuses    []AnnouncementStatus  `json:"statuses"`
	Tags        []StatusTag           `json:"tags"`
	Emojis      []CustomEmoji         `json:"emojis"`
	Reactions   []Reaction            `json:"reactions"`
}

// AnnouncementAccount is an account mentioned in an announcement.
type AnnouncementAccount struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	URL      string `json:"url"`
	Acct     string `json:"acct"`
}

// AnnouncementStatus is a status linked in an announcement.
type AnnouncementStatus struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// Reaction is the Mastodon Reaction entity (a unicode emoji here: custom
// emojis do not exist yet, so url and static_url never appear).
type Reaction struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
	Me    *bool  `json:"me,omitempty"` // only for a signed-in viewer
	// URL and StaticURL are set when the reaction is a custom emoji.
	URL       *string `json:"url,omitempty"`
	StaticURL *string `json:"static_url,omitempty"`
}

// AnnouncementText renders an announcement's plain text as HTML: escaped,
// paragraphs at blank lines, line breaks within them.
func AnnouncementText(text string) string {
	text = strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n")
	var b strings.Builder
	for _, para := range strings.Split(text, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

// AnnouncementToAPI converts a stored announcement with its reactions to
// the entity. viewer reports whether a user is signed in (read and me are
// shown then); read says whether they dismissed it.
func AnnouncementToAPI(a *storage.Announcement, reactions []storage.AnnouncementReaction, viewer, read bool) *Announcement {
	out := &Announcement{ID: a.ID.String(), Content: AnnouncementText(a.Text), StartsAt: TimePtr(a.StartsAt), EndsAt: TimePtr(a.EndsAt),
		Published: a.Published, UpdatedAt: Time(a.UpdatedAt), Mentions: []AnnouncementAccount{}, Statuses: []AnnouncementStatus{},
		Tags: []StatusTag{}, Emojis: []CustomEmoji{}, Reactions: []Reaction{}}
	out.AllDay = a.AllDay && (a.StartsAt != nil || a.EndsAt != nil)
	if a.PublishedAt != nil {
		out.PublishedAt = Time(*a.PublishedAt)
	} else {
		out.PublishedAt = Time(a.CreatedAt)
	}
	if viewer {
		out.Read = &read
	}
	for _, r := range reactions {
		x := Reaction{Name: r.Name, Count: r.Count}
		if viewer {
			me := r.Me
			x.Me = &me
		}
		out.Reactions = append(out.Reactions, x)
	}
	return out
}

func (a *API) registerAnnouncementRoutes() {
	user := func(scopes ...string) RouteOptions { return RouteOptions{Auth: AuthUser, Scopes: scopes} }
	const one = "/api/v1/announcements/{id:[0-9]+}"
	a.Handle(http.MethodPost, one+"/dismiss", user("write:accounts"), a.dismissAnnouncement)
	a.Handle(http.MethodPut, one+"/reactions/{name}", user("write:favourites"), a.reactToAnnouncement(true))
	a.Handle(http.MethodDelete, one+"/reactions/{name}", user("write:favourites"), a.reactToAnnouncement(false))
}

// listAnnouncements answers the published announcements that have not
// ended, oldest first, with the viewer's read marks and reactions.
func (a *API) listAnnouncements(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	viewer := AuthOf(r).Account
	list, err := a.store.Announcements().List(ctx, true, a.now())
	if err != nil {
		return err
	}
	ids := make([]storage.ID, len(list))
	for i, x := range list {
		ids[i] = x.ID
	}
	reactions, err := a.store.Announcements().Reactions(ctx, ids, viewer.ID)
	if err != nil {
		return err
	}
	read, err := a.store.Announcements().Dismissed(ctx, viewer.ID, ids)
	if err != nil {
		return err
	}
	out := make([]*Announcement, 0, len(list))
	for _, x := range list {
		out = append(out, AnnouncementToAPI(x, reactions[x.ID], true, read[x.ID]))
	}
	if err := a.reactionEmojis(ctx, out...); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) dismissAnnouncement(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.store.Announcements().Dismiss(r.Context(), id, AuthOf(r).Account.ID); err != nil {
		return announcementError(err)
	}
	WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

// reactToAnnouncement adds (PUT) or removes (DELETE) the viewer's reaction
// and streams the new count to every user stream.
func (a *API) reactToAnnouncement(add bool) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		name := mux.Vars(r)["name"]
		ctx := r.Context()
		if add && !IsUnicodeEmoji(name) {
			e, err := a.localEmoji(ctx, name)
			if err != nil {
				return err
			}
			if e == nil {
				return validationError("Name is not a recognized emoji")
			}
		}
		an := a.store.Announcements()
		var count int64
		if add {
			count, err = an.React(ctx, id, AuthOf(r).Account.ID, name)
		} else {
			if len(name) == 0 || len(name) > 100 {
				return ErrRecordNotFound
			}
			count, err = an.Unreact(ctx, id, AuthOf(r).Account.ID, name)
		}
		if err != nil {
			return announcementError(err)
		}
		a.publishReaction(ctx, id, name, count)
		WriteJSON(w, http.StatusOK, struct{}{})
		return nil
	}
}

// publishReaction streams an announcement.reaction event (when a hub is
// configured).
func (a *API) publishReaction(ctx context.Context, id storage.ID, name string, count int64) {
	if a.hub == nil {
		return
	}
	data, _ := json.Marshal(struct {
		Name           string `json:"name"`
		Count          int64  `json:"count"`
		AnnouncementID string `json:"announcement_id"`
	}{name, count, id.String()})
	msg := timeline.Message{Channel: streaming.ChannelAnnouncements, Event: streaming.EventAnnouncementReaction, Data: string(data)}
	if err := a.hub.Publish(context.WithoutCancel(ctx), msg); err != nil {
		a.log.Warn("mastoapi: stream announcement reaction", "announcement", id, "err", err)
	}
}

func announcementError(err error) error {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return ErrRecordNotFound
	case errors.Is(err, storage.ErrInvalid):
		return validationError("Name is not a recognized emoji")
	}
	return err
}

// RenderAnnouncementJSON renders announcement id as the viewer-less
// entity streamed in "announcement" events (as Mastodon: no read marks,
// no "me"), or returns storage.ErrNotFound.
func (a *API) RenderAnnouncementJSON(ctx context.Context, id storage.ID) ([]byte, error) {
	x, err := a.store.Announcements().Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !x.Published {
		return nil, storage.ErrNotFound
	}
	reactions, err := a.store.Announcements().Reactions(ctx, []storage.ID{id}, 0)
	if err != nil {
		return nil, fmt.Errorf("render announcement %s: %w", id, err)
	}
	out := AnnouncementToAPI(x, reactions[id], false, false)
	if err := a.reactionEmojis(ctx, out); err != nil {
		return nil, fmt.Errorf("render announcement %s: %w", id, err)
	}
	return json.Marshal(out)
}

// IsUnicodeEmoji reports whether s is one emoji (possibly a sequence
// joined by zero-width joiners, with variation selectors, skin tones,
// keycaps, flags or tags) — what a reaction may be while the server has no
// custom emojis.
func IsUnicodeEmoji(s string) bool {
	if s == "" || len(s) > 64 || !utf8.ValidString(s) {
		return false
	}
	rs := []rune(s)
	pictographs := 0
	for i, r := range rs {
		switch {
		case isPictograph(r):
			pictographs++
		case r == 0x200D || r == 0xFE0F || r == 0xFE0E || r == 0x20E3 || (r >= 0x1F3FB && r <= 0x1F3FF) || (r >= 0xE0020 && r <= 0xE007F):
			// joiners, variation selectors, keycap, skin tones, tags
		case (r >= '0' && r <= '9') || r == '#' || r == '*':
			// a keycap base: must be followed by FE0F and/or 20E3
			if i+1 >= len(rs) || (rs[i+1] != 0xFE0F && rs[i+1] != 0x20E3) {
				return false
			}
			pictographs++
		default:
			return false
		}
	}
	return pictographs > 0
}

// isPictograph approximates Unicode's emoji presentation characters.
func isPictograph(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF: // mahjong … symbols and pictographs extended-A (incl. regional indicators)
		return r < 0x1F3FB || r > 0x1F3FF
	case r >= 0x2600 && r <= 0x27BF: // miscellaneous symbols, dingbats
		return true
	case r >= 0x2190 && r <= 0x21FF, r >= 0x2300 && r <= 0x23FF, r >= 0x25A0 && r <= 0x25FF, r >= 0x2900 && r <= 0x297F,
		r >= 0x2B00 && r <= 0x2BFF:
		return true
	}
	switch r {
	case 0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x24C2, 0x3030, 0x303D, 0x3297, 0x3299:
		return true
	}
	return false
}
