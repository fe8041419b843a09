/*
 * llvm_ref.c — the Wasm 2.0 reference, table and bulk-memory instructions
 * (Core spec 2.0 §4.4.5 reference, §4.4.6 table, §4.4.7 memory.copy/
 * fill/init, data.drop; §4.4.8 call_indirect; the tail-call proposal's
 * return_call_indirect) as LLVM IR in wasm ABI v1
 * (docs/abi.md).  The same split as the single-pass JIT
 * (jit/compile/memory.c, control.c): inline table.get/set/size, ref.*,
 * memory.copy/fill (rep movsb/stosb, as inline assembly: an LLVM memmove
 * or memset would become a call to the C library, and compiled code never
 * holds a C function's address); everything else through the runtime's
 * helpers (struct jit_rt, plain SysV calls through ctx->rt), with the
 * same trap codes.  Multi-memory: the bulk instructions on a memory
 * other than 0 through jit_rt's *_n helpers, as the single-pass JIT.
 *
 * A reference value is an i64 (jit.h: 0 = null; a funcref is a struct
 * jit_funcref *).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "lw.h"
#include "abi.h"
#include "jit.h"
#include "opcodes.h"
#include "wasm.h"

/* the i-th 8-byte value slot of area (i64*), as a t (a v128: slots i
 * and i + 1) */
LLVMValueRef lw_load_slot(struct lw *s, LLVMValueRef area, uint32_t i, LLVMTypeRef t)
{
	LLVMValueRef idx = LLVMConstInt(s->i64, i, false);
	LLVMValueRef p = LLVMBuildGEP2(s->b, s->i64, area, &idx, 1, "");

	p = LLVMBuildBitCast(s->b, p, LLVMPointerType(t, 0), "");
	p = LLVMBuildLoad2(s->b, t, p, "");
	LLVMSetAlignment(p, 8);         /* a v128 too: slots are 8-aligned */
	return p;
}

void lw_store_slot(struct lw *s, LLVMValueRef area, uint32_t i, LLVMValueRef v)
{
	LLVMValueRef idx = LLVMConstInt(s->i64, i, false);
	LLVMValueRef p = LLVMBuildGEP2(s->b, s->i64, area, &idx, 1, "");

	LLVMBuildStore(s->b, v, LLVMBuildBitCast(s->b, p,
			LLVMPointerType(LLVMTypeOf(v), 0), ""));
}

/* ctx->funcrefs[f] (i8*): fixed for the instance's life */
LLVMValueRef lw_funcref(struct lw *s, uint32_t f)
{
	LLVMTypeRef pp = LLVMPointerType(s->ptr, 0);
	LLVMValueRef arr = lw_load_invariant(s, pp, lw_ctx_field(s, CTX_FUNCREFS, pp));
	LLVMValueRef idx = LLVMConstInt(s->i64, f, false);

	return lw_load_invariant(s, s->ptr, LLVMBuildGEP2(s->b, s->ptr, arr, &idx, 1, ""));
}

/* a pointer-sized (is_ptr) or u32 field of a struct jit_funcref (i8*) */
LLVMValueRef lw_funcref_field(struct lw *s, LLVMValueRef fr, size_t off, bool is_ptr)
{
	LLVMTypeRef t = is_ptr ? s->ptr : s->i32;
	LLVMValueRef idx = LLVMConstInt(s->i64, off, false);
	LLVMValueRef p = LLVMBuildGEP2(s->b, s->i8, fr, &idx, 1, "");

	return LLVMBuildLoad2(s->b, t, LLVMBuildBitCast(s->b, p, LLVMPointerType(t, 0), ""), "");
}

/* ---- tables ------------------------------------------------------------ */

/* ctx->tables[x] (i8*): an imported table is the exporter's struct, which
 * never moves; its size and elems change (grow), so they are plain loads */
