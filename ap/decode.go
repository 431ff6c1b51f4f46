package ap

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Decoding errors. Every error returned by Decode wraps exactly one of them
// (test with errors.Is) and names the offending property path.
var (
	// ErrSyntax: the input is not well-formed JSON (RFC 8259) or not UTF-8.
	ErrSyntax = errors.New("ap: invalid JSON")
	// ErrNotObject: the top-level JSON value is not an object.
	ErrNotObject = errors.New("ap: top-level value is not a JSON object")
	// ErrTooDeep: the document nests deeper than DecodeOptions.MaxDepth.
	ErrTooDeep = errors.New("ap: document nested too deeply")
	// ErrTooLarge: the document exceeds DecodeOptions.MaxBytes, or an array
	// exceeds DecodeOptions.MaxArrayLen.
	ErrTooLarge = errors.New("ap: document too large")
	// ErrInvalidValue: a known property has a value of the wrong JSON type
	// (a number for "content") or an unparsable value (a bad datetime).
	ErrInvalidValue = errors.New("ap: invalid property value")
)

// Default decoding limits.
const (
	DefaultMaxDepth    = 32
	DefaultMaxBytes    = 1 << 20 // 1 MiB, as Mastodon for inbound JSON-LD
	DefaultMaxArrayLen = 10000
)

// DecodeOptions bounds what Decode accepts. A nil *DecodeOptions, or a zero
// field, means the default.
type DecodeOptions struct {
	// MaxDepth is the deepest nesting of objects and arrays accepted; the
	// top-level object is depth 1. Default DefaultMaxDepth.
	MaxDepth int
	// MaxBytes is the largest document accepted. Default DefaultMaxBytes.
	MaxBytes int
	// MaxArrayLen is the most elements any one array may hold. Default
	// DefaultMaxArrayLen.
	MaxArrayLen int
}

// Decode parses an ActivityStreams JSON(-LD) document as peers send it and
// returns the top-level object, with the default limits. See DecodeWith.
func Decode(data []byte) (*Object, error) { return DecodeWith(data, nil) }

// DecodeWith parses an ActivityStreams JSON(-LD) document.
//
// It accepts any "@context" (kept raw in LDContext), single values or arrays
// for every property, embedded objects or bare IRIs, and any type name;
// properties it does not model are kept in Object.Unknown. It rejects input
// that is not strict JSON (ErrSyntax), a top level that is not an object
// (ErrNotObject), documents beyond the limits (ErrTooDeep, ErrTooLarge) and
// known properties of the wrong JSON type (ErrInvalidValue). A JSON null is
// treated as an absent property.
//
// Decode performs no semantic checks: call (*Object).Validate or
// (*Object).ValidateActivity on what it returns. The returned object's
// strings share one copy of data (data itself is not retained).
func DecodeWith(data []byte, opts *DecodeOptions) (*Object, error) {
	d := decoder{maxDepth: DefaultMaxDepth, maxBytes: DefaultMaxBytes, maxArray: DefaultMaxArrayLen}
	if opts != nil {
		if opts.MaxDepth > 0 {
			d.maxDepth = opts.MaxDepth
		}
		if opts.MaxBytes > 0 {
			d.maxBytes = opts.MaxBytes
		}
		if opts.MaxArrayLen > 0 {
			d.maxArray = opts.MaxArrayLen
		}
	}
	if len(data) > d.maxBytes {
		return nil, fmt.Errorf("%w: %d bytes exceeds the limit of %d", ErrTooLarge, len(data), d.maxBytes)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: input is not valid UTF-8", ErrSyntax)
	}
	d.s = string(data)
	d.ws()
	switch d.peek() {
	case '{':
	case '[', '"', 't', 'f', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if err := d.skip(1); err != nil {
			return nil, err
		}
		return nil, ErrNotObject
	case 0:
		return nil, fmt.Errorf("%w: empty input", ErrSyntax)
	default:
		return nil, d.syntax("value")
	}
	o, err := d.object(1)
	if err != nil {
		return nil, err
	}
	d.ws()
	if d.pos < len(d.s) {
		return nil, d.syntax("end of input")
	}
	return o, nil
}

