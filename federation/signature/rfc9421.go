package signature

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dunglas/httpsfv"
)

// MaxSignatures bounds the number of labelled RFC 9421 signatures accepted in
// one request.
const MaxSignatures = 8

// Component is one covered component of an RFC 9421 signature: a lowercase
// field name or a derived component ("@method", "@target-uri" …) with its
// parameters.
type Component struct {
	// Name is the component name, e.g. "@method" or "content-digest".
	Name string
	// Key is the value of the "key" parameter (a dictionary member), if any.
	Key string
	// QueryName is the "name" parameter of "@query-param", if any.
	QueryName string
	// SF, BS, Req and Tr report the boolean parameters of the same names.
	SF, BS, Req, Tr bool

	id string // serialized component identifier, e.g. `"@query-param";name="Pet"`
}

// Identifier returns the serialized component identifier as it appears in
// the signature base, e.g. `"@method"` or `"@query-param";name="Pet"`.
func (c Component) Identifier() string { return c.id }

// RFC9421Signature is one labelled signature from the Signature-Input and
// Signature fields of an RFC 9421 message.
type RFC9421Signature struct {
	// Label is the dictionary key, e.g. "sig1".
	Label string
	// Components are the covered components, in order.
	Components []Component
	// KeyID, Alg, Nonce and Tag are the signature parameters of those names
	// (empty if absent).
	KeyID, Alg, Nonce, Tag string
	// Created and Expires are the created / expires parameters; zero if absent.
	Created, Expires time.Time
	// Signature is the signature value from the Signature field (nil when
	// parsed from Signature-Input alone).
	Signature []byte

	params string // serialized @signature-params value
}

// SignatureParams returns the serialized "@signature-params" value, the last
// line of the signature base.
func (s *RFC9421Signature) SignatureParams() string { return s.params }

// Covers reports whether the signature covers the named component (without
// parameters).
func (s *RFC9421Signature) Covers(name string) bool {
	for _, c := range s.Components {
		if c.Name == name && c.Key == "" && c.QueryName == "" && !c.Req {
			return true
		}
	}
	return false
}

// ParseSignatureInput parses the values of the Signature-Input field into its
// labelled signatures (without signature values). Errors wrap ErrMalformed.
func ParseSignatureInput(values []string) ([]*RFC9421Signature, error) {
	if err := checkFieldLen("Signature-Input", values); err != nil {
		return nil, err
	}
	dict, err := httpsfv.UnmarshalDictionary(values)
	if err != nil {
		return nil, fmt.Errorf("%w: Signature-Input: %v", ErrMalformed, err)
	}
	names := dict.Names()
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: Signature-Input is empty", ErrMalformed)
	}
	if len(names) > MaxSignatures {
		return nil, fmt.Errorf("%w: %d signatures exceed %d", ErrMalformed, len(names), MaxSignatures)
	}
	out := make([]*RFC9421Signature, 0, len(names))
	for _, label := range names {
		m, _ := dict.Get(label)
		il, ok := m.(httpsfv.InnerList)
		if !ok {
			return nil, fmt.Errorf("%w: Signature-Input %q is not an inner list", ErrMalformed, label)
		}
		sig, err := parseInnerList(label, il)
		if err != nil {
			return nil, err
		}
		out = append(out, sig)
	}
	return out, nil
}

// ParseRFC9421 parses the Signature-Input and Signature field values of a
// message and pairs them by label. Every label of Signature-Input must have a
// byte-sequence value in Signature. Errors wrap ErrMalformed.
func ParseRFC9421(signatureInput, signature []string) ([]*RFC9421Signature, error) {
	sigs, err := ParseSignatureInput(signatureInput)
	if err != nil {
		return nil, err
	}
	if err := checkFieldLen("Signature", signature); err != nil {
		return nil, err
	}
	dict, err := httpsfv.UnmarshalDictionary(signature)
	if err != nil {
		return nil, fmt.Errorf("%w: Signature: %v", ErrMalformed, err)
	}
	for _, s := range sigs {
		m, ok := dict.Get(s.Label)
		if !ok {
			return nil, fmt.Errorf("%w: no Signature value for label %q", ErrMalformed, s.Label)
		}
		item, ok := m.(httpsfv.Item)
		if !ok {
			return nil, fmt.Errorf("%w: Signature %q is not an item", ErrMalformed, s.Label)
		}
		b, ok := item.Value.([]byte)
		if !ok || len(b) == 0 {
			return nil, fmt.Errorf("%w: Signature %q is not a byte sequence", ErrMalformed, s.Label)
		}
		s.Signature = b
	}
	return sigs, nil
}

func checkFieldLen(field string, values []string) error {
	n := 0
	for _, v := range values {
		n += len(v) + 2
	}
	if n > MaxHeaderLen {
		return fmt.Errorf("%w: %s field of %d bytes exceeds %d", ErrMalformed, field, n, MaxHeaderLen)
	}
	return nil
}

