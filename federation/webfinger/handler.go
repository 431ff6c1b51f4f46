package webfinger

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// ErrNotFound is returned by a Resolver for a resource it does not know,
// and by Client.Lookup when the peer answers 404.
var ErrNotFound = errors.New("webfinger: resource not found")

// Resolver finds the JRD for a resource. It returns an error wrapping
// ErrNotFound when the resource is unknown (including accounts on other
// hosts). The handler fills in Subject when the JRD leaves it empty.
type Resolver interface {
	ResolveWebFinger(ctx context.Context, r Resource) (*JRD, error)
}

// ResolverFunc adapts a function to Resolver.
type ResolverFunc func(ctx context.Context, r Resource) (*JRD, error)

// ResolveWebFinger calls f.
func (f ResolverFunc) ResolveWebFinger(ctx context.Context, r Resource) (*JRD, error) {
	return f(ctx, r)
}

var _ Resolver = ResolverFunc(nil)

// DefaultCacheControl is the Cache-Control of successful responses unless
// HandlerOptions.CacheControl says otherwise.
const DefaultCacheControl = "max-age=3600, public"

// HandlerOptions configures NewHandler.
type HandlerOptions struct {
	// BaseURL is this server's public origin, e.g. "https://example.com",
	// used in the host-meta lrdd template. When empty it is derived from
	// the request (https when the request came over TLS, and its Host).
	BaseURL string
	// CacheControl is sent with successful responses; DefaultCacheControl
	// when empty, none when "-".
	CacheControl string
	// Logger receives Resolver failures (other than ErrNotFound), which are
	// answered 500 without detail. Nil discards them.
	Logger *slog.Logger
}

type handler struct {
	resolver     Resolver
	baseURL      string
	cacheControl string
	logger       *slog.Logger
}

// NewHandler returns an http.Handler serving /.well-known/webfinger,
// /.well-known/host-meta and /.well-known/host-meta.json (other paths answer
// 404). It matches on the full request path, so mount it at the server
// root or at those exact paths. Every response carries
// "Access-Control-Allow-Origin: *".
func NewHandler(resolver Resolver, opts *HandlerOptions) http.Handler {
	var o HandlerOptions
	if opts != nil {
		o = *opts
	}
	h := &handler{
		resolver:     resolver,
		baseURL:      strings.TrimRight(o.BaseURL, "/"),
		cacheControl: o.CacheControl,
		logger:       o.Logger,
	}
	if h.cacheControl == "" {
		h.cacheControl = DefaultCacheControl
	} else if h.cacheControl == "-" {
		h.cacheControl = ""
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	switch r.URL.Path {
	case wellKnownPath, hostMetaPath, hostMetaJSONPath:
	default:
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		w.Header().Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Accept")
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	switch r.URL.Path {
	case wellKnownPath:
		h.serveWebFinger(w, r)
	case hostMetaPath:
		h.serveHostMetaXML(w, r)
	case hostMetaJSONPath:
		h.serveHostMetaJSON(w, r)
	}
}

func (h *handler) serveWebFinger(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	raw := q.Get("resource")
	if raw == "" {
		writeError(w, http.StatusBadRequest, "missing resource parameter")
		return
	}
	res, err := ParseResource(raw)
	if err != nil {
		writeError(w, http.StatusBadRequest, "malformed resource parameter")
		return
	}
	if h.resolver == nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	jrd, err := h.resolver.ResolveWebFinger(r.Context(), res)
	switch {
	case errors.Is(err, ErrNotFound) || (err == nil && jrd == nil):
		writeError(w, http.StatusNotFound, "not found")
		return
	case err != nil:
		if h.logger != nil {
			h.logger.ErrorContext(r.Context(), "webfinger: resolve", "resource", res.String(), "err", err)
		}
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	out := filterRels(jrd, q["rel"])
	if out.Subject == "" {
		out = &JRD{Subject: res.String(), Aliases: out.Aliases, Properties: out.Properties, Links: out.Links}
	}
	body, err := json.Marshal(out)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	h.write(w, MediaTypeJRD+"; charset=utf-8", body)
}

func (h *handler) base(r *http.Request) string {
	if h.baseURL != "" {
		return h.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h *handler) lrddTemplate(r *http.Request) string {
	return h.base(r) + wellKnownPath + "?resource={uri}"
}

type xrdLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	Template string `xml:"template,attr,omitempty"`
	Href     string `xml:"href,attr,omitempty"`
}

type xrd struct {
	XMLName xml.Name  `xml:"http://docs.oasis-open.org/ns/xri/xrd-1.0 XRD"`
	Links   []xrdLink `xml:"Link"`
}

func (h *handler) serveHostMetaXML(w http.ResponseWriter, r *http.Request) {
	doc := xrd{Links: []xrdLink{{Rel: RelLRDD, Template: h.lrddTemplate(r)}}}
	body, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	h.write(w, MediaTypeXRD+"; charset=utf-8", append([]byte(xml.Header), body...))
}

func (h *handler) serveHostMetaJSON(w http.ResponseWriter, r *http.Request) {
	body, err := json.Marshal(JRD{Links: []Link{{Rel: RelLRDD, Template: h.lrddTemplate(r)}}})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	h.write(w, MediaTypeJRD+"; charset=utf-8", body)
}

func (h *handler) write(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if h.cacheControl != "" {
		w.Header().Set("Cache-Control", h.cacheControl)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	body, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

var _ http.Handler = (*handler)(nil)
