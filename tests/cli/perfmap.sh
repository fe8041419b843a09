#!/usr/bin/env bash
# perfmap.sh — WASMETAL_PERFMAP=1 (host/perfmap.c): `wasmetal run --hosted`
# writes /tmp/perf-<pid>.map, the JIT symbol file Linux perf reads
# ("START SIZE NAME", hex without 0x, one line per symbol).
#
#   perfmap/one_line_per_function     as many lines as the module has
#                                     functions (imports' stubs included),
#                                     each "hex hex name", sizes > 0
#   perfmap/names_from_name_section   a named function is listed by its
#                                     index and its name
#   perfmap/ranges_disjoint           no two functions' ranges overlap
#   perfmap/llvm_code_listed_too      the same for --backend llvm (if the
#                                     plugin is built; else a SKIP)
#   perfmap/off_by_default            without the variable no file appears
#
# Prints PASS/FAIL/SKIP lines and "N passed, N failed, N skipped".
set -u
exec </dev/null
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
B=${BUILD:-build}
W=$B/wasmetal
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-perfmap.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

cat >"$T/m.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $start_here (export "_start")
    (call $exit (i32.ne (call $fib (i32.const 20)) (i32.const 6765)))))
WAT

# run NAME [OPTS...]: the map of one run of m.wasm into $T/NAME.map; $RC
run() {
	local name=$1 pid
	shift
	# the inner shell's pid is wasmetal's: exec keeps it
	timeout 60 bash -c 'echo $$ >"$0"; exec "$@"' "$T/$name.pid" \
		env WASMETAL_PERFMAP="${PM:-1}" "$W" run --hosted "$@" "$T/m.wasm" \
		>"$T/$name.out" 2>&1
	RC=$?
	pid=$(cat "$T/$name.pid")
	if [ -f "/tmp/perf-$pid.map" ]; then
		mv "/tmp/perf-$pid.map" "$T/$name.map"
	fi
}

# check_map NAME BACKEND: the three checks of one map
check_map() {
	local name=$1 m=$T/$1.map
	if [ "$RC" -ne 0 ] || [ ! -s "$m" ]; then
		fail "perfmap/$name/one_line_per_function" "status $RC, no map written" "$T/$name.out"
		return
	fi
	if [ "$(wc -l <"$m")" -eq 3 ] &&
		[ "$(grep -Ec '^[0-9a-f]+ [0-9a-f]+ wasm-(function|import-stub)\[[0-9]+\]( .*)?$' "$m")" -eq 3 ] &&
		! grep -Eq '^[0-9a-f]+ 0+ ' "$m"; then
		pass "perfmap/$name/one_line_per_function"
	else
		fail "perfmap/$name/one_line_per_function" "expected 3 lines 'START SIZE wasm-...[i]'" "$m"
	fi
	if grep -Eq ' wasm-function\[1\] fib$' "$m" && grep -Eq ' wasm-function\[2\] start_here$' "$m" &&
		grep -Eq ' wasm-import-stub\[0\] exit$' "$m"; then
		pass "perfmap/$name/names_from_name_section"
	else
		fail "perfmap/$name/names_from_name_section" "fib, start_here, exit not named" "$m"
	fi
	if python3 -c '
import sys
r = sorted((int(a, 16), int(a, 16) + int(b, 16)) for a, b, *_ in (l.split() for l in open(sys.argv[1])))
sys.exit(any(r[i][1] > r[i + 1][0] for i in range(len(r) - 1)))' "$m"; then
		pass "perfmap/$name/ranges_disjoint"
	else
		fail "perfmap/$name/ranges_disjoint" "overlapping ranges" "$m"
	fi
}

if ! wat2wasm --debug-names "$T/m.wat" -o "$T/m.wasm" 2>"$T/wat.err"; then
	fail perfmap "wat2wasm failed" "$T/wat.err"
elif [ ! -x "$W" ]; then
	fail perfmap "$W not built"
else
	run single
	check_map single
	if [ -f "$B/libwasmetal-llvm.so" ]; then
		WASMETAL_AOT_CACHE=off run llvm --backend llvm
		check_map llvm
	else
		skip perfmap/llvm_code_listed_too "$B/libwasmetal-llvm.so not built"
	fi
	PM=0 run off
	if [ "$RC" -eq 0 ] && [ ! -e "$T/off.map" ]; then
		pass perfmap/off_by_default
	else
		fail perfmap/off_by_default "status $RC, or a map was written with WASMETAL_PERFMAP=0" "$T/off.out"
	fi
fi
summary