static LLVMValueRef table_ptr(struct lw *s, uint32_t x)
{
	LLVMTypeRef pp = LLVMPointerType(s->ptr, 0);
	LLVMValueRef arr = lw_load_invariant(s, pp, lw_ctx_field(s, CTX_TABLES, pp));
	LLVMValueRef idx = LLVMConstInt(s->i64, x, false);

	return lw_load_invariant(s, s->ptr, LLVMBuildGEP2(s->b, s->ptr, arr, &idx, 1, ""));
}

static LLVMValueRef table_field(struct lw *s, LLVMValueRef t, size_t off, LLVMTypeRef ty)
{
	LLVMValueRef idx = LLVMConstInt(s->i64, off, false);
	LLVMValueRef p = LLVMBuildGEP2(s->b, s->i8, t, &idx, 1, "");

	return LLVMBuildLoad2(s->b, ty, LLVMBuildBitCast(s->b, p, LLVMPointerType(ty, 0), ""), "");
}

/* &elems[i] of table x after the check i < size (else trap `code`, with
 * the index for "undefined element" as the JIT reports it) */
static LLVMValueRef table_elem(struct lw *s, uint32_t x, LLVMValueRef i, unsigned code)
{
	LLVMValueRef t = table_ptr(s, x);
	LLVMValueRef size = table_field(s, t, offsetof(struct jit_table, size), s->i32);
	LLVMValueRef oob = LLVMBuildICmp(s->b, LLVMIntUGE, i, size, "");
	LLVMTypeRef p64 = LLVMPointerType(s->i64, 0);
	LLVMValueRef elems, idx;

	if (code == WASM_TRAP_UNDEFINED_ELEMENT)
		lw_trap_idx_if(s, oob, code, i);
	else
		lw_trap_if(s, oob, code);
	elems = table_field(s, t, offsetof(struct jit_table, elems), p64);
	idx = LLVMBuildZExt(s->b, i, s->i64, "");
	return LLVMBuildGEP2(s->b, s->i64, elems, &idx, 1, "");
}

static bool rd_u32(struct lw *s, uint32_t *x, uint32_t limit, const char *what)
{
	if (!wasm_read_u32(&s->r, x) || *x >= limit)
		return lw_fail(s, "llvm backend: bad %s index", what);
	return true;
}

bool lw_op_table_get_set(struct lw *s, uint8_t op)
{
	uint32_t x;
	LLVMValueRef v = NULL, p;

	if (!rd_u32(s, &x, s->m->ntables, "table"))
		return false;
	if (op == OP_TABLE_SET)
		v = lw_pop(s);
	p = table_elem(s, x, lw_pop(s), WASM_TRAP_TABLE_OOB);
	if (op == OP_TABLE_SET)
		LLVMBuildStore(s->b, v, p);
	else
		lw_push(s, LLVMBuildLoad2(s->b, s->i64, p, ""));
	return true;
}

bool lw_op_ref(struct lw *s, uint8_t op)
{
	uint8_t t;
	uint32_t x;

	switch (op) {
	case OP_REF_NULL:
		if (!wasm_read_u8(&s->r, &t))
			return lw_fail(s, "llvm backend: bad ref.null");
		lw_push(s, LLVMConstInt(s->i64, 0, false));
		return true;
	case OP_REF_IS_NULL:
		lw_push(s, LLVMBuildZExt(s->b, LLVMBuildICmp(s->b, LLVMIntEQ, lw_pop(s),
			LLVMConstInt(s->i64, 0, false), ""), s->i32, ""));
		return true;
	default:        /* ref.func x = ctx->funcrefs[x] */
		if (!rd_u32(s, &x, s->m->nfuncs, "function"))
			return false;
		lw_push(s, LLVMBuildPtrToInt(s->b, lw_funcref(s, x), s->i64, ""));
		return true;
	}
}

/* ---- call_indirect ------------------------------------------------------- */

