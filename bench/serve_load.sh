#!/usr/bin/env bash
# Load benchmark of `samspor serve`: requests/s and latency percentiles of the search page with
# mixed queries, from a loopback load generator (wrk), at 50 concurrent connections.
#
#   bench/serve_load.sh [COPIES] [SECONDS] [CONNECTIONS]
#
# The index is the demo corpus replicated COPIES times (default 25: 100 documents, about 2,000
# sections), built in a temp dir by the release binary. Needs wrk (apt-get install wrk).
# Target: p99 under 100 ms at 50 connections. Everything runs on this machine's loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

copies=${1:-25}
seconds=${2:-30}
connections=${3:-50}
threads=2

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
cargo build --release --locked -q
bin=${CARGO_TARGET_DIR:-target}/release/samspor

work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# COPIES copies of every demo source (same files, own ids), and the demo themes.
demo=$(pwd)/examples/demo
{
  for i in $(seq 1 "$copies"); do
    awk -v i="$i" -v demo="$demo" '
      /^\[\[theme\]\]/ { exit }
      /^id = / { sub(/"$/, "-" i "\""); }
      /^url = / { sub(/^url = "/, "url = \"" demo "/"); }
      /^cites_as = / { next }
      { print }
    ' "$demo/sources.toml"
  done
  awk '/^\[\[theme\]\]/ { on = 1 } on { print }' "$demo/sources.toml"
} > "$work/sources.toml"

echo "== index: demo corpus x $copies"
"$bin" --sources "$work/sources.toml" --index-dir "$work/index" run >/dev/null
"$bin" --sources "$work/sources.toml" --index-dir "$work/index" status --json |
  grep -o '"sections": [0-9]*' | awk '{ n += $2 } END { print n " sections" }'

"$bin" --sources "$work/sources.toml" --index-dir "$work/index" serve --addr 127.0.0.1:0 >"$work/serve.out" &
server=$!
for _ in $(seq 1 100); do
  grep -q http:// "$work/serve.out" 2>/dev/null && break
  sleep 0.1
done
url=$(grep -o 'http://[^/ ]*' "$work/serve.out")
curl -sf -o /dev/null "$url/sok?q=fastlege" || { echo "server not answering" >&2; exit 1; }

echo "== warm-up (5 s)"
wrk -t"$threads" -c"$connections" -d5s -s bench/serve_load.lua "$url" >/dev/null
echo "== $connections connections, $threads wrk threads, ${seconds} s, on $(nproc) cores (load before: $(cut -d' ' -f1-3 /proc/loadavg))"
wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s --latency -s bench/serve_load.lua "$url"
