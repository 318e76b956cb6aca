#!/usr/bin/env bash
# run_against_fake.sh <libdir> <includedir> — builds examples/c/rest_example.c and
# examples/c/stream_example.c with `cc -std=c99 -Wall -Wextra -Werror` and runs them against the
# fake Polymarket server, the way `make test` checks the examples.
#
#   <libdir>      holds libpmingest.so.0 (dist/install layout) or libpmingest.so (a SwiftPM build
#                 folder); either is fine
#   <includedir>  holds pmingest.h
#
# Starts its own fake server (Tests/fakepolymarket/server.py --port 0 --exit-with-parent, with the
# repo's .venv/bin/python when present: the WebSocket channel needs its `websockets` package), or
# reuses the one at $PM_FAKE_URL when that is set.
# rest_example, against the default session (basic preset):
#   1. no arguments: the first active market's Yes token, the newest fresh trade's price
#      -> the basic preset's market A has a fresh print at 0.53 beside a 0.51 best bid: exit 0
#   2. that token at 0.95 (the G5 incident: a stale 95c print while the book sits far lower)
#      -> G5 refuses: exit 3
# stream_example, against its own session (basic preset, plus a 2-second-old 120-share print at
# 0.53 on the Data API) whose market channel sends, after market A's Yes book: a print at 0.53
# without size (G3 back-fills 120: passes, G5 ok), one of size 75 (passes, G5 ok), one of size 10
# (filtered), and one at 0.95 of size 500 (passes the filter, G5 refuses) -> 4 updates: exit 0.
# Exits non-zero if a build fails or a run does not end as expected.
# Environment: CC (cc), PYTHON (default: .venv/bin/python when present, else python3),
# KEEP_TMP=1 keeps the build dir.
set -uo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 <libdir> <includedir>" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
libdir=$(cd "$1" && pwd) || { echo "run_against_fake: no such libdir: $1" >&2; exit 2; }
incdir=$(cd "$2" && pwd) || { echo "run_against_fake: no such includedir: $2" >&2; exit 2; }
CC=${CC:-cc}
if [ -z "${PYTHON:-}" ]; then
    if [ -x "$repo/.venv/bin/python" ]; then PYTHON="$repo/.venv/bin/python"; else PYTHON=python3; fi
fi
[ -f "$incdir/pmingest.h" ] || { echo "run_against_fake: no pmingest.h in $incdir" >&2; exit 2; }
if [ -e "$libdir/libpmingest.so.0" ]; then
    lib=$(readlink -f "$libdir/libpmingest.so.0")
elif [ -e "$libdir/libpmingest.so" ]; then
    lib=$(readlink -f "$libdir/libpmingest.so")
else
    echo "run_against_fake: neither libpmingest.so.0 nor libpmingest.so in $libdir" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmingest-c-examples.XXXXXX")
