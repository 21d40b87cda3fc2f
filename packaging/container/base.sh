#!/bin/bash
# The Debian 12 base of Osprey's image, made on this machine from Debian's own packages with
# mmdebstrap (no registry pull), and cached:
#
#   packaging/container/base.sh DIR          prints DIR/base-<key>.tar, making it when missing
#
# It holds Debian's essential set plus the packages of the libraries the binary links against
# (DT_NEEDED, found with dpkg on this Debian 12 machine) and ca-certificates: the build stage of the
# image (Dockerfile) collects the binary's run-time files from it, and tests/packaging installs the
# .deb into a copy of it. The key covers the suite, the mirrors and that package list; delete
# DIR/base-*.tar to take the mirrors' newest packages (security updates).
#
# Environment: OSPREY_BIN (build/osprey), OSPREY_DEBIAN_MIRROR (http://deb.debian.org/debian),
# OSPREY_DEBIAN_SECURITY (http://deb.debian.org/debian-security). Needs root and mmdebstrap.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
WORK=$(realpath -m "${1:?usage: base.sh DIR}")
BIN=${OSPREY_BIN:-$TOP/build/osprey}
MIRROR=${OSPREY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${OSPREY_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
SUITE=bookworm

die() {
	echo "base.sh: $*" >&2
	exit 1
}
log() { echo "image: $*" >&2; }

[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap)"
for t in mmdebstrap dpkg-query objdump; do
	command -v "$t" >/dev/null || die "$t not found (make deps installs it)"
done
[ -x "$BIN" ] || die "$BIN not found: run make first"

# the Debian packages of the libraries the binary names (DT_NEEDED), as this machine has them
pkgs_of_binary() {
	local lib path
	for lib in $(objdump -p "$BIN" | awk '$1 == "NEEDED" { print $2 }'); do
		path=$(ldd "$BIN" | awk -v l="$lib" '$1 == l { print $3 }')
		[ -n "$path" ] || die "$lib: not resolved by ldd on this machine"
		dpkg-query -S "$path" 2>/dev/null || dpkg-query -S "$(realpath "$path")" ||
			die "$path: not from a Debian package"
	done | sed -n 's/^\([^:,]*\)[:,].*/\1/p' | sort -u
}

mkdir -p "$WORK"
PKGS="$(pkgs_of_binary | tr '\n' ' ')ca-certificates"
KEY=$(printf '%s\n' "$SUITE" "$MIRROR" "$SECURITY" "$PKGS" | sha256sum | cut -c1-12)
BASE=$WORK/base-$KEY.tar
if [ ! -s "$BASE" ]; then
	log "making the Debian $SUITE base with mmdebstrap ($PKGS)"
	rm -f "$WORK"/base-*.tar
	mmdebstrap --quiet --format=tar --variant=essential --include="${PKGS// /,}" "$SUITE" "$BASE.tmp" \
		"deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" \
		"deb $SECURITY $SUITE-security main" >&2 || {
		rm -f "$BASE.tmp"
		die "mmdebstrap failed (is $MIRROR reachable?)"
	}
	mv "$BASE.tmp" "$BASE"
fi

echo "$BASE"
