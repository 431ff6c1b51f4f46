package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/herd-social/herd/storage"
)

// Blocks implements storage.Store.
func (s *Store) Blocks() storage.Blocks { return blocks{s} }

// Mutes implements storage.Store.
func (s *Store) Mutes() storage.Mutes { return mutes{s} }

// DomainBlocks implements storage.Store.
func (s *Store) DomainBlocks() storage.DomainBlocks { return domainBlocks{s} }

// Queries implements storage.Store.
func (s *Store) Queries() storage.Queries { return queries{s} }

type blocks struct{ s *Store }

var blockCols = selectList(&storage.Block{}, "")

func (r blocks) Create(ctx context.Context, b *storage.Block) error {
	if b.AccountID == 0 || b.TargetAccountID == 0 {
		return fmt.Errorf("block: account and target are required: %w", storage.ErrInvalid)
	}
	if b.ID == 0 {
		b.ID = r.s.NewID()
	}
	if b.CreatedAt.IsZero() {
		b.CreatedAt = r.s.now()
	}
	b.CreatedAt = norm(b.CreatedAt)
	err := r.s.insert(ctx, "blocks", b)
	r.s.changedBlocks(b.AccountID, b.TargetAccountID)
	return r.s.wrap(err, "create block %s→%s", b.AccountID, b.TargetAccountID)
}

func (r blocks) Get(ctx context.Context, accountID, targetID storage.ID) (*storage.Block, error) {
	var b storage.Block
	err := r.s.get(ctx, &b, "SELECT "+blockCols+" FROM blocks WHERE account_id = ? AND target_account_id = ?", accountID, targetID)
	return &b, r.s.wrap(err, "get block %s→%s", accountID, targetID)
}

func (r blocks) GetByURI(ctx context.Context, uri string) (*storage.Block, error) {
	var b storage.Block
	err := r.s.get(ctx, &b, "SELECT "+blockCols+" FROM blocks WHERE uri = ? AND uri <> ''", uri)
	return &b, r.s.wrap(err, "get block by uri %s", uri)
}

func (r blocks) Delete(ctx context.Context, accountID, targetID storage.ID) error {
	err := r.s.execAffected(ctx, "DELETE FROM blocks WHERE account_id = ? AND target_account_id = ?", accountID, targetID)
	r.s.changedBlocks(accountID, targetID)
	return r.s.wrap(err, "delete block %s→%s", accountID, targetID)
}

func (r blocks) List(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.Block, error) {
	out, err := listPage[storage.Block](ctx, r.s, "blocks", []string{"account_id = ?"}, []any{accountID}, "id", p)
	if out == nil {
		out = []*storage.Block{}
	}
	return out, r.s.wrap(err, "blocks of %s", accountID)
}

func (r blocks) States(ctx context.Context, accountID storage.ID, ids []storage.ID) (map[storage.ID]storage.BlockState, error) {
	out := map[storage.ID]storage.BlockState{}
	if accountID == 0 || len(ids) == 0 {
		return out, nil
	}
	set, err := r.s.blockSetOf(ctx, accountID)
	if err != nil {
		return nil, r.s.wrap(err, "block states of %s", accountID)
	}
	if set != nil && !set.big {
		for _, id := range ids {
			_, blocking := set.blocking[id]
			_, blockedBy := set.blockedBy[id]
			if blocking || blockedBy {
				out[id] = storage.BlockState{Blocking: blocking, BlockedBy: blockedBy}
			}
		}
		return out, nil
	}
	var rows []struct {
		Kind int        `db:"kind"`
		ID   storage.ID `db:"id"`
	}
	q := `SELECT 1 AS kind, target_account_id AS id FROM blocks WHERE account_id = ? AND target_account_id IN (?)
		UNION ALL SELECT 2, account_id FROM blocks WHERE target_account_id = ? AND account_id IN (?)`
	if err := r.s.sel(ctx, &rows, q, accountID, ids, accountID, ids); err != nil {
		return nil, r.s.wrap(err, "block states of %s", accountID)
	}
	for _, row := range rows {
		st := out[row.ID]
		if row.Kind == 1 {
			st.Blocking = true
		} else {
			st.BlockedBy = true
		}
		out[row.ID] = st
	}
	return out, nil
}

