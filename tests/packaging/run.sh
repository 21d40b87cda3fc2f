#!/bin/bash
# Tests of what ships (packaging/): the image and DaemonSet under a real Docker engine, the .deb
# installed and purged, the systemd unit, the kustomize base and overlays. Run by make test through
# scripts/run-tests.sh; alone: tests/packaging/run.sh [NAME...] (NAME: manifests, systemd, deb,
# daemonset), from the repository root, as root, after make.
#
# Each tests/packaging/test_NAME.sh prints PASS/FAIL/SKIP lines; this counts them and ends with
# "packaging: N passed, N failed, N skipped". A SKIP (root or a tool missing) is a failure under
# CI=true, where scripts/deps.sh has installed everything. A test that exits non-zero without a
# FAIL line counts as one failure. Each test's time is printed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/common.sh"
cd "$TOP" || exit 1
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(manifests systemd deb daemonset)
passed=0 failed=0 skipped=0
for n in "${names[@]}"; do
	t=$HERE/test_$n.sh
	[ -f "$t" ] || { echo "packaging: no test $n" >&2; failed=$((failed + 1)); continue; }
	out=$(mktemp)
	start=$(date +%s)
	bash "$t" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^PASS: ' "$out")
	f=$(grep -c '^FAIL: ' "$out")
	s=$(grep -c '^SKIP: ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: test_$n.sh exited with status $rc"
		f=1
	fi
	if [ "$s" -gt 0 ] && in_ci; then
		echo "*** packaging: $s skip(s) in test_$n.sh count as failures under CI ***"
		f=$((f + s)) s=0
	fi
	echo "packaging: test_$n.sh: $p passed, $f failed, $s skipped in $(($(date +%s) - start)) s"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	rm -f "$out"
done
echo "packaging: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
