package mastoapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/herd-social/herd/storage"
)

// Body size limits.
const (
	// DefaultMaxBody bounds the body of every request but media uploads.
	DefaultMaxBody = 1 << 20
	// maxKeyDepth bounds the nesting of bracketed parameter names (a[b][c]).
	maxKeyDepth = 8
)

// Params holds the parameters of a request, merged from the query string and
// the body (application/x-www-form-urlencoded, multipart/form-data or JSON),
// with body values taking precedence. Bracketed names are nested as Rails
// does: types[]=a&types[]=b is a list, poll[options][]=x a list inside an
// object, fields_attributes[0][name]=n an object of objects. JSON bodies give
// the same shapes directly, so one accessor serves every encoding.
type Params struct {
	root  map[string]any
	files map[string][]*FormFile
	// temps are the temporary files of file parts, removed by cleanup;
	// slot is the upload slot held while they exist.
	temps []string
	slot  uploadSlots
}

// ParseParams reads the parameters of r. The body is limited to maxBody bytes
// (DefaultMaxBody when ≤ 0); a larger body gives an error mapped to 413, a
// malformed one an error mapped to 400. The file parts of a multipart body
// are kept in temporary files until Close.
func ParseParams(w http.ResponseWriter, r *http.Request, maxBody int64) (*Params, error) {
	return parseParams(w, r, maxBody, nil)
}

// parseParams is ParseParams; a multipart body is read only once one of
// slots is free (nil: no bound), and the caller calls cleanup on the
// Params when done with its files.
func parseParams(w http.ResponseWriter, r *http.Request, maxBody int64, slots uploadSlots) (*Params, error) {
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	p := &Params{root: map[string]any{}}
	if q, _ := url.ParseQuery(r.URL.RawQuery); len(q) > 0 {
		if err := p.addValues(q); err != nil {
			return nil, err
		}
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return p, nil
	}
	if r.Body == nil || r.Body == http.NoBody {
		return p, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "multipart/form-data":
		if ctParams["boundary"] == "" {
			return nil, malformed("multipart body without boundary")
		}
		if err := slots.acquire(r.Context()); err != nil {
			return nil, errUploadsBusy
		}
		p.slot = slots
		if err := p.readMultipart(r.Body, ctParams["boundary"]); err != nil {
			return nil, err
		}
		return p, nil
	case ct == "application/x-www-form-urlencoded":
		return p, p.readForm(r.Body)
	case ct == "application/json" || strings.HasSuffix(ct, "+json"):
		return p, p.readJSON(r.Body)
	case ct == "":
		// No type: sniff, as lenient servers do for hand-made requests.
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyError(err)
		}
		if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
			return p, p.readJSON(bytes.NewReader(t))
		}
		return p, p.readForm(bytes.NewReader(b))
	}
	// Other types (e.g. an image for a media endpoint) are the handler's.
	return p, nil
}

func malformed(detail string) *Error {
	return &Error{Status: http.StatusBadRequest, Message: ErrMalformedRequest.Message + ": " + detail}
}

func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return ErrBodyTooLarge
	}
	return malformed("unreadable body")
}

func (p *Params) readForm(body io.Reader) error {
	b, err := io.ReadAll(body)
	if err != nil {
		return bodyError(err)
	}
	vs, err := url.ParseQuery(string(b))
	if err != nil {
		return malformed("invalid form encoding")
	}
	return p.addValues(vs)
}

func (p *Params) readJSON(body io.Reader) error {
	dec := json.NewDecoder(body)
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // empty body
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return ErrBodyTooLarge
		}
		return malformed("invalid JSON")
	}
	if dec.More() {
		return malformed("trailing data after JSON")
	}
	switch m := v.(type) {
	case map[string]any:
		for k, val := range m {
			p.root[k] = val
		}
		return nil
	case nil:
		return nil
	}
	return malformed("JSON body must be an object")
}

