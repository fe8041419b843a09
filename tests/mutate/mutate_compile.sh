#!/bin/bash
# mutate_compile.sh — the mutation check of the tests themselves (issue 8):
# plants single-token bugs in the compiler (jit/compile/*.c), one at a
# time, rebuilds, and runs the fast tests to see which one catches each bug.
#
#   tests/mutate/mutate_compile.sh [-a] [N...]        (make mutate)
#
# Never touches the tree's jit/compile/: the sources are copied (no build
# directories, no .git) into a work directory (MUTATE_DIR, default a new
# /tmp/wasmetal-mutate.XXXXXX) and built there in its own build/ (the first
# build there takes a few minutes).  Each mutation is an exact text
# replacement in one named file that must match exactly once (else the
# script stops: the compiler changed and the list needs updating); after
# each one the copy's compiler files are restored from the pristine copies,
# and on exit (trap EXIT, also after a failure or ^C) too.  At the end the
# tree's compiler files must be byte-identical to what they were at the
# start; `git diff --stat` of them is printed.
#
# The tests, fastest first, stopping at the first that fails (-a: all of
# them, listing every one that catches the bug):
#   1. the unit tests: test_opform first, test_compile, then every other
#      build/tests/unit/test_* (a test "catches" when it prints a FAIL line
#      or exits non-zero: a crash counts), each under a 120 s timeout;
#   2. the spec testsuite, hosted (tests/spec/run-suite.sh: non-zero exit).
# One line per mutation (CAUGHT or SURVIVED, and by what), then
# "N of M mutations caught".  Exit status: 0 when every mutation was
# caught, 1 when one survived, 2 on a setup error (a mutation that does
# not apply, a build that fails before any mutation).
#
# N...: only these mutations (numbers as listed below).
# Environment: MUTATE_DIR (the work directory; kept when given, else
# removed at the end), MUTATE_JOBS (make -j, default 2), WASM_TESTSUITE.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SRCS=$(cd "$ROOT" && echo jit/compile/*.c jit/compile/*.h)    # the compiler
ALL=0
if [ "${1:-}" = "-a" ]; then
	ALL=1
	shift
fi
ONLY=" $* "
JOBS=${MUTATE_JOBS:-2}
TS=${WASM_TESTSUITE:-$HOME/.cache/wasmetal/testsuite}

# ---- the mutations: name | file | old text | new text | what the bug is -----
N=0
declare -a M_NAME M_FILE M_OLD M_NEW M_WHAT
mut() {
	N=$((N + 1))
	M_NAME[$N]=$1 M_FILE[$N]=$2 M_OLD[$N]=$3 M_NEW[$N]=$4 M_WHAT[$N]=$5
}
# 1. issue 8's first: compare of a memory operand (unpinned local or
#    spilled slot) with a constant: the immediate cut to 8 bits, wrong
#    for every constant outside -128..127 (e.g. 128, 0x7fffffff)
mut cmp_mem_imm_int8 jit/compile/numeric.c \
	'(int32_t)b->imm);' \
	'(int8_t)b->imm);' \
	'memory-vs-constant compare: immediate truncated to 8 bits'
# 2. issue 8's second: i64 compares against constants truncated to 32 bits
mut i64_cmp_imm_trunc32 jit/compile/numeric.c \
	'(!w || (int64_t)b->imm == (int32_t)b->imm)' \
	'(w || (int64_t)b->imm == (int32_t)b->imm)' \
	'i64 compare with a constant: immediate truncated to 32 bits'
# 3. the out-of-registers spill path: the register taken from the deepest
#    value is handed out without being marked used (the next allocation
#    hands it out again)
mut spill_reg_not_marked jit/compile/values.c \
	'f->gpr_used |= (uint16_t)(1u << r);' \
	'f->gpr_used |= (uint16_t)(0u << r);' \
	'alloc_reg spill path: spilled register not marked used'
# 4. condition code: i32/i64.le_u as lt_u
mut le_u_cc jit/compile/numeric.c \
	'X64_CC_LE, X64_CC_BE, X64_CC_GE, X64_CC_AE,' \
	'X64_CC_LE, X64_CC_B, X64_CC_GE, X64_CC_AE,' \
	'condition code of le_u: B instead of BE'
# 5. condition code when the compare's operands are swapped (a register
#    operand moved first): le_s stays le_s
mut swap_cc_le jit/compile/numeric.c \
	'case X64_CC_LE: return X64_CC_GE;' \
	'case X64_CC_LE: return X64_CC_LE;' \
	'swap_cc: LE not turned into GE'
# 6. flags fusion: eqz of a comparison keeps the comparison
mut eqz_flags_not_negated jit/compile/numeric.c \
	'v->cc ^= 1;' \
	'v->cc ^= 0;' \
	'eqz of a V_FLAGS value not negated'
# 7. float compares: le takes ge's operand order
mut fcmp_le_operand_order jit/compile/numeric.c \
	'if (op == 2 || op == 4)' \
	'if (op == 2 || op == 5)' \
	'fast_fcmp: le/ge operand order swapped'
