#!/usr/bin/env bash
# run_stream.sh <libdir> <includedir> — the stream figures: pmingest's end-to-end delivery (C ABI
# pull, batch pull and callback; the Python binding), latency at a paced rate, and RSS over 1M
# messages, each beside its baseline measured in the same invocation against the same loopback
# push server (stream_push_server.c). One line per figure:
#   bench <name> <value> <unit> vs <baseline-name> <baseline-value> ratio <x>
# Environment: STREAM_FRAMES (200000), STREAM_RUNS (2: best of), STREAM_RATE (20000 msg/s) and
# STREAM_LATENCY_FRAMES (100000) for the latency figures, STREAM_RSS_FRAMES (1000000), PYTHON
# (the venv's python: websockets). Progress goes to stderr.
set -euo pipefail
if [ $# -ne 2 ]; then echo "usage: $0 <libdir> <includedir>" >&2; exit 2; fi
here=$(cd "$(dirname "$0")" && pwd)
libdir=$(cd "$1" && pwd)
incdir=$(cd "$2" && pwd)
frames=${STREAM_FRAMES:-200000}
runs=${STREAM_RUNS:-2}
rate=${STREAM_RATE:-20000}
lat_frames=${STREAM_LATENCY_FRAMES:-100000}
rss_frames=${STREAM_RSS_FRAMES:-1000000}
PYTHON=${PYTHON:-$here/../.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmingest-stream-bench.XXXXXX")
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

if [ -e "$libdir/libpmingest.so.0" ]; then lib="$libdir/libpmingest.so.0"; else lib="$libdir/libpmingest.so"; fi
mkdir -p "$tmp/lib"
ln -s "$(readlink -f "$lib")" "$tmp/lib/libpmingest.so.0"
ln -s "$(readlink -f "$lib")" "$tmp/lib/libpmingest.so"
CC=${CC:-cc}
$CC -O2 -o "$tmp/server" "$here/stream_push_server.c" -lcrypto
$CC -O2 -o "$tmp/lws_raw" "$here/stream_lws_raw.c" -lwebsockets
$CC -O2 -I "$incdir" -o "$tmp/c_abi" "$here/stream_c_abi.c" -L "$tmp/lib" -lpmingest -Wl,-rpath,"$tmp/lib" -lpthread

start_server() {   # args: server options; sets $port
    "$tmp/server" --ids "$tmp/ids" "$@" > "$tmp/server.out" 2> "$tmp/server.err" &
    server_pid=$!
    for _ in $(seq 1 600); do
        if grep -q '^port ' "$tmp/server.out" 2>/dev/null; then break; fi
        sleep 0.05
    done
    port=$(awk '/^port /{print $2}' "$tmp/server.out")
    [ -n "$port" ] || { echo "run_stream.sh: the push server did not start" >&2; cat "$tmp/server.err" >&2; exit 1; }
}
stop_server() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

results="$tmp/results"
: > "$results"
keep_best() {  # "msg_per_s <name> <v>" lines -> best per name; "dropped <name> <n>" -> worst
    tee -a "$results" >&2
}
export PMINGEST_LIBRARY="$tmp/lib/libpmingest.so.0" PYTHONPATH="$here/../bindings/python"

echo "== stream throughput: $frames frames, best of $runs" >&2
start_server --frames "$frames"
for round in $(seq 1 "$runs"); do
    "$tmp/lws_raw" "$port" "$frames" tput | keep_best
    for mode in pull batch callback; do "$tmp/c_abi" "$port" "$frames" "$tmp/ids" "$mode" tput | keep_best; done
    "$PYTHON" "$here/stream_python.py" websockets "$port" "$frames" | keep_best
    "$PYTHON" "$here/stream_python.py" binding "$port" "$frames" "$tmp/ids" 2>/dev/null | keep_best
done
stop_server

echo "== stream latency: $lat_frames frames paced at $rate msg/s" >&2
start_server --frames "$lat_frames" --rate "$rate" --stamps "$tmp/stamps"
rm -f "$tmp/stamps"; "$tmp/lws_raw" "$port" "$lat_frames" latency "$tmp/stamps" | keep_best
for mode in pull callback; do
    rm -f "$tmp/stamps"; "$tmp/c_abi" "$port" "$lat_frames" "$tmp/ids" "$mode" latency "$tmp/stamps" | keep_best
done
stop_server

echo "== stream RSS over $rss_frames frames" >&2
start_server --frames "$rss_frames"
"$tmp/lws_raw" "$port" "$rss_frames" rss | keep_best
"$tmp/c_abi" "$port" "$rss_frames" "$tmp/ids" pull rss | keep_best
stop_server

awk '
$1 == "msg_per_s" { if (!($2 in best) || $3 > best[$2]) best[$2] = $3 }
$1 == "dropped"   { if (!($2 in drop) || $3 > drop[$2]) drop[$2] = $3 }
$1 == "latency_us" { p50[$2] = $3; p99[$2] = $4; p999[$2] = $5 }
$1 == "rss_kb"    { drift[$2] = $4 - $3; first[$2] = $3; last[$2] = $4 }
function line(name, v, unit, base, b) {
    printf "bench %s %s %s vs %s %s ratio %.2f\n", name, v, unit, base, b, (b > 0 ? v / b : 0)
}
END {
    raw = "lws_raw_receive"
    split("pull batch callback", modes, " ")
    for (i = 1; i <= 3; i++) {
        n = "stream_e2e_" modes[i] "_c_abi"
        if (n in best) {
            line(n, best[n], "msg/s", raw, best[raw])
            line(n, best[n], "msg/s", "python_websockets_json", best["python_websockets_json"])
            printf "bench %s_dropped %d events vs %s_dropped 0 ratio %.2f\n", n, drop[n], raw, drop[n]
        }
    }
    b = "python_binding_receive_events"
    if (b in best) {
        line(b, best[b], "msg/s", "python_websockets_json_decimal", best["python_websockets_json_decimal"])
        printf "bench %s_dropped %d events vs python_websockets_json_decimal_dropped 0 ratio %.2f\n", b, drop[b], drop[b]
    }
    split("pull callback", lm, " ")
    for (i = 1; i <= 2; i++) {
        n = "stream_" lm[i] "_c_abi"
        if (n in p50) {
            line("stream_latency_" lm[i] "_c_abi_p50", p50[n], "us", "lws_raw_callback_p50", p50["lws_raw_callback"])
            line("stream_latency_" lm[i] "_c_abi_p99", p99[n], "us", "lws_raw_callback_p99", p99["lws_raw_callback"])
            line("stream_latency_" lm[i] "_c_abi_p99.9", p999[n], "us", "lws_raw_callback_p99.9", p999["lws_raw_callback"])
        }
    }
    if ("stream_pull_c_abi" in drift) {
        d = drift["stream_pull_c_abi"]; r = drift["lws_raw"]
        printf "bench stream_rss_drift_c_abi %d KB vs lws_raw_rss_drift %d ratio %.2f\n", d, r, d / (r > 4 ? r : 4)
        printf "rss stream_pull_c_abi first %d KB last %d KB; lws_raw first %d last %d\n", first["stream_pull_c_abi"], last["stream_pull_c_abi"], first["lws_raw"], last["lws_raw"] > "/dev/stderr"
    }
}' "$results"
