#!/usr/bin/env bash
# run.sh — the `make bench` driver (issue 3, "Benchmarks"; issue 9, "Speed
# targets"); run from the top of the tree by make, after the programs are
# built into build/bench/.
#
# For each program bench/NAME.c and each real program bench/real/NAME/
# (built as build/bench/NAME.native with gcc -O2, build/bench/NAME.wasm with
# clang --target=wasm32-wasi -O2, build/bench/NAME.w2c with wasm2c + gcc -O2):
#   native    build/bench/NAME.native
#   wasmetal  build/wasmetal run --hosted build/bench/NAME.wasm
#   llvm      build/wasmetal run --hosted --backend llvm, the artifact
#             cache warm (issue 9: the steady state after a first run);
#             the cache is private to this run (WASMETAL_AOT_CACHE=
#             build/bench/aot-cache, emptied first).  Before the timed
#             runs of a program: `wasmetal compile --backend llvm` (cold,
#             no cache) and `--backend single`, BENCH_RUNS times each (the
#             compile table: seconds, MB/s of Wasm, artifact sizes), then
#             one first run with the cache empty ("llvm first run":
#             compile + cache write + run, one sample).  Run only when
#             the build has the backend (probed on an empty module).
#   wasm2c    build/bench/NAME.w2c (bench/wasm2c/)
#   liftoff   node --liftoff --no-wasm-tier-up --no-wasm-dynamic-tiering bench/wasi_run.mjs
#   turbofan  node --no-liftoff bench/wasi_run.mjs
# and for the bench/ programs (not the real ones), on build/bench/NAME.simd.wasm
# (the same C with -msimd128; issue 10), in the same interleaved loop:
#   simd      build/wasmetal run --hosted build/bench/NAME.simd.wasm
#   simdllvm  the same with --backend llvm, the cache warm (one untimed
#             run first fills it)
# reported in a table of their own ("SIMD builds"), beside the scalar
# build's wasmetal, llvm and native.
# Every run's stdout and exit status must equal the native run's: a
# mismatch is printed loudly and makes the script exit 1 (after the table
# is written).  Each runner is timed BENCH_RUNS times (default 3, the runners
# interleaved) as wall time of the whole process; the best (minimum) counts.
# The CPU time (user + sys of the process and its children) of each run is
# recorded too, best of the runs, for a second table: on the shared 2-core
# host, wall time grows with other people's load, CPU time much less.
# Then build/bench/compile_speed times wasm_module_load on every module.
# Writes bench/RESULTS.md (override with BENCH_OUT=FILE).
set -u
cd "$(dirname "$0")/.." || exit 1

B=build
BB=$B/bench
RUNS=${BENCH_RUNS:-3}
OUT=${BENCH_OUT:-bench/RESULTS.md}
TIMEOUT=${BENCH_TIMEOUT:-300}
# The table's columns, in order; RUNNERS (below) are those that run in the
# interleaved loop.  llvmfirst is the one first run of --backend llvm with
# an empty cache (timed before the loop).
ALL_RUNNERS=(native wasmetal llvm llvmfirst wasm2c liftoff turbofan)
NODE_LIFTOFF=(node --no-warnings --liftoff --no-wasm-tier-up --no-wasm-dynamic-tiering bench/wasi_run.mjs)
NODE_TURBOFAN=(node --no-warnings --no-liftoff bench/wasi_run.mjs)

