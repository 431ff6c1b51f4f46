package federate

import (
	"context"
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"

	"github.com/herd-social/herd/storage"
)

// Sanitizer cleans HTML received from other servers down to the allow-list
// Mastodon keeps: paragraphs and line breaks; spans with the classes of
// mentions, hashtags and shortened links (h-card, mention, hashtag,
// ellipsis, invisible); links to http(s) URLs only, always with
// rel="nofollow noopener noreferrer" and target="_blank" (classes mention,
// hashtag, u-url kept); and the rich-text set b, strong, i, em, u, del, s,
// blockquote, code, pre, ul, ol, li, h1–h6. Everything else — scripts,
// styles, event handlers, javascript: and data: URLs, iframes, images,
// forms — is removed (the text of unknown elements is kept, escaped).
// It is safe for concurrent use.
type Sanitizer struct {
	rich  *bluemonday.Policy
	plain *bluemonday.Policy
}

var (
	spanClassRE = regexp.MustCompile(`^(?:(?:h-card|mention|hashtag|ellipsis|invisible)\s*)+$`)
	linkClassRE = regexp.MustCompile(`^(?:(?:mention|hashtag|u-url|h-card|status-link)\s*)+$`)
	langRE      = regexp.MustCompile(`^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$`)
)

// NewSanitizer returns the Mastodon allow-list policy.
func NewSanitizer() *Sanitizer {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "span", "a", "b", "strong", "i", "em", "u", "del", "s",
		"blockquote", "code", "pre", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("class").Matching(spanClassRE).OnElements("span")
	p.AllowAttrs("class").Matching(linkClassRE).OnElements("a")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("lang").Matching(langRE).OnElements("p", "span")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("reversed").Matching(regexp.MustCompile(`^(?:reversed)?$`)).OnElements("ol")
	p.AllowAttrs("value").Matching(bluemonday.Integer).OnElements("li")
	p.AllowURLSchemes("http", "https")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true) // also adds noopener
	return &Sanitizer{rich: p, plain: bluemonday.StrictPolicy()}
}

// HTML returns s cleaned to the allow-list.
func (z *Sanitizer) HTML(s string) string {
	if s == "" {
		return ""
	}
	return strings.TrimSpace(z.rich.Sanitize(s))
}

// Text returns the plain text of s, tags removed and entities decoded: for
// content warnings and display names, which clients show as text.
func (z *Sanitizer) Text(s string) string {
	if s == "" {
		return ""
	}
	return strings.TrimSpace(html.UnescapeString(z.plain.Sanitize(s)))
}

// Account cleans the profile of a remote account in place: the bio and
// field values to the allow-list, the display name and field names to text.
// Local accounts are left alone.
func (z *Sanitizer) Account(a *storage.Account) {
	if a == nil || a.Local() {
		return
	}
	a.DisplayName = z.Text(a.DisplayName)
	a.Note = z.HTML(a.Note)
	for i := range a.Fields {
		a.Fields[i].Name = z.Text(a.Fields[i].Name)
		a.Fields[i].Value = z.HTML(a.Fields[i].Value)
	}
}

// SanitizingAccounts wraps an account store so that every remote account
// written through it has its profile cleaned by z. Give it to
// federation.NewResolver, which stores the actors it fetches as received:
//
//	resolver := federation.NewResolver(federate.SanitizingAccounts(store.Accounts(), nil), client, signer, opts)
//
// A nil z uses NewSanitizer().
func SanitizingAccounts(accounts storage.Accounts, z *Sanitizer) storage.Accounts {
	if z == nil {
		z = NewSanitizer()
	}
	return sanitizingAccounts{Accounts: accounts, z: z}
}

type sanitizingAccounts struct {
	storage.Accounts
	z *Sanitizer
}

func (s sanitizingAccounts) Create(ctx context.Context, a *storage.Account) error {
	s.z.Account(a)
	return s.Accounts.Create(ctx, a)
}

func (s sanitizingAccounts) Update(ctx context.Context, a *storage.Account) error {
	s.z.Account(a)
	return s.Accounts.Update(ctx, a)
}
