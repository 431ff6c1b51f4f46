package webfinger_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/federation/webfinger"
)

// accounts is a Resolver that knows the users on one host.
type accounts struct {
	host  string // host[:port] of the instance
	base  string // https://host or http://host
	users []string
	fail  bool
}

func (a *accounts) ResolveWebFinger(ctx context.Context, r webfinger.Resource) (*webfinger.JRD, error) {
	if a.fail {
		return nil, errors.New("database on fire")
	}
	if r.Host != a.host {
		return nil, webfinger.ErrNotFound
	}
	user := r.User
	if !r.IsAcct() {
		user = strings.TrimPrefix(strings.TrimPrefix(r.URL, a.base), "/users/")
	}
	for _, u := range a.users {
		if strings.EqualFold(u, user) {
			return &webfinger.JRD{
				Subject: "acct:" + u + "@" + a.host,
				Aliases: []string{a.base + "/@" + u, a.base + "/users/" + u},
				Links: []webfinger.Link{
					{Rel: webfinger.RelProfilePage, Type: "text/html", Href: a.base + "/@" + u},
					{Rel: webfinger.RelSelf, Type: webfinger.MediaTypeAS, Href: a.base + "/users/" + u},
					{Rel: webfinger.RelSubscribe, Template: a.base + "/authorize_interaction?uri={uri}"},
				},
			}, nil
		}
	}
	return nil, webfinger.ErrNotFound
}

var _ webfinger.Resolver = (*accounts)(nil)

// instance starts an httptest server serving the WebFinger handler for alice.
func instance(t *testing.T, opts *webfinger.HandlerOptions) (*httptest.Server, *accounts) {
	t.Helper()
	acc := &accounts{users: []string{"alice"}}
	srv := httptest.NewServer(webfinger.NewHandler(acc, opts))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	acc.host, acc.base = u.Host, srv.URL
	return srv, acc
}

func get(t *testing.T, target string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestHandler(t *testing.T) {
	srv, acc := instance(t, nil)
	wf := srv.URL + "/.well-known/webfinger?resource="

	resp, body := get(t, wf+url.QueryEscape("acct:alice@"+acc.host))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/jrd+json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("missing CORS header: %v", resp.Header)
	}
	if resp.Header.Get("Cache-Control") != webfinger.DefaultCacheControl {
		t.Errorf("Cache-Control = %q", resp.Header.Get("Cache-Control"))
	}
	// The exact wire shape.
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["subject"] != "acct:alice@"+acc.host {
		t.Errorf("subject = %v", raw["subject"])
	}
	links := raw["links"].([]any)
	self := links[1].(map[string]any)
	if self["rel"] != "self" || self["type"] != "application/activity+json" || self["href"] != srv.URL+"/users/alice" || len(self) != 3 {
		t.Errorf("self link = %v", self)
	}
	if tmpl := links[2].(map[string]any); tmpl["template"] == nil || tmpl["href"] != nil {
		t.Errorf("subscribe link = %v", tmpl)
	}

	// rel filtering (RFC 7033 §4.3).
	_, body = get(t, wf+url.QueryEscape("acct:alice@"+acc.host)+"&rel=self")
	var jrd webfinger.JRD
	if err := json.Unmarshal(body, &jrd); err != nil || len(jrd.Links) != 1 || jrd.Links[0].Rel != "self" {
		t.Errorf("rel=self: %s (%v)", body, err)
	}

	for name, tc := range map[string]struct {
		target string
		code   int
	}{
		"missing":      {srv.URL + "/.well-known/webfinger", 400},
		"empty":        {wf, 400},
		"malformed":    {wf + "alice", 400},
		"bad port":     {wf + url.QueryEscape("acct:alice@host:99999"), 400},
		"unknown user": {wf + url.QueryEscape("acct:bob@"+acc.host), 404},
		"other host":   {wf + url.QueryEscape("acct:alice@elsewhere.example"), 404},
		"other path":   {srv.URL + "/.well-known/nothing", 404},
	} {
		resp, body := get(t, tc.target)
		if resp.StatusCode != tc.code {
			t.Errorf("%s: status %d, want %d", name, resp.StatusCode, tc.code)
		}
		var e map[string]string
		if json.Unmarshal(body, &e) != nil || e["error"] == "" {
			t.Errorf("%s: error body %q", name, body)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: missing CORS header", name)
		}
	}

	acc.fail = true
	resp, body = get(t, wf+url.QueryEscape("acct:alice@"+acc.host))
	if resp.StatusCode != 500 || strings.Contains(string(body), "fire") {
		t.Errorf("resolver failure: %d %s", resp.StatusCode, body)
	}
}

