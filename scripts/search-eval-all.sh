#!/bin/sh
# nDCG@10 of search on every judged development query set, one line per set (samspor, and the
# stock Norwegian analyzer side by side), then test3's figures per kind.
# Usage: scripts/search-eval-all.sh [--semantic] [BINARY]
#   BINARY: a built search_eval example (default: cargo run --release --example search_eval).
set -eu
cd "$(dirname "$0")/.."
mode=""
if [ "${1:-}" = "--semantic" ]; then mode="--semantic"; shift; fi
bin="${1:-}"
run() {
    if [ -n "$bin" ]; then "$bin" "$@"; else cargo run -q --release --example search_eval -- "$@"; fi
}
printf '%-28s %8s %8s %8s\n' "set" "samspor" "stock" "zero-hit"
for set in eval/queries.toml eval/v2/queries-dev.toml eval/v2/queries-test.toml \
    eval/v2/queries-test2.toml eval/v2/queries-test3.toml; do
    case "$set" in eval/queries.toml) src=eval/sources.toml ;; *) src=eval/v2/sources.toml ;; esac
    out=$(run --sources "$src" --queries "$set" $mode 2>/dev/null)
    all=$(printf '%s\n' "$out" | awk '$1 == "ALL" { print $3, $7 }')
    zero=$(printf '%s\n' "$out" | awk -F': ' '/with relevant sections, samspor/ { print $2 }')
    printf '%-28s %8s %8s %8s\n' "$(basename "$set")" ${all} "$zero"
    if [ "$set" = eval/v2/queries-test3.toml ] || [ -n "${SHOW_KINDS:-}" ]; then
        printf '%s\n' "$out" | awk '/^kind / { on = 1 } on && NF == 8 { printf "    %-12s %s %s (stock %s)\n", $1, $2, $3, $7 }'
    fi
done
