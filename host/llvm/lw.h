/*
 * lw.h — internal to the LLVM backend (host/llvm/): the state of the
 * translation of one Wasm function to LLVM IR.
 *
 *   llvm_module.c   module: declare every function in ABI v1 (tailcc
 *                   bodies behind v1 wrappers in a module with tail
 *                   calls), entry trampolines, the O2 pipeline
 *   llvm_func.c     one body: prologue, locals, value stack, the opcode
 *                   loop (skipping dead code), traps, return
 *   llvm_ctl.c      control (blocks as basic blocks, block values as
 *                   phis), direct calls and return_call
 *   llvm_mem.c      globals, loads/stores, memory.size/grow
 *   llvm_ref.c      references, tables, call_indirect, return_call_
 *                   indirect, bulk memory
 *   llvm_eh.c       exception handling (try/catch/throw/...)
 *   llvm_debug.c    line tables: each instruction's Wasm offset
 *   llvm_emit.c     code generation into an ELF object in memory
 *   llvm_elf.c      that object -> one position-independent blob
 *   llvm_lines.c    its .debug_line -> (code offset, Wasm offset) rows
 *   llvm_num.c      the numeric opcodes with Wasm semantics (explicit
 *                   checks where Wasm traps and LLVM would be undefined)
 *   llvm_simd.c     the 0xfd (SIMD) opcodes on LLVM vector types
 *
 * Requires a validated module: the translator trusts the types on the
 * stack and the immediates (wasm_module_load validated the body).
 */
#ifndef HOST_LLVM_LW_H
#define HOST_LLVM_LW_H

#include <stdbool.h>
#include <stdint.h>
#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/DebugInfo.h>
#include "module.h"
#include "leb.h"

/* LLVM's `tailcc` (llvm::CallingConv::Tail, llvm/IR/CallingConv.h; the
 * C API of LLVM 14 has no enumerator for it) */
#define LW_TAILCC 18

/* How a function type's results come back (docs/abi.md "Results"). */
enum lw_ret { LW_RET_VOID, LW_RET_ONE, LW_RET_STRUCT, LW_RET_AREA };

struct lw_ctl {
	uint8_t kind;                   /* OP_BLOCK, OP_LOOP, OP_IF; 0 function */
	uint32_t nparams, nresults;
	const uint8_t *params, *results;
	uint32_t height;                /* stack height below the params */
	LLVMBasicBlockRef target;       /* where br goes (loop: header) */
	LLVMBasicBlockRef end;          /* after the block */
	LLVMBasicBlockRef else_bb;      /* if, until its else: the false edge */
	LLVMValueRef *target_phis;      /* br's values (loop: nparams, else
					   nresults) */
	LLVMValueRef *end_phis;         /* nresults, at end (== target_phis
					   unless loop) */
	LLVMValueRef *else_args;        /* if: the params, for the else arm */
	bool end_reached;               /* some edge goes to end */
	/* exception handling (llvm_eh.c): what a branch to this frame
	   leaves, counted when it was pushed (as jit/compile/fc.h) */
	uint32_t tries_below, catches_below;   /* s->ntry, s->ncatch then */
	int32_t body_below;             /* innermost active try body below (-1) */
	/* a try (kind OP_TRY) */
	uint8_t eh;                     /* LW_EH_BODY, then LW_EH_CATCH */
	bool catch_all;
	LLVMValueRef rec;               /* its handler record (an alloca) */
	LLVMValueRef exn;               /* the exception at its handler */
	LLVMBasicBlockRef handler;      /* wasm_eh_try returned an exception */
	LLVMBasicBlockRef next;         /* the next clause's test */
};

enum { LW_EH_BODY = 1, LW_EH_CATCH = 2 };

/* One function being translated. */
struct lw {
	const wasm_module *m;
	LLVMContextRef c;
	LLVMModuleRef mod;
	LLVMBuilderRef b;
	LLVMValueRef *fns;              /* per function index (imports: NULL):
					   what a direct call calls (the tailcc
					   body when tail is set) */
	LLVMValueRef *v1;               /* the v1 function wasm_func_<i> (==
					   fns[i] unless tail) */
	bool tail;                      /* the module has return_call*: every
					   own function is a tailcc body
					   wasm_body_<i> behind a ccc v1 wrapper
					   (llvm_module.c "Tail calls") */
	LLVMValueRef bodies;            /* tail: i32 table, body i - nimported
					   at its entry's address + entry */
	uint32_t func;                  /* index being translated */
	LLVMValueRef fn;
	LLVMValueRef ctx;               /* i8*, parameter 0 */
	LLVMValueRef results_area;      /* i64* or NULL */
	LLVMValueRef mem_base;          /* i8*, loaded once, or NULL */
	LLVMBasicBlockRef entry;
	uint32_t op_off;                /* module offset of the opcode being
					   translated (trap sites record it) */
	struct wasm_reader r;
	uint32_t nlocals;
	uint8_t *local_types;
	LLVMValueRef *locals;           /* allocas (mem2reg promotes them) */
	LLVMValueRef *stack;
	uint32_t sp, stack_cap;
	struct lw_ctl *ctl;
	uint32_t nctl, ctl_cap;
	bool dead;                      /* no insertion block: skip to else/end */
	/* exception handling (llvm_eh.c) */
	bool has_try;                   /* the function has a try */
	bool *local_mem;                /* per local: written in a try body, so
					   kept in memory (volatile) */
	uint32_t ntry, ncatch;          /* open try frames, those in a catch */
	LLVMValueRef eh_entry;          /* ctx->eh_top at entry (has_try) */
	LLVMValueRef *eh_recs;          /* handler records, per try depth */
	uint32_t neh_recs;
	LLVMValueRef throw_area;        /* a throw's payload (16-byte places) */
	uint32_t eh_maxp;               /* the most values a throw carries */
	unsigned cpu;                   /* JIT_CPU_* the code may use (jit.h) */
	/* llvm_debug.c: line tables with Wasm offsets as lines */
	LLVMDIBuilderRef dib;
	LLVMMetadataRef difile, disubty;
	char *err;
	size_t errlen;
	/* types */
	LLVMTypeRef i1, i8, i16, i32, i64, f32, f64, ptr, vd;
	/* v128 (llvm_simd.c): v128 is the canonical type of every v128 on
	   the stack, in locals, params, results and phis (<2 x i64>); the
	   others are its lane shapes, bitcast to and from it */
	LLVMTypeRef v128, v16i8, v8i16, v4i32, v4f32, v2f64;
};

