#!/bin/bash
# packaging/debian: `make deb` builds the package with dpkg-buildpackage; lintian reports no error
# (its warnings are printed); then, in a fresh Debian 12 root made from Debian's packages (the
# image's mmdebstrap base, packaging/container/base.sh) so that this machine's own dpkg database
# and /etc are never touched:
#   - dpkg -i installs /usr/bin/osprey, /etc/osprey/{osprey.yaml,rules.d/,rules.local.d/} and the
#     unit, the two files under /etc as conffiles, the unit exactly as packaging/systemd has it;
#   - `osprey version` and `osprey rules check /etc/osprey/rules.d` run from it;
#   - a changed conffile survives reinstalling and removing the package;
#   - dpkg --purge leaves nothing behind: every file, directory, link and its mode, owner and
#     content in the root is as before the install, outside dpkg's own database and logs.
set -u
. "$(dirname "$0")/lib/common.sh"
cd "$TOP" || exit 1
needs "deb" dpkg-buildpackage dh lintian mmdebstrap help2man chroot || exit 0
T=$(mktemp -d)
R=$T/root
trap 'rm -rf "$T"' EXIT
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
DEB=build/deb/osprey_${VERSION}_$ARCH.deb

if ! make -s deb >"$T/build" 2>&1; then
	fail "make deb" "$(show "$T/build" 30)"
	exit 0
fi
pass "make deb: $DEB ($(stat -c %s "$DEB") bytes)"

lintian --pedantic "build/deb/osprey_${VERSION}_$ARCH.changes" >"$T/lintian" 2>&1
if grep -q '^E: ' "$T/lintian"; then
	fail "lintian" "$(grep '^E: ' "$T/lintian")"
else
	pass "lintian: no errors, $(grep -c '^[WIP]: ' "$T/lintian") warnings/info"
	grep '^[WIP]: ' "$T/lintian" | sed 's/^/    lintian /'
fi

if ! base=$(packaging/container/base.sh build/image 2>"$T/base"); then
	fail "deb install" "no Debian root to install into: $(show "$T/base")"
	exit 0
fi
mkdir -p "$R"
tar -C "$R" -xf "$base"
cp "$DEB" "$R/tmp/osprey.deb"
# dpkg's database, logs and the package file itself change by design
snapshot() {
	"$PY" - "$R" <<'PY'
import hashlib, os, stat, sys
root = sys.argv[1]
skip = ("/var/lib/dpkg", "/var/log", "/var/cache/debconf", "/tmp/osprey.deb", "/proc")
for d, dirs, files in os.walk(root):
    rel_d = d[len(root):] or "/"
    dirs[:] = sorted(x for x in dirs if not (rel_d.rstrip("/") + "/" + x).startswith(skip))
    for name in sorted(dirs + files):
        p = os.path.join(d, name)
        rel = p[len(root):]
        if rel.startswith(skip):
            continue
        st = os.lstat(p)
        what = ""
        if stat.S_ISREG(st.st_mode):
            with open(p, "rb") as f:
                what = hashlib.sha256(f.read()).hexdigest()
        elif stat.S_ISLNK(st.st_mode):
            what = os.readlink(p)
        print(rel, oct(st.st_mode), st.st_uid, st.st_gid, what)
PY
}
snapshot >"$T/before"
in_root() { chroot "$R" "$@"; }

if ! in_root dpkg -i /tmp/osprey.deb >"$T/install" 2>&1; then
	fail "dpkg -i" "$(show "$T/install")"
	exit 0
fi
pass "dpkg -i $DEB"

missing=""
for f in /usr/bin/osprey /etc/osprey/osprey.yaml /etc/osprey/rules.d/osprey_rules.yaml \
	/etc/osprey/rules.local.d /lib/systemd/system/osprey.service; do
	in_root dpkg -L osprey | grep -qx "$f" && [ -e "$R$f" ] || missing="$missing $f"
done
conf=$(in_root dpkg-query -W -f='${Conffiles}' osprey | awk '{print $1}' | sort | paste -sd' ' -)
if [ -n "$missing" ]; then
	fail "installed files" "missing:$missing"
elif [ "$conf" != "/etc/osprey/osprey.yaml /etc/osprey/rules.d/osprey_rules.yaml" ]; then
	fail "conffiles" "are '$conf'"
elif ! cmp -s "$R/lib/systemd/system/osprey.service" packaging/systemd/osprey.service ||
	! cmp -s "$R/etc/osprey/osprey.yaml" packaging/osprey.yaml ||
	! cmp -s "$R/etc/osprey/rules.d/osprey_rules.yaml" rules/osprey_rules.yaml; then
	fail "installed files" "the unit, config or rules differ from the repository's"
else
	pass "installed: /usr/bin/osprey, /etc/osprey/{osprey.yaml,rules.d/,rules.local.d/} (conffiles), osprey.service"
fi

if in_root osprey version >"$T/version" 2>&1 && grep -qx "osprey $VERSION" "$T/version"; then
	pass "osprey version: $(head -1 "$T/version")"
else
	fail "osprey version" "$(show "$T/version")"
fi
if in_root osprey rules check /etc/osprey/rules.d >"$T/check" 2>&1; then
	pass "osprey rules check /etc/osprey/rules.d: $(tail -1 "$T/check")"
else
	fail "osprey rules check /etc/osprey/rules.d" "$(show "$T/check")"
fi

# the operator's edit of a conffile is theirs: kept by a reinstall and by a remove
echo "# edited by the operator" >>"$R/etc/osprey/osprey.yaml"
in_root dpkg -i --force-confold /tmp/osprey.deb >>"$T/install" 2>&1
kept_reinstall=$(tail -1 "$R/etc/osprey/osprey.yaml")
in_root dpkg -r osprey >"$T/remove" 2>&1
if [ "$kept_reinstall" = "# edited by the operator" ] && [ ! -e "$R/usr/bin/osprey" ] &&
	[ "$(tail -1 "$R/etc/osprey/osprey.yaml" 2>/dev/null)" = "# edited by the operator" ]; then
	pass "a changed conffile survives reinstall and dpkg -r"
else
	fail "conffile handling" "after reinstall: '$kept_reinstall'; after dpkg -r: $(ls -la "$R/etc/osprey" 2>&1)"
fi

if ! in_root dpkg --purge osprey >"$T/purge" 2>&1; then
	fail "dpkg --purge" "$(show "$T/purge")"
	exit 0
fi
snapshot >"$T/after"
if in_root dpkg-query -W osprey >/dev/null 2>&1 &&
	[ "$(in_root dpkg-query -W -f='${db:Status-Status}' osprey)" != not-installed ]; then
	fail "dpkg --purge" "dpkg still knows osprey: $(in_root dpkg-query -W -f='${Status}' osprey)"
elif [ -e "$R/etc/osprey" ]; then
	fail "dpkg --purge" "/etc/osprey is still there: $(find "$R/etc/osprey")"
elif ! diff "$T/before" "$T/after" >"$T/diff"; then
	fail "dpkg --purge" "the root differs from before the install: $(show "$T/diff" 30)"
else
	pass "dpkg --purge leaves nothing behind ($(wc -l <"$T/before") paths compared)"
fi
