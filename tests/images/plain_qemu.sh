#!/usr/bin/env bash
# plain_qemu.sh — images made by `wasmetal image` boot without the CLI
# (issue 4, "Images"): for each of --format raw, qcow2 and vmdk, build an
# image of tests/images/image_prog.c with a --dir tree, --env and
# arguments, boot it with plain qemu-system-x86_64 (default machine) and
# OVMF from a private copy of the vars, the first serial port on stdout,
# under `timeout`; the serial output after the console mark must be
# exactly what `wasmetal run --hosted` prints for the same program, and
# QEMU must exit by itself (the kernel powers off through ACPI).  Then the
# same image through `wasmetal run IMAGE` (exit status 7 back), and
# `wasmetal inspect` of it; and an image whose manifest was spoiled must
# be refused by the kernel with the line.  See docs/manifest.md.
#
# Prints "PASS name" / "FAIL name (why)" lines and "N passed, N failed";
# exit status 1 if any failed.  Run from anywhere; BUILD (default build).
set -u
cd "$(dirname "$0")/../.." || exit 1

. tests/lib.sh

B=${BUILD:-build}
W=$B/wasmetal
TIMEOUT=${WASMETAL_QEMU_TIMEOUT:-180}
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-images.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

# The evidence is serial output: escape sequences made visible.
excerpt() { head -n 40 "$1" | cat -v; }

setup() {
	mkdir -p "$T/data/sub"
	printf 'hello from the image\n' >"$T/data/greeting.txt"
	printf 'one level down\n' >"$T/data/sub/nested.txt"
	ln -s greeting.txt "$T/data/link.txt"
	clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$T/prog.wasm" \
		tests/images/image_prog.c 2>"$T/cc.err" || return 1
	OPTS=(--dir "$T/data::/data" --env WHO=plain)
	GUEST_ARGS=(one "two words")
	timeout 60 "$W" run --hosted "${OPTS[@]}" "$T/prog.wasm" "${GUEST_ARGS[@]}" \
		>"$T/expected" 2>"$T/hosted.err"
	HOSTED_RC=$?
}

plain_boot() {  # FORMAT
	local fmt=$1 img=$T/prog.$fmt rc
	if ! "$W" image "$T/prog.wasm" -o "$img" --format "$fmt" "${OPTS[@]}" \
		-- "${GUEST_ARGS[@]}" >"$T/image.err" 2>&1; then
		fail "images/plain-$fmt" "wasmetal image failed" "$T/image.err"
		return 1
	fi
	if ! qemu-img info "$img" 2>&1 | grep -q "^file format: $fmt\$"; then
		qemu-img info "$img" >"$T/info" 2>&1
		fail "images/plain-$fmt" "qemu-img does not see a $fmt image" "$T/info"
		return 1
	fi
	ovmf_qemu "$fmt" "$img" || return 1
	"${QEMU[@]}" -serial stdio -display none -monitor none -no-reboot \
		</dev/null >"$T/serial.$fmt" 2>"$T/qemu.err"
	rc=$?
	after_mark "$T/serial.$fmt" >"$T/console.$fmt"
	if [ $rc -ne 0 ]; then
		fail "images/plain-$fmt" "qemu exit status $rc (124: timeout, no ACPI poweroff)" \
			"$T/console.$fmt" "$T/qemu.err" "$T/serial.$fmt"
	elif ! LC_ALL=C grep -q -F "$CONSOLE_MARK" "$T/serial.$fmt"; then
		fail "images/plain-$fmt" "no console mark on the first serial port" "$T/serial.$fmt"
	elif ! cmp -s "$T/expected" "$T/console.$fmt"; then
		diff -u --label hosted "$T/expected" --label serial "$T/console.$fmt" >"$T/diff"
		fail "images/plain-$fmt" "serial output differs from the hosted run" "$T/diff"
	else
		pass "images/plain-$fmt"
	fi
}

