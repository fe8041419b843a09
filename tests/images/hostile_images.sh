#!/usr/bin/env bash
# hostile_images.sh — hostile images (issue 8): an image whose boot bundle,
# manifest or kernel.elf was cut short or mutated must end with a clear
# message and a clean shutdown, never a hang, a triple fault or a kernel
# fault; and the host's reading of the image (`wasmetal inspect`, the
# kernel's parser built hosted; for kernel.elf, boot/elf.c built into the
# generator) must give the kernel's verdict.
#
#   hostile_images.sh                   the curated cases marked "test"
#                                       (make test: a dozen boots)
#   hostile_images.sh --full [--random N] [--seed S]
#                                       every curated case (about 110), and
#                                       N random mutants of seed S (default
#                                       1; the seed is printed):
#                                       make hostile-images [N=300] [SEED=S]
#   hostile_images.sh --only NAME...    just these cases (rNNNNN: random ones
#                                       with --random/--seed as before)
#
# The same bundle cases and 10,000 random mutants go through the kernel's
# parser hosted, in seconds: tests/unit/test_bundle_mutants.c.
#
# The mutants come from build/tests/images/bundle_mutate (bundle_mutate.h):
# each is written into a copy of one base image (`wasmetal image` of
# tests/images/image_prog.c with a --dir tree; it prints and exits 7),
# booted with q35 + OVMF, both serial ports to files, isa-debug-exit (the
# kernel's status comes back as QEMU's (status << 1) | 1), -no-reboot,
# -d cpu_reset (TCG logs "Triple fault" there), under `timeout`; HOSTILE_JOBS
# (default 2) boots at a time.  Verdicts, as bundle_mutate_cases.c spells
# them:
#   kernel  "ran N" | "bundle: WHY" (wasmetal: invalid boot bundle: WHY,
#           status 66) | "nobundle" (status 66) | "module: WHY" and
#           "setup: WHY" (status 125) | "spec: WHY" (status 2) |
#           "loader: WHY" (wasmetal loader: WHY, then the firmware powers
#           off: QEMU status 0)
#   host    inspect's status 0 ("ran") or 125 with the same WHY; "ran"
#           also agrees with "setup: --tcplisten ...: cannot listen:
#           ENETDOWN": a grant's listener needs a NIC, and these VMs have
#           none (on purpose: `kernel-httpd` with a NIC serves for ever)
# A mutant passes when the boot ended by itself with its verdict's status,
# the "[wasmetal] exit status N" line (when the log has a port) says the
# same, no PANIC, no triple fault, the host agrees, and the verdict is the
# one the case aims at (random mutants aim at nothing in particular).
#
# Prints "PASS name" / "FAIL name (why)" lines, NOTE lines with the
# verdicts counted, and "N passed, N failed"; status 1 if any failed.
set -u
cd "$(dirname "$0")/../.." || exit 1

. tests/lib.sh

B=${BUILD:-build}
W=$B/wasmetal
GEN=$B/tests/images/bundle_mutate
TIMEOUT=${HOSTILE_TIMEOUT:-90}
JOBS=${HOSTILE_JOBS:-2}
ESP=1048576                     # images/mkimage.c: the ESP at 1 MiB
FULL=0 NRANDOM=0 SEED=1 ONLY=()
while [ $# -gt 0 ]; do
	case "$1" in
	--full) FULL=1 ;;
	--random) NRANDOM=$2; shift ;;
	--seed) SEED=$2; shift ;;
	--only) shift; ONLY=("$@"); break ;;
	*) echo "usage: $0 [--full] [--random N] [--seed S] [--only NAME...]" >&2; exit 2 ;;
	esac
	shift
done
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-hostile.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

excerpt() { head -n 30 "$1" | tr -d '\r' | cat -v; }

