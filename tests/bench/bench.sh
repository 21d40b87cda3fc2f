#!/bin/bash
# make bench: cost of Osprey's capture on two loops, paired runs (unattached, then with
# `osprey run --discard` attached, which decodes every event and prints nothing).
# Prints per workload the median ratio, the added ns per operation and per event, the agent's CPU
# time and every loss counter. Needs root (it loads the BPF programs).
#   ROUNDS (default 5), N_OPEN (1000000), N_FORK (3000) tune it.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${OSPREY_BIN:-build/osprey}
WL=build/bench-workload
ROUNDS=${ROUNDS:-5}
N_OPEN=${N_OPEN:-1000000}
N_FORK=${N_FORK:-3000}
[ "$(id -u)" = 0 ] || { echo "bench: needs root (loads BPF programs)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'pkill -INT -P $$ osprey 2>/dev/null || true; rm -rf "$TMP"' EXIT
TCK=$(getconf CLK_TCK)

start_agent() { # agent mode arguments
	rm -f "$TMP/ready"
	"$BIN" run "$@" --stats-interval 0 --ready-file "$TMP/ready" 2>"$TMP/agent.err" &
	AGENT=$!
	for _ in $(seq 200); do [ -s "$TMP/ready" ] && return 0; sleep 0.05; done
	echo "bench: agent did not start:" >&2; cat "$TMP/agent.err" >&2; exit 1
}

# sets STOPPED="cpu_seconds events_sent ringbuf_full malformed"; must not run in a subshell, which
# could not wait for the agent
stop_agent() {
	local cpu ev full mal
	cpu=$(awk -v t="$TCK" '{printf "%.3f", ($14 + $15) / t}' "/proc/$AGENT/stat")
	kill -INT "$AGENT"; wait "$AGENT" || true
	read -r ev full mal < <(sed -n 's/.*events_sent=\([0-9]*\) decoded=[0-9]* malformed=\([0-9]*\) ringbuf_full=\([0-9]*\).*/\1 \3 \2/p' \
		"$TMP/agent.err" | tail -1)
	if [ -z "${ev:-}" ]; then
		echo "bench: the agent did not report its counters:" >&2; cat "$TMP/agent.err" >&2; exit 1
	fi
	STOPPED="$cpu $ev $full $mal"
}

run_pairs() { # label workload n agent-args...
	local label=$1 mode=$2 n=$3 base att r
	shift 3
	: >"$TMP/$label.txt"
	for r in $(seq "$ROUNDS"); do
		base=$("$WL" "$mode" "$n" | awk '{print $3}')
		start_agent "$@"
		att=$("$WL" "$mode" "$n" | awk '{print $3}')
		stop_agent
		echo "$base $att $STOPPED" >>"$TMP/$label.txt"
	done
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

report() { # mode n
	local f=$TMP/$1.txt mb ma mr
	mb=$(awk '{print $1}' "$f" | median)
	ma=$(awk '{print $2}' "$f" | median)
	mr=$(awk '{print $2 / $1}' "$f" | median)
	awk -v mode="$1" -v n="$2" -v mb="$mb" -v ma="$ma" -v mr="$mr" '
	{ cpu += $3; ev += $4; full += $5; mal += $6 }
	END {
		epo = ev / (NR * n)
		printf "%-15s %8.0f ns %8.0f ns  %5.2fx  +%6.0f ns/op  %4.1f events/op  +%5.0f ns/event  agent cpu %5.2f s/round  ringbuf_full=%d malformed=%d events=%d\n",
			mode, mb, ma, mr, ma - mb, epo, (ma - mb) / (epo > 0 ? epo : 1), cpu / NR, full, mal, ev
	}' "$f"
}

RULES=(--rules rules/osprey_rules.yaml --output file:/dev/null)
echo "osprey bench: $ROUNDS paired rounds, open/close x $N_OPEN, fork+exec x $N_FORK ($(nproc) CPUs, $(uname -r))"
echo "  'discard': capture, decode, process table, containers; 'rules': the same plus our default rules"
run_pairs open-discard open "$N_OPEN" --discard
run_pairs open-rules open "$N_OPEN" "${RULES[@]}"
run_pairs forkexec-discard forkexec "$N_FORK" --discard
run_pairs forkexec-rules forkexec "$N_FORK" "${RULES[@]}"
report open-discard "$N_OPEN"
report open-rules "$N_OPEN"
report forkexec-discard "$N_FORK"
report forkexec-rules "$N_FORK"

echo
echo "enrichment alone (decode + process table + container lookup, synthetic records), one core:"
build/bench-enrich 3
echo
echo "rule engine on recorded events (tests/bench/events.jsonl), our rules + Falco's stable rules, one core:"
if [ -f ../shared/anchors/falco_rules.yaml ]; then
	build/bench-rules -e tests/bench/events.jsonl -r ../shared/anchors/falco_rules.yaml -r rules/osprey_rules.yaml
else
	build/bench-rules -e tests/bench/events.jsonl -r rules/osprey_rules.yaml
fi
