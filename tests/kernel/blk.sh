#!/usr/bin/env bash
# blk.sh — virtio-blk disks granted as files (issue 11): `wasmetal run
# --disk HOST::GUEST[:ro]` boots tests/kernel/blk_disk.wasm with a host
# file as a virtio-blk drive, on q35 (virtio-blk-pci, beside the boot
# disk, itself virtio-blk) and on microvm (virtio-blk-device on
# virtio-mmio):
#
#   blk/MACHINE/rw        the guest reads the host's pattern, writes its
#                         own at unaligned offsets (read-modify-write),
#                         reads it back, fsyncs; exit 0, no FAIL line
#   blk/MACHINE/bytes     the host file afterwards: exactly the host's
#                         pattern with the guest's regions in (checked
#                         here, in Python, byte for byte)
#   blk/q35/serials       a second disk granted first
#                         (/dev/vda) is left unchanged: each grant is the
#                         device with its serial, whatever the PCI order
#   blk/microvm/in_dir    the disk is a file of a --dir preopen (/data)
#   blk/MACHINE/ro        `:ro`: opening for writing is EROFS, write()
#                         fails, the file is unchanged, and the device
#                         offered VIRTIO_BLK_F_RO (the kernel log)
#   blk/empty             a 0-byte file: a disk of size 0, reads 0 bytes,
#                         writes ENOSPC
#   blk/odd_size          a file of 1000 bytes is refused by the CLI with
#                         a message, status 2, before any boot
#   blk/wrong_serial      QEMU (through a wrapper on PATH) gives the drive
#                         another serial: the granted disk is missing, the
#                         boot stops with a line saying so, status 66,
#                         without running the program
#   blk/no_grant          without --disk, no virtio-blk device is probed
#                         (q35's boot disk is one: no virtio-blk log line)
#
# Run from the top of the tree (tests/run.sh does); BUILD = build dir.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
B=${BUILD:-build}
W=$B/wasmetal
G=$B/tests/kernel/blk_disk.wasm
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-blk.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
TIMEOUT=240
SIZE=$((2 * 1024 * 1024 + 1536))        # whole sectors, not whole 4 KiB

# make_disk FILE SIZE SEED: the host's pattern (blk_disk.c host_byte) with
# SEED added to every byte
make_disk() {
	python3 - "$1" "$2" "$3" <<'PY'
import sys
path, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
open(path, "wb").write(bytes(((i * 7 + (i >> 9)) + seed) & 0xff for i in range(size)))
PY
}

# check_bytes FILE SIZE: the host's pattern with blk_disk.c's regions
# (and the 4 bytes of its write across the end) in guest_byte
check_bytes() {
	python3 - "$1" "$2" <<'PY'
import sys
path, size = sys.argv[1], int(sys.argv[2])
want = bytearray(((i * 7 + (i >> 9))) & 0xff for i in range(size))
for off, n in [(5, 7), (1000, 3000), (4095, 2), (8192, 512), (65553, 70000),
               (size - 10, 10), (size - 4, 4)]:
    for j in range(off, off + n):
        want[j] = ((j * 13 + 1) ^ 0x5a) & 0xff
got = open(path, "rb").read()
if len(got) != size:
    sys.exit("size %d, want %d" % (len(got), size))
bad = [i for i in range(size) if got[i] != want[i]]
if bad:
    sys.exit("%d bytes differ, the first at %d: %#x, want %#x"
             % (len(bad), bad[0], got[bad[0]], want[bad[0]]))
PY
}

# run NAME MACHINE ARGS...: wasmetal run on MACHINE; out, err, log, rc
run() {
	local name=$1 machine=$2
	shift 2
	timeout $((TIMEOUT + 10)) "$W" run --machine "$machine" --timeout "$TIMEOUT" \
		--log "$T/$name.log" "$@" >"$T/$name.out" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
}

guest_ok() {    # NAME: exit 0, the guest's summary, no FAIL line
	[ "$(cat "$T/$1.rc")" = 0 ] && grep -q '^blk_disk: 0 failed$' "$T/$1.out" &&
		! grep -q '^FAIL' "$T/$1.out"
}

