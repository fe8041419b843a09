;; unsupported.wat — an opcode outside the LLVM backend's first slice
;; (call_indirect, in function 1): translation must fail with a message
;; naming the opcode and the function, never crash or emit code.
(module
  (type $v_i (func (result i32)))
  (table 1 funcref)
  (func $zero (result i32) i32.const 0)
  (func (export "indirect") (result i32) i32.const 0 call_indirect (type $v_i))
)
