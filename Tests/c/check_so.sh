#!/usr/bin/env bash
# check_so.sh <path-to-libpmingest.so.0> [header] — the shipped shared library is self-contained
# and exports exactly the C ABI.
#
# Fails (exit 1, one line per problem) if
#   - NEEDED names a Swift runtime library (libswift*, libFoundation*, libdispatch, libBlocksRuntime);
#   - any defined, exported dynamic symbol is not pm_* (ignoring _init _fini _edata _end
#     __bss_start and the version node PMINGEST_0; LOCAL/HIDDEN dynsym entries are not exports);
#   - SONAME is not libpmingest.so.0;
#   - the stripped size exceeds 10 MiB (10*1024*1024 bytes). The guard exists to catch Foundation
#     or a second copy of the Swift runtime (each adds 12-60 MB); the library itself was 8.3 MB
#     when the recorder and the PostgreSQL backend were added, so 10 MiB leaves room for real code
#     and still trips on either;
#   - with a header given: an exported pm_* function is not declared there, or a declared one is
#     not exported.
# Prints the size and the exported symbol count. Needs readelf and strip (binutils).
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 <path-to-libpmingest.so.0> [pmingest.h]" >&2
    exit 2
fi
so=$1
header=${2:-}
max_bytes=$((10 * 1024 * 1024))
[ -f "$so" ] || { echo "check_so: FAIL: no such file: $so" >&2; exit 1; }
for tool in readelf strip; do
    command -v "$tool" >/dev/null || { echo "check_so: FAIL: $tool not found" >&2; exit 1; }
done

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
problem() { echo "check_so: FAIL: $*" >&2; fail=1; }

readelf -d -W "$so" > "$tmp/dynamic" || { echo "check_so: FAIL: readelf -d failed on $so (not an ELF shared object?)" >&2; exit 1; }

# NEEDED: no Swift runtime
sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p' "$tmp/dynamic" > "$tmp/needed"
bad_needed=$(grep -E '^(libswift|libFoundation|libdispatch|libBlocksRuntime)' "$tmp/needed" || true)
if [ -n "$bad_needed" ]; then
    problem "NEEDED contains Swift runtime libraries (build with -Xswiftc -static-stdlib in a fresh scratch path):" $bad_needed
fi

# SONAME
soname=$(sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p' "$tmp/dynamic")
if [ "$soname" != "libpmingest.so.0" ]; then
    problem "SONAME is '${soname:-<none>}', expected 'libpmingest.so.0' (link with -Xlinker -soname=libpmingest.so.0)"
fi

# Exported symbols: defined (Ndx != UND), binding GLOBAL/WEAK/UNIQUE, visibility DEFAULT/PROTECTED.
# readelf --dyn-syms -W columns: Num: Value Size Type Bind Vis Ndx Name
readelf --dyn-syms -W "$so" \
  | awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK" || $5 == "UNIQUE") \
         && ($6 == "DEFAULT" || $6 == "PROTECTED") && $8 != "" { print $8 }' \
  | sed 's/@.*//' | sort -u > "$tmp/exported_all"
grep -v -x -E '_init|_fini|_edata|_end|__bss_start|PMINGEST_0' "$tmp/exported_all" > "$tmp/exported" || true
not_pm=$(grep -v '^pm_' "$tmp/exported" || true)
if [ -n "$not_pm" ]; then
    count=$(printf '%s\n' "$not_pm" | wc -l)
    problem "$count exported symbol(s) are not pm_* (use the version script abi/pmingest.map); first ones:"
    printf '%s\n' "$not_pm" | head -20 | sed 's/^/    /' >&2
fi
nsyms=$(grep -c '^pm_' "$tmp/exported" || true)

# Size after strip --strip-all (on a copy; the input is not modified)
cp "$so" "$tmp/stripped.so"
strip --strip-all "$tmp/stripped.so"
size=$(stat -c %s "$tmp/stripped.so")
orig=$(stat -L -c %s "$so")
if [ "$size" -gt "$max_bytes" ]; then
    problem "stripped size $size bytes exceeds $max_bytes (10 MiB); did Foundation get linked in?"
fi

# Optional: exports == header declarations
if [ -n "$header" ]; then
    CC=${CC:-cc}
    "$CC" -E -P -DPM_EXTERN=__pm_extern_marker__ -x c "$header" \
      | tr '\n' ' ' | tr ';' '\n' | grep '__pm_extern_marker__' \
      | sed -n 's/.*__pm_extern_marker__[^(]*[^A-Za-z0-9_]\(pm_[A-Za-z0-9_]*\)[[:space:]]*(.*/\1/p' \
      | sort -u > "$tmp/declared"
    { grep '^pm_' "$tmp/exported" || true; } | sort -u > "$tmp/exported_pm"
    undeclared=$(comm -13 "$tmp/declared" "$tmp/exported_pm")
    unexported=$(comm -23 "$tmp/declared" "$tmp/exported_pm")
    [ -z "$undeclared" ] || problem "exported but not declared in $(basename "$header"):" $undeclared
    [ -z "$unexported" ] || problem "declared in $(basename "$header") but not exported:" $unexported
fi

echo "check_so: $so: size $orig bytes, stripped $size bytes (limit $max_bytes), $nsyms exported pm_* symbols, SONAME ${soname:-<none>}"
echo "check_so: NEEDED: $(tr '\n' ' ' < "$tmp/needed")"
if [ "$fail" -ne 0 ]; then
    echo "check_so: FAIL" >&2
    exit 1
fi
echo "check_so: OK"
