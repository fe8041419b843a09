#!/usr/bin/env bash
# selftest.sh — the test harness tested (issue 8, "the harness must not be
# able to lie"): tests/unit/check.h, the verdicts of tests/lib.sh and the
# spec testsuite's absence in tests/run.sh, each fed an outcome it must not
# call a pass.  Runs first in `make test`: if the harness cannot tell a
# pass from a failure or a skip, no number after it means anything.
#
#   harness/check_h_*         a unit program (check.h): SKIP is a skip, not
#                             a PASS; a TEST that returns before any check,
#                             or whose REQUIRE fails, is a FAIL, and so is
#                             a failed check in main outside any TEST; the
#                             summary line and exit status say so
#   harness/unit_results_*    lib.sh counts SKIP lines as skipped; a unit
#                             program that crashed, stopped before its
#                             summary or whose summary disagrees is a FAIL
#   harness/selfcheck_*       a self-checking WASI program passes only with
#                             a final "N ok" counting its ok lines, N > 0
#   harness/trap_*            a trap is exactly status 134 with the exact
#                             message and a frame; a crash (139) is not
#   harness/script_tests_*    a test script run by tests/run.sh must end with
#                             its summary (only shell noise after it), agree
#                             with its PASS/FAIL/SKIP lines and exit 0
#                             exactly when it has no FAIL
#   harness/summary_*         the last line is "N passed, N failed, N
#                             skipped", what was skipped on the line before
#   harness/missing_testsuite_*  no testsuite: a SKIP (never a pass), and a
#                             FAIL with WASMETAL_REQUIRE_TESTSUITE=1 (the
#                             main suite's steps and the proposals')
#
# Prints PASS/FAIL lines and "N passed, N failed, N skipped" (tests/lib.sh).
set -u
exec </dev/null
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
ROOT=$PWD
S=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-harness.XXXXXX") || exit 1
trap 'rm -rf "$S"' EXIT

# verdict NAME OK WHY [FILE...]: a pass if OK is 0, else FAIL NAME (WHY).
verdict() {
	local name=$1 ok=$2 why=$3
	shift 3
	if [ "$ok" -eq 0 ]; then pass "$name"; else fail "$name" "$why" "$@"; fi
}

# ---- tests/unit/check.h ------------------------------------------------------
cat >"$S/prog.c" <<'EOF'
#include "check.h"

TEST(passes) { CHECK(1 + 1 == 2); }
TEST(skips) { SKIP("nothing to run here"); }
TEST(returns_early) { if (check_case) return; CHECK(1 + 1 == 2); }
TEST(require_fails) { REQUIRE(1 + 1 == 3); CHECK(1 + 1 == 2); }
TEST(fails_then_skips) { CHECK(1 + 1 == 3); SKIP("too late"); }

int main(void)
{
	CHECK(1 + 1 == 3);      /* a failed check in main, before any RUN */
	RUN(passes);
	RUN(skips);
	RUN(returns_early);
	RUN(require_fails);
	RUN(fails_then_skips);
	CHECK_DONE();
}
EOF
check_h() {
	local rc
	if ! cc -std=gnu11 -Wall -Werror -I tests/unit -o "$S/prog" "$S/prog.c" 2>"$S/cc.err"; then
		fail harness/check_h "cannot build the check.h test program" "$S/cc.err"
		return
	fi
	"$S/prog" >"$S/prog.out" 2>"$S/prog.err"
	rc=$?
	grep -Fqx 'SKIP skips (nothing to run here)' "$S/prog.out"
	verdict harness/check_h_skip_is_not_pass $? "no 'SKIP skips (...)' line" "$S/prog.out"
	grep -Fqx 'FAIL returns_early (no check ran)' "$S/prog.out"
	verdict harness/check_h_early_return_is_a_failure $? \
		"a TEST that returned before its first check was not a FAIL" "$S/prog.out"
	grep -Fqx 'FAIL require_fails' "$S/prog.out" && grep -q 'REQUIRE(1 + 1 == 3) failed' "$S/prog.err"
	verdict harness/check_h_failed_require_is_a_failure $? "" "$S/prog.out" "$S/prog.err"
	grep -Fqx 'FAIL fails_then_skips' "$S/prog.out"
	verdict harness/check_h_skip_after_a_failure_is_a_failure $? "" "$S/prog.out"
	grep -Fqx 'FAIL main (a check outside any TEST failed)' "$S/prog.out" &&
		grep -Fqx 'PASS passes' "$S/prog.out"
	verdict harness/check_h_failed_check_outside_a_test_is_a_failure $? "" "$S/prog.out"
	[ "$(tail -n 1 "$S/prog.out")" = "1 passed, 4 failed, 1 skipped" ] && [ "$rc" -eq 1 ] &&
		[ "$(grep -c '^PASS' "$S/prog.out")" -eq 1 ]
	verdict harness/check_h_summary_and_status $? "exit status $rc" "$S/prog.out"
}

# ---- tests/lib.sh's verdicts --------------------------------------------------
# counts CMD...: "npass nfail nskip" after CMD, from zero, in a subshell.
counts() {
	(
		npass=0 nfail=0 nskip=0 skipped=
		"$@" >"$S/counts.log" 2>&1
		echo "$npass $nfail $nskip"
	)
}

