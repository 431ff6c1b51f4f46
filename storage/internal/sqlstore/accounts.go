package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/herd-social/herd/storage"
)

type accounts struct{ s *Store }

var accountCols = selectList(&storage.Account{}, "")

// accountMutable lists the columns Update writes (all but id, counters and created_at).
var accountMutable = func() []string {
	skip := map[string]bool{"id": true, "statuses_count": true, "followers_count": true,
		"following_count": true, "last_status_at": true, "created_at": true}
	var out []string
	for _, c := range columnsOf(&storage.Account{}) {
		if !skip[c] {
			out = append(out, c)
		}
	}
	return out
}()

func (r accounts) Create(ctx context.Context, a *storage.Account) error {
	if a.Username == "" || a.URI == "" {
		return fmt.Errorf("create account: username and uri are required: %w", storage.ErrInvalid)
	}
	if a.ID == 0 {
		a.ID = r.s.NewID()
	}
	now := r.s.now()
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = now
	}
	normAccount(a)
	return r.s.wrap(r.s.insert(ctx, "accounts", a, column{"username_key", foldKey(a.Username)}), "create account %s", a.Username)
}

// foldKey is the case-folded form of a username or email under which it is
// looked up and kept unique. It is computed here rather than with the
// database's lower(), which folds only ASCII on SQLite and depends on the
// locale on PostgreSQL, so that both backends agree on non-ASCII names.
func foldKey(s string) string { return strings.ToLower(s) }

func normAccount(a *storage.Account) {
	a.Domain = strings.ToLower(a.Domain)
	a.CreatedAt, a.UpdatedAt = norm(a.CreatedAt), norm(a.UpdatedAt)
	a.SuspendedAt, a.SilencedAt = normp(a.SuspendedAt), normp(a.SilencedAt)
	a.LastStatusAt, a.FetchedAt = normp(a.LastStatusAt), normp(a.FetchedAt)
	if a.ActorType == "" {
		a.ActorType = storage.ActorPerson
	}
	if a.Fields == nil {
		a.Fields = storage.Fields{}
	}
	if a.Emojis == nil {
		a.Emojis = storage.Emojis{}
	}
	if a.AlsoKnownAs == nil {
		a.AlsoKnownAs = storage.Strings{}
	}
	if a.Extra == nil {
		a.Extra = storage.Extra{}
	}
}

func (r accounts) Get(ctx context.Context, id storage.ID) (*storage.Account, error) {
	c := r.s.readCache()
	var gen uint64
	if c != nil {
		if a := c.accounts.get(id, c.now(), storage.SharedRecords(ctx)); a != nil {
			return a, nil
		}
		gen = c.accounts.generation()
	}
	var a storage.Account
	err := r.s.get(ctx, &a, "SELECT "+accountCols+" FROM accounts WHERE id = ?", id)
	if err == nil && c != nil {
		c.accounts.put(gen, c.now(), accountID, &a)
	}
	return &a, r.s.wrap(err, "get account %s", id)
}

func (r accounts) GetMany(ctx context.Context, ids []storage.ID) ([]*storage.Account, error) {
	if len(ids) == 0 {
		return []*storage.Account{}, nil
	}
	c := r.s.readCache()
	if c == nil {
		var out []*storage.Account
		err := r.s.sel(ctx, &out, "SELECT "+accountCols+" FROM accounts WHERE id IN (?)", ids)
		return out, r.s.wrap(err, "get accounts")
	}
	out, missing := c.accounts.getMany(uniqueIDs(ids), c.now(), storage.SharedRecords(ctx))
	if len(missing) == 0 {
		return out, nil
	}
	gen := c.accounts.generation()
	var got []*storage.Account
	if err := r.s.sel(ctx, &got, "SELECT "+accountCols+" FROM accounts WHERE id IN (?)", missing); err != nil {
		return nil, r.s.wrap(err, "get accounts")
	}
	c.accounts.put(gen, c.now(), accountID, got...)
	return append(out, got...), nil
}

func (r accounts) GetByUsername(ctx context.Context, username, domain string) (*storage.Account, error) {
	var a storage.Account
	err := r.s.get(ctx, &a, "SELECT "+accountCols+" FROM accounts WHERE username_key = ? AND domain = ?",
		foldKey(username), strings.ToLower(domain))
	return &a, r.s.wrap(err, "get account %s@%s", username, domain)
}

func (r accounts) GetByURI(ctx context.Context, uri string) (*storage.Account, error) {
	var a storage.Account
	err := r.s.get(ctx, &a, "SELECT "+accountCols+" FROM accounts WHERE uri = ?", uri)
	return &a, r.s.wrap(err, "get account by uri %s", uri)
}

func (r accounts) Update(ctx context.Context, a *storage.Account) error {
	a.UpdatedAt = r.s.now()
	normAccount(a)
	err := r.s.update(ctx, "accounts", "id", a, accountMutable, column{"username_key", foldKey(a.Username)})
	r.s.changedAccounts(a.ID)
	return r.s.wrap(err, "update account %s", a.ID)
}

