;; grow.wat — a module for the fault sweep (tests/fault/sweep.sh) that makes
;; the platform commit memory as it runs: eight memory.grow of one page,
;; each new page written and read back, and a table.grow.  A grow the
;; platform refuses (plat_commit failed) returns -1: the module then traps
;; (unreachable), as a guest whose malloc fails would abort; exit 0 when
;; every grow succeeded.
(module
  (memory 1 16)
  (table $t 1 funcref)
  (func (export "_start") (local $i i32) (local $p i32)
    (loop $next
      (local.set $p (memory.grow (i32.const 1)))
      (if (i32.eq (local.get $p) (i32.const -1)) (then unreachable))
      ;; write the last word of the new page, read it back
      (local.set $p (i32.add (i32.mul (local.get $p) (i32.const 65536))
                             (i32.const 65532)))
      (i32.store (local.get $p) (i32.const 0x5a5a5a5a))
      (if (i32.ne (i32.load (local.get $p)) (i32.const 0x5a5a5a5a))
        (then unreachable))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 8))))
    (if (i32.eq (table.grow $t (ref.null func) (i32.const 1000)) (i32.const -1))
      (then unreachable))))
