package mastoapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/filter"
	"github.com/herd-social/herd/storage"
)

// This file serves keyword filters (v2, and v1 mapped onto them) and
// applies them when statuses are rendered: the "filtered" field lists
// every active filter a status matches (as Mastodon, whose clients pick
// the filters of the context they show), and statuses that a "hide"
// filter of the request's context matches are left out of timelines,
// threads and notifications (pagination still follows the raw page).

// Filter is the Mastodon Filter entity. Keywords and Statuses are nil
// (omitted) inside a FilterResult.
type Filter struct {
	ID           string           `json:"id"`
	Title        string           `json:"title"`
	Context      []string         `json:"context"`
	ExpiresAt    *Time            `json:"expires_at"`
	FilterAction string           `json:"filter_action"`
	Keywords     *[]FilterKeyword `json:"keywords,omitempty"`
	Statuses     *[]FilterStatus  `json:"statuses,omitempty"`
}

// FilterKeyword is the Mastodon FilterKeyword entity.
type FilterKeyword struct {
	ID        string `json:"id"`
	Keyword   string `json:"keyword"`
	WholeWord bool   `json:"whole_word"`
}

// FilterStatus is the Mastodon FilterStatus entity.
type FilterStatus struct {
	ID       string `json:"id"`
	StatusID string `json:"status_id"`
}

// FilterResult is the Mastodon FilterResult entity.
type FilterResult struct {
	Filter         *Filter  `json:"filter"`
	KeywordMatches []string `json:"keyword_matches"`
	StatusMatches  []string `json:"status_matches"`
}

// V1Filter is the Mastodon v1 Filter entity (one keyword of a filter).
type V1Filter struct {
	ID           string   `json:"id"`
	Phrase       string   `json:"phrase"`
	Context      []string `json:"context"`
	WholeWord    bool     `json:"whole_word"`
	ExpiresAt    *Time    `json:"expires_at"`
	Irreversible bool     `json:"irreversible"`
}

func filterHead(f *storage.Filter) *Filter {
	ctx := []string(f.Context)
	if ctx == nil {
		ctx = []string{}
	}
	return &Filter{ID: f.ID.String(), Title: f.Title, Context: ctx, ExpiresAt: TimePtr(f.ExpiresAt), FilterAction: string(f.Action)}
}

// FilterToAPI converts a filter with its keywords and statuses.
func FilterToAPI(g *filter.Group) *Filter {
	out := filterHead(g.Filter)
	kws := make([]FilterKeyword, 0, len(g.Keywords))
	for _, k := range g.Keywords {
		kws = append(kws, *FilterKeywordToAPI(k))
	}
	sts := make([]FilterStatus, 0, len(g.Statuses))
	for _, s := range g.Statuses {
		sts = append(sts, *FilterStatusToAPI(s))
	}
	out.Keywords, out.Statuses = &kws, &sts
	return out
}

// FilterKeywordToAPI converts a filter keyword.
func FilterKeywordToAPI(k *storage.FilterKeyword) *FilterKeyword {
	return &FilterKeyword{ID: k.ID.String(), Keyword: k.Keyword, WholeWord: k.WholeWord}
}

// FilterStatusToAPI converts a filtered status.
func FilterStatusToAPI(s *storage.FilterStatus) *FilterStatus {
	return &FilterStatus{ID: s.ID.String(), StatusID: s.StatusID.String()}
}

// V1FilterToAPI converts a keyword with its filter to a v1 filter.
func V1FilterToAPI(v filter.V1) *V1Filter {
	ctx := []string(v.Filter.Context)
	if ctx == nil {
		ctx = []string{}
	}
	return &V1Filter{ID: v.Keyword.ID.String(), Phrase: v.Keyword.Keyword, Context: ctx, WholeWord: v.Keyword.WholeWord,
		ExpiresAt: TimePtr(v.Filter.ExpiresAt), Irreversible: v.Irreversible()}
}

// FilterResultsToAPI converts match results to the "filtered" field.
func FilterResultsToAPI(rs []filter.Result) []FilterResult {
	out := make([]FilterResult, 0, len(rs))
	for _, r := range rs {
		fr := FilterResult{Filter: filterHead(r.Group.Filter), KeywordMatches: r.KeywordMatches}
		for _, id := range r.StatusMatches {
			fr.StatusMatches = append(fr.StatusMatches, id.String())
		}
		out = append(out, fr)
	}
	return out
}

