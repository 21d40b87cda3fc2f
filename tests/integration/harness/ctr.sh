#!/bin/bash
# Starts real containers for Osprey's integration tests, each in a private work directory, and
# prints what it made as machine-readable key=value lines on stdout (one per line, no quoting; the
# value runs to the end of the line). Progress and errors go to stderr.
#
#   ctr.sh start-runc-docker           runc container, docker cgroupfs naming /docker/<id>,
#                                      docker state (config.v2.json, hostconfig.json) on disk
#   ctr.sh start-runc-docker-systemd   the same with systemd naming /system.slice/docker-<id>.scope
#   ctr.sh start-runc-crio             runc container in a CRI-O style pod (systemd naming), with
#                                      CRI-O's userdata/config.json for it and its sandbox
#   ctr.sh start-podman                podman (cgroupfs: /libpod_parent/libpod-<id>), private storage
#   ctr.sh start-docker                real dockerd (Debian docker.io), private roots, plain container
#   ctr.sh start-docker-k8s            the same daemon setup, a cri-dockerd style container in a pod
#   ctr.sh start-ctr                   containerd, plain `ctr run` container (/<namespace>/<id>)
#   ctr.sh start-cri                   containerd with its CRI plugin driven over gRPC (cri/cri.js):
#                                      a pod sandbox and one container, kubelet-style cgroupfs parent
#   ctr.sh exec DIR CMD [ARG]...       runs CMD inside DIR's container
#   ctr.sh stop DIR                    stops everything DIR's start made, removes cgroups and DIR
#   ctr.sh check KIND                  exit 0 when KIND's tools are installed, else print why, exit 1
#   ctr.sh state-new                   make a shared state directory S (prints state=S) for
#                                      OSP_CT_STATE, see below
#   ctr.sh state-stop S                stop the daemons S holds, unmount and remove S
#   ctr.sh gc                          stop and remove what runs of ctr.sh left behind whose owner
#                                      (OSP_CT_OWNER, see below) is gone: an interrupted test run
#
# OSP_CT_OWNER=PID (optional): the long-lived process that owns what start-* and state-new make (the
# test runner). gc removes a directory only when its owner has exited; without an owner, never.
#
# Shared state (OSP_CT_STATE=S, S made by state-new): every kind keeps its runtime state where an
# agent configured with S's layout finds it, so that ONE agent sees every container a test starts:
#   S/docker             docker data root (real dockerd's, and the runc-docker fixtures' state)
#   S/containerd-state   containerd state (--state), S/containerd-root containerd root (--root)
#   S/storage            containers/storage graph root (podman --root, the CRI-O fixture's state)
# dockerd and containerd are then started once per S and shared by the kinds that need them (docker
# and docker-k8s; ctr and cri); `stop DIR` leaves them running, `state-stop S` ends them.
# osprey-ns.sh runs the agent with S's directories at the runtimes' default paths.
#
# Keys printed by every start: dir kind runtime pid id name image, and where the runtime's state is
# (relative to the host's /): docker_data_root containerd_state containerd_root containers_storage
# containers_runroot, as they apply; pod_name pod_namespace pod_uid sandbox_id for pods;
# label.<k>=<v> for container labels and pod_label.<k>=<v> for pod labels; privileged=0|1.
#
# OSP_CT_BIND=1 (optional; kinds runc-docker, runc-docker-systemd, runc-crio, podman, docker): the
# container also gets a read-write bind mount of a new host directory DIR/bind at /data, printed as
# mount.source=<host dir> mount.dest=/data mount.rdwr=true. Without it nothing changes.
#
# Needs root, and: runc busybox-static (all kinds); podman conmon (podman); docker.io (docker);
# containerd + nodejs with npm packages @grpc/grpc-js and @grpc/proto-loader (cri; installed into
# cri/node_modules from cri/package-lock.json with `npm ci` when missing).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

die() {
	echo "ctr.sh: $*" >&2
	exit 1
}
log() { echo "ctr.sh: $*" >&2; }
newid() { head -c32 /dev/urandom | sha256sum | cut -c1-64; }
out() { echo "$1=$2" | tee -a "$W/info" ; }

