;; fuzz-diff: seed 506118 gen tree
;; Found by fuzz-diff --backend llvm (seed 506118 of 506000..507999): the
;; LLVM backend's code went on past an out-of-bounds load that V8 and the
;; single-pass JIT trap on (the log call after it was made).  The load is
;; one operand of a select whose condition picked the other: x86
;; instruction selection folds the (volatile) load into a cmov, which
;; always loads, and LLVM 14's X86CmovConversion pass turns that cmov into
;; a branch with the load sunk into the arm that uses it
;; (llvm/llvm-project#42267).  Fixed by turning that pass off
;; (host/llvm/llvm_emit.c, -x86-cmov-converter=false); operand forms in
;; tests/llvm/select_load_trap.wat.  As reduce.sh left it (4623 -> 97
;; bytes); the first call's argument 0x80000001 picks the constant, the
;; second's 0x100000000 the load.  Fails with --backend llvm before the
;; fix; passes with both backends after it.
(module
  (type (;0;) (func (param f64)))
  (type (;1;) (func (param i64) (result i32)))
  (import "fuzz" "log_f64" (func (;0;) (type 0)))
  (func (;1;) (type 1) (param i64) (result i32)
    i32.const 216
    i64.const 1831434366
    i32.const -4
    i64.load32_s offset=65536 align=1
    local.get 0
    i32.wrap_i64
    select
    i64.store8
    f64.const 0x0p+0 (;=0;)
    call 0
    unreachable)
  (memory (;0;) 1 1)
  (export "f0" (func 1)))
