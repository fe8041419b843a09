#!/usr/bin/env bash
# llvm.sh — the LLVM backend end to end from the command line (issue 9,
# docs/artifact.md): `compile --backend llvm`, `run --hosted --backend
# llvm` and its artifact cache (host/aot.c), the plugin, the errors, and
# under QEMU the WASI programs run from LLVM artifacts loaded by the
# kernel without compiling, and an image booted by plain QEMU + OVMF.
# Every run uses a cache of its own ($T/...), never the user's.
#
#   llvm/compile/NAME          `compile --backend llvm`: an artifact of
#                              backend 2 (header byte 48, inspect) whose
#                              module hash is sha256sum's; run with
#                              --allow-precompiled it gives the stdout,
#                              stderr and status of the .wasm under the
#                              single-pass JIT (a trap: the same status,
#                              output and "wasm trap:" line; backtraces are
#                              function-level, see llvm/trap/), and its
#                              log says "artifact loaded: ... no compile"
#   llvm/cache/cold_fills_cache   `run --hosted --backend llvm`, empty
#                              cache: runs as the single-pass JIT does and
#                              leaves one artifact (0600, named by the
#                              module's SHA-256, backend llvm) in a new
#                              0700 directory
#   llvm/cache/cold_without_plugin_fails   the control for the next one:
#                              no cache, no plugin: 125, nothing run
#   llvm/cache/warm_needs_no_plugin   the second run, with
#                              WASMETAL_LLVM_PLUGIN=/nonexistent: same
#                              output (read from the cache, the plugin
#                              never loaded), the cached file untouched
#   llvm/cache/dir_{group,other}_writable_refused, dir_symlink_refused,
#   llvm/cache/file_{group,other}_writable_refused, file_of_another_user_
#   refused (root only, else SKIP), file_symlink_not_followed:
#                              said on stderr, not read (without the plugin
#                              the run then fails: proof the cached code did
#                              not run), and with the plugin the run works
#                              by compiling; a refused directory is not
#                              written to
#   llvm/cache/corrupt_entry_replaced_with_why, truncated_entry_replaced,
#   llvm/cache/entry_of_another_module_replaced,
#   llvm/cache/single_pass_entry_replaced,
#   llvm/cache/entry_for_other_cpu_features_replaced: refused with the
#                              reason (the checksum, the truncation,
#                              "compiled from another module", "not an
#                              llvm artifact", "compiled for other CPU
#                              features"), never run, replaced by a whole
#                              artifact
#   llvm/cache/off_writes_nothing   WASMETAL_AOT_CACHE=off: no file
#                              anywhere under HOME or XDG_CACHE_HOME
#   llvm/cache/xdg_dir, llvm/cache/home_dir   where the cache is by default
#   llvm/cache/invalid_module_not_cached
#   llvm/missing_plugin/{run,compile,image,qemu_run}   a clear error, 125,
#                              no output file, no boot
#   llvm/plugin_of_another_build_refused   its id is checked, its entry
#                              point never called
#   llvm/backend_bogus_usage_error, llvm/backend_with_artifact_refused,
#   llvm/backend_with_image_refused, llvm/invalid_module_same_message
#   llvm/cpu/compile_baseline_{llvm,single}   `compile --cpu baseline`: the
#                              header's CPU features 0, and run hosted it
#                              prints what the .wasm prints under the
#                              single-pass JIT with this CPU's features (a
#                              hash of ceil, floor, trunc, nearest, clz,
#                              ctz, popcnt over 20000 values each)
#   llvm/cpu/compile_default_is_host, llvm/cpu/feature_list (popcnt,sse4.1
#                              -> 3), llvm/cpu/run_hosted_baseline_{llvm,
#                              single} (the same hash), llvm/cpu/
#                              cache_keyed_by_cpu (a cpu0 entry, then this
#                              CPU's beside it), llvm/cpu/usage_errors
#   llvm/trap/KIND             traps in LLVM code (explicit checks and
#                              guard-page faults): status 134 and the
#                              "wasm trap:" line of the single-pass JIT;
#                              explicit trap sites: the same frame #0
#   llvm/timeout_does_not_count_the_compile   `run --hosted --backend
#                              llvm --timeout 1` of a module that takes
#                              longer to compile (cold): it runs (SKIP if
#                              the compile was too fast to tell)
#   llvm/timeout_stops_llvm_code   an endless loop: 125, "timeout"
#   llvm/trap/oob_function_named   a C program's out-of-bounds store:
#                              frame #0 names a function of the single-pass
#                              backtrace
#   llvm/tail_calls_constant_stack   a module with return_call (a
#                              1,000,000 deep mutual recursion with stack
#                              arguments, checking its result): `run --hosted
#                              --backend llvm` and its `compile --backend
#                              llvm` artifact run it, status 0; the same
#                              module with `call` exhausts the stack (134)
#                              (issue 10; docs/abi.md "Tail calls")
#   llvm/exceptions            tests/wat/exceptions.wat (try, catch,
#                              catch_all, delegate, rethrow) with `run
#                              --hosted --backend llvm`: stdout and status
#                              equal to node's (issue 10)
#   hosted-llvm/PROGRAM        run.sh's preopen_tests (below) hosted with
#                              `run --hosted --backend llvm`
#   hosted-llvm/simd_loops     tests/wasi/simd_loops.c (-msimd128, issue
#                              10) with `run --hosted --backend llvm`:
#                              stdout and status equal to node's
#   hosted-llvm/cxx_exceptions tests/wasi/cxx_exceptions.cpp (em++
#                              -fwasm-exceptions; run.sh's CXX_EH_BACKENDS
#                              "llvm") the same way (issue 10)
#   hosted-llvm/wat/tail_calls tests/wat/tail_calls.wat (return_call and
#                              return_call_indirect 1,000,000 deep, results
#                              through memory) the same way
# and under QEMU (unless WASMETAL_SKIP_QEMU=1; every boot with a timeout):
#   qemu-llvm/PROGRAM          run.sh's preopen_tests (the self-checking
#                              wasi_* and adv_* programs, wasi_misc's
#                              proc_raise, fs_copy_list_env against node)
#                              with `run --backend llvm`, judged as run.sh
#                              judges them, and qemu-llvm/PROGRAM/loaded:
#                              the kernel log says it loaded an artifact of
#                              the size of the module's cached LLVM
#                              artifact, without compiling
#   qemu-llvm/wat/exceptions   tests/wat/exceptions.wat, and
#   qemu-llvm/cxx_exceptions   tests/wasi/cxx_exceptions.cpp (with
#                              run.sh's CXX_EH_BACKENDS "llvm"), with `run
#                              --backend llvm` under QEMU: node's stdout
#                              and status, and .../loaded as above
#                              (issue 10)
#   qemu-llvm/wat/tail_calls   tests/wat/tail_calls.wat with `run --backend
#                              llvm` against node, and .../loaded
#   qemu-llvm/oob_store        the trap, as run.sh's trap_test, and the
#                              same report as hosted from the same artifact
#   qemu-llvm/image_plain_ovmf `wasmetal image --backend llvm` (its
#                              default: --cpu baseline) booted by plain
#                              qemu-system-x86_64 -cpu max + OVMF: the
#                              console is the hosted run's, COM2's log
#                              shows the artifact loaded without compiling
#                              (the cache's cpu0 artifact's size)
#   qemu-llvm/image_plain_default_cpu   the same image under QEMU's default
#                              CPU (qemu64: no SSE4.1, no POPCNT): the same
#   qemu-llvm/image_single_plain_default_cpu   `image --backend single`
#                              (baseline too) under qemu64: the same
#   qemu-llvm/image_host_cpu_refused_by_default_cpu   `image --backend
#                              llvm --cpu host` under qemu64: refused by the
#                              kernel with the reason, _start never run
#                              (SKIP on a host without SSE4.1 and POPCNT)
#
# Prints PASS/FAIL/SKIP lines and "N passed, N failed, N skipped".
set -u
exec </dev/null
cd "$(dirname "$0")/../.." || exit 1
# tests/run.sh's functions (its verdicts and runners; lib.sh; B, W, T)
WASMETAL_RUN_SH_FUNCTIONS=1 . tests/run.sh
C=$T/cache                      # the cache of this script's runs
export WASMETAL_AOT_CACHE=$C
unset WASMETAL_LLVM_PLUGIN
NOPLUGIN=$T/no-such-plugin.so

# ---- helpers -----------------------------------------------------------------

# hrun NAME ARGS...: `wasmetal ARGS...` -> $T/NAME.out, $T/NAME.err, $RC
hrun() {
	local n=$1
	shift
	timeout "$HOSTED_TIMEOUT" "$W" "$@" >"$T/$n.out" 2>"$T/$n.err"
	RC=$?
}

