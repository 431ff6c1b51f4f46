package openapitest

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

var (
	modelOnce sync.Once
	model     *v3.Document
	modelErr  error
)

func loadModel() {
	b, err := os.ReadFile(SchemaPath())
	if err != nil {
		modelErr = fmt.Errorf("openapitest: read schema: %w", err)
		return
	}
	doc, err := libopenapi.NewDocument(b)
	if err != nil {
		modelErr = fmt.Errorf("openapitest: parse schema: %w", err)
		return
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		modelErr = fmt.Errorf("openapitest: build model: %w", err)
		return
	}
	model = &m.Model
}

// CheckComponent checks that body (JSON) matches the schema component
// named name (e.g. "AdminAccount"): for entities whose endpoints the
// schema leaves out, such as the admin API's.
func CheckComponent(name string, body []byte) error {
	modelOnce.Do(loadModel)
	if modelErr != nil {
		return modelErr
	}
	proxy := model.Components.Schemas.GetOrZero(name)
	if proxy == nil {
		return fmt.Errorf("openapitest: no component %q", name)
	}
	schema := proxy.Schema()
	if schema == nil {
		return fmt.Errorf("openapitest: component %q: %v", name, proxy.GetBuildError())
	}
	mu.Lock()
	ok, verrs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(schema, body)
	mu.Unlock()
	if ok {
		return nil
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "openapitest: body does not match component %s:", name)
	for _, e := range verrs {
		fmt.Fprintf(&sb, "\n  - %s", e.Message)
		for _, se := range e.SchemaValidationErrors {
			fmt.Fprintf(&sb, "\n      %s (%s)", se.Reason, se.FieldPath)
		}
	}
	if len(body) > 2000 {
		body = body[:2000]
	}
	fmt.Fprintf(&sb, "\n  body: %s", body)
	return fmt.Errorf("%s", sb.String())
}

// ValidateComponent is CheckComponent failing t.
func ValidateComponent(t testing.TB, name string, body []byte) {
	t.Helper()
	if err := CheckComponent(name, body); err != nil {
		t.Error(err)
	}
}
