#!/bin/sh
# fetch.sh — the source of a Debian package for bench/real/ (issue 9, "Speed
# targets": real programs built from Debian sources), like
# host/tools/fetch-lwip.sh does for lwIP: `apt-get source PKG` (upstream
# tarball + Debian's patches) into the cache, never into the tree.
#
#   bench/real/fetch.sh PKG     fetch if missing; print the unpacked directory
#
# The source lands in $CACHE/bench-src/PKG-<debian version>/<unpacked dir>/
# (CACHE defaults to ~/.cache/wasmetal) with .fetched in it when complete.
# Needs a deb-src entry (host/tools/fetch-lwip.sh adds one) and dpkg-dev.
set -eu

CACHE=${CACHE:-$HOME/.cache/wasmetal}
[ $# -eq 1 ] || { echo "usage: fetch.sh PKG" >&2; exit 2; }
PKG=$1
V=$(apt-cache showsrc "$PKG" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
[ -n "$V" ] || { echo "fetch.sh: apt knows no '$PKG' source package (deb-src entry?)" >&2; exit 1; }
TOP=$CACHE/bench-src/$PKG-$(printf '%s' "$V" | tr -c 'A-Za-z0-9.+~-' '_')

found() {   # the unpacked directory (the one that is not a file)
	for d in "$TOP"/*/; do
		[ -f "$d.fetched" ] && { printf '%s\n' "${d%/}"; return 0; }
	done
	return 1
}
found && exit 0

mkdir -p "$CACHE/bench-src"
exec 9>"$CACHE/bench-src/.$PKG.lock"   # one fetch at a time per package
flock 9
found && exit 0
WORK=$(mktemp -d "$CACHE/bench-src/$PKG-fetch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
LOG=$TOP.log
echo "fetch.sh: apt-get source $PKG=$V into $TOP (log: $LOG)" >&2
if ! (cd "$WORK" && apt-get source "$PKG=$V") >"$LOG" 2>&1; then
	echo "fetch.sh: apt-get source $PKG=$V failed; last lines of $LOG:" >&2
	tail -n 20 "$LOG" >&2
	exit 1
fi
n=0
for d in "$WORK"/*/; do n=$((n + 1)); dir=${d%/}; done
[ "$n" = 1 ] || { echo "fetch.sh: expected one directory from apt-get source $PKG, got $n" >&2; exit 1; }
rm -rf "$TOP"
mv "$WORK" "$TOP"
trap - EXIT
touch "$TOP/$(basename "$dir")/.fetched"
found
