package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/herd-social/herd/storage"
)

// Lists implements storage.Store.
func (s *Store) Lists() storage.Lists { return lists{s} }

type lists struct{ s *Store }

var (
	listCols       = selectList(&storage.List{}, "")
	listColsL      = selectList(&storage.List{}, "l")
	listUpdateCols = []string{"title", "replies_policy", "exclusive", "updated_at"}
	listFeedKind   = int(storage.FeedList)
)

// maxListTitle bounds a list title in bytes (the API layer enforces
// Mastodon's character limit; this only guards the table).
const maxListTitle = 4096

func checkList(l *storage.List) error {
	if l.AccountID == 0 {
		return fmt.Errorf("list: owner is required: %w", storage.ErrInvalid)
	}
	if strings.TrimSpace(l.Title) == "" || len(l.Title) > maxListTitle || !utf8.ValidString(l.Title) {
		return fmt.Errorf("list: title %q: %w", l.Title, storage.ErrInvalid)
	}
	if !l.RepliesPolicy.Valid() {
		return fmt.Errorf("list: replies policy %q: %w", l.RepliesPolicy, storage.ErrInvalid)
	}
	return nil
}

func (r lists) Create(ctx context.Context, l *storage.List) error {
	if l.RepliesPolicy == "" {
		l.RepliesPolicy = storage.RepliesList
	}
	if err := checkList(l); err != nil {
		return err
	}
	r.s.stampNew(&l.ID, &l.CreatedAt, &l.UpdatedAt)
	return r.s.wrap(r.s.insert(ctx, "lists", l), "create list of %s", l.AccountID)
}

func (r lists) Get(ctx context.Context, id storage.ID) (*storage.List, error) {
	var l storage.List
	if err := r.s.get(ctx, &l, "SELECT "+listCols+" FROM lists WHERE id = ?", id); err != nil {
		return nil, r.s.wrap(err, "get list %s", id)
	}
	return &l, nil
}

func (r lists) Update(ctx context.Context, l *storage.List) error {
	if err := checkList(l); err != nil {
		return err
	}
	l.UpdatedAt = r.s.now()
	return r.s.wrap(r.s.update(ctx, "lists", "id", l, listUpdateCols), "update list %s", l.ID)
}

func (r lists) Delete(ctx context.Context, id storage.ID) error {
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		ts.changedFeeds(storage.FeedList, id)
		if _, err := ts.exec(ctx, "DELETE FROM feed_entries WHERE feed_kind = ? AND feed_owner = ?", listFeedKind, id); err != nil {
			return ts.wrap(err, "delete list %s feed", id)
		}
		// Members go with the list (foreign key).
		return ts.wrap(ts.execAffected(ctx, "DELETE FROM lists WHERE id = ?", id), "delete list %s", id)
	})
}

func (r lists) ByAccount(ctx context.Context, ownerID storage.ID) ([]*storage.List, error) {
	out := []*storage.List{}
	err := r.s.sel(ctx, &out, "SELECT "+listCols+" FROM lists WHERE account_id = ? ORDER BY id", ownerID)
	return out, r.s.wrap(err, "lists of %s", ownerID)
}

func (r lists) Containing(ctx context.Context, ownerID, accountID storage.ID) ([]*storage.List, error) {
	out := []*storage.List{}
	err := r.s.sel(ctx, &out, "SELECT "+listColsL+" FROM lists l JOIN list_accounts la ON la.list_id = l.id"+
		" WHERE l.account_id = ? AND la.account_id = ? ORDER BY l.id", ownerID, accountID)
	return out, r.s.wrap(err, "lists of %s holding %s", ownerID, accountID)
}

func uniqIDs(ids []storage.ID) []storage.ID {
	seen := make(map[storage.ID]bool, len(ids))
	out := make([]storage.ID, 0, len(ids))
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func (r lists) AddMembers(ctx context.Context, listID storage.ID, accountIDs []storage.ID) error {
	ids := uniqIDs(accountIDs)
	if len(ids) == 0 {
		return nil
	}
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		var n int
		if err := getW(ctx, ts, &n, "SELECT COUNT(*) FROM lists WHERE id = ?", listID); err != nil {
			return ts.wrap(err, "add to list %s", listID)
		}
		if n == 0 {
			return fmt.Errorf("add to list %s: %w", listID, storage.ErrNotFound)
		}
		q, args, _, err := expand("SELECT COUNT(*) FROM accounts WHERE id IN (?)", []any{ids})
		if err == nil {
			err = getW(ctx, ts, &n, q, args...)
		}
		if err != nil {
			return ts.wrap(err, "add to list %s", listID)
		}
		if n != len(ids) {
			return fmt.Errorf("add to list %s: %d of %d accounts not found: %w", listID, len(ids)-n, len(ids), storage.ErrNotFound)
		}
		now := ts.now()
		for _, id := range ids {
			if _, err := ts.exec(ctx, "INSERT INTO list_accounts (list_id, account_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
				listID, id, now); err != nil {
				return ts.wrap(err, "add %s to list %s", id, listID)
			}
		}
		return nil
	})
}

