#!/usr/bin/env bash
# without-swift-toolchain.sh CMD [ARGS…]: runs CMD as on a machine without Swift: in a private
# mount namespace with an empty directory bound over the toolchain ($SWIFT_TOOLCHAIN, default
# /opt/swift; unshare makes the mount private, nothing changes for the host), with
# PATH=/usr/bin:/bin and, of the caller's environment, only the PMINGEST_* variables.
# Exits with CMD's status; 97 if the toolchain cannot be hidden (needs root or user namespaces).
set -euo pipefail
toolchain=${SWIFT_TOOLCHAIN:-/opt/swift}
[ $# -ge 1 ] || { echo "usage: without-swift-toolchain.sh CMD [ARGS…]" >&2; exit 2; }
[ -d "$toolchain" ] || { echo "without-swift-toolchain: no $toolchain to hide" >&2; exit 97; }
empty=$(mktemp -d /tmp/pmingest-no-swift.XXXXXX)
trap 'rmdir "$empty"' EXIT
keep=()
while IFS= read -r assignment; do keep+=("$assignment"); done < <(env | grep -E '^PMINGEST_[A-Z0-9_]*=' || true)
status=0
unshare -m -- bash -c '
  mount --bind "$1" "$2" 2>/dev/null || { echo "without-swift-toolchain: cannot hide $2" >&2; exit 97; }
  [ -z "$(ls -A "$2")" ] || { echo "without-swift-toolchain: $2 still visible" >&2; exit 97; }
  shift 2
  exec env -i PATH=/usr/bin:/bin HOME=/nonexistent "$@"' without-swift "$empty" "$toolchain" \
  "${keep[@]+"${keep[@]}"}" "$@" || status=$?
exit "$status"
