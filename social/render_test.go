package social

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

func testURLs(t testing.TB) *URLs {
	u, err := NewURLs("https://herd.example")
	require.NoError(t, err)
	return u
}

func TestFormatHTML(t *testing.T) {
	urls := testURLs(t)
	alice := &storage.Account{ID: 1, Username: "alice", URL: "https://herd.example/@alice"}
	bob := &storage.Account{ID: 2, Username: "bob", Domain: "remote.example", URL: "https://remote.example/@bob"}
	bobLocal := &storage.Account{ID: 3, Username: "bob", URL: "https://herd.example/@bob"}
	resolved := map[string]*storage.Account{
		mentionKey("alice", ""):             alice,
		mentionKey("bob", "remote.example"): bob,
	}
	link := func(prefix, display, suffix, class string) string {
		return `<a href="` + prefix + display + suffix + `" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">` +
			prefix + `</span><span class="` + class + `">` + display + `</span><span class="invisible">` + suffix + `</span></a>`
	}
	tag := func(name string) string {
		return `<a href="` + urls.Tag(name) + `" class="mention hashtag" rel="tag">#<span>` + name + `</span></a>`
	}
	aliceHTML := `<span class="h-card" translate="no"><a href="https://herd.example/@alice" class="u-url mention">@<span>alice</span></a></span>`
	bobHTML := `<span class="h-card" translate="no"><a href="https://remote.example/@bob" class="u-url mention">@<span>bob</span></a></span>`
	cases := []struct{ name, in, want string }{
		{"plain", "hello world", "<p>hello world</p>"},
		{"empty", "  \n ", ""},
		{"escaping", `<script>alert("x")</script> & 'q'`, "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>"},
		{"line break", "one\ntwo", "<p>one<br />two</p>"},
		{"paragraphs", "one\n\ntwo\r\n\r\n\r\nthree", "<p>one</p><p>two</p><p>three</p>"},
		{"trailing whitespace", "one\n\n\n", "<p>one</p>"},
		{"link", "see https://example.com/path ok", "<p>see " + link("https://", "example.com/path", "", "") + " ok</p>"},
		{"link www", "https://www.example.com", "<p>" + link("https://www.", "example.com", "", "") + "</p>"},
		{"link trailing period", "go to http://example.com/a.", "<p>go to " + link("http://", "example.com/a", "", "") + ".</p>"},
		{"link trailing punctuation", "https://example.com/a?!,", "<p>" + link("https://", "example.com/a", "", "") + "?!,</p>"},
		{"link in parens", "(https://example.com/a)", "<p>(" + link("https://", "example.com/a", "", "") + ")</p>"},
		{"link with balanced parens", "https://go.dev/wiki/Go_(lang))", "<p>" + link("https://", "go.dev/wiki/Go_(lang)", "", "") + ")</p>"},
		{"long link", "https://example.com/abcdefghijklmnopqrstuvwxyz0123456789",
			"<p>" + link("https://", "example.com/abcdefghijklmnopqr", "stuvwxyz0123456789", "ellipsis") + "</p>"},
		{"link with query escaped", "https://example.com/?a=1&b=<2>", `<p><a href="https://example.com/?a=1&amp;b=" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">https://</span><span class="">example.com/?a=1&amp;b=</span><span class="invisible"></span></a>&lt;2&gt;</p>`},
		{"no scheme no link", "example.com and ftp://x.org", "<p>example.com and ftp://x.org</p>"},
		{"scheme only", "http:// nothing", "<p>http:// nothing</p>"},
		{"mention local", "hi @alice!", "<p>hi " + aliceHTML + "!</p>"},
		{"mention with own domain", "hi @alice@herd.example", "<p>hi @alice@herd.example</p>"},
		{"mention remote", "cc @bob@remote.example.", "<p>cc " + bobHTML + ".</p>"},
		{"mention unknown", "@nobody and @carol@else.example", "<p>@nobody and @carol@else.example</p>"},
		{"email is not a mention", "mail alice@herd.example", "<p>mail alice@herd.example</p>"},
		{"hashtag", "#Go is #fun_2", "<p>" + tag("Go") + " is " + tag("fun_2") + "</p>"},
		{"unicode hashtag", "#日本語 #Café", `<p><a href="https://herd.example/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E" class="mention hashtag" rel="tag">#<span>日本語</span></a> ` + tag("Café") + "</p>"},
		{"numeric hashtag", "#123 #1a", "<p>#123 " + tag("1a") + "</p>"},
		{"anchor is not a hashtag", "https://example.com/#frag x#y", "<p>" + link("https://", "example.com/#frag", "", "") + " x#y</p>"},
		{"html entities stay text", "&#39; &amp;", "<p>&amp;#39; &amp;amp;</p>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := resolved
			if c.name == "mention with own domain" {
				// Resolution maps the own domain to local accounts before rendering.
				res = map[string]*storage.Account{}
			}
			assert.Equal(t, c.want, formatHTML(c.in, urls, res, formatOptions{multiline: true}))
		})
	}

	t.Run("same username on two servers shows the domain", func(t *testing.T) {
		res := map[string]*storage.Account{mentionKey("bob", ""): bobLocal, mentionKey("bob", "remote.example"): bob}
		got := formatHTML("@bob @bob@remote.example", urls, res, formatOptions{multiline: true})
		assert.Contains(t, got, `@<span>bob</span></a></span> <span`)
		assert.Contains(t, got, `@<span>bob@remote.example</span>`)
	})
	t.Run("field value", func(t *testing.T) {
		got := formatHTML("https://example.com\nmore", urls, nil, formatOptions{relMe: true})
		assert.Equal(t, `<a href="https://example.com" target="_blank" rel="nofollow noopener me" translate="no"><span class="invisible">https://</span><span class="">example.com</span><span class="invisible"></span></a> more`, got)
	})
}

