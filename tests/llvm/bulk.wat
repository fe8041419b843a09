;; bulk.wat — bulk memory (Core spec 2.0 §4.4.7: memory.copy, memory.fill,
;; memory.init, data.drop) and memory.size/grow for the LLVM backend's
;; differential test (tests/unit/test_llvm.c): overlapping copies both
;; ways, zero lengths at the end of memory, ranges one byte past it
;; (trap, nothing written), dropped segments, growth seen by the checks.
(module
  (memory 1 3)
  (data $d0 "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
  (data $d1 "hello, bulk memory")
  (data (i32.const 32) "\aa\bb\cc\dd\ee\ff")
  (func (export "copy") (param i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 memory.copy
    local.get 0 i32.load8_u)
  (func (export "copy_overlap") (param i32) (result i64)
    i32.const 40 i32.const 32 local.get 0 i32.const 15 i32.and memory.copy
    i32.const 30 i32.const 36 local.get 0 i32.const 7 i32.and memory.copy
    i32.const 32 i64.load i32.const 40 i64.load i64.xor)
  (func (export "fill") (param i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 memory.fill
    memory.size)
  (func (export "fill_end") (param i32) (result i32)
    memory.size i32.const 16 i32.shl local.get 0 i32.const 3 i32.and i32.sub
    i32.const 0x5a local.get 0 i32.const 7 i32.and memory.fill
    i32.const 1)
  (func (export "init") (param i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 memory.init $d0
    local.get 0 i32.const 255 i32.and i32.const 0 i32.const 18 memory.init $d1
    i32.const 0 i32.load)
  (func (export "drop") (param i32) (result i32)
    data.drop $d0
    i32.const 64 i32.const 0 local.get 0 i32.const 1 i32.and memory.init $d0
    i32.const 64 i32.load)
  ;; in range mostly: overlaps both ways, init from any part of a segment
  (func (export "copy_small") (param i32 i32 i32) (result i64)
    local.get 0 i32.const 63 i32.and local.get 1 i32.const 63 i32.and
    local.get 2 i32.const 31 i32.and memory.copy
    local.get 0 i32.const 63 i32.and i64.load)
  (func (export "fill_small") (param i32 i32 i32) (result i64)
    local.get 0 i32.const 63 i32.and local.get 1 local.get 2 i32.const 31 i32.and
    memory.fill
    local.get 0 i32.const 56 i32.and i64.load)
  (func (export "init_small") (param i32 i32 i32) (result i64)
    local.get 0 i32.const 127 i32.and local.get 1 i32.const 15 i32.and
    local.get 2 i32.const 7 i32.and memory.init $d1
    local.get 0 i32.const 120 i32.and i64.load)
  (func (export "grow_then_fill") (param i32) (result i32)
    (local $old i32)
    local.get 0 i32.const 3 i32.and memory.grow local.set $old
    memory.size i32.const 16 i32.shl i32.const 4 i32.sub
    i32.const 0x77 i32.const 4 memory.fill
    local.get $old)
)
