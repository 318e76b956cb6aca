#!/usr/bin/env bash
# `pip install ./bindings/python` as a research script's author meets it, in throwaway venvs,
# imported from outside the source tree:
#   1. with PMINGEST_LIBRARY set at install time: the pure-Python binding, loading that library;
#   2. in the repository with nothing set: the build backend builds (make lib, incremental) and
#      bundles the self-contained library, which then loads with no PMINGEST_LIBRARY;
#   3. a copy outside the repository with nothing set: the install fails, naming `make lib`.
set -euo pipefail
cd "$(dirname "$0")/.."
lib=$1
work=$(mktemp -d /tmp/pmingest-pip.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-python-install: $*" >&2; exit 1; }
pip_install() { "$1/bin/python" -m pip install -q --disable-pip-version-check "${@:2}"; }
python3 -m venv "$work/pure"
PMINGEST_LIBRARY="$lib" pip_install "$work/pure" ./bindings/python
(cd "$work" && PMINGEST_LIBRARY="$lib" "$work/pure/bin/python" - <<'PY'
import pmingest, decimal
assert pmingest.parse_decimal("0.30") == decimal.Decimal("0.3")
with pmingest.Database(pmingest.DatabaseConfig(path=":memory:")) as db:
    assert pmingest.TradeRepository(db).count() == 0
print("python install: pmingest", pmingest.__version__, "imports and runs from a pip install (PMINGEST_LIBRARY)")
PY
)
python3 -m venv "$work/bundled"
env -u PMINGEST_LIBRARY "$work/bundled/bin/python" -m pip install -q --disable-pip-version-check ./bindings/python \
  2>"$work/bundled.log" || { cat "$work/bundled.log" >&2; fail "pip install ./bindings/python did not build the library"; }
(cd "$work" && env -u PMINGEST_LIBRARY "$work/bundled/bin/python" - <<'PY'
import sys
import pmingest
from pmingest import _ffi
assert _ffi.library_path.startswith(sys.prefix), _ffi.library_path
print("python install: pip install ./bindings/python bundled", _ffi.library_path.rsplit("/", 1)[-1])
PY
)
[ -z "$(ls bindings/python/pmingest/libpmingest.so* 2>/dev/null)" ] || fail "the build left a library in the source tree"
mkdir "$work/elsewhere"
tar -C bindings/python --exclude=build --exclude='*.egg-info' --exclude=__pycache__ --exclude='libpmingest.so*' -cf - . \
  | tar -C "$work/elsewhere" -xf -
python3 -m venv "$work/none"
if env -u PMINGEST_LIBRARY "$work/none/bin/python" -m pip install -q --disable-pip-version-check "$work/elsewhere" \
  >"$work/none.log" 2>&1; then
  fail "pip install without a library outside the repository succeeded"
fi
grep -q "make lib" "$work/none.log" || { cat "$work/none.log" >&2; fail "the failed install does not say what to run"; }
echo "python install: without a library (outside the repository) pip install fails and names \`make lib\`"
