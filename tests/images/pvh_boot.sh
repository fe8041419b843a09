#!/usr/bin/env bash
# pvh_boot.sh — the kernel's second way in (issue 11): PVH direct boot
# without UEFI firmware (kernel/pvh_entry.S, kernel/pvh.c).  `wasmetal
# image --format pvh` writes kernel.elf + initrd; plain QEMU boots them
# with `-kernel` / `-initrd` on the `microvm` machine (no firmware but
# qboot, no PCI: virtio-mmio) in 32 MiB, and on q35 (SeaBIOS + QEMU's
# pvh.bin, a second PVH loader).  The program's serial output after the
# console mark must be exactly what `wasmetal run --hosted` prints, QEMU
# must exit by itself (microvm: hardware-reduced ACPI's sleep control
# register; q35: PM1 control; q35 without ACPI: the i8042 reset that
# Firecracker takes as the end), the log must say "boot path: PVH" and end
# with the program's exit status.  Hostile boot input ends in a message on
# the log and a clean poweroff, never the timeout: no initrd, a truncated
# initrd, an initrd whose header is spoiled.
#
# virtio-mmio on microvm (drivers/virtio_mmio.c; QEMU's transports are
# legacy unless -global virtio-mmio.force-legacy=false):
#   mmio-rng           -cpu qemu64 (no RDRAND): random_get's entropy from
#                      virtio-rng-device, found in the DSDT (ACPI on, the
#                      default); tests/wasi/wasi_clock_poll_random.c passes
#   mmio-rng-cmdline   the same with acpi=off: found from QEMU's own
#                      virtio_mmio.device= entry on the command line
#   mmio-net           the kernel's HTTP server answers curl through
#                      virtio-net-device (a 64 KiB body byte for byte), with
#                      the device's interrupt line routed (more interrupts
#                      handled than timer ones)
#   mmio-hostile-cmdline  -append with malformed entries, base 0, a base in
#                      RAM, one with nothing behind it, a transport with no
#                      device: each a log line, the program still runs
#   mmio-legacy        legacy (version 1) transports: refused with a log
#                      line, the program still runs (-cpu max: RDRAND)
#   precompiled-microvm  the program as an artifact (`image --backend
#                      single`), in 32 MiB: the log says it was checked with
#                      the bundle's CRC-32C (manifest module-crc32c);
#                      artifact-crc-mismatch: one byte of it changed in the
#                      initrd is refused with the CRC message, never run.
#                      Every program boot's log has the boot timeline line
#                      in its shape, its phases summing to at most its total
#                      (tests/lib.sh boot_line_ok; no timing is asserted)
#   timer-early        regression: a kernel whose APIC timer calibration
#                      reads 80% of the true rate (KERNEL_EXTRA=
#                      -DAPIC_TIMER_TEST_SCALE_PCT=80, built in $B-apic80)
#                      runs the same program's clock waits under qemu64
#                      (one-shot APIC timer, no TSC-deadline): every
#                      interrupt comes early, and the idle loop used to
#                      skip re-arming the same deadline and halt for good
#
# Prints "PASS name" / "FAIL name (why)" lines and "N passed, N failed";
# exit status 1 if any failed.  Run from anywhere; BUILD (default build).
set -u
cd "$(dirname "$0")/../.." || exit 1

. tests/lib.sh

B=${BUILD:-build}
W=$B/wasmetal
TIMEOUT=${WASMETAL_QEMU_TIMEOUT:-120}
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-pvh.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

excerpt() { head -n 40 "$1" | cat -v; }

setup() {
	mkdir -p "$T/data/sub"
	printf 'hello from the image\n' >"$T/data/greeting.txt"
	printf 'one level down\n' >"$T/data/sub/nested.txt"
	clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$T/prog.wasm" \
		tests/images/image_prog.c 2>"$T/cc.err" || return 1
	OPTS=(--dir "$T/data::/data" --env WHO=pvh)
	GUEST_ARGS=(one "two words")
	timeout 60 "$W" run --hosted "${OPTS[@]}" "$T/prog.wasm" "${GUEST_ARGS[@]}" \
		>"$T/expected" 2>"$T/hosted.err"
	HOSTED_RC=$?
}