# ---- the base image -----------------------------------------------------------
setup() {
	mkdir -p "$T/data/sub" "$T/cases" "$T/random" "$T/run"
	printf 'hello from the image\n' >"$T/data/greeting.txt"
	printf 'one level down\n' >"$T/data/sub/nested.txt"
	ln -s greeting.txt "$T/data/link.txt"
	# stripped: random byte edits should mostly meet the bundle, not the module
	clang --target=wasm32-wasi --sysroot=/usr -O2 -Wl,--strip-all -o "$T/prog.wasm" \
		tests/images/image_prog.c >"$T/setup.err" 2>&1 &&
	"$W" image "$T/prog.wasm" -o "$T/base.img" --dir "$T/data::/data" \
		--env WHO=hostile -- one "two words" >>"$T/setup.err" 2>&1 &&
	MTOOLS_SKIP_CHECK=1 mcopy -n -i "$T/base.img@@$ESP" ::/wasmetal/bundle \
		"$T/bundle" >>"$T/setup.err" 2>&1 &&
	MTOOLS_SKIP_CHECK=1 mcopy -n -i "$T/base.img@@$ESP" ::/wasmetal/kernel.elf \
		"$T/kernel.elf" >>"$T/setup.err" 2>&1 &&
	"$GEN" cases "$T/bundle" "$T/kernel.elf" "$T/cases" >>"$T/setup.err" 2>&1 || return 1
	if [ "$NRANDOM" -gt 0 ]; then
		"$GEN" random "$T/bundle" "$T/random" "$SEED" "$NRANDOM" >"$T/seed" 2>>"$T/setup.err" ||
			return 1
		echo "NOTE hostile: random mutants: $(cat "$T/seed") (rerun one: $0 --random $NRANDOM --seed $SEED --only rNNNNN)"
	fi
}

# ---- one boot ------------------------------------------------------------------
# make_image DIR TARGET FILE: DIR/disk.img, the base with FILE in place.
make_image() {
	local d=$1 target=$2 file=$3 img=$1/disk.img
	cp --sparse=always "$T/base.img" "$img" || return 1
	export MTOOLS_SKIP_CHECK=1
	case "$target" in
	none) ;;
	bundle) mcopy -o -i "$img@@$ESP" "$file" ::/wasmetal/bundle ;;
	elf) mcopy -o -i "$img@@$ESP" "$file" ::/wasmetal/kernel.elf ;;
	delete) mdel -i "$img@@$ESP" ::/wasmetal/bundle ;;
	delete-elf) mdel -i "$img@@$ESP" ::/wasmetal/kernel.elf ;;
	esac
}

# boot DIR: QEMU's status in DIR/rc, the serial ports in DIR/com1, DIR/com2.
boot() {
	local d=$1
	cp "$VARS" "$d/vars.fd" || return 1
	timeout "$TIMEOUT" qemu-system-x86_64 -nodefaults -machine q35 -cpu max -m 256 \
		-smp 1 -accel kvm -accel tcg \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$CODE" \
		-drive "if=pflash,format=raw,unit=1,file=$d/vars.fd" \
		-drive "if=virtio,format=raw,file=$d/disk.img" \
		-serial "file:$d/com1" -serial "file:$d/com2" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot \
		-display none -monitor none -d cpu_reset -D "$d/dlog" \
		</dev/null >"$d/qemu.out" 2>&1
	echo $? >"$d/rc"
	cat "$d/com1" "$d/com2" 2>/dev/null | tr -d '\r' >"$d/serial"
}

# first_match FILE PREFIX: the rest of the first line holding PREFIX;
# status 1 if none does.
first_match() {
	LC_ALL=C awk -v p="$2" 'i = index($0, p) { print substr($0, i + length(p)); f = 1; exit }
		END { exit !f }' "$1"
}

# kernel_verdict DIR: the verdict from the serial output (see the top).
kernel_verdict() {
	local d=$1 rc s w
	rc=$(cat "$d/rc")
	s=$d/serial
	if w=$(first_match "$s" 'wasmetal loader: '); then
		echo "loader: $w"
	elif LC_ALL=C grep -aq 'wasmetal: no boot bundle' "$s"; then
		echo nobundle
	elif w=$(first_match "$s" 'wasmetal: invalid boot bundle: '); then
		echo "bundle: $w"
	elif w=$(first_match "$s" 'wasmetal: invalid module: '); then
		echo "module: $w"
	elif w=$(first_match "$s" 'wasmetal: cannot set up WASI: '); then
		echo "setup: $w"
	elif w=$(first_match "$s" 'wasmetal spec: '); then
		echo "spec: $w"
	elif [ $((rc % 2)) -eq 1 ]; then
		echo "ran $(((rc - 1) / 2))"
	else
		echo "no verdict (QEMU status $rc)"
	fi
}

