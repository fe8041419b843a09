#!/usr/bin/env bash
# check-asan.sh — `make check-asan`: the hosted tests under AddressSanitizer,
# UndefinedBehaviorSanitizer and LeakSanitizer (the SAN=1 build, BUILD,
# default build-asan; the Makefile builds it first).
#
#   1. tests/run.sh without QEMU and without the libFuzzer short runs: the
#      unit tests, the hosted WASI programs (differential, traps,
#      self-checking, preopens), tests/net/net.sh, the fault sweep
#      (tests/fault/sweep.sh, here with FAULT_STEP=1: every allocation,
#      reservation, commit and code-page request of its runs failed in
#      turn, LeakSanitizer at each exit), the spec suite (and its
#      truncation sweep)
#   1b. san/wasm_stack_switch_annotated: ASan knows the Wasm stack (below)
#   2. every sanitizer report written during 1 is a failure, even in a
#      process whose status no check looked at: the runtimes write their
#      reports to files (log_path), listed and shown here.
#
# A report also makes the process exit with status 86, which no test
# expects.  The last line is "N passed, N failed"; status 1 if any failed.
set -u
exec </dev/null
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

B=${BUILD:-build-asan}
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-asan.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
R=$T/reports
mkdir -p "$R"

# Reports to files (pid-suffixed), status 86; leaks checked at every exit.
# handle_segv stays on: the runtime's own handler (host/plat_host.c) takes
# the Wasm faults and hands every other one to ASan's.
export ASAN_OPTIONS="log_path=$R/asan:exitcode=86:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="log_path=$R/ubsan:print_stacktrace=1:halt_on_error=1:exitcode=86"
export LSAN_OPTIONS="exitcode=86"

if [ ! -x "$B/wasmetal" ]; then
	fail san/build "$B/wasmetal not built (make check-asan builds it)"
	summary
	exit
fi

# counts FILE NAME: the PASS/FAIL lines of script NAME's output (in FILE)
# (and SKIP) count here; without its final "N passed, N failed[, N skipped]"
# line it did not finish.
counts() {
	local word rest
	while read -r word rest; do
		case "$word" in
		PASS) npass=$((npass + 1)) ;;
		FAIL) nfail=$((nfail + 1)) ;;
		SKIP) skip_counted "$rest" ;;
		esac
	done <"$1"
	grep -Eq '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$1" ||
		fail "$2" "$(basename "$2") did not finish" "$1"
}

# (WASMETAL_SANITIZED: tests that need `ulimit -v` skip, ASan cannot start
# under it;
# UNIT_TIMEOUT: the unit tests run 3-4 times slower under the sanitizers;
# test_module's truncation and mutation sweeps take ~30 s of CPU here;
# SPEC_TIMEOUT: the truncation sweep of br_table.wast, likewise)
BUILD=$B WASMETAL_SANITIZED=1 WASMETAL_SKIP_QEMU=1 WASMETAL_SKIP_FUZZ=1 FAULT_STEP=1 UNIT_TIMEOUT=600 SPEC_TIMEOUT=600 tests/run.sh |
	tee "$T/run.out"
counts "$T/run.out" tests/run.sh

# Regression, named after what broke: ASan must know about the Wasm stack
# (jit/instance.c plat_stack_enter/leave -> host/plat_host.c's
# __sanitizer_start/finish_switch_fiber).  A host function's trap unwinds C
# frames on the Wasm stack (jit_host_call -> jit_unwind, noreturn); without
# the annotations ASan refuses that __asan_handle_no_return ("WARNING: ASan
# is ignoring requested __asan_handle_no_return ... False positive error
# reports may follow") and the stale poison later reads as a
# stack-buffer-underflow.  wasi_misc ends in such a trap (proc_raise).
wasm_stack_switch_annotated() {
	local r=$T/fiber rc
	mkdir -p "$r"
	ASAN_OPTIONS="log_path=$r/asan:exitcode=86:detect_leaks=1:detect_stack_use_after_return=1" \
		timeout 300 "$B/wasmetal" run --hosted "$B/tests/wasi/wasi_misc.wasm" \
		>"$T/fiber.out" 2>"$T/fiber.err"
	rc=$?
	if [ "$rc" -eq 134 ] && grep -q '^wasm trap: host function error: proc_raise' "$T/fiber.err" &&
		[ -z "$(ls -A "$r")" ]; then
		pass san/wasm_stack_switch_annotated
	else
		fail san/wasm_stack_switch_annotated "status $rc, or a sanitizer report" \
			"$T/fiber.err" "$r"/*
	fi
}
wasm_stack_switch_annotated

# 2. the reports
n=0
for f in "$R"/*; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	fail "san/report-$(basename "$f")" "a sanitizer report" "$f"
done
[ "$n" -eq 0 ] && pass "san/no-sanitizer-reports"
summary
