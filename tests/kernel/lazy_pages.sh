#!/usr/bin/env bash
# lazy_pages.sh — issue 11, "nothing slow on the way to _start": the kernel
# maps Wasm linear memories and stacks on first touch, their frames
# reserved at commit (mm/vmm.h).  Boots the tests/kernel/lazy_*.wat
# programs (built here with wat2wasm) on MACHINE (argument or
# $LAZY_MACHINE: q35, the default, or microvm) with the kernel log kept:
#
#   lazy/M/big_memory      896 MiB of memory in the 1 GiB guest, four pages
#                          far apart written and read back, untouched ones
#                          read zero; the log says at most 64 pages were
#                          mapped on first touch while the whole memory was
#                          reserved (before this issue every page was
#                          allocated and zeroed: the log had no such line)
#   lazy/M/grow_zero       memory.grow's new pages read zero, first touched
#                          by loads, memory.fill, memory.copy
#   lazy/M/wasi_read       the kernel's C code (args_get, fd_read of stdin,
#                          random_get) is the first to touch pages
#   lazy/M/stack_overflow  recursion on a lazily mapped stack still ends in
#                          the trap "call stack exhausted" (status 134)
#   lazy/M/oob_near        a load one byte past a 2-page memory still traps
#                          ("out of bounds memory access", status 134)
#   lazy/M/oom             memory.grow by 2 GiB fails (-1), 101 times, and
#                          leaves nothing reserved: a grow by 512 MiB then
#                          works and reads zero
#   lazy/M/released        after each run the log says no frame is still
#                          reserved (freeing an instance gives back what
#                          it did not touch)
#
# and, with MACHINE q35, the same programs hosted (lazy/hosted/*: Linux's
# own lazy pages; there the 2 GiB grow succeeds).
# Run from the top of the tree (tests/run.sh does); BUILD = build dir.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
B=${BUILD:-build}
W=$B/wasmetal
M=${1:-${LAZY_MACHINE:-q35}}
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-lazy.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
TIMEOUT=120
BIG_PAGES=$((14336 * 16))       # lazy_big_memory.wat's frames

for w in big_memory grow_zero wasi_read stack_overflow oob_near oom; do
	if ! wat2wasm tests/kernel/lazy_$w.wat -o "$T/$w.wasm" 2>"$T/wat.err"; then
		fail "lazy/$M/build" "wat2wasm lazy_$w.wat failed" "$T/wat.err"
		summary
		exit
	fi
done

# run MODE NAME INPUT ARGS...: MODE hosted or a machine; INPUT for stdin;
# $T/NAME.{out,err,log,rc}
run() {
	local mode=$1 name=$2 input=$3 how=(--machine "$1" --log "$T/$2.log")
	shift 3
	[ "$mode" = hosted ] && how=(--hosted)
	: >"$T/$name.log"
	printf '%s' "$input" | timeout $((TIMEOUT + 10)) "$W" run --timeout "$TIMEOUT" \
		"${how[@]}" "$@" >"$T/$name.out" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
}

# The kernel's last memory line: "memory: N pages mapped on first touch;
# R frames still reserved, at most P at once" -> TOUCHED RESERVED PEAK
lazy_line() {
	sed -n 's/.*memory: \([0-9]*\) pages mapped on first touch; \([0-9]*\) frames still reserved, at most \([0-9]*\) at once.*/\1 \2 \3/p' "$1" | tail -n 1
}

selfcheck() {    # NAME FILE-PREFIX: status 0 and a passing "N ok" output
	if [ "$(cat "$2.rc")" != 0 ]; then
		fail "$1" "exit status $(cat "$2.rc")" "$2.out" "$2.err"
	elif ! selfcheck_ok "$2.out"; then
		fail "$1" "$WHY" "$2.out" "$2.err"
	else
		return 0
	fi
	return 1
}

