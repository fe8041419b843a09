#!/usr/bin/env bash
# run.sh — the `make bench` driver (issue 3, "Benchmarks"); run from the top
# of the tree by make, after the programs are built into build/bench/.
#
# For each program bench/NAME.c (built as build/bench/NAME.native with
# gcc -O2 and build/bench/NAME.wasm with clang --target=wasm32-wasi -O2):
#   native    build/bench/NAME.native
#   wasmetal  build/wasmetal run --hosted build/bench/NAME.wasm
#   liftoff   node --liftoff --no-wasm-tier-up --no-wasm-dynamic-tiering bench/wasi_run.mjs
#   turbofan  node --no-liftoff bench/wasi_run.mjs
# Every run's stdout and exit status must equal the native run's: a
# mismatch is printed loudly and makes the script exit 1 (after the table
# is written).  Each runner is timed BENCH_RUNS times (default 3, the runners
# interleaved) as wall time of the whole process; the best (minimum) counts.
# Then build/bench/compile_speed times wasm_module_load on every module.
# Writes bench/RESULTS.md (override with BENCH_OUT=FILE).
set -u
cd "$(dirname "$0")/.." || exit 1

B=build
BB=$B/bench
RUNS=${BENCH_RUNS:-3}
OUT=${BENCH_OUT:-bench/RESULTS.md}
TIMEOUT=${BENCH_TIMEOUT:-300}
RUNNERS=(native wasmetal liftoff turbofan)
NODE_LIFTOFF=(node --no-warnings --liftoff --no-wasm-tier-up --no-wasm-dynamic-tiering bench/wasi_run.mjs)
NODE_TURBOFAN=(node --no-warnings --no-liftoff bench/wasi_run.mjs)

