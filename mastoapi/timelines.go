package mastoapi

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// Timelines: 20 statuses by default, at most 40, as on Mastodon.
const (
	defaultStatusesLimit = 20
	maxStatusesLimit     = 40
)

func (a *API) homeTimeline(w http.ResponseWriter, r *http.Request) error {
	r = sharingRecords(r)
	r = inFilterContext(r, storage.FilterHome)
	pg, err := ParamsOf(r).Page(defaultStatusesLimit, maxStatusesLimit)
	if err != nil {
		return err
	}
	page, err := a.svc.HomePage(r.Context(), AuthOf(r).Account, pg)
	if err != nil {
		return err
	}
	return a.writePage(w, r, page, pg.Limit)
}

func (a *API) publicTimeline(w http.ResponseWriter, r *http.Request) error {
	r = sharingRecords(r)
	r = inFilterContext(r, storage.FilterPublic)
	p := ParamsOf(r)
	pg, err := p.Page(defaultStatusesLimit, maxStatusesLimit)
	if err != nil {
		return err
	}
	f := storage.PublicFilter{LocalOnly: p.Bool("local", false), RemoteOnly: p.Bool("remote", false), OnlyMedia: p.Bool("only_media", false)}
	if f.LocalOnly && f.RemoteOnly {
		return a.writeStatuses(w, r, nil, pg.Limit)
	}
	page, err := a.svc.PublicPage(r.Context(), viewerOf(r), f, pg)
	if err != nil {
		return err
	}
	return a.writePage(w, r, page, pg.Limit)
}

// tagNames cleans hashtag names given as parameters (without #).
func tagNames(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' }) {
			if t = strings.TrimPrefix(t, "#"); t != "" && len(t) <= 100 {
				out = append(out, strings.ToLower(t))
			}
		}
	}
	return out
}

// maxTagTerms bounds any[], all[] and none[].
const maxTagTerms = 4

func (a *API) tagTimeline(w http.ResponseWriter, r *http.Request) error {
	r = sharingRecords(r)
	r = inFilterContext(r, storage.FilterPublic)
	p := ParamsOf(r)
	pg, err := p.Page(defaultStatusesLimit, maxStatusesLimit)
	if err != nil {
		return err
	}
	tag := strings.ToLower(strings.TrimPrefix(mux.Vars(r)["hashtag"], "#"))
	if tag == "" || len(tag) > 100 {
		return ErrRecordNotFound
	}
	q := social.TagQuery{Tag: tag, Any: tagNames(p.Strings("any")), All: tagNames(p.Strings("all")),
		None: tagNames(p.Strings("none")), LocalOnly: p.Bool("local", false), OnlyMedia: p.Bool("only_media", false)}
	if len(q.Any) > maxTagTerms || len(q.All) > maxTagTerms || len(q.None) > maxTagTerms {
		return validationError("Too many hashtags (at most 4 in any, all and none)")
	}
	if p.Bool("remote", false) && q.LocalOnly {
		return a.writeStatuses(w, r, nil, pg.Limit)
	}
	page, err := a.svc.TagPage(r.Context(), viewerOf(r), q, pg)
	if err != nil {
		return err
	}
	if p.Bool("remote", false) {
		kept := page.Statuses[:0]
		for _, st := range page.Statuses {
			if !st.Local {
				kept = append(kept, st)
			}
		}
		page.Statuses = kept
	}
	return a.writePage(w, r, page, pg.Limit)
}

func (a *API) accountStatuses(w http.ResponseWriter, r *http.Request) error {
	r = sharingRecords(r)
	r = inFilterContext(r, storage.FilterAccount)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := ParamsOf(r)
	pg, err := p.Page(defaultStatusesLimit, maxStatusesLimit)
	if err != nil {
		return err
	}
	f := social.AccountStatusesFilter{ExcludeReplies: p.Bool("exclude_replies", false), ExcludeReblogs: p.Bool("exclude_reblogs", false),
		OnlyMedia: p.Bool("only_media", false), Pinned: p.Bool("pinned", false), Tagged: strings.ToLower(strings.TrimPrefix(p.String("tagged"), "#"))}
	page, err := a.svc.AccountStatusesPage(r.Context(), viewerOf(r), id, f, pg)
	if err != nil {
		return err
	}
	if f.Pinned {
		return a.writePage(w, r, page, 0) // pins are not paged
	}
	return a.writePage(w, r, page, pg.Limit)
}

// sharingRecords marks r's context with storage.WithSharedRecords: the
// timeline handlers only read and render the records they load, so the
// store may hand them its cached records instead of copies.
func sharingRecords(r *http.Request) *http.Request {
	return r.WithContext(storage.WithSharedRecords(r.Context()))
}

// writePage renders a timeline page with the records social loaded for it
// and writes it with its Link header (none when limit is 0).
func (a *API) writePage(w http.ResponseWriter, r *http.Request, page *social.Page, limit int) error {
	return a.writeStatusesJSON(w, r, viewerOf(r), page.Statuses, page, func() {
		if limit > 0 {
			setPageLinksOf(a, w, r, page.Statuses, limit, statusID)
		}
	})
}

// statusPageFunc reads one page of a status listing ordered by another
// record (favourites, bookmarks).
type statusPageFunc func(r *http.Request, p storage.Page) ([]social.StatusEntry, error)

func (a *API) statusListing(list statusPageFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		pg, err := ParamsOf(r).Page(defaultStatusesLimit, maxStatusesLimit)
		if err != nil {
			return err
		}
		entries, err := list(r, pg)
		if err != nil {
			return err
		}
		sts := mapEach(entries, func(e social.StatusEntry) *storage.Status { return e.Status })
		out, err := a.renderStatuses(r.Context(), viewerOf(r), sts)
		if err != nil {
			return err
		}
		return writeRendered(a, w, r, entries, pg.Limit, func(e social.StatusEntry) storage.ID { return e.Cursor }, out)
	}
}
