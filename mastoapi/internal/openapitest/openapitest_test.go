package openapitest

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func response(req *http.Request, status int, body string) *http.Response {
	return &http.Response{StatusCode: status, Request: req, Body: io.NopCloser(strings.NewReader(body)),
		Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}}
}

func TestCheck(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "https://herd.example/api/v1/accounts/123", nil)
	if err := Check(req, response(req, 404, `{"error":"Record not found"}`)); err != nil {
		t.Errorf("valid error rejected: %v", err)
	}
	if err := Check(req, response(req, 200, `{"id":1}`)); err == nil {
		t.Error("an incomplete account passed")
	}
	post, _ := http.NewRequest(http.MethodGet, "https://herd.example/api/v1/preferences", nil)
	if err := Check(post, response(post, 403, `{"error":"This action is outside the authorized scopes"}`)); err != nil {
		t.Errorf("undocumented error status with an Error body rejected: %v", err)
	}
	if err := Check(post, response(post, 403, `{"message":"x"}`)); err == nil {
		t.Error("undocumented error status without an Error body passed")
	}
	resp := response(req, 404, `{"error":"x"}`)
	Check(req, resp)
	if b, _ := io.ReadAll(resp.Body); string(b) != `{"error":"x"}` {
		t.Errorf("body not restored: %q", b)
	}
}