func (r blocks) BlockerIDs(ctx context.Context, targetID storage.ID) ([]storage.ID, error) {
	out := []storage.ID{}
	err := r.s.sel(ctx, &out, "SELECT account_id FROM blocks WHERE target_account_id = ? ORDER BY account_id", targetID)
	return out, r.s.wrap(err, "blockers of %s", targetID)
}

type mutes struct{ s *Store }

var muteCols = selectList(&storage.Mute{}, "")

// unexpired is the condition keeping mutes that still apply.
const unexpired = "(expires_at IS NULL OR expires_at > ?)"

func (r mutes) Create(ctx context.Context, m *storage.Mute) error {
	if m.AccountID == 0 || m.TargetAccountID == 0 {
		return fmt.Errorf("mute: account and target are required: %w", storage.ErrInvalid)
	}
	if m.ID == 0 {
		m.ID = r.s.NewID()
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = r.s.now()
	}
	m.CreatedAt, m.ExpiresAt = norm(m.CreatedAt), normp(m.ExpiresAt)
	cols := columnsOf(m)
	q := "INSERT INTO mutes (" + strings.Join(cols, ", ") + ") VALUES (:" + strings.Join(cols, ", :") +
		") ON CONFLICT (account_id, target_account_id) DO UPDATE SET hide_notifications = excluded.hide_notifications, expires_at = excluded.expires_at"
	err := r.s.named(ctx, q, m)
	r.s.changedMutes(m.AccountID)
	if err != nil {
		return r.s.wrap(err, "create mute %s→%s", m.AccountID, m.TargetAccountID)
	}
	// Read back the stored row: an existing mute keeps its ID and creation time.
	got, err := r.Get(ctx, m.AccountID, m.TargetAccountID)
	if err != nil {
		return err
	}
	*m = *got
	return nil
}

func (r mutes) Get(ctx context.Context, accountID, targetID storage.ID) (*storage.Mute, error) {
	var m storage.Mute
	err := r.s.get(ctx, &m, "SELECT "+muteCols+" FROM mutes WHERE account_id = ? AND target_account_id = ?", accountID, targetID)
	return &m, r.s.wrap(err, "get mute %s→%s", accountID, targetID)
}

func (r mutes) Delete(ctx context.Context, accountID, targetID storage.ID) error {
	err := r.s.execAffected(ctx, "DELETE FROM mutes WHERE account_id = ? AND target_account_id = ?", accountID, targetID)
	r.s.changedMutes(accountID)
	return r.s.wrap(err, "delete mute %s→%s", accountID, targetID)
}

func (r mutes) List(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.Mute, error) {
	out, err := listPage[storage.Mute](ctx, r.s, "mutes", []string{"account_id = ?", unexpired}, []any{accountID, r.s.now()}, "id", p)
	if out == nil {
		out = []*storage.Mute{}
	}
	return out, r.s.wrap(err, "mutes of %s", accountID)
}

func (r mutes) States(ctx context.Context, accountID storage.ID, ids []storage.ID) (map[storage.ID]*storage.Mute, error) {
	out := map[storage.ID]*storage.Mute{}
	if accountID == 0 || len(ids) == 0 {
		return out, nil
	}
	set, err := r.s.muteSetOf(ctx, accountID)
	if err != nil {
		return nil, r.s.wrap(err, "mute states of %s", accountID)
	}
	if set != nil && !set.big {
		now := r.s.now()
		for _, id := range ids {
			if m := set.mutes[id]; m != nil && (m.ExpiresAt == nil || m.ExpiresAt.After(now)) {
				out[id] = cloneMute(m)
			}
		}
		return out, nil
	}
	var rows []*storage.Mute
	err = r.s.sel(ctx, &rows, "SELECT "+muteCols+" FROM mutes WHERE account_id = ? AND target_account_id IN (?) AND "+unexpired,
		accountID, ids, r.s.now())
	if err != nil {
		return nil, r.s.wrap(err, "mute states of %s", accountID)
	}
	for _, m := range rows {
		out[m.TargetAccountID] = m
	}
	return out, nil
}