/*
 * call_indirect typeidx table (jit/compile/control.c does the same):
 * index < size ("undefined element N"), not null ("uninitialized element
 * N"); a funcref of this instance is type-checked against the canonical
 * index and its code called with rdi = its ctx; one of another instance
 * goes through ctx->rt->call_ref, which compares the types structurally
 * and runs it in its own instance (on its own stack; calling its code
 * directly would run its stack check against ours).  call_ref (jit.h) is
 * a plain SysV call: param i at args[-i] (the JIT's operand-stack slots
 * grow down), every result i to results[i].
 */
/* Another instance's funcref: the params in slots nparams-1..0 of one
 * area (param i at slot nparams-1-i), call_ref(ctx, fr, typeidx,
 * &area[nparams-1], area); the results come back in slots 0... (a v128
 * in two; as value slots when the type's go through a result area,
 * jit.h jit_v1_slot_next).  (call_ref
 * reads every param before it writes a result, so one area serves both.)
 * Returns the area. */
/* the 8-byte places of n values of types t (a v128 takes two) */
static uint32_t places(const uint8_t *t, uint32_t n)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < n; i++)
		k += t[i] == WASM_V128 ? 2 : 1;
	return k;
}

static LLVMValueRef call_other(struct lw *s, const struct wasm_functype *ft, uint32_t ti,
			       LLVMValueRef fr, LLVMValueRef *params)
{
	uint32_t np = places(ft->params, ft->nparams), nr = jit_v1_area_places(ft);
	uint32_t nslots = np > nr ? np : nr, q = 0;
	LLVMTypeRef at[5] = { s->ptr, s->ptr, s->i32, s->ptr, s->ptr };
	LLVMValueRef area = lw_entry_alloca(s, s->i64, nslots ? nslots : 1), a[5], last;

	LLVMSetAlignment(area, 16);     /* a result area's v128 slots */

	/* place q is slot np - 1 - q; a v128's halves, low first, at places
	   q and q + 1: slots np - 1 - q and np - 2 - q (jit.h call_ref) */
	for (uint32_t i = 0; i < ft->nparams; q += ft->params[i++] == WASM_V128 ? 2 : 1) {
		if (ft->params[i] != WASM_V128) {
			lw_store_slot(s, area, np - 1 - q, params[i]);
			continue;
		}
		for (unsigned h = 0; h < 2; h++)
			lw_store_slot(s, area, np - 1 - q - h, LLVMBuildExtractElement(s->b,
				params[i], LLVMConstInt(s->i32, h, false), ""));
	}
	last = LLVMConstInt(s->i64, np ? np - 1 : 0, false);
	a[0] = s->ctx;
	a[1] = fr;
	a[2] = LLVMConstInt(s->i32, ti, false);
	a[3] = LLVMBuildBitCast(s->b, LLVMBuildGEP2(s->b, s->i64, area, &last, 1, ""),
				s->ptr, "");
	a[4] = LLVMBuildBitCast(s->b, area, s->ptr, "");
	lw_rt_call(s, offsetof(struct jit_rt, call_ref), s->vd, at, a, 5);
	return area;
}

/* The results of call_other, loaded from its area at the insertion
 * point: result i at place r, a v128 at r and r + 1 (low half first);
 * a result area's value slots when they go through memory (jit.h) */
static void other_results(struct lw *s, const struct wasm_functype *ft, LLVMValueRef area,
			  LLVMValueRef *out)
{
	bool va = lw_ret_kind(ft) == LW_RET_AREA;
	uint32_t off = 0;

	for (uint32_t i = 0, r = 0; i < ft->nresults; r += ft->results[i++] == WASM_V128 ? 2 : 1) {
		if (va)
			r = jit_v1_slot_next(&off, ft->results[i]) / 8;
		out[i] = lw_load_slot(s, area, r, lw_valtype(s, ft->results[i]));
	}
}

/* The results on the stack (the same-instance call's, reaching `done` from
 * from[0]) become phis with those of the other path (from[1], in area). */
