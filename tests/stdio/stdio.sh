#!/usr/bin/env bash
# stdio.sh — the guest's stdin, stdout and stderr, hosted and under QEMU
# (issue 8, findings 2 and 4; images/image.h, "Run settings").  Checks,
# each named after what broke:
#
#   MODE/stderr_apart_from_stdout      tests/stdio/streams.c writes binary
#                                      chunks to stdout and stderr in turn,
#                                      echoes a binary stdin, exits 7: the
#                                      CLI's stdout and stderr each get
#                                      their stream byte for byte (under
#                                      QEMU everything used to arrive on
#                                      stdout)
#   MODE/trap_report_on_stderr         ... then traps: status 134, the
#                                      report on stderr, stdout clean
#                                      (QEMU: 78 KB on stderr, its reader
#                                      pausing 3 s: nothing lost)
#   MODE/load_error_on_stderr          an invalid module: 125, the message
#                                      on stderr, nothing on stdout
#   qemu/stderr_apart_from_stdout_image  the same from a `wasmetal image`
#                                      image (console on COM1) booted by
#                                      `wasmetal run IMAGE`
#   plain/stderr_on_the_console        that image on plain QEMU + OVMF,
#                                      `-serial stdio`: no run settings, so
#                                      stdout and stderr both on the one
#                                      port a person reads, in order
#   MODE/stdio_pipeline_not_a_terminal tests/stdio/pack.c, a compressor
#                                      that refuses to write binary data to
#                                      a terminal (as gzip), in `pack < in
#                                      > out` (same bytes as node's) and
#                                      `cat | pack -d | cat` (isatty() was
#                                      always true: it refused)
#   MODE/stdio_terminal_is_a_terminal  on a pseudo-terminal (script(1)) it
#                                      must refuse
#   MODE/stdio_kinds_CONFIG            tests/stdio/stdio_kinds.c prints what
#                                      fd_fdstat_get says of fds 0-2 with
#                                      files, pipes, /dev/null and a
#                                      terminal: hosted, the types wasi.h
#                                      documents; under QEMU, the same as
#                                      hosted; node: the same isatty()
#   plain/stdio_character_devices      an image booted on its own: three
#                                      character devices (terminals)
#
# MODE is hosted or qemu; WASMETAL_SKIP_QEMU=1 leaves QEMU out.  Prints
# "PASS name" / "FAIL name (why)" and "N passed, N failed".  Run from
# anywhere; BUILD = the build dir (default build).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
B=${BUILD:-build}
W=$B/wasmetal
G=$B/tests/stdio
NODE_WASI="node --no-warnings tests/node_wasi.mjs"
TIMEOUT=${WASMETAL_QEMU_TIMEOUT:-180}
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-stdio.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

# The evidence is binary: control bytes made visible.
excerpt() { head -c 4000 "$1" | cat -v | head -n 40 | sed '$a\'; }

skip_qemu() { [ "${WASMETAL_SKIP_QEMU:-0}" = 1 ]; }

# wrun MODE ARGS...: `wasmetal run` (--hosted for MODE hosted), with a
# time limit; the caller redirects.
wrun() {
	local mode=$1
	shift
	if [ "$mode" = hosted ]; then
		timeout 60 "$W" run --hosted "$@"
	else
		timeout $((TIMEOUT + 30)) "$W" run --timeout "$TIMEOUT" "$@"
	fi
}

# streams_expect N MODE [STDIN]: what streams.wasm writes, into
# $T/want.out and $T/want.err (without a trap report).
streams_expect() {
	python3 - "$1" "$2" "${3:-/dev/null}" "$T/want.out" "$T/want.err" <<'EOF'
import sys
n, mode, stdin, out_path, err_path = int(sys.argv[1]), sys.argv[2], *sys.argv[3:]
mark = b"\x1b_wasmetal:console\x1b\\"
out, err = bytearray(), bytearray()
for i in range(n):
    chunk = bytes((i * 31 + j * 7) & 255 for j in range(600 + 37 * (i % 11)))
    if i in (1, 2):
        chunk += mark
    (err if i % 2 else out).extend(chunk)
if mode == "echo":
    out += open(stdin, "rb").read()
if mode != "trap":
    err += b"done\n"
open(out_path, "wb").write(out)
open(err_path, "wb").write(err)
EOF
}

# same NAME GOT WANT: byte-for-byte, or a FAIL with the first difference.
same() {
	cmp "$2" "$3" >"$T/cmp" 2>&1 && return 0
	echo "got $(wc -c <"$2") bytes, want $(wc -c <"$3")" >>"$T/cmp"
	fail "$1" "$(basename "$2") differs" "$T/cmp" "$2"
	return 1
}

# ---- finding 2: stdout and stderr apart ---------------------------------------

stderr_apart() {        # MODE [IMAGE]: streams.wasm 40 echo (or the image)
	local mode=$1 img=${2:-} name=$1/stderr_apart_from_stdout rc
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 8 + b"\x04\x10\x04 end\n")' \
		>"$T/stdin.bin"
	if [ -n "$img" ]; then
		name=qemu/stderr_apart_from_stdout_image
		streams_expect 40 exit
		wrun "$mode" "$img" <"$T/stdin.bin" >"$T/got.out" 2>"$T/got.err"
	else
		streams_expect 40 echo "$T/stdin.bin"
		wrun "$mode" "$G/streams.wasm" 40 echo <"$T/stdin.bin" >"$T/got.out" 2>"$T/got.err"
	fi
	rc=$?
	if [ $rc -ne 7 ]; then
		fail "$name" "exit status $rc, want 7" "$T/got.err"
	elif same "$name" "$T/got.out" "$T/want.out" && same "$name" "$T/got.err" "$T/want.err"; then
		pass "$name ($(wc -c <"$T/want.out") bytes on stdout, $(wc -c <"$T/want.err") on stderr)"
	fi
}

