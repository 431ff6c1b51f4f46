package social

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/herd-social/herd/storage"
)

// Trends, instance activity and follow suggestions: what they count and
// how they rank.
const (
	// TagHistoryDays is the length of a hashtag's history, today included.
	TagHistoryDays = 7
	// TrendingTagMinAccounts is how many distinct accounts must use a
	// hashtag on one day of its history for it to trend.
	TrendingTagMinAccounts = 2
	// MaxTrendingTags bounds the trending hashtags computed.
	MaxTrendingTags = 100
	// TrendingStatusesWindow is how old a trending status may be.
	TrendingStatusesWindow = 48 * time.Hour
	// TrendingStatusMinInteractions is the score a status needs to trend.
	TrendingStatusMinInteractions = 1
	// MaxTrendingStatuses bounds the trending statuses computed.
	MaxTrendingStatuses = 200
	// ActivityWeeks is how many weeks InstanceActivity reports.
	ActivityWeeks = 12
)

// Sources of a follow suggestion, as Mastodon names them.
const (
	SuggestionFriendsOfFriends = "friends_of_friends"
	SuggestionMostFollowed     = "most_followed"
)

// TagDay is one UTC day of a hashtag's history.
type TagDay struct {
	Day      time.Time // midnight UTC
	Uses     int64     // public statuses using it
	Accounts int64     // their distinct authors
}

// TagTrend is a trending hashtag with its history (newest day first) and
// its score.
type TagTrend struct {
	Name    string
	History []TagDay
	Score   float64
}

// day is the midnight (UTC) of t.
func day(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// tagHistories reads the last TagHistoryDays days of the named hashtags
// (all hashtags used when names is empty), each history newest day first
// with every day present.
func (s *Service) tagHistories(ctx context.Context, names []string) (map[string][]TagDay, error) {
	today := day(s.now())
	since := today.AddDate(0, 0, -(TagHistoryDays - 1))
	rows, err := s.store.Discovery().TagUses(ctx, storage.TagUsesQuery{Since: since, Tags: names})
	if err != nil {
		return nil, err
	}
	out := map[string][]TagDay{}
	blank := func() []TagDay {
		h := make([]TagDay, TagHistoryDays)
		for i := range h {
			h[i].Day = today.AddDate(0, 0, -i)
		}
		return h
	}
	for _, n := range names {
		out[n] = blank()
	}
	todayN := today.Unix() / 86400
	// Uses by accounts of limited or suspended domains do not count.
	moderated := map[string]bool{}
	for _, r := range rows {
		if r.Domain == "" || s.opts.Domains == nil {
			continue
		}
		if _, ok := moderated[r.Domain]; !ok {
			moderated[r.Domain] = s.opts.Domains.Silenced(ctx, r.Domain) || s.opts.Domains.Suspended(ctx, r.Domain)
		}
	}
	for _, r := range rows {
		if moderated[r.Domain] {
			continue
		}
		i := int(todayN - r.Day)
		if i < 0 || i >= TagHistoryDays {
			continue // a status dated in the future
		}
		h := out[r.Tag]
		if h == nil {
			h = blank()
			out[r.Tag] = h
		}
		h[i].Uses += r.Uses
		h[i].Accounts += r.Accounts
	}
	return out, nil
}

// TagHistories returns the history of each named hashtag over the last
// TagHistoryDays days (today first): the public statuses (not boosts) of
// unsanctioned accounts using it each day and their distinct authors.
// Names are normalised; invalid ones are left out of the map.
func (s *Service) TagHistories(ctx context.Context, names []string) (map[string][]TagDay, error) {
	norm := make([]string, 0, len(names))
	for _, n := range names {
		if n = NormalizeTag(n); n != "" && !slices.Contains(norm, n) {
			norm = append(norm, n)
		}
	}
	if len(norm) == 0 {
		return map[string][]TagDay{}, nil
	}
	h, err := s.tagHistories(ctx, norm)
	if err != nil {
		return nil, fmt.Errorf("tag history: %w", err)
	}
	return h, nil
}

// TrendingTags ranks the hashtags used in the last TagHistoryDays days.
// A hashtag trends when at least TrendingTagMinAccounts accounts used it
// on one day; its score sums the distinct accounts of each day, halved for
// every day of age (today counts fully, yesterday half, and so on), so
// that what many people use now ranks above what was used as much earlier.
// Ties go to more uses, then to the name. At most MaxTrendingTags come
// back. It reads the store on every call: callers cache it.
func (s *Service) TrendingTags(ctx context.Context) ([]TagTrend, error) {
	hs, err := s.tagHistories(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("trending tags: %w", err)
	}
	out := make([]TagTrend, 0, len(hs))
	uses := map[string]int64{}
	for name, h := range hs {
		var score float64
		var peak int64
		for i, d := range h {
			score += float64(d.Accounts) * math.Pow(0.5, float64(i))
			peak = max(peak, d.Accounts)
			uses[name] += d.Uses
		}
		if peak < TrendingTagMinAccounts {
			continue
		}
		out = append(out, TagTrend{Name: name, History: h, Score: score})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if uses[a.Name] != uses[b.Name] {
			return uses[a.Name] > uses[b.Name]
		}
		return a.Name < b.Name
	})
	if len(out) > MaxTrendingTags {
		out = out[:MaxTrendingTags]
	}
	return out, nil
}

