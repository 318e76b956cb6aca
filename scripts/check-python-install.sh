#!/usr/bin/env bash
# `pip install ./bindings/python` into a throwaway venv, then import it from outside the source
# tree with the built library: what a research script does.
set -euo pipefail
cd "$(dirname "$0")/.."
lib=$1
venv=$(mktemp -d /tmp/pmingest-pip.XXXXXX)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check ./bindings/python
(cd "$venv" && PMINGEST_LIBRARY="$lib" "$venv/bin/python" - <<'PY'
import pmingest, decimal
assert pmingest.parse_decimal("0.30") == decimal.Decimal("0.3")
with pmingest.Database(pmingest.DatabaseConfig(path=":memory:")) as db:
    assert pmingest.TradeRepository(db).count() == 0
print("python install: pmingest", pmingest.__version__, "imports and runs from a pip install")
PY
)
