#!/usr/bin/env bash
# fbcon_screenshot.sh — the framebuffer console (drivers/fbcon.c) draws the
# guest's output (issue 4: "a VM's screenshot shows the output").  Boots
# tests/images/fbcon_prog.c with `wasmetal run` and a display device
# (WASMETAL_QEMU_DISPLAY=none adds -device VGA: OVMF then provides GOP),
# waits for its "READY" on the console while it blocks reading stdin,
# takes a screendump through the QEMU monitor, and compares every pixel
# with what tests/images/fbcon_screen.mjs renders from the program's
# output (stdout and stderr, in the order it writes them) and the font
# the kernel linked (build/kernel/font/fbcon_font.psf); then
# closes stdin and expects exit status 0.  Two boots with different text
# ("lines": a few lines and a stderr line; "scroll": scrolling, wrapping,
# \t \r \b, UTF-8 and escape sequences); their screenshots must differ.
# Then examples/hello as an image (`wasmetal image`) booted by plain QEMU,
# its default VGA included, checked the same way after its power-off.
# The screenshots are kept as build/tests/images/fbcon_*.png.
#
# Prints "PASS name" / "FAIL name (why)" lines and "N passed, N failed";
# exit status 1 if any failed.  Run from anywhere; BUILD (default build).
set -u
cd "$(dirname "$0")/../.." || exit 1

. tests/lib.sh

B=${BUILD:-build}
W=$B/wasmetal
FONT=$B/kernel/font/fbcon_font.psf
SCREEN="node --no-warnings tests/images/fbcon_screen.mjs"
TIMEOUT=${WASMETAL_QEMU_TIMEOUT:-180}
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-fbcon.XXXXXX") || exit 1
KEEP=$B/tests/images
qpid=

cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# The evidence is console output: its end, escape sequences made visible.
excerpt() { tail -n 30 "$1" | cat -v; }

# wait_for PATTERN FILE: until FILE has a line matching PATTERN (0), or
# the run $qpid ended (1).
wait_for() {
	local i
	for ((i = 0; i < TIMEOUT * 4; i++)); do
		grep -q "$1" "$2" 2>/dev/null && return 0
		kill -0 "$qpid" 2>/dev/null || return 1
		sleep 0.25
	done
	return 1
}

# shot NAME ARGS...: boot, screendump, compare; the PPM is left in $T.
shot() {
	local name=$1 out=$T/$1.out err=$T/$1.err ok=0 try rc
	shift
	rm -f "$T/in" "$T/mon.sock"
	mkfifo "$T/in" || return 1
	# q35 whatever the default: the framebuffer is the UEFI firmware's
	# (GOP); a microvm boot has no firmware and no display
	WASMETAL_QEMU_DISPLAY=none \
	WASMETAL_QEMU_MONITOR="unix:$T/mon.sock,server=on,wait=off" \
		timeout "$TIMEOUT" "$W" run --machine q35 "$T/prog.wasm" "$@" \
		<"$T/in" >"$out" 2>"$err" &
	qpid=$!
	exec 7>"$T/in"          # the guest's stdin stays open until we close it
	if ! wait_for '^READY$' "$out"; then
		exec 7>&-
		wait "$qpid"
		fail "fbcon/$name" "no READY on the console (status $?)" "$out" "$err"
		qpid=
		return 1
	fi
	# The screen has stdout and stderr together, the CLI gives them apart
	# (issue 8): fbcon_prog writes its stdout, flushed, then one stderr
	# line, then READY; so the screen's text is that, in that order.
	if ! wait_for 'stderr' "$err" || [ "$(tail -n 1 "$out")" != READY ]; then
		exec 7>&-
		wait "$qpid"
		fail "fbcon/$name" "no stderr line, or output after READY" "$out" "$err"
		qpid=
		return 1
	fi
	{ sed '$d' "$out"; cat "$err"; tail -n 1 "$out"; } >"$T/$name.screen.txt"
	# The kernel draws before it writes to the serial port, so the screen
	# is complete by now; retry anyway, QEMU may refresh its copy late.
	for try in 1 2 3; do
		rm -f "$T/$name.ppm"
		if $SCREEN dump "$T/mon.sock" "$T/$name.ppm" 2>"$T/$name.dump" &&
		   $SCREEN check "$T/$name.ppm" "$FONT" "$T/$name.screen.txt" \
			"$KEEP/fbcon_$name.png" >"$T/$name.check" 2>&1; then
			ok=1
			break
		fi
		sleep 1
	done
	exec 7>&-               # end of input: the program exits 0
	wait "$qpid"
	rc=$?
	qpid=
	if [ "$ok" != 1 ]; then
		fail "fbcon/$name" "the screen is not the console's text" \
			"$T/$name.dump" "$T/$name.check" "$out" "$err"
	elif [ "$rc" != 0 ]; then
		fail "fbcon/$name" "exit status $rc after end of input" "$out" "$err"
	else
		pass "fbcon/$name: $(cat "$T/$name.check")"
	fi
}