make_pvh() {
	if ! "$W" image --format pvh "$T/prog.wasm" -o "$T/pvh" "${OPTS[@]}" \
		-- "${GUEST_ARGS[@]}" >"$T/image.err" 2>&1; then
		fail pvh/image "wasmetal image --format pvh failed" "$T/image.err"
		return 1
	fi
	readelf -nW "$T/pvh/kernel.elf" >"$T/notes" 2>&1
	if [ ! -s "$T/pvh/initrd" ] ||
	   ! grep -Eq 'Xen +0x00000008.*(0x00000012|PHYS32_ENTRY)' "$T/notes"; then
		ls -l "$T/pvh" >>"$T/notes" 2>&1
		fail pvh/image "no initrd, or kernel.elf without the Xen PHYS32_ENTRY note" "$T/notes"
		return 1
	fi
	pass pvh/image
	# the same program precompiled (issue 11's budget: the kernel checks
	# the manifest's module-crc32c instead of the artifact's SHA-256)
	if ! "$W" image --format pvh --backend single "$T/prog.wasm" -o "$T/pvh-wmo" \
		"${OPTS[@]}" -- "${GUEST_ARGS[@]}" >"$T/image-wmo.err" 2>&1; then
		fail pvh/image-precompiled "wasmetal image --format pvh --backend single failed" \
			"$T/image-wmo.err"
		return 1
	fi
	pass pvh/image-precompiled
}

# boot NAME MACHINE MEM INITRD|- [QEMU ARGS...]: COM1 (console) in
# $T/NAME.com1, COM2 (log) in $T/NAME.com2, QEMU's status in RC.  microvm
# has one ISA serial port of its own; the log's COM2 is added as a second
# one.  The kernel is $KERNEL (default $T/pvh/kernel.elf); QEMU ARGS come
# last (a later -cpu wins).
boot() {
	local name=$1 machine=$2 mem=$3 initrd=$4 extra=()
	shift 4
	[ "$initrd" != - ] && extra=(-initrd "$initrd")
	timeout "$TIMEOUT" qemu-system-x86_64 -M "$machine" -cpu max -m "$mem" \
		-display none -monitor none -no-reboot \
		-kernel "${KERNEL:-$T/pvh/kernel.elf}" "${extra[@]}" \
		-chardev "file,id=com1,path=$T/$name.com1" \
		-chardev "file,id=com2,path=$T/$name.com2" \
		-serial chardev:com1 \
		-device isa-serial,chardev=com2,iobase=0x2f8,irq=3 \
		"$@" </dev/null >"$T/$name.qemu" 2>&1
	RC=$?
}

program_boot() {        # NAME MACHINE MEM (INITRD: default $T/pvh/initrd)
	local name=$1 why
	boot "$@" "${INITRD:-$T/pvh/initrd}"
	after_mark "$T/$name.com1" >"$T/$name.console"
	if [ $RC -ne 0 ]; then
		fail "pvh/$name" "qemu exit status $RC (124: timeout, no poweroff)" \
			"$T/$name.qemu" "$T/$name.com1" "$T/$name.com2"
	elif ! grep -aq 'boot path: PVH' "$T/$name.com2"; then
		fail "pvh/$name" "the log does not say 'boot path: PVH'" "$T/$name.com2"
	elif ! cmp -s "$T/expected" "$T/$name.console"; then
		diff -u --label hosted "$T/expected" --label serial "$T/$name.console" >"$T/diff"
		fail "pvh/$name" "serial output differs from the hosted run" "$T/diff" "$T/$name.com2"
	elif ! grep -aq "^\[wasmetal\] exit status $HOSTED_RC" "$T/$name.com2"; then
		fail "pvh/$name" "no '[wasmetal] exit status $HOSTED_RC' on the log" "$T/$name.com2"
	elif ! why=$(boot_line_ok "$T/$name.com2"); then
		fail "pvh/$name" "the boot timeline line: $why" "$T/$name.com2"
	elif [ -n "${WANT_LOG:-}" ] && ! grep -aqF -- "$WANT_LOG" "$T/$name.com2"; then
		fail "pvh/$name" "the log lacks '$WANT_LOG'" "$T/$name.com2"
	else
		pass "pvh/$name"
	fi
}

