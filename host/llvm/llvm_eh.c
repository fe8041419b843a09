/*
 * llvm_eh.c — exception handling in the LLVM backend (the proposal's
 * legacy form: try, catch, catch_all, delegate, throw, rethrow; docs/
 * abi.md "Exceptions"), on the runtime of the single-pass JIT (jit/eh.c):
 * the same handler records chained from ctx->eh_top, the same caught
 * stack and jit_rt entries, so exceptions cross frames of both backends.
 *
 *   try bt     r = wasm_eh_try(ctx, rec): a call marked returns_twice to
 *              the module's stub (setjmp-like, below) that fills the
 *              record (an alloca per try depth) and makes it eh_top; it
 *              returns NULL, and when an exception reaches the record it
 *              "returns" again with the exception: r != NULL -> the
 *              handler.  The body leaves normally by eh_top = its prev.
 *   handler    the exception onto the caught stack (jit_rt.eh_catch),
 *              then each clause's test (catch x: its tag against
 *              ctx->tags[x], the payload loaded; catch_all none); none
 *              matches: jit_rt.eh_pass.  A catch body left normally:
 *              jit_rt.eh_drop.  Catchless: jit_rt.eh_throw_obj.
 *   delegate l eh_top = the innermost active try body at depth >= l
 *              (none: eh_top at the function's entry), eh_throw_obj.
 *   throw x    the payload in 16-byte places, jit_rt.eh_throw.
 *   rethrow l  jit_rt.eh_rethrow of the exception of the catch at l.
 *
 * After the second return the callee-saved registers are those of the
 * first (the stub saved them in the record; its landing pad restores
 * them) and the frame is as the try body left it.  So an SSA value of
 * before the try is intact (LLVM keeps values live across a returns_twice
 * call in callee-saved registers or in spill slots it reuses for no other
 * value in such functions: LLVM's PR18244), but a Wasm local written
 * inside a try body must be read from memory at the handler: lw_eh_scan
 * finds those locals, and llvm_func.c keeps them in allocas accessed with
 * volatile loads and stores (mem2reg would make them SSA values of the
 * setjmp time).  Locals not written in any try body are the same at
 * every handler as at its try and stay registers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lw.h"
#include "abi.h"
#include "opcodes.h"
#include "jit.h"

/*
 * The stubs, module assembly in the blob (like wasm_trap):
 *
 * wasm_eh_try(ctx=rdi, rec=rsi): rec = { prev = ctx->eh_top, rsp and rbp
 * of the caller after the call, pc = the landing pad, ncaught =
 * ctx->eh_ncaught, exn = NULL, rbx r12 r13 r14 r15, the return address },
 * ctx->eh_top = rec, returns 0.
 *
 * The landing pad: jit_eh_resume (x64/entry.S) jumps to REC_PC with rsp
 * and rbp from the record, rax = the exception and rdi = the record
 * (docs/abi.md: it leaves rdi so); the pad takes back rbx, r12-r15 and
 * jumps to the return address: wasm_eh_try returns the exception.
 */
void lw_eh_stubs(struct lw *s)
{
	char text[1400];
	int n = snprintf(text, sizeof text,
		".text\n.p2align 4\n.globl %1$s\n.hidden %1$s\n.type %1$s,@function\n"
		"%1$s:\n"
		"\tmovq %2$d(%%rdi), %%rax\n\tmovq %%rax, %4$d(%%rsi)\n"
		"\tleaq 8(%%rsp), %%rax\n\tmovq %%rax, %5$d(%%rsi)\n"
		"\tmovq %%rbp, %6$d(%%rsi)\n"
		"\tleaq .Lwasm_eh_land(%%rip), %%rax\n\tmovq %%rax, %7$d(%%rsi)\n"
		"\tmovq %3$d(%%rdi), %%rax\n\tmovq %%rax, %8$d(%%rsi)\n"
		"\tmovq $0, %9$d(%%rsi)\n"
		"\tmovq %%rbx, %10$d(%%rsi)\n\tmovq %%r12, %11$d(%%rsi)\n"
		"\tmovq %%r13, %12$d(%%rsi)\n\tmovq %%r14, %13$d(%%rsi)\n"
		"\tmovq %%r15, %14$d(%%rsi)\n"
		"\tmovq (%%rsp), %%rax\n\tmovq %%rax, %15$d(%%rsi)\n"
		"\tmovq %%rsi, %2$d(%%rdi)\n"
		"\txorl %%eax, %%eax\n\tret\n"
		".Lwasm_eh_land:\n"
		"\tmovq %10$d(%%rdi), %%rbx\n\tmovq %11$d(%%rdi), %%r12\n"
		"\tmovq %12$d(%%rdi), %%r13\n\tmovq %13$d(%%rdi), %%r14\n"
		"\tmovq %14$d(%%rdi), %%r15\n"
		"\tjmp *%15$d(%%rdi)\n"
		".size %1$s, .-%1$s\n",
		LW_EH_TRY, CTX_EH_TOP, CTX_EH_NCAUGHT, REC_PREV, REC_RSP, REC_RBP,
		REC_PC, REC_NCAUGHT, REC_EXN, REC_RBX, REC_R12, REC_R13, REC_R14,
		REC_R15, REC_RA);

	LLVMAppendModuleInlineAsm(s->mod, text, (size_t)n);
}

