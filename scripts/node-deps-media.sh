#!/usr/bin/env bash
# Installs the npm package of the media tests' S3-compatible server (s3rver,
# in media/testdata/s3) with `npm ci`, exactly as pinned by its
# package-lock.json. Kept apart from scripts/node-deps.sh while that script
# is being written; fold its directory into that script's list later.
# Idempotent: reinstalls only when node_modules is missing or package.json,
# package-lock.json or the Node.js version changed (recorded in
# node_modules/.herd-deps-stamp). Install scripts are not run.
#
# Without Node.js 20+ and npm it prints why and exits 0: the S3 tests then
# skip, or fail when HERD_TEST_REQUIRE_S3=1 (as in CI).
# Usage: scripts/node-deps-media.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."

dirs=(
  media/testdata/s3
)
min_major=20
force=""
[ "${1:-}" = "--force" ] && force=1

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "node-deps-media: Node.js/npm not found; skipping npm installs." \
    "The S3 tests will skip (or fail with HERD_TEST_REQUIRE_S3=1)." >&2
  exit 0
fi
node_version=$(node --version)
major=${node_version#v}
major=${major%%.*}
if ! [[ "$major" =~ ^[0-9]+$ ]] || [ "$major" -lt "$min_major" ]; then
  echo "node-deps-media: Node.js $node_version is older than $min_major; skipping npm installs." \
    "The S3 tests will skip (or fail with HERD_TEST_REQUIRE_S3=1)." >&2
  exit 0
fi

for dir in "${dirs[@]}"; do
  if [ ! -f "$dir/package-lock.json" ]; then
    echo "node-deps-media: $dir/package-lock.json is missing" >&2
    exit 1
  fi
  stamp="$dir/node_modules/.herd-deps-stamp"
  want=$(cat "$dir/package.json" "$dir/package-lock.json" <(echo "$node_version") | sha256sum | cut -d' ' -f1)
  if [ -z "$force" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "node-deps-media: $dir is up to date"
    continue
  fi
  echo "node-deps-media: installing $dir (npm ci)"
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  echo "$want" >"$stamp"
done
