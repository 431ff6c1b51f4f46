// Package interop runs a real, independent ActivityPub server next to Go
// tests, so that Herd's federation code is checked against another
// implementation rather than against itself.
//
// The peer is a small Node.js program (testdata/peer/peer.mjs) built on
// Fedify (@fedify/fedify 1.5.9), a widely used TypeScript ActivityPub
// framework. It serves one actor, "peer", with WebFinger, an inbox that
// verifies HTTP signatures, followers/following/outbox collections and
// dereferenceable objects, over plain HTTP on a loopback port. A JSON control
// API under /control lets a test make the peer act (look up an actor, follow,
// post a note, like, announce, undo, update, delete, block) and inspect what
// it received (every verified inbound activity with its raw JSON and the HTTP
// signature details, and every delivery it rejected, with the reason).
//
// # Driving a scenario
//
//	peer := interop.StartPeer(t)            // skips when Node is missing
//	actor, err := peer.Lookup(ctx, "alice@127.0.0.1:8080")
//	followID, err := peer.Follow(ctx, actor.ID)
//	accept := peer.WaitFor(t, "Accept", interop.ObjectIs(followID), 5*time.Second)
//
// StartPeer starts `node peer.mjs` in its own process group on a free port,
// waits until it is ready and stops it in t.Cleanup; when the test fails, the
// tail of the peer's log is written to the test log. When Node.js (20 or
// later) or the peer's node_modules are missing, StartPeer skips the test
// with a hint to run scripts/node-deps.sh, or fails it when the environment
// variable HERD_TEST_REQUIRE_NODE is 1 (as CI sets it).
//
// Launch and Peer.Close do the same without a testing.TB, for a peer shared
// by several tests (for example from TestMain).
package interop