cli_boot() {    # FORMAT: wasmetal run IMAGE
	local fmt=$1 rc
	timeout $((TIMEOUT + 30)) "$W" run --timeout "$TIMEOUT" "$T/prog.$fmt" \
		</dev/null >"$T/run.$fmt" 2>"$T/run.err"
	rc=$?
	if [ $rc -ne "$HOSTED_RC" ]; then
		fail "images/run-$fmt" "exit status $rc, expected $HOSTED_RC" "$T/run.$fmt" "$T/run.err"
	elif ! cmp -s "$T/expected" "$T/run.$fmt"; then
		diff -u --label hosted "$T/expected" --label run "$T/run.$fmt" >"$T/diff"
		fail "images/run-$fmt" "output differs from the hosted run" "$T/diff" "$T/run.err"
	else
		pass "images/run-$fmt"
	fi
}

# A hostile edit of the manifest inside an image (same length, so only
# the text is wrong): the kernel refuses to run it and says why, with the
# line, on the first port (an invalid manifest leaves the ports at their
# defaults: the log, where the message is, on COM1); inspect refuses too.
hostile_manifest() {
	local img=$T/hostile.img rc
	cp "$T/prog.raw" "$img" || return
	MTOOLS_SKIP_CHECK=1 mcopy -n -i "$img@@1048576" ::/wasmetal/bundle "$T/bundle" &&
		sed -i 's/^verbose no$/verbose on/' "$T/bundle" &&
		MTOOLS_SKIP_CHECK=1 mcopy -o -i "$img@@1048576" "$T/bundle" ::/wasmetal/bundle \
		>"$T/mtools.err" 2>&1
	ovmf_qemu raw "$img" || return
	"${QEMU[@]}" -serial stdio -display none -monitor none -no-reboot \
		</dev/null >"$T/serial.hostile" 2>"$T/qemu.err"
	rc=$?
	if [ $rc -ne 0 ] ||
	   ! grep -aq 'invalid boot bundle: manifest line 7: verbose wants yes or no' \
		"$T/serial.hostile" || grep -aq '^done' "$T/serial.hostile"; then
		fail images/hostile-manifest "qemu status $rc, or no refusal with its line" \
			"$T/mtools.err" "$T/serial.hostile"
	else
		pass images/hostile-manifest
	fi
	"$W" inspect "$img" >"$T/inspect.hostile" 2>&1
	rc=$?
	if [ $rc -eq 125 ] && grep -q 'manifest line 7: verbose wants yes or no' \
		"$T/inspect.hostile"; then
		pass images/hostile-manifest-inspect
	else
		fail images/hostile-manifest-inspect "status $rc" "$T/inspect.hostile"
	fi
}

inspect_test() {
	local want missing=
	"$W" inspect "$T/prog.raw" >"$T/inspect" 2>&1 || missing=" (exit status $?)"
	for want in 'wasmetal-manifest 1' 'console com1' 'log com2' 'arg "two words"' \
		    'env "WHO=plain"' 'preopen "/data"' 'file sub/nested.txt (15 bytes)' \
		    'link link.txt -> greeting.txt' '_start: func () -> ()' \
		    'wasi_snapshot_preview1.fd_write: func (i32, i32, i32, i32) -> (i32)' \
		    'memory 0: min '; do
		grep -q -F -- "$want" "$T/inspect" || missing="$missing [$want]"
	done
	if [ -n "$missing" ]; then
		fail images/inspect "missing:$missing" "$T/inspect"
	else
		pass images/inspect
	fi
}

if ! find_ovmf; then
	fail images/ovmf "no OVMF firmware (apt-get install ovmf)"
elif ! setup; then
	fail images/setup "cannot build tests/images/image_prog.c" "$T/cc.err"
elif [ "$HOSTED_RC" -ne 7 ] || ! grep -q '^/data/sub/nested.txt: one level down$' "$T/expected"; then
	fail images/hosted "the hosted run (the expected output) is wrong: status $HOSTED_RC" \
		"$T/expected" "$T/hosted.err"
else
	for fmt in raw qcow2 vmdk; do
		plain_boot "$fmt" && cli_boot "$fmt"
	done
	inspect_test
	hostile_manifest
	"$W" image "$T/prog.wasm" -o "$T/x.img" --format iso >"$T/out" 2>&1
	rc=$?
	if [ $rc -eq 2 ] && grep -q "unknown --format 'iso'" "$T/out"; then
		pass images/bad-format
	else
		fail images/bad-format "status $rc, expected 2" "$T/out"
	fi
fi

summary
