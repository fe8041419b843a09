# lib.sh — shell code shared by the test scripts (tests/run.sh,
# tests/images/plain_qemu.sh, tests/images/fbcon_screenshot.sh): the
# PASS/FAIL bookkeeping, booting a disk image with plain
# qemu-system-x86_64 + OVMF, and a network namespace with a TAP (tests/net/).
# Sourced, never run: the script cd's to the
# top of the tree first, and sets T (its scratch directory) and TIMEOUT
# (QEMU's time limit in seconds) before it boots anything.
#
# Every check prints "PASS name" or "FAIL name (why)" and the evidence;
# summary, the script's last command, prints "N passed, N failed" and
# fails if any check did.

npass=0
nfail=0

pass() { echo "PASS $1"; npass=$((npass + 1)); }

# excerpt FILE: what a FAIL shows of an evidence file, its first 40 lines.
# A script whose evidence is raw serial output redefines it after sourcing
# this file (e.g. with cat -v, so that control characters show).
excerpt() { head -n 40 "$1"; }

# fail NAME WHY [FILE...]: the files' excerpts are shown, indented.
fail() {
	local name=$1 why=$2 f
	shift 2
	echo "FAIL $name ($why)"
	for f in "$@"; do
		[ -s "$f" ] || continue
		echo "    --- $(basename "$f")"
		excerpt "$f" | sed 's/^/    | /'
	done
	nfail=$((nfail + 1))
}

summary() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}

# ---- plain QEMU + OVMF ------------------------------------------------------

# find_ovmf: CODE and VARS, the OVMF firmware and the template of its
# variable store ($WASMETAL_OVMF_CODE and $WASMETAL_OVMF_VARS, or where
# Debian or Fedora put them); status 1 if there is none.
find_ovmf() {
	local pair
	if [ -n "${WASMETAL_OVMF_CODE:-}" ] && [ -n "${WASMETAL_OVMF_VARS:-}" ]; then
		CODE=$WASMETAL_OVMF_CODE VARS=$WASMETAL_OVMF_VARS
		return 0
	fi
	for pair in /usr/share/OVMF/OVMF_CODE_4M.fd:/usr/share/OVMF/OVMF_VARS_4M.fd \
		    /usr/share/OVMF/OVMF_CODE.fd:/usr/share/OVMF/OVMF_VARS.fd \
		    /usr/share/edk2/ovmf/OVMF_CODE.fd:/usr/share/edk2/ovmf/OVMF_VARS.fd; do
		CODE=${pair%%:*} VARS=${pair#*:}
		[ -r "$CODE" ] && [ -r "$VARS" ] && return 0
	done
	return 1
}

# ovmf_qemu FORMAT IMAGE: QEMU, the command that boots the disk image as an
# operator would: plain qemu-system-x86_64 (default machine, 256 MiB) with
# OVMF (find_ovmf first) and a fresh private copy of its variable store,
# under `timeout $TIMEOUT`.  The caller adds the serial, display and
# monitor options and runs "${QEMU[@]}" ...; status 1 if the copy failed.
ovmf_qemu() {
	local fmt=$1 img=$2
	cp "$VARS" "$T/vars.fd" || return 1
	QEMU=(timeout "$TIMEOUT" qemu-system-x86_64 -m 256
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$CODE"
		-drive "if=pflash,format=raw,unit=1,file=$T/vars.fd"
		-drive "format=$fmt,file=$img")
}

# What the kernel writes on the console port before the guest's output.
CONSOLE_MARK=$'\e_wasmetal:console\e\\'

# after_mark FILE: the serial output in FILE after the console mark;
# nothing and status 1 if there is no mark.
after_mark() {
	local off
	off=$(LC_ALL=C grep -abo -F "$CONSOLE_MARK" "$1" | head -n 1 | cut -d: -f1)
	[ -n "$off" ] || return 1
	tail -c +$((off + ${#CONSOLE_MARK} + 1)) "$1"
}

# ---- a network namespace with a TAP (tests/net/: tap_netns, qemu_net,
# hostile) ------------------------------------------------------------------

# in_ns CMD...: CMD inside the test's namespace $NS.
in_ns() { ip netns exec "$NS" "$@"; }

# setup_ns: the namespace $NS with lo up and tap0 192.168.77.1/24 (the
# guest's side of it is QEMU's `--net tap:tap0`); status 1 if this is not
# possible here (not root, no /dev/net/tun, no ip), why in $T/ns.err.
# The caller deletes the namespace (ip netns del "$NS") when done.
setup_ns() {
	[ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] && command -v ip >/dev/null || return 1
	ip netns add "$NS" 2>"$T/ns.err" || return 1
	in_ns ip link set lo up &&
		in_ns ip tuntap add dev tap0 mode tap &&
		in_ns ip addr add 192.168.77.1/24 dev tap0 &&
		in_ns ip link set tap0 up
}