for m in q35 microvm; do
	make_disk "$T/$m.img" $SIZE 0
	if [ $m = q35 ]; then
		make_disk "$T/decoy.img" $SIZE 99
		cp "$T/decoy.img" "$T/decoy.orig"
		run $m-rw $m --disk "$T/decoy.img::/dev/vda" --disk "$T/$m.img::/dev/vdb" \
			"$G" rw /dev/vdb $SIZE
	else
		mkdir -p "$T/data" && echo hello >"$T/data/hello.txt"
		run $m-rw $m --dir "$T/data::/data" --disk "$T/$m.img::/data/disk.img" \
			"$G" rw /data/disk.img $SIZE
	fi
	if guest_ok $m-rw; then
		pass "blk/$m/rw ($(grep -c '^ok' "$T/$m-rw.out") guest checks)"
	else
		fail blk/$m/rw "status $(cat "$T/$m-rw.rc")" "$T/$m-rw.out" "$T/$m-rw.err" "$T/$m-rw.log"
	fi
	if check_bytes "$T/$m.img" $SIZE >"$T/$m.bytes" 2>&1; then
		pass "blk/$m/bytes"
	else
		fail blk/$m/bytes "the host file is not what the guest wrote" "$T/$m.bytes"
	fi
	if [ $m = q35 ]; then
		if cmp -s "$T/decoy.img" "$T/decoy.orig" &&
			grep -q 'disk: /dev/vdb: wasmetal-disk1' "$T/$m-rw.log"; then
			pass blk/q35/serials
		else
			fail blk/q35/serials "the other disk changed, or vdb is not disk 1" "$T/$m-rw.log"
		fi
	elif guest_ok $m-rw && grep -q 'disk: /data/disk.img: wasmetal-disk0' "$T/$m-rw.log"; then
		pass blk/microvm/in_dir
	else
		fail blk/microvm/in_dir "no disk in the --dir preopen" "$T/$m-rw.log"
	fi

	make_disk "$T/$m-ro.img" $SIZE 0
	cp "$T/$m-ro.img" "$T/$m-ro.orig"
	run $m-ro $m --disk "$T/$m-ro.img::/dev/vda:ro" "$G" ro /dev/vda $SIZE
	if guest_ok $m-ro && cmp -s "$T/$m-ro.img" "$T/$m-ro.orig" &&
		grep -q 'virtio-blk: .*serial "wasmetal-disk0".*, read-only' "$T/$m-ro.log"; then
		pass blk/$m/ro
	else
		fail blk/$m/ro "status $(cat "$T/$m-ro.rc"), or the file changed, or the device was not read-only" \
			"$T/$m-ro.out" "$T/$m-ro.log"
	fi
done

: >"$T/empty.img"
run empty microvm --disk "$T/empty.img::/data/empty" "$G" empty /data/empty
if guest_ok empty && [ ! -s "$T/empty.img" ]; then
	pass blk/empty
else
	fail blk/empty "status $(cat "$T/empty.rc")" "$T/empty.out" "$T/empty.log"
fi

head -c 1000 /dev/zero >"$T/odd.img"
start=$(date +%s)
run odd microvm --disk "$T/odd.img::/data/odd" "$G" empty /data/odd
if [ "$(cat "$T/odd.rc")" = 2 ] && grep -q 'is 1000 bytes, not whole 512-byte sectors' "$T/odd.err" &&
	[ $(($(date +%s) - start)) -lt 10 ]; then
	pass blk/odd_size
else
	fail blk/odd_size "status $(cat "$T/odd.rc")" "$T/odd.err"
fi

mkdir -p "$T/bin"
real_qemu=$(command -v qemu-system-x86_64)
cat >"$T/bin/qemu-system-x86_64" <<SH
#!/usr/bin/env bash
args=()
for a in "\$@"; do args+=("\${a//serial=wasmetal-disk0/serial=stranger}"); done
exec "$real_qemu" "\${args[@]}"
SH
chmod +x "$T/bin/qemu-system-x86_64"
make_disk "$T/ws.img" 4096 0
PATH=$T/bin:$PATH run wrongserial microvm --disk "$T/ws.img::/dev/vda" "$G" rw /dev/vda 4096
if [ "$(cat "$T/wrongserial.rc")" = 66 ] &&
	grep -q 'wasmetal: disk /dev/vda: no virtio-blk device with serial wasmetal-disk0' "$T/wrongserial.err" &&
	grep -q 'serial "stranger" not granted' "$T/wrongserial.log" &&
	! grep -q 'entering module' "$T/wrongserial.log"; then
	pass blk/wrong_serial
else
	fail blk/wrong_serial "status $(cat "$T/wrongserial.rc")" "$T/wrongserial.err" "$T/wrongserial.log"
fi

run nogrant q35 "$G"            # usage: exit 2 from the guest
if [ "$(cat "$T/nogrant.rc")" = 2 ] && grep -q 'entering module' "$T/nogrant.log" &&
	! grep -q 'virtio-blk' "$T/nogrant.log"; then
	pass blk/no_grant
else
	fail blk/no_grant "status $(cat "$T/nogrant.rc"), or virtio-blk probed" "$T/nogrant.log"
fi
summary
