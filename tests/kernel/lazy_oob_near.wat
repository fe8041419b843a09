;; lazy_oob_near.wat — issue 11: a load just past the end of a 2-page
;; memory, whose page table the commit made and whose neighbours are
;; lazily mapped, is still the trap "out of bounds memory access" (status
;; 134): only pages a commit marked are ever mapped on a fault.  Prints
;; "before the load" first.
(module
 (import "wasi_snapshot_preview1" "fd_write"
  (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 2)
 (data (i32.const 64) "before the load\0a")
 (func (export "_start")
  (i32.store (i32.const 0) (i32.const 64))
  (i32.store (i32.const 4) (i32.const 16))
  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
  (drop (i32.load (i32.const 0x1fffc)))                 ;; the last word: fine
  (drop (i32.load (i32.const 0x20000)))))               ;; one byte past: trap
