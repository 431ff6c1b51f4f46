package sqlstore

import (
	"context"
	"fmt"

	"github.com/herd-social/herd/storage"
)

type follows struct{ s *Store }

var followCols = selectList(&storage.Follow{}, "")

func (r follows) prepare(f *storage.Follow) error {
	if f.AccountID == 0 || f.TargetAccountID == 0 {
		return fmt.Errorf("follow: account and target are required: %w", storage.ErrInvalid)
	}
	if f.ID == 0 {
		f.ID = r.s.NewID()
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = r.s.now()
	}
	f.CreatedAt = norm(f.CreatedAt)
	if f.Languages == nil {
		f.Languages = storage.Strings{}
	}
	return nil
}

func (r follows) Create(ctx context.Context, f *storage.Follow) error {
	if err := r.prepare(f); err != nil {
		return err
	}
	return r.s.wrap(r.s.insert(ctx, "follows", f), "create follow %s→%s", f.AccountID, f.TargetAccountID)
}

func (r follows) Get(ctx context.Context, accountID, targetID storage.ID) (*storage.Follow, error) {
	var f storage.Follow
	err := r.s.get(ctx, &f, "SELECT "+followCols+" FROM follows WHERE account_id = ? AND target_account_id = ?", accountID, targetID)
	return &f, r.s.wrap(err, "get follow %s→%s", accountID, targetID)
}

func (r follows) GetByURI(ctx context.Context, uri string) (*storage.Follow, error) {
	var f storage.Follow
	err := r.s.get(ctx, &f, "SELECT "+followCols+" FROM follows WHERE uri = ? AND uri <> ''", uri)
	return &f, r.s.wrap(err, "get follow by uri %s", uri)
}

func (r follows) Update(ctx context.Context, f *storage.Follow) error {
	if f.Languages == nil {
		f.Languages = storage.Strings{}
	}
	return r.s.wrap(r.s.update(ctx, "follows", "id", f, []string{"show_reblogs", "notify", "languages", "uri"}), "update follow %s", f.ID)
}

func (r follows) Delete(ctx context.Context, accountID, targetID storage.ID) error {
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		if err := ts.execAffected(ctx, "DELETE FROM follows WHERE account_id = ? AND target_account_id = ?", accountID, targetID); err != nil {
			return ts.wrap(err, "delete follow %s→%s", accountID, targetID)
		}
		// As on Mastodon, an account no longer followed leaves the lists.
		return ts.wrap(ts.removeFromLists(ctx, accountID, targetID), "delete follow %s→%s: leave lists", accountID, targetID)
	})
}

func (r follows) Followers(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.Follow, error) {
	out, err := listPage[storage.Follow](ctx, r.s, "follows", []string{"target_account_id = ?"}, []any{accountID}, "id", p)
	return out, r.s.wrap(err, "followers of %s", accountID)
}

func (r follows) Following(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.Follow, error) {
	out, err := listPage[storage.Follow](ctx, r.s, "follows", []string{"account_id = ?"}, []any{accountID}, "id", p)
	return out, r.s.wrap(err, "following of %s", accountID)
}

func (r follows) FollowerIDs(ctx context.Context, accountID storage.ID, localOnly bool) ([]storage.ID, error) {
	q := "SELECT f.account_id FROM follows f"
	if localOnly {
		q += " JOIN accounts a ON a.id = f.account_id AND a.domain = ''"
	}
	q += " WHERE f.target_account_id = ? ORDER BY f.account_id"
	var out []storage.ID
	err := r.s.sel(ctx, &out, q, accountID)
	return out, r.s.wrap(err, "follower ids of %s", accountID)
}

func (r follows) FollowerInboxes(ctx context.Context, accountID storage.ID) ([]string, error) {
	q := `SELECT DISTINCT CASE WHEN a.shared_inbox_uri <> '' THEN a.shared_inbox_uri ELSE a.inbox_uri END AS inbox
		FROM follows f JOIN accounts a ON a.id = f.account_id
		WHERE f.target_account_id = ? AND a.domain <> '' AND (a.shared_inbox_uri <> '' OR a.inbox_uri <> '')
		ORDER BY inbox`
	var out []string
	err := r.s.sel(ctx, &out, q, accountID)
	return out, r.s.wrap(err, "follower inboxes of %s", accountID)
}

