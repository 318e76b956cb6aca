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
echo "== examples/cpp (RAII wrappers, pull-based stream) against the fake Polymarket"
# shellcheck disable=SC2046  # pkg-config output is a list of flags
${CXX:-g++} -std=c++17 -Wall -Wextra -Werror -pedantic examples/cpp/main.cpp \
  $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs pmingest) \
  -Wl,-rpath,"$prefix/lib" -o "$prefix/pmingest-example-cpp"
PMINGEST_EXAMPLE_SECONDS=3 scripts/with-fake-polymarket.sh "$prefix/pmingest-example-cpp"
echo "== examples/swift (async/await + AsyncSequence) against the fake Polymarket"
swift build --product pmingest-example-swift 2>&1 | grep -E "error|warning: " || true
PMINGEST_EXAMPLE_SECONDS=3 scripts/with-fake-polymarket.sh "$(swift build --show-bin-path)/pmingest-example-swift"
echo "== examples/python (research script) against the fake Polymarket"
PMINGEST_LIBRARY="$prefix/lib/libpmingest.so.0" PYTHONPATH="$PWD/bindings/python" \
  scripts/with-fake-polymarket.sh .venv/bin/python examples/python/research.py 3
echo "examples: passed"