// addValues inserts form values; a body's values replace the query's.
func (p *Params) addValues(vs url.Values) error {
	// Sort keys so that a[][x]=1&a[][y]=2 groups deterministically.
	keys := make([]string, 0, len(vs))
	for k := range vs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fresh := map[string]any{}
	for _, k := range keys {
		segs, err := splitKey(k)
		if err != nil {
			return err
		}
		for i, v := range vs[k] {
			insertValue(fresh, segs, v, i)
		}
	}
	for k, v := range fresh {
		p.root[k] = v
	}
	return nil
}

// splitKey splits "a[b][]" into "a", "b", "". A key whose brackets do not
// parse is taken literally.
func splitKey(k string) ([]string, error) {
	i := strings.IndexByte(k, '[')
	if i <= 0 || !strings.HasSuffix(k, "]") {
		return []string{k}, nil
	}
	segs := []string{k[:i]}
	rest := k[i:]
	for rest != "" {
		if rest[0] != '[' {
			return []string{k}, nil
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return []string{k}, nil
		}
		segs = append(segs, rest[1:j])
		rest = rest[j+1:]
		if len(segs) > maxKeyDepth {
			return nil, malformed("parameter nested too deeply")
		}
	}
	return segs, nil
}

// insertValue inserts the idx-th value of one form key. In a list of
// objects (a[][name]=x&a[][value]=y) the idx-th value of each key belongs
// to the idx-th object, as url.Values loses the order between keys.
func insertValue(m map[string]any, segs []string, val string, idx int) {
	k := segs[0]
	rest := segs[1:]
	if len(rest) == 0 {
		switch old := m[k].(type) {
		case string: // a repeated plain key: keep all, the last wins as a scalar
			m[k] = []any{old, val}
		case []any:
			m[k] = append(old, val)
		default:
			m[k] = val
		}
		return
	}
	if rest[0] == "" { // a list
		arr, _ := m[k].([]any)
		if len(rest) == 1 {
			m[k] = append(arr, val)
			return
		}
		for len(arr) <= idx {
			arr = append(arr, map[string]any{})
		}
		obj, ok := arr[idx].(map[string]any)
		if !ok {
			obj = map[string]any{}
			arr[idx] = obj
		}
		insertValue(obj, rest[1:], val, 0)
		m[k] = arr
		return
	}
	child, ok := m[k].(map[string]any)
	if !ok {
		child = map[string]any{}
		m[k] = child
	}
	insertValue(child, rest, val, idx)
}

// Has reports whether the parameter is present and not null.
func (p *Params) Has(key string) bool {
	if p == nil {
		return false
	}
	v, ok := p.root[key]
	return ok && v != nil
}

// Keys returns the top-level parameter names, sorted.
func (p *Params) Keys() []string {
	if p == nil {
		return nil
	}
	ks := make([]string, 0, len(p.root))
	for k := range p.root {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	case []any: // a repeated key: the last value wins, as in Rails
		if len(x) > 0 {
			return scalar(x[len(x)-1])
		}
	}
	return "", false
}

// Lookup returns a scalar parameter and whether it is present. Numbers and
// booleans from JSON are rendered as text.
func (p *Params) Lookup(key string) (string, bool) {
	if p == nil {
		return "", false
	}
	return scalar(p.root[key])
}

// String returns a scalar parameter, or "" when absent.
func (p *Params) String(key string) string {
	s, _ := p.Lookup(key)
	return s
}

// falseValues are the strings Rails (and so Mastodon) reads as false.
var falseValues = map[string]bool{"0": true, "f": true, "false": true, "off": true, "n": true, "no": true}

// BoolPtr returns a boolean parameter as Mastodon reads it — any value but
// 0/f/false/off/n/no (case-insensitive) is true — or nil when absent or empty.
func (p *Params) BoolPtr(key string) *bool {
	s, ok := p.Lookup(key)
	if !ok || s == "" {
		return nil
	}
	b := !falseValues[strings.ToLower(s)]
	return &b
}