func (r follows) CreateRequest(ctx context.Context, fr *storage.FollowRequest) error {
	f := (*storage.Follow)(fr)
	if err := r.prepare(f); err != nil {
		return err
	}
	return r.s.wrap(r.s.insert(ctx, "follow_requests", f), "create follow request %s→%s", f.AccountID, f.TargetAccountID)
}

func (r follows) GetRequest(ctx context.Context, accountID, targetID storage.ID) (*storage.FollowRequest, error) {
	var f storage.FollowRequest
	err := r.s.get(ctx, &f, "SELECT "+followCols+" FROM follow_requests WHERE account_id = ? AND target_account_id = ?", accountID, targetID)
	return &f, r.s.wrap(err, "get follow request %s→%s", accountID, targetID)
}

func (r follows) GetRequestByURI(ctx context.Context, uri string) (*storage.FollowRequest, error) {
	var f storage.FollowRequest
	err := r.s.get(ctx, &f, "SELECT "+followCols+" FROM follow_requests WHERE uri = ? AND uri <> ''", uri)
	return &f, r.s.wrap(err, "get follow request by uri %s", uri)
}

func (r follows) DeleteRequest(ctx context.Context, accountID, targetID storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM follow_requests WHERE account_id = ? AND target_account_id = ?", accountID, targetID),
		"delete follow request %s→%s", accountID, targetID)
}

func (r follows) Requests(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.FollowRequest, error) {
	out, err := listPage[storage.FollowRequest](ctx, r.s, "follow_requests", []string{"target_account_id = ?"}, []any{accountID}, "id", p)
	return out, r.s.wrap(err, "follow requests of %s", accountID)
}

func (r follows) States(ctx context.Context, viewerID storage.ID, targetIDs []storage.ID) (map[storage.ID]storage.FollowState, error) {
	out := make(map[storage.ID]storage.FollowState, len(targetIDs))
	if viewerID == 0 || len(targetIDs) == 0 {
		return out, nil
	}
	var following []*storage.Follow
	if err := r.s.sel(ctx, &following, "SELECT "+followCols+" FROM follows WHERE account_id = ? AND target_account_id IN (?)", viewerID, targetIDs); err != nil {
		return nil, r.s.wrap(err, "follow states")
	}
	for _, f := range following {
		st := out[f.TargetAccountID]
		st.Following = f
		out[f.TargetAccountID] = st
	}
	var rows []struct {
		Kind int        `db:"kind"`
		ID   storage.ID `db:"id"`
	}
	q := `SELECT 1 AS kind, account_id AS id FROM follows WHERE target_account_id = ? AND account_id IN (?)
		UNION ALL SELECT 2, target_account_id FROM follow_requests WHERE account_id = ? AND target_account_id IN (?)
		UNION ALL SELECT 3, account_id FROM follow_requests WHERE target_account_id = ? AND account_id IN (?)`
	if err := r.s.sel(ctx, &rows, q, viewerID, targetIDs, viewerID, targetIDs, viewerID, targetIDs); err != nil {
		return nil, r.s.wrap(err, "follow states")
	}
	for _, row := range rows {
		st := out[row.ID]
		switch row.Kind {
		case 1:
			st.FollowedBy = true
		case 2:
			st.Requested = true
		case 3:
			st.RequestedBy = true
		}
		out[row.ID] = st
	}
	return out, nil
}

type favourites struct{ s *Store }

var favouriteCols = selectList(&storage.Favourite{}, "")

func (r favourites) Create(ctx context.Context, f *storage.Favourite) error {
	if f.AccountID == 0 || f.StatusID == 0 {
		return fmt.Errorf("favourite: account and status are required: %w", storage.ErrInvalid)
	}
	if f.ID == 0 {
		f.ID = r.s.NewID()
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = r.s.now()
	}
	f.CreatedAt = norm(f.CreatedAt)
	defer r.s.changedViewerStates(f.AccountID)
	return r.s.wrap(r.s.insert(ctx, "favourites", f), "create favourite")
}

