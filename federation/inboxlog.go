package federation

import (
	"context"
	"fmt"
	"time"

	"github.com/herd-social/herd/storage"
)

// MemoryInboxLog is an in-memory storage.InboxLog remembering the most
// recent ids, for applications without a database table for it (and for
// tests). A restart forgets everything.
type MemoryInboxLog struct {
	c *lru[string, time.Time]
}

var _ storage.InboxLog = (*MemoryInboxLog)(nil)

// NewMemoryInboxLog remembers up to size ids (default 100,000 when size ≤ 0).
func NewMemoryInboxLog(size int) *MemoryInboxLog {
	if size <= 0 {
		size = 100000
	}
	return &MemoryInboxLog{c: newLRU[string, time.Time](size)}
}

// MarkProcessed implements storage.InboxLog.
func (m *MemoryInboxLog) MarkProcessed(_ context.Context, id string, at time.Time) (bool, error) {
	if id == "" {
		return false, fmt.Errorf("inbox log: empty activity id: %w", storage.ErrInvalid)
	}
	m.c.mu.Lock()
	_, seen := m.c.m[id]
	m.c.mu.Unlock()
	if seen {
		return false, nil
	}
	// A racing caller may have put it in between: put under the lock.
	m.c.mu.Lock()
	defer m.c.mu.Unlock()
	if _, seen := m.c.m[id]; seen {
		return false, nil
	}
	m.c.m[id] = m.c.ll.PushFront(&lruEntry[string, time.Time]{key: id, val: at})
	for m.c.ll.Len() > m.c.max {
		last := m.c.ll.Back()
		m.c.ll.Remove(last)
		delete(m.c.m, last.Value.(*lruEntry[string, time.Time]).key)
	}
	return true, nil
}

// Forget implements storage.InboxLog.
func (m *MemoryInboxLog) Forget(_ context.Context, id string) error {
	m.c.remove(id)
	return nil
}

// Prune implements storage.InboxLog.
func (m *MemoryInboxLog) Prune(_ context.Context, before time.Time) (int64, error) {
	m.c.mu.Lock()
	defer m.c.mu.Unlock()
	var n int64
	for el := m.c.ll.Back(); el != nil; {
		prev := el.Prev()
		e := el.Value.(*lruEntry[string, time.Time])
		if e.val.Before(before) {
			m.c.ll.Remove(el)
			delete(m.c.m, e.key)
			n++
		}
		el = prev
	}
	return n, nil
}
