package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/herd-social/herd/storage"
)

type statuses struct{ s *Store }

var statusCols = selectList(&storage.Status{}, "")

var statusEditable = []string{"content", "text", "spoiler_text", "sensitive", "language", "mentions",
	"tags", "emojis", "media_ids", "poll_id", "has_media", "edited_at", "updated_at", "extra", "url"}

func normStatus(st *storage.Status) {
	st.CreatedAt, st.UpdatedAt, st.EditedAt = norm(st.CreatedAt), norm(st.UpdatedAt), normp(st.EditedAt)
	if st.Visibility == "" {
		st.Visibility = storage.VisibilityPublic
	}
	if st.Mentions == nil {
		st.Mentions = storage.Mentions{}
	}
	if st.Emojis == nil {
		st.Emojis = storage.Emojis{}
	}
	if st.MediaIDs == nil {
		st.MediaIDs = storage.IDs{}
	}
	if st.Extra == nil {
		st.Extra = storage.Extra{}
	}
	tags := make(storage.Strings, 0, len(st.Tags))
	seen := map[string]bool{}
	for _, t := range st.Tags {
		t = strings.ToLower(strings.TrimPrefix(t, "#"))
		if t != "" && !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	st.Tags = tags
	st.HasMedia = st.HasMedia || len(st.MediaIDs) > 0
}

func (r statuses) Create(ctx context.Context, st *storage.Status) error {
	if st.AccountID == 0 || st.URI == "" {
		return fmt.Errorf("create status: account and uri are required: %w", storage.ErrInvalid)
	}
	if !st.Visibility.Valid() && st.Visibility != "" {
		return fmt.Errorf("create status: visibility %q: %w", st.Visibility, storage.ErrInvalid)
	}
	if st.ID == 0 {
		st.ID = r.s.NewID()
	}
	now := r.s.now()
	if st.CreatedAt.IsZero() {
		st.CreatedAt = now
	}
	if st.UpdatedAt.IsZero() {
		st.UpdatedAt = now
	}
	normStatus(st)
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		if st.ConversationID == 0 {
			st.ConversationID = st.ID
			if st.InReplyToID != 0 {
				var conv storage.ID
				err := ts.get(ctx, &conv, "SELECT conversation_id FROM statuses WHERE id = ?", st.InReplyToID)
				if err == nil && conv != 0 {
					st.ConversationID = conv
				}
			}
		}
		if st.ReblogOfID != 0 {
			ts.changedViewerStates(st.AccountID)
		}
		if err := ts.insert(ctx, "statuses", st); err != nil {
			return ts.wrap(err, "create status %s", st.URI)
		}
		return ts.wrap(writeStatusIndex(ctx, ts, st), "index status %s", st.ID)
	})
}

// writeStatusIndex (re)writes the tag and mention rows of a status.
func writeStatusIndex(ctx context.Context, s *Store, st *storage.Status) error {
	if _, err := s.exec(ctx, "DELETE FROM status_tags WHERE status_id = ?", st.ID); err != nil {
		return err
	}
	if _, err := s.exec(ctx, "DELETE FROM status_mentions WHERE status_id = ?", st.ID); err != nil {
		return err
	}
	for _, t := range st.Tags {
		if _, err := s.exec(ctx, "INSERT INTO status_tags (tag, status_id) VALUES (?, ?) ON CONFLICT DO NOTHING", t, st.ID); err != nil {
			return err
		}
	}
	for _, m := range st.Mentions {
		if m.AccountID == 0 {
			continue
		}
		if _, err := s.exec(ctx, "INSERT INTO status_mentions (account_id, status_id) VALUES (?, ?) ON CONFLICT DO NOTHING", m.AccountID, st.ID); err != nil {
			return err
		}
	}
	return nil
}

func (r statuses) Get(ctx context.Context, id storage.ID) (*storage.Status, error) {
	c := r.s.readCache()
	var gen uint64
	if c != nil {
		if st := c.statuses.get(id, c.now(), storage.SharedRecords(ctx)); st != nil {
			return st, nil
		}
		gen = c.statuses.generation()
	}
	var st storage.Status
	err := r.s.get(ctx, &st, "SELECT "+statusCols+" FROM statuses WHERE id = ?", id)
	if err == nil && c != nil {
		c.statuses.put(gen, c.now(), statusID, &st)
	}
	return &st, r.s.wrap(err, "get status %s", id)
}

