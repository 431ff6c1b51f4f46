// Package federate joins Herd's application core (social) and its
// ActivityPub engine (federation): what local accounts do reaches other
// servers, and what other servers send reaches local accounts.
//
// # Wiring
//
// A Federator is built over a social.Service, a federation.Resolver and a
// federation.Sender. The Service takes the Federator as its EventSink (and
// MentionResolver); Hooks breaks that construction cycle:
//
//	resolver := federation.NewResolver(federate.SanitizingAccounts(store.Accounts(), nil), client, instanceSigner, ropts)
//	sync := federate.NewFollowersSync(store, urls, resolver, nil)
//	deliverer := federation.NewDeliverer(store.Deliveries(), sync.Poster(client), signers, dopts)
//	sender := federation.NewSender(deliverer, resolver, store.Follows(), nil)
//	hooks := &federate.Hooks{}
//	hooks.Also(streamingSink)
//	svc := social.New(store, urls, &social.Options{Events: hooks, Mentions: hooks})
//	fed := federate.New(svc, resolver, sender, &federate.Options{Sync: sync})
//	hooks.Set(fed)
//	handlers := &federation.Handlers{}
//	fed.Register(handlers)
//	mux.Handle("POST /inbox", sync.Middleware(federation.NewInbox(resolver, handlers, iopts)))
//	mux.Handle("GET /users/{name}/followers_synchronization", sync.Handler())
//	go deliverer.Run(ctx)
//	go fed.RunPollUpdates(ctx) // the tallies of local polls, a delay after votes
//
// The ActorHandler must be given Statuses and Pins for the featured
// collection (pinned posts) to be served.
//
// # Outbound
//
// Publish turns the events of local accounts into activities (Create,
// Update and Delete of Notes, Announce, Like, Follow, Accept, Reject,
// Block, their Undo, Update of the actor) addressed by visibility and
// queued on the durable delivery queue. SendActorDelete and SendMove are
// called explicitly (the application core has no such events).
//
// # Inbound
//
// Register installs typed handlers for Follow, Accept, Reject, Undo,
// Create, Update, Delete, Like, Announce, Block and Move. Remote posts
// are converted with federation.NoteToStatus, their HTML cleaned to
// Mastodon's allow-list (Sanitizer), mentions mapped to accounts,
// attachments kept by reference as media records, the polls of Questions
// stored as polls (their tallies updated by Update(Question)), Notes that
// name an option of a local poll counted as votes (not stored as posts),
// missing ancestors fetched within
// Options.ThreadDepth and the fetch budget, and stored with
// social.Service.ReceiveStatus, which fans them out to home feeds and
// notifies. Posts that no local account follows, is mentioned in or is
// replied to are dropped. Activities about objects the actor does not own
// are refused (403).
//
// # Search
//
// Resolve finds accounts by handle and accounts or posts by URL on other
// servers, for GET /api/v2/search?resolve=true.
//
// # Followers synchronisation
//
// FollowersSync implements FEP-8fcf: the Collection-Synchronization header
// on deliveries, the partial followers collection, and the inbound check.
//
// The subpackage federatetest runs complete servers in-process for tests.
package federate
