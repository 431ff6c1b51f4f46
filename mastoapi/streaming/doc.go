// Package streaming serves Mastodon's streaming API — WebSocket at
// /api/v1/streaming with multiplexed subscribe/unsubscribe messages, and
// server-sent events (SSE) at /api/v1/streaming/{user,public,…} — on top of
// a timeline.Hub, and publishes the events of the social core to that hub.
//
// # Pieces
//
//   - NewPublisher returns a social.EventSink that turns what happened
//     (a status posted, boosted, edited or deleted; a notification) into
//     small timeline.Messages addressed to hub channels ("user:1",
//     "public:local", "hashtag:golang" …). Install it as the EventSink of
//     social.Service (social.Options.Events).
//   - New returns the Handler serving the streaming endpoints. It holds one
//     hub subscription carrying the channels of all its connections and
//     routes each message to the connections of its channel; each
//     connection renders the references it receives for its own viewer
//     through a Renderer and writes Mastodon frames. Tokens are checked
//     through an Authenticator.
//
// Several herd processes sharing one PostgreSQL database stream each
// other's events when they use timeline/pghub as their Hub: a status
// posted through one process reaches the clients connected to any other.
// No sticky sessions are needed.
//
// # What the Renderer must do
//
// Hub messages carry references (a status or notification ID), never
// rendered entities. The Handler calls Renderer.RenderStatus or
// RenderNotification for each subscriber's viewer and sends what it gets;
// it applies no visibility rules of its own. The Renderer is therefore
// responsible for everything that decides whether and how a viewer sees an
// event: visibility (private, direct), blocks in either direction, muted
// accounts and domains, keyword filters (hide, or a "filtered" field) and
// the viewer-specific fields (favourited, reblogged, bookmarked …). It
// returns ErrNotFound (or nil bytes) when the viewer must not receive the
// event; the Handler then silently skips it. The Handler caches a rendering
// for a few seconds per (viewer, event, reference), so several connections
// of one viewer (or of anonymous viewers) render an event once.
//
// A Renderer that also implements StatusPreparer renders each status once
// per event (PrepareStatus) and then only what differs per viewer
// (PreparedStatus.ForViewer); viewers who see the same bytes share one
// encoded frame. mastoapi.API.StreamRenderer does this with the REST API's
// entities. AnnouncementRenderer adds the "announcement" event;
// PublishAnnouncements and WatchAnnouncements stream the announcements
// made in the store.
//
// # Fan-out
//
// One hub subscription per Handler carries the channels of all its
// connections. Its messages are handed to Options.Workers goroutines
// (GOMAXPROCS by default); each connection belongs to one worker, so its
// events keep their order. A worker renders (memoised per message and
// viewer), takes the frame encoded once for the rendering, stream label and
// event, and writes it to an idle WebSocket's socket without blocking;
// what the socket does not take at once (and what arrives meanwhile) is
// written by a goroutine of that connection's own, which exists only then.
// Options.OnWritten reports the time from the Handler receiving an event to
// each frame written (a debug metric; bench/streaming uses it).
//
// # Flow control
//
// Nothing a client does slows the poster or other clients: the hub never
// blocks publishers, the Handler's router only appends to bounded
// per-connection queues (Options.QueueSize) and closes a connection whose
// queue overflows; every write has a deadline (Options.WriteTimeout).
// WebSocket pings (and SSE ":thump" comments) go out every
// Options.Heartbeat, and the token is checked again every
// Options.RecheckInterval, closing the stream once it is revoked; one
// sweeper goroutine per Handler does both.
//
// An idle WebSocket costs one goroutine (its reader) and small buffers
// (about 13 KB in all). Closing the hub ends every stream.
package streaming
