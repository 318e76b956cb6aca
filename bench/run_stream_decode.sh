#!/usr/bin/env bash
# Stream decode figures: MarketChannelParser (Swift API) vs simdjson on-demand (C++) and Python
# json+Decimal, over the same deterministic corpus (bench/stream_corpus.h), in one invocation.
#   bench/run_stream_decode.sh <pmingest-bench binary>
# Env: STREAM_FRAMES (200000), STREAM_ROUNDS (3: each round runs the Swift and simdjson decoders
# once, best of 2 passes each; the best round counts), STREAM_PY_RUNS (1), PYTHON.
# Prints
#   bench stream_decode_swift_api <n> msg/s vs simdjson_ondemand <n> ratio <x>
#   bench stream_decode_swift_tape_only <n> msg/s vs simdjson_ondemand <n> ratio <x>   (the full path alone)
#   bench stream_decode_swift_api <n> msg/s vs python_json_decimal <n> ratio <x>
# and fails if the Swift and simdjson decoders' checksums (event count, sum of timestamps,
# micro-units and id lengths) differ: both must have decoded the same values.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bench_bin=${1:?usage: run_stream_decode.sh <pmingest-bench binary>}
frames=${STREAM_FRAMES:-200000}
rounds=${STREAM_ROUNDS:-3}
py_runs=${STREAM_PY_RUNS:-1}
python=${PYTHON:-python3}
if [ -z "${PYTHON:-}" ] && [ -x "$here/../.venv/bin/python" ]; then python=$here/../.venv/bin/python; fi
tmp=$(mktemp -d /tmp/pmingest-stream-decode.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cc -O2 -o "$tmp/stream_corpus" "$here/stream_corpus.c"
"$tmp/stream_corpus" "$frames" > "$tmp/corpus.txt" 2> "$tmp/corpus.info"
cat "$tmp/corpus.info" >&2

have_simdjson=1
if ! c++ -O2 -std=c++17 -o "$tmp/simdjson" "$here/stream_decode_simdjson.cpp" -lsimdjson 2> "$tmp/cxx.log"; then
  echo "stream decode: simdjson baseline skipped (libsimdjson-dev missing?): $(head -c 300 "$tmp/cxx.log")" >&2
  have_simdjson=0
fi

best() { sort -n | tail -1; }
: > "$tmp/swift.txt"; : > "$tmp/tape.txt"; : > "$tmp/simdjson.txt"
for _ in $(seq "$rounds"); do
  "$bench_bin" stream-decode "$tmp/corpus.txt" 2 > "$tmp/out"
  awk '$1 == "msg_per_s" && $2 == "swift_api_decode" { print $3 }' "$tmp/out" >> "$tmp/swift.txt"
  awk '$1 == "msg_per_s" && $2 == "swift_api_decode_tape_only" { print $3 }' "$tmp/out" >> "$tmp/tape.txt"
  swift_check=$(awk '$1 == "checksum" { print $4, $6 }' "$tmp/out")
  if [ "$have_simdjson" = 1 ]; then
    "$tmp/simdjson" "$tmp/corpus.txt" 2 > "$tmp/out" 2> "$tmp/err"
    awk '$1 == "msg_per_s" { print $3 }' "$tmp/out" >> "$tmp/simdjson.txt"
    simdjson_check=$(awk '$1 == "checksum" { print $4, $6 }' "$tmp/err")
    if [ "$swift_check" != "$simdjson_check" ]; then
      echo "stream decode: checksums differ: swift [$swift_check] simdjson [$simdjson_check]" >&2
      exit 1
    fi
  fi
done
swift=$(best < "$tmp/swift.txt")
echo "stream decode: checksum (events, sum) $swift_check" >&2

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
if [ "$have_simdjson" = 1 ]; then
  simd=$(best < "$tmp/simdjson.txt")
  echo "bench stream_decode_swift_api $swift msg/s vs simdjson_ondemand $simd ratio $(ratio "$swift" "$simd")"
  tape=$(best < "$tmp/tape.txt")
  echo "bench stream_decode_swift_tape_only $tape msg/s vs simdjson_ondemand $simd ratio $(ratio "$tape" "$simd")"
fi
py_out=$("$python" "$here/stream_decode_python.py" "$tmp/corpus.txt" "$py_runs")
py=$(awk '$1 == "msg_per_s" { print $3 }' <<< "$py_out")
py_events=$(awk '$1 == "checksum" { print $4 }' <<< "$py_out")
if [ "$py_events" != "${swift_check%% *}" ]; then
  echo "stream decode: python decoded $py_events events, swift ${swift_check%% *}" >&2
  exit 1
fi
echo "bench stream_decode_swift_api $swift msg/s vs python_json_decimal $py ratio $(ratio "$swift" "$py")"
