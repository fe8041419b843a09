#!/usr/bin/env bash
# run.sh — the `make test` driver (run from the top of the tree by make).
#
#   1. unit tests: every build/tests/unit/test_* program (their PASS, FAIL
#      and SKIP lines are counted; a program that crashes, exits non-zero
#      without a FAIL line or does not end with its summary line counts as
#      one failure)
#   2. hosted differential tests: each WASI program under node's WASI
#      (tests/node_wasi.mjs) and `wasmetal run --hosted` with the same
#      args/env; stdout and exit status must be identical
#   3. expected traps (oob_*): the exact report on stderr, status 134; and
#      the self-checking programs (check_*), wasmetal only, status 0 and a
#      final "N ok"
#   3a. the exit status and the names of errors
#      (tests/cli/exit_and_errors.sh): proc_exit statuses that do not fit,
#      unknown imports, resources that cannot be allocated, hosted and
#      under QEMU
#   3a'. artifacts (tests/cli/artifact.sh): `wasmetal compile`, .wmo run
#      hosted like its .wasm, corrupted/truncated ones refused
#   3a''. the LLVM backend from the CLI (tests/cli/llvm.sh): its artifacts,
#      the cache of `run --hosted --backend llvm`, its errors, traps; under
#      QEMU the preopen programs below from LLVM artifacts, and an image
#      booted by plain QEMU (~3.5 min, most of it LLVM compiles and boots)
#   3a'''. the profiler's symbol map (tests/cli/perfmap.sh): WASMETAL_PERFMAP=1
#      writes /tmp/perf-PID.map for both backends, nothing without it
#   3b. issue 4's WASI programs with preopened directories (--dir): the
#      self-checking wasi_* and adv_* programs (one check per program and
#      mode: status 0, no FAIL line, a final "N ok"), and the differential
#      fs_copy_list_env (stdout and status equal to node's), hosted and
#      under QEMU, each on a fresh copy of its input tree
#   3c. networking, hosted (tests/net/net.sh): the socket programs
#      (tests/wasi/sock_*) with their grants, examples/httpd against curl,
#      TCP and UDP echo, outbound fetch granted and refused, grant flags
#   3d. fault injection (tests/fault/sweep.sh) and the libFuzzer targets'
#      short runs (tests/fuzz/run.sh)
#   3e. differential fuzzing against V8 (tests/fuzz/diff/check.sh): a
#      short deterministic run of random modules and the kept findings
#   3e'. the v128 operand-form test (tests/opform/simd_forms.sh, issue 10):
#      every SIMD instruction, each operand in each form, against node;
#      a smaller module through the LLVM backend
#   4. QEMU boots (`wasmetal run`, no --hosted): the same programs booted
#      for real, then the QEMU scripts (images, console, network: 4b/4c
#      below); set WASMETAL_SKIP_QEMU=1 to leave them out
#   5. the WebAssembly spec testsuite, hosted and in one QEMU boot: one
#      check per .wast file; where the testsuite is absent, one SKIP per
#      mode, or a FAIL with WASMETAL_REQUIRE_TESTSUITE=1 (as .ci/run sets)
#   5b. a dozen of its files through the LLVM backend, hosted and in one
#      QEMU boot (`wasmetal spec --backend llvm`; make spec-llvm runs all):
#      each file's counts must be the single-pass run's of step 5
#   5c. the testsuite's proposals/ directories that wasmetal implements
#      (issue 10; run-suite.sh --proposals: extended-const, multi-memory,
#      tail-call, relaxed-simd, memory64, exception-handling;
#      the LLVM runs leave out those that backend refuses
#      (exception-handling): one SKIP each), hosted, in one
#      QEMU boot, and through the LLVM backend hosted and in one boot: one
#      check per .wast file and mode, each mode's counts the hosted run's
#   5d. the testsuite's simd_* files again hosted with the single-pass JIT
#      limited to SSE (SPEC_CPU=sse4.1,popcnt,lzcnt,bmi1: no AVX forms,
#      docs/simd.md "AVX"): each file's counts must be step 5's
#
# Every check prints "PASS name", "FAIL name (why)" and the evidence, or
# "SKIP name (why)"; a check that could not run is counted as skipped,
# never as passed.  The last line is "N passed, N failed, N skipped", the
# line before it (if any was skipped) "skipped: NAME (WHY); ..."; the exit
# status is 1 if any failed.
set -u
# No test reads the terminal: programs that need input get it explicitly.
# (A node run that inherits an open stdin can block in poll_oneoff.)
exec </dev/null
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
. tests/lib.sh

B=${BUILD:-build}
W=$B/wasmetal
NODE_WASI="node --no-warnings tests/node_wasi.mjs"
HOSTED_TIMEOUT=60
QEMU_TIMEOUT=${WASMETAL_QEMU_TIMEOUT:-180}
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-test.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

skip_qemu() { [ "${WASMETAL_SKIP_QEMU:-0}" = 1 ]; }
# The machine of every QEMU boot that names none (`wasmetal run`'s
# default, $WASMETAL_MACHINE, else microvm: issue 11); the WASI programs,
# the trap test and the spec suite run on the other machine as well.
# WASMETAL_MACHINE=q35 make test runs everything else on q35 instead.
MACHINE=${WASMETAL_MACHINE:-microvm}
case $MACHINE in
microvm) OTHER_MACHINE=q35 MSUF=-microvm ;;
q35) OTHER_MACHINE=microvm MSUF= ;;
*) echo "run.sh: WASMETAL_MACHINE wants q35 or microvm, got '$MACHINE'" >&2; exit 2 ;;
esac

# ---- 1. unit tests -----------------------------------------------------------
unit_tests() {
	local bin rc
	for bin in "$B"/tests/unit/test_*; do
		[ -f "$bin" ] && [ -x "$bin" ] || continue
		case "$bin" in *.d | *.o) continue ;; esac
		timeout "${UNIT_TIMEOUT:-120}" "$bin" >"$T/unit.out" 2>"$T/unit.err"
		rc=$?
		unit_results "unit/$(basename "$bin")" "$T/unit.out" "$T/unit.err" "$rc"
	done
}

# check_test NAME MODE spec...: a self-checking program (tests/wasi/check_*)
# run with wasmetal only: as selfcheck_test below.
check_test() { selfcheck_test "$@"; }

# ---- helpers for running one WASI program two ways -------------------------
# spec format for the runners: ENV... -- MODULE ARGS...
# (each ENV is NAME=VALUE, or dir:HOST[::GUEST] for a preopen; node and
# wasmetal take the same --env and --dir options; pool:CIDR[:PORTS] is an
# --addr-pool grant, for wasmetal only)
split_spec() {
	ENVS=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		case "$1" in
		dir:*) ENVS+=(--dir "${1#dir:}") ;;
		pool:*) ENVS+=(--addr-pool "${1#pool:}") ;;
		*) ENVS+=(--env "$1") ;;
		esac
		shift
	done
	shift
	MODULE=$1
	shift
	ARGS=("$@")
}

