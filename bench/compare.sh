#!/usr/bin/env bash
# compare.sh — the single-pass JIT before and after, in one run (issue 9,
# "Targets in bench/ (same run, before and after)"): `make bench-compare
# BASE=<rev> [AFTER=<rev>|tree]`.  Run from the top of the tree.
#
#   bench/compare.sh [-n RUNS] [-w] [-t SECONDS] BASE [AFTER]
#
# BASE (and AFTER when it is a revision, not "tree", the default) is built
# in a scratch git worktree, ~/.cache/wasmetal/bench-base/<sha> (cached by
# sha; ones unused for 14 days are removed): only its hosted CLI
# (build/wasmetal) and build/bench/compile_speed.  "tree" is this tree's
# $BUILD/wasmetal and compile_speed.  Both run the SAME modules, this
# tree's $BUILD/bench/NAME.wasm (make's bench rules build them), so only
# the runtime differs.
#
# Every program (bench/*.c and bench/real/*/) runs `wasmetal run --hosted`
# of BEFORE and AFTER interleaved (before, after, before, after ...),
# RUNS times each (default 5); the medians of the user + sys CPU time and
# of the wall time count.
# Every run's stdout and exit status must equal the native build's
# ($BUILD/bench/NAME.native, run once first); a mismatch or a timeout is
# printed loudly, the row is left out of the geometric means and the
# script exits 1.  Then each revision's compile_speed on every module
# (wasm_module_load, best of its repeats; RUNS rounds interleaved, best of
# all: under load a big module's load is often preempted).  Prints a
# markdown section; -w also writes it into bench/RESULTS.md between the
# compare markers (run.sh keeps it there).
# Knobs as run.sh's: BENCH_ONLY="crc32 lua" (a subset), BENCH_TIMEOUT,
# BENCH_COMPILE_SECONDS, BENCH_OUT; COMPARE_BUILD_TIMEOUT (make of a rev);
# every run has a timeout (a hung runtime is a failure, not a hang).
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/section.sh             # section_write

B=${BUILD:-build}
BB=$B/bench
RUNS=5
WRITE=0
TIMEOUT=${BENCH_TIMEOUT:-300}          # per run of a program
BUILD_TIMEOUT=${COMPARE_BUILD_TIMEOUT:-1800}
COMPILE_TIMEOUT=120                    # per compile_speed run (CSECS a module)
CSECS=${BENCH_COMPILE_SECONDS:-0.5}    # compile_speed -t, per module
OUT=${BENCH_OUT:-bench/RESULTS.md}
CACHE=${CACHE:-$HOME/.cache/wasmetal}
BASEDIR=$CACHE/bench-base
CALL_HEAVY="interp lua sqlite"         # issue 9: >= 20% better
BEGIN='<!-- compare: begin -->'
END='<!-- compare: end -->'

die() { echo "bench/compare.sh: $*" >&2; exit 1; }
usage() { die "usage: bench/compare.sh [-n RUNS] [-w] [-t SECONDS] BASE [AFTER (a revision or 'tree', the default)]"; }
while getopts n:wt: o; do
	case $o in
	n) RUNS=$OPTARG ;;
	w) WRITE=1 ;;
	t) TIMEOUT=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ $# -le 2 ] && [ -n "$1" ] || usage
BASE=$1
AFTER=${2:-tree}
[ -n "$AFTER" ] || AFTER=tree
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "-n wants a positive number, got '$RUNS'"

REPO=$(git rev-parse --show-toplevel) || die "not in a git tree"
mkdir -p "$BASEDIR" || die "cannot create $BASEDIR"
case "$(realpath "$BASEDIR")/" in
"$(realpath "$REPO")"/*) die "$BASEDIR is inside the repository tree; set CACHE elsewhere" ;;
esac
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-compare.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

# prune_stale: remove cached worktrees not used (stamp touched) for 14
# days and half-built ones (no stamp), then let git forget missing ones.
# Called with the lock held, so nobody is building in them.
prune_stale() {
	local d
	for d in "$BASEDIR"/*/; do
		d=${d%/}
		[[ "$(basename "$d")" =~ ^[0-9a-f]{40}$ ]] || continue
		[ -n "$(find "$d/.compare-built" -mtime -14 2>/dev/null)" ] && continue
		echo "bench/compare.sh: removing stale $d" >&2
		git -C "$REPO" worktree remove --force "$d" 2>/dev/null || rm -rf "$d"
	done
	find "$BASEDIR" -maxdepth 1 -name '*.log' -mtime +14 -delete
	git -C "$REPO" worktree prune
}

