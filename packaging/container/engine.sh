#!/bin/bash
# A private Docker engine (Debian's docker.io) for building the image and for the packaging tests,
# so that neither needs nor touches a Docker daemon of the machine:
#
#   engine.sh start DIR [DOCKERD_ARG]...
#                           start dockerd with all its state in DIR (new or empty), with the
#                           extra arguments given (e.g. --add-runtime NAME=PATH); prints
#                           DOCKER_HOST=unix://DIR/docker.sock once the daemon answers
#   engine.sh stop DIR      remove every container, stop the daemon, remove DIR
#
# The daemon runs in a private mount namespace (unshare -m) in which
#   - DIR/data is bind-mounted at /var/lib/docker and used as the data root. Inside that namespace
#     the daemon's containers look exactly as on a node: an agent container given the host's "/"
#     at /host finds them at /host/var/lib/docker, where `osprey run --host-root /host` looks by
#     default. The machine's own /var/lib/docker is neither read nor written: when it exists it is
#     only covered, inside the namespace; when it does not, a tmpfs on /var/lib (inside the
#     namespace only) holds the mount point.
#   - "/" is made a shared mount (inside the namespace only), as systemd makes it on a node, so
#     that bind mounts with rslave propagation (Kubernetes' HostToContainer) can be made.
#   - tracefs is mounted at /sys/kernel/tracing when the machine has not mounted it, as systemd
#     does at boot on a node (sys-kernel-tracing.mount).
# Containers get no network (--bridge=none, no iptables); cgroups use docker's cgroupfs driver.
set -euo pipefail

die() {
	echo "engine.sh: $*" >&2
	exit 1
}

# Debian's client; a newer `docker` earlier in PATH may not speak this daemon's API version.
docker_cli() {
	if [ -x /usr/bin/docker ]; then echo /usr/bin/docker; else command -v docker; fi
}

# inside the new mount namespace: arrange the mounts, then become dockerd
inside() {
	local dir=$1
	shift
	mount --make-rshared /
	if [ ! -d /var/lib/docker ]; then
		mount -t tmpfs -o mode=755 osprey-engine /var/lib
		mkdir /var/lib/docker
	fi
	mount --bind "$dir/data" /var/lib/docker
	if ! grep -q '^[^ ]* /sys/kernel/tracing tracefs ' /proc/self/mounts; then
		mount -t tracefs nodev /sys/kernel/tracing
	fi
	exec dockerd --data-root /var/lib/docker --exec-root "$dir/exec" \
		--pidfile "$dir/dockerd.pid" -H "unix://$dir/docker.sock" \
		--iptables=false --ip-forward=false --bridge=none --oom-score-adjust=0 "$@"
}

start() {
	local dir=$1 d i
	shift
	[ "$(id -u)" = 0 ] || die "needs root"
	command -v dockerd >/dev/null || die "dockerd not found (Debian package docker.io)"
	mkdir -p "$dir/data" "$dir/exec"
	d=$(docker_cli)
	# a unix socket path is limited to 108 bytes
	[ ${#dir} -lt 80 ] || die "$dir: path too long for the daemon's socket"
	OSPREY_ENGINE_INSIDE=1 unshare -m --propagation private "$0" inside "$dir" "$@" \
		>"$dir/dockerd.log" 2>&1 </dev/null &
	echo $! >"$dir/engine.pid"
	for i in $(seq 120); do
		DOCKER_HOST=unix://$dir/docker.sock "$d" version >/dev/null 2>&1 && break
		kill -0 "$(cat "$dir/engine.pid")" 2>/dev/null ||
			die "dockerd exited: $(tail -5 "$dir/dockerd.log")"
		sleep 0.25
	done
	DOCKER_HOST=unix://$dir/docker.sock "$d" version >/dev/null 2>&1 ||
		die "dockerd did not answer within 30 s: $(tail -5 "$dir/dockerd.log")"
	echo "DOCKER_HOST=unix://$dir/docker.sock"
}

stop() {
	local dir=$1 d pid ids i
	[ -f "$dir/engine.pid" ] || die "$dir was not made by engine.sh start"
	d=$(docker_cli)
	pid=$(cat "$dir/engine.pid")
	if kill -0 "$pid" 2>/dev/null; then
		ids=$(DOCKER_HOST=unix://$dir/docker.sock "$d" ps -aq 2>/dev/null || true)
		# shellcheck disable=SC2086
		[ -z "$ids" ] || DOCKER_HOST=unix://$dir/docker.sock "$d" rm -f $ids >/dev/null 2>&1 || true
		kill "$pid" 2>/dev/null || true
		for i in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	fi
	# the cgroup docker's cgroupfs driver made for its containers, when it is empty now
	for i in /sys/fs/cgroup/*/docker /sys/fs/cgroup/docker; do
		[ -d "$i" ] && rmdir "$i" 2>/dev/null || true
	done
	rm -rf "$dir"
}

case ${1:-} in
inside)
	[ "${OSPREY_ENGINE_INSIDE:-}" = 1 ] || die "'inside' is internal"
	unset OSPREY_ENGINE_INSIDE
	shift
	inside "$@"
	;;
start)
	dir=$(realpath -m "${2:?usage: engine.sh start DIR [DOCKERD_ARG]...}")
	shift 2
	start "$dir" "$@"
	;;
stop) stop "$(realpath -m "${2:?usage: engine.sh stop DIR}")" ;;
*) die "usage: engine.sh start DIR [DOCKERD_ARG]... | stop DIR" ;;
esac