run_node() {    # -> $T/node.out, $T/node.err, $NODE_RC
	split_spec "$@"
	$NODE_WASI "${ENVS[@]}" "$MODULE" "${ARGS[@]}" >"$T/node.out" 2>"$T/node.err"
	NODE_RC=$?
}

# WM_OPTS: more options for `wasmetal run` (tests/cli/llvm.sh: --backend llvm)
WM_OPTS=()
# MODE qemu: a QEMU boot on the default machine ($MACHINE); q35 or
# microvm: on that one (microvm: PVH, no firmware).
run_wasmetal() {  # MODE(hosted|qemu|q35|microvm) spec -> $T/wm.out, $T/wm.err, $WM_RC
	local mode=$1 machine=()
	shift
	split_spec "$@"
	case $mode in q35 | microvm) machine=(--machine "$mode") ;; esac
	if [ "$mode" = hosted ]; then
		timeout "$HOSTED_TIMEOUT" "$W" run --hosted "${WM_OPTS[@]}" "${ENVS[@]}" \
			"$MODULE" "${ARGS[@]}" >"$T/wm.out" 2>"$T/wm.err"
	else
		timeout $((QEMU_TIMEOUT + 30)) "$W" run --timeout "$QEMU_TIMEOUT" "${machine[@]}" \
			"${WM_OPTS[@]}" "${ENVS[@]}" "$MODULE" "${ARGS[@]}" >"$T/wm.out" 2>"$T/wm.err"
	fi
	WM_RC=$?
}

# same_as_node NAME: after run_node and run_wasmetal, wasmetal's stdout and
# status are node's; if not, a FAIL line for NAME with the diff, status 1.
same_as_node() {
	local why
	if [ "$WM_RC" -ne "$NODE_RC" ]; then
		why="exit status $WM_RC, node says $NODE_RC"
	elif ! cmp -s "$T/node.out" "$T/wm.out"; then
		why="stdout differs from node's"
	else
		return 0
	fi
	diff -u --label node "$T/node.out" --label wasmetal "$T/wm.out" >"$T/diff" 2>&1
	fail "$1" "$why" "$T/diff" "$T/wm.err"
	return 1
}

# diff_test NAME MODE spec...: stdout and status equal to node's.
diff_test() {
	local name=$1 mode=$2
	shift 2
	run_node "$@"
	run_wasmetal "$mode" "$@"
	same_as_node "$name" && pass "$name"
}

# trap_test NAME MODE spec...: the trap report (on stderr, hosted and
# under QEMU: issue 8 finding 2): exactly "wasm trap: out of bounds memory
# access" and a frame with function index and offset, status exactly 134
# (a trap, not a runner failure, kernel panic or crash), and stdout
# starting with what node printed before the trap.
trap_test() {
	local name=$1 mode=$2 report
	shift 2
	run_node "$@"
	run_wasmetal "$mode" "$@"
	report=$T/wm.err
	# 134 = WASI_STATUS_TRAP, and nothing else: 124/125 = timeout or
	# boot failure, 70 = kernel panic, 139 = a crash (lib.sh, trap_ok)
	if ! trap_ok "$WM_RC" "$report" 'out of bounds memory access'; then
		fail "$name" "$WHY" "$T/wm.out" "$T/wm.err"
	elif ! head -c "$(wc -c <"$T/node.out")" "$T/wm.out" | cmp -s - "$T/node.out"; then
		diff -u --label node "$T/node.out" --label wasmetal "$T/wm.out" >"$T/diff" 2>&1
		fail "$name" "output before the trap differs from node's" "$T/diff"
	else
		pass "$name"
	fi
}

# expected_trap_test NAME MODE MODULE: as trap_test, with the output
# before the trap compared with tests/wat/NAME.out (exactly) instead of
# node's: for the multi-memory modules (issue 10), which node 20's V8
# cannot run.
expected_trap_test() {
	local name=$1 mode=$2 m=$3 want
	want=tests/wat/$(basename "$m" .wasm).out
	run_wasmetal "$mode" -- "$m"
	if ! trap_ok "$WM_RC" "$T/wm.err" 'out of bounds memory access'; then
		fail "$name" "$WHY" "$T/wm.out" "$T/wm.err"
	elif ! cmp -s "$want" "$T/wm.out"; then
		diff -u --label expected "$want" --label wasmetal "$T/wm.out" >"$T/diff" 2>&1
		fail "$name" "output before the trap differs from $want" "$T/diff"
	else
		pass "$name"
	fi
}

# The WASI programs and how each one is run (spec: ENV... -- MODULE ARGS...).
ARGS_ENV_SPEC=(GREETING=hello "EMPTY=" "WITH_EQ=a=b=c" "UTF8=héllo wörld" --
	"$B/tests/wasi/args_env_exit7.wasm" one "two words" "" "--flag" "ünï")

# simd_in_module NAME MODULE OP...: MODULE's code holds every v128
# instruction OP (wasm-objdump -d): if the toolchain stopped vectorising,
# the diff test of the program would no longer test SIMD.
simd_in_module() {
	local name=$1 m=$2 op missing=
	shift 2
	if ! wasm-objdump -d "$m" >"$T/objdump" 2>&1; then
		fail "$name" "wasm-objdump -d failed" "$T/objdump"
		return
	fi
	for op; do
		grep -qE "\| +$op( |\$)" "$T/objdump" || missing="$missing $op"
	done
	if [ -n "$missing" ]; then
		fail "$name" "no$missing in the module: built without -msimd128 or not vectorised?"
	else
		pass "$name ($(grep -cE '\| +(v128|[if](8|16|32|64)x(2|4|8|16))\.' "$T/objdump") v128 instructions)"
	fi
}
# tests/wasi/simd_loops.c: one instruction only each autovectorised loop
# gives (dot_i32, daxpy, minmax_sum_u8, adds_i16, to_i32_clamped's
# compare), then two of the intrinsics (count_matches, histogram)
SIMD_LOOPS_OPS=(i32x4.mul f64x2.mul i8x16.max_u i16x8.add_sat_s f32x4.lt i8x16.bitmask i8x16.popcnt)

# issue 10: tests/wasi/cxx_*.cpp, C++ built with em++ -fwasm-exceptions
# (the Makefile), compared with node.  CXX_EH_BACKENDS: the backends that
# run them, "single" (hosted and under QEMU: program_tests, qemu_tests)
# and "llvm" (`--backend llvm`, hosted and under QEMU: tests/cli/llvm.sh).
# A backend not listed: no check runs or is counted, a NOTE line says so.
export CXX_EH_BACKENDS=${CXX_EH_BACKENDS-single llvm}
cxx_eh_on() { case " $CXX_EH_BACKENDS " in *" $1 "*) return 0 ;; esac; return 1; }