unit_results_tests() {
	local got
	got=$(counts unit_results u "$S/prog.out" "$S/prog.err" 1)
	[ "$got" = "1 4 1" ] && grep -q '^SKIP u: skips (nothing to run here)$' "$S/counts.log"
	verdict harness/unit_results_counts_skip_as_skipped $? "counted $got, want 1 4 1" \
		"$S/counts.log"
	printf 'PASS a\nPASS b\n' >"$S/u1.out"
	got=$(counts unit_results u "$S/u1.out" /dev/null 0)
	[ "$got" = "2 1 0" ]
	verdict harness/unit_results_no_summary_is_a_failure $? "counted $got, want 2 1 0" \
		"$S/counts.log"
	printf 'PASS a\n1 passed, 0 failed, 0 skipped\n' >"$S/u2.out"
	got=$(counts unit_results u "$S/u2.out" /dev/null 139)
	[ "$got" = "1 1 0" ]
	verdict harness/unit_results_crash_is_a_failure $? "counted $got, want 1 1 0" \
		"$S/counts.log"
	printf 'PASS a\n2 passed, 0 failed, 0 skipped\n' >"$S/u3.out"
	got=$(counts unit_results u "$S/u3.out" /dev/null 0)
	[ "$got" = "1 1 0" ]
	verdict harness/unit_results_wrong_summary_is_a_failure $? "counted $got, want 1 1 0" \
		"$S/counts.log"
}

# A complete run is accepted; each incomplete one (printf escapes) refused.
selfcheck_tests() {
	local bad=
	printf 'ok a\nok  b: errno 0\n2 ok\n' >"$S/sc"
	selfcheck_ok "$S/sc"
	verdict harness/selfcheck_accepts_a_complete_run $? "$WHY" "$S/sc"
	for t in 'ok a\nok b\n' '0 ok\n' 'ok a\n2 ok\n' 'ok a\nFAIL b: got 1, want 0\n1 ok, 1 FAIL\n' \
		'ok a\n1 ok\nok b\n' 'FAIL usage\n0 ok, 1 FAIL\n'; do
		printf '%b' "$t" >"$S/sc"
		selfcheck_ok "$S/sc" && bad="$bad [$t]"
	done
	[ -z "$bad" ]
	verdict harness/selfcheck_refuses_incomplete_runs $? "accepted:$bad"
}

trap_tests() {
	local ok='wasm trap: out of bounds memory access\n  #0 func[1] ? at wasm offset 0x67\n'
	printf '%b' "$ok" >"$S/report"
	trap_ok 134 "$S/report" 'out of bounds memory access'
	verdict harness/trap_accepts_134_with_the_report $? "$WHY" "$S/report"
	! trap_ok 139 "$S/report" 'out of bounds memory access' &&
		! trap_ok 0 "$S/report" 'out of bounds memory access' &&
		! trap_ok 125 "$S/report" 'out of bounds memory access'
	verdict harness/trap_crash_139_is_not_a_trap $? "a status other than 134 was accepted"
	printf 'wasm trap: out of bounds memory access (sort of)\n  #0 func[1] ? at wasm offset 0x67\n' \
		>"$S/report"
	! trap_ok 134 "$S/report" 'out of bounds memory access'
	verdict harness/trap_requires_the_exact_message $? "a different message was accepted"
	printf 'wasm trap: out of bounds memory access\n' >"$S/report"
	! trap_ok 134 "$S/report" 'out of bounds memory access'
	verdict harness/trap_requires_a_frame $? "a report without a frame was accepted"
}

summary_tests() {
	(
		npass=2 nfail=0 nskip=0 skipped=
		skip x/y "why not" >/dev/null
		summary
	) >"$S/sum"
	[ "$(tail -n 2 "$S/sum")" = "$(printf 'skipped: x/y (why not)\n2 passed, 0 failed, 1 skipped')" ]
	verdict harness/summary_shows_skipped_on_the_last_line $? "" "$S/sum"
}

