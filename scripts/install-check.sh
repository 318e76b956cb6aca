#!/usr/bin/env bash
# install-check.sh — the installed tree as its users meet it (run by `make test`):
#   1. `make install PREFIX=<empty temp dir>`; every file is in the manifest, and nothing else;
#      the version is the same on every surface (header, C++ header, CLI, pkg-config, CMake,
#      Python package) and the binding's LICENSE is the repository's;
#   2. a C++17 program (pmingest.hpp) and a C program built by CMake with find_package(pmingest)
#      against that prefix, run against the fake Polymarket; a request for a newer major version
#      is refused by the version file;
#   3. the installed CLI with the Swift toolchain hidden (a private mount namespace with an empty
#      directory over /opt/swift): --version, markets --help, and `markets` against the fake;
#      the man page renders and the bash completion parses;
#   4. `make uninstall PREFIX=…` leaves the prefix empty; a file that install did not put survives.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
fail() { echo "install-check: $*" >&2; exit 1; }

work=$(mktemp -d /tmp/pmingest-install-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
mkdir "$prefix"
toolchain=/opt/swift

version=$(sed -n 's/^#define PM_VERSION_STRING "\(.*\)"/\1/p' include/pmingest.h)
[ -n "$version" ] || fail "no PM_VERSION_STRING in include/pmingest.h"

echo "== make install PREFIX=$prefix"
make --no-print-directory install PREFIX="$prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "make install failed"; }
manifest=$prefix/share/pmingest/install-manifest.txt
[ -f "$manifest" ] || fail "no manifest at $manifest"
expected="bin/pmingest
include/pmingest.h
include/pmingest.hpp
lib/cmake/pmingest/pmingestConfig.cmake
lib/cmake/pmingest/pmingestConfigVersion.cmake
lib/libpmingest.so
lib/libpmingest.so.0
lib/pkgconfig/pmingest.pc
share/bash-completion/completions/pmingest
share/doc/pmingest/LICENSE
share/fish/vendor_completions.d/pmingest.fish
share/man/man1/pmingest.1
share/pmingest/install-manifest.txt
share/pmingest/pmingest-record.service
share/zsh/site-functions/_pmingest"
present=$(cd "$prefix" && find . -mindepth 1 \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort)
recorded=$(sed -n 's/^f //p' "$manifest" | LC_ALL=C sort)
[ "$present" = "$expected" ] || fail "installed files differ from the expected list:
$(diff <(echo "$expected") <(echo "$present") || true)"
[ "$recorded" = "$present" ] || fail "the manifest does not list exactly the installed files:
$(diff <(echo "$recorded") <(echo "$present") || true)"
for f in "$prefix"/share/bash-completion/completions/pmingest "$prefix"/share/zsh/site-functions/_pmingest \
         "$prefix"/share/fish/vendor_completions.d/pmingest.fish "$prefix"/share/man/man1/pmingest.1; do
  [ -s "$f" ] || fail "$f is empty"
done
[ "$(readlink "$prefix/lib/libpmingest.so")" = libpmingest.so.0 ] || fail "lib/libpmingest.so is not a symlink to libpmingest.so.0"
echo "installed $(echo "$present" | wc -l) files, all in the manifest"

echo "== one version everywhere ($version), one license"
hpp=$(sed -n 's/^#define PMINGEST_HPP_VERSION_STRING "\(.*\)"/\1/p' "$prefix/include/pmingest.hpp")
[ "$hpp" = "$version" ] || fail "pmingest.hpp says $hpp, pmingest.h $version"
pc=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion pmingest)
[ "$pc" = "$version" ] || fail "pkg-config says $pc"
py=$(sed -n 's/^version = "\(.*\)"/\1/p' bindings/python/pyproject.toml)
[ "$py" = "$version" ] || fail "bindings/python/pyproject.toml says $py"
grep -q "set(PACKAGE_VERSION \"$version\")" "$prefix/lib/cmake/pmingest/pmingestConfigVersion.cmake" || fail "CMake version file is not $version"
cmp -s LICENSE bindings/python/LICENSE || fail "bindings/python/LICENSE is not a copy of LICENSE"
cmp -s LICENSE "$prefix/share/doc/pmingest/LICENSE" || fail "the installed LICENSE differs"