# eh_in_module NAME MODULE: MODULE's code holds each instruction of the
# legacy exception-handling form (wasm-objdump -d): try, catch, catch_all,
# throw, rethrow, delegate; if the toolchain stopped emitting them (or
# moved to try_table), the diff test would no longer test them.
EH_OPS=(try catch catch_all throw rethrow delegate)
eh_in_module() {
	local name=$1 m=$2 op n missing='' seen=''
	if ! wasm-objdump -d "$m" >"$T/objdump" 2>&1; then
		fail "$name" "wasm-objdump -d failed" "$T/objdump"
		return
	fi
	for op in "${EH_OPS[@]}"; do
		n=$(grep -cE "\| +$op( |\$)" "$T/objdump")
		[ "$n" -gt 0 ] || missing="$missing $op"
		seen="$seen, $n $op"
	done
	if [ -n "$missing" ]; then
		fail "$name" "no$missing in the module: built without -fwasm-exceptions?"
	else
		pass "$name (${seen#, })"
	fi
}

program_tests() {
	local mode=$1 m name
	diff_test "$mode/args_env_exit7" "$mode" "${ARGS_ENV_SPEC[@]}"
	diff_test "$mode/args_env_exit7_noargs" "$mode" -- "$B/tests/wasi/args_env_exit7.wasm"
	diff_test "$mode/hello" "$mode" -- "$B/examples/hello.wasm" a "b c"
	for m in "$B"/tests/wasi/*.wasm; do
		[ -f "$m" ] || continue
		name=$(basename "$m" .wasm)
		case "$name" in
		args_env_exit7) ;;
		wasi_* | adv_* | fs_*) ;;       # preopen_tests
		sock_*) ;;                      # tests/net/net.sh (grants, ports)
		oob_*) trap_test "$mode/$name" "$mode" -- "$m" ;;
		check_*) check_test "$mode/$name" "$mode" -- "$m" ;;
		simd_loops)                     # -msimd128 (issue 10)
			[ "$mode" = hosted ] && simd_in_module "$name/has_v128" "$m" "${SIMD_LOOPS_OPS[@]}"
			diff_test "$mode/$name" "$mode" -- "$m" ;;
		cxx_*)                          # -fwasm-exceptions (issue 10)
			if ! cxx_eh_on single; then
				echo "NOTE $mode/$name: not run (CXX_EH_BACKENDS='$CXX_EH_BACKENDS' has no 'single')"
				continue
			fi
			[ "$mode" = hosted ] && eh_in_module "$name/has_eh" "$m"
			diff_test "$mode/$name" "$mode" -- "$m" ;;
		*) diff_test "$mode/$name" "$mode" -- "$m" ;;
		esac
	done
	for m in "$B"/tests/wat/*.wasm; do
		[ -f "$m" ] || continue
		name=wat/$(basename "$m" .wasm)
		case "$name" in
		wat/oob_*) trap_test "$mode/$name" "$mode" -- "$m" ;;
		wat/mm_oob_*) expected_trap_test "$mode/$name" "$mode" "$m" ;;
		*) diff_test "$mode/$name" "$mode" -- "$m" ;;
		esac
	done
}

# ---- 3b. WASI programs with preopened directories (issue 4) ----------------
# Input trees are made fresh for every run (node writes through to them;
# wasmetal copies them into its in-memory file system), symlinks included,
# since they are not committed.
make_data_tree() {      # DIR: tests/wasi/data + link_to_hello -> hello.txt
	rm -rf "$1" && mkdir -p "$1" && cp -R tests/wasi/data/. "$1"/ &&
		ln -s hello.txt "$1/link_to_hello"
}

make_adv_tree() {       # DIR: the tree tests/wasi/adv_escape.c describes
	local t=$1
	rm -rf "$t" && mkdir -p "$t/a/sub/deep" "$t/b" || return 1
	printf SECRET >"$t/secret.txt"
	printf inside >"$t/a/inside.txt"
	printf x >"$t/a/sub/deep/x.txt"
	printf bee >"$t/b/b.txt"
	ln -s /etc/passwd "$t/a/abs_etc"
	ln -s /b/b.txt "$t/a/abs_b"
	ln -s ../secret.txt "$t/a/up_secret"
	ln -s ../b/b.txt "$t/a/up_b"
	ln -s sub/deep/../../../secret.txt "$t/a/deep_up"
	ln -s ../../../../../../../etc "$t/a/sub/deep/upup"
	ln -s .. "$t/a/dir_up"
	ln -s chain2 "$t/a/chain1"
	ln -s chain3 "$t/a/chain2"
	ln -s ../secret.txt "$t/a/chain3"
	ln -s loop2 "$t/a/loop1"
	ln -s loop1 "$t/a/loop2"
	ln -s sub/deep/x.txt "$t/a/ok_link"
	ln -s sub/../inside.txt "$t/a/ok_dotdot"
	ln -s ../inside.txt "$t/a/sub/uplink"
}

# selfcheck_test NAME MODE spec...: a wasi_*/adv_*/check_* program: exit
# status 0, no FAIL line, and the summary "N ok" counting its ok lines as
# its last line (lib.sh, selfcheck_ok: a program that died half-way cannot
# pass).
selfcheck_test() {
	local name=$1 mode=$2
	shift 2
	run_wasmetal "$mode" "$@" </dev/null
	grep -v '^ok ' "$T/wm.out" >"$T/failed"
	if [ "$WM_RC" -ne 0 ]; then
		fail "$name" "exit status $WM_RC" "$T/failed" "$T/wm.err"
	elif ! selfcheck_ok "$T/wm.out"; then
		fail "$name" "$WHY" "$T/failed" "$T/wm.err"
	else
		pass "$name ($(tail -n 1 "$T/wm.out"))"
	fi
}

# wasi_misc ends by raising SIGTERM: the process must end there, right
# after its "N ok" line, as a trap (as Wasmtime: wasi_proc.c): exactly
# status 134 and the report "wasm trap: host function error:
# proc_raise(SIGTERM) unsupported" (where trap_test reads it); a crash,
# timeout, load error or kernel panic is no pass.
raise_test() {
	local name=$1 mode=$2 report=$T/wm.err
	shift 2
	run_wasmetal "$mode" "$@" </dev/null
	grep -v '^ok ' "$T/wm.out" >"$T/failed"
	if ! trap_ok "$WM_RC" "$report" 'host function error: proc_raise(SIGTERM) unsupported'; then
		fail "$name" "after proc_raise(SIGTERM): $WHY" "$T/failed" "$T/wm.err"
		return
	fi
	# its own output: the trap report is on stderr in both modes, so
	# a "wasm trap:" line on stdout would be the guest's own
	cp "$T/wm.out" "$T/wm.own"
	if ! selfcheck_ok "$T/wm.own"; then
		fail "$name" "$WHY" "$T/failed" "$T/wm.err"
	else
		pass "$name ($(tail -n 1 "$T/wm.own" | tr -d '\r'), status $WM_RC)"
	fi
}

# fs_copy_list_env under node, then wasmetal, each on fresh trees at the
# same paths; stdout and status must match.
fs_diff_test() {
	local name=$1 mode=$2 d=$T/fs spec
	spec=("dir:$d/in::/in" "dir:$d/out::/out" GREETING=hello "WITH_EQ=a=b=c" "EMPTY=" --
		"$B/tests/wasi/fs_copy_list_env.wasm" one "two words" "")
	make_data_tree "$d/in" && rm -rf "$d/out" && mkdir -p "$d/out"
	run_node "${spec[@]}" </dev/null
	make_data_tree "$d/in" && rm -rf "$d/out" && mkdir -p "$d/out"
	run_wasmetal "$mode" "${spec[@]}" </dev/null
	same_as_node "$name" || return
	if [ -n "$(ls -A "$d/out")" ] || [ ! -L "$d/in/link_to_hello" ] ||
		! diff -r -x link_to_hello tests/wasi/data "$d/in" >"$T/diff" 2>&1; then
		ls -lAR "$d" >"$T/tree" 2>&1
		fail "$name" "the host directories changed (writes must stay in memory)" "$T/tree"
	else
		pass "$name"
	fi
}

# preopen_tests MODE [PREFIX [WRAP]]: the checks are named PREFIX/PROGRAM
# (default MODE/PROGRAM); WRAP, a command, runs each as `WRAP VERDICT
# NAME MODE spec...` (tests/cli/llvm.sh: the same programs from LLVM
# artifacts, with a look at the kernel log after each).
preopen_tests() {
	local mode=$1 pre=${2:-$1} wrap=${3:-} w=$B/tests/wasi p
	for p in wasi_fd wasi_path wasi_clock_poll_random adv_rights adv_memory; do
		make_data_tree "$T/root"
		$wrap selfcheck_test "$pre/$p" "$mode" "dir:$T/root::/" WT_ENV=1 -- "$w/$p.wasm"
	done
	make_adv_tree "$T/adv"
	$wrap selfcheck_test "$pre/adv_escape" "$mode" "dir:$T/adv/a::/a" "dir:$T/adv/b::/b" -- \
		"$w/adv_escape.wasm"
	$wrap raise_test "$pre/wasi_misc" "$mode" WT_A=1 WT_B=x=y WT_EMPTY= -- \
		"$w/wasi_misc.wasm" alpha "beta gamma" "" "ünï"
	$wrap fs_diff_test "$pre/fs_copy_list_env" "$mode"
}

# ---- 2/3. hosted ----------------------------------------------------------
cli_tests() {
	local rc
	"$W" --version >"$T/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^wasmetal ' "$T/out"; then
		pass cli/version
	else
		fail cli/version "status $rc" "$T/out"
	fi
	"$W" run --hosted --no-such-option x.wasm >"$T/out" 2>&1
	rc=$?
	if [ $rc -eq 2 ] && grep -q 'unknown option' "$T/out"; then
		pass cli/usage_error
	else
		fail cli/usage_error "status $rc, expected 2 and 'unknown option'" "$T/out"
	fi
	printf '\0asm\1\0\0\0\1\5\1\140' >"$T/bad.wasm"    # truncated type section
	timeout "$HOSTED_TIMEOUT" "$W" run --hosted "$T/bad.wasm" >"$T/out" 2>&1
	rc=$?
	if [ $rc -eq 125 ] && grep -q '^wasmetal: invalid module: ' "$T/out"; then
		pass cli/invalid_module
	else
		fail cli/invalid_module "status $rc, expected 125 and 'invalid module'" "$T/out"
	fi
}

# ---- 4. QEMU ---------------------------------------------------------------
qemu_tests() {
	local f missing=
	if skip_qemu; then
		skip qemu "WASMETAL_SKIP_QEMU=1: no QEMU boot test ran"
		return
	fi
	for f in "$B/kernel.elf" "$B/BOOTX64.EFI"; do
		[ -f "$f" ] || missing="$missing $f"
	done
	if [ -n "$missing" ]; then
		fail qemu "not built:$missing"
		return
	fi
	diff_test qemu/hello qemu -- "$B/examples/hello.wasm" a "b c"
	preopen_tests qemu
	diff_test qemu/args_env_exit7 qemu "${ARGS_ENV_SPEC[@]}"
	diff_test qemu/printf_formats qemu -- "$B/tests/wasi/printf_formats.wasm"
	trap_test qemu/wat/oob_store qemu -- "$B/tests/wat/oob_store.wasm"
	expected_trap_test qemu/wat/mm_oob_memory1_store qemu "$B/tests/wat/mm_oob_memory1_store.wasm"
	check_test qemu/check_wasi_calls qemu -- "$B/tests/wasi/check_wasi_calls.wasm"
	# issue 10: the -msimd128 program booted (tests/README.md said it was;
	# it was hosted and LLVM only), and the proposals' WASI programs
	# (docs/abi.md says they are compared under QEMU too: tail calls,
	# exceptions, v128 through result areas)
	diff_test qemu/simd_loops qemu -- "$B/tests/wasi/simd_loops.wasm"
	diff_test qemu/wat/tail_calls qemu -- "$B/tests/wat/tail_calls.wasm"
	diff_test qemu/wat/exceptions qemu -- "$B/tests/wat/exceptions.wasm"
	diff_test qemu/wat/simd_result_areas qemu -- "$B/tests/wat/simd_result_areas.wasm"
	# issue 10: C++ exceptions (CXX_EH_BACKENDS, above program_tests)
	if cxx_eh_on single; then
		diff_test qemu/cxx_exceptions qemu -- "$B/tests/wasi/cxx_exceptions.wasm"
	else
		echo "NOTE qemu/cxx_exceptions: not run (CXX_EH_BACKENDS='$CXX_EH_BACKENDS' has no 'single')"
	fi
	# (the socket programs under QEMU: tests/net/qemu_net.sh)
	# 0.0.0.0 and :: may be bound, are no destination; [::] is IPv6 only
	selfcheck_test qemu/sock_grants_unspecified_no_destination qemu pool:0.0.0.0:9000 \
		'pool:[::]:9000' -- "$B/tests/wasi/sock_grants.wasm" unspecified 9000
	# issue 11: Wasm memories and stacks mapped on first touch (with
	# MACHINE q35: + hosted)
	LAZY_MACHINE=$MACHINE script_tests lazy_pages tests/kernel/lazy_pages.sh
	other_machine_tests "$OTHER_MACHINE"
}

# issue 11: WASI programs, files, stdio and a trap on the machine qemu_tests
# did not boot (q35 + OVMF, or microvm: PVH entry, no firmware).
other_machine_tests() {     # MACHINE
	local m=$1
	diff_test "$m/hello" "$m" -- "$B/examples/hello.wasm" a "b c"
	preopen_tests "$m"
	diff_test "$m/args_env_exit7" "$m" "${ARGS_ENV_SPEC[@]}"
	diff_test "$m/printf_formats" "$m" -- "$B/tests/wasi/printf_formats.wasm"
	trap_test "$m/wat/oob_store" "$m" -- "$B/tests/wat/oob_store.wasm"
	check_test "$m/check_wasi_calls" "$m" -- "$B/tests/wasi/check_wasi_calls.wasm"
	diff_test "$m/simd_loops" "$m" -- "$B/tests/wasi/simd_loops.wasm"
	LAZY_MACHINE=$m script_tests "lazy_pages_$m" tests/kernel/lazy_pages.sh
}

# ---- 4b/4c. QEMU scripts with checks of their own -----------------------------
# tests/images/plain_qemu.sh: `wasmetal image` raw/qcow2/vmdk booted by plain
# qemu-system-x86_64 + OVMF, then by `wasmetal run IMAGE`; `wasmetal inspect`.
# tests/images/fbcon_screenshot.sh: the framebuffer console; boots with a
# display, screendumps, compares each pixel with the console text rendered
# independently (~20 s).
# tests/kernel/idle.sh: the kernel idles in hlt, the timer and the console's
# interrupt wake it (~30 s).
# tests/kernel/console.sh: the console loses no byte when its reader is
# slow (~10 s).
# tests/net/net.sh: networking, hosted, with real clients (~15 s).
# tests/net/kernel_httpd.sh: the network end to end: the in-kernel HTTP
# server on lwIP + virtio-net behind QEMU's user networking, curl from the
# host (bodies byte for byte, 16 MiB, HEAD, keep-alive, 100 clients),
# DHCP and SLAAC in the log; a boot without a NIC (~20 s).
# tests/net/tap_netns.sh: the TAP path inside a network namespace of its
# own: static address, ICMP and ICMPv6 echo, HTTP over IPv4 and IPv6
# link-local (~15 s; needs root, else a SKIP).
# tests/net/qemu_net.sh: net.sh's real clients against the Wasm programs
# booted under QEMU (httpd, echo, fetch, sock_api, sock_grants, grants
# enforced by the kernel, names through a DNS server of its own on a TAP),
# and an httpd image booted by plain QEMU + OVMF, curl and wrk (~2 min).
# tests/net/hostile.sh: the hostile network, on a TAP in a namespace of its
# own: bad frames of every kind, a SYN flood, 10,000 connections opened and
# dropped, slow clients, a guest that never reads; examples/httpd must keep
# serving and the kernel's pools stay bounded (~80 s; needs root, else a
# SKIP).
# script_tests NAME SCRIPT: the script's checks count here (its PASS, FAIL
# and SKIP lines, with their evidence).  It must end with its summary
# (lib.sh: the last line of that form; only the shell's own noise, such as
# a job's "Terminated", may follow it), which agrees with its lines, "P
# passed, F failed, S skipped" (or, from a script that skips nothing, "P
# passed, F failed"), and its exit status be 0 exactly when F is 0; else
# that is one more failure, NAME (a script that died half-way, or whose
# count disagrees, cannot pass).
script_tests() {
	local name=$1 script=$2 out=$T/$1.out word rest rc p=0 f=0 s=0 want last
	BUILD=$B "$script" >"$out" 2>&1
	rc=$?
	while read -r word rest; do
		case "$word" in
		PASS) pass "$rest"; p=$((p + 1)) ;;
		FAIL) echo "FAIL $rest"; nfail=$((nfail + 1)); f=$((f + 1)) ;;
		SKIP) skip_counted "$rest"; s=$((s + 1)) ;;
		NOTE) echo "NOTE $rest" ;;
		'|' | ---) echo "    $word $rest" ;;
		esac
	done <"$out"
	want="$p passed, $f failed, $s skipped"
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$out" | tail -n 1)
	[ "$s" -eq 0 ] && [ "$last" = "$p passed, $f failed" ] && last=$want
	if [ "$last" != "$want" ]; then
		fail "$name" "$(basename "$script") did not end with its summary '$want' (exit status $rc)" "$out"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail "$name" "$(basename "$script"): exit status $rc with no FAIL line" "$out"
	elif [ "$rc" -eq 0 ] && [ "$f" -gt 0 ]; then
		fail "$name" "$(basename "$script"): FAIL lines, yet exit status 0" "$out"
	fi
}

