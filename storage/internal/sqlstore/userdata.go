package sqlstore

import (
	"context"

	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/herd-social/herd/storage"
)

// ScheduledStatuses implements storage.Store.
func (s *Store) ScheduledStatuses() storage.ScheduledStatuses { return scheduledStatuses{s} }

// Conversations implements storage.Store.
func (s *Store) Conversations() storage.Conversations { return conversations{s} }

// ConversationMutes implements storage.Store.
func (s *Store) ConversationMutes() storage.ConversationMutes { return conversationMutes{s} }

// Markers implements storage.Store.
func (s *Store) Markers() storage.Markers { return markers{s} }

// AccountNotes implements storage.Store.
func (s *Store) AccountNotes() storage.AccountNotes { return accountNotes{s} }

// Endorsements implements storage.Store.
func (s *Store) Endorsements() storage.Endorsements { return endorsements{s} }

// FeaturedTags implements storage.Store.
func (s *Store) FeaturedTags() storage.FeaturedTags { return featuredTags{s} }

// FollowedTags implements storage.Store.
func (s *Store) FollowedTags() storage.FollowedTags { return followedTags{s} }

// ---- scheduled statuses ----

type scheduledStatuses struct{ s *Store }

var scheduledCols = selectList(&storage.ScheduledStatus{}, "")

func (r scheduledStatuses) Create(ctx context.Context, st *storage.ScheduledStatus) error {
	if st.AccountID == 0 {
		return fmt.Errorf("create scheduled status: account is required: %w", storage.ErrInvalid)
	}
	if st.ID == 0 {
		st.ID = r.s.NewID()
	}
	if st.CreatedAt.IsZero() {
		st.CreatedAt = r.s.now()
	}
	st.CreatedAt, st.ScheduledAt = norm(st.CreatedAt), norm(st.ScheduledAt)
	st.MediaIDs = storage.IDs(uniqIDs(st.MediaIDs))
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		if err := ts.insert(ctx, "scheduled_statuses", st); err != nil {
			return ts.wrap(err, "create scheduled status %s", st.ID)
		}
		if len(st.MediaIDs) == 0 {
			return nil
		}
		res, err := ts.exec(ctx, `UPDATE media_attachments SET scheduled_status_id = ? WHERE id IN (?) AND account_id = ?
			AND status_id IS NULL AND scheduled_status_id IS NULL`, st.ID, []storage.ID(st.MediaIDs), st.AccountID)
		if err != nil {
			return ts.wrap(err, "reserve media of scheduled status %s", st.ID)
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(st.MediaIDs)) {
			return fmt.Errorf("reserve media of scheduled status %s: %d of %d attachments unavailable: %w",
				st.ID, int64(len(st.MediaIDs))-n, len(st.MediaIDs), storage.ErrInvalid)
		}
		return nil
	})
}

func (r scheduledStatuses) Get(ctx context.Context, accountID, id storage.ID) (*storage.ScheduledStatus, error) {
	var out storage.ScheduledStatus
	err := r.s.get(ctx, &out, "SELECT "+scheduledCols+" FROM scheduled_statuses WHERE id = ? AND account_id = ?", id, accountID)
	if err != nil {
		return nil, r.s.wrap(err, "get scheduled status %s", id)
	}
	return &out, nil
}

func (r scheduledStatuses) List(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.ScheduledStatus, error) {
	out, err := listPage[storage.ScheduledStatus](ctx, r.s, "scheduled_statuses", []string{"account_id = ?"}, []any{accountID}, "id", p)
	return out, r.s.wrap(err, "list scheduled statuses of %s", accountID)
}

func (r scheduledStatuses) Reschedule(ctx context.Context, accountID, id storage.ID, at time.Time) (*storage.ScheduledStatus, error) {
	err := r.s.execAffected(ctx, "UPDATE scheduled_statuses SET scheduled_at = ?, claimed_at = NULL, status_id = NULL WHERE id = ? AND account_id = ?",
		norm(at), id, accountID)
	if err != nil {
		return nil, r.s.wrap(err, "reschedule status %s", id)
	}
	return r.Get(ctx, accountID, id)
}

func (r scheduledStatuses) Delete(ctx context.Context, accountID, id storage.ID) error {
	err := r.s.execAffected(ctx, "DELETE FROM scheduled_statuses WHERE id = ? AND account_id = ?", id, accountID)
	return r.s.wrap(err, "delete scheduled status %s", id)
}

