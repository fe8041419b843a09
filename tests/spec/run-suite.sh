#!/bin/sh
# run-suite.sh — the WebAssembly spec testsuite through `wasmetal spec`,
# hosted or inside the kernel (DESIGN.md "Tests", level 2; issue 3).
#
#   tests/spec/run-suite.sh [NAME...]            (make spec)
#   tests/spec/run-suite.sh --qemu [NAME...]     (make spec-qemu: one boot
#                                                 on the default machine)
#   tests/spec/run-suite.sh --microvm [NAME...]  (the same boot on QEMU's
#                                                 microvm machine: PVH)
#   tests/spec/run-suite.sh --q35 [NAME...]      (... on q35 + OVMF)
#   tests/spec/run-suite.sh --llvm [--qemu] [NAME...]   (make spec-llvm)
#   tests/spec/run-suite.sh [--llvm] [--qemu] --proposals [PROPOSAL...]
#                                                (make spec-proposals)
#
# First the runner's self-tests (tests/spec/*.wast, see below).  Then
# converts every top-level *.wast of the testsuite (SIMD_NOT_YET and
# SIMD_NOT_YET_LLVM, below, would leave out simd_*.wast files a backend
# does not pass) (or just the NAMEs given,
# e.g. "i32 br_table") with wast2json into
# build/spec/NAME/NAME.json (+ its .wasm/.wat files; converted again when
# the .wast is newer), and:
#
# --proposals: instead, every *.wast of the testsuite's proposals/PROPOSAL/
#   directories (default: $SPEC_PROPOSALS, or the ones wasmetal implements,
#   below), converted with `wast2json --enable-all` into
#   build/spec/proposals/PROPOSAL/NAME/NAME.json and named
#   proposals/PROPOSAL/NAME on their lines, and run with every proposal
#   on, where the main suite's files run as Wasm 2.0 (spec_file_features,
#   spec/spec_exec.c: multi-memory off); run as the others (hosted, one
#   boot, --llvm; the boot's output and log named qemu-*-proposals.*).  A
#   proposal directory that is absent is a failure.
# hosted: runs each file in its own `build/wasmetal spec` process under a
#   timeout, keeps the output in build/spec/NAME/result.txt, prints one line
#   per file, then runs the truncation sweep on the same files (`wasmetal
#   spec --truncate`: every binary module cut at every byte must load or be
#   rejected, never crash; a file whose sweep fails adds one failure).
# --qemu: runs every file, the self-tests included, in ONE `wasmetal spec
#   --qemu` boot (the kernel stays up across all of them), output in
#   build/spec/qemu-result.txt and the kernel log in
#   build/spec/qemu-kernel.log (a microvm boot: qemu-result-microvm.txt,
#   qemu-kernel-microvm.log), split into the same per-file lines.  No
#   truncation sweep (it tests the loader, which the hosted run covers).
# --llvm: the same, with `wasmetal spec --backend llvm`: every valid module
#   compiled by the LLVM backend into an artifact that the executor loads
#   (hosted) or that the blob carries to the kernel (--qemu); outputs named
#   result-llvm.txt, qemu-result-llvm.txt, qemu-kernel-llvm.log.  No
#   truncation sweep either (the loader is the same).  With SPEC_AOT_CACHE
#   set, artifacts are taken from and kept in that cache directory
#   (`--cache`), so that a --qemu pass reuses what a hosted pass compiled
#   (make spec-llvm empties it first: the cache is keyed by engine version,
#   not by the build of the backend).
#
# Last, the total "N passed, N failed, N skipped".  A file that crashes,
# hangs or does not convert (--qemu: has no summary line in the boot's
# output) counts all its commands (at least 1) as failed.
#
# Environment: SPEC_CPU (above, after the options), WASM_TESTSUITE (default ~/.cache/wasmetal/testsuite, the
# WebAssembly/testsuite repository at commit 3a04b2c), BUILD (build),
# SPEC_TIMEOUT (seconds per file, default 60), QEMU_SPEC_TIMEOUT (seconds
# for the whole --qemu boot, default 600; it takes 5-10 s under TCG).
# Exit status: 0 when nothing failed, 1 otherwise, 2 when the suite or the
# tools are missing.
set -u

