#!/usr/bin/env bash
# wheel-test.sh [WHEEL]: the manylinux wheel (default dist/wheel/pmingest-*.whl, from `make wheel`)
# as a user on another machine gets it: installed into a fresh venv from the file alone (no
# index), then, with the Swift toolchain hidden (scripts/without-swift-toolchain.sh: /opt/swift
# masked, PATH=/usr/bin:/bin, no PMINGEST_LIBRARY), the bundled library must be the one loaded,
# resolve every dependency from the wheel's own pmingest.libs/ or the manylinux base (glibc,
# libstdc++, libgcc_s), and run the Python example and `python -m pmingest` against the fake
# Polymarket.
set -euo pipefail
cd "$(dirname "$0")/.."
wheel=${1:-$(ls dist/wheel/pmingest-*.whl 2>/dev/null | head -1)}
[ -f "$wheel" ] || { echo "wheel-test: no wheel (make wheel)" >&2; exit 1; }
fail() { echo "wheel-test: $*" >&2; exit 1; }
case "$(basename "$wheel")" in
  pmingest-*-py3-none-manylinux_2_*_x86_64.whl) ;;
  *) fail "not a manylinux x86_64 wheel: $(basename "$wheel")" ;;
esac
work=$(mktemp -d /tmp/pmingest-wheel-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check --no-index --no-deps "$wheel"
cp examples/python/research.py "$work/research.py"   # run from outside the repo: no source tree on sys.path
cat >"$work/check.py" <<'PY'
import os, subprocess, sys
import pmingest
from pmingest import _ffi
assert "PMINGEST_LIBRARY" not in os.environ
assert _ffi.library_path.startswith(sys.prefix), _ffi.library_path
deps = subprocess.run(["ldd", _ffi.library_path], check=True, capture_output=True, text=True).stdout
assert "not found" not in deps and "swift" not in deps.lower(), deps
# The manylinux_2_34 policy's system libraries (auditwheel's lib_whitelist), plus the vDSO and the loader.
allowed = {"libatomic.so.1", "libgcc_s.so.1", "libstdc++.so.6", "libm.so.6", "libmvec.so.1", "libanl.so.1",
           "libdl.so.2", "librt.so.1", "libc.so.6", "libnsl.so.1", "libutil.so.1", "libpthread.so.0",
           "libresolv.so.2", "libexpat.so.1", "libz.so.1", "linux-vdso.so.1", "ld-linux-x86-64.so.2"}
for line in deps.splitlines():
    name = os.path.basename(line.split()[0])
    if "pmingest.libs/" not in line and name not in allowed:
        raise SystemExit(f"dependency neither bundled nor in the manylinux base: {line.strip()}")
print("wheel: pmingest", pmingest.__version__, "loaded", _ffi.library_path)
PY
run() { scripts/with-fake-polymarket.sh scripts/without-swift-toolchain.sh "$@"; }
run "$work/venv/bin/python" "$work/check.py"
echo "== examples/python/research.py from the installed wheel, no Swift"
run "$work/venv/bin/python" "$work/research.py" 3 >"$work/research.log" || { cat "$work/research.log" >&2; fail "the example failed"; }
grep -q "^synced " "$work/research.log" || { cat "$work/research.log" >&2; fail "the example did not sync"; }
tail -3 "$work/research.log"
echo "== python -m pmingest markets --json from the installed wheel, no Swift"
run "$work/venv/bin/python" -m pmingest markets --json >"$work/markets.ndjson"
"$work/venv/bin/python" -c 'import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
assert rows and all(isinstance(r, dict) and r["tokens"] for r in rows), rows
print(f"{len(rows)} markets, one JSON object per line")' "$work/markets.ndjson"
echo "wheel-test: $(basename "$wheel") passed"
