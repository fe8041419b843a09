/*
 * llvm_ctl.c — structured control (Core spec 2.0 §4.4.8: block, loop, if,
 * else, end, br, br_if, br_table, return), direct calls and return_call
 * (the tail-call proposal), as LLVM basic
 * blocks: each block has an end basic block whose phis receive its results
 * from every branch to it; a loop's header has phis for its params.  After
 * br, br_table, return and unreachable the translator marks the code dead
 * (s->dead) and llvm_func.c skips it to the matching else or end.  A
 * branch out of try or catch bodies first does what leaving them takes
 * (llvm_eh.c: eh_top back, caught exceptions dropped).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "lw.h"
#include "wasm.h"
#include "opcodes.h"
#include "jit.h"

/* ---- block types and control ------------------------------------------ */

/* the block type byte of `[] -> []` (§5.4.1; a value type otherwise) */
#define LW_BLOCKTYPE_EMPTY 0x40

static bool block_type(struct lw *s, struct lw_ctl *c)
{
	int64_t bt;
	/* a single-result block type points into this (read-only: the
	   translator may run on several threads) */
	static const uint8_t single[256] = {
		[WASM_I32] = WASM_I32, [WASM_I64] = WASM_I64, [WASM_F32] = WASM_F32,
		[WASM_F64] = WASM_F64, [WASM_V128] = WASM_V128,
		[WASM_FUNCREF] = WASM_FUNCREF, [WASM_EXTERNREF] = WASM_EXTERNREF };

	if (!wasm_read_s33(&s->r, &bt))
		return lw_fail(s, "llvm backend: bad block type");
	c->nparams = c->nresults = 0;
	if (bt >= 0) {
		const struct wasm_functype *ft = &s->m->types[bt];
		c->nparams = ft->nparams;
		c->params = ft->params;
		c->nresults = ft->nresults;
		c->results = ft->results;
	} else if ((bt & 0x7f) != LW_BLOCKTYPE_EMPTY) {
		uint8_t t = (uint8_t)(bt & 0x7f);
		c->nresults = 1;
		c->results = &single[t];
	}
	return true;
}

LLVMValueRef *lw_make_phis(struct lw *s, LLVMBasicBlockRef bb, uint32_t n,
			       const uint8_t *types)
{
	LLVMValueRef *v = calloc(n ? n : 1, sizeof *v);

	if (!v)
		abort();
	LLVMPositionBuilderAtEnd(s->b, bb);
	for (uint32_t i = 0; i < n; i++)
		v[i] = LLVMBuildPhi(s->b, lw_valtype(s, types[i]), "");
	return v;
}

struct lw_ctl *lw_push_ctl(struct lw *s)
{
	if (s->nctl == s->ctl_cap) {
		s->ctl_cap = s->ctl_cap ? 2 * s->ctl_cap : 16;
		s->ctl = realloc(s->ctl, s->ctl_cap * sizeof *s->ctl);
		if (!s->ctl)
			abort();
	}
	struct lw_ctl *c = &s->ctl[s->nctl], *top = s->nctl ? c - 1 : NULL;

	memset(c, 0, sizeof *c);
	/* what a branch to c leaves (llvm_eh.c): O(1) per branch */
	c->tries_below = s->ntry;
	c->catches_below = s->ncatch;
	c->body_below = !top ? -1 : top->kind == OP_TRY && top->eh == LW_EH_BODY ?
			(int32_t)(s->nctl - 1) : top->body_below;
	s->nctl++;
	return c;
}

/* The values a branch to c carries: the top n of the stack. */
static void add_incoming(struct lw *s, struct lw_ctl *c)
{
	bool loop = c->kind == OP_LOOP;
	uint32_t n = loop ? c->nparams : c->nresults;
	LLVMBasicBlockRef from = LLVMGetInsertBlock(s->b);

	for (uint32_t i = 0; i < n; i++) {
		LLVMValueRef v = s->stack[s->sp - n + i];
		LLVMAddIncoming(c->target_phis[i], &v, &from, 1);
	}
	if (!loop)
		c->end_reached = true;
}