QEMU=0 LLVM=0 PROPOSALS=0 MACHINE=
while [ $# -gt 0 ]; do
	case "$1" in
	--qemu) QEMU=1 ;;
	--q35) QEMU=1 MACHINE=q35 ;;
	--microvm) QEMU=1 MACHINE=microvm ;;
	--llvm) LLVM=1 ;;
	--proposals) PROPOSALS=1 ;;
	*) break ;;
	esac
	shift
done
# what --llvm adds to every `wasmetal spec`, and to its output files' names
FLAGS= SUF=
if [ $LLVM -eq 1 ]; then
	FLAGS="--backend llvm" SUF=-llvm
	if [ -n "${SPEC_AOT_CACHE:-}" ]; then
		export WASMETAL_AOT_CACHE=$SPEC_AOT_CACHE
		FLAGS="$FLAGS --cache"
	fi
fi
# SPEC_CPU: `wasmetal spec --cpu $SPEC_CPU` (hosted: the features the
# single-pass JIT may use, e.g. sse4.1,popcnt,lzcnt,bmi1 for the SSE code
# without AVX; with --llvm: the CPU the artifacts are for); outputs named
# result$SUF-cpu.txt.  Not with --qemu and no --llvm (the kernel's JIT uses
# the CPU it boots on).
if [ -n "${SPEC_CPU:-}" ]; then
	if [ $QEMU -eq 1 ] && [ $LLVM -eq 0 ]; then
		echo "run-suite.sh: SPEC_CPU is for hosted runs and --llvm" >&2
		exit 2
	fi
	FLAGS="$FLAGS --cpu $SPEC_CPU" SUF=$SUF-cpu
fi
# --proposals: its boot's output and log apart from the main suite's
QSUF=$SUF
[ $PROPOSALS -eq 1 ] && QSUF=$SUF-proposals
# --qemu boots `wasmetal spec`'s default machine ($WASMETAL_MACHINE, else
# microvm); --q35 and --microvm name one.  A microvm boot's files end in
# -microvm.
[ $QEMU -eq 1 ] && MACHINE=${MACHINE:-${WASMETAL_MACHINE:-microvm}}
[ "$MACHINE" = microvm ] && QSUF=$QSUF-microvm
TS=${WASM_TESTSUITE:-$HOME/.cache/wasmetal/testsuite}
BUILD=${BUILD:-build}
TIMEOUT=${SPEC_TIMEOUT:-60}
QEMU_TIMEOUT=${QEMU_SPEC_TIMEOUT:-600}
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

# The summary line of file JSON in output OUT: "N passed, N failed[, ...]".
summary_of() {
	grep -F "$1: " "$2" | grep -E ': [0-9]+ passed, [0-9]+ failed' | tail -n 1 |
		sed 's/^.*: \([0-9]* passed\)/\1/'
}

