#!/usr/bin/env bash
# The platform wheel: bundle the built library into bindings/python, build the wheel and sdist,
# install the wheel into a fresh venv and use it from outside the repo on a machine-like
# environment with no Swift toolchain (PATH without /opt/swift, no PMINGEST_LIBRARY, no
# LD_LIBRARY_PATH). Proves: the wheel is tagged py3-none-<platform>, carries the library and
# py.typed, the library needs no libswift*, and the sdist carries no *.so.
#
# Built from a copy of bindings/python in a temp directory, not in place: the source tree never
# holds the library (a concurrent `pip install ./bindings/python` would otherwise bundle it), and
# setuptools' in-tree build/lib cannot leak stale files into the wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
lib=$(readlink -f "$1")
test -f "$lib" || { echo "check-wheel: no library at $1" >&2; exit 1; }
work=$(mktemp -d /tmp/pmingest-wheel.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-wheel: $*" >&2; exit 1; }

# 1. Stage the binding (tracked and new files, none of the build debris) plus the library under
#    the first name _ffi.py looks for next to the package.
mkdir -p "$work/src" "$work/out" "$work/run"
tar -C bindings/python --exclude=build --exclude='*.egg-info' --exclude=.pytest_cache \
  --exclude=__pycache__ --exclude='libpmingest.so*' -cf - . | tar -C "$work/src" -xf -
cp "$lib" "$work/src/pmingest/libpmingest.so"

# 2. Wheel and sdist, each in pip's isolated environment with the setuptools it pulls from PyPI.
python3 -m venv "$work/build-venv"
"$work/build-venv/bin/python" -m pip install -q --disable-pip-version-check build
"$work/build-venv/bin/python" -m build --sdist --wheel --outdir "$work/out" "$work/src" \
  >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "build failed"; }
wheel=$(ls "$work"/out/*.whl)
sdist=$(ls "$work"/out/*.tar.gz)
case "$(basename "$wheel")" in
  pmingest-*-py3-none-any.whl) fail "wheel is not platform-tagged: $(basename "$wheel")" ;;
  pmingest-*-py3-none-linux_*.whl) ;;
  *) fail "unexpected wheel name: $(basename "$wheel")" ;;
esac
contents=$(python3 -m zipfile -l "$wheel")
grep -q ' *pmingest/py.typed ' <<<"$contents" || fail "py.typed missing from the wheel"
grep -q ' *pmingest/libpmingest.so ' <<<"$contents" || fail "libpmingest.so missing from the wheel"
if tar -tzf "$sdist" | grep -E '\.so(\.|$)'; then fail "the sdist contains a shared library"; fi

# 3. A fresh venv, the wheel only (no index), used from outside the repo with a bare environment.
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check --no-index --no-deps "$wheel"
installed=$(cd "$work/run" && env -i PATH=/usr/bin:/bin HOME="$HOME" "$work/venv/bin/python" - <<'PY'
import decimal, sys
from datetime import datetime, timezone
import pmingest
from pmingest import _ffi
assert _ffi.library_path.startswith(sys.prefix), _ffi.library_path  # the bundled copy, not another
assert pmingest.parse_decimal("0.30") == decimal.Decimal("0.3")
trade = pmingest.PolymarketTrade(token_id="71321045679252212594626385532706912750332728571942532289631379312455583992563", side="BUY", price=decimal.Decimal("0.95"),
    size=decimal.Decimal("84.17"), timestamp=datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc))
with pmingest.Database(":memory:") as db:
    trades = pmingest.TradeRepository(db)
    trades.upsert(trade)
    [back] = trades.query(trade.token_id)
    assert (back.price, back.size, back.timestamp) == (trade.price, trade.size, trade.timestamp), back
print(pmingest.__version__, _ffi.library_path)
PY
)
read -r version path <<<"$installed"
deps=$(env -i PATH=/usr/bin:/bin ldd "$path")
if grep -i 'libswift' <<<"$deps"; then fail "the bundled library needs the Swift runtime"; fi
if grep 'not found' <<<"$deps"; then fail "the bundled library has unresolved dependencies"; fi
echo "wheel: $(basename "$wheel") installs and runs pmingest $version without Swift or PMINGEST_LIBRARY"