// filterContextKey carries the filter context of a request.
type filterContextKey struct{}

// withFilterContext tells the renderer which filter context the statuses
// rendered under ctx are shown in (hide filters of that context apply).
func withFilterContext(ctx context.Context, c storage.FilterContext) context.Context {
	return context.WithValue(ctx, filterContextKey{}, c)
}

// inFilterContext returns r with filter context c.
func inFilterContext(r *http.Request, c storage.FilterContext) *http.Request {
	return r.WithContext(withFilterContext(r.Context(), c))
}

func filterContextOf(ctx context.Context) storage.FilterContext {
	c, _ := ctx.Value(filterContextKey{}).(storage.FilterContext)
	return c
}

// newFilterService is the default filter service of an API: publishing
// to the social core's sink, checking filtered statuses through it.
func newFilterService(store storage.Store, svc *social.Service, now func() time.Time) *filter.Service {
	o := &filter.Options{Now: now}
	if svc != nil {
		o.Events = svc.Events()
		o.Statuses = svc
	}
	return filter.New(store, o)
}

// Filters returns the API's keyword filter service.
func (a *API) Filters() *filter.Service { return a.filters }

// loadFilters loads the viewer's filters into a batch.
func (a *API) loadFilters(ctx context.Context, b *statusBatch) error {
	if b.viewer == nil || a.filters == nil {
		return nil
	}
	set, err := a.filters.Set(ctx, b.viewer.ID)
	if err != nil {
		return fmt.Errorf("render: filters: %w", err)
	}
	if set.Empty() {
		return nil
	}
	b.filters, b.filterCtx, b.filterNow = set, filterContextOf(ctx), a.filters.Now()
	return nil
}

// applyFilters matches st (for a boost, text is the boosted status) against
// the viewer's filters, sets out.Filtered, and reports whether a hide
// filter of the batch's context drops it.
func (b *statusBatch) applyFilters(st, text *storage.Status, out *Status) bool {
	if b.filters == nil || st.AccountID == b.viewer.ID {
		return false
	}
	ids := []storage.ID{st.ID}
	if st.ReblogOfID != 0 {
		ids = append(ids, st.ReblogOfID)
	}
	var t filter.Text
	if b.filters.NeedsText() {
		t = filter.Text{Content: text.Content, SpoilerText: text.SpoilerText, MediaDescriptions: mediaDescriptions(text, b.media)}
		if poll := b.polls[text.PollID]; poll != nil {
			for _, o := range poll.Options {
				t.PollOptions = append(t.PollOptions, o.Title)
			}
		}
	}
	rs := b.filters.Match(ids, t, b.filterNow)
	if len(rs) == 0 {
		return false
	}
	if filter.Hides(rs, b.filterCtx) {
		return true
	}
	if raw, err := json.Marshal(FilterResultsToAPI(rs)); err == nil {
		out.Filtered = raw
		if out.Reblog != nil {
			out.Reblog.Filtered = raw
		}
	}
	return false
}

// mediaDescriptions reads the descriptions of st's rendered attachments.
func mediaDescriptions(st *storage.Status, loaded map[storage.ID]json.RawMessage) []string {
	var out []string
	for _, raw := range statusMedia(st, loaded) {
		var m struct {
			Description *string `json:"description"`
		}
		if json.Unmarshal(raw, &m) == nil && m.Description != nil && *m.Description != "" {
			out = append(out, *m.Description)
		}
	}
	return out
}

