;; lazy_big_memory.wat — issue 11 (the kernel maps Wasm memory lazily): a
;; WASI program with 14336 pages (896 MiB) of linear memory, most of the
;; QEMU guest's 1 GiB, that touches only a few pages far apart: writes a
;; pattern into four of them (the first byte past 1 MiB, one in the
;; middle across a page boundary, one at 512 MiB, the last 8 bytes of the
;; memory), reads each back, and reads pages it never wrote (zero).
;; Self-checking: "ok ..." lines, then "N ok".
;; tests/kernel/lazy_pages.sh also reads the kernel log: only a handful of
;; pages may have been mapped.
(module
 (import "wasi_snapshot_preview1" "fd_write"
  (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 14336)
 (global $oks (mut i32) (i32.const 0))
 (data (i32.const 256) "ok \0aFAIL \0a ok")
 (data (i32.const 512) "wrote four pages far apart and read them back")
 (data (i32.const 640) "pages never written read zero")

 (func $write (param $p i32) (param $n i32)
  (i32.store (i32.const 0) (local.get $p))
  (i32.store (i32.const 4) (local.get $n))
  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
 ;; "ok MSG" or "FAIL MSG", a line
 (func $check (param $ok i32) (param $msg i32) (param $n i32)
  (if (local.get $ok)
   (then (call $write (i32.const 256) (i32.const 3))
         (global.set $oks (i32.add (global.get $oks) (i32.const 1))))
   (else (call $write (i32.const 260) (i32.const 5))))
  (call $write (local.get $msg) (local.get $n))
  (call $write (i32.const 259) (i32.const 1)))
 (func $pattern (param $a i32) (result i64)
  (i64.xor (i64.extend_i32_u (local.get $a)) (i64.const 0x5a5a_1234_c0de_0000)))
 (func $put (param $a i32) (i64.store (local.get $a) (call $pattern (local.get $a))))
 (func $same (param $a i32) (result i32)
  (i64.eq (i64.load (local.get $a)) (call $pattern (local.get $a))))

 (func (export "_start")
  (call $put (i32.const 0x0010_0000))
  (call $put (i32.const 0x1abc_dffc))             ;; across a page boundary
  (call $put (i32.const 0x2000_0000))
  (call $put (i32.const 0x37ff_fff8))             ;; the last 8 bytes
  (call $check
   (i32.and (i32.and (call $same (i32.const 0x0010_0000))
                     (call $same (i32.const 0x1abc_dffc)))
            (i32.and (call $same (i32.const 0x2000_0000))
                     (call $same (i32.const 0x37ff_fff8))))
   (i32.const 512) (i32.const 45))
  (call $check
   (i64.eqz (i64.or (i64.or (i64.load (i32.const 0x0020_0000))
                            (i64.load (i32.const 0x1abc_e004)))
                    (i64.or (i64.load (i32.const 0x2000_1000))
                            (i64.load (i32.const 0x37ff_eff8)))))
   (i32.const 640) (i32.const 29))
  ;; the summary: one digit, " ok"
  (i32.store8 (i32.const 300) (i32.add (i32.const 48) (global.get $oks)))
  (call $write (i32.const 300) (i32.const 1))
  (call $write (i32.const 266) (i32.const 3))
  (call $write (i32.const 259) (i32.const 1))))
