package moderation

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/herd-social/herd/ap"
)

// DomainPolicy applies the instance's domain blocks and allows: activities
// from a suspended domain (or one outside the allow-list) are rejected,
// the posts of reject_media domains lose their attachments, and reports
// (Flag) from reject_reports domains are dropped. Silenced domains are
// accepted: limiting applies when statuses are read (see
// social.Service.Limited), so that it also covers what was stored before
// the silence.
func DomainPolicy(d *Domains) Policy {
	return Named("domain", PolicyFunc(func(ctx context.Context, a *Activity) Decision {
		if a.Domain == "" {
			return Accept()
		}
		if d.Suspended(ctx, a.Domain) {
			if !d.Allowed(ctx, a.Domain) {
				return Reject("this server federates only with allowed domains")
			}
			return Reject("this server does not federate with " + a.Domain)
		}
		if a.Type() == ap.TypeFlag && d.RejectsReports(ctx, a.Domain) {
			return Drop("reports from " + a.Domain + " are rejected")
		}
		if d.RejectsMedia(ctx, a.Domain) {
			stripMedia(a)
		}
		return Accept()
	}))
}

// stripMedia removes the attachments of the activity's post, if any.
func stripMedia(a *Activity) {
	if p := a.Post(); p != nil && len(p.Attachment) > 0 {
		a.Edit().Attachment = nil
	}
}

// PostText is the text of a post that keyword rules look at: its content
// with the HTML tags removed and entities decoded, its summary (content
// warning), its name (title, poll question) and its poll options,
// separated by newlines.
func PostText(p *ap.Object) string {
	var b strings.Builder
	parts := []string{p.Summary, p.Name, p.Content}
	// A poll's options (each a Note named after it) are text too.
	for _, refs := range []ap.Refs{p.OneOf, p.AnyOf} {
		for _, r := range refs {
			if r.Obj != nil {
				parts = append(parts, r.Obj.Name)
			}
		}
	}
	for _, s := range parts {
		if s == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(stripTags(s))
	}
	return b.String()
}

// stripTags drops HTML tags (a tag ends a word: "<p>a</p><p>b</p>" reads
// "a b") and decodes entities.
func stripTags(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return normSpaces(s)
	}
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return normSpaces(html.UnescapeString(b.String()))
}

// normSpaces turns no-break and other Unicode spaces into ' ' (\s is
// ASCII-only in RE2).
func normSpaces(s string) string {
	return strings.Map(func(r rune) rune {
		if r != ' ' && r != '\n' && unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
}

// KeywordRules are the keyword and regular expression rules of
// KeywordPolicy. Keywords match case-insensitively anywhere in the text
// (see PostText); expressions use Go's RE2 syntax (add (?i) to ignore case).
type KeywordRules struct {
	Reject          []string
	RejectRegexp    []*regexp.Regexp
	Sensitive       []string
	SensitiveRegexp []*regexp.Regexp
}

// KeywordPolicy rejects posts matching a Reject rule and marks those
// matching a Sensitive rule sensitive (their media hidden behind a
// warning).
func KeywordPolicy(rules KeywordRules) Policy {
	lower := func(ws []string) []string {
		out := make([]string, 0, len(ws))
		for _, w := range ws {
			if w = strings.ToLower(strings.TrimSpace(w)); w != "" {
				out = append(out, w)
			}
		}
		return out
	}
	reject, sensitive := lower(rules.Reject), lower(rules.Sensitive)
	return Named("keyword", PolicyFunc(func(ctx context.Context, a *Activity) Decision {
		p := a.Post()
		if p == nil {
			return Accept()
		}
		text := PostText(p)
		folded := strings.ToLower(text)
		for _, w := range reject {
			if strings.Contains(folded, w) {
				return Reject("the post contains a rejected keyword")
			}
		}
		for _, re := range rules.RejectRegexp {
			if re.MatchString(text) {
				return Reject("the post matches a rejected pattern")
			}
		}
		if p.Sensitive {
			return Accept()
		}
		mark := false
		for _, w := range sensitive {
			if strings.Contains(folded, w) {
				mark = true
				break
			}
		}
		for _, re := range rules.SensitiveRegexp {
			if mark || re.MatchString(text) {
				mark = true
				break
			}
		}
		if mark {
			a.Edit().Sensitive = true
		}
		return Accept()
	}))
}

// postHashtags lists the hashtags of a post, lower-case, without '#'.
func postHashtags(p *ap.Object) []string {
	var out []string
	for _, t := range p.Tag {
		if t.Obj != nil && t.Obj.Type == ap.TypeHashtag {
			if n := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(t.Obj.Name), "#")); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

// HashtagPolicy rejects posts carrying any of the hashtags in reject and
// marks sensitive those carrying any in sensitive (compared
// case-insensitively, with or without '#').
func HashtagPolicy(reject, sensitive []string) Policy {
	set := func(ts []string) map[string]bool {
		m := map[string]bool{}
		for _, t := range ts {
			if t = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(t), "#")); t != "" {
				m[t] = true
			}
		}
		return m
	}
	rej, sens := set(reject), set(sensitive)
	return Named("hashtag", PolicyFunc(func(ctx context.Context, a *Activity) Decision {
		p := a.Post()
		if p == nil {
			return Accept()
		}
		mark := false
		for _, t := range postHashtags(p) {
			if rej[t] {
				return Reject("the post carries the rejected hashtag #" + t)
			}
			mark = mark || sens[t]
		}
		if mark && !p.Sensitive {
			a.Edit().Sensitive = true
		}
		return Accept()
	}))
}

// MediaDomainPolicy strips the attachments of posts from the given domains
// and their subdomains (as DomainPolicy does for reject_media blocks).
func MediaDomainPolicy(domains []string) Policy {
	set := map[string]bool{}
	for _, d := range domains {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			set[d] = true
		}
	}
	return Named("media_domain", PolicyFunc(func(ctx context.Context, a *Activity) Decision {
		if matchHost(a.Domain, func(name string) bool { return set[name] }) {
			stripMedia(a)
		}
		return Accept()
	}))
}

