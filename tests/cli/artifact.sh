#!/usr/bin/env bash
# artifact.sh — `wasmetal compile`, `wasmetal run [--hosted] OUT.wmo` and
# `wasmetal image OUT.wmo` (issue 9, docs/artifact.md), from the command
# line:
#
#   artifact/roundtrip/NAME     WASI programs compiled to .wmo and run from
#                               it: stdout, stderr and status the same as
#                               the .wasm run directly (a trap: the same
#                               report and backtrace, status 134); the log
#                               (--verbose) says the artifact was loaded
#                               and nothing compiled
#   artifact/precompiled_refused_without_flag, artifact/qemu_run_...,
#   artifact/image_...          an artifact (native code) given to run
#                               (hosted, QEMU) or image without
#                               --allow-precompiled: 125, nothing runs
#   artifact/by_magic           with the flag, an artifact named x.wasm
#                               runs as one
#   artifact/module_hash_is_sha256sum   the header's module hash (bytes
#                               56..87) is sha256sum of the .wasm
#   artifact/corrupt_refused    a byte flipped in the code: 125 and
#                               "wasmetal: invalid artifact: artifact
#                               checksum mismatch ...", _start never entered
#   artifact/truncated_refused  cut at a few lengths: 125 and "artifact
#                               truncated at byte N: ..."
#   artifact/inspect            `wasmetal inspect OUT.wmo`: header, module
#   artifact/usage_errors, artifact/invalid_module,
#   artifact/no_temp_file_left
# (LLVM artifacts, `--backend llvm` and its cache: tests/cli/llvm.sh)
# and under QEMU (unless WASMETAL_SKIP_QEMU=1; every boot with a timeout):
#   qemu/artifact/NAME          `wasmetal run app.wmo`: the kernel loads the
#                               artifact from the bundle (its log: "entering
#                               module (precompiled artifact" and "artifact
#                               loaded: ... no compile"); output and status
#                               as the .wasm's booted the same way
#   qemu/artifact/cpu_feature_refused_by_kernel   -cpu qemu64 (no SSE4.1):
#                               the kernel refuses it, _start never entered
#   qemu/artifact/corrupt_refused_before_boot     the image builder's check
#   qemu/artifact/image_from_artifact             `wasmetal image app.wmo`
#   qemu/artifact/image_backend_single            `wasmetal image --backend
#                               single app.wasm`: compiled on the host, booted
#                               without compiling, argv[0] still app.wasm
#   (hosted: artifact/image_backend_of_an_artifact_is_usage_error)
#
# Prints PASS/FAIL lines and "N passed, N failed, N skipped" (tests/lib.sh).
set -u
exec </dev/null
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
B=${BUILD:-build}
W=$B/wasmetal
QEMU_TIMEOUT=${WASMETAL_QEMU_TIMEOUT:-180}
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-wmo.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

# expect125 NAME PATTERN: the last run ($RC, $T/err) was refused with it
expect125() {
	if [ "$RC" -eq 125 ] && grep -Eq -- "$2" "$T/err" &&
		! grep -q 'entering _start' "$T/err"; then
		pass "$1"
	else
		fail "$1" "status $RC, expected 125 and /$2/" "$T/err"
	fi
}

# roundtrip NAME WASM ARGS...: the .wasm and its .wmo run the same
roundtrip() {
	local name=$1 wasm=$2 rc1 rc2
	shift 2
	if ! "$W" compile "$wasm" -o "$T/$name.wmo" 2>"$T/cerr"; then
		fail "artifact/roundtrip/$name" "compile failed" "$T/cerr"
		return
	fi
	timeout 60 "$W" run --hosted --env A=1 "$wasm" "$@" >"$T/o1" 2>"$T/e1"
	rc1=$?
	# same argv[0] for both: the guest prints it
	cp "$T/$name.wmo" "$T/run.bin"
	timeout 60 "$W" run --hosted --allow-precompiled --env A=1 "$T/run.bin" "$@" >"$T/o2" 2>"$T/e2"
	rc2=$?
	sed -i "s#$T/run.bin#$wasm#g" "$T/o2" "$T/e2"
	timeout 60 "$W" run --hosted --allow-precompiled --verbose "$T/$name.wmo" "$@" >/dev/null 2>"$T/log"
	if [ $rc1 -ne $rc2 ]; then
		fail "artifact/roundtrip/$name" "status $rc1 from .wasm, $rc2 from .wmo" "$T/e2"
	elif ! cmp -s "$T/o1" "$T/o2" || ! cmp -s "$T/e1" "$T/e2"; then
		diff "$T/o1" "$T/o2" >"$T/d"; diff "$T/e1" "$T/e2" >>"$T/d"
		fail "artifact/roundtrip/$name" "output differs" "$T/d"
	elif ! grep -q 'artifact loaded: .* no compile' "$T/log"; then
		fail "artifact/roundtrip/$name" "the log does not say the artifact was loaded" "$T/log"
	elif [ ! -s "$T/o1" ] && [ ! -s "$T/e1" ]; then
		fail "artifact/roundtrip/$name" "no output at all: nothing compared"
	else
		pass "artifact/roundtrip/$name (status $rc1)"
	fi
}

