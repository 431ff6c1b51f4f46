package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage/internal/sqlstore"
	"github.com/herd-social/herd/storage/sqlite"
	"github.com/herd-social/herd/storage/storagetest"
)

// TestMarkersMigration checks that markers kept in Account.Extra before
// migration 0011 are copied into the markers table.
func TestMarkersMigration(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herd.db"), &sqlite.Options{SkipMigrations: true})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	all, err := sqlite.Migrations()
	require.NoError(t, err)
	var before []sqlstore.Migration
	for _, m := range all {
		if m.Version < 11 {
			before = append(before, m)
		}
	}
	_, err = sqlstore.Migrate(ctx, s.DB(), sqlstore.SQLite, before)
	require.NoError(t, err)
	id := storagetest.SeedLegacyMarkers(t, s)
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	storagetest.CheckLegacyMarkers(t, s, id)
}
