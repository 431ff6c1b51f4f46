package mastoapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// WriteJSON writes v as JSON with the given status and
// Content-Type: application/json; charset=utf-8. Encoding failures (a bug)
// become a 500 with a generic error body.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
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
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// FormatDate renders the UTC date of t, e.g. 2026-11-25 (Account.last_status_at).
func FormatDate(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// Time is a time that encodes as Mastodon's datetime format (see FormatTime).
type Time time.Time

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + FormatTime(time.Time(t)) + `"`), nil
}

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

// MarshalJSON implements json.Marshaler.
func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(`"` + FormatDate(time.Time(d)) + `"`), nil
}
