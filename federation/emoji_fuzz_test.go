package federation_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/storage"
)

// FuzzEmojiTags: whatever an actor's Emoji tags hold, the emojis read
// from them have valid shortcodes and http(s) URLs that cannot end an
// HTML attribute.
func FuzzEmojiTags(f *testing.F) {
	f.Add(`{"type":"Emoji","name":":blob:","id":"https://r.example/emojis/1","icon":{"type":"Image","url":"https://r.example/b.png"}}`)
	f.Add(`{"type":"Emoji","name":":x\" onerror=1:","icon":"javascript:alert(1)"}`)
	f.Add(`{"type":"Emoji","name":"::","icon":[{"type":"Image","url":{"href":"https://r.example/a b\".png"}}]}`)
	f.Fuzz(func(t *testing.T, tag string) {
		doc := `{"@context":["https://www.w3.org/ns/activitystreams"],"id":"https://r.example/users/eve","type":"Person",` +
			`"preferredUsername":"eve","inbox":"https://r.example/users/eve/inbox","tag":[` + tag + `]}`
		o, err := ap.Decode([]byte(doc))
		if err != nil {
			return
		}
		a, err := federation.ActorToAccount(o)
		if err != nil {
			return
		}
		for _, e := range a.Emojis {
			if !storage.ValidShortcode(e.Shortcode) {
				t.Fatalf("shortcode %q kept", e.Shortcode)
			}
			for _, s := range []string{e.URL, e.StaticURL, e.URI} {
				if s == "" && s != e.URL {
					continue
				}
				u, err := url.Parse(s)
				if err != nil || (u.Scheme != "https" && u.Scheme != "http") || strings.ContainsAny(s, "\"<>'` ") {
					t.Fatalf("URL %q kept", s)
				}
			}
		}
	})
}
