#!/usr/bin/env bash
# make demo: the storage pipeline through the CLI on the embedded default (a local SQLite file).
# Imports a Gamma /markets page and a Data API /trades page in their real wire shapes (JSON inside
# strings, float prices such as 0.30000000000000004, seconds timestamps, a duplicate row), then
# reads everything back exactly. Later stages (fake server, G1/G3/G5 guards) grow from here.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== building the pmingest CLI"
swift build --product pmingest-cli 2>&1 | grep -E "error|warning: |Build" | tail -3
pm="$(swift build --show-bin-path)/pmingest-cli"

dir=${PMINGEST_DEMO_DIR:-$(mktemp -d /tmp/pmingest-demo.XXXXXX)}
db="$dir/pmingest.db"
rm -f "$db" "$db-wal" "$db-shm"
token=71321045679252212594626385532706912750332728571942532289631379312455583992563
condition=0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1

echo
echo "== token metadata from a Gamma /markets page"
"$pm" store import-markets --db "$db" Tests/fixtures/gamma_markets.json
"$pm" store import-markets --db "$db" Tests/fixtures/gamma_markets.json   # again: all unchanged
"$pm" store meta --db "$db"

echo
echo "== trades from a Data API /trades page (floats, seconds, one duplicate row)"
"$pm" store import-trades --db "$db" Tests/fixtures/data_api_trades.json
"$pm" store trades --db "$db" "$token"
echo "(0.30000000000000004 on the wire is stored as exactly 0.3; seconds became milliseconds)"

echo
echo "== watermark: moves forward, never back"
"$pm" store watermark --db "$db" "$condition" --set 1767225720000
"$pm" store watermark --db "$db" "$condition" --set 1767225600000

echo
echo "== the same trades as JSON (prices stay decimal strings)"
"$pm" store trades --db "$db" "$token" --limit 2 --json

echo
echo "database: $db ($("$pm" store count --db "$db") trades)"
