#!/usr/bin/env bash
# The rules of ARCHITECTURE.md that a grep can decide. Run by `make lint` (and so by `make test`).
# Prints one line per broken rule (file:line: rule) and exits 1 if any is broken.
set -euo pipefail
cd "$(dirname "$0")/.."

# fail RULE: reads "file:line:text" lines on stdin; reports each under RULE. It runs at the end of
# a pipeline (a subshell), so a broken rule is recorded in a file, not a variable.
broken=$(mktemp)
trap 'rm -f "$broken"' EXIT
fail() {
    local rule="$1" line
    while IFS= read -r line; do
        echo "architecture: $rule: $line" >&2
        echo x >>"$broken"
    done
}
# Tracked files only, so build folders and virtualenvs never count.
files() { git ls-files -- "$@"; }
grep_in() { # grep_in PATTERN PATHSPEC... : file:line:text of every match in the tracked files
    local pattern="$1"; shift
    local list; list=$(files "$@")
    [ -n "$list" ] || return 0
    # shellcheck disable=SC2086
    grep -nE -d skip -- "$pattern" $list || true   # -d skip: a tracked symlink to a folder
}

# 1. No Foundation anywhere in Sources: the core, the C boundary and the CLI are Foundation-free
#    (it would add 12-60 MB to a self-contained library and CLI).
grep_in '^[[:space:]]*(@_implementationOnly |@preconcurrency |(public|package|internal) )?import[[:space:]]+(Foundation|FoundationEssentials|FoundationNetworking)\b' \
    'Sources/*.swift' 'cli/Sources/*.swift' | fail "no Foundation in Sources or the CLI"

# 2. Each system library behind the one folder that owns it.
only_in() { # only_in MODULE FOLDER
    local module="$1" folder="$2"
    grep_in "^[[:space:]]*((public|package|internal) )?import[[:space:]]+$module\b" 'Sources/*.swift' \
        | grep -v "^$folder/" | fail "$module is imported only in $folder" || true
}
only_in CCurl Sources/PMIngest/HTTP
only_in CLibWebSockets Sources/PMIngest/Stream
only_in CSQLite Sources/PMIngest/Storage
only_in CCrypto Sources/PMIngest/Support

# 3. The pure parts import nothing: no system library, no libc. Numbers, JSON, Models, REST,
#    Books, Trades, Sync and Processing are plain Swift over the HTTP/Stream/Storage/Support types.
for part in Numbers JSON Models REST Books Trades Sync Processing; do
    grep_in '^[[:space:]]*((public|package|internal) )?import[[:space:]]' "Sources/PMIngest/$part/*.swift" \
        | fail "Sources/PMIngest/$part imports nothing"
done

# 4. The C boundary lives only in Sources/PMIngestC: no @c / @_cdecl export elsewhere in Sources,
#    and only PMIngestC imports the header module CPMIngest.
grep_in '^[[:space:]]*@(c|_cdecl)\b' 'Sources/*.swift' | grep -v '^Sources/PMIngestC/' \
    | fail "C exports only in Sources/PMIngestC" || true
grep_in '^[[:space:]]*((public|package|internal) )?import[[:space:]]+CPMIngest\b' 'Sources/*.swift' \
    | grep -v '^Sources/PMIngestC/' | fail "CPMIngest is imported only by Sources/PMIngestC" || true

# 5. Upward imports: the core imports neither its boundary nor the CLI's or the log bridge's
#    packages; the CLI uses the Swift API, not the C boundary.
grep_in '^[[:space:]]*((public|package|internal) )?import[[:space:]]+(PMIngestC|PMIngestSwiftLog|ArgumentParser|Logging)\b' \
    'Sources/PMIngest/*.swift' | fail "the core imports no outer layer or package"
grep_in '^[[:space:]]*((public|package|internal) )?import[[:space:]]+(PMIngestC|CPMIngest|CCurl|CLibWebSockets|CSQLite|CCrypto)\b' \
    'cli/Sources/pmingest-cli/*.swift' 'examples/swift/*.swift' | fail "the CLI and the Swift example use only PMIngest"

# 5b. A library user resolves only what the library needs: the root manifest names no package the
#     CLI alone uses (the CLI's dependencies belong in cli/Package.swift).
grep_in 'swift-argument-parser' 'Package.swift' | fail "the library package does not depend on the CLI's packages"

# 6. Python outside the binding uses its public API: no `_ffi` (or any other private module).
grep_in '(^|[^A-Za-z0-9_])(from[[:space:]]+pmingest(\.[A-Za-z0-9_]+)*[[:space:]]+import[[:space:]]+_|import[[:space:]]+pmingest\._|pmingest\._[A-Za-z])' \
    'examples/*.py' 'scripts/*.py' 'bench/*.py' 'Tests/fakepolymarket/*.py' \
    | fail "Python outside bindings/python uses only the public pmingest API"

# 7. The repository cites only itself: no path to a document outside it, in what ships or in the tests.
grep_in '(polymarket-api\.md|SPEC\.md|DESIGN\.md|/work/|(^|[^A-Za-z0-9_])shared/)' \
    'Sources/*' 'include/*' 'abi/*' 'cmake/*' 'bindings/python/pmingest/*' 'docs/*' 'examples/*' \
    '*.md' 'bindings/python/*.md' 'Tests/*' 'Fuzz/*' 'bench/*' \
    | fail "no citation of a document outside the repository"

if [ -s "$broken" ]; then echo "architecture: $(wc -l <"$broken") violation(s)" >&2; exit 1; fi
echo "architecture: rules hold"
