package transport_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herd-social/herd/federation/transport"
)

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// localClient may reach httptest servers on loopback over plain http.
func localClient(t *testing.T, mod func(*transport.Options)) *transport.Client {
	t.Helper()
	o := &transport.Options{UserAgent: "herd-test/1 (+https://test.example/)", AllowPrivate: loopback, AllowHTTP: true}
	if mod != nil {
		mod(o)
	}
	c := transport.New(o)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func actorJSON(id string) string {
	return `{"@context":"https://www.w3.org/ns/activitystreams","id":"` + id + `","type":"Person","preferredUsername":"alice"}`
}

// actorServer serves /users/alice with an id on its own origin and counts hits.
func actorServer(t *testing.T, hits *atomic.Int64) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits != nil {
			hits.Add(1)
		}
		w.Header().Set("Content-Type", "application/activity+json; charset=utf-8")
		io.WriteString(w, actorJSON(srv.URL+r.URL.Path))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGetActivityLoopbackAllowed(t *testing.T) {
	var gotAccept, gotUA string
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAccept, gotUA = r.Header.Get("Accept"), r.Header.Get("User-Agent")
		w.Header().Set("Content-Type", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`)
		io.WriteString(w, actorJSON(srv.URL+"/users/alice"))
	}))
	defer srv.Close()

	doc, err := localClient(t, nil).GetActivity(context.Background(), srv.URL+"/users/alice#main-key", nil)
	if err != nil {
		t.Fatalf("GetActivity: %v", err)
	}
	if doc.ID != srv.URL+"/users/alice" || doc.FinalURL != srv.URL+"/users/alice" {
		t.Errorf("ID=%q FinalURL=%q", doc.ID, doc.FinalURL)
	}
	if !strings.Contains(string(doc.Body), `"preferredUsername":"alice"`) {
		t.Errorf("body %s", doc.Body)
	}
	if gotAccept != transport.AcceptActivity {
		t.Errorf("Accept = %q", gotAccept)
	}
	if gotUA != "herd-test/1 (+https://test.example/)" {
		t.Errorf("User-Agent = %q", gotUA)
	}
}

func TestLoopbackRefusedAtConnect(t *testing.T) {
	var hits atomic.Int64
	srv := actorServer(t, &hits)
	c := transport.New(&transport.Options{AllowHTTP: true})

	_, err := c.GetActivity(context.Background(), srv.URL+"/users/alice", nil)
	if !errors.Is(err, transport.ErrForbiddenAddress) {
		t.Fatalf("GetActivity err = %v, want ErrForbiddenAddress", err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	if _, err := c.Do(context.Background(), req); !errors.Is(err, transport.ErrForbiddenAddress) {
		t.Fatalf("Do err = %v, want ErrForbiddenAddress", err)
	}
	if _, err := c.HTTPClient().Get(srv.URL); !errors.Is(err, transport.ErrForbiddenAddress) {
		t.Fatalf("HTTPClient().Get err = %v, want ErrForbiddenAddress", err)
	}
	if _, err := c.Post(context.Background(), srv.URL+"/inbox", []byte("{}"), "", nil); !errors.Is(err, transport.ErrForbiddenAddress) {
		t.Fatalf("Post err = %v, want ErrForbiddenAddress", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("server was reached %d times", n)
	}
}

func TestHTTPSOnlyByDefault(t *testing.T) {
	srv := actorServer(t, nil)
	c := transport.New(&transport.Options{AllowPrivate: loopback})
	_, err := c.GetActivity(context.Background(), srv.URL+"/users/alice", nil)
	if !errors.Is(err, transport.ErrSchemeNotAllowed) {
		t.Fatalf("err = %v, want ErrSchemeNotAllowed", err)
	}
	for _, u := range []string{"ftp://example.com/x", "file:///etc/passwd", "https://user:pw@example.com/"} {
		if _, err := c.GetActivity(context.Background(), u, nil); !errors.Is(err, transport.ErrSchemeNotAllowed) {
			t.Errorf("%s: err = %v, want ErrSchemeNotAllowed", u, err)
		}
	}
}

func TestTLSAndDowngradeRedirect(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/downgrade" {
			http.Redirect(w, r, "http://"+r.Host+"/users/alice", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		io.WriteString(w, actorJSON(srv.URL+r.URL.Path))
	}))
	defer srv.Close()
	tlsConf := srv.Client().Transport.(*http.Transport).TLSClientConfig
	c := transport.New(&transport.Options{AllowPrivate: loopback, TLSConfig: tlsConf})

	doc, err := c.GetActivity(context.Background(), srv.URL+"/users/alice", nil)
	if err != nil {
		t.Fatalf("GetActivity over TLS: %v", err)
	}
	if doc.ID != srv.URL+"/users/alice" {
		t.Errorf("ID = %q", doc.ID)
	}
	if _, err := c.GetActivity(context.Background(), srv.URL+"/downgrade", nil); !errors.Is(err, transport.ErrSchemeNotAllowed) {
		t.Errorf("downgrade redirect: err = %v, want ErrSchemeNotAllowed", err)
	}
	if _, err := c.HTTPClient().Get(srv.URL + "/downgrade"); !errors.Is(err, transport.ErrSchemeNotAllowed) {
		t.Errorf("HTTPClient downgrade redirect: err = %v, want ErrSchemeNotAllowed", err)
	}
}

// redirectServer redirects /r/N to /r/N-1 … /r/0, which serves the actor.
func redirectServer(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/r/%d", &n); err != nil {
			http.NotFound(w, r)
			return
		}
		if n > 0 {
			http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		io.WriteString(w, actorJSON(srv.URL+"/r/0"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRedirectLimit(t *testing.T) {
	srv := redirectServer(t)
	c := localClient(t, nil) // default limit: 3
	ctx := context.Background()

	doc, err := c.GetActivity(ctx, srv.URL+"/r/3", nil)
	if err != nil {
		t.Fatalf("3 redirects: %v", err)
	}
	if doc.FinalURL != srv.URL+"/r/0" {
		t.Errorf("FinalURL = %q", doc.FinalURL)
	}
	if _, err := c.GetActivity(ctx, srv.URL+"/r/4", nil); !errors.Is(err, transport.ErrTooManyRedirects) {
		t.Errorf("4 redirects: err = %v, want ErrTooManyRedirects", err)
	}

	resp, err := c.HTTPClient().Get(srv.URL + "/r/3")
	if err != nil {
		t.Fatalf("HTTPClient 3 redirects: %v", err)
	}
	resp.Body.Close()
	if _, err := c.HTTPClient().Get(srv.URL + "/r/4"); !errors.Is(err, transport.ErrTooManyRedirects) {
		t.Errorf("HTTPClient 4 redirects: err = %v, want ErrTooManyRedirects", err)
	}

	none := localClient(t, func(o *transport.Options) { o.MaxRedirects = -1 })
	if _, err := none.GetActivity(ctx, srv.URL+"/r/1", nil); !errors.Is(err, transport.ErrTooManyRedirects) {
		t.Errorf("redirects disabled: err = %v, want ErrTooManyRedirects", err)
	}
}

func TestRedirectToForbiddenAddress(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	}))
	defer srv.Close()
	c := localClient(t, nil)

	if _, err := c.GetActivity(context.Background(), srv.URL+"/users/alice", nil); !errors.Is(err, transport.ErrForbiddenAddress) {
		t.Errorf("GetActivity: err = %v, want ErrForbiddenAddress", err)
	}
	if _, err := c.HTTPClient().Get(srv.URL); !errors.Is(err, transport.ErrForbiddenAddress) {
		t.Errorf("HTTPClient: err = %v, want ErrForbiddenAddress", err)
	}
}

func TestBodyLimit(t *testing.T) {
	const limit = 1024
	big := `{"id":"ID","pad":"` + strings.Repeat("x", 2*limit) + `"}`
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json")
		body := strings.Replace(big, "ID", srv.URL+r.URL.Path, 1)
		switch r.URL.Path {
		case "/chunked": // no Content-Length: the limit is hit while reading
			w.(http.Flusher).Flush()
			io.WriteString(w, body)
		case "/exact":
			io.WriteString(w, strings.Repeat("y", limit))
		default:
			io.WriteString(w, body)
		}
	}))
	defer srv.Close()
	c := localClient(t, func(o *transport.Options) { o.MaxBodyBytes = limit })
	ctx := context.Background()

	for _, p := range []string{"/sized", "/chunked"} {
		if _, err := c.GetActivity(ctx, srv.URL+p, nil); !errors.Is(err, transport.ErrBodyTooLarge) {
			t.Errorf("GetActivity %s: err = %v, want ErrBodyTooLarge", p, err)
		}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+p, nil)
		resp, err := c.Do(ctx, req)
		if err != nil {
			t.Fatalf("Do %s: %v", p, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !errors.Is(err, transport.ErrBodyTooLarge) || len(b) != limit {
			t.Errorf("Do %s: read %d bytes, err = %v; want %d bytes and ErrBodyTooLarge", p, len(b), err, limit)
		}
	}
	resp, err := c.HTTPClient().Get(srv.URL + "/exact")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || len(b) != limit {
		t.Errorf("exactly the limit: %d bytes, err = %v", len(b), err)
	}
}

func TestOriginMismatch(t *testing.T) {
	other := actorServer(t, nil) // a different port on the same host
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json")
		switch r.URL.Path {
		case "/port":
			io.WriteString(w, actorJSON(other.URL+"/users/alice"))
		case "/host":
			io.WriteString(w, actorJSON("http://victim.example/users/alice"))
		case "/scheme":
			io.WriteString(w, actorJSON("https://"+r.Host+"/users/alice"))
		case "/relative":
			io.WriteString(w, actorJSON("/users/alice"))
		case "/redirect": // served from other after a redirect, claims this origin
			http.Redirect(w, r, other.URL+"/users/alice", http.StatusFound)
		}
	}))
	defer srv.Close()
	c := localClient(t, nil)
	for _, p := range []string{"/port", "/host", "/scheme", "/relative"} {
		if _, err := c.GetActivity(context.Background(), srv.URL+p, nil); !errors.Is(err, transport.ErrOriginMismatch) {
			t.Errorf("%s: err = %v, want ErrOriginMismatch", p, err)
		}
	}
	// A cross-origin redirect is fine when the id matches the final URL.
	doc, err := c.GetActivity(context.Background(), srv.URL+"/redirect", nil)
	if err != nil || doc.ID != other.URL+"/users/alice" {
		t.Errorf("redirect: doc=%+v err=%v", doc, err)
	}
}

func TestInvalidDocuments(t *testing.T) {
	bodies := map[string]string{
		"/array":   `[{"id":"X"}]`,
		"/noid":    `{"type":"Note"}`,
		"/numid":   `{"id":42}`,
		"/dupid":   `{"id":"X","id":"http://evil.example/"}`,
		"/trail":   `{"id":"X"} {"id":"X"}`,
		"/garbage": `{"id":"X",`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json")
		io.WriteString(w, strings.ReplaceAll(bodies[r.URL.Path], "X", "http://"+r.Host+r.URL.Path))
	}))
	defer srv.Close()
	c := localClient(t, nil)
	for p := range bodies {
		if _, err := c.GetActivity(context.Background(), srv.URL+p, nil); !errors.Is(err, transport.ErrInvalidDocument) {
			t.Errorf("%s: err = %v, want ErrInvalidDocument", p, err)
		}
	}
}

func TestStatusAndContentType(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/404":
			http.NotFound(w, r)
		case "/410":
			w.WriteHeader(http.StatusGone)
		case "/429":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/500":
			w.WriteHeader(http.StatusInternalServerError)
		case "/html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, `<html>{"id":"x"}</html>`)
		}
	}))
	defer srv.Close()
	c := localClient(t, nil)
	ctx := context.Background()

	if _, err := c.GetActivity(ctx, srv.URL+"/404", nil); !errors.Is(err, transport.ErrNotFound) {
		t.Errorf("404: %v", err)
	}
	if _, err := c.GetActivity(ctx, srv.URL+"/410", nil); !errors.Is(err, transport.ErrGone) || errors.Is(err, transport.ErrNotFound) {
		t.Errorf("410: %v", err)
	}
	_, err := c.GetActivity(ctx, srv.URL+"/429", nil)
	var se *transport.StatusError
	if !errors.Is(err, transport.ErrRateLimited) || !errors.As(err, &se) || !se.HasRetryAfter || se.RetryAfter != 120*time.Second {
		t.Errorf("429: err = %v (%+v)", err, se)
	}
	if _, err := c.GetActivity(ctx, srv.URL+"/500", nil); !errors.As(err, &se) || se.StatusCode != 500 {
		t.Errorf("500: %v", err)
	}
	if _, err := c.GetActivity(ctx, srv.URL+"/html", nil); !errors.Is(err, transport.ErrUnexpectedContentType) {
		t.Errorf("html: %v", err)
	}
}

type countingSigner struct {
	calls  atomic.Int64
	bodies [][]byte
}

func (s *countingSigner) SignRequest(r *http.Request, body []byte) error {
	n := s.calls.Add(1)
	if r.Header.Get("User-Agent") == "" {
		return errors.New("User-Agent must be set before signing")
	}
	r.Header.Set("Signature", fmt.Sprintf(`keyId="k",n="%d",target="%s %s"`, n, strings.ToLower(r.Method), r.URL.RequestURI()))
	s.bodies = append(s.bodies, body)
	return nil
}

var _ transport.RequestSigner = (*countingSigner)(nil)

func TestGetActivitySignsEveryHop(t *testing.T) {
	var sigs []string
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sigs = append(sigs, r.Header.Get("Signature"))
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		io.WriteString(w, actorJSON(srv.URL+"/new"))
	}))
	defer srv.Close()
	s := &countingSigner{}
	if _, err := localClient(t, nil).GetActivity(context.Background(), srv.URL+"/old", s); err != nil {
		t.Fatal(err)
	}
	want := []string{`keyId="k",n="1",target="get /old"`, `keyId="k",n="2",target="get /new"`}
	if fmt.Sprint(sigs) != fmt.Sprint(want) {
		t.Errorf("signatures seen %q, want %q", sigs, want)
	}
}

func TestPost(t *testing.T) {
	type seen struct{ ct, date, sig, body string }
	var got seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = seen{r.Header.Get("Content-Type"), r.Header.Get("Date"), r.Header.Get("Signature"), string(b)}
		switch r.URL.Path {
		case "/inbox":
			w.WriteHeader(http.StatusAccepted)
		case "/busy":
			w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusTooManyRequests)
		case "/gone":
			w.WriteHeader(http.StatusGone)
		case "/moved":
			http.Redirect(w, r, "/inbox", http.StatusPermanentRedirect)
		}
	}))
	defer srv.Close()
	c := localClient(t, nil)
	ctx := context.Background()
	s := &countingSigner{}
	body := []byte(`{"type":"Create"}`)

	res, err := c.Post(ctx, srv.URL+"/inbox", body, "", s)
	if err != nil || !res.OK() || res.StatusCode != http.StatusAccepted {
		t.Fatalf("Post: res=%+v err=%v", res, err)
	}
	if got.ct != transport.ContentTypeActivity || got.body != string(body) || got.date == "" || got.sig == "" {
		t.Errorf("server saw %+v", got)
	}
	if string(s.bodies[0]) != string(body) {
		t.Errorf("signer got body %q", s.bodies[0])
	}

	res, err = c.Post(ctx, srv.URL+"/busy", body, `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, nil)
	if !errors.Is(err, transport.ErrRateLimited) || res == nil || !res.HasRetryAfter ||
		res.RetryAfter < 59*time.Minute || res.RetryAfter > time.Hour {
		t.Errorf("busy: res=%+v err=%v", res, err)
	}
	if got.ct != `application/ld+json; profile="https://www.w3.org/ns/activitystreams"` {
		t.Errorf("content type %q", got.ct)
	}
	if res, err := c.Post(ctx, srv.URL+"/gone", body, "", nil); !errors.Is(err, transport.ErrGone) || res.StatusCode != http.StatusGone {
		t.Errorf("gone: res=%+v err=%v", res, err)
	}
	if res, err := c.Post(ctx, srv.URL+"/moved", body, "", nil); err == nil || res.StatusCode != http.StatusPermanentRedirect {
		t.Errorf("redirect must not be followed: res=%+v err=%v", res, err)
	}
}

// fakeDNS returns a resolver whose every A query answers ip (a DNS
// server speaking the TCP framing over an in-memory pipe).
func fakeDNS(ip netip.Addr) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			client, server := net.Pipe()
			go serveDNS(server, ip)
			return client, nil
		},
	}
}

