#!/usr/bin/env bash
# run_rest.sh <libdir> <includedir> — REST benchmarks of pmingest against baselines measured in the
# same invocation on the same loopback server, printed in the project's bench format:
#
#   bench <name> <value> <unit> vs <baseline-name> <baseline-value> ratio <x>
#
# (unit once, after the value; ratio = value / baseline-value, 2 decimals; higher is better for
# req/s; for the RSS drift lower is better.)
#
# <libdir> holds libpmingest.so.0 or libpmingest.so. When it is a SwiftPM build folder (it has
# Modules/PMIngest.swiftmodule and PMIngest.build/*.o, e.g. .build-bench/release), the Swift-API
# figure is built from it too; otherwise that figure is skipped.
#
# Server: bench/book_server.c (epoll, keep-alive, one fixed 20-level-per-side OrderBookSummary,
# 1.6 KB), on 127.0.0.1, port 0; stopped at the end (and by itself after 240 s at most).
# Programs (C compiled with -O2 into a temp dir), each printing `req_per_s <name> <value>` lines;
# REST_RUNS (3) rounds that run each throughput program once (interleaved: load changes on a shared
# machine hit baselines and library alike), each figure the best of its rounds:
#   rest_curl_easy.c     raw libcurl, one reused easy handle, GET + strtod best-bid scan  -> curl_easy_seq
#   rest_curl_multi.c    raw libcurl multi, 32 in flight                                  -> curl_multi_32
#   rest_aiohttp.py      aiohttp, one ClientSession, GET + json.loads + max bid          -> aiohttp_seq, aiohttp_32conc
#   rest_c_abi.c         pm_client_fetch_orderbook + pm_book_level_price_micros          -> rest_seq_c_abi,
#                        32 pthreads sharing one pm_client                               -> rest_32conc_c_abi
#                        1650 calls on one client: the 1500-call burst, then a 10 s wait -> rest_seq_c_abi_sustained
#   swift-rest/main.swift PolymarketClient.fetchOrderBook, limiter off                   -> rest_seq_swift_api, rest_32conc_swift_api
#   rest_rss.c           VmRSS over REST_RSS_REQUESTS (100000) requests, one pm_client vs raw libcurl
#                                                                                         -> rest_rss_drift_c_abi vs curl_easy_rss_drift
# pm_client paces GET /book at Polymarket's 1500 per 10 s whatever the URL (no option turns it off),
# so the C-ABI throughput figures use a fresh client per run and REST_SEQ/REST_CONC (1400) timed
# requests, inside the limiter's burst; see rest_c_abi.c and rest_rss.c. The baselines use the same
# request counts.
#
# Hook: if bench/rest_python_binding.py exists (or PMINGEST_PY_REST_BENCH names a script), it is run
# as `python <script> <base-url> <seq-requests> <conc-requests> <runs>` with PMINGEST_LIBRARY and
# PYTHONPATH=bindings/python; it must print `req_per_s python_binding_seq <n>` (and optionally
# `req_per_s python_binding_32conc <n>`), compared with aiohttp_seq / aiohttp_32conc.
#
# Environment: REST_SEQ, REST_CONC (1400, at most 1468 for the C ABI), REST_RUNS (3),
# REST_RSS_REQUESTS (100000), REST_RSS_EVERY (10000), CC, PYTHON (default .venv/bin/python when it
# exists, else python3; needs aiohttp), SWIFTC. Raw measurement lines go to stderr.
# Exits non-zero if a program fails.
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 <libdir> <includedir>" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
libdir=$(cd "$1" && pwd)
incdir=$(cd "$2" && pwd)
SEQ=${REST_SEQ:-1400}
CONC=${REST_CONC:-1400}
RUNS=${REST_RUNS:-3}
RSS_N=${REST_RSS_REQUESTS:-100000}
RSS_EVERY=${REST_RSS_EVERY:-10000}
CC=${CC:-cc}
if [ -z "${PYTHON:-}" ]; then
    if [ -x "$repo/.venv/bin/python" ]; then PYTHON=$repo/.venv/bin/python; else PYTHON=python3; fi
