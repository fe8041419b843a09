/*
 * llvm_func.c — one Wasm function body (Core spec 2.0 §5.4 instructions,
 * §4.4 execution) to LLVM IR in wasm ABI v1 (docs/abi.md): the prologue,
 * locals, the opcode loop, traps, the return.  Control is llvm_ctl.c,
 * memory and globals llvm_mem.c, numerics llvm_num.c.
 *
 * Locals are allocas (the O2 pipeline's mem2reg makes them SSA values);
 * the operand stack is a stack of LLVM values.  Code after br, br_table,
 * return and unreachable up to the matching else/end is validated already
 * and is skipped, not translated.  Prologue: the stack check against
 * ctx->stack_limit; ctx->mem_base loaded once (invariant).  Traps call
 * ctx->trap(ctx, code), which does not return.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lw.h"
#include "abi.h"
#include "opcodes.h"
#include "wasm.h"

bool lw_fail(struct lw *s, const char *fmt, ...)
{
	va_list ap;

	if (s->err[0])
		return false;
	va_start(ap, fmt);
	vsnprintf(s->err, s->errlen, fmt, ap);
	va_end(ap);
	return false;
}

const char *lw_opname(uint8_t op)
{
	return wasm_opinfo[op].name ? wasm_opinfo[op].name : "unknown opcode";
}

bool lw_unsupported(struct lw *s, const char *name)
{
	return lw_fail(s, "llvm backend: %s not supported yet (function %u)",
		       name, s->func);
}

void lw_push(struct lw *s, LLVMValueRef v)
{
	if (s->sp == s->stack_cap) {
		s->stack_cap = s->stack_cap ? 2 * s->stack_cap : 64;
		s->stack = realloc(s->stack, s->stack_cap * sizeof *s->stack);
		if (!s->stack)
			abort();
	}
	s->stack[s->sp++] = v;
}

LLVMValueRef lw_pop(struct lw *s)
{
	return s->stack[--s->sp];
}

LLVMValueRef lw_intrinsic(struct lw *s, const char *name, LLVMTypeRef ret,
			  LLVMValueRef *args, unsigned nargs)
{
	LLVMTypeRef at[4];
	LLVMValueRef f = LLVMGetNamedFunction(s->mod, name);
	LLVMTypeRef ft;

	for (unsigned i = 0; i < nargs; i++)
		at[i] = LLVMTypeOf(args[i]);
	ft = LLVMFunctionType(ret, at, nargs, false);
	if (!f)
		f = LLVMAddFunction(s->mod, name, ft);
	return LLVMBuildCall2(s->b, ft, f, args, nargs, "");
}

/* A pointer to the field at byte offset off of *ctx, as a t*. */
LLVMValueRef lw_ctx_field(struct lw *s, unsigned off, LLVMTypeRef t)
{
	LLVMValueRef idx = LLVMConstInt(s->i64, off, false);
	LLVMValueRef p = LLVMBuildGEP2(s->b, s->i8, s->ctx, &idx, 1, "");

	return LLVMBuildBitCast(s->b, p, LLVMPointerType(t, 0), "");
}

LLVMValueRef lw_load_invariant(struct lw *s, LLVMTypeRef t, LLVMValueRef p)
{
	LLVMValueRef v = LLVMBuildLoad2(s->b, t, p, "");
	unsigned kind = LLVMGetMDKindIDInContext(s->c, "invariant.load", 14);

	LLVMSetMetadata(v, kind, LLVMMDNodeInContext(s->c, NULL, 0));
	return v;
}

