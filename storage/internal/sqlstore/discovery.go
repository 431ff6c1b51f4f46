package sqlstore

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/herd-social/herd/storage"
)

// Discovery implements storage.Store.
func (s *Store) Discovery() storage.Discovery { return discovery{s} }

// DirectStatuses implements storage.Store.
func (s *Store) DirectStatuses() storage.DirectStatuses { return directStatuses{s} }

type discovery struct{ s *Store }

type directStatuses struct{ s *Store }

// idsPerDay is the span of IDs made in one day: an ID is milliseconds
// shifted left by 16 bits (storage.ID), so id / idsPerDay is the UTC day
// of the ID since the Unix epoch, in SQL integer arithmetic on both
// backends.
const idsPerDay = int64(24*time.Hour/time.Millisecond) << 16

// dayNumber is the UTC day of t, in whole days since the Unix epoch.
func dayNumber(t time.Time) int64 {
	sec := t.Unix()
	d := sec / 86400
	if sec%86400 < 0 {
		d--
	}
	return d
}

// idRange turns [since, until) into an ID range; a zero until means no
// upper bound.
func idRange(since, until time.Time) (storage.ID, storage.ID) {
	lo := storage.ID(0)
	if !since.IsZero() && since.UnixMilli() > 0 {
		lo = storage.MinIDAt(since)
	}
	hi := storage.ID(math.MaxInt64)
	if !until.IsZero() {
		hi = storage.MinIDAt(until)
	}
	return lo, hi
}

// tagUsesSQL counts hashtag uses per tag and day in an ID range (given
// twice), of the tags listed in a fifth argument when withTags is set.
func tagUsesSQL(withTags bool) string {
	day := fmt.Sprintf("t.status_id / %d", idsPerDay)
	q := "SELECT t.tag AS tag, " + day + " AS day, a.domain AS domain, COUNT(*) AS uses, COUNT(DISTINCT s.account_id) AS accounts" +
		" FROM status_tags t JOIN statuses s ON s.id = t.status_id JOIN accounts a ON a.id = s.account_id" +
		" WHERE t.status_id >= ? AND t.status_id < ? AND s.id >= ? AND s.id < ?"
	if withTags {
		q += " AND t.tag IN (?)"
	}
	return q + " AND s.visibility = 'public' AND s.reblog_of_id IS NULL" +
		" AND a.suspended_at IS NULL AND a.silenced_at IS NULL" +
		" GROUP BY t.tag, " + day + ", a.domain"
}

func (r discovery) TagUses(ctx context.Context, q storage.TagUsesQuery) ([]storage.TagDayUses, error) {
	lo, hi := idRange(q.Since, q.Until)
	// The range on both sides of the join lets either drive it.
	args := []any{lo, hi, lo, hi}
	out := []storage.TagDayUses{}
	if len(q.Tags) > 0 {
		tags := lowerTags(q.Tags)
		if len(tags) == 0 {
			return out, nil
		}
		args = append(args, tags)
	}
	if err := r.s.sel(ctx, &out, tagUsesSQL(len(q.Tags) > 0), args...); err != nil {
		return nil, r.s.wrap(err, "tag uses")
	}
	return out, nil
}

// interactions is the trending score of a status.
const interactions = "(s.favourites_count + s.reblogs_count + s.replies_count)"

// trendingStatusesSQL ranks public statuses from an ID on, with a minimum
// score and a limit.
const trendingStatusesSQL = "SELECT s.id AS id, " + interactions + " AS score FROM statuses s JOIN accounts a ON a.id = s.account_id" +
	" WHERE s.id >= ? AND s.visibility = 'public' AND s.reblog_of_id IS NULL" +
	" AND s.in_reply_to_id IS NULL AND s.in_reply_to_uri = '' AND NOT s.sensitive AND s.spoiler_text = ''" +
	" AND " + interactions + " >= ?" +
	" AND a.discoverable AND NOT a.sensitized AND a.suspended_at IS NULL AND a.silenced_at IS NULL" +
	" ORDER BY " + interactions + " DESC, s.id DESC LIMIT ?"

func (r discovery) TrendingStatuses(ctx context.Context, since time.Time, minScore int64, limit int) ([]storage.Ranked, error) {
	lo, _ := idRange(since, time.Time{})
	if limit <= 0 {
		limit = storage.DefaultLimit
	}
	out := []storage.Ranked{}
	if err := r.s.sel(ctx, &out, trendingStatusesSQL, lo, max(minScore, 0), limit); err != nil {
		return nil, r.s.wrap(err, "trending statuses")
	}
	return out, nil
}