func (r mutes) MuterIDs(ctx context.Context, targetID storage.ID, notificationsOnly bool) ([]storage.ID, error) {
	q := "SELECT account_id FROM mutes WHERE target_account_id = ? AND " + unexpired
	if notificationsOnly {
		q += " AND hide_notifications"
	}
	out := []storage.ID{}
	err := r.s.sel(ctx, &out, q+" ORDER BY account_id", targetID, r.s.now())
	return out, r.s.wrap(err, "muters of %s", targetID)
}

func (r mutes) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	res, err := r.s.exec(ctx, "DELETE FROM mutes WHERE expires_at IS NOT NULL AND expires_at <= ?", norm(now))
	if err != nil {
		return 0, r.s.wrap(err, "delete expired mutes")
	}
	n, err := res.RowsAffected()
	return n, r.s.wrap(err, "delete expired mutes")
}

type domainBlocks struct{ s *Store }

func (r domainBlocks) Create(ctx context.Context, d *storage.DomainBlock) error {
	d.Domain = strings.ToLower(strings.TrimSpace(d.Domain))
	if d.AccountID == 0 || d.Domain == "" {
		return fmt.Errorf("domain block: account and domain are required: %w", storage.ErrInvalid)
	}
	if d.ID == 0 {
		d.ID = r.s.NewID()
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = r.s.now()
	}
	d.CreatedAt = norm(d.CreatedAt)
	err := r.s.insert(ctx, "domain_blocks", d)
	r.s.changedDomainBlocks(d.AccountID)
	return r.s.wrap(err, "create domain block %s of %s", d.Domain, d.AccountID)
}

func (r domainBlocks) Delete(ctx context.Context, accountID storage.ID, domain string) error {
	err := r.s.execAffected(ctx, "DELETE FROM domain_blocks WHERE account_id = ? AND domain = ?", accountID, strings.ToLower(domain))
	r.s.changedDomainBlocks(accountID)
	return r.s.wrap(err, "delete domain block %s of %s", domain, accountID)
}

func (r domainBlocks) List(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.DomainBlock, error) {
	out, err := listPage[storage.DomainBlock](ctx, r.s, "domain_blocks", []string{"account_id = ?"}, []any{accountID}, "id", p)
	if out == nil {
		out = []*storage.DomainBlock{}
	}
	return out, r.s.wrap(err, "domain blocks of %s", accountID)
}

func (r domainBlocks) Domains(ctx context.Context, accountID storage.ID) ([]string, error) {
	set, err := r.s.domainSetOf(ctx, accountID)
	if err != nil {
		return nil, r.s.wrap(err, "blocked domains of %s", accountID)
	}
	if set != nil && !set.big {
		return cloneStrings(set.domains), nil
	}
	out := []string{}
	err = r.s.sel(ctx, &out, "SELECT domain FROM domain_blocks WHERE account_id = ? ORDER BY domain", accountID)
	return out, r.s.wrap(err, "blocked domains of %s", accountID)
}

func (r domainBlocks) Blocking(ctx context.Context, accountID storage.ID, domain string) (bool, error) {
	var n int64
	err := r.s.get(ctx, &n, "SELECT COUNT(*) FROM domain_blocks WHERE account_id = ? AND domain = ?", accountID, strings.ToLower(domain))
	return n > 0, r.s.wrap(err, "domain block %s of %s", domain, accountID)
}

type queries struct{ s *Store }