# cache_files DIR: the artifacts in DIR, one a line
cache_files() { find "$1" -maxdepth 1 -type f -name '*.wmo' 2>/dev/null | sort; }

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# backend_of FILE: the header's backend field (docs/artifact.md: byte 48)
backend_of() { od -An -tu4 -j48 -N4 "$1" | tr -d ' '; }

# trap_line FILE: the "wasm trap:" line; frame0 FILE: the "#0" line
trap_line() { tr -d '\r' <"$1" | grep -m1 '^wasm trap: '; }
frame0() { tr -d '\r' <"$1" | grep -m1 '^  #0 '; }

wat() {         # NAME [WAT2WASM FLAGS]: $T/NAME.wat (stdin) -> $T/NAME.wasm
	local n=$1
	shift
	cat >"$T/$n.wat" && wat2wasm "$@" "$T/$n.wat" -o "$T/$n.wasm" 2>"$T/$n.watErr"
}

# ---- compile --backend llvm ------------------------------------------------------

# compiled NAME WASM ARGS...: the LLVM artifact run as the .wasm runs
compiled() {
	local name=$1 wasm=$2 t=llvm/compile/$1 rc1 rc2
	shift 2
	hrun c compile --backend llvm "$wasm" -o "$T/$name.wmo"
	if [ $RC -ne 0 ] || [ ! -s "$T/$name.wmo" ]; then
		fail "$t" "compile --backend llvm: status $RC" "$T/c.err"
		return
	fi
	if [ "$(backend_of "$T/$name.wmo")" != 2 ]; then
		fail "$t" "header backend $(backend_of "$T/$name.wmo"), expected 2 (llvm)"
		return
	fi
	if [ "$(od -An -tx1 -j56 -N32 "$T/$name.wmo" | tr -d ' \n')" != "$(sha "$wasm")" ]; then
		fail "$t" "the header's module hash is not sha256sum of $wasm"
		return
	fi
	# the same argv[0] for both: the guest may print it
	cp "$wasm" "$T/prog.bin"
	hrun s run --hosted --env A=1 "$T/prog.bin" "$@"
	rc1=$RC
	cp "$T/$name.wmo" "$T/prog.bin"
	hrun l run --hosted --allow-precompiled --env A=1 "$T/prog.bin" "$@"
	rc2=$RC
	hrun v run --hosted --allow-precompiled --verbose "$T/$name.wmo" "$@"
	if [ $rc1 -ne $rc2 ]; then
		fail "$t" "status $rc1 from the .wasm, $rc2 from the LLVM artifact" "$T/l.err"
	elif ! cmp -s "$T/s.out" "$T/l.out"; then
		diff "$T/s.out" "$T/l.out" >"$T/d"
		fail "$t" "stdout differs" "$T/d"
	elif [ $rc1 -ne 134 ] && ! cmp -s "$T/s.err" "$T/l.err"; then
		diff "$T/s.err" "$T/l.err" >"$T/d"
		fail "$t" "stderr differs" "$T/d"
	elif [ $rc1 -eq 134 ] && [ "$(trap_line "$T/s.err")" != "$(trap_line "$T/l.err")" ]; then
		fail "$t" "another trap than the single-pass JIT's" "$T/s.err" "$T/l.err"
	elif ! grep -q 'artifact loaded: .* no compile' "$T/v.err"; then
		fail "$t" "the log does not say the artifact was loaded" "$T/v.err"
	elif [ ! -s "$T/s.out" ] && [ ! -s "$T/s.err" ]; then
		fail "$t" "no output at all: nothing compared"
	else
		pass "$t (status $rc1)"
	fi
}

compile_tests() {
	local w=$B/tests/wasi
	compiled args_env_exit7 "$w/args_env_exit7.wasm" a "b c"
	compiled printf_formats "$w/printf_formats.wasm"
	compiled check_wasi_calls "$w/check_wasi_calls.wasm"
	compiled hello "$B/examples/hello.wasm" x
	compiled oob_store "$w/oob_store.wasm"
	compiled wat_oob_store "$B/tests/wat/oob_store.wasm"
	# issue 10: a -msimd128 program (autovectorised loops, intrinsics)
	compiled simd_loops "$w/simd_loops.wasm"
	hrun i inspect "$T/hello.wmo"
	if [ $RC -eq 0 ] && grep -q '^artifact: [0-9]* bytes, engine wasmetal .*, backend llvm' "$T/i.out"; then
		pass llvm/compile/inspect
	else
		fail llvm/compile/inspect "status $RC, no 'backend llvm'" "$T/i.out" "$T/i.err"
	fi
}

# ---- run --hosted --backend llvm: the cache ------------------------------------