static void merge_results(struct lw *s, const struct wasm_functype *ft, LLVMValueRef area,
			  LLVMBasicBlockRef done, LLVMBasicBlockRef from[2])
{
	LLVMValueRef *other = calloc(ft->nresults ? ft->nresults : 1, sizeof *other);

	if (!other)
		abort();
	LLVMPositionBuilderBefore(s->b, LLVMGetBasicBlockTerminator(from[1]));
	other_results(s, ft, area, other);
	LLVMPositionBuilderAtEnd(s->b, done);
	for (uint32_t i = 0; i < ft->nresults; i++) {
		LLVMValueRef *top = &s->stack[s->sp - ft->nresults + i], in[2];
		in[0] = *top;
		in[1] = other[i];
		*top = LLVMBuildPhi(s->b, LLVMTypeOf(in[0]), "");
		LLVMAddIncoming(*top, in, from, 2);
	}
	free(other);
}

bool lw_op_call_indirect(struct lw *s)
{
	uint32_t ti, x;
	const struct wasm_functype *ft;
	LLVMValueRef idx, fr, frctx, *params, area;
	LLVMBasicBlockRef fast, slow, done, from[2];

	if (!rd_u32(s, &ti, s->m->ntypes, "type") || !rd_u32(s, &x, s->m->ntables, "table"))
		return false;
	ft = &s->m->types[ti];
	idx = lw_pop(s);
	fr = LLVMBuildLoad2(s->b, s->i64, table_elem(s, x, idx, WASM_TRAP_UNDEFINED_ELEMENT), "");
	lw_trap_idx_if(s, LLVMBuildICmp(s->b, LLVMIntEQ, fr, LLVMConstInt(s->i64, 0, false), ""),
		       WASM_TRAP_UNINITIALIZED_ELEMENT, idx);
	fr = LLVMBuildIntToPtr(s->b, fr, s->ptr, "");
	frctx = lw_funcref_field(s, fr, offsetof(struct jit_funcref, ctx), true);
	fast = LLVMAppendBasicBlockInContext(s->c, s->fn, "same_instance");
	slow = LLVMAppendBasicBlockInContext(s->c, s->fn, "other_instance");
	done = LLVMAppendBasicBlockInContext(s->c, s->fn, "");
	LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntEQ, frctx, s->ctx, ""), fast, slow);
	/* the arguments, for the other path (the first pops them) */
	params = calloc(ft->nparams ? ft->nparams : 1, sizeof *params);
	if (!params)
		return lw_fail(s, "llvm backend: out of memory");
	for (uint32_t i = 0; i < ft->nparams; i++)
		params[i] = s->stack[s->sp - ft->nparams + i];

	LLVMPositionBuilderAtEnd(s->b, fast);
	lw_trap_if(s, LLVMBuildICmp(s->b, LLVMIntNE,
		lw_funcref_field(s, fr, offsetof(struct jit_funcref, type), false),
		LLVMConstInt(s->i32, ft->canon, false), ""), WASM_TRAP_INDIRECT_CALL_TYPE);
	lw_emit_call(s, ft, lw_funcref_field(s, fr, offsetof(struct jit_funcref, code), true),
		     frctx);
	from[0] = LLVMGetInsertBlock(s->b);
	LLVMBuildBr(s->b, done);

	LLVMPositionBuilderAtEnd(s->b, slow);
	area = call_other(s, ft, ti, fr, params);
	from[1] = LLVMGetInsertBlock(s->b);
	LLVMBuildBr(s->b, done);
	free(params);
	merge_results(s, ft, area, done, from);
	return true;
}

/* ---- bulk memory ----------------------------------------------------------- */

/* trap "out of bounds memory access" unless a + n <= ctx->mem_size (in 64
 * bits); the address a + base as i8* */
static LLVMValueRef mem_range(struct lw *s, LLVMValueRef a, LLVMValueRef n)
{
	LLVMValueRef a64 = LLVMBuildZExt(s->b, a, s->i64, "");
	LLVMValueRef end = LLVMBuildAdd(s->b, a64, LLVMBuildZExt(s->b, n, s->i64, ""), "");
	LLVMValueRef size = LLVMBuildLoad2(s->b, s->i64, lw_ctx_field(s, CTX_MEM_SIZE, s->i64), "");

	lw_trap_if(s, LLVMBuildICmp(s->b, LLVMIntUGT, end, size, ""), WASM_TRAP_MEMORY_OOB);
	return LLVMBuildGEP2(s->b, s->i8, s->mem_base, &a64, 1, "");
}