func serveDNS(c net.Conn, ip netip.Addr) {
	defer c.Close()
	for {
		var l [2]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			return
		}
		q := make([]byte, binary.BigEndian.Uint16(l[:]))
		if _, err := io.ReadFull(c, q); err != nil || len(q) < 12 {
			return
		}
		// Question: name labels, then type and class.
		i := 12
		for i < len(q) && q[i] != 0 {
			i += int(q[i]) + 1
		}
		if i+5 > len(q) {
			return
		}
		qend := i + 5
		qtype := binary.BigEndian.Uint16(q[i+1:])
		resp := make([]byte, 0, 512)
		resp = append(resp, q[0], q[1], 0x81, 0x80, 0, 1) // id, QR|RD|RA, qdcount=1
		answers := 0
		if qtype == 1 {
			answers = 1
		}
		resp = append(resp, 0, byte(answers), 0, 0, 0, 0)
		resp = append(resp, q[12:qend]...)
		if answers == 1 {
			a := ip.As4()
			resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
			resp = append(resp, a[:]...)
		}
		out := binary.BigEndian.AppendUint16(nil, uint16(len(resp)))
		if _, err := c.Write(append(out, resp...)); err != nil {
			return
		}
	}
}

func TestDNSRebindingRefusedAtDial(t *testing.T) {
	var hits atomic.Int64
	srv := actorServer(t, &hits)
	u, _ := url.Parse(srv.URL)
	target := "http://social.rebind.example:" + u.Port() + "/users/alice"
	resolver := fakeDNS(netip.MustParseAddr("127.0.0.1"))

	c := transport.New(&transport.Options{AllowHTTP: true, Resolver: resolver})
	_, err := c.GetActivity(context.Background(), target, nil)
	if !errors.Is(err, transport.ErrForbiddenAddress) {
		t.Fatalf("err = %v, want ErrForbiddenAddress", err)
	}
	if hits.Load() != 0 {
		t.Fatal("server was reached")
	}

	// Control: with loopback allowed the same name resolves and connects,
	// so the refusal above came from the address check, not from DNS.
	allowed := transport.New(&transport.Options{AllowHTTP: true, Resolver: resolver, AllowPrivate: loopback})
	_, err = allowed.GetActivity(context.Background(), target, nil)
	if !errors.Is(err, transport.ErrOriginMismatch) { // the server names itself 127.0.0.1
		t.Fatalf("allowed: err = %v, want ErrOriginMismatch", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("server hits = %d, want 1", hits.Load())
	}
}

func TestIsPublicAddr(t *testing.T) {
	for s, want := range map[string]bool{
		"1.1.1.1": true, "8.8.8.8": true, "93.184.215.14": true,
		"2606:4700:4700::1111": true, "2a01:4f8::1": true,
		"64:ff9b::808:808": true, // NAT64 of 8.8.8.8
		"2002:808:808::1":  true, // 6to4 of 8.8.8.8

		"127.0.0.1": false, "127.255.255.254": false, "10.1.2.3": false, "172.16.0.1": false,
		"172.31.255.255": false, "192.168.1.1": false, "169.254.169.254": false, "100.64.0.1": false,
		"100.127.255.255": false, "0.0.0.0": false, "0.1.2.3": false, "224.0.0.1": false,
		"239.255.255.250": false, "255.255.255.255": false, "240.0.0.1": false, "192.0.2.1": false,
		"198.18.0.1": false, "203.0.113.5": false, "192.0.0.8": false,
		"::": false, "::1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false,
		"::ffff:169.254.169.254": false, "::127.0.0.1": false, "fc00::1": false, "fd12:3456::1": false,
		"fe80::1": false, "fe80::1%eth0": false, "ff02::1": false, "2001:db8::1": false,
		"64:ff9b::7f00:1": false, "2002:7f00:1::1": false, "2001::1": false, "100::1": false,
	} {
		if got := transport.IsPublicAddr(netip.MustParseAddr(s)); got != want {
			t.Errorf("IsPublicAddr(%s) = %v, want %v", s, got, want)
		}
	}
	if transport.IsPublicAddr(netip.Addr{}) {
		t.Error("zero Addr must not be public")
	}
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"https://a.example/x", "https://A.EXAMPLE:443/y", true},
		{"http://a.example/x", "http://a.example:80/", true},
		{"https://a.example/x", "http://a.example/x", false},
		{"https://a.example/x", "https://a.example:8443/x", false},
		{"https://a.example/x", "https://b.example/x", false},
		{"https://a.example/x", "/x", false},
		{"https://a.example/x", "ftp://a.example/x", false},
		{"https://[::1]:8443/x", "https://[::1]:8443/y", true},
		{"https://a.example:99999/", "https://a.example:99999/", false},
	} {
		if got := transport.SameOrigin(tc.a, tc.b); got != tc.want {
			t.Errorf("SameOrigin(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 120 * time.Second, true},
		{" 0 ", 0, true},
		{"99999999999999999999999", transport.MaxRetryAfter, true},
		{"Wed, 25 Nov 2026 19:07:41 GMT", 7*time.Minute + 41*time.Second, true},
		{"Wednesday, 25-Nov-26 19:01:00 GMT", time.Minute, true}, // RFC 850
		{"Wed Nov 25 19:00:30 2026", 30 * time.Second, true},     // asctime
		{"Tue, 24 Nov 2026 19:00:00 GMT", 0, true},               // in the past
		{"Fri, 25 Nov 2099 19:00:00 GMT", transport.MaxRetryAfter, true},
		{"", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
	} {
		d, ok := transport.ParseRetryAfter(tc.in, now)
		if d != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, d, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "0", "Wed, 25 Nov 2026 19:07:41 GMT", "", "-1", "9999999999999999999999"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := transport.ParseRetryAfter(s, now)
		if d < 0 || d > transport.MaxRetryAfter || (!ok && d != 0) {
			t.Fatalf("ParseRetryAfter(%q) = %v, %v", s, d, ok)
		}
	})
}

func FuzzTopLevelID(f *testing.F) {
	for _, s := range []string{`{"id":"https://a.example/1"}`, `{"id":"x","id":"y"}`, `[]`, `{"a":{"id":1},"id":"z"}`, `{`, `"id"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		id, err := transport.TopLevelID(b)
		if err == nil && id == "" {
			t.Fatal("empty id without error")
		}
		if err != nil && !errors.Is(err, transport.ErrInvalidDocument) {
			t.Fatalf("unexpected error type: %v", err)
		}
	})
}
