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
}

# boot NAME MACHINE MEM INITRD|-: COM1 (console) in $T/NAME.com1, COM2
# (log) in $T/NAME.com2, QEMU's status in RC.  microvm has one ISA serial
# port of its own; the log's COM2 is added as a second one.
boot() {
	local name=$1 machine=$2 mem=$3 initrd=$4 extra=()
	[ "$initrd" != - ] && extra=(-initrd "$initrd")
	timeout "$TIMEOUT" qemu-system-x86_64 -M "$machine" -cpu max -m "$mem" \
		-display none -monitor none -no-reboot \
		-kernel "$T/pvh/kernel.elf" "${extra[@]}" \
		-chardev "file,id=com1,path=$T/$name.com1" \
		-chardev "file,id=com2,path=$T/$name.com2" \
		-serial chardev:com1 \
		-device isa-serial,chardev=com2,iobase=0x2f8,irq=3 \
		</dev/null >"$T/$name.qemu" 2>&1
	RC=$?
}

program_boot() {        # NAME MACHINE MEM
	local name=$1
	boot "$@" "$T/pvh/initrd"
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
	else
		pass "pvh/$name"
	fi
}

# hostile NAME INITRD|- MESSAGE: the log says MESSAGE, QEMU powers off,
# the program never starts.
hostile() {
	local name=$1 initrd=$2 msg=$3
	boot "$name" microvm 32 "$initrd"
	if [ $RC -ne 0 ]; then
		fail "pvh/$name" "qemu exit status $RC (124: a hang)" "$T/$name.com2" "$T/$name.qemu"
	elif ! grep -aqF -- "$msg" "$T/$name.com2"; then
		fail "pvh/$name" "the log lacks '$msg'" "$T/$name.com2"
	elif LC_ALL=C grep -qaF "$CONSOLE_MARK" "$T/$name.com1"; then
		fail "pvh/$name" "the program started" "$T/$name.com1"
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
}

if ! setup; then
	fail pvh/setup "cannot build tests/images/image_prog.c" "$T/cc.err"
elif make_pvh; then
	program_boot microvm microvm 32
	program_boot q35-seabios q35 64
	# no ACPI and no isa-debug-exit, as on Firecracker: the kernel's last
	# way to stop a PVH boot, the i8042 reset (QEMU -no-reboot exits)
	program_boot i8042-reset-without-acpi q35,acpi=off 64
	hostile_initrds
fi
summary