expect_out() {   # NAME FILE-PREFIX WANT-FILE
	if [ "$(cat "$2.rc")" != 0 ]; then
		fail "$1" "exit status $(cat "$2.rc")" "$2.out" "$2.err"
	elif ! tr -d '\r' <"$2.out" | cmp -s - "$3"; then
		tr -d '\r' <"$2.out" | diff -u --label expected "$3" --label wasmetal - >"$T/diff"
		fail "$1" "output differs" "$T/diff" "$2.err"
	else
		return 0
	fi
	return 1
}

checks() {       # MODE
	local mode=$1 p=$T/$1 l touched reserved peak
	run "$mode" "$mode-big" '' "$T/big_memory.wasm"
	if selfcheck "lazy/$mode/big_memory" "$p-big"; then
		if [ "$mode" = hosted ]; then
			pass "lazy/$mode/big_memory"
		else
			read -r touched reserved peak _ <<<"$(lazy_line "$p-big.log") - - -"
			if [ "$touched" = - ] || [ "$touched" -gt 64 ] || [ "$peak" -lt "$BIG_PAGES" ]; then
				fail "lazy/$mode/big_memory" "mapped on first touch: $touched pages (at most 64), reserved at most $peak frames (at least $BIG_PAGES)" "$p-big.log"
			else
				pass "lazy/$mode/big_memory ($touched pages mapped on first touch, $peak frames reserved)"
			fi
		fi
	fi
	run "$mode" "$mode-grow" '' "$T/grow_zero.wasm"
	selfcheck "lazy/$mode/grow_zero" "$p-grow" && pass "lazy/$mode/grow_zero"
	run "$mode" "$mode-read" $'lazy input\n' "$T/wasi_read.wasm" alpha "beta gamma"
	printf '%s\n' "$T/wasi_read.wasm" alpha "beta gamma" "read 11: lazy input" \
		"ok random_get filled four untouched pages" "1 ok" >"$T/read.want"
	expect_out "lazy/$mode/wasi_read" "$p-read" "$T/read.want" && pass "lazy/$mode/wasi_read"
	run "$mode" "$mode-stack" '' "$T/stack_overflow.wasm"
	if ! trap_ok "$(cat "$p-stack.rc")" "$p-stack.err" 'call stack exhausted'; then
		fail "lazy/$mode/stack_overflow" "$WHY" "$p-stack.out" "$p-stack.err"
	elif [ "$(tr -d '\r' <"$p-stack.out")" != recursing ]; then
		fail "lazy/$mode/stack_overflow" "stdout is not 'recursing'" "$p-stack.out"
	else
		pass "lazy/$mode/stack_overflow"
	fi
	run "$mode" "$mode-oob" '' "$T/oob_near.wasm"
	if ! trap_ok "$(cat "$p-oob.rc")" "$p-oob.err" 'out of bounds memory access'; then
		fail "lazy/$mode/oob_near" "$WHY" "$p-oob.out" "$p-oob.err"
	elif [ "$(tr -d '\r' <"$p-oob.out")" != 'before the load' ]; then
		fail "lazy/$mode/oob_near" "stdout is not 'before the load'" "$p-oob.out"
	else
		pass "lazy/$mode/oob_near"
	fi
	run "$mode" "$mode-oom" '' "$T/oom.wasm"
	if [ "$mode" = hosted ]; then
		echo 'big grow: succeeded' >"$T/oom.want"
	else
		printf '%s\n' 'big grow: failed' '100 big grows failed' 'grow 8192: ok' >"$T/oom.want"
	fi
	expect_out "lazy/$mode/oom" "$p-oom" "$T/oom.want" && pass "lazy/$mode/oom"
	[ "$mode" = hosted ] && return
	for l in big grow read stack oob oom; do
		read -r touched reserved peak _ <<<"$(lazy_line "$p-$l.log") - - -"
		if [ "$reserved" != 0 ]; then
			fail "lazy/$mode/released" "after $l: '$reserved' frames still reserved" "$p-$l.log"
			return
		fi
	done
	pass "lazy/$mode/released"
}

checks "$M"
[ "$M" = q35 ] && checks hosted
summary
