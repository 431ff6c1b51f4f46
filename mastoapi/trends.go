package mastoapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// Trends, tag histories and instance activity are computed from the store
// and kept for trendsTTL, as the instance statistics are: a few cheap,
// bounded queries every few minutes whatever the traffic.
const trendsTTL = 5 * time.Minute

// maxCachedHistories bounds the cached hashtag histories; the cache is
// emptied when full.
const maxCachedHistories = 1024

// Limits of the listings, as Mastodon's.
const (
	defaultTrendingTags     = 10
	maxTrendingTagsLimit    = 20
	defaultSuggestionsLimit = 40
	maxSuggestionsLimit     = 80
)

// cached holds one computed value for a while. Loading holds the lock, so
// that concurrent requests compute it once.
type cached[T any] struct {
	mu sync.Mutex
	at time.Time
	v  T
}

func (c *cached[T]) get(now time.Time, load func() (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && now.Sub(c.at) >= 0 && now.Sub(c.at) < trendsTTL {
		return c.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.v, c.at = v, now
	return v, nil
}

type cachedHistory struct {
	at time.Time
	h  []social.TagDay
}

// trendsCache is the API's cache of what trends.go computes.
type trendsCache struct {
	tags     cached[[]social.TagTrend]
	statuses cached[[]storage.ID]
	activity cached[[]social.ActivityWeek]

	mu        sync.Mutex
	histories map[string]cachedHistory
}

// registerTrendRoutes declares trends, instance activity and follow
// suggestions.
func (a *API) registerTrendRoutes() {
	const (
		get = http.MethodGet
		del = http.MethodDelete
	)
	optional := RouteOptions{Auth: AuthOptional}
	user := func(scopes ...string) RouteOptions { return RouteOptions{Auth: AuthUser, Scopes: scopes} }
	a.Handle(get, "/api/v1/instance/activity", RouteOptions{Auth: AuthNone}, a.instanceActivity)
	a.Handle(get, "/api/v1/trends", optional, a.trendingTags)
	a.Handle(get, "/api/v1/trends/tags", optional, a.trendingTags)
	a.Handle(get, "/api/v1/trends/statuses", optional, a.trendingStatuses)
	// Herd builds no preview cards: no links trend (docs/api.md).
	a.Handle(get, "/api/v1/trends/links", RouteOptions{Auth: AuthNone}, emptyList)
	a.Handle(get, "/api/v2/suggestions", user("read", "read:accounts"), a.suggestionsV2)
	a.Handle(get, "/api/v1/suggestions", user("read", "read:accounts"), a.suggestionsV1)
	a.Handle(del, "/api/v1/suggestions/{id:[0-9]+}", user("write", "write:accounts"), a.dismissSuggestion)
}

// offsetPage reads limit (def when absent, at most max) and offset.
func offsetPage(p *Params, def, most int) (offset, limit int, err error) {
	l, err := p.Int("limit", int64(def))
	if err != nil {
		return 0, 0, err
	}
	o, err := p.Int("offset", 0)
	if err != nil {
		return 0, 0, err
	}
	if l <= 0 {
		l = int64(def)
	}
	return int(max(min(o, 100000), 0)), int(min(l, int64(most))), nil
}

// setOffsetLinks sets the Link header of an offset-paged listing, as
// Mastodon does for trends: rel="next" when the page is full, rel="prev"
// when it does not start at the beginning.
func (a *API) setOffsetLinks(w http.ResponseWriter, r *http.Request, offset, limit, n int) {
	q, _ := url.ParseQuery(r.URL.RawQuery)
	delete(q, "access_token")
	link := func(off int) string {
		q.Set("offset", strconv.Itoa(off))
		return "<" + a.urls.Base() + r.URL.Path + "?" + q.Encode() + ">"
	}
	var parts []string
	if n >= limit {
		parts = append(parts, link(offset+limit)+`; rel="next"`)
	}
	if offset > 0 {
		parts = append(parts, link(max(offset-limit, 0))+`; rel="prev"`)
	}
	if len(parts) > 0 {
		w.Header().Set("Link", strings.Join(parts, ", "))
	}
}

// tagUsesToAPI renders a hashtag's history.
func tagUsesToAPI(h []social.TagDay) []TagUses {
	out := make([]TagUses, 0, len(h))
	for _, d := range h {
		out = append(out, TagUses{Day: strconv.FormatInt(d.Day.Unix(), 10),
			Uses: strconv.FormatInt(d.Uses, 10), Accounts: strconv.FormatInt(d.Accounts, 10)})
	}
	return out
}

// tagHistory returns the (cached) history of one hashtag, nil for a name
// that is not a valid hashtag.
func (a *API) tagHistory(ctx context.Context, name string) ([]social.TagDay, error) {
	name = social.NormalizeTag(name)
	if name == "" {
		return nil, nil
	}
	now := a.now()
	c := &a.trends
	c.mu.Lock()
	e, ok := c.histories[name]
	c.mu.Unlock()
	if ok && now.Sub(e.at) >= 0 && now.Sub(e.at) < trendsTTL {
		return e.h, nil
	}
	hs, err := a.svc.TagHistories(ctx, []string{name})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.histories == nil || len(c.histories) >= maxCachedHistories {
		c.histories = map[string]cachedHistory{}
	}
	c.histories[name] = cachedHistory{at: now, h: hs[name]}
	c.mu.Unlock()
	return hs[name], nil
}

func (a *API) trendingTags(w http.ResponseWriter, r *http.Request) error {
	offset, limit, err := offsetPage(ParamsOf(r), defaultTrendingTags, maxTrendingTagsLimit)
	if err != nil {
		return err
	}
	trends, err := a.trends.tags.get(a.now(), func() ([]social.TagTrend, error) { return a.svc.TrendingTags(r.Context()) })
	if err != nil {
		return err
	}
	page := trends[min(offset, len(trends)):min(offset+limit, len(trends))]
	names := make([]string, len(page))
	for i, t := range page {
		names[i] = t.Name
	}
	out, err := a.tagsToAPI(r.Context(), viewerOf(r), names)
	if err != nil {
		return err
	}
	for i, t := range page {
		out[i].History = tagUsesToAPI(t.History)
	}
	a.setOffsetLinks(w, r, offset, limit, len(out))
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) trendingStatuses(w http.ResponseWriter, r *http.Request) error {
	r = inFilterContext(r, storage.FilterPublic)
	offset, limit, err := offsetPage(ParamsOf(r), defaultStatusesLimit, maxStatusesLimit)
	if err != nil {
		return err
	}
	ranked, err := a.trends.statuses.get(a.now(), func() ([]storage.ID, error) { return a.svc.TrendingStatuses(r.Context()) })
	if err != nil {
		return err
	}
	page, err := a.svc.TrendingStatusesPage(r.Context(), viewerOf(r), ranked, offset, limit)
	if err != nil {
		return err
	}
	return a.writeStatusesJSON(w, r, viewerOf(r), page.Statuses, page, func() {
		a.setOffsetLinks(w, r, offset, limit, len(page.Statuses))
	})
}

// ActivityEntry is one week of GET /api/v1/instance/activity.
type ActivityEntry struct {
	Week          string `json:"week"`
	Statuses      string `json:"statuses"`
	Logins        string `json:"logins"`
	Registrations string `json:"registrations"`
}

func (a *API) instanceActivity(w http.ResponseWriter, r *http.Request) error {
	// As Mastodon: no activity in limited (allow-list) federation mode.
	if a.svc.LimitedFederation() {
		return ErrRecordNotFound
	}
	weeks, err := a.trends.activity.get(a.now(), func() ([]social.ActivityWeek, error) { return a.svc.InstanceActivity(r.Context()) })
	if err != nil {
		return err
	}
	out := make([]ActivityEntry, 0, len(weeks))
	for _, wk := range weeks {
		out = append(out, ActivityEntry{Week: strconv.FormatInt(wk.Week.Unix(), 10),
			Statuses: strconv.FormatInt(wk.Statuses, 10), Logins: strconv.FormatInt(wk.Logins, 10),
			Registrations: strconv.FormatInt(wk.Registrations, 10)})
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// SuggestionEntity is the Mastodon Suggestion entity. Source is the
// deprecated single reason (staff, past_interactions or global).
type SuggestionEntity struct {
	Source  string   `json:"source"`
	Sources []string `json:"sources"`
	Account *Account `json:"account"`
}

// legacySource maps a suggestion's first source to Mastodon's deprecated
// source attribute.
func legacySource(sources []string) string {
	if len(sources) > 0 {
		switch sources[0] {
		case "featured":
			return "staff"
		case social.SuggestionFriendsOfFriends, "similar_to_recently_followed":
			return "past_interactions"
		}
	}
	return "global"
}

func (a *API) suggestions(r *http.Request) ([]social.Suggestion, error) {
	_, limit, err := offsetPage(ParamsOf(r), defaultSuggestionsLimit, maxSuggestionsLimit)
	if err != nil {
		return nil, err
	}
	return a.svc.Suggestions(r.Context(), AuthOf(r).Account, limit)
}

func (a *API) suggestionsV2(w http.ResponseWriter, r *http.Request) error {
	ss, err := a.suggestions(r)
	if err != nil {
		return err
	}
	out := make([]SuggestionEntity, 0, len(ss))
	for _, s := range ss {
		out = append(out, SuggestionEntity{Source: legacySource(s.Sources), Sources: s.Sources, Account: AccountToAPI(s.Account, a.urls)})
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) suggestionsV1(w http.ResponseWriter, r *http.Request) error {
	ss, err := a.suggestions(r)
	if err != nil {
		return err
	}
	out := make([]*Account, 0, len(ss))
	for _, s := range ss {
		out = append(out, AccountToAPI(s.Account, a.urls))
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) dismissSuggestion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.DismissSuggestion(r.Context(), AuthOf(r).Account, id); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

// recordActivity records, for instance activity's logins, that a user's
// token was used at now when it was last used (touched) on another UTC
// day or never: at most once a day per token.
func (a *API) recordActivity(ctx context.Context, accountID storage.ID, touched *time.Time, now time.Time) {
	if accountID == 0 || a.svc == nil {
		return
	}
	if touched != nil && touched.UTC().Truncate(24*time.Hour).Equal(now.UTC().Truncate(24*time.Hour)) {
		return
	}
	if err := a.svc.RecordActivity(ctx, accountID); err != nil && !errors.Is(err, context.Canceled) {
		a.log.Warn("mastoapi: record activity", "account_id", accountID, "err", err)
	}
}
