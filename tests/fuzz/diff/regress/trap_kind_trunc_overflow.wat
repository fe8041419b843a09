;; fuzz-diff: seed 27 gen ttf
;; Found by fuzz-diff, seeds 27, 29 and 31 (binaryen modules): a float
;; truncation out of range traps with the spec's "integer overflow" in
;; wasmetal and "float unrepresentable in integer range" in V8, which V8
;; also says for a NaN ("invalid conversion to integer"), while it names
;; i32.div_s's overflow apart.  diff_runner.c now tells a truncation's
;; overflow from a division's by the opcode at the trap's offset; this
;; module checks both, in several operand forms, stay told apart.
(module
  (memory 1)
  (func (export "trunc_f32_s_const") (result i32)
    (i32.trunc_f32_s (f32.const 0x1p31)))
  (func (export "trunc_f64_u_nan") (result i64)
    (i64.trunc_f64_u (f64.const nan)))
  (func (export "trunc_f32_u_negative") (result i64)
    (i64.trunc_f32_u (f32.const -1)))
  (func (export "trunc_f64_s_load") (result i32)
    (f64.store (i32.const 8) (f64.const -0x1.00000002p31))
    (i32.trunc_f64_s (f64.load (i32.const 8))))
  (func (export "trunc_f64_u_param") (param f64) (result i32)
    (i32.trunc_f64_u (local.get 0)))
  (func (export "trunc_in_range") (result i32)
    (i32.trunc_f64_s (f64.const -0x1.fffffffcp30)))
  (func (export "div_s_overflow") (result i32)
    (i32.div_s (i32.const 0x80000000) (i32.const -1)))
  (func (export "div_s_overflow_i64") (param i64) (result i64)
    (i64.div_s (i64.const 0x8000000000000000) (i64.or (local.get 0) (i64.const -1))))
  (func (export "rem_s_no_overflow") (result i64)
    (i64.rem_s (i64.const 0x8000000000000000) (i64.const -1))))
