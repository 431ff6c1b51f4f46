// Package federation is Herd's ActivityPub engine: delivery of outgoing
// activities through a durable queue, and (in its subpackages) HTTP
// signatures (federation/signature), an SSRF-safe HTTP client
// (federation/transport), WebFinger (federation/webfinger) and NodeInfo
// (federation/nodeinfo).
//
// A Deliverer posts activities queued in storage.Deliveries to remote
// inboxes with per-host concurrency limits, exponential backoff over about a
// week, Retry-After, a per-host circuit breaker and "double-knock" signing.
// The queue is durable: deliveries claimed by a process that dies are
// retried after their lease runs out, by any process sharing the database.
package federation
