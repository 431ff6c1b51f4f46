// Package nodeinfo serves and fetches NodeInfo documents (versions 2.0 and
// 2.1, https://nodeinfo.diaspora.software), which Fediverse software and
// Mastodon clients read to learn what a server runs, how many users it has
// and whether registrations are open.
//
// NewHandler serves the discovery document /.well-known/nodeinfo, linking
// /nodeinfo/2.0 and /nodeinfo/2.1 with the schema relation URIs, and the
// two documents themselves with
// `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.x#"`.
// The data comes from a Provider, asked on every request (cache in the
// Provider if counting users is expensive).
//
// Client.Fetch reads a peer's discovery document, follows the 2.1 link (else
// 2.0) and decodes it, with response size limits. Pass a
// federation/transport client's HTTPClient() for SSRF protection.
// Discovery uses https only unless ClientOptions.AllowHTTP is set (local
// testing); the protocol's suggested fallback from https to http on
// connection errors is deliberately not implemented, because it lets a
// network attacker downgrade the connection.
package nodeinfo
