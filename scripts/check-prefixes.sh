#!/bin/bash
# make lint: every global symbol of the agent begins with the prefix of its module, as the table
# below (and docs/architecture.md) gives them per stage folder; nothing is global unprefixed.
# Reads the symbol tables of the built objects (nm), so it runs after the build.
#   scripts/check-prefixes.sh [OBJDIR]   (default build/obj)
set -euo pipefail
cd "$(dirname "$0")/.."
OBJ=${1:-build/obj}

declare -A PREFIXES=(
	[alert]="alert_ evjson_ fieldjson_ utf8_"
	[cli]="cli_ main"
	[container]="container_"
	[decode]="decode_ path_"
	[fields]="fields_ vocab_"
	[k8s]="k8s_"
	[loop]="loop_ probe_"
	[output]="output_ sink_"
	[proc]="proctable_ procfs_ strarena_ usercache_"
	[replay]="replay_"
	[rules]="rule_ rules_ ruleset_"
)

bad=0
for src in $(git ls-files 'agent/*/*.c'); do
	stage=${src#agent/}
	stage=${stage%%/*}
	obj=$OBJ/${src%.c}.o
	if [ -z "${PREFIXES[$stage]+x}" ]; then
		echo "check-prefixes: $src: stage folder '$stage' has no prefixes in $0" >&2
		bad=1
		continue
	fi
	if [ ! -f "$obj" ]; then
		echo "check-prefixes: $obj missing: build first" >&2
		exit 2
	fi
	while read -r _ _ sym; do
		ok=0
		for p in ${PREFIXES[$stage]}; do
			case $sym in "$p"*) ok=1 ;; esac
			[ "$sym" = "$p" ] && ok=1
		done
		if [ $ok = 0 ]; then
			echo "check-prefixes: $src: global '$sym' lacks a prefix of $stage/ (${PREFIXES[$stage]})" >&2
			bad=1
		fi
	done < <(nm -g --defined-only "$obj" | awk '$2 ~ /^[A-Z]$/')
done
exit $bad
