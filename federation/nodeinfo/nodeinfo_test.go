package nodeinfo_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/herd-social/herd/federation/nodeinfo"
	"github.com/herd-social/herd/federation/transport"
)

func herdInfo(ctx context.Context) (*nodeinfo.NodeInfo, error) {
	return &nodeinfo.NodeInfo{
		Software: nodeinfo.Software{
			Name: "Herd", Version: "0.1.0",
			Repository: "https://github.com/herd-social/herd", Homepage: "https://herd.social",
		},
		OpenRegistrations: true,
		Usage: nodeinfo.Usage{
			Users:      nodeinfo.Users{Total: 12, ActiveMonth: 5, ActiveHalfyear: 9},
			LocalPosts: 340,
		},
		Metadata: map[string]any{"nodeName": "Herd test"},
	}, nil
}

func fetch(t *testing.T, h http.Handler, path string) (*http.Response, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	resp := rec.Result()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func keys(t *testing.T, v any) []string {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%v is not an object", v)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestWellKnown(t *testing.T) {
	h := nodeinfo.NewHandler(nodeinfo.ProviderFunc(herdInfo), "https://social.example/")
	resp, body := fetch(t, h, "/.well-known/nodeinfo")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	want := `{"links":[` +
		`{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.0","href":"https://social.example/nodeinfo/2.0"},` +
		`{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.1","href":"https://social.example/nodeinfo/2.1"}]}`
	if string(body) != want {
		t.Errorf("well-known:\n got %s\nwant %s", body, want)
	}
}

func TestDocumentShape(t *testing.T) {
	h := nodeinfo.NewHandler(nodeinfo.ProviderFunc(herdInfo), "https://social.example")
	for _, version := range []string{"2.0", "2.1"} {
		resp, body := fetch(t, h, "/nodeinfo/"+version)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", version, resp.StatusCode)
		}
		wantCT := `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/` + version + `#"`
		if ct := resp.Header.Get("Content-Type"); ct != wantCT {
			t.Errorf("%s: Content-Type = %q, want %q", version, ct, wantCT)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: missing CORS", version)
		}
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		check := func(what string, got, want any) {
			t.Helper()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s = %#v, want %#v", version, what, got, want)
			}
		}
		check("keys", keys(t, doc), []string{"metadata", "openRegistrations", "protocols", "services", "software", "usage", "version"})
		check("version", doc["version"], version)
		sw := []string{"name", "version"}
		if version == "2.1" {
			sw = []string{"homepage", "name", "repository", "version"}
			check("repository", doc["software"].(map[string]any)["repository"], "https://github.com/herd-social/herd")
		}
		check("software keys", keys(t, doc["software"]), sw)
		check("software.name", doc["software"].(map[string]any)["name"], "herd")
		check("protocols", doc["protocols"], []any{"activitypub"})
		check("services", doc["services"], map[string]any{"inbound": []any{}, "outbound": []any{}})
		check("openRegistrations", doc["openRegistrations"], true)
		check("usage keys", keys(t, doc["usage"]), []string{"localPosts", "users"})
		check("usage.users", doc["usage"].(map[string]any)["users"], map[string]any{"total": 12.0, "activeMonth": 5.0, "activeHalfyear": 9.0})
		check("usage.localPosts", doc["usage"].(map[string]any)["localPosts"], 340.0)
		check("metadata", doc["metadata"], map[string]any{"nodeName": "Herd test"})
	}
}

func TestHandlerErrors(t *testing.T) {
	failing := nodeinfo.NewHandler(nodeinfo.ProviderFunc(func(ctx context.Context) (*nodeinfo.NodeInfo, error) {
		return nil, errors.New("boom")
	}), "https://social.example")
	if resp, body := fetch(t, failing, "/nodeinfo/2.1"); resp.StatusCode != 500 || strings.Contains(string(body), "boom") {
		t.Errorf("provider error: %d %s", resp.StatusCode, body)
	}
	if resp, _ := fetch(t, failing, "/nodeinfo/3.0"); resp.StatusCode != 404 {
		t.Errorf("unknown version: %d", resp.StatusCode)
	}
	rec := httptest.NewRecorder()
	failing.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/nodeinfo/2.1", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
	// Minimal provider data still yields schema-valid, non-null fields.
	minimal := nodeinfo.NewHandler(nodeinfo.ProviderFunc(func(ctx context.Context) (*nodeinfo.NodeInfo, error) {
		return &nodeinfo.NodeInfo{Software: nodeinfo.Software{Name: "x", Version: "1"}}, nil
	}), "https://social.example")
	_, body := fetch(t, minimal, "/nodeinfo/2.0")
	want := `{"version":"2.0","software":{"name":"x","version":"1"},"protocols":["activitypub"],` +
		`"services":{"inbound":[],"outbound":[]},"openRegistrations":false,` +
		`"usage":{"users":{"total":0,"activeMonth":0,"activeHalfyear":0},"localPosts":0},"metadata":{}}`
	if string(body) != want {
		t.Errorf("minimal:\n got %s\nwant %s", body, want)
	}
}

