#!/bin/sh
# Installs the Debian packages that building, running and testing Osprey need.
# Idempotent and quick when everything is present: it asks dpkg first and calls apt only for what is missing.
set -eu
PKGS="make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libcjson-dev libyaml-dev
libcunit1-dev libcurl4-openssl-dev libmicrohttpd-dev pkg-config clang-format cppcheck
runc busybox-static python3 openssl"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run 'make deps' as root, or install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
