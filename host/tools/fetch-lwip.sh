#!/bin/sh
# fetch-lwip.sh — lwIP's source for the kernel (net/), from Debian's source
# package (`apt-get source lwip`: the upstream tarball with Debian's
# patches applied; they are harmless for NO_SYS raw-API use).  Nothing is
# copied into the tree.
#
#   host/tools/fetch-lwip.sh               fetch (no-op when already there)
#   host/tools/fetch-lwip.sh --print-dir   print the source directory only
#                                          (the one holding src/); exit 1
#                                          if apt knows no lwip source yet
#
# The source lands in $CACHE/lwip-<debian version>/lwip-<upstream>/ (CACHE
# defaults to ~/.cache/wasmetal), with .fetched in it when complete.
# apt-get needs a deb-src entry: if apt knows no `lwip` source package,
# this adds /etc/apt/sources.list.d/wasmetal-src.sources (Debian's mirror,
# bookworm, main; as root) and runs `apt-get update` (only then).
# dpkg-dev (dpkg-source, which unpacks and patches) comes from deps.sh.
set -eu

CACHE=${CACHE:-$HOME/.cache/wasmetal}
SRC_LIST=/etc/apt/sources.list.d/wasmetal-src.sources

# The newest lwip source version apt knows, or nothing.
version() {
	apt-cache showsrc lwip 2>/dev/null | sed -n 's/^Version: //p' |
		sort -V | tail -n 1
}

# $CACHE/lwip-<version>/<the unpacked directory>, whether it exists or not.
srcdir() {
	v=$1
	up=${v%-*}                      # 2.1.3+dfsg1-2 -> 2.1.3+dfsg1
	up=${up#*:}                     # an epoch, should one appear
	printf '%s/lwip-%s/lwip-%s\n' "$CACHE" "$(printf '%s' "$v" |
		tr -c 'A-Za-z0-9.+~-' '_')" "$up"
}

if [ "${1:-}" = "--print-dir" ]; then
	v=$(version)
	[ -n "$v" ] || exit 1
	srcdir "$v"
	exit 0
fi
[ $# -eq 0 ] || { echo "usage: fetch-lwip.sh [--print-dir]" >&2; exit 2; }

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo -n "$@"
	else
		echo "fetch-lwip.sh: need root for: $*" >&2
		return 1
	fi
}

# A deb-src entry for Debian's mirror, unless apt already has one for lwip.
ensure_deb_src() {
	[ -n "$(version)" ] && return 0
	if [ ! -f "$SRC_LIST" ]; then
		echo "fetch-lwip.sh: adding $SRC_LIST (deb-src for Debian bookworm)" >&2
		printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' \
			'Suites: bookworm' 'Components: main' \
			'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
			as_root tee "$SRC_LIST" >/dev/null ||
			{ echo "fetch-lwip.sh: cannot write $SRC_LIST" >&2; exit 1; }
	fi
	as_root apt-get update </dev/null >&2 ||
		{ echo "fetch-lwip.sh: apt-get update failed" >&2; exit 1; }
	if [ -z "$(version)" ]; then
		echo "fetch-lwip.sh: apt knows no 'lwip' source package even with" \
			"$SRC_LIST" >&2
		exit 1
	fi
}

ensure_deb_src
V=$(version)
DIR=$(srcdir "$V")
[ -f "$DIR/.fetched" ] && exit 0

if ! command -v dpkg-source >/dev/null 2>&1; then
	echo "fetch-lwip.sh: dpkg-source missing (apt-get install dpkg-dev;" \
		"host/tools/deps.sh installs it)" >&2
	exit 1
fi

# One fetch at a time per cache (parallel makes, several checkouts).
mkdir -p "$CACHE"
exec 9>"$CACHE/.lwip.lock"
flock 9
[ -f "$DIR/.fetched" ] && exit 0

TOP=$(dirname "$DIR")
WORK=$(mktemp -d "$CACHE/lwip-fetch.XXXXXX")
LOG="$TOP.log"
trap 'rm -rf "$WORK"' EXIT
echo "fetch-lwip.sh: apt-get source lwip=$V into $TOP (log: $LOG)" >&2
: >"$LOG"
# As the caller, not root: apt-get source only downloads (checked against
# the signed Release file) and unpacks with dpkg-source.
if ! (cd "$WORK" && apt-get source "lwip=$V") >>"$LOG" 2>&1; then
	echo "fetch-lwip.sh: apt-get source lwip=$V failed; last lines of $LOG:" >&2
	tail -n 20 "$LOG" >&2
	exit 1
fi
UNPACKED=$WORK/$(basename "$DIR")
if [ ! -f "$UNPACKED/src/include/lwip/init.h" ] || [ ! -d "$UNPACKED/src/core" ]; then
	echo "fetch-lwip.sh: $UNPACKED has no src/include/lwip/init.h after" \
		"apt-get source (see $LOG)" >&2
	exit 1
fi
rm -rf "$TOP"
mv "$WORK" "$TOP"
trap - EXIT
touch "$DIR/.fetched"
echo "fetch-lwip.sh: done: $DIR" >&2