func localClient(t *testing.T, opts *nodeinfo.ClientOptions) *nodeinfo.Client {
	tc := transport.New(&transport.Options{
		AllowHTTP:    true,
		AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
	})
	t.Cleanup(tc.CloseIdleConnections)
	if opts == nil {
		opts = &nodeinfo.ClientOptions{AllowHTTP: true}
	}
	return nodeinfo.NewClient(tc.HTTPClient(), opts)
}

func hostOf(srv *httptest.Server) string {
	u, _ := url.Parse(srv.URL)
	return u.Host
}

func TestClientFetch(t *testing.T) {
	var base string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nodeinfo.NewHandler(nodeinfo.ProviderFunc(herdInfo), base).ServeHTTP(w, r)
	}))
	defer srv.Close()
	base = srv.URL

	ni, err := localClient(t, nil).Fetch(context.Background(), hostOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	if ni.Version != "2.1" || ni.Software.Name != "herd" || ni.Software.Repository == "" ||
		ni.Usage.Users.Total != 12 || ni.Usage.LocalPosts != 340 || !ni.OpenRegistrations ||
		ni.Metadata["nodeName"] != "Herd test" || !reflect.DeepEqual(ni.Protocols, []string{"activitypub"}) {
		t.Errorf("Fetch = %+v", ni)
	}
}

func TestClientPicksVersion(t *testing.T) {
	var wellKnown string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/nodeinfo":
			io.WriteString(w, strings.ReplaceAll(wellKnown, "BASE", "http://"+r.Host))
		case "/ni/20":
			io.WriteString(w, `{"version":"2.0","software":{"name":"old","version":"1"},"protocols":["activitypub"],"usage":{"users":{}},"openRegistrations":false,"metadata":{}}`)
		case "/ni/21":
			io.WriteString(w, `{"software":{"name":"new","version":"2"},"protocols":["activitypub"],"usage":{"users":{"total":3}},"openRegistrations":true,"metadata":{}}`)
		case "/big":
			io.WriteString(w, `{"metadata":{"x":"`+strings.Repeat("a", 4096)+`"}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := localClient(t, &nodeinfo.ClientOptions{AllowHTTP: true, MaxBodyBytes: 2048})
	ctx := context.Background()

	for _, tc := range []struct {
		wellKnown, name, version string
	}{
		{`{"links":[{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.0","href":"BASE/ni/20"},{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.1","href":"BASE/ni/21"}]}`, "new", "2.1"},
		{`{"links":[{"rel":"http://nodeinfo.diaspora.software/ns/schema/1.0","href":"BASE/ni/10"},{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.0","href":"BASE/ni/20"}]}`, "old", "2.0"},
		{`{"links":[{"rel":"https://nodeinfo.diaspora.software/ns/schema/2.1#","href":"/ni/21"}]}`, "new", "2.1"},
	} {
		wellKnown = tc.wellKnown
		ni, err := c.Fetch(ctx, hostOf(srv))
		if err != nil || ni.Software.Name != tc.name || ni.Version != tc.version {
			t.Errorf("%s: %+v, %v", tc.wellKnown, ni, err)
		}
	}

	wellKnown = `{"links":[{"rel":"http://nodeinfo.diaspora.software/ns/schema/1.0","href":"BASE/ni/10"}]}`
	if _, err := c.Fetch(ctx, hostOf(srv)); !errors.Is(err, nodeinfo.ErrNotFound) {
		t.Errorf("only 1.0: err = %v, want ErrNotFound", err)
	}
	wellKnown = `{"links":[{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.1","href":"BASE/big"}]}`
	if _, err := c.Fetch(ctx, hostOf(srv)); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized: err = %v", err)
	}
	wellKnown = `{"links":[{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.1","href":"ftp://x/y"}]}`
	if _, err := c.Fetch(ctx, hostOf(srv)); err == nil {
		t.Error("ftp link accepted")
	}
	wellKnown = `not json`
	if _, err := c.Fetch(ctx, hostOf(srv)); err == nil {
		t.Error("garbage accepted")
	}
	for _, bad := range []string{"", "a/b", "user@host", "host?x"} {
		if _, err := c.Fetch(ctx, bad); err == nil {
			t.Errorf("host %q accepted", bad)
		}
	}
	// A host without NodeInfo.
	empty := httptest.NewServer(http.NotFoundHandler())
	defer empty.Close()
	if _, err := c.Fetch(ctx, hostOf(empty)); !errors.Is(err, nodeinfo.ErrNotFound) {
		t.Errorf("no nodeinfo: err = %v, want ErrNotFound", err)
	}
}