static void inline_asm(struct lw *s, const char *text, const char *constraints,
		       LLVMValueRef *args, unsigned n)
{
	LLVMTypeRef at[3];
	LLVMTypeRef ft;
	LLVMValueRef asmv;

	for (unsigned i = 0; i < n; i++)
		at[i] = LLVMTypeOf(args[i]);
	ft = LLVMFunctionType(s->vd, at, n, false);
	asmv = LLVMGetInlineAsm(ft, (char *)text, strlen(text), (char *)constraints,
				strlen(constraints), true, false, LLVMInlineAsmDialectATT, false);
	LLVMBuildCall2(s->b, ft, asmv, args, n, "");
}

/* memory.copy d s n: memmove as rep movsb, backwards when d > s (the
 * direction flag is clear again before anything else runs, docs/abi.md) */
static bool memory_copy(struct lw *s)
{
	LLVMValueRef n = lw_pop(s), sa = lw_pop(s), d = lw_pop(s);
	LLVMValueRef pd = mem_range(s, d, n), ps = mem_range(s, sa, n), a[3];
	LLVMValueRef n64 = LLVMBuildZExt(s->b, n, s->i64, ""), last;
	LLVMBasicBlockRef back = LLVMAppendBasicBlockInContext(s->c, s->fn, "copy_back");
	LLVMBasicBlockRef fwd = LLVMAppendBasicBlockInContext(s->c, s->fn, "copy_fwd");
	LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(s->c, s->fn, "");
	static const char cons[] = "{di},{si},{cx},~{di},~{si},~{cx},~{memory},~{dirflag}";

	LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntUGT, d, sa, ""), back, fwd);
	LLVMPositionBuilderAtEnd(s->b, back);
	last = LLVMBuildSub(s->b, n64, LLVMConstInt(s->i64, 1, false), "");
	a[0] = LLVMBuildGEP2(s->b, s->i8, pd, &last, 1, "");
	a[1] = LLVMBuildGEP2(s->b, s->i8, ps, &last, 1, "");
	a[2] = n64;
	inline_asm(s, "std\n\trep movsb\n\tcld", cons, a, 3);
	LLVMBuildBr(s->b, done);
	LLVMPositionBuilderAtEnd(s->b, fwd);
	a[0] = pd;
	a[1] = ps;
	inline_asm(s, "rep movsb", cons, a, 3);
	LLVMBuildBr(s->b, done);
	LLVMPositionBuilderAtEnd(s->b, done);
	return true;
}

/* memory.fill d val n: rep stosb */
static bool memory_fill(struct lw *s)
{
	LLVMValueRef n = lw_pop(s), v = lw_pop(s), d = lw_pop(s), a[3];

	a[0] = mem_range(s, d, n);
	a[1] = v;
	a[2] = LLVMBuildZExt(s->b, n, s->i64, "");
	inline_asm(s, "rep stosb", "{di},{ax},{cx},~{di},~{cx},~{memory},~{dirflag}", a, 3);
	return true;
}

/* ---- the 0xfc helpers (struct jit_rt) ---------------------------------- */

/* call ctx->rt->field(ctx, args...) and trap with its result unless 0 */
static void rt_checked(struct lw *s, size_t off, LLVMValueRef *args, unsigned n)
{
	LLVMTypeRef at[6];
	LLVMValueRef all[6];

	at[0] = s->ptr;
	all[0] = s->ctx;
	for (unsigned i = 0; i < n; i++) {
		at[i + 1] = LLVMTypeOf(args[i]);
		all[i + 1] = args[i];
	}
	lw_trap_nonzero(s, lw_rt_call(s, off, s->i32, at, all, n + 1));
}