// registerFilterRoutes declares the filter endpoints.
func (a *API) registerFilterRoutes() {
	const (
		get  = http.MethodGet
		post = http.MethodPost
		put  = http.MethodPut
		del  = http.MethodDelete
	)
	read := RouteOptions{Auth: AuthUser, Scopes: []string{"read:filters"}}
	write := RouteOptions{Auth: AuthUser, Scopes: []string{"write:filters"}}
	const one = "/api/v2/filters/{id:[0-9]+}"
	a.Handle(get, "/api/v2/filters", read, a.listFilters)
	a.Handle(post, "/api/v2/filters", write, a.createFilter)
	a.Handle(get, one, read, a.showFilter)
	a.Handle(put, one, write, a.updateFilter)
	a.Handle(del, one, write, a.deleteFilter)
	a.Handle(get, one+"/keywords", read, a.listFilterKeywords)
	a.Handle(post, one+"/keywords", write, a.addFilterKeyword)
	a.Handle(get, "/api/v2/filters/keywords/{id:[0-9]+}", read, a.showFilterKeyword)
	a.Handle(put, "/api/v2/filters/keywords/{id:[0-9]+}", write, a.updateFilterKeyword)
	a.Handle(del, "/api/v2/filters/keywords/{id:[0-9]+}", write, a.deleteFilterKeyword)
	a.Handle(get, one+"/statuses", read, a.listFilterStatuses)
	a.Handle(post, one+"/statuses", write, a.addFilterStatus)
	a.Handle(get, "/api/v2/filters/statuses/{id:[0-9]+}", read, a.showFilterStatus)
	a.Handle(del, "/api/v2/filters/statuses/{id:[0-9]+}", write, a.removeFilterStatus)

	a.Handle(get, "/api/v1/filters", read, a.listFiltersV1)
	a.Handle(post, "/api/v1/filters", write, a.createFilterV1)
	a.Handle(get, "/api/v1/filters/{id:[0-9]+}", read, a.showFilterV1)
	a.Handle(put, "/api/v1/filters/{id:[0-9]+}", write, a.updateFilterV1)
	a.Handle(del, "/api/v1/filters/{id:[0-9]+}", write, a.deleteFilterV1)
}

// expiresIn reads expires_in (seconds): absent gives nil, empty gives a
// pointer to zero (no expiry).
func expiresIn(p *Params) (*time.Duration, error) {
	v, ok := p.Lookup("expires_in")
	if !ok {
		return nil, nil
	}
	var d time.Duration
	if v = strings.TrimSpace(v); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 || n > 100*365*24*3600 {
			return nil, fieldError("expires_in", "is invalid")
		}
		d = time.Duration(n) * time.Second
	}
	return &d, nil
}

// keywordChanges reads keywords_attributes.
func keywordChanges(p *Params) ([]filter.KeywordChange, error) {
	var out []filter.KeywordChange
	for _, o := range p.Objects("keywords_attributes") {
		id, err := o.ID("id")
		if err != nil {
			return nil, err
		}
		out = append(out, filter.KeywordChange{ID: id, Keyword: o.String("keyword"), WholeWord: o.BoolPtr("whole_word"), Destroy: o.Bool("_destroy", false)})
	}
	return out, nil
}

func (a *API) listFilters(w http.ResponseWriter, r *http.Request) error {
	gs, err := a.filters.List(r.Context(), AuthOf(r).Account)
	if err != nil {
		return err
	}
	return writeEach(w, gs, FilterToAPI)
}

func (a *API) createFilter(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	in := filter.Input{Title: p.String("title"), Context: p.Strings("context"), Action: storage.FilterAction(p.String("filter_action"))}
	exp, err := expiresIn(p)
	if err != nil {
		return err
	}
	if exp != nil {
		in.ExpiresIn = *exp
	}
	if in.Keywords, err = keywordChanges(p); err != nil {
		return err
	}
	g, err := a.filters.Create(r.Context(), AuthOf(r).Account, in)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, FilterToAPI(g))
	return nil
}

func (a *API) showFilter(w http.ResponseWriter, r *http.Request) error {
	return serveOwned(w, r, a.filters.Get, FilterToAPI)
}

func (a *API) updateFilter(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := ParamsOf(r)
	var u filter.Update
	if v, ok := p.Lookup("title"); ok {
		u.Title = &v
	}
	if p.Has("context") {
		u.Context = p.Strings("context")
		if u.Context == nil {
			u.Context = []string{}
		}
	}
	if v, ok := p.Lookup("filter_action"); ok {
		act := storage.FilterAction(v)
		u.Action = &act
	}
	if u.ExpiresIn, err = expiresIn(p); err != nil {
		return err
	}
	if u.Keywords, err = keywordChanges(p); err != nil {
		return err
	}
	g, err := a.filters.Update(r.Context(), AuthOf(r).Account, id, u)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, FilterToAPI(g))
	return nil
}

