#!/usr/bin/env bash
# Coverage-guided fuzzing of the core's parsers: libFuzzer + AddressSanitizer (`make fuzz`).
#
# Usage: scripts/fuzz.sh [target ...]        default: every target (fuzz-decimal fuzz-book fuzz-trades
#                                            fuzz-markets fuzz-stream; see Fuzz/README.md)
#   FUZZ_SECONDS=60   wall-clock bound per target (default 60)
#   FUZZ_RUNS=N       bound each target by N executions instead
#   FUZZ_ARGS="..."   extra libFuzzer flags (e.g. "-max_len=8192")
#
# Output, one line per target:
#   fuzz <target> execs <N> crashes <N> seconds <S>
# Exit status 1 if any target crashed, broke a property, leaked, timed out or ran out of memory;
# each reproducer is saved as .build-fuzz/out/<target>/{crash,leak,timeout,oom}-<sha1> and its path
# printed. Replay one: .build-fuzz/release/<target> <file>. A fixed one belongs in
# Fuzz/regressions/<target>/, which the Swift test suite replays (FuzzRegressionTests).
#
# Each run works on a scratch copy of Fuzz/corpus/<target> (+ Fuzz/regressions/<target>), so the
# committed corpus stays small. Targets run one after another, under nice: the machine is shared.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SCRATCH=$ROOT/.build-fuzz
OUT=$SCRATCH/out
ALL_TARGETS=(fuzz-decimal fuzz-book fuzz-trades fuzz-markets fuzz-stream)
if [[ $# -gt 0 ]]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
RUNS=${FUZZ_RUNS:-}
SWIFT=${SWIFT:-swift}

# libFuzzer ships in the toolchain's compiler-rt; a toolchain without it cannot build these.
resource_dir=$(dirname "$(dirname "$(readlink -f "$(command -v "$SWIFT")")")")/lib/clang
if ! ls "$resource_dir"/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
    echo "fuzz: no libclang_rt.fuzzer under $resource_dir (a Swift toolchain with compiler-rt is needed)" >&2
    exit 1
fi

# -enable-testing: the properties read internal API (@testable import PMIngest).
# -use-ld=lld: gold hits an internal error on these links (dwarf_reader.cc).
# Build-manifest caching is off: with it, a changed -Xswiftc flag can silently miss the link step.
mkdir -p "$OUT"
# All targets at once (SwiftPM honours only the last --product); the core dominates the build anyway.
echo "fuzz: building the fuzz targets (release, -sanitize=fuzzer,address; log $OUT/build.log)"
if ! nice -n 10 "$SWIFT" build --package-path Fuzz -c release --scratch-path "$SCRATCH" \
        --disable-build-manifest-caching \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing -Xswiftc -use-ld=lld >"$OUT/build.log" 2>&1; then
    tail -n 40 "$OUT/build.log" >&2
    echo "fuzz: build failed" >&2
    exit 1
fi
BIN=$("$SWIFT" build --package-path Fuzz -c release --scratch-path "$SCRATCH" --show-bin-path)

# The Swift runtime's own crash handler would race AddressSanitizer's report (and can hang).
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:symbolize=1}

failed=()
for target in "${TARGETS[@]}"; do
    work=$OUT/$target
    rm -rf "$work"
    mkdir -p "$work/corpus"
    cp Fuzz/corpus/"$target"/* "$work/corpus/" 2>/dev/null || true
    cp Fuzz/regressions/"$target"/* "$work/corpus/" 2>/dev/null || true
    dict=$work/$target.dict
    cat Fuzz/dict/"$target".dict > "$dict"
    [[ $target == fuzz-decimal ]] || cat Fuzz/dict/json.dict >> "$dict"

    bound=(-max_total_time="$SECONDS_PER_TARGET")
    [[ -n $RUNS ]] && bound=(-runs="$RUNS")
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    args=("${bound[@]}" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -dict="$dict"
          -artifact_prefix="$work/" ${FUZZ_ARGS:-} "$work/corpus")
    start=$(date +%s.%N)
    status=0
    nice -n 10 "$BIN/$target" "${args[@]}" >"$work/log" 2>&1 || status=$?
    elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

    execs=$(awk '/stat::number_of_executed_units:/ { n = $2 } END { print n + 0 }' "$work/log")
    mapfile -t artifacts < <(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
                                  -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
    crashes=${#artifacts[@]}
    # A non-zero exit without an artifact (e.g. the binary did not start) is a failure too.
    if [[ $status -ne 0 && $crashes -eq 0 ]]; then crashes=1; artifacts=("(none; see the log)"); fi
    echo "fuzz $target execs $execs crashes $crashes seconds $elapsed"
    if [[ $crashes -ne 0 ]]; then
        failed+=("$target")
        grep -m1 -E '==FUZZ PROPERTY VIOLATED==|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)' "$work/log" >&2 || true
        printf '  reproducer: %s\n' "${artifacts[@]}" >&2
        echo "  log: $work/log" >&2
    fi
done

if [[ ${#failed[@]} -ne 0 ]]; then
    echo "fuzz: FAILED: ${failed[*]}" >&2
    exit 1
fi
