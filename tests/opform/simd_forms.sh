#!/usr/bin/env bash
# simd_forms.sh — the operand-form test of the v128 instructions (issue 10;
# tests/opform/simd_forms.py says what it generates), differential: every
# Wasm 2.0 SIMD instruction of jit/opcodes.h with each operand in each
# form the single-pass compiler tells apart, in several contexts, hosted:
#
#   simd-forms/coverage          every v128 instruction of opcodes.h has
#                                its test functions
#   simd-forms/run/ENGINE        the module ran to its end (exit status 0)
#                                under node (tests/node_wasi.mjs), `wasmetal
#                                run --hosted` (single-pass, this CPU's
#                                features: the AVX/AVX2 forms where it has
#                                them), the same with `--backend single
#                                --cpu sse4.1,popcnt,lzcnt,bmi1` (single-sse:
#                                the SSE forms, no VEX) and `wasmetal run
#                                --hosted --backend llvm`
#   simd-forms/single/GROUP      the single-pass JIT's results equal node's,
#   simd-forms/single-sse/GROUP  per group of instructions (memory, v128,
#                                i8x16 ... f64x2): the full module (~17,300
#                                functions, every combination of forms);
#                                single-sse: compiled without AVX
#   simd-forms/llvm/GROUP        the LLVM backend's equal node's: a smaller
#                                module of the same generator (constant and
#                                parameter operands, every context; ~3,300
#                                functions: LLVM at O2 takes ~1 s per 200)
#
# Results are compared bit for bit, but a NaN lane of the float
# instructions whose NaN results the spec leaves nondeterministic only
# has to be a quiet NaN in both (simd_forms.py, canon).  The first
# differences of a FAIL are printed (instruction, forms, context, input
# tuple, the 48-byte records in hex).  PASS/FAIL lines, "N passed, N
# failed" last (tests/run.sh script_tests).  ~15-25 s on 2 shared cores.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${BUILD:-build}
W=$B/wasmetal
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-simd-forms.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
npass=0 nfail=0

pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() {
	local name=$1 why=$2 f
	shift 2
	echo "FAIL $name ($why)"
	for f in "$@"; do
		[ -s "$f" ] && head -n 20 "$f" | sed 's/^/    | /'
	done
	nfail=$((nfail + 1))
}
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit
}

for tool in python3 node wat2wasm; do
	command -v "$tool" >/dev/null || { fail simd-forms/tools "$tool is not installed"; finish; }
done
[ -x "$W" ] || { fail simd-forms/tools "$W is not built"; finish; }

# the modules: full (single-pass) and small (LLVM)
for m in full small; do
	if ! python3 tests/opform/simd_forms.py gen "$T/$m.wat" "$T/$m.json" jit/opcodes.h \
		"$m" 2>"$T/gen.err" || ! wat2wasm "$T/$m.wat" -o "$T/$m.wasm" 2>>"$T/gen.err"; then
		fail simd-forms/generate "the $m module" "$T/gen.err"
		finish
	fi
done

# run NAME MODULE CMD...: CMD's stdout (raw results) to $T/NAME.bin
run() {
	local name=$1 module=$2 rc
	shift 2
	timeout 300 "$@" "$T/$module.wasm" >"$T/$name.bin" 2>"$T/$name.err" </dev/null
	rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "simd-forms/run/$name" "exit status $rc" "$T/$name.err"
		return 1
	fi
	pass "simd-forms/run/$name"
}

# count < LINES: a compare's PASS/FAIL lines count here, its evidence shown
count() {
	local word rest
	while IFS= read -r line; do
		read -r word rest <<<"$line"
		case "$word" in
		PASS) pass "$rest" ;;
		FAIL) echo "FAIL $rest"; nfail=$((nfail + 1)) ;;
		*) echo "$line" ;;
		esac
	done
}

# checked NAME CMD...: CMD (simd_forms.py coverage/compare) prints PASS and
# FAIL lines, counted here; it must exit 0 and print at least one of them,
# else NAME fails (a comparator that died checked nothing)
checked() {
	local name=$1 rc
	shift
	"$@" >"$T/cmp.out" 2>"$T/cmp.err"
	rc=$?
	count <"$T/cmp.out"
	if [ "$rc" -ne 0 ] || ! grep -qE '^(PASS|FAIL) ' "$T/cmp.out"; then
		fail "$name" "simd_forms.py exit status $rc, $(grep -cE '^(PASS|FAIL) ' "$T/cmp.out") checks" \
			"$T/cmp.err"
	fi
}

checked simd-forms/coverage-ran python3 tests/opform/simd_forms.py coverage "$T/full.json"
run node full node --no-warnings tests/node_wasi.mjs && node_ok=1 || node_ok=0
run node-small small node --no-warnings tests/node_wasi.mjs && nodes_ok=1 || nodes_ok=0
if run single full "$W" run --hosted && [ "$node_ok" = 1 ]; then
	checked simd-forms/single-compared python3 tests/opform/simd_forms.py compare \
		"$T/full.json" "$T/node.bin" single="$T/single.bin"
fi
if run single-sse full "$W" run --hosted --backend single --cpu sse4.1,popcnt,lzcnt,bmi1 &&
	[ "$node_ok" = 1 ]; then
	checked simd-forms/single-sse-compared python3 tests/opform/simd_forms.py compare \
		"$T/full.json" "$T/node.bin" single-sse="$T/single-sse.bin"
fi
if run llvm small env WASMETAL_AOT_CACHE=off "$W" run --hosted --backend llvm &&
	[ "$nodes_ok" = 1 ]; then
	checked simd-forms/llvm-compared python3 tests/opform/simd_forms.py compare \
		"$T/small.json" "$T/node-small.bin" llvm="$T/llvm.bin"
fi
finish
