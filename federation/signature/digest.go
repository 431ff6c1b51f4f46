package signature

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/dunglas/httpsfv"
)

const maxDigestHeaderLen = 4096

// DigestHeader returns the RFC 3230 Digest header value for body,
// "SHA-256=<base64>", as draft-cavage signatures cover it.
func DigestHeader(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// ContentDigestHeader returns the RFC 9530 Content-Digest header value for
// body, "sha-256=:<base64>:".
func ContentDigestHeader(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
}

// verifyDigest checks an RFC 3230 Digest header ("SHA-256=…, SHA-512=…")
// against body. Every supported entry must match; at least one must be
// supported.
func verifyDigest(header string, body []byte) error {
	if len(header) > maxDigestHeaderLen {
		return fmt.Errorf("%w: Digest header too long", ErrMalformed)
	}
	supported := 0
	for entry := range strings.SplitSeq(header, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		alg, val, ok := strings.Cut(entry, "=")
		if !ok {
			return fmt.Errorf("%w: Digest entry %q has no value", ErrMalformed, entry)
		}
		var sum []byte
		switch {
		case strings.EqualFold(alg, "SHA-256"):
			s := sha256.Sum256(body)
			sum = s[:]
		case strings.EqualFold(alg, "SHA-512"):
			s := sha512.Sum512(body)
			sum = s[:]
		default:
			continue
		}
		supported++
		got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
		if err != nil {
			return fmt.Errorf("%w: Digest %s value is not base64", ErrMalformed, alg)
		}
		if subtle.ConstantTimeCompare(got, sum) != 1 {
			return fmt.Errorf("%w: Digest %s does not match the body", ErrDigestMismatch, alg)
		}
	}
	if supported == 0 {
		return fmt.Errorf("%w: Digest header has no SHA-256 or SHA-512 entry", ErrUnsupportedAlgorithm)
	}
	return nil
}

// verifyContentDigest checks an RFC 9530 Content-Digest header (a structured
// dictionary "sha-256=:…:, sha-512=:…:") against body.
func verifyContentDigest(values []string, body []byte) error {
	n := 0
	for _, v := range values {
		n += len(v)
	}
	if n > maxDigestHeaderLen {
		return fmt.Errorf("%w: Content-Digest header too long", ErrMalformed)
	}
	dict, err := httpsfv.UnmarshalDictionary(values)
	if err != nil {
		return fmt.Errorf("%w: Content-Digest: %v", ErrMalformed, err)
	}
	supported := 0
	for _, alg := range dict.Names() {
		var sum []byte
		switch alg {
		case "sha-256":
			s := sha256.Sum256(body)
			sum = s[:]
		case "sha-512":
			s := sha512.Sum512(body)
			sum = s[:]
		default:
			continue
		}
		supported++
		m, _ := dict.Get(alg)
		item, ok := m.(httpsfv.Item)
		if !ok {
			return fmt.Errorf("%w: Content-Digest %s is not a byte sequence", ErrMalformed, alg)
		}
		got, ok := item.Value.([]byte)
		if !ok {
			return fmt.Errorf("%w: Content-Digest %s is not a byte sequence", ErrMalformed, alg)
		}
		if subtle.ConstantTimeCompare(got, sum) != 1 {
			return fmt.Errorf("%w: Content-Digest %s does not match the body", ErrDigestMismatch, alg)
		}
	}
	if supported == 0 {
		return fmt.Errorf("%w: Content-Digest has no sha-256 or sha-512 entry", ErrUnsupportedAlgorithm)
	}
	return nil
}