static void rt_void(struct lw *s, size_t off, uint32_t x)
{
	LLVMTypeRef at[2] = { s->ptr, s->i32 };
	LLVMValueRef a[2] = { s->ctx, LLVMConstInt(s->i32, x, false) };

	lw_rt_call(s, off, s->vd, at, a, 2);
}

static LLVMValueRef u32(struct lw *s, uint32_t x)
{
	return LLVMConstInt(s->i32, x, false);
}

/* memory mem is 64-bit (memory64: its bulk operations take i64 operands) */
static bool is64(struct lw *s, uint32_t mem)
{
	return s->m->memories[mem].is64;
}

/* the 0xfc instructions after the trunc_sat ones (bulk memory, tables) */
bool lw_op_fc_bulk(struct lw *s, uint32_t sub)
{
	uint32_t x, y;
	LLVMValueRef a[5];

	switch (sub) {
	case OPFC_MEMORY_INIT: {        /* dataidx memidx: d s n */
		LLVMValueRef n, sa, d;
		if (!rd_u32(s, &x, s->m->ndatas, "data") || !lw_memidx(s, &y))
			return lw_fail(s, "llvm backend: bad memory.init");
		n = lw_pop(s), sa = lw_pop(s), d = lw_pop(s);
		if (is64(s, y)) {       /* memory64: d is i64 */
			a[0] = u32(s, y), a[1] = u32(s, x), a[2] = d, a[3] = sa, a[4] = n;
			rt_checked(s, offsetof(struct jit_rt, memory_init64), a, 5);
			return true;
		}
		if (y) {        /* multi-memory */
			a[0] = u32(s, y), a[1] = u32(s, x), a[2] = d, a[3] = sa, a[4] = n;
			rt_checked(s, offsetof(struct jit_rt, memory_init_n), a, 5);
			return true;
		}
		a[0] = u32(s, x), a[1] = d, a[2] = sa, a[3] = n;
		rt_checked(s, offsetof(struct jit_rt, memory_init), a, 4);
		return true;
	}
	case OPFC_DATA_DROP:
		if (!rd_u32(s, &x, s->m->ndatas, "data"))
			return false;
		rt_void(s, offsetof(struct jit_rt, data_drop), x);
		return true;
	case OPFC_MEMORY_COPY:          /* dst src */
		if (!lw_memidx(s, &x) || !lw_memidx(s, &y))
			return lw_fail(s, "llvm backend: bad memory.copy");
		if (is64(s, x) || is64(s, y)) {
			/* memory_copy64: d in x's address type, s in y's, n i64 only
			   when both are 64-bit; each i32 zero-extended */
			for (int i = 4; i >= 2; i--)
				a[i] = LLVMBuildZExt(s->b, lw_pop(s), s->i64, "");
			a[0] = u32(s, x), a[1] = u32(s, y);
			rt_checked(s, offsetof(struct jit_rt, memory_copy64), a, 5);
			return true;
		}
		if (!x && !y)
			return memory_copy(s);
		a[4] = lw_pop(s), a[3] = lw_pop(s), a[2] = lw_pop(s);
		a[0] = u32(s, x), a[1] = u32(s, y);
		rt_checked(s, offsetof(struct jit_rt, memory_copy_n), a, 5);
		return true;
	case OPFC_MEMORY_FILL:
		if (!lw_memidx(s, &x))
			return lw_fail(s, "llvm backend: bad memory.fill");
		if (is64(s, x)) {       /* memory_fill64: d, n i64 */
			a[3] = lw_pop(s), a[2] = lw_pop(s), a[1] = lw_pop(s);
			a[0] = u32(s, x);
			rt_checked(s, offsetof(struct jit_rt, memory_fill64), a, 4);
			return true;
		}
		if (!x)
			return memory_fill(s);
		a[3] = lw_pop(s), a[2] = lw_pop(s), a[1] = lw_pop(s);
		a[0] = u32(s, x);
		rt_checked(s, offsetof(struct jit_rt, memory_fill_n), a, 4);
		return true;
	case OPFC_TABLE_INIT: {         /* elemidx tableidx: d s n */
		LLVMValueRef n, sa, d;
		if (!rd_u32(s, &y, s->m->nelems, "elem") ||
		    !rd_u32(s, &x, s->m->ntables, "table"))
			return false;
		n = lw_pop(s), sa = lw_pop(s), d = lw_pop(s);
		a[0] = u32(s, x), a[1] = u32(s, y), a[2] = d, a[3] = sa, a[4] = n;
		rt_checked(s, offsetof(struct jit_rt, table_init), a, 5);
		return true;
	}
	case OPFC_ELEM_DROP:
		if (!rd_u32(s, &y, s->m->nelems, "elem"))
			return false;
		rt_void(s, offsetof(struct jit_rt, elem_drop), y);
		return true;
	case OPFC_TABLE_COPY: {         /* dst src: d s n */
		LLVMValueRef n, sa, d;
		if (!rd_u32(s, &x, s->m->ntables, "table") ||
		    !rd_u32(s, &y, s->m->ntables, "table"))
			return false;
		n = lw_pop(s), sa = lw_pop(s), d = lw_pop(s);
		a[0] = u32(s, x), a[1] = u32(s, y), a[2] = d, a[3] = sa, a[4] = n;
		rt_checked(s, offsetof(struct jit_rt, table_copy), a, 5);
		return true;
	}
	case OPFC_TABLE_GROW: {         /* init n -> old size or -1 */
		LLVMTypeRef at[4] = { s->ptr, s->i32, s->i64, s->i32 };
		LLVMValueRef n, init;
		if (!rd_u32(s, &x, s->m->ntables, "table"))
			return false;
		n = lw_pop(s);
		init = lw_pop(s);
		a[0] = s->ctx, a[1] = u32(s, x), a[2] = init, a[3] = n;
		lw_push(s, lw_rt_call(s, offsetof(struct jit_rt, table_grow), s->i32, at, a, 4));
		return true;
	}
	case OPFC_TABLE_SIZE:
		if (!rd_u32(s, &x, s->m->ntables, "table"))
			return false;
		lw_push(s, table_field(s, table_ptr(s, x), offsetof(struct jit_table, size), s->i32));
		return true;
	case OPFC_TABLE_FILL: {         /* i val n */
		LLVMValueRef n, v, i;
		if (!rd_u32(s, &x, s->m->ntables, "table"))
			return false;
		n = lw_pop(s), v = lw_pop(s), i = lw_pop(s);
		a[0] = u32(s, x), a[1] = i, a[2] = v, a[3] = n;
		rt_checked(s, offsetof(struct jit_rt, table_fill), a, 4);
		return true;
	}
	default:
		return lw_fail(s, "llvm backend: unknown 0xfc opcode %u (function %u)",
			       sub, s->func);
	}
}