func parseInnerList(label string, il httpsfv.InnerList) (*RFC9421Signature, error) {
	if len(il.Items) > MaxCoveredComponents {
		return nil, fmt.Errorf("%w: %q covers %d components, more than %d", ErrMalformed, label, len(il.Items), MaxCoveredComponents)
	}
	s := &RFC9421Signature{Label: label}
	seen := make(map[string]bool, len(il.Items))
	for _, it := range il.Items {
		c, err := parseComponent(it)
		if err != nil {
			return nil, fmt.Errorf("%w (signature %q)", err, label)
		}
		if seen[c.id] {
			return nil, fmt.Errorf("%w: %q covers %s twice", ErrMalformed, label, c.id)
		}
		seen[c.id] = true
		s.Components = append(s.Components, c)
	}
	if il.Params != nil {
		for _, name := range il.Params.Names() {
			v, _ := il.Params.Get(name)
			var err error
			switch name {
			case "created", "expires":
				n, ok := v.(int64)
				if !ok || n < 0 {
					err = fmt.Errorf("%w: %q parameter %s is not a non-negative integer", ErrMalformed, label, name)
					break
				}
				if name == "created" {
					s.Created = time.Unix(n, 0)
				} else {
					s.Expires = time.Unix(n, 0)
				}
			case "keyid", "alg", "nonce", "tag":
				str, ok := v.(string)
				if !ok {
					err = fmt.Errorf("%w: %q parameter %s is not a string", ErrMalformed, label, name)
					break
				}
				switch name {
				case "keyid":
					s.KeyID = str
				case "alg":
					s.Alg = str
				case "nonce":
					s.Nonce = str
				case "tag":
					s.Tag = str
				}
			}
			if err != nil {
				return nil, err
			}
		}
	}
	params, err := httpsfv.Marshal(il)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: cannot serialize signature parameters: %v", ErrMalformed, label, err)
	}
	s.params = params
	return s, nil
}

func parseComponent(it httpsfv.Item) (Component, error) {
	name, ok := it.Value.(string)
	if !ok {
		return Component{}, fmt.Errorf("%w: component identifier is not a string", ErrMalformed)
	}
	if name == "" || name != strings.ToLower(name) {
		return Component{}, fmt.Errorf("%w: component name %q must be non-empty lowercase", ErrMalformed, name)
	}
	c := Component{Name: name}
	if it.Params != nil {
		for _, p := range it.Params.Names() {
			v, _ := it.Params.Get(p)
			switch p {
			case "sf", "bs", "req", "tr":
				b, ok := v.(bool)
				if !ok {
					return Component{}, fmt.Errorf("%w: component %q parameter %s is not a boolean", ErrMalformed, name, p)
				}
				switch p {
				case "sf":
					c.SF = b
				case "bs":
					c.BS = b
				case "req":
					c.Req = b
				case "tr":
					c.Tr = b
				}
			case "key", "name":
				str, ok := v.(string)
				if !ok {
					return Component{}, fmt.Errorf("%w: component %q parameter %s is not a string", ErrMalformed, name, p)
				}
				if p == "key" {
					c.Key = str
				} else {
					c.QueryName = str
				}
			default:
				return Component{}, fmt.Errorf("%w: component %q has unknown parameter %q", ErrMalformed, name, p)
			}
		}
	}
	id, err := httpsfv.Marshal(it)
	if err != nil {
		return Component{}, fmt.Errorf("%w: component %q: %v", ErrMalformed, name, err)
	}
	c.id = id
	return c, nil
}

// messageContext supplies what the signature base needs beyond the request:
// the public scheme and authority of the target URI.
type messageContext struct {
	scheme    string // lowercase, e.g. "https"
	authority string // normalized host[:port]
}

// normalizeAuthority lowercases host and removes the scheme's default port.
func normalizeAuthority(scheme, host string) string {
	host = strings.ToLower(host)
	switch {
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	}
	return host
}

// signatureBase builds the RFC 9421 signature base of sig over request r.
func signatureBase(r *http.Request, mc messageContext, sig *RFC9421Signature) (string, error) {
	var b strings.Builder
	b.Grow(512)
	for _, c := range sig.Components {
		if err := writeComponent(&b, r, mc, c); err != nil {
			return "", err
		}
	}
	b.WriteString(`"@signature-params": `)
	b.WriteString(sig.params)
	return b.String(), nil
}

func writeLine(b *strings.Builder, id, value string) {
	b.WriteString(id)
	b.WriteString(": ")
	b.WriteString(value)
	b.WriteByte('\n')
}

