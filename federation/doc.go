// Package federation is Herd's ActivityPub engine: what an application
// imports to put its accounts on the Fediverse. It builds on the ap codec
// and on its subpackages: HTTP signatures (federation/signature), an
// SSRF-safe HTTP client (federation/transport), WebFinger
// (federation/webfinger) and NodeInfo (federation/nodeinfo). It never
// imports the social or mastoapi layers: applications plug in through typed
// handlers, a Policy and small storage interfaces.
//
// # Receiving: Inbox
//
// An Inbox is the http.Handler of the shared inbox (or, with
// InboxOptions.Recipient, of personal inboxes). It checks the cheap limits
// first (method, Content-Type, 1 MiB body, JSON depth 32, a per-host token
// bucket keyed by the signature's keyId host: 429 with Retry-After), then
// the HTTP signature (draft-cavage or RFC 9421) with keys from the
// Resolver, that the key's owner is the activity's actor, that the
// activity's id is on the actor's origin, the Policy hook, and idempotency
// by activity id (storage.InboxLog). Verified activities are dispatched to
// typed handlers registered with On:
//
//	h := &federation.Handlers{}
//	federation.On(h, func(ctx context.Context, in *federation.Incoming[federation.Follow]) error {
//		// in.Activity.Followee(), in.Signer (the verified actor) …
//		return nil
//	})
//	inbox := federation.NewInbox(resolver, h, &federation.InboxOptions{Log: store.InboxLog()})
//
// Embedded objects are not trusted unless they live on the actor's origin:
// Incoming.Object refetches the others from their origin. Handlers answer
// 202 by returning nil, 4xx by returning ErrReject or ErrInvalidActivity,
// 503 for a TemporaryError (a remote server down: the sender retries
// later) and 500 with any other error.
//
// # Fetching: Resolver
//
// A Resolver fetches actors, keys and objects with GETs signed by the
// instance actor (see EnsureInstanceActor), stores remote actors as
// storage.Accounts (refreshed after a day), caches keys and objects in
// memory, resolves user@host handles through WebFinger, and implements
// signature.KeyResolver (with one refetch for rotated keys). Every fetch
// spends the context's fetch budget (WithFetchBudget; the inbox gives each
// activity DefaultFetchBudget), and FetchThread bounds reply chains.
//
// # Sending: Sender and Deliverer
//
// A Sender resolves recipients (actors, the followers collection) into
// deduplicated inboxes, shared ones preferred, encodes the activity once and
// queues it on a Deliverer. The Deliverer posts queued activities from the
// durable storage.Deliveries queue with per-host concurrency limits,
// exponential backoff over about a week, Retry-After, a per-host circuit
// breaker and "double-knock" signing; deliveries claimed by a process that
// dies are retried after their lease runs out, by any process sharing the
// database.
//
// # Serving
//
// ActorHandler serves local actors (as Mastodon renders them, see
// AccountToActor), their outbox, followers, following and featured
// collections and public statuses, with content negotiation against an HTML
// handler. WebFingerResolver answers WebFinger for local accounts. The
// converters AccountToActor, ActorToAccount, StatusToNote and NoteToStatus
// are the one place where ActivityPub meets storage records.
//
// # Local federation
//
// With a plain-http public URL and a transport.Client configured with
// AllowHTTP and AllowPrivate (plus ResolverOptions.AllowHTTP for WebFinger),
// everything works between processes on one machine, with handles on
// non-default ports such as alice@127.0.0.1:8081.
package federation