# host_verdict DIR TARGET FILE: inspect's (or the hosted ELF check's).
host_verdict() {
	local d=$1 target=$2 file=$3 rc w
	case "$target" in
	elf) "$GEN" elf-check "$file" 2>&1 | sed '/^ok$/!s/^/loader: /'; return ;;
	delete-elf) echo -; return ;;
	esac
	timeout 60 "$W" inspect "$d/disk.img" >"$d/inspect.out" 2>"$d/inspect.err"
	rc=$?
	if [ $rc -eq 0 ]; then
		echo ran
	elif [ $rc -ne 125 ]; then
		echo "inspect status $rc"
	elif w=$(first_match "$d/inspect.err" ': invalid bundle: '); then
		echo "bundle: $w"
	elif LC_ALL=C grep -aq 'no boot bundle' "$d/inspect.err"; then
		echo nobundle
	elif w=$(first_match "$d/inspect.err" 'wasmetal: invalid module: '); then
		echo "module: $w"
	elif w=$(first_match "$d/inspect.err" ': invalid spec blob: '); then
		echo "spec: $w"
	else
		echo "inspect: $(head -n 1 "$d/inspect.err")"
	fi
}

# the QEMU status a verdict must come with (kernel/kernel.h, wasi_run.c,
# spec_blob.h; the loader powers off: 0)
status_of() {
	case "$1" in
	bundle:* | nobundle) echo 133 ;;        # 66
	module:* | setup:*) echo 251 ;;         # 125
	spec:*) echo 5 ;;                       # 2
	loader:*) echo 0 ;;
	*) echo any ;;
	esac
}

agree() {       # KERNEL HOST
	case "$2" in
	-) return 0 ;;
	ran) [ "${1#ran }" != "$1" ] ||
		[[ "$1" == "setup: --tcplisten "*": cannot listen: ENETDOWN" ]] ;;
	ok) [ "${1#ran }" != "$1" ] || [ "${1#loader: no memory}" != "$1" ] ;;
	*) [ "$1" = "$2" ] ;;
	esac
}

aimed() {       # VERDICT EXPECT
	case "$2" in
	'*') return 0 ;;
	*'*') [ "${1#"${2%\*}"}" != "$1" ] ;;
	*) [ "$1" = "$2" ] ;;
	esac
}

# run_case NAME TARGET FILE EXPECT DESC: one PASS or FAIL into DIR/result.
run_case() {
	local name=$1 target=$2 file=$3 want=$4 desc=$5 d=$T/run/$1 rc k h st line
	mkdir -p "$d"
	{
		if ! make_image "$d" "$target" "$file" >"$d/mtools.err" 2>&1; then
			fail "hostile/$name" "cannot make the image" "$d/mtools.err"
			return
		fi
		boot "$d"
		rc=$(cat "$d/rc")
		k=$(kernel_verdict "$d")
		h=$(host_verdict "$d" "$target" "$file")
		st=$(status_of "$k")
		line=$(LC_ALL=C grep -a -o -m 1 '\[wasmetal\] exit status [0-9]*' "$d/serial" |
			sed 's/.* //')
		echo "$k" >"$d/verdict"
		[ "$desc" = - ] || printf 'mutant: %s\n' "$desc" >"$d/desc"
		if [ "$rc" -eq 124 ]; then
			fail "hostile/$name" "hang: no end within ${TIMEOUT}s" "$d/desc" "$d/serial"
		elif LC_ALL=C grep -q 'Triple fault' "$d/dlog" 2>/dev/null; then
			fail "hostile/$name" "triple fault" "$d/desc" "$d/serial"
		elif [ "$rc" -eq 141 ] || LC_ALL=C grep -aq 'PANIC' "$d/serial"; then
			fail "hostile/$name" "kernel fault (QEMU status $rc)" "$d/desc" "$d/serial"
		elif [ "$st" != any ] && [ "$rc" -ne "$st" ]; then
			fail "hostile/$name" "'$k' with QEMU status $rc, not $st" "$d/desc" "$d/serial"
		elif [ "$st" = any ] && [ $((rc % 2)) -ne 1 ]; then
			fail "hostile/$name" "QEMU status $rc: no word from the kernel or the loader" \
				"$d/desc" "$d/serial" "$d/qemu.out"
		elif [ -n "$line" ] && [ $((rc % 2)) -eq 1 ] && [ "$line" -ne $(((rc - 1) / 2)) ]; then
			fail "hostile/$name" "log says status $line, isa-debug-exit $(((rc - 1) / 2))" \
				"$d/serial"
		elif LC_ALL=C grep -aqE 'high water [0-9]{5,} (GiB|MiB)' "$d/serial"; then
			# area-high-water-unused: the areas' high water started at 0
			fail "hostile/$name" "the log's area high water is garbage" "$d/serial"
		elif ! agree "$k" "$h"; then
			fail "hostile/$name" "kernel and host disagree: kernel '$k', host '$h'" \
				"$d/desc" "$d/inspect.err" "$d/serial"
		elif ! aimed "$k" "$want"; then
			fail "hostile/$name" "'$k', the case aims at '$want'" "$d/desc" "$d/serial"
		else
			pass "hostile/$name ($k)"
		fi
	} >"$d/result" 2>&1
}