func (a *API) deleteFilter(w http.ResponseWriter, r *http.Request) error {
	return deleteOwned(w, r, a.filters.Delete)
}

func (a *API) listFilterKeywords(w http.ResponseWriter, r *http.Request) error {
	return serveOwnedEach(w, r, a.filters.Keywords, FilterKeywordToAPI)
}

func (a *API) addFilterKeyword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := ParamsOf(r)
	k, err := a.filters.AddKeyword(r.Context(), AuthOf(r).Account, id, p.String("keyword"), p.Bool("whole_word", true))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, FilterKeywordToAPI(k))
	return nil
}

func (a *API) showFilterKeyword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	k, _, err := a.filters.Keyword(r.Context(), AuthOf(r).Account, id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, FilterKeywordToAPI(k))
	return nil
}

func (a *API) updateFilterKeyword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := ParamsOf(r)
	var kw *string
	if v, ok := p.Lookup("keyword"); ok {
		kw = &v
	}
	k, err := a.filters.UpdateKeyword(r.Context(), AuthOf(r).Account, id, kw, p.BoolPtr("whole_word"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, FilterKeywordToAPI(k))
	return nil
}

func (a *API) deleteFilterKeyword(w http.ResponseWriter, r *http.Request) error {
	return deleteOwned(w, r, a.filters.DeleteKeyword)
}

func (a *API) listFilterStatuses(w http.ResponseWriter, r *http.Request) error {
	return serveOwnedEach(w, r, a.filters.Statuses, FilterStatusToAPI)
}

func (a *API) addFilterStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	statusID, err := ParamsOf(r).ID("status_id")
	if err != nil {
		return err
	}
	s, err := a.filters.AddStatus(r.Context(), AuthOf(r).Account, id, statusID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, FilterStatusToAPI(s))
	return nil
}

func (a *API) showFilterStatus(w http.ResponseWriter, r *http.Request) error {
	return serveOwned(w, r, a.filters.Status, FilterStatusToAPI)
}

func (a *API) removeFilterStatus(w http.ResponseWriter, r *http.Request) error {
	return serveOwned(w, r, a.filters.RemoveStatus, FilterStatusToAPI)
}

func (a *API) listFiltersV1(w http.ResponseWriter, r *http.Request) error {
	vs, err := a.filters.ListV1(r.Context(), AuthOf(r).Account)
	if err != nil {
		return err
	}
	return writeEach(w, vs, V1FilterToAPI)
}

// v1Input reads the parameters of a v1 filter.
func v1Input(p *Params) (filter.V1Input, error) {
	in := filter.V1Input{Phrase: p.String("phrase"), Irreversible: p.BoolPtr("irreversible"), WholeWord: p.BoolPtr("whole_word")}
	if p.Has("context") {
		in.Context = p.Strings("context")
	}
	var err error
	in.ExpiresIn, err = expiresIn(p)
	return in, err
}

func (a *API) createFilterV1(w http.ResponseWriter, r *http.Request) error {
	in, err := v1Input(ParamsOf(r))
	if err != nil {
		return err
	}
	v, err := a.filters.CreateV1(r.Context(), AuthOf(r).Account, in)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, V1FilterToAPI(v))
	return nil
}

func (a *API) showFilterV1(w http.ResponseWriter, r *http.Request) error {
	return serveOwned(w, r, a.filters.GetV1, V1FilterToAPI)
}

func (a *API) updateFilterV1(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := v1Input(ParamsOf(r))
	if err != nil {
		return err
	}
	v, err := a.filters.UpdateV1(r.Context(), AuthOf(r).Account, id, in)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, V1FilterToAPI(v))
	return nil
}

func (a *API) deleteFilterV1(w http.ResponseWriter, r *http.Request) error {
	return deleteOwned(w, r, a.filters.DeleteKeyword)
}

// RenderStatusJSONIn is RenderStatusJSON for a status shown in filter
// context c (the streaming API's: home for the user and list streams,
// public for public and hashtag streams): it returns storage.ErrNotFound
// when a hide filter of the viewer's matches the status in c.
func (a *API) RenderStatusJSONIn(ctx context.Context, viewer *storage.Account, id storage.ID, c storage.FilterContext) ([]byte, error) {
	return a.RenderStatusJSON(withFilterContext(ctx, c), viewer, id)
}