func TestHandlerMethods(t *testing.T) {
	srv, _ := instance(t, nil)
	req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/.well-known/webfinger", nil)
	req.Header.Set("Origin", "https://app.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, err = http.Post(srv.URL+"/.well-known/webfinger", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") == "" {
		t.Errorf("POST: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestHostMeta(t *testing.T) {
	srv, _ := instance(t, &webfinger.HandlerOptions{BaseURL: "https://social.example/", CacheControl: "-"})

	resp, body := get(t, srv.URL+"/.well-known/host-meta")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xrd+xml") {
		t.Errorf("Content-Type = %q", ct)
	}
	if resp.Header.Get("Cache-Control") != "" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("headers %v", resp.Header)
	}
	var doc struct {
		XMLName xml.Name
		Links   []struct {
			Rel      string `xml:"rel,attr"`
			Template string `xml:"template,attr"`
		} `xml:"Link"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if doc.XMLName.Space != "http://docs.oasis-open.org/ns/xri/xrd-1.0" || doc.XMLName.Local != "XRD" ||
		len(doc.Links) != 1 || doc.Links[0].Rel != "lrdd" ||
		doc.Links[0].Template != "https://social.example/.well-known/webfinger?resource={uri}" {
		t.Errorf("host-meta = %+v\n%s", doc, body)
	}

	resp, body = get(t, srv.URL+"/.well-known/host-meta.json")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/jrd+json") {
		t.Errorf("json Content-Type = %q", resp.Header.Get("Content-Type"))
	}
	want := `{"links":[{"rel":"lrdd","template":"https://social.example/.well-known/webfinger?resource={uri}"}]}`
	if string(body) != want {
		t.Errorf("host-meta.json = %s, want %s", body, want)
	}

	// Without BaseURL the template follows the request's host.
	srv2, acc2 := instance(t, nil)
	_, body = get(t, srv2.URL+"/.well-known/host-meta.json")
	if !strings.Contains(string(body), `"http://`+acc2.host+`/.well-known/webfinger?resource={uri}"`) {
		t.Errorf("derived host-meta.json = %s", body)
	}
}

// localHTTP is a transport client allowed to reach loopback over http.
func localHTTP(t *testing.T) *http.Client {
	c := transport.New(&transport.Options{
		AllowHTTP:    true,
		AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
	})
	t.Cleanup(c.CloseIdleConnections)
	return c.HTTPClient()
}

func TestClientRoundTrip(t *testing.T) {
	srv, acc := instance(t, nil)
	c := webfinger.NewClient(localHTTP(t), &webfinger.ClientOptions{AllowHTTP: true})
	ctx := context.Background()

	for _, res := range []string{
		"acct:alice@" + acc.host, // a host with a port
		"alice@" + acc.host,
		"@Alice@" + acc.host,
		srv.URL + "/users/alice",
	} {
		jrd, err := c.Lookup(ctx, res)
		if err != nil {
			t.Errorf("Lookup(%q): %v", res, err)
			continue
		}
		if jrd.Subject != "acct:alice@"+acc.host || jrd.ActorURL() != srv.URL+"/users/alice" || jrd.ProfileURL() != srv.URL+"/@alice" {
			t.Errorf("Lookup(%q) = %+v", res, jrd)
		}
	}
	if _, err := c.Lookup(ctx, "bob@"+acc.host); !errors.Is(err, webfinger.ErrNotFound) {
		t.Errorf("unknown: err = %v, want ErrNotFound", err)
	}
	if _, err := c.Lookup(ctx, "not a resource"); !errors.Is(err, webfinger.ErrInvalidResource) {
		t.Errorf("malformed: err = %v, want ErrInvalidResource", err)
	}
	// Without AllowHTTP the client speaks https, which the plain server refuses.
	if _, err := webfinger.NewClient(localHTTP(t), nil).Lookup(ctx, "alice@"+acc.host); err == nil {
		t.Error("https lookup of an http-only server succeeded")
	}
	// A default transport client refuses loopback outright.
	plain := transport.New(&transport.Options{AllowHTTP: true}).HTTPClient()
	if _, err := webfinger.NewClient(plain, &webfinger.ClientOptions{AllowHTTP: true}).Lookup(ctx, "alice@"+acc.host); !errors.Is(err, transport.ErrForbiddenAddress) {
		t.Errorf("loopback: err = %v, want ErrForbiddenAddress", err)
	}
}

func TestClientHostMetaFallback(t *testing.T) {
	var srv *httptest.Server
	acc := &accounts{users: []string{"carol"}}
	inner := webfinger.NewHandler(acc, nil)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/webfinger": // this host answers elsewhere
			http.NotFound(w, r)
		case "/.well-known/host-meta":
			w.Header().Set("Content-Type", "application/xrd+xml")
			io.WriteString(w, `<?xml version="1.0"?><XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">`+
				`<Link rel="lrdd" template="`+srv.URL+`/wf?resource={uri}"/></XRD>`)
		case "/wf":
			r.URL.Path = "/.well-known/webfinger"
			inner.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	acc.host, acc.base = u.Host, srv.URL

	c := webfinger.NewClient(localHTTP(t), &webfinger.ClientOptions{AllowHTTP: true})
	jrd, err := c.Lookup(context.Background(), "carol@"+acc.host)
	if err != nil || jrd.ActorURL() != srv.URL+"/users/carol" {
		t.Fatalf("Lookup via host-meta: %+v, %v", jrd, err)
	}
	off := webfinger.NewClient(localHTTP(t), &webfinger.ClientOptions{AllowHTTP: true, DisableHostMeta: true})
	if _, err := off.Lookup(context.Background(), "carol@"+acc.host); !errors.Is(err, webfinger.ErrNotFound) {
		t.Errorf("fallback disabled: err = %v, want ErrNotFound", err)
	}
}