tests() {
	local w=$B/tests/wasi n rc
	roundtrip args_env_exit7 "$w/args_env_exit7.wasm" a "b c"
	roundtrip printf_formats "$w/printf_formats.wasm"
	roundtrip check_wasi_calls "$w/check_wasi_calls.wasm"
	roundtrip oob_store "$B/tests/wat/oob_store.wasm"
	if grep -q '^wasm trap: out of bounds memory access' "$T/e2"; then
		pass artifact/roundtrip/oob_store_trap_report
	else
		fail artifact/roundtrip/oob_store_trap_report "no trap report" "$T/e2"
	fi

	# An artifact is native code: refused unless --allow-precompiled,
	# whatever its name (a review ran a forged .wmo named .wasm that made
	# a raw exit system call)
	cp "$T/args_env_exit7.wmo" "$T/named.wasm"
	timeout 60 "$W" run --hosted "$T/named.wasm" >"$T/out" 2>"$T/err"
	RC=$?
	if [ $RC -eq 125 ] && [ ! -s "$T/out" ] &&
	   grep -q "^wasmetal: $T/named.wasm is a precompiled artifact (native code, not a sandboxed module): pass --allow-precompiled" "$T/err"; then
		pass artifact/precompiled_refused_without_flag
	else
		fail artifact/precompiled_refused_without_flag "status $RC, expected 125 and nothing run" "$T/out" "$T/err"
	fi
	timeout 60 "$W" run "$T/named.wasm" >"$T/out" 2>"$T/err"   # the QEMU path: refused before booting
	RC=$?
	if [ $RC -eq 125 ] && [ ! -s "$T/out" ] && grep -q "is a precompiled artifact" "$T/err"; then
		pass artifact/qemu_run_precompiled_refused_without_flag
	else
		fail artifact/qemu_run_precompiled_refused_without_flag "status $RC, expected 125 and no boot" "$T/out" "$T/err"
	fi
	"$W" image "$T/named.wasm" -o "$T/n.img" >"$T/out" 2>"$T/err"
	RC=$?
	if [ $RC -eq 125 ] && [ ! -e "$T/n.img" ] && grep -q "is a precompiled artifact" "$T/err"; then
		pass artifact/image_precompiled_refused_without_flag
	else
		fail artifact/image_precompiled_refused_without_flag "status $RC, expected 125 and no image" "$T/out" "$T/err"
	fi
	timeout 60 "$W" run --hosted --allow-precompiled "$T/named.wasm" >"$T/out" 2>"$T/err"
	RC=$?
	if [ $RC -eq 7 ] && grep -q "^argv\[0\]=$T/named.wasm" "$T/out"; then
		pass artifact/by_magic
	else
		fail artifact/by_magic "status $RC, expected 7" "$T/out" "$T/err"
	fi

	"$W" inspect "$T/args_env_exit7.wmo" >"$T/out" 2>"$T/err"
	RC=$?
	if [ $RC -eq 0 ] && grep -q '^artifact: [0-9]* bytes, engine wasmetal .*, backend single' "$T/out" &&
		grep -q '^module: [0-9]* bytes, valid' "$T/out"; then
		pass artifact/inspect
	else
		fail artifact/inspect "status $RC" "$T/out" "$T/err"
	fi

	local want got
	want=$(sha256sum <"$w/args_env_exit7.wasm" | cut -d' ' -f1)
	got=$(od -An -tx1 -j56 -N32 "$T/args_env_exit7.wmo" | tr -d ' \n')
	if [ -n "$want" ] && [ "$want" = "$got" ]; then
		pass artifact/module_hash_is_sha256sum
	else
		fail artifact/module_hash_is_sha256sum "header $got, sha256sum $want"
	fi

	# a byte in the middle of the file (the code section) flipped
	cp "$T/args_env_exit7.wmo" "$T/bad.wmo"
	n=$(($(stat -c %s "$T/bad.wmo") - 5000))
	printf '\xcc' | dd of="$T/bad.wmo" bs=1 seek=$n conv=notrunc status=none
	cmp -s "$T/bad.wmo" "$T/args_env_exit7.wmo" && printf '\xcd' |
		dd of="$T/bad.wmo" bs=1 seek=$n conv=notrunc status=none
	timeout 60 "$W" run --hosted --allow-precompiled --verbose "$T/bad.wmo" >"$T/out" 2>"$T/err"
	RC=$?
	expect125 artifact/corrupt_refused \
		'^wasmetal: invalid artifact: artifact checksum mismatch \(the file is corrupted\)$'

	local ok=1
	for n in 0 5 95 96 200 $(($(stat -c %s "$T/args_env_exit7.wmo") - 1)); do
		head -c "$n" "$T/args_env_exit7.wmo" >"$T/cut.wmo"
		timeout 60 "$W" run --hosted --allow-precompiled "$T/cut.wmo" >"$T/out" 2>"$T/err"
		RC=$?
		if [ "$n" -lt 8 ]; then
			# not an artifact by its magic: a (bad) module
			[ $RC -eq 125 ] || { ok=0; echo "length $n: status $RC"; }
		elif [ $RC -ne 125 ] || ! grep -q "^wasmetal: invalid artifact: artifact truncated at byte $n: " "$T/err"; then
			ok=0
			echo "length $n: status $RC: $(cat "$T/err")"
		fi
	done >"$T/trunc"
	[ $ok = 1 ] && pass artifact/truncated_refused ||
		fail artifact/truncated_refused "see below" "$T/trunc"

	"$W" image --allow-precompiled --backend single "$T/args_env_exit7.wmo" -o "$T/l.img" >"$T/out" 2>"$T/err"
	RC=$?
	if [ $RC -eq 2 ] && grep -q 'is already an artifact' "$T/err" && [ ! -e "$T/l.img" ]; then
		pass artifact/image_backend_of_an_artifact_is_usage_error
	else
		fail artifact/image_backend_of_an_artifact_is_usage_error "status $RC" "$T/err"
	fi

	ok=1
	for args in "--backend foo x.wasm -o y" "x.wasm" "-o y" "--bogus x.wasm -o y"; do
		# shellcheck disable=SC2086
		"$W" compile $args >/dev/null 2>"$T/err"
		rc=$?
		[ $rc -eq 2 ] || { ok=0; echo "compile $args: status $rc"; }
	done >"$T/usage"
	[ $ok = 1 ] && pass artifact/usage_errors || fail artifact/usage_errors "" "$T/usage"

	printf '\0asm\1\0\0\0\1\5\1\140' >"$T/bad.wasm"
	"$W" compile "$T/bad.wasm" -o "$T/bad2.wmo" >"$T/out" 2>"$T/err"
	RC=$?
	expect125 artifact/invalid_module '^wasmetal: invalid module: '
	[ ! -e "$T/bad2.wmo" ] || fail artifact/invalid_module_no_output "$T/bad2.wmo written"

	if ls "$T" | grep -q '\.tmp\.'; then
		fail artifact/no_temp_file_left "$(ls "$T")"
	else
		pass artifact/no_temp_file_left
	fi
}