# The runner's own tests first: tests/spec/*.wast, each with the summary
# line it must produce in a comment ";; expect: ...".  If the runner cannot
# tell a pass from a failure, the suite's numbers mean nothing.  (--qemu:
# converted here, run in the boot, checked after it.)
selftest_failed=0
self_jsons=""
for wast in tests/spec/*.wast; do
	name=$(basename "$wast" .wast)
	dir=$BUILD/spec/self$SUF/$name
	mkdir -p "$dir"
	rm -f "$dir"/*
	if ! wast2json "$wast" -o "$dir/$name.json" >"$dir/result.txt" 2>&1; then
		echo "runner self-test $name: wast2json failed (see $dir/result.txt)"
		selftest_failed=1
		continue
	fi
	self_jsons="$self_jsons $dir/$name.json"
	[ $QEMU -eq 1 ] && continue
	# shellcheck disable=SC2086
	timeout -k 5 "$TIMEOUT" "$WASMETAL" spec $FLAGS "$dir/$name.json" \
		>"$dir/result.txt" 2>&1
done

# check_selftest JSON OUT: the self-test's summary in OUT as its .wast says.
check_selftest() {
	name=$(basename "$1" .json)
	want=$(sed -n 's/^;; expect: //p' "tests/spec/$name.wast")
	got=$(summary_of "$1" "$2")
	if [ "$got" != "$want" ]; then
		echo "runner self-test $name: expected \"$want\", got \"$got\" (see $2)"
		selftest_failed=1
	fi
}
if [ $QEMU -eq 0 ]; then
	for json in $self_jsons; do
		check_selftest "$json" "$(dirname "$json")/result.txt"
	done
fi

# issue 10: the proposals wasmetal implements (--proposals without names);
# of those, the ones the LLVM backend refuses (its error names them:
# "... not supported by the llvm backend yet"), which --llvm leaves out of
# its default list and names on a line of their own (tests/run.sh counts
# each as a SKIP saying why).  None since tail calls (host/llvm/llvm_module.c)
# and exception handling (host/llvm/llvm_eh.c) compile there too.
SPEC_PROPOSALS=${SPEC_PROPOSALS:-extended-const multi-memory tail-call relaxed-simd memory64 exception-handling}
SPEC_PROPOSALS_NO_LLVM=""
# proposal files wast2json 1.0.32 cannot read (issue 10: "say which"):
# not run, each named on an "unreadable:" line (tests/run.sh: a SKIP)
SPEC_UNREADABLE="proposals/relaxed-simd/relaxed_dot_product:wast2json 1.0.32 cannot read f32x4.relaxed_dot_bf16x8_add_f32x4 (its instructions are in tests/unit/test_simd.c)"
missing_proposals=""
if [ $PROPOSALS -eq 1 ]; then
	if [ $# -eq 0 ] && [ $LLVM -eq 1 ]; then
		refused=""
		for p in $SPEC_PROPOSALS; do
			case " $SPEC_PROPOSALS_NO_LLVM " in
			*" $p "*) refused="$refused $p" ;;
			*) set -- "$@" "$p" ;;
			esac
		done
		echo "proposals refused by the llvm backend:$refused"
		REFUSED_LLVM=$refused
	fi
	[ $# -gt 0 ] || set -- $SPEC_PROPOSALS
	names=""
	for p in "$@"; do
		if [ ! -d "$TS/proposals/$p" ]; then
			missing_proposals="$missing_proposals $p"
			continue
		fi
		for n in $(cd "$TS" && ls proposals/"$p"/*.wast | sed 's/\.wast$//'); do
			why=$(printf '%s\n' "$SPEC_UNREADABLE" | awk -F: -v n="$n" '$1 == n { print $2 }')
			if [ -n "$why" ]; then
				echo "unreadable: $n ($why)"
			else
				names="$names $n"
			fi
		done
	done
elif [ $# -gt 0 ]; then
	names="$*"
else
	names=$(cd "$TS" && ls *.wast | grep -v '^simd_' | sed 's/\.wast$//')
	# the SIMD files: every one but these (none since issue 10's first
	# slice); with --llvm every one but SIMD_NOT_YET_LLVM (none: all 56
	# pass through host/llvm/llvm_simd.c with the single-pass counts)
	SIMD_NOT_YET=""
	SIMD_NOT_YET_LLVM=""
	[ "$LLVM" = 1 ] && SIMD_NOT_YET="$SIMD_NOT_YET $SIMD_NOT_YET_LLVM"
	names="$names $(cd "$TS" && ls simd_*.wast 2>/dev/null |
		sed 's/\.wast$//' | grep -vxF "$(echo $SIMD_NOT_YET | tr ' ' '\n')")"
fi

# json_of NAME: its converted script, build/spec/NAME/BASENAME.json (NAME is
# a top-level file's name, or proposals/PROPOSAL/FILE).
json_of() {
	echo "$BUILD/spec/$1/${1##*/}.json"
}

