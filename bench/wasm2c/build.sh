#!/bin/sh
# build.sh — NAME.wasm -> NAME.w2c, the "wasm2c + gcc -O2" runner of
# bench/run.sh (issue 9): wabt's wasm2c (Debian's wabt) translates the
# module to C (module name `bench`), gcc -O2 compiles it with Debian's copy
# of the wasm2c runtime (/usr/share/wabt/wasm2c/wasm-rt-impl.c) and the
# bench glue for WASI (bench/wasm2c/wasi_glue.c).
#
#   bench/wasm2c/build.sh IN.wasm OUT      (writes OUT, OUT.c, OUT.h)
set -eu
[ $# -eq 2 ] || { echo "usage: build.sh IN.wasm OUT" >&2; exit 2; }
IN=$1
OUT=$2
RT=/usr/share/wabt/wasm2c
HERE=$(dirname "$0")
wasm2c -n bench -o "$OUT.c" "$IN"
${HOSTCC:-gcc} -O2 -w -I"$RT" -I"$(dirname "$OUT")" -DW2C_HEADER="\"$(basename "$OUT").h\"" \
	-o "$OUT.tmp" "$OUT.c" "$HERE/wasi_glue.c" "$RT/wasm-rt-impl.c" -lm
mv "$OUT.tmp" "$OUT"