# ---- under QEMU: the kernel loads the artifact from the bundle ----------------

# qrun FILE ARGS...: boot FILE (module, artifact or image) -> $T/out,
# $T/err, the kernel log $T/log (CRs dropped), $RC
qrun() {
	rm -f "$T/log.raw" "$T/log"
	timeout $((QEMU_TIMEOUT + 30)) "$W" run --allow-precompiled --timeout "$QEMU_TIMEOUT" --log "$T/log.raw" \
		"$@" >"$T/out" 2>"$T/err"
	RC=$?
	[ -f "$T/log.raw" ] && tr -d '\r' <"$T/log.raw" >"$T/log"
	tr -d '\r' <"$T/out" >"$T/out.n"
	tr -d '\r' <"$T/err" >"$T/err.n"
}

# qemu_same NAME WASM ARGS...: the .wmo booted gives the .wasm's output and
# status, and the kernel log shows it loaded, not compiled
qemu_same() {
	local name=$1 wasm=$2 rc1 why
	shift 2
	cp "$wasm" "$T/q.wasm"          # same argv[0] for both
	qrun "$T/q.wasm" "$@"
	rc1=$RC
	cp "$T/out.n" "$T/qo1"
	cp "$T/err.n" "$T/qe1"
	cp "$T/$name.wmo" "$T/q.wasm"
	qrun "$T/q.wasm" "$@"
	if [ $rc1 -ne $RC ]; then
		fail "qemu/artifact/$name" "status $rc1 from .wasm, $RC from .wmo" "$T/err" "$T/log"
	elif ! cmp -s "$T/qo1" "$T/out.n" || ! cmp -s "$T/qe1" "$T/err.n"; then
		diff "$T/qo1" "$T/out.n" >"$T/d"; diff "$T/qe1" "$T/err.n" >>"$T/d"
		fail "qemu/artifact/$name" "output differs" "$T/d"
	elif ! grep -q 'entering module (precompiled artifact, ' "$T/log" ||
		! grep -q 'artifact loaded: .* no compile' "$T/log"; then
		fail "qemu/artifact/$name" "the kernel log does not show the artifact loaded" "$T/log"
	elif ! why=$(boot_line_ok "$T/log"); then
		fail "qemu/artifact/$name" "the boot timeline line: $why" "$T/log"
	else
		pass "qemu/artifact/$name (status $RC)"
	fi
}