/* llvm_emit.c: the target machine of O2 and of code generation */
#define LW_TRIPLE "x86_64-unknown-linux-gnu"
LLVMTargetMachineRef lw_target_machine(char *err, size_t errlen);

/* llvm_module.c */
#define LW_TRAP_STUB "wasm_trap"        /* jmp *CTX_TRAP(%rdi) */
#define LW_TRAP_SECTION ".wasm_traps"   /* per site: int32 site - here,
					   uint32 wasm offset (llvm_elf.c) */
LLVMTypeRef lw_valtype(struct lw *s, uint8_t t);
enum lw_ret lw_ret_kind(const struct wasm_functype *ft);
LLVMTypeRef lw_fn_type(struct lw *s, const struct wasm_functype *ft);
void lw_types(struct lw *s);

/* llvm_func.c */
bool lw_func(struct lw *s, uint32_t func);
/* does any own function's body hold return_call or return_call_indirect
 * (reachable or not)?  false for a body it cannot read (the translation
 * then fails on it) */
bool lw_module_has_tail_calls(const wasm_module *m);
bool lw_fail(struct lw *s, const char *fmt, ...);
/* "llvm backend: <what> not supported yet (function N)"; false */
bool lw_unsupported(struct lw *s, const char *what);
/* a pointer to the field at byte offset off (abi.h CTX_*) of *ctx, as t* */
LLVMValueRef lw_ctx_field(struct lw *s, unsigned off, LLVMTypeRef t);
/* a load marked !invariant.load (a field that never changes) */
LLVMValueRef lw_load_invariant(struct lw *s, LLVMTypeRef t, LLVMValueRef p);
const char *lw_opname(uint8_t op);
/* skip op's immediates (false: malformed) */
bool lw_skip_imm(struct lw *s, uint8_t op);
void lw_push(struct lw *s, LLVMValueRef v);
LLVMValueRef lw_pop(struct lw *s);
/* Trap with code (enum wasm_trap_code) when cond (i1) is true. */
void lw_trap_if(struct lw *s, LLVMValueRef cond, unsigned code);
/* the same, naming the element index (i32) in the trap (jit.h) */
void lw_trap_idx_if(struct lw *s, LLVMValueRef cond, unsigned code, LLVMValueRef index);
/* trap with the code in an i32 unless it is 0 */
void lw_trap_nonzero(struct lw *s, LLVMValueRef code);
/* call the struct jit_rt helper at byte offset off through ctx->rt */
LLVMValueRef lw_rt_call(struct lw *s, size_t off, LLVMTypeRef ret, LLVMTypeRef *at,
			LLVMValueRef *args, unsigned n);
LLVMValueRef lw_intrinsic(struct lw *s, const char *name, LLVMTypeRef ret,
			  LLVMValueRef *args, unsigned nargs);

/* llvm_mem.c, multi-memory: memory mem's base (i8*; mem 0: s->mem_base),
 * a field of its struct jit_memory at off (JM_*, mem > 0) as t*, and a
 * memory index immediate (a u32: 2.0's 0x00 byte reads as one) */
LLVMValueRef lw_mem_base(struct lw *s, uint32_t mem);
LLVMValueRef lw_memory_field(struct lw *s, uint32_t mem, unsigned off, LLVMTypeRef t);
bool lw_memidx(struct lw *s, uint32_t *mem);

