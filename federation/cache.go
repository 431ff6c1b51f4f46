package federation

import (
	"container/list"
	"sync"
	"time"
)

// lru is a size-bounded least-recently-used cache whose entries expire.
// It is safe for concurrent use.
type lru[K comparable, V any] struct {
	mu   sync.Mutex
	max  int
	ll   *list.List
	m    map[K]*list.Element
	hits uint64
}

type lruEntry[K comparable, V any] struct {
	key     K
	val     V
	expires time.Time
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, ll: list.New(), m: make(map[K]*list.Element)}
}

// get returns the value of k when present and not expired at now.
func (c *lru[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.m[k]
	if !ok {
		return zero, false
	}
	e := el.Value.(*lruEntry[K, V])
	if !e.expires.IsZero() && now.After(e.expires) {
		c.ll.Remove(el)
		delete(c.m, k)
		return zero, false
	}
	c.ll.MoveToFront(el)
	return e.val, true
}

// put stores v under k until expires (zero: no expiry).
func (c *lru[K, V]) put(k K, v V, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[k]; ok {
		e := el.Value.(*lruEntry[K, V])
		e.val, e.expires = v, expires
		c.ll.MoveToFront(el)
		return
	}
	c.m[k] = c.ll.PushFront(&lruEntry[K, V]{key: k, val: v, expires: expires})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.m, last.Value.(*lruEntry[K, V]).key)
	}
}

func (c *lru[K, V]) remove(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[k]; ok {
		c.ll.Remove(el)
		delete(c.m, k)
	}
}
