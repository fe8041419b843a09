# lib.sh — shell code shared by the test scripts (tests/run.sh,
# tests/images/plain_qemu.sh, tests/images/fbcon_screenshot.sh): the
# PASS/FAIL bookkeeping, booting a disk image with plain
# qemu-system-x86_64 + OVMF, and a network namespace with a TAP (tests/net/).
# Sourced, never run: the script cd's to the
# top of the tree first, and sets T (its scratch directory) and TIMEOUT
# (QEMU's time limit in seconds) before it boots anything.
#
# Every check prints "PASS name", "FAIL name (why)" and the evidence, or
# "SKIP name (why)" when it could not run here (counted as skipped, never
# as passed); summary, the script's last command, prints "skipped: NAME
# (WHY); ..." (when any was) and, as the last line, "N passed, N failed,
# N skipped", and fails if any check did.

npass=0
nfail=0
nskip=0
skipped=                # "NAME (WHY); ..." for the summary

pass() { echo "PASS $1"; npass=$((npass + 1)); }

# skip NAME WHY: a check that did not run here, and why.
skip() { skip_counted "$1 ($2)"; }

# skip_counted TEXT: "SKIP TEXT", counted and listed in the summary.
skip_counted() {
	echo "SKIP $1"
	nskip=$((nskip + 1))
	skipped="$skipped${skipped:+; }$1"
}

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

# The skipped count is always on the last line (also "0 skipped"), after
# "N passed, N failed", which readers and scripts look for (README,
# "Tests"); what was skipped and why, on the line before it.
summary() {
	[ -n "$skipped" ] && echo "skipped: $skipped"
	echo "$npass passed, $nfail failed, $nskip skipped"
	[ "$nfail" -eq 0 ]
}

# ---- verdicts on the output of test programs --------------------------------
# Each sets WHY and returns 1 when the program's output does not prove that
# it ran to its end and passed; tests/harness/selftest.sh feeds them
# outputs that must be refused.

# unit_results NAME OUT ERR RC: a unit test program (tests/unit/check.h):
# its PASS, FAIL and SKIP lines count as NAME's checks; it must end with
# the summary "N passed, N failed, N skipped" that agrees with its lines,
# and exit 0 exactly when no line is a FAIL; else one more failure, NAME.
unit_results() {
	local name=$1 out=$2 err=$3 rc=$4 word rest p=0 f=0 s=0 want
	while read -r word rest; do
		case "$word" in
		PASS) pass "$name: $rest"; p=$((p + 1)) ;;
		FAIL) echo "FAIL $name: $rest"; nfail=$((nfail + 1)); f=$((f + 1)) ;;
		SKIP) skip_counted "$name: $rest"; s=$((s + 1)) ;;
		esac
	done <"$out"
	[ "$f" -gt 0 ] && [ -s "$err" ] && sed 's/^/    | /' "$err" | head -n 40
	want="$p passed, $f failed, $s skipped"
	if [ "$(tail -n 1 "$out")" != "$want" ]; then
		fail "$name" "exit status $rc, and its last line is not the summary '$want'" \
			"$err" "$out"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail "$name" "exit status $rc with no FAIL line" "$err" "$out"
	elif [ "$rc" -eq 0 ] && [ "$f" -gt 0 ]; then
		fail "$name" "FAIL lines, yet exit status 0" "$out"
	fi
}

# selfcheck_ok OUT: the output of a self-checking WASI program
# (tests/wasi/wt.h, check_wasi_calls.c): no FAIL line, and as its last
# line the summary "N ok", N > 0 and equal to its "ok" lines.
selfcheck_ok() {
	local out=$1 n last
	last=$(tail -n 1 "$out" | tr -d '\r')
	n=$(grep -c '^ok ' "$out")
	WHY=
	if grep -q '^FAIL' "$out"; then
		WHY="FAIL lines"
	elif ! printf '%s\n' "$last" | grep -Eqx '[0-9]+ ok'; then
		WHY="no final 'N ok' line: it stopped before its end"
	elif [ "${last% ok}" != "$n" ] || [ "$n" -eq 0 ]; then
		WHY="the summary '$last' does not count its $n ok lines"
	fi
	[ -z "$WHY" ]
}

