#!/bin/bash
# Builds the .deb with dpkg-buildpackage (debhelper) in a copy of the source tree, so that the
# repository's root never gets a debian/ directory or build leftovers:
#
#   packaging/debian/build.sh OUTDIR        (make deb: OUTDIR=build/deb)
#
# OUTDIR/src/osprey-<version>/ is the copy (the files git knows, tracked or new but not ignored; a
# tree without git is copied whole, build/ excepted), with packaging/debian/ as its debian/. The
# .deb, .buildinfo and .changes end up in OUTDIR. The changelog's version must be VERSION's.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=$(realpath -m "${1:?usage: build.sh OUTDIR}")
VERSION=$(cat "$TOP/VERSION")

die() {
	echo "deb: $*" >&2
	exit 1
}
command -v dpkg-buildpackage >/dev/null || die "dpkg-buildpackage not found (make deps installs dpkg-dev)"
command -v dh >/dev/null || die "dh not found (make deps installs debhelper)"
cl=$(dpkg-parsechangelog -l "$HERE/changelog" -S Version)
[ "$cl" = "$VERSION" ] ||
	die "packaging/debian/changelog is at $cl, VERSION is $VERSION: add a changelog entry (dch -v $VERSION)"

SRC=$OUT/src/osprey-$VERSION
rm -rf "$OUT/src"
mkdir -p "$SRC"
if git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$TOP" ls-files -z --cached --others --exclude-standard |
		(cd "$TOP" && tar --null -T - -cf -) | tar -C "$SRC" -xf -
else
	tar -C "$TOP" --exclude=./build -cf - . | tar -C "$SRC" -xf -
fi
rm -rf "$SRC/debian"
cp -a "$HERE" "$SRC/debian"
rm -f "$SRC/debian/build.sh"

(cd "$SRC" && dpkg-buildpackage --build=binary --no-sign -j"$(nproc)") >"$OUT/build.log" 2>&1 || {
	tail -30 "$OUT/build.log" >&2
	die "dpkg-buildpackage failed (log: $OUT/build.log)"
}
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
for f in "$OUT/src/osprey_${VERSION}_$arch".* "$OUT/src/osprey"*"_${VERSION}_$arch.deb" \
	"$OUT/src/osprey"*"_${VERSION}_$arch.ddeb"; do
	[ -e "$f" ] && mv "$f" "$OUT/"
done
rm -rf "$OUT/src"
ls "$OUT/osprey_${VERSION}_$arch.deb"