# run_list LIST DIR TIERS...: every case of those tiers (or in ONLY), JOBS
# at a time, results printed in the list's order.
run_list() {
	local list=$1 dir=$2 name tier target want desc running=0 names=()
	shift 2
	while IFS=$'\t' read -r name tier target want desc; do
		if [ ${#ONLY[@]} -gt 0 ]; then
			[[ " ${ONLY[*]} " == *" $name "* ]] || continue
		else
			[[ " $* " == *" $tier "* ]] || continue
		fi
		names+=("$name")
		run_case "$name" "$target" "$dir/$name.bin" "$(printf '%b' "$want")" \
			"$(printf '%b' "$desc")" &
		running=$((running + 1))
		if [ "$running" -ge "$JOBS" ]; then
			wait -n
			running=$((running - 1))
		fi
	done <"$list"
	wait
	for name in "${names[@]}"; do
		collect "$T/run/$name/result"
	done
}

# collect FILE: print a result and count it.
collect() {
	local word rest
	while IFS= read -r line; do
		echo "$line"
		read -r word rest <<<"$line"
		case "$word" in
		PASS) npass=$((npass + 1)) ;;
		FAIL) nfail=$((nfail + 1)) ;;
		esac
	done <"$1"
}

# What the verdicts were, counted (NOTE lines).
tally() {
	local f
	for f in "$T"/run/*/verdict; do
		[ -f "$f" ] && sed -E 's/^(ran|bundle|module|spec|loader|setup|nobundle).*/\1/' "$f"
	done | sort | uniq -c | sort -rn | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }
		END { print "" }' | sed 's/^/NOTE hostile: verdicts: /'
}

if ! find_ovmf; then
	fail hostile/ovmf "no OVMF firmware (apt-get install ovmf)"
elif [ ! -x "$GEN" ] || [ ! -x "$W" ]; then
	fail hostile/setup "$GEN or $W not built (make test builds them)"
elif ! setup; then
	fail hostile/setup "cannot make the base image or the mutants" "$T/setup.err"
else
	start=$(date +%s)
	if [ ${#ONLY[@]} -eq 0 ]; then
		printf 'control\ttest\tnone\tran 7\t-\n' >"$T/control.list"
		run_list "$T/control.list" "$T/cases" test
		if ! LC_ALL=C grep -aq '^done$' "$T/run/control/serial"; then
			fail hostile/control-output "the unmutated image did not print its 'done'" \
				"$T/run/control/serial"
		fi
	fi
	if [ "$FULL" = 1 ]; then
		run_list "$T/cases/list" "$T/cases" test full
	else
		run_list "$T/cases/list" "$T/cases" test
	fi
	[ "$NRANDOM" -gt 0 ] && run_list "$T/random/list" "$T/random" random
	tally
	echo "NOTE hostile: $((npass + nfail)) checks in $(($(date +%s) - start)) s, $JOBS boots at a time"
fi

summary
