package mastoapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// Error is an error with the HTTP status and the message clients see. Handlers
// return it (or any error: WriteError maps the others) and the API renders it
// as Mastodon does: {"error": Message} plus "error_description" for OAuth.
type Error struct {
	Status      int    // HTTP status code
	Message     string // the "error" member
	Description string // the "error_description" member (OAuth); omitted when empty
	// Details is the "details" member of validation errors (422), by field,
	// as Mastodon's ValidationError entity; omitted when nil.
	Details map[string][]ErrorDetail
	Err     error // an underlying cause, logged but never shown
}

// ErrorDetail is one problem with one field of a validation error.
type ErrorDetail struct {
	Error       string `json:"error"`       // a code such as ERR_INVALID
	Description string `json:"description"` // what is wrong, for people
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Message, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// NewError returns an *Error with the status and the message shown to clients.
func NewError(status int, message string) *Error {
	return &Error{Status: status, Message: message}
}

// Errorf returns an *Error with a formatted client-facing message.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// Common errors, with Mastodon's wording.
var (
	ErrRecordNotFound   = NewError(http.StatusNotFound, "Record not found")
	ErrNotAllowed       = NewError(http.StatusForbidden, "This action is not allowed")
	ErrInvalidToken     = NewError(http.StatusUnauthorized, "The access token is invalid")
	ErrOutsideScopes    = NewError(http.StatusForbidden, "This action is outside the authorized scopes")
	ErrUserRequired     = NewError(http.StatusUnprocessableEntity, "This method requires an authenticated user")
	ErrTooManyRequests  = NewError(http.StatusTooManyRequests, "Too many requests")
	ErrBodyTooLarge     = NewError(http.StatusRequestEntityTooLarge, "Request entity too large")
	ErrMalformedRequest = NewError(http.StatusBadRequest, "Error occurred while parsing request parameters")
)

// validationError returns a 422 with Mastodon's "Validation failed: …"
// wording and an empty details object.
func validationError(message string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Message: "Validation failed: " + message, Details: map[string][]ErrorDetail{}}
}

// fieldError returns a 422 about one field with its details.
func fieldError(field, message string) *Error {
	e := validationError(capitalize(strings.ReplaceAll(field, "_", " ")) + " " + message)
	code := "ERR_INVALID"
	switch {
	case strings.HasPrefix(message, "can't be blank"):
		code = "ERR_BLANK"
	case strings.Contains(message, "too long") || strings.Contains(message, "limit"):
		code = "ERR_TOO_LONG"
	case strings.Contains(message, "taken"):
		code = "ERR_TAKEN"
	case strings.Contains(message, "disallowed"):
		code = "ERR_BLOCKED"
	}
	e.Details[field] = []ErrorDetail{{Error: code, Description: message}}
	return e
}

// errorBody is the JSON shape of an error response.
type errorBody struct {
	Error       string                   `json:"error"`
	Description string                   `json:"error_description,omitempty"`
	Details     map[string][]ErrorDetail `json:"details,omitempty"`
}

// toAPIError maps any error to the *Error clients see. Unknown errors become a
// generic 500; the second result reports whether err was unexpected (and must
// be logged).
func toAPIError(err error) (*Error, bool) {
	var ae *Error
	if errors.As(err, &ae) {
		return ae, ae.Status >= 500
	}
	var ve *social.ValidationError
	if errors.As(err, &ve) {
		if ve.Field == "" {
			// An error about the record as a whole (Rails' :base).
			return validationError(ve.Message), false
		}
		return fieldError(ve.Field, ve.Message), false
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return ErrBodyTooLarge, false
	case errors.Is(err, storage.ErrNotFound):
		return ErrRecordNotFound, false
	case errors.Is(err, social.ErrInvalid), errors.Is(err, storage.ErrInvalid):
		return validationError("the request is invalid"), false
	case errors.Is(err, storage.ErrConflict):
		return validationError("the record already exists"), false
	case errors.Is(err, context.DeadlineExceeded):
		return NewError(http.StatusServiceUnavailable, "The server is busy, try again later"), true
	case errors.Is(err, context.Canceled):
		// The client went away; the status is never seen.
		return NewError(http.StatusServiceUnavailable, "Request canceled"), false
	}
	if st, ok := socialStatus(err); ok {
		return st, false
	}
	return &Error{Status: http.StatusInternalServerError, Message: "Internal server error", Err: err}, true
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// WriteError writes err as a Mastodon error response. Unexpected errors are
// logged with the request method and path (never the query, which may hold
// a token) and answered with a generic message.
func (a *API) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	ae, unexpected := toAPIError(err)
	if unexpected {
		a.log.LogAttrs(r.Context(), slog.LevelError, "mastoapi: request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", ae.Status), slog.Any("err", err))
	}
	if ae.Status == http.StatusUnauthorized && r.Header.Get("Authorization") != "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="Herd", error="invalid_token"`)
	}
	body := errorBody{Error: ae.Message, Description: ae.Description, Details: ae.Details}
	if body.Details != nil && len(body.Details) == 0 {
		// omitempty would drop an empty map: the member is required.
		WriteJSON(w, ae.Status, struct {
			errorBody
			Details struct{} `json:"details"`
		}{errorBody: body})
		return
	}
	WriteJSON(w, ae.Status, body)
}
