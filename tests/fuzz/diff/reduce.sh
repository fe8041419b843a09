#!/usr/bin/env bash
# reduce.sh — the differential fuzzer's minimiser (docs/fuzzing.md): shrink
# a module that wasmetal and V8 disagree on with binaryen's wasm-reduce,
# keeping the kind of the first difference ("differ call-ok", "differ
# log", ...) as fuzz_diff.mjs --check reports it.
#
#   tests/fuzz/diff/reduce.sh DIR [RUNNER]
#
# DIR is what fuzz_diff.mjs kept for a difference (build/fuzz-diff/diff-sN:
# module.wasm, and `seed` = "SEED KIND [BACKEND]": the seed and generator
# fix the calls' arguments, BACKEND (single, the default, or llvm) is
# wasmetal's compiler, diff_runner --backend);
# RUNNER is the wasmetal side (default build/tests/fuzz/diff/diff_runner).
# First fuzz_diff.mjs --shrink (function bodies stubbed, exports dropped),
# then wasm-reduce where binaryen can read the module.  Writes
# DIR/reduced.wasm and DIR/reduced.wat; the log is DIR/reduce.log.
# Status 0 when reduced.wasm still shows the difference.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
dir=$(cd "${1:?usage: reduce.sh DIR [RUNNER]}" && pwd) || exit 2
runner=$(realpath "${2:-$top/build/tests/fuzz/diff/diff_runner}")
read -r seed kind backend <"$dir/seed" || { echo "reduce.sh: $dir/seed missing" >&2; exit 2; }
backend=${backend:-single}
# The features the generators use (fuzz_diff.mjs TTF_FEATURES, and
# reference types for gen_tree.mjs's tables): wasm-reduce's default
# --enable-all would let wasm-opt write encodings a Wasm 2.0 engine rejects.
# Exception handling (gen_tree.mjs --eh; binaryen 108 has the legacy form
# both engines run) only for a module with a tag section (id 13).
flags="--mvp-features --enable-sign-ext --enable-mutable-globals
	--enable-nontrapping-float-to-int --enable-bulk-memory --enable-multivalue
	--enable-reference-types"
if node -e 'const b = require("fs").readFileSync(process.argv[1]); let i = 8;
	const leb = () => { let v = 0, s = 0, c; do { c = b[i++]; v += (c & 127) * 2 ** s; s += 7; } while (c & 128); return v; };
	while (i < b.length) { const id = b[i++], n = leb(); if (id === 13) process.exit(0); i += n; }
	process.exit(1);' "$dir/module.wasm"; then
	flags="$flags --enable-exception-handling"
fi
# (one line: wasm-reduce runs it as a shell command)
check="node $top/tests/fuzz/diff/fuzz_diff.mjs --runner $runner --seed $seed --gen $kind --backend $backend"

expect=$($check --check "$dir/module.wasm")
case "$expect" in
differ*) ;;
*) echo "reduce.sh: $dir/module.wasm shows no difference ($expect)" >&2; exit 1 ;;
esac
echo "reduce.sh: $dir: $expect; reducing (log: $dir/reduce.log)"
rm -f "$dir/reduced.wasm" "$dir/reduced.wat" "$dir/shrunk.wasm"
# 1. stub functions and drop exports (what wasm-reduce cannot read too)
node "$top/tests/fuzz/diff/fuzz_diff.mjs" --runner "$runner" --backend "$backend" --shrink "$dir" >"$dir/reduce.log" 2>&1
# 2. wasm-reduce, if binaryen reads the module (version 108 has no block
# parameters, which gen_tree.mjs writes); -b: the wasm-opt it runs is the
# one beside it (Debian: /usr/bin)
if wasm-opt $flags "$dir/shrunk.wasm" -o /dev/null >>"$dir/reduce.log" 2>&1; then
	timeout 3600 wasm-reduce "$dir/shrunk.wasm" "--command=$check --check $dir/test.wasm" \
		-t "$dir/test.wasm" -w "$dir/reduced.wasm" -b "$(dirname "$(command -v wasm-opt)")/" \
		--timeout 30 --extra-flags "$(echo $flags)" >>"$dir/reduce.log" 2>&1
else
	echo "reduce.sh: binaryen cannot read it: functions and exports reduced only"
	cp "$dir/shrunk.wasm" "$dir/reduced.wasm"
fi
got=$([ -f "$dir/reduced.wasm" ] && $check --check "$dir/reduced.wasm")
rm -f "$dir/test.wasm"
if [ "$got" != "$expect" ]; then
	echo "reduce.sh: no reduced module shows '$expect' (see $dir/reduce.log)" >&2
	exit 1
fi
wasm2wat --enable-exceptions --enable-tail-call --no-check "$dir/reduced.wasm" -o "$dir/reduced.wat"
echo "reduce.sh: $(stat -c %s "$dir/module.wasm") -> $(stat -c %s "$dir/reduced.wasm") bytes:" \
	"$dir/reduced.wasm ($expect)"
