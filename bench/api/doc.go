// Command api is the load harness of Herd's Mastodon API: it seeds a fresh
// database, starts the real server and drives the endpoints of issue 4's
// performance goals with wrk (or a Go load generator with the same shape
// when wrk is not installed), then prints the figures beside the goals.
//
// It works on loopback only and stops by itself: every phase is bounded in
// count and time (-timeout bounds the whole run), and the server it started
// is stopped and the temporary directory removed at the end.
//
// Run it from the repository root:
//
//	go run ./bench/api                      # 100,000 statuses, wrk, 10 s per endpoint
//	go run ./bench/api -statuses 20000 -duration 5s
//	go run ./bench/api -profile /tmp/herd-prof  # in-process server, CPU profile per endpoint
//
// What it does:
//
//  1. Seeds SQLite through package storage: Statuses statuses spread over
//     Accounts accounts (half local), a viewer following Followed of them
//     with a materialised home feed (storagetest.SeedHome, multi-row
//     INSERTs on the store's DB handle), the viewer's user, an OAuth app and
//     Tokens access tokens.
//  2. Builds cmd/herd and runs `herd serve` on 127.0.0.1 with the seeded
//     database: once to let it create its instance actor, then again to
//     measure the start-up time (process start to the first 200 from
//     /health) and, after a second of quiet, the idle RSS (VmRSS of
//     /proc/PID/status).
//  3. Checks every endpoint answers 200 with the expected shape, then drives,
//     each for -duration with -connections connections:
//     GET /api/v1/timelines/home?limit=20, GET /api/v1/timelines/public?local=true
//     and POST /api/v1/statuses; it reports requests per second, latency
//     percentiles and any non-2xx answers.
//
// The API rate-limits each token to 300 requests per 5 minutes (as Mastodon)
// and herd serve has no setting to lift that, so every request carries the
// next of many tokens: the limiter runs as in production but never refuses.
// Endpoints that are not served yet (404/405 at the check) are skipped and
// reported, with verify_credentials and instance measured instead.
//
// By default wrk runs closed loop: each connection sends its next request
// as soon as the answer arrives, so the figures are the server's maximum
// rate and the latency at that saturation (on a 2-core machine shared with
// wrk, the tail is then mostly wrk's and the server's threads waiting for
// a core). With -rate N wrk is paced at about N requests per second in
// all (its delay() hook, corrected every second), and the latency is that
// of a server answering N requests per second:
//
//	go run ./bench/api -only home -rate 12500
//
// With -profile DIR the server runs in this process instead (the same
// composition as cmd/herd: the SQLite store, social.New and mastoapi.New),
// and a CPU profile of each endpoint's load is written to DIR/NAME.pprof
// (read it with `go tool pprof -top DIR/NAME.pprof`).
package main