func (r accounts) Delete(ctx context.Context, id storage.ID) error {
	// Foreign keys cascade to the account's own rows (user, statuses, follows,
	// favourites, notifications, tokens …). What points at the account's
	// statuses without a foreign key goes here: boosts of them by other
	// accounts, feed entries, and reply and quote links.
	const own = "SELECT id FROM statuses WHERE account_id = ?"
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		for _, q := range []string{
			"DELETE FROM feed_entries WHERE status_id IN (SELECT id FROM statuses WHERE reblog_of_id IN (" + own + "))",
			"DELETE FROM feed_entries WHERE status_id IN (" + own + ")",
			"DELETE FROM statuses WHERE reblog_of_id IN (" + own + ")",
			"UPDATE statuses SET in_reply_to_id = NULL WHERE in_reply_to_id IN (" + own + ")",
			"UPDATE statuses SET quote_of_id = NULL WHERE quote_of_id IN (" + own + ")",
			"DELETE FROM feed_entries WHERE feed_kind = " + fmt.Sprint(int(storage.FeedHome)) + " AND feed_owner = ?",
			"DELETE FROM feed_entries WHERE feed_kind = " + fmt.Sprint(int(storage.FeedList)) + " AND feed_owner IN (SELECT id FROM lists WHERE account_id = ?)",
		} {
			if _, err := ts.exec(ctx, q, id); err != nil {
				return ts.wrap(err, "delete account %s", id)
			}
		}
		// The account's statuses go with it (foreign keys), and so do the
		// boosts of them and the links to them in other statuses.
		ts.changedAccounts(id)
		ts.changedStatuses(true)
		ts.changedAllFeeds()
		ts.changedViewerStates(id)
		ts.changedAllRelations()
		ts.changedUsers()
		return ts.wrap(ts.execAffected(ctx, "DELETE FROM accounts WHERE id = ?", id), "delete account %s", id)
	})
}

func accountWhere(f storage.AccountFilter) ([]string, []any) {
	var where []string
	var args []any
	switch f.Origin {
	case "local":
		where = append(where, "domain = ''")
	case "remote":
		where = append(where, "domain <> ''")
	}
	if f.Domain != "" {
		where = append(where, "domain = ?")
		args = append(args, strings.ToLower(f.Domain))
	}
	if f.Username != "" {
		where = append(where, "username_key LIKE ? ESCAPE '\\'")
		args = append(args, likeEscape(foldKey(f.Username))+"%")
	}
	return where, args
}

func (r accounts) List(ctx context.Context, f storage.AccountFilter, p storage.Page) ([]*storage.Account, error) {
	where, args := accountWhere(f)
	out, err := listPage[storage.Account](ctx, r.s, "accounts", where, args, "id", p)
	return out, r.s.wrap(err, "list accounts")
}

func (r accounts) Count(ctx context.Context, f storage.AccountFilter) (int64, error) {
	where, args := accountWhere(f)
	var n int64
	err := r.s.get(ctx, &n, "SELECT COUNT(*) FROM accounts"+whereSQL(where), args...)
	return n, r.s.wrap(err, "count accounts")
}

func (r accounts) Search(ctx context.Context, q string, limit, offset int) ([]*storage.Account, error) {
	if limit <= 0 || limit > 80 {
		limit = 40
	}
	if offset < 0 {
		offset = 0
	}
	pat := "%" + likeEscape(foldKey(q)) + "%"
	var out []*storage.Account
	err := r.s.sel(ctx, &out, "SELECT "+accountCols+` FROM accounts
		WHERE suspended_at IS NULL AND (username_key LIKE ? ESCAPE '\' OR lower(display_name) LIKE ? ESCAPE '\' OR domain LIKE ? ESCAPE '\')
		ORDER BY CASE WHEN username_key = ? THEN 0 ELSE 1 END, CASE WHEN domain = '' THEN 0 ELSE 1 END, followers_count DESC, id
		LIMIT ? OFFSET ?`, pat, pat, pat, foldKey(q), limit, offset)
	return out, r.s.wrap(err, "search accounts")
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (r accounts) AdjustCounts(ctx context.Context, id storage.ID, st, followers, following int64, last *time.Time) error {
	q := `UPDATE accounts SET
		statuses_count = CASE WHEN statuses_count + ? < 0 THEN 0 ELSE statuses_count + ? END,
		followers_count = CASE WHEN followers_count + ? < 0 THEN 0 ELSE followers_count + ? END,
		following_count = CASE WHEN following_count + ? < 0 THEN 0 ELSE following_count + ? END`
	args := []any{st, st, followers, followers, following, following}
	if last != nil {
		q += ", last_status_at = ?"
		args = append(args, norm(*last))
	}
	q += " WHERE id = ?"
	args = append(args, id)
	err := r.s.execAffected(ctx, q, args...)
	r.s.changedAccounts(id)
	return r.s.wrap(err, "adjust account counts %s", id)
}

type users struct{ s *Store }

var userCols = selectList(&storage.User{}, "")

var userMutable = func() []string {
	var out []string
	for _, c := range columnsOf(&storage.User{}) {
		if c != "id" && c != "created_at" {
			out = append(out, c)
		}
	}
	return out
}()

func normUser(u *storage.User) {
	u.CreatedAt, u.UpdatedAt = norm(u.CreatedAt), norm(u.UpdatedAt)
	u.ConfirmedAt, u.LastSignInAt = normp(u.ConfirmedAt), normp(u.LastSignInAt)
	if u.Role == "" {
		u.Role = storage.RoleUser
	}
	if u.DefaultVisibility == "" {
		u.DefaultVisibility = storage.VisibilityPublic
	}
}

func (r users) Create(ctx context.Context, u *storage.User) error {
	if u.AccountID == 0 || u.Email == "" {
		return fmt.Errorf("create user: account and email are required: %w", storage.ErrInvalid)
	}
	if u.ID == 0 {
		u.ID = r.s.NewID()
	}
	now := r.s.now()
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now
	}
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = now
	}
	normUser(u)
	err := r.s.insert(ctx, "users", u, column{"email_key", foldKey(u.Email)})
	r.s.changedUsers()
	return r.s.wrap(err, "create user %s", u.Email)
}

