#!/bin/bash
# packaging/systemd/osprey.service: `systemd-analyze verify` is clean, and its exposure level
# (`systemd-analyze security --offline`) stays at or below the hardened unit's measured 2.6
# (systemd 252). Both run in a private mount namespace whose /usr/bin is an overlay holding
# build/osprey as /usr/bin/osprey, so that the unit is checked exactly as shipped without
# installing anything on this machine.
set -u
. "$(dirname "$0")/lib/common.sh"
cd "$TOP" || exit 1
needs "systemd unit" systemd-analyze unshare || exit 0
[ -x build/osprey ] || { fail "systemd unit" "build/osprey missing: run make"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/upper" "$T/work"
cp build/osprey "$T/upper/osprey"
unit=$TOP/packaging/systemd/osprey.service
in_ns() {
	unshare -m --propagation private sh -c \
		'mount -t overlay osprey-unit -o "lowerdir=/usr/bin,upperdir=$1,workdir=$2" /usr/bin &&
		 shift 2 && exec "$@"' sh "$T/upper" "$T/work" "$@"
}
if in_ns systemd-analyze verify "$unit" >"$T/verify" 2>&1 && [ ! -s "$T/verify" ]; then
	pass "systemd-analyze verify osprey.service"
else
	fail "systemd-analyze verify osprey.service" "$(show "$T/verify")"
fi
in_ns systemd-analyze security --offline=yes --no-pager "$unit" >"$T/security" 2>&1
level=$(sed -n 's/.*Overall exposure level for osprey.service: \([0-9.]*\).*/\1/p' "$T/security")
if [ -z "$level" ]; then
	fail "systemd-analyze security osprey.service" "no exposure level: $(show "$T/security")"
elif awk -v l="$level" 'BEGIN { exit !(l <= 2.6) }'; then
	pass "systemd-analyze security osprey.service: exposure $level"
else
	fail "systemd-analyze security osprey.service" "exposure $level > 2.6: $(grep '✗' "$T/security")"
fi
