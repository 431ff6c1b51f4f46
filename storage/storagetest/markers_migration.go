package storagetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// MarkersExtraKey is where read markers were kept in Account.Extra before
// the markers table; migration 0011 copies them into it.
const MarkersExtraKey = "herd:markers"

// SeedLegacyMarkers creates an account whose Extra holds markers the way
// they were kept before the markers table, on a store migrated up to (but
// not including) the markers migration. CheckLegacyMarkers checks them
// once the store is fully migrated.
func SeedLegacyMarkers(t *testing.T, s storage.Store) storage.ID {
	t.Helper()
	raw, err := json.Marshal(map[string]any{
		"home":          map[string]any{"last_read_id": "123", "version": 4, "updated_at": "2026-03-04T05:06:07.089Z"},
		"notifications": map[string]any{"last_read_id": "77", "version": 1, "updated_at": "2026-03-04T05:06:08Z"},
		"bogus":         map[string]any{"last_read_id": "5"},
	})
	require.NoError(t, err)
	a := &storage.Account{Username: "legacy", URI: "https://herd.example/users/legacy", Extra: storage.Extra{MarkersExtraKey: raw}}
	require.NoError(t, s.Accounts().Create(t.Context(), a))
	plain := &storage.Account{Username: "plain", URI: "https://herd.example/users/plain"}
	require.NoError(t, s.Accounts().Create(t.Context(), plain))
	return a.ID
}

// CheckLegacyMarkers checks that the markers seeded by SeedLegacyMarkers
// were migrated.
func CheckLegacyMarkers(t *testing.T, s storage.Store, id storage.ID) {
	t.Helper()
	ms, err := s.Markers().Get(t.Context(), id, []string{storage.MarkerHome, storage.MarkerNotifications, "bogus"})
	require.NoError(t, err)
	require.Len(t, ms, 2)
	assert.Equal(t, storage.ID(123), ms[storage.MarkerHome].LastReadID)
	assert.EqualValues(t, 4, ms[storage.MarkerHome].Version)
	assert.Equal(t, time.Date(2026, 3, 4, 5, 6, 7, 89e6, time.UTC), ms[storage.MarkerHome].UpdatedAt)
	assert.Equal(t, storage.ID(77), ms[storage.MarkerNotifications].LastReadID)
	m, err := s.Markers().Save(t.Context(), id, storage.MarkerHome, 124)
	require.NoError(t, err)
	assert.EqualValues(t, 5, m.Version, "versions go on from the migrated ones")
}
