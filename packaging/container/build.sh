#!/bin/bash
# Builds Osprey's container image with the real Docker engine and saves it as a docker-archive:
#
#   packaging/container/build.sh OUT.tar      (make image: build/image/osprey-<version>.tar)
#
# 1. The base (base.sh): a Debian 12 root made here with mmdebstrap from Debian's own packages (no
#    registry pull), cached in build/image/.
# 2. A private engine (engine.sh) imports the base; `docker build` (Dockerfile) copies the stripped
#    binary into it, collects the binary's libraries (collect.sh) and copies them into a FROM-scratch
#    image with the rules and the default config; `docker save` writes OUT.tar; the engine goes.
#
# Environment: OSPREY_BIN (build/osprey), OSPREY_IMAGE (osprey:<VERSION>), and base.sh's.
# Needs root, mmdebstrap, docker.io. Prints the image's size on the last line.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=$(realpath -m "${1:?usage: build.sh OUT.tar}")
VERSION=$(cat "$TOP/VERSION")
BIN=${OSPREY_BIN:-$TOP/build/osprey}
IMAGE=${OSPREY_IMAGE:-osprey:$VERSION}
WORK=$(dirname "$OUT")

die() {
	echo "build.sh: $*" >&2
	exit 1
}
log() { echo "image: $*" >&2; }

[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap and a private dockerd)"
for t in dockerd strip; do
	command -v "$t" >/dev/null || die "$t not found (make deps installs it)"
done
[ -x "$BIN" ] || die "$BIN not found: run make first"
D=/usr/bin/docker
[ -x "$D" ] || D=$(command -v docker)

BASE=$("$HERE/base.sh" "$WORK")
BASE_TAG=osprey-base:$(basename "$BASE" .tar)

CTX=$WORK/context
rm -rf "$CTX"
mkdir -p "$CTX"
strip --strip-unneeded -R .comment -o "$CTX/osprey" "$BIN"
cp "$HERE/Dockerfile" "$HERE/collect.sh" "$CTX/"
cp "$TOP/packaging/osprey.yaml" "$CTX/osprey.yaml"
cp "$TOP/rules/osprey_rules.yaml" "$CTX/osprey_rules.yaml"

ENGINE=$(mktemp -d /tmp/osprey-image.XXXXXX)
trap '"$HERE/engine.sh" stop "$ENGINE" >/dev/null 2>&1 || true' EXIT
"$HERE/engine.sh" start "$ENGINE" >/dev/null
export DOCKER_HOST=unix://$ENGINE/docker.sock
log "importing the base"
"$D" import "$BASE" "$BASE_TAG" >/dev/null
log "building $IMAGE"
DOCKER_BUILDKIT=0 "$D" build --quiet --network none --build-arg "BASE=$BASE_TAG" \
	--build-arg "VERSION=$VERSION" -t "$IMAGE" "$CTX" >/dev/null
"$D" save -o "$OUT.tmp" "$IMAGE"
mv "$OUT.tmp" "$OUT"
size=$("$D" image inspect -f '{{.Size}}' "$IMAGE")
echo "image $IMAGE: $((size / 1000000)).$(((size % 1000000) / 100000)) MB ($size bytes), saved to $OUT"
