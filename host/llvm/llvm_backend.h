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
 * In a module with tail calls wasm_func_<i> is a wrapper that calls the
 * function's tailcc body `wasm_body_<i>` (llvm_module.c "Tail calls").
 *
 * Every Wasm 2.0 instruction, SIMD included (v128 as <2 x i64>, in xmm
 * registers as docs/abi.md says; llvm_simd.c).  Imports and funcrefs are called through
 * struct jit_funcref (code with rdi = its ctx), the runtime's helpers
 * through ctx->rt (jit.h); compiled code holds no C function's address.
 *
 * Code comes out without a JIT: llvm_wasm_emit_object writes an ELF
 * object into memory (PIC, small code model), llvm_wasm_link_object
 * (llvm_elf.c) reads it as hostile input and gives back one position-
 * independent blob with each function's offset and size and every trap
 * site with the Wasm offset of its instruction.  Traps go through the
 * module's stub `wasm_trap` (a jump through ctx->trap).
 */
#ifndef HOST_LLVM_BACKEND_H
#define HOST_LLVM_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <llvm-c/Core.h>
#include "module.h"

/* Translate module m (already decoded and validated by wasm_module_load)
 * into a new LLVM module in context c.  cpu is the JIT_CPU_* set the code
 * may use (jit.h), any subset of JIT_CPU_ALL (0: x86-64 with SSE2 only).
 * 0 and *out, or -1 with the message in err. */
int llvm_wasm_translate(const wasm_module *m, LLVMContextRef c, unsigned cpu,
			LLVMModuleRef *out, char *err, size_t errlen);

/* Verify the module, then run the "default<O2>" pipeline (new pass
 * manager, with the x86-64 target machine's cost model) and verify again.  0, or -1 with the message in err. */
int llvm_wasm_optimize(LLVMModuleRef mod, char *err, size_t errlen);

/* Code generation: the O2 code generator, PIC, small code model, the
 * per-function target features (cpu, JIT_CPU_*); an ELF-64 relocatable
 * object in *out (free with LLVMDisposeMemoryBuffer).  0 or -1 (err). */
int llvm_wasm_emit_object(LLVMModuleRef mod, LLVMMemoryBufferRef *out, char *err,
			  size_t errlen);

/* Position-independent code for a module: the blob holds the code and
 * its read-only data, relocated; it runs at any address once copied into
 * executable memory.  Per function index (imports: UINT32_MAX, size 0):
 * wasm_func_<i> (v1; its size includes the tailcc body wasm_body_<i>
 * right after it, in a module with tail calls) and wasm_entry_<i>
 * (slots).  The function ranges
 * [func_off, func_off + func_size) are what backtraces map a return
 * address with; traps are the addresses ctx->trap is called from. */
struct llvm_wasm_code {
	uint8_t *blob;
	size_t size;
	uint32_t align;         /* the blob's start must be a multiple (<= 4096) */
	uint32_t nfuncs;
	uint32_t *func_off, *func_size;
	uint32_t *entry_off;
	/* every trap site, by ascending site: the return address of its
	   call (what ctx->trap sees), the Wasm byte offset (in the module) of
	   the instruction that traps there (the function body's start for
	   the stack check), and the function whose instruction it is
	   (llvm_wasm_compile; UINT32_MAX from llvm_wasm_link_object alone).
	   O2 inlines: a site in one function's code range may be an
	   instruction of another, and func names that one. */
	uint32_t ntraps;
	struct llvm_trap_site { uint32_t site, wasm_off, func; } *traps;
	/* the line table (llvm_debug.c, llvm_lines.c): from code offset
	   `code` on, up to the next row, the machine code is of the Wasm
	   instruction at module offset wasm_off (0: of none in particular,
	   e.g. padding after a function); ascending code offsets, one row
	   per offset */
	uint32_t nlines;
	struct llvm_line { uint32_t code, wasm_off; } *lines;
};

/* llvm_elf.c: the blob from an object of llvm_wasm_emit_object (any
 * bytes: every field is checked; refused with a message).  0 or -1. */
int llvm_wasm_link_object(const uint8_t *obj, size_t len, uint32_t nfuncs,
			  struct llvm_wasm_code *out, char *err, size_t errlen);
void llvm_wasm_code_free(struct llvm_wasm_code *c);

/* llvm_lines.c: the rows of a relocated .debug_line section (its
 * set_address operands already code offsets in the blob, below
 * text_end), sorted and one per offset.  0, or -1 with err. */
int llvm_parse_lines(const uint8_t *sec, size_t len, uint64_t text_end,
		     struct llvm_line **out, uint32_t *nout, char *err, size_t errlen);

/* Measurement only (bench/llvm_kernels -plain): nonzero makes linear
 * memory accesses plain loads and stores instead of volatile ones.  NOT
 * sound (llvm_mem.c: O2 may delete or move an access that must trap);
 * never set outside that bench.  0 by default. */
extern int llvm_wasm_plain_memory;

/* All of it: translate, O2, object, blob; checks that every own function
 * and its entry are in the blob.  0 or -1 (err). */
int llvm_wasm_compile(const wasm_module *m, unsigned cpu, struct llvm_wasm_code *out,
		      char *err, size_t errlen);

/* llvm_code.c: m's code (m from wasm_module_load, not instantiated)
 * replaced by the backend's: compiled for cpu (JIT_CPU_*), the import
 * stubs of the single-pass JIT before it, as the runtime's struct
 * jit_code of backend JIT_BACKEND_LLVM (jit.h), sealed.  On failure m
 * keeps its code.  0, or -1 with err. */
int llvm_wasm_module_code(wasm_module *m, unsigned cpu, char *err, size_t errlen);

#endif
