package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage/internal/sqlstore"
	"github.com/herd-social/herd/storage/postgres"
	"github.com/herd-social/herd/storage/storagetest"
)

// TestMarkersMigration checks that markers kept in Account.Extra before
// migration 0011 are copied into the markers table.
func TestMarkersMigration(t *testing.T) {
	ctx := context.Background()
	s, err := postgres.Open(ctx, freshSchema(t), &postgres.Options{SkipMigrations: true})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	all, err := postgres.Migrations()
	require.NoError(t, err)
	var before []sqlstore.Migration
	for _, m := range all {
		if m.Version < 11 {
			before = append(before, m)
		}
	}
	_, err = sqlstore.Migrate(ctx, s.DB(), sqlstore.Postgres, before)
	require.NoError(t, err)
	id := storagetest.SeedLegacyMarkers(t, s)
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	storagetest.CheckLegacyMarkers(t, s, id)
}