# 8. operator: sub treated as commutative (operands swapped when only the
#    second is in a register)
mut sub_commutes jit/compile/numeric.c \
	'bool commutes = op == 0 || op == 2 || op == 7' \
	'bool commutes = op == 0 || op == 1 || op == 7' \
	'fast_ibin: sub treated as commutative'
# 9. register choice: a float operand not in a register loaded into xmm0
#    but read from xmm1
mut xmm_operand_reg jit/compile/numeric.c \
	'fc_load_val(f, v, f->vals[k], k, 1);' \
	'fc_load_val(f, v, f->vals[k], k, 0);' \
	'xmm_opnd: loads into xmm0, returns xmm1'
# 10. memory operand: address + offset (offset >= 2 GiB) computed as
#     offset - address (out-of-bounds accesses that land in bounds)
mut addr_offset_sub jit/compile/memory.c \
	'x64_alu_rr(f->a, X64_ADD, 1, RDX, r);' \
	'x64_alu_rr(f->a, X64_SUB, 1, RDX, r);' \
	'fast_addr: offset >= 2 GiB subtracted from the address'
# 11-16. issue 9's pins and calls (test_pins.c): a write of a pinned local
#     not noticed (the next call skips the store: stale home reloaded)
mut pin_write_not_noticed jit/compile/values.c \
	'		fc_pin_written(f, i);   /* its home is stale now (pins.c) */' \
	'		;' \
	'local.set of a pinned local leaves its home marked in sync'
# 12. a label that keeps the "homes in sync" of the path before it
mut merge_keeps_synced jit/compile/control.c \
	'	f->pin_synced = 0;' \
	'	f->pin_synced &= 0xffff;' \
	'bind: other paths join, but the homes stay marked in sync'
# 13. liveness after a call that ignores loop back edges
mut liveness_ignores_back_edge jit/compile/pins.c \
	'		if (f->ctls[c].kind == CTL_LOOP)' \
	'		if (f->ctls[c].kind == CTL_LOOP && 0)' \
	'pins_live_from: a pin read before the call in a loop is not reloaded'
# 14. a local first set inside a block counted as set before any read
mut zero_skipped_in_block jit/compile/pins.c \
	'		f->zero[i] = op == OP_LOCAL_GET || depth;' \
	'		f->zero[i] = op == OP_LOCAL_GET;' \
	'a local first set inside a block (a branch may skip it) not zeroed'
# 15. the parallel move of call arguments done in order
mut args_moved_in_order jit/compile/control.c \
	'			if (!is_pending_src(mv, n, j, mv[j].dst, mv[j].x))' \
	'			if (1)' \
	'call_args: a register argument overwrites another one still to move'
# 16. br_table's index: the entry below it taken for it
mut br_table_wrong_entry jit/compile/control.c \
	'		index_to_eax(f, f->nvals - 1);' \
	'		index_to_eax(f, f->nvals - 2);' \
	'br_table: the index read from the entry below it'
# 17. issue 10: a tail call's stack arguments one slot off in the caller's
#     incoming area (the callee needs no more slots than it received)
mut tail_args_in_place_off jit/compile/control.c \
	'	move_stack_args(f, n, RBP, 16);         /* in place */' \
	'	move_stack_args(f, n, RBP, 24);         /* in place */' \
	'tail call: stack arguments one slot off in place'
# 18. issue 10: the same in the adapter frame (the callee needs more)
mut tail_args_adapter_off jit/compile/control.c \
	'	move_stack_args(f, n, RBP, -8 * k);' \
	'	move_stack_args(f, n, RBP, -8 * k + 8);' \
	'tail call: stack arguments one slot off in the adapter frame'

# ---- the copy ------------------------------------------------------------------
say() { printf '%s\n' "$*"; }
die() { say "mutate_compile.sh: $*" >&2; exit 2; }

if [ -n "${MUTATE_DIR:-}" ]; then
	W=$MUTATE_DIR
	KEEP=1
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-mutate.XXXXXX") || exit 2
	KEEP=0
fi
sums() { (cd "$1" && sha256sum $SRCS); }
ORIG_SUM=$(sums "$ROOT")
PRISTINE=$W/pristine           # the compiler files as they were
put_back() {    # the pristine compiler files into the copy (those that differ:
	local f        # cp gives them a new mtime, so make rebuilds them)
	for f in $SRCS; do
		cmp -s "$PRISTINE/$f" "$W/src/$f" || cp "$PRISTINE/$f" "$W/src/$f"
	done
}

restore() {
	local rc=$?
	if [ -d "$PRISTINE" ] && [ -d "$W/src/jit/compile" ]; then
		put_back
		[ "$(sums "$PRISTINE")" = "$(sums "$W/src")" ] ||
			say "mutate_compile.sh: could not restore the copy" >&2
	fi
	if [ "$(sums "$ROOT")" != "$ORIG_SUM" ]; then
		say "mutate_compile.sh: $ROOT/jit/compile CHANGED during the run" >&2
		rc=2
	fi
	if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
		if git -C "$ROOT" diff --quiet -- jit/compile; then
			say "# git diff -- jit/compile: clean"
		else
			say "# git diff -- jit/compile: NOT clean (it was so before the run: sha256 unchanged)"
			git -C "$ROOT" diff --stat -- jit/compile
		fi
	fi
	[ "$KEEP" = 1 ] || rm -rf "$W"
	exit $rc
}
trap restore EXIT
trap 'exit 130' INT TERM

