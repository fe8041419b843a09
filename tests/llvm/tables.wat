;; tables.wat — reference types and tables (Core spec 2.0 §4.4.5-6, §4.4.8
;; call_indirect) for the LLVM backend's differential test
;; (tests/unit/test_llvm.c): call_indirect with its three traps (undefined
;; element N, uninitialized element N, indirect call type mismatch) and
;; results in registers and in the result area, ref.null/is_null/func,
;; table.get/set/size/grow/fill/copy/init, elem.drop, funcref and
;; externref tables and globals.  Indices come from the test's argument
;; vectors (0, 1, -1, 2^31, 1000, ...) so every bounds check is hit both
;; ways.
(module
  (type $i_i (func (param i32) (result i32)))
  (type $ii_i (func (param i32 i32) (result i32)))
  (type $i_5 (func (param i32) (result i32 i64 f64 i32 i64)))
  (type $v_f (func (result f64)))
  (table $t 8 20 funcref)
  (table $x 4 externref)
  (table $u 2 funcref)
  (global $gf (mut funcref) (ref.null func))
  (global $gx (mut externref) (ref.null extern))
  (global $gf0 funcref (ref.func $double))
  (elem (table $t) (i32.const 0) func $double $add $five $pi $double)
  (elem $passive func $add $double $pi)
  (elem $passive2 funcref (ref.func $five) (ref.null func))
  (elem declare func $neg)
  (func $double (type $i_i) local.get 0 i32.const 1 i32.shl)
  (func $add (type $ii_i) local.get 0 local.get 1 i32.add)
  (func $neg (type $i_i) i32.const 0 local.get 0 i32.sub)
  (func $five (type $i_5)
    local.get 0 local.get 0 i64.extend_i32_s i64.const 3 i64.mul
    local.get 0 f64.convert_i32_s f64.const 0.5 f64.mul
    local.get 0 i32.const 7 i32.xor local.get 0 i64.extend_i32_u)
  (func $pi (type $v_f) f64.const 3.14159)
  ;; slot index from the argument: traps for >= 8 (undefined) and 5..7
  ;; (uninitialized); type mismatch for slots 1..3
  (func (export "ci_i_i") (param i32 i32) (result i32)
    local.get 1 local.get 0 call_indirect $t (type $i_i))
  (func (export "ci_small") (param i32 i32) (result i32)
    local.get 1 local.get 0 i32.const 7 i32.and call_indirect $t (type $i_i))
  (func (export "ci_ii_i") (param i32 i32) (result i32)
    local.get 0 local.get 1 local.get 0 i32.const 3 i32.and call_indirect $t (type $ii_i))
  (func (export "ci_five") (param i32) (result i32 i64 f64 i32 i64)
    local.get 0 i32.const 2 call_indirect $t (type $i_5))
  (func (export "ci_pi") (param i32) (result f64)
    local.get 0 i32.const 3 i32.and call_indirect $t (type $v_f))
  (func (export "ref_ops") (param i32) (result i32)
    (local $r funcref)
    ref.func $neg local.set $r
    local.get $r ref.is_null
    ref.null func ref.is_null i32.const 2 i32.mul i32.add
    global.get $gf0 ref.is_null i32.const 4 i32.mul i32.add
    ref.func $neg ref.null func local.get 0 i32.const 1 i32.and
      select (result funcref) ref.is_null i32.const 8 i32.mul i32.add
    local.get 0 i32.const 7 i32.and local.get $r table.set $t
    local.get 0 local.get 0 i32.const 7 i32.and call_indirect $t (type $i_i)
    i32.add)
  (func (export "get_set") (param i32 i32) (result i32)
    local.get 1 local.get 0 table.get $t table.set $t
    local.get 1 table.get $t ref.is_null
    local.get 0 table.get $x ref.is_null i32.add)
  (func (export "grow_size") (param i32) (result i32 i32 i32)
    ref.func $neg local.get 0 i32.const 5 i32.rem_u table.grow $t
    table.size $t
    ref.null extern local.get 0 table.grow $x)
  (func (export "fill") (param i32 i32) (result i32)
    local.get 0 ref.func $pi local.get 1 table.fill $t
    table.size $t)
  (func (export "copy") (param i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 i32.const 15 i32.and table.copy $t $t
    local.get 0 i32.const 3 i32.and local.get 1 i32.const 1 i32.and
    local.get 2 i32.const 1 i32.and table.copy $u $t
    table.size $u)
  (func (export "init") (param i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 i32.const 7 i32.and table.init $t $passive
    local.get 0 i32.const 1 i32.and i32.const 0 i32.const 2 table.init $u $passive2
    i32.const 3)
  (func (export "globals") (param i32) (result i32)
    local.get 0 i32.const 7 i32.and table.get $t global.set $gf
    global.get $gf ref.is_null
    global.get $gx ref.is_null i32.add)
  ;; the same with in-range operands mostly (the overlaps both ways)
  (func (export "copy_small") (param i32 i32 i32) (result i32)
    local.get 0 i32.const 7 i32.and local.get 1 i32.const 7 i32.and
    local.get 2 i32.const 7 i32.and table.copy $t $t
    local.get 0 i32.const 7 i32.and table.get $t ref.is_null)
  (func (export "init_small") (param i32 i32 i32) (result i32)
    local.get 0 i32.const 7 i32.and local.get 1 i32.const 3 i32.and
    local.get 2 i32.const 3 i32.and table.init $t $passive
    ref.null func local.get 0 i32.const 15 i32.and table.grow $u)
  (func (export "fill_small") (param i32 i32 i32) (result i32)
    local.get 0 i32.const 7 i32.and ref.func $add local.get 2 i32.const 3 i32.and
    table.fill $t
    local.get 1 i32.const 7 i32.and ref.null extern local.get 2 i32.const 3 i32.and
    table.fill $x
    table.size $x)
  ;; a funcref result: compared by the function it names
  (func (export "ref_result") (param i32) (result funcref)
    local.get 0 i32.const 7 i32.and table.get $t)
  ;; externref: opaque values through a table and back
  (func (export "extern_roundtrip") (param externref i32) (result externref)
    local.get 1 i32.const 3 i32.and local.get 0 table.set $x
    local.get 0 global.set $gx
    local.get 1 i32.const 3 i32.and table.get $x)
;; last: later exports would see the dropped segment
  (func (export "drop_init") (param i32) (result i32)
    elem.drop $passive
    i32.const 0 i32.const 0 local.get 0 i32.const 1 i32.and table.init $t $passive
    i32.const 1)
)
