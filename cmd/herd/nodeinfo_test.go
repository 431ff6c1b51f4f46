package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// TestNodeInfoActiveUsers checks that NodeInfo counts the accounts active
// in the last month and half year from the recorded activity.
func TestNodeInfoActiveUsers(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herd.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	now := time.Now()
	for i, ago := range []time.Duration{time.Hour, 10 * 24 * time.Hour, 90 * 24 * time.Hour, 400 * 24 * time.Hour} {
		a := &storage.Account{Username: "u" + string(rune('a'+i)), URI: "https://herd.example/users/u" + string(rune('a'+i))}
		require.NoError(t, st.Accounts().Create(ctx, a))
		require.NoError(t, st.Discovery().RecordActivity(ctx, a.ID, now.Add(-ago)))
	}
	a := &app{cfg: &config{Title: "Herd"}, store: &storeHandle{Store: st}}
	ni, err := a.nodeInfo(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 2, ni.Usage.Users.ActiveMonth, "active in the last 28 days")
	assert.EqualValues(t, 3, ni.Usage.Users.ActiveHalfyear, "active in the last 180 days")
}
