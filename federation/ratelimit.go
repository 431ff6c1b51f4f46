package federation

import (
	"math"
	"sync"
	"time"
)

// hostLimiter is a token bucket per host.
type hostLimiter struct {
	rate  float64 // tokens per second
	burst float64

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

const maxBuckets = 50000

func newHostLimiter(rate float64, burst int) *hostLimiter {
	return &hostLimiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// allow takes a token from host's bucket; when there is none it reports
// how long until there will be one.
func (l *hostLimiter) allow(host string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[host]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[host] = b
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = math.Min(l.burst, b.tokens+dt*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// prune drops buckets that have refilled (they hold no state worth keeping).
func (l *hostLimiter) prune(now time.Time) {
	for h, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, h)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}
