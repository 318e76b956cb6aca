#!/usr/bin/env bash
# with-fake-polymarket.sh CMD [ARGS…]: runs CMD with the bundled fake Polymarket (REST + WebSocket
# on 127.0.0.1, the demo scenario on its default session) and PMINGEST_{GAMMA,CLOB,DATA,WS}_URL
# pointing at it; stops the server afterwards. Exits with CMD's status.
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
[ -x "$python" ] || python=python3
out=$(mktemp /tmp/pmingest-fake.XXXXXX)
"$python" Tests/fakepolymarket/server.py --port 0 --exit-with-parent > "$out" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 50); do grep -q listening "$out" 2>/dev/null && break; sleep 0.1; done
root=$(sed -n 's/^listening //p' "$out")
[ -n "$root" ] || { echo "with-fake-polymarket: the fake server did not start" >&2; exit 1; }
"$python" scripts/demo_scenario.py "$root" > /dev/null
export PMINGEST_GAMMA_URL=$root/gamma PMINGEST_CLOB_URL=$root/clob PMINGEST_DATA_URL=$root/data
export PMINGEST_WS_URL=${root/http:/ws:}/ws/market PM_FAKE_URL=$root
"$@"
