package sqlstore

import (
	"strings"
	"time"

	"github.com/herd-social/herd/storage"
)

// DiscoveryQuery is one of the queries behind storage.Discovery and
// storage.DirectStatuses with example arguments, for query plan tests.
type DiscoveryQuery struct {
	Name string
	SQL  string
	Args []any
}

// DiscoveryQueries lists the discovery queries with arguments for
// viewer (an account ID) over the last week.
func DiscoveryQueries(viewer storage.ID, now time.Time) []DiscoveryQuery {
	lo, hi := idRange(now.AddDate(0, 0, -7), now)
	fof, fofArgs := friendsOfFriendsSQL(SQLite, viewer, now, 40)
	most, mostArgs := mostFollowedSQL(viewer, now, 40)
	direct, directArgs := directSQL(viewer, storage.Page{MaxID: hi, Limit: 20})
	ascending, ascArgs := directSQL(viewer, storage.Page{MinID: lo, Limit: 20})
	return []DiscoveryQuery{
		{"TagUses", tagUsesSQL(false), []any{lo, hi, lo, hi}},
		{"TagUses(tags)", strings.Replace(tagUsesSQL(true), "IN (?)", "IN (?, ?)", 1), []any{lo, hi, lo, hi, "go", "herd"}},
		{"TrendingStatuses", trendingStatusesSQL, []any{lo, 1, 200}},
		{"Activity(statuses)", activityStatusesSQL, []any{lo, hi}},
		{"Activity(registrations)", activityRegistrationsSQL, []any{lo, hi}},
		{"Activity(logins)", activityLoginsSQL, []any{dayNumber(now) - 7, dayNumber(now)}},
		{"FriendsOfFriends", fof, fofArgs},
		{"MostFollowed", most, mostArgs},
		{"DirectStatuses", direct, directArgs},
		{"DirectStatuses(min_id)", ascending, ascArgs},
	}
}