/* ---- return_call_indirect --------------------------------------------- */

/* The tailcc body of own function fi (an i32, counted from the first own
 * function) from the module's table (llvm_module.c): entry k holds the
 * body's address minus the entry's own. */
static LLVMValueRef body_of(struct lw *s, LLVMValueRef fi)
{
	LLVMValueRef zero = LLVMConstInt(s->i32, 0, false), ix[2] = { zero, fi };
	LLVMValueRef p = LLVMBuildInBoundsGEP2(s->b, LLVMGlobalGetValueType(s->bodies),
					       s->bodies, ix, 2, "");
	LLVMValueRef rel = LLVMBuildSExt(s->b, lw_load_invariant(s, s->i32, p), s->i64, "");

	return LLVMBuildGEP2(s->b, s->i8, LLVMBuildBitCast(s->b, p, s->ptr, ""), &rel, 1, "");
}

/*
 * return_call_indirect typeidx table: call_indirect's checks, then by
 * the funcref: one of this instance's own functions (ctx is ours and
 * func_index is past the imports) is tail-called at its tailcc body, in
 * constant stack; an import of this instance (its stub, a v1 function)
 * is called and its results returned; another instance's funcref goes
 * through call_ref and its results are returned (as in the single-pass
 * JIT: not in constant stack, docs/abi.md "Tail calls").
 */
