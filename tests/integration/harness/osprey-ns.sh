#!/bin/bash
# Runs the agent so that it finds the runtime state of a ctr.sh shared state directory S
# (OSP_CT_STATE=S, see ctr.sh) at the runtimes' default paths, without touching the host's:
#
#   OSP_NS_BIN=build/osprey OSP_CT_STATE=S osprey-ns.sh run --events ...
#
# The agent runs in a private mount namespace (unshare -m) in which
#   S/docker -> /var/lib/docker            S/containerd-state -> /run/containerd
#   S/containerd-root -> /var/lib/containerd   S/storage -> /var/lib/containers/storage
# are bind mounts. A default path whose directory is missing gets a tmpfs on its parent, inside
# the namespace only (the agent reads nothing else there). Every step execs the next, so the
# agent keeps this script's pid: use it as OSPREY_BIN.
set -euo pipefail
: "${OSP_NS_BIN:?set OSP_NS_BIN to the osprey binary}"
: "${OSP_CT_STATE:?set OSP_CT_STATE to a ctr.sh state directory}"

if [ "${OSP_NS_INSIDE:-}" != 1 ]; then
	export OSP_NS_INSIDE=1
	exec unshare -m --propagation private "$0" "$@"
fi

made="" # parents this script put a tmpfs on
mountpoint_for() {
	local t=$1 p
	[ -d "$t" ] && return 0
	p=$(dirname "$t")
	mountpoint_for "$p"
	case " $made " in
	*" $p "*) ;;
	*)
		mount -t tmpfs -o mode=755 osp-ns "$p"
		made="$made $p"
		;;
	esac
	mkdir -p "$t"
}

bind() {
	mountpoint_for "$2"
	mount --bind "$OSP_CT_STATE/$1" "$2"
}

bind docker /var/lib/docker
bind containerd-root /var/lib/containerd
bind storage /var/lib/containers/storage
bind containerd-state /run/containerd
unset OSP_NS_INSIDE
exec "$OSP_NS_BIN" "$@"
