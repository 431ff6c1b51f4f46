package federate

import (
	"regexp"
	"strings"
	"testing"
)

var badTagRE = regexp.MustCompile(`<(?:script|iframe|img|style|svg|object|embed|form|input)\b|<[^>]*(?:\son[a-z]+\s*=|javascript:|data:)`)

func FuzzParseSyncHeader(f *testing.F) {
	f.Add(`collectionId="https://a.example/users/x/followers", url="https://a.example/users/x/followers_synchronization", digest="00ff"`)
	f.Add(`collectionId=, url=""`)
	f.Add(`,,,=`)
	f.Fuzz(func(t *testing.T, v string) {
		p, ok := parseSyncHeader(v)
		if ok && (p["collectionId"] == "" || p["url"] == "" || p["digest"] == "") {
			t.Fatalf("accepted incomplete header %q", v)
		}
	})
}

func FuzzSanitize(f *testing.F) {
	f.Add(`<p>hi <script>alert(1)</script><a href="javascript:x">a</a></p>`)
	f.Add(`<a href="https://x" onmouseover="y">z</a><img src=x onerror=y>`)
	f.Add(`<svg><script>x</script></svg><iframe srcdoc="<script>"></iframe>`)
	z := NewSanitizer()
	f.Fuzz(func(t *testing.T, in string) {
		out := strings.ToLower(z.HTML(in))
		if m := badTagRE.FindString(out); m != "" {
			t.Fatalf("%q survived in %q", m, out)
		}
		_ = z.Text(in)
	})
}