# trap_ok RC REPORT MESSAGE: a run that must have trapped with MESSAGE:
# exit status exactly 134 (a crash, 139, a timeout, 125 or a kernel panic,
# 70, is no trap), the line "wasm trap: MESSAGE" exactly, then frames
# "  #0 func[N] NAME at wasm offset 0xX".
trap_ok() {
	local rc=$1 report=$2 msg=$3
	WHY=
	if [ "$rc" -ne 134 ]; then
		WHY="exit status $rc, expected 134 (a trap)"
	elif ! tr -d '\r' <"$report" | grep -Fqx "wasm trap: $msg"; then
		WHY="no line 'wasm trap: $msg' in the report"
	elif ! tr -d '\r' <"$report" | grep -Eq '^  #0 func\[[0-9]+\] .* at wasm offset 0x[0-9a-f]+$'; then
		WHY="the report has no frame '#0 func[N] ... at wasm offset 0x...'"
	fi
	[ -z "$WHY" ]
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

# ---- many clients through QEMU's user-networking port forward ---------------

# par_curl N OUTDIR URL: N curl clients at once (xargs -P N), client i
# writing its body to OUTDIR/i and its HTTP status to OUTDIR/codes.
# OUTDIR/retried lists the clients that stalled once and were run again.
#
# Why a retry at all: QEMU listens for a `-p`/hostfwd forward with a
# listen backlog of one (libslirp's tcp_listen; `ss -ltn` shows Send-Q 1),
# and under TCG it accepts slowly.  When 100 clients connect at once the
# host kernel's accept queue overflows: it drops their handshakes' last
# ACKs (net.ipv4.tcp_abort_on_overflow=0), the clients think they are
# connected, and a client whose handshake the kernel finally gives up on
# waits for an answer that cannot come (seen in CI: 99 bodies right, one
# "Operation timed out after 120001 milliseconds with 0 bytes received").
# That stall is on the host, outside the guest, so a client that received
# nothing in 40 s (curl status 28, empty body) is run once more and
# counted; any other error, a second stall or a wrong body fails the test.
# The guest's own stack takes 100 clients at once without any retry over
# the TAP (tests/net/tap_netns.sh net/tap/parallel-100).
par_curl() {
	local n=$1 dir=$2 url=$3
	mkdir -p "$dir" && : >"$dir/retried"
	seq 1 "$n" | xargs -P "$n" -I{} bash -c '
		dir=$1 i=$2 url=$3
		get() { curl -sS -m 40 -o "$dir/$i" -w "%{http_code}" "$url" 2>>"$dir/err.$i"; }
		code=$(get); rc=$?
		if [ "$rc" -eq 28 ] && [ ! -s "$dir/$i" ]; then
			echo "$i" >>"$dir/retried"
			code=$(get); rc=$?
		fi
		echo "$code" >>"$dir/codes"
		exit 0' _ "$dir" {} "$url"
	cat "$dir"/err.* >"$dir/err" 2>/dev/null
	return 0
}

# boot_line_ok LOG: the kernel's boot timeline line (kernel/boottime.h) is
# on LOG once, in its shape: "boot: entry->_start N us (pvh N, early N,
# mm N, acpi N, tsc N, irq N, bundle N, devices N, net N, load N,
# instance N; log output N)", the phases sum to at most N and the log
# output is at most N.  Timings themselves are never asserted (a shared,
# loaded host).  Prints why on stdout when not.
boot_line_ok() {
	local re='boot: entry->_start [0-9]+ us \(pvh [0-9]+, early [0-9]+, mm [0-9]+, acpi [0-9]+, tsc [0-9]+, irq [0-9]+, bundle [0-9]+, devices [0-9]+, net [0-9]+, load [0-9]+, instance [0-9]+; log output [0-9]+\)$'
	local n
	n=$(tr -d '\r' <"$1" | grep -acE "$re")
	if [ "$n" != 1 ]; then
		echo "$n boot timeline lines of the expected shape on the log"
		return 1
	fi
	tr -d '\r' <"$1" | grep -aoE "$re" | tr -d '(),;' | awk '{
		total = $3; sum = 0
		for (i = 5; i <= NF - 3; i += 2) sum += $(i + 1)
		if (sum > total) { print "phases sum to " sum " us > total " total; exit 1 }
		if ($NF > total) { print "log output " $NF " us > total " total; exit 1 }
	}'
}