func (r discovery) RecordActivity(ctx context.Context, accountID storage.ID, at time.Time) error {
	if accountID == 0 {
		return fmt.Errorf("record activity: account is required: %w", storage.ErrInvalid)
	}
	_, err := r.s.exec(ctx, "INSERT INTO account_active_days (account_id, day) VALUES (?, ?) ON CONFLICT DO NOTHING",
		accountID, dayNumber(at))
	return r.s.wrap(err, "record activity of %s", accountID)
}

// The counts of instance activity over an ID (or day) range.
const (
	activityStatusesSQL      = "SELECT COUNT(*) FROM statuses WHERE local AND reblog_of_id IS NULL AND id >= ? AND id < ?"
	activityRegistrationsSQL = "SELECT COUNT(*) FROM users WHERE id >= ? AND id < ?"
	activityLoginsSQL        = "SELECT COUNT(DISTINCT account_id) FROM account_active_days WHERE day >= ? AND day < ?"
)

func (r discovery) Activity(ctx context.Context, since, until time.Time) (storage.ActivityCounts, error) {
	var c storage.ActivityCounts
	lo, hi := idRange(since, until)
	if err := r.s.get(ctx, &c.Statuses, activityStatusesSQL, lo, hi); err != nil {
		return c, r.s.wrap(err, "activity: statuses")
	}
	if err := r.s.get(ctx, &c.Registrations, activityRegistrationsSQL, lo, hi); err != nil {
		return c, r.s.wrap(err, "activity: registrations")
	}
	dlo, dhi := int64(math.MinInt32), int64(math.MaxInt32)
	if !since.IsZero() {
		dlo = dayNumber(since)
	}
	if !until.IsZero() {
		// Days that begin before until.
		dhi = dayNumber(until.Add(-time.Nanosecond)) + 1
	}
	if err := r.s.get(ctx, &c.Logins, activityLoginsSQL, dlo, dhi); err != nil {
		return c, r.s.wrap(err, "activity: logins")
	}
	return c, nil
}

// suggestable is the condition on a suggested account a for the viewer:
// its SQL and arguments (the viewer and the time for mute expiry).
func suggestable(viewer storage.ID, now time.Time) (string, []any) {
	q := "a.id <> ? AND a.discoverable AND a.suspended_at IS NULL AND a.silenced_at IS NULL AND a.moved_to_id IS NULL" +
		" AND NOT EXISTS (SELECT 1 FROM follows x WHERE x.account_id = ? AND x.target_account_id = a.id)" +
		" AND NOT EXISTS (SELECT 1 FROM follow_requests x WHERE x.account_id = ? AND x.target_account_id = a.id)" +
		" AND NOT EXISTS (SELECT 1 FROM blocks x WHERE x.account_id = ? AND x.target_account_id = a.id)" +
		" AND NOT EXISTS (SELECT 1 FROM blocks x WHERE x.account_id = a.id AND x.target_account_id = ?)" +
		" AND NOT EXISTS (SELECT 1 FROM mutes x WHERE x.account_id = ? AND x.target_account_id = a.id AND (x.expires_at IS NULL OR x.expires_at > ?))" +
		" AND NOT EXISTS (SELECT 1 FROM suggestion_dismissals x WHERE x.account_id = ? AND x.target_account_id = a.id)" +
		" AND NOT EXISTS (SELECT 1 FROM domain_blocks x WHERE x.account_id = ? AND x.domain = a.domain AND a.domain <> '')"
	return q, []any{viewer, viewer, viewer, viewer, viewer, viewer, norm(now), viewer, viewer}
}

// friendsOfFriendsSQL ranks the accounts followed by those viewer follows.
// Accounts that hide their collections are not gone through: suggesting
// whom they follow would reveal it.
func friendsOfFriendsSQL(d Dialect, viewer storage.ID, now time.Time, limit int) (string, []any) {
	cond, args := suggestable(viewer, now)
	shown := "COALESCE(json_extract(via.extra, '$." + storage.ExtraHideCollections + "'), 0) <> 1"
	if d == Postgres {
		shown = "(via.extra::jsonb ->> '" + storage.ExtraHideCollections + "') IS DISTINCT FROM 'true'"
	}
	q := "SELECT f2.target_account_id AS id, COUNT(*) AS score FROM follows f1" +
		" JOIN accounts via ON via.id = f1.target_account_id" +
		" JOIN follows f2 ON f2.account_id = f1.target_account_id" +
		" JOIN accounts a ON a.id = f2.target_account_id" +
		" WHERE f1.account_id = ? AND " + shown + " AND " + cond +
		" GROUP BY f2.target_account_id ORDER BY COUNT(*) DESC, f2.target_account_id DESC LIMIT ?"
	return q, append(append([]any{viewer}, args...), limit)
}

