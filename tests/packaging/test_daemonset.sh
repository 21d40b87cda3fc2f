#!/bin/bash
# The image (make image) run as the DaemonSet's pod says, under a real Docker engine (Debian's
# docker.io, a private daemon: lib/pod.sh, packaging/container/engine.sh), with exactly the
# rendered pod spec's security context, mounts, env and args (lib/podspec.py maps it and fails on
# any field it cannot map). Then:
#   - the agent runs with exactly the spec's capabilities, no_new_privs, seccomp, a read-only
#     root and a read-only /host;
#   - a shell started in another container labelled as a production pod (namespace prod, as
#     cri-dockerd labels them) raises "Shell in production container" on the agent's stdout, naming
#     the pod, its namespace and the container's own user;
#   - `docker stop` (SIGTERM) ends it with status 0 within terminationGracePeriodSeconds, with every
#     alert it sent on its stdout;
#   - overlays/siem-https: the SIEM token of its Secret is a 0400 file in the pod where the config's
#     token_file says, and nowhere in the agent's command line, environment or container config;
#   - each capability of the spec is needed: run without it, the agent either fails, naming it, or
#     loses what the table below says (measured; a capability without a measurement fails).
# The agent finds the engine's containers at /host/var/lib/docker because the engine runs in a
# mount namespace where its data root is mounted there (engine.sh).
# Probes: podspec.py prints probe.<kind>=http://127.0.0.1:PORT/PATH; inside the pod's network
# namespace (nsenter -t "$AGENT_PID" -n) a GET of that URL is what the kubelet does.
set -u
. "$(dirname "$0")/lib/common.sh"
cd "$TOP" || exit 1
needs "daemonset" dockerd containerd ctr runc kubectl nsenter unshare capsh busybox mmdebstrap || exit 0
if ! "$PY" -c 'import yaml' 2>/dev/null; then
	skip "daemonset" "python3-yaml missing (make deps installs it)"
	exit 0
fi
. "$LIB/pod.sh"
trap pod_cleanup EXIT

# What each capability is for, and how its absence shows (fatal: the agent exits naming it).
declare -A NEED=(
	[CAP_BPF]=fatal
	[CAP_PERFMON]=fatal
	[CAP_SYS_PTRACE]=fatal
	[CAP_DAC_READ_SEARCH]=fatal
)

if ! make -s image >"$W/image.log" 2>&1; then
	fail "make image" "$(show "$W/image.log")"
	exit 0
fi
pass "make image: $(grep -o 'image osprey.*MB' "$W/image.log" || echo "$IMAGE (cached)")"
if ! pod_engine_start; then
	fail "private Docker engine" "$(show "$W/engine.out") $(show "$E/dockerd.log")"
	exit 0
fi
if ! pod_render; then
	fail "kubectl kustomize packaging/kubernetes" "$(show "$W/render.err")"
	exit 0
fi

# start NAME [PODSPEC_ARG]...: pod_start with the diagnostics of a failure
start() {
	local n=$1 rc
	pod_start "$@"
	rc=$?
	[ $rc -eq 0 ] && return 0
	if [ $rc -eq 2 ]; then
		fail "run the pod spec ($n)" "$(cat "$W/$n/podspec.err" "$W/$n/seccomp.err" "$W/$n/create.err" 2>/dev/null)"
	else
		fail "agent start ($n)" "it exited: $(agent_stderr | tail -5)"
	fi
	return 1
}