fake_pid=""
cleanup() {
    if [ -n "$fake_pid" ]; then
        kill "$fake_pid" 2>/dev/null
        wait "$fake_pid" 2>/dev/null
    fi
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "run_against_fake: build dir $tmp (kept)"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The linker wants libpmingest.so; the program then asks the loader for the SONAME.
mkdir -p "$tmp/lib"
ln -s "$lib" "$tmp/lib/libpmingest.so.0"
ln -s libpmingest.so.0 "$tmp/lib/libpmingest.so"

echo "+ $CC -std=c99 -Wall -Wextra -Werror -I $incdir rest_example.c -L $tmp/lib -lpmingest"
"$CC" -std=c99 -Wall -Wextra -Werror -I "$incdir" -o "$tmp/rest_example" "$here/rest_example.c" \
    -L "$tmp/lib" -lpmingest -Wl,-rpath,"$tmp/lib" || { echo "run_against_fake: FAIL: build" >&2; exit 1; }
echo "+ $CC -std=c99 -Wall -Wextra -Werror -I $incdir stream_example.c -L $tmp/lib -lpmingest -lpthread"
"$CC" -std=c99 -Wall -Wextra -Werror -I "$incdir" -o "$tmp/stream_example" "$here/stream_example.c" \
    -L "$tmp/lib" -lpmingest -Wl,-rpath,"$tmp/lib" -lpthread || { echo "run_against_fake: FAIL: build stream_example" >&2; exit 1; }

if [ -n "${PM_FAKE_URL:-}" ]; then
    url=${PM_FAKE_URL%/}
else
    "$PYTHON" "$repo/Tests/fakepolymarket/server.py" --port 0 --exit-with-parent > "$tmp/fake.out" 2> "$tmp/fake.err" &
    fake_pid=$!
    line=""
    for ((i = 0; i < 100; i++)); do
        line=$(head -n 1 "$tmp/fake.out" 2>/dev/null)
        [[ "$line" == "listening http://"* ]] && break
        kill -0 "$fake_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ "$line" != "listening http://"* ]]; then
        echo "run_against_fake: FAIL: the fake server did not start" >&2
        sed 's/^/  | /' "$tmp/fake.err" >&2
        exit 1
    fi
    url=${line#listening }
fi
export PMINGEST_GAMMA_URL="$url/gamma" PMINGEST_CLOB_URL="$url/clob" PMINGEST_DATA_URL="$url/data"
echo "fake server: $url (default session)"

status=0
expect() { # expect <exit code> <args...>: runs the example, checks its exit code
    local want=$1 rc; shift
    echo "+ rest_example $*"
    "$tmp/rest_example" "$@" 2>&1 | sed 's/^/  | /'
    rc=${PIPESTATUS[0]}
    if [ "$rc" -eq "$want" ]; then
        echo "ok: exit $rc"
    else
        echo "run_against_fake: FAIL: rest_example $* exited $rc, expected $want" >&2
        status=1
    fi
}

# The basic preset's market A (listed first), Yes token; its ids are fixed (README §4).
A_YES=144025376118479892262749490880200562967355458335621099086839387638815271716888
expect 0
expect 3 "$A_YES" 0.95
expect 2 a b c

# ---- stream_example: its own session, scripted through the control API ----------------------
A_COND=0x7b2a8faa00b2751622e6f43ddb32fc4112498d94cc835d73b2cf44946a56845c
sid="stream-example-$$"
# control <method> <path> [json body]: one control request (Python stdlib, no curl binary).
control() {
    "$PYTHON" - "$url" "$@" <<'PY'
import sys, urllib.request
base, method, path = sys.argv[1], sys.argv[2], sys.argv[3]
body = sys.argv[4].encode() if len(sys.argv) > 4 else None
req = urllib.request.Request(base + path, data=body, method=method, headers={"Content-Type": "application/json"})
try:
    urllib.request.urlopen(req, timeout=10).read()
except Exception as e:
    detail = e.read().decode(errors="replace") if hasattr(e, "read") else ""
    sys.exit(f"control {method} {path}: {e} {detail}")
PY
}
ltp() { # ltp <price> [size]: a last_trade_price event for A's Yes token
    local size=""
    [ $# -gt 1 ] && size=",\"size\":\"$2\""
    printf '{"event_type":"last_trade_price","market":"%s","asset_id":"%s","price":"%s"%s,"side":"BUY","fee_rate_bps":"0","timestamp":"%s000"}' \
        "$A_COND" "$A_YES" "$1" "$size" "$(date +%s)"
}
now=$(date +%s)
fresh_trade="{\"proxyWallet\":\"0x56687bf447db6ffa42ffe2204a05edaa20f55839\",\"side\":\"BUY\",\"asset\":\"$A_YES\",\"conditionId\":\"$A_COND\",\"size\":120.0,\"price\":0.53,\"timestamp\":$((now - 2)),\"title\":\"stream example\",\"outcome\":\"Yes\",\"outcomeIndex\":0,\"transactionHash\":\"0x5e7a000000000000000000000000000000000000000000000000000000000001\"}"
script="{\"on_subscribe\":[{\"delay_ms\":100,\"json\":$(ltp 0.53)},{\"delay_ms\":150,\"json\":$(ltp 0.53 75)},{\"delay_ms\":200,\"json\":$(ltp 0.53 10)},{\"delay_ms\":250,\"json\":$(ltp 0.95 500)}]}"
if control POST /_control/sessions "{\"id\":\"$sid\",\"preset\":\"basic\"}" \
    && control POST "/_control/sessions/$sid/append" "{\"trades\":[$fresh_trade]}" \
    && control POST "/_control/sessions/$sid/ws" "$script"; then
    echo "+ stream_example $A_YES 4 15   (session $sid)"
    PMINGEST_WS_URL="ws://${url#http://}/s/$sid/ws/market" PMINGEST_GAMMA_URL="$url/s/$sid/gamma" \
        PMINGEST_CLOB_URL="$url/s/$sid/clob" PMINGEST_DATA_URL="$url/s/$sid/data" \
        "$tmp/stream_example" "$A_YES" 4 15 > "$tmp/stream.out" 2>&1
    rc=$?
    sed 's/^/  | /' "$tmp/stream.out"
    want() { # want <grep -E pattern> <what>
        if grep -Eq "$1" "$tmp/stream.out"; then echo "ok: $2"; else echo "run_against_fake: FAIL: stream_example: no $2" >&2; status=1; fi
    }
    if [ "$rc" -eq 0 ]; then echo "ok: exit 0"; else echo "run_against_fake: FAIL: stream_example exited $rc, expected 0" >&2; status=1; fi
    want '^book ' "book snapshot"
    want 'price 0\.53  size 120 \(G3 back-filled over REST\)  >= 50: yes' "G3 back-fill of the sizeless print"
    want 'price 0\.53  size 75 \(from the stream\)  >= 50: yes' "stream-sized print passing the filter"
    want 'price 0\.53  size 10 \(from the stream\)  >= 50: no' "small print filtered"
    want 'G5 ok .*would place the order at 0\.53' "G5 accepting 0.53"
    want 'G5 REFUSED: .*0\.95' "G5 refusing 0.95"
    want '^delivery finished$' "userdata_free after the last callback"
    control DELETE "/_control/sessions/$sid" || true
else
    echo "run_against_fake: FAIL: could not script the stream example's session" >&2
    status=1
fi

if [ "$status" -ne 0 ]; then exit 1; fi
echo "run_against_fake: OK"