# A small WASI command: "hi" on stdout, "ho" on stderr, exit status 3.
HI_WAT='(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $x (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\n")
  (data (i32.const 24) "ho\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 0) (i32.const 24))
    (drop (call $w (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $x (i32.const 3))))'

# hi NAME [ENV...]: `run --hosted --backend llvm hi.wasm` with ENV
# -> $T/NAME.out/.err, $RC; HI_OK when it ran as the single-pass JIT runs it
hi() {
	local n=$1
	shift
	env "$@" timeout "$HOSTED_TIMEOUT" "$W" run --hosted --backend llvm "$T/hi.wasm" \
		>"$T/$n.out" 2>"$T/$n.err"
	RC=$?
	HI_OK=0
	[ $RC -eq 3 ] && cmp -s "$T/$n.out" "$T/hi.want.out" &&
		grep -qx 'ho' "$T/$n.err" && HI_OK=1
}

# refused_cache NAME [PATTERN]: a cache with something wrong ($C/$KEY or
# $C itself) is reported with PATTERN (if given) and not read (without
# the plugin the run fails), then bypassed (with it, the run works);
# KEEP_DIR=1: nothing is written to the directory either
refused_cache() {
	local name=llvm/cache/$1 pat=${2:-.} before after
	before=$(ls -lA --time-style=+%s.%N "$C/" 2>/dev/null; stat -L -c '%a %y' "$C"; cksum "$C"/* 2>/dev/null)
	hi no WASMETAL_LLVM_PLUGIN="$NOPLUGIN"
	if [ $RC -ne 125 ] || [ -s "$T/no.out" ] || ! grep -Eq -- "$pat" "$T/no.err" ||
		! grep -q 'the LLVM backend is not available' "$T/no.err"; then
		fail "$name" "without the plugin: status $RC, expected 125 after /$pat/ (the cached code must not be read)" \
			"$T/no.out" "$T/no.err"
		return
	fi
	hi yes
	after=$(ls -lA --time-style=+%s.%N "$C/" 2>/dev/null; stat -L -c '%a %y' "$C"; cksum "$C"/* 2>/dev/null)
	if [ $HI_OK != 1 ] || { [ -n "${2:-}" ] && ! grep -Eq -- "$pat" "$T/yes.err"; }; then
		fail "$name" "with the plugin: status $RC, expected 3, hi and /$pat/" "$T/yes.out" "$T/yes.err"
	elif [ "${KEEP_DIR:-0}" = 1 ] && [ "$before" != "$after" ]; then
		printf '%s\n---\n%s\n' "$before" "$after" >"$T/d"
		fail "$name" "the refused directory was written to" "$T/d"
	else
		pass "$name"
	fi
}

# fresh_cache: $C holding only hi.wasm's artifact, a good one ($T/good.wmo)
fresh_cache() {
	rm -rf "$C" && mkdir -m 700 "$C" && cp "$T/good.wmo" "$C/$KEY" && chmod 600 "$C/$KEY"
}

# replaced NAME PATTERN: $C/$KEY (spoiled by the caller) is refused with
# PATTERN, never run, and replaced by a whole artifact
replaced() {
	local name=llvm/cache/$1 pat=$2
	hi no WASMETAL_LLVM_PLUGIN="$NOPLUGIN"
	if [ $RC -ne 125 ] || [ -s "$T/no.out" ] ||
		! grep -Eq -- "^wasmetal: replacing cached $C/$KEY: $pat" "$T/no.err"; then
		fail "$name" "without the plugin: status $RC, expected 125 after 'replacing cached ...: $pat'" \
			"$T/no.out" "$T/no.err"
		return
	fi
	hi yes
	if [ $HI_OK != 1 ] || ! grep -Eq -- "^wasmetal: replacing cached $C/$KEY: $pat" "$T/yes.err"; then
		fail "$name" "with the plugin: status $RC" "$T/yes.out" "$T/yes.err"
	elif ! "$W" inspect "$C/$KEY" >"$T/i.out" 2>&1 || ! grep -q 'backend llvm' "$T/i.out"; then
		fail "$name" "not replaced by a whole llvm artifact" "$T/i.out"
	else
		pass "$name"
	fi
}

cache_tests() {
	local n ok mode f
	if ! printf '%s\n' "$HI_WAT" | wat hi; then
		fail llvm/cache "wat2wasm failed" "$T/hi.watErr"
		return
	fi
	timeout "$HOSTED_TIMEOUT" "$W" run --hosted "$T/hi.wasm" >"$T/hi.want.out" 2>"$T/hi.want.err"
	RC=$?
	if [ $RC -ne 3 ] || [ "$(cat "$T/hi.want.out")" != hi ]; then
		fail llvm/cache "the single-pass run of hi.wasm: status $RC" "$T/hi.want.err"
		return
	fi

	# cold: compiled, cached
	rm -rf "$C"
	hi cold
	f=$(cache_files "$C")
	KEY=$(basename "$f")
	if [ $HI_OK != 1 ] || [ "$(cat "$T/cold.err")" != ho ]; then
		fail llvm/cache/cold_fills_cache "status $RC" "$T/cold.out" "$T/cold.err"
	elif [ "$(printf '%s\n' "$f" | grep -c .)" != 1 ]; then
		fail llvm/cache/cold_fills_cache "not exactly one artifact in $C: $f"
	elif [[ $KEY != "$(sha "$T/hi.wasm")".llvm.cpu*.abi1.*-llvm*.wmo ]]; then
		fail llvm/cache/cold_fills_cache "the file $KEY is not named by the module's SHA-256"
	elif [ "$(stat -c %a "$C")" != 700 ] || [ "$(stat -c %a "$f")" != 600 ] ||
		[ "$(stat -c %u "$f")" != "$(id -u)" ]; then
		fail llvm/cache/cold_fills_cache "modes: dir $(stat -c %a "$C"), file $(stat -c %a "$f")"
	elif [ "$(backend_of "$f")" != 2 ]; then
		fail llvm/cache/cold_fills_cache "the cached artifact is not of backend 2 (llvm)"
	else
		pass llvm/cache/cold_fills_cache
	fi
	[ -n "$KEY" ] && [ -f "$C/$KEY" ] || return
	cp "$C/$KEY" "$T/good.wmo"

	# the control: without the plugin and without a cache, no run
	hi ctl WASMETAL_LLVM_PLUGIN="$NOPLUGIN" WASMETAL_AOT_CACHE="$T/empty-cache"
	if [ $RC -eq 125 ] && [ ! -s "$T/ctl.out" ] &&
		grep -q "^wasmetal: llvm backend: the LLVM backend is not available: $NOPLUGIN: " "$T/ctl.err"; then
		pass llvm/cache/cold_without_plugin_fails
	else
		fail llvm/cache/cold_without_plugin_fails "status $RC, expected 125" "$T/ctl.out" "$T/ctl.err"
	fi

	# warm: from the cache, the plugin never loaded
	local st1 st2
	st1=$(stat -c '%i %Y %s' "$C/$KEY")
	hi warm WASMETAL_LLVM_PLUGIN="$NOPLUGIN"
	st2=$(stat -c '%i %Y %s' "$C/$KEY")
	if [ $HI_OK = 1 ] && [ "$(cat "$T/warm.err")" = ho ] && [ "$st1" = "$st2" ] &&
		cmp -s "$C/$KEY" "$T/good.wmo"; then
		pass llvm/cache/warm_needs_no_plugin
	else
		fail llvm/cache/warm_needs_no_plugin "status $RC; file $st1 -> $st2" "$T/warm.out" "$T/warm.err"
	fi

	# a directory someone else could write: not read, not written
	local dirmsg="^wasmetal: not using the artifact cache $C: not a directory owned by this user and writable only by it\$"
	for mode in 770:group 707:other; do
		fresh_cache && chmod "${mode%%:*}" "$C"
		KEEP_DIR=1 refused_cache "dir_${mode#*:}_writable_refused" "$dirmsg"
	done
	fresh_cache && mv "$C" "$T/real-cache" && ln -s "$T/real-cache" "$C"
	KEEP_DIR=1 refused_cache dir_symlink_refused "$dirmsg"
	rm -f "$C" && rm -rf "$T/real-cache"

	# a cached file someone else could have written: not read
	local filemsg="^wasmetal: ignoring cached $C/$KEY: not a file owned by this user and writable only by it\$"
	for mode in 620:group 602:other; do
		fresh_cache && chmod "${mode%%:*}" "$C/$KEY"
		refused_cache "file_${mode#*:}_writable_refused" "$filemsg"
	done
	if [ "$(id -u)" = 0 ]; then
		fresh_cache && chown 65534 "$C/$KEY"
		refused_cache file_of_another_user_refused "$filemsg"
	else
		skip llvm/cache/file_of_another_user_refused "not root: cannot give a file to another user"
	fi
	fresh_cache && mv "$C/$KEY" "$C/target" && ln -s target "$C/$KEY"
	refused_cache file_symlink_not_followed

	# spoiled entries: refused with the reason, never run, replaced.
	# (host/aot.c read the reason from an unset struct: "not an llvm
	# artifact" for a corrupted file)
	fresh_cache
	n=$(($(stat -c %s "$C/$KEY") / 2))
	printf '\xcc' | dd of="$C/$KEY" bs=1 seek=$n conv=notrunc status=none
	cmp -s "$C/$KEY" "$T/good.wmo" && printf '\xcd' | dd of="$C/$KEY" bs=1 seek=$n conv=notrunc status=none
	replaced corrupt_entry_replaced_with_why 'artifact checksum mismatch \(the file is corrupted\)$'
	ok=1
	for n in 0 7 8 95 96 $(($(stat -c %s "$T/good.wmo") / 2)) $(($(stat -c %s "$T/good.wmo") - 1)); do
		fresh_cache && head -c "$n" "$T/good.wmo" >"$C/$KEY"
		hi no WASMETAL_LLVM_PLUGIN="$NOPLUGIN"
		if [ $RC -ne 125 ] || [ -s "$T/no.out" ] ||
			! grep -q "^wasmetal: replacing cached $C/$KEY: " "$T/no.err" ||
			{ [ "$n" -ge 8 ] && ! grep -q ": artifact truncated at byte $n: " "$T/no.err"; }; then
			ok=0
			echo "length $n: status $RC: $(cat "$T/no.err")"
		fi
	done >"$T/trunc"
	if [ $ok = 1 ]; then
		replaced truncated_entry_replaced 'artifact truncated at byte '"$n"': '
	else
		fail llvm/cache/truncated_entry_replaced "see below" "$T/trunc"
	fi
	# (host/aot.c ran whatever module a cached artifact held: the file
	# name is only a key)
	if [ -s "$T/hello.wmo" ]; then
		fresh_cache && cp "$T/hello.wmo" "$C/$KEY"
		replaced entry_of_another_module_replaced 'compiled from another module$'
	else
		fail llvm/cache/entry_of_another_module_replaced "no hello.wmo (llvm/compile/hello failed)"
	fi
	fresh_cache && "$W" compile "$T/hi.wasm" -o "$C/$KEY" 2>"$T/c.err"
	replaced single_pass_entry_replaced 'not an llvm artifact$'
	# (host/aot.c took an entry for the CPU features of its key without
	# looking: an image could carry code its CPU refuses)
	local other=baseline
	[ "$(cpu_of "$T/good.wmo")" = 0 ] && other=popcnt
	fresh_cache && "$W" compile --backend llvm --cpu $other "$T/hi.wasm" -o "$C/$KEY" 2>"$T/c.err"
	replaced entry_for_other_cpu_features_replaced 'compiled for other CPU features$'

	# off: nothing written anywhere (not even a directory named "off"),
	# and so nothing read by the next run
	rm -rf "$T/home" "$T/xdg" "$T/cwd" && mkdir -p "$T/home" "$T/xdg" "$T/cwd"
	local top=$PWD
	(cd "$T/cwd" && W=$top/$W hi off WASMETAL_AOT_CACHE=off HOME="$T/home" \
		XDG_CACHE_HOME="$T/xdg" && [ $HI_OK = 1 ]) && OFF_OK=1 || OFF_OK=0
	(cd "$T/cwd" && W=$top/$W hi off2 WASMETAL_AOT_CACHE=off HOME="$T/home" \
		XDG_CACHE_HOME="$T/xdg" WASMETAL_LLVM_PLUGIN="$NOPLUGIN"; [ $RC = 125 ]) || OFF_OK=0
	if [ $OFF_OK = 1 ] && [ -z "$(find "$T/home" "$T/xdg" "$T/cwd" -mindepth 1)" ]; then
		pass llvm/cache/off_writes_nothing
	else
		find "$T/home" "$T/xdg" "$T/cwd" >"$T/found"
		fail llvm/cache/off_writes_nothing "a run failed, a second run without the plugin ran, or files were written" \
			"$T/found" "$T/off.err" "$T/off2.err"
	fi
	# where it is by default: $XDG_CACHE_HOME/wasmetal/aot, else ~/.cache/wasmetal/aot
	hi xdg -u WASMETAL_AOT_CACHE HOME="$T/home" XDG_CACHE_HOME="$T/xdg"
	if [ $HI_OK = 1 ] && [ -f "$T/xdg/wasmetal/aot/$KEY" ] &&
		[ "$(stat -c %a "$T/xdg/wasmetal" "$T/xdg/wasmetal/aot" | tr '\n' ' ')" = "700 700 " ] &&
		[ -z "$(find "$T/home" -mindepth 1)" ]; then
		pass llvm/cache/xdg_dir
	else
		find "$T/home" "$T/xdg" -printf '%m %p\n' >"$T/found"
		fail llvm/cache/xdg_dir "status $RC" "$T/found" "$T/xdg.err"
	fi
	hi home -u WASMETAL_AOT_CACHE -u XDG_CACHE_HOME HOME="$T/home"
	if [ $HI_OK = 1 ] && [ -f "$T/home/.cache/wasmetal/aot/$KEY" ]; then
		pass llvm/cache/home_dir
	else
		find "$T/home" -printf '%m %p\n' >"$T/found"
		fail llvm/cache/home_dir "status $RC" "$T/found" "$T/home.err"
	fi

	# an invalid module leaves nothing in the cache
	rm -rf "$C"
	printf '\0asm\1\0\0\0\1\5\1\140' >"$T/bad.wasm"
	hrun b run --hosted --backend llvm "$T/bad.wasm"
	if [ $RC -eq 125 ] && [ -z "$(cache_files "$C")" ]; then
		pass llvm/cache/invalid_module_not_cached
	else
		fail llvm/cache/invalid_module_not_cached "status $RC; cache: $(cache_files "$C")" "$T/b.err"
	fi
}

# ---- --cpu: the CPU features compiled for ---------------------------------------

# cpu_of FILE: the header's CPU features (docs/artifact.md: byte 52), in hex
cpu_of() { printf '%x' "$(od -An -tu4 -j52 -N4 "$1" | tr -d ' ')"; }

# What depends on the CPU, folded into a hash printed in hex: ceil, floor,
# trunc, nearest (f32, f64: halves, large values, the infinities and NaN
# of x/0) and clz, ctz, popcnt (i32, i64) over 20000 values each.
ROUND_WAT='(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $mix (param $h i64) (param $v i64) (result i64)
    (i64.mul (i64.xor (local.get $h) (local.get $v)) (i64.const 0x100000001b3)))
  (func $r64 (param $h i64) (param $x f64) (result i64)
    (local.set $h (call $mix (local.get $h) (i64.reinterpret_f64 (f64.ceil (local.get $x)))))
    (local.set $h (call $mix (local.get $h) (i64.reinterpret_f64 (f64.floor (local.get $x)))))
    (local.set $h (call $mix (local.get $h) (i64.reinterpret_f64 (f64.trunc (local.get $x)))))
    (call $mix (local.get $h) (i64.reinterpret_f64 (f64.nearest (local.get $x)))))
  (func $r32 (param $h i64) (param $x f32) (result i64)
    (local.set $h (call $mix (local.get $h) (i64.extend_i32_u (i32.reinterpret_f32 (f32.ceil (local.get $x))))))
    (local.set $h (call $mix (local.get $h) (i64.extend_i32_u (i32.reinterpret_f32 (f32.floor (local.get $x))))))
    (local.set $h (call $mix (local.get $h) (i64.extend_i32_u (i32.reinterpret_f32 (f32.trunc (local.get $x))))))
    (call $mix (local.get $h) (i64.extend_i32_u (i32.reinterpret_f32 (f32.nearest (local.get $x))))))
  (func $bits (param $h i64) (param $v i64) (result i64)
    (local.set $h (call $mix (local.get $h) (i64.popcnt (local.get $v))))
    (local.set $h (call $mix (local.get $h) (i64.clz (local.get $v))))
    (local.set $h (call $mix (local.get $h) (i64.ctz (local.get $v))))
    (local.set $h (call $mix (local.get $h) (i64.extend_i32_u (i32.popcnt (i32.wrap_i64 (local.get $v))))))
    (local.set $h (call $mix (local.get $h) (i64.extend_i32_u (i32.clz (i32.wrap_i64 (local.get $v))))))
    (call $mix (local.get $h) (i64.extend_i32_u (i32.ctz (i32.wrap_i64 (local.get $v))))))
  (func (export "_start")
    (local $i i32) (local $h i64) (local $x f64) (local $v i64) (local $k i32) (local $d i32)
    (local.set $h (i64.const 0xcbf29ce484222325))
    (local.set $v (i64.const 0x9e3779b97f4a7c15))
    (loop $l
      (local.set $x (f64.mul (f64.convert_i32_s (i32.sub (local.get $i) (i32.const 10000)))
                             (f64.const 0.25)))
      (local.set $h (call $r64 (local.get $h) (local.get $x)))
      (local.set $h (call $r64 (local.get $h) (f64.mul (local.get $x) (f64.const 3.7e12))))
      (local.set $h (call $r64 (local.get $h) (f64.div (local.get $x) (f64.const 0))))
      (local.set $h (call $r32 (local.get $h) (f32.demote_f64 (local.get $x))))
      (local.set $h (call $r32 (local.get $h) (f32.demote_f64 (f64.mul (local.get $x) (f64.const 1234.567)))))
      (local.set $v (i64.xor (local.get $v) (i64.shl (local.get $v) (i64.const 13))))
      (local.set $v (i64.xor (local.get $v) (i64.shr_u (local.get $v) (i64.const 7))))
      (local.set $v (i64.xor (local.get $v) (i64.shl (local.get $v) (i64.const 17))))
      (local.set $h (call $bits (local.get $h)
        (i64.shr_u (local.get $v) (i64.extend_i32_u (i32.and (local.get $i) (i32.const 63))))))
      (local.set $h (call $bits (local.get $h)
        (i64.shl (local.get $v) (i64.extend_i32_u (i32.and (local.get $i) (i32.const 63))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 20000))))
    (loop $hex
      (local.set $d (i32.wrap_i64 (i64.and (i64.shr_u (local.get $h)
        (i64.extend_i32_u (i32.sub (i32.const 60) (i32.shl (local.get $k) (i32.const 2)))))
        (i64.const 15))))
      (i32.store8 offset=32 (local.get $k) (i32.add (local.get $d)
        (select (i32.const 48) (i32.const 87) (i32.lt_u (local.get $d) (i32.const 10)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $hex (i32.lt_u (local.get $k) (i32.const 16))))
    (i32.store8 (i32.const 48) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 17))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))'

# same_as_wasm NAME: $T/NAME.out and $RC are the single-pass JIT's run of
# rounding.wasm ($T/r0.out, status 0)
same_as_wasm() {
	local t=$1
	if [ $RC -ne 0 ] || ! cmp -s "$T/r0.out" "$T/$2.out"; then
		fail "$t" "status $RC or another hash than the single-pass JIT's ($(cat "$T/r0.out"))" \
			"$T/$2.out" "$T/$2.err"
	else
		pass "$t"
	fi
}

cpu_tests() {
	local b f host bad args
	if ! printf '%s\n' "$ROUND_WAT" | wat rounding; then
		fail llvm/cpu "wat2wasm failed" "$T/rounding.watErr"
		return
	fi
	hrun r0 run --hosted "$T/rounding.wasm"
	if [ $RC -ne 0 ] || ! grep -Eqx '[0-9a-f]{16}' "$T/r0.out"; then
		fail llvm/cpu "the single-pass run of rounding.wasm: status $RC" "$T/r0.out" "$T/r0.err"
		return
	fi
	# compile --cpu baseline, both backends: header 0, the same output
	for b in llvm single; do
		hrun cb compile --backend $b --cpu baseline "$T/rounding.wasm" -o "$T/rb_$b.wmo"
		if [ $RC -ne 0 ] || [ "$(cpu_of "$T/rb_$b.wmo")" != 0 ]; then
			fail llvm/cpu/compile_baseline_$b "status $RC, header CPU features $(cpu_of "$T/rb_$b.wmo" 2>/dev/null), expected 0" "$T/cb.err"
			continue
		fi
		hrun rb run --hosted --allow-precompiled "$T/rb_$b.wmo"
		same_as_wasm llvm/cpu/compile_baseline_$b rb
	done
	# the default of compile is this CPU (--cpu host); a list is taken as given
	hrun ch compile --backend llvm "$T/rounding.wasm" -o "$T/rh.wmo"
	hrun ch2 compile --backend llvm --cpu host "$T/rounding.wasm" -o "$T/rh2.wmo"
	host=$(cpu_of "$T/rh.wmo")
	if [ "$host" = "$(cpu_of "$T/rh2.wmo")" ] && cmp -s "$T/rh.wmo" "$T/rh2.wmo"; then
		hrun rh run --hosted --allow-precompiled "$T/rh.wmo"
		same_as_wasm llvm/cpu/compile_default_is_host rh
	else
		fail llvm/cpu/compile_default_is_host "compile and compile --cpu host differ" "$T/ch.err" "$T/ch2.err"
	fi
	hrun cl compile --backend llvm --cpu popcnt,sse4.1 "$T/rounding.wasm" -o "$T/rl.wmo"
	[ $RC -eq 0 ] && [ "$(cpu_of "$T/rl.wmo")" = 3 ] && pass llvm/cpu/feature_list ||
		fail llvm/cpu/feature_list "status $RC, header CPU features $(cpu_of "$T/rl.wmo" 2>/dev/null), expected 3" "$T/cl.err"
	# run --backend single|llvm --cpu baseline hosted: compiled for it
	rm -rf "$C"
	for b in single llvm; do
		hrun rr run --hosted --backend $b --cpu baseline "$T/rounding.wasm"
		same_as_wasm llvm/cpu/run_hosted_baseline_$b rr
	done
	# the cache keeps one entry per CPU feature set
	f=$(cache_files "$C")
	hrun rr2 run --hosted --backend llvm "$T/rounding.wasm"
	if [ "$(printf '%s\n' "$f" | grep -c .)" = 1 ] && [ "$(cpu_of "$f")" = 0 ] &&
		[[ $f == */"$(sha "$T/rounding.wasm")".llvm.cpu0.* ]] &&
		[ "$(cache_files "$C" | grep -c "/$(sha "$T/rounding.wasm")\.llvm\.cpu$host\.")" = 1 ] &&
		[ "$(cache_files "$C" | grep -c .)" = 2 ] && cmp -s "$T/r0.out" "$T/rr2.out"; then
		pass llvm/cpu/cache_keyed_by_cpu
	else
		cache_files "$C" >"$T/found"
		fail llvm/cpu/cache_keyed_by_cpu "expected a cpu0 entry, then a cpu$host one beside it" "$T/found" "$T/rr2.err"
	fi
	# usage errors
	bad=0
	for args in "compile --cpu avx512 $T/rounding.wasm -o $T/x.wmo" \
		"compile --cpu sse4.1, $T/rounding.wasm -o $T/x.wmo" \
		"run --hosted --cpu baseline $T/rounding.wasm" \
		"image --cpu baseline $T/rounding.wasm -o $T/x.img" \
		"spec --qemu --cpu baseline x.json"; do
		# shellcheck disable=SC2086
		hrun u $args
		if [ $RC -ne 2 ] || ! grep -q -- '--cpu' "$T/u.err" || [ -e "$T/x.wmo" ] || [ -e "$T/x.img" ]; then
			bad=1
			echo "wasmetal $args: status $RC: $(head -2 "$T/u.err")"
		fi
	done >"$T/usage"
	[ $bad = 0 ] && pass llvm/cpu/usage_errors || fail llvm/cpu/usage_errors "expected status 2 and a --cpu message" "$T/usage"
}