# alert RULE POD NS: waits up to 15 s for an alert of RULE naming POD in NS; prints its
# user.name (JSON null: "null")
alert() {
	local i u
	for i in $(seq 75); do
		u=$(agent_stdout | "$PY" -c '
import json, sys
rule, pod, ns = sys.argv[1:4]
for line in sys.stdin:
    try:
        a = json.loads(line)
    except ValueError:
        continue
    f = a.get("output_fields") or {}
    if a.get("rule") == rule and f.get("k8s.pod.name") == pod and f.get("k8s.ns.name") == ns:
        print(json.dumps(f.get("user.name")))
        break' "$@")
		[ -n "$u" ] && { echo "$u"; return 0; }
		sleep 0.2
	done
	return 1
}

# pause_scenario: the agent frozen while short-lived processes join the workload's cgroup and
# exit, so that it can name their cgroup only from its id (open_by_handle_at)
stop_agent() { "$DOCKER" stop "$AGENT" >/dev/null; }
pause_scenario() {
	local i
	"$DOCKER" pause "$AGENT" >/dev/null
	for i in 1 2 3 4 5; do "$DOCKER" exec "$WORKLOAD" true; done
	"$DOCKER" unpause "$AGENT" >/dev/null
	sleep 1
}

# ---- the pod as the manifest has it ----
workload_pod prod web-0
start full || exit 0
caps=$(info full caps)
grace=$(info full grace)
got=$(capsh --decode="$(awk '/^CapEff/ {print $2}' "/proc/$AGENT_PID/status")" | sed 's/.*=//' |
	tr ',' '\n' | tr a-z A-Z | sort | paste -sd, -)
want=$(tr ',' '\n' <<<"$caps" | sort | paste -sd, -)
nnp=$(awk '/^NoNewPrivs/ {print $2}' "/proc/$AGENT_PID/status")
sec=$(awk '/^Seccomp:/ {print $2}' "/proc/$AGENT_PID/status")
rootro=$(awk '$5 == "/" { print $6 }' "/proc/$AGENT_PID/mountinfo" | cut -d, -f1)
hostro=$(awk '$5 == "/host" { print $6 }' "/proc/$AGENT_PID/mountinfo" | cut -d, -f1)
if [ "$got" = "$want" ] && [ "$nnp" = 1 ] && [ "$sec" = 2 ] && [ "$rootro" = ro ] && [ "$hostro" = ro ]; then
	pass "the agent runs as the spec says: capabilities $got, no_new_privs, seccomp, / and /host read-only"
else
	fail "security context" "caps $got (spec: $want), NoNewPrivs $nnp, Seccomp $sec, / $rootro, /host $hostro"
fi

"$DOCKER" exec -u 4242 "$WORKLOAD" sh -c 'sleep 1'
if user=$(alert "Shell in production container" web-0 prod) && [ "$user" = '"ospuser"' ]; then
	pass "a shell in pod prod/web-0 raises \"Shell in production container\" naming the pod, namespace and user ospuser"
else
	fail "alert" "no \"Shell in production container\" for prod/web-0 with user.name ospuser (got ${user:-none}): stdout: $(agent_stdout | tail -3) stderr: $(agent_stderr | tail -5)"
fi
pause_scenario
"$DOCKER" exec "$WORKLOAD" sh -c 'true'
t0=$(date +%s%N)
stop_agent
elapsed_ms=$((($(date +%s%N) - t0) / 1000000))
code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$AGENT")
sent=$(agent_stderr | sed -n 's/^osprey: output stdout: sent=\([0-9]*\).*/\1/p' | tail -1)
lines=$(agent_stdout | grep -c '^{')
if [ "$code" = 0 ] && [ "$elapsed_ms" -lt $((grace * 1000)) ] && [ -n "$sent" ] && [ "$sent" = "$lines" ] &&
	[ "$lines" -ge 2 ]; then
	pass "docker stop: exit 0 after $elapsed_ms ms (grace ${grace} s), all $sent alerts flushed to stdout"
else
	fail "docker stop" "exit $code after $elapsed_ms ms (grace $grace s), sent=${sent:-?}, $lines alert lines: $(agent_stderr | tail -4)"
fi

# ---- the SIEM overlay: the token as a file only ----
token=osprey-test-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$W/siem-secret"
printf '%s' "$token" >"$W/siem-secret/token"
if ! pod_render "$TOP/packaging/kubernetes/overlays/siem-https" "$W/siem.yaml"; then
	fail "kubectl kustomize overlays/siem-https" "$(show "$W/render.err")"
elif RENDERED=$W/siem.yaml start siem --secret "osprey-siem-token=$W/siem-secret"; then
	f=/proc/$AGENT_PID/root/etc/osprey/secrets/siem-token
	tf=$(sed -n 's/^ *token_file: *\([^ ]*\).*/\1/p' "/proc/$AGENT_PID/root/etc/osprey/osprey.yaml")
	leaks=$( (tr '\0' '\n' <"/proc/$AGENT_PID/cmdline"; tr '\0' '\n' <"/proc/$AGENT_PID/environ";
		"$DOCKER" inspect "$AGENT") | grep -c "$token")
	if [ "$tf" = /etc/osprey/secrets/siem-token ] && [ "$(cat "$f" 2>/dev/null)" = "$token" ] &&
		[ "$(stat -c %a "$f")" = 400 ] && [ "$leaks" = 0 ]; then
		pass "siem-https: the token is the 0400 file $tf in the pod, not in its arguments, environment or container config"
	else
		fail "siem-https" "token_file '$tf', file mode $(stat -c %a "$f" 2>&1), content matches: $([ "$(cat "$f" 2>/dev/null)" = "$token" ] && echo yes || echo no), found $leaks times in args/env/config"
	fi
	stop_agent
fi

# ---- each capability dropped ----
for cap in ${caps//,/ }; do
	what=${NEED[$cap]:-}
	if [ -z "$what" ]; then
		fail "without $cap" "the spec adds $cap, but no measurement shows it is needed (add one to NEED)"
		continue
	fi
	case $what in
	fatal)
		pod_start "no-$cap" --drop-cap "$cap"
		rc=$?
		for i in $(seq 100); do
			[ "$("$DOCKER" inspect -f '{{.State.Running}}' "$AGENT" 2>/dev/null)" = true ] || break
			sleep 0.2
		done
		code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$AGENT" 2>/dev/null)
		msg=$(agent_stderr | grep '^osprey: ' | grep -v '^osprey: libbpf' | tail -1)
		if [ $rc -eq 1 ] && [ "$code" != 0 ] && grep -q "$cap" <<<"$msg"; then
			pass "without $cap the agent exits $code: $msg"
		else
			fail "without $cap" "the agent did not fail naming $cap (start $rc, exit ${code:-running}): $(agent_stderr | tail -3)"
		fi
		;;
	esac
done