mkdir -p "$W/src" || exit 2
say "# copying the sources to $W/src"
tar -C "$ROOT" --exclude=./.git --exclude='./build' --exclude='./build-*' -cf - . |
	tar -C "$W/src" -xf - || die "copy failed"
mkdir -p "$PRISTINE" && (cd "$W/src" && tar -cf - $SRCS) | tar -C "$PRISTINE" -xf - || exit 2

UNITS=""
build() {
	make -C "$W/src" BUILD=build -j"$JOBS" build/wasmetal build/examples/hello.wasm \
		$(cd "$W/src" && for f in tests/unit/test_*.c; do
			b=$(basename "$f" .c)
			[ "$b" = test_net_sock ] || printf 'build/tests/unit/%s ' "$b"
		done) >"$W/build.log" 2>&1
}

say "# building the copy (pristine) in $W/src/build"
build || { tail -n 30 "$W/build.log" >&2; die "the pristine copy does not build"; }
UNITS="test_opform test_compile"
for f in "$W"/src/build/tests/unit/test_*; do
	b=$(basename "$f")
	case "$b" in *.d | *.o | *.out | test_opform | test_compile | test_net_sock) continue ;; esac
	[ -x "$f" ] && UNITS="$UNITS $b"
done

# run_unit NAME: 0 when it passes (no FAIL line, some PASS line, exit 0);
# UNIT_RC = its exit status (a crash: 128 + the signal; 124: timeout)
UNIT_RC=0
run_unit() {
	local out=$W/unit.out
	# (the braces: bash's own "Segmentation fault" notice goes too)
	{ (cd "$W/src" && exec timeout 120 "build/tests/unit/$1" >"$out" 2>"$W/unit.err"); } 2>/dev/null
	UNIT_RC=$?
	[ "$UNIT_RC" -eq 0 ] && ! grep -q '^FAIL' "$out" && grep -q '^PASS' "$out"
}
run_spec() {
	(cd "$W/src" && BUILD=build WASM_TESTSUITE="$TS" tests/spec/run-suite.sh) >"$W/spec.out" 2>&1
}

# the pristine copy must pass what is used as the judge
say "# the tests on the pristine copy"
for u in $UNITS; do
	run_unit "$u" || { cat "$W/unit.err" >&2; die "unit/$u fails without a mutation"; }
done
run_spec || { tail -n 5 "$W/spec.out" >&2; die "the spec suite fails without a mutation"; }
say "# pristine: $(echo $UNITS | wc -w) unit tests and the spec suite ($(tail -n 1 "$W/spec.out")) pass"

# ---- the mutations ------------------------------------------------------------------
caught=0
tried=0
for i in $(seq 1 $N); do
	case "$ONLY" in "  ") ;; *" $i "*) ;; *) continue ;; esac
	tried=$((tried + 1))
	put_back
	F=${M_FILE[$i]}
	OLD=${M_OLD[$i]} NEW=${M_NEW[$i]} perl -0pi -e '
		my $n = () = /\Q$ENV{OLD}\E/g;
		die "matches $n times\n" unless $n == 1;
		s/\Q$ENV{OLD}\E/$ENV{NEW}/;' "$W/src/$F" ||
		die "mutation $i (${M_NAME[$i]}) does not apply to $F: update the list"
	cmp -s "$PRISTINE/$F" "$W/src/$F" && die "mutation $i changed nothing"
	by=""
	if ! build; then
		by="the build"
	else
		for u in $UNITS; do
			if ! run_unit "$u"; then
				groups=$(grep '^FAIL' "$W/unit.out" | cut -d' ' -f2 | tr '\n' ' ')
				# exit 1 goes with FAIL lines; say anything else (a crash)
				if [ -z "$groups" ] || [ "$UNIT_RC" -gt 1 ]; then
					groups="${groups}exit status $UNIT_RC"
					[ "$UNIT_RC" -gt 128 ] && groups="$groups (signal $((UNIT_RC - 128)))"
				fi
				by="$by unit/$u (${groups% })"
				[ "$ALL" = 1 ] || break
			fi
		done
		if [ -z "$by" ] || [ "$ALL" = 1 ]; then
			run_spec || by="$by spec ($(tail -n 1 "$W/spec.out"))"
		fi
	fi
	put_back
	if [ -n "$by" ]; then
		caught=$((caught + 1))
		say "CAUGHT   $i ${M_NAME[$i]} (${M_WHAT[$i]}): by${by}"
	else
		say "SURVIVED $i ${M_NAME[$i]} (${M_WHAT[$i]})"
	fi
done
# the copy's objects back to the pristine compiler (MUTATE_DIR reused)
build || say "# (rebuilding the pristine copy failed)"
say "$caught of $tried mutations caught"
[ "$caught" -eq "$tried" ]
