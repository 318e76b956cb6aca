#!/usr/bin/env bash
# install-tree.sh — install files under PREFIX and record each one, so that `make uninstall`
# removes exactly what `make install` put there and nothing else.
#
#   install-tree.sh file <mode> <source> <path under PREFIX>   install a file (install -m <mode>)
#   install-tree.sh link <target> <path under PREFIX>          a symlink pointing at <target>
#   install-tree.sh uninstall                                  remove what the manifest lists
#
# Environment: PREFIX (absolute, required); DESTDIR (optional staging root, as in GNU make).
# The manifest is <DESTDIR><PREFIX>/share/pmingest/install-manifest.txt, one entry a line:
#   f <path>   a file or symlink that install put
#   d <path>   a directory that install created (it did not exist before; "." is PREFIX itself)
# Paths are relative to PREFIX, so a DESTDIR-staged tree uninstalls the same way. Uninstall removes
# the files, then each recorded directory that is empty (deepest first); a recorded directory that
# holds files install did not put is kept and named.
set -euo pipefail

MANIFEST_REL=share/pmingest/install-manifest.txt

die() { echo "install-tree: $*" >&2; exit 1; }

[ -n "${PREFIX:-}" ] || die "PREFIX is not set"
case "$PREFIX" in /*) ;; *) die "PREFIX must be an absolute path (got '$PREFIX')" ;; esac
root="${DESTDIR:-}$PREFIX"
root="${root%/}"
manifest="$root/$MANIFEST_REL"

# Refuses anything that could escape PREFIX.
check_rel() {
    case "$1" in
        "" | /* | .. | ../* | */.. | */../*) die "refusing path '$1' (must be relative, inside PREFIX)" ;;
    esac
}

record() { printf '%s %s\n' "$1" "$2" >>"$manifest"; }

# Creates PREFIX and every missing component of <dir> under it, remembering which were created.
# Entries are kept in a list first: the manifest's own directory may not exist yet.
make_dirs() {
    local rel="$1" path="" part created=()
    if [ ! -d "$root" ]; then mkdir -p "$root"; created+=(".") ; fi
    local IFS=/
    for part in $rel; do
        path="${path:+$path/}$part"
        if [ ! -d "$root/$path" ]; then
            mkdir "$root/$path"
            created+=("$path")
        fi
    done
    unset IFS
    CREATED_DIRS+=("${created[@]+"${created[@]}"}")
}

# The manifest exists (with itself and its directories recorded) before any file is installed.
start_manifest() {
    CREATED_DIRS=()
    make_dirs "$(dirname "$MANIFEST_REL")"
    local d
    for d in "${CREATED_DIRS[@]+"${CREATED_DIRS[@]}"}"; do record d "$d"; done
    [ -f "$manifest" ] || : >"$manifest"
    record f "$MANIFEST_REL"
}

# Drops repeated entries (install run twice, install-lib then install) keeping the first.
dedupe() {
    local tmp
    tmp=$(mktemp "$manifest.XXXXXX")
    awk '!seen[$0]++' "$manifest" >"$tmp"
    chmod 0644 "$tmp"
    mv "$tmp" "$manifest"
}

put() {
    local kind="$1" dest="$2"
    check_rel "$dest"
    start_manifest
    CREATED_DIRS=()
    make_dirs "$(dirname "$dest")"
    local d
    for d in "${CREATED_DIRS[@]+"${CREATED_DIRS[@]}"}"; do record d "$d"; done
    case "$kind" in
        file) install -m "$MODE" "$SOURCE" "$root/$dest" ;;
        link) ln -sfn "$TARGET" "$root/$dest" ;;
    esac
    record f "$dest"
    dedupe
}

uninstall() {
    [ -f "$manifest" ] || die "no manifest at $manifest: nothing recorded as installed there"
    local kind path removed=0 kept=0
    local -a dirs=()
    while read -r kind path; do
        check_rel "$path"
        case "$kind" in
            f) [ "$path" = "$MANIFEST_REL" ] && continue
               if [ -e "$root/$path" ] || [ -L "$root/$path" ]; then rm -f "$root/$path"; removed=$((removed + 1)); fi ;;
            d) dirs+=("$path") ;;
            *) die "bad manifest line: $kind $path" ;;
        esac
    done <"$manifest"
    rm -f "$manifest"
    removed=$((removed + 1))
    # Deepest first ("." last): a directory empties only once its children are gone.
    local dir
    while read -r dir; do
        [ -n "$dir" ] || continue
        local target="$root/$dir"
        [ "$dir" = "." ] && target="$root"
        [ -d "$target" ] || continue
        if rmdir "$target" 2>/dev/null; then
            :
        else
            echo "install-tree: kept $target (holds files that install did not put)" >&2
            kept=$((kept + 1))
        fi
    done < <(printf '%s\n' "${dirs[@]+"${dirs[@]}"}" | awk '{ print ($0 == "." ? -1 : gsub("/", "/")) "\t" $0 }' | sort -rn | cut -f2-)
    echo "uninstalled pmingest from $root: $removed file(s) removed, ${#dirs[@]} directory(ies) recorded, $kept kept"
}

case "${1:-}" in
    file) [ $# -eq 4 ] || die "usage: install-tree.sh file <mode> <source> <dest>"
          MODE="$2" SOURCE="$3"; [ -f "$SOURCE" ] || die "no such file: $SOURCE"; put file "$4" ;;
    link) [ $# -eq 3 ] || die "usage: install-tree.sh link <target> <dest>"
          TARGET="$2"; put link "$3" ;;
    uninstall) [ $# -eq 1 ] || die "usage: install-tree.sh uninstall"; uninstall ;;
    *) die "usage: install-tree.sh file|link|uninstall ..." ;;
esac
