#!/usr/bin/env bash
# make demo: the whole ingestion pipeline on the embedded default — a local SQLite file and the
# bundled fake Polymarket (REST + WebSocket on 127.0.0.1) replaying a realistic session with a
# stale-trade trap, stream prints without size, and a spike far from the book. Ends by itself.
# To run the same pipeline live: pmingest demo --db FILE (production URLs are the defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python   # the fake server's WebSocket side needs the venv's `websockets`

echo "== building the pmingest CLI"
swift build --product pmingest-cli 2>&1 | grep -E "error|warning: |Build" | tail -3
pm="$(swift build --show-bin-path)/pmingest-cli"

dir=${PMINGEST_DEMO_DIR:-$(mktemp -d /tmp/pmingest-demo.XXXXXX)}
db="$dir/pmingest.db"
rm -f "$db" "$db-wal" "$db-shm"

echo "== starting the bundled fake Polymarket"
"$python" Tests/fakepolymarket/server.py --port 0 --exit-with-parent > "$dir/server.out" 2>"$dir/server.err" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$dir/server.out" 2>/dev/null && break; sleep 0.1; done
root=$(sed -n 's/^listening //p' "$dir/server.out")
[ -n "$root" ] || { echo "fake server did not start: $(cat "$dir/server.err")" >&2; exit 1; }
"$python" scripts/demo_scenario.py "$root" > "$dir/scenario.json"
echo "   $root (scenario: Tests' basic preset + a fresh trade, 4 stream prints)"

export PMINGEST_GAMMA_URL=$root/gamma PMINGEST_CLOB_URL=$root/clob PMINGEST_DATA_URL=$root/data
export PMINGEST_WS_URL=${root/http:/ws:}/ws/market
"$pm" demo --db "$db" --seconds 5

echo
echo "== the stored data, read back through the CLI"
a_yes=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["a_yes"])' "$dir/scenario.json")
"$pm" store trades --db "$db" "$a_yes" --limit 5
"$pm" store meta --db "$db" | tail -4
echo
echo "database: $db"