static void br_to(struct lw *s, struct lw_ctl *c)
{
	add_incoming(s, c);
	LLVMBuildBr(s->b, c->target);
}

void lw_br_to(struct lw *s, struct lw_ctl *c)
{
	br_to(s, c);
}

bool lw_op_block(struct lw *s, uint8_t kind)
{
	LLVMBasicBlockRef here = LLVMGetInsertBlock(s->b);
	struct lw_ctl *c = lw_push_ctl(s);
	LLVMValueRef cond = NULL;

	c->kind = kind;
	if (!block_type(s, c))
		return false;
	if (kind == OP_IF)
		cond = lw_pop(s);
	c->height = s->sp - c->nparams;
	c->end = LLVMAppendBasicBlockInContext(s->c, s->fn, "end");
	c->end_phis = lw_make_phis(s, c->end, c->nresults, c->results);
	if (kind == OP_LOOP) {
		c->target = LLVMAppendBasicBlockInContext(s->c, s->fn, "loop");
		c->target_phis = lw_make_phis(s, c->target, c->nparams, c->params);
		LLVMPositionBuilderAtEnd(s->b, here);
		br_to(s, c);
		LLVMPositionBuilderAtEnd(s->b, c->target);
		for (uint32_t i = 0; i < c->nparams; i++)
			s->stack[c->height + i] = c->target_phis[i];
		return true;
	}
	c->target = c->end;
	c->target_phis = c->end_phis;
	LLVMPositionBuilderAtEnd(s->b, here);
	if (kind == OP_IF) {
		LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(s->c, s->fn, "then");
		c->else_bb = LLVMAppendBasicBlockInContext(s->c, s->fn, "else");
		c->else_args = calloc(c->nparams ? c->nparams : 1, sizeof *c->else_args);
		if (!c->else_args)
			abort();
		for (uint32_t i = 0; i < c->nparams; i++)
			c->else_args[i] = s->stack[c->height + i];
		LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntNE, cond,
			LLVMConstInt(s->i32, 0, false), ""), then, c->else_bb);
		LLVMPositionBuilderAtEnd(s->b, then);
	}
	return true;
}

void lw_op_else(struct lw *s)
{
	struct lw_ctl *c = &s->ctl[s->nctl - 1];

	if (!s->dead)
		br_to(s, c);
	s->sp = c->height;
	for (uint32_t i = 0; i < c->nparams; i++)
		lw_push(s, c->else_args[i]);
	LLVMPositionBuilderAtEnd(s->b, c->else_bb);
	c->else_bb = NULL;
	s->dead = false;
}

void lw_free_ctl(struct lw_ctl *c)
{
	if (c->target_phis != c->end_phis)
		free(c->target_phis);
	free(c->end_phis);
	free(c->else_args);
}

/* end of a block, loop, if or the function */
bool lw_op_end(struct lw *s)
{
	struct lw_ctl *c = &s->ctl[s->nctl - 1];

	if (!s->dead) {
		add_incoming(s, c->kind == OP_LOOP ? &(struct lw_ctl){
			.kind = 0, .nresults = c->nresults,
			.target_phis = c->end_phis } : c);
		c->end_reached = true;
		LLVMBuildBr(s->b, c->end);
	}
	if (c->else_bb) {       /* if without else: the params go through */
		LLVMPositionBuilderAtEnd(s->b, c->else_bb);
		s->sp = c->height;
		for (uint32_t i = 0; i < c->nparams; i++)
			lw_push(s, c->else_args[i]);
		br_to(s, c);
	}
	s->sp = c->height;
	if (c->end_reached) {
		LLVMPositionBuilderAtEnd(s->b, c->end);
		for (uint32_t i = 0; i < c->nresults; i++)
			lw_push(s, c->end_phis[i]);
		s->dead = false;
	} else {
		for (uint32_t i = 0; i < c->nresults; i++)
			LLVMInstructionEraseFromParent(c->end_phis[i]);
		LLVMDeleteBasicBlock(c->end);
		LLVMClearInsertionPosition(s->b);
		s->dead = true;
	}
	lw_free_ctl(c);
	s->nctl--;
	return true;
}