# hostile NAME INITRD|- MESSAGE: the log says MESSAGE, QEMU powers off,
# the program never starts (MARK_OK=1: the bundle's manifest was read, so
# the console, COM1 in these images, has its mark: then nothing but the
# refusal may follow it).
hostile() {
	local name=$1 initrd=$2 msg=$3
	boot "$name" microvm 32 "$initrd"
	if [ $RC -ne 0 ]; then
		fail "pvh/$name" "qemu exit status $RC (124: a hang)" "$T/$name.com2" "$T/$name.qemu"
	elif ! grep -aqF -- "$msg" "$T/$name.com2"; then
		fail "pvh/$name" "the log lacks '$msg'" "$T/$name.com2"
	elif [ -z "${MARK_OK:-}" ] && LC_ALL=C grep -qaF "$CONSOLE_MARK" "$T/$name.com1"; then
		fail "pvh/$name" "the program started" "$T/$name.com1"
	elif [ -n "${MARK_OK:-}" ] &&
		after_mark "$T/$name.com1" | grep -avqF "wasmetal: invalid boot bundle"; then
		fail "pvh/$name" "the program started: more than the refusal on the console" \
			"$T/$name.com1"
	else
		pass "pvh/$name"
	fi
}

hostile_initrds() {
	local size
	size=$(stat -c %s "$T/pvh/initrd")
	head -c $((size / 2)) "$T/pvh/initrd" >"$T/truncated"
	cp "$T/pvh/initrd" "$T/spoiled"
	printf '\377\377\377\377\377\377\377\377' |
		dd of="$T/spoiled" bs=1 seek=8 conv=notrunc 2>/dev/null
	hostile no-initrd - 'wasmetal: no boot bundle'
	hostile truncated-initrd "$T/truncated" 'wasmetal: invalid boot bundle'
	hostile spoiled-initrd "$T/spoiled" 'wasmetal: invalid boot bundle'
	# one byte of the artifact's code changed: its manifest's
	# module-crc32c no longer matches (the kernel's only check of the
	# artifact's bytes now: issue 11)
	python3 - "$T/pvh-wmo/initrd" "$T/corrupt-wmo" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b"\0wmo\r\n\x1a\n")
assert i >= 0
b[i + 1000] ^= 0x40
open(sys.argv[2], "wb").write(b)
EOF
	MARK_OK=1 KERNEL=$T/pvh-wmo/kernel.elf hostile artifact-crc-mismatch "$T/corrupt-wmo" \
		"module's CRC-32C is not the manifest's module-crc32c (the bundle is corrupted)"
}

# ---- virtio-mmio ------------------------------------------------------------

MODERN=(-global virtio-mmio.force-legacy=false)

# The entropy program (self-checking) and the kernel HTTP server as PVH
# images.
mmio_setup() {
	mkdir -p "$T/rdata" && cp -R tests/wasi/data/. "$T/rdata"/ &&
		ln -s hello.txt "$T/rdata/link_to_hello" || return 1
	clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$T/rand.wasm" \
		tests/wasi/wasi_clock_poll_random.c 2>"$T/cc.err" || return 1
	"$W" image --format pvh --dir "$T/rdata::/" --env WT_ENV=1 "$T/rand.wasm" \
		-o "$T/rand" >"$T/image.err" 2>&1 || return 1
	"$W" image --format pvh --net user --kernel-httpd 8080:65536 \
		"$B/examples/hello.wasm" -o "$T/httpd" >>"$T/image.err" 2>&1
}