func (r statuses) GetMany(ctx context.Context, ids []storage.ID) ([]*storage.Status, error) {
	if len(ids) == 0 {
		return []*storage.Status{}, nil
	}
	c := r.s.readCache()
	if c == nil {
		var out []*storage.Status
		err := r.s.sel(ctx, &out, "SELECT "+statusCols+" FROM statuses WHERE id IN (?)", ids)
		return out, r.s.wrap(err, "get statuses")
	}
	out, missing := c.statuses.getMany(uniqueIDs(ids), c.now(), storage.SharedRecords(ctx))
	if len(missing) == 0 {
		return out, nil
	}
	gen := c.statuses.generation()
	var got []*storage.Status
	if err := r.s.sel(ctx, &got, "SELECT "+statusCols+" FROM statuses WHERE id IN (?)", missing); err != nil {
		return nil, r.s.wrap(err, "get statuses")
	}
	c.statuses.put(gen, c.now(), statusID, got...)
	return append(out, got...), nil
}

func (r statuses) GetByURI(ctx context.Context, uri string) (*storage.Status, error) {
	var st storage.Status
	err := r.s.get(ctx, &st, "SELECT "+statusCols+" FROM statuses WHERE uri = ?", uri)
	return &st, r.s.wrap(err, "get status by uri %s", uri)
}

func (r statuses) Update(ctx context.Context, st *storage.Status) error {
	st.UpdatedAt = r.s.now()
	normStatus(st)
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		ts.changedStatuses(false, st.ID)
		if err := ts.update(ctx, "statuses", "id", st, statusEditable); err != nil {
			return ts.wrap(err, "update status %s", st.ID)
		}
		return ts.wrap(writeStatusIndex(ctx, ts, st), "index status %s", st.ID)
	})
}

func (r statuses) Delete(ctx context.Context, id storage.ID) error {
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		// Boosts of the status go with it, and so does everything pointing at either.
		var ids []storage.ID
		if err := ts.sel(ctx, &ids, "SELECT id FROM statuses WHERE reblog_of_id = ?", id); err != nil {
			return ts.wrap(err, "delete status %s", id)
		}
		ids = append(ids, id)
		// A boost deleted changes its author's state of the boosted status.
		var booster []storage.ID
		if err := ts.sel(ctx, &booster, "SELECT account_id FROM statuses WHERE id = ? AND reblog_of_id IS NOT NULL", id); err != nil {
			return ts.wrap(err, "delete status %s", id)
		}
		ts.changedViewerStates(booster...)
		// Replies and quotes of the status change too: drop every status.
		ts.changedStatuses(true)
		ts.changedFeedStatuses(ids...)
		for _, q := range []string{
			"DELETE FROM feed_entries WHERE status_id IN (?)",
			"DELETE FROM notifications WHERE status_id IN (?)",
			"DELETE FROM favourites WHERE status_id IN (?)",
			"DELETE FROM bookmarks WHERE status_id IN (?)",
			"DELETE FROM pins WHERE status_id IN (?)",
			"DELETE FROM status_tags WHERE status_id IN (?)",
			"DELETE FROM status_mentions WHERE status_id IN (?)",
			"DELETE FROM status_edits WHERE status_id IN (?)",
			"UPDATE statuses SET in_reply_to_id = NULL WHERE in_reply_to_id IN (?)",
			"UPDATE statuses SET quote_of_id = NULL WHERE quote_of_id IN (?)",
			"DELETE FROM statuses WHERE reblog_of_id = ?",
		} {
			arg := any(ids)
			if strings.HasSuffix(q, "= ?") {
				arg = id
			}
			if _, err := ts.exec(ctx, q, arg); err != nil {
				return ts.wrap(err, "delete status %s", id)
			}
		}
		return ts.wrap(ts.execAffected(ctx, "DELETE FROM statuses WHERE id = ?", id), "delete status %s", id)
	})
}