# ---- 3d. fault injection and libFuzzer (issue 8) ----------------------------
# tests/fault/sweep.sh: every reservation, commit and code-page request and
# every FAULT_STEP-th allocation (5 here; 1 under make check-asan) of five
# real runs failed in turn: each ends in a clean error, a trap, or what the
# guest made of an ENOMEM, never a crash.  tests/fuzz/run.sh: each libFuzzer
# target for FUZZ_SMOKE_SECONDS (3) seconds on its small seed set, with its
# execution count (make fuzz runs them longer).  WASMETAL_SKIP_FUZZ=1 leaves
# the fuzzers out (make check-asan: they have sanitizers of their own).
fault_fuzz_tests() {
	FAULT_STEP=${FAULT_STEP:-5} script_tests fault tests/fault/sweep.sh
	if [ "${WASMETAL_SKIP_FUZZ:-0}" = 1 ]; then
		skip fuzz "WASMETAL_SKIP_FUZZ=1: the libFuzzer short runs left out"
	else
		FUZZ_SMOKE=1 FUZZ_SECONDS=${FUZZ_SMOKE_SECONDS:-3} script_tests fuzz tests/fuzz/run.sh
	fi
}

# ---- 5. spec testsuite -------------------------------------------------------
# testsuite_present PREFIX DIR: true if the spec testsuite is at DIR; else
# PREFIX/testsuite is a SKIP saying so, or a FAIL when
# WASMETAL_REQUIRE_TESTSUITE=1 (.ci/run sets it: this machine must have it)
testsuite_present() {
	[ -d "$2" ] && return 0
	if [ "${WASMETAL_REQUIRE_TESTSUITE:-0}" = 1 ]; then
		fail "$1/testsuite" "$2 is absent, and WASMETAL_REQUIRE_TESTSUITE=1"
	else
		skip "$1/testsuite" "the spec testsuite is absent: no $2 (set WASM_TESTSUITE)"
	fi
	return 1
}

