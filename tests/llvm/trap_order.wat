;; trap_order.wat — the memory and globals a trap leaves behind (Core spec
;; 2.0 §4.4: instructions execute in order; an out-of-bounds access traps
;; even when its value is unused, and everything before it has happened,
;; nothing after it).  For the LLVM backend's differential test
;; (tests/unit/test_llvm.c compares memory and globals with the single-pass
;; JIT's after every call, trap or not).  Each function would go wrong
;; under a memory scheme O2 may reorder or delete (llvm_mem.c): the store
;; and the load are at provably different addresses (same base, offsets 0
;; and 8), which lets LLVM delete a dead load, delete a store that a later
;; one overwrites (DSE), or schedule the load before the store.  With the
;; test's argument vectors, base = arg + 65528 keeps the store in the
;; 64 KiB page and the load at base+8 out of bounds for arg 0..3, and
;; traps on the store first for 7 and the large ones.
(module
  (memory 1 1)
  (global $g (mut i32) (i32.const 0))
  ;; store, then a load whose value is dead: the load must still trap
  (func (export "store_dead_load") (param i32)
    (local $b i32)
    local.get 0 i32.const 65528 i32.add local.set $b
    local.get $b i32.const 0x11 i32.store
    local.get $b i32.load offset=8 drop)
  ;; store, trapping load, store to the same place: the first store must
  ;; be in memory at the trap (not removed as overwritten)
  (func (export "store_load_store") (param i32) (result i32)
    (local $b i32) (local $v i32)
    local.get 0 i32.const 65528 i32.add local.set $b
    local.get $b i32.const 0x22 i32.store
    local.get $b i32.load offset=8 local.set $v
    local.get $b i32.const 0x23 i32.store
    local.get $v)
  ;; store, then a trapping load whose value is returned: the load may not
  ;; be moved above the store
  (func (export "store_then_load") (param i32) (result i32)
    (local $b i32)
    local.get 0 i32.const 65528 i32.add local.set $b
    local.get $b i32.const 0x33 i32.store8
    local.get $b i32.const 0x34 i32.store8 offset=1
    local.get $b i64.load offset=8 i32.wrap_i64)
  ;; a trapping load between two stores of a global: the first global.set
  ;; has happened at the trap, the second has not
  (func (export "global_around_load") (param i32) (result i32)
    local.get 0 global.set $g
    local.get 0 i32.const 65528 i32.add i32.load offset=8
    local.get 0 i32.const 1 i32.add global.set $g)
  ;; a load after the trap point must not be hoisted above a store either:
  ;; an in-bounds store, then a store that traps, then an in-bounds store
  (func (export "store_trap_store") (param i32)
    i32.const 64 i32.const 0x44 i32.store
    local.get 0 i32.const 65528 i32.add i32.const 0x45 i32.store offset=8
    i32.const 68 i32.const 0x46 i32.store)
  ;; a loop that stores a running count to memory and to a global, then
  ;; loads at an address that walks off the end: memory and global hold
  ;; the count of the iteration that trapped
  (func (export "loop_count_until_trap") (param i32) (result i32)
    (local $i i32) (local $s i32)
    local.get 0 i32.const 0xff i32.and i32.const 65000 i32.add local.set $i
    loop $l
      i32.const 96 local.get $i i32.store
      local.get $i global.set $g
      local.get $i i32.load offset=8 local.get $s i32.add local.set $s
      local.get $i i32.const 4 i32.add local.set $i
      br $l
    end
    local.get $s)
)
