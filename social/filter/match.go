package filter

import (
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/herd-social/herd/storage"
)

// Group is one filter with its keywords and statuses (a Mastodon v2
// Filter entity).
type Group struct {
	Filter   *storage.Filter
	Keywords []*storage.FilterKeyword
	Statuses []*storage.FilterStatus
}

// Active reports whether the filter applies at now (it has not expired).
func (g *Group) Active(now time.Time) bool {
	return g.Filter.ExpiresAt == nil || now.Before(*g.Filter.ExpiresAt)
}

// In reports whether the filter applies in context c.
func (g *Group) In(c storage.FilterContext) bool {
	for _, x := range g.Filter.Context {
		if x == string(c) {
			return true
		}
	}
	return false
}

// Pattern is a keyword compiled for matching.
type Pattern struct {
	low        string // the keyword, lower-cased
	boundStart bool   // a word boundary is required before the match
	boundEnd   bool   // and after it
}

// errEmptyKeyword is returned for a keyword with nothing to match.
var errEmptyKeyword = errors.New("filter: empty keyword")

// Compile compiles a keyword. Matching is case-insensitive; with
// wholeWord, an edge of the keyword that is a word character (a letter,
// mark, decimal digit or connector punctuation) must meet a word boundary
// in the text, as \b in Mastodon's regular expression. A keyword that is
// empty or only white space is an error.
func Compile(keyword string, wholeWord bool) (Pattern, error) {
	if strings.TrimSpace(keyword) == "" {
		return Pattern{}, errEmptyKeyword
	}
	if !utf8.ValidString(keyword) {
		keyword = strings.ToValidUTF8(keyword, "\uFFFD")
	}
	p := Pattern{low: strings.ToLower(keyword)}
	if wholeWord {
		first, _ := utf8.DecodeRuneInString(p.low)
		last, _ := utf8.DecodeLastRuneInString(p.low)
		p.boundStart, p.boundEnd = isWord(first), isWord(last)
	}
	return p, nil
}

// isWord reports whether r is a word character as Onigmo's [[:word:]]:
// a letter, mark, decimal digit or connector punctuation.
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Pc, r)
}

// Find returns the byte offsets of the first match of p in low, a text
// lower-cased with Lower, or -1, -1.
func (p Pattern) Find(low string) (start, end int) {
	from := 0
	for from <= len(low)-len(p.low) {
		i := strings.Index(low[from:], p.low)
		if i < 0 {
			return -1, -1
		}
		i += from
		j := i + len(p.low)
		if p.boundaryAt(low, i, j) {
			return i, j
		}
		_, size := utf8.DecodeRuneInString(low[i:])
		from = i + size
	}
	return -1, -1
}

func (p Pattern) boundaryAt(low string, i, j int) bool {
	if p.boundStart && i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(low[:i]); isWord(r) {
			return false
		}
	}
	if p.boundEnd && j < len(low) {
		if r, _ := utf8.DecodeRuneInString(low[j:]); isWord(r) {
			return false
		}
	}
	return true
}

// lowered is a text lower-cased for matching, with the way back to the
// original's byte offsets.
type lowered struct {
	orig, low string
	offs      []int32 // offs[i] is the original offset of low[i]; nil when the same
}

// lower lower-cases s, remembering offsets when lower-casing changes
// byte lengths.
func lower(s string) lowered {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return lowered{orig: s, low: strings.ToLower(s)}
	}
	var b strings.Builder
	b.Grow(len(s))
	offs := make([]int32, 0, len(s)+1)
	same := true
	for i, r := range s {
		lr := unicode.ToLower(r)
		n := b.Len()
		b.WriteRune(lr)
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			_, size = utf8.DecodeRuneInString(s[i:])
		}
		if b.Len()-n != size {
			same = false
		}
		for k := n; k < b.Len(); k++ {
			offs = append(offs, int32(i))
		}
	}
	offs = append(offs, int32(len(s)))
	l := lowered{orig: s, low: b.String()}
	if !same {
		l.offs = offs
	}
	return l
}

// original returns the original text of low[i:j].
func (l lowered) original(i, j int) string {
	if l.offs == nil {
		return l.orig[i:j]
	}
	a, b := int(l.offs[i]), int(l.offs[j])
	if j < len(l.low) && l.offs[j] == l.offs[j-1] {
		// j falls inside the lowering of one rune: take the whole rune.
		_, size := utf8.DecodeRuneInString(l.orig[b:])
		b += size
	}
	return l.orig[a:b]
}

