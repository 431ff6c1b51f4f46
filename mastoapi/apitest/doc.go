// Package apitest holds the end-to-end tests of the Mastodon API that need
// the whole server or outside tools: the flow through the npm client masto
// (run with the Node 22 that testdata/masto pins, installed by
// scripts/node-deps.sh), and the check that docs/api.md's endpoint coverage
// table matches the routes the API serves.
//
// It has no exported API; everything is in its tests. Those that need Node
// skip without it, and fail instead when HERD_TEST_REQUIRE_NODE=1 (as CI sets
// it).
package apitest
