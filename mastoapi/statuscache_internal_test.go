package mastoapi

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

func TestStatusCacheBounded(t *testing.T) {
	c := statusCache{max: 64 << 10}
	entry := func(id storage.ID) (*cachedStatus, statusKey) {
		k := statusKey{st: recordKey{id: id}}
		return &cachedStatus{key: k, raw: bytes.Repeat([]byte("x"), 1024)}, k
	}
	for id := storage.ID(1); id <= 1000; id++ {
		e, _ := entry(id)
		c.put(id, e)
		require.LessOrEqual(t, c.curBytes, c.max/2)
	}
	assert.LessOrEqual(t, len(c.cur)+len(c.prev), 64, "at most the budget in both generations")
	_, k := entry(1000)
	assert.NotNil(t, c.get(1000, &k), "the newest entry stays")
	_, k = entry(1)
	assert.Nil(t, c.get(1, &k), "the oldest entry is gone")

	// A hit in the older generation moves the entry to the newer one, so
	// entries read often survive the turnover.
	old := storage.ID(1000)
	for id := storage.ID(2000); id < 2100; id++ {
		e, _ := entry(id)
		c.put(id, e)
		_, k := entry(old)
		require.NotNil(t, c.get(old, &k), "after %d", id)
	}

	// A changed key is a miss, and too large a rendering is not kept.
	k = statusKey{st: recordKey{id: old, favs: 1}}
	assert.Nil(t, c.get(old, &k))
	big := &cachedStatus{raw: make([]byte, c.max)}
	c.put(5, big)
	assert.Nil(t, c.get(5, &statusKey{}))
}

func TestViewerFields(t *testing.T) {
	b := &statusBatch{states: map[storage.ID]storage.ViewerState{1: {Favourited: true, Bookmarked: true}},
		muted: map[storage.ID]bool{1: true}}
	assert.Equal(t, `,"favourited":true,"reblogged":false,"muted":true,"bookmarked":true,"filtered":[]`, b.viewerFieldsOf(1))
	assert.Equal(t, `,"favourited":false,"reblogged":false,"muted":false,"bookmarked":false,"filtered":[]`, b.viewerFieldsOf(2))
}