# tests/spec/run-suite.sh runs every file of the testsuite, the SIMD ones
# included (run-suite.sh: but SIMD_NOT_YET): hosted
# (make spec), then all of them inside the kernel in one QEMU boot (make
# spec-qemu).  Each file is one check (all of its assertions must pass),
# plus the runner's self-test and, hosted, the truncation sweep.
spec_tests() {  # MODE(hosted|qemu|q35|microvm); qemu: $MACHINE
	local mode=$1 dir=${WASM_TESTSUITE:-$HOME/.cache/wasmetal/testsuite}
	local out=$T/spec-$mode.out name p f s rest files=0 prefix=spec flag=
	[ "$mode" = qemu ] && prefix=spec-qemu flag=--qemu
	[ "$mode" = q35 ] && prefix=spec-q35 flag=--q35
	[ "$mode" = microvm ] && prefix=spec-microvm flag=--microvm
	testsuite_present "$prefix" "$dir" || return
	BUILD=$B WASM_TESTSUITE=$dir tests/spec/run-suite.sh $flag >"$out" 2>&1
	while read -r name p f s rest; do
		case "$p" in '' | *[!0-9]*) continue ;; esac
		files=$((files + 1))
		if [ "$f" = 0 ] && [ "$p" = 0 ] && [ -z "$rest" ]; then
			# only text-format modules (wasmetal reads binaries)
			skip "$prefix/$name" "all $s assertions are text-format modules"
		elif [ "$f" = 0 ] && [ -z "$rest" ]; then
			pass "$prefix/$name"
		else
			fail "$prefix/$name" "$f failed $rest" "$B/spec/$name/result.txt"
		fi
	done < <(sed -n '/^file  *passed  *failed  *skipped$/,/^[0-9]* files/p' "$out")
	[ "$files" -gt 0 ] || fail "$prefix/suite" "run-suite.sh ran no file" "$out"
	if grep -q '^runner self-test (tests/spec/\*.wast): ok$' "$out"; then
		pass "$prefix/runner-selftest"
	else
		fail "$prefix/runner-selftest" "the runner cannot tell a pass from a failure" "$out"
	fi
	if [ "$mode" = hosted ]; then
		if grep -qE '^truncation sweep: [0-9]+ modules .*, 0 files failed$' "$out"; then
			pass spec/truncation-sweep
		else
			fail spec/truncation-sweep "a truncated module crashed or hung the loader" "$out"
		fi
	fi
	echo "NOTE spec testsuite, $mode ($dir): $(tail -n 1 "$out") assertions in $files files"
}

