package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// AcceptActivity is the Accept header GetActivity sends.
const AcceptActivity = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

// ContentTypeActivity is the usual Content-Type of an ActivityPub POST body.
const ContentTypeActivity = "application/activity+json"

// RequestSigner signs an outgoing request in place (typically adding Date,
// Digest and Signature headers). body is the request body, nil for a GET.
// The signature package provides an adapter that satisfies it.
type RequestSigner interface {
	SignRequest(r *http.Request, body []byte) error
}

// Document is an ActivityPub document fetched by GetActivity.
type Document struct {
	// FinalURL is the URL the document was served from, after redirects.
	FinalURL string
	// ID is the document's top-level "id"; it has the same origin as FinalURL.
	ID string
	// Body is the raw JSON, at most Options.MaxBodyBytes long.
	Body []byte
	// Header is the response header.
	Header http.Header
}

// GetActivity fetches the ActivityPub document at rawURL. When signer is not
// nil each request (including every redirect hop) is signed with it.
//
// It fails with a *StatusError for non-2xx statuses (errors.Is matches
// ErrNotFound, ErrGone, ErrRateLimited), ErrUnexpectedContentType when the
// response is not application/activity+json, application/ld+json or
// application/json, ErrBodyTooLarge, ErrInvalidDocument when the body is not
// a JSON object with one string "id", and ErrOriginMismatch when that id is
// not on the origin of the final URL.
func (c *Client) GetActivity(ctx context.Context, rawURL string, signer RequestSigner) (*Document, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("transport: get %q: %w", rawURL, err)
	}
	u.Fragment, u.RawFragment = "", ""
	if err := c.checkURL(u); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	var resp *http.Response
	for hop := 0; ; hop++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("transport: get %s: %w", u.Redacted(), err)
		}
		req.Header.Set("Accept", AcceptActivity)
		req.Header.Set("User-Agent", c.userAgent)
		if signer != nil {
			if err := signer.SignRequest(req, nil); err != nil {
				return nil, fmt.Errorf("transport: sign GET %s: %w", u.Redacted(), err)
			}
		}
		resp, err = c.noRedirect.Do(req)
		if err != nil {
			return nil, fmt.Errorf("transport: get %s: %w", u.Redacted(), err)
		}
		if !isRedirect(resp.StatusCode) {
			break
		}
		loc := resp.Header.Get("Location")
		drainAndClose(resp.Body)
		if loc == "" {
			return nil, fmt.Errorf("transport: get %s: redirect %d without Location", u.Redacted(), resp.StatusCode)
		}
		if hop >= c.maxRedirects {
			return nil, fmt.Errorf("transport: get %s: %w (limit %d)", u.Redacted(), ErrTooManyRedirects, c.maxRedirects)
		}
		next, err := u.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("transport: get %s: bad redirect Location: %w", u.Redacted(), err)
		}
		next.Fragment, next.RawFragment = "", ""
		if err := c.checkURL(next); err != nil {
			return nil, fmt.Errorf("transport: get %s: redirect: %w", u.Redacted(), err)
		}
		u = next
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		drainAndClose(resp.Body)
		return nil, c.statusError(http.MethodGet, u, resp)
	}
	if !isActivityContentType(resp.Header.Get("Content-Type")) {
		return nil, fmt.Errorf("transport: get %s: %w: %q", u.Redacted(), ErrUnexpectedContentType, resp.Header.Get("Content-Type"))
	}
	if resp.ContentLength > c.maxBody {
		return nil, fmt.Errorf("transport: get %s: %w (Content-Length %d, limit %d bytes)", u.Redacted(), ErrBodyTooLarge, resp.ContentLength, c.maxBody)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("transport: get %s: read body: %w", u.Redacted(), err)
	}
	id, err := TopLevelID(body)
	if err != nil {
		return nil, fmt.Errorf("transport: get %s: %w", u.Redacted(), err)
	}
	if !SameOrigin(id, u.String()) {
		return nil, fmt.Errorf("transport: get %s: %w: id %q", u.Redacted(), ErrOriginMismatch, id)
	}
	return &Document{FinalURL: u.String(), ID: id, Body: body, Header: resp.Header}, nil
}

// PostResult describes the response to a Post.
type PostResult struct {
	StatusCode int
	// RetryAfter is the delay requested by a Retry-After header (seconds or
	// HTTP-date), or zero; HasRetryAfter reports whether one was present.
	RetryAfter    time.Duration
	HasRetryAfter bool
	Header        http.Header
	// Body holds up to the first 4 KiB of the response body, for logs.
	Body []byte
}