for f in "$B/wasmetal" "$BB/compile_speed"; do
	[ -x "$f" ] || { echo "bench: $f missing (run 'make bench')" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

# Others may rebuild build/wasmetal while this runs: time one fixed copy
# (and of the LLVM plugin, which wasmetal loads from its own directory).
cp "$B/wasmetal" "$T/wasmetal" || exit 1
cp "$BB/compile_speed" "$T/compile_speed" || exit 1
[ ! -f "$B/libwasmetal-llvm.so" ] || cp "$B/libwasmetal-llvm.so" "$T/" || exit 1
# The artifact cache of --backend llvm: private to this run, empty at the
# start (the first run of each program compiles), never ~/.cache.
export WASMETAL_AOT_CACHE=$PWD/$BB/aot-cache
rm -rf "$WASMETAL_AOT_CACHE"
mkdir -m 700 "$WASMETAL_AOT_CACHE" || exit 1

NAMES=()
REAL=()   # the programs from Debian sources (bench/real/NAME/)
for d in bench/real/*/; do REAL+=("$(basename "$d")"); done
for src in bench/*.c "${REAL[@]/#/real/}"; do
	name=$(basename "$src" .c)
	[ "$name" = compile_speed ] && continue
	# BENCH_ONLY="a b": just those (for trying things; RESULTS.md says so)
	[ -n "${BENCH_ONLY:-}" ] && [[ " $BENCH_ONLY " != *" $name "* ]] && continue
	NAMES+=("$name")
done

command -v node >/dev/null || { echo "bench: node not found" >&2; exit 1; }
for name in "${NAMES[@]}"; do
	for f in "$BB/$name.native" "$BB/$name.wasm" "$BB/$name.w2c"; do
		[ -x "$f" ] || [ -f "$f" ] || { echo "bench: $f missing (run 'make bench')" >&2; exit 1; }
	done
done
isreal() { [[ " ${REAL[*]} " == *" $1 "* ]]; }
# the SIMD builds: every bench/ program's (bench/real/ has none)
for name in "${NAMES[@]}"; do
	isreal "$name" || [ -f "$BB/$name.simd.wasm" ] ||
		{ echo "bench: $BB/$name.simd.wasm missing (run 'make bench')" >&2; exit 1; }
done

# An empty main(): start-up times below, and the probe for --backend llvm.
echo 'int main(void) { return 0; }' >"$T/empty.c"
clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$T/empty.wasm" "$T/empty.c" || exit 1
RUNNERS=(native wasmetal)
HAVE_LLVM=0
if "$T/wasmetal" run --hosted --backend llvm "$T/empty.wasm" >/dev/null 2>&1; then
	RUNNERS+=(llvm)
	HAVE_LLVM=1
	LLVM_NOTE="\`wasmetal run --hosted --backend llvm\` with the artifact cache warm (a private cache, filled by the first run)"
else
	LLVM_NOTE='not built yet (`wasmetal run --hosted --backend llvm` on an empty module says: '"$("$T/wasmetal" run --hosted --backend llvm "$T/empty.wasm" 2>&1 | head -1)"')'
fi
RUNNERS+=(wasm2c liftoff turbofan)

# cmd RUNNER NAME: print the command line (one word per line).
cmd() {
	case $1 in
	native)   printf '%s\n' "$BB/$2.native" ;;
	wasmetal) printf '%s\n' "$T/wasmetal" run --hosted "$BB/$2.wasm" ;;
	llvm | llvmfirst) printf '%s\n' "$T/wasmetal" run --hosted --backend llvm "$BB/$2.wasm" ;;
	simd)     printf '%s\n' "$T/wasmetal" run --hosted "$BB/$2.simd.wasm" ;;
	simdllvm) printf '%s\n' "$T/wasmetal" run --hosted --backend llvm "$BB/$2.simd.wasm" ;;
	# the compile table (run_compile): no cache, the artifact to $T
	compile-llvm | compile-single)
		printf '%s\n' env WASMETAL_AOT_CACHE=off "$T/wasmetal" compile \
			--backend "${1#compile-}" -o "$T/$2.${1#compile-}.wmo" "$BB/$2.wasm" ;;
	wasm2c)   printf '%s\n' "$BB/$2.w2c" ;;
	liftoff)  printf '%s\n' "${NODE_LIFTOFF[@]}" "$BB/$2.wasm" ;;
	turbofan) printf '%s\n' "${NODE_TURBOFAN[@]}" "$BB/$2.wasm" ;;
	esac
}

# run_once RUNNER NAME OUTFILE: run it, print its wall time and its CPU
# time (user + sys, the process and everything it waited for) in ns; the
# exit status goes into OUTFILE.status, stderr into OUTFILE.err.
run_once() {
	local -a c
	mapfile -t c < <(cmd "$1" "$2")
	local t0 t1 st TIMEFORMAT='%3U %3S'
	t0=$(date +%s%N)
	{ time timeout "$TIMEOUT" "${c[@]}" >"$3" 2>"$3.err"; } 2>"$3.time"
	st=$?
	t1=$(date +%s%N)
	echo "$st" >"$3.status"
	echo "$((t1 - t0)) $(awk '{ printf "%.0f", ($1 + $2) * 1e9 }' "$3.time")"
}

# keep_best KEY WALL CPU: BEST[KEY] and CPU[KEY] keep the minimum of each.
keep_best() {
	local cur=${BEST[$1]:-} curc=${CPU[$1]:-}
	if [ -z "$cur" ] || [ "$2" -lt "$cur" ]; then BEST[$1]=$2; fi
	if [ -z "$curc" ] || [ "$3" -lt "$curc" ]; then CPU[$1]=$3; fi
}

# run_compile NAME: the compile table's row for NAME (before its timed
# runs): `wasmetal compile` with each backend, no cache, BENCH_RUNS times;
# BEST/CPU[NAME.compile-B] and SIZE[NAME.B] (artifact bytes).  A failed
# compile is a failure of the run.
run_compile() {
	local b i o t
	for ((i = 0; i < RUNS; i++)); do
		for b in llvm single; do
			o=$T/$1.compile-$b.$i
			t=$(run_once "compile-$b" "$1" "$o")
			if [ "$(cat "$o.status")" != 0 ]; then
				echo "!!!!!!!! $1: wasmetal compile --backend $b exited $(cat "$o.status"):" >&2
				sed 's/^/    /' "$o.err" | tail -20 >&2
				nfail=$((nfail + 1))
				BAD[$1.compile-$b]=1
				continue
			fi
			keep_best "$1.compile-$b" $t
			SIZE[$1.$b]=$(stat -c %s "$T/$1.$b.wmo")
		done
	done
}

nfail=0
declare -A BEST CPU SIZE
declare -A BAD

mismatch() {   # mismatch NAME RUNNER WHY FILE
	echo "!!!!!!!! MISMATCH: $1 under $2: $3" >&2
	echo "-------- expected (native):" >&2
	sed 's/^/    /' "$T/$1.native.ref" >&2
	echo "-------- got ($2, exit status $(cat "$4.status")):" >&2
	sed 's/^/    /' "$4" >&2
	[ -s "$4.err" ] && { echo "-------- its stderr:" >&2; sed 's/^/    /' "$4.err" | tail -20 >&2; }
	nfail=$((nfail + 1))
	BAD[$1.$2]=1
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: ${#NAMES[@]} programs x ${#RUNNERS[@]} runners x $RUNS runs (best of $RUNS)," \
	"+ the SIMD build's $((HAVE_LLVM + 1)) on each bench/ program"
for name in "${NAMES[@]}"; do
	ref_ok=1
	if [ "$HAVE_LLVM" = 1 ]; then
		# cold: compile with both backends, then the first run (empty cache)
		run_compile "$name"
		t=$(run_once llvmfirst "$name" "$T/$name.llvmfirst")
		keep_best "$name.llvmfirst" $t   # t is "WALL CPU": two words
	fi
	# the SIMD build's runners (issue 10); its llvm cache filled untimed
	# (the output is checked with the timed runs')
	PRUNNERS=("${RUNNERS[@]}")
	if ! isreal "$name"; then
		PRUNNERS+=(simd)
		if [ "$HAVE_LLVM" = 1 ]; then
			PRUNNERS+=(simdllvm)
			run_once simdllvm "$name" "$T/$name.simdllvm.fill" >/dev/null
		fi
	fi
	for ((i = 0; i < RUNS; i++)); do
		for r in "${PRUNNERS[@]}"; do
			o=$T/$name.$r.$i
			t=$(run_once "$r" "$name" "$o")
			if [ "$r" = native ] && [ "$i" = 0 ]; then
				cp "$o" "$T/$name.native.ref"
				cp "$o.status" "$T/$name.native.ref.status"
				if [ "$(cat "$o.status")" != 0 ]; then
					echo "!!!!!!!! $name: native run exited $(cat "$o.status")" >&2
					ref_ok=0
				fi
			fi
			if ! cmp -s "$o" "$T/$name.native.ref"; then
				[ -n "${BAD[$name.$r]:-}" ] || mismatch "$name" "$r" "stdout differs" "$o"
			elif ! cmp -s "$o.status" "$T/$name.native.ref.status"; then
				[ -n "${BAD[$name.$r]:-}" ] || mismatch "$name" "$r" "exit status differs" "$o"
			fi
			keep_best "$name.$r" $t
		done
	done
	[ "$ref_ok" = 1 ] || { nfail=$((nfail + 1)); BAD[$name.native]=1; }
	if [ "$HAVE_LLVM" = 1 ]; then
		o=$T/$name.llvmfirst
		if ! cmp -s "$o" "$T/$name.native.ref"; then
			mismatch "$name" llvmfirst "stdout differs" "$o"
		elif ! cmp -s "$o.status" "$T/$name.native.ref.status"; then
			mismatch "$name" llvmfirst "exit status differs" "$o"
		fi
	fi
	printf '  %-11s' "$name"
	for r in "${ALL_RUNNERS[@]}" simd simdllvm compile-llvm; do
		[ -n "${BEST[$name.$r]:-}" ] || continue
		printf ' %s %.3f s%s' "$r" "$(awk -v n="${BEST[$name.$r]}" 'BEGIN { printf "%.3f", n / 1e9 }')" \
			"$([ -n "${BAD[$name.$r]:-}" ] && echo ' WRONG')"
	done
	echo
done

echo "bench: compile throughput (wasm_module_load, best of repeated loads)"
MODULES=()
for name in "${NAMES[@]}"; do MODULES+=("$BB/$name.wasm"); done
"$T/compile_speed" -t "${BENCH_COMPILE_SECONDS:-0.5}" "${MODULES[@]}" >"$T/compile" 2>"$T/compile.err"
cst=$?
sed -i 's/^compile \([^ ]*\)\.wasm /compile \1 /' "$T/compile"
if [ $cst != 0 ]; then
	echo "!!!!!!!! compile_speed failed (status $cst):" >&2
	cat "$T/compile.err" >&2
	nfail=$((nfail + 1))
fi
awk '$2 != "total" { printf "  %-11s %6d bytes (code %6d): %.3f ms, %.1f MB/s (code section %.1f MB/s)\n", $2, $3, $4, $5 / 1e6, $7, $8 }
     $2 == "total" { printf "  %-11s %6d bytes (code %6d): %.3f ms, %.1f MB/s (code section %.1f MB/s)\n", "all", $3, $4, $5 / 1e6, $6, $7 }' "$T/compile"

# ---- RESULTS.md --------------------------------------------------------------
# table wall|cpu ROWS: the timing table in markdown from ROWS ($1 name, $2
# own|real, then for ALL_RUNNERS in order: 7 times in ns ("-": not run),
# 7 wrong-output flags, 7 CPU times in ns), with geometric-mean rows; on
# stderr "SET.A.B VALUE" lines, the geometric mean of A / B over SET (own,
# real, all) for the summary.
table() {
	awk -v mode="$1" '
		BEGIN {
			split("native wasmetal llvm llvmfirst wasm2c liftoff turbofan", RN, " ")
			# the ratio columns: numerator / denominator runner index
			nr = split("2/1 3/1 4/1 5/1 6/1 7/1 3/5 2/6", RC, " ")
			base = (mode == "cpu" ? 16 : 2)
			print "| program | source | native s | wasmetal s | llvm s | llvm first run s | wasm2c s | Liftoff s | TurboFan s | wasmetal / native | llvm / native | llvm first run / native | wasm2c / native | Liftoff / native | TurboFan / native | llvm / wasm2c | wasmetal / Liftoff |"
			print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		}
		function mark(bad) { return bad == 1 ? " **WRONG OUTPUT**" : "" }
		function sec(v, bad) { return v == "-" ? "not run" : sprintf("%.3f%s", v / 1e9, mark(bad)) }
		{
			out = "| " $1 " | " ($2 == "real" ? "Debian source" : "bench/") " |"
			for (i = 1; i <= 7; i++) {
				v[i] = $(base + i)
				out = out " " sec(v[i], $(9 + i)) " |"
			}
			for (j = 1; j <= nr; j++) {
				split(RC[j], p, "/")
				if (v[p[1]] == "-" || v[p[2]] == "-" || v[p[2]] == 0) { out = out " — |"; MISS[j] = 1; continue }
				x = v[p[1]] / v[p[2]]
				out = out sprintf(" %.2f |", x)
				G[$2, j] += log(x); G["all", j] += log(x)
			}
			K[$2]++; K["all"]++
			print out
		}
		function georow(set, label,   j, out, p) {
			if (K[set] == 0) return
			out = "| **geometric mean, " label "** | | | | | | | | |"
			for (j = 1; j <= nr; j++) {
				if (MISS[j]) { out = out " — |"; continue }
				out = out sprintf(" **%.2f** |", exp(G[set, j] / K[set]))
				split(RC[j], p, "/")
				printf "%s.%s.%s %.4f\n", set, RN[p[1]], RN[p[2]], exp(G[set, j] / K[set]) > "/dev/stderr"
			}
			print out
		}
		END { georow("own", "bench/ programs"); georow("real", "real programs"); georow("all", "all") }' "$2"
}

# simd_table wall|cpu: the SIMD builds' table (issue 10) from $T/srows ($1
# name, $2 v128 instructions in NAME.simd.wasm, then wall times in ns of
# native wasmetal simd llvm simdllvm, their wrong-output flags, their CPU
# times; "-": not run), with a geometric-mean row.
simd_table() {
	awk -v mode="$1" '
		BEGIN {
			nr = split("3/1 5/1 3/2 5/4", RC, " ")
			base = (mode == "cpu" ? 12 : 2)
			print "| bench/ program | v128 instructions | native s | wasmetal s | wasmetal simd s | llvm s | llvm simd s | wasmetal simd / native | llvm simd / native | wasmetal simd / scalar | llvm simd / scalar |"
			print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		}
		function sec(v, bad) { return v == "-" ? "not run" : sprintf("%.3f%s", v / 1e9, bad == 1 ? " **WRONG OUTPUT**" : "") }
		{
			out = "| " $1 " | " $2 " |"
			for (i = 1; i <= 5; i++) { v[i] = $(base + i); out = out " " sec(v[i], $(7 + i)) " |" }
			for (j = 1; j <= nr; j++) {
				split(RC[j], p, "/")
				if (v[p[1]] == "-" || v[p[2]] == "-" || v[p[2]] == 0) { out = out " — |"; MISS[j] = 1; continue }
				x = v[p[1]] / v[p[2]]
				out = out sprintf(" %.2f |", x)
				G[j] += log(x)
			}
			K++
			print out
		}
		END {
			if (K == 0) exit
			out = "| **geometric mean** | | | | | | |"
			for (j = 1; j <= nr; j++)
				out = out (MISS[j] ? " — |" : sprintf(" **%.2f** |", exp(G[j] / K)))
			print out
		}' "$T/srows"
}

# simd_section: RESULTS.md's section on the -msimd128 builds
simd_section() {
	local name r row n
	for name in "${NAMES[@]}"; do
		isreal "$name" && continue
		n=$(wasm-objdump -d "$BB/$name.simd.wasm" 2>/dev/null |
			grep -cE '\| +(v128|[if](8|16|32|64)x(2|4|8|16))\.')
		row="$name $n"
		for r in native wasmetal simd llvm simdllvm; do row="$row ${BEST[$name.$r]:--}"; done
		for r in native wasmetal simd llvm simdllvm; do row="$row ${BAD[$name.$r]:-0}"; done
		for r in native wasmetal simd llvm simdllvm; do row="$row ${CPU[$name.$r]:--}"; done
		echo "$row"
	done >"$T/srows"
	[ -s "$T/srows" ] || return 0
	echo "## SIMD builds (issue 10)"
	echo
	echo "Each bench/ program built a second time with \`-msimd128\` (build/bench/NAME.simd.wasm,"
	echo "the same C: whatever clang 14's autovectoriser makes of it), run in the same"
	echo "interleaved loop as the table above: \"wasmetal simd\" is \`run --hosted\`"
	echo "(single-pass) and \"llvm simd\" \`run --hosted --backend llvm\` (cache warm) on"
	echo "it; \"wasmetal\", \"llvm\" and \"native\" are the scalar build's runs above."
	echo "\"v128 instructions\" counts them in the module's code (wasm-objdump -d;"
	echo "wasi-libc's own code is built without SIMD): few means the loops that"
	echo "matter were not vectorised.  \"simd / scalar\" below 1 is what SIMD gained."
	echo "The real programs (bench/real/) have no SIMD build."
	echo
	echo "Wall time, best of $RUNS:"
	echo
	simd_table wall
	echo
	echo "CPU time (user + sys), best of the same runs:"
	echo
	simd_table cpu
	echo
}

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
flags=$(awk -F': ' '/^flags/ { print $2; exit }' /proc/cpuinfo)
has() { case " $flags " in *" $1 "*) echo yes ;; *) echo no ;; esac; }
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
{
	echo "# wasmetal benchmarks"
	echo
	echo "Produced by \`make bench\` (bench/run.sh) — do not edit by hand; the"
	echo "programs and the method are described in bench/README.md."
	echo
	echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- jit host wasi-baremetal 2>/dev/null || echo ' (jit/, host/ or wasi-baremetal/ has uncommitted changes)'); build/wasmetal built $(date -u -r "$B/wasmetal" '+%Y-%m-%d %H:%M UTC')"
	echo "- Machine: $cpu, $(nproc) cores online, $mem RAM, Linux $(uname -r)"
	echo "  (CPU features: lzcnt $(has abm), bmi1 $(has bmi1), popcnt $(has popcnt), sse4.1 $(has sse4_1), avx2 $(has avx2))"
	echo "- gcc: $(gcc --version | head -1)"
	echo "- clang: $(clang --version | head -1)"
	echo "- node: $(node --version) (V8 $(node -p process.versions.v8))"
	[ -z "${BENCH_ONLY:-}" ] || echo "- **Partial run: BENCH_ONLY=\"$BENCH_ONLY\"** (not the full set)"
	echo "- Load average (1/5/15 min) before: $load_start, after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "  (this host has $(nproc) cores; other work running at the same time makes the numbers noisy)"
	[ -z "${BENCH_NOTE:-}" ] || echo "- **Note from whoever ran it (BENCH_NOTE):** $BENCH_NOTE"
	echo "- Runs: best (minimum) wall time of $RUNS runs per program and runner,"
	echo "  whole process, start to exit. The node times include node's own start-up"
	echo "  (measured below) and compiling the module;"
	echo "  the wasmetal times include compiling the module (single-pass), or reading"
	echo "  the cached artifact (llvm); the llvm compile is timed apart. Nothing is subtracted."
	echo
	echo "- wasm2c: wabt $(wasm2c --version) (Debian), its C and Debian's wasm-rt-impl.c compiled with gcc -O2"
	echo "  (bench/wasm2c/); its time is the compiled program's, the translation and gcc run at build time."
	echo "- wasmetal llvm (issue 9): $LLVM_NOTE"
	echo
	for name in "${NAMES[@]}"; do
		row="$name $(isreal "$name" && echo real || echo own)"
		for r in "${ALL_RUNNERS[@]}"; do row="$row ${BEST[$name.$r]:--}"; done
		for r in "${ALL_RUNNERS[@]}"; do row="$row ${BAD[$name.$r]:-0}"; done
		for r in "${ALL_RUNNERS[@]}"; do row="$row ${CPU[$name.$r]:--}"; done
		echo "$row"
	done >"$T/rows"
	table wall "$T/rows" 2>"$T/geo.wall"
	echo
	echo "Ratios are time / native time (lower is better); every runner printed"
	echo "exactly what the native build printed$([ $nfail = 0 ] || echo ' **except where marked WRONG OUTPUT**')."
	echo "\"llvm\" is \`run --hosted --backend llvm\` with the artifact cache warm (what a"
	echo "user sees from the second run on: the artifact is read and mapped, nothing"
	echo "is compiled); \"llvm first run\" is the one run with the cache empty (compile +"
	echo "cache write + run; one sample, not best of $RUNS). The targets use \"llvm\";"
	echo "the first-run column shows what compile time adds (table below)."
	echo
	echo "### The same runs in CPU time"
	echo
	echo "User + sys time of the process (and its children), best of the same $RUNS"
	echo "runs. The host's 2 cores are shared, so wall time also holds time spent"
	echo "waiting for a core; CPU time does not (it still grows somewhat with load:"
	echo "caches, SMT-less but shared memory bandwidth). node runs compiler and GC"
	echo "threads beside the main one, so its CPU time can exceed its wall time."
	echo
	table cpu "$T/rows" 2>"$T/geo.cpu"
	echo
	simd_section
	echo "## Compile throughput (wasmetal)"
	echo
	echo "\`build/bench/compile_speed\` calls \`wasm_module_load\` (decode + validate +"
	echo "compile to x86-64) on each module repeatedly on one thread and keeps the best"
	echo "time. MB = 10^6 bytes. The modules are linked with \`-Wl,--strip-debug\` (the"
	echo "Debian wasi-libc carries DWARF that would otherwise make up ~75% of each file"
	echo "and inflate the figure); \"code\" is the code section alone."
	echo
	echo "| module | bytes | code bytes | best load ms | MB/s (module) | MB/s (code section) |"
	echo "|---|---:|---:|---:|---:|---:|"
	awk '$2 != "total" { printf "| %s | %d | %d | %.3f | %.1f | %.1f |\n", $2, $3, $4, $5 / 1e6, $7, $8 }
	     $2 == "total" { printf "| **all** | %d | %d | %.3f | **%.1f** | **%.1f** |\n", $3, $4, $5 / 1e6, $6, $7 }' "$T/compile"
	echo
	if [ "$HAVE_LLVM" = 1 ]; then
		echo "### Both backends, cold: \`wasmetal compile\` (issue 9)"
		echo
		echo "\`wasmetal compile --backend B NAME.wasm -o NAME.wmo\` with the cache off, the"
		echo "whole process (read, decode, validate, compile, write the artifact; for llvm"
		echo "also loading the plugin, ~65 ms), best of $RUNS; MB/s of the whole module."
		echo "CPU is user + sys of the process. Artifact bytes: the .wmo file."
		echo
		echo "| module | wasm bytes | single s | single MB/s | single artifact bytes | llvm s | llvm CPU s | llvm MB/s | llvm artifact bytes | llvm / single size |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		for name in "${NAMES[@]}"; do
			echo "$name $(stat -c %s "$BB/$name.wasm") ${BEST[$name.compile-single]:--}" \
				"${BEST[$name.compile-llvm]:--} ${CPU[$name.compile-llvm]:--}" \
				"${SIZE[$name.single]:--} ${SIZE[$name.llvm]:--}"
		done >"$T/crows"
		awk 'function s(v) { return v == "-" ? "failed" : sprintf("%.3f", v / 1e9) }
		     function mbs(v) { return v == "-" ? "—" : sprintf("%.3f", $2 / 1e6 / (v / 1e9)) }
		     { printf "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, s($3), mbs($3), $6,
			s($4), s($5), mbs($4), $7, ($6 == "-" || $7 == "-") ? "—" : sprintf("%.2f", $7 / $6)
		       b += $2; if ($3 != "-") ts += $3; if ($4 != "-") tl += $4 }
		     END { if (ts > 0 && tl > 0) printf "| **all** | %d | %.3f | **%.3f** | | %.3f | | **%.3f** | | |\n", b, ts / 1e9, b / 1e6 / (ts / 1e9), tl / 1e9, b / 1e6 / (tl / 1e9) }' "$T/crows"
		echo
	fi
} >"$T/results.md"

# Start-up cost of each wasm runner, for reading the table: an empty main()
# ($T/empty.wasm, built above).
nstart=
for ((i = 0; i < RUNS; i++)); do
	t0=$(date +%s%N)
	"${NODE_LIFTOFF[@]}" "$T/empty.wasm" >/dev/null 2>&1
	t1=$(date +%s%N)
	d=$((t1 - t0))
	[ -z "$nstart" ] || [ "$d" -lt "$nstart" ] && nstart=$d
done
wstart=
for ((i = 0; i < RUNS; i++)); do
	t0=$(date +%s%N)
	"$T/wasmetal" run --hosted "$T/empty.wasm" >/dev/null 2>&1
	t1=$(date +%s%N)
	d=$((t1 - t0))
	[ -z "$wstart" ] || [ "$d" -lt "$wstart" ] && wstart=$d
done
lstart=
for ((i = 0; i < RUNS && HAVE_LLVM; i++)); do   # empty.wasm is cached (the probe)
	t0=$(date +%s%N)
	"$T/wasmetal" run --hosted --backend llvm "$T/empty.wasm" >/dev/null 2>&1
	t1=$(date +%s%N)
	d=$((t1 - t0))
	[ -z "$lstart" ] || [ "$d" -lt "$lstart" ] && lstart=$d
done

# GEO[wall.SET.A.B], GEO[cpu.SET.A.B]: geometric means of A / B (table())
declare -A GEO
for m in wall cpu; do
	while read -r k v; do GEO[$m.$k]=$v; done <"$T/geo.$m"
done
geo() { echo "${GEO[$1]:-0}"; }
gw=$(geo wall.all.wasmetal.native) gl=$(geo wall.all.liftoff.native) gt=$(geo wall.all.turbofan.native)
g2c=$(geo wall.all.wasm2c.native)
rw=$(geo wall.real.wasmetal.native) r2c=$(geo wall.real.wasm2c.native)
rl=$(geo wall.real.liftoff.native) rt=$(geo wall.real.turbofan.native)
ctot=$(awk '$2 == "total" { print $6 }' "$T/compile")
ccode=$(awk '$2 == "total" { print $7 }' "$T/compile")
{
	echo "Start-up for reference (best of $RUNS, a C program whose \`main\` returns 0):"
	echo "node startup $(awk -v n="$nstart" 'BEGIN { printf "%.1f", n / 1e6 }') ms, wasmetal --hosted startup $(awk -v n="$wstart" 'BEGIN { printf "%.1f", n / 1e6 }') ms$([ -z "$lstart" ] || awk -v n="$lstart" 'BEGIN { printf ", wasmetal --hosted --backend llvm startup (cache warm) %.1f ms", n / 1e6 }')."
	echo
	echo "## Targets (issue 3)"
	echo
	awk -v gw="$gw" -v gl="$gl" -v gt="$gt" -v c="${ctot:-0}" -v cc="${ccode:-0}" 'BEGIN {
		printf "- Run time: wasmetal geometric-mean ratio to native **%.2fx**, Liftoff **%.2fx**, TurboFan **%.2fx**. ", gw, gl, gt
		if (gw <= gl)
			printf "Target (no worse than Liftoff) **met**: wasmetal is %.0f%% %s than Liftoff.\n", \
				(gw == gl ? 0 : 100 * (gl - gw) / gl), "faster"
		else
			printf "Target (no worse than Liftoff) **not met**: wasmetal takes %.2fx Liftoff'"'"'s time (%.0f%% slower) on the geometric mean.\n", gw / gl, 100 * (gw / gl - 1)
		printf "- Compile: **%.1f MB/s** of wasm module (%.1f MB/s of code section) on one core (target >= 50 MB/s): ", c, cc
		if (c <= 0)
			printf "**not measured** (compile_speed failed).\n"
		else if (c >= 50)
			printf "**met**.\n"
		else
			printf "**not met**, %.0f%% short (%.1f MB/s missing).\n", 100 * (50 - c) / 50, 50 - c
	}'
	echo "- Per program, wasmetal / Liftoff (worst first):" \
		"$(awk '{ printf "%s %.2f\n", $1, $4 / $8 }' "$T/rows" | sort -k2,2 -rn |
			awk '{ printf "%s%s %.2fx", (NR > 1 ? ", " : ""), $1, $2 }')."
	echo
	echo "The run-time comparison is whole-process wall time, so node pays its ~$(awk -v n="$nstart" 'BEGIN { printf "%.0f", n / 1e6 }') ms"
	echo "start-up in every row and wasmetal its own; with programs of 0.5–2 s natively"
	echo "that is a few percent of each ratio."
	echo
	echo "## Targets (issue 9; real programs from Debian sources: ${REAL[*]})"
	echo
	awk -v rw="$rw" -v r2c="$r2c" -v rl="$rl" -v rt="$rt" -v g2c="$g2c" -v rll="$(geo wall.real.llvm.native)" 'BEGIN {
		if (rw > 0)
			printf "- Real programs, geometric mean / native: wasmetal **%.2fx**, llvm **%s**, wasm2c + gcc -O2 **%.2fx**, Liftoff **%.2fx**, TurboFan **%.2fx**.\n", rw, (rll > 0 ? sprintf("%.2fx", rll) : "not run"), r2c, rl, rt
		else
			printf "- Real programs: **not run** (BENCH_ONLY left them out).\n"
		printf "- wasm2c + gcc -O2 over all programs: **%.2fx** native.\n", g2c
	}'
	if [ "$HAVE_LLVM" = 1 ]; then
		# the issue's targets are about the real programs; all 13 for scale
		for set in real all; do
			awk -v set="$set" -v l="$(geo wall.$set.llvm.native)" -v c="$(geo cpu.$set.llvm.native)" \
			    -v f="$(geo wall.$set.llvmfirst.native)" -v fc="$(geo cpu.$set.llvmfirst.native)" \
			    -v w="$(geo wall.$set.llvm.wasm2c)" -v cw="$(geo cpu.$set.llvm.wasm2c)" 'BEGIN {
				if (l <= 0) { printf "- llvm, %s programs: not run.\n", set; exit }
				printf "- llvm (cache warm) / native, geometric mean over the %s programs: **%.2fx** wall, **%.2fx** CPU time. Target <= 1.05x: **%s**.", \
					(set == "all" ? "13" : "real"), l, c, \
					(l <= 1.05 && c <= 1.05 ? "met" : (l > 1.05 && c > 1.05 ? "not met" : "met in one measure only"))
				printf " With compile time (the first run, cache empty): %.2fx wall, %.2fx CPU.", f, fc
				printf " llvm / wasm2c + gcc -O2: **%.2fx** wall, **%.2fx** CPU (target: faster than wasm2c: **%s**).\n", \
					w, cw, (w < 1 && cw < 1 ? "met" : (w >= 1 && cw >= 1 ? "not met" : "met in one measure only"))
			}'
		done
		echo "- Per program, llvm / native (worst first):" \
			"$(awk '$5 != "-" { printf "%s %.2f\n", $1, $5 / $3 }' "$T/rows" | sort -k2,2 -rn |
				awk '{ printf "%s%s %.2fx", (NR > 1 ? ", " : ""), $1, $2 }')."
		echo "- Per program, llvm / wasm2c (worst first):" \
			"$(awk '$5 != "-" { printf "%s %.2f\n", $1, $5 / $7 }' "$T/rows" | sort -k2,2 -rn |
				awk '{ printf "%s%s %.2fx", (NR > 1 ? ", " : ""), $1, $2 }')."
		echo "- The same in CPU time, llvm / native:" \
			"$(awk '$19 != "-" { printf "%s %.2f\n", $1, $19 / $17 }' "$T/rows" | sort -k2,2 -rn |
				awk '{ printf "%s%s %.2fx", (NR > 1 ? ", " : ""), $1, $2 }');" \
			"llvm / wasm2c:" \
			"$(awk '$19 != "-" { printf "%s %.2f\n", $1, $19 / $21 }' "$T/rows" | sort -k2,2 -rn |
				awk '{ printf "%s%s %.2fx", (NR > 1 ? ", " : ""), $1, $2 }')."
	else
		echo "- wasmetal llvm: $LLVM_NOTE. Issue 9's targets for it (geometric mean <= 1.05x native, faster than wasm2c + gcc) cannot be checked until it exists."
	fi
	awk '$2 != "total" && $3 > max { max = $3; m = $2; code = $4; ms = $5 / 1e6; mbs = $7 }
	     END { if (m != "") printf "- Largest module: %s, %d bytes (code section %d): compiled by wasmetal (single-pass) in %.3f ms, **%.1f MB/s** (compile_speed, in process).\n", m, max, code, ms, mbs }' "$T/compile"
	[ "$HAVE_LLVM" = 1 ] && sort -k2,2 -n "$T/crows" | tail -1 | awk '$4 != "-" {
		printf "- The same module through `wasmetal compile`, whole process: single-pass %.3f s (%.1f MB/s), llvm %.1f s (**%.3f MB/s**); artifacts %d bytes (single) and %d bytes (llvm).\n", \
			$3 / 1e9, $2 / 1e6 / ($3 / 1e9), $4 / 1e9, $2 / 1e6 / ($4 / 1e9), $6, $7 }'
	# issue 10 (SIMD builds; $T/srows, simd_section): matmul with SIMD
	# within 1.5x native on the single-pass JIT, close to native on llvm
	if [ -s "$T/srows" ]; then
		echo
		echo "## Targets (issue 10; the -msimd128 builds of the bench/ programs)"
		echo
		awk 'function r(a, b) { return (a == "-" || b == "-" || b == 0) ? "" : a / b }
		     function x(v) { return v == "" ? "not run" : sprintf("%.2fx", v) }
		     $1 == "matmul" {
			w = r($5, $3); c = r($15, $13)
			printf "- matmul, wasmetal simd / native: **%s** wall, **%s** CPU time. Target <= 1.5x: **%s**.", x(w), x(c), \
				(w == "" || c == "") ? "not run" : (w <= 1.5 && c <= 1.5 ? "met" : (w > 1.5 && c > 1.5 ? "not met" : "met in one measure only"))
			printf " llvm simd / native: **%s** wall, **%s** CPU (target: close to native).\n", x(r($7, $3)), x(r($17, $13)) }
		     { for (k = 0; k < 4; k++) {
			v = r($(k < 2 ? 5 + 2 * k : 15 + 2 * (k - 2)), $(k < 2 ? 4 + 2 * k : 14 + 2 * (k - 2)))
			if (v == "") miss[k] = 1; else g[k] += log(v) }
		       n++ }
		     function gm(k) { return miss[k] ? "not run" : sprintf("%.2fx", exp(g[k] / n)) }
		     END { printf "- Geometric mean over the %d bench/ programs, SIMD build / scalar build: wasmetal **%s** wall, **%s** CPU; llvm **%s** wall, **%s** CPU.\n", n, gm(0), gm(2), gm(1), gm(3) }' "$T/srows"
	fi
	if [ $nfail != 0 ]; then
		echo
		echo "**$nfail failure(s) (wrong output or status, or compile_speed failed) — these results are not valid.**"
	fi
} >>"$T/results.md"

# Keep the hand-written reading of the LLVM numbers (between its markers:
# dated, it says which run it read), the network section (bench/net.sh
# writes it) and the before/after section (bench/compare.sh) across a rewrite.
if [ -f "$OUT" ] && grep -q '^<!-- llvm analysis: begin -->$' "$OUT"; then
	{ echo; sed -n '/^<!-- llvm analysis: begin -->$/,/^<!-- llvm analysis: end -->$/p' "$OUT"; } \
		>>"$T/results.md"
fi
if [ -f "$OUT" ] && grep -q '^<!-- bench/net.sh: begin -->$' "$OUT"; then
	{ echo; sed -n '/^<!-- bench\/net.sh: begin -->$/,/^<!-- bench\/net.sh: end -->$/p' "$OUT"; } \
		>>"$T/results.md"
fi
# ... and bench/compare.sh's before/after section (its own markers)
if [ -f "$OUT" ] && grep -q '^<!-- compare: begin -->$' "$OUT"; then
	{ echo; sed -n '/^<!-- compare: begin -->$/,/^<!-- compare: end -->$/p' "$OUT"; } \
		>>"$T/results.md"
fi
# ... and bench/boot.sh's boot budget section (its own markers)
if [ -f "$OUT" ] && grep -q '^<!-- bench/boot.sh: begin -->$' "$OUT"; then
	{ echo; sed -n '/^<!-- bench\/boot.sh: begin -->$/,/^<!-- bench\/boot.sh: end -->$/p' "$OUT"; } \
		>>"$T/results.md"
fi
cp "$T/results.md" "$OUT"
echo "bench: wrote $OUT"
sed -n '/^| program/,/geometric mean, all/p;/^## SIMD builds/,/^## Compile throughput/p;/^## Targets/,/^<!-- bench/p' "$OUT"
if [ $nfail != 0 ]; then
	echo "!!!!!!!! bench: $nfail FAILURE(S) — see above" >&2
	exit 1
fi
exit 0