# MODE: streams.wasm N trap; under QEMU with 200 chunks and a stderr
# reader that takes one byte, then pauses 3 s (COM3's back-pressure).
trap_on_stderr() {
	local mode=$1 name=$1/trap_report_on_stderr n=6 rc
	streams_expect 6 trap
	if [ "$mode" = hosted ]; then
		wrun hosted "$G/streams.wasm" 6 trap </dev/null >"$T/got.out" 2>"$T/got.err"
		rc=$?
	else
		n=200
		streams_expect 200 trap
		wrun qemu "$G/streams.wasm" 200 trap </dev/null 2>&1 >"$T/got.out" |
			{ dd bs=1 count=1 status=none; sleep 3; cat; } >"$T/got.err"
		rc=${PIPESTATUS[0]}
	fi
	head -c "$(wc -c <"$T/want.err")" "$T/got.err" >"$T/got.err.head"
	tail -c +"$(($(wc -c <"$T/want.err") + 1))" "$T/got.err" >"$T/got.report"
	if [ $rc -ne 134 ]; then
		fail "$name" "exit status $rc, want 134" "$T/got.report" "$T/got.out"
	elif ! same "$name" "$T/got.out" "$T/want.out" || ! same "$name" "$T/got.err.head" "$T/want.err"; then
		:
	elif ! head -n 1 "$T/got.report" | grep -qx 'wasm trap: out of bounds memory access' ||
		! grep -Eq '^  #0 func\[[0-9]+\] .* at wasm offset 0x[0-9a-f]+$' "$T/got.report"; then
		fail "$name" "no trap report after the guest's stderr" "$T/got.report"
	else
		pass "$name ($n chunks, report on stderr)"
	fi
}

load_error_on_stderr() {        # MODE
	local mode=$1 name=$1/load_error_on_stderr rc
	printf '\0asm\1\0\0\0\1\5\1\140' >"$T/bad.wasm"          # truncated type section
	wrun "$mode" "$T/bad.wasm" </dev/null >"$T/got.out" 2>"$T/got.err"
	rc=$?
	if [ $rc -ne 125 ] || [ -s "$T/got.out" ] ||
		! grep -q '^wasmetal: invalid module: ' "$T/got.err"; then
		fail "$name" "status $rc (want 125), stdout empty, the message on stderr" \
			"$T/got.out" "$T/got.err"
	else
		pass "$name"
	fi
}

# An image for plain VMs (console on COM1): by `wasmetal run IMAGE`, then
# by plain QEMU + OVMF with one serial port (lib.sh ovmf_qemu).
image_streams() {
	local img=$T/streams.img rc
	if ! "$W" image "$G/streams.wasm" -o "$img" -- 40 exit >"$T/image.err" 2>&1; then
		fail qemu/stderr_apart_from_stdout_image "wasmetal image failed" "$T/image.err"
		return
	fi
	stderr_apart qemu "$img"
	if ! find_ovmf || ! ovmf_qemu raw "$img"; then
		fail plain/stderr_on_the_console "no OVMF"
		return
	fi
	"${QEMU[@]}" -serial stdio -display none -monitor none -no-reboot \
		</dev/null >"$T/serial" 2>"$T/qemu.err"
	rc=$?
	python3 - "$T/want.plain" <<'EOF'
import sys
mark = b"\x1b_wasmetal:console\x1b\\"
out = bytearray()
for i in range(40):
    out += bytes((i * 31 + j * 7) & 255 for j in range(600 + 37 * (i % 11)))
    if i in (1, 2):
        out += mark
open(sys.argv[1], "wb").write(out + b"done\n")
EOF
	after_mark "$T/serial" >"$T/console"
	if [ $rc -ne 0 ]; then
		fail plain/stderr_on_the_console "qemu exit status $rc" "$T/qemu.err" "$T/serial"
	elif same plain/stderr_on_the_console "$T/console" "$T/want.plain"; then
		pass plain/stderr_on_the_console
	fi
}