# ---- errors ----------------------------------------------------------------------

# tail calls through the LLVM backend (issue 10; host/llvm/llvm_module.c
# "Tail calls"): a 1,000,000 deep mutual recursion with stack arguments
# (8 and 11 i64 parameters) that traps unless its result is right; the
# same module with `call` for return_call is the control, which must
# exhaust the stack (so the first one's status 0 shows constant stack)
tail_tests() {
	local ok=1
	wat tail --enable-tail-call <<-'EOF'
	(module
	 (func $f8 (param $n i64) (param $acc i64) (param $a i64) (param $b i64)
	   (param $c i64) (param $d i64) (param $e i64) (param $g i64) (result i64)
	  (if (i64.eqz (local.get $n)) (then (return (i64.add (local.get $acc)
	   (i64.add (i64.add (i64.add (local.get $a) (local.get $b)) (i64.add (local.get $c) (local.get $d)))
	    (i64.add (local.get $e) (local.get $g)))))))
	  (return_call $g11 (i64.sub (local.get $n) (i64.const 1)) (i64.add (local.get $acc) (i64.const 1))
	   (local.get $b) (local.get $c) (local.get $d) (local.get $e) (local.get $g) (local.get $a)
	   (i64.const 0) (i64.const 0) (i64.const 0)))
	 (func $g11 (param $n i64) (param $acc i64) (param $p1 i64) (param $p2 i64) (param $p3 i64)
	   (param $p4 i64) (param $p5 i64) (param $p6 i64) (param $p7 i64) (param $p8 i64)
	   (param $p9 i64) (result i64)
	  (return_call $f8 (local.get $n) (local.get $acc) (local.get $p6) (local.get $p1)
	   (local.get $p2) (local.get $p3) (local.get $p4) (i64.add (local.get $p5) (local.get $p9))))
	 (func (export "_start")
	  (if (i64.ne (call $f8 (i64.const 1000000) (i64.const 0) (i64.const 1) (i64.const 2)
	   (i64.const 3) (i64.const 4) (i64.const 5) (i64.const 6)) (i64.const 1000021))
	   (then unreachable))))
	EOF
	[ -s "$T/tail.wasm" ] || { fail llvm/tail_calls_constant_stack "wat2wasm failed" "$T/tail.watErr"; return; }
	sed 's/return_call/call/' "$T/tail.wat" >"$T/tailc.wat"
	wat2wasm "$T/tailc.wat" -o "$T/tailc.wasm" 2>"$T/tailc.watErr" ||
		{ fail llvm/tail_calls_constant_stack "wat2wasm of the control failed" "$T/tailc.watErr"; return; }
	: >"$T/t.why"
	hrun tr run --hosted --backend llvm "$T/tail.wasm"
	[ $RC -eq 0 ] || { ok=0; echo "run --backend llvm: status $RC" >>"$T/t.why"; }
	hrun tc compile --backend llvm "$T/tail.wasm" -o "$T/tail.wmo"
	[ $RC -eq 0 ] && [ -s "$T/tail.wmo" ] || { ok=0; echo "compile --backend llvm: status $RC" >>"$T/t.why"; }
	hrun ta run --hosted --allow-precompiled "$T/tail.wmo"
	[ $RC -eq 0 ] || { ok=0; echo "the artifact: status $RC" >>"$T/t.why"; }
	hrun tx run --hosted --backend llvm "$T/tailc.wasm"
	[ $RC -eq 134 ] && grep -q 'call stack exhausted' "$T/tx.err" ||
		{ ok=0; echo "the control (call): status $RC, expected 134 (call stack exhausted)" >>"$T/t.why"; }
	[ $ok -eq 1 ] && pass llvm/tail_calls_constant_stack ||
		fail llvm/tail_calls_constant_stack "$(cat "$T/t.why")" "$T/tr.err" "$T/tc.err" \
			"$T/ta.err" "$T/tx.err"
}