func (r scheduledStatuses) Count(ctx context.Context, accountID storage.ID, from, to time.Time) (int64, error) {
	var n int64
	err := r.s.get(ctx, &n, "SELECT COUNT(*) FROM scheduled_statuses WHERE account_id = ? AND scheduled_at >= ? AND scheduled_at < ?",
		accountID, norm(from), norm(to))
	return n, r.s.wrap(err, "count scheduled statuses of %s", accountID)
}

// maxClaim bounds one ClaimDue batch.
const maxClaim = 500

func (r scheduledStatuses) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*storage.ScheduledStatus, error) {
	if limit <= 0 || limit > maxClaim {
		limit = maxClaim
	}
	now = norm(now)
	var out []*storage.ScheduledStatus
	err := r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		q := "SELECT " + scheduledCols + ` FROM scheduled_statuses WHERE scheduled_at <= ? AND (claimed_at IS NULL OR claimed_at < ?)
			ORDER BY scheduled_at, id LIMIT ?`
		if ts.cfg.Dialect == Postgres {
			// Rows another process is claiming are skipped, not waited for.
			q += " FOR UPDATE SKIP LOCKED"
		}
		out = nil
		if err := ts.sel(ctx, &out, q, now, now.Add(-lease), limit); err != nil {
			return ts.wrap(err, "claim due scheduled statuses")
		}
		for _, st := range out {
			if st.StatusID == 0 {
				st.StatusID = ts.NewID()
			}
			st.ClaimedAt = &now
			if _, err := ts.exec(ctx, "UPDATE scheduled_statuses SET claimed_at = ?, status_id = ? WHERE id = ?", now, st.StatusID, st.ID); err != nil {
				return ts.wrap(err, "claim scheduled status %s", st.ID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []*storage.ScheduledStatus{}
	}
	return out, nil
}

// ---- conversations ----

type conversations struct{ s *Store }

var conversationCols = selectList(&storage.Conversation{}, "")

func mergeIDs(a []storage.ID, b ...storage.ID) storage.IDs {
	out := storage.IDs(uniqIDs(append(append([]storage.ID{}, a...), b...)))
	slices.Sort(out)
	return out
}

func (r conversations) AddStatus(ctx context.Context, accountID, conversationID, statusID storage.ID, participants []storage.ID, unread bool) (*storage.Conversation, error) {
	if accountID == 0 || conversationID == 0 || statusID == 0 {
		return nil, fmt.Errorf("add status to conversation: account, thread and status are required: %w", storage.ErrInvalid)
	}
	others := make([]storage.ID, 0, len(participants))
	for _, id := range participants {
		if id != 0 && id != accountID {
			others = append(others, id)
		}
	}
	var out storage.Conversation
	err := r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		now := ts.now()
		_, err := ts.exec(ctx, `INSERT INTO conversations (id, account_id, conversation_id, participant_ids, status_ids, last_status_id, unread, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, conversation_id) DO NOTHING`,
			ts.NewID(), accountID, conversationID, storage.IDs{}, storage.IDs{}, statusID, unread, now)
		if err != nil {
			return ts.wrap(err, "create conversation")
		}
		q := "SELECT " + conversationCols + " FROM conversations WHERE account_id = ? AND conversation_id = ?"
		if ts.cfg.Dialect == Postgres {
			q += " FOR UPDATE"
		}
		if err := ts.get(ctx, &out, q, accountID, conversationID); err != nil {
			return ts.wrap(err, "load conversation")
		}
		out.ParticipantIDs = mergeIDs(out.ParticipantIDs, others...)
		out.StatusIDs = mergeIDs(out.StatusIDs, statusID)
		out.LastStatusID = out.StatusIDs[len(out.StatusIDs)-1]
		out.Unread = unread
		out.UpdatedAt = now
		return ts.wrap(ts.update(ctx, "conversations", "id", &out, []string{"participant_ids", "status_ids", "last_status_id", "unread", "updated_at"}),
			"update conversation %s", out.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("add status %s to conversation of %s: %w", statusID, accountID, err)
	}
	return &out, nil
}

func (r conversations) RemoveStatus(ctx context.Context, conversationID, statusID storage.ID) error {
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		var rows []*storage.Conversation
		if err := ts.sel(ctx, &rows, "SELECT "+conversationCols+" FROM conversations WHERE conversation_id = ?", conversationID); err != nil {
			return ts.wrap(err, "remove status %s from conversations", statusID)
		}
		for _, c := range rows {
			i := slices.Index(c.StatusIDs, statusID)
			if i < 0 {
				continue
			}
			c.StatusIDs = slices.Delete(c.StatusIDs, i, i+1)
			if len(c.StatusIDs) == 0 {
				if _, err := ts.exec(ctx, "DELETE FROM conversations WHERE id = ?", c.ID); err != nil {
					return ts.wrap(err, "delete conversation %s", c.ID)
				}
				continue
			}
			c.LastStatusID = c.StatusIDs[len(c.StatusIDs)-1]
			if err := ts.update(ctx, "conversations", "id", c, []string{"status_ids", "last_status_id"}); err != nil {
				return ts.wrap(err, "update conversation %s", c.ID)
			}
		}
		return nil
	})
}

