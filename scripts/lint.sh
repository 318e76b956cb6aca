#!/usr/bin/env bash
# make lint: the checked-in style and architecture rules, in a few seconds. Fails on:
#   - .editorconfig basics in tracked text files: a final newline, no trailing whitespace, no tabs
#     (Makefiles excepted);
#   - swift-format's rule findings in Sources, the Swift tests, examples and bench: each file
#     under the nearest .swift-format (Sources/.swift-format adds NeverForceUnwrap, NeverUseForceTry
#     and NeverUseImplicitlyUnwrappedOptionals to the root one: no `!`, no `try!` in shipped code);
#   - ruff (bindings/python/pyproject.toml [tool.ruff]) on the binding, its tests and the example;
#   - scripts/check-architecture.sh (the rules of ARCHITECTURE.md).
# Reports, without failing: swift-format's layout findings (line breaks, indentation, line length)
# and the C/C++ files that clang-format (.clang-format) would lay out differently. The existing
# code predates both configs and is not reformatted wholesale; format the lines you change.
# Usage: scripts/lint.sh [python-with-ruff]   (default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-.venv/bin/python}"
SWIFT="${SWIFT:-swift}"
status=0

# ---- editorconfig basics --------------------------------------------------------------------------
text=$(git ls-files -- '*.swift' '*.py' '*.c' '*.h' '*.hpp' '*.cpp' '*.sh' '*.md' '*.toml' '*.cmake' \
    '*.in' '*.map' '*.modulemap' '*.inc' '.editorconfig' '.swift-format' 'Sources/.swift-format' '.clang-format' Makefile)
bad=0
# shellcheck disable=SC2086
if grep -nE '[[:space:]]+$' $text >&2; then echo "lint: trailing whitespace (above)" >&2; bad=1; fi
# shellcheck disable=SC2086
if grep -nP '\t' $(echo "$text" | grep -v -E '(^|/)Makefile$') >&2; then echo "lint: tab characters (above)" >&2; bad=1; fi
for f in $text; do
    if [ -s "$f" ] && [ -n "$(tail -c1 "$f")" ]; then echo "lint: $f: no final newline" >&2; bad=1; fi
done
[ "$bad" = 0 ] && echo "lint: editorconfig basics hold ($(echo "$text" | wc -l) files)" || status=1

# ---- Swift: swift-format lint ---------------------------------------------------------------------
# Layout findings come from swift-format's pretty printer; everything else is a rule (.swift-format).
layout='\[(LineLength|Indentation|AddLines|RemoveLine|Spacing|TrailingComma|EndOfLineComment|TrailingWhitespace)\]'
swift_dirs=(Sources Tests/PMIngestTests examples/swift bench/swift)
if out=$("$SWIFT" format lint --recursive --parallel "${swift_dirs[@]}" 2>&1); then :; fi
rules=$(echo "$out" | grep -E 'warning:|error:' | grep -vE "$layout" || true)
layout_count=$(echo "$out" | grep -cE "$layout" || true)
if [ -n "$rules" ]; then
    echo "$rules" >&2; echo "lint: swift-format rule findings (above)" >&2; status=1
else
    echo "lint: swift-format rules hold (layout differences, not enforced: $layout_count)"
fi

# ---- C/C++: clang-format, reported -------------------------------------------------------------
if command -v clang-format >/dev/null 2>&1; then
    cfiles=$(git ls-files -- 'include/*.h' 'include/*.hpp' 'Sources/CPMIngest/*.c' 'Sources/CPMIngest/*.h' \
        'Tests/c/*.c' 'Tests/c/*.h' 'examples/c/*.c' 'examples/cpp/*.cpp')
    differ=0; total=0
    for f in $cfiles; do
        total=$((total + 1))
        # Captured first: grep -q on a pipe would stop clang-format early (SIGPIPE under pipefail).
        report=$(clang-format --style=file --dry-run "$f" 2>&1 || true)
        case "$report" in *warning:*) differ=$((differ + 1)) ;; esac
    done
    echo "lint: clang-format: $differ of $total C/C++ files laid out differently (reported, not enforced)"
else
    echo "lint: clang-format not installed: C/C++ layout not checked (apt-get install clang-format)"
fi

# ---- Python: ruff -----------------------------------------------------------------------------------
if "$PY" -m ruff --version >/dev/null 2>&1; then
    (cd bindings/python && "../../$PY" -m ruff check --quiet --config pyproject.toml pmingest tests ../../examples/python) \
        && echo "lint: ruff clean (bindings/python, examples/python)" || status=1
else
    echo "lint: ruff missing in $PY (make deps installs it)" >&2; status=1
fi

# ---- architecture ---------------------------------------------------------------------------------
scripts/check-architecture.sh || status=1

exit "$status"
