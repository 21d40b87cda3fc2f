# Shared by the tests of what ships (tests/packaging/test_*.sh); sourced, not run.
# A test prints one line per result: "PASS: what", "FAIL: what: why" or "SKIP: what: why";
# run.sh counts them (a SKIP is a failure under CI=true).
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
LIB=$TOP/tests/packaging/lib
VERSION=$(cat "$TOP/VERSION")
PY=/usr/bin/python3 # Debian's, with python3-yaml (not a python3 that PATH may find first)
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=$(command -v docker || echo docker)

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: ${2:-}"; }
skip() { echo "SKIP: $1: $2"; }

# tail of a file, indented, for a failure's details
show() { [ -f "$1" ] && tail -n "${2:-20}" "$1" | sed 's/^/    /'; }

in_ci() {
	case ${CI:-} in
	"" | 0 | false) return 1 ;;
	*) return 0 ;;
	esac
}

# needs WHAT CMD...: prints why WHAT cannot run (not root, a command missing) and returns 1
needs() {
	local what=$1 c missing=""
	shift
	if [ "$(id -u)" != 0 ]; then
		skip "$what" "needs root"
		return 1
	fi
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
	done
	if [ -n "$missing" ]; then
		skip "$what" "missing:$missing (make deps installs them)"
		return 1
	fi
	return 0
}

# The capabilities the agent was measured to need, as the systemd unit bounds them
# (check_manifests.py holds the DaemonSet to the same set).
unit_caps() {
	sed -n 's/^CapabilityBoundingSet=//p' "$TOP/packaging/systemd/osprey.service" |
		tr ' ' '\n' | sed 's/^CAP_//' | paste -sd, -
}