qemu_tests() {
	qemu_same args_env_exit7 "$B/tests/wasi/args_env_exit7.wasm" a "b c"
	qemu_same oob_store "$B/tests/wat/oob_store.wasm"

	# the kernel's own refusal: a CPU without the features the code needs
	WASMETAL_QEMU_CPU=qemu64 qrun "$T/args_env_exit7.wmo"
	if [ $RC -eq 125 ] &&
		grep -q '^wasmetal: invalid artifact: artifact needs CPU feature [A-Z0-9.]*, this CPU lacks it' "$T/err.n" &&
		grep -q 'entering module (precompiled artifact' "$T/log" &&
		! grep -q 'entering _start' "$T/log"; then
		pass qemu/artifact/cpu_feature_refused_by_kernel
	else
		fail qemu/artifact/cpu_feature_refused_by_kernel "status $RC" "$T/err" "$T/log"
	fi

	# the image builder checks an artifact before it goes into a bundle
	qrun "$T/bad.wmo"
	if [ $RC -eq 125 ] && grep -q 'artifact checksum mismatch' "$T/err.n" && [ ! -s "$T/log" ]; then
		pass qemu/artifact/corrupt_refused_before_boot
	else
		fail qemu/artifact/corrupt_refused_before_boot "status $RC" "$T/err" "$T/log"
	fi

	# `wasmetal image --backend single`: compiled by the image builder
	if "$W" image --backend single "$B/tests/wasi/args_env_exit7.wasm" -o "$T/b.img" -- y \
		>"$T/out" 2>"$T/err"; then
		qrun "$T/b.img"
		if [ $RC -eq 7 ] && grep -q "^argv\[0\]=$B/tests/wasi/args_env_exit7.wasm" "$T/out.n" &&
			grep -q '^argv\[1\]=y' "$T/out.n" &&
			grep -q 'artifact loaded: .* no compile' "$T/log"; then
			pass qemu/artifact/image_backend_single
		else
			fail qemu/artifact/image_backend_single "status $RC" "$T/out" "$T/log"
		fi
	else
		fail qemu/artifact/image_backend_single "wasmetal image --backend single failed" "$T/err"
	fi

	# `wasmetal image` from an artifact, booted as an image
	if "$W" image --allow-precompiled "$T/args_env_exit7.wmo" -o "$T/app.img" -- x >"$T/out" 2>"$T/err"; then
		qrun "$T/app.img"
		if [ $RC -eq 7 ] && grep -q '^argv\[1\]=x' "$T/out.n" &&
			grep -q 'artifact loaded: .* no compile' "$T/log"; then
			pass qemu/artifact/image_from_artifact
		else
			fail qemu/artifact/image_from_artifact "status $RC" "$T/out" "$T/log"
		fi
	else
		fail qemu/artifact/image_from_artifact "wasmetal image failed" "$T/err"
	fi
}

if [ ! -x "$W" ]; then
	fail cli/artifact "$W not built"
else
	for f in "$B/tests/wasi/args_env_exit7.wasm" "$B/tests/wasi/printf_formats.wasm" \
		"$B/tests/wasi/check_wasi_calls.wasm" "$B/tests/wat/oob_store.wasm"; do
		[ -f "$f" ] || { fail cli/artifact "$f not built"; summary; exit; }
	done
	tests
	if [ "${WASMETAL_SKIP_QEMU:-0}" = 1 ]; then
		skip qemu/artifact "WASMETAL_SKIP_QEMU=1"
	else
		qemu_tests
	fi
fi
summary
