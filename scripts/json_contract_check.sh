#!/bin/bash
# Byte-for-byte check of the --json outputs of two samspor binaries on the demo corpus:
#   scripts/json_contract_check.sh OLD_BINARY NEW_BINARY
# Builds a demo index with OLD (offline), runs every read-only --json command with both on that
# same index and diffs them (status without its clock-dependent age fields), then compares each
# binary's own `run --json` with the millisecond timings masked.
set -u
OLD=$(realpath "$1"); NEW=$(realpath "$2")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
export TZ=UTC
SRC="$ROOT/examples/demo/sources.toml"
readonly_json() { # BIN IDX OUT
  local G="--sources $SRC --index-dir $2"; mkdir -p "$3"
  "$1" $G match --explain nou-demo 3.4.1 --json > "$3/explain.json"
  "$1" $G search fastlege --json > "$3/search1.json"
  "$1" $G search "rekruttering sykepleiermangel" --limit 20 --json > "$3/search2.json"
  "$1" $G search "listelengde sjiraffpark" --json > "$3/search3.json"
  "$1" $G refs --json > "$3/refs.json"
  "$1" $G refs --cited-by "NOU 2099: 3" --json > "$3/refs-cited.json"
  "$1" $G status --json | grep -v 'last_good_fetch_age_secs\|staleness' > "$3/status.json"
  "$1" $G changes --run 1 --json > "$3/changes-run1.json"
  "$1" $G changes --since 2000-01-01 --json > "$3/changes-since.json"
  "$1" $G sources suggest --json > "$3/suggest.json"
  "$1" $G export --format ndjson > "$3/export.ndjson" 2>/dev/null
  for f in "$ROOT"/examples/demo/*.pdf "$ROOT"/examples/demo/*.html; do
    "$1" extract --file "$f" --json > "$3/extract-$(basename "$f").json"
  done
}
mask() { sed -E 's/"(extract|fetch|index|match|total_millis)": [0-9]+/"\1": N/' "$1"; }
"$OLD" --sources "$SRC" --index-dir "$WORK/old-idx" run --json > "$WORK/run-old.json"
"$NEW" --sources "$SRC" --index-dir "$WORK/new-idx" run --json > "$WORK/run-new.json"
readonly_json "$OLD" "$WORK/old-idx" "$WORK/old"
readonly_json "$NEW" "$WORK/old-idx" "$WORK/new"
status=0
diff -r "$WORK/old" "$WORK/new" && echo "read-only --json outputs: byte-identical ($(ls "$WORK/new" | wc -l) files)" || status=1
diff <(mask "$WORK/run-old.json") <(mask "$WORK/run-new.json") && echo "run --json: identical (timings masked)" || status=1
exit $status
