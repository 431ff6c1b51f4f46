package mastoapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type obj = map[string]any

// call sends a form request and checks its status, validating the
// response against the schema; it returns the body decoded.
func (e *env) call(method, path, token string, vs url.Values, status int) any {
	e.t.Helper()
	var body *strings.Reader
	if vs == nil {
		vs = url.Values{}
	}
	r := request{method: method, path: path, token: token}
	if method == http.MethodGet {
		if len(vs) > 0 {
			r.path += "?" + vs.Encode()
		}
	} else {
		body = strings.NewReader(vs.Encode())
		r.body, r.ctype = body, "application/x-www-form-urlencoded"
	}
	resp := e.do(r)
	requireStatus(e.t, resp, status)
	e.validate(resp)
	return decode[any](e.t, resp)
}

func (e *env) getObj(path, token string, status int) obj {
	e.t.Helper()
	v, _ := e.call(http.MethodGet, path, token, nil, status).(obj)
	return v
}

func (e *env) getList(path, token string) []any {
	e.t.Helper()
	v, ok := e.call(http.MethodGet, path, token, nil, http.StatusOK).([]any)
	require.True(e.t, ok, "not a list")
	return v
}

func (e *env) postObj(path, token string, vs url.Values, status int) obj {
	e.t.Helper()
	v, _ := e.call(http.MethodPost, path, token, vs, status).(obj)
	return v
}

// post publishes a status and returns it.
func (e *env) post(token, text string, extra ...string) obj {
	e.t.Helper()
	vs := url.Values{"status": {text}}
	for i := 0; i+1 < len(extra); i += 2 {
		vs.Add(extra[i], extra[i+1])
	}
	return e.postObj("/api/v1/statuses", token, vs, http.StatusOK)
}

func ids(list []any) []string {
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, x.(obj)["id"].(string))
	}
	return out
}

// errorOf checks the status of a request and returns its error message.
func (e *env) errorOf(method, path, token string, vs url.Values, status int) string {
	e.t.Helper()
	v := e.call(method, path, token, vs, status)
	m, ok := v.(obj)
	require.True(e.t, ok, "error body is not an object: %v", v)
	s, _ := m["error"].(string)
	return s
}

func requireHasKey(t *testing.T, m obj, keys ...string) {
	t.Helper()
	for _, k := range keys {
		_, ok := m[k]
		require.True(t, ok, "missing %q in %v", k, m)
	}
}
