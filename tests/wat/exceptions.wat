;; exceptions.wat — exception handling (the exception-handling proposal's
;; legacy form: try/catch/catch_all/delegate/throw/rethrow) as a WASI
;; program that run.sh compares with node's output hosted and under QEMU
;; (docs/abi.md "Exceptions"): a throw from a recursion 10,000 deep caught
;; at its top with an i64 payload, 100,000 rounds of throw, delegate and
;; rethrow into nested catch bodies, a tag no clause names caught by
;; catch_all, an f64 payload, and locals the try body changed read in the
;; catch body; return_call and return_call_indirect out of a try body
;; and out of a catch body: the callee's exception is not caught by the
;; try it left (that frame is gone) but by its caller's.  Prints one hex
;; line each.
(module
 (import "wasi_snapshot_preview1" "fd_write"
  (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 1)
 (tag $e0)
 (tag $e1 (param i32))
 (tag $e2 (param i64))
 (tag $ef (param f64))

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

 (func $deep (param $n i32) (param $acc i64)
  (if (i32.eqz (local.get $n)) (then (throw $e2 (local.get $acc))))
  (call $deep (i32.sub (local.get $n) (i32.const 1))
   (i64.add (i64.mul (local.get $acc) (i64.const 31)) (i64.extend_i32_u (local.get $n)))))

 (func $round (param $n i32) (result i32)
  (try (result i32)
   (do (try (result i32)
        (do (try (result i32) (do (throw $e1 (local.get $n))) (delegate 1)))
        (catch $e0 (i32.const -1))))
   (catch $e1
    (try (result i32)
     (do (if (i32.and (local.get $n) (i32.const 1)) (then (rethrow 2))) (i32.const 3))
     (catch $e1 (i32.const 7) (i32.add)))
    (i32.add))))

 (func $other (throw $e0))

 (table 1 funcref)
 (elem (i32.const 0) $tail_thrower)
 (type $t_i64_i64 (func (param i64) (result i64)))
 (func $tail_thrower (param $v i64) (result i64) (throw $e2 (local.get $v)))
 (func $tail_in_try (param $v i64) (result i64)
  (try (result i64)
   (do (return_call $tail_thrower (local.get $v)))
   (catch $e2 (drop) (i64.const 0xbad))))
 (func $tail_indirect_in_try (param $v i64) (result i64)
  (try (result i64)
   (do (return_call_indirect (type $t_i64_i64) (local.get $v) (i32.const 0)))
   (catch_all (i64.const 0xbad))))
 (func $tail_in_catch (param $v i64) (result i64)
  (try (result i64)
   (do (throw $e0))
   (catch_all (return_call $tail_thrower (local.get $v)))))

 (func (export "_start") (local $s i64) (local $i i32) (local $x i64)
  (call $hex (try (result i64) (do (call $deep (i32.const 10000) (i64.const 1)) (i64.const 0))
              (catch $e2)))
  (local.set $i (i32.const 100000))
  (loop $l
   (local.set $s (i64.add (i64.mul (local.get $s) (i64.const 3))
                  (i64.extend_i32_u (call $round (local.get $i)))))
   (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
  (call $hex (local.get $s))
  (call $hex (try (result i64) (do (call $other) (i64.const 0))
              (catch $e1 (drop) (i64.const 1))
              (catch_all (i64.const 0xca7c4a11))))
  (call $hex (try (result i64) (do (throw $ef (f64.const -1.25e300)))
              (catch $ef (i64.reinterpret_f64))))
  (local.set $x (i64.const 5))
  (call $hex (try (result i64)
              (do (local.set $x (i64.mul (local.get $x) (i64.const 1000003)))
                  (local.set $i (i32.const 77))
                  (throw $e0))
              (catch $e0 (i64.add (local.get $x) (i64.extend_i32_u (local.get $i))))))
  (call $hex (try (result i64) (do (call $tail_in_try (i64.const 0x7a11)))
              (catch $e2)))
  (call $hex (try (result i64) (do (call $tail_indirect_in_try (i64.const 0x1d1ec7)))
              (catch $e2)))
  (call $hex (try (result i64) (do (call $tail_in_catch (i64.const 0xca7c4)))
              (catch $e2)))))