# ---- finding 4: isatty() only on terminals -------------------------------------

# on_tty CMD...: CMD on a pseudo-terminal (stdin, stdout and stderr), its
# output (CRLF) in $T/tty.out, its status in TTY_RC.
on_tty() {
	local cmd
	printf -v cmd '%q ' "$@"
	timeout $((TIMEOUT + 60)) script -qec "$cmd" /dev/null </dev/null >"$T/tty.out" 2>&1
	TTY_RC=$?
	tr -d '\r' <"$T/tty.out" >"$T/tty.txt"
}

pack_input() {
	python3 -c '
import sys, random
r = random.Random(8)
b = bytearray()
for i in range(120):
    if r.random() < 0.5:
        b += bytes([r.randrange(256)]) * r.randrange(2, 300)
    else:
        b += bytes(r.randrange(256) for _ in range(r.randrange(1, 200)))
sys.stdout.buffer.write(bytes(b[:24000]) + bytes(range(256)))' >"$T/in.bin"
}

pipeline() {    # MODE
	local mode=$1 name=$1/stdio_pipeline_not_a_terminal rc
	wrun "$mode" "$G/pack.wasm" <"$T/in.bin" >"$T/packed" 2>"$T/pack.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$name" "pack < in > out: status $rc" "$T/pack.err"
		return
	fi
	same "$name" "$T/packed" "$T/packed.node" || return
	cat "$T/packed" | wrun "$mode" "$G/pack.wasm" -d 2>"$T/pack.err" | cat >"$T/back"
	rc=${PIPESTATUS[1]}
	if [ "$rc" -ne 0 ]; then
		fail "$name" "cat | pack -d | cat: status $rc" "$T/pack.err"
	elif same "$name" "$T/back" "$T/in.bin"; then
		pass "$name ($(wc -c <"$T/in.bin") bytes packed to $(wc -c <"$T/packed"), as node; unpacked in a pipe)"
	fi
}

terminal() {    # MODE
	local mode=$1 name=$1/stdio_terminal_is_a_terminal h=
	[ "$mode" = hosted ] && h=--hosted
	on_tty "$W" run $h --timeout "$TIMEOUT" "$G/pack.wasm"
	if [ "$TTY_RC" -ne 1 ] ||
		! grep -qx 'pack: refusing to write compressed data to a terminal' "$T/tty.txt"; then
		fail "$name" "status $TTY_RC, want 1 and the refusal" "$T/tty.txt"
	else
		pass "$name"
	fi
}

# kinds_run MODE CONFIG OUT: stdio_kinds.wasm with its fds set up as
# CONFIG says, its report in OUT (node: MODE node).
kinds_run() {
	local mode=$1 cfg=$2 out=$3 cmd
	if [ "$mode" = node ]; then
		cmd=($NODE_WASI "$G/stdio_kinds.wasm")
	elif [ "$mode" = hosted ]; then
		cmd=(timeout 60 "$W" run --hosted "$G/stdio_kinds.wasm")
	else
		cmd=(timeout $((TIMEOUT + 30)) "$W" run --timeout "$TIMEOUT" "$G/stdio_kinds.wasm")
	fi
	case "$cfg" in
	files) "${cmd[@]}" <"$T/in.bin" >"$out" 2>"$T/kinds.err" ;;
	pipes) cat "$T/in.bin" | { "${cmd[@]}" 2>&1 >&3 | cat >"$T/kinds.err"; } 3>&1 | cat >"$out" ;;
	mixed) cat "$T/in.bin" | "${cmd[@]}" >"$out" 2> >(cat >"$T/kinds.err") ;;
	devnull) "${cmd[@]}" </dev/null 2>"$T/kinds.err" | cat >"$out" ;;
	tty) on_tty "${cmd[@]}"; cp "$T/tty.txt" "$out" ;;
	esac
}

