package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/herd-social/herd/storage"
)

type notifications struct{ s *Store }

var notificationCols = selectList(&storage.Notification{}, "")

func (r notifications) Create(ctx context.Context, n *storage.Notification) error {
	if n.AccountID == 0 || n.FromAccountID == 0 || n.Type == "" {
		return fmt.Errorf("notification: recipient, sender and type are required: %w", storage.ErrInvalid)
	}
	if n.ID == 0 {
		n.ID = r.s.NewID()
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = r.s.now()
	}
	n.CreatedAt = norm(n.CreatedAt)
	if n.Extra == nil {
		n.Extra = storage.Extra{}
	}
	if n.GroupKey == "" {
		n.GroupKey = "ungrouped-" + n.ID.String()
	}
	return r.s.wrap(r.s.insert(ctx, "notifications", n), "create notification")
}

func (r notifications) Get(ctx context.Context, accountID, id storage.ID) (*storage.Notification, error) {
	var n storage.Notification
	err := r.s.get(ctx, &n, "SELECT "+notificationCols+" FROM notifications WHERE id = ? AND account_id = ?", id, accountID)
	return &n, r.s.wrap(err, "get notification %s", id)
}

func typesIn(where []string, args []any, not bool, ts []storage.NotificationType) ([]string, []any) {
	if len(ts) == 0 {
		return where, args
	}
	ph := make([]string, len(ts))
	for i, t := range ts {
		ph[i] = "?"
		args = append(args, string(t))
	}
	op := "IN"
	if not {
		op = "NOT IN"
	}
	return append(where, "type "+op+" ("+strings.Join(ph, ", ")+")"), args
}

func notificationWhere(accountID storage.ID, f storage.NotificationFilter) ([]string, []any) {
	where := []string{"account_id = ?"}
	args := []any{accountID}
	where, args = typesIn(where, args, false, f.Types)
	where, args = typesIn(where, args, true, f.ExcludeTypes)
	if f.FromAccountID != 0 {
		where = append(where, "from_account_id = ?")
		args = append(args, f.FromAccountID)
	}
	if !f.IncludeFiltered {
		where = append(where, "NOT filtered")
	}
	return where, args
}

func (r notifications) List(ctx context.Context, accountID storage.ID, f storage.NotificationFilter, p storage.Page) ([]*storage.Notification, error) {
	where, args := notificationWhere(accountID, f)
	out, err := listPage[storage.Notification](ctx, r.s, "notifications", where, args, "id", p)
	return out, r.s.wrap(err, "notifications of %s", accountID)
}

func (r notifications) Dismiss(ctx context.Context, accountID, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM notifications WHERE id = ? AND account_id = ?", id, accountID), "dismiss notification %s", id)
}

func (r notifications) Clear(ctx context.Context, accountID storage.ID) error {
	_, err := r.s.exec(ctx, "DELETE FROM notifications WHERE account_id = ?", accountID)
	return r.s.wrap(err, "clear notifications of %s", accountID)
}

func (r notifications) DeleteFor(ctx context.Context, typ storage.NotificationType, from, statusID storage.ID) error {
	q := "DELETE FROM notifications WHERE type = ? AND from_account_id = ?"
	args := []any{string(typ), from}
	if statusID != 0 {
		q += " AND status_id = ?"
		args = append(args, statusID)
	}
	_, err := r.s.exec(ctx, q, args...)
	return r.s.wrap(err, "delete notifications")
}

func (r notifications) CountSince(ctx context.Context, accountID, sinceID storage.ID, f storage.NotificationFilter) (int64, error) {
	where, args := notificationWhere(accountID, f)
	if sinceID != 0 {
		where = append(where, "id > ?")
		args = append(args, sinceID)
	}
	var n int64
	err := r.s.get(ctx, &n, "SELECT COUNT(*) FROM notifications"+whereSQL(where), args...)
	return n, r.s.wrap(err, "count notifications")
}

type oauth struct{ s *Store }

