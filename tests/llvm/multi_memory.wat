;; multi_memory.wat — the multi-memory proposal (issue 10) for the LLVM
;; backend's differential test (tests/unit/test_llvm.c): loads and stores
;; of every width off memory 1 and 2 (each its own reservation: one byte
;; past memory 1's end faults in its guard region), memory.size/grow of
;; memory 1 not moving memory 0, memory.fill/copy/init on memories other
;; than 0 and copies between them.  The test compares memory 0 itself;
;; memory 1 and 2 are read back through the results ("sum1", "sum2").
(module
  (memory $m0 1 2)
  (memory $m1 1 3)
  (memory $m2 2)
  (data $d "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
  (data (memory $m1) (i32.const 8) "\aa\bb\cc\dd")
  (func (export "ld1") (param i32) (result i64)
    (local $a i32)
    (local.set $a (local.get 0))
    (i64.add
      (i64.add (i64.load $m1 (local.get $a)) (i64.extend_i32_u (i32.load8_s $m1 offset=3 (local.get $a))))
      (i64.add (i64.load16_u $m1 offset=5 (local.get $a)) (i64.load32_s $m1 offset=0x80000000 (local.get $a)))))
  (func (export "st1") (param i32 i64) (result i64)
    (i64.store $m1 (local.get 0) (local.get 1))
    (i32.store8 $m1 offset=9 (local.get 0) (i32.wrap_i64 (local.get 1)))
    (f64.store $m2 offset=16 (i32.and (local.get 0) (i32.const 0xffff)) (f64.convert_i64_s (local.get 1)))
    (i64.add (i64.load $m1 (local.get 0))
             (i64.trunc_sat_f64_s (f64.load $m2 offset=16 (i32.and (local.get 0) (i32.const 0xffff))))))
  (func (export "st1_const") (param i64) (result i64)
    (i64.store $m1 (i32.const 65528) (local.get 0))
    (i64.store $m1 (i32.const 65529) (local.get 0))     ;; one byte past: traps
    (i64.const 0))
  (func (export "sizes") (result i32)
    (i32.add (i32.mul (memory.size $m0) (i32.const 100))
             (i32.add (i32.mul (memory.size $m1) (i32.const 10)) (memory.size $m2))))
  (func (export "grow1") (param i32) (result i32)
    (i32.add (i32.mul (memory.grow $m1 (i32.and (local.get 0) (i32.const 3))) (i32.const 1000))
             (i32.add (i32.mul (memory.size $m0) (i32.const 10)) (memory.size $m1))))
  (func (export "fill1") (param i32 i32 i32) (result i64)
    (memory.fill $m1 (local.get 0) (local.get 1) (i32.and (local.get 2) (i32.const 63)))
    (i64.load $m1 (i32.and (local.get 0) (i32.const 0xfff0))))
  (func (export "copy_10") (param i32 i32 i32) (result i64)   ;; memory 1 -> memory 0
    (memory.copy $m0 $m1 (local.get 0) (local.get 1) (i32.and (local.get 2) (i32.const 63)))
    (i64.load $m0 (i32.and (local.get 0) (i32.const 0xfff0))))
  (func (export "copy_21") (param i32 i32 i32) (result i64)   ;; memory 2 -> memory 1
    (memory.copy $m1 $m2 (local.get 0) (local.get 1) (i32.and (local.get 2) (i32.const 63)))
    (i64.load $m1 (i32.and (local.get 0) (i32.const 0xfff0))))
  (func (export "copy_11") (param i32 i32 i32) (result i64)   ;; within memory 1
    (memory.copy $m1 $m1 (local.get 0) (local.get 1) (i32.and (local.get 2) (i32.const 63)))
    (i64.load $m1 (i32.and (local.get 0) (i32.const 0xfff0))))
  (func (export "init2") (param i32 i32 i32) (result i64)
    (memory.init $m2 $d (local.get 0) (i32.and (local.get 1) (i32.const 15)) (i32.and (local.get 2) (i32.const 15)))
    (i64.load $m2 (i32.and (local.get 0) (i32.const 0x1fff0))))
  (func (export "sum1") (result i64)          ;; memory 1's first 4 KiB, read back
    (local $i i32) (local $s i64)
    (loop $l
      (local.set $s (i64.add (i64.rotl (local.get $s) (i64.const 7)) (i64.load $m1 (local.get $i))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 8))) (i32.const 4096))))
    (local.get $s))
  (func (export "sum2") (result i64)          ;; memory 2's first 4 KiB
    (local $i i32) (local $s i64)
    (loop $l
      (local.set $s (i64.add (i64.rotl (local.get $s) (i64.const 7)) (i64.load $m2 (local.get $i))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 8))) (i32.const 4096))))
    (local.get $s)))
