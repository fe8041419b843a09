#!/usr/bin/env bash
# console.sh — the guest's console under QEMU (`wasmetal run`) carries
# every byte the guest writes, even when its reader is slow.  Boots
# tests/kernel/console_flood.wasm, which writes N bytes of a known
# pattern (16-byte lines of their own offset):
#
#   console/backpressure_no_loss   200000 bytes; the reader takes one
#                                  byte, then stops reading for 3 s (the
#                                  CLI's stdout pipe and QEMU's chardev
#                                  fill, the UART stays busy), then reads
#                                  the rest: all 200000 bytes, in order,
#                                  status 0.  (The kernel used to drop a
#                                  console byte after 100000 polls of a
#                                  busy UART: ~100 bytes lost per run.)
#
# Run from the top of the tree (tests/run.sh does); BUILD = build dir.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
B=${BUILD:-build}
W=$B/wasmetal
G=$B/tests/kernel/console_flood.wasm
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-console.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
TIMEOUT=120
N=200000

# what console_flood.wasm writes
python3 -c '
import sys
n = int(sys.argv[1])
out = bytearray()
for off in range(0, n, 16):
    out += b"%015x\n" % off
sys.stdout.buffer.write(bytes(out[:n]))' "$N" >"$T/want"

# dd reads exactly one byte (head -c would read a whole buffer).
timeout $((TIMEOUT + 10)) "$W" run --timeout "$TIMEOUT" --log "$T/kernel.log" "$G" "$N" \
	2>"$T/err" | { dd bs=1 count=1 status=none; sleep 3; cat; } >"$T/got"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
	fail console/backpressure_no_loss "exit status $rc" "$T/err"
elif ! cmp "$T/got" "$T/want" >"$T/cmp" 2>&1; then
	echo "$(wc -c <"$T/got") of $N bytes arrived" >>"$T/cmp"
	fail console/backpressure_no_loss "the console lost or changed bytes" "$T/cmp"
else
	pass "console/backpressure_no_loss ($N bytes, reader paused 3 s)"
fi
summary
