#!/usr/bin/env bash
# check_header_coverage.sh [header] [table] — keeps test_header's address table honest.
#
# Extracts every function declared in the public header (every `pm_*(` in a PM_EXTERN
# declaration, found after the preprocessor has removed comments, so a function named in a
# comment does not count) and compares it with the PM_FN(...) entries of header_functions.inc.
# Fails (exit 1) if a declaration is missing from the table or the table names something the
# header does not declare. Prints the count on success.
#   defaults: header = <repo>/include/pmingest.h, table = <this dir>/header_functions.inc
# check_header_coverage.sh --print [header] prints the PM_FN(...) line of every declared function,
# in header order (to paste new ones into the table; the table itself stays hand-maintained).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
if [ "${1:-}" = "--print" ]; then
    "$CC" -E -P -DPM_EXTERN=__pm_extern_marker__ -x c "${2:-$here/../../include/pmingest.h}" \
      | tr '\n' ' ' | tr ';' '\n' | grep '__pm_extern_marker__' \
      | sed -n 's/.*__pm_extern_marker__[^(]*[^A-Za-z0-9_]\(pm_[A-Za-z0-9_]*\)[[:space:]]*(.*/PM_FN(\1)/p'
    exit 0
fi
header=${1:-$here/../../include/pmingest.h}
table=${2:-$here/header_functions.inc}

[ -f "$header" ] || { echo "check_header_coverage: no header at $header" >&2; exit 2; }
[ -f "$table" ] || { echo "check_header_coverage: no table at $table" >&2; exit 2; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Preprocess with PM_EXTERN replaced by a marker, join lines, split into declarations at ';',
# keep marked declarations, take the declared name (the first pm_* identifier before '(').
"$CC" -E -P -DPM_EXTERN=__pm_extern_marker__ -x c "$header" \
  | tr '\n' ' ' | tr ';' '\n' \
  | grep '__pm_extern_marker__' \
  | sed -n 's/.*__pm_extern_marker__[^(]*[^A-Za-z0-9_]\(pm_[A-Za-z0-9_]*\)[[:space:]]*(.*/\1/p' \
  | sort > "$tmp/declared"
# Cross-check with a plain textual scan so a declaration the marker trick misses still counts.
grep -o '^[[:space:]]*PM_EXTERN[^(]*[^A-Za-z0-9_]pm_[A-Za-z0-9_]*[[:space:]]*(' "$header" \
  | grep -o 'pm_[A-Za-z0-9_]*[[:space:]]*($' | sed 's/[[:space:]]*($//' | sort >> "$tmp/declared"
sort -u -o "$tmp/declared" "$tmp/declared"

grep -o '^[[:space:]]*PM_FN([[:space:]]*pm_[A-Za-z0-9_]*[[:space:]]*)' "$table" \
  | sed 's/.*PM_FN([[:space:]]*\(pm_[A-Za-z0-9_]*\).*/\1/' | sort > "$tmp/listed_all"
sort -u "$tmp/listed_all" > "$tmp/listed"

ndecl=$(wc -l < "$tmp/declared")
if [ "$ndecl" -eq 0 ]; then
    echo "check_header_coverage: FAIL: found no pm_* declarations in $header" >&2
    exit 1
fi

status=0
missing=$(comm -23 "$tmp/declared" "$tmp/listed")
extra=$(comm -13 "$tmp/declared" "$tmp/listed")
dups=$(uniq -d "$tmp/listed_all")
if [ -n "$missing" ]; then
    echo "check_header_coverage: FAIL: declared in $(basename "$header") but missing from $(basename "$table"):" >&2
    printf '  %s\n' $missing >&2
    echo "  (add a PM_FN(name) line for each, in header order; $0 --print lists them all)" >&2
    status=1
fi
if [ -n "$extra" ]; then
    echo "check_header_coverage: FAIL: listed in $(basename "$table") but not declared in the header:" >&2
    printf '  %s\n' $extra >&2
    status=1
fi
if [ -n "$dups" ]; then
    echo "check_header_coverage: FAIL: listed more than once:" >&2
    printf '  %s\n' $dups >&2
    status=1
fi
if [ "$status" -eq 0 ]; then
    echo "check_header_coverage: OK: all $ndecl declared functions are in the address table"
fi
exit "$status"