// TrendingStatuses ranks the public statuses of the last
// TrendingStatusesWindow by favourites + boosts + replies (at least
// TrendingStatusMinInteractions), newest first among equals, as Mastodon
// picks them: no boosts, replies, sensitive statuses nor content warnings,
// and only from discoverable authors who are neither silenced, suspended
// nor marked sensitive. It returns at most MaxTrendingStatuses IDs, the
// same for every viewer: TrendingStatusesPage filters them for one.
func (s *Service) TrendingStatuses(ctx context.Context) ([]storage.ID, error) {
	ranked, err := s.store.Discovery().TrendingStatuses(ctx, s.now().Add(-TrendingStatusesWindow), TrendingStatusMinInteractions, MaxTrendingStatuses)
	if err != nil {
		return nil, fmt.Errorf("trending statuses: %w", err)
	}
	ids := make([]storage.ID, len(ranked))
	for i, r := range ranked {
		ids[i] = r.ID
	}
	return ids, nil
}

// TrendingStatusesPage returns the statuses of ranked (TrendingStatuses)
// that viewer (nil: anonymous) may see on a public timeline (no blocked,
// muted or limited authors), skipping the first offset of those and
// returning at most limit, in rank order.
func (s *Service) TrendingStatusesPage(ctx context.Context, viewer *storage.Account, ranked []storage.ID, offset, limit int) (*Page, error) {
	offset, limit = max(offset, 0), max(limit, 1)
	vid := viewerID(viewer)
	pg := newPage()
	keep := s.limitKeep(ctx, vid, false, pg, s.timelineKeep(ctx, vid, pg))
	var out []*storage.Status
	for next := 0; next < len(ranked) && len(out) < offset+limit; {
		end := min(len(ranked), next+offset+limit-len(out))
		sts, err := s.getOrdered(ctx, s.store, ranked[next:end])
		if err != nil {
			return nil, fmt.Errorf("trending statuses: %w", err)
		}
		next = end
		kept, err := keep(sts)
		if err != nil {
			return nil, fmt.Errorf("trending statuses: %w", err)
		}
		out = append(out, kept...)
	}
	if offset < len(out) {
		pg.Statuses = out[offset:min(len(out), offset+limit)]
	}
	return pg, nil
}

// ActivityWeek is what happened on the instance in one week.
type ActivityWeek struct {
	Week time.Time // Monday, midnight UTC
	storage.ActivityCounts
}