func (r queries) Audience(ctx context.Context, q storage.AudienceQuery) ([]storage.ID, error) {
	if q.AuthorID == 0 {
		return nil, fmt.Errorf("audience: author is required: %w", storage.ErrInvalid)
	}
	exclude := append([]storage.ID{q.AuthorID}, q.Exclude...)
	var sb strings.Builder
	args := []any{q.AuthorID}
	sb.WriteString("SELECT f.account_id FROM follows f JOIN accounts a ON a.id = f.account_id AND a.domain = '' WHERE f.target_account_id = ?")
	if q.ShowingReblogs {
		sb.WriteString(" AND f.show_reblogs")
	}
	if q.Notifying {
		sb.WriteString(" AND f.notify")
	}
	if q.AlsoFollowing != 0 {
		sb.WriteString(" AND (f.account_id = ? OR EXISTS (SELECT 1 FROM follows f2 WHERE f2.account_id = f.account_id AND f2.target_account_id = ?))")
		args = append(args, q.AlsoFollowing, q.AlsoFollowing)
	}
	sb.WriteString(" AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = f.account_id AND b.target_account_id IN (?))")
	sb.WriteString(" AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = f.account_id AND m.target_account_id IN (?) AND (m.expires_at IS NULL OR m.expires_at > ?))")
	args = append(args, exclude, exclude, r.s.now())
	if q.AuthorDomain != "" {
		sb.WriteString(" AND NOT EXISTS (SELECT 1 FROM domain_blocks d WHERE d.account_id = f.account_id AND d.domain = ?)")
		args = append(args, strings.ToLower(q.AuthorDomain))
	}
	sb.WriteString(" ORDER BY f.account_id")
	out := []storage.ID{}
	err := r.s.sel(ctx, &out, sb.String(), args...)
	return out, r.s.wrap(err, "audience of %s", q.AuthorID)
}

// likePattern escapes LIKE wildcards in s.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

func clampLimit(limit, offset int) (int, int) {
	if limit <= 0 || limit > storage.MaxLimit {
		limit = storage.DefaultLimit
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

func (r queries) SearchTags(ctx context.Context, prefix string, limit, offset int) ([]storage.TagUse, error) {
	prefix = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(prefix), "#"))
	out := []storage.TagUse{}
	if prefix == "" {
		return out, nil
	}
	limit, offset = clampLimit(limit, offset)
	q := `SELECT tag, COUNT(*) AS uses FROM status_tags WHERE tag LIKE ? ESCAPE '\' GROUP BY tag
		ORDER BY CASE WHEN tag = ? THEN 0 ELSE 1 END, uses DESC, tag LIMIT ? OFFSET ?`
	err := r.s.sel(ctx, &out, q, likePattern(prefix)+"%", prefix, limit, offset)
	return out, r.s.wrap(err, "search tags %q", prefix)
}

func (r queries) SearchStatuses(ctx context.Context, q storage.StatusSearch, limit, offset int) ([]*storage.Status, error) {
	out := []*storage.Status{}
	text := strings.ToLower(strings.TrimSpace(q.Query))
	if text == "" {
		return out, nil
	}
	limit, offset = clampLimit(limit, offset)
	where := []string{"s.reblog_of_id IS NULL",
		"(s.account_id = ? OR (s.visibility = 'public' AND a.indexable))",
		`LOWER(CASE WHEN s.text <> '' THEN s.text ELSE s.content END) LIKE ? ESCAPE '\'`}
	args := []any{q.ViewerID, "%" + likePattern(text) + "%"}
	if q.AccountID != 0 {
		where = append(where, "s.account_id = ?")
		args = append(args, q.AccountID)
	}
	args = append(args, limit, offset)
	sq := "SELECT " + selectList(&storage.Status{}, "s") + " FROM statuses s JOIN accounts a ON a.id = s.account_id" +
		whereSQL(where) + " ORDER BY s.id DESC LIMIT ? OFFSET ?"
	err := r.s.sel(ctx, &out, sq, args...)
	return out, r.s.wrap(err, "search statuses")
}
