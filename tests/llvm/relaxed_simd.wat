;; relaxed_simd.wat — the LLVM backend's relaxed SIMD (host/llvm/llvm_simd.c,
;; "relaxed SIMD") against the single-pass JIT (jit/compile/simd.c), whose
;; results docs/simd.md fixes: tests/unit/test_llvm.c calls every export
;; with scalars on its vectors (NaNs, zeros of both signs, extremes), as
;; for simd.wat: the operands are built from them ($va/$vb/$vc: i64 halves,
;; $fa/$fb/$fc: f32 lanes, $da/$db/$dc: f64 lanes), the result comes back
;; as two i64 halves.  madd/nmadd results go through $canon32/$canon64 (a
;; NaN's payload is open); relaxed_min/max return an operand's bits as
;; they are, so they are compared exactly.  f32x4.relaxed_dot_bf16x8_add_
;; f32x4 is not here: wabt 1.0.32 cannot write it (test_llvm.c builds that
;; module from bytes).
;; The two integer dot products are written with wabt 1.0.32's names
;; (i16x8.dot_i8x16_i7x16_s, i32x4.dot_i8x16_i7x16_add_s); the exports
;; carry the proposal's final names.
;; (Generated once by a script from jit/opcodes.h's relaxed entries; edit by hand.)
(module
  (func $va (param i64 i64) (result v128)
    (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1)))
  (func $vb (param i64 i64) (result v128)
    (i64x2.replace_lane 1
      (i64x2.splat (i64.xor (local.get 1) (i64.rotl (local.get 0) (i64.const 23))))
      (i64.add (local.get 0) (i64.const 0x0102030405060708))))
  (func $vc (param i64 i64) (result v128)
    (i64x2.replace_lane 1 (i64x2.splat (i64.rotl (local.get 1) (i64.const 7)))
      (i64.xor (local.get 0) (i64.const 0x8040201008040201))))
  (func $fa (param f32 f32) (result v128)
    (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1
      (f32x4.splat (local.get 0)) (local.get 1)) (local.get 1)) (local.get 0)))
  (func $fb (param f32 f32) (result v128)
    (f32x4.replace_lane 3 (f32x4.replace_lane 1 (f32x4.splat (local.get 1))
      (local.get 0)) (local.get 0)))
  (func $fc (param f32 f32) (result v128)
    (f32x4.replace_lane 2 (f32x4.replace_lane 0 (f32x4.splat (local.get 0))
      (local.get 1)) (f32.neg (local.get 1))))
  (func $da (param f64 f64) (result v128)
    (f64x2.replace_lane 1 (f64x2.splat (local.get 0)) (local.get 1)))
  (func $db (param f64 f64) (result v128)
    (f64x2.replace_lane 1 (f64x2.splat (local.get 1)) (local.get 0)))
  (func $dc (param f64 f64) (result v128)
    (f64x2.replace_lane 0 (f64x2.splat (local.get 0)) (f64.neg (local.get 1))))
  (func $out (param v128) (result i64 i64)
    (i64x2.extract_lane 0 (local.get 0)) (i64x2.extract_lane 1 (local.get 0)))
  (func $canon32 (param v128) (result v128)
    (v128.bitselect
      (v128.and (local.get 0) (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000))
      (local.get 0) (f32x4.ne (local.get 0) (local.get 0))))
  (func $canon64 (param v128) (result v128)
    (v128.bitselect
      (v128.and (local.get 0) (v128.const i64x2 0x7ff8000000000000 0x7ff8000000000000))
      (local.get 0) (f64x2.ne (local.get 0) (local.get 0))))
  (func (export "i8x16.relaxed_swizzle") (param i64 i64) (result i64 i64)
    (call $out (i8x16.relaxed_swizzle (call $va (local.get 0) (local.get 1)) (call $vb (local.get 0) (local.get 1)))))
  (func (export "i32x4.relaxed_trunc_f32x4_s") (param f32 f32) (result i64 i64)
    (call $out (i32x4.relaxed_trunc_f32x4_s (call $fa (local.get 0) (local.get 1)))))
  (func (export "i32x4.relaxed_trunc_f32x4_u") (param f32 f32) (result i64 i64)
    (call $out (i32x4.relaxed_trunc_f32x4_u (call $fa (local.get 0) (local.get 1)))))
  (func (export "i32x4.relaxed_trunc_f64x2_s_zero") (param f64 f64) (result i64 i64)
    (call $out (i32x4.relaxed_trunc_f64x2_s_zero (call $da (local.get 0) (local.get 1)))))
  (func (export "i32x4.relaxed_trunc_f64x2_u_zero") (param f64 f64) (result i64 i64)
    (call $out (i32x4.relaxed_trunc_f64x2_u_zero (call $da (local.get 0) (local.get 1)))))
  (func (export "f32x4.relaxed_madd") (param f32 f32) (result i64 i64)
    (call $out (call $canon32 (f32x4.relaxed_madd (call $fa (local.get 0) (local.get 1)) (call $fb (local.get 0) (local.get 1)) (call $fc (local.get 0) (local.get 1))))))
  (func (export "f32x4.relaxed_nmadd") (param f32 f32) (result i64 i64)
    (call $out (call $canon32 (f32x4.relaxed_nmadd (call $fa (local.get 0) (local.get 1)) (call $fb (local.get 0) (local.get 1)) (call $fc (local.get 0) (local.get 1))))))
  (func (export "f64x2.relaxed_madd") (param f64 f64) (result i64 i64)
    (call $out (call $canon64 (f64x2.relaxed_madd (call $da (local.get 0) (local.get 1)) (call $db (local.get 0) (local.get 1)) (call $dc (local.get 0) (local.get 1))))))
  (func (export "f64x2.relaxed_nmadd") (param f64 f64) (result i64 i64)
    (call $out (call $canon64 (f64x2.relaxed_nmadd (call $da (local.get 0) (local.get 1)) (call $db (local.get 0) (local.get 1)) (call $dc (local.get 0) (local.get 1))))))
  (func (export "i8x16.relaxed_laneselect") (param i64 i64) (result i64 i64)
    (call $out (i8x16.relaxed_laneselect (call $va (local.get 0) (local.get 1)) (call $vb (local.get 0) (local.get 1)) (call $vc (local.get 0) (local.get 1)))))
  (func (export "i16x8.relaxed_laneselect") (param i64 i64) (result i64 i64)
    (call $out (i16x8.relaxed_laneselect (call $va (local.get 0) (local.get 1)) (call $vb (local.get 0) (local.get 1)) (call $vc (local.get 0) (local.get 1)))))
  (func (export "i32x4.relaxed_laneselect") (param i64 i64) (result i64 i64)
    (call $out (i32x4.relaxed_laneselect (call $va (local.get 0) (local.get 1)) (call $vb (local.get 0) (local.get 1)) (call $vc (local.get 0) (local.get 1)))))
  (func (export "i64x2.relaxed_laneselect") (param i64 i64) (result i64 i64)
    (call $out (i64x2.relaxed_laneselect (call $va (local.get 0) (local.get 1)) (call $vb (local.get 0) (local.get 1)) (call $vc (local.get 0) (local.get 1)))))
  (func (export "f32x4.relaxed_min") (param f32 f32) (result i64 i64)
    (call $out (f32x4.relaxed_min (call $fa (local.get 0) (local.get 1)) (call $fb (local.get 0) (local.get 1)))))
  (func (export "f32x4.relaxed_max") (param f32 f32) (result i64 i64)
    (call $out (f32x4.relaxed_max (call $fa (local.get 0) (local.get 1)) (call $fb (local.get 0) (local.get 1)))))
  (func (export "f64x2.relaxed_min") (param f64 f64) (result i64 i64)
    (call $out (f64x2.relaxed_min (call $da (local.get 0) (local.get 1)) (call $db (local.get 0) (local.get 1)))))
  (func (export "f64x2.relaxed_max") (param f64 f64) (result i64 i64)
    (call $out (f64x2.relaxed_max (call $da (local.get 0) (local.get 1)) (call $db (local.get 0) (local.get 1)))))
  (func (export "i16x8.relaxed_q15mulr_s") (param i64 i64) (result i64 i64)
    (call $out (i16x8.relaxed_q15mulr_s (call $va (local.get 0) (local.get 1)) (call $vb (local.get 0) (local.get 1)))))
  (func (export "i16x8.relaxed_dot_i8x16_i7x16_s") (param i64 i64) (result i64 i64)
    (call $out (i16x8.dot_i8x16_i7x16_s (call $va (local.get 0) (local.get 1)) (call $vb (local.get 0) (local.get 1)))))
  (func (export "i32x4.relaxed_dot_i8x16_i7x16_add_s") (param i64 i64) (result i64 i64)
    (call $out (i32x4.dot_i8x16_i7x16_add_s (call $va (local.get 0) (local.get 1)) (call $vb (local.get 0) (local.get 1)) (call $vc (local.get 0) (local.get 1)))))
)