# What the guest must be told (wasi.h enum wasi_stdio_kind).
kinds_expect() {        # CONFIG -> stdout
	local t0 t1 t2
	case "$1" in
	files) t0=regular_file t1=regular_file t2=regular_file ;;
	pipes) t0=unknown t1=unknown t2=unknown ;;
	mixed) t0=unknown t1=regular_file t2=unknown ;;
	devnull) t0=unknown t1=unknown t2=regular_file ;;
	tty) t0=character_device t1=character_device t2=character_device ;;
	esac
	local a=0 b=0 c=0
	[ "$1" = tty ] && a=1 b=1 c=1
	echo "fd 0: $t0 isatty=$a seek=0 read=1 write=0"
	echo "fd 1: $t1 isatty=$b seek=0 read=0 write=1"
	echo "fd 2: $t2 isatty=$c seek=0 read=0 write=1"
}

# isatty= of each line (what node must agree on)
isatty_cols() { sed -E 's/^(fd [0-9]): .* (isatty=[01]) .*/\1 \2/' "$1"; }

kinds_hosted() {        # CONFIG: hosted as documented, node's isatty
	local cfg=$1 name=hosted/stdio_kinds_$1
	kinds_run hosted "$cfg" "$T/k.hosted"
	kinds_expect "$cfg" >"$T/k.want"
	kinds_run node "$cfg" "$T/k.node"
	if ! cmp -s "$T/k.hosted" "$T/k.want"; then
		diff -u --label want "$T/k.want" --label hosted "$T/k.hosted" >"$T/diff"
		fail "$name" "fd_fdstat_get says otherwise" "$T/diff" "$T/kinds.err"
	elif ! cmp -s <(isatty_cols "$T/k.node") <(isatty_cols "$T/k.hosted"); then
		diff -u --label node "$T/k.node" --label hosted "$T/k.hosted" >"$T/diff"
		fail "$name" "isatty() differs from node's" "$T/diff"
	else
		pass "$name (isatty as node's)"
		cp "$T/k.hosted" "$T/k.hosted.$cfg"
	fi
}

kinds_qemu() {          # CONFIG: what the guest sees under QEMU is hosted's
	local cfg=$1 name=qemu/stdio_kinds_$1
	if [ ! -s "$T/k.hosted.$cfg" ]; then
		fail "$name" "no hosted run to compare with (hosted/stdio_kinds_$cfg failed)"
		return
	fi
	kinds_run qemu "$cfg" "$T/k.qemu"
	if ! cmp -s "$T/k.qemu" "$T/k.hosted.$cfg"; then
		diff -u --label hosted "$T/k.hosted.$cfg" --label qemu "$T/k.qemu" >"$T/diff"
		fail "$name" "the guest sees other streams than hosted" "$T/diff" "$T/kinds.err"
	else
		pass "$name (as hosted)"
	fi
}

# An image booted on its own has a serial console: character devices.
plain_kinds() {
	local img=$T/kinds.img
	"$W" image "$G/stdio_kinds.wasm" -o "$img" >"$T/image.err" 2>&1 &&
		find_ovmf && ovmf_qemu raw "$img" || {
		fail plain/stdio_character_devices "wasmetal image failed, or no OVMF" "$T/image.err"
		return
	}
	"${QEMU[@]}" -serial stdio -display none -monitor none -no-reboot \
		</dev/null >"$T/serial" 2>"$T/qemu.err"
	after_mark "$T/serial" >"$T/console"
	kinds_expect tty >"$T/k.want"
	if cmp -s "$T/console" "$T/k.want"; then
		pass plain/stdio_character_devices
	else
		diff -u --label want "$T/k.want" --label serial "$T/console" >"$T/diff"
		fail plain/stdio_character_devices "not three terminals" "$T/diff" "$T/serial"
	fi
}

if [ ! -x "$W" ] || [ ! -f "$G/streams.wasm" ] || [ ! -f "$G/pack.wasm" ] ||
	[ ! -f "$G/stdio_kinds.wasm" ]; then
	fail stdio/setup "build first: make all and $G/*.wasm"
	summary
	exit
fi
pack_input
$NODE_WASI "$G/pack.wasm" <"$T/in.bin" >"$T/packed.node" 2>"$T/node.err" ||
	fail stdio/node_pack "node's run of pack.wasm failed" "$T/node.err"

stderr_apart hosted
trap_on_stderr hosted
load_error_on_stderr hosted
pipeline hosted
terminal hosted
for cfg in files pipes mixed devnull tty; do
	kinds_hosted "$cfg"
done
if skip_qemu; then
	echo "NOTE stdio: QEMU checks skipped (WASMETAL_SKIP_QEMU=1)"
else
	stderr_apart qemu
	trap_on_stderr qemu
	load_error_on_stderr qemu
	image_streams
	pipeline qemu
	terminal qemu
	kinds_qemu mixed
	kinds_qemu devnull
	plain_kinds
fi
summary
