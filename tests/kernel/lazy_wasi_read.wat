;; lazy_wasi_read.wat — issue 11 (the kernel maps Wasm memory lazily): the
;; kernel's own C code, not JIT code, makes the first touch of pages of a
;; 256 MiB memory: args_sizes_get, args_get (pointer array and strings,
;; the strings across a page boundary), fd_read of stdin (the data and
;; the count, across a boundary) and random_get (four whole pages) write
;; into pages the module never touched.  Prints the arguments (one a
;; line), "read N: DATA" (DATA: a line of input), then an "ok" line for
;; random_get and "1 ok";
;; tests/kernel/lazy_pages.sh compares that with what it gave.
(module
 (import "wasi_snapshot_preview1" "fd_write"
  (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "fd_read"
  (func $fd_read (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "args_sizes_get"
  (func $args_sizes_get (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "args_get"
  (func $args_get (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "random_get"
  (func $random_get (param i32 i32) (result i32)))
 (memory (export "memory") 4096)
 (data (i32.const 256) "read ")
 (data (i32.const 264) ": ")
 (data (i32.const 272) "ok random_get filled four untouched pages\0a")
 (data (i32.const 320) "1 ok\0a")
 (data (i32.const 336) "FAIL random_get left a page zero\0a")

 (func $write (param $p i32) (param $n i32)
  (i32.store (i32.const 0) (local.get $p))
  (i32.store (i32.const 4) (local.get $n))
  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
 ;; n in decimal at 400.., written
 (func $dec (param $n i32) (local $p i32)
  (local.set $p (i32.const 420))
  (loop $l
   (local.set $p (i32.sub (local.get $p) (i32.const 1)))
   (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
   (br_if $l (local.tee $n (i32.div_u (local.get $n) (i32.const 10)))))
  (call $write (local.get $p) (i32.sub (i32.const 420) (local.get $p))))
 ;; 1 if no 4 KiB page of [a, a + 4 pages) is all zero
 (func $pages_nonzero (param $a i32) (result i32)
  (local $i i32) (local $acc i64)
  (loop $page
   (local.set $acc (i64.const 0))
   (local.set $i (i32.const 0))
   (loop $w
    (local.set $acc (i64.or (local.get $acc) (i64.load (local.get $a))))
    (local.set $a (i32.add (local.get $a) (i32.const 8)))
    (br_if $w (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 8)))
                        (i32.const 4096))))
   (if (i64.eqz (local.get $acc)) (then (return (i32.const 0))))
   (br_if $page (i32.and (local.get $a) (i32.const 0x3fff))))
  (i32.const 1))

 (func (export "_start")
  (local $size i32) (local $i i32) (local $n i32)
  ;; argc at 64 MiB, the strings' size at 64 MiB + 4 KiB (untouched)
  (drop (call $args_sizes_get (i32.const 0x400_0000) (i32.const 0x400_1000)))
  (local.set $size (i32.load (i32.const 0x400_1000)))
  ;; argv at 128 MiB, the strings from 3 bytes before 144 MiB on
  (drop (call $args_get (i32.const 0x800_0000) (i32.const 0x8ff_fffd)))
  (loop $nul
   (if (i32.eqz (i32.load8_u offset=0x8ff_fffd (local.get $i)))
    (then (i32.store8 offset=0x8ff_fffd (local.get $i) (i32.const 10))))
   (br_if $nul (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                         (local.get $size))))
  (call $write (i32.const 0x8ff_fffd) (local.get $size))
  ;; stdin into 5 bytes before 192 MiB on, the count at 200 MiB: reads
  ;; until a newline, 64 bytes or the end (a console gives what it has)
  (block $done
   (loop $more
    (i32.store (i32.const 16) (i32.add (i32.const 0xbff_fffb) (local.get $n)))
    (i32.store (i32.const 20) (i32.sub (i32.const 64) (local.get $n)))
    (br_if $done (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1)
                                (i32.const 0xc80_0000)))
    (br_if $done (i32.eqz (i32.load (i32.const 0xc80_0000))))
    (local.set $n (i32.add (local.get $n) (i32.load (i32.const 0xc80_0000))))
    (br_if $done (i32.eq (i32.load8_u offset=0xbff_fffa (local.get $n)) (i32.const 10)))
    (br_if $more (i32.lt_u (local.get $n) (i32.const 64)))))
  (call $write (i32.const 256) (i32.const 5))
  (call $dec (local.get $n))
  (call $write (i32.const 264) (i32.const 2))
  (call $write (i32.const 0xbff_fffb) (local.get $n))      ;; its newline too
  ;; four pages of random bytes at 224 MiB
  (drop (call $random_get (i32.const 0xe00_0000) (i32.const 0x4000)))
  (if (call $pages_nonzero (i32.const 0xe00_0000))
   (then (call $write (i32.const 272) (i32.const 42))
         (call $write (i32.const 320) (i32.const 5)))
   (else (call $write (i32.const 336) (i32.const 33))))))