func (r discovery) FriendsOfFriends(ctx context.Context, accountID storage.ID, limit int) ([]storage.Ranked, error) {
	if limit <= 0 {
		limit = storage.DefaultLimit
	}
	q, args := friendsOfFriendsSQL(r.s.cfg.Dialect, accountID, r.s.now(), limit)
	out := []storage.Ranked{}
	if err := r.s.sel(ctx, &out, q, args...); err != nil {
		return nil, r.s.wrap(err, "friends of friends of %s", accountID)
	}
	return out, nil
}

// mostFollowedSQL ranks local accounts by followers for viewer.
func mostFollowedSQL(viewer storage.ID, now time.Time, limit int) (string, []any) {
	cond, args := suggestable(viewer, now)
	q := "SELECT a.id AS id, a.followers_count AS score FROM accounts a" +
		" WHERE a.domain = '' AND a.followers_count > 0 AND " + cond +
		" ORDER BY a.followers_count DESC, a.id DESC LIMIT ?"
	return q, append(args, limit)
}

func (r discovery) MostFollowed(ctx context.Context, accountID storage.ID, limit int) ([]storage.Ranked, error) {
	if limit <= 0 {
		limit = storage.DefaultLimit
	}
	q, args := mostFollowedSQL(accountID, r.s.now(), limit)
	out := []storage.Ranked{}
	if err := r.s.sel(ctx, &out, q, args...); err != nil {
		return nil, r.s.wrap(err, "most followed accounts")
	}
	return out, nil
}

func (r discovery) DismissSuggestion(ctx context.Context, accountID, targetID storage.ID) error {
	if accountID == 0 || targetID == 0 {
		return fmt.Errorf("dismiss suggestion: account and target are required: %w", storage.ErrInvalid)
	}
	_, err := r.s.exec(ctx, "INSERT INTO suggestion_dismissals (account_id, target_account_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		accountID, targetID, r.s.now())
	return r.s.wrap(err, "dismiss suggestion %s for %s", targetID, accountID)
}

// directSQL pages through the direct statuses accountID wrote or is
// mentioned in.
func directSQL(accountID storage.ID, p storage.Page) (string, []any) {
	p = p.Norm(storage.DefaultLimit, storage.MaxLimit)
	cursor := func(col string) (string, []any) {
		var conds []string
		var args []any
		if p.MaxID != 0 {
			conds = append(conds, " AND "+col+" < ?")
			args = append(args, p.MaxID)
		}
		switch {
		case p.MinID != 0:
			conds = append(conds, " AND "+col+" > ?")
			args = append(args, p.MinID)
		case p.SinceID != 0:
			conds = append(conds, " AND "+col+" > ?")
			args = append(args, p.SinceID)
		}
		return strings.Join(conds, ""), args
	}
	dir := "DESC"
	if p.Ascending() {
		dir = "ASC"
	}
	own, ownArgs := cursor("id")
	men, menArgs := cursor("m.status_id")
	// Each branch reads at most a page in index order; the union is cut
	// to a page again.
	q := "SELECT id FROM (" +
		"SELECT id FROM (SELECT id FROM statuses WHERE account_id = ? AND visibility = 'direct'" + own + " ORDER BY id " + dir + " LIMIT ?) o" +
		" UNION " +
		"SELECT id FROM (SELECT m.status_id AS id FROM status_mentions m JOIN statuses s ON s.id = m.status_id" +
		" WHERE m.account_id = ? AND s.visibility = 'direct'" + men + " ORDER BY m.status_id " + dir + " LIMIT ?) d" +
		") u ORDER BY id " + dir + " LIMIT ?"
	args := append([]any{accountID}, ownArgs...)
	args = append(args, p.Limit, accountID)
	args = append(args, menArgs...)
	return q, append(args, p.Limit, p.Limit)
}

func (r directStatuses) Page(ctx context.Context, accountID storage.ID, p storage.Page) ([]storage.ID, error) {
	q, args := directSQL(accountID, p)
	out := []storage.ID{}
	if err := r.s.sel(ctx, &out, q, args...); err != nil {
		return nil, r.s.wrap(err, "direct statuses of %s", accountID)
	}
	if p.Ascending() {
		reverse(out)
	}
	return out, nil
}
