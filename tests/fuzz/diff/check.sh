#!/usr/bin/env bash
# check.sh — the differential fuzzer's part of `make test` (tests/run.sh,
# docs/fuzz-diff.md): a short deterministic run, seeds 1..FUZZ_DIFF_COUNT
# (default 300: half our own generator's modules, half binaryen's), then
# every finding kept in tests/fuzz/diff/regress/; then the same with
# wasmetal's side compiled by the LLVM backend (diff_runner --backend
# llvm, O2: ~0.3 s a module), a shorter run (FUZZ_DIFF_LLVM_COUNT, default
# 40; its gen_tree.mjs modules have tail calls too, as the single-pass
# run's, since issue 10) and every finding again; then our generator's modules with SIMD
# (--simd --gen tree, issue 10): FUZZ_DIFF_SIMD_COUNT (default 200)
# single-pass, FUZZ_DIFF_LLVM_SIMD_COUNT (default 20) with the LLVM
# backend; then our generator's modules with exception handling (--eh
# --gen tree, issue 10): FUZZ_DIFF_EH_COUNT (default 150) single-pass,
# FUZZ_DIFF_LLVM_EH_COUNT (default 30) with the LLVM backend.  PASS/FAIL
# lines, NOTE lines with the counts, and "N passed, N failed" last.
set -u
cd "$(dirname "$0")/../../.." || exit 1
B=${BUILD:-build}
runner=$B/tests/fuzz/diff/diff_runner
count=${FUZZ_DIFF_COUNT:-300}
llvm_count=${FUZZ_DIFF_LLVM_COUNT:-40}
simd_count=${FUZZ_DIFF_SIMD_COUNT:-200}
llvm_simd_count=${FUZZ_DIFF_LLVM_SIMD_COUNT:-20}
eh_count=${FUZZ_DIFF_EH_COUNT:-150}
llvm_eh_count=${FUZZ_DIFF_LLVM_EH_COUNT:-30}
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-fuzz-check.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
npass=0 nfail=0

for tool in node wasm-opt wat2wasm; do
	if ! command -v "$tool" >/dev/null; then
		echo "FAIL fuzz-diff/tools ($tool is not installed)"
		echo "0 passed, 1 failed"
		exit 1
	fi
done
if [ ! -x "$runner" ]; then
	echo "FAIL fuzz-diff/runner ($runner is not built: make $runner)"
	echo "0 passed, 1 failed"
	exit 1
fi

# run NAME ARGS...: fuzz_diff.mjs's PASS/FAIL lines count; its totals and
# the differences it found become NOTE lines; it must end with its summary
run() {
	local name=$1 out=$T/$1.out word rest
	shift
	timeout 900 node tests/fuzz/diff/fuzz_diff.mjs --runner "$runner" "$@" >"$out" 2>&1
	while read -r word rest; do
		case "$word" in
		PASS) echo "PASS $rest"; npass=$((npass + 1)) ;;
		FAIL) echo "FAIL $rest"; nfail=$((nfail + 1)) ;;
		fuzz-diff: | DIFF | reduce.sh:) echo "NOTE $word $rest" ;;
		esac
	done <"$out"
	if ! grep -q '^[0-9]* passed, [0-9]* failed$' "$out"; then
		echo "FAIL fuzz-diff/$name (fuzz_diff.mjs did not finish)"
		sed 's/^/    | /' "$out" | tail -n 20
		nfail=$((nfail + 1))
	fi
}

run short --count "$count" --seed 1 --quiet --out "$T/diffs"
run regress --regress tests/fuzz/diff/regress
run llvm-short --backend llvm --count "$llvm_count" --seed 1 --quiet --out "$T/diffs-llvm"
run llvm-regress --backend llvm --regress tests/fuzz/diff/regress
run simd-short --simd --gen tree --count "$simd_count" --seed 1 --quiet --out "$T/diffs-simd"
run llvm-simd-short --backend llvm --simd --gen tree --count "$llvm_simd_count" --seed 1 \
	--quiet --out "$T/diffs-llvm-simd"
run eh-short --eh --gen tree --count "$eh_count" --seed 1 --quiet --out "$T/diffs-eh"
run llvm-eh-short --backend llvm --eh --gen tree --count "$llvm_eh_count" --seed 1 \
	--quiet --out "$T/diffs-llvm-eh"
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