func (r statuses) GetReblog(ctx context.Context, accountID, statusID storage.ID) (*storage.Status, error) {
	var st storage.Status
	err := r.s.get(ctx, &st, "SELECT "+statusCols+" FROM statuses WHERE reblog_of_id = ? AND account_id = ?", statusID, accountID)
	return &st, r.s.wrap(err, "get reblog of %s by %s", statusID, accountID)
}

func (r statuses) Reblogs(ctx context.Context, statusID storage.ID, p storage.Page) ([]*storage.Status, error) {
	out, err := r.listStatuses(ctx, []string{"reblog_of_id = ?"}, []any{statusID}, "id", p)
	return out, r.s.wrap(err, "list reblogs of %s", statusID)
}

// listStatuses runs a paged query over statuses and returns the rows
// newest first. With the record cache on (outside transactions) it reads
// only the IDs and takes the records from the cache, reading the missing
// ones by ID: on SQLite, reading the wide rows was most of a timeline's
// cost.
func (r statuses) listStatuses(ctx context.Context, where []string, args []any, col string, p storage.Page) ([]*storage.Status, error) {
	if r.s.readCache() == nil {
		return listPage[storage.Status](ctx, r.s, "statuses", where, args, col, p)
	}
	where, args, suffix := pageClause(where, args, col, p)
	ids := make([]storage.ID, 0, p.Norm(storage.DefaultLimit, storage.MaxLimit).Limit)
	if err := r.s.scanIDRows(ctx, "SELECT id FROM statuses"+whereSQL(where)+suffix, args, func(row []storage.ID) {
		ids = append(ids, row[0])
	}); err != nil {
		return nil, err
	}
	if p.Ascending() {
		reverse(ids)
	}
	if len(ids) == 0 {
		return []*storage.Status{}, nil
	}
	got, err := r.GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[storage.ID]*storage.Status, len(got))
	for _, st := range got {
		byID[st.ID] = st
	}
	out := make([]*storage.Status, 0, len(ids))
	for _, id := range ids {
		// A status deleted between the two reads is left out.
		if st := byID[id]; st != nil {
			out = append(out, st)
		}
	}
	return out, nil
}

func visibilityIn(where []string, args []any, col string, vs []storage.Visibility) ([]string, []any) {
	if len(vs) == 0 {
		return where, args
	}
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = "?"
		args = append(args, string(v))
	}
	return append(where, col+" IN ("+strings.Join(ph, ", ")+")"), args
}

func (r statuses) ByAccount(ctx context.Context, accountID storage.ID, f storage.StatusFilter, p storage.Page) ([]*storage.Status, error) {
	where := []string{"account_id = ?"}
	args := []any{accountID}
	where, args = visibilityIn(where, args, "visibility", f.Visibilities)
	if f.ExcludeReplies {
		// Self-replies (threads) stay, as on Mastodon.
		where = append(where, "(in_reply_to_id IS NULL AND in_reply_to_uri = '' OR in_reply_to_account_id = account_id)")
	}
	if f.ExcludeReblogs {
		where = append(where, "reblog_of_id IS NULL")
	}
	if f.OnlyMedia {
		where = append(where, "has_media")
	}
	if f.Tagged != "" {
		where = append(where, "id IN (SELECT status_id FROM status_tags WHERE tag = ?)")
		args = append(args, strings.ToLower(strings.TrimPrefix(f.Tagged, "#")))
	}
	out, err := r.listStatuses(ctx, where, args, "id", p)
	return out, r.s.wrap(err, "list statuses of %s", accountID)
}

func (r statuses) Public(ctx context.Context, f storage.PublicFilter, p storage.Page) ([]*storage.Status, error) {
	where := []string{"visibility = 'public'", "reblog_of_id IS NULL",
		"(in_reply_to_account_id IS NULL OR in_reply_to_account_id = account_id)"}
	switch {
	case f.LocalOnly:
		where = append(where, "local")
	case f.RemoteOnly:
		where = append(where, "NOT local")
	}
	if f.OnlyMedia {
		where = append(where, "has_media")
	}
	out, err := r.listStatuses(ctx, where, nil, "id", p)
	return out, r.s.wrap(err, "list public statuses")
}

func lowerTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t = strings.ToLower(strings.TrimPrefix(t, "#")); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func (r statuses) Tagged(ctx context.Context, f storage.TagFilter, p storage.Page) ([]*storage.Status, error) {
	anyTags, allTags, noneTags := lowerTags(f.Any), lowerTags(f.All), lowerTags(f.None)
	if len(anyTags) == 0 && len(allTags) == 0 {
		return []*storage.Status{}, nil
	}
	var where []string
	var args []any
	vis := f.Visibilities
	if len(vis) == 0 {
		vis = []storage.Visibility{storage.VisibilityPublic}
	}
	where, args = visibilityIn(where, args, "visibility", vis)
	where = append(where, "reblog_of_id IS NULL")
	if len(anyTags) > 0 {
		where = append(where, "id IN (SELECT status_id FROM status_tags WHERE tag IN (?))")
		args = append(args, anyTags)
	}
	for _, t := range allTags {
		where = append(where, "id IN (SELECT status_id FROM status_tags WHERE tag = ?)")
		args = append(args, t)
	}
	if len(noneTags) > 0 {
		where = append(where, "id NOT IN (SELECT status_id FROM status_tags WHERE tag IN (?))")
		args = append(args, noneTags)
	}
	if f.LocalOnly {
		where = append(where, "local")
	}
	if f.OnlyMedia {
		where = append(where, "has_media")
	}
	out, err := r.listStatuses(ctx, where, args, "id", p)
	return out, r.s.wrap(err, "list tagged statuses")
}

func (r statuses) Ancestors(ctx context.Context, id storage.ID, limit int) ([]*storage.Status, error) {
	if limit <= 0 {
		limit = 40
	}
	// Walk up the in_reply_to chain; depth bounds it even if data has a cycle.
	q := `WITH RECURSIVE up(id, depth) AS (
			SELECT in_reply_to_id, 1 FROM statuses WHERE id = ?
			UNION ALL
			SELECT s.in_reply_to_id, up.depth + 1 FROM statuses s JOIN up ON s.id = up.id
			WHERE up.depth < ? AND s.in_reply_to_id IS NOT NULL
		)
		SELECT ` + selectList(&storage.Status{}, "s") + ` FROM statuses s JOIN up ON s.id = up.id
		ORDER BY up.depth`
	var chain []*storage.Status
	if err := r.s.sel(ctx, &chain, q, id, limit); err != nil {
		return nil, r.s.wrap(err, "ancestors of %s", id)
	}
	// A cycle in the data (a status replying, through others, to itself)
	// repeats statuses until the depth bound: keep each once, nearest
	// first, and never the status itself; then return them oldest first.
	seen := map[storage.ID]bool{id: true}
	out := make([]*storage.Status, 0, len(chain))
	for _, st := range chain {
		if !seen[st.ID] {
			seen[st.ID] = true
			out = append(out, st)
		}
	}
	reverse(out)
	return out, nil
}

func (r statuses) Descendants(ctx context.Context, id storage.ID, limit int) ([]*storage.Status, error) {
	if limit <= 0 {
		limit = 60
	}
	q := `WITH RECURSIVE down(id, depth) AS (
			SELECT id, 1 FROM statuses WHERE in_reply_to_id = ?
			UNION ALL
			SELECT s.id, down.depth + 1 FROM statuses s JOIN down ON s.in_reply_to_id = down.id
			WHERE down.depth < 256
		)
		SELECT ` + selectList(&storage.Status{}, "s") + ` FROM statuses s
		WHERE s.id IN (SELECT id FROM down) AND s.id <> ?
		ORDER BY s.id LIMIT ?`
	var flat []*storage.Status
	if err := r.s.sel(ctx, &flat, q, id, id, limit); err != nil {
		return nil, r.s.wrap(err, "descendants of %s", id)
	}
	// Order depth first: children follow their parent, siblings oldest first.
	children := map[storage.ID][]*storage.Status{}
	for _, st := range flat {
		children[st.InReplyToID] = append(children[st.InReplyToID], st)
	}
	out := make([]*storage.Status, 0, len(flat))
	var walk func(parent storage.ID)
	seen := map[storage.ID]bool{id: true}
	walk = func(parent storage.ID) {
		for _, c := range children[parent] {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			out = append(out, c)
			walk(c.ID)
		}
	}
	walk(id)
	return out, nil
}

