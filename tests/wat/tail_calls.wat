;; tail_calls.wat — tail calls (the tail-call proposal: return_call,
;; return_call_indirect) 1,000,000 deep, as a WASI program that run.sh
;; compares with node's output hosted and under QEMU: a mutual recursion
;; with stack arguments (8 and 11 i64 parameters: the callee needs more
;; stack-argument slots than its caller received, then fewer), one through
;; a table between a function with an entry thunk and one without, and one
;; whose three results go through memory.  With calls instead of tail calls
;; each would exhaust the 1 MiB Wasm stack (tests/unit/test_tail.c checks
;; that, and that the stack stays where it is).  Prints one hex line each.
(module
 (import "wasi_snapshot_preview1" "fd_write"
  (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 1)
 (type $t9 (func (param i64 i64 i64 i64 i64 i64 i64 i64 i64) (result i64)))
 (table 1 funcref)
 (elem (i32.const 0) $k9)

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

 (func $f8 (param $n i64) (param $acc i64) (param $a i64) (param $b i64)
   (param $c i64) (param $d i64) (param $e i64) (param $g i64) (result i64)
  (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
  (return_call $g11 (i64.sub (local.get $n) (i64.const 1))
   (i64.add (i64.mul (local.get $acc) (i64.const 31)) (local.get $a))
   (local.get $b) (local.get $c) (local.get $d) (local.get $e) (local.get $g)
   (local.get $a) (local.get $n) (i64.const 7) (local.get $acc)))
 (func $g11 (param $n i64) (param $acc i64) (param $p1 i64) (param $p2 i64) (param $p3 i64)
   (param $p4 i64) (param $p5 i64) (param $p6 i64) (param $p7 i64) (param $p8 i64)
   (param $p9 i64) (result i64)
  (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
  (return_call $f8 (i64.sub (local.get $n) (i64.const 1))
   (i64.xor (local.get $acc) (i64.add (local.get $p9) (local.get $p8)))
   (local.get $p2) (local.get $p3) (local.get $p4) (local.get $p5) (local.get $p6)
   (i64.xor (local.get $p1) (local.get $p7))))

 (func $h2 (param $n i64) (param $acc i64) (result i64)
  (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
  (return_call_indirect (type $t9) (i64.sub (local.get $n) (i64.const 1))
   (i64.add (i64.mul (local.get $acc) (i64.const 3)) (local.get $n))
   (local.get $n) (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4)
   (i64.const 5) (local.get $acc) (i32.const 0)))
 (func $k9 (type $t9) (param $n i64) (param $acc i64) (param $q1 i64)
   (param $q2 i64) (param $q3 i64) (param $q4 i64) (param $q5 i64) (param $q6 i64)
   (param $q7 i64) (result i64)
  (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
  (return_call $h2 (i64.sub (local.get $n) (i64.const 1))
   (i64.add (i64.add (local.get $acc) (i64.mul (local.get $q1) (local.get $q7)))
    (i64.add (i64.add (local.get $q2) (local.get $q3))
     (i64.add (i64.add (local.get $q4) (local.get $q5)) (local.get $q6))))))

 (func $m3 (param $n i64) (param $x i64) (result i64 i64 i64)
  (if (i64.eqz (local.get $n)) (then (return (local.get $x)
   (i64.mul (local.get $x) (i64.const 2)) (i64.add (local.get $x) (i64.const 1)))))
  (return_call $m3b (i64.sub (local.get $n) (i64.const 1)) (i64.add (local.get $x) (i64.const 1))))
 (func $m3b (param $n i64) (param $x i64) (result i64 i64 i64)
  (return_call $m3 (local.get $n) (i64.mul (local.get $x) (i64.const 3))))

 (func (export "_start")
  (call $hex (call $f8 (i64.const 1000000) (i64.const 5) (i64.const 11) (i64.const 22)
   (i64.const 33) (i64.const 44) (i64.const 55) (i64.const 66)))
  (call $hex (call $f8 (i64.const 999999) (i64.const 5) (i64.const 11) (i64.const 22)
   (i64.const 33) (i64.const 44) (i64.const 55) (i64.const 66)))
  (call $hex (call $h2 (i64.const 1000000) (i64.const 9)))
  (call $hex (call $k9 (i64.const 1000001) (i64.const 9) (i64.const 2007) (i64.const 3007)
   (i64.const 4007) (i64.const 5007) (i64.const 6007) (i64.const 7007) (i64.const 8007)))
  (call $m3 (i64.const 1000000) (i64.const 1))
  (call $hex)
  (call $hex)
  (call $hex)))