func (r conversations) Get(ctx context.Context, accountID, id storage.ID) (*storage.Conversation, error) {
	var out storage.Conversation
	err := r.s.get(ctx, &out, "SELECT "+conversationCols+" FROM conversations WHERE id = ? AND account_id = ?", id, accountID)
	if err != nil {
		return nil, r.s.wrap(err, "get conversation %s", id)
	}
	return &out, nil
}

func (r conversations) GetByThread(ctx context.Context, accountID, conversationID storage.ID) (*storage.Conversation, error) {
	var out storage.Conversation
	err := r.s.get(ctx, &out, "SELECT "+conversationCols+" FROM conversations WHERE account_id = ? AND conversation_id = ?", accountID, conversationID)
	if err != nil {
		return nil, r.s.wrap(err, "get conversation of thread %s", conversationID)
	}
	return &out, nil
}

func (r conversations) List(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.Conversation, error) {
	out, err := listPage[storage.Conversation](ctx, r.s, "conversations", []string{"account_id = ?"}, []any{accountID}, "last_status_id", p)
	return out, r.s.wrap(err, "list conversations of %s", accountID)
}

func (r conversations) SetUnread(ctx context.Context, accountID, id storage.ID, unread bool) error {
	err := r.s.execAffected(ctx, "UPDATE conversations SET unread = ? WHERE id = ? AND account_id = ?", unread, id, accountID)
	return r.s.wrap(err, "mark conversation %s", id)
}

func (r conversations) Delete(ctx context.Context, accountID, id storage.ID) error {
	err := r.s.execAffected(ctx, "DELETE FROM conversations WHERE id = ? AND account_id = ?", id, accountID)
	return r.s.wrap(err, "delete conversation %s", id)
}

// ---- conversation mutes ----

type conversationMutes struct{ s *Store }

func (r conversationMutes) Mute(ctx context.Context, accountID, conversationID storage.ID) error {
	if accountID == 0 || conversationID == 0 {
		return fmt.Errorf("mute conversation: account and thread are required: %w", storage.ErrInvalid)
	}
	_, err := r.s.exec(ctx, "INSERT INTO conversation_mutes (account_id, conversation_id, created_at) VALUES (?, ?, ?) ON CONFLICT (account_id, conversation_id) DO NOTHING",
		accountID, conversationID, r.s.now())
	r.s.changedThreadMutes(accountID)
	return r.s.wrap(err, "mute conversation %s", conversationID)
}

func (r conversationMutes) Unmute(ctx context.Context, accountID, conversationID storage.ID) error {
	_, err := r.s.exec(ctx, "DELETE FROM conversation_mutes WHERE account_id = ? AND conversation_id = ?", accountID, conversationID)
	r.s.changedThreadMutes(accountID)
	return r.s.wrap(err, "unmute conversation %s", conversationID)
}

func (r conversationMutes) Muted(ctx context.Context, accountID storage.ID, ids []storage.ID) (map[storage.ID]bool, error) {
	out := map[storage.ID]bool{}
	ids = nonZero(ids)
	if len(ids) == 0 {
		return out, nil
	}
	set, err := r.s.threadMuteSetOf(ctx, accountID)
	if err != nil {
		return nil, r.s.wrap(err, "muted conversations of %s", accountID)
	}
	if set != nil && !set.big {
		for _, id := range ids {
			if _, ok := set.threads[id]; ok {
				out[id] = true
			}
		}
		return out, nil
	}
	var rows []storage.ID
	err = r.s.sel(ctx, &rows, "SELECT conversation_id FROM conversation_mutes WHERE account_id = ? AND conversation_id IN (?)", accountID, uniqIDs(ids))
	if err != nil {
		return nil, r.s.wrap(err, "muted conversations of %s", accountID)
	}
	for _, id := range rows {
		out[id] = true
	}
	return out, nil
}

