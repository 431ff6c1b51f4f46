package signature

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dunglas/httpsfv"
	"github.com/go-fed/httpsig"
)

// Scheme selects the HTTP signature format.
type Scheme int

const (
	// SchemeCavage is draft-cavage-http-signatures-12, the format every
	// ActivityPub server understands (Mastodon, Pleroma, Misskey, …).
	SchemeCavage Scheme = iota + 1
	// SchemeRFC9421 is RFC 9421 HTTP Message Signatures.
	SchemeRFC9421
)

// String returns "draft-cavage" or "rfc9421".
func (s Scheme) String() string {
	switch s {
	case SchemeCavage:
		return "draft-cavage"
	case SchemeRFC9421:
		return "rfc9421"
	default:
		return fmt.Sprintf("Scheme(%d)", int(s))
	}
}

// Other returns the other scheme: the one to retry with when a peer rejects
// a request ("double-knock").
func (s Scheme) Other() Scheme {
	if s == SchemeRFC9421 {
		return SchemeCavage
	}
	return SchemeRFC9421
}

// DefaultLabel is the RFC 9421 signature label used by Signer.
const DefaultLabel = "sig1"

// SignerOptions tunes a Signer. The zero value (or nil) is valid.
type SignerOptions struct {
	// Clock returns the current time (Date header, created parameter).
	// Default time.Now.
	Clock func() time.Time
	// Label is the RFC 9421 signature label. Default DefaultLabel.
	Label string
	// Expires, if positive, adds an RFC 9421 expires parameter this long
	// after created. Default none.
	Expires time.Duration
}

// Signer signs outgoing requests with one actor key. It is safe for
// concurrent use.
type Signer struct {
	keyID   string
	key     crypto.Signer
	isRSA   bool
	clock   func() time.Time
	label   string
	expires time.Duration
}

// NewSigner returns a Signer for the key identified by keyID (the actor's
// publicKey id, e.g. "https://example.com/users/alice#main-key"). key must be
// an *rsa.PrivateKey or an ed25519.PrivateKey.
func NewSigner(keyID string, key crypto.PrivateKey, opts *SignerOptions) (*Signer, error) {
	if keyID == "" {
		return nil, errors.New("signature: new signer: empty key id")
	}
	for i := 0; i < len(keyID); i++ {
		if c := keyID[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return nil, fmt.Errorf("signature: new signer: key id %q has a character not allowed in a header parameter", keyID)
		}
	}
	s := &Signer{keyID: keyID, clock: time.Now, label: DefaultLabel}
	switch k := normalizePrivateKey(key).(type) {
	case *rsa.PrivateKey:
		if k == nil {
			return nil, errors.New("signature: new signer: nil RSA key")
		}
		s.key, s.isRSA = k, true
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("signature: new signer: Ed25519 key of %d bytes", len(k))
		}
		s.key = k
	default:
		return nil, fmt.Errorf("signature: new signer: unsupported key type %T (want *rsa.PrivateKey or ed25519.PrivateKey)", key)
	}
	if opts != nil {
		if opts.Clock != nil {
			s.clock = opts.Clock
		}
		if opts.Label != "" {
			if !validKey(opts.Label) {
				return nil, fmt.Errorf("signature: new signer: invalid label %q", opts.Label)
			}
			s.label = opts.Label
		}
		s.expires = opts.Expires
	}
	return s, nil
}

// validKey reports whether k is a structured-field key (RFC 8941 §3.1.2).
func validKey(k string) bool {
	if k == "" || !(k[0] == '*' || ('a' <= k[0] && k[0] <= 'z')) {
		return false
	}
	for i := 1; i < len(k); i++ {
		c := k[i]
		if !(('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*') {
			return false
		}
	}
	return true
}

// KeyID returns the key id the signer puts in its signatures.
func (s *Signer) KeyID() string { return s.keyID }

// Public returns the signer's public key.
func (s *Signer) Public() crypto.PublicKey { return s.key.Public() }

// Algorithm returns the algorithm name the signer announces for scheme:
// "rsa-sha256" or "hs2019" (Ed25519) for draft-cavage, "rsa-v1_5-sha256" or
// "ed25519" for RFC 9421.
func (s *Signer) Algorithm(scheme Scheme) string {
	switch {
	case scheme == SchemeRFC9421 && s.isRSA:
		return "rsa-v1_5-sha256"
	case scheme == SchemeRFC9421:
		return "ed25519"
	case s.isRSA:
		return "rsa-sha256"
	default:
		return "hs2019"
	}
}

// SignScheme signs r with the given scheme; see Sign and SignRFC9421.
func (s *Signer) SignScheme(scheme Scheme, r *http.Request, body []byte) error {
	switch scheme {
	case SchemeCavage:
		return s.Sign(r, body)
	case SchemeRFC9421:
		return s.SignRFC9421(r, body)
	default:
		return fmt.Errorf("signature: sign: unknown scheme %v", scheme)
	}
}

// hasBody reports whether a request is signed with a body digest: a non-nil
// body, or a method that carries content.
func hasBody(method string, body []byte) bool {
	if body != nil {
		return true
	}
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return true
	}
	return false
}

