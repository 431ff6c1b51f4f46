// Package mastoapi is Herd's Mastodon-compatible HTTP API: the client REST
// API under /api, the OAuth 2 authorization server under /oauth (with its
// sign-in, consent and sign-up pages), and the cross-cutting behaviour
// Mastodon clients rely on — errors as {"error": "…"}, rate-limit headers,
// CORS, Link pagination, Idempotency-Key and Mastodon's datetime format.
//
// It is an adapter: business rules live in package social, records in
// package storage. New returns an http.Handler; endpoint handlers are
// registered with (*API).Handle, which parses parameters from every encoding
// clients use (ParamsOf), authenticates the bearer token and checks its
// scopes (AuthOf), rate-limits, and renders returned errors in one place
// (WriteError). Entities and their converters from storage records are in
// entities.go (AccountToAPI, CredentialAccountToAPI, InstanceToAPI …).
//
// State kept in memory — rate-limit counters and the Idempotency-Key cache —
// is per process; several herd processes behind one load balancer each
// count separately.
package mastoapi
