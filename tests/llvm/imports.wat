;; imports.wat — imported functions and globals for the LLVM backend's
;; differential test (tests/unit/test_llvm.c): calls to host functions
;; through their struct jit_funcref (directly and through call_indirect),
;; one with more arguments than registers (stack arguments), one with two
;; results; imported globals of every type, mutable (through the
;; exporter's cell) and immutable (the value copied).
(module
  (import "env" "mix" (func $mix (param i32 i64 f64) (result i64)))
  (import "env" "sum8" (func $sum8 (param i32 i64 i32 i64 i32 i64 i32 i64 f32 f64) (result f64)))
  (import "env" "divmod" (func $divmod (param i32 i32) (result i32 i32)))
  (import "env" "gi" (global $gi (mut i32)))
  (import "env" "gl" (global $gl (mut i64)))
  (import "env" "gf" (global $gf (mut f32)))
  (import "env" "gd" (global $gd (mut f64)))
  (import "env" "ki" (global $ki i32))
  (import "env" "kd" (global $kd f64))
  (type $ii_ii (func (param i32 i32) (result i32 i32)))
  (table 2 funcref)
  (elem (i32.const 0) func $divmod $own)
  (func $own (type $ii_ii) local.get 1 local.get 0)
  (func (export "mix") (param i32 i64 f64) (result i64)
    local.get 0 local.get 1 local.get 2 call $mix
    global.get $ki i64.extend_i32_u i64.add)
  (func (export "sum8") (param i32 i64) (result f64)
    local.get 0 local.get 1 local.get 0 i32.const 3 i32.mul local.get 1 i64.const 5 i64.mul
    local.get 0 i32.const 7 i32.xor local.get 1 i64.const 9 i64.xor
    i32.const -1 i64.const 1 f32.const 0.25 global.get $kd call $sum8)
  (func (export "divmod") (param i32 i32) (result i32 i32)
    local.get 0 local.get 1 call $divmod)
  (func (export "divmod_indirect") (param i32 i32) (result i32 i32)
    local.get 0 local.get 1 local.get 0 i32.const 1 i32.and call_indirect (type $ii_ii))
  (func (export "globals") (param i32 i64 f32 f64) (result i32 i64 f32 f64)
    global.get $gi local.get 0 i32.add global.set $gi
    global.get $gl local.get 1 i64.sub global.set $gl
    global.get $gf local.get 2 f32.mul global.set $gf
    global.get $gd local.get 3 f64.add global.set $gd
    global.get $gi global.get $ki i32.add global.get $gl global.get $gf global.get $gd)
)