/* The shared trap block of code: ctx->trap(ctx, code), noreturn. */
static LLVMBasicBlockRef trap_block(struct lw *s, unsigned code)
{
	LLVMBasicBlockRef here = LLVMGetInsertBlock(s->b), bb;
	LLVMTypeRef at[2] = { s->ptr, s->i32 };
	LLVMTypeRef ft = LLVMFunctionType(s->vd, at, 2, false);
	LLVMValueRef fp, call, args[2];

	if (s->traps[code])
		return s->traps[code];
	bb = LLVMAppendBasicBlockInContext(s->c, s->fn, "trap");
	LLVMPositionBuilderAtEnd(s->b, bb);
	fp = LLVMBuildLoad2(s->b, LLVMPointerType(ft, 0),
			    lw_ctx_field(s, CTX_TRAP, LLVMPointerType(ft, 0)), "");
	args[0] = s->ctx;
	args[1] = LLVMConstInt(s->i32, code, false);
	call = LLVMBuildCall2(s->b, ft, fp, args, 2, "");
	LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
		LLVMCreateEnumAttribute(s->c,
			LLVMGetEnumAttributeKindForName("noreturn", 8), 0));
	LLVMBuildUnreachable(s->b);
	s->traps[code] = bb;
	if (here)
		LLVMPositionBuilderAtEnd(s->b, here);
	return bb;
}

void lw_trap_if(struct lw *s, LLVMValueRef cond, unsigned code)
{
	LLVMBasicBlockRef tb = trap_block(s, code);
	LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(s->c, s->fn, "");

	LLVMBuildCondBr(s->b, cond, tb, cont);
	LLVMPositionBuilderAtEnd(s->b, cont);
}

/* ---- the opcode loop ------------------------------------------------ */

static bool op_local(struct lw *s, uint8_t op)
{
	uint32_t i;
	LLVMTypeRef t;

	if (!wasm_read_u32(&s->r, &i) || i >= s->nlocals)
		return lw_fail(s, "llvm backend: bad local index");
	t = lw_valtype(s, s->local_types[i]);
	if (op == 0x20) {
		lw_push(s, LLVMBuildLoad2(s->b, t, s->locals[i], ""));
	} else {
		LLVMBuildStore(s->b, s->stack[s->sp - 1], s->locals[i]);
		if (op == 0x21)
			s->sp--;
	}
	return true;
}

static bool op_const(struct lw *s, uint8_t op)
{
	int32_t a;
	int64_t b;
	uint32_t f;
	uint64_t d;

	if (op == 0x41 && wasm_read_s32(&s->r, &a))
		lw_push(s, LLVMConstInt(s->i32, (uint32_t)a, false));
	else if (op == 0x42 && wasm_read_s64(&s->r, &b))
		lw_push(s, LLVMConstInt(s->i64, (uint64_t)b, false));
	else if (op == 0x43 && wasm_read_f32(&s->r, &f))   /* bits, NaN payloads kept */
		lw_push(s, LLVMConstBitCast(LLVMConstInt(s->i32, f, false), s->f32));
	else if (op == 0x44 && wasm_read_f64(&s->r, &d))
		lw_push(s, LLVMConstBitCast(LLVMConstInt(s->i64, d, false), s->f64));
	else
		return lw_fail(s, "llvm backend: bad constant");
	return true;
}

static bool op_select(struct lw *s, uint8_t op)
{
	LLVMValueRef c, b, a;

	if (op == 0x1c) {       /* select t*: one type (validated) */
		uint32_t n;
		uint8_t t;
		if (!wasm_read_u32(&s->r, &n) || !wasm_read_u8(&s->r, &t))
			return lw_fail(s, "llvm backend: bad select");
	}
	c = lw_pop(s);
	b = lw_pop(s);
	a = lw_pop(s);
	lw_push(s, LLVMBuildSelect(s->b, LLVMBuildICmp(s->b, LLVMIntNE, c,
		LLVMConstInt(s->i32, 0, false), ""), a, b, ""));
	return true;
}

static bool op_fc(struct lw *s)
{
	uint32_t sub;
	char name[32];

	if (!wasm_read_u32(&s->r, &sub))
		return lw_fail(s, "llvm backend: bad 0xfc opcode");
	if (sub <= 7)
		return lw_trunc_sat(s, sub);
	snprintf(name, sizeof name, "0xfc %u", sub);
	return lw_unsupported(s, name);
}

