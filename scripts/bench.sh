#!/usr/bin/env bash
# make bench: every benchmark, each figure one line
#   bench <name> <value> <unit> vs <baseline-name> <baseline-value> ratio <x>
# with its baseline measured in the same invocation on the same machine (and, for REST, the same
# loopback server). Speed lives here, never in timed test assertions.
set -euo pipefail
cd "$(dirname "$0")/.."
lib=$PWD/dist/lib
inc=$PWD/include
export PATH="$PWD/.venv/bin:$PATH"   # aiohttp and the binding's Python live in the venv

echo "== Swift-API storage benchmark (release build)"
swift build -c release --product pmingest-bench 2>&1 | grep -E 'error|warning: ' || true
swift_lines=$(mktemp /tmp/pmingest-bench-swift.XXXXXX)
trap 'rm -f "$swift_lines"' EXIT
"$(swift build -c release --show-bin-path)/pmingest-bench" "${BENCH_ROWS:-100000}" "${BENCH_RUNS:-5}" | tee "$swift_lines"

echo "== storage: pmingest vs raw SQLite (C) and Python sqlite3"
bench/run_storage.sh "$lib" "$inc" "$swift_lines"

if [ -x bench/run_rest.sh ]; then
  echo "== REST: pmingest vs raw libcurl and aiohttp on one loopback server"
  bench/run_rest.sh "$lib" "$inc"
fi

if [ -x bench/run_stream_decode.sh ]; then
  echo "== stream decode: MarketChannelParser vs simdjson on-demand (C++) and Python json+Decimal"
  bench/run_stream_decode.sh "$(swift build -c release --show-bin-path)/pmingest-bench"
fi

if [ -x bench/run_stream.sh ]; then
  echo "== stream: pmingest vs a raw libwebsockets client and Python websockets on one loopback push server"
  bench/run_stream.sh "$lib" "$inc"
fi
