/*
 * test_llvm_tail.c — test_tail.c's cases through the LLVM backend (issue
 * 10; host/llvm/llvm_module.c "Tail calls", docs/abi.md): every module
 * gets the backend's code (llvm_wasm_module_code) and the same checks
 * run, the constant-stack ones included: the 1,000,000 deep mutual
 * recursions with stack arguments, direct (f8 <-> g11) and through a
 * table (h2 -> k9 -> h2), whose host probe must see one frame address at
 * every 100,000th level, while the same recursions with `call` exhaust
 * the stack; results through memory; tail calls to an import (a call and
 * a return in the LLVM backend: the host function's frame still does not
 * move, being one frame below a tail recursion); across instances; a
 * trap's backtrace; a v1 caller with r14/r15 of its own.
 */
#define TAIL_LLVM 1
#include "test_tail.c"