/* ---- the scan: which locals a try body writes ------------------------ */

/* Walks the body (validated) once: s->has_try, and s->local_mem[i] for
 * each local set or teed inside a try body (between try and its first
 * catch, catch_all, delegate or end, nested blocks included). */
bool lw_eh_scan(struct lw *s, uint32_t nlocals)
{
	struct wasm_reader r = s->r;
	uint8_t *kinds = NULL;          /* per open frame: 0, or a try's part */
	uint32_t depth = 0, cap = 0, inbody = 0;
	bool ok = true;

	s->has_try = false;
	s->eh_maxp = 0;
	while (ok && s->r.p < s->r.end) {
		uint8_t op;
		uint32_t x;
		if (!wasm_read_u8(&s->r, &op)) {
			ok = false;
			break;
		}
		if (op == OP_BLOCK || op == OP_LOOP || op == OP_IF || op == OP_TRY) {
			if (depth == cap) {
				cap = cap ? 2 * cap : 64;
				if (!(kinds = realloc(kinds, cap)))
					abort();
			}
			kinds[depth++] = op == OP_TRY ? LW_EH_BODY : 0;
			if (op == OP_TRY) {
				s->has_try = true;
				inbody++;
			}
			ok = lw_skip_imm(s, op);
		} else if ((op == OP_CATCH || op == OP_CATCH_ALL || op == OP_END ||
			    op == OP_DELEGATE) && depth) {
			if (kinds[depth - 1] == LW_EH_BODY) {
				inbody--;
				kinds[depth - 1] = LW_EH_CATCH;
			}
			if (op == OP_END || op == OP_DELEGATE)
				depth--;
			ok = lw_skip_imm(s, op);
		} else if (op == OP_THROW) {    /* the payload area's size */
			ok = wasm_read_u32(&s->r, &x) && x < s->m->ntags;
			if (ok && s->m->types[s->m->tags[x].type].nparams > s->eh_maxp)
				s->eh_maxp = s->m->types[s->m->tags[x].type].nparams;
		} else if ((op == OP_LOCAL_SET || op == OP_LOCAL_TEE) && inbody) {
			ok = wasm_read_u32(&s->r, &x) && x < nlocals;
			if (ok)
				s->local_mem[x] = true;
		} else {
			ok = lw_skip_imm(s, op);
		}
	}
	free(kinds);
	s->r = r;
	return ok || lw_fail(s, "llvm backend: bad body (function %u)", s->func);
}

void lw_eh_prologue(struct lw *s)
{
	s->eh_entry = LLVMBuildLoad2(s->b, s->ptr, lw_ctx_field(s, CTX_EH_TOP, s->ptr), "eh_entry");
}

void lw_eh_free(struct lw *s)
{
	free(s->eh_recs);
	s->eh_recs = NULL;
	s->neh_recs = 0;
	s->throw_area = NULL;
}

/* ---- helpers ---------------------------------------------------------- */

static LLVMValueRef rt_eh(struct lw *s, size_t off, LLVMTypeRef ret, LLVMValueRef a1,
			  LLVMTypeRef t1)
{
	LLVMTypeRef at[2] = { s->ptr, t1 };
	LLVMValueRef args[2] = { s->ctx, a1 };

	return lw_rt_call(s, off, ret, at, args, a1 ? 2 : 1);
}

/* a runtime entry that does not return: the code after it is dead */
static void rt_noreturn(struct lw *s, size_t off, LLVMValueRef exn)
{
	rt_eh(s, off, s->vd, exn, s->ptr);
	LLVMBuildUnreachable(s->b);
	LLVMClearInsertionPosition(s->b);
	s->dead = true;
}

