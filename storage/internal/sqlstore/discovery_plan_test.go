package sqlstore_test

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage/internal/sqlstore"
)

// fullScan matches a query plan step that reads a whole table (or a whole
// index of it) of those that grow with the instance.
var fullScan = regexp.MustCompile(`^SCAN (statuses|status_tags|status_mentions|follows|accounts|users|account_active_days)\b|^SCAN \w+ USING (COVERING )?INDEX`)

// TestDiscoveryQueryPlans checks on SQLite that no query behind trends,
// instance activity, suggestions or the direct timeline scans a whole
// table: each is bounded by an ID (time) range or by the viewer's own
// relations, through an index.
func TestDiscoveryQueryPlans(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "herd.db"), -1)
	viewer := newAccount(t, s, "viewer")
	for _, q := range sqlstore.DiscoveryQueries(viewer.ID, time.Now()) {
		rows, err := s.Writer().QueryxContext(context.Background(), "EXPLAIN QUERY PLAN "+q.SQL, q.Args...)
		require.NoError(t, err, q.Name)
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
			plan = append(plan, detail)
		}
		require.NoError(t, rows.Err())
		rows.Close()
		t.Logf("%s:\n  %s", q.Name, strings.Join(plan, "\n  "))
		for _, step := range plan {
			require.NotRegexp(t, fullScan, step, "%s reads a whole table", q.Name)
		}
	}
}
