#!/bin/sh
# deps.sh — the Debian packages bench/real/ needs beyond host/tools/deps.sh:
# tcl (tclsh: SQLite's own `make sqlite3.c` generates the amalgamation).
# Same approach as host/tools/deps.sh: one dpkg-query when present, else one
# apt-get update and a non-interactive install (root or sudo -n).
set -eu
PKGS="tcl"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "bench/real/deps.sh: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "bench/real/deps.sh: missing:$missing (run as root)" >&2; exit 1; }
	SUDO="sudo -n"
fi
$SUDO apt-get update </dev/null
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing </dev/null
