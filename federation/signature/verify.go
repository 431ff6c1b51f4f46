package signature

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// DefaultMaxSkew is the default accepted distance between the verifier's
// clock and a request's Date header or created parameter.
const DefaultMaxSkew = time.Hour

// PublicKey is a resolved verification key.
type PublicKey struct {
	// ID is the key's id (normally the keyId that was resolved).
	ID string
	// Owner is the actor that owns the key (publicKey.owner / controller).
	Owner string
	// Key is an *rsa.PublicKey, ed25519.PublicKey or *ecdsa.PublicKey.
	Key crypto.PublicKey
	// Fresh reports that the key was just fetched from its origin rather
	// than taken from a cache. When false, a failed check makes the verifier
	// ask for the key once more with refresh=true (key rotation).
	Fresh bool
}

// KeyResolver finds the public key for a keyId. With refresh=false it may
// answer from a cache; with refresh=true it must refetch the key from its
// origin (the verifier asks at most once per request, after a failed check).
// Implementations check that the key document lives on the keyId's origin.
type KeyResolver interface {
	ResolveKey(ctx context.Context, keyID string, refresh bool) (*PublicKey, error)
}

// KeyResolverFunc adapts a function to KeyResolver.
type KeyResolverFunc func(ctx context.Context, keyID string, refresh bool) (*PublicKey, error)

// ResolveKey calls f.
func (f KeyResolverFunc) ResolveKey(ctx context.Context, keyID string, refresh bool) (*PublicKey, error) {
	return f(ctx, keyID, refresh)
}

var _ KeyResolver = KeyResolverFunc(nil)

// Options tunes a Verifier. The zero value (or nil) gives the defaults.
type Options struct {
	// Clock returns the current time. Default time.Now.
	Clock func() time.Time
	// MaxSkew is the accepted distance between Clock and the Date header or
	// the created parameter, in both directions. Default DefaultMaxSkew (1h).
	MaxSkew time.Duration
	// RequiredHeadersPOST lists further header names (lowercase) that a
	// signature on a POST, PUT or PATCH must cover, in addition to the
	// built-in requirements (request target, host, date or created, and the
	// body digest). Example: []string{"content-type"}.
	RequiredHeadersPOST []string
	// Scheme is the public scheme of this server ("https"), used for the
	// RFC 9421 @target-uri and @scheme components. Set it when a
	// TLS-terminating proxy sits in front. Default: "https" unless r.URL
	// carries a scheme. X-Forwarded-* headers are never trusted.
	Scheme string
	// Authority is the public host[:port] of this server, used for the
	// cavage host header, @authority and @target-uri. Set it when a proxy
	// rewrites Host. Default: the request's Host.
	Authority string
}

// Verifier checks HTTP signatures on incoming requests. It is safe for
// concurrent use.
type Verifier struct {
	clock     func() time.Time
	maxSkew   time.Duration
	extra     []string
	scheme    string
	authority string
}

// NewVerifier returns a Verifier; opts may be nil.
func NewVerifier(opts *Options) *Verifier {
	v := &Verifier{clock: time.Now, maxSkew: DefaultMaxSkew}
	if opts != nil {
		if opts.Clock != nil {
			v.clock = opts.Clock
		}
		if opts.MaxSkew > 0 {
			v.maxSkew = opts.MaxSkew
		}
		for _, h := range opts.RequiredHeadersPOST {
			if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
				v.extra = append(v.extra, h)
			}
		}
		v.scheme = strings.ToLower(opts.Scheme)
		v.authority = opts.Authority
	}
	return v
}

