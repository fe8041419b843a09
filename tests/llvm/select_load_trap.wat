;; select_load_trap.wat — a select (or an if that O2 turns into one)
;; between a value and an out-of-bounds load must trap whichever value it
;; picks: the load happens before the select (Core spec 2.0 §4.4.7).
;; Found by the differential fuzzer with --backend llvm (seed 506118, gen
;; tree; tests/fuzz/diff/regress/select_of_oob_load_skipped.wat): x86
;; instruction selection folds the (volatile) load into a cmov, which
;; loads always, then LLVM 14's X86CmovConversion pass turns the cmov
;; back into a branch and sinks the load into the arm that uses it
;; (llvm/llvm-project#42267, fixed upstream in 2026 by PR 219827), so the
;; call went on without trapping.  host/llvm/llvm_emit.c turns that pass
;; off.  For tests/unit/test_llvm.c (results, traps, memory and globals
;; compared with the single-pass JIT): with the test's i32 vectors the
;; condition is the argument, so every nonzero one picks the non-load arm.
(module
  (memory 1 1)
  (global $g (mut i32) (i32.const 0))
  ;; the fuzzer's case: a constant or a load from -4 + 65536 (beyond 4 GiB)
  (func (export "select_const_or_oob_load") (param i32) (result i32)
    i32.const 5
    i32.const -4
    i32.load offset=65536
    local.get 0
    select)
  ;; i64, the address from the argument (in bounds for 0 only among
  ;; the small ones; out of bounds for the large ones)
  (func (export "select_arg_or_load_i64") (param i32) (result i64)
    local.get 0
    i64.extend_i32_u
    local.get 0
    i32.const 65530
    i32.add
    i64.load
    local.get 0
    select)
  ;; the load into a local, replaced under an if: SimplifyCFG makes the
  ;; phi a select of the loaded value
  (func (export "if_replaces_oob_load") (param i32) (result i32)
    (local $v i32)
    i32.const -8
    i32.load
    local.set $v
    local.get 0
    if
      i32.const 7
      local.set $v
    end
    local.get $v)
  ;; a global.set after the load: it must not have happened at the trap
  (func (export "select_load_then_global") (param i32) (result i32)
    i32.const 9
    local.get 0
    i32.const 65535
    i32.add
    i32.load offset=65535
    local.get 0
    select
    local.get 0
    global.set $g)
)