// OK reports whether the status is 2xx.
func (r *PostResult) OK() bool { return r.StatusCode >= 200 && r.StatusCode <= 299 }

const postResultBodyMax = 4 << 10

// Post delivers body to rawURL (an inbox) with the given Content-Type
// (ContentTypeActivity when empty). A Date header is set before signer (if
// not nil) signs the request. Redirects are not followed: a 3xx is reported
// like any other non-2xx status.
//
// When a response was received the result is not nil. For a non-2xx status
// the error is a *StatusError as well (errors.Is matches ErrGone,
// ErrNotFound, ErrRateLimited), so a deliverer can drop dead inboxes and
// honour Retry-After.
func (c *Client) Post(ctx context.Context, rawURL string, body []byte, contentType string, signer RequestSigner) (*PostResult, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("transport: post %q: %w", rawURL, err)
	}
	u.Fragment, u.RawFragment = "", ""
	if err := c.checkURL(u); err != nil {
		return nil, err
	}
	if contentType == "" {
		contentType = ContentTypeActivity
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("transport: post %s: %w", u.Redacted(), err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	if signer != nil {
		if err := signer.SignRequest(req, body); err != nil {
			return nil, fmt.Errorf("transport: sign POST %s: %w", u.Redacted(), err)
		}
	}
	resp, err := c.noRedirect.Do(req)
	if err != nil {
		return nil, fmt.Errorf("transport: post %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, postResultBodyMax))
	drainAndClose(resp.Body)
	res := &PostResult{StatusCode: resp.StatusCode, Header: resp.Header, Body: snippet}
	res.RetryAfter, res.HasRetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	if !res.OK() {
		return res, c.statusError(http.MethodPost, u, resp)
	}
	return res, nil
}

func (c *Client) statusError(method string, u *url.URL, resp *http.Response) *StatusError {
	e := &StatusError{Method: method, URL: u.Redacted(), StatusCode: resp.StatusCode}
	e.RetryAfter, e.HasRetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return e
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// drainAndClose reads a little of what is left so the connection can be
// reused, then closes the body.
func drainAndClose(rc io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, rc, 4<<10)
	_ = rc.Close()
}

func isActivityContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	switch mt {
	case "application/activity+json", "application/ld+json", "application/json":
		return true
	}
	return false
}

// TopLevelID returns the string "id" of the JSON object in body. It fails
// with ErrInvalidDocument when body is not a single JSON object, when "id" is
// missing or not a non-empty string, or when "id" appears more than once (a
// parser that keeps the first duplicate and one that keeps the last would
// disagree about which id to trust).
func TopLevelID(body []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidDocument, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return "", fmt.Errorf("%w: not a JSON object", ErrInvalidDocument)
	}
	var (
		id    string
		found bool
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrInvalidDocument, err)
		}
		key, ok := tok.(string)
		if !ok {
			return "", fmt.Errorf("%w: bad key", ErrInvalidDocument)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return "", fmt.Errorf("%w: %v", ErrInvalidDocument, err)
		}
		if key != "id" {
			continue
		}
		if found {
			return "", fmt.Errorf("%w: duplicate \"id\"", ErrInvalidDocument)
		}
		found = true
		if err := json.Unmarshal(raw, &id); err != nil {
			return "", fmt.Errorf("%w: \"id\" is not a string", ErrInvalidDocument)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return "", fmt.Errorf("%w: %v", ErrInvalidDocument, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("%w: trailing data after object", ErrInvalidDocument)
	}
	if !found || id == "" {
		return "", fmt.Errorf("%w: missing \"id\"", ErrInvalidDocument)
	}
	return id, nil
}

// SameOrigin reports whether the absolute http(s) URLs a and b have the same
// origin: scheme, host (case-insensitively) and port (with the scheme's
// default port filled in).
func SameOrigin(a, b string) bool {
	oa, ok := origin(a)
	if !ok {
		return false
	}
	ob, ok := origin(b)
	return ok && oa == ob
}

func origin(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	switch scheme {
	case "https":
		if port == "" {
			port = "443"
		}
	case "http":
		if port == "" {
			port = "80"
		}
	default:
		return "", false
	}
	if n, err := strconv.ParseUint(port, 10, 16); err == nil {
		port = strconv.FormatUint(n, 10) // "0443" and "443" are the same port
	} else {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", false
	}
	return scheme + "://" + net.JoinHostPort(host, port), true
}
