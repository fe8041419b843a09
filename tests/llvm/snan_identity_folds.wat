;; snan_identity_folds.wat — arithmetic with an identity operand (x - 0,
;; x + -0, x * 1, x / 1, x * -1, x / -1, -0 - x) and demote(promote x):
;; each is x (or -x) for every x but a signaling NaN, which Wasm arithmetic
;; must quiet (Core spec §4.3.3 NaN propagation: an arithmetic NaN).  LLVM
;; folds them with its default floating-point semantics, which may leave a
;; signaling NaN signaling (spec float_exprs.wast failed through the
;; backend); tests/unit/test_llvm.c compares the quiet bit with the
;; single-pass JIT's, which computes each.
(module
  (func (export "f32.sub_zero") (param f32) (result f32) local.get 0 f32.const 0 f32.sub)
  (func (export "f32.add_neg_zero") (param f32) (result f32) local.get 0 f32.const -0 f32.add)
  (func (export "f32.neg_zero_sub") (param f32) (result f32) f32.const -0 local.get 0 f32.sub)
  (func (export "f32.mul_one") (param f32) (result f32) local.get 0 f32.const 1 f32.mul)
  (func (export "f32.mul_neg_one") (param f32) (result f32) local.get 0 f32.const -1 f32.mul)
  (func (export "f32.div_one") (param f32) (result f32) local.get 0 f32.const 1 f32.div)
  (func (export "f32.div_neg_one") (param f32) (result f32) local.get 0 f32.const -1 f32.div)
  (func (export "f64.sub_zero") (param f64) (result f64) local.get 0 f64.const 0 f64.sub)
  (func (export "f64.add_neg_zero") (param f64) (result f64) local.get 0 f64.const -0 f64.add)
  (func (export "f64.neg_zero_sub") (param f64) (result f64) f64.const -0 local.get 0 f64.sub)
  (func (export "f64.mul_one") (param f64) (result f64) local.get 0 f64.const 1 f64.mul)
  (func (export "f64.mul_neg_one") (param f64) (result f64) local.get 0 f64.const -1 f64.mul)
  (func (export "f64.div_one") (param f64) (result f64) local.get 0 f64.const 1 f64.div)
  (func (export "f64.div_neg_one") (param f64) (result f64) local.get 0 f64.const -1 f64.div)
  (func (export "f32.demote_promote") (param f32) (result f32)
    local.get 0 f64.promote_f32 f32.demote_f64))
