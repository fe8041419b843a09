;; empty_bodies.wat — functions whose body pushes nothing: the LLVM
;; translator's value stack is never allocated (test_llvm
;; empty_body_without_results: under make check-asan, UBSan caught the
;; translator forming NULL + 0 for their missing results).
(module
  (memory 1)
  (func (export "nothing"))
  (func (export "nothing_with_params") (param i32 i64 f32 f64))
  (func (export "only_a_block") (block (loop (br 1))))
  (func (export "one_after_nothing") (result i32) (call 0) (i32.const 7)))