/* ctx->eh_top = the record of try frame `target` (an active body), or,
 * target < 0, what it was at the function's entry */
static void set_eh_top(struct lw *s, int32_t target)
{
	LLVMValueRef v = target >= 0 ? s->ctl[target].rec : s->eh_entry;

	LLVMBuildStore(s->b, v, lw_ctx_field(s, CTX_EH_TOP, s->ptr));
}

static void drop_caught(struct lw *s, uint32_t n)
{
	rt_eh(s, offsetof(struct jit_rt, eh_drop), s->vd, LLVMConstInt(s->i32, n, false), s->i32);
}

/* the record of try depth d (frames of the same depth never overlap) */
static LLVMValueRef record(struct lw *s, uint32_t d)
{
	if (d >= s->neh_recs) {
		uint32_t n = d + 8;
		s->eh_recs = realloc(s->eh_recs, n * sizeof *s->eh_recs);
		if (!s->eh_recs)
			abort();
		memset(s->eh_recs + s->neh_recs, 0, (n - s->neh_recs) * sizeof *s->eh_recs);
		s->neh_recs = n;
	}
	if (!s->eh_recs[d]) {
		s->eh_recs[d] = lw_entry_alloca(s, s->i8, REC_LLVM_SIZE);   /* an i8* */
		LLVMSetAlignment(s->eh_recs[d], 16);
	}
	return s->eh_recs[d];
}

/* ---- the opcodes ------------------------------------------------------ */

static bool op_try(struct lw *s)
{
	LLVMTypeRef at[2] = { s->ptr, s->ptr };
	LLVMTypeRef ft = LLVMFunctionType(s->ptr, at, 2, false);
	LLVMValueRef stub = LLVMGetNamedFunction(s->mod, LW_EH_TRY), args[2], r;
	unsigned rt = LLVMGetEnumAttributeKindForName("returns_twice", 13);
	LLVMBasicBlockRef body;
	struct lw_ctl *c;

	if (!stub) {
		stub = LLVMAddFunction(s->mod, LW_EH_TRY, ft);
		LLVMSetVisibility(stub, LLVMHiddenVisibility);
		LLVMAddAttributeAtIndex(stub, LLVMAttributeFunctionIndex,
					LLVMCreateEnumAttribute(s->c, rt, 0));
	}
	if (!lw_op_block(s, OP_TRY))
		return false;
	c = &s->ctl[s->nctl - 1];
	c->eh = LW_EH_BODY;
	c->rec = record(s, s->ntry++);
	args[0] = s->ctx;
	args[1] = c->rec;
	r = LLVMBuildCall2(s->b, ft, stub, args, 2, "exn");
	LLVMAddCallSiteAttribute(r, LLVMAttributeFunctionIndex,
				 LLVMCreateEnumAttribute(s->c, rt, 0));
	c->exn = r;
	c->handler = LLVMAppendBasicBlockInContext(s->c, s->fn, "eh_handler");
	body = LLVMAppendBasicBlockInContext(s->c, s->fn, "try");
	LLVMBuildCondBr(s->b, LLVMBuildIsNull(s->b, r, ""), body, c->handler);
	LLVMPositionBuilderAtEnd(s->b, body);
	return true;
}

/* The current part of try c (its body or a catch body) reached its end
 * normally: leave it and go to the try's end with the results. */
static void leave_part(struct lw *s, struct lw_ctl *c)
{
	if (s->dead)
		return;
	if (c->eh == LW_EH_BODY)
		set_eh_top(s, c->body_below);   /* the record's prev */
	else
		drop_caught(s, 1);
	lw_br_to(s, c);
}