// InstanceActivity reports the last ActivityWeeks weeks (weeks start on
// Monday, UTC), the current one first: local statuses created, distinct
// local accounts active (RecordActivity) and users registered.
func (s *Service) InstanceActivity(ctx context.Context) ([]ActivityWeek, error) {
	today := day(s.now())
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	out := make([]ActivityWeek, 0, ActivityWeeks)
	for i := 0; i < ActivityWeeks; i++ {
		start := monday.AddDate(0, 0, -7*i)
		c, err := s.store.Discovery().Activity(ctx, start, start.AddDate(0, 0, 7))
		if err != nil {
			return nil, fmt.Errorf("instance activity: %w", err)
		}
		out = append(out, ActivityWeek{Week: start, ActivityCounts: c})
	}
	return out, nil
}

// RecordActivity records that a local account used the instance today
// (instance activity's logins). Callers need not call it more than once a
// day per account: more calls are harmless.
func (s *Service) RecordActivity(ctx context.Context, accountID storage.ID) error {
	if err := s.store.Discovery().RecordActivity(ctx, accountID, s.now()); err != nil {
		return fmt.Errorf("record activity: %w", err)
	}
	return nil
}

// Suggestion is an account suggested to follow and why (Sources).
type Suggestion struct {
	Account *storage.Account
	Sources []string
}

// Suggestions suggests at most limit accounts for viewer to follow: first
// the accounts most followed by those viewer follows
// (SuggestionFriendsOfFriends), then the most followed local accounts
// (SuggestionMostFollowed); an account found both ways has both sources.
// Left out: viewer, accounts it follows or asked to follow, blocks (either
// way), mutes, dismissed (DismissSuggestion), blocked domains, accounts
// that are not discoverable, moved, suspended or limited.
func (s *Service) Suggestions(ctx context.Context, viewer *storage.Account, limit int) ([]Suggestion, error) {
	if err := requireLocal(viewer); err != nil {
		return nil, err
	}
	limit = max(limit, 1)
	d := s.store.Discovery()
	fof, err := d.FriendsOfFriends(ctx, viewer.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("suggestions: %w", err)
	}
	most, err := d.MostFollowed(ctx, viewer.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("suggestions: %w", err)
	}
	var order []storage.ID
	sources := map[storage.ID][]string{}
	add := func(rs []storage.Ranked, source string) {
		for _, r := range rs {
			if _, ok := sources[r.ID]; !ok {
				order = append(order, r.ID)
			}
			sources[r.ID] = append(sources[r.ID], source)
		}
	}
	add(fof, SuggestionFriendsOfFriends)
	add(most, SuggestionMostFollowed)
	accts, err := s.store.Accounts().GetMany(ctx, order)
	if err != nil {
		return nil, fmt.Errorf("suggestions: %w", err)
	}
	byID := make(map[storage.ID]*storage.Account, len(accts))
	for _, a := range accts {
		byID[a.ID] = a
	}
	out := []Suggestion{}
	for _, id := range order {
		a := byID[id]
		if a == nil || s.Limited(ctx, a) || (a.Domain != "" && s.opts.Domains != nil && s.opts.Domains.Suspended(ctx, a.Domain)) {
			continue
		}
		out = append(out, Suggestion{Account: a, Sources: sources[id]})
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// DismissSuggestion stops suggesting account id to actor.
func (s *Service) DismissSuggestion(ctx context.Context, actor *storage.Account, id storage.ID) error {
	if err := requireLocal(actor); err != nil {
		return err
	}
	if _, err := s.store.Accounts().Get(ctx, id); err != nil {
		return notFound(err, "account %s", id)
	}
	if err := s.store.Discovery().DismissSuggestion(ctx, actor.ID, id); err != nil {
		return fmt.Errorf("dismiss suggestion: %w", err)
	}
	return nil
}

// LimitedFederation reports whether the instance federates only with the
// domains it allows (Mastodon's limited federation mode), in which it
// keeps its activity to itself.
func (s *Service) LimitedFederation() bool {
	return s.opts.Domains != nil && s.opts.Domains.AllowList()
}