# The testsuite's absence, through tests/run.sh's own spec_tests (run.sh
# sourced for its functions only).
missing_testsuite_tests() {
	local got
	got=$(cd "$ROOT" && WASMETAL_RUN_SH_FUNCTIONS=1 WASM_TESTSUITE=$S/no-testsuite \
		WASMETAL_REQUIRE_TESTSUITE=0 bash -c '. tests/run.sh; spec_tests hosted >&2;
		echo "$npass $nfail $nskip"' 2>"$S/spec.log")
	[ "$got" = "0 0 1" ] && grep -q '^SKIP spec/testsuite (' "$S/spec.log"
	verdict harness/missing_testsuite_is_skipped_not_passed $? "counted $got, want 0 0 1" \
		"$S/spec.log"
	got=$(cd "$ROOT" && WASMETAL_RUN_SH_FUNCTIONS=1 WASM_TESTSUITE=$S/no-testsuite \
		WASMETAL_REQUIRE_TESTSUITE=1 bash -c '. tests/run.sh; spec_tests qemu >&2;
		echo "$npass $nfail $nskip"' 2>"$S/spec.log")
	[ "$got" = "0 1 0" ] && grep -q '^FAIL spec-qemu/testsuite (' "$S/spec.log"
	verdict harness/missing_testsuite_fails_where_required $? "counted $got, want 0 1 0" \
		"$S/spec.log"
	# issue 10: the proposals/ directories, the same way
	got=$(cd "$ROOT" && WASMETAL_RUN_SH_FUNCTIONS=1 WASM_TESTSUITE=$S/no-testsuite \
		WASMETAL_REQUIRE_TESTSUITE=0 bash -c '. tests/run.sh; spec_proposal_tests llvm >&2;
		echo "$npass $nfail $nskip"' 2>"$S/spec.log")
	[ "$got" = "0 0 1" ] && grep -q '^SKIP spec-proposals-llvm/testsuite (' "$S/spec.log"
	verdict harness/missing_testsuite_proposals_skipped_not_passed $? \
		"counted $got, want 0 0 1" "$S/spec.log"
	got=$(cd "$ROOT" && WASMETAL_RUN_SH_FUNCTIONS=1 WASM_TESTSUITE=$S/no-testsuite \
		WASMETAL_REQUIRE_TESTSUITE=1 bash -c '. tests/run.sh; spec_proposal_tests qemu >&2;
		echo "$npass $nfail $nskip"' 2>"$S/spec.log")
	[ "$got" = "0 1 0" ] && grep -q '^FAIL spec-proposals-qemu/testsuite (' "$S/spec.log"
	verdict harness/missing_testsuite_proposals_fail_where_required $? \
		"counted $got, want 0 1 0" "$S/spec.log"
}

# A test script (run by tests/run.sh's script_tests) that stops before its
# summary, whose summary disagrees with its lines or whose exit status
# contradicts them is one more failure.
script_tests_tests() {
	local t got bad=
	printf '#!/bin/sh\necho "PASS a"\necho "SKIP b (why)"\necho "skipped: b (why)"\necho "1 passed, 0 failed, 1 skipped"\n' \
		>"$S/ok.sh"
	printf '#!/bin/sh\necho "PASS a"\necho "1 passed, 0 failed"\necho "x.sh: line 9: 42 Terminated  qemu"\n' \
		>"$S/ok2.sh"
	printf '#!/bin/sh\necho "PASS a"\nexit 1\n' >"$S/died.sh"
	printf '#!/bin/sh\necho "PASS a"\necho "2 passed, 0 failed"\n' >"$S/miscount.sh"
	printf '#!/bin/sh\necho "PASS a"\necho "1 passed, 0 failed"\necho "PASS b"\n' >"$S/late.sh"
	printf '#!/bin/sh\necho "PASS a"\necho "1 passed, 0 failed"\nexit 3\n' >"$S/status.sh"
	chmod +x "$S"/*.sh
	got=$(cd "$ROOT" && WASMETAL_RUN_SH_FUNCTIONS=1 bash -c '. tests/run.sh;
		script_tests x "$1" >&2; echo "$npass $nfail $nskip"' _ "$S/ok.sh" 2>"$S/st.log")
	[ "$got" = "1 0 1" ]
	verdict harness/script_tests_accepts_a_complete_run $? "counted $got, want 1 0 1" "$S/st.log"
	got=$(cd "$ROOT" && WASMETAL_RUN_SH_FUNCTIONS=1 bash -c '. tests/run.sh;
		script_tests x "$1" >&2; echo "$npass $nfail $nskip"' _ "$S/ok2.sh" 2>"$S/st.log")
	[ "$got" = "1 0 0" ]
	verdict harness/script_tests_accepts_a_summary_without_skips_and_noise_after_it $? \
		"counted $got, want 1 0 0" \
		"$S/st.log"
	printf '#!/bin/sh\necho "PASS a"\necho "SKIP b (why)"\necho "1 passed, 0 failed"\n' \
		>"$S/hidden_skip.sh"
	printf '#!/bin/sh\necho "PASS a"\necho "1 passed, 0 failed, 1 skipped"\n' >"$S/skipcount.sh"
	chmod +x "$S"/*.sh
	for t in died miscount late status hidden_skip skipcount; do
		got=$(cd "$ROOT" && WASMETAL_RUN_SH_FUNCTIONS=1 bash -c '. tests/run.sh;
			script_tests x "$1" >&2; echo "$npass $nfail $nskip"' _ "$S/$t.sh" 2>"$S/st.log")
		case "$t:$got" in
		hidden_skip:"1 1 1" | late:"2 1 0") ;;
		*:"1 1 0") [ "$t" != hidden_skip ] || bad="$bad $t($got)" ;;
		*) bad="$bad $t($got)" ;;
		esac
	done
	[ -z "$bad" ]
	verdict harness/script_tests_refuses_incomplete_runs $? "counted, want one more failure:$bad"
}

check_h
script_tests_tests
unit_results_tests
selfcheck_tests
trap_tests
summary_tests
missing_testsuite_tests
summary
