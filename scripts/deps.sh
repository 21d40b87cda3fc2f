#!/bin/sh
# Installs the Debian packages that building, running and testing Osprey need (the second line of
# PKGS: packaging/ and tests/packaging: the image's base, the .deb, the unit's checks, the pod-spec
# harness; kubectl, which renders the manifests, is not a Debian package: it comes with the machine).
# Idempotent and quick when everything is present: it asks dpkg first and calls apt only for what is missing.
set -eu
PKGS="make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libcjson-dev libyaml-dev
libcunit1-dev libcurl4-openssl-dev libmicrohttpd-dev pkg-config clang-format cppcheck
runc busybox-static python3 openssl docker.io
mmdebstrap debhelper dpkg-dev lintian help2man python3-yaml libcap2-bin systemd"
# The integration tests start real containers with these; they need their recommended packages
# (network backends, conmon, ...), unlike docker.io above.
RUNTIMES="podman conmon containerd containernetworking-plugins"
missing_of() {
	for p in "$@"; do
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$st" = installed ] || printf ' %s' "$p"
	done
}
# shellcheck disable=SC2086
missing=$(missing_of $PKGS)
# shellcheck disable=SC2086
missing_rt=$(missing_of $RUNTIMES)
[ -z "$missing$missing_rt" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing$missing_rt (run 'make deps' as root, or install them)" >&2
	exit 1
fi
echo "deps: installing$missing$missing_rt"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
[ -z "$missing" ] || apt-get install -y -qq --no-install-recommends $missing >/dev/null
# shellcheck disable=SC2086
[ -z "$missing_rt" ] || apt-get install -y -qq $missing_rt >/dev/null
