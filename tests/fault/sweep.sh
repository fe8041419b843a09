#!/usr/bin/env bash
# sweep.sh — fault injection at the platform seam (issue 8): for a few real
# modules, fail every allocation, reservation, commit and code-page request
# of a run in turn, and require that each failure ends cleanly.
#
# $BUILD/tests/fault/wasmetal-fault is the CLI linked with
# tests/fault/fault_inject.c: WASMETAL_FAIL=KIND:N fails request N (from 0)
# of KIND (alloc = the runtime's malloc/calloc/realloc, reserve, commit,
# code = plat_reserve, plat_commit, plat_code_alloc of host/plat_host.c);
# WASMETAL_FAIL_COUNT=FILE writes how many requests of each kind a run made.
# A reference run of each module counts them; then request N of each kind
# fails, for every N below the count.  A run with a failure passes if it
#   - exits 125 with a "wasmetal: " message on stderr (a clean error), or
#   - exits 134 with the "wasm trap: " report (a grow the guest saw fail,
#     then trapped), or
#   - behaves as the reference run did (status and stdout): the failure
#     was absorbed, or
#   - exits with a status of the guest's own (below 125, not a
#     sanitizer's 86) with nothing from wasmetal on stderr: a WASI call
#     the failure hit returned an error (ENOMEM) to the guest, which
#     reported it (check_wasi_calls prints "errno 48") and exited.
# Anything else fails the check: a crash (139, or a sanitizer's 86: with
# `make check-asan` this binary has ASan, UBSan and LeakSanitizer, so a
# leak on an error path is a failure too), a hang (124), another status.
# One check per module and kind: "PASS fault/MODULE/KIND (N runs: ...)".
# FAULT_STEP=K (make test: 5) fails only every K-th allocation (all
# reservations, commits and code pages still); the default 1 fails each.
# The last line is "N passed, N failed"; status 1 if any failed.
set -u
exec </dev/null
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

B=${BUILD:-build}
W=$B/tests/fault/wasmetal-fault
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-fault.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
RUN_TIMEOUT=30
STEP=${FAULT_STEP:-1}

if [ ! -x "$W" ]; then
	fail fault/build "$W not built (make fault-build)"
	summary
	exit
fi

# The input tree of fs_copy_list_env (tests/wasi/data; writes stay in the
# runtime's memory, so one copy serves every run).
mkdir -p "$T/in" "$T/out" && cp -R tests/wasi/data/. "$T/in"/ || exit 1

# name|args...: each module and how it is run (`|` separates the fields)
MODULES=(
	"hello|$B/examples/hello.wasm|a|b c"
	"check_wasi_calls|$B/tests/wasi/check_wasi_calls.wasm"
	"oob_store|$B/tests/wat/oob_store.wasm"
	"grow|$B/tests/fault/grow.wasm"
	"fs_copy_list_env|--dir|$T/in::/in|--dir|$T/out::/out|--env|GREETING=hello|$B/tests/wasi/fs_copy_list_env.wasm|one"
)

# issue 9: an artifact (docs/artifact.md) run hosted: the loader's own
# allocations and its code-page request fail in turn too
if "$W" compile "$B/examples/hello.wasm" -o "$T/hello.wmo" >"$T/compile.err" 2>&1; then
	MODULES+=("hello_wmo|$T/hello.wmo|a|b c")
else
	fail fault/hello_wmo "wasmetal compile failed" "$T/compile.err"
fi

# run_one OUT -- ARGS...: one run (env WASMETAL_FAIL* as set by the caller)
# -> $T/OUT.out, $T/OUT.err, RC
run_one() {
	local out=$1
	shift
	# (--allow-precompiled: the hello_wmo case is an artifact we built)
	timeout "$RUN_TIMEOUT" "$W" run --hosted --allow-precompiled "$@" >"$T/$out.out" 2>"$T/$out.err"
	RC=$?
}

# sweep_kind NAME KIND COUNT ARGS...: fail request 0..COUNT-1 of KIND
sweep_kind() {
	local name=$1 kind=$2 count=$3 n nerr=0 ntrap=0 nsame=0 nguest=0 bad=
	local step=1
	shift 3
	runs=0          # (global: the caller adds it up)
	[ "$kind" = alloc ] && step=$STEP
	for ((n = 0; n < count; n += step)); do
		runs=$((runs + 1))
		WASMETAL_FAIL=$kind:$n run_one run "$@"
		# an artifact is not at fault when the machine fails: "failed
		# to load the artifact", never "invalid artifact"
		if [[ $name == *_wmo ]] && grep -q '^wasmetal: invalid artifact' "$T/run.err"; then
			bad="$kind:$n: the failure reported as an invalid artifact"
			break
		elif [ "$RC" -eq 125 ] && grep -q '^wasmetal: ' "$T/run.err"; then
			nerr=$((nerr + 1))
		elif [ "$RC" -eq 134 ] && grep -q '^wasm trap: ' "$T/run.err"; then
			ntrap=$((ntrap + 1))
		elif [ "$RC" -eq "$REF_RC" ] && cmp -s "$T/run.out" "$T/ref.out"; then
			nsame=$((nsame + 1))
		elif [ "$RC" -lt 125 ] && [ "$RC" -ne 86 ] && ! grep -q 'wasmetal\|Sanitizer' "$T/run.err"; then
			nguest=$((nguest + 1))
		else
			bad="$kind:$n: exit status $RC"
			break
		fi
	done
	if [ -n "$bad" ]; then
		fail "fault/$name/$kind" "WASMETAL_FAIL=$bad" "$T/run.err" "$T/run.out"
	else
		pass "fault/$name/$kind ($runs runs of $count requests: $nerr error 125, $ntrap trap 134, $nguest guest's own exit after a WASI error, $nsame as without the failure)"
	fi
}

total=0
for spec in "${MODULES[@]}"; do
	IFS='|' read -r -a f <<<"$spec"
	name=${f[0]}
	args=("${f[@]:1}")
	WASMETAL_FAIL_COUNT=$T/count run_one ref "${args[@]}"
	REF_RC=$RC
	# the reference run itself must be what the tests expect of it
	if { [ "$REF_RC" -ne 0 ] && [ "$name" != oob_store ]; } || ! [ -s "$T/count" ]; then
		fail "fault/$name" "reference run: exit status $REF_RC" "$T/ref.err"
		continue
	fi
	read -r _ nalloc _ nreserve _ ncommit _ ncode <"$T/count"
	for kind in alloc reserve commit code; do
		eval "count=\$n$kind"
		# every kind is met at least once (a module, a stack, code)
		if [ "$count" -lt 1 ]; then
			fail "fault/$name/$kind" "the reference run made no $kind request" "$T/count"
			continue
		fi
		sweep_kind "$name" "$kind" "$count" "${args[@]}"
		total=$((total + runs))
	done
done
echo "NOTE fault sweep: $total runs with one request failed"
summary