# Cleanup steps are appended to $W/cleanup as they become needed and run in reverse order by stop;
# then the cgroups named in $W/cgroups (and their emptied parents) are removed.
on_stop() { echo "$*" >>"$W/cleanup"; }
on_cgroup() { echo "$1" >>"$W/cgroups"; }

tools_for() {
	case $1 in
	runc-*) echo "runc busybox" ;;
	podman) echo "podman conmon runc busybox" ;;
	docker | docker-k8s) echo "dockerd containerd runc busybox" ;;
	ctr) echo "containerd ctr runc busybox" ;;
	cri) echo "containerd ctr runc busybox node" ;;
	*) die "unknown kind $1" ;;
	esac
}

check() {
	local missing="" t
	for t in $(tools_for "$1"); do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	# a dynamically linked busybox cannot run inside the container's empty rootfs
	if [ -z "$missing" ] && ldd "$(command -v busybox)" >/dev/null 2>&1; then
		missing="$missing busybox-static"
	fi
	if [ -n "$missing" ]; then
		echo "missing:$missing"
		return 1
	fi
	[ "$(id -u)" = 0 ] || {
		echo "not root"
		return 1
	}
	return 0
}

# Docker's own client from docker.io talks to its daemon's API version; another `docker` earlier in
# PATH may be newer than the daemon.
docker_cli() {
	if [ -x /usr/bin/docker ]; then echo /usr/bin/docker; else command -v docker; fi
}

