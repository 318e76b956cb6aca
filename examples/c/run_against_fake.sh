#!/usr/bin/env bash
# run_against_fake.sh <libdir> <includedir> — builds examples/c/rest_example.c with
# `cc -std=c99 -Wall -Wextra -Werror` and runs it against the fake Polymarket server's default
# session (basic preset), the way `make test` checks the example.
#
#   <libdir>      holds libpmingest.so.0 (dist/install layout) or libpmingest.so (a SwiftPM build
#                 folder); either is fine
#   <includedir>  holds pmingest.h
#
# Starts its own fake server (python3 Tests/fakepolymarket/server.py --port 0 --exit-with-parent),
# or reuses the one at $PM_FAKE_URL when that is set. Runs the example twice:
#   1. no arguments: the first active market's Yes token, the newest fresh trade's price
#      -> the basic preset's market A has a fresh print at 0.53 beside a 0.51 best bid: exit 0
#   2. that token at 0.95 (the G5 incident: a stale 95c print while the book sits far lower)
#      -> G5 refuses: exit 3
# Exits non-zero if the build fails or either run does not end as expected.
# Environment: CC (cc), PYTHON (python3), KEEP_TMP=1 keeps the build dir.
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
PYTHON=${PYTHON:-python3}
[ -f "$incdir/pmingest.h" ] || { echo "run_against_fake: no pmingest.h in $incdir" >&2; exit 2; }
if [ -e "$libdir/libpmingest.so.0" ]; then
    lib=$(readlink -f "$libdir/libpmingest.so.0")
elif [ -e "$libdir/libpmingest.so" ]; then
    lib=$(readlink -f "$libdir/libpmingest.so")
else
    echo "run_against_fake: neither libpmingest.so.0 nor libpmingest.so in $libdir" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmingest-rest-example.XXXXXX")
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

if [ "$status" -ne 0 ]; then exit 1; fi
echo "run_against_fake: OK"
