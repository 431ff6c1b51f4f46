package media

import (
	"errors"
	"net/http"
	"strings"
)

// TempPrefix is the key prefix of raw uploads awaiting processing. Handler
// never serves it: raw uploads still carry their metadata (such as GPS
// positions in EXIF).
const TempPrefix = "tmp/"

// HandlerOptions configures Handler.
type HandlerOptions struct {
	// CacheControl is the Cache-Control of served blobs (default
	// "public, max-age=31536000, immutable": keys are never reused for
	// other content).
	CacheControl string
}

// Handler serves the blobs in b: the request path (without its leading '/';
// mount it with http.StripPrefix("/media", …)) is the key. It answers GET
// and HEAD with the stored Content-Type, byte ranges (http.ServeContent),
// long-lived cache headers and headers that keep browsers from sniffing or
// running the content:
//
//	X-Content-Type-Options: nosniff
//	Content-Security-Policy: default-src 'none'; media-src 'self'; sandbox
//
// Unknown and invalid keys, keys under TempPrefix and directories are 404.
func Handler(b Blobs, opts *HandlerOptions) http.Handler {
	cc := "public, max-age=31536000, immutable"
	if opts != nil && opts.CacheControl != "" {
		cc = opts.CacheControl
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; media-src 'self'; sandbox")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		key := strings.TrimPrefix(r.URL.Path, "/")
		if ValidKey(key) != nil || strings.HasPrefix(key, TempPrefix) {
			http.NotFound(w, r)
			return
		}
		blob, err := b.Open(r.Context(), key)
		if errors.Is(err, ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, "media unavailable", http.StatusServiceUnavailable)
			return
		}
		defer blob.Close()
		info := blob.Info()
		ct := info.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		h.Set("Cache-Control", cc)
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		http.ServeContent(w, r, "", info.ModTime, blob)
	})
}