// getW reads one row through the store's writer (its transaction, inside Tx).
func getW(ctx context.Context, s *Store, dst any, q string, args ...any) error {
	return s.w.QueryRowxContext(ctx, s.w.Rebind(q), args...).Scan(dst)
}

func (r lists) RemoveMembers(ctx context.Context, listID storage.ID, accountIDs []storage.ID) error {
	ids := uniqIDs(accountIDs)
	if len(ids) == 0 {
		return nil
	}
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		if _, err := ts.exec(ctx, "DELETE FROM list_accounts WHERE list_id = ? AND account_id IN (?)", listID, ids); err != nil {
			return ts.wrap(err, "remove from list %s", listID)
		}
		ts.changedFeeds(storage.FeedList, listID)
		_, err := ts.exec(ctx, "DELETE FROM feed_entries WHERE feed_kind = ? AND feed_owner = ? AND author_id IN (?)", listFeedKind, listID, ids)
		return ts.wrap(err, "remove from list %s feed", listID)
	})
}

func (r lists) Members(ctx context.Context, listID storage.ID, p storage.Page) ([]storage.ID, error) {
	p = p.Norm(storage.DefaultListMembers, storage.MaxListMembers)
	where := []string{"list_id = ?"}
	args := []any{listID}
	if p.MaxID != 0 {
		where, args = append(where, "account_id < ?"), append(args, p.MaxID)
	}
	switch {
	case p.MinID != 0:
		where, args = append(where, "account_id > ?"), append(args, p.MinID)
	case p.SinceID != 0:
		where, args = append(where, "account_id > ?"), append(args, p.SinceID)
	}
	dir := "DESC"
	if p.Ascending() {
		dir = "ASC"
	}
	out := []storage.ID{}
	err := r.s.sel(ctx, &out, "SELECT account_id FROM list_accounts"+whereSQL(where)+" ORDER BY account_id "+dir+" LIMIT ?", append(args, p.Limit)...)
	if err != nil {
		return nil, r.s.wrap(err, "members of list %s", listID)
	}
	if p.Ascending() {
		reverse(out)
	}
	return out, nil
}

func (r lists) MemberIDs(ctx context.Context, listID storage.ID) ([]storage.ID, error) {
	out := []storage.ID{}
	err := r.s.sel(ctx, &out, "SELECT account_id FROM list_accounts WHERE list_id = ? ORDER BY account_id", listID)
	return out, r.s.wrap(err, "members of list %s", listID)
}

func (r lists) Memberships(ctx context.Context, accountID storage.ID) ([]storage.ListMembership, error) {
	out := []storage.ListMembership{}
	err := r.s.sel(ctx, &out, `SELECT la.list_id, l.account_id AS owner_id, l.replies_policy, l.exclusive
		FROM list_accounts la JOIN lists l ON l.id = la.list_id WHERE la.account_id = ? ORDER BY la.list_id`, accountID)
	return out, r.s.wrap(err, "lists holding %s", accountID)
}

// removeFromLists removes targetID from the lists owned by ownerID, with
// its entries in their feeds: the follow between them has ended.
func (s *Store) removeFromLists(ctx context.Context, ownerID, targetID storage.ID) error {
	const owned = "SELECT id FROM lists WHERE account_id = ?"
	defer s.changedAllListFeeds()
	if _, err := s.exec(ctx, "DELETE FROM feed_entries WHERE feed_kind = ? AND author_id = ? AND feed_owner IN ("+
		"SELECT list_id FROM list_accounts WHERE account_id = ? AND list_id IN ("+owned+"))", listFeedKind, targetID, targetID, ownerID); err != nil {
		return err
	}
	_, err := s.exec(ctx, "DELETE FROM list_accounts WHERE account_id = ? AND list_id IN ("+owned+")", targetID, ownerID)
	return err
}
