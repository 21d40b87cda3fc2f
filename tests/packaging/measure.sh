#!/bin/bash
# Measures the DaemonSet's agent for sizing its requests and limits (docs/deploy.md, "Sizing"):
# the pod as rendered (lib/pod.sh), idle and under loads on this node, with
#   cpu     the agent's user+system time over the phase's wall time, in millicores
#   rss     the agent's resident set (VmRSS) at the end, and its peak (VmHWM)
#   memcg   the pod container's memory cgroup: peak usage in the phase (memory.max_usage_in_bytes,
#           reset before it), which includes the kernel memory charged to it (BPF maps, ring buffer)
#   events  events the kernel sent in the phase, and losses at the end
# Not a test (timings vary several-fold between machines): run it by hand, as root, after
# make image:  tests/packaging/measure.sh [IDLE_SECONDS (30)]
set -u
. "$(dirname "$0")/lib/common.sh"
cd "$TOP" || exit 1
IDLE=${1:-30}
[ "$(id -u)" = 0 ] || { echo "measure: needs root" >&2; exit 1; }
make -s all build/bench-workload image >/dev/null || exit 1
. "$LIB/pod.sh"
trap pod_cleanup EXIT
pod_engine_start || { cat "$W/engine.out"; exit 1; }
pod_render || { cat "$W/render.err"; exit 1; }
workload_pod prod web-0
pod_start measure || { agent_stderr; exit 1; }
TCK=$(getconf CLK_TCK)
memcg=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' "/proc/$AGENT_PID/cgroup")
[ -d "$memcg" ] || memcg=/sys/fs/cgroup$(awk -F: '$1 == "0" { print $3 }' "/proc/$AGENT_PID/cgroup")

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$AGENT_PID/stat"; }
kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$AGENT_PID/status"; }
peak_reset() { [ -f "$memcg/memory.max_usage_in_bytes" ] && echo 0 >"$memcg/memory.max_usage_in_bytes"; }
peak() {
	if [ -f "$memcg/memory.max_usage_in_bytes" ]; then cat "$memcg/memory.max_usage_in_bytes"; else cat "$memcg/memory.peak"; fi
}

# phase NAME CMD...: runs CMD (on the node, or `docker exec` in the workload pod) and reports
phase() {
	local name=$1 t0 c0 c1 t1 ms
	shift
	peak_reset
	c0=$(cpu_ticks)
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s%N)
	c1=$(cpu_ticks)
	ms=$(((t1 - t0) / 1000000))
	printf '%-40s %6d ms  cpu %5d mcores  rss %6d KiB (peak %6d)  memcg peak %5d MiB\n' "$name" "$ms" \
		$(((c1 - c0) * 1000 * 1000 / TCK / (ms > 0 ? ms : 1))) "$(kib VmRSS)" "$(kib VmHWM)" \
		$(($(peak) / 1048576))
}

echo "agent: caps $(info measure caps), limits: $(grep -o -- '--cpus [0-9.]*\|--memory [0-9]*' <(tr '\0' ' ' <"$W/measure/create.args") | paste -sd' ' -)"
sleep 5
phase "idle ${IDLE} s" sleep "$IDLE"
phase "fork+exec, 20000 as fast as possible" build/bench-workload forkexec 20000
phase "open+close, 3000000 as fast as possible" build/bench-workload open 3000000
phase "1000 alerts (cat /etc/shadow)" sh -c 'for i in $(seq 1000); do cat /etc/shadow; done'
phase "idle 10 s after" sleep 10
"$DOCKER" stop "$AGENT" >/dev/null
agent_stderr | grep -E '^osprey: (stopped|output|losses|process table)'
