// Package transport is the outbound HTTP client behind every Herd fetch and
// delivery.
//
// A Client wraps a net/http client with the protections a federating server
// needs when it talks to URLs chosen by strangers:
//
//   - SSRF protection enforced at connect time. The dialer's Control hook
//     inspects the IP address actually being connected to, after DNS
//     resolution, so a name that resolves to a public address for a
//     validation step and to 127.0.0.1 for the connection (DNS rebinding)
//     is still refused. Loopback, private (RFC 1918, fc00::/7), link-local,
//     CGNAT, multicast, unspecified, documentation and other special-purpose
//     ranges are refused (see IsPublicAddr) unless listed in
//     Options.AllowPrivate. Refusals wrap ErrForbiddenAddress.
//   - https only unless Options.AllowHTTP is set (local testing).
//   - A redirect limit (Options.MaxRedirects); every hop is re-checked.
//   - A response size limit: reading more than Options.MaxBodyBytes from a
//     response body fails with ErrBodyTooLarge.
//   - Timeouts for the dial and for the whole request.
//   - A User-Agent naming the software and the instance.
//
// On top of that, GetActivity fetches an ActivityPub document with the right
// Accept header, optional request signing, status and Content-Type checks,
// and the same-origin rule: the document's top-level id must have the same
// origin (scheme, host, port) as the final URL it was served from, otherwise
// ErrOriginMismatch. Post delivers an activity to an inbox and reports the
// status and any Retry-After.
//
// Request signing is pluggable through the one-method RequestSigner
// interface, so this package does not depend on any signature scheme.
//
// HTTPClient returns the configured *http.Client for libraries (such as the
// webfinger and nodeinfo clients) that take a plain client; it carries the
// same connect-time address checks, redirect checks and body limit.
package transport