var (
	appCols   = selectList(&storage.Application{}, "")
	codeCols  = selectList(&storage.AuthorizationCode{}, "")
	tokenCols = selectList(&storage.Token{}, "")
)

func (r oauth) CreateApplication(ctx context.Context, a *storage.Application) error {
	if a.Name == "" || a.ClientID == "" || a.ClientSecretHash == "" {
		return fmt.Errorf("application: name, client id and secret are required: %w", storage.ErrInvalid)
	}
	if a.ID == 0 {
		a.ID = r.s.NewID()
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = r.s.now()
	}
	a.CreatedAt = norm(a.CreatedAt)
	if a.RedirectURIs == nil {
		a.RedirectURIs = storage.Strings{}
	}
	if a.Scopes == nil {
		a.Scopes = storage.Strings{}
	}
	return r.s.wrap(r.s.insert(ctx, "oauth_applications", a), "create application")
}

func (r oauth) GetApplication(ctx context.Context, id storage.ID) (*storage.Application, error) {
	var a storage.Application
	err := r.s.get(ctx, &a, "SELECT "+appCols+" FROM oauth_applications WHERE id = ?", id)
	return &a, r.s.wrap(err, "get application %s", id)
}

func (r oauth) GetApplicationByClientID(ctx context.Context, clientID string) (*storage.Application, error) {
	var a storage.Application
	err := r.s.get(ctx, &a, "SELECT "+appCols+" FROM oauth_applications WHERE client_id = ?", clientID)
	return &a, r.s.wrap(err, "get application by client id")
}

func (r oauth) CreateCode(ctx context.Context, c *storage.AuthorizationCode) error {
	if c.CodeHash == "" || c.ApplicationID == 0 || c.AccountID == 0 {
		return fmt.Errorf("authorization code: hash, application and account are required: %w", storage.ErrInvalid)
	}
	if c.ID == 0 {
		c.ID = r.s.NewID()
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = r.s.now()
	}
	c.CreatedAt, c.ExpiresAt, c.UsedAt = norm(c.CreatedAt), norm(c.ExpiresAt), normp(c.UsedAt)
	if c.Scopes == nil {
		c.Scopes = storage.Strings{}
	}
	return r.s.wrap(r.s.insert(ctx, "oauth_codes", c), "create authorization code")
}

func (r oauth) ConsumeCode(ctx context.Context, codeHash string) (*storage.AuthorizationCode, error) {
	var c storage.AuthorizationCode
	err := r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		if err := ts.execAffected(ctx, "UPDATE oauth_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL", ts.now(), codeHash); err != nil {
			return err
		}
		return ts.get(ctx, &c, "SELECT "+codeCols+" FROM oauth_codes WHERE code_hash = ?", codeHash)
	})
	return &c, r.s.wrap(err, "consume authorization code")
}

