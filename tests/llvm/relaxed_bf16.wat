;; relaxed_bf16.wat — f32x4.relaxed_dot_bf16x8_add_f32x4 (0xfd 0x114) in the
;; LLVM backend against the single-pass JIT, as relaxed_simd.wat does the
;; others.  wabt 1.0.32 can neither read nor write this instruction, so
;; the export is written with i32x4.dot_i8x16_i7x16_add_s (0xfd 0x113, the
;; same type [v128 v128 v128] -> [v128] and the same encoded length) and
;; the Makefile's rule for this file rewrites its one 0xfd 0x93 0x02 to
;; 0xfd 0x94 0x02 (and fails unless there is exactly one).  The operands
;; are f32 lanes, so the bf16 halves are the f32s' low and high 16 bits.
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
  (func (export "f32x4.relaxed_dot_bf16x8_add_f32x4") (param f32 f32) (result i64 i64)
    (call $out (call $canon32 (i32x4.dot_i8x16_i7x16_add_s
      (call $fa (local.get 0) (local.get 1)) (call $fb (local.get 0) (local.get 1))
      (call $fc (local.get 0) (local.get 1))))))
)
