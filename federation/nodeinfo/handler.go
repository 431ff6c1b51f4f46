package nodeinfo

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// CacheControl is sent with successful responses.
const CacheControl = "max-age=1800, public"

type handler struct {
	provider Provider
	baseURL  string
}

// NewHandler returns an http.Handler serving /.well-known/nodeinfo,
// /nodeinfo/2.0 and /nodeinfo/2.1 (other paths answer 404). baseURL is the
// server's public origin ("https://example.com"), used in the discovery
// links. The handler matches on the full request path, so mount it at the
// server root or at those exact paths. Every response carries
// "Access-Control-Allow-Origin: *".
func NewHandler(provider Provider, baseURL string) http.Handler {
	return &handler{provider: provider, baseURL: strings.TrimRight(baseURL, "/")}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	var version string
	switch r.URL.Path {
	case WellKnownPath:
	case Path20:
		version = "2.0"
	case Path21:
		version = "2.1"
	default:
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		w.Header().Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if version == "" {
		write(w, "application/json; charset=utf-8", WellKnown{Links: []Link{
			{Rel: Rel20, Href: h.baseURL + Path20},
			{Rel: Rel21, Href: h.baseURL + Path21},
		}})
		return
	}
	if h.provider == nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	ni, err := h.provider.NodeInfo(r.Context())
	if err != nil || ni == nil {
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	write(w, ContentType(version), wireDocument(ni, version))
}

// software20 is the 2.0 software object, which admits no other fields.
type software20 struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type document20 struct {
	Version           string         `json:"version"`
	Software          software20     `json:"software"`
	Protocols         []string       `json:"protocols"`
	Services          Services       `json:"services"`
	OpenRegistrations bool           `json:"openRegistrations"`
	Usage             Usage          `json:"usage"`
	Metadata          map[string]any `json:"metadata"`
}

// wireDocument normalises ni for the given version: schema-required fields
// are never null.
func wireDocument(ni *NodeInfo, version string) any {
	d := *ni
	d.Version = version
	d.Software.Name = strings.ToLower(d.Software.Name)
	if len(d.Protocols) == 0 {
		d.Protocols = []string{"activitypub"}
	}
	if d.Services.Inbound == nil {
		d.Services.Inbound = []string{}
	}
	if d.Services.Outbound == nil {
		d.Services.Outbound = []string{}
	}
	if d.Metadata == nil {
		d.Metadata = map[string]any{}
	}
	if version == "2.0" {
		return document20{
			Version:           d.Version,
			Software:          software20{Name: d.Software.Name, Version: d.Software.Version},
			Protocols:         d.Protocols,
			Services:          d.Services,
			OpenRegistrations: d.OpenRegistrations,
			Usage:             d.Usage,
			Metadata:          d.Metadata,
		}
	}
	return d
}

func write(w http.ResponseWriter, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", CacheControl)
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