# ---- 5b. spec files through the LLVM backend (issue 9) -----------------------
# `wasmetal spec --backend llvm`: every valid module compiled by the LLVM
# backend into an artifact that the executor loads (hosted) or that the
# kernel loads from the blob (one boot), compiling nothing; invalid modules
# stay modules.  A subset that covers every kind of check (make spec-llvm
# runs all 146 files): integer traps (i32), conversions and their traps
# (conversions), traps of results nobody uses (traps), memory traps
# (address, memory_trap), tables and call_indirect (call_indirect,
# table_grow), linking and calls across instances (linking), stack
# exhaustion (call), NaNs and signaling NaNs (float_exprs), bulk memory
# (bulk), reference types (ref_is_null), SIMD (issue 10, llvm_simd.c:
# v128 memory traps, lanes and shuffles, shifts, saturation, float NaNs,
# conversions, v128 through calls and call_indirect: simd_*; make
# spec-llvm runs all 56).  Each file is one check: no
# failure, and the same passed and skipped counts as the single-pass run of
# step 5 (so it runs after it).  The two runs share a fresh artifact cache.
SPEC_LLVM_FILES="address bulk call call_indirect conversions float_exprs i32 linking
	memory_trap ref_is_null table_grow traps
	simd_address simd_bit_shift simd_const simd_conversions simd_f32x4 simd_f64x2_arith
	simd_i16x8_q15mulr_sat_s simd_i8x16_sat_arith simd_lane simd_load_splat
	simd_load8_lane simd_store8_lane"
spec_llvm_tests() {     # MODE(hosted|qemu)
	local mode=$1 dir=${WASM_TESTSUITE:-$HOME/.cache/wasmetal/testsuite}
	local out=$T/spec-llvm-$mode.out prefix=spec-llvm flag= evidence name p f s rest
	local want files=0 t0 t1 n
	[ "$mode" = qemu ] && prefix=spec-llvm-qemu flag=--qemu
	testsuite_present "$prefix" "$dir" || return
	t0=$(date +%s)
	# shellcheck disable=SC2086
	BUILD=$B WASM_TESTSUITE=$dir SPEC_AOT_CACHE=$T/aot tests/spec/run-suite.sh --llvm \
		$flag $SPEC_LLVM_FILES >"$out" 2>&1
	t1=$(date +%s)
	while read -r name p f s rest; do
		case "$p" in '' | *[!0-9]*) continue ;; esac
		files=$((files + 1))
		evidence=$B/spec/$name/result-llvm.txt
		[ "$mode" = qemu ] && evidence=$B/spec/qemu-result-llvm$MSUF.txt
		want=$(awk -v n="$name" '$1 == n && $2 ~ /^[0-9]+$/ { print $2, $4 }' \
			"$T/spec-hosted.out" 2>/dev/null)
		if [ "$f" != 0 ] || [ -n "$rest" ]; then
			fail "$prefix/$name" "$p passed, $f failed, $s skipped $rest" "$evidence"
		elif [ -z "$want" ]; then
			fail "$prefix/$name" "no single-pass count of it to compare with (step 5)" "$out"
		elif [ "$want" != "$p $s" ]; then
			fail "$prefix/$name" "$p passed, $s skipped; single-pass: $want (passed, skipped)" "$out"
		else
			pass "$prefix/$name ($p passed, 0 failed, $s skipped: as single-pass)"
		fi
	done < <(sed -n '/^file  *passed  *failed  *skipped$/,/^[0-9]* files/p' "$out")
	n=$(echo $SPEC_LLVM_FILES | wc -w)
	[ "$files" -eq "$n" ] || fail "$prefix/files" "$files of the $n files ran" "$out"
	if grep -q '^runner self-test (tests/spec/\*.wast): ok$' "$out"; then
		pass "$prefix/runner-selftest"
	else
		fail "$prefix/runner-selftest" "the runner cannot tell a pass from a failure" "$out"
	fi
	# the modules did go through LLVM, none failed to compile, and the
	# executor compiled none of them itself: it loaded artifacts
	if ! grep -Eq '^(llvm: |wasmetal spec: )[1-9][0-9]* modules compiled.* 0 failed' "$out"; then
		fail "$prefix/compiled" "no LLVM compile line with modules and 0 failed" "$out"
	elif ! grep -Eq '^note: [1-9][0-9]* script modules loaded from artifacts, 0 compiled here$' "$out"; then
		fail "$prefix/compiled" "the executor did not load only artifacts" "$out"
	else
		pass "$prefix/compiled ($(grep -E '^note: [0-9]+ script modules loaded' "$out" |
			tail -n 1 | sed 's/^note: //'))"
	fi
	echo "NOTE spec files through LLVM, $mode: $(tail -n 1 "$out") in $files files, $((t1 - t0)) s"
}

