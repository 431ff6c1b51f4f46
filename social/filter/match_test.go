package filter_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social/filter"
	"github.com/herd-social/herd/storage"
)

// find reports the text a keyword matches in text ("" when none).
func find(t *testing.T, keyword string, whole bool, text string) string {
	t.Helper()
	set := filter.NewSet([]*filter.Group{group(1, storage.FilterWarn, nil, kw(keyword, whole))})
	rs := set.MatchSearchable(nil, text, time.Now())
	if len(rs) == 0 {
		return ""
	}
	require.Len(t, rs[0].KeywordMatches, 1)
	return rs[0].KeywordMatches[0]
}

var seq storage.ID

func kw(k string, whole bool) *storage.FilterKeyword {
	seq++
	return &storage.FilterKeyword{ID: seq, Keyword: k, WholeWord: whole}
}

func group(id storage.ID, action storage.FilterAction, exp *time.Time, kws ...*storage.FilterKeyword) *filter.Group {
	f := &storage.Filter{ID: id, AccountID: 1, Title: fmt.Sprintf("f%d", id), Context: storage.Strings{"home", "public"}, Action: action, ExpiresAt: exp}
	for _, k := range kws {
		k.FilterID = id
	}
	return &filter.Group{Filter: f, Keywords: kws}
}

func TestWholeWord(t *testing.T) {
	cases := []struct {
		keyword string
		whole   bool
		text    string
		want    string
	}{
		{"cat", true, "my cat sleeps", "cat"},
		{"cat", true, "concatenate", ""},
		{"cat", false, "concatenate", "cat"},
		{"cat", true, "cats", ""},
		{"cat", true, "cat_food", ""}, // _ is a word character
		{"cat", true, "cat-food", "cat"},
		{"cat", true, "a CAT!", "CAT"}, // case-insensitive, reports the text as written
		{"Cat", true, "(cat)", "cat"},
		{"cat", true, "cat2", ""},
		{"cat", true, "bobcat, cat", "cat"}, // the second occurrence is whole
		{"new york", true, "I ♥ New York.", "New York"},
		{"new york", true, "new yorker", ""},
		// Unicode letters are word characters.
		{"café", true, "un café noir", "café"},
		{"café", true, "cafés", ""},
		{"café", true, "xcafé", ""},
		{"écl", true, "éclair", ""},
		{"éclair", false, "ÉCLAIR", "ÉCLAIR"},
		{"猫", true, "猫が好き", ""}, // no spaces in Japanese: a letter follows
		{"猫", false, "猫が好き", "猫"},
		{"Straße", true, "die STRASSE und die Straße", "Straße"},
		// Edges that are not word characters need no boundary.
		{"#golang", true, "love #golang!", "#golang"},
		{"#golang", true, "#golangs", ""},
		{"#golang", true, "x#golang", "#golang"},
		{"golang", true, "love #golang", "golang"},
		{"golang", true, "#golangs", ""},
		{"c++", true, "I write c++ daily", "c++"},
		{"c++", true, "c++x", "c++"}, // no boundary after '+', as Mastodon's regexp
		{"c++", true, "abc++", ""},
		{":)", true, "hi:)", ":)"},
		{"", true, "anything", ""},
		{"   ", false, "a   b", ""},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, find(t, c.keyword, c.whole, c.text), "%q (whole %v) in %q", c.keyword, c.whole, c.text)
	}
}

func TestKeywordMatchKeepsOriginalText(t *testing.T) {
	// Lower-casing changes byte lengths here (İ is 2 bytes, its lower
	// case i 1): the match is still reported as written.
	assert.Equal(t, "İstanbul", find(t, "istanbul", true, "Go to İstanbul now"))
	assert.Equal(t, "İSTANBUL", find(t, "İstanbul", true, "İSTANBUL"))
	assert.Equal(t, "KAFFEE", find(t, "kaffee", true, "İİİ KAFFEE"))
	// Invalid UTF-8 in the text never breaks matching.
	assert.Equal(t, "tea", find(t, "tea", true, "\xff\xfe tea \xff"))
}

func TestSearchableText(t *testing.T) {
	tx := filter.Text{
		Content:           `<p>Hello <a href="https://x.example/tags/golang" class="mention hashtag">#<span>golang</span></a><br>line &amp; more</p><p>second</p>`,
		SpoilerText:       "cw: food",
		PollOptions:       []string{"pizza", "pasta"},
		MediaDescriptions: []string{"a cat on a mat", ""},
	}
	assert.Equal(t, "cw: food\n\nHello #golang\nline & more\n\nsecond\n\npizza\n\npasta\n\na cat on a mat\n\n", tx.Searchable())
	assert.Equal(t, "plain", filter.PlainText("plain"))
	assert.Equal(t, "a", filter.PlainText("a<b"), "an unterminated tag ends the text")
	assert.Equal(t, "x < y", filter.PlainText("x &lt; y"))
	assert.Equal(t, "a\nb", filter.PlainText("a<BR/>b"))

	set := filter.NewSet([]*filter.Group{
		group(1, storage.FilterWarn, nil, kw("golang", true)),
		group(2, storage.FilterWarn, nil, kw("pasta", true)),
		group(3, storage.FilterWarn, nil, kw("cat", true)),
		group(4, storage.FilterWarn, nil, kw("food", true)),
		group(5, storage.FilterWarn, nil, kw("href", false), kw("class", false)),
	})
	rs := set.Match(nil, tx, time.Now())
	var titles []string
	for _, r := range rs {
		titles = append(titles, r.Group.Filter.Title)
	}
	assert.Equal(t, []string{"f1", "f2", "f3", "f4"}, titles, "markup is not searched")
}

