// Package signature signs and verifies the HTTP signatures that ActivityPub
// servers put on server-to-server requests.
//
// # What is signed
//
// [Signer.Sign] produces a draft-cavage-http-signatures-12 signature (through
// github.com/go-fed/httpsig), the format every Fediverse server accepts:
//
//   - POST (any request with a body): the signer sets Host, Date (if missing)
//     and "Digest: SHA-256=<base64 of the body>", and signs
//     "(request-target) host date digest". The Signature header reads
//     keyId="<actor key id>",algorithm="rsa-sha256",headers="(request-target)
//     host date digest",signature="…" (algorithm "hs2019" for Ed25519 keys).
//   - GET / HEAD (signed fetches, normally as the instance actor): the signer
//     sets Host and Date and signs "(request-target) host date".
//
// [Signer.SignRFC9421] produces an RFC 9421 HTTP Message Signature instead:
// Signature-Input sig1=("@method" "@target-uri" "content-digest");created=…;
// keyid="…";alg="rsa-v1_5-sha256" (or "ed25519"), with
// "Content-Digest: sha-256=:<base64>:" (RFC 9530) on requests with a body,
// and without "content-digest" on GET.
//
// # Choosing a scheme: double-knock
//
// Most peers only understand draft-cavage; newer releases of some servers
// also accept RFC 9421. A deliverer keeps a preferred [Scheme]
// per host, signs with it, and when the peer answers 401 (or 400) to a
// signed request it signs the same request again with [Scheme.Other] and
// retries once, remembering whichever scheme succeeded ("double-knock").
// Without a stored preference, start with SchemeCavage for maximum reach,
// or SchemeRFC9421 to move peers to the standard. Example_doubleKnock shows
// the pattern; the retry loop and the per-host memory belong to the
// federation delivery code, not to this package.
//
// # Verifying
//
// [Verifier.Verify] accepts both schemes: RFC 9421 when Signature-Input is
// present, else the draft-cavage Signature header (or "Authorization:
// Signature …"). It requires, before any key is fetched:
//
//   - the request target: "(request-target)" and "host" for cavage;
//     "@method" with "@target-uri", or "@authority" with "@path", for RFC 9421;
//   - freshness: "date" covered and within [Options.MaxSkew] (default one
//     hour, both directions), or a created parameter within the same window
//     (cavage hs2019 "(created)"); an expires in the past is rejected;
//   - on POST, PUT and PATCH, the body digest: "digest" covered and the body
//     matching Digest (SHA-256 or SHA-512), or "content-digest" covered and
//     the body matching Content-Digest (sha-256 or sha-512).
//
// Algorithms: cavage rsa-sha256, rsa-sha512, ed25519 and hs2019 (resolved by
// key type: RSA-SHA256 as Mastodon signs, Ed25519, ECDSA); RFC 9421
// rsa-pss-sha512, rsa-v1_5-sha256, ecdsa-p256-sha256, ecdsa-p384-sha384 and
// ed25519, inferred from the key type when alg is absent. HMAC is refused.
//
// Keys come from a [KeyResolver]. When the cryptographic check fails with a
// key that may have come from a cache, the verifier asks for the key once
// more with refresh=true, so that key rotation heals itself. The [Result]
// names the key owner; the inbox must check that it matches the activity's
// actor. Failures wrap sentinel errors (ErrNoSignature, ErrMalformed,
// ErrDateSkew, ErrExpired, ErrDigestMismatch, ErrBadSignature,
// ErrUnsupportedAlgorithm, ErrMissingHeaders, ErrKeyUnavailable); use
// [HTTPStatus] to pick 400 or 401.
//
// Behind a TLS-terminating proxy set [Options.Scheme] and [Options.Authority]
// to the public values: the verifier never trusts X-Forwarded-* headers.
//
// # Keys
//
// [GenerateRSAKey] and [GenerateEd25519Key] create keys; the PEM helpers read
// and write PKCS#1 and PKCS#8 private keys and PKIX ("PUBLIC KEY") and PKCS#1
// ("RSA PUBLIC KEY") public keys as peers publish them in publicKeyPem;
// [EncodePublicKeyMultibase] and [DecodePublicKeyMultibase] handle FEP-521a
// Multikey publicKeyMultibase values (Ed25519 and RSA).
package signature