# ---- 5d. the SIMD files without AVX (issue 10) -------------------------------
# Step 5 runs the single-pass JIT with every feature this CPU has (AVX's
# VEX forms where it has them); this runs the testsuite's simd_* files
# again hosted with `wasmetal spec --cpu sse4.1,popcnt,lzcnt,bmi1`
# (run-suite.sh SPEC_CPU), the SSE forms.  Each file is one check: no
# failure and step 5's passed and skipped counts.
spec_sse_tests() {
	local dir=${WASM_TESTSUITE:-$HOME/.cache/wasmetal/testsuite}
	local out=$T/spec-sse.out prefix=spec-sse name p f s rest want files=0 n
	local -a names
	testsuite_present "$prefix" "$dir" || return
	mapfile -t names < <(cd "$dir" && ls simd_*.wast 2>/dev/null | sed 's/\.wast$//')
	n=${#names[@]}
	[ "$n" -gt 0 ] || { fail "$prefix/files" "no simd_*.wast in $dir"; return; }
	BUILD=$B WASM_TESTSUITE=$dir SPEC_CPU=sse4.1,popcnt,lzcnt,bmi1 \
		tests/spec/run-suite.sh "${names[@]}" >"$out" 2>&1
	while read -r name p f s rest; do
		case "$p" in '' | *[!0-9]*) continue ;; esac
		files=$((files + 1))
		want=$(awk -v n="$name" '$1 == n && $2 ~ /^[0-9]+$/ { print $2, $4 }' \
			"$T/spec-hosted.out" 2>/dev/null)
		if [ "$f" != 0 ] || [ -n "$rest" ]; then
			fail "$prefix/$name" "$p passed, $f failed, $s skipped $rest" \
				"$B/spec/$name/result-cpu.txt"
		elif [ -z "$want" ]; then
			fail "$prefix/$name" "no step 5 count of it to compare with" "$out"
		elif [ "$want" != "$p $s" ]; then
			fail "$prefix/$name" "$p passed, $s skipped; step 5: $want (passed, skipped)" "$out"
		else
			pass "$prefix/$name ($p passed: as with AVX)"
		fi
	done < <(sed -n '/^file  *passed  *failed  *skipped$/,/^[0-9]* files/p' "$out")
	[ "$files" -eq "$n" ] || fail "$prefix/files" "$files of the $n files ran" "$out"
	echo "NOTE spec SIMD files without AVX: $(tail -n 1 "$out") in $files files"
}

# ---- 5c. the testsuite's proposals/ directories (issue 10) -------------------
# tests/spec/run-suite.sh --proposals: every .wast of proposals/P/ for each
# proposal wasmetal implements (run-suite.sh's SPEC_PROPOSALS), converted
# with `wast2json --enable-all`; hosted (with the truncation sweep), in one
# QEMU boot, through the LLVM backend hosted and in one boot.  Each file is
# one check: no failure, and outside the hosted run the hosted run's passed
# and skipped counts; every .wast of each directory must have run.  Where
# the testsuite (or its proposals/) is absent: testsuite_present.
# Assertions of the proposals' files that need what wasmetal does not
# have yet, one "FILE:LINE:MODES:WHY" per line (MODES: a comma-separated
# list of hosted, qemu, llvm, llvm-qemu).  In those modes such a file
# passes when exactly these assertions fail, at these lines of its .wast,
# and the others pass and skip as hosted; each listed one is reported as a
# SKIP with its reason.  Once one passes, the file fails until its entry
# is removed.
# (memory-multi.wast:47, a v128 local and v128.load8_lane on a second
# memory, passes through the LLVM backend since host/llvm/llvm_simd.c)
SPEC_PROPOSAL_NEEDS=''

# proposal_needs NAME MODE: the SPEC_PROPOSAL_NEEDS lines of NAME in MODE
proposal_needs() {
	printf '%s\n' "$SPEC_PROPOSAL_NEEDS" |
		awk -F: -v n="$1" -v m="$2" '$1 == n && index("," $3 ",", "," m ",")'
}

# proposal_needs_ok NAME MODE F EVIDENCE...: the F failing assertions of
# NAME are those listed for MODE (their lines, from the first EVIDENCE
# file that exists); prints why not
proposal_needs_ok() {
	local name=$1 mode=$2 f=$3 listed got ev
	shift 3
	listed=$(proposal_needs "$name" "$mode" | cut -d: -f2 | sort -n | tr '\n' ' ')
	if [ "$f" -ne "$(echo $listed | wc -w)" ]; then
		echo "$f failed; SPEC_PROPOSAL_NEEDS lists $(echo $listed | wc -w) (lines $listed)"
		return 1
	fi
	for ev in "$@"; do
		[ -f "$ev" ] && break
	done
	got=$(grep -oE "^${name##*/}\.wast:[0-9]+: " "$ev" 2>/dev/null | cut -d: -f2 | sort -n | tr '\n' ' ')
	if [ "$got" != "$listed" ]; then
		echo "failures at lines ${got:-none}, SPEC_PROPOSAL_NEEDS lists $listed"
		return 1
	fi
}

spec_proposal_tests() {     # MODE(hosted|qemu|llvm|llvm-qemu)
	local mode=$1 dir=${WASM_TESTSUITE:-$HOME/.cache/wasmetal/testsuite}
	local out=$T/spec-proposals-$mode.out prefix=spec-proposals-$mode flags=
	local name p f s rest want files=0 n=0 t0 t1 prop evidence needs why nneeds=0
	# evidence: a file's failures are in $B/spec/NAME/EVIDENCE hosted, in
	# the boot's output (EVIDENCE) in one boot
	case $mode in
	hosted) prefix="spec-proposals" evidence=result.txt ;;
	qemu) flags=--qemu evidence=qemu-result-proposals$MSUF.txt ;;
	llvm) flags=--llvm evidence=result-llvm.txt ;;
	llvm-qemu) flags="--llvm --qemu" evidence=qemu-result-llvm-proposals$MSUF.txt ;;
	esac
	testsuite_present "$prefix" "$dir/proposals" || return
	t0=$(date +%s)
	# shellcheck disable=SC2086
	BUILD=$B WASM_TESTSUITE=$dir SPEC_AOT_CACHE=$T/aot tests/spec/run-suite.sh \
		$flags --proposals >"$out" 2>&1
	t1=$(date +%s)
	while read -r name p f s rest; do
		case "$p" in '' | *[!0-9]*) continue ;; esac
		files=$((files + 1))
		want=$(awk -v n="$name" '$1 == n && $2 ~ /^[0-9]+$/ { print $2, $4 }' \
			"$T/spec-proposals-hosted.out" 2>/dev/null)
		needs=$(proposal_needs "$name" "$mode")
		if [ -n "$needs" ] && [ -z "$rest" ]; then
			if why=$(proposal_needs_ok "$name" "$mode" "$f" "$B/spec/$name/$evidence" \
					"$B/spec/$evidence") &&
				{ [ "$mode" = hosted ] || [ "$want" = "$((p + f)) $s" ] ||
				  ! why="$p passed, $f failed, $s skipped; hosted: ${want:-none} (passed, skipped)"; }; then
				pass "$prefix/${name#proposals/} ($p passed, $f failed as SPEC_PROPOSAL_NEEDS lists, $s skipped)"
				nneeds=$((nneeds + f))
				while IFS=: read -r _ line _ reason; do
					skip "$prefix/${name#proposals/}:$line" "$reason"
				done <<<"$needs"
			else
				fail "$prefix/${name#proposals/}" "${why:-$p passed, $s skipped; hosted: ${want:-none}}" \
					"$B/spec/$name/$evidence" "$B/spec/$evidence"
			fi
		elif [ "$f" != 0 ] || [ -n "$rest" ]; then
			fail "$prefix/${name#proposals/}" "$p passed, $f failed, $s skipped $rest" \
				"$B/spec/$name/$evidence" "$B/spec/$evidence"
		elif [ "$p" = 0 ]; then
			skip "$prefix/${name#proposals/}" "all $s assertions are text-format modules"
		elif [ "$mode" != hosted ] && [ "$want" != "$p $s" ]; then
			fail "$prefix/${name#proposals/}" \
				"$p passed, $s skipped; hosted: ${want:-none} (passed, skipped)" "$out"
		else
			pass "$prefix/${name#proposals/} ($p passed, 0 failed, $s skipped)"
		fi
	done < <(sed -n '/^file  *passed  *failed  *skipped$/,/^[0-9]* files/p' "$out")
	# proposals the LLVM backend refuses (run-suite.sh names them and
	# checks that one of their modules is refused, with the message)
	while IFS= read -r line; do
		skip "$prefix/${line%%: *}" "refused by the llvm backend: ${line#*: }"
	done < <(sed -n 's/^llvm refuses: //p' "$out")
	for prop in $(sed -n 's/^llvm does not refuse: //p' "$out"); do
		fail "$prefix/$prop" "left out as refused by the llvm backend, yet none of its modules is refused" "$out"
	done
	while read -r name rest; do     # run-suite.sh's SPEC_UNREADABLE
		files=$((files + 1))
		skip "$prefix/${name#proposals/}" "${rest#(}"
	done < <(sed -n 's/^unreadable: //p' "$out" | sed 's/)$//')
	for prop in $(sed -n 's/^proposals: //p' "$out"); do
		[ -d "$dir/proposals/$prop" ] || continue    # its line failed above
		n=$((n + $(find "$dir/proposals/$prop" -maxdepth 1 -name '*.wast' | wc -l)))
	done
	if [ "$files" -eq 0 ] || [ "$files" -ne "$n" ]; then
		fail "$prefix/files" "$files files ran, the directories hold $n" "$out"
	fi
	if grep -q '^runner self-test (tests/spec/\*.wast): ok$' "$out"; then
		pass "$prefix/runner-selftest"
	else
		fail "$prefix/runner-selftest" "the runner cannot tell a pass from a failure" "$out"
	fi
	if [ "$mode" = hosted ]; then
		if grep -qE '^truncation sweep: [0-9]+ modules .*, 0 files failed$' "$out"; then
			pass spec-proposals/truncation-sweep
		else
			fail spec-proposals/truncation-sweep "a truncated module crashed or hung the loader" "$out"
		fi
	fi
	case $mode in llvm*)
		# (the modules of listed assertions fail to compile: nneeds)
		if ! grep -Eq "^(llvm: |wasmetal spec: )[1-9][0-9]* modules compiled.*, $nneeds failed" "$out"; then
			fail "$prefix/compiled" "no LLVM compile line with modules and 0 failed" "$out"
		elif ! grep -Eq '^note: [1-9][0-9]* script modules loaded from artifacts, 0 compiled here$' "$out"; then
			fail "$prefix/compiled" "the executor did not load only artifacts" "$out"
		else
			pass "$prefix/compiled"
		fi ;;
	esac
	echo "NOTE spec proposals, $mode: $(tail -n 1 "$out") in $files files, $((t1 - t0)) s"
}

