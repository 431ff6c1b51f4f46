package mastoapi

import (
	"html"
	"net/http"
	"net/url"
	"strings"

	"github.com/herd-social/herd/storage"
)

// OEmbed is the oEmbed response of GET /api/oembed (type rich).
type OEmbed struct {
	Type         string  `json:"type"`
	Version      string  `json:"version"`
	Title        string  `json:"title"`
	AuthorName   string  `json:"author_name"`
	AuthorURL    string  `json:"author_url"`
	ProviderName string  `json:"provider_name"`
	ProviderURL  string  `json:"provider_url"`
	CacheAge     int     `json:"cache_age"`
	HTML         string  `json:"html"`
	Width        int     `json:"width"`
	Height       *string `json:"height"`
}

// oembedStatusID returns the ID of the local status u addresses: its page
// (/@user/ID) or its ActivityPub id (/users/user/statuses/ID) on this
// server, and the username in it.
func (a *API) oembedStatusID(raw string) (storage.ID, string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || !strings.EqualFold(u.Host, a.urls.Host()) || (u.Scheme != "http" && u.Scheme != "https") {
		return 0, "", false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	var user, id string
	switch {
	case len(parts) == 2 && strings.HasPrefix(parts[0], "@"):
		user, id = parts[0][1:], parts[1]
	case len(parts) == 4 && parts[0] == "users" && parts[2] == "statuses":
		user, id = parts[1], parts[3]
	default:
		return 0, "", false
	}
	sid, err := storage.ParseID(id)
	if err != nil || sid == 0 || user == "" {
		return 0, "", false
	}
	return sid, user, true
}

// oembed serves GET /api/oembed?url=: the embed of a public or unlisted
// local status, a blockquote with its content and a link to it; 404 for
// any other URL.
func (a *API) oembed(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	width, err := p.Int("maxwidth", 400)
	if err != nil {
		return err
	}
	if width <= 0 || width > 10000 {
		width = 400
	}
	id, user, ok := a.oembedStatusID(p.String("url"))
	if !ok {
		return ErrRecordNotFound
	}
	st, err := a.svc.GetStatus(r.Context(), nil, id)
	if err != nil {
		return err
	}
	if !st.Local || st.ReblogOfID != 0 {
		return ErrRecordNotFound
	}
	acct, err := a.store.Accounts().Get(r.Context(), st.AccountID)
	if err != nil {
		return err
	}
	if !strings.EqualFold(acct.Username, user) || acct.SuspendedAt != nil {
		return ErrRecordNotFound
	}
	page := a.urls.StatusPage(acct.Username, st.ID)
	name := acct.DisplayName
	if name == "" {
		name = acct.Username
	}
	var b strings.Builder
	b.WriteString(`<blockquote class="mastodon-embed" style="max-width: 540px; min-width: 270px; margin: 0 auto;">`)
	if st.SpoilerText != "" {
		b.WriteString("<p>" + html.EscapeString(st.SpoilerText) + "</p>")
	} else {
		b.WriteString(st.Content) // sanitized when stored
	}
	b.WriteString(`<p>— ` + html.EscapeString(name) + ` (@` + html.EscapeString(acct.Acct()) + `) <a href="` + html.EscapeString(page) +
		`" target="_blank" rel="noopener">` + html.EscapeString(page) + `</a></p></blockquote>`)
	WriteJSON(w, http.StatusOK, OEmbed{
		Type: "rich", Version: "1.0", Title: "New status by " + acct.Username,
		AuthorName: name, AuthorURL: a.urls.Profile(acct.Username),
		ProviderName: a.urls.Host(), ProviderURL: a.urls.Base() + "/",
		CacheAge: 86400, HTML: b.String(), Width: int(width),
	})
	return nil
}