bool lw_op_return_call_indirect(struct lw *s)
{
	uint32_t ti, x, sp0, nown = s->m->nfuncs - s->m->nimported_funcs;
	const struct wasm_functype *ft;
	LLVMValueRef idx, fr, frctx, fi, *params, *res;
	LLVMBasicBlockRef same, own, imp, other;

	if (!rd_u32(s, &ti, s->m->ntypes, "type") || !rd_u32(s, &x, s->m->ntables, "table"))
		return false;
	if (!s->tail || !s->bodies)
		return lw_fail(s, "llvm backend: unexpected return_call_indirect "
			       "(function %u)", s->func);
	lw_eh_leave_all(s);
	ft = &s->m->types[ti];
	idx = lw_pop(s);
	fr = LLVMBuildLoad2(s->b, s->i64, table_elem(s, x, idx, WASM_TRAP_UNDEFINED_ELEMENT), "");
	lw_trap_idx_if(s, LLVMBuildICmp(s->b, LLVMIntEQ, fr, LLVMConstInt(s->i64, 0, false), ""),
		       WASM_TRAP_UNINITIALIZED_ELEMENT, idx);
	fr = LLVMBuildIntToPtr(s->b, fr, s->ptr, "");
	frctx = lw_funcref_field(s, fr, offsetof(struct jit_funcref, ctx), true);
	same = LLVMAppendBasicBlockInContext(s->c, s->fn, "same_instance");
	own = LLVMAppendBasicBlockInContext(s->c, s->fn, "own_function");
	imp = LLVMAppendBasicBlockInContext(s->c, s->fn, "own_import");
	other = LLVMAppendBasicBlockInContext(s->c, s->fn, "other_instance");
	LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntEQ, frctx, s->ctx, ""), same, other);
	params = calloc(ft->nparams ? ft->nparams : 1, sizeof *params);
	res = calloc(ft->nresults ? ft->nresults : 1, sizeof *res);
	if (!params || !res)
		return lw_fail(s, "llvm backend: out of memory");
	sp0 = s->sp;
	for (uint32_t i = 0; i < ft->nparams; i++)
		params[i] = s->stack[s->sp - ft->nparams + i];

	LLVMPositionBuilderAtEnd(s->b, same);
	lw_trap_if(s, LLVMBuildICmp(s->b, LLVMIntNE,
		lw_funcref_field(s, fr, offsetof(struct jit_funcref, type), false),
		LLVMConstInt(s->i32, ft->canon, false), ""), WASM_TRAP_INDIRECT_CALL_TYPE);
	/* func_index - nimported, unsigned: an import wraps to >= nown */
	fi = LLVMBuildSub(s->b, lw_funcref_field(s, fr, offsetof(struct jit_funcref,
		func_index), false), LLVMConstInt(s->i32, s->m->nimported_funcs, false), "");
	LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntULT, fi,
		LLVMConstInt(s->i32, nown, false), ""), own, imp);

	LLVMPositionBuilderAtEnd(s->b, own);
	lw_emit_tail_call(s, ft, body_of(s, fi), s->ctx);

	LLVMPositionBuilderAtEnd(s->b, imp);
	s->sp = sp0;
	lw_emit_call(s, ft, lw_funcref_field(s, fr, offsetof(struct jit_funcref, code), true),
		     frctx);
	lw_emit_return(s, ft);

	LLVMPositionBuilderAtEnd(s->b, other);
	other_results(s, ft, call_other(s, ft, ti, fr, params), res);
	s->sp = sp0 - ft->nparams;
	for (uint32_t i = 0; i < ft->nresults; i++)
		lw_push(s, res[i]);
	lw_emit_return(s, ft);
	free(params);
	free(res);
	return true;
}