fi
SWIFTC=${SWIFTC:-swiftc}

if [ -e "$libdir/libpmingest.so.0" ]; then lib=$(readlink -f "$libdir/libpmingest.so.0")
elif [ -e "$libdir/libpmingest.so" ]; then lib=$(readlink -f "$libdir/libpmingest.so")
else echo "run_rest: no libpmingest.so.0 or libpmingest.so in $libdir" >&2; exit 2; fi
[ -f "$incdir/pmingest.h" ] || { echo "run_rest: no pmingest.h in $incdir" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmingest-rest-bench.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
# the programs ask the loader for the SONAME, which a SwiftPM build folder does not have
mkdir -p "$tmp/lib"
ln -s "$lib" "$tmp/lib/libpmingest.so.0"
ln -s libpmingest.so.0 "$tmp/lib/libpmingest.so"

echo "run_rest: building (-O2)" >&2
CFLAGS="-O2 -std=c99 -Wall -Wextra -Werror -pedantic -I $here"
LINK_PM="-I $incdir -L $tmp/lib -lpmingest -Wl,-rpath,$tmp/lib"
$CC $CFLAGS -o "$tmp/book_server" "$here/book_server.c"
$CC $CFLAGS -o "$tmp/rest_curl_easy" "$here/rest_curl_easy.c" -lcurl
$CC $CFLAGS -o "$tmp/rest_curl_multi" "$here/rest_curl_multi.c" -lcurl
$CC $CFLAGS -o "$tmp/rest_c_abi" "$here/rest_c_abi.c" $LINK_PM -lpthread
$CC $CFLAGS -o "$tmp/rest_rss" "$here/rest_rss.c" $LINK_PM -lcurl -ldl -lpthread

swift_bench=
if [ -f "$libdir/Modules/PMIngest.swiftmodule" ] && ls "$libdir"/PMIngest.build/*.o >/dev/null 2>&1 \
        && command -v "$SWIFTC" >/dev/null 2>&1; then
    # Not a SwiftPM target (Package.swift is not ours): the build folder's module and objects.
    if "$SWIFTC" -O -module-name swift_rest -I "$libdir/Modules" -I "$repo/Sources/CCurl" \
            -I "$repo/Sources/CLibWebSockets" -I "$repo/Sources/CSQLite" "$here/swift-rest/main.swift" \
            "$libdir"/PMIngest.build/*.o -lcurl -lwebsockets -lsqlite3 -o "$tmp/swift-rest" 2> "$tmp/swiftc.log"; then
        swift_bench=$tmp/swift-rest
    else
        echo "run_rest: swift-rest did not build (Swift-API figure skipped):" >&2
        tail -5 "$tmp/swiftc.log" >&2
    fi
else
    echo "run_rest: $libdir is not a SwiftPM build folder: Swift-API figure skipped" >&2
fi

# ---- server ------------------------------------------------------------------------------------
"$tmp/book_server" 240 > "$tmp/server.out" 2> "$tmp/server.err" &
server_pid=$!
port=
for _ in $(seq 50); do
    port=$(awk '$1 == "port" { print $2 }' "$tmp/server.out" 2>/dev/null || true)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "run_rest: book_server did not start" >&2; cat "$tmp/server.err" >&2; exit 1; }
url="http://127.0.0.1:$port"
cat "$tmp/server.err" >&2

lines="$tmp/lines"
: > "$lines"
collect() { # collect <label> <command...>: keeps the req_per_s / rss_kb lines of a program's output
    local label=$1; shift
    echo "run_rest: running $label" >&2
    "$@" > "$tmp/out" || { echo "run_rest: $label failed" >&2; exit 1; }
    grep -E '^(req_per_s [A-Za-z0-9_.-]+ [0-9.]+|rss_kb [A-Za-z0-9_.-]+( -?[0-9]+){4})$' "$tmp/out" \
        | tee -a "$lines" >&2 || true
}

have_aiohttp=
if "$PYTHON" -c 'import aiohttp' 2>/dev/null; then have_aiohttp=1
else echo "run_rest: $PYTHON has no aiohttp (pip install aiohttp): aiohttp baselines skipped" >&2; fi
py_bench=${PMINGEST_PY_REST_BENCH:-$here/rest_python_binding.py}
[ -f "$py_bench" ] || echo "run_rest: no $py_bench (the binding has no REST client yet): Python-binding figure skipped" >&2

# Throughput: REST_RUNS rounds, each running every program ONCE, so a change in the shared
# machine's load hits baselines and library alike; each figure is the best of its rounds.
for round in $(seq "$RUNS"); do
    echo "run_rest: round $round of $RUNS" >&2
    collect curl_easy "$tmp/rest_curl_easy" "$url" "$SEQ" 1
    collect c_abi_seq "$tmp/rest_c_abi" seq "$url" "$SEQ" 1
    collect curl_multi "$tmp/rest_curl_multi" "$url" "$CONC" 1 32
    collect c_abi_conc "$tmp/rest_c_abi" conc "$url" "$CONC" 1 32
    if [ -n "$have_aiohttp" ]; then
        collect aiohttp "$PYTHON" -B "$here/rest_aiohttp.py" "$url" "$SEQ" "$CONC" 1 32
    fi
    if [ -n "$swift_bench" ]; then
        collect swift_api "$swift_bench" "$url" "$SEQ" "$CONC" 1 32
    fi
    if [ -f "$py_bench" ]; then
        collect python_binding env PMINGEST_LIBRARY="$lib" PYTHONPATH="$repo/bindings/python${PYTHONPATH:+:$PYTHONPATH}" \
            "$PYTHON" -B "$py_bench" "$url" "$SEQ" "$CONC" 1
    fi
done
collect c_abi_sustained "$tmp/rest_c_abi" sustained "$url" 1650
collect rss_c_abi "$tmp/rest_rss" c_abi "$url" "$RSS_N" "$RSS_EVERY"
collect rss_curl "$tmp/rest_rss" curl "$url" "$RSS_N" "$RSS_EVERY"

kill -TERM "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=
tail -1 "$tmp/server.err" >&2

# Pair every figure with its baseline and print the project format.
awk '
    $1 == "req_per_s" { if (!($2 in rate) || $3 + 0 > rate[$2] + 0) rate[$2] = $3 }
    $1 == "rss_kb" {
        printf "run_rest: %s VmRSS first %d KB last %d KB max %d KB drift %d KB\n", $2, $3, $4, $5, $6 > "/dev/stderr"
        drift[$2] = $6
    }
    function line(name, base) {
        if (!(name in rate)) return
        if (!(base in rate) || rate[base] <= 0) {
            printf "run_rest: no baseline %s for %s\n", base, name > "/dev/stderr"
            return
        }
        printf "bench %s %.0f req/s vs %s %.0f ratio %.2f\n", name, rate[name], base, rate[base], rate[name] / rate[base]
    }
    END {
        line("rest_seq_c_abi", "curl_easy_seq")
        line("rest_seq_c_abi", "aiohttp_seq")
        line("rest_32conc_c_abi", "curl_multi_32")
        line("rest_32conc_c_abi", "aiohttp_32conc")
        line("rest_seq_c_abi_sustained", "curl_easy_seq")
        line("rest_seq_swift_api", "curl_easy_seq")
        line("rest_seq_swift_api", "aiohttp_seq")
        line("rest_32conc_swift_api", "curl_multi_32")
        line("python_binding_seq", "aiohttp_seq")
        line("python_binding_32conc", "aiohttp_32conc")
        if (("rest_rss_c_abi" in drift) && ("curl_easy_rss" in drift)) {
            # A drift is page-granular; the ratio floors the baseline at one page (4 KB) so a flat
            # baseline does not divide by zero.
            base = drift["curl_easy_rss"] > 4 ? drift["curl_easy_rss"] : 4
            printf "bench rest_rss_drift_c_abi %d KB vs curl_easy_rss_drift %d ratio %.2f\n",
                drift["rest_rss_c_abi"], drift["curl_easy_rss"], drift["rest_rss_c_abi"] / base
        }
    }
' "$lines"
