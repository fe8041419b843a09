#!/usr/bin/env bash
# idle.sh — the kernel sleeps instead of spinning, and interrupts wake it
# (issue 7: "Idle means hlt until the next interrupt").  Boots
# tests/kernel/sleep_then_read.wasm under QEMU (`wasmetal run`):
#
#   idle/timer_wakes    a 1 s sleep ends after at least 1 s (the APIC
#                       timer's interrupt ends the hlt at the deadline)
#   idle/console_irq    input sent 3 s after the guest starts waiting on
#                       stdin wakes it long before its 60 s timeout (the
#                       console UART's interrupt)
#   idle/no_spin        QEMU's CPU time for a 9 s sleep exceeds that of a
#                       1 s sleep by less than 3 s (a spinning wait costs
#                       the whole 8 s; firmware and boot cost the same in
#                       both runs)
#   idle/irq_clean      the kernel log ends with no unexpected interrupt
#
# Run from the top of the tree (tests/run.sh does); BUILD = build dir.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
B=${BUILD:-build}
W=$B/wasmetal
G=$B/tests/kernel/sleep_then_read.wasm
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-idle.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
TIMEOUT=120

# boot SECONDS INPUT_DELAY NAME: run the guest, input "ping" after
# INPUT_DELAY s (or none: "-"); CPU seconds of the whole run (wasmetal +
# QEMU, children included) into $T/NAME.cpu.
boot() {
	local secs=$1 delay=$2 name=$3
	{
		if [ "$delay" != - ]; then sleep "$delay"; printf 'ping\n'; fi
	} | /usr/bin/time -f '%U %S' -o "$T/$name.time" \
		timeout $((TIMEOUT + 10)) "$W" run --timeout "$TIMEOUT" --log "$T/$name.log" \
		"$G" "$secs" >"$T/$name.out" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
	awk '{ printf "%.2f\n", $1 + $2 }' "$T/$name.time" >"$T/$name.cpu"
}

boot 1 7 wake
if [ "$(cat "$T/wake.rc")" = 0 ] && grep -q '^slept at least as asked$' "$T/wake.out"; then
	pass idle/timer_wakes
else
	fail idle/timer_wakes "status $(cat "$T/wake.rc")" "$T/wake.out" "$T/wake.err"
fi
if grep -q '^input after less than 50 s$' "$T/wake.out" &&
	grep -q '^read 5 bytes: ping$' "$T/wake.out"; then
	pass idle/console_irq
else
	fail idle/console_irq "the input did not wake the guest" "$T/wake.out" "$T/wake.err"
fi
if grep -q 'irq: .* 0 unexpected' "$T/wake.log"; then
	pass idle/irq_clean
else
	fail idle/irq_clean "unexpected interrupts or no irq line" "$T/wake.log"
fi

boot 1 - short
boot 9 - long
if [ "$(cat "$T/short.rc")" = 0 ] || [ "$(cat "$T/long.rc")" = 0 ]; then
	: # stdin at EOF: poll says ready, read returns 0: "read 0 bytes"
fi
short=$(cat "$T/short.cpu") long=$(cat "$T/long.cpu")
if [ "$(cat "$T/long.rc")" = 0 ] && grep -q '^slept at least as asked$' "$T/long.out" &&
	awk -v s="$short" -v l="$long" 'BEGIN { exit !(l - s < 3) }'; then
	pass "idle/no_spin (CPU: 1 s sleep ${short} s, 9 s sleep ${long} s)"
else
	fail idle/no_spin "CPU: 1 s sleep ${short} s, 9 s sleep ${long} s, status $(cat "$T/long.rc")" \
		"$T/long.out" "$T/long.err"
fi
summary
