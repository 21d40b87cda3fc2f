#!/bin/bash
# packaging/kubernetes: the base and every overlay render with kubectl kustomize, and each rendering
# holds to the policy of lib/check_manifests.py (least privilege, the measured capabilities, probes,
# sizing, secrets as files, our rules unchanged).
set -u
. "$(dirname "$0")/lib/common.sh"
cd "$TOP" || exit 1
if ! command -v kubectl >/dev/null 2>&1; then
	skip "kustomize" "kubectl not found (it renders the manifests; not a Debian package)"
	exit 0
fi
if ! "$PY" -c 'import yaml' 2>/dev/null; then
	skip "manifest policy" "python3-yaml missing (make deps installs it)"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
caps=$(unit_caps)
for d in packaging/kubernetes packaging/kubernetes/overlays/*/; do
	d=${d%/}
	[ -f "$d/kustomization.yaml" ] || continue
	if ! kubectl kustomize "$d" >"$T/rendered.yaml" 2>"$T/err"; then
		fail "kubectl kustomize $d" "$(cat "$T/err")"
		continue
	fi
	pass "kubectl kustomize $d"
	if "$PY" "$LIB/check_manifests.py" "$T/rendered.yaml" --caps "$caps" \
		--rules rules/osprey_rules.yaml --version "$VERSION" >"$T/policy" 2>&1; then
		pass "manifest policy: $d"
	else
		fail "manifest policy: $d" "$(sed 's/^/    /' "$T/policy")"
	fi
done