func (r users) Get(ctx context.Context, id storage.ID) (*storage.User, error) {
	var u storage.User
	err := r.s.get(ctx, &u, "SELECT "+userCols+" FROM users WHERE id = ?", id)
	return &u, r.s.wrap(err, "get user %s", id)
}

func (r users) GetByAccountID(ctx context.Context, accountID storage.ID) (*storage.User, error) {
	// Read for every authenticated request: cached by account ID.
	c := r.s.readCache()
	var gen uint64
	if c != nil {
		if u := c.users.get(accountID, c.now(), false); u != nil {
			return u, nil
		}
		gen = c.users.generation()
	}
	var u storage.User
	err := r.s.get(ctx, &u, "SELECT "+userCols+" FROM users WHERE account_id = ?", accountID)
	if err == nil && c != nil {
		c.users.put(gen, c.now(), userAccountID, &u)
	}
	return &u, r.s.wrap(err, "get user of account %s", accountID)
}

func (r users) GetByEmail(ctx context.Context, email string) (*storage.User, error) {
	var u storage.User
	err := r.s.get(ctx, &u, "SELECT "+userCols+" FROM users WHERE email_key = ?", foldKey(email))
	return &u, r.s.wrap(err, "get user by email")
}

func (r users) Update(ctx context.Context, u *storage.User) error {
	u.UpdatedAt = r.s.now()
	normUser(u)
	err := r.s.update(ctx, "users", "id", u, userMutable, column{"email_key", foldKey(u.Email)})
	r.s.changedUsers()
	return r.s.wrap(err, "update user %s", u.ID)
}

func (r users) List(ctx context.Context, p storage.Page) ([]*storage.User, error) {
	out, err := listPage[storage.User](ctx, r.s, "users", nil, nil, "id", p)
	return out, r.s.wrap(err, "list users")
}

func (r users) Count(ctx context.Context) (int64, error) {
	var n int64
	err := r.s.get(ctx, &n, "SELECT COUNT(*) FROM users")
	return n, r.s.wrap(err, "count users")
}

func (r accounts) SetCachedImage(ctx context.Context, id storage.ID, purpose storage.MediaPurpose, remote, url string) (bool, error) {
	var col, remoteCol string
	switch purpose {
	case storage.MediaAvatar:
		col, remoteCol = "avatar_url", "avatar_remote_url"
	case storage.MediaHeader:
		col, remoteCol = "header_url", "header_remote_url"
	default:
		return false, fmt.Errorf("set cached image of %s: purpose %q: %w", id, purpose, storage.ErrInvalid)
	}
	if remote == "" || url == "" {
		return false, fmt.Errorf("set cached image of %s: remote and url are required: %w", id, storage.ErrInvalid)
	}
	// One statement: on PostgreSQL a concurrent caller waits for the row
	// and then finds it cached; SQLite has one writer.
	res, err := r.s.exec(ctx, "UPDATE accounts SET "+col+" = ?, updated_at = ? WHERE id = ? AND "+remoteCol+" = ? AND ("+
		col+" = '' OR "+col+" = "+remoteCol+")", url, r.s.now(), id, remote)
	if err != nil {
		return false, r.s.wrap(err, "set cached image of %s", id)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, r.s.wrap(err, "set cached image of %s", id)
	}
	r.s.changedAccounts(id)
	return n > 0, nil
}
