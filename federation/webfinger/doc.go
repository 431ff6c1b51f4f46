// Package webfinger implements WebFinger (RFC 7033) discovery for
// ActivityPub: a server handler for /.well-known/webfinger and host-meta
// (RFC 6415), and a client that looks up an account's actor URL.
//
// # Resources
//
// ParseResource accepts the forms people and software use for an account:
// "acct:alice@example.com" (RFC 7565), "alice@example.com",
// "@alice@example.com", and http(s) URLs such as
// "https://example.com/users/alice". Hosts may carry a port
// ("alice@127.0.0.1:8081"), which matters for local testing.
//
// # Server
//
// NewHandler serves /.well-known/webfinger, /.well-known/host-meta (XRD) and
// /.well-known/host-meta.json, asking a Resolver for the JRD of each
// resource. Responses are application/jrd+json with
// "Access-Control-Allow-Origin: *"; a missing or malformed resource answers
// 400 and an unknown one (Resolver returns ErrNotFound) 404.
//
// # Client
//
// Client.Lookup queries https://host/.well-known/webfinger?resource=acct:…
// and, when that answers 404, follows the host's host-meta lrdd template.
// Pass the *http.Client of a federation/transport Client so lookups get its
// SSRF protection, redirect and size limits. For local testing,
// ClientOptions.AllowHTTP switches every query to plain http (there is no
// https-then-http fallback: the scheme is decided by configuration, never by
// what a peer answers).
//
// JRD.ActorURL returns the rel="self" link with an ActivityPub media type,
// which is what a federating server needs from a lookup. Note that a JRD
// only says what its own host claims: when the subject names another host,
// confirm it with a lookup on that host before trusting the mapping.
package webfinger
