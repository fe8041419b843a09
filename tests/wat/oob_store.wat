;; oob_store.wat — a WASI command whose _start stores far outside its one
;; page of linear memory.  Expected: the trap "out of bounds memory
;; access" with the function index and byte offset, non-zero exit status.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "before the store\n")
  (func $store_far (param $addr i32)
    (i32.store (local.get $addr) (i32.const 0x2a)))
  (func (export "_start")
    ;; iovec at 0: { buf = 16, len = 17 }
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 17))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $store_far (i32.const 0x10000000))))
