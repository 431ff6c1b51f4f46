package streaming

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"time"
	"unsafe"

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
	frameLabel []byte // the stream label of frame
	frameEvent string // the event of frame
	frame      []byte // the last WebSocket frame built from this rendering

	// A status rendered once for all viewers (StatusPreparer): prep on
	// the shared entry, parent on each viewer's entry. The shared entry
	// keeps the frames of every distinct viewer rendering, so that
	// viewers who see the same bytes share one frame.
	prep   PreparedStatus
	parent *rendered
	shared map[sharedKey][]byte // guarded by fmu
}

// sharedKey names a frame of a prepared status: the viewer rendering's
// bytes (by identity), the stream label and the event.
type sharedKey struct {
	raw   *byte
	n     int
	label string
	event string
}

// maxSharedFrames bounds the frames a prepared status keeps.
const maxSharedFrames = 256

// wsFrame returns the WebSocket frame (header included) of this rendering
// for a stream label and event. The last one is kept: the connections
// sharing a rendering mostly share their stream too, and frames are
// read-only.
func (r *rendered) wsFrame(label []byte, event string) []byte {
	r.fmu.Lock()
	defer r.fmu.Unlock()
	if r.frame != nil && r.frameEvent == event && bytes.Equal(r.frameLabel, label) {
		return r.frame
	}
	if r.parent != nil {
		r.frame = r.parent.sharedFrame(r, label, event)
	} else {
		r.frame = wsTextFrame(wsMessage(label, event, r))
	}
	r.frameLabel, r.frameEvent = label, event
	return r.frame
}

// sharedFrame returns the frame of a viewer's rendering v of this
// prepared status, built once per distinct bytes.
func (r *rendered) sharedFrame(v *rendered, label []byte, event string) []byte {
	key := sharedKey{unsafe.SliceData(v.raw), len(v.raw), string(label), event}
	r.fmu.Lock()
	defer r.fmu.Unlock()
	if f, ok := r.shared[key]; ok {
		return f
	}
	f := wsTextFrame(wsMessage(label, event, v))
	if r.shared == nil {
		r.shared = map[sharedKey][]byte{}
	}
	if len(r.shared) < maxSharedFrames {
		r.shared[key] = f
	}
	return f
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
	return c.doWith(key, func(r *rendered) (err error) {
		r.raw, err = fn()
		return err
	})
}

// doWith is do with a function that fills the rendering.
func (c *renderCache) doWith(key renderKey, fn func(*rendered) error) *rendered {
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
func (c *renderCache) run(r *rendered, fn func(*rendered) error) {
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
	r.err = fn(r)
	if r.err != nil {
		r.raw = nil
	}
}

// len counts the cached renderings (for tests).
func (c *renderCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
