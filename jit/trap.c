/*
 * trap.c — from a machine address in compiled code back to Wasm: function
 * index and byte offset (srcmap), trap records with a backtrace along the
 * rbp chain, the record of the innermost jit_enter (the running instance)
 * and the platform fault handler's hook (wasm_fault_redirect, DESIGN.md
 * decisions 2-4, docs/abi.md "Traps").
 *
 * Address conventions:
 *   - srcmap entries sit at the first byte of the instruction they describe
 *     (memory access, call, trap call).
 *   - jit_trap_record's `rip` is a return address (one past the call that
 *     trapped); a fault passes its faulting rip + 1.  Looking up rip - 1
 *     therefore lands inside the right instruction in both cases.
 */
#include <string.h>
#include "jit.h"
#include "plat.h"

/* largest i with a[i] <= x, or -1 */
static long floor_index(const uint32_t *a, size_t stride, size_t n, uint32_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (*(const uint32_t *)((const uint8_t *)a + mid * stride) <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

/* The own function whose body holds module byte offset off (code
 * section order is index order), or -1. */
static long func_of_wasm_off(const wasm_module *m, uint32_t off)
{
	uint32_t lo = m->nimported_funcs, hi = m->nfuncs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (m->funcs[mid].body_end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->nfuncs && m->funcs[lo].body_start <= off ? (long)lo : -1;
}

/* LLVM code (jit.h struct jit_code): the entry at or before the address
 * in its function; 0 there means no Wasm instruction in particular (the
 * function's start), and an inlined instruction is named with the
 * function whose body holds it. */
static void llvm_lookup(const wasm_module *m, const struct jit_code *c, long fi, long mi,
			uint32_t *func_index, uint32_t *wasm_off)
{
	long inl;

	*wasm_off = m->funcs[fi].body_start;
	if (mi < 0 || c->map[mi].code_off < c->func_offsets[fi] || !c->map[mi].wasm_off)
		return;
	inl = func_of_wasm_off(m, c->map[mi].wasm_off);
	if (inl >= 0) {
		*func_index = (uint32_t)inl;
		*wasm_off = c->map[mi].wasm_off;
	}
}

bool jit_code_lookup(const wasm_module *m, uintptr_t rip,
		     uint32_t *func_index, uint32_t *wasm_off)
{
	const struct jit_code *c = m ? m->code : NULL;

	if (!c || rip < (uintptr_t)c->base || rip >= (uintptr_t)c->base + c->size)
		return false;
	uint32_t off = (uint32_t)(rip - (uintptr_t)c->base);
	long fi = floor_index(c->func_offsets, sizeof(uint32_t), c->nfuncs, off);
	if (fi < 0 || off >= c->func_ends[fi])
		return false;
	long mi = floor_index(&c->map[0].code_off, sizeof(struct jit_srcmap), c->nmap, off);
	*func_index = (uint32_t)fi;
	if (c->backend == JIT_BACKEND_LLVM && !m->funcs[fi].imported)
		llvm_lookup(m, c, fi, mi, func_index, wasm_off);
	else if (mi >= 0 && c->map[mi].code_off >= c->func_offsets[fi])
		*wasm_off = c->map[mi].wasm_off;
	else if (!m->funcs[fi].imported)
		*wasm_off = m->funcs[fi].body_start;
	else
		*wasm_off = 0;
	return true;
}

/* Is pc inside a function's entry thunk (jit.h JIT_ENTRY_THUNK; only
 * single-pass code has them)? */
static bool in_entry_thunk(const wasm_module *m, uintptr_t pc)
{
	const struct jit_code *c = m ? m->code : NULL;

	if (!c || c->backend != JIT_BACKEND_SINGLE || pc < (uintptr_t)c->base ||
	    pc >= (uintptr_t)c->base + c->size)
		return false;
	uint32_t off = (uint32_t)(pc - (uintptr_t)c->base);
	long fi = floor_index(c->func_offsets, sizeof(uint32_t), c->nfuncs, off);
	return fi >= 0 && !m->funcs[fi].imported && off < c->func_offsets[fi] + JIT_ENTRY_THUNK;
}

/* Is pc past the last function of single-pass code: the tail-call
 * adapter (jit/compile/control.c "Tail calls"), whose frame record is the
 * next one on the chain? */
static bool in_tail_adapter(const wasm_module *m, uintptr_t pc)
{
	const struct jit_code *c = m ? m->code : NULL;

	if (!c || c->backend != JIT_BACKEND_SINGLE || !c->nfuncs ||
	    pc < (uintptr_t)c->base || pc >= (uintptr_t)c->base + c->size)
		return false;
	return pc - (uintptr_t)c->base >= c->func_ends[c->nfuncs - 1];
}

static bool add_frame(const wasm_module *m, struct wasm_trap *t, uintptr_t pc)
{
	uint32_t fi, off;

	if (t->nframes >= WASM_BACKTRACE_MAX || !jit_code_lookup(m, pc, &fi, &off))
		return false;
	t->frames[t->nframes].func_index = fi;
	t->frames[t->nframes].offset = off;
	t->frames[t->nframes].name = wasm_func_name(m, fi);
	t->nframes++;
	return true;
}

void jit_trap_record(struct jit_ctx *ctx, enum wasm_trap_code code,
		     uintptr_t rip, uintptr_t rbp)
{
	struct wasm_trap *t = ctx->trap_out;
	const wasm_module *m = jit_ctx_module(ctx);
	uintptr_t lo = (uintptr_t)ctx->stack_base;
	uintptr_t hi = lo + ctx->stack_size;

	if (!t)
		return;
	t->code = code;
	t->nframes = 0;
	t->has_index = false;
	t->index = 0;
	add_frame(m, t, rip - 1);
	/* caller frames: [rbp] = caller's rbp, [rbp + 8] = return address;
	   only frames on this instance's Wasm stack are trusted */
	while (rbp >= lo && rbp + 16 <= hi && !(rbp & 7)) {
		const uintptr_t *fp = (const uintptr_t *)rbp;
		if (in_entry_thunk(m, fp[1] - 1))
			;       /* the v1 entry of the function below: not a call site */
		else if (in_tail_adapter(m, fp[1] - 1))
			;       /* a tail call's adapter: its caller's record is next */
		else if (!add_frame(m, t, fp[1] - 1))
			break;
		if (fp[0] <= rbp)
			break;
		rbp = fp[0];
	}
}

void jit_trap_record_site(struct jit_ctx *ctx, uint32_t code_flags, uintptr_t rip,
			  uintptr_t rbp, uint32_t index)
{
	jit_trap_record(ctx, (enum wasm_trap_code)(code_flags & 0xff), rip, rbp);
	if ((code_flags & JIT_TRAP_INDEX) && ctx->trap_out) {
		ctx->trap_out->has_index = true;
		ctx->trap_out->index = index;
	}
}

/* The record is one slot per thread (CPU): the innermost entry's ctx.
 * An entry from inside a host function (a nested wasm_call, call_ref to
 * another instance) replaces it for its duration; jit_enter_raw returns
 * here both normally and through jit_unwind, so the outer one is always
 * put back. */
int jit_enter(struct jit_ctx *ctx, void *fn, struct jit_call *c, void *stack_top)
{
	struct jit_ctx **cur = plat_current_ctx();
	struct jit_ctx *outer = *cur;
	/* exception handling (docs/abi.md "Exceptions"): the handlers of
	   the code that called out to us are not ours to reach (an
	   exception leaves this entry, and the caller throws it again in
	   its own level); what catch bodies inside took is dropped however
	   the call ends */
	struct jit_eh_rec *eh_top = ctx->eh_top;
	uint64_t ncaught = ctx->eh_ncaught;
	int rc;

	*cur = ctx;
	ctx->eh_top = NULL;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);        /* set before the code runs */
	rc = jit_enter_raw(ctx, fn, c, stack_top);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	*cur = outer;
	ctx->eh_top = eh_top;
	jit_eh_drop_to(ctx, ncaught);
	return rc;
}

/* The running instance is the innermost jit_enter's (docs/abi.md
 * "Traps"): code of one instance calls another's only through the
 * runtime (jit_call_ref, an import's host function), which enters it
 * with jit_enter.  Not r14: code from other backends keeps nothing
 * there. */
/* addr is inside the 8 GiB reservation of one of ctx's memories (each
 * memory its own, multi-memory) */
static bool in_memory_reservation(struct jit_ctx *ctx, const wasm_module *m,
				  uintptr_t addr)
{
	for (uint32_t i = 0; ctx->mems && i < m->nmemories; i++) {
		uintptr_t mem = ctx->mems[i] ? (uintptr_t)ctx->mems[i]->base : 0;

		if (mem && addr >= mem && addr - mem < JIT_MEM_RESERVATION)
			return true;
	}
	return false;
}

bool wasm_fault_redirect(struct wasm_fault *f)
{
	struct jit_ctx *ctx = *plat_current_ctx();
	const wasm_module *m;
	enum wasm_trap_code code;

	if (!jit_ctx_is_live((uintptr_t)ctx))
		return false;
	m = jit_ctx_module(ctx);
	if (!m || !m->code)
		return false;
	if (f->rip < (uintptr_t)m->code->base ||
	    f->rip >= (uintptr_t)m->code->base + m->code->size)
		return false;
	uintptr_t stk = (uintptr_t)ctx->stack_base;
	if (in_memory_reservation(ctx, m, f->addr))
		code = WASM_TRAP_MEMORY_OOB;
	else if (stk && f->addr + 4096 >= stk && f->addr < stk + 4096)
		code = WASM_TRAP_STACK_EXHAUSTED;     /* the guard page, either side */
	else
		return false;
	jit_trap_record(ctx, code, f->rip + 1, f->rbp);
	f->new_rip = (uintptr_t)jit_unwind;
	f->new_rdi = (uintptr_t)ctx;
	f->new_rsi = (uintptr_t)code;
	f->new_rsp = f->rsp;
	return true;
}
