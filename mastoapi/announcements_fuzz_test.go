package mastoapi_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/herd-social/herd/mastoapi"
)

// FuzzIsUnicodeEmoji checks that reaction names never panic the check and
// that what it accepts is short, valid UTF-8 without ASCII letters, spaces
// or markup.
func FuzzIsUnicodeEmoji(f *testing.F) {
	for _, s := range []string{"👍", "👍🏽", "❤️", "🇫🇷", "👩‍👩‍👧", "1️⃣", "a", "", "<b>", "\u200d", string([]byte{0xf0, 0x9f})} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !mastoapi.IsUnicodeEmoji(s) {
			return
		}
		if !utf8.ValidString(s) || len(s) > 64 {
			t.Fatalf("accepted %q", s)
		}
		for _, r := range s {
			if r < 0x80 && !(r >= '0' && r <= '9' || r == '#' || r == '*') {
				t.Fatalf("accepted %q with ASCII %q", s, r)
			}
		}
	})
}

// FuzzAnnouncementText checks that rendering an announcement's text never
// lets markup through.
func FuzzAnnouncementText(f *testing.F) {
	for _, s := range []string{"hello", "a\n\nb\nc", "<script>x</script>", "&amp;", "\r\n\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := mastoapi.AnnouncementText(s)
		stripped := out
		for _, tag := range []string{"<p>", "</p>", "<br>"} {
			stripped = strings.ReplaceAll(stripped, tag, "")
		}
		for _, c := range stripped {
			if c == '<' || c == '>' {
				t.Fatalf("markup in %q -> %q", s, out)
			}
		}
	})
}
