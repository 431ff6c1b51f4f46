package transport

import (
	"errors"
	"net/http"
	"testing"
)

// TestHTTPClientKeepsSchemeRules checks that requests sent through
// HTTPClient (by libraries that never call Do) obey the scheme rules too.
func TestHTTPClientKeepsSchemeRules(t *testing.T) {
	c := New(nil)
	for _, u := range []string{"http://example.com/x", "https://user:pass@example.com/x", "ftp://example.com/x"} {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.HTTPClient().Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: sent", u)
		}
		if !errors.Is(err, ErrSchemeNotAllowed) {
			t.Fatalf("%s: %v, want ErrSchemeNotAllowed", u, err)
		}
	}
}
