package mastoapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateLimiter counts requests per key in fixed windows aligned on the
// window length, as Mastodon's rack-attack throttles do, and sets the
// X-RateLimit-* headers. State is in memory, per process.
type rateLimiter struct {
	cfg RateLimit
	now func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	start time.Time
	n     int
}

// sweepAbove is how many keys are kept before stale ones are dropped.
const sweepAbove = 10000

func newRateLimiter(cfg RateLimit, now func() time.Time) *rateLimiter {
	if cfg.Requests <= 0 {
		cfg.Requests = 300
	}
	if cfg.Window <= 0 {
		cfg.Window = 5 * time.Minute
	}
	if cfg.AuthRequests <= 0 {
		cfg.AuthRequests = 30
	}
	return &rateLimiter{cfg: cfg, now: now, buckets: map[string]*bucket{}}
}

// allow counts one request for key and reports whether it is within the
// limit; strict selects the limit for password checks and sign-ups. It sets
// the X-RateLimit-* headers on w (the strict limit only when exceeded).
func (l *rateLimiter) allow(w http.ResponseWriter, key string, strict bool) bool {
	if l.cfg.Disabled {
		return true
	}
	limit := l.cfg.Requests
	if strict {
		limit = l.cfg.AuthRequests
		key = "strict|" + key
	}
	now := l.now()
	start := now.Truncate(l.cfg.Window)
	l.mu.Lock()
	b := l.buckets[key]
	if b == nil || !b.start.Equal(start) {
		if b == nil {
			b = &bucket{}
			l.buckets[key] = b
		}
		b.start, b.n = start, 0
	}
	b.n++
	n := b.n
	if len(l.buckets) > sweepAbove && now.Sub(l.lastSweep) > l.cfg.Window {
		for k, v := range l.buckets {
			if v.start.Before(start) {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	l.mu.Unlock()
	ok := n <= limit
	if !strict || !ok {
		h := w.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(max(limit-n, 0)))
		h.Set("X-RateLimit-Reset", FormatTime(start.Add(l.cfg.Window)))
	}
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(start.Add(l.cfg.Window).Sub(now).Seconds())+1))
	}
	return ok
}
