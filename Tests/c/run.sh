#!/usr/bin/env bash
# run.sh <libdir> <includedir> — builds and runs every C ABI test against a built libpmingest.
#
#   <libdir>      holds libpmingest.so.0 (installed/dist layout) or libpmingest.so (a SwiftPM
#                 build folder, e.g. .build-ctest/release); either is fine
#   <includedir>  holds pmingest.h
#
# Runs, in a fresh temp dir: check_header_coverage.sh, check_so.sh, test_header (C99),
# test_header (C++11), test_abi, test_storage_faults, test_storage_crash, test_storage_schema,
# then the fake-server tests (FAKE_HTTP_TESTS, FAKE_WS_TESTS below). Each test program
# prints "N passed, N failed". Exits non-zero if any step fails. Environment: CC (cc), CXX (g++),
# PYTHON (default: the repo's .venv/bin/python when present, else python3), KEEP_TMP=1 keeps the
# build dir, RUN_WRAPPER (e.g. "valgrind -q --error-exitcode=99") prefixes each test program,
# PMTEST_TIME_SCALE stretches test_rest's and test_stream's timing bounds (e.g. 10 under valgrind),
# PMTEST_SKIP_SO_CHECK=1 skips check_so.sh (for instrumented, non-shipping builds of the library).
#
# test_rest and test_stream need the fake Polymarket server (Tests/fakepolymarket): ONE is started
# here for the whole run (--port 0 --exit-with-parent --strict-ws: the real channel's subscription rules), its root URL handed to the tests as
# PM_FAKE_URL ("http://127.0.0.1:PORT"), and it is killed on exit. Each test scripts its own
# session on it. REST needs only the Python 3 stdlib; the WebSocket market channel (test_stream)
# needs the `websockets` package, which the project venv (make venv) has: hence the venv's python.
set -uo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 <libdir> <includedir>" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
libdir=$(cd "$1" && pwd) || { echo "run.sh: no such libdir: $1" >&2; exit 2; }
incdir=$(cd "$2" && pwd) || { echo "run.sh: no such includedir: $2" >&2; exit 2; }
CC=${CC:-cc}
CXX=${CXX:-g++}
if [ -z "${PYTHON:-}" ]; then
    if [ -x "$here/../../.venv/bin/python" ]; then PYTHON="$here/../../.venv/bin/python"; else PYTHON=python3; fi
fi
fake_server="$here/../fakepolymarket/server.py"
[ -f "$incdir/pmingest.h" ] || { echo "run.sh: no pmingest.h in $incdir" >&2; exit 2; }

if [ -e "$libdir/libpmingest.so.0" ]; then
    lib=$(readlink -f "$libdir/libpmingest.so.0")
elif [ -e "$libdir/libpmingest.so" ]; then
    lib=$(readlink -f "$libdir/libpmingest.so")
else
    echo "run.sh: neither libpmingest.so.0 nor libpmingest.so in $libdir" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmingest-ctest.XXXXXX")
