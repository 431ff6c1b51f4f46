// Package openapitest validates HTTP responses of the Mastodon-compatible API
// against the Mastodon OpenAPI schema kept in mastoapi/testdata/openapi. The
// 1.4 MB schema is parsed once per test binary.
package openapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
)

var (
	once    sync.Once
	mu      sync.Mutex // the validator's caches are not documented as concurrency-safe
	v       validator.Validator
	loadErr error
)

// SchemaPath returns the path of the schema file.
func SchemaPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "openapi", "schema.json")
}

func load() {
	b, err := os.ReadFile(SchemaPath())
	if err != nil {
		loadErr = fmt.Errorf("openapitest: read schema: %w", err)
		return
	}
	doc, err := libopenapi.NewDocument(b)
	if err != nil {
		loadErr = fmt.Errorf("openapitest: parse schema: %w", err)
		return
	}
	var errs []error
	v, errs = validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		loadErr = fmt.Errorf("openapitest: build validator: %v", errs)
	}
}

// Validate checks that resp, the response to req (resp.Request when req is
// nil), matches the schema of its path, method and status. It fails t with
// every violation. The response body is read and put back, so the caller can
// still decode it.
func Validate(t testing.TB, req *http.Request, resp *http.Response) {
	t.Helper()
	if err := Check(req, resp); err != nil {
		t.Error(err)
	}
}

// Check is Validate returning an error instead of failing a test.
func Check(req *http.Request, resp *http.Response) error {
	once.Do(load)
	if loadErr != nil {
		return loadErr
	}
	if req == nil {
		req = resp.Request
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("openapitest: read body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	// Validate a copy so that the caller's body stays unread.
	cp := *resp
	cp.Body = io.NopCloser(bytes.NewReader(body))
	mu.Lock()
	ok, verrs := v.ValidateHttpResponse(req, &cp)
	mu.Unlock()
	if ok {
		return nil
	}
	// The schema leaves out some error statuses Mastodon does return (403
	// on many GETs): such an answer must still be an Error entity.
	if resp.StatusCode >= 400 && len(verrs) == 1 && strings.Contains(verrs[0].Message, "does not exist") {
		var e struct {
			Error *string `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error != nil {
			return nil
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "openapitest: %s %s → %d does not match the schema:", req.Method, req.URL.Path, resp.StatusCode)
	for _, e := range verrs {
		fmt.Fprintf(&sb, "\n  - %s", e.Message)
		if e.Reason != "" {
			fmt.Fprintf(&sb, ": %s", e.Reason)
		}
		for _, se := range e.SchemaValidationErrors {
			fmt.Fprintf(&sb, "\n      %s (%s)", se.Reason, se.FieldPath)
		}
	}
	if len(body) > 0 {
		b := body
		if len(b) > 2000 {
			b = b[:2000]
		}
		fmt.Fprintf(&sb, "\n  body: %s", b)
	}
	return fmt.Errorf("%s", sb.String())
}
