;; lazy_stack_overflow.wat — issue 11 (the kernel maps Wasm stacks lazily):
;; unbounded recursion with 8 i64 locals live across each call, after one line of
;; output, must still end in the trap "call stack exhausted" (status 134):
;; each new stack page is mapped on its first touch, and the overflow is
;; caught at the stack's limit, never by mapping past it.
(module
 (import "wasi_snapshot_preview1" "fd_write"
  (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 1)
 (data (i32.const 64) "recursing\0a")
 (func $deep (param $n i64) (result i64)
  (local $a i64) (local $b i64) (local $c i64) (local $d i64)
  (local $e i64) (local $f i64) (local $g i64) (local $h i64)
  (local.set $a (i64.add (local.get $n) (i64.const 1)))
  (local.set $b (i64.mul (local.get $a) (i64.const 3)))
  (local.set $c (i64.xor (local.get $b) (local.get $n)))
  (local.set $d (i64.add (local.get $c) (local.get $a)))
  (local.set $e (i64.sub (local.get $d) (local.get $b)))
  (local.set $f (i64.or (local.get $e) (local.get $c)))
  (local.set $g (i64.add (local.get $f) (local.get $d)))
  (local.set $h (i64.mul (local.get $g) (local.get $e)))
  ;; every local live across the call: all spilled to the frame
  (i64.add
   (i64.add (i64.add (local.get $a) (local.get $b)) (i64.add (local.get $c) (local.get $d)))
   (i64.add
    (i64.add (i64.add (local.get $e) (local.get $f)) (i64.add (local.get $g) (local.get $h)))
    (call $deep (local.get $a)))))
 (func (export "_start")
  (i32.store (i32.const 0) (i32.const 64))
  (i32.store (i32.const 4) (i32.const 10))
  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
  (drop (call $deep (i64.const 0)))))
