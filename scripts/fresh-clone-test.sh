#!/usr/bin/env bash
# Runs the README's test command (scripts/test.sh) in a fresh clone of the
# repository's committed HEAD, in an empty temporary folder with no sibling
# folders, as someone who cloned the project from its public home would.
# It fails when the test command fails, and checks that the count of tests
# skipped for missing data is printed and is zero. Uncommitted changes are
# not part of the clone. Extra arguments are passed to scripts/test.sh.
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
head=$(git -C "$repo" rev-parse HEAD)

log() { printf '==> %s\n' "$*" >&2; }

if [ -n "$(git -C "$repo" status --porcelain)" ]; then
	log "note: uncommitted changes in $repo are not tested"
fi
tmp=$(mktemp -d /tmp/callaudit-clone.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
dir="$tmp/callaudit"
log "cloning $head into $dir"
git clone -q --no-checkout "$repo" "$dir"
git -C "$dir" checkout -q --detach "$head"

out="$tmp/test.log"
status=0
(cd "$dir" && ./scripts/test.sh "$@") 2>&1 | tee "$out" || status=$?
if [ "$status" -ne 0 ]; then
	log "the test command failed in the fresh clone (exit $status)"
	exit "$status"
fi
missing=$(sed -n 's/^tests skipped for missing data: \([0-9][0-9]*\)$/\1/p' "$out" | tail -n1)
if [ "$missing" != "0" ]; then
	log "tests skipped for missing data: ${missing:-not reported}"
	exit 1
fi
log "fresh clone passed; tests skipped for missing data: 0"
