package mastoapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/herd-social/herd/storage"
)

// LinkHeader builds a Mastodon pagination Link header for a listing served
// at path with query q: rel="next" pages to older records (max_id=nextMaxID)
// and rel="prev" to newer ones (min_id=prevMinID); a zero ID leaves that
// link out. Other query parameters are kept (but not access_token nor the
// cursors being replaced), and the URLs are absolute under base.
func LinkHeader(base, path string, q url.Values, nextMaxID, prevMinID storage.ID) string {
	link := func(key string, id storage.ID) string {
		v := url.Values{}
		for k, vs := range q {
			switch k {
			case "max_id", "min_id", "since_id", "access_token":
				continue
			}
			v[k] = vs
		}
		v.Set(key, id.String())
		return "<" + base + path + "?" + v.Encode() + ">"
	}
	var parts []string
	if nextMaxID != 0 {
		parts = append(parts, link("max_id", nextMaxID)+`; rel="next"`)
	}
	if prevMinID != 0 {
		parts = append(parts, link("min_id", prevMinID)+`; rel="prev"`)
	}
	return strings.Join(parts, ", ")
}

// SetPageLinks sets the Link header of a page of results whose IDs (the
// pagination cursors, newest first) are ids, fetched with the given limit:
// rel="next" is set when the page is full (more may follow), rel="prev"
// whenever the page is not empty — as Mastodon does.
func (a *API) SetPageLinks(w http.ResponseWriter, r *http.Request, ids []storage.ID, limit int) {
	if len(ids) == 0 {
		return
	}
	var next storage.ID
	if len(ids) >= limit {
		next = ids[len(ids)-1]
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	if h := LinkHeader(a.urls.Base(), r.URL.Path, q, next, ids[0]); h != "" {
		w.Header().Set("Link", h)
	}
}
