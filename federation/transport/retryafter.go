package transport

import (
	"net/http"
	"strings"
	"time"
)

// MaxRetryAfter caps the delay ParseRetryAfter returns, so a hostile or
// broken peer cannot park a queue for years (or overflow time.Duration).
const MaxRetryAfter = 30 * 24 * time.Hour

// ParseRetryAfter parses a Retry-After header value (RFC 9110 §10.2.3):
// either a number of seconds or an HTTP-date, interpreted relative to now.
// A date in the past yields zero. Results are capped at MaxRetryAfter. ok is
// false when the value is empty or malformed.
func ParseRetryAfter(value string, now time.Time) (d time.Duration, ok bool) {
	v := strings.TrimSpace(value)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		var secs int64
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			if secs <= int64(MaxRetryAfter/time.Second) {
				secs = secs*10 + int64(c-'0')
			}
		}
		if secs > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d = t.Sub(now)
	switch {
	case d < 0:
		return 0, true
	case d > MaxRetryAfter:
		return MaxRetryAfter, true
	}
	return d, true
}