/* One instruction in reachable code. */
static bool translate_op(struct lw *s, uint8_t op)
{
	uint32_t x;

	if (op >= 0x45 && op <= 0xc4)
		return lw_numeric(s, op);
	if (op >= 0x28 && op <= 0x35)
		return lw_op_load(s, op);
	if (op >= 0x36 && op <= 0x3e)
		return lw_op_store(s, op);
	switch (op) {
	case 0x00:
		LLVMBuildBr(s->b, trap_block(s, WASM_TRAP_UNREACHABLE));
		s->dead = true;
		return true;
	case 0x01: return true;
	case 0x02: case 0x03: case 0x04: return lw_op_block(s, op);
	case 0x05: lw_op_else(s); return true;
	case 0x0b: return lw_op_end(s);
	case 0x0c: case 0x0d:
		if (!wasm_read_u32(&s->r, &x) || x >= s->nctl)
			return lw_fail(s, "llvm backend: bad label");
		return op == 0x0c ? lw_op_br(s, x) : lw_op_br_if(s, x);
	case 0x0e: return lw_op_br_table(s);
	case 0x0f: return lw_op_br(s, s->nctl - 1);
	case 0x10:
		if (!wasm_read_u32(&s->r, &x) || x >= s->m->nfuncs)
			return lw_fail(s, "llvm backend: bad function index");
		return lw_op_call(s, x);
	case 0x1a: s->sp--; return true;
	case 0x1b: case 0x1c: return op_select(s, op);
	case 0x20: case 0x21: case 0x22: return op_local(s, op);
	case 0x23: case 0x24: return lw_op_global(s, op);
	case 0x3f: case 0x40: return lw_op_memory(s, op);
	case 0x41: case 0x42: case 0x43: case 0x44: return op_const(s, op);
	case 0xfc: return op_fc(s);
	default: return lw_unsupported(s, lw_opname(op));
	}
}

/* Skip the immediates of op (in unreachable code). */
static bool skip_imm(struct lw *s, uint8_t op)
{
	uint32_t n, x;
	uint8_t b;
	int64_t bt;

	switch (wasm_opinfo[op].imm) {
	case OPI_NONE: return true;
	case OPI_BLOCKTYPE: return wasm_read_s33(&s->r, &bt);
	case OPI_U32: return wasm_read_u32(&s->r, &x);
	case OPI_U32X2: return wasm_read_u32(&s->r, &x) && wasm_read_u32(&s->r, &x);
	case OPI_BRTABLE:
		if (!wasm_read_u32(&s->r, &n))
			return false;
		for (uint32_t i = 0; i <= n; i++)
			if (!wasm_read_u32(&s->r, &x))
				return false;
		return true;
	case OPI_VALTYPES:
		if (!wasm_read_u32(&s->r, &n))
			return false;
		for (uint32_t i = 0; i < n; i++)
			if (!wasm_read_u8(&s->r, &b))
				return false;
		return true;
	case OPI_BYTE: return wasm_read_u8(&s->r, &b);
	case OPI_I32: { int32_t v; return wasm_read_s32(&s->r, &v); }
	case OPI_I64: { int64_t v; return wasm_read_s64(&s->r, &v); }
	case OPI_F32: { uint32_t v; return wasm_read_f32(&s->r, &v); }
	case OPI_F64: { uint64_t v; return wasm_read_f64(&s->r, &v); }
	case OPI_FC:
		if (!wasm_read_u32(&s->r, &x))
			return false;
		if (x <= 7)
			return true;
		return lw_unsupported(s, "0xfc (bulk memory/table)");
	default: return false;
	}
}

