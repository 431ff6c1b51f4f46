package mastoapi

import (
	"net/http"
	"strings"
)

// corsPath reports whether browsers on other origins may call path: the
// client API, the token endpoints and the discovery documents.
func corsPath(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/oauth/token" || path == "/oauth/revoke" ||
		strings.HasPrefix(path, "/.well-known/") || strings.HasPrefix(path, "/nodeinfo/")
}

// CORS lets web clients on any origin call the API, as Mastodon does: it
// answers preflight requests (OPTIONS with Access-Control-Request-Method)
// with 204 and adds Access-Control-Allow-Origin: * to the responses of
// /api/*, /oauth/token, /oauth/revoke, /.well-known/* and /nodeinfo/*. Tokens
// travel in the Authorization header, never in cookies, so no credentials
// are allowed. Other paths pass through untouched.
func CORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !corsPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "Link, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Request-Id, Idempotency-Key")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, Accept, Accept-Language")
			h.Set("Access-Control-Max-Age", "86400")
			h.Add("Vary", "Access-Control-Request-Headers")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