# The examples/hello image, as an operator would boot it: plain QEMU (its
# default machine has a VGA), console on the first serial port, the log
# on the second; -no-shutdown keeps the screen after the ACPI power-off.
plain_hello() {
	local name=plain-hello img=$T/hello.img marked
	if ! find_ovmf || ! "$W" image "$B/examples/hello.wasm" -o "$img" -- one two \
		>"$T/image.err" 2>&1 || ! ovmf_qemu raw "$img"; then
		fail "fbcon/$name" "no OVMF, or wasmetal image failed" "$T/image.err"
		return
	fi
	rm -f "$T/mon.sock"
	"${QEMU[@]}" -serial "file:$T/com1" -serial "file:$T/com2" -display none \
		-monitor "unix:$T/mon.sock,server=on,wait=off" -no-shutdown \
		</dev/null >"$T/qemu.err" 2>&1 &
	qpid=$!
	wait_for 'exit status' "$T/com2"
	after_mark "$T/com1" >"$T/$name.out"
	marked=$?
	if ! grep -q 'exit status 0' "$T/com2" 2>/dev/null || [ "$marked" != 0 ]; then
		fail "fbcon/$name" "no exit status 0 or no console mark" "$T/com2" "$T/qemu.err"
	elif $SCREEN dump "$T/mon.sock" "$T/$name.ppm" 2>"$T/$name.dump" &&
	     $SCREEN check "$T/$name.ppm" "$FONT" "$T/$name.out" "$KEEP/fbcon_$name.png" \
		>"$T/$name.check" 2>&1 &&
	     grep -q 'Hello from WebAssembly' "$T/$name.out"; then
		pass "fbcon/$name: $(cat "$T/$name.check")"
	else
		fail "fbcon/$name" "the screen is not the console's text" \
			"$T/$name.dump" "$T/$name.check" "$T/$name.out"
	fi
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	qpid=
}

setup() {
	mkdir -p "$KEEP" || return 1
	[ -x "$W" ] && [ -s "$FONT" ] || { echo "run make first" >"$T/cc.err"; return 1; }
	clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$T/prog.wasm" \
		tests/images/fbcon_prog.c 2>"$T/cc.err"
}

if setup; then
	shot lines "lines" "Hello from the framebuffer console" \
		"second line: 0123456789 ~!@#\$%^&*()_+{}|:<>?"
	shot scroll "scroll"
	plain_hello
	if [ -s "$T/lines.ppm" ] && [ -s "$T/scroll.ppm" ]; then
		if cmp -s "$T/lines.ppm" "$T/scroll.ppm"; then
			fail fbcon/differ "two programs' screenshots are identical"
		else
			pass "fbcon/differ: two programs, two different screens"
		fi
	else
		fail fbcon/differ "a screenshot is missing"
	fi
else
	fail fbcon/setup "cannot build tests/images/fbcon_prog.c" "$T/cc.err"
fi

summary
