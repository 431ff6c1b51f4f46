package mastoapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// viewerOf returns the signed-in account of a request, nil when anonymous
// or app-only.
func viewerOf(r *http.Request) *storage.Account {
	if au := AuthOf(r); au != nil {
		return au.Account
	}
	return nil
}

// writeStatus renders one status and writes it.
func (a *API) writeStatus(w http.ResponseWriter, r *http.Request, st *storage.Status, withText bool) error {
	out, err := a.renderStatus(r.Context(), viewerOf(r), st, withText)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// writeStatuses renders a page of statuses and writes it, with Link
// headers when limit > 0 (the cursors are the status IDs).
func (a *API) writeStatuses(w http.ResponseWriter, r *http.Request, sts []*storage.Status, limit int) error {
	out, err := a.renderStatuses(r.Context(), viewerOf(r), sts)
	if err != nil {
		return err
	}
	if limit > 0 {
		setPageLinksOf(a, w, r, sts, limit, statusID)
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// errInReplyNotFound is Mastodon's answer to a reply to an unknown status.
var errInReplyNotFound = NewError(http.StatusNotFound, "The post you are trying to reply to does not appear to exist.")

// mediaIDs reads media_ids[], without duplicates, in order. Without
// Options.Media a non-empty list is a 422, as Mastodon answers unknown IDs;
// with it the IDs are checked by checkStatusMedia.
func (a *API) mediaIDs(p *Params) ([]storage.ID, error) {
	var ids []storage.ID
	seen := map[storage.ID]bool{}
	for _, s := range p.Strings("media_ids") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		id, err := storage.ParseID(s)
		if err != nil {
			return nil, validationError("Media attachments are invalid")
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 && a.media == nil {
		return nil, validationError("Media attachments are invalid")
	}
	return ids, nil
}

func (a *API) createStatus(w http.ResponseWriter, r *http.Request) error {
	au, p := AuthOf(r), ParamsOf(r)
	media, err := a.mediaIDs(p)
	if err != nil {
		return err
	}
	if err := a.checkStatusMedia(r.Context(), au.Account, media, 0); err != nil {
		return err
	}
	in := social.PostInput{
		Text:          p.String("status"),
		SpoilerText:   p.String("spoiler_text"),
		Sensitive:     p.BoolPtr("sensitive"),
		Visibility:    storage.Visibility(p.String("visibility")),
		Language:      p.String("language"),
		MediaIDs:      media,
		ApplicationID: au.Token.ApplicationID,
	}
	if in.Poll, err = pollInput(p); err != nil {
		return err
	}
	if in.InReplyToID, err = p.ID("in_reply_to_id"); err != nil {
		return err
	}
	if in.InReplyToID != 0 {
		if _, err := a.svc.GetStatus(r.Context(), au.Account, in.InReplyToID); err != nil {
			if errors.Is(err, social.ErrNotFound) {
				return errInReplyNotFound
			}
			return err
		}
	}
	if s := strings.TrimSpace(p.String("scheduled_at")); s != "" {
		return a.scheduleStatus(w, r, in, s)
	}
	st, err := a.svc.PostStatus(r.Context(), au.Account, in)
	if err != nil {
		return err
	}
	return a.writeStatus(w, r, st, false)
}

func (a *API) showStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	st, err := a.svc.GetStatus(r.Context(), viewerOf(r), id)
	if err != nil {
		return err
	}
	return a.writeStatus(w, r, st, false)
}

// maxStatusIDs bounds GET /api/v1/statuses?id[]=…: further IDs are ignored.
const maxStatusIDs = 40

func (a *API) listStatuses(w http.ResponseWriter, r *http.Request) error {
	var ids []storage.ID
	for _, s := range ParamsOf(r).Strings("id") {
		id, err := storage.ParseID(s)
		if err != nil {
			continue // an ID that cannot exist is not found
		}
		ids = append(ids, id)
	}
	if len(ids) > maxStatusIDs {
		ids = ids[:maxStatusIDs]
	}
	sts, err := a.svc.GetStatuses(r.Context(), viewerOf(r), ids)
	if err != nil {
		return err
	}
	return a.writeStatuses(w, r, sts, 0)
}

func (a *API) deleteStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	au := AuthOf(r)
	// Render before deleting: the rendered status keeps its counters.
	st, err := a.svc.GetStatus(r.Context(), au.Account, id)
	if err != nil {
		return err
	}
	if st.AccountID != au.Account.ID {
		return ErrNotAllowed
	}
	out, err := a.renderStatus(r.Context(), au.Account, st, true)
	if err != nil {
		return err
	}
	if _, err := a.svc.DeleteStatus(r.Context(), au.Account, id); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) editStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	au, p := AuthOf(r), ParamsOf(r)
	cur, err := a.svc.GetStatus(r.Context(), au.Account, id)
	if err != nil {
		return err
	}
	if cur.AccountID != au.Account.ID {
		return ErrNotAllowed
	}
	// Absent parameters keep the current values, as on Mastodon.
	in := social.EditInput{Text: cur.Text, SpoilerText: cur.SpoilerText, Sensitive: cur.Sensitive,
		Language: p.String("language"), MediaIDs: cur.MediaIDs}
	if s, ok := p.Lookup("status"); ok {
		in.Text = s
	}
	if s, ok := p.Lookup("spoiler_text"); ok {
		in.SpoilerText = s
	}
	if b := p.BoolPtr("sensitive"); b != nil {
		in.Sensitive = *b
	}
	// As on Mastodon, an edit without poll removes the poll.
	if in.Poll, err = pollInput(p); err != nil {
		return err
	}
	if p.Has("media_ids") {
		if in.MediaIDs, err = a.mediaIDs(p); err != nil {
			return err
		}
		if err := a.checkStatusMedia(r.Context(), au.Account, in.MediaIDs, id); err != nil {
			return err
		}
	}
	if in.MediaAttributes, err = a.mediaAttributes(p); err != nil {
		return err
	}
	st, err := a.svc.EditStatus(r.Context(), au.Account, id, in)
	if err != nil {
		return err
	}
	return a.writeStatus(w, r, st, false)
}

func (a *API) statusContext(w http.ResponseWriter, r *http.Request) error {
	r = inFilterContext(r, storage.FilterThread)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	viewer := viewerOf(r)
	c, err := a.svc.Context(r.Context(), viewer, id)
	if err != nil {
		return err
	}
	all := append(append([]*storage.Status{}, c.Ancestors...), c.Descendants...)
	rendered, err := a.renderStatuses(r.Context(), viewer, all)
	if err != nil {
		return err
	}
	out := &Context{Ancestors: []*Status{}, Descendants: []*Status{}}
	anc := map[string]bool{}
	for _, st := range c.Ancestors {
		anc[st.ID.String()] = true
	}
	for _, s := range rendered {
		if anc[s.ID] {
			out.Ancestors = append(out.Ancestors, s)
		} else {
			out.Descendants = append(out.Descendants, s)
		}
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// statusAction adapts a social action on a status to a handler that
// answers the status it returns.
func (a *API) statusAction(act func(r *http.Request, actor *storage.Account, id storage.ID) (*storage.Status, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		st, err := act(r, AuthOf(r).Account, id)
		if err != nil {
			return err
		}
		return a.writeStatus(w, r, st, false)
	}
}

func (a *API) reblogStatus(r *http.Request, actor *storage.Account, id storage.ID) (*storage.Status, error) {
	vis := storage.Visibility(ParamsOf(r).String("visibility"))
	return a.svc.Reblog(r.Context(), actor, id, social.ReblogInput{Visibility: vis})
}

func (a *API) statusHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	edits, err := a.svc.History(r.Context(), viewerOf(r), id)
	if err != nil {
		return err
	}
	accounts := map[storage.ID]*Account{}
	var ids []storage.ID
	for _, e := range edits {
		ids = append(ids, e.AccountID)
	}
	if err := a.loadAccounts(r.Context(), unique(ids), accounts); err != nil {
		return err
	}
	out := make([]*StatusEdit, 0, len(edits))
	for _, e := range edits {
		if acct := accounts[e.AccountID]; acct != nil {
			out = append(out, StatusEditToAPI(e, acct))
		}
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) statusSource(w http.ResponseWriter, r *http.Request) error {
	return serveOwned(w, r, a.svc.Source, StatusSourceToAPI)
}

// accountPageFunc reads one page of an account listing.
type accountPageFunc func(r *http.Request, p storage.Page) ([]social.AccountEntry, error)

// accountListing adapts a paged account listing (cursor: the record that
// orders it) to a handler with Link headers.
func (a *API) accountListing(list accountPageFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		pg, err := ParamsOf(r).Page(40, storage.MaxLimit)
		if err != nil {
			return err
		}
		entries, err := list(r, pg)
		if err != nil {
			return err
		}
		return a.writeAccountEntries(w, r, entries, pg.Limit)
	}
}

func (a *API) writeAccountEntries(w http.ResponseWriter, r *http.Request, entries []social.AccountEntry, limit int) error {
	return writePaged(a, w, r, entries, limit, func(e social.AccountEntry) *Account { return AccountToAPI(e.Account, a.urls) }, accountCursor)
}

func (a *API) favouritedBy(r *http.Request, p storage.Page) ([]social.AccountEntry, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return a.svc.FavouritedBy(r.Context(), viewerOf(r), id, p)
}

func (a *API) rebloggedBy(r *http.Request, p storage.Page) ([]social.AccountEntry, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return a.svc.RebloggedBy(r.Context(), viewerOf(r), id, p)
}

func pathVar(r *http.Request, name string) string { return mux.Vars(r)[name] }
