#!/usr/bin/env bash
# run.sh — run each libFuzzer target (tests/fuzz/fuzz_*.c, built as
# $BUILD/fuzz/fuzz_NAME by make fuzz-build) for FUZZ_SECONDS seconds, one
# after the other: `make fuzz`, and (FUZZ_SMOKE=1, a few seconds each, the
# smaller seed sets) a block of tests/run.sh.
#
# Each target reads its seeds ($BUILD/fuzz/seeds/NAME, or seeds-smoke/NAME)
# and grows its own corpus in $BUILD/fuzz/corpus/NAME (kept between runs);
# a crash, a sanitizer report, a leak or an input that runs longer than
# FUZZ_TIMEOUT seconds stops it, and the input is saved as
# $BUILD/fuzz/artifacts/NAME-crash-... (or -timeout-, -leak-, -oom-).
# One check per target: "PASS fuzz/NAME (N executions in S s, 0 crashes)"
# when libFuzzer ran for its time and found nothing; otherwise FAIL with
# the end of its log.  Last line "N passed, N failed".
#
# FUZZ_RUNS=N: stop each target after N executions instead (FUZZ_SECONDS is
# then only the limit, default 4 hours); a target that stops short of N
# fails.  FUZZ_TARGETS="module wasi": only these targets.
set -u
exec </dev/null
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

B=${BUILD:-build}
RUNS=${FUZZ_RUNS:-}
if [ -n "$RUNS" ]; then SECS=${FUZZ_SECONDS:-14400}; else SECS=${FUZZ_SECONDS:-60}; fi
TARGETS=${FUZZ_TARGETS:-}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
# the short runs: the small seed sets and a corpus of their own, emptied
# first (what `make fuzz` gathered would take their seconds to read)
seeds=seeds corpus=corpus
[ "${FUZZ_SMOKE:-0}" = 1 ] && seeds=seeds-smoke corpus=corpus-smoke
LOGS=$B/fuzz/logs
mkdir -p "$LOGS" "$B/fuzz/artifacts"

n=0
for bin in "$B"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	n=$((n + 1))
	name=${bin##*/fuzz_}
	case " ${TARGETS:-$name} " in *" $name "*) ;; *) continue ;; esac
	log=$LOGS/$name.log
	[ "$corpus" = corpus-smoke ] && rm -rf "$B/fuzz/corpus-smoke/$name"
	mkdir -p "$B/fuzz/$corpus/$name"
	if [ ! -d "$B/fuzz/$seeds/$name" ]; then
		fail "fuzz/$name" "no seeds in $B/fuzz/$seeds/$name (make fuzz-build)"
		continue
	fi
	# -max_len: the largest seed (64 KiB modules) sets the mutations' room
	last=$B/fuzz/artifacts/.$name-last-input
	rm -f "$last"
	FUZZ_LAST_INPUT=$last ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	timeout $((SECS * 3 + 120)) "$bin" -max_total_time="$SECS" \
		-timeout="$FUZZ_TIMEOUT" -rss_limit_mb=2048 -max_len=65536 \
		${RUNS:+-runs=$RUNS} -print_final_stats=1 -artifact_prefix="$B/fuzz/artifacts/$name-" \
		"$B/fuzz/$corpus/$name" "$B/fuzz/$seeds/$name" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	short=0
	[ -n "$RUNS" ] && [ "${execs:-0}" -lt "$RUNS" ] && short=1
	if [ "$rc" -eq 0 ] && [ -n "$execs" ] && [ "$short" = 0 ] && ! grep -q 'ERROR: \|runtime error:' "$log"; then
		pass "fuzz/$name ($execs executions in ${took:-$SECS} s, ${secs:-?}/s, 0 crashes; corpus $(find "$B/fuzz/$corpus/$name" -type f | wc -l) files)"
	else
		tail -n 40 "$log" >"$LOGS/$name.tail"
		# died before libFuzzer could save the input (fuzz_module.c)
		if [ -s "$last" ] && ! ls "$B/fuzz/artifacts/$name-"* >/dev/null 2>&1; then
			cp "$last" "$B/fuzz/artifacts/$name-died-$(sha1sum <"$last" | cut -c1-40)"
			echo "(the input it was running: $B/fuzz/artifacts/$name-died-*)" >>"$LOGS/$name.tail"
		fi
		fail "fuzz/$name" "libFuzzer status $rc after ${execs:-?}${RUNS:+ of $RUNS} executions; log $log" \
			"$LOGS/$name.tail"
	fi
done
[ "$n" -gt 0 ] || fail fuzz/targets "no $B/fuzz/fuzz_* built (make fuzz-build)"
summary
