/*
 * llvm_func.c — one Wasm function body (Core spec 2.0 §5.4 instructions,
 * §4.4 execution) to LLVM IR in wasm ABI v1 (docs/abi.md): the prologue,
 * locals, the opcode loop, traps, the return.  Control is llvm_ctl.c,
 * memory and globals llvm_mem.c, numerics llvm_num.c.
 *
 * Locals are allocas (the O2 pipeline's mem2reg makes them SSA values;
 * those a try body writes stay in memory, volatile: llvm_eh.c);
 * the operand stack is a stack of LLVM values.  Code after br, br_table,
 * return and unreachable up to the matching else/end is validated already
 * and is skipped, not translated.  Prologue: the stack check against
 * ctx->stack_limit; ctx->mem_base loaded once (invariant).  Traps call
 * ctx->trap(ctx, code, index) through the module's stub wasm_trap; it
 * does not return.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lw.h"
#include "abi.h"
#include "opcodes.h"
#include "jit.h"
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

/*
 * At the insertion point: ctx->trap(ctx, code, index), noreturn (esi =
 * the code, | JIT_TRAP_INDEX when edx names an element; docs/abi.md).
 * One call per site, as inline assembly: `call wasm_trap` (the module's
 * stub, llvm_module.c, jumps on through ctx->trap, so the return address
 * is this site) and, in LW_TRAP_SECTION, the site (PC-relative) with the
 * Wasm byte offset of the instruction; llvm_elf.c reads that table back.
 * Nothing after the call runs (unreachable).
 */
static void build_trap_call(struct lw *s, LLVMValueRef code, LLVMValueRef index)
{
	static const char cons[] = "{di},{si},{dx},~{memory},~{dirflag},~{fpsr},~{flags}";
	char text[160];
	int n = snprintf(text, sizeof text, "call %s\n1:\n.pushsection %s,\"a\",@progbits\n"
			 ".p2align 2\n.long 1b - .\n.long %u\n.popsection", LW_TRAP_STUB,
			 LW_TRAP_SECTION, s->op_off);
	LLVMValueRef args[3], asmv;
	LLVMTypeRef at[3] = { s->ptr, s->i32, s->i32 }, ft;

	args[0] = s->ctx;
	args[1] = code;
	args[2] = index ? index : LLVMConstInt(s->i32, 0, false);
	ft = LLVMFunctionType(s->vd, at, 3, false);
	/* alignstack: rsp 16-byte aligned at the call, as at any call */
	asmv = LLVMGetInlineAsm(ft, text, (size_t)n, (char *)cons, sizeof cons - 1, true, true,
				LLVMInlineAsmDialectATT, false);
	LLVMBuildCall2(s->b, ft, asmv, args, 3, "");
	LLVMBuildUnreachable(s->b);
}

/* A trap block for code at this site (one per site: each records the
 * Wasm offset of its instruction). */
static LLVMBasicBlockRef trap_block(struct lw *s, unsigned code)
{
	LLVMBasicBlockRef here = LLVMGetInsertBlock(s->b), bb;

	bb = LLVMAppendBasicBlockInContext(s->c, s->fn, "trap");
	LLVMPositionBuilderAtEnd(s->b, bb);
	build_trap_call(s, LLVMConstInt(s->i32, code, false), NULL);
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

/* a trap block of its own (i32 `index` is this site's value) */
void lw_trap_idx_if(struct lw *s, LLVMValueRef cond, unsigned code, LLVMValueRef index)
{
	LLVMBasicBlockRef tb = LLVMAppendBasicBlockInContext(s->c, s->fn, "trap_idx");
	LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(s->c, s->fn, "");

	LLVMBuildCondBr(s->b, cond, tb, cont);
	LLVMPositionBuilderAtEnd(s->b, tb);
	build_trap_call(s, LLVMConstInt(s->i32, code | JIT_TRAP_INDEX, false), index);
	LLVMPositionBuilderAtEnd(s->b, cont);
}

/* trap with code (i32) unless it is 0: a jit_rt helper's result */
void lw_trap_nonzero(struct lw *s, LLVMValueRef code)
{
	LLVMBasicBlockRef tb = LLVMAppendBasicBlockInContext(s->c, s->fn, "trap_rt");
	LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(s->c, s->fn, "");

	LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntNE, code,
		LLVMConstInt(s->i32, 0, false), ""), tb, cont);
	LLVMPositionBuilderAtEnd(s->b, tb);
	build_trap_call(s, code, NULL);
	LLVMPositionBuilderAtEnd(s->b, cont);
}