echo "== CMake find_package(pmingest) against the installed tree"
mkdir -p "$work/cmake-app"
cat >"$work/cmake-app/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(pmingest_install_check LANGUAGES C CXX)
set(PMINGEST_WANT "0.1" CACHE STRING "version to ask find_package for")
find_package(pmingest ${PMINGEST_WANT} REQUIRED)
message(STATUS "pmingest ${pmingest_VERSION} from ${pmingest_DIR}")
add_executable(app_cpp app.cpp)
set_target_properties(app_cpp PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
target_compile_options(app_cpp PRIVATE -Wall -Wextra -Werror -pedantic)
target_link_libraries(app_cpp PRIVATE pmingest::pmingest)
add_executable(app_c app.c)
set_target_properties(app_c PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON)
target_compile_options(app_c PRIVATE -Wall -Wextra -Werror)
target_link_libraries(app_c PRIVATE ${pmingest_LIBRARIES})
EOF
cat >"$work/cmake-app/app.cpp" <<'EOF'
// Metadata sync into an in-memory store through the RAII wrappers, against the fake Polymarket.
#include <pmingest.hpp>

#include <iostream>

int main() {
    if (pm_version_number() != PM_VERSION_NUMBER) {
        std::cerr << "library " << pm_version_string() << " is not the header's " << PM_VERSION_STRING << "\n";
        return 1;
    }
    try {
        pm::Client client = pm::Client::from_env();
        pm::Store store(":memory:");
        pm::SyncReport report = pm::metadata_sync(client, store);
        std::vector<pm::TokenMeta> metas = store.token_metas();
        if (report.markets == 0 || metas.empty() || metas.size() != report.inserted) {
            std::cerr << "unexpected sync: " << report.markets << " markets, " << metas.size() << " tokens\n";
            return 1;
        }
        try {
            pm::Store bad("/nonexistent-dir/x/y.db");
            std::cerr << "opening a store in a missing directory did not throw\n";
            return 1;
        } catch (const pm::Error &e) {
            if (e.status() == PM_OK) return 1;
        }
        std::cout << "cpp ok: pmingest " << pm_version_string() << ", " << report.markets << " markets, " << metas.size()
                  << " tokens\n";
    } catch (const pm::Error &e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    return 0;
}
EOF
cat >"$work/cmake-app/app.c" <<'EOF'
/* The C header through the same imported target. */
#include <pmingest.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    if (strcmp(pm_version_string(), PM_VERSION_STRING) != 0) return 1;
    printf("c ok: pmingest %s\n", pm_version_string());
    return 0;
}
EOF
cmake -S "$work/cmake-app" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log" >&2; fail "cmake configure failed"; }
grep -q "pmingest $version from $prefix/lib/cmake/pmingest" "$work/cmake.log" || { cat "$work/cmake.log" >&2; fail "find_package did not find the installed $version"; }
cmake --build "$work/cmake-build" -j 2 >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "cmake build failed"; }
"$work/cmake-build/app_c"
scripts/with-fake-polymarket.sh "$work/cmake-build/app_cpp"
# The version file: a newer major (or a newer minor than installed) is refused.
for want in 1.0 0.99; do
  if cmake -S "$work/cmake-app" -B "$work/cmake-build-$want" -DCMAKE_PREFIX_PATH="$prefix" -DPMINGEST_WANT="$want" \
       >"$work/cmake-$want.log" 2>&1; then
    fail "find_package(pmingest $want) accepted the installed $version"
  fi
  grep -q "$version" "$work/cmake-$want.log" || { cat "$work/cmake-$want.log" >&2; fail "the refusal does not name $version"; }
done
echo "find_package(pmingest 1.0) and (0.99) refused, as they should be"

echo "== the installed CLI without the Swift toolchain"
pm=$prefix/bin/pmingest
if ldd "$pm" | grep -i swift; then fail "$pm links Swift runtime libraries"; fi
if readelf -d "$pm" | grep -E 'RPATH|RUNPATH' | grep -qi swift; then fail "$pm has a toolchain RUNPATH"; fi
# scripts/without-swift-toolchain.sh: a private mount namespace with an empty directory over the
# toolchain, PATH without it, a bare environment. It needs root (or user namespaces); where it
# cannot hide the toolchain, the ldd/readelf checks above are all this step proves, and it says so.
if scripts/without-swift-toolchain.sh true 2>/dev/null; then
  run=(scripts/without-swift-toolchain.sh)
  echo "(toolchain hidden: an empty directory over $toolchain in a private mount namespace)"
else
  run=(env -i PATH=/usr/bin:/bin HOME=/nonexistent)
  echo "(cannot hide $toolchain here: toolchain NOT hidden; only ldd/readelf show no Swift dependency)"
fi
out=$("${run[@]}" "$pm" --version)
[ "$out" = "$version" ] || fail "pmingest --version printed '$out', not $version"
"${run[@]}" "$pm" markets --help | grep -q "USAGE: pmingest markets" || fail "pmingest markets --help"
# A real command over HTTP, against the fake Polymarket (its URLs in PMINGEST_*_URL).
scripts/with-fake-polymarket.sh "${run[@]}" "$pm" markets >"$work/markets.out" 2>"$work/markets.err" \
  || { cat "$work/markets.err" >&2; fail "pmingest markets against the fake failed"; }
[ -s "$work/markets.out" ] || fail "pmingest markets printed nothing"
echo "pmingest --version, markets --help and markets (against the fake: $(wc -l <"$work/markets.out") lines) ran"
bash -n "$prefix/share/bash-completion/completions/pmingest" || fail "the bash completion does not parse"
bash -c "source '$prefix/share/bash-completion/completions/pmingest' && complete -p pmingest" >/dev/null \
  || fail "the bash completion registers no completion for pmingest"
if command -v groff >/dev/null; then
  groff -mandoc -Tutf8 "$prefix/share/man/man1/pmingest.1" 2>/dev/null | grep -q "markets" || fail "the man page does not render"
fi

echo "== make uninstall PREFIX=$prefix"
# A file of the user's own inside a directory install created must survive, with its directory.
echo mine >"$prefix/share/man/man1/mine.1"
make --no-print-directory uninstall PREFIX="$prefix" >"$work/uninstall.log" 2>&1 || { cat "$work/uninstall.log" >&2; fail "make uninstall failed"; }
left=$(cd "$prefix" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort)
[ "$left" = "share
share/man
share/man/man1
share/man/man1/mine.1" ] || fail "after uninstall, expected only the user's file and its directories, found:
$left"
rm "$prefix/share/man/man1/mine.1"
rmdir "$prefix/share/man/man1" "$prefix/share/man" "$prefix/share"
# And a plain install + uninstall leaves nothing at all.
make --no-print-directory install PREFIX="$prefix" >"$work/install2.log" 2>&1 || { cat "$work/install2.log" >&2; fail "second make install failed"; }
make --no-print-directory uninstall PREFIX="$prefix" >"$work/uninstall2.log" 2>&1 || { cat "$work/uninstall2.log" >&2; fail "second make uninstall failed"; }
[ -z "$(ls -A "$prefix")" ] || fail "the prefix is not empty after uninstall: $(cd "$prefix" && find . -mindepth 1)"
echo "install-check: passed"