/* catch x / catch_all: the previous part ends, the next test begins */
static bool op_catch(struct lw *s, bool all)
{
	struct lw_ctl *c = &s->ctl[s->nctl - 1];
	const struct wasm_functype *ft;
	LLVMValueRef tag, want, tags, idx, payload;
	LLVMBasicBlockRef match;
	uint32_t x = 0;

	if (!all && (!wasm_read_u32(&s->r, &x) || x >= s->m->ntags))
		return lw_fail(s, "llvm backend: bad tag");
	leave_part(s, c);
	s->sp = c->height;
	if (c->eh == LW_EH_BODY) {      /* the handler's entry */
		c->eh = LW_EH_CATCH;
		s->ncatch++;
		LLVMPositionBuilderAtEnd(s->b, c->handler);
		lw_trap_nonzero(s, rt_eh(s, offsetof(struct jit_rt, eh_catch), s->i32,
					 c->exn, s->ptr));
	} else {
		LLVMPositionBuilderAtEnd(s->b, c->next);
	}
	s->dead = false;
	if (all) {
		c->catch_all = true;
		return true;
	}
	/* the exception's tag against ctx->tags[x] */
	ft = &s->m->types[s->m->tags[x].type];
	tag = LLVMBuildLoad2(s->b, s->ptr, LLVMBuildBitCast(s->b,
		LLVMBuildGEP2(s->b, s->i8, c->exn, (LLVMValueRef[]){
			LLVMConstInt(s->i64, EXN_TAG, false) }, 1, ""),
		LLVMPointerType(s->ptr, 0), ""), "tag");
	tags = lw_load_invariant(s, LLVMPointerType(s->ptr, 0),
		lw_ctx_field(s, CTX_TAGS, LLVMPointerType(s->ptr, 0)));
	idx = LLVMConstInt(s->i64, x, false);
	want = lw_load_invariant(s, s->ptr, LLVMBuildGEP2(s->b, s->ptr, tags, &idx, 1, ""));
	match = LLVMAppendBasicBlockInContext(s->c, s->fn, "catch");
	c->next = LLVMAppendBasicBlockInContext(s->c, s->fn, "eh_next");
	LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntEQ, tag, want, ""), match, c->next);
	LLVMPositionBuilderAtEnd(s->b, match);
	/* the payload: value i at EXN_PAYLOAD + 16 i */
	payload = LLVMBuildGEP2(s->b, s->i8, c->exn, (LLVMValueRef[]){
		LLVMConstInt(s->i64, EXN_PAYLOAD, false) }, 1, "");
	for (uint32_t i = 0; i < ft->nparams; i++) {
		LLVMTypeRef t = lw_valtype(s, ft->params[i]);
		LLVMValueRef p = LLVMBuildGEP2(s->b, s->i8, payload, (LLVMValueRef[]){
			LLVMConstInt(s->i64, 16 * i, false) }, 1, "");
		LLVMValueRef v = LLVMBuildLoad2(s->b, t, LLVMBuildBitCast(s->b, p,
			LLVMPointerType(t, 0), ""), "");
		LLVMSetAlignment(v, 8);
		lw_push(s, v);
	}
	return true;
}

/* the try frame on top ends: its counts */
static void pop_try(struct lw *s, const struct lw_ctl *c)
{
	s->ntry--;
	if (c->eh == LW_EH_CATCH)
		s->ncatch--;
}

/* end of a try: the last part left normally (then lw_op_end's branch to
 * the end is only the phis' edge), a catchless try's handler throws on,
 * the last failed test passes the exception on */
bool lw_eh_end(struct lw *s)
{
	struct lw_ctl *c = &s->ctl[s->nctl - 1];

	leave_part(s, c);
	if (c->eh == LW_EH_BODY) {
		LLVMPositionBuilderAtEnd(s->b, c->handler);
		rt_noreturn(s, offsetof(struct jit_rt, eh_throw_obj), c->exn);
	} else if (!c->catch_all) {
		LLVMPositionBuilderAtEnd(s->b, c->next);
		rt_noreturn(s, offsetof(struct jit_rt, eh_pass), NULL);
	}
	/* leave_part branched to the end: lw_op_end adds no edge */
	LLVMClearInsertionPosition(s->b);
	s->dead = true;
	pop_try(s, c);
	return lw_op_end(s);
}

static bool op_delegate(struct lw *s)
{
	struct lw_ctl *c = &s->ctl[s->nctl - 1];
	const struct lw_ctl *k;
	uint32_t l;
	int32_t target;

	/* l counts the labels around the try (validated) */
	if (!wasm_read_u32(&s->r, &l) || l + 1 >= s->nctl)
		return lw_fail(s, "llvm backend: bad label");
	leave_part(s, c);
	/* the target: the innermost active try body at depth >= l (the
	   frame at depth l itself, or the one its push saw below it) */
	k = &s->ctl[s->nctl - 2 - l];
	target = k->kind == OP_TRY && k->eh == LW_EH_BODY ? (int32_t)(s->nctl - 2 - l) :
		 k->body_below;
	LLVMPositionBuilderAtEnd(s->b, c->handler);
	set_eh_top(s, target);
	rt_noreturn(s, offsetof(struct jit_rt, eh_throw_obj), c->exn);
	pop_try(s, c);
	return lw_op_end(s);    /* dead: only the phis of leave_part's edge */
}