# rand_boot NAME MACHINE WANT_RC QEMU ARGS...: the entropy program (its
# kernel: $RAND_KERNEL, default the image's) runs to exit status 0 with
# every check ok; WANT_RC: QEMU's status (0 after
# an ACPI poweroff, 1 = (0 << 1) | 1 through isa-debug-exit).
rand_boot() {
	local name=$1 machine=$2 want=$3
	shift 3
	KERNEL=${RAND_KERNEL:-$T/rand/kernel.elf} boot "$name" "$machine" 32 "$T/rand/initrd" "$@"
	after_mark "$T/$name.com1" >"$T/$name.console"
	if [ $RC -ne "$want" ]; then
		fail "pvh/$name" "qemu exit status $RC, expected $want (124: timeout)" \
			"$T/$name.qemu" "$T/$name.com2"
	elif grep -aq '^FAIL' "$T/$name.console" || ! grep -aqE '^[0-9]+ ok$' "$T/$name.console"; then
		fail "pvh/$name" "the program's checks failed" "$T/$name.console" "$T/$name.com2"
	elif ! grep -aq '^\[wasmetal\] exit status 0' "$T/$name.com2"; then
		fail "pvh/$name" "no '[wasmetal] exit status 0' on the log" "$T/$name.com2"
	else
		return 0
	fi
	return 1
}

# log_has NAME TEXT...: every TEXT is on NAME's log, else a FAIL.
log_has() {
	local name=$1 t
	shift
	for t in "$@"; do
		if ! grep -aqF -- "$t" "$T/$name.com2"; then
			fail "pvh/$name" "the log lacks '$t'" "$T/$name.com2"
			return 1
		fi
	done
	pass "pvh/$name"
}

mmio_rng() {
	rand_boot mmio-rng microvm 0 "${MODERN[@]}" -cpu qemu64 -device virtio-rng-device &&
		log_has mmio-rng 'random: no RDSEED/RDRAND: virtio-rng' \
			'in the DSDT)' '(rng)' 'virtio-rng: mmio 0xfeb0' 'ready, queue 0'
	rand_boot mmio-rng-cmdline microvm,acpi=off 1 "${MODERN[@]}" -cpu qemu64 \
		-device virtio-rng-device -device isa-debug-exit,iobase=0xf4,iosize=4 &&
		log_has mmio-rng-cmdline 'random: no RDSEED/RDRAND: virtio-rng' \
			'(1 on the command line, 0 in the DSDT)' 'virtio-rng: mmio 0xfeb0'
}

mmio_hostile() {
	local n=mmio-hostile-cmdline
	rand_boot $n microvm 0 "${MODERN[@]}" -cpu qemu64 -device virtio-rng-device \
		-append 'virtio_mmio.device=512@0xfeb00000:12 virtio_mmio.device=junk virtio_mmio.device=4K@0x0:5 virtio_mmio.device=4K@0x200000:5 virtio_mmio.device=512@0xd0000000:9 virtio_mmio.device=512@0xfeb00000:13 virtio_mmio.device=2M@0xfe000000:3 virtio_mmio.device=512@0xfeb00000' &&
		log_has $n '"virtio_mmio.device=junk" refused: bad size' \
			'"virtio_mmio.device=4K@0x0:5" refused: base address 0' \
			'0x200000+0x1000 is RAM, not a device: skipped' \
			'0xd0000000: no device (magic 0' \
			'0xfeb00000: no device behind the transport (id 0)' \
			'512@0xfeb00000:13" refused: a duplicate of an earlier entry' \
			'2M@0xfe000000:3" refused: size too large' \
			'"virtio_mmio.device=512@0xfeb00000" refused: no '"':'"' after the base' \
			'virtio-rng: mmio 0xfeb0'
	rand_boot mmio-legacy microvm 0 -device virtio-rng-device &&
		log_has mmio-legacy 'version 1 (legacy): only version 2 is supported, skipped'
}

