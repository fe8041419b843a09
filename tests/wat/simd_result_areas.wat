;; simd_result_areas.wat — v128 results through a result area (docs/abi.md
;; "Results", "Value slots": more than two float/vector results all go to
;; memory, a v128 in 16 bytes at a multiple of 16, the others in 8), as a
;; WASI program that run.sh compares with node's output hosted and under
;; QEMU: functions returning 3, 4 and 5 v128/f64/i32 mixes called
;; directly, through call_indirect, return_call and return_call_indirect,
;; one after nine f64 arguments (one on the stack: the caller's area is
;; aligned after it), folded over 1000 rounds into an accumulator.  Prints
;; one hex line per 64-bit lane or value.
(module
 (import "wasi_snapshot_preview1" "fd_write"
  (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 1)
 (type $t4 (func (param v128 f64 i32) (result f64 v128 i32 v128)))
 (type $t5 (func (param v128 f64) (result v128 v128 f64 v128 f64)))
 (table 2 funcref)
 (elem (i32.const 0) $r4 $r5)

 ;; 16 hex digits of x and a newline at 16.., written to stdout
 (func $hex (param $x i64) (local $i i32)
  (local.set $i (i32.const 15))
  (loop $l
   (i32.store8 offset=16 (local.get $i)
    (i32.load8_u offset=0 (i32.wrap_i64 (i64.and (local.get $x) (i64.const 15)))))
   (local.set $x (i64.shr_u (local.get $x) (i64.const 4)))
   (br_if $l (i32.ge_s (local.tee $i (i32.sub (local.get $i) (i32.const 1))) (i32.const 0))))
  (i32.store8 offset=32 (i32.const 0) (i32.const 10))
  (i32.store (i32.const 40) (i32.const 16))
  (i32.store (i32.const 44) (i32.const 17))
  (drop (call $fd_write (i32.const 1) (i32.const 40) (i32.const 1) (i32.const 48))))
 (data (i32.const 0) "0123456789abcdef")
 (func $hexv (param $v v128)
  (call $hex (i64x2.extract_lane 0 (local.get $v)))
  (call $hex (i64x2.extract_lane 1 (local.get $v))))

 (func $r3 (param $x v128) (param $d f64) (result v128 f64 v128)
  (i32x4.add (local.get $x) (v128.const i32x4 1 2 3 4))
  (f64.add (local.get $d) (f64.const 0.5))
  (i16x8.mul (local.get $x) (v128.const i16x8 3 5 7 9 11 13 15 17)))
 (func $r4 (type $t4) (param $x v128) (param $d f64) (param $n i32)
  (result f64 v128 i32 v128)
  (f64.mul (local.get $d) (f64.const 1.5))
  (i8x16.swizzle (local.get $x)
   (v128.const i8x16 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0))
  (i32.add (local.get $n) (i32.const 3))
  (i64x2.sub (local.get $x) (i64x2.splat (i64.extend_i32_u (local.get $n)))))
 (func $r5 (type $t5) (param $x v128) (param $d f64)
  (result v128 v128 f64 v128 f64)
  (local.get $x)
  (i32x4.shl (local.get $x) (i32.const 3))
  (f64.sqrt (local.get $d))
  (v128.xor (local.get $x) (v128.const i64x2 0x5555555555555555 0x3333333333333333))
  (f64.neg (local.get $d)))
 (func $s9 (param f64 f64 f64 f64 f64 f64 f64 f64 f64) (result v128 f64 v128)
  (f64x2.splat (local.get 0)) (local.get 8)
  (f64x2.replace_lane 1 (f64x2.splat (local.get 8)) (local.get 4)))
 (func $t5 (param $x v128) (param $d f64) (result v128 v128 f64 v128 f64)
  (return_call $r5 (local.get $x) (local.get $d)))
 (func $ti4 (param $x v128) (param $d f64) (param $n i32) (result f64 v128 i32 v128)
  (return_call_indirect (type $t4) (local.get $x) (local.get $d) (local.get $n)
   (i32.const 0)))

 (func (export "_start")
  (local $acc v128) (local $x v128) (local $d f64) (local $i i32) (local $n i32)
  (local $fa f64) (local $t v128)
  (local.set $x (v128.const i64x2 0x0123456789abcdef 0x0fedcba987654321))
  (local.set $d (f64.const 2.25))
  (loop $l
   ;; r3 direct: acc += a; acc ^= c; fa += b
   (call $r3 (local.get $x) (local.get $d))
   (local.set $t)
   (local.set $fa (f64.add (local.get $fa)))
   (local.set $acc (v128.xor (i64x2.add (local.get $acc)) (local.get $t)))
   ;; r4 through the table: fa += b0, acc = acc*1 + b1 - b3, n += b2
   (call_indirect (type $t4) (local.get $acc) (local.get $d) (local.get $i)
    (i32.const 0))
   (local.set $t)
   (local.set $n (i32.add (local.get $n)))
   (local.set $acc (i64x2.sub (i8x16.add (local.get $acc)) (local.get $t)))
   (local.set $fa (f64.add (local.get $fa)))
   ;; return_call_indirect of r4
   (call $ti4 (local.get $x) (local.get $fa) (local.get $n))
   (local.set $t)
   (local.set $n (i32.xor (local.get $n)))
   (local.set $acc (i32x4.add (local.get $t) (v128.xor (local.get $acc))))
   (drop)
   ;; r5 through return_call and through the table
   (call $t5 (local.get $acc) (local.get $d))
   (local.set $fa (f64.sub (local.get $fa)))
   (local.set $t)
   (drop)
   (local.set $acc (i64x2.add (local.get $t) (i32x4.sub (local.get $acc))))
   (drop)
   (call_indirect (type $t5) (local.get $x) (f64.convert_i32_u (local.get $i))
    (i32.const 1))
   (local.set $fa (f64.add (local.get $fa)))
   (local.set $t)
   (drop)
   (local.set $t (v128.xor (local.get $t)))
   (local.set $acc (i16x8.add (local.get $acc) (i64x2.add (local.get $t))))
   ;; nine f64 arguments
   (call $s9 (local.get $d) (f64.const 1) (f64.const 2) (f64.const 3)
    (local.get $fa) (f64.const 5) (f64.const 6) (f64.const 7)
    (f64.convert_i32_u (local.get $i)))
   (local.set $t)
   (drop)
   (local.set $acc (v128.xor (local.get $acc) (v128.xor (local.get $t))))
   (local.set $x (i32x4.add (local.get $x) (v128.const i32x4 0x9e3779b9 7 0x85ebca6b 11)))
   (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                       (i32.const 1000))))
  (call $hexv (local.get $acc))
  (call $hex (i64.reinterpret_f64 (local.get $fa)))
  (call $hex (i64.extend_i32_u (local.get $n)))))