# tests/harness/selftest.sh sources this file for its functions only.
[ "${WASMETAL_RUN_SH_FUNCTIONS:-0}" = 1 ] && return 0

script_tests harness tests/harness/selftest.sh
unit_tests
if [ -x "$W" ]; then
	cli_tests
	script_tests cli tests/cli/exit_and_errors.sh
	# issue 9: `wasmetal compile` and artifacts run hosted (docs/artifact.md)
	script_tests cli-artifact tests/cli/artifact.sh
	# issue 9: the LLVM backend end to end (its own cache, never ~/.cache)
	script_tests cli-llvm tests/cli/llvm.sh
	# the profiler's symbol map (WASMETAL_PERFMAP=1, host/perfmap.c)
	script_tests cli-perfmap tests/cli/perfmap.sh
	program_tests hosted
	preopen_tests hosted
	script_tests net tests/net/net.sh
	script_tests httpd-one-send tests/net/httpd_one_send.sh
	# tests/stdio/stdio.sh (issue 8, findings 2 and 4): the guest's stdout
	# and stderr each on its own stream, isatty() true only on a terminal;
	# hosted, then under QEMU unless WASMETAL_SKIP_QEMU=1 (~1.5 min)
	script_tests stdio tests/stdio/stdio.sh
	fault_fuzz_tests
	# differential fuzzing against V8 (docs/fuzz-diff.md): 300 random
	# modules, seeds 1..300, and the findings in tests/fuzz/diff/regress;
	# then 40 modules and the findings again with the LLVM backend; then
	# 200 and 20 (LLVM) modules with SIMD (--simd, issue 10)
	script_tests fuzz-diff tests/fuzz/diff/check.sh
	# issue 10: every v128 instruction with each operand in each form the
	# single-pass compiler tells apart, in several contexts, against node;
	# a smaller module of the same through the LLVM backend (~20 s)
	script_tests simd-forms tests/opform/simd_forms.sh
	qemu_tests
	if ! skip_qemu; then
		script_tests images tests/images/plain_qemu.sh
		# issue 11: the PVH entry, booted by plain QEMU on microvm and
		# q35 without UEFI; hostile initrds (~3 s)
		script_tests pvh tests/images/pvh_boot.sh
		# issue 11: virtio-blk disks as files (--disk), q35 and
		# microvm; read-only, empty, odd-sized, no grant (~20 s)
		script_tests blk tests/kernel/blk.sh
		# hostile images (issue 8): a dozen mutated bundles, manifests
		# and kernel.elf, booted (the rest: make hostile-images)
		script_tests hostile-images tests/images/hostile_images.sh
		script_tests fbcon tests/images/fbcon_screenshot.sh
		script_tests idle tests/kernel/idle.sh
		script_tests console tests/kernel/console.sh
		script_tests net-kernel tests/net/kernel_httpd.sh
		script_tests net-tap tests/net/tap_netns.sh
		script_tests net-qemu tests/net/qemu_net.sh
		script_tests net-hostile tests/net/hostile.sh
	fi
else
	fail wasmetal "$W not built"
fi
spec_tests hosted
if skip_qemu; then
	skip spec-qemu "WASMETAL_SKIP_QEMU=1"
else
	spec_tests qemu                 # on $MACHINE
	spec_tests "$OTHER_MACHINE"     # issue 11: the other boot path
fi
# issue 9: spec files through the LLVM backend (after step 5: its counts)
spec_llvm_tests hosted
if skip_qemu; then
	skip spec-llvm-qemu "WASMETAL_SKIP_QEMU=1"
else
	spec_llvm_tests qemu
fi
# issue 10: the SIMD files with the SSE forms only (after step 5: its counts)
spec_sse_tests
# issue 10: the proposals/ directories, hosted first (the others' counts)
spec_proposal_tests hosted
spec_proposal_tests llvm
if skip_qemu; then
	skip spec-proposals-qemu "WASMETAL_SKIP_QEMU=1"
	skip spec-proposals-llvm-qemu "WASMETAL_SKIP_QEMU=1"
else
	spec_proposal_tests qemu
	spec_proposal_tests llvm-qemu
fi

summary