func nonZero(ids []storage.ID) []storage.ID {
	out := make([]storage.ID, 0, len(ids))
	for _, id := range ids {
		if id != 0 {
			out = append(out, id)
		}
	}
	return out
}

// ---- markers ----

type markers struct{ s *Store }

var markerCols = selectList(&storage.Marker{}, "")

func (r markers) Get(ctx context.Context, accountID storage.ID, timelines []string) (map[string]*storage.Marker, error) {
	out := map[string]*storage.Marker{}
	if len(timelines) == 0 {
		return out, nil
	}
	var rows []*storage.Marker
	err := r.s.sel(ctx, &rows, "SELECT "+markerCols+" FROM markers WHERE account_id = ? AND timeline IN (?)", accountID, slices.Clone(timelines))
	if err != nil {
		return nil, r.s.wrap(err, "markers of %s", accountID)
	}
	for _, m := range rows {
		out[m.Timeline] = m
	}
	return out, nil
}

func (r markers) Save(ctx context.Context, accountID storage.ID, timeline string, lastReadID storage.ID) (*storage.Marker, error) {
	if accountID == 0 || timeline == "" {
		return nil, fmt.Errorf("save marker: account and timeline are required: %w", storage.ErrInvalid)
	}
	var out storage.Marker
	err := r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		// One statement: concurrent saves serialise on the row, and each
		// increments the version.
		_, err := ts.exec(ctx, `INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at) VALUES (?, ?, ?, 1, ?)
			ON CONFLICT (account_id, timeline) DO UPDATE SET last_read_id = excluded.last_read_id,
			version = markers.version + 1, updated_at = excluded.updated_at`, accountID, timeline, int64(lastReadID), ts.now())
		if err != nil {
			return ts.wrap(err, "save marker %s of %s", timeline, accountID)
		}
		return ts.wrap(ts.get(ctx, &out, "SELECT "+markerCols+" FROM markers WHERE account_id = ? AND timeline = ?", accountID, timeline),
			"load marker %s of %s", timeline, accountID)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ---- account notes ----

type accountNotes struct{ s *Store }

func (r accountNotes) Set(ctx context.Context, accountID, targetID storage.ID, comment string) error {
	if accountID == 0 || targetID == 0 {
		return fmt.Errorf("set note: account and target are required: %w", storage.ErrInvalid)
	}
	var err error
	if comment == "" {
		_, err = r.s.exec(ctx, "DELETE FROM account_notes WHERE account_id = ? AND target_account_id = ?", accountID, targetID)
	} else {
		_, err = r.s.exec(ctx, `INSERT INTO account_notes (account_id, target_account_id, comment, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (account_id, target_account_id) DO UPDATE SET comment = excluded.comment, updated_at = excluded.updated_at`,
			accountID, targetID, comment, r.s.now())
	}
	return r.s.wrap(err, "set note of %s on %s", accountID, targetID)
}

func (r accountNotes) Get(ctx context.Context, accountID storage.ID, ids []storage.ID) (map[storage.ID]string, error) {
	out := map[storage.ID]string{}
	ids = nonZero(ids)
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		Target  storage.ID `db:"target_account_id"`
		Comment string     `db:"comment"`
	}
	err := r.s.sel(ctx, &rows, "SELECT target_account_id, comment FROM account_notes WHERE account_id = ? AND target_account_id IN (?)", accountID, uniqIDs(ids))
	if err != nil {
		return nil, r.s.wrap(err, "notes of %s", accountID)
	}
	for _, row := range rows {
		out[row.Target] = row.Comment
	}
	return out, nil
}

// ---- endorsements ----

type endorsements struct{ s *Store }

var endorsementCols = selectList(&storage.Endorsement{}, "")

func (r endorsements) Create(ctx context.Context, e *storage.Endorsement) error {
	if e.AccountID == 0 || e.TargetAccountID == 0 {
		return fmt.Errorf("endorse: account and target are required: %w", storage.ErrInvalid)
	}
	if e.ID == 0 {
		e.ID = r.s.NewID()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = r.s.now()
	}
	e.CreatedAt = norm(e.CreatedAt)
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		_, err := ts.exec(ctx, `INSERT INTO endorsements (id, account_id, target_account_id, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (account_id, target_account_id) DO NOTHING`, e.ID, e.AccountID, e.TargetAccountID, e.CreatedAt)
		if err != nil {
			return ts.wrap(err, "endorse %s", e.TargetAccountID)
		}
		return ts.wrap(ts.get(ctx, e, "SELECT "+endorsementCols+" FROM endorsements WHERE account_id = ? AND target_account_id = ?",
			e.AccountID, e.TargetAccountID), "load endorsement")
	})
}

