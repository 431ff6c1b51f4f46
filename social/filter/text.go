package filter

import (
	"html"
	"strings"
)

// Text is what a status shows to its readers: what keyword filters search.
type Text struct {
	// Content is the status's HTML content.
	Content string
	// SpoilerText is the content warning (plain text).
	SpoilerText string
	// PollOptions are the titles of the poll's options, if any.
	PollOptions []string
	// MediaDescriptions are the descriptions of the media attachments.
	MediaDescriptions []string
}

// Searchable returns the text keyword filters search, as Mastodon builds
// it: the spoiler text, the plain text of the content, the poll options
// and the media descriptions, joined by blank lines (empty parts left
// out).
func (t Text) Searchable() string {
	var b strings.Builder
	b.Grow(len(t.SpoilerText) + len(t.Content) + 16)
	add := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(s)
	}
	add(t.SpoilerText)
	add(PlainText(t.Content))
	add(strings.Join(t.PollOptions, "\n\n"))
	add(strings.Join(t.MediaDescriptions, "\n\n"))
	return b.String()
}

// PlainText strips the HTML of a status's content: line breaks (<br>)
// become newlines, paragraph ends blank lines, other tags vanish and
// character references are decoded. Malformed HTML never fails: an
// unterminated tag ends the text.
func PlainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		end := strings.IndexByte(s, '>')
		if end < 0 {
			break
		}
		switch tagName(s[1:end]) {
		case "br":
			b.WriteByte('\n')
		case "/p":
			if len(s) > end+1 {
				b.WriteString("\n\n")
			}
		}
		s = s[end+1:]
	}
	out := b.String()
	if strings.IndexByte(out, '&') >= 0 {
		out = html.UnescapeString(out)
	}
	return strings.TrimRight(out, "\n")
}

// tagName returns the lower-cased name of a tag from its inside ("br/",
// "/P", "a href=…"), keeping a leading '/'.
func tagName(in string) string {
	n := 0
	if n < len(in) && in[n] == '/' {
		n++
	}
	for n < len(in) {
		c := in[n]
		if c == ' ' || c == '/' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		n++
	}
	name := in[:n]
	if len(name) <= 2 {
		return strings.ToLower(name)
	}
	return "" // only br and /p matter
}