# build_rev REV DEST: the revision's wasmetal and compile_speed, built in
# its cached worktree, copied to DEST/ (others may prune the cache later).
build_rev() {
	local sha wt log
	sha=$(git -C "$REPO" rev-parse --verify --quiet "$1^{commit}") || die "'$1' is not a revision of this repository"
	wt=$BASEDIR/$sha
	log=$BASEDIR/$sha.log
	mkdir -p "$2"
	(
		flock 9 || exit 1
		prune_stale
		if [ ! -f "$wt/.compare-built" ] || [ "$(git -C "$wt" rev-parse HEAD 2>/dev/null)" != "$sha" ]; then
			git -C "$REPO" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
			git -C "$REPO" worktree prune
			git -C "$REPO" worktree add --detach "$wt" "$sha" >"$log" 2>&1 ||
				{ cat "$log" >&2; exit 1; }
			echo "bench/compare.sh: building $1 ($sha) in $wt (log: $log)" >&2
			# only the hosted CLI and compile_speed; the caller's make
			# variables (MAKEFLAGS) must not leak into the old Makefile
			if ! (cd "$wt" && timeout "$BUILD_TIMEOUT" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
				make BUILD=build CACHE="$CACHE" -j2 build/wasmetal build/bench/compile_speed) >>"$log" 2>&1; then
				tail -25 "$log" >&2
				echo "bench/compare.sh: $1 ($sha) does not build: 'make build/wasmetal build/bench/compile_speed' failed or timed out (${BUILD_TIMEOUT}s); whole log: $log (the worktree is removed)" >&2
				git -C "$REPO" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
				git -C "$REPO" worktree prune
				exit 1
			fi
		fi
		touch "$wt/.compare-built"
		# the same compile_speed.c for both sides (it needs only
		# wasm_module_load): this tree's, which pins the allocator
		cp "$REPO/bench/compile_speed.c" "$wt/bench/compile_speed.c" &&
			(cd "$wt" && timeout "$BUILD_TIMEOUT" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
				make BUILD=build CACHE="$CACHE" build/bench/compile_speed) >>"$log" 2>&1 ||
			{ tail -25 "$log" >&2; echo "bench/compare.sh: this tree's compile_speed.c does not build against $1 ($sha); log: $log" >&2; exit 1; }
		cp "$wt/build/wasmetal" "$wt/build/bench/compile_speed" "$2/"
	) 9>"$BASEDIR/.lock" >&2 || exit 1
	echo "$sha"
}

# Others may rebuild $B/wasmetal while this runs: time fixed copies.
subject() { git log -1 --format=%s "$1" | cut -c1-90; }
BSHA=$(build_rev "$BASE" "$T/before") || exit 1
if [ "$AFTER" = tree ]; then
	mkdir -p "$T/after"
	cp "$B/wasmetal" "$BB/compile_speed" "$T/after/" || die "$B/wasmetal or $BB/compile_speed missing (make bench-compare builds them)"
	ASHA=$(git rev-parse HEAD)
	ADESC="this tree at $(git rev-parse --short HEAD) \"$(subject HEAD)\"$(git diff --quiet HEAD -- jit host wasi-baremetal || echo ' + uncommitted changes in jit/, host/ or wasi-baremetal/'); $B/wasmetal built $(date -u -r "$B/wasmetal" '+%Y-%m-%d %H:%M UTC')"
else
	ASHA=$(build_rev "$AFTER" "$T/after") || exit 1
	ADESC="$(git rev-parse --short "$ASHA") \"$(subject "$ASHA")\", built in $BASEDIR/$ASHA"
fi

NAMES=()
for src in bench/*.c bench/real/*/; do
	name=$(basename "$src" .c)
	[ "$name" = compile_speed ] && continue
	# BENCH_ONLY="a b": just those (for trying things; the section says so)
	[ -n "${BENCH_ONLY:-}" ] && [[ " $BENCH_ONLY " != *" $name "* ]] && continue
	NAMES+=("$name")
done
for name in "${NAMES[@]}"; do
	for f in "$BB/$name.native" "$BB/$name.wasm"; do
		[ -f "$f" ] || die "$f missing (make bench-compare builds it)"
	done
done
isreal() { [ -d "bench/real/$1" ]; }