# The timer regression (kernel/apic.c apic_timer_fired): the variant
# kernel in the entropy image.
timer_early() {
	local vb=$B-apic80
	if ! make -s -j2 BUILD="$vb" KERNEL_EXTRA=-DAPIC_TIMER_TEST_SCALE_PCT=80 \
		"$vb/kernel.elf" >"$T/apic80.err" 2>&1; then
		fail pvh/timer-early "cannot build the variant kernel" "$T/apic80.err"
		return
	fi
	RAND_KERNEL=$vb/kernel.elf rand_boot timer-early microvm 0 "${MODERN[@]}" -cpu qemu64 \
		-device virtio-rng-device &&
		log_has timer-early 'apic: timer one-shot'
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The kernel's HTTP server through virtio-net-device: GET /65536 must be
# the known body (16-byte lines of their offset), GET /exit ends the boot.
mmio_net() {
	local n=mmio-net port qpid i irq
	port=$(free_port)
	KERNEL=$T/httpd/kernel.elf boot $n microvm 64 "$T/httpd/initrd" "${MODERN[@]}" \
		-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:8080" \
		-device virtio-net-device,netdev=n0 &
	qpid=$!
	for ((i = 0; i < TIMEOUT * 2; i++)); do
		curl -sf -m 5 -o /dev/null "http://127.0.0.1:$port/1" 2>/dev/null && break
		kill -0 $qpid 2>/dev/null || break
		sleep 0.5
	done
	curl -sf -m 60 -o "$T/got" "http://127.0.0.1:$port/65536" 2>"$T/curl.err"
	curl -sf -m 10 -o /dev/null "http://127.0.0.1:$port/exit" 2>>"$T/curl.err"
	wait $qpid
	python3 -c 'import sys; sys.stdout.buffer.write(b"".join(b"%015x\n" % o for o in range(0, 65536, 16)))' >"$T/want"
	irq=$(grep -ao 'irq: [0-9]* interrupts handled ([0-9]* timer)' "$T/$n.com2" |
		awk '{ gsub(/\(/, "", $5); print $2 - $5 }')
	if ! cmp -s "$T/want" "$T/got"; then
		fail "pvh/$n" "GET /65536 through virtio-net-device: not the body" \
			"$T/curl.err" "$T/$n.com2"
	elif ! [ "${irq:-0}" -gt 0 ]; then
		fail "pvh/$n" "no interrupt but the timer's was handled" "$T/$n.com2"
	else
		log_has $n 'in the DSDT)' '(net)' 'virtio-net: mmio 0xfeb0' \
			'net: virtio-mmio interrupt line on vector' 'net: DHCP lease'
	fi
}

if ! setup; then
	fail pvh/setup "cannot build tests/images/image_prog.c" "$T/cc.err"
elif make_pvh; then
	program_boot microvm microvm 32
	INITRD=$T/pvh-wmo/initrd WANT_LOG="checked with the bundle's CRC-32C" \
		KERNEL=$T/pvh-wmo/kernel.elf program_boot precompiled-microvm microvm 32
	program_boot q35-seabios q35 64
	# no ACPI and no isa-debug-exit, as on Firecracker: the kernel's last
	# way to stop a PVH boot, the i8042 reset (QEMU -no-reboot exits)
	program_boot i8042-reset-without-acpi q35,acpi=off 64
	hostile_initrds
fi
if ! mmio_setup; then
	fail pvh/mmio-setup "cannot build the virtio-mmio test images" "$T/cc.err" "$T/image.err"
else
	mmio_rng
	mmio_hostile
	mmio_net
	timer_early
fi
summary