/* llvm_ctl.c: each translates one opcode whose byte has been read */
bool lw_op_block(struct lw *s, uint8_t kind);    /* block, loop, if */
void lw_op_else(struct lw *s);
bool lw_op_end(struct lw *s);
bool lw_op_br(struct lw *s, uint32_t depth);
bool lw_op_br_if(struct lw *s, uint32_t depth);
bool lw_op_br_table(struct lw *s);
bool lw_op_call(struct lw *s, uint32_t func);
/* branch to c's target with its values (the top of the stack) */
void lw_br_to(struct lw *s, struct lw_ctl *c);
bool lw_op_return_call(struct lw *s, uint32_t func);
/* return_call's end: a guaranteed tail call (`tail call tailcc`) of fn
 * (a tailcc body) with callee_ctx and the params popped, the caller's own
 * result area passed on, and `ret` of its result; the code after is dead */
void lw_emit_tail_call(struct lw *s, const struct wasm_functype *ft, LLVMValueRef fn,
		       LLVMValueRef callee_ctx);
/* the results on the stack (of a call that was not a tail call) returned */
void lw_emit_return(struct lw *s, const struct wasm_functype *ft);
/* a v1 call of fn with callee_ctx: pops the params, pushes the results */
void lw_emit_call(struct lw *s, const struct wasm_functype *ft, LLVMValueRef fn,
		  LLVMValueRef callee_ctx);
/* an alloca of n t's in the entry block */
LLVMValueRef lw_entry_alloca(struct lw *s, LLVMTypeRef t, unsigned n);
struct lw_ctl *lw_push_ctl(struct lw *s);
LLVMValueRef *lw_make_phis(struct lw *s, LLVMBasicBlockRef bb, uint32_t n,
			   const uint8_t *types);
void lw_free_ctl(struct lw_ctl *c);

/* llvm_mem.c */
/* reads a memarg, pops the i32 address: a t* into the memory it names;
 * NULL on a bad memarg.  lw_mem_access marks a load or store as every
 * linear memory access is (align 1, volatile: llvm_mem.c says why). */
LLVMValueRef lw_mem_addr(struct lw *s, LLVMTypeRef t);
LLVMValueRef lw_mem_access(LLVMValueRef ld_or_st);
bool lw_op_load(struct lw *s, uint8_t op);       /* i32.load..i64.load32_u */
bool lw_op_store(struct lw *s, uint8_t op);      /* i32.store..i64.store32 */
bool lw_op_memory(struct lw *s, uint8_t op);     /* memory.size/grow */
bool lw_op_global(struct lw *s, uint8_t op);     /* global.get/set */

/* llvm_ref.c: references, tables, call_indirect, bulk memory */
bool lw_op_ref(struct lw *s, uint8_t op);        /* ref.null/is_null/func */
bool lw_op_table_get_set(struct lw *s, uint8_t op);
bool lw_op_call_indirect(struct lw *s);
bool lw_op_return_call_indirect(struct lw *s);
bool lw_op_fc_bulk(struct lw *s, uint32_t sub);  /* 0xfc memory.init.. */
LLVMValueRef lw_load_slot(struct lw *s, LLVMValueRef area, uint32_t i, LLVMTypeRef t);
void lw_store_slot(struct lw *s, LLVMValueRef area, uint32_t i, LLVMValueRef v);
LLVMValueRef lw_funcref(struct lw *s, uint32_t f);      /* ctx->funcrefs[f] */
LLVMValueRef lw_funcref_field(struct lw *s, LLVMValueRef fr, size_t off, bool is_ptr);

/* llvm_num.c: i32.eqz..i64.extend32_s, and the 0xfc trunc_sat ones.  False (with s->err)
 * for an opcode it does not know. */
bool lw_numeric(struct lw *s, uint8_t op);
bool lw_trunc_sat(struct lw *s, uint32_t sub);

/* llvm_simd.c: one 0xfd instruction (the prefix byte has been read);
 * a sub-opcode outside Wasm 2.0 is refused by number */
bool lw_simd(struct lw *s);
/* true if ft has a v128 param or result */
bool lw_type_has_v128(const struct wasm_functype *ft);

/* llvm_eh.c: exception handling (docs/abi.md "Exceptions", LLVM part) */
#define LW_EH_TRY "wasm_eh_try"         /* the module's setjmp-like stub */
void lw_eh_stubs(struct lw *s);
/* at the body's first instruction: has_try and local_mem (a walk of
 * the body; s->r comes back) */
bool lw_eh_scan(struct lw *s, uint32_t nlocals);
/* in the prologue (has_try): eh_entry */
void lw_eh_prologue(struct lw *s);
bool lw_eh_op(struct lw *s, uint8_t op);        /* try..catch_all, in live code */
bool lw_eh_end(struct lw *s);                   /* end of a try */
/* a branch to depth leaves try or catch bodies: emit what leaving them
 * takes (before the branch, after its values are taken) */
bool lw_eh_exits(struct lw *s, uint32_t depth);
void lw_eh_emit_exit(struct lw *s, uint32_t depth);
/* return_call*: leave every try/catch body this point is in (llvm_ctl.c) */
void lw_eh_leave_all(struct lw *s);
void lw_eh_free(struct lw *s);

/* llvm_debug.c */
void lw_debug_begin(struct lw *s);
void lw_debug_func(struct lw *s, uint32_t i, LLVMValueRef fn);
void lw_debug_loc(struct lw *s, uint32_t off);
void lw_debug_end(struct lw *s);

#endif
