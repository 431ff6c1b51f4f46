package social

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/herd-social/herd/storage"
)

// URLCharCount is how many characters a URL counts for in a status, as on
// Mastodon, however long it is.
const URLCharCount = 23

// tokenKind is the kind of a piece of a line of text.
type tokenKind int

const (
	tokText tokenKind = iota
	tokURL
	tokMention
	tokTag
)

// token is a piece of a line: plain text, a URL, a mention or a hashtag.
type token struct {
	kind   tokenKind
	text   string // as written, the leading @ or # included
	user   string // mentions: the username; tags: the name
	domain string // mentions: the domain, "" when none was written
}

var (
	mentionRE = regexp.MustCompile(`^@([A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)(?:@([\p{L}\p{N}_.-]*[\p{L}\p{N}_](?::[0-9]{1,5})?))?`)
	tagRE     = regexp.MustCompile(`^#([\p{L}\p{M}\p{N}_]+)`)
	emojiRE   = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_:]):([A-Za-z0-9_]{2,}):`)
)

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// prevRune returns the rune before byte offset i of s (0 at the start).
func prevRune(s string, i int) rune {
	if i == 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

// hasPrefixFold reports whether s starts with the ASCII prefix p, ignoring case.
func hasPrefixFold(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

// scanURL returns the length of an http(s) URL at the start of s, or 0.
// Trailing punctuation is left out, and closing brackets unless balanced.
func scanURL(s string) int {
	var scheme int
	switch {
	case hasPrefixFold(s, "https://"):
		scheme = len("https://")
	case hasPrefixFold(s, "http://"):
		scheme = len("http://")
	default:
		return 0
	}
	end := scheme
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if unicode.IsSpace(r) || r == '<' || r == '>' || r == '"' || unicode.IsControl(r) || r == utf8.RuneError && size == 1 {
			break
		}
		end += size
	}
	for end > scheme {
		c := s[end-1]
		switch c {
		case '.', ',', ':', ';', '!', '?', '\'', '*':
			end--
			continue
		case ')':
			if strings.Count(s[:end], "(") < strings.Count(s[:end], ")") {
				end--
				continue
			}
		case ']':
			if strings.Count(s[:end], "[") < strings.Count(s[:end], "]") {
				end--
				continue
			}
		}
		break
	}
	host := s[scheme:end]
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if host == "" || strings.HasPrefix(host, ".") || strings.HasPrefix(host, "@") {
		return 0
	}
	return end
}

// tokenize splits one line into tokens.
func tokenize(line string) []token {
	var out []token
	textStart := 0
	flush := func(end int) {
		if end > textStart {
			out = append(out, token{kind: tokText, text: line[textStart:end]})
		}
	}
	for i := 0; i < len(line); {
		c := line[i]
		prev := prevRune(line, i)
		switch {
		case (c == 'h' || c == 'H') && !isWordRune(prev) && prev != '-' && prev != '/':
			if n := scanURL(line[i:]); n > 0 {
				flush(i)
				out = append(out, token{kind: tokURL, text: line[i : i+n]})
				i += n
				textStart = i
				continue
			}
		case c == '@' && !isWordRune(prev) && prev != '=' && prev != '/' && prev != '@' && prev != '.':
			if m := mentionRE.FindStringSubmatch(line[i:]); m != nil {
				flush(i)
				out = append(out, token{kind: tokMention, text: m[0], user: m[1], domain: m[2]})
				i += len(m[0])
				textStart = i
				continue
			}
		case c == '#' && !isWordRune(prev) && prev != '=' && prev != '/' && prev != ')' && prev != '&':
			if m := tagRE.FindStringSubmatch(line[i:]); m != nil && strings.TrimFunc(m[1], unicode.IsDigit) != "" {
				flush(i)
				out = append(out, token{kind: tokTag, text: m[0], user: m[1]})
				i += len(m[0])
				textStart = i
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(line[i:])
		i += size
	}
	flush(len(line))
	return out
}

// normalizeText turns CRLF and CR into LF and trims trailing whitespace.
func normalizeText(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.TrimRightFunc(text, unicode.IsSpace)
}

// mentionRef is a mention as written.
type mentionRef struct{ user, domain string }

// entities are the mentions, hashtags and emoji shortcodes of a text.
type entities struct {
	mentions []mentionRef // distinct, in order of appearance
	tags     []string     // distinct (case-insensitively), as first written
	emojis   []string     // distinct shortcodes
}

// extractEntities finds the mentions, hashtags and emoji shortcodes of text.
func extractEntities(text string) entities {
	var e entities
	seenM, seenT := map[string]bool{}, map[string]bool{}
	for _, line := range strings.Split(normalizeText(text), "\n") {
		for _, t := range tokenize(line) {
			switch t.kind {
			case tokMention:
				k := strings.ToLower(t.user + "@" + t.domain)
				if !seenM[k] {
					seenM[k] = true
					e.mentions = append(e.mentions, mentionRef{t.user, t.domain})
				}
			case tokTag:
				k := strings.ToLower(t.user)
				if !seenT[k] {
					seenT[k] = true
					e.tags = append(e.tags, t.user)
				}
			}
		}
	}
	seenE := map[string]bool{}
	for _, m := range emojiRE.FindAllStringSubmatch(text, -1) {
		if !seenE[m[1]] {
			seenE[m[1]] = true
			e.emojis = append(e.emojis, m[1])
		}
	}
	return e
}

// CountChars counts the characters of a status text as Mastodon does: user-
// perceived characters, every URL counting as URLCharCount, and a remote
// mention (@user@domain) counting only its @user part.
func CountChars(text string) int {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	n := strings.Count(text, "\n")
	for _, line := range strings.Split(text, "\n") {
		for _, t := range tokenize(line) {
			switch t.kind {
			case tokURL:
				n += URLCharCount
			case tokMention:
				n += graphemes("@" + t.user)
			default:
				n += graphemes(t.text)
			}
		}
	}
	return n
}

// graphemes approximates the number of user-perceived characters of s:
// combining marks, variation selectors, skin-tone modifiers and characters
// joined by a zero-width joiner do not start a new character, and a pair of
// regional indicators (a flag) counts once.
func graphemes(s string) int {
	n := 0
	joined, ri := false, false
	for _, r := range s {
		switch {
		case r == 0x200D:
			joined = true
			continue
		case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r), r >= 0xFE00 && r <= 0xFE0F,
			r >= 0x1F3FB && r <= 0x1F3FF, r >= 0xE0020 && r <= 0xE007F:
			continue
		case r >= 0x1F1E6 && r <= 0x1F1FF:
			if ri {
				ri = false
				continue
			}
			ri = true
			if !joined {
				n++
			}
			joined = false
			continue
		}
		ri = false
		if !joined {
			n++
		}
		joined = false
	}
	return n
}

// escapeHTML escapes text for HTML as Rails does.
func escapeHTML(s string) string {
	if !strings.ContainsAny(s, `&<>"'`) {
		return s
	}
	return htmlEscaper.Replace(s)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

