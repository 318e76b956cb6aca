#!/usr/bin/env bash
# run_storage.sh <libdir> <includedir> [extra-lines-file ...] — storage benchmarks of pmingest
# against raw SQLite, printed in the project's bench format, one line per figure:
#
#   bench <name> <value> <unit> vs <baseline-name> <baseline-value> ratio <x>
#
# (unit once, after the value; ratio = value / baseline-value, 2 decimals; higher is better).
#
# Programs (compiled with -O2 into a temp dir), each printing `rows_per_s <name> <value>` lines,
# best of BENCH_RUNS (5) runs of BENCH_ROWS (100000) rows:
#   sqlite_raw.c           raw libsqlite3, one prepared upsert (bench/trades_schema.sql)
#                          -> sqlite_raw_c_{memory,file}[_batch1000]              (baselines)
#   c_abi.c                pm_store_upsert_trades through libpmingest
#                          -> store_upsert_c_abi_{memory,file}[_batch1000]
#   python_executemany.py  stdlib sqlite3 executemany
#                          -> python_sqlite3_executemany_{memory,file}
#
# Pairing: store_upsert_c_abi_X -> sqlite_raw_c_X (same database kind, same transaction size);
# python_sqlite3_executemany_X -> sqlite_raw_c_X; python_binding_X -> python_sqlite3_executemany_X
# (like for like) or sqlite_raw_c_X; anything else named *_memory*/*_file* (e.g. swift_api_file)
# -> sqlite_raw_c_<memory|file>[_batch1000].
#
# Hooks for figures produced elsewhere:
#   - Python binding: if bench/python_binding_store.py exists (or PMINGEST_PY_BENCH names a
#     script), it is run as `python3 <script> <rows> <runs>` with PMINGEST_LIBRARY=<the library>
#     and PYTHONPATH=bindings/python; it must print `rows_per_s python_binding_<memory|file> <n>`.
#   - Swift API and others: every extra argument is a file whose `rows_per_s <name> <value>`
#     lines are included, e.g. the output of bench/swift_store_bench
#     (`rows_per_s swift_api_file <value>`), compared with sqlite_raw_c_file.
# Raw measurement lines go to stderr. Exits non-zero if a program fails.
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 <libdir> <includedir> [extra-lines-file ...]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
libdir=$(cd "$1" && pwd)
incdir=$(cd "$2" && pwd)
shift 2
ROWS=${BENCH_ROWS:-100000}
RUNS=${BENCH_RUNS:-5}
CC=${CC:-cc}
PYTHON=${PYTHON:-python3}

if [ -e "$libdir/libpmingest.so.0" ]; then lib=$(readlink -f "$libdir/libpmingest.so.0")
elif [ -e "$libdir/libpmingest.so" ]; then lib=$(readlink -f "$libdir/libpmingest.so")
else echo "run_storage: no libpmingest.so.0 or libpmingest.so in $libdir" >&2; exit 2; fi
[ -f "$incdir/pmingest.h" ] || { echo "run_storage: no pmingest.h in $incdir" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmingest-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# the programs ask the loader for the SONAME, which a SwiftPM build folder does not have
mkdir -p "$tmp/lib"
ln -s "$lib" "$tmp/lib/libpmingest.so.0"
ln -s libpmingest.so.0 "$tmp/lib/libpmingest.so"

CFLAGS="-O2 -std=c99 -Wall -Wextra -Werror -pedantic -I $here"
$CC $CFLAGS -o "$tmp/sqlite_raw" "$here/sqlite_raw.c" -lsqlite3
$CC $CFLAGS -I "$incdir" -o "$tmp/c_abi" "$here/c_abi.c" -L "$tmp/lib" -lpmingest -Wl,-rpath,"$tmp/lib" -lpthread

lines="$tmp/lines"
: > "$lines"
collect() { # collect <label> <command...>: keeps the rows_per_s lines of a program's output
    local label=$1; shift
    echo "run_storage: running $label ($ROWS rows, best of $RUNS)" >&2
    "$@" > "$tmp/out" || { echo "run_storage: $label failed" >&2; exit 1; }
    grep -E '^rows_per_s [A-Za-z0-9_.-]+ [0-9.]+$' "$tmp/out" | tee -a "$lines" >&2 || true
}

collect sqlite_raw "$tmp/sqlite_raw" "$ROWS" "$RUNS" "$here/trades_schema.sql"
collect c_abi "$tmp/c_abi" "$ROWS" "$RUNS"
collect python_executemany "$PYTHON" -B "$here/python_executemany.py" "$ROWS" "$RUNS" "$here/trades_schema.sql"

# Hook: Python binding figure (written by the binding's owner; optional)
py_bench=${PMINGEST_PY_BENCH:-$here/python_binding_store.py}
if [ -f "$py_bench" ]; then
    collect python_binding env PMINGEST_LIBRARY="$lib" PYTHONPATH="$repo/bindings/python${PYTHONPATH:+:$PYTHONPATH}" \
        "$PYTHON" -B "$py_bench" "$ROWS" "$RUNS"
else
    echo "run_storage: no $py_bench yet: Python-binding figure skipped" >&2
fi

# Hook: figures from elsewhere (Swift API: bench/swift_store_bench output), as files
for extra in "$@"; do
    if [ ! -f "$extra" ]; then echo "run_storage: extra lines file not found: $extra" >&2; exit 2; fi
    echo "run_storage: including $extra" >&2
    grep -E '^rows_per_s [A-Za-z0-9_.-]+ [0-9.]+$' "$extra" | tee -a "$lines" >&2 || true
done

# Pair every figure with its baseline and print the project format.
awk '
    { value[$2] = $3; order[++n] = $2 }
    function kind(name,    k, b) {
        k = (name ~ /_memory/) ? "memory" : (name ~ /_file/) ? "file" : ""
        b = (name ~ /_batch1000/) ? "_batch1000" : ""
        return k == "" ? "" : k b
    }
    function baseline(name,    k) {
        if (name ~ /^sqlite_raw_c_/) return ""                       # baselines themselves
        k = kind(name)
        if (k == "") return ""
        if (name ~ /^python_binding_/ && (("python_sqlite3_executemany_" k) in value))
            return "python_sqlite3_executemany_" k
        return "sqlite_raw_c_" k
    }
    END {
        for (i = 1; i <= n; i++) {
            name = order[i]
            if (seen[name]++) continue
            b = baseline(name)
            if (b == "") continue
            if (!(b in value) || value[b] <= 0) {
                printf "run_storage: no baseline %s for %s\n", b, name > "/dev/stderr"
                continue
            }
            printf "bench %s %.0f rows/s vs %s %.0f ratio %.2f\n", name, value[name], b, value[b], value[name] / value[b]
        }
    }
' "$lines"
