#!/usr/bin/env bash
# soak.sh — resource soak of libpmingest through its C ABI (issue 6): 1,000,000 stream events
# with a reconnect every 50,000, then 100,000 REST calls, against the fake Polymarket server;
# RSS, open descriptors and threads sampled before, during and after (Tests/soak/soak.c).
#
# Usage: scripts/soak.sh            (make soak: `lib` is its prerequisite)
# Expects the built library dist/lib/libpmingest.so.0 (run `make lib` first; LIBDIR=<dir>
# points elsewhere) and the project venv (.venv with websockets: `make deps`).
# Output: a sample line every SOAK_SAMPLE_SECONDS, a before/after table, and a last line
#   soak: stream N msgs, R reconnects; rest N calls; rss +X MB; fds +N; threads +N: PASS|FAIL
# Exit status: 0 on PASS, 1 on FAIL, 2 on a set-up error. A few minutes on 2 cores.
# Environment: SOAK_STREAM_MESSAGES, SOAK_REST_CALLS, SOAK_DROP_EVERY, SOAK_EVENTS_PER_FRAME,
# SOAK_REST_THREADS, SOAK_SAMPLE_SECONDS, SOAK_RSS_LIMIT_MB, SOAK_TIMEOUT_SECONDS (see soak.c),
# e.g. SOAK_STREAM_MESSAGES=100000 SOAK_DROP_EVERY=10000 SOAK_REST_CALLS=5000 for a quick run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
libdir=${LIBDIR:-$root/dist/lib}
python=$root/.venv/bin/python
CC=${CC:-cc}

[ -e "$libdir/libpmingest.so.0" ] || { echo "soak.sh: no $libdir/libpmingest.so.0 (run make lib)" >&2; exit 2; }
[ -x "$python" ] || { echo "soak.sh: no $python (run make deps)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmingest-soak.XXXXXX")
fake_pid=""
cleanup() {
    if [ -n "$fake_pid" ]; then
        kill "$fake_pid" 2>/dev/null || true
        wait "$fake_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# The program links the library by its SONAME through an rpath: what it measures is the library.
$CC -std=c11 -Wall -Wextra -Werror -pedantic -O2 -g -I "$root/include" -I "$root/Tests/c" \
    -o "$tmp/soak" "$root/Tests/soak/soak.c" \
    -L "$libdir" -l:libpmingest.so.0 -Wl,-rpath,"$libdir" -lcurl -lpthread

"$python" "$root/Tests/fakepolymarket/server.py" --port 0 --exit-with-parent > "$tmp/fake.out" 2> "$tmp/fake.err" &
fake_pid=$!
line=""
for _ in $(seq 100); do
    line=$(head -n 1 "$tmp/fake.out" 2>/dev/null || true)
    [[ "$line" == "listening http://"* ]] && break
    kill -0 "$fake_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ "$line" != "listening http://"* ]]; then
    echo "soak.sh: the fake server did not start:" >&2
    sed 's/^/  | /' "$tmp/fake.err" >&2
    exit 2
fi

set +e
PM_FAKE_URL=${line#listening } "$tmp/soak"
rc=$?
set -e
exit "$rc"