fake_pid=""
cleanup() {
    if [ -n "$fake_pid" ]; then
        kill "$fake_pid" 2>/dev/null
        wait "$fake_pid" 2>/dev/null
    fi
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "run.sh: build dir $tmp (kept)"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Stage the library under both names: the linker wants libpmingest.so, the programs then ask
# the loader for the SONAME (libpmingest.so.0), which a SwiftPM build folder does not have.
mkdir -p "$tmp/lib"
ln -s "$lib" "$tmp/lib/libpmingest.so.0"
ln -s libpmingest.so.0 "$tmp/lib/libpmingest.so"
L="$tmp/lib"

CFLAGS="-std=c99 -Wall -Wextra -Werror -pedantic -g -O1 -I $incdir -I $here"
CXXFLAGS="-std=c++11 -Wall -Wextra -Werror -pedantic -g -O1 -I $incdir -I $here"
LDFLAGS="-L $L -lpmingest -Wl,-rpath,$L -lpthread"

# start_fake: starts the fake server, waits for its "listening http://127.0.0.1:PORT" line
# (stdout carries nothing else), exports PM_FAKE_URL. Returns 1 if it does not come up in 10 s.
start_fake() {
    echo "== start fake server"
    "$PYTHON" "$fake_server" --port 0 --exit-with-parent --strict-ws > "$tmp/fake.out" 2> "$tmp/fake.err" &
    fake_pid=$!
    local i line=""
    for ((i = 0; i < 100; i++)); do
        line=$(head -n 1 "$tmp/fake.out" 2>/dev/null)
        [[ "$line" == "listening http://"* ]] && break
        kill -0 "$fake_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ "$line" != "listening http://"* ]]; then
        echo "run.sh: the fake server did not start:" >&2
        sed 's/^/  | /' "$tmp/fake.err" >&2
        return 1
    fi
    export PM_FAKE_URL=${line#listening }
    echo "fake server at $PM_FAKE_URL (pid $fake_pid)"
}

declare -a results=()
failed=0
note() { results+=("$1"); }

step() { # step <name> <command...>: runs a check script, records ok/FAIL
    local name=$1; shift
    echo "== $name"
    if "$@"; then note "ok    $name"; else note "FAIL  $name"; failed=1; fi
}

build() { # build <name> <compiler command...>
    local name=$1; shift
    echo "== build $name"
    if "$@"; then return 0; fi
    note "FAIL  $name (build)"
    failed=1
    return 1
}

run_test() { # run_test <name> <binary>: runs, checks exit status and the summary line
    local name=$1 bin=$2 rc line
    echo "== run $name"
    ( cd "$tmp" && ${RUN_WRAPPER:-} "$bin" ) > "$tmp/$name.out" 2> "$tmp/$name.err"
    rc=$?
    cat "$tmp/$name.out"
    [ -s "$tmp/$name.err" ] && sed 's/^/  | /' "$tmp/$name.err"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp/$name.out" | tail -1)
    if [ "$rc" -eq 0 ] && [ -n "$line" ] && [[ "$line" == *" 0 failed" ]]; then
        note "ok    $name: $line"
    else
        note "FAIL  $name: ${line:-no summary line} (exit $rc)"
        failed=1
    fi
}

step check_header_coverage "$here/check_header_coverage.sh" "$incdir/pmingest.h" "$here/header_functions.inc"
# check_so checks the shipped (release, stripped, static-stdlib) library; instrumented builds
# (coverage, sanitizers) export more and link the Swift runtime dynamically: PMTEST_SKIP_SO_CHECK=1.
if [ "${PMTEST_SKIP_SO_CHECK:-0}" = 1 ]; then note "skip  check_so (PMTEST_SKIP_SO_CHECK=1)"; else
    step check_so "$here/check_so.sh" "$lib" "$incdir/pmingest.h"
fi

build test_header_c $CC $CFLAGS -o "$tmp/test_header_c" "$here/test_header.c" $LDFLAGS \
    && run_test test_header_c "$tmp/test_header_c"
build test_header_cpp $CXX $CXXFLAGS -o "$tmp/test_header_cpp" "$here/test_header.cpp" $LDFLAGS \
    && run_test test_header_cpp "$tmp/test_header_cpp"
build test_abi $CC $CFLAGS -o "$tmp/test_abi" "$here/test_abi.c" $LDFLAGS \
    && run_test test_abi "$tmp/test_abi"
build test_storage_faults $CC $CFLAGS -o "$tmp/test_storage_faults" "$here/test_storage_faults.c" $LDFLAGS -lsqlite3 \
    && run_test test_storage_faults "$tmp/test_storage_faults"
build test_storage_crash $CC $CFLAGS -o "$tmp/test_storage_crash" "$here/test_storage_crash.c" $LDFLAGS -lsqlite3 && run_test test_storage_crash "$tmp/test_storage_crash"
build test_storage_schema $CC $CFLAGS -o "$tmp/test_storage_schema" "$here/test_storage_schema.c" $LDFLAGS -lsqlite3 -lcrypto \
    && run_test test_storage_schema "$tmp/test_storage_schema"
# Tests that script a session on the fake server: HTTP only, or HTTP and the WebSocket market channel
# (those need the `websockets` package in $PYTHON). Each is built from $here/<name>.c.
FAKE_HTTP_TESTS="test_rest test_null_outputs test_gamma test_history test_prices test_errors"
FAKE_WS_TESTS="test_stream test_stream_pool test_calls test_stream_pause"
built_http=()
built_ws=()
for t in $FAKE_HTTP_TESTS; do
    build "$t" $CC $CFLAGS -o "$tmp/$t" "$here/$t.c" $LDFLAGS -lcurl && built_http+=("$t")
done
for t in $FAKE_WS_TESTS; do
    build "$t" $CC $CFLAGS -o "$tmp/$t" "$here/$t.c" $LDFLAGS -lcurl && built_ws+=("$t")
done
if [ $(( ${#built_http[@]} + ${#built_ws[@]} )) -gt 0 ]; then
    if start_fake; then
        for t in "${built_http[@]}"; do run_test "$t" "$tmp/$t"; done
        if [ ${#built_ws[@]} -gt 0 ]; then
            if "$PYTHON" -c 'import websockets' 2>/dev/null; then
                for t in "${built_ws[@]}"; do run_test "$t" "$tmp/$t"; done
            else
                echo "run.sh: $PYTHON has no websockets package (the fake WebSocket channel needs it: make venv)" >&2
                for t in "${built_ws[@]}"; do note "FAIL  $t ($PYTHON cannot import websockets)"; done
                failed=1
            fi
        fi
    else
        for t in "${built_http[@]}" "${built_ws[@]}"; do note "FAIL  $t (fake server did not start)"; done
        failed=1
    fi
fi

echo "== summary ($lib)"
printf '%s\n' "${results[@]}"
if [ "$failed" -ne 0 ]; then
    echo "run.sh: C ABI tests FAILED"
    exit 1
fi
echo "run.sh: all C ABI tests passed"
