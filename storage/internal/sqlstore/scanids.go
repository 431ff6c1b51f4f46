package sqlstore

import (
	"context"
	"database/sql"

	"github.com/herd-social/herd/storage"
)

// scanIDRows runs a query on the reader whose columns are all IDs (NULL
// reads as 0) and calls each with every row's values. It is sel without
// the reflection of sqlx's scanning, for the queries every timeline page
// runs (feed entries, the viewer's state). At most 4 columns; row is reused.
func (s *Store) scanIDRows(ctx context.Context, q string, args []any, each func(row []storage.ID)) error {
	q, args, cacheable, err := expand(q, args)
	if err != nil {
		return err
	}
	var st interface {
		QueryContext(ctx context.Context, args ...any) (*sql.Rows, error)
	}
	if cacheable {
		if p := s.prepared(ctx, false, q); p != nil {
			defer s.done(p)
			st = p.Stmt
		}
	}
	var rows *sql.Rows
	if st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = s.r.QueryContext(ctx, s.r.Rebind(q), args...)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var vals [4]storage.ID
	var ptrs [4]any
	n := min(len(cols), len(vals))
	for i := range n {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs[:n]...); err != nil {
			return err
		}
		each(vals[:n])
	}
	return rows.Err()
}
