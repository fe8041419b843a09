/*
 * llvm_backend.h — the LLVM backend (issue 9): a decoded, validated
 * wasm_module (jit/module.h) -> an LLVM module in wasm ABI v1
 * (docs/abi.md) -> the O2 pipeline.  Host-side only (image builder,
 * `compile`, hosted runs); the kernel will only load its output.
 *
 * Every own function i becomes `wasm_func_<i>`:
 *     R wasm_func_<i>(struct jit_ctx *ctx, [void *results,] params...)
 * (ccc, "frame-pointer"="all", noredzone, "disable-tail-calls"), and
 * `wasm_entry_<i>(ctx, const uint64_t *args, uint64_t *results)` calls it
 * with the arguments and results in 8-byte value slots (for callers that
 * do not know the signature at compile time: tests, later jit_enter).
 *
 * This is the first slice: numeric opcodes, control flow, direct calls to
 * own functions, globals, loads/stores, memory.size/grow.  Anything else
 * fails with "llvm backend: <opcode> not supported yet (function N)".
 */
#ifndef HOST_LLVM_BACKEND_H
#define HOST_LLVM_BACKEND_H

#include <stddef.h>
#include <llvm-c/Core.h>
#include "module.h"

/* Translate module m (already decoded and validated by wasm_module_load)
 * into a new LLVM module in context c.  cpu is the JIT_CPU_* set the code
 * may use (jit.h); SSE4.1 is required for now.  0 and *out, or -1 with
 * the message in err. */
int llvm_wasm_translate(const wasm_module *m, LLVMContextRef c, unsigned cpu,
			LLVMModuleRef *out, char *err, size_t errlen);

/* Verify the module, then run the "default<O2>" pipeline (new pass
 * manager) and verify again.  0, or -1 with the message in err. */
int llvm_wasm_optimize(LLVMModuleRef mod, char *err, size_t errlen);

#endif