// MentionCapPolicy rejects posts mentioning more than max accounts (mention
// spam). max <= 0 disables it.
func MentionCapPolicy(max int) Policy {
	return Named("mention_cap", PolicyFunc(func(ctx context.Context, a *Activity) Decision {
		p := a.Post()
		if max <= 0 || p == nil {
			return Accept()
		}
		n := 0
		for _, t := range p.Tag {
			if t.Obj != nil && t.Obj.Type == ap.TypeMention {
				n++
			}
		}
		if n > max {
			return Reject(fmt.Sprintf("the post mentions %d accounts (at most %d)", n, max))
		}
		return Accept()
	}))
}

// NewAccountPolicy drops the posts (Create) of remote accounts first seen
// here less than minAge ago: the usual shape of a spam wave is fresh
// accounts on open servers. The post is dropped, not held for review (the
// sender gets 202 and does not retry); follows, likes and everything else
// go through, and the account's posts are accepted once it is old enough.
// now nil means time.Now.
func NewAccountPolicy(minAge time.Duration, now func() time.Time) Policy {
	return NewAccountHoldPolicy(minAge, now, nil)
}

// HoldFunc keeps an activity for a moderator to review (release or
// discard later); reason says why it was held.
type HoldFunc func(ctx context.Context, a *Activity, reason string) error

// NewAccountHoldPolicy is NewAccountPolicy holding the posts for review
// through hold instead of dropping them (dropped when hold is nil or
// fails). Either way the sender is answered 202.
func NewAccountHoldPolicy(minAge time.Duration, now func() time.Time, hold HoldFunc) Policy {
	if now == nil {
		now = time.Now
	}
	return Named("new_account", PolicyFunc(func(ctx context.Context, a *Activity) Decision {
		if minAge <= 0 || a.Signer == nil || a.Domain == "" || a.Type() != ap.TypeCreate || a.Post() == nil {
			return Accept()
		}
		if age := now().Sub(a.Signer.CreatedAt); age < minAge {
			reason := fmt.Sprintf("account %s first seen %s ago (posts accepted after %s)", a.Signer.Acct(), age.Round(time.Minute), minAge)
			if hold != nil {
				err := hold(ctx, a, reason)
				if err == nil {
					return Drop("held for review: " + reason)
				}
				return Drop(reason + "; could not hold it: " + err.Error())
			}
			return Drop(reason)
		}
		return Accept()
	}))
}

// SuspendedAccountPolicy refuses the activities of remote accounts a
// moderator suspended, as Mastodon does: their posts, follows, likes and
// boosts are not taken in. A Delete (of the actor or of its posts) and an
// Undo are still accepted, so that what the account removes goes away here
// too.
func SuspendedAccountPolicy() Policy {
	return Named("suspended-account", PolicyFunc(func(_ context.Context, a *Activity) Decision {
		if a.Signer == nil || a.Signer.SuspendedAt == nil {
			return Accept()
		}
		switch a.Type() {
		case ap.TypeDelete, ap.TypeUndo:
			return Accept()
		}
		return Reject("this account is suspended on this server")
	}))
}
