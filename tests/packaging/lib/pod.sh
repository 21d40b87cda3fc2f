# Runs the DaemonSet's pod, as kubectl renders it, under a private Docker engine (sourced by
# test_daemonset.sh and measure.sh; needs common.sh first).
#
#   pod_engine_start             engine (packaging/container/engine.sh) with the osprey-k8s runtime
#                                (lib/runc-caps), the image of make image loaded, a busybox image
#                                for workload pods; sets E, DOCKER_HOST
#   pod_render [KUSTOMIZATION [FILE]]
#                                kubectl kustomize packaging/kubernetes (or the one given) > FILE
#                                ($W/rendered.yaml), which pod_start maps (RENDERED=FILE for another)
#   pod_start NAME [PODSPEC_ARG]...
#                                maps the rendered DaemonSet (lib/podspec.py; extra arguments such as
#                                --drop-cap go to it), makes the runtime's default seccomp profile
#                                for its capabilities, creates and starts the agent's container and
#                                waits up to 30 s for "osprey: running" or its exit. Sets, for NAME:
#                                $W/NAME/info (podspec.py's key=value lines), AGENT (container id),
#                                AGENT_PID. Returns 1 when the agent exited (see agent_stderr).
#   workload_pod NS POD          a busybox container labelled as pod NS/POD, as cri-dockerd makes
#                                them (name k8s_app_POD_NS_UID_0, io.kubernetes.* labels, the pod's
#                                cgroup); sets WORKLOAD
#   info NAME KEY                a key of podspec.py's output for NAME
#   agent_stdout / agent_stderr  what the agent container printed so far
#   pod_cleanup                  removes containers, the engine, the pods' cgroups and $W
#
# The engine's containerd (the one dockerd runs) also makes the seccomp profile: `ctr container
# create --seccomp` with exactly the pod's capabilities writes containerd's default profile, which
# is what seccompProfile: RuntimeDefault means on a containerd node, into the container's spec.
W=${W:-$(mktemp -d /tmp/osprey-pkg.XXXXXX)}
E=$W/engine
IMAGE=osprey:$VERSION
BUSYBOX=localhost/osprey-test-busybox:1

pod_engine_start() {
	mkdir -p "$E/caps"
	OSPREY_CAPS_DIR=$E/caps "$TOP/packaging/container/engine.sh" start "$E" \
		--add-runtime "osprey-k8s=$LIB/runc-caps" >"$W/engine.out" 2>&1 || return 1
	export DOCKER_HOST=unix://$E/docker.sock
	"$DOCKER" load -q -i "$TOP/build/image/osprey-$VERSION.tar" >/dev/null || return 1
	CTR="nsenter -m -t $(cat "$E/engine.pid") ctr -a $E/exec/containerd/containerd.sock -n osprey-harness"
	$CTR images import "$TOP/build/image/osprey-$VERSION.tar" >/dev/null || return 1
	mkdir -p "$W/busybox"
	cp "$(command -v busybox)" "$W/busybox/busybox"
	# ospuser: a user only the container's /etc/passwd names
	printf 'root:x:0:0:root:/root:/bin/sh\nospuser:x:4242:4242::/tmp:/bin/sh\n' >"$W/busybox/passwd"
	printf 'root:x:0:\nospgroup:x:4242:\n' >"$W/busybox/group"
	cat >"$W/busybox/Dockerfile" <<'EOF'
FROM scratch
COPY busybox /bin/busybox
COPY passwd group /etc/
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["/bin/sh"]
EOF
	DOCKER_BUILDKIT=0 "$DOCKER" build -q --network none -t "$BUSYBOX" "$W/busybox" >/dev/null
}

pod_render() {
	kubectl kustomize "${1:-$TOP/packaging/kubernetes}" >"${2:-$W/rendered.yaml}" 2>"$W/render.err"
}

info() { sed -n "s/^$2=//p" "$W/$1/info" | head -1; }

