;; lazy_grow_zero.wat — issue 11 (the kernel maps Wasm memory lazily):
;; memory.grow's new pages read zero, however they are first touched: a
;; load from JIT code, memory.fill and memory.copy over pages nobody
;; touched yet (the runtime's C helpers or inline code, whichever runs
;; them), and after the memory grew again.  Also grows past the maximum
;; (-1, the size unchanged).  Self-checking: "ok ..." lines, then "N ok".
;; Run hosted and under QEMU by tests/kernel/lazy_pages.sh, not compared
;; with node: node 20 here segfaults (status 139) now and then after a
;; correct run of it.
(module
 (import "wasi_snapshot_preview1" "fd_write"
  (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 1 657)
 (global $oks (mut i32) (i32.const 0))
 (data (i32.const 256) "ok \0aFAIL \0a ok")
 (data (i32.const 512) "grown by 256 pages: new pages read zero")
 (data (i32.const 576) "memory.fill over untouched pages")
 (data (i32.const 640) "memory.copy from untouched pages reads zero")
 (data (i32.const 704) "grown again: written pages kept, new ones zero")
 (data (i32.const 768) "growing past the maximum fails, size unchanged")

 (func $write (param $p i32) (param $n i32)
  (i32.store (i32.const 0) (local.get $p))
  (i32.store (i32.const 4) (local.get $n))
  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
 (func $check (param $ok i32) (param $msg i32) (param $n i32)
  (if (local.get $ok)
   (then (call $write (i32.const 256) (i32.const 3))
         (global.set $oks (i32.add (global.get $oks) (i32.const 1))))
   (else (call $write (i32.const 260) (i32.const 5))))
  (call $write (local.get $msg) (local.get $n))
  (call $write (i32.const 259) (i32.const 1)))
 ;; OR of the i64s of [a, a+n), n a multiple of 8, a stride apart
 (func $or (param $a i32) (param $n i32) (param $stride i32) (result i64)
  (local $acc i64) (local $end i32)
  (local.set $end (i32.add (local.get $a) (local.get $n)))
  (block $done
   (loop $l
    (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
    (local.set $acc (i64.or (local.get $acc) (i64.load (local.get $a))))
    (local.set $a (i32.add (local.get $a) (local.get $stride)))
    (br $l)))
  (local.get $acc))
 ;; every byte of [a, a+n) equals b
 (func $all (param $a i32) (param $n i32) (param $b i32) (result i32)
  (local $end i32)
  (local.set $end (i32.add (local.get $a) (local.get $n)))
  (block $done
   (loop $l
    (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
    (if (i32.ne (i32.load8_u (local.get $a)) (local.get $b)) (then (return (i32.const 0))))
    (local.set $a (i32.add (local.get $a) (i32.const 1)))
    (br $l)))
  (i32.const 1))

 (func (export "_start")
  (local $ok i32)
  ;; pages 1..256: 16 MiB, one load every 4 KiB + 8 (each page, twice)
  (local.set $ok (i32.eq (memory.grow (i32.const 256)) (i32.const 1)))
  (call $check
   (i32.and (local.get $ok)
    (i64.eqz (call $or (i32.const 0x10000) (i32.const 0x1000000) (i32.const 2056))))
   (i32.const 512) (i32.const 39))
  ;; fill 3 pages + a bit, starting mid-page, in pages 100.. (untouched:
  ;; the loads above read other offsets of them, so use pages 200..)
  (memory.fill (i32.const 0xc80800) (i32.const 0xa5) (i32.const 0x31000))
  (call $check
   (i32.and (call $all (i32.const 0xc80800) (i32.const 0x31000) (i32.const 0xa5))
    (i32.and (call $all (i32.const 0xc80000) (i32.const 0x800) (i32.const 0))
             (call $all (i32.const 0xcb1800) (i32.const 0x800) (i32.const 0))))
   (i32.const 576) (i32.const 32))
  ;; copy the untouched pages 230..233 over the filled ones
  (memory.copy (i32.const 0xc80800) (i32.const 0xe60000) (i32.const 0x31000))
  (call $check (call $all (i32.const 0xc80800) (i32.const 0x31000) (i32.const 0))
   (i32.const 640) (i32.const 43))
  ;; pages 257..656: written pages stay, new ones zero (a load every
  ;; 4 KiB + 8, and the last 8 bytes)
  (i32.store (i32.const 0x100fffc) (i32.const 0x1234abcd))
  (local.set $ok (i32.eq (memory.grow (i32.const 400)) (i32.const 257)))
  (call $check
   (i32.and (i32.and (local.get $ok)
     (i32.eq (i32.load (i32.const 0x100fffc)) (i32.const 0x1234abcd)))
    (i64.eqz (i64.or (i64.load (i32.const 0x290fff8))
     (call $or (i32.const 0x1010000) (i32.const 0x1900000) (i32.const 0x1008)))))
   (i32.const 704) (i32.const 46))
  (call $check
   (i32.and (i32.eq (memory.grow (i32.const 1)) (i32.const -1))
            (i32.eq (memory.size) (i32.const 657)))
   (i32.const 768) (i32.const 46))
  (i32.store8 (i32.const 300) (i32.add (i32.const 48) (global.get $oks)))
  (call $write (i32.const 300) (i32.const 1))
  (call $write (i32.const 266) (i32.const 3))
  (call $write (i32.const 259) (i32.const 1))))