# run_once BIN NAME OUT: time `BIN run --hosted` (BIN "native": the native
# build); prints "WALL_NS CPU_NS"; exit status to OUT.status.
run_once() {
	local -a c=("$1" run --hosted "$BB/$2.wasm")
	[ "$1" = native ] && c=("$BB/$2.native")
	local t0 t1 TIMEFORMAT='%3U %3S'
	t0=$(date +%s%N)
	{ time timeout "$TIMEOUT" "${c[@]}" >"$3" 2>"$3.err"; } 2>"$3.time"
	echo $? >"$3.status"
	t1=$(date +%s%N)
	echo "$((t1 - t0)) $(awk '{ printf "%.0f", ($1 + $2) * 1e9 }' "$3.time")"
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "%.0f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# spread: (max - min) / median, in percent
spread() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.0f", m ? 100 * (v[NR] - v[1]) / m : 0 }'; }

nfail=0
check() {   # check NAME WHO FILE: FILE's output and status equal native's?
	local why=
	if ! cmp -s "$3" "$T/$1.ref"; then why="stdout differs"
	elif ! cmp -s "$3.status" "$T/$1.ref.status"; then why="exit status $(cat "$3.status") (124: timeout after ${TIMEOUT}s)"
	else return 0; fi
	echo "!!!!!!!! MISMATCH: $1 under $2: $why" >&2
	echo "-------- expected (native):" >&2; sed 's/^/    /' "$T/$1.ref" | tail -20 >&2
	echo "-------- got:" >&2; sed 's/^/    /' "$3" | tail -20 >&2
	[ -s "$3.err" ] && { echo "-------- its stderr:" >&2; sed 's/^/    /' "$3.err" | tail -20 >&2; }
	return 1
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
date_start=$(date -u '+%Y-%m-%d %H:%M')
echo "bench/compare.sh: ${#NAMES[@]} programs x 2 runtimes x $RUNS runs, interleaved (median)" >&2
: >"$T/rows"
for name in "${NAMES[@]}"; do
	run_once native "$name" "$T/$name.ref" >/dev/null
	bad=0
	[ "$(cat "$T/$name.ref.status")" = 0 ] || { echo "!!!!!!!! $name: native run exited $(cat "$T/$name.ref.status")" >&2; bad=1; }
	declare -A W=() C=()
	for ((i = 0; i < RUNS; i++)); do
		for who in before after; do
			o=$T/$name.$who.$i
			read -r w c < <(run_once "$T/$who/wasmetal" "$name" "$o")
			W[$who]="${W[$who]:-} $w" C[$who]="${C[$who]:-} $c"
			check "$name" "$who" "$o" || bad=1
		done
	done
	# shellcheck disable=SC2086  # the lists are words on purpose
	row="$name $(isreal "$name" && echo real || echo own) $(median ${C[before]}) $(median ${C[after]})"
	row="$row $(median ${W[before]}) $(median ${W[after]}) $bad"
	row="$row $(spread ${C[before]}) $(spread ${C[after]})"
	echo "$row" >>"$T/rows"
	[ $bad = 0 ] || nfail=$((nfail + 1))
	awk '{ printf "  %-11s CPU %.3f -> %.3f s (%.2fx), wall %.3f -> %.3f s (%.2fx)%s\n", $1, $3 / 1e9, $4 / 1e9, $4 / $3,
		$5 / 1e9, $6 / 1e9, $6 / $5, $7 ? " WRONG OUTPUT" : "" }' <<<"$row" >&2
done

echo "bench/compare.sh: compile throughput (compile_speed -t $CSECS, $RUNS rounds interleaved)" >&2
: >"$T/compile"
for name in "${NAMES[@]}"; do
	for ((i = 0; i < RUNS; i++)); do
		for who in before after; do
			timeout "$COMPILE_TIMEOUT" "$T/$who/compile_speed" -t "$CSECS" "$BB/$name.wasm" >"$T/cs" 2>"$T/cs.err"
			st=$?
			if [ $st != 0 ]; then
				echo "!!!!!!!! compile_speed ($who) exited $st on $name (124: timeout after ${COMPILE_TIMEOUT}s):" >&2
				cat "$T/cs.err" >&2
				nfail=$((nfail + 1))
				continue
			fi
			awk -v who="$who" -v n="$name" '$1 == "compile" && $2 != "total" { print n, who, $3, $5 }' "$T/cs" >>"$T/compile"
		done
	done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the markdown section ----------------------------------------------------
# rows: NAME own|real CPU_BEFORE CPU_AFTER WALL_BEFORE WALL_AFTER BAD SPREAD_B SPREAD_A (ns, %)
# compile: NAME before|after BYTES BEST_NS (several lines each; best counts)
{
	echo "$BEGIN"
	echo "## Single-pass JIT, before / after (bench/compare.sh)"
	echo
	echo "Produced by \`bench/compare.sh\` (\`make bench-compare\`); rewritten on each \`-w\` run."
	echo
	echo "- Date: $date_start to $(date -u '+%H:%M') UTC"
	echo "- Before: $(git rev-parse --short "$BSHA") \"$(subject "$BSHA")\", built in $BASEDIR/$BSHA"
	echo "- After: $ADESC"
	echo "- Modules: this tree's $BB/NAME.wasm for both (only the runtime differs); outputs checked against $BB/NAME.native"
	echo "- CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) cores online (shared with other work)"
	[ -z "${BENCH_ONLY:-}" ] || echo "- **Partial run: BENCH_ONLY=\"$BENCH_ONLY\"** (not the full set)"
	echo "- Load average (1/5/15 min) before: $load_start, after: $load_end"
	echo "- Runs: \`wasmetal run --hosted NAME.wasm\` (compile included), $RUNS runs of each, before and after interleaved; median."
	echo "  CPU = user + sys of the process (the primary measure on this shared host); wall = start to exit."
	echo "  spread = (max - min) / median of the CPU times, the larger of the two runtimes': ratios closer to 1 than that are noise."
	echo
	echo "| program | before CPU s | after CPU s | **after/before CPU** | before wall s | after wall s | after/before wall | spread |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	awk -v heavy=" $CALL_HEAVY " '
	{
		name = (index(heavy, " " $1 " ") ? "**" $1 "** (call-heavy)" : $1) ($2 == "real" ? " (Debian)" : "")
		wrong = $7 ? " **WRONG OUTPUT**" : ""
		printf "| %s%s | %.3f | %.3f | **%.3f** | %.3f | %.3f | %.3f | %d%% |\n", name, wrong,
			$3 / 1e9, $4 / 1e9, $4 / $3, $5 / 1e9, $6 / 1e9, $6 / $5, ($8 > $9 ? $8 : $9)
		if ($7) next
		for (s = 0; s < 2; s++) {
			set = s ? $2 : "all"
			GC[set] += log($4 / $3); GW[set] += log($6 / $5); K[set]++
		}
	}
	function geo(set, label) {
		if (K[set]) printf "| **geometric mean, %s (%d)** | | | **%.3f** | | | %.3f | |\n", label, K[set], exp(GC[set] / K[set]), exp(GW[set] / K[set])
	}
	END { geo("all", "all"); geo("own", "bench/"); geo("real", "real") }' "$T/rows"
	echo
	echo "Call-heavy programs (issue 9: improve by >= 20%), CPU time:"
	for n in $CALL_HEAVY; do
		awk -v n="$n" '$1 == n {
			r = $4 / $3
			printf "- %s: after/before %.3f (time %+.0f%%, speed %.2fx): ", n, r, 100 * (r - 1), 1 / r
			if ($7) print "**not valid (wrong output)**"
			else if (r <= 0.8) print "**met** (both readings: -20% time and 1.2x speed)"
			else if (r <= 1 / 1.2) print "**met as 1.2x speed, not as -20% time**"
			else print "**not met**"
		}' "$T/rows"
	done
	echo
	echo "### Compile throughput (compile_speed: wasm_module_load, best time)"
	echo
	echo "Each revision's own \`build/bench/compile_speed -t $CSECS\` per module, $RUNS rounds interleaved, best of all;"
	echo "MB = 10^6 bytes of module; \"all\" = all bytes / sum of best times."
	echo
	echo "| module | bytes | before MB/s | after MB/s | after/before |"
	echo "|---|---:|---:|---:|---:|"
	awk '{ k = $1 SUBSEP $2; if (!(k in best) || $4 < best[k]) best[k] = $4; bytes[$1] = $3; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
	END {
		for (i = 1; i <= n; i++) {
			m = order[i]; b = best[m, "before"]; a = best[m, "after"]
			if (b == "" || a == "") { printf "| %s | %d | %s | %s | — |\n", m, bytes[m], b == "" ? "failed" : "", a == "" ? "failed" : ""; bad = 1; continue }
			if (bytes[m] > big) { big = bytes[m]; bm = m }
			printf "| %s | %d | %.1f | %.1f | %.3f |\n", m, bytes[m], bytes[m] / b * 1e3, bytes[m] / a * 1e3, b / a
			tb += b; ta += a; tot += bytes[m]
		}
		if (!bad) printf "| **all** | %d | **%.1f** | **%.1f** | **%.3f** |\n", tot, tot / tb * 1e3, tot / ta * 1e3, tb / ta
		if (bm != "") printf "\nLargest module, %s: %.1f -> %.1f MB/s (%.3fx); all modules: %.1f -> %.1f MB/s (%.3fx).\n",
			bm, big / best[bm, "before"] * 1e3, big / best[bm, "after"] * 1e3, best[bm, "before"] / best[bm, "after"],
			tot / tb * 1e3, tot / ta * 1e3, tb / ta
	}' "$T/compile"
	[ $nfail = 0 ] || { echo; echo "**$nfail failure(s) (wrong output, timeout or compile_speed failed): see the run's stderr; those rows are left out of the geometric means.**"; }
	echo "$END"
} >"$T/section.md"

if [ $WRITE = 1 ]; then
	section_write "$OUT" "$BEGIN" "$END" "$T/section.md"
	echo "bench/compare.sh: wrote the section into $OUT" >&2
fi
cat "$T/section.md"
[ $nfail = 0 ] || { echo "!!!!!!!! bench/compare.sh: $nfail FAILURE(S) — see above" >&2; exit 1; }
exit 0
