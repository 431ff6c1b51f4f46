package signature

import (
	"errors"
	"net/http"
)

// Sentinel errors returned (wrapped, with detail) by [Verifier.Verify] and the
// parsers. Match them with [errors.Is]; [HTTPStatus] maps them to a status code.
var (
	// ErrNoSignature: the request carries no Signature, Signature-Input or
	// "Authorization: Signature" header.
	ErrNoSignature = errors.New("signature: request is not signed")
	// ErrMalformed: a signature header (or a covered component) cannot be parsed.
	ErrMalformed = errors.New("signature: malformed signature")
	// ErrDateSkew: the Date header or the created parameter lies outside the
	// accepted window around the verifier's clock (too old or in the future).
	ErrDateSkew = errors.New("signature: date outside the accepted window")
	// ErrExpired: the signature's expires parameter lies in the past.
	ErrExpired = errors.New("signature: signature expired")
	// ErrDigestMismatch: the body does not match Digest / Content-Digest.
	ErrDigestMismatch = errors.New("signature: body digest mismatch")
	// ErrBadSignature: the cryptographic check failed (also after a key refresh).
	ErrBadSignature = errors.New("signature: signature verification failed")
	// ErrUnsupportedAlgorithm: the signature or digest algorithm is unknown or
	// not accepted.
	ErrUnsupportedAlgorithm = errors.New("signature: unsupported algorithm")
	// ErrMissingHeaders: the signature does not cover what the verifier
	// requires (digest on POST, request target, host, date), or a covered
	// header is absent from the request.
	ErrMissingHeaders = errors.New("signature: required components not signed")
	// ErrKeyUnavailable: the KeyResolver could not provide the signing key.
	// The resolver's own error is wrapped as well.
	ErrKeyUnavailable = errors.New("signature: signing key unavailable")
)

// HTTPStatus suggests the status code an inbox answers for a verification
// error: 400 Bad Request for requests that are malformed or whose body does
// not match its digest, 401 Unauthorized for everything else (missing, stale,
// forged or unverifiable signatures), and 200 for a nil error.
func HTTPStatus(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrMalformed), errors.Is(err, ErrDigestMismatch):
		return http.StatusBadRequest
	default:
		return http.StatusUnauthorized
	}
}
