#!/usr/bin/env bash
# seeds.sh — the seed corpora of the libFuzzer targets (tests/fuzz/
# fuzz_*.c), made at build time into $BUILD/fuzz/seeds/NAME (never
# committed; make fuzz-build runs this):
#   module  every binary module of the spec testsuite (wast2json of each
#           non-SIMD .wast of $WASM_TESTSUITE, default ~/.cache/wasmetal/
#           testsuite), the test modules (tests/wat, tests/wasi, tests/fault)
#           and examples, up to 64 KiB each, deduplicated by content
#   wasi    a few memories and call programs written here
#   bundle  bundles by the CLI's writer (tests/fuzz/mkseeds.c) and, with
#           form byte 1, the manifests inside them
#   artifact  artifacts of tests/wat, grow and hello by `wasmetal compile`,
#           as they are and (form byte 1) to be resealed by the target
#   image   the first 34 sectors (protective MBR, GPT header, partition
#           array) of GPT disks made by sfdisk, and the format magics
# Also $BUILD/fuzz/seeds-smoke/NAME: at most 200 of each (every k-th), for
# the short runs of make test, which must not spend their seconds reading
# 20,000 seeds.  Prints one NOTE line per target with its seed count.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${BUILD:-build}
S=$B/fuzz/seeds
SUITE=${WASM_TESTSUITE:-$HOME/.cache/wasmetal/testsuite}
MAX_MODULE=65536
SMOKE_MAX=200

rm -rf "$S" "$B/fuzz/seeds-smoke" "$B/fuzz/wast"
mkdir -p "$S/module" "$S/wasi" "$S/bundle" "$S/image" "$B/fuzz/wast" || exit 1

# add DIR FILE: FILE into DIR named by its content's hash (duplicates merge)
add() {
	local h
	h=$(sha1sum <"$2") || return
	cp "$2" "$1/${h%% *}"
}

# ---- module ----
if [ -d "$SUITE" ]; then
	for w in "$SUITE"/*.wast; do
		n=$(basename "$w" .wast)
		case "$n" in simd_*) continue ;; esac
		wast2json --enable-all -o "$B/fuzz/wast/$n.json" "$w" >/dev/null 2>&1 ||
			wast2json -o "$B/fuzz/wast/$n.json" "$w" >/dev/null 2>&1 ||
			echo "NOTE fuzz seeds: wast2json could not convert $n.wast"
	done
else
	echo "NOTE fuzz seeds: no spec testsuite at $SUITE (module seeds from the tests only)"
fi
# in one pass (20,000 files): hashed, the first of each content kept under
# its own name (a numbered backup where two directories share a name)
find "$B/fuzz/wast" "$B/tests/wat" "$B/tests/wasi" "$B/tests/fault" "$B/examples" \
	-maxdepth 1 -name '*.wasm' -size -$((MAX_MODULE + 1))c -print0 2>/dev/null |
	xargs -0 -r sha1sum | awk '!seen[$1]++ { sub(/^[0-9a-f]+  /, ""); print }' |
	tr '\n' '\0' | xargs -0 -r cp --backup=numbered -t "$S/module"
rm -rf "$B/fuzz/wast"

# ---- wasi: [fill byte][memory][calls] (tests/fuzz/fuzz_wasi.c) ----
printf '\0' >"$S/wasi/empty-memory"
# a memory of "/file\0dir/file\0" strings and iovecs, then calls by number
printf '\40file\0dir/file\0link\0up\0loop\0\0\0\0\0\0\0\0\1\2\3\4\5\6\7\10\11\12\13\14\15\16\17\20\21\22\23\24\25\26\27\30\31\32' >"$S/wasi/strings"
for i in $(seq 0 63); do
	printf "\\0$(printf '%03o' "$i")\\1\\4\\0\\5\\12\\0\\3\\7\\0\\0\\0\\1\\200\\0" >"$S/wasi/call-$i"
done

# ---- bundle ----
small=$B/tests/fault/grow.wasm
if [ -x "$B/fuzz/mkseeds" ] && [ -f "$small" ]; then
	"$B/fuzz/mkseeds" "$small" "$S/bundle" || echo "NOTE fuzz seeds: mkseeds failed"
	for f in "$S"/bundle/bundle-*; do
		[ -f "$f" ] || continue
		# the manifest: the first entry, after the form byte, the
		# 24-byte header and the 16-byte entry head (its length at 8)
		len=$(od -An -tu8 -j $((1 + 24 + 8)) -N 8 "$f" | tr -d ' ')
		{ printf '\1'; tail -c +$((1 + 24 + 16 + 1)) "$f" | head -c "$len"; } \
			>"$S/bundle/manifest-${f##*/bundle-}"
	done
else
	echo "NOTE fuzz seeds: $B/fuzz/mkseeds or $small not built (no bundle seeds)"
fi

# ---- artifact: .wmo files by the CLI (form byte 0: as they are; 1: the
# fuzzer's copy gets its checksum recomputed, tests/fuzz/fuzz_artifact.c) ----
mkdir -p "$S/artifact"
for w in "$B"/tests/wat/*.wasm "$B/tests/fault/grow.wasm" "$B/examples/hello.wasm"; do
	[ -f "$w" ] || continue
	n=$(basename "$w" .wasm)
	if "$B/wasmetal" compile "$w" -o "$B/fuzz/$n.wmo" 2>/dev/null; then
		{ printf '\0'; cat "$B/fuzz/$n.wmo"; } >"$S/artifact/raw-$n"
		{ printf '\1'; cat "$B/fuzz/$n.wmo"; } >"$S/artifact/resealed-$n"
		rm -f "$B/fuzz/$n.wmo"
	else
		echo "NOTE fuzz seeds: wasmetal compile $n failed"
	fi
done

# ---- image ----
esp=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
for layout in "start=2048, size=4096, type=$esp" \
	      "start=2048, size=100, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4
start=4096, type=$esp" \
	      "start=2048, size=1000, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4"; do
	d=$B/fuzz/disk.raw
	rm -f "$d" && truncate -s 8M "$d" &&
		printf 'label: gpt\n%s\n' "$layout" | sfdisk -q "$d" >/dev/null 2>&1 &&
		head -c $((34 * 512)) "$d" >"$B/fuzz/head" && add "$S/image" "$B/fuzz/head" ||
		echo "NOTE fuzz seeds: sfdisk could not write a GPT"
done
rm -f "$B/fuzz/disk.raw" "$B/fuzz/head"
printf 'QFI\373\0\0\0\3' >"$S/image/qcow2"
printf 'KDMV\1\0\0\0' >"$S/image/vmdk"
printf 'vhdxfile' >"$S/image/vhdx"

# ---- the smoke subsets ----
for d in "$S"/*/; do
	t=$(basename "$d")
	n=$(find "$d" -type f | wc -l)
	k=$(((n + SMOKE_MAX - 1) / SMOKE_MAX))
	[ "$k" -ge 1 ] || k=1
	mkdir -p "$B/fuzz/seeds-smoke/$t"
	find "$d" -type f -print0 | sort -z | awk -v RS='\0' -v ORS='\0' -v k="$k" 'NR % k == 1 || k == 1' |
		xargs -0 -r cp -t "$B/fuzz/seeds-smoke/$t/"
	echo "NOTE fuzz seeds: $t: $n ($(find "$B/fuzz/seeds-smoke/$t" -type f | wc -l) for the short runs)"
done
