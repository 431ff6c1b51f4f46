package mastoapi

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func parse(t testing.TB, ctype, body string) (*Params, error) {
	req := httptest.NewRequest(http.MethodPost, "/x?q=1", strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return ParseParams(httptest.NewRecorder(), req, 0)
}

func TestParamsShapes(t *testing.T) {
	p, err := parse(t, "application/x-www-form-urlencoded", "a=1&a=2&b[]=x&b[]=y&c[d][e]=f&ids[1]=b&ids[0]=a&q=2")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.String("a"); got != "2" {
		t.Errorf("repeated key: last should win, got %q", got)
	}
	if got := strings.Join(p.Strings("a"), ","); got != "1,2" {
		t.Errorf("repeated key as list: %q", got)
	}
	if got := strings.Join(p.Strings("b"), ","); got != "x,y" {
		t.Errorf("b[]: %q", got)
	}
	if got := p.Sub("c").Sub("d").String("e"); got != "f" {
		t.Errorf("nested: %q", got)
	}
	if got := strings.Join(p.Strings("ids"), ","); got != "a,b" {
		t.Errorf("index-keyed: %q", got)
	}
	if got := p.String("q"); got != "2" {
		t.Errorf("body should win over query: %q", got)
	}
	// No content type: sniffed.
	p, err = parse(t, "", `{"x":true}`)
	if err != nil || !p.Bool("x", false) {
		t.Errorf("sniffed JSON: %v %v", p, err)
	}
	p, err = parse(t, "", `x=1`)
	if err != nil || p.String("x") != "1" {
		t.Errorf("sniffed form: %v %v", p, err)
	}
}

// FuzzParseParams checks that no body or query panics the parser and that
// every failure is a client error.
func FuzzParseParams(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "a[b][][c]=1&a[b][][d]=2", "x[]=1")
	f.Add("application/json", `{"a":{"b":[1,{"c":null}]}}`, "")
	f.Add("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"a[]\"\r\n\r\n1\r\n--b--\r\n", "")
	f.Add("", "[[[[", "a]=[")
	f.Add("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n\x89PNG\r\n--b\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nhi\r\n--b--\r\n", "")
	f.Fuzz(func(t *testing.T, ctype, body, query string) {
		req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
		req.URL.RawQuery = query
		req.Header.Set("Content-Type", ctype)
		p, err := ParseParams(httptest.NewRecorder(), req, 1<<16)
		if p != nil {
			defer p.Close()
		}
		if err != nil {
			ae, unexpected := toAPIError(err)
			if unexpected || ae.Status >= 500 {
				t.Fatalf("server error for bad input: %v", err)
			}
			return
		}
		for _, k := range p.Keys() {
			_ = p.String(k)
			_ = p.Strings(k)
			_ = p.Objects(k)
			_ = p.Sub(k).Keys()
			_ = p.BoolPtr(k)
			_, _ = p.Int(k, 0)
			_, _ = p.ID(k)
		}
		_, _ = p.Page(20, 40)
	})
}

func BenchmarkParseParamsForm(b *testing.B) {
	body := url.Values{"status": {"Hello world, this is a post"}, "visibility": {"public"}, "media_ids[]": {"1", "2"},
		"poll[options][]": {"a", "b", "c"}, "poll[expires_in]": {"3600"}}.Encode()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/statuses", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if _, err := ParseParams(httptest.NewRecorder(), req, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseParamsJSON(b *testing.B) {
	body := `{"status":"Hello world, this is a post","visibility":"public","media_ids":["1","2"],"poll":{"options":["a","b","c"],"expires_in":3600}}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/statuses", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if _, err := ParseParams(httptest.NewRecorder(), req, 0); err != nil {
			b.Fatal(err)
		}
	}
}