// Result is one filter a status matched: a Mastodon FilterResult.
type Result struct {
	Group *Group
	// KeywordMatches holds the text that matched a keyword (as it appears
	// in the status), StatusMatches the matched status IDs; either may be
	// empty.
	KeywordMatches []string
	StatusMatches  []storage.ID
}

// Hides reports whether any of rs hides the status in context c.
func Hides(rs []Result, c storage.FilterContext) bool {
	for _, r := range rs {
		if r.Group.Filter.Action == storage.FilterHide && r.Group.In(c) {
			return true
		}
	}
	return false
}

// compiled is a group with its keywords compiled.
type compiled struct {
	g        *Group
	patterns []Pattern
}

// Set is one account's filters compiled for matching. It is immutable and
// safe for concurrent use.
type Set struct {
	groups   []compiled
	statuses map[storage.ID][]int // status → indexes in groups
	keywords int
}

// NewSet compiles groups. Keywords that cannot match (empty) are skipped.
func NewSet(groups []*Group) *Set {
	s := &Set{groups: make([]compiled, 0, len(groups))}
	for _, g := range groups {
		c := compiled{g: g}
		for _, k := range g.Keywords {
			if p, err := Compile(k.Keyword, k.WholeWord); err == nil {
				c.patterns = append(c.patterns, p)
			}
		}
		s.keywords += len(c.patterns)
		for _, fs := range g.Statuses {
			if s.statuses == nil {
				s.statuses = map[storage.ID][]int{}
			}
			s.statuses[fs.StatusID] = append(s.statuses[fs.StatusID], len(s.groups))
		}
		s.groups = append(s.groups, c)
	}
	return s
}

// Groups returns the filters of the set, in the order given to NewSet.
func (s *Set) Groups() []*Group {
	out := make([]*Group, len(s.groups))
	for i, c := range s.groups {
		out[i] = c.g
	}
	return out
}

// Empty reports whether the set has no filter: nothing can match.
func (s *Set) Empty() bool { return s == nil || len(s.groups) == 0 }

// NeedsText reports whether matching reads the text (some filter has a
// keyword): callers may skip gathering it otherwise.
func (s *Set) NeedsText() bool { return s != nil && s.keywords > 0 }

// Match matches a status against the filters active at now. ids are the
// status's ID and, for a boost, the boosted status's ID; text is searched
// for keywords when some filter has them (see NeedsText). Results are in
// filter order; nil when nothing matched.
func (s *Set) Match(ids []storage.ID, text Text, now time.Time) []Result {
	if s.Empty() {
		return nil
	}
	var l lowered
	if s.keywords > 0 {
		l = lower(text.Searchable())
	}
	return s.match(ids, l, now)
}

// MatchSearchable is Match over a text already built with Text.Searchable.
func (s *Set) MatchSearchable(ids []storage.ID, searchable string, now time.Time) []Result {
	if s.Empty() {
		return nil
	}
	var l lowered
	if s.keywords > 0 {
		l = lower(searchable)
	}
	return s.match(ids, l, now)
}

func (s *Set) match(ids []storage.ID, l lowered, now time.Time) []Result {
	var out []Result
	var byStatus map[int][]storage.ID
	for _, id := range ids {
		for _, gi := range s.statuses[id] {
			if byStatus == nil {
				byStatus = map[int][]storage.ID{}
			}
			byStatus[gi] = append(byStatus[gi], id)
		}
	}
	for gi, c := range s.groups {
		if !c.g.Active(now) {
			continue
		}
		var r Result
		if len(c.patterns) > 0 && l.low != "" {
			best, bestEnd := -1, -1
			for _, p := range c.patterns {
				if i, j := p.Find(l.low); i >= 0 && (best < 0 || i < best) {
					best, bestEnd = i, j
				}
			}
			if best >= 0 {
				r.KeywordMatches = []string{l.original(best, bestEnd)}
			}
		}
		r.StatusMatches = byStatus[gi]
		if r.KeywordMatches == nil && r.StatusMatches == nil {
			continue
		}
		r.Group = c.g
		out = append(out, r)
	}
	return out
}
