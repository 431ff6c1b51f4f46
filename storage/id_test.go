package storage_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

func TestIDGeneratorMonotonicUnderConcurrency(t *testing.T) {
	g := storage.NewIDGenerator()
	const workers, each = 8, 5000
	var mu sync.Mutex
	seen := make(map[storage.ID]bool, workers*each)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prev := storage.ID(0)
			local := make([]storage.ID, 0, each)
			for i := 0; i < each; i++ {
				id := g.Next()
				if id <= prev {
					t.Errorf("id %d not above previous %d", id, prev)
					return
				}
				prev = id
				local = append(local, id)
			}
			mu.Lock()
			for _, id := range local {
				if seen[id] {
					t.Errorf("duplicate id %d", id)
				}
				seen[id] = true
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	assert.Len(t, seen, workers*each)
}

func TestIDTimeAndCursor(t *testing.T) {
	now := time.Now()
	id := storage.NewIDGenerator().Next()
	assert.WithinDuration(t, now, id.Time(), 2*time.Second)
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	assert.Equal(t, at, storage.IDAt(at).Time())
	assert.LessOrEqual(t, storage.MinIDAt(at), storage.IDAt(at))
	assert.Less(t, storage.IDAt(at), storage.MinIDAt(at.Add(time.Millisecond)))
}

func TestParseID(t *testing.T) {
	for _, ok := range []string{"0", "1", "117679603318264833", "9223372036854775807"} {
		id, err := storage.ParseID(ok)
		require.NoError(t, err, ok)
		assert.Equal(t, ok, id.String())
	}
	for _, bad := range []string{"", "-1", "+1", "1.0", "0x10", " 1", "1 ", "9223372036854775808", "12345678901234567890", "١٢"} {
		_, err := storage.ParseID(bad)
		assert.Error(t, err, bad)
	}
	var id storage.ID
	require.NoError(t, id.UnmarshalText([]byte("42")))
	b, err := id.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "42", string(b))
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"0", "42", "117679603318264833", "-1", "", "9223372036854775808", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := storage.ParseID(s)
		if err != nil {
			return
		}
		if id < 0 {
			t.Fatalf("negative id %d from %q", id, s)
		}
		back, err := storage.ParseID(id.String())
		if err != nil || back != id {
			t.Fatalf("round trip of %q: %v %v", s, back, err)
		}
	})
}