# refused_by_llvm NAME WASM P MESSAGE: the single-pass JIT runs WASM (status
# 0); `compile --backend llvm` and `run --hosted --backend llvm` refuse it
# with status 125 and MESSAGE, writing no artifact, no output and nothing
# to the cache.  P prefixes the files of the runs in $T.
refused_by_llvm() {
	local name=$1 w=$2 p=$3 msg=$4 ok=1 before
	: >"$T/$p.why"
	hrun "${p}s" run --hosted "$w"
	[ $RC -eq 0 ] || { ok=0; echo "single-pass: status $RC" >>"$T/$p.why"; }
	hrun "${p}c" compile --backend llvm "$w" -o "$T/$p.wmo"
	[ $RC -eq 125 ] && [ ! -e "$T/$p.wmo" ] && grep -qF "$msg" "$T/${p}c.err" ||
		{ ok=0; echo "compile: status $RC" >>"$T/$p.why"; }
	before=$(cache_files "$C")
	hrun "${p}r" run --hosted --backend llvm "$w"
	[ $RC -eq 125 ] && [ ! -s "$T/${p}r.out" ] && [ "$(cache_files "$C")" = "$before" ] &&
		grep -qF "$msg" "$T/${p}r.err" ||
		{ ok=0; echo "run --backend llvm: status $RC" >>"$T/$p.why"; }
	[ $ok -eq 1 ] && pass "$name" ||
		fail "$name" "$(cat "$T/$p.why")" "$T/${p}s.err" "$T/${p}c.err" "$T/${p}r.err"
}

# exception handling through the LLVM backend (issue 10; host/llvm/
# llvm_eh.c): tests/wat/exceptions.wat with `run --hosted --backend llvm`
# gives node's stdout and status
eh_tests() {
	local w=$B/tests/wat/exceptions.wasm
	[ -f "$w" ] || { fail llvm/exceptions "$w not built"; return; }
	WM_OPTS=(--backend llvm)
	diff_test llvm/exceptions hosted -- "$w"
	WM_OPTS=()
}