func writeComponent(b *strings.Builder, r *http.Request, mc messageContext, c Component) error {
	if c.Req || c.Tr {
		return fmt.Errorf("%w: component %s (req/tr parameters) is not supported on requests", ErrMalformed, c.id)
	}
	if strings.HasPrefix(c.Name, "@") {
		if c.SF || c.BS || c.Key != "" || (c.QueryName != "" && c.Name != "@query-param") {
			return fmt.Errorf("%w: derived component %s has field parameters", ErrMalformed, c.id)
		}
		target := requestTarget(r)
		path, query, _ := strings.Cut(target, "?")
		var v string
		switch c.Name {
		case "@method":
			v = r.Method
		case "@target-uri":
			v = mc.scheme + "://" + mc.authority + target
		case "@authority":
			v = mc.authority
		case "@scheme":
			v = mc.scheme
		case "@request-target":
			v = target
		case "@path":
			v = path
			if v == "" {
				v = "/"
			}
		case "@query":
			v = "?" + query
		case "@query-param":
			if c.QueryName == "" {
				return fmt.Errorf("%w: %s needs a name parameter", ErrMalformed, c.id)
			}
			return writeQueryParams(b, c, query)
		case "@status":
			return fmt.Errorf("%w: @status is not available on requests", ErrMalformed)
		default:
			return fmt.Errorf("%w: unknown derived component %s", ErrMalformed, c.id)
		}
		writeLine(b, c.id, v)
		return nil
	}
	if c.QueryName != "" {
		return fmt.Errorf("%w: field %s has a name parameter", ErrMalformed, c.id)
	}
	var vals []string
	if c.Name == "host" {
		if mc.authority != "" {
			vals = []string{mc.authority}
		}
	} else {
		vals = r.Header.Values(c.Name)
	}
	if len(vals) == 0 {
		return fmt.Errorf("%w: field %q is covered but absent from the request", ErrMissingHeaders, c.Name)
	}
	switch {
	case c.BS:
		if c.SF || c.Key != "" {
			return fmt.Errorf("%w: %s combines bs with sf/key", ErrMalformed, c.id)
		}
		var sb strings.Builder
		for i, v := range vals {
			if i > 0 {
				sb.WriteString(", ")
			}
			s, err := httpsfv.Marshal(httpsfv.NewItem([]byte(strings.TrimSpace(v))))
			if err != nil {
				return fmt.Errorf("%w: %s: %v", ErrMalformed, c.id, err)
			}
			sb.WriteString(s)
		}
		writeLine(b, c.id, sb.String())
	case c.Key != "":
		dict, err := httpsfv.UnmarshalDictionary(vals)
		if err != nil {
			return fmt.Errorf("%w: %s: field is not a dictionary: %v", ErrMalformed, c.id, err)
		}
		m, ok := dict.Get(c.Key)
		if !ok {
			return fmt.Errorf("%w: %s: dictionary has no member %q", ErrMissingHeaders, c.id, c.Key)
		}
		s, err := marshalMember(m)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrMalformed, c.id, err)
		}
		writeLine(b, c.id, s)
	case c.SF:
		s, err := reserializeStructured(vals)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrMalformed, c.id, err)
		}
		writeLine(b, c.id, s)
	default:
		var sb strings.Builder
		for i, v := range vals {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(strings.TrimSpace(v))
		}
		writeLine(b, c.id, sb.String())
	}
	return nil
}

func marshalMember(m httpsfv.Member) (string, error) {
	switch v := m.(type) {
	case httpsfv.Item:
		return httpsfv.Marshal(v)
	case httpsfv.InnerList:
		return httpsfv.Marshal(v)
	default:
		return "", fmt.Errorf("unexpected member type %T", m)
	}
}

// reserializeStructured applies the "sf" parameter without a registry of field
// types: a field that parses as a dictionary is serialized as one, else as a
// list, else as an item.
func reserializeStructured(vals []string) (string, error) {
	if d, err := httpsfv.UnmarshalDictionary(vals); err == nil {
		return httpsfv.Marshal(d)
	}
	if l, err := httpsfv.UnmarshalList(vals); err == nil {
		return httpsfv.Marshal(l)
	}
	it, err := httpsfv.UnmarshalItem(vals)
	if err != nil {
		return "", fmt.Errorf("field is not a structured field: %v", err)
	}
	return httpsfv.Marshal(it)
}

// writeQueryParams writes one line per occurrence of the named query
// parameter, names and values decoded and re-encoded (RFC 9421 §2.2.8).
func writeQueryParams(b *strings.Builder, c Component, rawQuery string) error {
	want, err := url.QueryUnescape(c.QueryName)
	if err != nil {
		return fmt.Errorf("%w: %s: bad name encoding", ErrMalformed, c.id)
	}
	found := false
	for pair := range strings.SplitSeq(rawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		if dk != want {
			continue
		}
		found = true
		writeLine(b, c.id, percentEncode(dv))
	}
	if !found {
		return fmt.Errorf("%w: query parameter %q is covered but absent", ErrMissingHeaders, want)
	}
	return nil
}

// percentEncode encodes every byte except RFC 3986 unreserved characters.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
