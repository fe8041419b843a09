;; control.wat — control flow and calls for the LLVM backend's differential
;; test (tests/unit/test_llvm.c): blocks, loops and ifs with params and
;; results (phis), br/br_if/br_table, return, unreachable, select, direct
;; calls with results in registers and in the result area, unbounded
;; recursion (call stack exhausted), dead code after branches.
(module
  (type $ii_i (func (param i32 i32) (result i32)))
  (global (mut i32) (i32.const 0))
  (memory 1)
  (func $fib (param i32) (result i32)
    local.get 0 i32.const 2 i32.lt_u
    if (result i32) local.get 0
    else
      local.get 0 i32.const 1 i32.sub call $fib
      local.get 0 i32.const 2 i32.sub call $fib i32.add
    end)
  (func (export "fib_small") (param i32) (result i32)
    local.get 0 i32.const 20 i32.rem_u call $fib)
  ;; sum 0..n-1 with a loop that carries two values as params
  (func (export "loop_params") (param i32) (result i64)
    (local i32)
    i64.const 0 i32.const 0
    loop (param i64 i32) (result i64 i32)
      local.tee 1 i64.extend_i32_u i64.add
      local.get 1 i32.const 1 i32.add
      local.get 1 i32.const 1 i32.add local.get 0 i32.const 1000 i32.rem_u i32.lt_u
      br_if 0
    end
    drop)
;; a trap in a function O2 inlines into its caller: the trap site is
  ;; in the caller's code, the instruction is $div_u's (test_llvm.c)
  (func $div_u (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_u)
  (func (export "div_via_call") (param i32 i32) (result i32)
    local.get 0 local.get 1 call $div_u i32.const 1 i32.add)
  ;; a dense br_table: LLVM makes a jump table in read-only data (its
  ;; entries are PC-relative relocations against .text, llvm_elf.c)
  (func (export "switch10") (param i32) (result i32)
    block block block block block block block block block block block
    local.get 0 i32.const 13 i32.rem_u
    br_table 0 1 2 3 4 5 6 7 8 9 10
    end local.get 0 i32.const 3 i32.mul return
    end local.get 0 i32.const 7 i32.xor return
    end local.get 0 i32.const 11 i32.add return
    end local.get 0 i32.const 5 i32.shr_u return
    end local.get 0 i32.const 0x55 i32.and return
    end local.get 0 i32.const 9 i32.rotl return
    end local.get 0 i32.clz return
    end local.get 0 i32.popcnt return
    end local.get 0 i32.const 1 i32.sub return
    end local.get 0 i32.const 2 i32.shl return
    end i32.const -1)
  (func (export "br_table") (param i32) (result i32)
    block (result i32)
      block
        block
          block
            local.get 0 br_table 0 1 2 1
          end
          i32.const 100 return
        end
        i32.const 200 br 1
        i32.const 999 drop        ;; dead code after br
      end
      i32.const 300
    end
    i32.const 1 i32.add)
  (func (export "br_table_values") (param i32 i32) (result i32)
    block (result i32)
      block (result i32)
        local.get 1
        local.get 0 br_table 0 1 0
      end
      i32.const 7 i32.mul
    end)
  (func (export "if_params") (param i32 i32) (result i32 i32)
    local.get 1 local.get 1
    local.get 0
    if (param i32 i32) (result i32 i32)
      i32.add i32.const 1
    else
      i32.mul i32.const 2
    end)
  (func (export "if_no_else") (param i32 i32) (result i32)
    local.get 1
    local.get 0
    if (param i32) (result i32) i32.const 3 i32.shl end)
  (func (export "select") (param i32 i64 i64) (result i64)
    local.get 1 local.get 2 local.get 0 select)
  (func (export "select_t") (param f64 f64 i32) (result f64)
    local.get 0 local.get 1 local.get 2 select (result f64))
  (func (export "br_if_value") (param i32) (result i32)
    block (result i32)
      i32.const 11 local.get 0 br_if 0
      drop i32.const 22
    end)
  (func (export "early_return") (param i32) (result i32)
    local.get 0 i32.eqz if i32.const -1 return end
    local.get 0 i32.const 5 i32.mul)
  (func (export "unreachable_if") (param i32) (result i32)
    local.get 0 i32.const 3 i32.eq if unreachable end
    local.get 0)
  (func (export "dead_nested") (param i32) (result i32)
    block (result i32)
      local.get 0 br 0
      block (result i32) i32.const 1 if (result i32) i32.const 2 else i32.const 3 end end
      loop nop end
      i32.add
    end
    nop)
  ;; multiple results: two in registers, five through the result area
  (func $pair (param i32 i64) (result i64 i32)
    local.get 1 local.get 0 i64.extend_i32_s i64.mul local.get 0 i32.const 1 i32.add)
  (func $five (param i32) (result i32 i64 f32 f64 i32)
    local.get 0 local.get 0 i64.extend_i32_u i64.const 3 i64.shl
    local.get 0 f32.convert_i32_s local.get 0 f64.convert_i32_u f64.sqrt
    local.get 0 i32.popcnt)
  (func (export "call_pair") (param i32 i64) (result i64)
    local.get 0 local.get 1 call $pair i64.extend_i32_u i64.xor)
  (func (export "call_five") (param i32) (result i32 i64 f32 f64 i32)
    local.get 0 call $five)
  (func (export "five") (param i32) (result i32 i64 f32 f64 i32)
    local.get 0 call $five drop drop drop drop drop local.get 0 i32.const 1 i32.add call $five)
  (func (export "four_floats") (param f64 f32) (result f64 f32 f64 f32)
    local.get 0 local.get 1 local.get 0 f64.neg local.get 1 f32.neg)
  (func $recurse (export "recurse") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add call $recurse i32.const 1 i32.add)
  (func (export "recurse_bounded") (param i32) (result i32)
    local.get 0 i32.const 1000 i32.rem_u call $down)
  (func $down (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 0
    else local.get 0 i32.const 1 i32.sub call $down i32.const 3 i32.add end)
  (func (export "nop_drop") (param i32) (result i32)
    nop local.get 0 drop nop local.get 0)
  (func (export "div_in_loop") (param i32 i32) (result i32)
    (local i32 i32)
    loop
      local.get 2 local.get 0 local.get 1 i32.div_s i32.add local.set 2
      local.get 3 i32.const 1 i32.add local.tee 3 i32.const 4 i32.lt_u br_if 0
    end
    local.get 2)
;; tail recursion, unbounded: must trap "call stack exhausted", not
  ;; become a loop (the backend disables tail-call elimination)
  (func $tail (export "recurse_tail") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add call $tail)
  ;; dead code after return, br_table and unreachable holding every kind
  ;; of immediate: skipped, not translated
  (func (export "dead_immediates") (param i32) (result i32)
    block (result i32)
      local.get 0 i32.const 1 i32.and
      if local.get 0 return end
      local.get 0 i32.const 2 i32.and
      if i32.const 5 return
        i64.const -1 f32.const nan f64.const -inf drop drop drop
        i32.const 0 i32.load offset=123 i32.const 0 i32.store16 offset=7
        memory.size memory.grow drop
        i32.const 1 i32.const 2 i32.const 0 select (result i32) drop
        i32.const 0 br_table 0 0 0
        f32.const 1 i32.trunc_sat_f32_u drop
        call $fib ref.null func ref.is_null drop
        block (type $ii_i) unreachable end drop
        loop (result i32) br 0 end drop
        global.get 0 drop
      end
      local.get 0 br 0
      i32.const 9 br_if 0
      unreachable
    end
    i32.const 3 i32.add)
)

