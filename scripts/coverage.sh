#!/usr/bin/env bash
# Line coverage of the Swift core (Sources/PMIngest) from the Swift tests.
# Last line of output: "coverage <percent>%". Uses the toolchain's llvm-cov: Debian's (LLVM 14)
# cannot read Swift 6.3's profile format.
set -euo pipefail
cd "$(dirname "$0")/.."
LLVM_BIN=$(dirname "$(readlink -f "$(command -v swift)")")
swift test --enable-code-coverage >/tmp/pmingest-coverage-test.log 2>&1 || { tail -50 /tmp/pmingest-coverage-test.log; exit 1; }
bin=$(swift build --show-bin-path)
profdata="$bin/codecov/default.profdata"
binary="$bin/pmingestPackageTests.xctest"
ignore='(\.build[^/]*|Tests|Sources/pmingest-cli|Sources/PMIngestC|Sources/C[A-Za-z]+)/'
"$LLVM_BIN/llvm-cov" report "$binary" -instr-profile="$profdata" -ignore-filename-regex="$ignore" | sed 's|^.*/Sources/|Sources/|'
percent=$("$LLVM_BIN/llvm-cov" export -summary-only -instr-profile="$profdata" -ignore-filename-regex="$ignore" "$binary" \
  | python3 -c 'import json,sys; print("%.2f" % json.load(sys.stdin)["data"][0]["totals"]["lines"]["percent"])')
echo "coverage ${percent}%"
