package transport

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

var (
	// ErrForbiddenAddress is returned (wrapped) when a connection would reach
	// an address outside the public internet that Options.AllowPrivate does not
	// allow. It is detected at connect time, after DNS resolution.
	ErrForbiddenAddress = errors.New("transport: forbidden address")
	// ErrSchemeNotAllowed is returned (wrapped) for a URL, or a redirect
	// target, whose scheme is not https (or http with Options.AllowHTTP).
	ErrSchemeNotAllowed = errors.New("transport: URL scheme not allowed")
	// ErrTooManyRedirects is returned (wrapped) when a redirect chain is
	// longer than Options.MaxRedirects.
	ErrTooManyRedirects = errors.New("transport: too many redirects")
	// ErrBodyTooLarge is returned (wrapped) when a response body is longer
	// than Options.MaxBodyBytes.
	ErrBodyTooLarge = errors.New("transport: response body too large")
	// ErrNotFound matches a *StatusError for a 404 Not Found response.
	ErrNotFound = errors.New("transport: not found")
	// ErrGone matches a *StatusError for a 410 Gone response.
	ErrGone = errors.New("transport: gone")
	// ErrRateLimited matches a *StatusError for a 429 Too Many Requests
	// response; the StatusError carries the Retry-After delay.
	ErrRateLimited = errors.New("transport: rate limited")
	// ErrUnexpectedContentType is returned (wrapped) by GetActivity when the
	// response is not an ActivityPub or JSON document.
	ErrUnexpectedContentType = errors.New("transport: unexpected content type")
	// ErrInvalidDocument is returned (wrapped) by GetActivity when the body
	// is not a JSON object with a single string "id".
	ErrInvalidDocument = errors.New("transport: invalid document")
	// ErrOriginMismatch is returned (wrapped) by GetActivity when the
	// document's id is not on the same origin as the URL it was fetched from.
	ErrOriginMismatch = errors.New("transport: id origin does not match fetched URL")
)

// StatusError reports an HTTP response with an unexpected status code. Use
// errors.Is with ErrNotFound, ErrGone or ErrRateLimited to classify it.
type StatusError struct {
	Method     string
	URL        string
	StatusCode int
	// RetryAfter is the delay requested by a Retry-After header, or zero.
	RetryAfter time.Duration
	// HasRetryAfter reports whether a valid Retry-After header was present.
	HasRetryAfter bool
}

// Error implements error.
func (e *StatusError) Error() string {
	s := fmt.Sprintf("transport: %s %s: status %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.HasRetryAfter {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Is lets errors.Is match the status sentinels.
func (e *StatusError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrGone:
		return e.StatusCode == http.StatusGone
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}