/* return_call*: the try and catch bodies it is in are left first (as at
 * a return): the callee runs outside them, its exceptions are not
 * caught here (docs/abi.md "Exceptions"; the single-pass JIT does the
 * same). */
void lw_eh_leave_all(struct lw *s)
{
	if (lw_eh_exits(s, s->nctl - 1))
		lw_eh_emit_exit(s, s->nctl - 1);
}

bool lw_op_br(struct lw *s, uint32_t depth)
{
	if (lw_eh_exits(s, depth))
		lw_eh_emit_exit(s, depth);
	br_to(s, &s->ctl[s->nctl - 1 - depth]);
	s->dead = true;
	return true;
}

bool lw_op_br_if(struct lw *s, uint32_t depth)
{
	LLVMValueRef cond = lw_pop(s);
	struct lw_ctl *c = &s->ctl[s->nctl - 1 - depth];
	LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(s->c, s->fn, "");
	LLVMValueRef ne = LLVMBuildICmp(s->b, LLVMIntNE, cond, LLVMConstInt(s->i32, 0, false), "");

	if (lw_eh_exits(s, depth)) {    /* the taken edge leaves try/catch bodies */
		LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(s->c, s->fn, "eh_exit");
		LLVMBuildCondBr(s->b, ne, exit, cont);
		LLVMPositionBuilderAtEnd(s->b, exit);
		lw_eh_emit_exit(s, depth);
		br_to(s, c);
	} else {
		add_incoming(s, c);
		LLVMBuildCondBr(s->b, ne, c->target, cont);
	}
	LLVMPositionBuilderAtEnd(s->b, cont);
	return true;
}

/* br_table: a switch to one small block per distinct label, each of which
 * branches with the values (so that each phi has one entry per edge). */
bool lw_op_br_table(struct lw *s)
{
	uint32_t n, *labels, def;
	LLVMValueRef idx = lw_pop(s), sw;
	LLVMBasicBlockRef here = LLVMGetInsertBlock(s->b);
	LLVMBasicBlockRef *via;

	if (!wasm_read_u32(&s->r, &n))
		return lw_fail(s, "llvm backend: bad br_table");
	labels = calloc(n + 1, sizeof *labels);
	via = calloc(s->nctl, sizeof *via);
	if (!labels || !via)
		abort();
	for (uint32_t i = 0; i <= n; i++)
		if (!wasm_read_u32(&s->r, &labels[i]))
			return lw_fail(s, "llvm backend: bad br_table");
	for (uint32_t i = 0; i <= n; i++) {
		uint32_t d = labels[i];
		if (!via[d]) {
			via[d] = LLVMAppendBasicBlockInContext(s->c, s->fn, "brt");
			LLVMPositionBuilderAtEnd(s->b, via[d]);
			if (lw_eh_exits(s, d))
				lw_eh_emit_exit(s, d);
			br_to(s, &s->ctl[s->nctl - 1 - d]);
		}
	}
	def = labels[n];
	LLVMPositionBuilderAtEnd(s->b, here);
	sw = LLVMBuildSwitch(s->b, idx, via[def], n);
	for (uint32_t i = 0; i < n; i++)
		if (labels[i] != def)
			LLVMAddCase(sw, LLVMConstInt(s->i32, i, false), via[labels[i]]);
	free(labels);
	free(via);
	s->dead = true;
	return true;
}

/* ---- calls ---------------------------------------------------------- */