func (r oauth) CreateToken(ctx context.Context, t *storage.Token) error {
	if t.TokenHash == "" || t.ApplicationID == 0 {
		return fmt.Errorf("token: hash and application are required: %w", storage.ErrInvalid)
	}
	if t.ID == 0 {
		t.ID = r.s.NewID()
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = r.s.now()
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = norm(t.CreatedAt), normp(t.LastUsedAt), normp(t.RevokedAt)
	if t.Scopes == nil {
		t.Scopes = storage.Strings{}
	}
	return r.s.wrap(r.s.insert(ctx, "oauth_tokens", t), "create token")
}

func (r oauth) GetToken(ctx context.Context, hash string) (*storage.Token, error) {
	var t storage.Token
	err := r.s.get(ctx, &t, "SELECT "+tokenCols+" FROM oauth_tokens WHERE token_hash = ? AND revoked_at IS NULL", hash)
	return &t, r.s.wrap(err, "get token")
}

func (r oauth) RevokeToken(ctx context.Context, hash string) error {
	return r.s.wrap(r.s.execAffected(ctx, "UPDATE oauth_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL", r.s.now(), hash), "revoke token")
}

func (r oauth) RevokeAccountTokens(ctx context.Context, accountID storage.ID) error {
	_, err := r.s.exec(ctx, "UPDATE oauth_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", r.s.now(), accountID)
	return r.s.wrap(err, "revoke tokens of %s", accountID)
}

func (r oauth) TouchToken(ctx context.Context, id storage.ID, t time.Time) error {
	return r.s.wrap(r.s.execAffected(ctx, "UPDATE oauth_tokens SET last_used_at = ? WHERE id = ?", norm(t), id), "touch token")
}

type instances struct{ s *Store }

var instanceCols = selectList(&storage.Instance{}, "")

func (r instances) Upsert(ctx context.Context, i *storage.Instance) error {
	if i.Domain == "" {
		return fmt.Errorf("instance: domain is required: %w", storage.ErrInvalid)
	}
	i.Domain = strings.ToLower(i.Domain)
	now := r.s.now()
	if i.FirstSeenAt.IsZero() {
		i.FirstSeenAt = now
	}
	i.UpdatedAt = now
	i.FirstSeenAt = norm(i.FirstSeenAt)
	i.LastSuccessAt, i.LastFailureAt, i.UnavailableSince = normp(i.LastSuccessAt), normp(i.LastFailureAt), normp(i.UnavailableSince)
	cols := columnsOf(i)
	set := make([]string, 0, len(cols))
	for _, c := range cols {
		if c != "domain" && c != "first_seen_at" {
			set = append(set, c+" = excluded."+c)
		}
	}
	q := "INSERT INTO instances (" + strings.Join(cols, ", ") + ") VALUES (:" + strings.Join(cols, ", :") +
		") ON CONFLICT (domain) DO UPDATE SET " + strings.Join(set, ", ")
	return r.s.wrap(r.s.named(ctx, q, i), "upsert instance %s", i.Domain)
}

func (r instances) Get(ctx context.Context, domain string) (*storage.Instance, error) {
	var i storage.Instance
	err := r.s.get(ctx, &i, "SELECT "+instanceCols+" FROM instances WHERE domain = ?", strings.ToLower(domain))
	return &i, r.s.wrap(err, "get instance %s", domain)
}

func (r instances) List(ctx context.Context, after string, limit int) ([]*storage.Instance, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var out []*storage.Instance
	err := r.s.sel(ctx, &out, "SELECT "+instanceCols+" FROM instances WHERE domain > ? ORDER BY domain LIMIT ?", after, limit)
	return out, r.s.wrap(err, "list instances")
}

func (r instances) Count(ctx context.Context) (int64, error) {
	var n int64
	err := r.s.get(ctx, &n, "SELECT COUNT(*) FROM instances")
	return n, r.s.wrap(err, "count instances")
}

type feeds struct{ s *Store }

func (r feeds) Insert(ctx context.Context, feed storage.Feed, entries ...storage.FeedEntry) error {
	if len(entries) == 0 {
		return nil
	}
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		ts.changedFeeds(feed.Kind, feed.Owner)
		for _, e := range entries {
			if _, err := ts.exec(ctx, `INSERT INTO feed_entries (feed_kind, feed_owner, status_id, author_id, reblog_of_id)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, int(feed.Kind), feed.Owner, e.StatusID, e.AuthorID, e.ReblogOfID); err != nil {
				return ts.wrap(err, "insert feed entry")
			}
		}
		return nil
	})
}

// feedBatch bounds the rows of one multi-row INSERT (SQLite allows 32766 variables).
const feedBatch = 500

func (r feeds) InsertMany(ctx context.Context, kind storage.FeedKind, owners []storage.ID, e storage.FeedEntry) error {
	if len(owners) == 0 {
		return nil
	}
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		ts.changedFeeds(kind, owners...)
		for start := 0; start < len(owners); start += feedBatch {
			end := min(start+feedBatch, len(owners))
			var sb strings.Builder
			sb.WriteString("INSERT INTO feed_entries (feed_kind, feed_owner, status_id, author_id, reblog_of_id) VALUES ")
			args := make([]any, 0, (end-start)*5)
			for i, o := range owners[start:end] {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(?, ?, ?, ?, ?)")
				args = append(args, int(kind), o, e.StatusID, e.AuthorID, e.ReblogOfID)
			}
			sb.WriteString(" ON CONFLICT DO NOTHING")
			if _, err := ts.w.ExecContext(ctx, ts.w.Rebind(sb.String()), args...); err != nil {
				return ts.wrap(err, "insert feed entries")
			}
		}
		return nil
	})
}

func (r feeds) Remove(ctx context.Context, feed storage.Feed, statusID storage.ID) error {
	defer r.s.changedFeeds(feed.Kind, feed.Owner)
	_, err := r.s.exec(ctx, "DELETE FROM feed_entries WHERE feed_kind = ? AND feed_owner = ? AND status_id = ?", int(feed.Kind), feed.Owner, statusID)
	return r.s.wrap(err, "remove feed entry")
}

func (r feeds) RemoveAuthor(ctx context.Context, feed storage.Feed, authorID storage.ID) error {
	defer r.s.changedFeeds(feed.Kind, feed.Owner)
	_, err := r.s.exec(ctx, "DELETE FROM feed_entries WHERE feed_kind = ? AND feed_owner = ? AND author_id = ?", int(feed.Kind), feed.Owner, authorID)
	return r.s.wrap(err, "remove feed author")
}

func (r feeds) RemoveStatus(ctx context.Context, statusID storage.ID) error {
	defer r.s.changedFeedStatuses(statusID)
	_, err := r.s.exec(ctx, "DELETE FROM feed_entries WHERE status_id = ?", statusID)
	return r.s.wrap(err, "remove status from feeds")
}

func (r feeds) Page(ctx context.Context, feed storage.Feed, p storage.Page) ([]storage.FeedEntry, error) {
	if out, ok, err := r.cachedFeedPage(ctx, feed, p); ok || err != nil {
		return out, err
	}
	where, args, suffix := pageClause([]string{"feed_kind = ?", "feed_owner = ?"}, []any{int(feed.Kind), feed.Owner}, "status_id", p)
	out := make([]storage.FeedEntry, 0, p.Norm(storage.DefaultLimit, storage.MaxLimit).Limit)
	err := r.s.scanIDRows(ctx, "SELECT status_id, author_id, reblog_of_id FROM feed_entries"+whereSQL(where)+suffix, args, func(row []storage.ID) {
		if len(row) == 3 {
			out = append(out, storage.FeedEntry{StatusID: row[0], AuthorID: row[1], ReblogOfID: row[2]})
		}
	})
	if err != nil {
		return nil, r.s.wrap(err, "page feed")
	}
	if p.Ascending() {
		reverse(out)
	}
	return out, nil
}

func (r feeds) Trim(ctx context.Context, feed storage.Feed, keep int) error {
	defer r.s.changedFeeds(feed.Kind, feed.Owner)
	if keep <= 0 {
		_, err := r.s.exec(ctx, "DELETE FROM feed_entries WHERE feed_kind = ? AND feed_owner = ?", int(feed.Kind), feed.Owner)
		return r.s.wrap(err, "trim feed")
	}
	_, err := r.s.exec(ctx, `DELETE FROM feed_entries WHERE feed_kind = ? AND feed_owner = ? AND status_id < (
		SELECT COALESCE(MIN(status_id), 0) FROM (SELECT status_id FROM feed_entries WHERE feed_kind = ? AND feed_owner = ?
		ORDER BY status_id DESC LIMIT ?) AS newest)`, int(feed.Kind), feed.Owner, int(feed.Kind), feed.Owner, keep)
	return r.s.wrap(err, "trim feed")
}

// named runs a statement with :name parameters bound from rec on the writer.
func (s *Store) named(ctx context.Context, q string, rec any) error {
	q, args, err := sqlxNamed(q, rec)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, s.w.Rebind(q), args...)
	return err
}