// Bool returns a boolean parameter (see BoolPtr), or def when absent.
func (p *Params) Bool(key string, def bool) bool {
	if b := p.BoolPtr(key); b != nil {
		return *b
	}
	return def
}

// Int returns an integer parameter, def when absent or empty, and a 422
// error when it is not an integer.
func (p *Params) Int(key string, def int64) (int64, error) {
	s, ok := p.Lookup(key)
	if !ok || s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return def, validationError(fmt.Sprintf("%s must be an integer", key))
	}
	return n, nil
}

// ID returns an ID parameter (zero when absent or empty) and a 422 error
// when it is not a decimal ID.
func (p *Params) ID(key string) (storage.ID, error) {
	s, ok := p.Lookup(key)
	if !ok || s == "" {
		return 0, nil
	}
	id, err := storage.ParseID(s)
	if err != nil {
		return 0, validationError(fmt.Sprintf("%s is not a valid id", key))
	}
	return id, nil
}

// Strings returns a list parameter, accepting every shape clients send:
// key[]=a&key[]=b, a JSON array, a repeated key, key[0]=a&key[1]=b, or a
// single value (a one-element list). Nulls and objects are skipped.
func (p *Params) Strings(key string) []string {
	if p == nil {
		return nil
	}
	return stringsOf(p.root[key])
}

func stringsOf(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := scalar(e); ok {
				out = append(out, s)
			}
		}
		return out
	case map[string]any:
		var out []string
		for _, k := range indexKeys(x) {
			if s, ok := scalar(x[k]); ok {
				out = append(out, s)
			}
		}
		return out
	}
	if s, ok := scalar(v); ok {
		return []string{s}
	}
	return nil
}

// indexKeys returns the keys of an index-keyed object ("0", "1" …) in
// numeric order; other keys follow in lexical order.
func indexKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		a, ea := strconv.Atoi(ks[i])
		b, eb := strconv.Atoi(ks[j])
		switch {
		case ea == nil && eb == nil:
			return a < b
		case ea == nil:
			return true
		case eb == nil:
			return false
		}
		return ks[i] < ks[j]
	})
	return ks
}

// Sub returns the object parameter key (poll[options][] → Sub("poll")), or
// an empty Params when absent or not an object.
func (p *Params) Sub(key string) *Params {
	if p != nil {
		if m, ok := p.root[key].(map[string]any); ok {
			return &Params{root: m}
		}
	}
	return &Params{root: map[string]any{}}
}

// Objects returns a list of objects: a JSON array of objects,
// key[][name]=…, or an index-keyed object such as
// fields_attributes[0][name]=…&fields_attributes[0][value]=….
func (p *Params) Objects(key string) []*Params {
	if p == nil {
		return nil
	}
	var out []*Params
	switch x := p.root[key].(type) {
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, &Params{root: m})
			}
		}
	case map[string]any:
		for _, k := range indexKeys(x) {
			if m, ok := x[k].(map[string]any); ok {
				out = append(out, &Params{root: m})
			}
		}
	}
	return out
}

// File returns the first uploaded file of a multipart parameter, or nil.
func (p *Params) File(key string) *FormFile {
	if p == nil || len(p.files[key]) == 0 {
		return nil
	}
	return p.files[key][0]
}

// Page reads the pagination parameters max_id, since_id, min_id and limit,
// clamping limit to 1..max (def when absent).
func (p *Params) Page(def, max int) (storage.Page, error) {
	var pg storage.Page
	var err error
	if pg.MaxID, err = p.ID("max_id"); err != nil {
		return pg, err
	}
	if pg.SinceID, err = p.ID("since_id"); err != nil {
		return pg, err
	}
	if pg.MinID, err = p.ID("min_id"); err != nil {
		return pg, err
	}
	n, err := p.Int("limit", 0)
	if err != nil {
		return pg, err
	}
	if n > int64(max) {
		n = int64(max)
	}
	pg.Limit = int(n)
	return pg.Norm(def, max), nil
}