func (r favourites) Get(ctx context.Context, accountID, statusID storage.ID) (*storage.Favourite, error) {
	var f storage.Favourite
	err := r.s.get(ctx, &f, "SELECT "+favouriteCols+" FROM favourites WHERE account_id = ? AND status_id = ?", accountID, statusID)
	return &f, r.s.wrap(err, "get favourite")
}

func (r favourites) GetByURI(ctx context.Context, uri string) (*storage.Favourite, error) {
	var f storage.Favourite
	err := r.s.get(ctx, &f, "SELECT "+favouriteCols+" FROM favourites WHERE uri = ? AND uri <> ''", uri)
	return &f, r.s.wrap(err, "get favourite by uri")
}

func (r favourites) Delete(ctx context.Context, accountID, statusID storage.ID) error {
	defer r.s.changedViewerStates(accountID)
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM favourites WHERE account_id = ? AND status_id = ?", accountID, statusID), "delete favourite")
}

func (r favourites) ByAccount(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.Favourite, error) {
	out, err := listPage[storage.Favourite](ctx, r.s, "favourites", []string{"account_id = ?"}, []any{accountID}, "id", p)
	return out, r.s.wrap(err, "favourites of %s", accountID)
}

func (r favourites) ByStatus(ctx context.Context, statusID storage.ID, p storage.Page) ([]*storage.Favourite, error) {
	out, err := listPage[storage.Favourite](ctx, r.s, "favourites", []string{"status_id = ?"}, []any{statusID}, "id", p)
	return out, r.s.wrap(err, "favourites of status %s", statusID)
}

type bookmarks struct{ s *Store }

func (r bookmarks) Create(ctx context.Context, b *storage.Bookmark) error {
	if b.AccountID == 0 || b.StatusID == 0 {
		return fmt.Errorf("bookmark: account and status are required: %w", storage.ErrInvalid)
	}
	if b.ID == 0 {
		b.ID = r.s.NewID()
	}
	if b.CreatedAt.IsZero() {
		b.CreatedAt = r.s.now()
	}
	b.CreatedAt = norm(b.CreatedAt)
	defer r.s.changedViewerStates(b.AccountID)
	return r.s.wrap(r.s.insert(ctx, "bookmarks", b), "create bookmark")
}

func (r bookmarks) Delete(ctx context.Context, accountID, statusID storage.ID) error {
	defer r.s.changedViewerStates(accountID)
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM bookmarks WHERE account_id = ? AND status_id = ?", accountID, statusID), "delete bookmark")
}

func (r bookmarks) ByAccount(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.Bookmark, error) {
	out, err := listPage[storage.Bookmark](ctx, r.s, "bookmarks", []string{"account_id = ?"}, []any{accountID}, "id", p)
	return out, r.s.wrap(err, "bookmarks of %s", accountID)
}

type pins struct{ s *Store }

func (r pins) Create(ctx context.Context, p *storage.Pin) error {
	if p.AccountID == 0 || p.StatusID == 0 {
		return fmt.Errorf("pin: account and status are required: %w", storage.ErrInvalid)
	}
	if p.ID == 0 {
		p.ID = r.s.NewID()
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = r.s.now()
	}
	p.CreatedAt = norm(p.CreatedAt)
	defer r.s.changedViewerStates(p.AccountID)
	return r.s.wrap(r.s.insert(ctx, "pins", p), "create pin")
}

func (r pins) Delete(ctx context.Context, accountID, statusID storage.ID) error {
	defer r.s.changedViewerStates(accountID)
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM pins WHERE account_id = ? AND status_id = ?", accountID, statusID), "delete pin")
}

func (r pins) ByAccount(ctx context.Context, accountID storage.ID) ([]*storage.Pin, error) {
	var out []*storage.Pin
	err := r.s.sel(ctx, &out, "SELECT "+selectList(&storage.Pin{}, "")+" FROM pins WHERE account_id = ? ORDER BY id DESC", accountID)
	return out, r.s.wrap(err, "pins of %s", accountID)
}

func (r pins) Count(ctx context.Context, accountID storage.ID) (int64, error) {
	var n int64
	err := r.s.get(ctx, &n, "SELECT COUNT(*) FROM pins WHERE account_id = ?", accountID)
	return n, r.s.wrap(err, "count pins of %s", accountID)
}