func (r statuses) AddEdit(ctx context.Context, e *storage.StatusEdit) error {
	if e.StatusID == 0 {
		return fmt.Errorf("add status edit: status is required: %w", storage.ErrInvalid)
	}
	if e.ID == 0 {
		e.ID = r.s.NewID()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = r.s.now()
	}
	e.CreatedAt = norm(e.CreatedAt)
	if e.MediaIDs == nil {
		e.MediaIDs = storage.IDs{}
	}
	if e.Emojis == nil {
		e.Emojis = storage.Emojis{}
	}
	if e.PollOptions == nil {
		e.PollOptions = storage.Strings{}
	}
	return r.s.wrap(r.s.insert(ctx, "status_edits", e), "add edit of %s", e.StatusID)
}

func (r statuses) Edits(ctx context.Context, statusID storage.ID) ([]*storage.StatusEdit, error) {
	var out []*storage.StatusEdit
	err := r.s.sel(ctx, &out, "SELECT "+selectList(&storage.StatusEdit{}, "")+" FROM status_edits WHERE status_id = ? ORDER BY id", statusID)
	return out, r.s.wrap(err, "edits of %s", statusID)
}

func (r statuses) AdjustCounts(ctx context.Context, id storage.ID, replies, reblogs, favs int64) error {
	q := `UPDATE statuses SET
		replies_count = CASE WHEN replies_count + ? < 0 THEN 0 ELSE replies_count + ? END,
		reblogs_count = CASE WHEN reblogs_count + ? < 0 THEN 0 ELSE reblogs_count + ? END,
		favourites_count = CASE WHEN favourites_count + ? < 0 THEN 0 ELSE favourites_count + ? END
		WHERE id = ?`
	err := r.s.execAffected(ctx, q, replies, replies, reblogs, reblogs, favs, favs, id)
	r.s.changedStatuses(false, id)
	return r.s.wrap(err, "adjust status counts %s", id)
}

func (r statuses) ViewerStates(ctx context.Context, accountID storage.ID, ids []storage.ID) (map[storage.ID]storage.ViewerState, error) {
	if accountID == 0 || len(ids) == 0 {
		return map[storage.ID]storage.ViewerState{}, nil
	}
	if out, ok, err := r.cachedViewerStates(ctx, accountID, ids); ok {
		return out, err
	}
	return r.viewerStates(ctx, accountID, ids)
}

// viewerStates reads the states of ids for accountID from the database.
func (r statuses) viewerStates(ctx context.Context, accountID storage.ID, ids []storage.ID) (map[storage.ID]storage.ViewerState, error) {
	out := map[storage.ID]storage.ViewerState{}
	q := `SELECT 1 AS kind, status_id FROM favourites WHERE account_id = ? AND status_id IN (?)
		UNION ALL SELECT 2, reblog_of_id FROM statuses WHERE account_id = ? AND reblog_of_id IN (?)
		UNION ALL SELECT 3, status_id FROM bookmarks WHERE account_id = ? AND status_id IN (?)
		UNION ALL SELECT 4, status_id FROM pins WHERE account_id = ? AND status_id IN (?)`
	args := []any{accountID, ids, accountID, ids, accountID, ids, accountID, ids}
	if r.s.cfg.Dialect == SQLite {
		q, args = viewerStatesSQLite, []any{idListJSON(ids), accountID}
	}
	err := r.s.scanIDRows(ctx, q, args, func(row []storage.ID) {
		if len(row) < 2 {
			return
		}
		v := out[row[1]]
		switch row[0] {
		case 1:
			v.Favourited = true
		case 2:
			v.Reblogged = true
		case 3:
			v.Bookmarked = true
		case 4:
			v.Pinned = true
		}
		out[row[1]] = v
	})
	if err != nil {
		return nil, r.s.wrap(err, "viewer states")
	}
	return out, nil
}

func (r statuses) Count(ctx context.Context, local bool) (int64, error) {
	q := "SELECT COUNT(*) FROM statuses WHERE reblog_of_id IS NULL"
	if local {
		q += " AND local"
	}
	var n int64
	err := r.s.get(ctx, &n, q)
	return n, r.s.wrap(err, "count statuses")
}