for f in "$B/wasmetal" "$BB/compile_speed"; do
	[ -x "$f" ] || { echo "bench: $f missing (run 'make bench')" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

# Others may rebuild build/wasmetal while this runs: time one fixed copy.
cp "$B/wasmetal" "$T/wasmetal" || exit 1
cp "$BB/compile_speed" "$T/compile_speed" || exit 1

NAMES=()
for src in bench/*.c; do
	name=$(basename "$src" .c)
	[ "$name" = compile_speed ] && continue
	# BENCH_ONLY="a b": just those (for trying things; RESULTS.md says so)
	[ -n "${BENCH_ONLY:-}" ] && [[ " $BENCH_ONLY " != *" $name "* ]] && continue
	NAMES+=("$name")
done

command -v node >/dev/null || { echo "bench: node not found" >&2; exit 1; }

# cmd RUNNER NAME: print the command line (one word per line).
cmd() {
	case $1 in
	native)   printf '%s\n' "$BB/$2.native" ;;
	wasmetal) printf '%s\n' "$T/wasmetal" run --hosted "$BB/$2.wasm" ;;
	liftoff)  printf '%s\n' "${NODE_LIFTOFF[@]}" "$BB/$2.wasm" ;;
	turbofan) printf '%s\n' "${NODE_TURBOFAN[@]}" "$BB/$2.wasm" ;;
	esac
}

# run_once RUNNER NAME OUTFILE: run it, print its wall time in ns; the exit
# status goes into OUTFILE.status, stderr into OUTFILE.err.
run_once() {
	local -a c
	mapfile -t c < <(cmd "$1" "$2")
	local t0 t1 st
	t0=$(date +%s%N)
	timeout "$TIMEOUT" "${c[@]}" >"$3" 2>"$3.err"
	st=$?
	t1=$(date +%s%N)
	echo "$st" >"$3.status"
	echo $((t1 - t0))
}

nfail=0
declare -A BEST
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
echo "bench: ${#NAMES[@]} programs x ${#RUNNERS[@]} runners x $RUNS runs (best of $RUNS)"
for name in "${NAMES[@]}"; do
	ref_ok=1
	for ((i = 0; i < RUNS; i++)); do
		for r in "${RUNNERS[@]}"; do
			o=$T/$name.$r.$i
			ns=$(run_once "$r" "$name" "$o")
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
			cur=${BEST[$name.$r]:-}
			if [ -z "$cur" ] || [ "$ns" -lt "$cur" ]; then
				BEST[$name.$r]=$ns
			fi
		done
	done
	[ "$ref_ok" = 1 ] || { nfail=$((nfail + 1)); BAD[$name.native]=1; }
	printf '  %-11s' "$name"
	for r in "${RUNNERS[@]}"; do
		printf ' %s %7.3f s%s' "$r" "$(awk -v n="${BEST[$name.$r]}" 'BEGIN { printf "%.3f", n / 1e9 }')" \
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
	echo "- Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- jit 2>/dev/null || echo ' (jit/ has uncommitted changes)'); build/wasmetal built $(date -u -r "$B/wasmetal" '+%Y-%m-%d %H:%M UTC')"
	echo "- Machine: $cpu, $(nproc) cores online, $mem RAM, Linux $(uname -r)"
	echo "  (CPU features: lzcnt $(has abm), bmi1 $(has bmi1), popcnt $(has popcnt), sse4.1 $(has sse4_1), avx2 $(has avx2))"
	echo "- gcc: $(gcc --version | head -1)"
	echo "- clang: $(clang --version | head -1)"
	echo "- node: $(node --version) (V8 $(node -p process.versions.v8))"
	[ -z "${BENCH_ONLY:-}" ] || echo "- **Partial run: BENCH_ONLY=\"$BENCH_ONLY\"** (not the full set)"
	echo "- Load average (1/5/15 min) before: $load_start, after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "  (this host has $(nproc) cores; other work running at the same time makes the numbers noisy)"
	echo "- Runs: best (minimum) wall time of $RUNS runs per program and runner,"
	echo "  whole process, start to exit. The node times include node's own start-up"
	echo "  (measured below) and compiling the module;"
	echo "  the wasmetal times include compiling the module. Nothing is subtracted."
	echo
	echo "| program | native s | wasmetal s | Liftoff s | TurboFan s | wasmetal / native | Liftoff / native | TurboFan / native | wasmetal / Liftoff |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for name in "${NAMES[@]}"; do
		echo "$name ${BEST[$name.native]} ${BEST[$name.wasmetal]} ${BEST[$name.liftoff]} ${BEST[$name.turbofan]}" \
			"${BAD[$name.native]:-0} ${BAD[$name.wasmetal]:-0} ${BAD[$name.liftoff]:-0} ${BAD[$name.turbofan]:-0}"
	done >"$T/rows"
	awk '
		function mark(bad) { return bad == 1 ? " **WRONG OUTPUT**" : "" }
		{
			n = $2; w = $3; l = $4; t = $5
			printf "| %s | %.3f%s | %.3f%s | %.3f%s | %.3f%s | %.2f | %.2f | %.2f | %.2f |\n", $1,
				n / 1e9, mark($6), w / 1e9, mark($7), l / 1e9, mark($8), t / 1e9, mark($9),
				w / n, l / n, t / n, w / l
			gw += log(w / n); gl += log(l / n); gt += log(t / n); k++
		}
		END {
			printf "| **geometric mean** | | | | | **%.2f** | **%.2f** | **%.2f** | **%.2f** |\n",
				exp(gw / k), exp(gl / k), exp(gt / k), exp((gw - gl) / k)
			printf "%.4f %.4f %.4f\n", exp(gw / k), exp(gl / k), exp(gt / k) > "/dev/stderr"
		}' "$T/rows" 2>"$T/geo"
	echo
	echo "Ratios are time / native time (lower is better); every runner printed"
	echo "exactly what the native build printed$([ $nfail = 0 ] || echo ' **except where marked WRONG OUTPUT**')."
	echo
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
} >"$T/results.md"

# Start-up cost of each wasm runner, for reading the table: an empty main().
echo 'int main(void) { return 0; }' >"$T/empty.c"
clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$T/empty.wasm" "$T/empty.c" || nfail=$((nfail + 1))
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

read -r gw gl gt <"$T/geo"
ctot=$(awk '$2 == "total" { print $6 }' "$T/compile")
ccode=$(awk '$2 == "total" { print $7 }' "$T/compile")
{
	echo "Start-up for reference (best of $RUNS, a C program whose \`main\` returns 0):"
	echo "node startup $(awk -v n="$nstart" 'BEGIN { printf "%.1f", n / 1e6 }') ms, wasmetal --hosted startup $(awk -v n="$wstart" 'BEGIN { printf "%.1f", n / 1e6 }') ms."
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
		"$(awk '{ printf "%s %.2f\n", $1, $3 / $4 }' "$T/rows" | sort -k2,2 -rn |
			awk '{ printf "%s%s %.2fx", (NR > 1 ? ", " : ""), $1, $2 }')."
	echo
	echo "The run-time comparison is whole-process wall time, so node pays its ~$(awk -v n="$nstart" 'BEGIN { printf "%.0f", n / 1e6 }') ms"
	echo "start-up in every row and wasmetal its own; with programs of 0.5–2 s natively"
	echo "that is a few percent of each ratio."
	if [ $nfail != 0 ]; then
		echo
		echo "**$nfail failure(s) (wrong output or status, or compile_speed failed) — these results are not valid.**"
	fi
} >>"$T/results.md"

# Keep the network section (bench/net.sh writes it) across a rewrite.
if [ -f "$OUT" ] && grep -q '^<!-- bench/net.sh: begin -->$' "$OUT"; then
	{ echo; sed -n '/^<!-- bench\/net.sh: begin -->$/,/^<!-- bench\/net.sh: end -->$/p' "$OUT"; } \
		>>"$T/results.md"
fi
cp "$T/results.md" "$OUT"
echo "bench: wrote $OUT"
sed -n '/^| program/,/geometric mean/p;/^## Targets/,$p' "$OUT"
if [ $nfail != 0 ]; then
	echo "!!!!!!!! bench: $nfail FAILURE(S) — see above" >&2
	exit 1
fi
exit 0
