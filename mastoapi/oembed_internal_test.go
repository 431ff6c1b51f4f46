package mastoapi

import (
	"strings"
	"testing"

	"github.com/microcosm-cc/bluemonday"

	"github.com/herd-social/herd/social"
)

func TestOEmbedStatusID(t *testing.T) {
	urls, err := social.NewURLs("https://herd.example")
	if err != nil {
		t.Fatal(err)
	}
	a := &API{urls: urls}
	for _, tc := range []struct {
		in   string
		id   string
		user string
	}{
		{"https://herd.example/@alice/123", "123", "alice"},
		{"https://HERD.example/users/alice/statuses/123", "123", "alice"},
		{" https://herd.example/@alice/123/ ", "123", "alice"},
		{"https://other.example/@alice/123", "", ""},
		{"https://herd.example/@alice", "", ""},
		{"https://herd.example/@/123", "", ""},
		{"https://herd.example/@alice/abc", "", ""},
		{"ftp://herd.example/@alice/123", "", ""},
		{"%zz", "", ""},
	} {
		id, user, ok := a.oembedStatusID(tc.in)
		if ok != (tc.id != "") || (ok && (id.String() != tc.id || user != tc.user)) {
			t.Errorf("oembedStatusID(%q) = %v, %q, %v", tc.in, id, user, ok)
		}
	}
}

// FuzzOEmbedStatusID checks that no URL makes the oEmbed URL parser panic,
// and that what it accepts is on this server.
func FuzzOEmbedStatusID(f *testing.F) {
	urls, err := social.NewURLs("https://herd.example")
	if err != nil {
		f.Fatal(err)
	}
	a := &API{urls: urls}
	for _, s := range []string{"https://herd.example/@alice/123", "https://herd.example/users/a/statuses/1", "", "://", "https://herd.example/@%00/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if id, user, ok := a.oembedStatusID(s); ok && (id == 0 || user == "") {
			t.Fatalf("accepted %q: %v %q", s, id, user)
		}
	})
}

// FuzzTextHTML checks that configured texts always render without
// scripts.
func FuzzTextHTML(f *testing.F) {
	p := bluemonday.UGCPolicy()
	for _, s := range []string{"<p>x</p>", "plain\n\ntext", "<script>alert(1)</script>", "a < b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if out := textHTML(p, s); strings.Contains(strings.ToLower(out), "<script") {
			t.Fatalf("script kept: %q", out)
		}
	})
}