/* ctx->rt->(field at off)(args...): a plain SysV call (docs/abi.md) */
LLVMValueRef lw_rt_call(struct lw *s, size_t off, LLVMTypeRef ret, LLVMTypeRef *at,
			LLVMValueRef *args, unsigned n)
{
	LLVMTypeRef ft = LLVMFunctionType(ret, at, n, false);
	LLVMTypeRef fpt = LLVMPointerType(ft, 0);
	LLVMValueRef rt = lw_load_invariant(s, s->ptr, lw_ctx_field(s, CTX_RT, s->ptr));
	LLVMValueRef idx = LLVMConstInt(s->i64, off, false);
	LLVMValueRef p = LLVMBuildGEP2(s->b, s->i8, rt, &idx, 1, "");
	LLVMValueRef fp = lw_load_invariant(s, fpt,
		LLVMBuildBitCast(s->b, p, LLVMPointerType(fpt, 0), ""));

	return LLVMBuildCall2(s->b, ft, fp, args, n, "");
}

/* ---- the opcode loop ------------------------------------------------ */

static bool op_local(struct lw *s, uint8_t op)
{
	uint32_t i;
	LLVMTypeRef t;

	if (!wasm_read_u32(&s->r, &i) || i >= s->nlocals)
		return lw_fail(s, "llvm backend: bad local index");
	t = lw_valtype(s, s->local_types[i]);
	/* a local a try body writes lives in memory (llvm_eh.c) */
	if (op == OP_LOCAL_GET) {
		LLVMValueRef v = LLVMBuildLoad2(s->b, t, s->locals[i], "");
		LLVMSetVolatile(v, s->local_mem[i]);
		lw_push(s, v);
	} else {
		LLVMSetVolatile(LLVMBuildStore(s->b, s->stack[s->sp - 1], s->locals[i]),
				s->local_mem[i]);
		if (op == OP_LOCAL_SET)
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

	if (op == OP_I32_CONST && wasm_read_s32(&s->r, &a))
		lw_push(s, LLVMConstInt(s->i32, (uint32_t)a, false));
	else if (op == OP_I64_CONST && wasm_read_s64(&s->r, &b))
		lw_push(s, LLVMConstInt(s->i64, (uint64_t)b, false));
	else if (op == OP_F32_CONST && wasm_read_f32(&s->r, &f))   /* bits, NaN payloads kept */
		lw_push(s, LLVMConstBitCast(LLVMConstInt(s->i32, f, false), s->f32));
	else if (op == OP_F64_CONST && wasm_read_f64(&s->r, &d))
		lw_push(s, LLVMConstBitCast(LLVMConstInt(s->i64, d, false), s->f64));
	else
		return lw_fail(s, "llvm backend: bad constant");
	return true;
}

static bool op_select(struct lw *s, uint8_t op)
{
	LLVMValueRef c, b, a;

	if (op == OP_SELECT_T) {       /* select t*: one type (validated) */
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
	if (sub <= OPFC_I64_TRUNC_SAT_F64_U)
		return lw_trunc_sat(s, sub);
	if (sub < OPFC__COUNT)
		return lw_op_fc_bulk(s, sub);
	snprintf(name, sizeof name, "0xfc %u", sub);
	return lw_unsupported(s, name);
}

/* end of a try (llvm_eh.c), or of a block, loop, if or the function */
static bool end_op(struct lw *s)
{
	return s->ctl[s->nctl - 1].kind == OP_TRY ? lw_eh_end(s) : lw_op_end(s);
}

/* One instruction in reachable code. */
static bool translate_op(struct lw *s, uint8_t op)
{
	uint32_t x;

	if (op >= OP_I32_EQZ && op <= OP_I64_EXTEND32_S)
		return lw_numeric(s, op);
	if (op >= OP_I32_LOAD && op <= OP_I64_LOAD32_U)
		return lw_op_load(s, op);
	if (op >= OP_I32_STORE && op <= OP_I64_STORE32)
		return lw_op_store(s, op);
	switch (op) {
	case OP_UNREACHABLE:
		LLVMBuildBr(s->b, trap_block(s, WASM_TRAP_UNREACHABLE));
		s->dead = true;
		return true;
	case OP_NOP: return true;
	case OP_BLOCK: case OP_LOOP: case OP_IF: return lw_op_block(s, op);
	case OP_ELSE: lw_op_else(s); return true;
	case OP_END: return end_op(s);
	case OP_BR: case OP_BR_IF:
		if (!wasm_read_u32(&s->r, &x) || x >= s->nctl)
			return lw_fail(s, "llvm backend: bad label");
		return op == OP_BR ? lw_op_br(s, x) : lw_op_br_if(s, x);
	case OP_BR_TABLE: return lw_op_br_table(s);
	case OP_RETURN: return lw_op_br(s, s->nctl - 1);
	case OP_CALL:
		if (!wasm_read_u32(&s->r, &x) || x >= s->m->nfuncs)
			return lw_fail(s, "llvm backend: bad function index");
		return lw_op_call(s, x);
	case OP_CALL_INDIRECT: return lw_op_call_indirect(s);
	case OP_TRY: case OP_CATCH: case OP_THROW: case OP_RETHROW: case OP_DELEGATE:
	case OP_CATCH_ALL:
		return lw_eh_op(s, op);
	case OP_RETURN_CALL:
		if (!wasm_read_u32(&s->r, &x) || x >= s->m->nfuncs)
			return lw_fail(s, "llvm backend: bad function index");
		return lw_op_return_call(s, x);
	case OP_RETURN_CALL_INDIRECT: return lw_op_return_call_indirect(s);
	case OP_TABLE_GET: case OP_TABLE_SET: return lw_op_table_get_set(s, op);
	case OP_REF_NULL: case OP_REF_IS_NULL: case OP_REF_FUNC: return lw_op_ref(s, op);
	case OP_DROP: s->sp--; return true;
	case OP_SELECT: case OP_SELECT_T: return op_select(s, op);
	case OP_LOCAL_GET: case OP_LOCAL_SET: case OP_LOCAL_TEE: return op_local(s, op);
	case OP_GLOBAL_GET: case OP_GLOBAL_SET: return lw_op_global(s, op);
	case OP_MEMORY_SIZE: case OP_MEMORY_GROW: return lw_op_memory(s, op);
	case OP_I32_CONST: case OP_I64_CONST: case OP_F32_CONST: case OP_F64_CONST: return op_const(s, op);
	case OP_PREFIX_FC: return op_fc(s);
	case OP_PREFIX_FD: return lw_simd(s);
	default: return lw_unsupported(s, lw_opname(op));
	}
}

/* Skip immediates of kind OPI_* (in unreachable code). */
static bool skip_imm_kind(struct wasm_reader *r, uint8_t kind)
{
	uint32_t n, x;
	uint8_t b;
	int64_t bt;

	switch (kind) {
	case OPI_NONE: return true;
	case OPI_BLOCKTYPE: return wasm_read_s33(r, &bt);
	case OPI_U32: return wasm_read_u32(r, &x);
	case OPI_U32X2: return wasm_read_u32(r, &x) && wasm_read_u32(r, &x);
	case OPI_BRTABLE:
		if (!wasm_read_u32(r, &n))
			return false;
		for (uint32_t i = 0; i <= n; i++)
			if (!wasm_read_u32(r, &x))
				return false;
		return true;
	case OPI_VALTYPES:
		if (!wasm_read_u32(r, &n))
			return false;
		for (uint32_t i = 0; i < n; i++)
			if (!wasm_read_u8(r, &b))
				return false;
		return true;
	case OPI_BYTE: return wasm_read_u8(r, &b);
	case OPI_I32: { int32_t v; return wasm_read_s32(r, &v); }
	case OPI_I64: { int64_t v; return wasm_read_s64(r, &v); }
	case OPI_F32: { uint32_t v; return wasm_read_f32(r, &v); }
	case OPI_F64: { uint64_t v; return wasm_read_f64(r, &v); }
	case OPI_MEMIDX: return wasm_read_u32(r, &x);
	case OPI_U32_MEMIDX: case OPI_MEMIDX2:
		return wasm_read_u32(r, &x) && wasm_read_u32(r, &x);
	case OPI_MEMARG: {      /* flags, [memidx (flags bit 6),] offset */
		uint64_t off;   /* a u64 for a 64-bit memory (memory64) */
		if (!wasm_read_u32(r, &x))
			return false;
		if ((x & 0x40) && !wasm_read_u32(r, &x))
			return false;
		return wasm_read_u64(r, &off);
	}
	case OPI_FC:
		if (!wasm_read_u32(r, &x) || x >= OPFC__COUNT)
			return false;
		return skip_imm_kind(r, wasm_fc_opinfo[x].imm);
	case OPI_FD:
		if (!wasm_read_u32(r, &x) || x >= OPFD__COUNT || !wasm_fd_opinfo[x].name)
			return false;
		return skip_imm_kind(r, wasm_fd_opinfo[x].imm);
	case OPI_LANE: return wasm_read_u8(r, &b);
	case OPI_MEMLANE: return skip_imm_kind(r, OPI_MEMARG) && wasm_read_u8(r, &b);
	case OPI_BYTES16:
		for (unsigned i = 0; i < 16; i++)
			if (!wasm_read_u8(r, &b))
				return false;
		return true;
	default: return false;
	}
}

bool lw_skip_imm(struct lw *s, uint8_t op)
{
	return skip_imm_kind(&s->r, wasm_opinfo[op].imm);
}

/* one body: its locals' groups, then every instruction's opcode and
 * immediates (validated already; a bad one ends the scan) */
static bool body_has_tail_call(const wasm_module *m, const struct wasm_func *f)
{
	struct wasm_reader r;
	uint32_t ngroups, n;
	uint8_t op;

	wasm_reader_init(&r, m->bytes, f->body_start, f->body_end);
	if (!wasm_read_u32(&r, &ngroups))
		return false;
	for (uint32_t g = 0; g < ngroups; g++)
		if (!wasm_read_u32(&r, &n) || !wasm_read_u8(&r, &op))
			return false;
	while (wasm_read_u8(&r, &op)) {
		if (op == OP_RETURN_CALL || op == OP_RETURN_CALL_INDIRECT)
			return true;
		if (!skip_imm_kind(&r, wasm_opinfo[op].imm))
			return false;
	}
	return false;
}

bool lw_module_has_tail_calls(const wasm_module *m)
{
	for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++)
		if (body_has_tail_call(m, &m->funcs[i]))
			return true;
	return false;
}

/* Unreachable code: skip to the else, end, catch, catch_all or delegate
 * that ends it. */
static bool skip_dead(struct lw *s, uint8_t op, uint32_t *depth)
{
	if (op == OP_BLOCK || op == OP_LOOP || op == OP_IF || op == OP_TRY) {
		(*depth)++;
		return lw_skip_imm(s, op);
	}
	if ((op == OP_END || op == OP_DELEGATE) && *depth) {
		(*depth)--;
		return lw_skip_imm(s, op);
	}
	if (*depth)
		return lw_skip_imm(s, op);
	if (op == OP_ELSE) {
		lw_op_else(s);
		return true;
	}
	if (op == OP_END)
		return end_op(s);
	if (op == OP_CATCH || op == OP_CATCH_ALL || op == OP_DELEGATE)
		return lw_eh_op(s, op);
	return lw_skip_imm(s, op);
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
	if (s->has_try)
		lw_eh_prologue(s);
}

static bool add_local(struct lw *s, uint8_t t, LLVMValueRef init)
{
	LLVMTypeRef lt = lw_valtype(s, t);

	if (!lt)
		return lw_unsupported(s, "local of a vector type");
	s->local_types[s->nlocals] = t;
	s->locals[s->nlocals] = LLVMBuildAlloca(s->b, lt, "");
	LLVMSetVolatile(LLVMBuildStore(s->b, init ? init : LLVMConstNull(lt),
				       s->locals[s->nlocals]), s->local_mem[s->nlocals]);
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
	s->local_types = malloc(total ? total : 1);
	s->locals = calloc(total ? total : 1, sizeof *s->locals);
	s->local_mem = calloc(total ? total : 1, sizeof *s->local_mem);
	if (!s->local_types || !s->locals || !s->local_mem)
		return lw_fail(s, "llvm backend: out of memory (%u locals)", total);
	if (!lw_eh_scan(s, total))      /* from the first instruction */
		return false;
	s->r = save;
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
		/* value slots (jit.h jit_v1_slot_next: a v128 16 bytes at a
		   multiple of 16; stored 8-aligned, the caller's area may not be) */
		uint32_t off = 0;
		for (uint32_t i = 0; i < ft->nresults; i++) {
			uint32_t at = jit_v1_slot_next(&off, ft->results[i]) / 8;
			LLVMValueRef idx = LLVMConstInt(s->i64, at, false);
			LLVMValueRef p = LLVMBuildGEP2(s->b, s->i64, s->results_area, &idx, 1, "");
			p = LLVMBuildBitCast(s->b, p, LLVMPointerType(LLVMTypeOf(vals[i]), 0), "");
			LLVMSetAlignment(LLVMBuildStore(s->b, vals[i], p), 8);
		}
		LLVMBuildRetVoid(s->b);
	}
}

