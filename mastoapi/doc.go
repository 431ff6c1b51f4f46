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
// The endpoints over the social core — statuses, timelines, account
// actions and relationships, notifications (v1 and grouped v2), search,
// bookmarks, favourites, blocks, mutes, domain blocks and markers — render
// each page of records with a fixed number of queries (render.go): the
// boosted statuses, the authors and the viewer's state are loaded once per
// page. Searches with resolve=true reach remote servers through
// Options.Resolve, which federation provides.
//
// What is not there yet, and how the API answers meanwhile:
//   - media: without Options.Media the media endpoints, any media_ids and
//     avatar and header uploads answer 422;
//   - timelines/direct reads the statuses of the viewer's 200 most recent
//     conversations;
//   - grouped notifications are grouped within the page read, so
//     notifications_count counts the page's members of a group.
//
// State kept in memory — rate-limit counters and the Idempotency-Key cache —
// is per process; several herd processes behind one load balancer each
// count separately.
package mastoapi
