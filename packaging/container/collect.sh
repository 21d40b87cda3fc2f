#!/bin/sh
# Runs inside the build stage (a Debian 12 root made by mmdebstrap, see build.sh): copies into OUT
# exactly what /usr/bin/osprey needs at run time, for a FROM-scratch final stage:
#   - the binary and every shared library the dynamic loader resolves for it (ldd), the loader too,
#     each under its real directory, with Debian's merged-/usr links (/lib -> usr/lib, ...);
#   - the CA bundle (HTTPS outputs), nsswitch.conf, a passwd/group naming root;
#   - the copyright file of every Debian package a copied file comes from (their licences ask it);
#   - empty mount points and the empty /etc/osprey/rules.local.d for the operator's rules.
# Fails on a library that does not resolve.
set -eu
OUT=${1:?usage: collect.sh OUT}
BIN=/usr/bin/osprey

copy() { # copy PATH: the file PATH points to, as OUT/<real dir>/<name>
	dir=$(realpath "$(dirname "$1")")
	mkdir -p "$OUT$dir"
	cp -L "$1" "$OUT$dir/$(basename "$1")"
	echo "$1" >>/tmp/collect.files
}

: >/tmp/collect.files
ldd "$BIN" >/tmp/collect.ldd
if grep -q 'not found' /tmp/collect.ldd; then
	echo "collect.sh: unresolved libraries:" >&2
	grep 'not found' /tmp/collect.ldd >&2
	exit 1
fi
copy "$BIN"
# "name => /path (addr)", "/path/to/ld.so (addr)"; the vdso has no path
for lib in $(awk '$2 == "=>" { print $3 } $1 ~ /^\// { print $1 }' /tmp/collect.ldd); do
	copy "$lib"
done
for link in /bin /sbin /lib /lib32 /lib64 /libx32; do
	[ -L "$link" ] && cp -P "$link" "$OUT$link"
done

copy /etc/ssl/certs/ca-certificates.crt
copy /etc/nsswitch.conf
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\n' >"$OUT/etc/passwd"
printf 'root:x:0:\n' >"$OUT/etc/group"

# the licences of what we ship: dpkg names the package of each file (paths as dpkg recorded them,
# before or after the /usr merge)
pkgs=$(while read -r f; do
	dpkg-query -S "$f" 2>/dev/null || dpkg-query -S "$(realpath "$f")" 2>/dev/null || true
done </tmp/collect.files | sed -n 's/^\([^:,]*\)[:,].*/\1/p' | sort -u)
for p in $pkgs ca-certificates; do
	if [ -f "/usr/share/doc/$p/copyright" ]; then
		mkdir -p "$OUT/usr/share/doc/$p"
		cp "/usr/share/doc/$p/copyright" "$OUT/usr/share/doc/$p/copyright"
	fi
done

mkdir -p "$OUT/etc/osprey/rules.d" "$OUT/etc/osprey/rules.local.d" "$OUT/host" "$OUT/proc" \
	"$OUT/sys" "$OUT/dev"
rm -f /tmp/collect.files /tmp/collect.ldd
