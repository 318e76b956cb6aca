#!/usr/bin/env bash
# The built CLI against the fake Polymarket with stdout piped: no \r or escape sequences, NDJSON
# with --json, `record --config` with a Prometheus metrics file, a clean stop on SIGTERM
# (scripts/cli_test.py). Usage: cli-test.sh [PATH/TO/pmingest] (default dist/bin/pmingest).
set -euo pipefail
cd "$(dirname "$0")/.."
cli=$(readlink -f "${1:-dist/bin/pmingest}")
[ -x "$cli" ] || { echo "cli-test: no CLI at ${1:-dist/bin/pmingest} (make cli)" >&2; exit 1; }
python=.venv/bin/python
[ -x "$python" ] || python=python3
scripts/with-fake-polymarket.sh "$python" scripts/cli_test.py "$cli"