// UnmarshalJSON decodes data into o with the default limits (see Decode).
func (o *Object) UnmarshalJSON(data []byte) error {
	v, err := Decode(data)
	if err != nil {
		return err
	}
	*o = *v
	return nil
}

var _ json.Unmarshaler = (*Object)(nil)

// decoder is a single-pass, strict JSON parser that fills Objects directly,
// without an intermediate tree.
type decoder struct {
	s                            string
	pos                          int
	maxDepth, maxBytes, maxArray int
}

func (d *decoder) ws() {
	for d.pos < len(d.s) {
		switch d.s[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek returns the next byte (after whitespace has been skipped), or 0 at
// the end of input.
func (d *decoder) peek() byte {
	if d.pos < len(d.s) {
		return d.s[d.pos]
	}
	return 0
}

func (d *decoder) syntax(want string) error {
	if d.pos >= len(d.s) {
		return fmt.Errorf("%w: unexpected end of input, expected %s", ErrSyntax, want)
	}
	return fmt.Errorf("%w: unexpected %q at offset %d, expected %s", ErrSyntax, d.s[d.pos], d.pos, want)
}

func kindOf(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// typeErr reports a known property holding the wrong kind of JSON value.
// The value is skipped first so that syntax errors take precedence.
func (d *decoder) typeErr(want string, depth int) error {
	c := d.peek()
	if err := d.skip(depth); err != nil {
		return err
	}
	return fmt.Errorf("%w: expected %s, got %s", ErrInvalidValue, want, kindOf(c))
}

// nextKey advances to the next member of an object whose '{' has been
// consumed. It returns ok=false after consuming the closing '}'.
func (d *decoder) nextKey(first bool) (key string, ok bool, err error) {
	d.ws()
	if c := d.peek(); c == '}' {
		d.pos++
		return "", false, nil
	} else if !first {
		if c != ',' {
			return "", false, d.syntax("',' or '}'")
		}
		d.pos++
		d.ws()
	}
	if d.peek() != '"' {
		return "", false, d.syntax("object key")
	}
	if key, err = d.str(); err != nil {
		return "", false, err
	}
	d.ws()
	if d.peek() != ':' {
		return "", false, d.syntax("':'")
	}
	d.pos++
	d.ws()
	return key, true, nil
}

// nextElem advances to the next element of an array whose '[' has been
// consumed, counting elements against the array limit. It returns ok=false
// after consuming the closing ']'.
func (d *decoder) nextElem(n int) (ok bool, err error) {
	d.ws()
	if c := d.peek(); c == ']' {
		d.pos++
		return false, nil
	} else if n > 0 {
		if c != ',' {
			return false, d.syntax("',' or ']'")
		}
		d.pos++
		d.ws()
	}
	if n >= d.maxArray {
		return false, fmt.Errorf("%w: array longer than %d elements", ErrTooLarge, d.maxArray)
	}
	return true, nil
}

// enter checks the nesting depth of a value about to be opened at depth.
func (d *decoder) enter(depth int) error {
	if depth > d.maxDepth {
		return fmt.Errorf("%w: more than %d levels", ErrTooDeep, d.maxDepth)
	}
	return nil
}

// str parses a JSON string at the current position. Strings without
// escapes are substrings of the input copy and cost no allocation.
func (d *decoder) str() (string, error) {
	start := d.pos + 1
	for i := start; i < len(d.s); i++ {
		switch c := d.s[i]; {
		case c == '"':
			d.pos = i + 1
			return d.s[start:i], nil
		case c == '\\':
			return d.strSlow(start, i)
		case c < 0x20:
			d.pos = i
			return "", d.syntax("string character (control characters must be escaped)")
		}
	}
	d.pos = len(d.s)
	return "", d.syntax("closing '\"'")
}

func (d *decoder) strSlow(start, i int) (string, error) {
	buf := make([]byte, 0, i-start+16)
	buf = append(buf, d.s[start:i]...)
	for i < len(d.s) {
		c := d.s[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(buf), nil
		case c < 0x20:
			d.pos = i
			return "", d.syntax("string character (control characters must be escaped)")
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(d.s) {
			d.pos = len(d.s)
			return "", d.syntax("escape sequence")
		}
		e := d.s[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(d.s, i)
			if !ok {
				d.pos = i
				return "", d.syntax("4 hex digits after \\u")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				// A valid pair combines; a lone surrogate becomes U+FFFD.
				if i+6 <= len(d.s) && d.s[i] == '\\' && d.s[i+1] == 'u' {
					if r2, ok := hex4(d.s, i+2); ok {
						if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
							buf = utf8.AppendRune(buf, c)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			buf = utf8.AppendRune(buf, r)
		default:
			d.pos = i - 1
			return "", d.syntax("valid escape character")
		}
	}
	d.pos = len(d.s)
	return "", d.syntax("closing '\"'")
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// skipStr validates and skips a string without building it.
func (d *decoder) skipStr() error {
	for i := d.pos + 1; i < len(d.s); i++ {
		switch c := d.s[i]; {
		case c == '"':
			d.pos = i + 1
			return nil
		case c < 0x20:
			d.pos = i
			return d.syntax("string character (control characters must be escaped)")
		case c == '\\':
			if i+1 >= len(d.s) {
				d.pos = len(d.s)
				return d.syntax("escape sequence")
			}
			switch d.s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if _, ok := hex4(d.s, i+2); !ok {
					d.pos = i + 2
					return d.syntax("4 hex digits after \\u")
				}
				i += 5
			default:
				d.pos = i + 1
				return d.syntax("valid escape character")
			}
		}
	}
	d.pos = len(d.s)
	return d.syntax("closing '\"'")
}

// number parses a JSON number strictly (RFC 8259 grammar) and returns its text.
func (d *decoder) number() (string, error) {
	s, i := d.s, d.pos
	digits := func() bool {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		digits()
	default:
		d.pos = i
		return "", d.syntax("digit")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			d.pos = i
			return "", d.syntax("digit after '.'")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			d.pos = i
			return "", d.syntax("digit in exponent")
		}
	}
	n := s[d.pos:i]
	d.pos = i
	return n, nil
}

func (d *decoder) literal(lit string) error {
	if strings.HasPrefix(d.s[d.pos:], lit) {
		d.pos += len(lit)
		return nil
	}
	return d.syntax("value")
}

// skip validates and skips any value; depth is the depth the value would be at.
func (d *decoder) skip(depth int) error {
	switch d.peek() {
	case '"':
		return d.skipStr()
	case '{':
		if err := d.enter(depth); err != nil {
			return err
		}
		d.pos++
		for first := true; ; first = false {
			_, ok, err := d.nextKey(first)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
	case '[':
		if err := d.enter(depth); err != nil {
			return err
		}
		d.pos++
		for n := 0; ; n++ {
			ok, err := d.nextElem(n)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	default:
		_, err := d.number()
		return err
	}
}

// raw validates and captures any value as compact JSON.
func (d *decoder) raw(depth int) (json.RawMessage, error) {
	start := d.pos
	if err := d.skip(depth); err != nil {
		return nil, err
	}
	return compact(d.s[start:d.pos]), nil
}

// compact copies a valid JSON text, dropping whitespace outside strings.
func compact(s string) json.RawMessage {
	out := make([]byte, 0, len(s))
	inStr := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inStr {
			out = append(out, c)
			if c == '\\' {
				i++
				out = append(out, s[i])
			} else if c == '"' {
				inStr = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inStr = true
		}
		out = append(out, c)
	}
	return out
}

// --- typed property readers; each treats null as absent ---

func (d *decoder) null() bool {
	if d.peek() == 'n' && strings.HasPrefix(d.s[d.pos:], "null") {
		d.pos += 4
		return true
	}
	return false
}

func (d *decoder) stringVal(dst *string, depth int) error {
	switch d.peek() {
	case '"':
		s, err := d.str()
		*dst = s
		return err
	case 'n':
		if d.null() {
			return nil
		}
	}
	return d.typeErr("string", depth)
}

func (d *decoder) boolVal(dst *bool, depth int) error {
	switch d.peek() {
	case 't':
		*dst = true
		return d.literal("true")
	case 'f':
		*dst = false
		return d.literal("false")
	case 'n':
		if d.null() {
			return nil
		}
	}
	return d.typeErr("boolean", depth)
}

func (d *decoder) intVal(dst *int, depth int) error {
	c := d.peek()
	if c == 'n' && d.null() {
		return nil
	}
	if c != '-' && (c < '0' || c > '9') {
		return d.typeErr("integer", depth)
	}
	n, err := d.number()
	if err != nil {
		return err
	}
	if v, err := strconv.ParseInt(n, 10, 64); err == nil {
		*dst = int(v)
		return nil
	}
	// Tolerate integral floats such as 1080.0 or 1e3.
	f, err := strconv.ParseFloat(n, 64)
	if err != nil || f != float64(int64(f)) || f > 1<<53 || f < -(1<<53) {
		return fmt.Errorf("%w: %s is not an integer", ErrInvalidValue, n)
	}
	*dst = int(f)
	return nil
}

func (d *decoder) intPtr(dst **int, depth int) error {
	if d.null() {
		return nil
	}
	var v int
	if err := d.intVal(&v, depth); err != nil {
		return err
	}
	*dst = &v
	return nil
}

// timeLayouts are tried in order; the first is RFC 3339 as everyone sends it.
var timeLayouts = [...]string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"}

func parseTime(s string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if y := t.UTC().Year(); y < 1 || y > 9999 {
				return time.Time{}, false
			}
			return t, true
		}
	}
	return time.Time{}, false
}

func (d *decoder) timeVal(dst *time.Time, depth int) error {
	var s string
	if err := d.stringVal(&s, depth); err != nil || s == "" {
		return err
	}
	t, ok := parseTime(s)
	if !ok {
		return fmt.Errorf("%w: %q is not an RFC 3339 datetime", ErrInvalidValue, s)
	}
	*dst = t
	return nil
}

func (d *decoder) langMap(dst *map[string]string, depth int) error {
	if d.null() {
		return nil
	}
	if d.peek() != '{' {
		return d.typeErr("object of language-tagged strings", depth)
	}
	if err := d.enter(depth); err != nil {
		return err
	}
	d.pos++
	m := make(map[string]string, 2)
	for first := true; ; first = false {
		k, ok, err := d.nextKey(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		var v string
		if err := d.stringVal(&v, depth+1); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		m[k] = v
	}
	*dst = m
	return nil
}

// ref reads an "object or IRI" value; arrays contribute their first element.
func (d *decoder) ref(dst *Ref, depth int) error {
	switch d.peek() {
	case '"':
		s, err := d.str()
		*dst = Ref{IRI: s}
		return err
	case '{':
		o, err := d.object(depth)
		*dst = Ref{Obj: o}
		return err
	case '[':
		var rs Refs
		if err := d.refs(&rs, depth); err != nil {
			return err
		}
		*dst = rs.First()
		return nil
	case 'n':
		if d.null() {
			return nil
		}
	}
	return d.typeErr("IRI or object", depth)
}

// refs reads a single "object or IRI" value or an array of them.
func (d *decoder) refs(dst *Refs, depth int) error {
	switch d.peek() {
	case '"', '{':
		var r Ref
		if err := d.ref(&r, depth); err != nil {
			return err
		}
		*dst = Refs{r}
		return nil
	case '[':
	case 'n':
		if d.null() {
			return nil
		}
		fallthrough
	default:
		return d.typeErr("IRI, object or array", depth)
	}
	if err := d.enter(depth); err != nil {
		return err
	}
	d.pos++
	var out Refs
	for n := 0; ; n++ {
		ok, err := d.nextElem(n)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch d.peek() {
		case '"', '{':
			var r Ref
			if err := d.ref(&r, depth+1); err != nil {
				return fmt.Errorf("[%d]: %w", n, err)
			}
			out = append(out, r)
		case 'n':
			if d.null() {
				continue
			}
			fallthrough
		default:
			return fmt.Errorf("[%d]: %w", n, d.typeErr("IRI or object", depth+1))
		}
	}
	*dst = out
	return nil
}

// iri reads a value that Herd only needs as an IRI (an embedded object
// contributes its id).
func (d *decoder) iri(dst *string, depth int) error {
	var r Ref
	if err := d.ref(&r, depth); err != nil {
		return err
	}
	*dst = r.ID()
	return nil
}

// iris reads one IRI or an array of them (embedded objects contribute their id).
func (d *decoder) iris(dst *[]string, depth int) error {
	var rs Refs
	if err := d.refs(&rs, depth); err != nil {
		return err
	}
	if len(rs) == 0 {
		return nil
	}
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		if id := r.ID(); id != "" {
			out = append(out, id)
		}
	}
	*dst = out
	return nil
}

// strs reads a string or an array of strings.
func (d *decoder) strs(dst *[]string, depth int) error {
	switch d.peek() {
	case '"':
		s, err := d.str()
		*dst = []string{s}
		return err
	case '[':
	case 'n':
		if d.null() {
			return nil
		}
		fallthrough
	default:
		return d.typeErr("string or array of strings", depth)
	}
	if err := d.enter(depth); err != nil {
		return err
	}
	d.pos++
	var out []string
	for n := 0; ; n++ {
		ok, err := d.nextElem(n)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		var s string
		if err := d.stringVal(&s, depth+1); err != nil {
			return fmt.Errorf("[%d]: %w", n, err)
		}
		out = append(out, s)
	}
	*dst = out
	return nil
}

func (d *decoder) floats(dst *[]float64, depth int) error {
	if d.null() {
		return nil
	}
	if d.peek() != '[' {
		return d.typeErr("array of numbers", depth)
	}
	if err := d.enter(depth); err != nil {
		return err
	}
	d.pos++
	out := make([]float64, 0, 2)
	for n := 0; ; n++ {
		ok, err := d.nextElem(n)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if c := d.peek(); c != '-' && (c < '0' || c > '9') {
			return fmt.Errorf("[%d]: %w", n, d.typeErr("number", depth+1))
		}
		num, err := d.number()
		if err != nil {
			return err
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return fmt.Errorf("[%d]: %w: %s out of range", n, ErrInvalidValue, num)
		}
		out = append(out, f)
	}
	*dst = out
	return nil
}

// types reads "type": a string or an array of strings.
func (d *decoder) types(o *Object, depth int) error {
	var ts []string
	if err := d.strs(&ts, depth); err != nil {
		return err
	}
	for i := range ts {
		ts[i] = normalizeType(ts[i])
	}
	if len(ts) > 0 {
		o.Type = ts[0]
	}
	if len(ts) > 1 {
		o.AltTypes = ts[1:]
	}
	return nil
}

// closed reads a poll's "closed": a datetime or a boolean.
func (d *decoder) closed(o *Object, depth int) error {
	switch d.peek() {
	case '"':
		return d.timeVal(&o.Closed, depth)
	case 't', 'f':
		return d.boolVal(&o.ClosedFlag, depth)
	case 'n':
		if d.null() {
			return nil
		}
	}
	return d.typeErr("datetime or boolean", depth)
}

func (d *decoder) source(o *Object, depth int) error {
	switch d.peek() {
	case '{':
	case '"': // some peers send the source text directly
		o.Source = &Source{}
		return d.stringVal(&o.Source.Content, depth)
	case 'n':
		if d.null() {
			return nil
		}
		fallthrough
	default:
		return d.typeErr("object", depth)
	}
	if err := d.enter(depth); err != nil {
		return err
	}
	d.pos++
	src := &Source{}
	for first := true; ; first = false {
		k, ok, err := d.nextKey(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch k {
		case "content":
			err = d.stringVal(&src.Content, depth+1)
		case "mediaType":
			err = d.stringVal(&src.MediaType, depth+1)
		default:
			err = d.skip(depth + 1)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	o.Source = src
	return nil
}

func (d *decoder) publicKey(o *Object, depth int) error {
	switch d.peek() {
	case '{':
		pk, err := d.publicKeyObj(depth)
		o.PublicKey = pk
		return err
	case '[': // several keys: keep the first
		if err := d.enter(depth); err != nil {
			return err
		}
		d.pos++
		for n := 0; ; n++ {
			ok, err := d.nextElem(n)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			if n > 0 || d.peek() != '{' {
				if err := d.skip(depth + 1); err != nil {
					return err
				}
				continue
			}
			if o.PublicKey, err = d.publicKeyObj(depth + 1); err != nil {
				return fmt.Errorf("[%d]: %w", n, err)
			}
		}
	case '"':
		o.PublicKey = &PublicKey{}
		return d.stringVal(&o.PublicKey.ID, depth)
	case 'n':
		if d.null() {
			return nil
		}
	}
	return d.typeErr("object", depth)
}

func (d *decoder) publicKeyObj(depth int) (*PublicKey, error) {
	if err := d.enter(depth); err != nil {
		return nil, err
	}
	d.pos++
	pk := &PublicKey{}
	for first := true; ; first = false {
		k, ok, err := d.nextKey(first)
		if err != nil {
			return nil, err
		}
		if !ok {
			return pk, nil
		}
		switch k {
		case "id":
			err = d.stringVal(&pk.ID, depth+1)
		case "owner":
			err = d.iri(&pk.Owner, depth+1)
		case "publicKeyPem":
			err = d.stringVal(&pk.PublicKeyPem, depth+1)
		default:
			var raw json.RawMessage
			if raw, err = d.raw(depth + 1); err == nil {
				if pk.Unknown == nil {
					pk.Unknown = make(map[string]json.RawMessage)
				}
				pk.Unknown[k] = raw
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
}

func (d *decoder) endpoints(o *Object, key string, depth int) error {
	if d.null() {
		return nil
	}
	if d.peek() != '{' {
		// endpoints may legally be an IRI; keep whatever it is verbatim.
		return d.unknown(o, key, depth)
	}
	if err := d.enter(depth); err != nil {
		return err
	}
	d.pos++
	ep := &Endpoints{}
	for first := true; ; first = false {
		k, ok, err := d.nextKey(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if k == "sharedInbox" {
			err = d.stringVal(&ep.SharedInbox, depth+1)
		} else {
			var raw json.RawMessage
			if raw, err = d.raw(depth + 1); err == nil {
				if ep.Unknown == nil {
					ep.Unknown = make(map[string]json.RawMessage)
				}
				ep.Unknown[k] = raw
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	o.Endpoints = ep
	return nil
}

func (d *decoder) unknown(o *Object, key string, depth int) error {
	raw, err := d.raw(depth)
	if err != nil {
		return err
	}
	if o.Unknown == nil {
		o.Unknown = make(map[string]json.RawMessage, 4)
	}
	o.Unknown[key] = raw
	return nil
}

// object decodes a JSON object at depth into an Object.
func (d *decoder) object(depth int) (*Object, error) {
	if err := d.enter(depth); err != nil {
		return nil, err
	}
	d.pos++ // '{'
	o := &Object{}
	in := depth + 1
	for first := true; ; first = false {
		key, ok, err := d.nextKey(first)
		if err != nil {
			return nil, err
		}
		if !ok {
			return o, nil
		}
		switch key {
		case "@context":
			o.LDContext, err = d.raw(in)
		case "id", "@id":
			err = d.stringVal(&o.ID, in)
		case "type", "@type":
			err = d.types(o, in)
		case "name":
			err = d.stringVal(&o.Name, in)
		case "nameMap":
			err = d.langMap(&o.NameMap, in)
		case "summary":
			err = d.stringVal(&o.Summary, in)
		case "summaryMap":
			err = d.langMap(&o.SummaryMap, in)
		case "content":
			err = d.stringVal(&o.Content, in)
		case "contentMap":
			err = d.langMap(&o.ContentMap, in)
		case "mediaType":
			err = d.stringVal(&o.MediaType, in)
		case "source":
			err = d.source(o, in)
		case "attributedTo":
			err = d.refs(&o.AttributedTo, in)
		case "inReplyTo":
			err = d.ref(&o.InReplyTo, in)
		case "context":
			err = d.ref(&o.Context, in)
		case "published":
			err = d.timeVal(&o.Published, in)
		case "updated":
			err = d.timeVal(&o.Updated, in)
		case "startTime":
			err = d.timeVal(&o.StartTime, in)
		case "endTime":
			err = d.timeVal(&o.EndTime, in)
		case "url":
			err = d.refs(&o.URL, in)
		case "to":
			err = d.iris(&o.To, in)
		case "cc":
			err = d.iris(&o.Cc, in)
		case "bto":
			err = d.iris(&o.Bto, in)
		case "bcc":
			err = d.iris(&o.Bcc, in)
		case "audience":
			err = d.iris(&o.Audience, in)
		case "attachment":
			err = d.refs(&o.Attachment, in)
		case "tag":
			err = d.refs(&o.Tag, in)
		case "icon":
			err = d.refs(&o.Icon, in)
		case "image":
			err = d.refs(&o.Image, in)
		case "replies":
			err = d.ref(&o.Replies, in)
		case "likes":
			err = d.ref(&o.Likes, in)
		case "shares":
			err = d.ref(&o.Shares, in)
		case "sensitive":
			err = d.boolVal(&o.Sensitive, in)
		case "blurhash":
			err = d.stringVal(&o.Blurhash, in)
		case "focalPoint":
			err = d.floats(&o.FocalPoint, in)
		case "width":
			err = d.intVal(&o.Width, in)
		case "height":
			err = d.intVal(&o.Height, in)
		case "href":
			err = d.stringVal(&o.Href, in)
		case "rel":
			err = d.strs(&o.Rel, in)
		case "value":
			err = d.stringVal(&o.Value, in)
		case "quote":
			err = d.iri(&o.Quote, in)
		case "quoteAuthorization":
			err = d.iri(&o.QuoteAuthorization, in)
		case "quoteUri":
			err = d.iri(&o.QuoteURI, in)
		case "_misskey_quote":
			err = d.iri(&o.MisskeyQuote, in)
		case "quoteUrl":
			err = d.iri(&o.QuoteURL, in)
		case "oneOf":
			err = d.refs(&o.OneOf, in)
		case "anyOf":
			err = d.refs(&o.AnyOf, in)
		case "closed":
			err = d.closed(o, in)
		case "votersCount":
			err = d.intPtr(&o.VotersCount, in)
		case "actor":
			err = d.ref(&o.Actor, in)
		case "object":
			err = d.refs(&o.Object, in)
		case "target":
			err = d.ref(&o.Target, in)
		case "origin":
			err = d.ref(&o.Origin, in)
		case "preferredUsername":
			err = d.stringVal(&o.PreferredUsername, in)
		case "inbox":
			err = d.iri(&o.Inbox, in)
		case "outbox":
			err = d.iri(&o.Outbox, in)
		case "followers":
			err = d.iri(&o.Followers, in)
		case "following":
			err = d.iri(&o.Following, in)
		case "featured":
			err = d.iri(&o.Featured, in)
		case "featuredTags":
			err = d.iri(&o.FeaturedTags, in)
		case "endpoints":
			err = d.endpoints(o, key, in)
		case "publicKey":
			err = d.publicKey(o, in)
		case "manuallyApprovesFollowers":
			err = d.boolVal(&o.ManuallyApprovesFollowers, in)
		case "discoverable":
			err = d.boolVal(&o.Discoverable, in)
		case "indexable":
			err = d.boolVal(&o.Indexable, in)
		case "memorial":
			err = d.boolVal(&o.Memorial, in)
		case "suspended":
			err = d.boolVal(&o.Suspended, in)
		case "alsoKnownAs":
			err = d.iris(&o.AlsoKnownAs, in)
		case "movedTo":
			err = d.iri(&o.MovedTo, in)
		case "attributionDomains":
			err = d.strs(&o.AttributionDomains, in)
		case "totalItems":
			err = d.intPtr(&o.TotalItems, in)
		case "first":
			err = d.ref(&o.First, in)
		case "last":
			err = d.ref(&o.Last, in)
		case "next":
			err = d.ref(&o.Next, in)
		case "prev":
			err = d.ref(&o.Prev, in)
		case "partOf":
			err = d.ref(&o.PartOf, in)
		case "items":
			err = d.refs(&o.Items, in)
		case "orderedItems":
			err = d.refs(&o.OrderedItems, in)
		case "formerType":
			err = d.stringVal(&o.FormerType, in)
		case "deleted":
			err = d.timeVal(&o.Deleted, in)
		default:
			err = d.unknown(o, key, in)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
	}
}
