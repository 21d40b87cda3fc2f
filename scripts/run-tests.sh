#!/bin/bash
# Runs the test binaries given, then prints one combined closing line: "<mode>: N passed, N failed, N skipped".
# Every runner prints its CUnit summary and a line "<name>: N passed, N failed, N skipped".
# A binary that exits non-zero or dies before its summary line counts as a failure.
set -u
mode=$1
shift
passed=0 failed=0 skipped=0 rc=0
for bin in "$@"; do
	out=$(mktemp)
	"$bin" 2>&1 | tee "$out"
	st=${PIPESTATUS[0]}
	line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "run-tests: $bin exited with status $st before printing its summary" >&2
		failed=$((failed + 1)) rc=1
		continue
	fi
	read -r p f s <<<"$(sed -E 's/^[^:]*: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1 \2 \4/' <<<"$line")"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
	[ "$st" -eq 0 ] || rc=1
done
[ "$failed" -eq 0 ] || rc=1
echo "$mode: $passed passed, $failed failed, $skipped skipped"
exit $rc
