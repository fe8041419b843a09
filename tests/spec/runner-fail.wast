;; runner-fail.wast — self-test of `wasmetal spec`: every assertion here is
;; wrong, and the runner must say so (tests/spec/run-suite.sh checks the
;; count).  Only the module command passes.
;; expect: 1 passed, 17 failed

(module
  (func (export "one") (result i32) (i32.const 1))
  (func (export "t") (unreachable))
  (func (export "qnan") (result f32) (f32.const nan:0x600000))
  (func (export "snan") (result f64) (f64.const nan:0x1))
  (func (export "negz") (result f64) (f64.const -0))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (func $g (export "g"))
  (func (export "fref") (result funcref) (ref.func $g))
  (func (export "fnull") (result funcref) (ref.null func))
)
(assert_return (invoke "ext" (ref.extern 1)) (ref.extern 2))
(assert_return (invoke "ext" (ref.extern 1)) (ref.null extern))
(assert_return (invoke "ext" (ref.null extern)) (ref.extern 0))
(assert_return (invoke "fref") (ref.null func))
(assert_return (invoke "fnull") (ref.func))
(assert_return (invoke "one") (i32.const 2))
(assert_return (invoke "qnan") (f32.const nan:canonical))
(assert_return (invoke "snan") (f64.const nan:arithmetic))
(assert_return (invoke "negz") (f64.const 0))
(assert_trap (invoke "one") "unreachable")
(assert_trap (invoke "t") "integer overflow")
(assert_return (invoke "t"))
(assert_exhaustion (invoke "one") "call stack exhausted")
(invoke "t")
(assert_invalid (module (func)) "type mismatch")
(assert_unlinkable (module) "unknown import")
(assert_trap (module) "unreachable")