static bool op_throw(struct lw *s)
{
	const struct wasm_functype *ft;
	uint32_t x;
	LLVMTypeRef at[4];
	LLVMValueRef args[4];

	if (!wasm_read_u32(&s->r, &x) || x >= s->m->ntags)
		return lw_fail(s, "llvm backend: bad tag");
	ft = &s->m->types[s->m->tags[x].type];
	if (!s->throw_area) {   /* one per function: for its largest payload */
		s->throw_area = lw_entry_alloca(s, s->i64, 2 * (s->eh_maxp ? s->eh_maxp : 1));
		LLVMSetAlignment(s->throw_area, 16);
	}
	s->sp -= ft->nparams;
	for (uint32_t i = 0; i < ft->nparams; i++) {
		LLVMValueRef v = s->stack[s->sp + i];
		LLVMTypeRef t = LLVMTypeOf(v);
		/* i32 and f32 zero-extended: the place's 8 bytes are defined */
		if (t == s->f32)
			v = LLVMBuildBitCast(s->b, v, s->i32, "");
		if (LLVMTypeOf(v) == s->i32)
			v = LLVMBuildZExt(s->b, v, s->i64, "");
		lw_store_slot(s, s->throw_area, 2 * i, v);
	}
	at[0] = s->ptr; at[1] = s->i32; at[2] = s->ptr; at[3] = s->i64;
	args[0] = s->ctx;
	args[1] = LLVMConstInt(s->i32, x, false);
	args[2] = LLVMBuildBitCast(s->b, s->throw_area, s->ptr, "");
	args[3] = LLVMConstInt(s->i64, (uint64_t)-16, true);   /* value i at first + 16 i */
	lw_rt_call(s, offsetof(struct jit_rt, eh_throw), s->vd, at, args, 4);
	LLVMBuildUnreachable(s->b);
	LLVMClearInsertionPosition(s->b);
	s->dead = true;
	return true;
}

static bool op_rethrow(struct lw *s)
{
	uint32_t l;
	const struct lw_ctl *t;

	if (!wasm_read_u32(&s->r, &l) || l >= s->nctl)
		return lw_fail(s, "llvm backend: bad label");
	t = &s->ctl[s->nctl - 1 - l];
	if (t->kind != OP_TRY || t->eh != LW_EH_CATCH)
		return lw_fail(s, "llvm backend: bad rethrow label");
	rt_noreturn(s, offsetof(struct jit_rt, eh_rethrow), t->exn);
	return true;
}

bool lw_eh_op(struct lw *s, uint8_t op)
{
	switch (op) {
	case OP_TRY: return op_try(s);
	case OP_CATCH: case OP_CATCH_ALL:
		if (s->ctl[s->nctl - 1].kind != OP_TRY)
			return lw_fail(s, "llvm backend: catch without try");
		return op_catch(s, op == OP_CATCH_ALL);
	case OP_DELEGATE:
		if (s->ctl[s->nctl - 1].kind != OP_TRY || s->ctl[s->nctl - 1].eh != LW_EH_BODY)
			return lw_fail(s, "llvm backend: delegate without try");
		return op_delegate(s);
	case OP_THROW: return op_throw(s);
	case OP_RETHROW: return op_rethrow(s);
	default: return lw_fail(s, "llvm backend: not an exception opcode");
	}
}

/* ---- branches out of try and catch bodies ----------------------------- */

bool lw_eh_exits(struct lw *s, uint32_t depth)
{
	return s->ntry > s->ctl[s->nctl - 1 - depth].tries_below;
}

/* eh_top = the innermost active try body below the target (or the entry
 * value) when a try body is left; one caught exception dropped per catch
 * body left.  O(1) in the depth. */
void lw_eh_emit_exit(struct lw *s, uint32_t depth)
{
	const struct lw_ctl *t = &s->ctl[s->nctl - 1 - depth];
	uint32_t ndrop = s->ncatch - t->catches_below;
	uint32_t nbody = (s->ntry - s->ncatch) - (t->tries_below - t->catches_below);

	if (nbody)
		set_eh_top(s, t->body_below);
	if (ndrop)
		drop_caught(s, ndrop);
}