# mkrootfs TAR: a busybox rootfs (static busybox and its applet links, passwd, group)
mkrootfs() {
	local r
	r=$(mktemp -d "$W/rootfs.XXXX")
	chmod 755 "$r" # mktemp's 0700 would become the container's "/": no user but root could run
	mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/etc" "$r/tmp" "$r/root"
	chmod 1777 "$r/tmp"
	cp "$(command -v busybox)" "$r/bin/busybox"
	for a in $("$r/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
	done
	# ospuser: a user the host does not have (user.name must come from the container's files)
	printf 'root:x:0:0:root:/root:/bin/sh\nospuser:x:4242:4242::/tmp:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\nospgroup:x:4242:\n' >"$r/etc/group"
	tar -C "$r" -cf "$1" .
	rm -rf "$r"
}

# mkimage ROOTFS_TAR REF OUT_TAR [CMD...]: a docker-archive image (docker, podman, ctr load it)
mkimage() {
	local rootfs=$1 ref=$2 outtar=$3 d lsha csha cmd
	shift 3
	[ $# -gt 0 ] || set -- /bin/sh
	d=$(mktemp -d "$W/image.XXXX")
	lsha=$(sha256sum "$rootfs" | cut -d' ' -f1)
	mkdir "$d/$lsha"
	cp "$rootfs" "$d/$lsha/layer.tar"
	cmd=$(printf '"%s",' "$@")
	cmd="[${cmd%,}]"
	cat >"$d/config.json" <<J
{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
 "config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":$cmd,"Labels":{"org.example.from-image":"osprey"}},
 "rootfs":{"type":"layers","diff_ids":["sha256:$lsha"]},
 "history":[{"created":"2024-01-01T00:00:00Z","created_by":"ctr.sh"}]}
J
	csha=$(sha256sum "$d/config.json" | cut -d' ' -f1)
	mv "$d/config.json" "$d/$csha.json"
	printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
		"$csha" "$ref" "$lsha" >"$d/manifest.json"
	tar -C "$d" -cf "$outtar" manifest.json "$csha.json" "$lsha"
	rm -rf "$d"
}

# rmcgroup PATH: removes PATH (and its now-empty parents up to the hierarchy root) from every
# hierarchy, deepest first; waits up to 2 s for the last processes to leave; never fails.
rmcgroup() {
	local h p i
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		p=${1%/}
		while [ -n "$p" ] && [ "$p" != / ]; do
			if [ -d "$h$p" ]; then
				for i in $(seq 20); do
					rmdir "$h$p" 2>/dev/null && break
					# no process left in it: it has child cgroups, keep it
					[ -n "$(cat "$h$p/cgroup.procs" 2>/dev/null)" ] || break
					sleep 0.1
				done
				[ -d "$h$p" ] && break
			fi
			p=$(dirname "$p")
		done
	done
	return 0
}

# ---- runc fixtures ----

RUNC() { runc --root "$W/runc-root" "$@"; }

# mkbundle DIR CGROUPS_PATH ANNOTATIONS_JSON: DIR/config.json (OCI, written whole) + DIR/rootfs
mkbundle() {
	mkdir -p "$1/rootfs"
	[ -f "$W/rootfs.tar" ] || mkrootfs "$W/rootfs.tar"
	tar -C "$1/rootfs" -xf "$W/rootfs.tar"
	local bind=""
	[ -z "$BIND_SRC" ] || bind=",
  {\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"$BIND_SRC\",\"options\":[\"rbind\",\"rprivate\"]}"
	local caps='"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_NET_BIND_SERVICE"'
	cat >"$1/config.json" <<J
{"ociVersion":"1.0.2",
 "process":{"terminal":false,"user":{"uid":0,"gid":0},"args":["sleep","3600"],
  "env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"cwd":"/",
  "capabilities":{"bounding":[$caps],"effective":[$caps],"permitted":[$caps]},
  "noNewPrivileges":true},
 "root":{"path":"rootfs","readonly":false},"hostname":"osp",
 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
  {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
  {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]}$bind],
 "annotations":$3,
 "linux":{"cgroupsPath":"$2",
  "namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}],
  "maskedPaths":["/proc/kcore"],"readonlyPaths":["/proc/sys"]}}
J
}

# runc_start BUNDLE ID CGROUP: starts it, prints its pid; records the cleanup
runc_start() {
	on_cgroup "$3"
	on_stop "runc --root '$W/runc-root' delete -f '$2' >/dev/null 2>&1"
	RUNC run -d --bundle "$1" "$2" </dev/null >"$W/runc-$2.log" 2>&1 ||
		die "runc run failed: $(cat "$W/runc-$2.log")"
	RUNC state "$2" | sed -n 's/^ *"pid": *\([0-9]*\).*/\1/p'
}

start_runc_docker() { # $1: cgroupfs | systemd
	local id pid cg droot=${OSP_CT_STATE:+$OSP_CT_STATE/docker}
	droot=${droot:-$W/docker}
	id=$(newid)
	if [ "$1" = systemd ]; then cg=/system.slice/docker-$id.scope; else cg=/docker/$id; fi
	mkbundle "$W/bundles/$id" "$cg" '{}'
	# docker keeps -v binds in MountPoints, keyed by destination (the mode string as "Relabel")
	local mp=""
	[ -z "$BIND_SRC" ] || mp="\"/data\":{\"Source\":\"$BIND_SRC\",\"Destination\":\"/data\",\"RW\":true,\"Name\":\"\",\"Driver\":\"\",\"Type\":\"bind\",\"Relabel\":\"\",\"Propagation\":\"rprivate\",\"Spec\":{\"Type\":\"bind\",\"Source\":\"$BIND_SRC\",\"Target\":\"/data\"}}"
	# the state first: the agent reads it when it first sees the container's cgroup
	mkdir -p "$droot/containers/$id"
	on_stop "rm -rf '$droot/containers/$id'"
	cat >"$droot/containers/$id/config.v2.json" <<J
{"ID":"$id","Name":"/web","Image":"sha256:1111111111111111111111111111111111111111111111111111111111111111",
 "Config":{"Hostname":"${id:0:12}","Image":"localhost:5000/team/nginx:1.25","Labels":{"app":"web","tier":"front"}},
 "MountPoints":{$mp},
 "State":{"Running":true}}
J
	echo '{"Privileged":false,"NetworkMode":"none"}' >"$droot/containers/$id/hostconfig.json"
	pid=$(runc_start "$W/bundles/$id" "$id" "$cg")
	out runtime docker
	out pid "$pid"
	out id "$id"
	out name web
	out image localhost:5000/team/nginx:1.25
	out privileged 0
	out label.app web
	out label.tier front
	out docker_data_root "$droot"
	echo "RUNC exec '$id'" >"$W/exec"
}

start_runc_crio() {
	local c sb u u_ cg pid ann sbann lab podlab st=${OSP_CT_STATE:+$OSP_CT_STATE/storage}
	st=${st:-$W/crio}
	c=$(newid)
	sb=$(newid)
	u=$(cat /proc/sys/kernel/random/uuid)
	u_=${u//-/_}
	cg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$u_.slice/crio-$c.scope
	# CRI-O's annotations hold JSON objects as strings: escape the inner quotes
	lab="{\\\"io.kubernetes.container.name\\\":\\\"app\\\",\\\"io.kubernetes.pod.name\\\":\\\"web-0\\\",\\\"io.kubernetes.pod.namespace\\\":\\\"prod\\\",\\\"io.kubernetes.pod.uid\\\":\\\"$u\\\"}"
	podlab="{\\\"app\\\":\\\"web\\\",\\\"team\\\":\\\"sec\\\",\\\"io.kubernetes.pod.name\\\":\\\"web-0\\\",\\\"io.kubernetes.pod.namespace\\\":\\\"prod\\\",\\\"io.kubernetes.pod.uid\\\":\\\"$u\\\"}"
	ann="{\"io.kubernetes.cri-o.ContainerType\":\"container\",\"io.kubernetes.cri-o.ContainerID\":\"$c\",
 \"io.kubernetes.cri-o.SandboxID\":\"$sb\",\"io.kubernetes.cri-o.SandboxName\":\"k8s_web-0_prod_${u}_0\",
 \"io.kubernetes.cri-o.Name\":\"k8s_app_web-0_prod_${u}_0\",
 \"io.kubernetes.cri-o.Image\":\"docker.io/library/nginx:1.25\",\"io.kubernetes.cri-o.ImageName\":\"docker.io/library/nginx:1.25\",
 \"io.kubernetes.cri-o.Metadata\":\"{\\\"name\\\":\\\"app\\\",\\\"attempt\\\":0}\",
 \"io.kubernetes.cri-o.Labels\":\"$lab\",
 \"io.kubernetes.container.name\":\"app\",\"io.kubernetes.pod.name\":\"web-0\",
 \"io.kubernetes.pod.namespace\":\"prod\",\"io.kubernetes.pod.uid\":\"$u\"}"
	on_stop "rm -rf '$st/overlay-containers/$c' '$st/overlay-containers/$sb'"
	mkbundle "$st/overlay-containers/$c/userdata" "$cg" "$ann"
	# the sandbox (infra) container only as state: CRI-O keeps the pod's labels in its annotations
	mkdir -p "$st/overlay-containers/$sb/userdata"
	sbann="{\"io.kubernetes.cri-o.ContainerType\":\"sandbox\",\"io.kubernetes.cri-o.SandboxID\":\"$sb\",
 \"io.kubernetes.cri-o.ContainerID\":\"$sb\",\"io.kubernetes.cri-o.KubeName\":\"web-0\",
 \"io.kubernetes.cri-o.Namespace\":\"prod\",\"io.kubernetes.cri-o.Name\":\"k8s_POD_web-0_prod_${u}_0\",
 \"io.kubernetes.cri-o.Labels\":\"$podlab\"}"
	echo "{\"ociVersion\":\"1.0.2\",\"annotations\":$sbann}" >"$st/overlay-containers/$sb/userdata/config.json"
	pid=$(runc_start "$st/overlay-containers/$c/userdata" "$c" "$cg")
	out runtime cri-o
	out pid "$pid"
	out id "$c"
	out name app
	out image docker.io/library/nginx:1.25
	out privileged 0
	out pod_name web-0
	out pod_namespace prod
	out pod_uid "$u"
	out sandbox_id "$sb"
	out pod_label.app web
	out pod_label.team sec
	out containers_storage "$st"
	out containers_runroot "$W/crio-run"
	echo "RUNC exec '$c'" >"$W/exec"
}

# ---- podman ----

start_podman() {
	local P id pid st=${OSP_CT_STATE:+$OSP_CT_STATE/storage}
	st=${st:-$W/storage}
	export CONTAINERS_CONF=$HERE/containers.conf
	P="podman --root $st --runroot $W/run --tmpdir $W/tmp --cgroup-manager=cgroupfs --events-backend=file"
	mkdir -p "$W/tmp"
	echo "export CONTAINERS_CONF='$CONTAINERS_CONF'; P='$P'" >"$W/env"
	mkrootfs "$W/rootfs.tar"
	on_stop "$P rmi -f localhost/osp-busybox:test >/dev/null 2>&1"
	$P import --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["/bin/sh"]' \
		"$W/rootfs.tar" localhost/osp-busybox:test >/dev/null 2>"$W/podman.log" ||
		die "podman import failed: $(cat "$W/podman.log")"
	on_cgroup /libpod_parent/conmon
	on_stop "$P rm -f -t 0 osp-p1 >/dev/null 2>&1"
	$P run -d --name osp-p1 --network none --label app=web --label team=sec \
		${BIND_SRC:+-v "$BIND_SRC:/data"} \
		localhost/osp-busybox:test sleep 3600 >/dev/null 2>>"$W/podman.log" ||
		die "podman run failed: $(cat "$W/podman.log")"
	id=$($P inspect -f '{{.Id}}' osp-p1)
	pid=$($P inspect -f '{{.State.Pid}}' osp-p1)
	on_cgroup "/libpod_parent/libpod-$id"
	out runtime podman
	out pid "$pid"
	out id "$id"
	out name osp-p1
	out image localhost/osp-busybox:test
	out privileged 0
	out label.app web
	out label.team sec
	out containers_storage "$st"
	out containers_runroot "$W/run"
	echo "$P exec osp-p1" >"$W/exec"
}

# ---- docker ----

# alive PIDFILE: the daemon whose pid PIDFILE holds is running
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# A daemon's home: W (its own, stopped by `stop W`) or, with OSP_CT_STATE, S (shared, kept running
# for the next kind until `state-stop S`). Sets H, and SHARED=1 when the daemon is S's.
daemon_home() {
	if [ -n "${OSP_CT_STATE:-}" ]; then H=$OSP_CT_STATE SHARED=1; else H=$W SHARED=0; fi
}

# stop_cmd PIDFILE: a shell step that ends the daemon and waits up to 10 s for it
stop_cmd() {
	echo "kill \$(cat '$1') 2>/dev/null; for i in \$(seq 50); do kill -0 \$(cat '$1') 2>/dev/null || break; sleep 0.2; done"
}

start_dockerd() {
	local D i H SHARED
	D=$(docker_cli)
	daemon_home
	if [ "$SHARED" = 1 ]; then DATA_ROOT=$H/docker; else DATA_ROOT=$H/data; fi
	export DOCKER_HOST=unix://$H/docker.sock
	echo "export DOCKER_HOST='$DOCKER_HOST'" >"$W/env"
	if [ "$SHARED" = 1 ] && alive "$H/dockerd.pid.bg"; then
		log "reusing dockerd of $H"
	else
		dockerd --data-root "$DATA_ROOT" \
			--exec-root "$H/exec-root" --pidfile "$H/dockerd.pid" \
			-H "$DOCKER_HOST" --iptables=false --ip-forward=false --bridge=none \
			--oom-score-adjust=0 >"$H/dockerd.log" 2>&1 &
		echo "$!" >"$H/dockerd.pid.bg"
		if [ "$SHARED" = 1 ]; then stop_cmd "$H/dockerd.pid.bg" >>"$H/daemons"; else on_stop "$(stop_cmd "$W/dockerd.pid.bg")"; fi
	fi
	for i in $(seq 120); do
		$D version >/dev/null 2>&1 && break
		alive "$H/dockerd.pid.bg" || die "dockerd died: $(tail -5 "$H/dockerd.log")"
		sleep 0.25
	done
	$D version >/dev/null 2>&1 || die "dockerd did not start: $(tail -5 "$H/dockerd.log")"
	mkrootfs "$W/rootfs.tar"
	mkimage "$W/rootfs.tar" localhost/osp-busybox:test "$W/img.tar"
	$D load -i "$W/img.tar" >/dev/null
}

# docker_run NAME CGROUP_PARENT|"" ARGS...: runs a container, prints nothing; sets ID and PID
docker_run() {
	local D name=$1 parent=$2
	D=$(docker_cli)
	shift 2
	on_stop "$D rm -f '$name' >/dev/null 2>&1"
	$D run -d --name "$name" --network none ${parent:+--cgroup-parent "$parent"} \
		${BIND_SRC:+-v "$BIND_SRC:/data"} "$@" \
		localhost/osp-busybox:test sleep 3600 >/dev/null 2>"$W/run.log" ||
		die "docker run failed: $(cat "$W/run.log")"
	ID=$($D inspect -f '{{.Id}}' "$name")
	PID=$($D inspect -f '{{.State.Pid}}' "$name")
	echo "$D exec '$name'" >"$W/exec"
}

start_docker() {
	start_dockerd
	docker_run osp-d1 "" --label app=web --label team=sec
	on_cgroup "/docker/$ID"
	out runtime docker
	out pid "$PID"
	out id "$ID"
	out name osp-d1
	out image localhost/osp-busybox:test
	out privileged 0
	out label.app web
	out label.team sec
	out docker_data_root "$DATA_ROOT"
}

start_docker_k8s() {
	local u
	u=$(cat /proc/sys/kernel/random/uuid)
	start_dockerd
	docker_run "k8s_app_web-0_prod_${u}_0" "/kubepods/besteffort/pod$u" \
		--label io.kubernetes.pod.name=web-0 --label io.kubernetes.pod.namespace=prod \
		--label io.kubernetes.pod.uid="$u" --label io.kubernetes.container.name=app \
		--label io.kubernetes.docker.type=container --label app=web
	on_cgroup "/kubepods/besteffort/pod$u/$ID"
	out runtime docker
	out pid "$PID"
	out id "$ID"
	out name app
	out image localhost/osp-busybox:test
	out privileged 0
	out pod_name web-0
	out pod_namespace prod
	out pod_uid "$u"
	out label.app web
	out docker_data_root "$DATA_ROOT"
}

# ---- containerd ----

start_containerd() {
	local i H SHARED
	daemon_home
	SOCK=$H/containerd.sock
	echo "SOCK='$SOCK'" >"$W/env"
	if [ "$SHARED" = 1 ]; then CT_STATE=$H/containerd-state CT_ROOT=$H/containerd-root; else CT_STATE=$W/state CT_ROOT=$W/root; fi
	mkrootfs "$W/rootfs.tar"
	mkimage "$W/rootfs.tar" localhost/osp-busybox:test "$W/busybox.tar"
	mkimage "$W/rootfs.tar" localhost/osp-pause:test "$W/pause.tar" /bin/sleep 2147483647
	if [ "$SHARED" = 1 ] && alive "$H/containerd.pid"; then
		log "reusing containerd of $H"
		return 0
	fi
	mkdir -p "$H/cni"
	cat >"$H/config.toml" <<TOML
version = 2
root = "$CT_ROOT"
state = "$CT_STATE"
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "localhost/osp-pause:test"
    restrict_oom_score_adj = true
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$H/cni"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.internal.v1.opt"]
    path = "$H/opt"
TOML
	# restrict_oom_score_adj: the sandbox's oom_score_adj would need CAP_SYS_RESOURCE on some hosts;
	# an empty CNI conf_dir: only host-network pods, no network set-up at all.
	containerd --config "$H/config.toml" >"$H/containerd.log" 2>&1 &
	echo "$!" >"$H/containerd.pid"
	if [ "$SHARED" = 1 ]; then stop_cmd "$H/containerd.pid" >>"$H/daemons"; else on_stop "$(stop_cmd "$W/containerd.pid")"; fi
	for i in $(seq 100); do
		[ -S "$SOCK" ] && break
		sleep 0.1
	done
	[ -S "$SOCK" ] || die "containerd did not start: $(tail -5 "$H/containerd.log")"
}

start_ctr() {
	local id pid
	start_containerd
	id=$(newid)
	ctr -a "$SOCK" -n default image import "$W/busybox.tar" >/dev/null
	on_stop "ctr -a '$SOCK' -n default task kill -s KILL '$id' >/dev/null 2>&1; sleep 0.3; ctr -a '$SOCK' -n default task rm -f '$id' >/dev/null 2>&1; ctr -a '$SOCK' -n default c rm '$id' >/dev/null 2>&1"
	on_cgroup "/default/$id"
	ctr -a "$SOCK" -n default run -d --label app=web localhost/osp-busybox:test "$id" sleep 3600 >/dev/null
	pid=$(cat "$CT_STATE/io.containerd.runtime.v2.task/default/$id/init.pid")
	out runtime containerd
	out pid "$pid"
	out id "$id"
	out name "$id"
	out image localhost/osp-busybox:test
	out privileged 0
	out label.app web
	out containerd_state "$CT_STATE"
	out containerd_root "$CT_ROOT"
	echo "ctr -a '$SOCK' -n default task exec --exec-id osp-\$\$ '$id'" >"$W/exec"
}

cri_client() {
	local nm=$HERE/cri/node_modules
	if [ ! -d "$nm/@grpc/grpc-js" ] || [ ! -d "$nm/@grpc/proto-loader" ]; then
		command -v npm >/dev/null 2>&1 || die "npm missing: cannot install the CRI client's packages"
		log "installing @grpc/grpc-js and @grpc/proto-loader into $nm"
		(cd "$HERE/cri" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
			die "npm ci failed in $HERE/cri"
	fi
	echo "node $HERE/cri/cri.js $SOCK"
}

start_cri() {
	local CRI u logd sb ct pid
	start_containerd
	CRI=$(cri_client)
	for i in busybox pause; do ctr -a "$SOCK" -n k8s.io image import "$W/$i.tar" >/dev/null; done
	u=$(cat /proc/sys/kernel/random/uuid)
	logd=$W/pods/prod_web-0_$u
	mkdir -p "$logd/app"
	cat >"$W/pod.json" <<J
{"metadata":{"name":"web-0","namespace":"prod","uid":"$u","attempt":0},
 "log_directory":"$logd",
 "labels":{"app":"web","team":"sec","io.kubernetes.pod.name":"web-0","io.kubernetes.pod.namespace":"prod","io.kubernetes.pod.uid":"$u"},
 "annotations":{"kubernetes.io/config.source":"api"},
 "linux":{"cgroup_parent":"/kubepods/besteffort/pod$u",
          "security_context":{"namespace_options":{"network":"NODE","pid":"CONTAINER","ipc":"POD"}}}}
J
	cat >"$W/ctr.json" <<J
{"metadata":{"name":"app","attempt":0},"image":{"image":"localhost/osp-busybox:test"},
 "command":["sleep","3600"],"log_path":"app/0.log",
 "labels":{"io.kubernetes.container.name":"app","io.kubernetes.pod.name":"web-0","io.kubernetes.pod.namespace":"prod","io.kubernetes.pod.uid":"$u"},
 "annotations":{"io.kubernetes.container.restartCount":"0"},
 "linux":{"security_context":{"namespace_options":{"network":"NODE","pid":"CONTAINER","ipc":"POD"}}}}
J
	sb=$($CRI runpod "$W/pod.json") || die "RunPodSandbox failed"
	on_cgroup "/kubepods/besteffort/pod$u/$sb"
	on_stop "$CRI rmp '$sb' >/dev/null 2>&1"
	ct=$($CRI create "$sb" "$W/ctr.json" "$W/pod.json") || die "CreateContainer failed"
	on_cgroup "/kubepods/besteffort/pod$u/$ct"
	$CRI start "$ct" || die "StartContainer failed"
	pid=$(cat "$CT_STATE/io.containerd.runtime.v2.task/k8s.io/$ct/init.pid")
	out runtime containerd
	out pid "$pid"
	out id "$ct"
	out name app
	out image localhost/osp-busybox:test
	out privileged 0
	out pod_name web-0
	out pod_namespace prod
	out pod_uid "$u"
	out sandbox_id "$sb"
	out sandbox_pid "$(cat "$CT_STATE/io.containerd.runtime.v2.task/k8s.io/$sb/init.pid")"
	out pod_label.app web
	out pod_label.team sec
	out containerd_state "$CT_STATE"
	out containerd_root "$CT_ROOT"
	echo "ctr -a '$SOCK' -n k8s.io task exec --exec-id osp-\$\$ '$ct'" >"$W/exec"
}

# ---- stop / exec ----

stop() {
	W=$1
	[ -d "$W" ] && [ -f "$W/kind" ] || die "$W is not a ctr.sh directory"
	[ -f "$W/env" ] && . "$W/env"
	if [ -f "$W/cleanup" ]; then
		tac "$W/cleanup" >"$W/cleanup.rev"
		while IFS= read -r step; do
			eval "$step" || true
		done <"$W/cleanup.rev"
	fi
	if [ -f "$W/cgroups" ]; then
		while IFS= read -r cg; do rmcgroup "$cg"; done <"$W/cgroups"
	fi
	# anything left mounted below W (rootfs of a container whose runtime died)
	{ grep -o " $W/[^ ]*" /proc/self/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
	rm -rf "$W"
}

# owner_id PID: "PID:STARTTIME" (the start time tells a reused pid apart), or nothing
owner_id() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20) || return 0
	[ -n "$st" ] && echo "$1:$st"
	return 0
}

# record_owner DIR: DIR belongs to OSP_CT_OWNER, if set
record_owner() {
	[ -n "${OSP_CT_OWNER:-}" ] || return 0
	owner_id "$OSP_CT_OWNER" >"$1/owner"
}

# owner_gone DIR: DIR has an owner, and it has exited
owner_gone() {
	local o
	[ -s "$1/owner" ] || return 1
	o=$(cat "$1/owner")
	[ "$(owner_id "${o%%:*}")" != "$o" ]
}

gc() {
	local d tmp=${TMPDIR:-/tmp}
	for d in "$tmp"/osp-ctr.*; do
		[ -f "$d/kind" ] && owner_gone "$d" || continue
		log "gc: removing $d, left by an interrupted run"
		(stop "$d") >/dev/null 2>&1 || true
	done
	for d in "$tmp"/osp-state.*; do
		[ -f "$d/daemons" ] && owner_gone "$d" || continue
		log "gc: stopping the daemons of $d, left by an interrupted run"
		(state_stop "$d") >/dev/null 2>&1 || true
	done
}

state_new() {
	local S
	S=$(mktemp -d -t osp-state.XXXXXX)
	mkdir -p "$S/docker" "$S/containerd-state" "$S/containerd-root" "$S/storage"
	: >"$S/daemons"
	record_owner "$S"
	echo "state=$S"
}

state_stop() {
	local S=$1
	[ -d "$S" ] && [ -f "$S/daemons" ] || die "$S is not a ctr.sh state directory"
	tac "$S/daemons" | while IFS= read -r step; do eval "$step" || true; done
	{ grep -o " $S/[^ ]*" /proc/self/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
	rm -rf "$S"
}

exec_in() {
	W=$1
	shift
	[ -f "$W/exec" ] || die "$W has no container to exec into"
	[ -f "$W/env" ] && . "$W/env"
	eval "$(cat "$W/exec") \"\$@\""
}

cmd=${1:-}
[ -n "$cmd" ] || die "usage: ctr.sh start-KIND | exec DIR CMD... | stop DIR | check KIND"
shift
case $cmd in
check)
	check "${1:?kind}"
	exit $?
	;;
stop)
	stop "${1:?dir}"
	exit 0
	;;
