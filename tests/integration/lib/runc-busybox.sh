#!/bin/sh
# usage: runc-busybox.sh WORKDIR CGROUP_PATH CMD...
# Runs CMD to completion in a real runc container whose rootfs is Debian's busybox-static, with the given
# cgroupsPath (runc's cgroupfs manager), and exits with CMD's status. Cleans up the container; WORKDIR
# (bundle, rootfs, runc state) is left for the caller to remove.
# Environment: TERMINAL=1 gives the process a terminal (run it under a pty, e.g. script(1));
# SETUP="shell commands" runs with $R set to the rootfs before the container starts.
set -eu
W=$1 CG=$2
shift 2
command -v runc >/dev/null || { echo "runc-busybox: runc is not installed" >&2; exit 90; }
[ -x /bin/busybox ] || { echo "runc-busybox: busybox-static is not installed" >&2; exit 90; }
R=$W/bundle/rootfs
mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/etc" "$R/tmp" "$R/root"
cp /bin/busybox "$R/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nitest:x:1234:1234::/tmp:/bin/sh\n' > "$R/etc/passwd"
printf 'root:x:0:\nitest:x:1234:\n' > "$R/etc/group"
if [ -n "${SETUP:-}" ]; then R=$R sh -c "$SETUP"; fi
(cd "$W/bundle" && runc spec)
python3 - "$W/bundle/config.json" "$CG" "${TERMINAL:-0}" "$@" <<'PY'
import json, sys
path, cg, term, args = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4:]
c = json.load(open(path))
c["process"]["terminal"] = term
c["process"]["args"] = args
c["root"]["readonly"] = False
c["linux"]["cgroupsPath"] = cg
json.dump(c, open(path, "w"))
PY
id=osprey-it-$$
st=0
runc --root "$W/state" run --bundle "$W/bundle" "$id" </dev/null || st=$?
runc --root "$W/state" delete -f "$id" >/dev/null 2>&1 || true
for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do rmdir "$h${CG#/}" 2>/dev/null || true; done
exit $st
