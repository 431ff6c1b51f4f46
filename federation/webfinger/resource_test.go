package webfinger_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/herd-social/herd/federation/webfinger"
)

func TestParseResource(t *testing.T) {
	for _, tc := range []struct {
		in               string
		scheme, user, hp string
		str              string
	}{
		{"acct:alice@example.com", "acct", "alice", "example.com", "acct:alice@example.com"},
		{"ACCT:Alice@Example.COM", "acct", "Alice", "example.com", "acct:Alice@example.com"},
		{"alice@example.com", "acct", "alice", "example.com", "acct:alice@example.com"},
		{"@alice@example.com", "acct", "alice", "example.com", "acct:alice@example.com"},
		{" acct:@alice@example.com ", "acct", "alice", "example.com", "acct:alice@example.com"},
		{"alice@127.0.0.1:8081", "acct", "alice", "127.0.0.1:8081", "acct:alice@127.0.0.1:8081"},
		{"acct:bob@[::1]:8443", "acct", "bob", "[::1]:8443", "acct:bob@[::1]:8443"},
		{"acct:first.last@sub.example.org", "acct", "first.last", "sub.example.org", "acct:first.last@sub.example.org"},
		{"acct:juliet%40capulet.example@shoppingsite.example", "acct", "juliet@capulet.example", "shoppingsite.example", "acct:juliet%40capulet.example@shoppingsite.example"},
		{"https://Example.com/users/alice#main", "https", "", "example.com", "https://example.com/users/alice"},
		{"http://127.0.0.1:8081/@alice", "http", "", "127.0.0.1:8081", "http://127.0.0.1:8081/@alice"},
	} {
		r, err := webfinger.ParseResource(tc.in)
		if err != nil {
			t.Errorf("ParseResource(%q): %v", tc.in, err)
			continue
		}
		if r.Scheme != tc.scheme || r.User != tc.user || r.Host != tc.hp || r.String() != tc.str {
			t.Errorf("ParseResource(%q) = %+v (%s), want %s %q %q %s", tc.in, r, r, tc.scheme, tc.user, tc.hp, tc.str)
		}
	}
	r, _ := webfinger.ParseResource("alice@[::1]:8443")
	if r.Hostname() != "::1" || r.Port() != "8443" {
		t.Errorf("Hostname/Port = %q %q", r.Hostname(), r.Port())
	}
}

func TestParseResourceErrors(t *testing.T) {
	for _, in := range []string{
		"", "   ", "alice", "acct:alice", "@alice", "acct:@example.com", "alice@", "@@",
		"alice@example.com:", "alice@example.com:0", "alice@example.com:70000", "alice@example.com:http",
		"alice@exa mple.com", "alice@example.com/path", "al ice@example.com", "alice@[::1", "alice@[::1]x",
		"alice@[fe80::1%25eth0]", "alice@127.0.0.1:80:80", "ali%zzce@example.com", "a/b@example.com",
		"alice@.example.com", "alice@example..com", "https://", "https:///path", "https://user:pw@example.com/",
		"mailto:alice@example.com@", strings.Repeat("a", 3000) + "@example.com", "alice@exämple.com",
	} {
		if r, err := webfinger.ParseResource(in); !errors.Is(err, webfinger.ErrInvalidResource) {
			t.Errorf("ParseResource(%q) = %+v, %v; want ErrInvalidResource", in, r, err)
		}
	}
}

func FuzzParseResource(f *testing.F) {
	for _, s := range []string{
		"acct:alice@example.com", "@alice@127.0.0.1:8081", "alice@[::1]:80", "https://example.com/users/x",
		"acct:a%40b@c", "http://[::1]:8080/x?y#z", "@@", "a@b:", "acct:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := webfinger.ParseResource(s)
		if err != nil {
			if !errors.Is(err, webfinger.ErrInvalidResource) {
				t.Fatalf("error %v does not wrap ErrInvalidResource", err)
			}
			return
		}
		if r.Host == "" || (r.IsAcct() && r.User == "") {
			t.Fatalf("ParseResource(%q) = %+v: missing parts", s, r)
		}
		again, err := webfinger.ParseResource(r.String())
		if err != nil {
			t.Fatalf("ParseResource(%q) -> %q does not re-parse: %v", s, r.String(), err)
		}
		if again != r {
			t.Fatalf("round trip of %q: %+v != %+v", s, again, r)
		}
	})
}