# convert NAME: build/spec/NAME/NAME.json up to date; nonzero if not.  A
# proposal's file with --enable-all (wabt 1.0.32 reads all six of issue
# 10's directories with it but for relaxed-simd/relaxed_dot_product.wast).
convert() {
	wast=$TS/$1.wast
	dir=$BUILD/spec/$1
	json=$(json_of "$1")
	w2j_flags=
	case "$1" in proposals/*) w2j_flags=--enable-all ;; esac
	mkdir -p "$dir"
	# converted again when the .wast is newer, or came from another
	# testsuite (WASM_TESTSUITE) or with other flags
	if [ ! -f "$json" ] || [ "$wast" -nt "$json" ] ||
	   [ "$(cat "$dir/source" 2>/dev/null)" != "$wast $w2j_flags" ]; then
		rm -f "$dir"/*
		# shellcheck disable=SC2086
		if ! wast2json $w2j_flags "$wast" -o "$json" >"$dir/result.txt" 2>&1; then
			rm -f "$json"
			return 1
		fi
		echo "$wast $w2j_flags" >"$dir/source"
	fi
	return 0
}

total_p=0 total_f=0 total_s=0 nfiles=0

# With --llvm, each proposal left out as refused must really be refused:
# the first of its modules that `wasmetal compile --backend llvm` turns
# down with "not supported" is named ("llvm refuses: PROPOSAL: MESSAGE");
# a proposal none of whose modules is refused is a failure ("llvm does not
# refuse: PROPOSAL"): the backend would then compile what it was thought
# to refuse, unchecked (relaxed SIMD once compiled to wrong code here).
for p in ${REFUSED_LLVM:-}; do
	msg=
	for n in $(cd "$TS" && ls proposals/"$p"/*.wast | sed 's/\.wast$//'); do
		convert "$n" || continue
		for m in "$(dirname "$(json_of "$n")")"/*.wasm; do
			[ -f "$m" ] || continue
			msg=$(timeout -k 5 60 "$WASMETAL" compile --backend llvm "$m" \
				-o "$BUILD/spec/refused.wmo" 2>&1 >/dev/null)
			rc=$?
			rm -f "$BUILD/spec/refused.wmo"
			if [ $rc -eq 125 ] && case "$msg" in *"not supported"*) true ;; *) false ;; esac; then
				break 2
			fi
			msg=
		done
	done
	if [ -n "$msg" ]; then
		echo "llvm refuses: $p: $(echo "$msg" | head -n 1)"
	else
		echo "llvm does not refuse: $p"
		total_f=$((total_f + 1))
	fi
done
# count NAME NOTE SUMMARY: print the file's line, add to the totals.
count() {
	json=$(json_of "$1")
	if [ -n "$2" ]; then
		n=$(grep -c '"line": ' "$json" 2>/dev/null)
		[ -n "$n" ] && [ "$n" -gt 0 ] || n=1
		p=0 f=$n s=0
	else
		p=$(echo "$3" | sed -E 's/^([0-9]+) passed.*/\1/')
		f=$(echo "$3" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
		s=$(echo "$3" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
		[ -n "$s" ] || s=0
	fi
	printf '%-36s %7d %7d %7d  %s\n' "$1" "$p" "$f" "$s" "$2"
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
}

converted=""
start_all=$(date +%s.%N)
printf '%-36s %7s %7s %7s\n' file passed failed skipped
for p in $missing_proposals; do
	printf '%-36s %7s %7s %7s  no such directory: %s\n' "proposals/$p" 0 1 0 \
		"$TS/proposals/$p"
	total_f=$((total_f + 1))
done
for name in $names; do
	nfiles=$((nfiles + 1))
	if ! convert "$name"; then
		printf '%-36s %7s %7s %7s  wast2json failed\n' "$name" 0 1 0
		total_f=$((total_f + 1))
		continue
	fi
	converted="$converted $name"
	[ $QEMU -eq 1 ] && continue
	json=$(json_of "$name")
	out=$BUILD/spec/$name/result$SUF.txt
	# shellcheck disable=SC2086
	timeout -k 5 "$TIMEOUT" "$WASMETAL" spec $FLAGS "$json" >"$out" 2>&1
	rc=$?
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	note=""
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		note="TIMEOUT after ${TIMEOUT}s"
	elif [ $rc -gt 1 ] || [ -z "$last" ]; then
		note="CRASH (exit status $rc)"
	fi
	[ -n "$note" ] && echo "$note" >>"$out"
	count "$name" "$note" "$last"
done

if [ $QEMU -eq 1 ]; then
	out=$BUILD/spec/qemu-result$QSUF.txt
	log=$BUILD/spec/qemu-kernel$QSUF.log
	jsons=$self_jsons
	for name in $converted; do
		jsons="$jsons $(json_of "$name")"
	done
	start=$(date +%s.%N)
	# shellcheck disable=SC2086
	"$WASMETAL" spec --qemu --machine "$MACHINE" $FLAGS --timeout "$QEMU_TIMEOUT" --log "$log" $jsons \
		>"$out" 2>&1
	rc=$?
	end=$(date +%s.%N)
	for name in $converted; do
		last=$(summary_of "$(json_of "$name")" "$out")
		note=""
		[ -z "$last" ] && note="NOT RUN (the boot ended with status $rc)"
		count "$name" "$note" "$last"
	done
	for json in $self_jsons; do
		check_selftest "$json" "$out"
	done
	echo "$nfiles files and the self-tests in one boot: exit status $rc" \
	     "(1: runner-fail.wast fails on purpose)," \
	     "$(awk "BEGIN { printf \"%.1f\", $end - $start }") s" \
	     "(output in $out, kernel log in $log)"
	grep -a 'spec scripts done\|plat: wasm area' "$log" | sed 's/^\[[^]]*\] /kernel: /'
	grep -a '^wasmetal spec: .* modules compiled by' "$out"
	grep -a '^note: .* script modules loaded from artifacts' "$out"
elif [ $LLVM -eq 1 ]; then
	echo "$nfiles files (failures of each in $BUILD/spec/NAME/result$SUF.txt)"
	# each process's "wasmetal spec: N modules compiled by llvm, ..." and
	# "note: N script modules loaded from artifacts, N compiled here"
	for name in $converted; do
		cat "$BUILD/spec/$name/result$SUF.txt"
	done | awk -v t0="$start_all" -v t1="$(date +%s.%N)" \
		-v how="${SPEC_AOT_CACHE:+ (or from the cache)}" '
		/^wasmetal spec: [0-9]+ modules compiled by/ {
			c += $3; i += $(NF - 8); f += $(NF - 3); s += $(NF - 1)
		}
		/^note: [0-9]+ script modules loaded from artifacts, [0-9]+ compiled here$/ {
			a += $2; h += $(NF - 2)
		}
		END { printf "llvm: %d modules compiled%s, %d invalid left as modules, " \
			"%d failed; compiling %.1f s of the %.1f s\n", c, how, i, f, s, t1 - t0
		      printf "note: %d script modules loaded from artifacts, %d compiled " \
			"here\n", a, h }'
	echo "no truncation sweep with --llvm (the loader is the plain run's)"
else
	echo "$nfiles files (failures of each in $BUILD/spec/NAME/result.txt)"

	# The truncation sweep (issue 3): every binary module of those files
	# cut at every byte must be rejected or loaded, never crash the loader
	# or hang it.
	sweep_mods=0 sweep_bad=0
	for name in $converted; do
		json=$(json_of "$name")
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
fi
# the proposals asked for (tests/run.sh checks every .wast of each ran)
[ $PROPOSALS -eq 1 ] && echo "proposals: $*"
[ $selftest_failed -eq 0 ] && echo "runner self-test (tests/spec/*.wast): ok" || echo "the runner's self-test FAILED: the numbers above are suspect"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ] && [ $selftest_failed -eq 0 ]