// prepare removes earlier signatures and sets Host and (if missing) Date.
// It returns the host.
func (s *Signer) prepare(r *http.Request) (string, error) {
	if r.URL == nil {
		return "", errors.New("signature: sign: request has no URL")
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	if host == "" {
		return "", errors.New("signature: sign: request has no host")
	}
	r.Host = host
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	for _, h := range []string{"Signature", "Signature-Input", "Digest", "Content-Digest"} {
		r.Header.Del(h)
	}
	r.Header.Set("Host", host)
	if r.Header.Get("Date") == "" {
		r.Header.Set("Date", s.clock().UTC().Format(http.TimeFormat))
	}
	return host, nil
}

// Sign signs r with draft-cavage-http-signatures-12 (via go-fed/httpsig), the
// format every ActivityPub server accepts. It sets Host, Date (if missing,
// from the clock) and, for requests with a body (a non-nil body or a POST,
// PUT or PATCH), "Digest: SHA-256=<base64>"; it then signs
// "(request-target) host date digest", or "(request-target) host date" for
// requests without a body (GET, HEAD). body must be the exact bytes that will
// be sent; Sign does not set r.Body. Earlier Signature, Signature-Input,
// Digest and Content-Digest headers are replaced.
func (s *Signer) Sign(r *http.Request, body []byte) error {
	if _, err := s.prepare(r); err != nil {
		return err
	}
	headers := []string{httpsig.RequestTarget, "host", "date"}
	if hasBody(r.Method, body) {
		headers = append(headers, "digest")
		if body == nil {
			body = []byte{}
		}
	} else {
		body = nil
	}
	algo := httpsig.ED25519
	if s.isRSA {
		algo = httpsig.RSA_SHA256
	}
	gs, got, err := httpsig.NewSigner([]httpsig.Algorithm{algo}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		return fmt.Errorf("signature: sign: %w", err)
	}
	if got != algo {
		return fmt.Errorf("signature: sign: httpsig chose %s instead of %s", got, algo)
	}
	// go-fed/httpsig builds (request-target) from URL.Path, the decoded
	// path; sign a shallow copy carrying the escaped path so the signature
	// covers the bytes on the wire. The copy shares r.Header.
	rc := *r
	u := *r.URL
	u.Path = u.EscapedPath()
	if u.Path == "" {
		u.Path = "/"
	}
	u.RawPath = ""
	rc.URL = &u
	if err := gs.SignRequest(s.key, s.keyID, &rc, body); err != nil {
		return fmt.Errorf("signature: sign: %w", err)
	}
	if s.isRSA {
		// go-fed/httpsig always announces hs2019; Mastodon-compatible peers
		// expect rsa-sha256 for RSA keys. The algorithm parameter is not
		// part of the signing string.
		v := r.Header.Get("Signature")
		prefix := `keyId="` + s.keyID + `",algorithm="hs2019",`
		if !strings.HasPrefix(v, prefix) {
			return fmt.Errorf("signature: sign: unexpected Signature header layout from httpsig")
		}
		r.Header.Set("Signature", `keyId="`+s.keyID+`",algorithm="rsa-sha256",`+v[len(prefix):])
	}
	return nil
}

// SignRFC9421 signs r with RFC 9421 HTTP Message Signatures. It sets Host,
// Date (if missing) and, for requests with a body, "Content-Digest:
// sha-256=:<base64>:", and signs "@method" "@target-uri" (plus
// "content-digest") with the parameters created, keyid and alg
// ("rsa-v1_5-sha256" or "ed25519"), and expires if configured. The
// @target-uri is built from r.URL: its scheme (default https), host and
// escaped path and query.
func (s *Signer) SignRFC9421(r *http.Request, body []byte) error {
	host, err := s.prepare(r)
	if err != nil {
		return err
	}
	names := []string{"@method", "@target-uri"}
	if hasBody(r.Method, body) {
		names = append(names, "content-digest")
		r.Header.Set("Content-Digest", ContentDigestHeader(body))
	}
	items := make([]httpsfv.Item, len(names))
	comps := make([]Component, len(names))
	for i, n := range names {
		items[i] = httpsfv.NewItem(n)
		comps[i] = Component{Name: n, id: `"` + n + `"`}
	}
	created := s.clock()
	params := httpsfv.NewParams()
	params.Add("created", created.Unix())
	if s.expires > 0 {
		params.Add("expires", created.Add(s.expires).Unix())
	}
	params.Add("keyid", s.keyID)
	params.Add("alg", s.Algorithm(SchemeRFC9421))
	il := httpsfv.InnerList{Items: items, Params: params}
	sp, err := httpsfv.Marshal(il)
	if err != nil {
		return fmt.Errorf("signature: sign rfc9421: %w", err)
	}
	sig := &RFC9421Signature{Label: s.label, Components: comps, params: sp}
	scheme := strings.ToLower(r.URL.Scheme)
	if scheme == "" {
		scheme = "https"
	}
	base, err := signatureBase(r, messageContext{scheme: scheme, authority: normalizeAuthority(scheme, host)}, sig)
	if err != nil {
		return fmt.Errorf("signature: sign rfc9421: %w", err)
	}
	var value []byte
	if s.isRSA {
		h := sha256.Sum256([]byte(base))
		value, err = rsa.SignPKCS1v15(rand.Reader, s.key.(*rsa.PrivateKey), crypto.SHA256, h[:])
		if err != nil {
			return fmt.Errorf("signature: sign rfc9421: %w", err)
		}
	} else {
		value = ed25519.Sign(s.key.(ed25519.PrivateKey), []byte(base))
	}
	in := httpsfv.NewDictionary()
	in.Add(s.label, il)
	sv := httpsfv.NewDictionary()
	sv.Add(s.label, httpsfv.NewItem(value))
	inStr, err := httpsfv.Marshal(in)
	if err != nil {
		return fmt.Errorf("signature: sign rfc9421: %w", err)
	}
	svStr, err := httpsfv.Marshal(sv)
	if err != nil {
		return fmt.Errorf("signature: sign rfc9421: %w", err)
	}
	r.Header.Set("Signature-Input", inStr)
	r.Header.Set("Signature", svStr)
	return nil
}
