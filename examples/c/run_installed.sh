#!/usr/bin/env bash
# run_installed.sh <prefix> — builds examples/c/store_example.c against an installed pmingest
# (`make install PREFIX=<prefix>`) exactly as a user would, through pkg-config, and runs it.
#
#   cc examples/c/store_example.c $(pkg-config --cflags --libs pmingest) -Wl,-rpath,<prefix>/lib
#
# The rpath is added here, not in pmingest.pc: a .pc that bakes in an rpath would impose it on
# every consumer. LD_LIBRARY_PATH is used only if the build did not get an rpath some other way.
# Exits non-zero if the build or the run fails.
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 <prefix>" >&2
    exit 2
fi
prefix=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
pc_dir="$prefix/lib/pkgconfig"
[ -f "$pc_dir/pmingest.pc" ] || { echo "run_installed: no $pc_dir/pmingest.pc (make install PREFIX=$prefix first)" >&2; exit 1; }
export PKG_CONFIG_PATH="$pc_dir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

cflags=$(pkg-config --cflags pmingest)
libs=$(pkg-config --libs pmingest)
rpath=""
case "$libs" in
    *rpath*) ;;                          # the .pc already carries one
    *) rpath="-Wl,-rpath,$prefix/lib" ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmingest-example-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "+ $CC $here/store_example.c $cflags $libs $rpath -o $tmp/store_example"
# shellcheck disable=SC2086  # pkg-config output is a list of flags
"$CC" "$here/store_example.c" $cflags $libs $rpath -o "$tmp/store_example"

# The program must resolve libpmingest from the prefix, not from anywhere else.
resolved=$(ldd "$tmp/store_example" | awk '$1 ~ /^libpmingest\.so/ { print $3 }')
echo "libpmingest resolves to: ${resolved:-<not found>}"
if [ -z "$resolved" ] || [ "$resolved" = "not" ]; then
    echo "run_installed: libpmingest not found by the loader; retrying with LD_LIBRARY_PATH=$prefix/lib" >&2
    LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/store_example"
else
    case "$(readlink -f "$resolved")" in
        "$(readlink -f "$prefix/lib")"/*) ;;
        *) echo "run_installed: FAIL: libpmingest resolves outside $prefix/lib: $resolved" >&2; exit 1 ;;
    esac
    "$tmp/store_example"
fi
echo "run_installed: OK"
