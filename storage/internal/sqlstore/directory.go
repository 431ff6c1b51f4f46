package sqlstore

import (
	"context"

	"github.com/herd-social/herd/storage"
)

// directorySQL builds the query of a directory page.
func directorySQL(q storage.DirectoryQuery, now any) (string, []any) {
	sb := "SELECT a.id FROM accounts a WHERE a.discoverable AND a.suspended_at IS NULL AND a.silenced_at IS NULL" +
		" AND a.moved_to_id IS NULL" +
		" AND NOT EXISTS (SELECT 1 FROM users u WHERE u.account_id = a.id AND NOT u.approved)"
	var args []any
	if q.Local {
		sb += " AND a.domain = ''"
	}
	if v := q.Viewer; v != 0 {
		sb += " AND NOT EXISTS (SELECT 1 FROM blocks x WHERE x.account_id = ? AND x.target_account_id = a.id)" +
			" AND NOT EXISTS (SELECT 1 FROM blocks x WHERE x.account_id = a.id AND x.target_account_id = ?)" +
			" AND NOT EXISTS (SELECT 1 FROM mutes x WHERE x.account_id = ? AND x.target_account_id = a.id AND (x.expires_at IS NULL OR x.expires_at > ?))"
		args = append(args, v, v, v, now)
		if !q.Local {
			sb += " AND NOT EXISTS (SELECT 1 FROM domain_blocks x WHERE x.account_id = ? AND x.domain = a.domain AND a.domain <> '')"
			args = append(args, v)
		}
	}
	if q.New {
		sb += " ORDER BY a.id DESC"
	} else {
		sb += " ORDER BY a.last_status_at IS NULL, a.last_status_at DESC, a.id DESC"
	}
	limit := q.Limit
	if limit <= 0 {
		limit = storage.DefaultLimit
	}
	sb += " LIMIT ? OFFSET ?"
	return sb, append(args, limit, max(q.Offset, 0))
}

func (r discovery) Directory(ctx context.Context, q storage.DirectoryQuery) ([]storage.ID, error) {
	sq, args := directorySQL(q, norm(r.s.now()))
	out := []storage.ID{}
	if err := r.s.sel(ctx, &out, sq, args...); err != nil {
		return nil, r.s.wrap(err, "directory")
	}
	return out, nil
}
