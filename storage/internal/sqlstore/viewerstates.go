package sqlstore

import (
	"strconv"

	"github.com/herd-social/herd/storage"
)

// viewerStatesSQLite is statuses.ViewerStates's query on SQLite: the page's
// status IDs are bound once, as a JSON array, and each table is probed by
// its (account, status) index once per ID. The portable query binds the
// list four times (`IN (?)`, padded to a bucket size), and SQLite builds a
// temporary index of each list before probing: on a page of twenty
// statuses that binding and building was most of the query's time.
// CROSS JOIN keeps the ID list as the outer loop.
const viewerStatesSQLite = `WITH ids(id) AS MATERIALIZED (SELECT value FROM json_each(?1))
	SELECT 1 AS kind, f.status_id AS status_id FROM ids CROSS JOIN favourites f WHERE f.account_id = ?2 AND f.status_id = ids.id
	UNION ALL SELECT 2, s.reblog_of_id FROM ids CROSS JOIN statuses s WHERE s.reblog_of_id = ids.id AND s.reblog_of_id IS NOT NULL AND s.account_id = ?2
	UNION ALL SELECT 3, b.status_id FROM ids CROSS JOIN bookmarks b WHERE b.account_id = ?2 AND b.status_id = ids.id
	UNION ALL SELECT 4, p.status_id FROM ids CROSS JOIN pins p WHERE p.account_id = ?2 AND p.status_id = ids.id`

// idListJSON renders ids as a JSON array of numbers.
func idListJSON(ids []storage.ID) string {
	b := make([]byte, 0, 2+len(ids)*19)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(id), 10)
	}
	return string(append(b, ']'))
}