/* Unreachable code: skip to the else or end that ends it. */
static bool skip_dead(struct lw *s, uint8_t op, uint32_t *depth)
{
	if (op == 0x02 || op == 0x03 || op == 0x04) {
		(*depth)++;
		return skip_imm(s, op);
	}
	if (op == 0x0b && *depth) {
		(*depth)--;
		return true;
	}
	if (op == 0x05 && !*depth) {
		lw_op_else(s);
		return true;
	}
	if (op == 0x0b)
		return lw_op_end(s);
	return skip_imm(s, op);
}

/* ---- the function: prologue, locals, body, return ------------------- */

/* The stack check (docs/abi.md "Stack"): rsp below ctx->stack_limit traps
 * with "call stack exhausted" (the limit keeps JIT_STACK_HOST_RESERVE
 * free under it, enough for any frame of this function and the trap). */
static void prologue(struct lw *s)
{
	LLVMMetadataRef name = LLVMMDStringInContext2(s->c, "rsp", 3);
	LLVMValueRef md = LLVMMetadataAsValue(s->c, LLVMMDNodeInContext2(s->c, &name, 1));
	LLVMTypeRef mdt = LLVMMetadataTypeInContext(s->c);
	LLVMTypeRef ft = LLVMFunctionType(s->i64, &mdt, 1, false);
	LLVMValueRef f = LLVMGetNamedFunction(s->mod, "llvm.read_register.i64");
	LLVMValueRef rsp, lim;

	if (!f)
		f = LLVMAddFunction(s->mod, "llvm.read_register.i64", ft);
	rsp = LLVMBuildCall2(s->b, ft, f, &md, 1, "rsp");
	lim = LLVMBuildLoad2(s->b, s->i64, lw_ctx_field(s, CTX_STACK_LIMIT, s->i64), "");
	lw_trap_if(s, LLVMBuildICmp(s->b, LLVMIntULT, rsp, lim, ""),
		   WASM_TRAP_STACK_EXHAUSTED);
	if (s->m->nmemories)
		s->mem_base = lw_load_invariant(s, s->ptr, lw_ctx_field(s, CTX_MEM_BASE, s->ptr));
}

static bool add_local(struct lw *s, uint8_t t, LLVMValueRef init)
{
	LLVMTypeRef lt = lw_valtype(s, t);

	if (!lt)
		return lw_unsupported(s, "local of a reference or vector type");
	s->local_types[s->nlocals] = t;
	s->locals[s->nlocals] = LLVMBuildAlloca(s->b, lt, "");
	LLVMBuildStore(s->b, init ? init : LLVMConstNull(lt), s->locals[s->nlocals]);
	s->nlocals++;
	return true;
}

static bool locals(struct lw *s, const struct wasm_functype *ft, uint32_t first)
{
	uint32_t ngroups, n = 0, total = ft->nparams;
	uint8_t t = 0;
	struct wasm_reader save;

	if (!wasm_read_u32(&s->r, &ngroups))
		return lw_fail(s, "llvm backend: bad locals");
	save = s->r;
	for (uint32_t g = 0; g < ngroups; g++) {
		if (!wasm_read_u32(&s->r, &n) || !wasm_read_u8(&s->r, &t))
			return lw_fail(s, "llvm backend: bad locals");
		total += n;     /* validated: at most 2^32 - 1 in all */
	}
	s->r = save;
	s->local_types = malloc(total ? total : 1);
	s->locals = calloc(total ? total : 1, sizeof *s->locals);
	if (!s->local_types || !s->locals)
		return lw_fail(s, "llvm backend: out of memory (%u locals)", total);
	for (uint32_t i = 0; i < ft->nparams; i++)
		if (!add_local(s, ft->params[i], LLVMGetParam(s->fn, first + i)))
			return false;
	for (uint32_t g = 0; g < ngroups; g++) {
		wasm_read_u32(&s->r, &n);
		wasm_read_u8(&s->r, &t);
		for (uint32_t i = 0; i < n; i++)
			if (!add_local(s, t, NULL))
				return false;
	}
	return true;
}

