#!/usr/bin/env bash
# The examples as a user meets them: `make install-lib PREFIX=<tmp>`, then each example builds
# with pkg-config against the installed copy and runs.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$(mktemp -d /tmp/pmingest-prefix.XXXXXX)
trap 'rm -rf "$prefix"' EXIT
make --no-print-directory install-lib PREFIX="$prefix" >/dev/null
examples/c/run_installed.sh "$prefix"
if [ -x examples/c/run_against_fake.sh ]; then
  examples/c/run_against_fake.sh "$prefix/lib" "$prefix/include"
fi
echo "examples: passed"
