#!/usr/bin/env bash
# Runs Herd's whole test suite: Go tests (with the race detector) on SQLite and
# on a real PostgreSQL server, plus the client and interoperability tests that
# need Node. Starts a throwaway PostgreSQL cluster unless HERD_TEST_POSTGRES_DSN
# is already set. Usage: scripts/test.sh [extra go test flags]
set -euo pipefail
cd "$(dirname "$0")/.."

started_pg=""
if [ -z "${HERD_TEST_POSTGRES_DSN:-}" ]; then
  HERD_TEST_POSTGRES_DSN=$(scripts/pg-test-cluster.sh start)
  started_pg=1
fi
export HERD_TEST_POSTGRES_DSN
export HERD_TEST_REQUIRE_POSTGRES=${HERD_TEST_REQUIRE_POSTGRES:-1}
cleanup() { [ -n "$started_pg" ] && scripts/pg-test-cluster.sh stop; return 0; }
trap cleanup EXIT

# Node-based client and peer tests live under testdata/node of their packages;
# scripts/node-deps.sh installs what they need when Node is present.
if [ -x scripts/node-deps.sh ]; then
  scripts/node-deps.sh
fi

go test -race -timeout 20m "$@" ./...