# seccomp NAME: containerd's default profile for NAME's capabilities, where podspec.py wants it
seccomp() {
	local n=$1 defaults drop=() add=() c
	$CTR containers rm osprey-seccomp >/dev/null 2>&1 || true
	$CTR containers create "docker.io/library/$IMAGE" osprey-seccomp >/dev/null
	defaults=$($CTR containers info osprey-seccomp |
		"$PY" -c 'import json,sys; print(" ".join(json.load(sys.stdin)["Spec"]["process"]["capabilities"]["bounding"]))')
	$CTR containers rm osprey-seccomp >/dev/null
	for c in $defaults; do drop+=(--cap-drop "$c"); done
	while read -r c; do [ -n "$c" ] && add+=(--cap-add "$c"); done <"$W/$n/caps"
	$CTR containers create --seccomp "${drop[@]}" "${add[@]}" "docker.io/library/$IMAGE" osprey-seccomp >/dev/null
	$CTR containers info osprey-seccomp | "$PY" -c '
import json, sys
spec = json.load(sys.stdin)["Spec"]
caps = sorted(spec["process"]["capabilities"]["bounding"])
want = sorted(open(sys.argv[2]).read().split())
if caps != want:
    sys.exit(f"containerd made the profile for {caps}, not {want}")
json.dump(spec["linux"]["seccomp"], open(sys.argv[1], "w"))' "$(info "$n" seccomp_profile)" "$W/$n/caps"
	local rc=$?
	$CTR containers rm osprey-seccomp >/dev/null 2>&1
	return $rc
}

pod_start() {
	local n=$1 i args=()
	shift
	mkdir -p "$W/$n"
	"$PY" "$LIB/podspec.py" "${RENDERED:-$W/rendered.yaml}" --out "$W/$n" --image "$IMAGE" "$@" \
		>"$W/$n/info" 2>"$W/$n/podspec.err" || return 2
	if [ "$(info "$n" seccomp)" = runtime-default ]; then
		seccomp "$n" 2>"$W/$n/seccomp.err" || return 2
	fi
	mapfile -d '' args <"$W/$n/create.args"
	AGENT=$("$DOCKER" create "${args[@]}" 2>"$W/$n/create.err") || return 2
	cp "$W/$n/caps" "$E/caps/$AGENT"
	"$DOCKER" start "$AGENT" >/dev/null 2>>"$W/$n/create.err" || return 2
	for i in $(seq 150); do
		agent_stderr | grep -q '^osprey: running' && break
		[ "$("$DOCKER" inspect -f '{{.State.Running}}' "$AGENT")" = true ] || return 1
		sleep 0.2
	done
	agent_stderr | grep -q '^osprey: running' || return 1
	AGENT_PID=$("$DOCKER" inspect -f '{{.State.Pid}}' "$AGENT")
}

agent_stdout() { "$DOCKER" logs "$AGENT" 2>/dev/null; }
agent_stderr() { "$DOCKER" logs "$AGENT" 2>&1 >/dev/null; }

workload_pod() {
	local ns=$1 pod=$2 u
	u=$(cat /proc/sys/kernel/random/uuid)
	WORKLOAD=k8s_app_${pod}_${ns}_${u}_0
	"$DOCKER" run -d --name "$WORKLOAD" --network none --cgroup-parent "/kubepods/besteffort/pod$u" \
		--label io.kubernetes.pod.name="$pod" --label io.kubernetes.pod.namespace="$ns" \
		--label io.kubernetes.pod.uid="$u" --label io.kubernetes.container.name=app \
		--label io.kubernetes.docker.type=container "$BUSYBOX" sleep 3600 >/dev/null
}

pod_cleanup() {
	local h d
	[ -f "$E/engine.pid" ] && "$TOP/packaging/container/engine.sh" stop "$E" >/dev/null 2>&1
	# the pods' cgroups (docker removes each container's, not the pod's parent), when empty
	for h in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
		[ -d "$h" ] || continue
		for d in "$h"/*/pod* "$h"/pod* "$h"/burstable "$h"/besteffort "$h"; do
			[ -d "$d" ] && rmdir "$d" 2>/dev/null
		done
	done
	rm -rf "$W"
	return 0
}