// formatOptions tunes formatHTML.
type formatOptions struct {
	multiline bool // paragraphs and line breaks (statuses, notes); false for profile field values
	relMe     bool // add rel="me" to links (profile fields)
}

// mentionKey names a mention for lookup in the resolved map.
func mentionKey(user, domain string) string { return strings.ToLower(user + "@" + domain) }

// formatHTML renders plain text as Mastodon does: HTML-escaped, paragraphs
// on blank lines, <br /> on newlines, links, mentions of known accounts and
// hashtags.
func formatHTML(text string, urls *URLs, resolved map[string]*storage.Account, opt formatOptions) string {
	text = normalizeText(text)
	if strings.TrimSpace(text) == "" {
		return ""
	}
	// Mentions of accounts sharing a username show their domain.
	byName := map[string]map[string]bool{}
	for _, a := range resolved {
		if a == nil {
			continue
		}
		k := strings.ToLower(a.Username)
		if byName[k] == nil {
			byName[k] = map[string]bool{}
		}
		byName[k][a.Domain] = true
	}
	var sb strings.Builder
	renderLine := func(line string) {
		for _, t := range tokenize(line) {
			switch t.kind {
			case tokURL:
				writeLink(&sb, t.text, opt.relMe)
			case tokMention:
				a := resolved[mentionKey(t.user, t.domain)]
				if a == nil {
					sb.WriteString(escapeHTML(t.text))
					continue
				}
				href := a.URL
				if href == "" {
					href = a.URI
				}
				name := a.Username
				if len(byName[strings.ToLower(a.Username)]) > 1 && a.Domain != "" {
					name = a.Acct()
				}
				sb.WriteString(`<span class="h-card" translate="no"><a href="` + escapeHTML(href) + `" class="u-url mention">@<span>` + escapeHTML(name) + `</span></a></span>`)
			case tokTag:
				sb.WriteString(`<a href="` + escapeHTML(urls.Tag(t.user)) + `" class="mention hashtag" rel="tag">#<span>` + escapeHTML(t.user) + `</span></a>`)
			default:
				sb.WriteString(escapeHTML(t.text))
			}
		}
	}
	if !opt.multiline {
		renderLine(strings.Join(strings.Fields(strings.ReplaceAll(text, "\n", " ")), " "))
		return sb.String()
	}
	for _, para := range splitParagraphs(text) {
		sb.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				sb.WriteString("<br />")
			}
			renderLine(line)
		}
		sb.WriteString("</p>")
	}
	return sb.String()
}

// splitParagraphs splits text on blank lines (lines holding only spaces
// count as blank), dropping empty paragraphs.
func splitParagraphs(text string) []string {
	var out []string
	var cur []string
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			if len(cur) > 0 {
				out = append(out, strings.Join(cur, "\n"))
				cur = nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, "\n"))
	}
	return out
}

// writeLink writes a link the way Mastodon shortens it: the scheme (and
// www.) hidden, the first 30 characters shown, the rest hidden behind an
// ellipsis.
func writeLink(sb *strings.Builder, u string, relMe bool) {
	rel := "nofollow noopener"
	if relMe {
		rel += " me"
	}
	prefixLen := 0
	for _, p := range []string{"https://www.", "http://www.", "https://", "http://"} {
		if hasPrefixFold(u, p) {
			prefixLen = len(p)
			break
		}
	}
	rest := u[prefixLen:]
	display, suffix := rest, ""
	if utf8.RuneCountInString(rest) > 30 {
		cut := 0
		for i := 0; i < 30; i++ {
			_, size := utf8.DecodeRuneInString(rest[cut:])
			cut += size
		}
		display, suffix = rest[:cut], rest[cut:]
	}
	class := ""
	if suffix != "" {
		class = "ellipsis"
	}
	sb.WriteString(`<a href="` + escapeHTML(u) + `" target="_blank" rel="` + rel + `" translate="no"><span class="invisible">` +
		escapeHTML(u[:prefixLen]) + `</span><span class="` + class + `">` + escapeHTML(display) + `</span><span class="invisible">` +
		escapeHTML(suffix) + `</span></a>`)
}