// Result describes a verified signature.
type Result struct {
	// KeyID is the keyId / keyid the request was signed with.
	KeyID string
	// Owner is the owner of the key as reported by the KeyResolver; an inbox
	// checks that it matches the activity's actor.
	Owner string
	// Scheme is the signature format that was verified.
	Scheme Scheme
	// Algorithm is the algorithm that verified the signature: "rsa-sha256",
	// "rsa-sha512", "rsa-pss-sha512", "ed25519", "ecdsa-sha256" (cavage) or
	// an RFC 9421 registry name ("rsa-v1_5-sha256", "rsa-pss-sha512",
	// "ecdsa-p256-sha256", "ecdsa-p384-sha384", "ed25519").
	Algorithm string
	// Label is the RFC 9421 signature label (empty for cavage).
	Label string
	// Covered lists the covered headers (cavage) or component identifiers
	// (RFC 9421).
	Covered []string
	// Key is the key that verified the signature.
	Key *PublicKey
}

// Verify checks the signature of r, whose body (already read, possibly
// empty) is body. When Signature-Input is present the RFC 9421 signature is
// verified, otherwise the draft-cavage Signature (or "Authorization:
// Signature") header. Requirements: the signature covers the request target
// and host (cavage) or @method with @target-uri, or @authority with @path
// (RFC 9421); it covers date (within MaxSkew) or a created parameter; on
// POST, PUT and PATCH it covers digest / content-digest and the body matches
// it. The key comes from keys; if the cryptographic check fails with a key
// that was not Fresh, the key is resolved again with refresh=true and checked
// once more. Errors wrap the package's sentinel errors.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte, keys KeyResolver) (*Result, error) {
	if keys == nil {
		return nil, errors.New("signature: verify: nil KeyResolver")
	}
	if len(r.Header.Values("Signature-Input")) > 0 {
		return v.verifyRFC9421(ctx, r, body, keys)
	}
	if vals := r.Header.Values("Signature"); len(vals) > 0 {
		if len(vals) > 1 {
			return nil, fmt.Errorf("%w: %d Signature headers", ErrMalformed, len(vals))
		}
		return v.verifyCavage(ctx, r, body, keys, vals[0])
	}
	if auth := r.Header.Get("Authorization"); len(auth) > 10 && strings.EqualFold(auth[:10], "signature ") {
		return v.verifyCavage(ctx, r, body, keys, auth)
	}
	return nil, ErrNoSignature
}

func hasBodyMethod(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return true
	}
	return false
}

func (v *Verifier) host(r *http.Request) string {
	switch {
	case v.authority != "":
		return v.authority
	case r.Host != "":
		return r.Host
	case r.Header.Get("Host") != "":
		return r.Header.Get("Host")
	case r.URL != nil:
		return r.URL.Host
	}
	return ""
}

func (v *Verifier) messageContext(r *http.Request) messageContext {
	scheme := v.scheme
	if scheme == "" {
		scheme = "https"
		if r.TLS == nil && r.URL != nil && r.URL.Scheme != "" {
			scheme = strings.ToLower(r.URL.Scheme)
		}
	}
	return messageContext{scheme: scheme, authority: normalizeAuthority(scheme, v.host(r))}
}

// checkDate verifies that the Date header is present and within the window.
func (v *Verifier) checkDate(r *http.Request, now time.Time) error {
	d := r.Header.Get("Date")
	if d == "" {
		return fmt.Errorf("%w: date is covered but the Date header is absent", ErrMissingHeaders)
	}
	t, err := http.ParseTime(d)
	if err != nil {
		return fmt.Errorf("%w: Date %q is not an HTTP date", ErrMalformed, d)
	}
	return v.checkWindow("Date", t, now)
}

func (v *Verifier) checkWindow(what string, t, now time.Time) error {
	if t.After(now.Add(v.maxSkew)) {
		return fmt.Errorf("%w: %s %s is %s in the future (max %s)", ErrDateSkew, what, t.UTC().Format(time.RFC3339), t.Sub(now).Round(time.Second), v.maxSkew)
	}
	if t.Before(now.Add(-v.maxSkew)) {
		return fmt.Errorf("%w: %s %s is %s old (max %s)", ErrDateSkew, what, t.UTC().Format(time.RFC3339), now.Sub(t).Round(time.Second), v.maxSkew)
	}
	return nil
}

func (v *Verifier) checkExpires(expires, now time.Time) error {
	if !expires.IsZero() && now.After(expires) {
		return fmt.Errorf("%w: expired at %s", ErrExpired, expires.UTC().Format(time.RFC3339))
	}
	return nil
}