func (r endorsements) Delete(ctx context.Context, accountID, targetID storage.ID) error {
	err := r.s.execAffected(ctx, "DELETE FROM endorsements WHERE account_id = ? AND target_account_id = ?", accountID, targetID)
	return r.s.wrap(err, "unendorse %s", targetID)
}

func (r endorsements) List(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.Endorsement, error) {
	out, err := listPage[storage.Endorsement](ctx, r.s, "endorsements", []string{"account_id = ?"}, []any{accountID}, "id", p)
	return out, r.s.wrap(err, "endorsements of %s", accountID)
}

func (r endorsements) Endorsed(ctx context.Context, accountID storage.ID, ids []storage.ID) (map[storage.ID]bool, error) {
	out := map[storage.ID]bool{}
	ids = nonZero(ids)
	if len(ids) == 0 {
		return out, nil
	}
	var rows []storage.ID
	err := r.s.sel(ctx, &rows, "SELECT target_account_id FROM endorsements WHERE account_id = ? AND target_account_id IN (?)", accountID, uniqIDs(ids))
	if err != nil {
		return nil, r.s.wrap(err, "endorsed by %s", accountID)
	}
	for _, id := range rows {
		out[id] = true
	}
	return out, nil
}

// ---- featured tags ----

type featuredTags struct{ s *Store }

func normTag(name string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "#"))
}

func (r featuredTags) Create(ctx context.Context, f *storage.FeaturedTag) error {
	f.Name = normTag(f.Name)
	if f.AccountID == 0 || f.Name == "" {
		return fmt.Errorf("feature tag: account and name are required: %w", storage.ErrInvalid)
	}
	if f.ID == 0 {
		f.ID = r.s.NewID()
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = r.s.now()
	}
	f.CreatedAt = norm(f.CreatedAt)
	_, err := r.s.exec(ctx, "INSERT INTO featured_tags (id, account_id, name, created_at) VALUES (?, ?, ?, ?)", f.ID, f.AccountID, f.Name, f.CreatedAt)
	return r.s.wrap(err, "feature tag %q", f.Name)
}

func (r featuredTags) Delete(ctx context.Context, accountID, id storage.ID) error {
	err := r.s.execAffected(ctx, "DELETE FROM featured_tags WHERE id = ? AND account_id = ?", id, accountID)
	return r.s.wrap(err, "unfeature tag %s", id)
}

func (r featuredTags) DeleteByName(ctx context.Context, accountID storage.ID, name string) error {
	err := r.s.execAffected(ctx, "DELETE FROM featured_tags WHERE account_id = ? AND name = ?", accountID, normTag(name))
	return r.s.wrap(err, "unfeature tag %q", name)
}

func (r featuredTags) List(ctx context.Context, accountID storage.ID) ([]*storage.FeaturedTag, error) {
	var rows []struct {
		ID        storage.ID `db:"id"`
		AccountID storage.ID `db:"account_id"`
		Name      string     `db:"name"`
		CreatedAt time.Time  `db:"created_at"`
		Count     int64      `db:"statuses_count"`
		Last      storage.ID `db:"last_status_id"`
	}
	// The date of the last status is that of its (time-ordered) ID: an
	// aggregate of a datetime column scans as text on SQLite.
	const used = ` FROM status_tags t JOIN statuses s ON s.id = t.status_id WHERE t.tag = f.name AND s.account_id = f.account_id
		AND s.visibility IN ('public', 'unlisted') AND s.reblog_of_id IS NULL`
	err := r.s.sel(ctx, &rows, `SELECT f.id, f.account_id, f.name, f.created_at, (SELECT COUNT(*)`+used+`) AS statuses_count,
		COALESCE((SELECT MAX(s.id)`+used+`), 0) AS last_status_id FROM featured_tags f WHERE f.account_id = ? ORDER BY f.id`, accountID)
	if err != nil {
		return nil, r.s.wrap(err, "featured tags of %s", accountID)
	}
	out := make([]*storage.FeaturedTag, 0, len(rows))
	for _, row := range rows {
		f := &storage.FeaturedTag{ID: row.ID, AccountID: row.AccountID, Name: row.Name, CreatedAt: row.CreatedAt.UTC(), StatusesCount: row.Count}
		if row.Last != 0 {
			t := row.Last.Time()
			f.LastStatusAt = &t
		}
		out = append(out, f)
	}
	return out, nil
}