error_tests() {
	local w=$B/tests/wasi/args_env_exit7.wasm ok rc args
	local nop="the LLVM backend is not available: $NOPLUGIN: "
	export WASMETAL_LLVM_PLUGIN=$NOPLUGIN
	rm -rf "$C"
	hrun m run --hosted --backend llvm "$w"
	[ $RC -eq 125 ] && [ ! -s "$T/m.out" ] && grep -q "^wasmetal: llvm backend: $nop" "$T/m.err" &&
		pass llvm/missing_plugin/run ||
		fail llvm/missing_plugin/run "status $RC, expected 125" "$T/m.out" "$T/m.err"
	hrun m compile --backend llvm "$w" -o "$T/m.wmo"
	[ $RC -eq 125 ] && [ ! -e "$T/m.wmo" ] && grep -q "^wasmetal: llvm backend: $nop" "$T/m.err" &&
		pass llvm/missing_plugin/compile ||
		fail llvm/missing_plugin/compile "status $RC, expected 125 and no file" "$T/m.err"
	hrun m image --backend llvm "$w" -o "$T/m.img"
	[ $RC -eq 125 ] && [ ! -e "$T/m.img" ] && grep -q "^wasmetal: llvm backend: $nop" "$T/m.err" &&
		pass llvm/missing_plugin/image ||
		fail llvm/missing_plugin/image "status $RC, expected 125 and no image" "$T/m.err"
	hrun m run --timeout 60 --log "$T/m.log" --backend llvm "$w"      # QEMU: before any boot
	[ $RC -eq 125 ] && [ ! -s "$T/m.log" ] && grep -q "^wasmetal: llvm backend: $nop" "$T/m.err" &&
		pass llvm/missing_plugin/qemu_run ||
		fail llvm/missing_plugin/qemu_run "status $RC, expected 125 and no boot" "$T/m.err"

	# a plugin from another build: refused by its id, never called
	cat >"$T/other.c" <<-EOF
	#include <stdio.h>
	const char wasmetal_llvm_engine[] = "wasmetal 0.0.0 abi 0 format 1";
	int wasmetal_llvm_artifact(void) { fopen("$T/called", "w"); return -1; }
	EOF
	if cc -shared -fPIC -o "$T/other.so" "$T/other.c" 2>"$T/cc.err"; then
		WASMETAL_LLVM_PLUGIN=$T/other.so timeout "$HOSTED_TIMEOUT" "$W" run --hosted \
			--backend llvm "$w" >"$T/o.out" 2>"$T/o.err"
		RC=$?
		if [ $RC -eq 125 ] && [ ! -e "$T/called" ] &&
			grep -q "^wasmetal: llvm backend: $T/other.so is from another build ('wasmetal 0.0.0 abi 0 format 1', this is 'wasmetal " "$T/o.err"; then
			pass llvm/plugin_of_another_build_refused
		else
			fail llvm/plugin_of_another_build_refused "status $RC" "$T/o.err"
		fi
	else
		fail llvm/plugin_of_another_build_refused "cc failed" "$T/cc.err"
	fi
	unset WASMETAL_LLVM_PLUGIN

	ok=1
	for args in "run --hosted --backend bogus $w" "run --backend bogus $w" \
		"image --backend bogus $w -o $T/x.img" "run --hosted --backend=bogus $w"; do
		# shellcheck disable=SC2086
		hrun u $args
		if [ $RC -ne 2 ] || ! grep -q "^wasmetal: unknown --backend 'bogus' (single, llvm)" "$T/u.err" ||
			[ -e "$T/x.img" ]; then
			ok=0
			echo "$args: status $RC: $(head -n 2 "$T/u.err")"
		fi
	done >"$T/usage"
	hrun u compile --backend bogus "$w" -o "$T/x.wmo"
	if [ $RC -ne 2 ] || ! grep -q "unknown backend 'bogus' (single, llvm)" "$T/u.err" || [ -e "$T/x.wmo" ]; then
		ok=0
		echo "compile --backend bogus: status $RC" >>"$T/usage"
	fi
	[ $ok = 1 ] && pass llvm/backend_bogus_usage_error || fail llvm/backend_bogus_usage_error "" "$T/usage"

	# --backend is for a .wasm: not an artifact, not an image
	ok=1
	for args in "run --hosted --allow-precompiled --backend llvm" "run --allow-precompiled --backend llvm" \
		"image --allow-precompiled --backend llvm -o $T/x.img" "run --hosted --allow-precompiled --backend single"; do
		# shellcheck disable=SC2086
		hrun u $args "$T/args_env_exit7.wmo"
		if [ $RC -ne 2 ] || ! grep -q "is already an artifact: --backend is for a .wasm" "$T/u.err" ||
			[ -s "$T/u.out" ] || [ -e "$T/x.img" ]; then
			ok=0
			echo "$args: status $RC: $(head -n 2 "$T/u.err")"
		fi
	done >"$T/usage"
	[ $ok = 1 ] && pass llvm/backend_with_artifact_refused ||
		fail llvm/backend_with_artifact_refused "" "$T/usage"
	# (QEMU: a usage error; image: not a module; hosted runs no image:
	# not a module either)
	: >"$T/usage"
	if ! "$W" image "$w" -o "$T/plain.img" >"$T/u.err" 2>&1; then
		fail llvm/backend_with_image_refused "wasmetal image failed" "$T/u.err"
	else
		hrun u run --backend llvm "$T/plain.img"
		[ $RC -eq 2 ] && grep -q "is not a module: --backend is for a .wasm" "$T/u.err" ||
			echo "run: status $RC: $(cat "$T/u.err")" >>"$T/usage"
		hrun u image --backend llvm "$T/plain.img" -o "$T/x.img"
		[ $RC -eq 125 ] && [ ! -e "$T/x.img" ] && grep -q "is not a WebAssembly module or an artifact" "$T/u.err" ||
			echo "image: status $RC: $(cat "$T/u.err")" >>"$T/usage"
		hrun u run --hosted --backend llvm "$T/plain.img"
		[ $RC -eq 125 ] && [ ! -s "$T/u.out" ] &&
			grep -q "^wasmetal: invalid module: at offset 0x0: magic header not detected" "$T/u.err" ||
			echo "run --hosted: status $RC: $(cat "$T/u.err")" >>"$T/usage"
		[ ! -s "$T/usage" ] && pass llvm/backend_with_image_refused ||
			fail llvm/backend_with_image_refused "see below" "$T/usage"
	fi

	# an invalid module: the single-pass path's message, status 125
	printf '\0asm\1\0\0\0\1\5\1\140' >"$T/bad1.wasm"                 # truncated section
	# a body that does not validate, (func (result i32) i64.const 1), by
	# hand: wat2wasm refuses to write one
	printf '\0asm\1\0\0\0\1\5\1\140\0\1\177\3\2\1\0\12\6\1\4\0\102\1\13' >"$T/bad2.wasm"
	ok=1
	for f in "$T/bad1.wasm" "$T/bad2.wasm"; do
		hrun s run --hosted "$f"
		hrun l run --hosted --backend llvm "$f"
		if [ $RC -ne 125 ] || ! grep -q '^wasmetal: invalid module: ' "$T/l.err" ||
			! cmp -s "$T/s.err" "$T/l.err"; then
			ok=0
			echo "run --hosted $f: status $RC"; diff "$T/s.err" "$T/l.err"
		fi
		hrun s compile "$f" -o "$T/bad.wmo"
		hrun l compile --backend llvm "$f" -o "$T/bad.wmo"
		if [ $RC -ne 125 ] || [ -e "$T/bad.wmo" ] || ! cmp -s "$T/s.err" "$T/l.err"; then
			ok=0
			echo "compile $f: status $RC"; diff "$T/s.err" "$T/l.err"
		fi
		hrun q run --timeout 60 --log "$T/q.log" --backend llvm "$f"       # refused before booting
		if [ $RC -ne 125 ] || [ -s "$T/q.log" ] || ! cmp -s "$T/s.err" "$T/q.err"; then
			ok=0
			echo "run (QEMU) $f: status $RC"; diff "$T/s.err" "$T/q.err"
		fi
	done >"$T/inv"
	[ $ok = 1 ] && pass llvm/invalid_module_same_message ||
		fail llvm/invalid_module_same_message "see below" "$T/inv"
}

# ---- traps in LLVM code, hosted ------------------------------------------------------

