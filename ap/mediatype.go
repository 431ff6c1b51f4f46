package ap

import "strings"

// Media types of ActivityPub documents.
const (
	// MediaTypeActivityJSON is the ActivityPub media type; Herd sends it as
	// Content-Type and Accept.
	MediaTypeActivityJSON = "application/activity+json"
	// MediaTypeLDJSON is the JSON-LD media type with the Activity Streams
	// profile, equivalent to MediaTypeActivityJSON.
	MediaTypeLDJSON = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
	// AcceptHeader is the Accept value for fetching ActivityPub documents.
	AcceptHeader = MediaTypeActivityJSON + ", " + MediaTypeLDJSON
)

// IsActivityPubMediaType reports whether contentType (a Content-Type value or
// one media range of an Accept header) denotes an ActivityPub document:
// application/activity+json with any parameters, or application/ld+json
// whose profile parameter (quoted or not, among other parameters in any
// order, possibly a space-separated list) includes the Activity Streams
// namespace. Type names and parameter names are case-insensitive.
func IsActivityPubMediaType(contentType string) bool {
	mt, params, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch mt {
	case "application/activity+json":
		return true
	case "application/ld+json":
	default:
		return false
	}
	for params != "" {
		var name, value string
		name, value, params = nextParam(params)
		if name == "profile" {
			for p := range strings.FieldsSeq(value) {
				if strings.TrimSuffix(p, "#") == ActivityStreamsContext {
					return true
				}
			}
		}
	}
	return false
}

// nextParam splits the first "name=value" off a parameter list (after a ';'),
// unquoting a quoted value; it returns the rest after the next ';'.
func nextParam(s string) (name, value, rest string) {
	s = strings.TrimLeft(s, " \t")
	eq := strings.IndexAny(s, "=;")
	if eq < 0 || s[eq] == ';' {
		if eq < 0 {
			return strings.ToLower(strings.TrimSpace(s)), "", ""
		}
		return strings.ToLower(strings.TrimSpace(s[:eq])), "", s[eq+1:]
	}
	name = strings.ToLower(strings.TrimSpace(s[:eq]))
	s = strings.TrimLeft(s[eq+1:], " \t")
	if !strings.HasPrefix(s, `"`) {
		value, rest, _ = strings.Cut(s, ";")
		return name, strings.TrimSpace(value), rest
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			_, rest, _ = strings.Cut(s[i+1:], ";")
			return name, b.String(), rest
		default:
			b.WriteByte(c)
		}
	}
	return name, b.String(), "" // unterminated quote: take what there is
}

// AcceptsActivityPub reports whether an Accept header asks for an ActivityPub
// document: one of its media ranges is an ActivityPub media type (see
// IsActivityPubMediaType) with a non-zero quality. Wildcards such as */* do
// not count, so browsers get HTML.
func AcceptsActivityPub(accept string) bool {
	for accept != "" {
		var part string
		part, accept = nextRange(accept)
		if !IsActivityPubMediaType(part) {
			continue
		}
		if _, params, ok := strings.Cut(part, ";"); ok {
			q := ""
			for params != "" {
				var name, value string
				name, value, params = nextParam(params)
				if name == "q" {
					q = value
				}
			}
			if q != "" && strings.Trim(q, "0.") == "" {
				continue // q=0: explicitly not acceptable
			}
		}
		return true
	}
	return false
}

// nextRange splits off the first comma-separated media range, ignoring commas
// inside quoted strings.
func nextRange(s string) (part, rest string) {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if inQuote {
				i++
			}
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}
