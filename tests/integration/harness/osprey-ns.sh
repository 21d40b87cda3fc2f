#!/bin/bash
# Runs the agent so that it finds the runtime state of a ctr.sh shared state directory S
# (OSP_CT_STATE=S, see ctr.sh) at the runtimes' default paths, without touching the host's:
#
#   OSP_NS_BIN=build/osprey OSP_CT_STATE=S osprey-ns.sh run --events ...
#
# The agent runs in a private mount namespace (unshare -m) in which /var/lib and /run are fresh,
# empty tmpfs mounts holding only
#   S/docker -> /var/lib/docker            S/containerd-state -> /run/containerd
#   S/containerd-root -> /var/lib/containerd   S/storage -> /var/lib/containers/storage
# as bind mounts. The view is the same whatever the host has there: a Docker engine that ran on
# this machine leaves /var/lib/docker behind, and a real node has its runtimes' state there. (An
# earlier version put a tmpfs only on the parent of a default path that was missing, which hid the
# binds already made below that parent: with /var/lib/docker present and /var/lib/containerd
# missing, the agent saw no Docker state at all.) The agent reads nothing else below /var/lib or
# /run. Every step execs the next, so the agent keeps this script's pid: use it as OSPREY_BIN.
set -euo pipefail
: "${OSP_NS_BIN:?set OSP_NS_BIN to the osprey binary}"
: "${OSP_CT_STATE:?set OSP_CT_STATE to a ctr.sh state directory}"

if [ "${OSP_NS_INSIDE:-}" != 1 ]; then
	export OSP_NS_INSIDE=1
	exec unshare -m --propagation private "$0" "$@"
fi

for top in /var/lib /run; do
	mount -t tmpfs -o mode=755 osp-ns "$top"
done
bind() {
	mkdir -p "$2"
	mount --bind "$OSP_CT_STATE/$1" "$2"
}
bind docker /var/lib/docker
bind containerd-root /var/lib/containerd
bind storage /var/lib/containers/storage
bind containerd-state /run/containerd
unset OSP_NS_INSIDE
exec "$OSP_NS_BIN" "$@"
