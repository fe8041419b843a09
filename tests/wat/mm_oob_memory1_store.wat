;; mm_oob_memory1_store.wat — a WASI command with two memories (the
;; multi-memory proposal, issue 10) that exports its memory 1 as "memory":
;; fd_write must read the iovec and the text from memory 1 (WASI uses the
;; exported memory), memory 0 holds a decoy; then a store one byte past
;; memory 1's single page.  Expected: the text, then the trap "out of
;; bounds memory access" (memory 1's own guard region), non-zero status.
;; node 20's V8 has no multi-memory, so tests/run.sh (expected_trap_test)
;; compares the output with mm_oob_memory1_store.out instead of node's.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory $decoy 2)
  (memory $m 1)
  (export "memory" (memory $m))
  (data (memory $decoy) (i32.const 16) "WRONG: memory 0\n")
  (data (memory $m) (i32.const 16) "from memory 1\n")
  (func $store_past (param $addr i32)
    (i32.store8 $m (local.get $addr) (i32.const 0x2a)))
  (func (export "_start")
    ;; iovec at 0 in both memories: { buf = 16, len = 14 / 16 }
    (i32.store $m (i32.const 0) (i32.const 16))
    (i32.store $m (i32.const 4) (i32.const 14))
    (i32.store $decoy (i32.const 0) (i32.const 16))
    (i32.store $decoy (i32.const 4) (i32.const 16))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    ;; memory 0 has 2 pages, so this address is in bounds there only
    (call $store_past (i32.const 65536))))
