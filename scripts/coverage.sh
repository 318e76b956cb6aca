#!/usr/bin/env bash
# Line coverage of the Swift core (Sources/PMIngest), with a floor.
#
#   scripts/coverage.sh          full report: the Swift tests, plus the C ABI tests (Tests/c) and the
#                                Python binding tests run against a coverage-instrumented build of
#                                libpmingest.so, merged into one profile. Prints the per-file table,
#                                the three totals (Swift tests / C+Python / merged) and the C
#                                boundary's (Sources/PMIngestC) coverage from the C and Python tests.
#   scripts/coverage.sh --gate   only checks the Swift tests' profile that `make swift-test` leaves
#                                in .build-cov (no extra build, no extra test run): the fast gate
#                                inside `make test`.
#
# Both fail when core line coverage is below COVERAGE_FLOOR (percent; the Makefile passes its own).
# Last line of output: "coverage <percent>%" (merged, or Swift-only with --gate).
#
# Scratch paths: .build-cov (swift test --enable-code-coverage; shared with make swift-test, so a
# `make coverage` after `make test` only rebuilds what changed) and .build-cov-lib (the
# instrumented debug libpmingest.so). Profiles go to prof/coverage. Uses the toolchain's
# llvm-cov/llvm-profdata: Debian's (LLVM 14) cannot read Swift 6.3's profile format.
set -euo pipefail
cd "$(dirname "$0")/.."

FLOOR=${COVERAGE_FLOOR:-94}
MODE=full
case "${1:-}" in
    --gate) MODE=gate ;;
    "") ;;
    *) echo "usage: $0 [--gate]" >&2; exit 2 ;;
esac

LLVM_BIN=$(dirname "$(readlink -f "$(command -v swift)")")
SCRATCH=.build-cov
LIB_SCRATCH=.build-cov-lib
PROF=$PWD/prof/coverage
VPY=.venv/bin/python
core_only='(\.build[^/]*|Tests|cli|Sources/PMIngestC|Sources/PMIngestSwiftLog|Sources/C[A-Za-z]+|bench|examples)/'
boundary_only='(\.build[^/]*|Tests|cli|Sources/PMIngest|Sources/PMIngestSwiftLog|Sources/C[A-Za-z]+|bench|examples)/'

# line_percent <profdata> <ignore-regex> <binary> [-object <binary>...]
line_percent() {
    local profdata=$1 ignore=$2; shift 2
    "$LLVM_BIN/llvm-cov" export -summary-only -instr-profile="$profdata" -ignore-filename-regex="$ignore" "$@" \
        | python3 -c 'import json,sys; print("%.2f" % json.load(sys.stdin)["data"][0]["totals"]["lines"]["percent"])'
}

# check_floor <label> <percent>
check_floor() {
    if python3 -c "import sys; sys.exit(0 if float('$2') >= float('$FLOOR') else 1)"; then
        echo "coverage floor $FLOOR%: met by $1 ($2%)"
    else
        echo "coverage: $1 line coverage $2% is below the floor of $FLOOR% (COVERAGE_FLOOR)" >&2
        echo "coverage $2%"
        exit 1
    fi
}

test_bin="$SCRATCH/debug/pmingestPackageTests.xctest"
swift_profdata="$SCRATCH/debug/codecov/default.profdata"

if [ "$MODE" = gate ]; then
    [ -f "$swift_profdata" ] || { echo "coverage: no $swift_profdata: run swift test --enable-code-coverage --scratch-path $SCRATCH first" >&2; exit 2; }
    pct=$(line_percent "$swift_profdata" "$core_only" "$test_bin")
    check_floor "the Swift tests" "$pct"
    echo "coverage ${pct}%"
    exit 0
fi

mkdir -p "$(dirname "$PROF")"
echo "== Swift tests with coverage ($SCRATCH)"
swift test --enable-code-coverage --scratch-path "$SCRATCH" >"$PROF.swift-test.log" 2>&1 \
    || { tail -50 "$PROF.swift-test.log"; exit 1; }

echo "== coverage-instrumented libpmingest.so ($LIB_SCRATCH)"
swift build --product pmingest --scratch-path "$LIB_SCRATCH" \
    -Xswiftc -profile-generate -Xswiftc -profile-coverage-mapping 2>&1 | grep -E "error|warning: |Compiling|Build" | tail -3
lib_bin="$LIB_SCRATCH/debug/libpmingest.so"

rm -rf "$PROF" && mkdir -p "$PROF"
echo "== C ABI tests against it"
# %p: one file per process (the tests fork); %m: merged per module.
LLVM_PROFILE_FILE="$PROF/c-%p-%m.profraw" PMTEST_SKIP_SO_CHECK=1 Tests/c/run.sh "$LIB_SCRATCH/debug" include \
    >"$PROF/c-tests.log" 2>&1 || { tail -30 "$PROF/c-tests.log"; exit 1; }
grep -E '^(ok|FAIL|skip) ' "$PROF/c-tests.log" | sed 's/^/  /'
echo "== Python binding tests against it"
LLVM_PROFILE_FILE="$PROF/py-%p-%m.profraw" PMINGEST_LIBRARY="$PWD/$lib_bin" "$VPY" -m pytest -q --timeout=300 --timeout-method=thread bindings/python/tests \
    >"$PROF/py-tests.log" 2>&1 || { tail -30 "$PROF/py-tests.log"; exit 1; }
tail -1 "$PROF/py-tests.log" | sed 's/^/  /'

"$LLVM_BIN/llvm-profdata" merge -sparse -o "$PROF/abi.profdata" "$PROF"/*.profraw
"$LLVM_BIN/llvm-profdata" merge -sparse -o "$PROF/merged.profdata" "$PROF/abi.profdata" "$swift_profdata"

echo "== per file (Sources/PMIngest, merged)"
"$LLVM_BIN/llvm-cov" report "$test_bin" -object "$lib_bin" -instr-profile="$PROF/merged.profdata" \
    -ignore-filename-regex="$core_only" | sed 's|^.*/Sources/|Sources/|'

swift_pct=$(line_percent "$swift_profdata" "$core_only" "$test_bin")
abi_pct=$(line_percent "$PROF/abi.profdata" "$core_only" "$lib_bin")
merged_pct=$(line_percent "$PROF/merged.profdata" "$core_only" "$test_bin" -object "$lib_bin")
boundary_pct=$(line_percent "$PROF/abi.profdata" "$boundary_only" "$lib_bin")
echo "core lines covered by the Swift tests:           ${swift_pct}%"
echo "core lines covered by the C ABI + Python tests:  ${abi_pct}%"
echo "core lines covered by all tests (merged):        ${merged_pct}%"
echo "C boundary (Sources/PMIngestC) by C + Python:    ${boundary_pct}%"
check_floor "all tests" "$merged_pct"
echo "coverage ${merged_pct}%"
