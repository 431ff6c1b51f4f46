package mastoapi

import (
	"slices"
	"strings"
)

// Scopes is a set of OAuth scopes as granted to a token or registered by an
// application.
type Scopes []string

// knownScopes lists every scope Mastodon defines.
var knownScopes = []string{
	"read", "write", "follow", "push", "profile", "admin:read", "admin:write",
	"read:accounts", "read:blocks", "read:bookmarks", "read:favourites", "read:filters",
	"read:follows", "read:lists", "read:mutes", "read:notifications", "read:search", "read:statuses",
	"write:accounts", "write:blocks", "write:bookmarks", "write:conversations", "write:favourites",
	"write:filters", "write:follows", "write:lists", "write:media", "write:mutes",
	"write:notifications", "write:reports", "write:statuses",
	"admin:read:accounts", "admin:read:reports", "admin:read:domain_allows", "admin:read:domain_blocks",
	"admin:read:ip_blocks", "admin:read:email_domain_blocks", "admin:read:canonical_email_blocks",
	"admin:write:accounts", "admin:write:reports", "admin:write:domain_allows", "admin:write:domain_blocks",
	"admin:write:ip_blocks", "admin:write:email_domain_blocks", "admin:write:canonical_email_blocks",
}

var knownScopeSet = func() map[string]bool {
	m := make(map[string]bool, len(knownScopes))
	for _, s := range knownScopes {
		m[s] = true
	}
	return m
}()

// followScopes are what the legacy "follow" scope grants.
var followScopes = map[string]bool{
	"read:follows": true, "write:follows": true, "read:blocks": true,
	"write:blocks": true, "read:mutes": true, "write:mutes": true,
}

// ParseScopes splits a space-separated scope string (also accepting "+" and
// commas, which some clients send), dropping duplicates.
func ParseScopes(s string) Scopes {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '+' || r == ',' || r == '\t' || r == '\n' || r == '\r'
	})
	out := make(Scopes, 0, len(f))
	for _, x := range f {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// String joins the scopes with spaces.
func (s Scopes) String() string { return strings.Join(s, " ") }

// Valid reports whether every scope is one Mastodon knows.
func (s Scopes) Valid() bool {
	for _, x := range s {
		if !knownScopeSet[x] {
			return false
		}
	}
	return len(s) > 0
}

// grants reports whether holding scope have grants scope want: equal, a parent
// of it (read ⊇ read:accounts, admin:read ⊇ admin:read:reports), or the
// legacy follow scope for the follow/block/mute sub-scopes.
func grants(have, want string) bool {
	if have == want {
		return true
	}
	if strings.HasPrefix(want, have+":") && (have == "read" || have == "write" || have == "admin:read" || have == "admin:write") {
		return true
	}
	return have == "follow" && followScopes[want]
}

// Allows reports whether s grants want.
func (s Scopes) Allows(want string) bool {
	for _, h := range s {
		if grants(h, want) {
			return true
		}
	}
	return false
}

// AllowsAny reports whether s grants at least one of wants (true when wants
// is empty).
func (s Scopes) AllowsAny(wants ...string) bool {
	if len(wants) == 0 {
		return true
	}
	for _, w := range wants {
		if s.Allows(w) {
			return true
		}
	}
	return false
}

// Covers reports whether s grants every scope of other (requested scopes
// must be covered by the application's).
func (s Scopes) Covers(other Scopes) bool {
	for _, o := range other {
		if !s.Allows(o) {
			return false
		}
	}
	return true
}
