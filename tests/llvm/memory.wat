;; memory.wat — globals, loads and stores of every width, memory.size and
;; memory.grow, and small compute kernels over memory (a sieve, CRC-32, a
;; float loop) for the LLVM backend's differential test
;; (tests/unit/test_llvm.c).  Out-of-bounds accesses fault in the guard
;; region: the single-pass JIT's trap through the runtime's fault handler,
;; the LLVM code's through the test's own (the runtime does not know LLVM
;; code yet).
(module
  (memory 1 4)
  (global $gi (mut i32) (i32.const 7))
  (global $gl (mut i64) (i64.const -3))
  (global $gf (mut f32) (f32.const 1.5))
  (global $gd (mut f64) (f64.const -2.25))
  (global $k i32 (i32.const 42))
  (data (i32.const 16) "\01\82\03\f4\05\86\07\f8\09\8a\0b\fc\0d\8e\0f\f0")
  (func (export "globals") (param i32 i64 f32 f64) (result i32 i64 f32 f64)
    global.get $gi local.get 0 i32.add global.set $gi
    global.get $gl local.get 1 i64.mul global.set $gl
    global.get $gf local.get 2 f32.add global.set $gf
    local.get 3 global.set $gd
    global.get $gi global.get $k i32.xor global.get $gl global.get $gf global.get $gd)
  (func (export "get_gi") (result i32) global.get $gi)
  (func (export "loads") (param i32) (result i64)
    (local $a i32) (local $s i64)
    local.get 0 i32.const 31 i32.and local.set $a
    local.get $a i32.load offset=1 i64.extend_i32_u
    local.get $a i64.load offset=2 i64.add
    local.get $a i32.load8_s offset=3 i64.extend_i32_s i64.add
    local.get $a i32.load8_u i64.extend_i32_u i64.add
    local.get $a i32.load16_s offset=5 i64.extend_i32_s i64.add
    local.get $a i32.load16_u offset=6 i64.extend_i32_u i64.add
    local.get $a i64.load8_s i64.add
    local.get $a i64.load8_u offset=7 i64.add
    local.get $a i64.load16_s offset=1 i64.add
    local.get $a i64.load16_u offset=3 i64.add
    local.get $a i64.load32_s offset=9 i64.add
    local.get $a i64.load32_u offset=10 i64.add
    local.get $a f32.load offset=11 i32.trunc_sat_f32_s i64.extend_i32_s i64.add
    local.get $a f64.load offset=12 i64.reinterpret_f64 i64.add)
  (func (export "stores") (param i32 i64 f32 f64) (result i64)
    i32.const 100 local.get 0 i32.store
    i32.const 104 local.get 1 i64.store offset=1
    i32.const 113 local.get 2 f32.store
    i32.const 117 local.get 3 f64.store
    i32.const 125 local.get 0 i32.store8
    i32.const 126 local.get 0 i32.store16
    i32.const 128 local.get 1 i64.store8
    i32.const 129 local.get 1 i64.store16
    i32.const 131 local.get 1 i64.store32
    i32.const 100 i64.load i32.const 108 i64.load i64.xor
    i32.const 116 i64.load i64.add i32.const 124 i64.load i64.xor
    i32.const 132 i64.load i64.add)
  ;; out of bounds for most addresses: the guard region traps
  (func (export "load_at") (param i32) (result i32)
    local.get 0 i32.load offset=65532)
  ;; 0xffffffff + 1 is 2^32, out of bounds (not address 0: 64-bit sum)
  (func (export "load_wrap") (param i32) (result i32)
    local.get 0 i32.load8_u offset=1)
  ;; regressions, found by running the spec suite's modules through the
  ;; backend: an unused load was deleted by O2 and did not trap (address.wast
  ;; "8u_bad"); accesses must also stay in order around a trapping one
  (func (export "dropped_load_traps") (param i32)
    local.get 0 i32.load offset=65533 drop)
  (func (export "store_then_oob_load") (param i32) (result i32)
    i32.const 8 local.get 0 i32.store
    local.get 0 i32.load offset=65536)
  (func (export "oob_load_then_store") (param i32) (result i32)
    local.get 0 i32.load offset=65536
    i32.const 16 local.get 0 i32.store8)
  (func (export "store_oob") (param i32 i64)
    local.get 0 local.get 1 i64.store offset=0x20000)
  (func (export "grow") (param i32) (result i32 i32 i32)
    memory.size
    local.get 0 i32.const 3 i32.and memory.grow
    memory.size)
  (func (export "touch_top") (result i32)
    ;; the last byte of the current memory, written and read back
    memory.size i32.const 16 i32.shl i32.const 1 i32.sub
    i32.const 0xab i32.store8
    memory.size i32.const 16 i32.shl i32.const 1 i32.sub i32.load8_u)
  ;; primes below n (n <= 60000) with a byte sieve at 1024
  (func (export "sieve") (param i32) (result i32)
    (local $i i32) (local $j i32) (local $c i32)
    local.get 0 i32.const 60000 i32.rem_u local.set 0
    i32.const 2 local.set $i
    block $done loop $clear
      local.get $i local.get 0 i32.ge_u br_if $done
      local.get $i i32.const 1024 i32.add i32.const 1 i32.store8
      local.get $i i32.const 1 i32.add local.set $i br $clear
    end end
    i32.const 2 local.set $i
    block $out loop $outer
      local.get $i local.get $i i32.mul local.get 0 i32.ge_u br_if $out
      local.get $i i32.const 1024 i32.add i32.load8_u if
        local.get $i local.get $i i32.mul local.set $j
        block $d loop $inner
          local.get $j local.get 0 i32.ge_u br_if $d
          local.get $j i32.const 1024 i32.add i32.const 0 i32.store8
          local.get $j local.get $i i32.add local.set $j br $inner
        end end
      end
      local.get $i i32.const 1 i32.add local.set $i br $outer
    end end
    i32.const 2 local.set $i
    block $e loop $count
      local.get $i local.get 0 i32.ge_u br_if $e
      local.get $c local.get $i i32.const 1024 i32.add i32.load8_u i32.add local.set $c
      local.get $i i32.const 1 i32.add local.set $i br $count
    end end
    local.get $c)
  ;; CRC-32 (bitwise) of n bytes of the data at 16
  (func (export "crc32") (param i32) (result i32)
    (local $c i32) (local $i i32) (local $k i32)
    i32.const -1 local.set $c
    local.get 0 i32.const 17 i32.rem_u local.set 0
    block $e loop $bytes
      local.get $i local.get 0 i32.ge_u br_if $e
      local.get $c local.get $i i32.load8_u offset=16 i32.xor local.set $c
      i32.const 0 local.set $k
      loop $bits
        i32.const 0 local.get $c i32.const 1 i32.and i32.sub i32.const 0xedb88320 i32.and
        local.get $c i32.const 1 i32.shr_u i32.xor local.set $c
        local.get $k i32.const 1 i32.add local.tee $k i32.const 8 i32.lt_u br_if $bits
      end
      local.get $i i32.const 1 i32.add local.set $i br $bytes
    end end
    local.get $c i32.const -1 i32.xor)
  ;; a Mandelbrot-style escape count at (x, y)
  (func (export "escape") (param f64 f64) (result i32)
    (local $zr f64) (local $zi f64) (local $t f64) (local $n i32)
    block $e loop $l
      local.get $n i32.const 200 i32.ge_u br_if $e
      local.get $zr local.get $zr f64.mul local.get $zi local.get $zi f64.mul f64.add
      f64.const 4 f64.gt br_if $e
      local.get $zr local.get $zr f64.mul local.get $zi local.get $zi f64.mul f64.sub
      local.get 0 f64.add local.set $t
      f64.const 2 local.get $zr f64.mul local.get $zi f64.mul local.get 1 f64.add local.set $zi
      local.get $t local.set $zr
      local.get $n i32.const 1 i32.add local.set $n br $l
    end end
    local.get $n)
)
