#!/usr/bin/env bash
# make demo: the whole ingestion pipeline on the embedded default — a local SQLite file and the
# bundled fake Polymarket (REST + WebSocket on 127.0.0.1) replaying a realistic session with a
# stale-trade trap, stream prints without size, and a spike far from the book. Ends by itself.
# To run the same pipeline live: pmingest demo --db FILE (production URLs are the defaults).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== building the pmingest CLI"
swift build --package-path cli --scratch-path "$PWD/.build" --product pmingest-cli 2>&1 | grep -E "error|warning: |Build" | tail -3
pm="$(swift build --package-path cli --scratch-path "$PWD/.build" --show-bin-path)/pmingest-cli"

dir=${PMINGEST_DEMO_DIR:-$(mktemp -d /tmp/pmingest-demo.XXXXXX)}
db="$dir/pmingest.db"
rm -f "$db" "$db-wal" "$db-shm"

# The fake server (its default session scripted by scripts/demo_scenario.py) runs for the
# duration of the inner script; PMINGEST_*_URL point at it.
echo "== starting the bundled fake Polymarket (basic preset + a fresh trade + 4 stream prints)"
scripts/with-fake-polymarket.sh bash -c '
  set -euo pipefail
  "$1" demo --db "$2" --seconds 5
  echo
  echo "== the stored data, read back through the CLI"
  "$1" store trades --db "$2" "$3" --limit 5
  "$1" store meta --db "$2" | tail -4
' demo "$pm" "$db" 144025376118479892262749490880200562967355458335621099086839387638815271716888
echo
echo "database: $db"