# trapped KIND EXACT: the module $T/KIND.wasm traps the same way from its
# LLVM artifact as under the single-pass JIT; EXACT=1: the same frame #0
# too (an explicit trap site in _start: an exact srcmap entry)
trapped() {
	local kind=$1 exact=$2 t=llvm/trap/$1
	hrun s run --hosted "$T/$kind.wasm"
	hrun l run --hosted --backend llvm "$T/$kind.wasm"
	if [ $RC -ne 134 ] || ! trap_ok "$RC" "$T/l.err" "${TRAP_MSG#wasm trap: }"; then
		fail "$t" "status $RC, expected 134 and a frame" "$T/s.err" "$T/l.err"
	elif [ -z "$(trap_line "$T/s.err")" ] || [ "$(trap_line "$T/s.err")" != "$(trap_line "$T/l.err")" ]; then
		fail "$t" "not the single-pass JIT's trap" "$T/s.err" "$T/l.err"
	elif [ "$exact" = 1 ] && [ "$(frame0 "$T/s.err")" != "$(frame0 "$T/l.err")" ]; then
		fail "$t" "frame #0 differs from the single-pass JIT's" "$T/s.err" "$T/l.err"
	else
		pass "$t ($(trap_line "$T/l.err"))"
	fi
}

trap_tests() {
	local kind exact body msg
	# KIND|EXACT|expected message|_start's body (globals: $z i32 0, $m1
	# i32 -1, $min i32 0x80000000, $nan f32 nan, $big i32 0xffffffff)
	while IFS='|' read -r kind exact msg body; do
		[ -n "$kind" ] || continue
		wat "$kind" <<-EOF || { fail "llvm/trap/$kind" "wat2wasm failed" "$T/$kind.watErr"; continue; }
		(module
		  (type \$v (func)) (type \$i (func (result i32)))
		  (memory 1)
		  (table 2 funcref) (elem (i32.const 0) \$f)
		  (global \$z (mut i32) (i32.const 0)) (global \$m1 (mut i32) (i32.const -1))
		  (global \$min (mut i32) (i32.const 0x80000000))
		  (global \$nan (mut f32) (f32.const nan)) (global \$big (mut i32) (i32.const 0xffffffff))
		  (func \$f)
		  (func \$deep (param i32) (result i32)
		    (i32.add (call \$deep (i32.add (local.get 0) (i32.const 1))) (local.get 0)))
		  (func (export "_start") $body))
		EOF
		TRAP_MSG=$msg trapped "$kind" "$exact"
	done <<-'EOF'
	div_by_zero|1|integer divide by zero|(drop (i32.div_u (i32.const 7) (global.get $z)))
	rem_by_zero|1|integer divide by zero|(drop (i64.rem_s (i64.const 7) (i64.extend_i32_u (global.get $z))))
	div_overflow|1|integer overflow|(drop (i32.div_s (global.get $min) (global.get $m1)))
	trunc_nan|1|invalid conversion to integer|(drop (i32.trunc_f32_s (global.get $nan)))
	trunc_overflow|1|integer overflow|(drop (i32.trunc_f32_u (f32.const 1e10)))
	unreachable|1|unreachable|(unreachable)
	indirect_type|1|indirect call type mismatch|(drop (call_indirect (type $i) (global.get $z)))
	indirect_null|1|uninitialized element 1|(call_indirect (type $v) (i32.add (global.get $z) (i32.const 1)))
	indirect_oob|1|undefined element 5|(call_indirect (type $v) (i32.const 5))
	stack_exhausted|0|call stack exhausted|(drop (call $deep (global.get $z)))
	oob_load|0|out of bounds memory access|(drop (i32.load (global.get $big)))
	oob_load_max_offset|0|out of bounds memory access|(drop (i64.load offset=0xffffffff (global.get $big)))
	oob_store_edge|0|out of bounds memory access|(i32.store (i32.const 65533) (i32.const 1))
	oob_fill|0|out of bounds memory access|(memory.fill (i32.const 65000) (i32.const 0) (i32.const 1000))
	EOF

	# a C program's out-of-bounds store: frame #0 names a function of
	# the single-pass backtrace (LLVM's: function-level, inlined frames
	# folded into their caller)
	local m=$B/tests/wasi/oob_store.wasm fn
	hrun s run --hosted "$m"
	hrun l run --hosted --backend llvm "$m"
	cp "$T/l.err" "$T/hosted_llvm_oob.err"
	fn=$(frame0 "$T/l.err" | sed -n 's/^  #0 \(func\[[0-9]*\]\) .*/\1/p')
	if ! trap_ok "$RC" "$T/l.err" 'out of bounds memory access'; then
		fail llvm/trap/oob_function_named "$WHY" "$T/l.err"
	elif [ -z "$fn" ] || ! tr -d '\r' <"$T/s.err" | awk '$1 ~ /^#[0-9]+$/ { print $2 }' |
		grep -Fqx "$fn"; then
		fail llvm/trap/oob_function_named "LLVM's frame #0 ($fn) is on no frame of the single-pass backtrace" \
			"$T/s.err" "$T/l.err"
	else
		pass "llvm/trap/oob_function_named ($fn)"
	fi
}

# ---- --timeout -----------------------------------------------------------------------

# (host/main.c started the clock of --timeout before the LLVM compile of
# a hosted run: a module whose compile took longer than the limit never
# ran, "the module ran too long", and never reached the cache.  A QEMU
# run compiles before it boots, outside the limit.)
# The module compiles for seconds and runs for microseconds (1500
# functions, an empty _start): a real program here ran longer than the
# one second itself under check-asan with the machine loaded.
timeout_tests() {
	local t=llvm/timeout_does_not_count_the_compile t0 ms
	rm -rf "$C"
	awk 'BEGIN { print "(module"
		for (i = 0; i < 1500; i++)
			printf "(func (param i64) (result i64) local.get 0 i64.const %d i64.mul i64.const 7 i64.rotl local.get 0 i64.xor i64.const 3 i64.div_u)\n", i * 7919
		print "(func (export \"_start\")))" }' | wat slow_compile
	t0=$(date +%s%N)
	hrun to run --hosted --backend llvm --timeout 1 "$T/slow_compile.wasm"
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ $RC -ne 0 ] || grep -q timeout "$T/to.err" || [ -z "$(cache_files "$C")" ]; then
		fail $t "status $RC after $ms ms (--timeout 1), or nothing cached" "$T/to.err"
	elif [ $ms -lt 1500 ]; then
		skip $t "the cold compile and run took only $ms ms: nothing to tell"
	else
		pass "$t (compile and run: $ms ms, --timeout 1)"
	fi
	# and the clock runs for the module itself
	printf '(module (func (export "_start") (loop (br 0))))' | wat spin
	hrun sp run --hosted --backend llvm --timeout 1 "$T/spin.wasm"
	if [ $RC -eq 125 ] && grep -q '^wasmetal: timeout: the module ran too long' "$T/sp.err"; then
		pass llvm/timeout_stops_llvm_code
	else
		fail llvm/timeout_stops_llvm_code "status $RC, expected 125 and the timeout" "$T/sp.err"
	fi
}

# ---- under QEMU ----------------------------------------------------------------------

# loaded NAME WASM [CPU]: the last boot's kernel log ($T/log.raw) shows
# the kernel loaded, without compiling, an artifact of the size of WASM's
# LLVM artifact in the cache for the CPU features CPU (hex; default: this
# CPU's, $HOST_CPU, as `run --backend llvm` compiles)
loaded() {
	local name=$1 wasm=$2 f size
	tr -d '\r' <"$T/log.raw" >"$T/log" 2>/dev/null
	f=$(cache_files "$C" | grep "/$(sha "$wasm")\.llvm\.cpu${3:-$HOST_CPU}\.")
	size=$(stat -c %s "$f" 2>/dev/null)
	if [ -z "$f" ] || [ "$(backend_of "$f")" != 2 ]; then
		fail "$name" "no LLVM artifact of $wasm in the cache" "$T/wm.err"
	elif ! grep -q "entering module (precompiled artifact, $size bytes)" "$T/log" ||
		! grep -q "artifact loaded: $size bytes, no compile" "$T/log" ||
		! grep -q 'entering _start' "$T/log"; then
		fail "$name" "the kernel log does not show the $size-byte LLVM artifact loaded" "$T/log"
	else
		pass "$name"
	fi
}

# booted VERDICT NAME MODE spec...: run.sh's VERDICT with `run --backend
# llvm --log`, then `loaded` (preopen_tests' WRAP)
booted() {
	rm -f "$T/log.raw"
	"$@"
	loaded "$2/loaded" "$MODULE"    # MODULE: run_wasmetal's (split_spec)
}

