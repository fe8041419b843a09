;; tail_calls.wat — return_call and return_call_indirect (the tail-call
;; proposal, issue 10) for the LLVM backend's differential test
;; (tests/unit/test_llvm.c) and its object file reader (test_llvm_elf.c:
;; each function's tailcc body joined to its v1 wrapper): tail recursions
;; as deep as the argument says (up to 2^20: constant stack in both
;; backends), with stack arguments (8 and 11 i64), results in a register,
;; in four registers ({i32 i64 f64 f32}) and through the result area
;; (three i64, the caller's area passed on), return_call_indirect with its
;; three traps (index from the argument), and a return_call in dead code.
(module
  (type $t9 (func (param i64 i64 i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (type $i_l (func (param i64) (result i64)))
  (type $v_l (func (result i64)))
  (table $t 6 funcref)
  (elem (table $t) (i32.const 0) func $k9 $sq $k9 $seven)

  (func $count (export "count") (param $n i64) (result i64)
    (call $cnt (i64.and (local.get $n) (i64.const 0xfffff)) (i64.const 1)))
  (func $cnt (param $n i64) (param $acc i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $cnt (i64.sub (local.get $n) (i64.const 1))
      (i64.add (i64.mul (local.get $acc) (i64.const 3)) (local.get $n))))

  ;; 8 and 11 i64 params: 3 and 6 on the stack, the area changes size
  (func $f8 (export "f8") (param $n i64) (param $acc i64) (param $a i64) (param $b i64)
      (param $c i64) (param $d i64) (param $e i64) (param $g i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (i64.add (local.get $acc)
      (i64.xor (i64.add (local.get $a) (local.get $b)) (i64.mul (local.get $g) (local.get $e)))))))
    (return_call $g11 (i64.sub (i64.and (local.get $n) (i64.const 0xfffff)) (i64.const 1))
      (i64.add (i64.mul (local.get $acc) (i64.const 31)) (local.get $a))
      (local.get $b) (local.get $c) (local.get $d) (local.get $e) (local.get $g)
      (local.get $a) (local.get $n) (i64.const 7) (local.get $acc)))
  (func $g11 (param $n i64) (param $acc i64) (param $p1 i64) (param $p2 i64) (param $p3 i64)
      (param $p4 i64) (param $p5 i64) (param $p6 i64) (param $p7 i64) (param $p8 i64)
      (param $p9 i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (i64.add (local.get $acc) (local.get $p9)))))
    (return_call $f8 (i64.sub (local.get $n) (i64.const 1))
      (i64.xor (local.get $acc) (i64.add (local.get $p9) (local.get $p8)))
      (local.get $p2) (local.get $p3) (local.get $p4) (local.get $p5) (local.get $p6)
      (i64.xor (local.get $p1) (local.get $p7))))

  ;; through the table: $k9 (4 stack params) -> $h2 -> table[0] = $k9
  (func $h2 (export "h2") (param $n i64) (param $acc i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call_indirect $t (type $t9)
      (i64.sub (i64.and (local.get $n) (i64.const 0xfffff)) (i64.const 1))
      (i64.add (i64.mul (local.get $acc) (i64.const 3)) (local.get $n))
      (local.get $n) (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4)
      (i64.const 5) (local.get $acc) (i32.const 0)))
  (func $k9 (type $t9) (param $n i64) (param $acc i64) (param $q1 i64)
      (param $q2 i64) (param $q3 i64) (param $q4 i64) (param $q5 i64) (param $q6 i64)
      (param $q7 i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $h2 (i64.sub (local.get $n) (i64.const 1))
      (i64.add (i64.add (local.get $acc) (i64.mul (local.get $q1) (local.get $q7)))
        (i64.add (local.get $q6) (local.get $q2)))))

  ;; the element from the argument: 0 and 2 $k9 (type $t9), 1 $sq (another
  ;; type), 3 $seven (another), 4 and 5 null, >= 6 undefined
  (func $sq (type $i_l) (i64.mul (local.get 0) (local.get 0)))
  (func $seven (type $v_l) (i64.const 7))
  (func (export "pick") (param $i i32) (param $x i64) (result i64)
    (return_call_indirect $t (type $i_l) (local.get $x) (local.get $i)))
  (func (export "pick9") (param $i i32) (param $x i64) (result i64)
    (return_call_indirect $t (type $t9) (i64.and (local.get $x) (i64.const 1023)) (local.get $x)
      (local.get $x) (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5)
      (i64.const 6) (local.get $i)))

  ;; four results in registers, three through the result area
  (func $four (param $n i32) (param $x i64) (result i32 i64 f64 f32)
    (if (i32.eqz (local.get $n)) (then (return (i32.wrap_i64 (local.get $x)) (local.get $x)
      (f64.convert_i64_s (local.get $x)) (f32.convert_i64_u (local.get $x)))))
    (return_call $four (i32.sub (local.get $n) (i32.const 1))
      (i64.add (local.get $x) (i64.extend_i32_u (local.get $n)))))
  (func (export "four") (param $n i32) (param $x i64) (result i32 i64 f64 f32)
    (return_call $four (i32.and (local.get $n) (i32.const 0xffff)) (local.get $x)))
  (func $three (param $n i64) (param $x i64) (result i64 i64 i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $x)
      (i64.mul (local.get $x) (i64.const 2)) (i64.add (local.get $x) (i64.const 1)))))
    (return_call $three (i64.sub (local.get $n) (i64.const 1))
      (i64.add (i64.mul (local.get $x) (i64.const 3)) (local.get $n))))
  (func (export "three") (param $n i64) (param $x i64) (result i64 i64 i64)
    (return_call $three (i64.and (local.get $n) (i64.const 0xfffff)) (local.get $x)))

  ;; a return_call in dead code (skipped, not translated)
  (func (export "dead") (param $x i64) (result i64)
    (return (i64.add (local.get $x) (i64.const 1)))
    (return_call $sq (local.get $x)))
)
