#!/bin/sh
# run-suite.sh — the WebAssembly spec testsuite through `wasmetal spec`,
# hosted (DESIGN.md "Tests", level 2; issue 3).
#
#   tests/spec/run-suite.sh [NAME...]     (make spec)
#
# First runs the runner's self-tests (tests/spec/*.wast, see below).  Then
# converts every top-level *.wast of the testsuite except simd_*.wast (or
# just the NAMEs given, e.g. "i32 br_table") with wast2json into
# build/spec/NAME/NAME.json (+ its .wasm/.wat files; converted again when
# the .wast is newer), runs each file in its own `build/wasmetal spec`
# process under a timeout, keeps the output in build/spec/NAME/result.txt,
# and prints one line per file, then runs the truncation sweep on the same
# files (`wasmetal spec --truncate`: every binary module cut at every byte
# must load or be rejected, never crash; a file whose sweep fails adds one
# failure) and, last, prints the total "N passed, N failed, N skipped".  A file that crashes, hangs or does not
# convert counts all its commands (at least 1) as failed.
#
# Environment: WASM_TESTSUITE (default ~/.cache/wasmetal/testsuite, the
# WebAssembly/testsuite repository at commit 3a04b2c), BUILD (build),
# SPEC_TIMEOUT (seconds per file, default 60).
# Exit status: 0 when nothing failed, 1 otherwise, 2 when the suite or the
# tools are missing.
set -u

TS=${WASM_TESTSUITE:-$HOME/.cache/wasmetal/testsuite}
BUILD=${BUILD:-build}
TIMEOUT=${SPEC_TIMEOUT:-60}
WASMETAL=$BUILD/wasmetal

if [ ! -d "$TS" ]; then
	echo "run-suite.sh: no testsuite at $TS (set WASM_TESTSUITE)" >&2
	exit 2
fi
for tool in wast2json timeout; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "run-suite.sh: $tool not found" >&2
		exit 2
	fi
done
if [ ! -x "$WASMETAL" ]; then
	echo "run-suite.sh: $WASMETAL not built" >&2
	exit 2
fi

# The runner's own tests first: tests/spec/*.wast, each with the summary
# line it must produce in a comment ";; expect: ...".  If the runner cannot
# tell a pass from a failure, the suite's numbers mean nothing.
selftest_failed=0
for wast in tests/spec/*.wast; do
	name=$(basename "$wast" .wast)
	dir=$BUILD/spec/self/$name
	want=$(sed -n 's/^;; expect: //p' "$wast")
	mkdir -p "$dir"
	rm -f "$dir"/*
	if wast2json "$wast" -o "$dir/$name.json" >"$dir/result.txt" 2>&1; then
		timeout -k 5 "$TIMEOUT" "$WASMETAL" spec "$dir/$name.json" \
			>"$dir/result.txt" 2>&1
	fi
	got=$(tail -n 1 "$dir/result.txt")
	if [ "$got" != "$want" ]; then
		echo "runner self-test $name: expected \"$want\", got \"$got\"" \
		     "(see $dir/result.txt)"
		selftest_failed=1
	fi
done

if [ $# -gt 0 ]; then
	names="$*"
else
	names=$(cd "$TS" && ls *.wast | grep -v '^simd_' | sed 's/\.wast$//')
fi

total_p=0 total_f=0 total_s=0 nfiles=0
printf '%-28s %7s %7s %7s\n' file passed failed skipped
for name in $names; do
	wast=$TS/$name.wast
	dir=$BUILD/spec/$name
	json=$dir/$name.json
	out=$dir/result.txt
	nfiles=$((nfiles + 1))
	mkdir -p "$dir"
	if [ ! -f "$json" ] || [ "$wast" -nt "$json" ]; then
		rm -f "$dir"/*
		if ! wast2json "$wast" -o "$json" >"$out" 2>&1; then
			rm -f "$json"
			printf '%-28s %7s %7s %7s  wast2json failed\n' "$name" 0 1 0
			total_f=$((total_f + 1))
			continue
		fi
	fi
	timeout -k 5 "$TIMEOUT" "$WASMETAL" spec "$json" >"$out" 2>&1
	rc=$?
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	note=""
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		note="TIMEOUT after ${TIMEOUT}s"
	elif [ $rc -gt 1 ] || [ -z "$last" ]; then
		note="CRASH (exit status $rc)"
	fi
	if [ -n "$note" ]; then
		n=$(grep -c '"line": ' "$json")
		[ "$n" -gt 0 ] || n=1
		p=0 f=$n s=0
		echo "$note" >>"$out"
	else
		p=$(echo "$last" | sed -E 's/^([0-9]+) passed.*/\1/')
		f=$(echo "$last" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
		s=$(echo "$last" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
		[ -n "$s" ] || s=0
	fi
	printf '%-28s %7d %7d %7d  %s\n' "$name" "$p" "$f" "$s" "$note"
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
done
echo "$nfiles files (failures of each in $BUILD/spec/NAME/result.txt)"

# The truncation sweep (issue 3): every binary module of those files cut at
# every byte must be rejected or loaded, never crash the loader or hang it.
sweep_mods=0 sweep_bad=0
for name in $names; do
	json=$BUILD/spec/$name/$name.json
	[ -f "$json" ] || continue
	out=$BUILD/spec/$name/truncate.txt
	timeout -k 5 "$TIMEOUT" "$WASMETAL" spec --truncate "$json" >"$out" 2>&1
	rc=$?
	last=$(tail -n 1 "$out")
	n=$(echo "$last" | sed -nE 's/^([0-9]+) passed, 0 failed$/\1/p')
	if [ $rc -ne 0 ] || [ -z "$n" ]; then
		echo "truncation sweep of $name: FAILED (exit status $rc, see $out)"
		sweep_bad=$((sweep_bad + 1))
	else
		sweep_mods=$((sweep_mods + n))
	fi
done
echo "truncation sweep: $sweep_mods modules cut at every byte without a crash," \
     "$sweep_bad files failed"
total_f=$((total_f + sweep_bad))
[ $selftest_failed -eq 0 ] && echo "runner self-test (tests/spec/*.wast): ok" || echo "the runner's self-test FAILED: the numbers above are suspect"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ] && [ $selftest_failed -eq 0 ]
