;; lazy_oom.wat — issue 11 (memory is reserved at commit, mapped on first
;; touch): memory.grow by 32768 pages (2 GiB) must fail (-1) in a 1 GiB
;; guest, as when every page was allocated at once, 100 times over; a
;; failed grow reserves nothing, so a grow of 8192 pages (512 MiB) then
;; succeeds and its pages read zero, the first and last written.  Prints
;; one line per step: "big grow: failed" (under QEMU; "succeeded" hosted,
;; where Linux gives the memory), "100 big grows failed" or how many did,
;; "grow 8192: ok" or "grow 8192: FAIL".
(module
 (import "wasi_snapshot_preview1" "fd_write"
  (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 1)
 (data (i32.const 256) "big grow: failed\0a")
 (data (i32.const 288) "big grow: succeeded\0a")
 (data (i32.const 320) "100 big grows failed\0a")
 (data (i32.const 352) "not all 100 big grows failed\0a")
 (data (i32.const 384) "grow 8192: ok\0a")
 (data (i32.const 400) "grow 8192: FAIL\0a")
 (func $write (param $p i32) (param $n i32)
  (i32.store (i32.const 0) (local.get $p))
  (i32.store (i32.const 4) (local.get $n))
  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
 (func (export "_start")
  (local $i i32) (local $failed i32) (local $base i32)
  (if (i32.eq (memory.grow (i32.const 32768)) (i32.const -1))
   (then (call $write (i32.const 256) (i32.const 17)))
   (else (call $write (i32.const 288) (i32.const 20))
         (return)))
  (loop $again
   (if (i32.eq (memory.grow (i32.const 32768)) (i32.const -1))
    (then (local.set $failed (i32.add (local.get $failed) (i32.const 1)))))
   (br_if $again (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                           (i32.const 100))))
  (if (i32.eq (local.get $failed) (i32.const 100))
   (then (call $write (i32.const 320) (i32.const 21)))
   (else (call $write (i32.const 352) (i32.const 29))))
  (local.set $base (i32.mul (memory.grow (i32.const 8192)) (i32.const 65536)))
  (if (i32.and (i32.and (i32.eq (local.get $base) (i32.const 65536))
                        (i64.eqz (i64.or (i64.load (local.get $base))
                                         (i64.load (i32.const 0x2000_fff8)))))
               (i32.eq (memory.size) (i32.const 8193)))
   (then (i64.store (local.get $base) (i64.const -1))
         (i64.store (i32.const 0x2000_fff8) (i64.const -1))
         (call $write (i32.const 384) (i32.const 14)))
   (else (call $write (i32.const 400) (i32.const 16))))))