func TestExtractEntities(t *testing.T) {
	e := extractEntities("@alice @Alice @bob@x.example #Go #go #tea :blob: :blob: :a: x:nope: https://e.com/#notag")
	assert.Equal(t, []mentionRef{{"alice", ""}, {"bob", "x.example"}}, e.mentions)
	assert.Equal(t, []string{"Go", "tea"}, e.tags)
	assert.Equal(t, []string{"blob"}, e.emojis)
}

func TestCountChars(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"hello", 5},
		{"héllo wörld", 11},
		{"e\u0301", 1}, // combining accent
		{"👍🏽", 1},      // skin tone
		{"👨‍👩‍👧", 1},   // ZWJ family
		{"🇫🇷🇩🇪", 2},    // two flags
		{"a\nb", 3},
		{"a\r\nb", 3},
		{"see https://example.com/a/very/long/path/that/goes/on/and/on", 4 + URLCharCount},
		{"@bob@remote.example hi", 4 + 3},
		{"@alice hi", 6 + 3},
		{"日本語", 3},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, CountChars(c.in), "%q", c.in)
	}
}

func FuzzFormatText(f *testing.F) {
	for _, s := range []string{"hello @alice #tag https://example.com/a.", "<script>", "#日本 @a@b.c\n\nx", "http://", "@", "#", "((https://a.b/c))", "\xff\xfe"} {
		f.Add(s)
	}
	urls := testURLs(f)
	res := map[string]*storage.Account{mentionKey("alice", ""): {ID: 1, Username: "alice", URL: "https://herd.example/@alice"}}
	f.Fuzz(func(t *testing.T, s string) {
		out := formatHTML(s, urls, res, formatOptions{multiline: true})
		// No raw markup from the input survives: every '<' opens one of ours.
		for i := 0; i < len(out); i++ {
			if out[i] != '<' {
				continue
			}
			rest := out[i:]
			ok := false
			for _, p := range []string{"<p>", "</p>", "<br />", "<a ", "</a>", "<span", "</span>"} {
				if strings.HasPrefix(rest, p) {
					ok = true
				}
			}
			if !ok {
				t.Fatalf("unexpected markup %q in %q", rest[:min(len(rest), 20)], out)
			}
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 output for valid input")
		}
		_ = CountChars(s)
		_ = extractEntities(s)
	})
}