func TestMatchResults(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Hour)
	expired := group(1, storage.FilterHide, &past, kw("spoiler", false))
	live := group(2, storage.FilterWarn, &future, kw("zzz", false), kw("spoiler", false), kw("ending", true))
	hide := group(3, storage.FilterHide, nil)
	hide.Filter.Context = storage.Strings{"thread"}
	hide.Statuses = []*storage.FilterStatus{{ID: 7, FilterID: 3, StatusID: 100}}
	set := filter.NewSet([]*filter.Group{expired, live, hide})
	require.True(t, set.NeedsText())
	assert.Len(t, set.Groups(), 3)

	rs := set.Match([]storage.ID{55}, filter.Text{Content: "<p>The ending: a SPOILER</p>"}, now)
	require.Len(t, rs, 1, "the expired filter never matches")
	assert.Equal(t, live, rs[0].Group)
	assert.Equal(t, []string{"ending"}, rs[0].KeywordMatches, "the leftmost match of the filter's keywords")
	assert.Empty(t, rs[0].StatusMatches)
	assert.False(t, filter.Hides(rs, storage.FilterHome))

	// A boost matches through the boosted status's ID.
	rs = set.Match([]storage.ID{55, 100}, filter.Text{Content: "nothing here"}, now)
	require.Len(t, rs, 1)
	assert.Equal(t, hide, rs[0].Group)
	assert.Nil(t, rs[0].KeywordMatches)
	assert.Equal(t, []storage.ID{100}, rs[0].StatusMatches)
	assert.True(t, filter.Hides(rs, storage.FilterThread))
	assert.False(t, filter.Hides(rs, storage.FilterHome), "hide applies in its contexts only")

	// Once the live filter expires, nothing matches.
	assert.Empty(t, set.Match([]storage.ID{55}, filter.Text{Content: "spoiler"}, future))
	assert.Empty(t, filter.NewSet(nil).Match([]storage.ID{1}, filter.Text{Content: "x"}, now))
	assert.True(t, filter.NewSet(nil).Empty())
	var nilSet *filter.Set
	assert.True(t, nilSet.Empty())
	assert.False(t, nilSet.NeedsText())
}

func TestCompile(t *testing.T) {
	_, err := filter.Compile(" \t", true)
	assert.Error(t, err)
	p, err := filter.Compile("Cat", true)
	require.NoError(t, err)
	i, j := p.Find("a cat")
	assert.Equal(t, 2, i)
	assert.Equal(t, 5, j)
	i, _ = p.Find("cats")
	assert.Equal(t, -1, i)
}

// FuzzCompile checks that compiling any keyword and matching it against
// any text never panics, that matches lie within the text, and that a
// keyword always matches itself.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{"cat", "#golang", "café", "c++", "İ", "\xff", " a ", "ß", "猫"} {
		f.Add(s, true, "a "+s+" b")
		f.Add(s, false, s)
	}
	f.Fuzz(func(t *testing.T, keyword string, whole bool, text string) {
		p, err := filter.Compile(keyword, whole)
		if err != nil {
			return
		}
		low := strings.ToLower(text)
		i, j := p.Find(low)
		if i >= 0 && (i > j || j > len(low)) {
			t.Fatalf("match %d:%d outside %q", i, j, low)
		}
		set := filter.NewSet([]*filter.Group{group(1, storage.FilterWarn, nil, kw(keyword, whole))})
		set.MatchSearchable(nil, text, time.Now())
		if utf8.ValidString(keyword) && strings.TrimSpace(keyword) != "" {
			if rs := set.MatchSearchable(nil, keyword, time.Now()); len(rs) != 1 {
				t.Fatalf("%q does not match itself", keyword)
			}
		}
	})
}

// FuzzPlainText checks that stripping any HTML never panics.
func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<p>a</p><p>b</p>", "a<br>b", "<", "&amp;<", "<a href='x'>y</a>", "</p"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = filter.PlainText(s)
		_ = filter.Text{Content: s, SpoilerText: s}.Searchable()
	})
}

// BenchmarkMatch matches a 500-character status against 20 filters of 5
// keywords each (half of them whole-word), none of which matches: the
// common case, where every keyword scans the whole text.
func BenchmarkMatch(b *testing.B) {
	var groups []*filter.Group
	for i := 0; i < 20; i++ {
		var kws []*storage.FilterKeyword
		for j := 0; j < 5; j++ {
			kws = append(kws, kw(fmt.Sprintf("keyword%dx%d", i, j), j%2 == 0))
		}
		groups = append(groups, group(storage.ID(i+1), storage.FilterWarn, nil, kws...))
	}
	set := filter.NewSet(groups)
	words := strings.Fields("the quick brown fox jumps over the lazy dog while a keyword-like word passes by")
	var sb strings.Builder
	sb.WriteString("<p>")
	for i := 0; sb.Len() < 490; i++ {
		sb.WriteString(words[i%len(words)] + " ")
	}
	sb.WriteString("</p>")
	text := filter.Text{Content: sb.String(), SpoilerText: "cw"}
	now := time.Now()
	b.Run("ascii", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if rs := set.Match([]storage.ID{1}, text, now); rs != nil {
				b.Fatal("matched")
			}
		}
	})
	uni := filter.Text{Content: strings.ReplaceAll(text.Content, "o", "ö"), SpoilerText: "cw"}
	b.Run("unicode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if rs := set.Match([]storage.ID{1}, uni, now); rs != nil {
				b.Fatal("matched")
			}
		}
	})
}