qemu_tests() {
	local f missing=
	for f in "$B/kernel.elf" "$B/BOOTX64.EFI"; do
		[ -f "$f" ] || missing="$missing $f"
	done
	if [ -n "$missing" ]; then
		fail qemu-llvm "not built:$missing"
		return
	fi
	# this CPU's features, as `run --backend llvm` compiles for them
	printf '\0asm\1\0\0\0' >"$T/empty.wasm"
	"$W" compile --backend llvm "$T/empty.wasm" -o "$T/empty.wmo" 2>"$T/e.err"
	HOST_CPU=$(cpu_of "$T/empty.wmo")
	# (the cache: filled by the hosted runs of the same programs)
	WM_OPTS=(--backend llvm --log "$T/log.raw")
	preopen_tests qemu qemu-llvm booted
	# exception handling (issue 10): the WAT program and, with
	# CXX_EH_BACKENDS' "llvm", the -fwasm-exceptions C++ one, against node
	booted diff_test qemu-llvm/wat/exceptions qemu -- "$B/tests/wat/exceptions.wasm"
	if cxx_eh_on llvm; then
		booted diff_test qemu-llvm/cxx_exceptions qemu -- "$B/tests/wasi/cxx_exceptions.wasm"
	else
		echo "NOTE qemu-llvm/cxx_exceptions: not run (CXX_EH_BACKENDS='$CXX_EH_BACKENDS' has no 'llvm')"
	fi
	booted diff_test qemu-llvm/wat/tail_calls qemu -- "$B/tests/wat/tail_calls.wasm"
	booted trap_test qemu-llvm/oob_store qemu -- "$B/tests/wasi/oob_store.wasm"
	if ! cmp -s "$T/wm.err" "$T/hosted_llvm_oob.err"; then
		diff "$T/hosted_llvm_oob.err" "$T/wm.err" >"$T/d"
		fail qemu-llvm/oob_store/same_report_as_hosted "the same artifact's trap report differs" "$T/d"
	else
		pass qemu-llvm/oob_store/same_report_as_hosted
	fi
	WM_OPTS=()
	image_test
}

# plain_boot CPU: $T/app.img booted by plain QEMU + OVMF (lib.sh), the
# first serial port -> $T/console (after the console mark), the second
# (the kernel log) -> $T/log.raw; CPU: QEMU's -cpu, or "" for its default
# -> $RC, QEMU's status
plain_boot() {
	ovmf_qemu raw "$T/app.img" || { RC=1; return; }
	[ -n "$1" ] && QEMU+=(-cpu "$1")
	rm -f "$T/log.raw"
	"${QEMU[@]}" -serial stdio -serial "file:$T/log.raw" -display none -monitor none \
		-no-reboot </dev/null >"$T/serial" 2>"$T/qemu.err"
	RC=$?
	after_mark "$T/serial" | tr -d '\r' >"$T/console"
}

# plain_ran NAME: the last plain_boot ran the image's artifact as the
# hosted run did ($T/e.out): status 0, the same console, and the log shows
# the artifact loaded without compiling and _start entered
plain_ran() {
	local t=$1
	tr -d '\r' <"$T/log.raw" >"$T/log" 2>/dev/null
	if [ $RC -ne 0 ]; then
		fail "$t" "qemu exit status $RC (124: timeout, no ACPI poweroff)" "$T/console" "$T/qemu.err"
	elif ! cmp -s "$T/e.out" "$T/console"; then
		diff -u --label hosted "$T/e.out" --label serial "$T/console" >"$T/d"
		fail "$t" "the console differs from the hosted run" "$T/d" "$T/log"
	elif ! grep -q 'artifact loaded: [0-9]* bytes, no compile' "$T/log" ||
		! grep -q 'entering _start' "$T/log"; then
		fail "$t" "the kernel log does not show the artifact loaded and run" "$T/log"
	else
		pass "$t"
	fi
}

# `wasmetal image --backend llvm|single` booted by plain QEMU + OVMF.
# Images default to --cpu baseline (x86-64 with SSE2 only), so they run
# under -cpu max and under QEMU's default CPU (qemu64: no SSE4.1, no
# POPCNT) alike; an image made with --cpu host on a CPU with SSE4.1 or
# POPCNT is refused under qemu64 by the kernel with the reason, _start
# never run
image_test() {
	local t=qemu-llvm/image_plain_ovmf m=$B/tests/wasi/args_env_exit7.wasm
	TIMEOUT=$QEMU_TIMEOUT
	if ! find_ovmf; then
		fail $t "no OVMF firmware (apt-get install ovmf)"
		return
	fi
	hrun e run --hosted "$m" x "y z"
	if [ $RC -ne 7 ]; then
		fail $t "the hosted run: status $RC" "$T/e.err"
		return
	fi
	hrun i image --backend llvm "$m" -o "$T/app.img" -- x "y z"
	if [ $RC -ne 0 ]; then
		fail $t "wasmetal image --backend llvm: status $RC" "$T/i.err"
		return
	fi
	# the exit status 7 goes to the log; QEMU's is 0 (ACPI poweroff)
	plain_boot max
	plain_ran "$t (-cpu max)"
	loaded $t/loaded "$m" 0         # the baseline artifact (the cache's cpu0 entry)
	plain_boot ""
	plain_ran qemu-llvm/image_plain_default_cpu
	loaded qemu-llvm/image_plain_default_cpu/loaded "$m" 0
	hrun i image --backend single "$m" -o "$T/app.img" -- x "y z"
	if [ $RC -ne 0 ]; then
		fail qemu-llvm/image_single_plain_default_cpu "wasmetal image --backend single: status $RC" "$T/i.err"
	else
		plain_boot ""
		plain_ran qemu-llvm/image_single_plain_default_cpu
	fi
	# --cpu host: the old default, refused by a CPU without SSE4.1 or POPCNT
	t=qemu-llvm/image_host_cpu_refused_by_default_cpu
	if [ $((0x$HOST_CPU & 3)) = 0 ]; then
		skip $t "this CPU has neither SSE4.1 nor POPCNT: a --cpu host image runs on qemu64"
		return
	fi
	hrun i image --backend llvm --cpu host "$m" -o "$T/app.img" -- x "y z"
	if [ $RC -ne 0 ]; then
		fail $t "wasmetal image --backend llvm --cpu host: status $RC" "$T/i.err"
		return
	fi
	plain_boot ""
	tr -d '\r' <"$T/log.raw" >"$T/log" 2>/dev/null
	if [ $RC -eq 0 ] && grep -q '^wasmetal: invalid artifact: artifact needs CPU feature [A-Z0-9.]*, this CPU lacks it' "$T/console" &&
		grep -q 'entering module (precompiled artifact' "$T/log" &&
		grep -q 'module returned, exit status 125' "$T/log" && ! grep -q 'entering _start' "$T/log"; then
		pass $t
	else
		fail $t "qemu status $RC" "$T/console" "$T/log"
	fi
}

if [ ! -x "$W" ]; then
	fail cli/llvm "$W not built"
elif [ ! -f "$B/libwasmetal-llvm.so" ] && [ -n "${WASMETAL_SANITIZED:-}" ]; then
	# make check-asan builds no plugin (make test does: `all`)
	skip cli/llvm "$B/libwasmetal-llvm.so is not built in the sanitizer build"
elif [ ! -f "$B/libwasmetal-llvm.so" ]; then
	fail cli/llvm "$B/libwasmetal-llvm.so not built (llvm-14-dev)"
else
	for f in args_env_exit7 printf_formats check_wasi_calls oob_store wasi_fd wasi_path \
		wasi_clock_poll_random wasi_misc adv_rights adv_memory adv_escape fs_copy_list_env \
		simd_loops; do
		[ -f "$B/tests/wasi/$f.wasm" ] || { fail cli/llvm "$B/tests/wasi/$f.wasm not built"; summary; exit; }
	done
	[ -f "$B/tests/wat/tail_calls.wasm" ] || { fail cli/llvm "$B/tests/wat/tail_calls.wasm not built"; summary; exit; }
	compile_tests
	tail_tests
	eh_tests
	cache_tests
	cpu_tests
	error_tests
	trap_tests
	timeout_tests
	# run.sh's preopen programs, hosted, with --backend llvm (compiled
	# here into the cache that the QEMU runs below then read)
	WM_OPTS=(--backend llvm)
	preopen_tests hosted hosted-llvm
	# the -msimd128 program against node (run.sh's diff_test)
	diff_test hosted-llvm/simd_loops hosted -- "$B/tests/wasi/simd_loops.wasm"
	# issue 10: tail calls, 1,000,000 deep
	diff_test hosted-llvm/wat/tail_calls hosted -- "$B/tests/wat/tail_calls.wasm"
	# issue 10: the -fwasm-exceptions program, once this backend runs
	# exception handling (run.sh's CXX_EH_BACKENDS has "llvm")
	if cxx_eh_on llvm; then
		diff_test hosted-llvm/cxx_exceptions hosted -- "$B/tests/wasi/cxx_exceptions.wasm"
	else
		echo "NOTE hosted-llvm/cxx_exceptions: not run (CXX_EH_BACKENDS='$CXX_EH_BACKENDS' has no 'llvm')"
	fi
	WM_OPTS=()
	if skip_qemu; then
		skip qemu-llvm "WASMETAL_SKIP_QEMU=1"
	else
		qemu_tests
	fi
fi
summary