LLVMValueRef lw_entry_alloca(struct lw *s, LLVMTypeRef t, unsigned n)
{
	LLVMBasicBlockRef here = LLVMGetInsertBlock(s->b);
	LLVMValueRef first = LLVMGetFirstInstruction(s->entry), a;

	if (first)
		LLVMPositionBuilderBefore(s->b, first);
	else
		LLVMPositionBuilderAtEnd(s->b, s->entry);
	a = LLVMBuildArrayAlloca(s->b, t, LLVMConstInt(s->i32, n, false), "");
	LLVMPositionBuilderAtEnd(s->b, here);
	return a;
}

/*
 * A call in v1 (docs/abi.md): fn(callee_ctx, [results,] params...) with
 * the params popped off the stack and the results pushed.
 */
void lw_emit_call(struct lw *s, const struct wasm_functype *ft, LLVMValueRef fn,
		  LLVMValueRef callee_ctx)
{
	enum lw_ret rk = lw_ret_kind(ft);
	LLVMValueRef *args, call, area = NULL;
	uint32_t na = ft->nparams + 1 + (rk == LW_RET_AREA), k = 0;
	LLVMTypeRef fty = lw_fn_type(s, ft);

	args = calloc(na, sizeof *args);
	if (!args)
		abort();
	args[k++] = callee_ctx;
	if (rk == LW_RET_AREA) {        /* value slots, 16-byte aligned */
		area = lw_entry_alloca(s, s->i64, jit_v1_area_places(ft));
		LLVMSetAlignment(area, 16);
		args[k++] = LLVMBuildBitCast(s->b, area, s->ptr, "");
	}
	s->sp -= ft->nparams;
	for (uint32_t i = 0; i < ft->nparams; i++)   /* (no memcpy: stack may be NULL) */
		args[k + i] = s->stack[s->sp + i];
	if (LLVMTypeOf(fn) != LLVMPointerType(fty, 0))
		fn = LLVMBuildBitCast(s->b, fn, LLVMPointerType(fty, 0), "");
	call = LLVMBuildCall2(s->b, fty, fn, args, na, "");
	/* an own function's convention (tailcc bodies in a module with tail
	   calls: a mismatch at a call site is undefined behaviour in LLVM);
	   anything called through a pointer is a v1 function (ccc) */
	if (LLVMIsAFunction(fn))
		LLVMSetInstructionCallConv(call, LLVMGetFunctionCallConv(fn));
	free(args);
	if (rk == LW_RET_ONE) {
		lw_push(s, call);
	} else if (rk == LW_RET_STRUCT) {
		for (uint32_t i = 0; i < ft->nresults; i++)
			lw_push(s, LLVMBuildExtractValue(s->b, call, i, ""));
	} else if (rk == LW_RET_AREA) {
		uint32_t off = 0;
		for (uint32_t i = 0; i < ft->nresults; i++) {
			uint32_t at = jit_v1_slot_next(&off, ft->results[i]) / 8;
			lw_push(s, lw_load_slot(s, area, at, lw_valtype(s, ft->results[i])));
		}
	}
}

/*
 * Tail calls (llvm_module.c "Tail calls"): LLVM 14 guarantees a call
 * marked `tail` to be a tail call when caller and callee are tailcc and
 * the call is in tail position (`ret` of its value right after it), for
 * any two prototypes (the callee pops its stack arguments, so the area
 * may change size).  The results are the caller's (the proposal's rule),
 * so they come back in the same registers, or go to the caller's own
 * result area, whose pointer is passed on.
 *
 * O2 must not take the call out of its tail position, which it does to
 * a `tail` call it knows: interprocedural constant propagation replaced
 * `ret %call` by `ret 0` in return_call.wast's $count (a 1,000,000 deep
 * recursion then exhausted the stack).  So the callee is an opaque
 * pointer (an empty inline asm's output): a call O2 knows nothing about,
 * whose result nothing can replace.  (SimplifyCFG still merges the
 * returns into one block with a phi; the code generator's CodeGenPrepare
 * puts a `ret` back after each such tail call.  llvm_module.c checks the
 * shape after O2.)
 */
