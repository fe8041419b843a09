# lib.sh — shell code shared by the test scripts (tests/run.sh,
# tests/images/plain_qemu.sh, tests/images/fbcon_screenshot.sh): the
# PASS/FAIL bookkeeping, and booting a disk image with plain
# qemu-system-x86_64 + OVMF.  Sourced, never run: the script cd's to the
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
