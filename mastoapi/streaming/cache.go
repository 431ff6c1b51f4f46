package streaming

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/herd-social/herd/storage"
)

// renderKey names one rendering: who sees which event about what.
type renderKey struct {
	viewer storage.ID // 0: anonymous, or viewer-independent
	event  string
	data   string
}

// rendered is one rendering, shared by the connections that need it.
type rendered struct {
	done chan struct{}
	raw  []byte // nil: not for this viewer
	err  error
	exp  time.Time

	qonce sync.Once
	q     []byte // raw as a JSON string

	fmu        sync.Mutex
	frameLabel string // the stream label and event of frame
	frame      []byte // the last WebSocket frame built from this rendering
}

// wsFrame returns the WebSocket frame of this rendering for a stream
// label and event. The last one is kept: the connections sharing a
// rendering mostly share their stream too, and frames are read-only.
func (r *rendered) wsFrame(label []byte, event string) []byte {
	key := string(label) + "\x00" + event
	r.fmu.Lock()
	defer r.fmu.Unlock()
	if r.frame != nil && r.frameLabel == key {
		return r.frame
	}
	r.frame, r.frameLabel = wsFrame(label, event, r), key
	return r.frame
}

// quoted returns the payload as a JSON string, computed once.
func (r *rendered) quoted() []byte {
	r.qonce.Do(func() { r.q, _ = json.Marshal(string(r.raw)) })
	return r.q
}

func (r *rendered) quotedLen() int {
	if r == nil {
		return 0
	}
	return len(r.raw) + len(r.raw)/8 + 2
}

// renderCache shares renderings between connections for a short time and
// collapses concurrent renderings of one key into one.
type renderCache struct {
	ttl time.Duration
	max int

	mu   sync.Mutex
	m    map[renderKey]*rendered
	puts int
}

func newRenderCache(ttl time.Duration, max int) *renderCache {
	return &renderCache{ttl: ttl, max: max, m: map[renderKey]*rendered{}}
}

// do returns the rendering of key, calling fn when no fresh one exists.
func (c *renderCache) do(key renderKey, fn func() ([]byte, error)) *rendered {
	if c.ttl < 0 {
		r := &rendered{done: make(chan struct{})}
		c.run(r, fn)
		return r
	}
	now := time.Now()
	c.mu.Lock()
	if r := c.m[key]; r != nil {
		select {
		case <-r.done:
			if now.Before(r.exp) {
				c.mu.Unlock()
				return r
			}
		default:
			c.mu.Unlock()
			<-r.done
			return r
		}
	}
	r := &rendered{done: make(chan struct{})}
	if len(c.m) < c.max {
		c.m[key] = r
	}
	c.puts++
	if c.puts%1024 == 0 {
		for k, x := range c.m {
			select {
			case <-x.done:
				if !now.Before(x.exp) {
					delete(c.m, k)
				}
			default:
			}
		}
	}
	c.mu.Unlock()

	c.run(r, fn)
	return r
}

// run fills r from fn, turning a panic into an error, and releases the
// connections waiting for it.
func (c *renderCache) run(r *rendered, fn func() ([]byte, error)) {
	defer func() {
		if p := recover(); p != nil {
			r.raw, r.err = nil, fmt.Errorf("streaming: renderer panic: %v", p)
		}
		r.exp = time.Now().Add(c.ttl)
		if r.err != nil && !isNotFound(r.err) {
			r.exp = time.Time{} // failures are not kept
		}
		close(r.done)
	}()
	r.raw, r.err = fn()
}

// len counts the cached renderings (for tests).
func (c *renderCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