// mostUsedScan bounds how many of an account's latest statuses MostUsed
// looks at.
const mostUsedScan = 1000

func (r featuredTags) MostUsed(ctx context.Context, accountID storage.ID, limit int) ([]storage.TagUse, error) {
	if limit <= 0 || limit > storage.MaxLimit {
		limit = storage.DefaultLimit
	}
	out := []storage.TagUse{}
	err := r.s.sel(ctx, &out, `SELECT t.tag, COUNT(*) AS uses FROM status_tags t WHERE t.status_id IN
		(SELECT id FROM statuses WHERE account_id = ? AND reblog_of_id IS NULL ORDER BY id DESC LIMIT ?)
		GROUP BY t.tag ORDER BY uses DESC, t.tag LIMIT ?`, accountID, mostUsedScan, limit)
	return out, r.s.wrap(err, "most used tags of %s", accountID)
}

// ---- followed tags ----

type followedTags struct{ s *Store }

func (r followedTags) Follow(ctx context.Context, accountID storage.ID, name string) error {
	name = normTag(name)
	if accountID == 0 || name == "" {
		return fmt.Errorf("follow tag: account and name are required: %w", storage.ErrInvalid)
	}
	_, err := r.s.exec(ctx, "INSERT INTO followed_tags (id, account_id, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, name) DO NOTHING",
		r.s.NewID(), accountID, name, r.s.now())
	return r.s.wrap(err, "follow tag %q", name)
}

func (r followedTags) Unfollow(ctx context.Context, accountID storage.ID, name string) error {
	_, err := r.s.exec(ctx, "DELETE FROM followed_tags WHERE account_id = ? AND name = ?", accountID, normTag(name))
	return r.s.wrap(err, "unfollow tag %q", name)
}

func (r followedTags) List(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.FollowedTag, error) {
	out, err := listPage[storage.FollowedTag](ctx, r.s, "followed_tags", []string{"account_id = ?"}, []any{accountID}, "id", p)
	return out, r.s.wrap(err, "followed tags of %s", accountID)
}

func normTags(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n = normTag(n); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func (r followedTags) Following(ctx context.Context, accountID storage.ID, names []string) (map[string]bool, error) {
	out := map[string]bool{}
	names = normTags(names)
	if len(names) == 0 {
		return out, nil
	}
	var rows []string
	err := r.s.sel(ctx, &rows, "SELECT name FROM followed_tags WHERE account_id = ? AND name IN (?)", accountID, names)
	if err != nil {
		return nil, r.s.wrap(err, "followed tags of %s", accountID)
	}
	for _, n := range rows {
		out[n] = true
	}
	return out, nil
}

func (r followedTags) Audience(ctx context.Context, tags []string, q storage.AudienceQuery) ([]storage.ID, error) {
	out := []storage.ID{}
	tags = normTags(tags)
	if len(tags) == 0 {
		return out, nil
	}
	if q.AuthorID == 0 {
		return nil, fmt.Errorf("tag audience: author is required: %w", storage.ErrInvalid)
	}
	exclude := append([]storage.ID{q.AuthorID}, q.Exclude...)
	var sb strings.Builder
	sb.WriteString(`SELECT DISTINCT ft.account_id FROM followed_tags ft JOIN accounts a ON a.id = ft.account_id AND a.domain = ''
		WHERE ft.name IN (?) AND ft.account_id <> ?`)
	args := []any{tags, q.AuthorID}
	sb.WriteString(" AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = ? AND b.target_account_id = ft.account_id)")
	sb.WriteString(" AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = ft.account_id AND b.target_account_id IN (?))")
	sb.WriteString(" AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = ft.account_id AND m.target_account_id IN (?) AND (m.expires_at IS NULL OR m.expires_at > ?))")
	args = append(args, q.AuthorID, exclude, exclude, r.s.now())
	if q.AuthorDomain != "" {
		sb.WriteString(" AND NOT EXISTS (SELECT 1 FROM domain_blocks d WHERE d.account_id = ft.account_id AND d.domain = ?)")
		args = append(args, strings.ToLower(q.AuthorDomain))
	}
	sb.WriteString(" ORDER BY ft.account_id")
	err := r.s.sel(ctx, &out, sb.String(), args...)
	return out, r.s.wrap(err, "tag audience of %s", q.AuthorID)
}