func (v *Verifier) verifyCavage(ctx context.Context, r *http.Request, body []byte, keys KeyResolver, header string) (*Result, error) {
	p, err := ParseCavage(header)
	if err != nil {
		return nil, err
	}
	switch p.Algorithm {
	case "", "hs2019", "rsa-sha256", "rsa-sha512", "ed25519":
	default:
		return nil, fmt.Errorf("%w: draft-cavage algorithm %q", ErrUnsupportedAlgorithm, p.Algorithm)
	}
	var missing []string
	if !p.Has("(request-target)") {
		missing = append(missing, "(request-target)")
	}
	if !p.Has("host") {
		missing = append(missing, "host")
	}
	if !p.Has("date") && !p.Has("(created)") {
		missing = append(missing, "date")
	}
	if hasBodyMethod(r.Method) {
		if !p.Has("digest") {
			missing = append(missing, "digest")
		}
		for _, h := range v.extra {
			if !p.Has(h) {
				missing = append(missing, h)
			}
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: signature does not cover %s", ErrMissingHeaders, strings.Join(missing, ", "))
	}
	now := v.clock()
	if p.Has("date") {
		if err := v.checkDate(r, now); err != nil {
			return nil, err
		}
	}
	if p.Has("(created)") && !p.Created.IsZero() {
		if err := v.checkWindow("created", p.Created, now); err != nil {
			return nil, err
		}
	}
	if err := v.checkExpires(p.Expires, now); err != nil {
		return nil, err
	}
	if p.Has("digest") {
		vals := r.Header.Values("Digest")
		if len(vals) == 0 {
			return nil, fmt.Errorf("%w: digest is covered but the Digest header is absent", ErrMissingHeaders)
		}
		if err := verifyDigest(strings.Join(vals, ","), body); err != nil {
			return nil, err
		}
	}
	msg, err := cavageSigningString(r, p, v.host(r))
	if err != nil {
		return nil, err
	}
	key, alg, err := v.withKey(ctx, keys, p.KeyID, func(pub crypto.PublicKey) (string, error) {
		return verifyCavageCrypto(p.Algorithm, pub, []byte(msg), p.Signature)
	})
	if err != nil {
		return nil, err
	}
	return &Result{KeyID: p.KeyID, Owner: key.Owner, Scheme: SchemeCavage, Algorithm: alg, Covered: p.Headers, Key: key}, nil
}

func (v *Verifier) verifyRFC9421(ctx context.Context, r *http.Request, body []byte, keys KeyResolver) (*Result, error) {
	sigs, err := ParseRFC9421(r.Header.Values("Signature-Input"), r.Header.Values("Signature"))
	if err != nil {
		return nil, err
	}
	var s *RFC9421Signature
	var firstErr error
	for _, cand := range sigs {
		if err := v.policyRFC9421(r.Method, cand); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		s = cand
		break
	}
	if s == nil {
		return nil, firstErr
	}
	now := v.clock()
	if !s.Created.IsZero() {
		if err := v.checkWindow("created", s.Created, now); err != nil {
			return nil, err
		}
	}
	if err := v.checkExpires(s.Expires, now); err != nil {
		return nil, err
	}
	if s.Covers("date") {
		if err := v.checkDate(r, now); err != nil {
			return nil, err
		}
	}
	if s.Covers("content-digest") {
		vals := r.Header.Values("Content-Digest")
		if len(vals) == 0 {
			return nil, fmt.Errorf("%w: content-digest is covered but the Content-Digest header is absent", ErrMissingHeaders)
		}
		if err := verifyContentDigest(vals, body); err != nil {
			return nil, err
		}
	}
	base, err := signatureBase(r, v.messageContext(r), s)
	if err != nil {
		return nil, err
	}
	key, alg, err := v.withKey(ctx, keys, s.KeyID, func(pub crypto.PublicKey) (string, error) {
		return verifyRFC9421Crypto(s.Alg, pub, []byte(base), s.Signature)
	})
	if err != nil {
		return nil, err
	}
	covered := make([]string, len(s.Components))
	for i, c := range s.Components {
		covered[i] = c.id
	}
	return &Result{KeyID: s.KeyID, Owner: key.Owner, Scheme: SchemeRFC9421, Algorithm: alg, Label: s.Label, Covered: covered, Key: key}, nil
}

// policyRFC9421 checks what an ActivityPub verifier requires of an RFC 9421
// signature before any cryptography.
func (v *Verifier) policyRFC9421(method string, s *RFC9421Signature) error {
	switch s.Alg {
	case "", "rsa-pss-sha512", "rsa-v1_5-sha256", "ecdsa-p256-sha256", "ecdsa-p384-sha384", "ed25519":
	default:
		return fmt.Errorf("%w: RFC 9421 alg %q (signature %q)", ErrUnsupportedAlgorithm, s.Alg, s.Label)
	}
	if s.KeyID == "" {
		return fmt.Errorf("%w: signature %q has no keyid", ErrMalformed, s.Label)
	}
	var missing []string
	target := (s.Covers("@method") && s.Covers("@target-uri")) ||
		(s.Covers("@authority") && (s.Covers("@path") || s.Covers("@request-target")))
	if !target {
		missing = append(missing, `"@method" "@target-uri" (or "@authority" "@path")`)
	}
	if s.Created.IsZero() && !s.Covers("date") {
		missing = append(missing, "created parameter (or date)")
	}
	if hasBodyMethod(method) {
		if !s.Covers("content-digest") {
			missing = append(missing, `"content-digest"`)
		}
		for _, h := range v.extra {
			if !strings.HasPrefix(h, "(") && !s.Covers(h) {
				missing = append(missing, `"`+h+`"`)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: signature %q does not cover %s", ErrMissingHeaders, s.Label, strings.Join(missing, ", "))
	}
	return nil
}

// withKey resolves keyID and runs check; after a cryptographic failure with
// a possibly cached key it resolves the key again with refresh=true and
// retries once.
func (v *Verifier) withKey(ctx context.Context, keys KeyResolver, keyID string, check func(crypto.PublicKey) (string, error)) (*PublicKey, string, error) {
	pk, err := resolve(ctx, keys, keyID, false)
	if err != nil {
		return nil, "", err
	}
	alg, err := check(normalizePublicKey(pk.Key))
	if err == nil {
		return pk, alg, nil
	}
	if pk.Fresh || !errors.Is(err, ErrBadSignature) || ctx.Err() != nil {
		return nil, "", err
	}
	pk2, rerr := resolve(ctx, keys, keyID, true)
	if rerr != nil {
		return nil, "", fmt.Errorf("%w (key refresh failed: %v)", err, rerr)
	}
	alg, err = check(normalizePublicKey(pk2.Key))
	if err != nil {
		return nil, "", fmt.Errorf("%w (also after refreshing the key)", err)
	}
	return pk2, alg, nil
}

func resolve(ctx context.Context, keys KeyResolver, keyID string, refresh bool) (*PublicKey, error) {
	pk, err := keys.ResolveKey(ctx, keyID, refresh)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrKeyUnavailable, keyID, err)
	}
	if pk == nil || pk.Key == nil {
		return nil, fmt.Errorf("%w: %q: resolver returned no key", ErrKeyUnavailable, keyID)
	}
	return pk, nil
}

func errKeyType(alg string, pub crypto.PublicKey) error {
	return fmt.Errorf("%w: %s key cannot verify algorithm %q", ErrBadSignature, keyTypeName(pub), alg)
}

func keyTypeName(pub crypto.PublicKey) string {
	switch pub.(type) {
	case *rsa.PublicKey:
		return "RSA"
	case ed25519.PublicKey:
		return "Ed25519"
	case *ecdsa.PublicKey:
		return "ECDSA"
	default:
		return fmt.Sprintf("%T", pub)
	}
}

var errBadCrypto = fmt.Errorf("%w: invalid signature value", ErrBadSignature)

// verifyCavageCrypto checks a draft-cavage signature. hs2019 and an absent
// algorithm take the algorithm from the key type: RSA → RSASSA-PKCS1-v1_5
// SHA-256 as Mastodon signs (then RSASSA-PSS SHA-512 as the draft defines),
// Ed25519, ECDSA (SHA-256 on P-256, SHA-384 on P-384).
func verifyCavageCrypto(alg string, pub crypto.PublicKey, msg, sig []byte) (string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch alg {
		case "rsa-sha256", "hs2019", "":
			h := sha256.Sum256(msg)
			if rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig) == nil {
				return "rsa-sha256", nil
			}
			if alg != "rsa-sha256" {
				h := sha512.Sum512(msg)
				if rsa.VerifyPSS(k, crypto.SHA512, h[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil {
					return "rsa-pss-sha512", nil
				}
			}
			return "", errBadCrypto
		case "rsa-sha512":
			h := sha512.Sum512(msg)
			if rsa.VerifyPKCS1v15(k, crypto.SHA512, h[:], sig) == nil {
				return "rsa-sha512", nil
			}
			return "", errBadCrypto
		}
	case ed25519.PublicKey:
		if alg == "ed25519" || alg == "hs2019" || alg == "" {
			if len(k) == ed25519.PublicKeySize && ed25519.Verify(k, msg, sig) {
				return "ed25519", nil
			}
			return "", errBadCrypto
		}
	case *ecdsa.PublicKey:
		if alg == "hs2019" || alg == "" {
			if verifyECDSA(k, msg, sig, true) {
				return "ecdsa-sha256", nil
			}
			return "", errBadCrypto
		}
	}
	return "", errKeyType(alg, pub)
}

// verifyRFC9421Crypto checks an RFC 9421 signature over base. Without an alg
// parameter the algorithm follows the key type (RSA: rsa-v1_5-sha256, then
// rsa-pss-sha512).
func verifyRFC9421Crypto(alg string, pub crypto.PublicKey, base, sig []byte) (string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch alg {
		case "rsa-v1_5-sha256", "":
			h := sha256.Sum256(base)
			if rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig) == nil {
				return "rsa-v1_5-sha256", nil
			}
			if alg != "" {
				return "", errBadCrypto
			}
			fallthrough
		case "rsa-pss-sha512":
			h := sha512.Sum512(base)
			if rsa.VerifyPSS(k, crypto.SHA512, h[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil {
				return "rsa-pss-sha512", nil
			}
			return "", errBadCrypto
		}
	case ed25519.PublicKey:
		if alg == "ed25519" || alg == "" {
			if len(k) == ed25519.PublicKeySize && ed25519.Verify(k, base, sig) {
				return "ed25519", nil
			}
			return "", errBadCrypto
		}
	case *ecdsa.PublicKey:
		want := ""
		switch k.Curve {
		case elliptic.P256():
			want = "ecdsa-p256-sha256"
		case elliptic.P384():
			want = "ecdsa-p384-sha384"
		}
		if want != "" && (alg == want || alg == "") {
			if verifyECDSA(k, base, sig, false) {
				return want, nil
			}
			return "", errBadCrypto
		}
	}
	return "", errKeyType(alg, pub)
}

// verifyECDSA checks an ECDSA signature over msg hashed with the curve's
// hash (SHA-256 for P-256, SHA-384 for P-384). The signature is the raw r||s
// concatenation (RFC 9421) or, when allowDER, also ASN.1 DER.
func verifyECDSA(k *ecdsa.PublicKey, msg, sig []byte, allowDER bool) bool {
	var digest []byte
	var size int
	switch k.Curve {
	case elliptic.P256():
		h := sha256.Sum256(msg)
		digest, size = h[:], 32
	case elliptic.P384():
		h := sha512.Sum384(msg)
		digest, size = h[:], 48
	default:
		return false
	}
	if len(sig) == 2*size {
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(k, digest, r, s)
	}
	return allowDER && ecdsa.VerifyASN1(k, digest, sig)
}