static void build_return(struct lw *s, const struct wasm_functype *ft,
			 LLVMValueRef *vals)
{
	enum lw_ret rk = lw_ret_kind(ft);

	if (rk == LW_RET_VOID) {
		LLVMBuildRetVoid(s->b);
	} else if (rk == LW_RET_ONE) {
		LLVMBuildRet(s->b, vals[0]);
	} else if (rk == LW_RET_STRUCT) {
		LLVMBuildAggregateRet(s->b, vals, ft->nresults);
	} else {
		for (uint32_t i = 0; i < ft->nresults; i++) {
			LLVMValueRef idx = LLVMConstInt(s->i64, i, false);
			LLVMValueRef p = LLVMBuildGEP2(s->b, s->i64, s->results_area, &idx, 1, "");
			p = LLVMBuildBitCast(s->b, p, LLVMPointerType(LLVMTypeOf(vals[i]), 0), "");
			LLVMBuildStore(s->b, vals[i], p);
		}
		LLVMBuildRetVoid(s->b);
	}
}

static bool body(struct lw *s)
{
	uint8_t op;
	uint32_t depth = 0;

	while (s->nctl) {
		if (!wasm_read_u8(&s->r, &op))
			return lw_fail(s, "llvm backend: body ends early (function %u)",
				       s->func);
		if (!(s->dead ? skip_dead(s, op, &depth) : translate_op(s, op)))
			return lw_fail(s, "llvm backend: cannot translate %s (function %u)",
				       lw_opname(op), s->func);
	}
	return true;
}

bool lw_func(struct lw *s, uint32_t func)
{
	const struct wasm_func *f = &s->m->funcs[func];
	const struct wasm_functype *ft = &s->m->types[f->type];
	uint32_t first = 1 + (lw_ret_kind(ft) == LW_RET_AREA);
	struct lw_ctl *c;
	LLVMBasicBlockRef cur;
	bool ok;

	s->func = func;
	s->fn = s->fns[func];
	s->ctx = LLVMGetParam(s->fn, 0);
	s->results_area = NULL;
	memset(s->traps, 0, sizeof s->traps);
	s->entry = LLVMAppendBasicBlockInContext(s->c, s->fn, "entry");
	LLVMPositionBuilderAtEnd(s->b, s->entry);
	if (first == 2)
		s->results_area = LLVMBuildBitCast(s->b, LLVMGetParam(s->fn, 1),
						   LLVMPointerType(s->i64, 0), "");
	wasm_reader_init(&s->r, s->m->bytes, f->body_start, f->body_end);
	s->nlocals = 0;
	s->sp = 0;
	s->nctl = 0;
	s->dead = false;
	ok = locals(s, ft, first);
	if (ok) {
		LLVMBasicBlockRef start = LLVMAppendBasicBlockInContext(s->c, s->fn, "body");
		LLVMBuildBr(s->b, start);       /* entry: allocas only */
		LLVMPositionBuilderAtEnd(s->b, start);
		prologue(s);
		cur = LLVMGetInsertBlock(s->b);
		c = lw_push_ctl(s);
		c->kind = 0;
		c->nresults = ft->nresults;
		c->results = ft->results;
		c->end = c->target = LLVMAppendBasicBlockInContext(s->c, s->fn, "return");
		c->end_phis = c->target_phis = lw_make_phis(s, c->end, c->nresults, c->results);
		LLVMPositionBuilderAtEnd(s->b, cur);
		ok = body(s);
	}
	if (ok && !s->dead) {   /* after the function's end: the return block */
		build_return(s, ft, &s->stack[s->sp - ft->nresults]);
	}
	while (s->nctl)
		lw_free_ctl(&s->ctl[--s->nctl]);
	free(s->local_types);
	free(s->locals);
	s->local_types = NULL;
	s->locals = NULL;
	return ok;
}
