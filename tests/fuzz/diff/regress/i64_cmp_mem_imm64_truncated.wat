;; fuzz-diff: seed 130 gen tree
;; Found by fuzz-diff (seeds 130, 154, 156, 164 of 1..200) against a
;; compiler with issue 8's planted bug: an i64 compare of a local in the
;; frame (a memory operand) with a constant that needs 64 bits, compiled as
;; `cmp [mem], imm32` (fast_icmp's simm32 check dropped), compares against
;; the constant's low 32 bits sign-extended.  As reduce.sh left it (4080
;; -> 131 bytes): `i64.le_u (local.get 0) (i64.const 8442746401418713417)`
;; with local 0, a parameter, in the frame (a hand-written module with
;; fewer parameters kept it in a register and missed the bug).  Fails with
;; that compiler, passes with the real one.
(module
  (type (;0;) (func (param i64)))
  (type (;1;) (func (param i64 f32 i32 i64 i64 i64 i64) (result i64)))
  (import "fuzz" "log_i64" (func (;0;) (type 0)))
  (func (;1;) (type 1) (param i64 f32 i32 i64 i64 i64 i64) (result i64)
    local.get 0
    i64.const 8442746401418713417
    i64.le_u
    i64.extend_i32_s
    call 0
    global.get 0
    i32.const 1
    i32.sub
    global.set 0
    i32.const 84
    i64.const 0
    i64.const 2
    i64.shr_u
    i64.const 65535
    i64.div_u
    i64.store8
    i64.const 2147483648
    call 0
    i64.const -4294967298)
  (memory (;0;) 1 3)
  (global (;0;) (mut i32) (i32.const 3000))
  (export "f1" (func 1)))
