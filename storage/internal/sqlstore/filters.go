package sqlstore

import (
	"context"
	"fmt"

	"github.com/herd-social/herd/storage"
)

// Filters implements storage.Store.
func (s *Store) Filters() storage.Filters { return filters{s} }

type filters struct{ s *Store }

var (
	filterCols        = selectList(&storage.Filter{}, "")
	filterKeywordCols = selectList(&storage.FilterKeyword{}, "")
	filterStatusCols  = selectList(&storage.FilterStatus{}, "")
)

func checkFilter(f *storage.Filter) error {
	if f.AccountID == 0 {
		return fmt.Errorf("filter: account is required: %w", storage.ErrInvalid)
	}
	if len(f.Context) == 0 {
		return fmt.Errorf("filter: context is required: %w", storage.ErrInvalid)
	}
	for _, c := range f.Context {
		if !storage.FilterContext(c).Valid() {
			return fmt.Errorf("filter: context %q: %w", c, storage.ErrInvalid)
		}
	}
	if !f.Action.Valid() {
		return fmt.Errorf("filter: action %q: %w", f.Action, storage.ErrInvalid)
	}
	return nil
}

func (r filters) Create(ctx context.Context, f *storage.Filter) error {
	if f.Action == "" {
		f.Action = storage.FilterWarn
	}
	if err := checkFilter(f); err != nil {
		return err
	}
	r.s.stampNew(&f.ID, &f.CreatedAt, &f.UpdatedAt)
	f.ExpiresAt = normp(f.ExpiresAt)
	return r.s.wrap(r.s.insert(ctx, "filters", f), "create filter %s", f.ID)
}

func (r filters) Get(ctx context.Context, id storage.ID) (*storage.Filter, error) {
	var f storage.Filter
	if err := r.s.get(ctx, &f, "SELECT "+filterCols+" FROM filters WHERE id = ?", id); err != nil {
		return nil, r.s.wrap(err, "get filter %s", id)
	}
	return &f, nil
}

func (r filters) Update(ctx context.Context, f *storage.Filter) error {
	if err := checkFilter(f); err != nil {
		return err
	}
	f.UpdatedAt, f.ExpiresAt = r.s.now(), normp(f.ExpiresAt)
	return r.s.wrap(r.s.update(ctx, "filters", "id", f, []string{"title", "context", "action", "expires_at", "updated_at"}),
		"update filter %s", f.ID)
}

func (r filters) Delete(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		// The cascade is spelled out: it must not depend on the
		// connection's foreign-key setting.
		if _, err := ts.exec(ctx, "DELETE FROM filter_keywords WHERE filter_id = ?", id); err != nil {
			return err
		}
		if _, err := ts.exec(ctx, "DELETE FROM filter_statuses WHERE filter_id = ?", id); err != nil {
			return err
		}
		return ts.execAffected(ctx, "DELETE FROM filters WHERE id = ?", id)
	}), "delete filter %s", id)
}

func (r filters) ByAccount(ctx context.Context, accountID storage.ID) ([]*storage.Filter, error) {
	out := []*storage.Filter{}
	err := r.s.sel(ctx, &out, "SELECT "+filterCols+" FROM filters WHERE account_id = ? ORDER BY id", accountID)
	return out, r.s.wrap(err, "filters of account %s", accountID)
}

func checkKeyword(k *storage.FilterKeyword) error {
	if k.FilterID == 0 || k.Keyword == "" {
		return fmt.Errorf("filter keyword: filter and keyword are required: %w", storage.ErrInvalid)
	}
	return nil
}

func (r filters) CreateKeyword(ctx context.Context, k *storage.FilterKeyword) error {
	if err := checkKeyword(k); err != nil {
		return err
	}
	r.s.stampNew(&k.ID, &k.CreatedAt, &k.UpdatedAt)
	return r.s.wrap(r.s.insert(ctx, "filter_keywords", k), "create filter keyword %s", k.ID)
}

func (r filters) GetKeyword(ctx context.Context, id storage.ID) (*storage.FilterKeyword, error) {
	var k storage.FilterKeyword
	if err := r.s.get(ctx, &k, "SELECT "+filterKeywordCols+" FROM filter_keywords WHERE id = ?", id); err != nil {
		return nil, r.s.wrap(err, "get filter keyword %s", id)
	}
	return &k, nil
}

func (r filters) UpdateKeyword(ctx context.Context, k *storage.FilterKeyword) error {
	if err := checkKeyword(k); err != nil {
		return err
	}
	k.UpdatedAt = r.s.now()
	return r.s.wrap(r.s.update(ctx, "filter_keywords", "id", k, []string{"keyword", "whole_word", "updated_at"}),
		"update filter keyword %s", k.ID)
}

func (r filters) DeleteKeyword(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM filter_keywords WHERE id = ?", id), "delete filter keyword %s", id)
}

func (r filters) Keywords(ctx context.Context, filterIDs []storage.ID) ([]*storage.FilterKeyword, error) {
	out := []*storage.FilterKeyword{}
	if len(filterIDs) == 0 {
		return out, nil
	}
	err := r.s.sel(ctx, &out, "SELECT "+filterKeywordCols+" FROM filter_keywords WHERE filter_id IN (?) ORDER BY id", filterIDs)
	return out, r.s.wrap(err, "keywords of %d filters", len(filterIDs))
}

func (r filters) CreateStatus(ctx context.Context, fs *storage.FilterStatus) error {
	if fs.FilterID == 0 || fs.StatusID == 0 {
		return fmt.Errorf("filter status: filter and status are required: %w", storage.ErrInvalid)
	}
	if fs.ID == 0 {
		fs.ID = r.s.NewID()
	}
	if fs.CreatedAt.IsZero() {
		fs.CreatedAt = r.s.now()
	}
	fs.CreatedAt = norm(fs.CreatedAt)
	return r.s.wrap(r.s.insert(ctx, "filter_statuses", fs), "create filter status %s", fs.ID)
}

func (r filters) GetStatus(ctx context.Context, id storage.ID) (*storage.FilterStatus, error) {
	var fs storage.FilterStatus
	if err := r.s.get(ctx, &fs, "SELECT "+filterStatusCols+" FROM filter_statuses WHERE id = ?", id); err != nil {
		return nil, r.s.wrap(err, "get filter status %s", id)
	}
	return &fs, nil
}

func (r filters) DeleteStatus(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM filter_statuses WHERE id = ?", id), "delete filter status %s", id)
}

func (r filters) Statuses(ctx context.Context, filterIDs []storage.ID) ([]*storage.FilterStatus, error) {
	out := []*storage.FilterStatus{}
	if len(filterIDs) == 0 {
		return out, nil
	}
	err := r.s.sel(ctx, &out, "SELECT "+filterStatusCols+" FROM filter_statuses WHERE filter_id IN (?) ORDER BY id", filterIDs)
	return out, r.s.wrap(err, "statuses of %d filters", len(filterIDs))
}
