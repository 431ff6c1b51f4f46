package mastoapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// jsonBuffers recycles the buffers responses are encoded into.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer bounds the buffers kept for reuse, so that one huge
// response does not stay in memory.
const maxPooledBuffer = 256 << 10

// WriteJSON writes v as JSON with the given status and
// Content-Type: application/json; charset=utf-8. Encoding failures (a bug)
// become a 500 with a generic error body.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			jsonBuffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		buf.WriteString(`{"error":"Internal server error"}` + "\n")
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// FormatTime renders t as Mastodon does: RFC 3339 in UTC with exactly three
// digits of milliseconds, e.g. 2026-11-25T19:07:41.000Z.
func FormatTime(t time.Time) string {
	var buf [len(timeLayout)]byte
	return string(appendTime(buf[:0], t))
}

// FormatDate renders the UTC date of t, e.g. 2026-11-25 (Account.last_status_at).
func FormatDate(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// Time is a time that encodes as Mastodon's datetime format (see FormatTime).
type Time time.Time

// MarshalText implements encoding.TextMarshaler, so that encoding/json
// writes it as a string (cheaper than a json.Marshaler, whose output
// encoding/json parses again).
func (t Time) MarshalText() ([]byte, error) {
	return appendTime(make([]byte, 0, len(timeLayout)), time.Time(t)), nil
}

// timeLayout is Mastodon's datetime format.
const timeLayout = "2006-01-02T15:04:05.000Z"

// appendTime appends t as FormatTime does, without the generic layout
// interpreter for the years 0–9999 (every datetime rendered in practice).
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, timeLayout)
	}
	h, mi, s := t.Clock()
	ms := t.Nanosecond() / int(time.Millisecond)
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	b = append2(b, int(mo))
	b = append(b, '-')
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, h)
	b = append(b, ':')
	b = append2(b, mi)
	b = append(b, ':')
	b = append2(b, s)
	return append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
}

func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

// TimePtr converts an optional time to an optional *Time (nil stays nil, rendered as null).
func TimePtr(t *time.Time) *Time {
	if t == nil {
		return nil
	}
	v := Time(*t)
	return &v
}

// Date is a time that encodes as a date only (2026-11-25).
type Date time.Time

// MarshalText implements encoding.TextMarshaler (see Time.MarshalText).
func (d Date) MarshalText() ([]byte, error) {
	b := make([]byte, 0, len(time.DateOnly))
	return time.Time(d).UTC().AppendFormat(b, time.DateOnly), nil
}
