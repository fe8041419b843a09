;; memory64.wat — the LLVM backend's 64-bit memories (host/llvm/llvm_mem.c
;; mem64_checked, llvm_ref.c's bulk operations; docs/memory64.md) against
;; the single-pass JIT: tests/unit/test_llvm.c calls every export on its
;; vectors and compares results, traps (and their sites), memory 0 and
;; the globals.  Addresses come from the i64 vectors as they are (0, 1,
;; 2^64 - 1, 2^63, ...: most trap) and as $edge makes them, 65536 - (k &
;; 63): each access size at the end of the first page, in and just out
;; (memory 0 grows while the test runs, so the same address may pass
;; later: the backends must agree on every call, in order).  Memory 1 is
;; 32-bit: memory.copy between the two, each operand in its memory's type.
;; Offsets above 2^32 - 1 are not here: wabt 1.0.32 cannot write them
;; (test_llvm.c memory64_offsets_past_4_gib builds those functions from
;; bytes).
(module
  (memory $m i64 1 4)
  (memory $n 1 1)
  (data (memory $m) (i64.const 65520) "\f0\f1\f2\f3\f4\f5\f6\f7\f8\f9\fa\fb\fc\fd\fe\ff")
  (data (memory $n) (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
  (data $d "passive segment: 0123456789abcdef")
  (func $edge (param i64) (result i64)
    (i64.sub (i64.const 65536) (i64.and (local.get 0) (i64.const 63))))
  (func (export "i32.load") (param i64) (result i32) (i32.load (call $edge (local.get 0))))
  (func (export "i64.load") (param i64) (result i64) (i64.load (call $edge (local.get 0))))
  (func (export "f32.load") (param i64) (result f32) (f32.load (call $edge (local.get 0))))
  (func (export "f64.load") (param i64) (result f64) (f64.load (call $edge (local.get 0))))
  (func (export "i32.load8_s") (param i64) (result i32) (i32.load8_s (call $edge (local.get 0))))
  (func (export "i32.load16_u") (param i64) (result i32) (i32.load16_u (call $edge (local.get 0))))
  (func (export "i64.load32_s") (param i64) (result i64) (i64.load32_s (call $edge (local.get 0))))
  (func (export "i64.load raw") (param i64) (result i64) (i64.load (local.get 0)))
  (func (export "i32.load8_u raw") (param i64) (result i32) (i32.load8_u (local.get 0)))
  (func (export "offset 65528") (param i64) (result i64)
    (i64.load offset=65528 (i64.and (local.get 0) (i64.const 15))))
  (func (export "const address") (result i64) (i64.load (i64.const 65528)))
  (func (export "const address out") (result i64) (i64.load (i64.const 65529)))
  (func (export "i64.store") (param i64 i64) (i64.store (call $edge (local.get 0)) (local.get 1)))
  (func (export "i32.store16") (param i64 i64)
    (i32.store16 (call $edge (local.get 0)) (i32.wrap_i64 (local.get 1))))
  (func (export "i64.store8 raw") (param i64 i64) (i64.store8 (local.get 1) (local.get 0)))
  (func (export "f64.store") (param i64 f64) (f64.store offset=7 (call $edge (local.get 0)) (local.get 1)))
  (func (export "memory.size") (result i64) (memory.size $m))
  (func (export "memory.grow") (param i64) (result i64) (memory.grow $m (local.get 0)))
  (func (export "memory.grow 1") (param i64) (result i64)
    (memory.grow $m (i64.and (local.get 0) (i64.const 1))))
  (func (export "memory.fill") (param i64 i64)
    (memory.fill $m (call $edge (local.get 0)) (i32.const 0xab)
      (i64.and (local.get 1) (i64.const 127))))
  (func (export "memory.fill raw") (param i64 i64)
    (memory.fill $m (local.get 0) (i32.const 0xcd) (local.get 1)))
  (func (export "memory.copy 64 64") (param i64 i64)
    (memory.copy $m $m (call $edge (local.get 0)) (call $edge (local.get 1))
      (i64.and (local.get 1) (i64.const 63))))
  (func (export "memory.copy 64 from 32") (param i64 i64)
    (memory.copy $m $n (call $edge (local.get 0)) (i32.wrap_i64 (local.get 1))
      (i32.and (i32.wrap_i64 (local.get 1)) (i32.const 31))))
  (func (export "memory.copy 32 from 64") (param i64 i64)
    (memory.copy $n $m (i32.wrap_i64 (local.get 1)) (call $edge (local.get 0))
      (i32.and (i32.wrap_i64 (local.get 1)) (i32.const 31))))
  (func (export "memory 1 load") (param i64) (result i64)
    (i64.load $n (i32.and (i32.wrap_i64 (local.get 0)) (i32.const 0xfff8))))
  (func (export "memory.init") (param i64 i64)
    (memory.init $m $d (call $edge (local.get 0)) (i32.and (i32.wrap_i64 (local.get 1)) (i32.const 15))
      (i32.and (i32.wrap_i64 (local.get 1)) (i32.const 31))))
  (func (export "v128.load") (param i64) (result i64)
    (i64x2.extract_lane 1 (v128.load (call $edge (local.get 0)))))
  (func (export "v128.load32_zero") (param i64) (result i64)
    (i64x2.extract_lane 0 (v128.load32_zero (call $edge (local.get 0)))))
  (func (export "v128.load8_lane") (param i64) (result i32)
    (i8x16.extract_lane_u 3 (v128.load8_lane 3 (call $edge (local.get 0)) (v128.const i64x2 0 0))))
  (func (export "v128.store") (param i64 i64)
    (v128.store (call $edge (local.get 0)) (i64x2.splat (local.get 1))))
  (func (export "v128.store16_lane") (param i64 i64)
    (v128.store16_lane 5 (call $edge (local.get 0)) (i64x2.splat (local.get 1))))
)