state-new)
	state_new
	exit 0
	;;
state-stop)
	state_stop "${1:?state dir}"
	exit 0
	;;
gc)
	gc
	exit 0
	;;
exec)
	exec_in "$@"
	exit $?
	;;
start-*)
	kind=${cmd#start-}
	why=$(check "$kind") || die "cannot start $kind: $why"
	W=$(mktemp -d -t osp-ctr.XXXXXX)
	echo "$kind" >"$W/kind"
	record_owner "$W"
	: >"$W/info"
	out dir "$W"
	out kind "$kind"
	# a failed start leaves nothing behind
	# shellcheck disable=SC2154 # rc is set inside the trap
	trap 'rc=$?; if [ $rc -ne 0 ]; then log "start-$kind failed; cleaning up"; ( stop "$W" ) >/dev/null 2>&1 || true; fi' EXIT
	BIND_SRC=
	if [ "${OSP_CT_BIND:-0}" = 1 ]; then
		case $kind in
		runc-docker | runc-docker-systemd | runc-crio | podman | docker) ;;
		*) die "OSP_CT_BIND is not supported for $kind" ;;
		esac
		BIND_SRC=$W/bind
		mkdir -p "$BIND_SRC"
		out mount.source "$BIND_SRC"
		out mount.dest /data
		out mount.rdwr true
	fi
	case $kind in
	runc-docker) start_runc_docker cgroupfs ;;
	runc-docker-systemd) start_runc_docker systemd ;;
	runc-crio) start_runc_crio ;;
	podman) start_podman ;;
	docker) start_docker ;;
	docker-k8s) start_docker_k8s ;;
	ctr) start_ctr ;;
	cri) start_cri ;;
	*) die "unknown kind $kind" ;;
	esac
	;;
*) die "unknown command $cmd" ;;
esac