func TestClientLimitsAndGarbage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jrd+json")
		switch r.URL.Query().Get("resource") {
		case "acct:big@" + r.Host:
			io.WriteString(w, `{"subject":"`+strings.Repeat("x", 4096)+`"}`)
		case "acct:html@" + r.Host:
			io.WriteString(w, `<html></html>`)
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	c := webfinger.NewClient(localHTTP(t), &webfinger.ClientOptions{AllowHTTP: true, MaxBodyBytes: 1024})
	for _, user := range []string{"big", "html", "boom"} {
		if jrd, err := c.Lookup(context.Background(), user+"@"+u.Host); err == nil || errors.Is(err, webfinger.ErrNotFound) {
			t.Errorf("%s: jrd=%+v err=%v, want a non-NotFound error", user, jrd, err)
		}
	}
}

func TestActorURL(t *testing.T) {
	j := &webfinger.JRD{Links: []webfinger.Link{
		{Rel: "self", Type: "text/html", Href: "https://a.example/@x"},
		{Rel: "self", Type: `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, Href: "https://a.example/users/x"},
	}}
	if got := j.ActorURL(); got != "https://a.example/users/x" {
		t.Errorf("ActorURL = %q", got)
	}
	var nilJRD *webfinger.JRD
	if nilJRD.ActorURL() != "" || nilJRD.ProfileURL() != "" || (&webfinger.JRD{}).ActorURL() != "" {
		t.Error("empty JRD must have no actor URL")
	}
}
