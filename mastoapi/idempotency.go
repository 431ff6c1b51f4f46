package mastoapi

import (
	"bytes"
	"container/list"
	"net/http"
	"sync"
	"time"
)

// idempotencyCache remembers the successful responses to POSTs carrying an
// Idempotency-Key, per account and key, so that a client retrying a request
// (a status it is not sure was posted) gets the first response instead of a
// duplicate. A repeated request arriving while the first still runs waits
// for it. It is a bounded LRU in memory: several herd processes would need a
// shared store for this.
type idempotencyCache struct {
	max int
	ttl time.Duration
	now func() time.Time

	mu       sync.Mutex
	ll       *list.List // of *idemEntry, most recent first
	items    map[string]*list.Element
	inflight map[string]chan struct{}
}

type idemEntry struct {
	key    string
	at     time.Time
	status int
	header http.Header
	body   []byte
}

func newIdempotencyCache(max int, ttl time.Duration, now func() time.Time) *idempotencyCache {
	return &idempotencyCache{max: max, ttl: ttl, now: now, ll: list.New(),
		items: map[string]*list.Element{}, inflight: map[string]chan struct{}{}}
}

// maxIdempotencyKey bounds the length of a key kept in memory.
const maxIdempotencyKey = 256

// serve answers from the cache or runs the handler and caches a 2xx answer.
func (c *idempotencyCache) serve(w http.ResponseWriter, r *http.Request, key string, run func(http.ResponseWriter)) {
	if len(key) > maxIdempotencyKey {
		run(w)
		return
	}
	var done chan struct{}
	for {
		c.mu.Lock()
		if e := c.get(key); e != nil {
			c.mu.Unlock()
			replay(w, e)
			return
		}
		ch, busy := c.inflight[key]
		if !busy {
			done = make(chan struct{})
			c.inflight[key] = done
			c.mu.Unlock()
			break
		}
		c.mu.Unlock()
		select {
		case <-ch:
		case <-r.Context().Done():
			return
		}
	}
	defer func() {
		c.mu.Lock()
		delete(c.inflight, key)
		c.mu.Unlock()
		close(done)
	}()
	rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	run(rec)
	e := &idemEntry{key: key, at: c.now(), status: rec.status, header: rec.header, body: rec.body.Bytes()}
	if rec.status >= 200 && rec.status < 300 {
		c.mu.Lock()
		c.put(e)
		c.mu.Unlock()
	}
	replay(w, e)
}

func (c *idempotencyCache) get(key string) *idemEntry {
	el := c.items[key]
	if el == nil {
		return nil
	}
	e := el.Value.(*idemEntry)
	if c.now().Sub(e.at) > c.ttl {
		c.ll.Remove(el)
		delete(c.items, key)
		return nil
	}
	c.ll.MoveToFront(el)
	return e
}

func (c *idempotencyCache) put(e *idemEntry) {
	if el := c.items[e.key]; el != nil {
		c.ll.Remove(el)
	}
	c.items[e.key] = c.ll.PushFront(e)
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*idemEntry).key)
	}
}

func replay(w http.ResponseWriter, e *idemEntry) {
	h := w.Header()
	for k, v := range e.header {
		h[k] = v
	}
	w.WriteHeader(e.status)
	_, _ = w.Write(e.body)
}

// bufferedResponse records a response in memory.
type bufferedResponse struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if !b.wroteHeader {
		b.status, b.wroteHeader = code, true
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.wroteHeader = true
	return b.body.Write(p)
}