void lw_emit_return(struct lw *s, const struct wasm_functype *ft)
{
	build_return(s, ft, ft->nresults ? &s->stack[s->sp - ft->nresults] : NULL);
	s->dead = true;
}

static bool body(struct lw *s)
{
	uint8_t op;
	uint32_t depth = 0;

	while (s->nctl) {
		s->op_off = (uint32_t)wasm_reader_offset(&s->r);
		lw_debug_loc(s, s->op_off);
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
	s->entry = LLVMAppendBasicBlockInContext(s->c, s->fn, "entry");
	LLVMPositionBuilderAtEnd(s->b, s->entry);
	lw_debug_loc(s, f->body_start);         /* locals, the stack check */
	if (first == 2)
		s->results_area = LLVMBuildBitCast(s->b, LLVMGetParam(s->fn, 1),
						   LLVMPointerType(s->i64, 0), "");
	wasm_reader_init(&s->r, s->m->bytes, f->body_start, f->body_end);
	s->nlocals = 0;
	s->sp = 0;
	s->nctl = 0;
	s->dead = false;
	s->ntry = s->ncatch = 0;
	ok = locals(s, ft, first);
	if (ok) {
		LLVMBasicBlockRef start = LLVMAppendBasicBlockInContext(s->c, s->fn, "body");
		LLVMBuildBr(s->b, start);       /* entry: allocas only */
		LLVMPositionBuilderAtEnd(s->b, start);
		s->op_off = f->body_start;      /* the stack check's trap */
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
		/* no results: the stack may never have been allocated (NULL + 0
		   is undefined behaviour; UBSan, make check-asan) */
		build_return(s, ft, ft->nresults ? &s->stack[s->sp - ft->nresults] : NULL);
	}
	while (s->nctl)
		lw_free_ctl(&s->ctl[--s->nctl]);
	free(s->local_types);
	free(s->locals);
	free(s->local_mem);
	s->local_types = NULL;
	s->locals = NULL;
	s->local_mem = NULL;
	lw_eh_free(s);
	return ok;
}