static LLVMValueRef opaque(struct lw *s, LLVMValueRef v)
{
	LLVMTypeRef t = LLVMTypeOf(v);
	LLVMTypeRef ft = LLVMFunctionType(t, &t, 1, false);
	LLVMValueRef asmv = LLVMGetInlineAsm(ft, "", 0, "=r,0", 4, false, false,
					     LLVMInlineAsmDialectATT, false);

	return LLVMBuildCall2(s->b, ft, asmv, &v, 1, "");
}
void lw_emit_tail_call(struct lw *s, const struct wasm_functype *ft, LLVMValueRef fn,
		       LLVMValueRef callee_ctx)
{
	uint32_t na = ft->nparams + 1 + (lw_ret_kind(ft) == LW_RET_AREA), k = 0;
	LLVMValueRef *args = calloc(na, sizeof *args), call;
	LLVMTypeRef fty = lw_fn_type(s, ft);

	if (!args)
		abort();
	args[k++] = callee_ctx;
	if (lw_ret_kind(ft) == LW_RET_AREA)
		args[k++] = LLVMGetParam(s->fn, 1);     /* the caller's results */
	s->sp -= ft->nparams;
	for (uint32_t i = 0; i < ft->nparams; i++)
		args[k + i] = s->stack[s->sp + i];
	if (LLVMTypeOf(fn) != LLVMPointerType(fty, 0))
		fn = LLVMBuildBitCast(s->b, fn, LLVMPointerType(fty, 0), "");
	call = LLVMBuildCall2(s->b, fty, opaque(s, fn), args, na, "");
	free(args);
	LLVMSetInstructionCallConv(call, LW_TAILCC);
	LLVMSetTailCall(call, true);
	if (lw_ret_kind(ft) == LW_RET_ONE || lw_ret_kind(ft) == LW_RET_STRUCT)
		LLVMBuildRet(s->b, call);
	else
		LLVMBuildRetVoid(s->b);
	s->dead = true;
}

/* return_call f: an own function's body as a tail call; an import's stub
 * (a v1 function, ccc: it pops nothing, so a tailcc caller cannot jump to
 * it) by a call and a return: the host function runs one frame below
 * this one, not in constant stack across imports (docs/abi.md) */
bool lw_op_return_call(struct lw *s, uint32_t f)
{
	const struct wasm_functype *ft = wasm_func_type(s->m, f);

	if (!s->tail)           /* lw_module_has_tail_calls missed it */
		return lw_fail(s, "llvm backend: unexpected return_call (function %u)",
			       s->func);
	lw_eh_leave_all(s);
	if (!s->m->funcs[f].imported) {
		lw_emit_tail_call(s, ft, s->fns[f], s->ctx);
		return true;
	}
	if (!lw_op_call(s, f))
		return false;
	lw_emit_return(s, ft);
	return true;
}

/* call f: an own function by `call rel32`; an import through its
 * struct jit_funcref (ctx->funcrefs[f]): code with rdi = the funcref's ctx */
bool lw_op_call(struct lw *s, uint32_t f)
{
	const struct wasm_functype *ft = wasm_func_type(s->m, f);
	LLVMValueRef fr;

	if (!s->m->funcs[f].imported) {
		lw_emit_call(s, ft, s->fns[f], s->ctx);
		return true;
	}
	/* the import's stub is a v1 function, v128 included (a host function
	   sees two 8-byte places per v128: jit/compile/driver.c) */
	fr = lw_funcref(s, f);
	lw_emit_call(s, ft, lw_funcref_field(s, fr, offsetof(struct jit_funcref, code), true),
		     lw_funcref_field(s, fr, offsetof(struct jit_funcref, ctx), true));
	return true;
}
