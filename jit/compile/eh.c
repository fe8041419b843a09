/*
 * eh.c — exception handling in the single-pass compiler (the
 * exception-handling proposal, legacy form as in WebAssembly/testsuite
 * 3a04b2c proposals/exception-handling: try 0x06, catch 0x07, throw 0x08,
 * rethrow 0x09, delegate 0x18, catch_all 0x19; validation as its
 * appendix); the runtime side is jit/eh.c, the contract docs/abi.md
 * "Exceptions".
 *
 *   try bt     a block; its handler record REC(f, i) (i = the try nesting
 *              depth; pins.c's look-ahead sizes the frame) gets eh_top,
 *              rsp, rbp, the handler's address and eh_ncaught, and becomes
 *              ctx->eh_top.  Its body leaves normally (catch, end,
 *              delegate, a branch out, return, return_call*) by putting
 *              record.prev back.
 *   handler    the runtime jumps there (rsp/rbp from the record, rax = the
 *              exception, r14 = ctx): r15 reloaded, the exception kept in
 *              the record and pushed on the caught stack (jit_rt.eh_catch)
 *              and tested clause by clause: catch x compares its tag with
 *              ctx->tags[x] and jumps to the next clause's test when it
 *              differs, then copies the payload to the slots of the tag's
 *              params; catch_all tests nothing.  After the last clause
 *              (no catch_all) the exception goes on outward (eh_pass).
 *   catch body leaves normally (the next clause, end, a branch out,
 *              return, return_call*) by dropping its caught exception
 *              (jit_rt.eh_drop).
 *   delegate l the handler makes the innermost try at label depth >= l
 *              whose body is active the target (ctx->eh_top = its
 *              record; none in this function: what eh_top was at its
 *              entry, the outermost active record's prev) and throws on.
 *   throw x    payload from its slots (flushed), jit_rt.eh_throw.
 *   rethrow l  the exception of the catch body at l, jit_rt.eh_rethrow.
 *
 * A function with a try pins no local (a handler finds them all in their
 * homes, with the values the try body gave them) and saves rbx, r12, r13
 * (driver.c choose_saved): the frames between the thrower and the handler
 * never run their epilogues.
 */
#include "fc.h"

/* the tag's function type, or NULL after "unknown tag" */
static const struct wasm_functype *rd_tag(struct fc *f, uint32_t *x)
{
	if (!rd_u32(f, x))
		return NULL;
	if (*x >= f->m->ntags) {
		fc_fail(f, "unknown tag");
		return NULL;
	}
	const struct wasm_functype *ft = &f->m->types[f->m->tags[*x].type];
	if (fc_type_has_v128(ft) && !f->wide) {
		fc_fail(f, "SIMD: a tag the look-ahead missed (compiler bug)");
		return NULL;
	}
	return ft;
}

static bool enabled(struct fc *f)
{
	return (wasm_features() & WASM_FEATURE_EXCEPTIONS) || fc_fail(f, "illegal opcode");
}

/* call a jit_rt entry with rdi = ctx (other arguments already set) */
static bool call_rt(struct fc *f, size_t off)
{
	x64_mov_rr(f->a, 1, RDI, R14);
	return fc_call_rt(f, off);
}

/* ctx->eh_top = the record's prev (a try body left normally) */
static void pop_record(struct fc *f, uint32_t rec)
{
	x64_mov_rm(f->a, 1, RAX, REC(f, rec, REC_PREV));
	x64_mov_mr(f->a, 1, x64_mem(R14, CTX_EH_TOP), RAX);
}

/* ctx->eh_top = the record of try frame `target` (an active body), or,
 * target < 0, what eh_top was at this function's entry: the prev of its
 * outermost active try body's record (there is one: the code leaving it
 * runs inside it).  Clobbers rcx. */
static void set_eh_top_below(struct fc *f, int32_t target)
{
	if (target >= 0)
		x64_lea(f->a, 1, RCX, REC(f, f->ctls[target].rec, 0));
	else
		x64_mov_rm(f->a, 1, RCX, REC(f, f->ctls[f->outer_body].rec, REC_PREV));
	x64_mov_mr(f->a, 1, x64_mem(R14, CTX_EH_TOP), RCX);
}

/* a try frame c (copied off the control stack) ends: the counts of
 * fc.h's struct ctl */
static void pop_try(struct fc *f, const struct ctl *c)
{
	f->nctls--;
	f->ntry--;
	if (c->eh == EH_CATCH)
		f->ncatch--;
	if (f->outer_body == (int32_t)f->nctls)
		f->outer_body = -1;
}

/* rcx = the label's address (a rip-relative lea, fixed up like a jump) */
static bool lea_label(struct fc *f, uint32_t id)
{
	x64_lea(f->a, 1, RCX, x64_mem_rip(0));
	size_t field = f->a->len - 4;

	if (f->labels[id] >= 0) {
		x64_patch_rel32(f->a, field, (size_t)f->labels[id]);
		return true;
	}
	struct fixup fx = { (uint32_t)field, id };
	return PUSH(f, f->fixups, f->nfixups, f->capfixups, fx) ? true : fc_oom(f);
}

bool fc_op_try(struct fc *f)
{
	struct ctl bt;

	if (!enabled(f) || !fc_rd_blocktype(f, &bt) || !fc_push_ctl(f, CTL_TRY, &bt))
		return false;
	struct ctl *c = &f->ctls[f->nctls - 1];
	c->eh = EH_BODY;
	c->catch_all = false;
	if (f->outer_body < 0)
		f->outer_body = (int32_t)(f->nctls - 1);
	c->rec = f->ntry++;
	if (c->rec >= f->ntry_max)
		return fc_fail(f, "try nesting the look-ahead missed (compiler bug)");
	if (!fc_new_label(f, &c->handler))
		return false;
	/* the stack is flushed (push_ctl): rax and rcx are free */
	x64_lea(f->a, 1, RAX, REC(f, c->rec, 0));
	x64_mov_rm(f->a, 1, RCX, x64_mem(R14, CTX_EH_TOP));
	x64_mov_mr(f->a, 1, x64_mem(RAX, REC_PREV), RCX);
	x64_mov_mr(f->a, 1, x64_mem(RAX, REC_RSP), RSP);
	x64_mov_mr(f->a, 1, x64_mem(RAX, REC_RBP), RBP);
	if (!lea_label(f, c->handler))
		return false;
	x64_mov_mr(f->a, 1, x64_mem(RAX, REC_PC), RCX);
	x64_mov_rm(f->a, 1, RCX, x64_mem(R14, CTX_EH_NCAUGHT));
	x64_mov_mr(f->a, 1, x64_mem(RAX, REC_NCAUGHT), RCX);
	x64_mov_mr(f->a, 1, x64_mem(R14, CTX_EH_TOP), RAX);
	return true;
}

/* The handler's entry (rax = the exception): r15 back, the exception
 * kept in the record and on the caught stack. */
static bool handler_entry(struct fc *f, const struct ctl *c)
{
	fc_bind(f, c->handler);
	x64_mov_rm(f->a, 1, R15, x64_mem(R14, CTX_MEM_BASE));
	x64_mov_mr(f->a, 1, REC(f, c->rec, REC_EXN), RAX);
	x64_mov_rr(f->a, 1, RSI, RAX);
	return call_rt(f, offsetof(struct jit_rt, eh_catch)) && fc_trap_if_eax(f);
}

/* The end of the current part of try c (its body or a catch body),
 * reached normally: leave it and jump to the try's end (the results are
 * in their slots: checked and flushed by the caller). */
static bool leave_part(struct fc *f, const struct ctl *c)
{
	if (c->eh == EH_BODY) {
		pop_record(f, c->rec);
	} else {
		x64_mov_ri(f->a, RSI, 1);
		if (!call_rt(f, offsetof(struct jit_rt, eh_drop)))
			return false;
	}
	return fc_jump_to(f, c->label);
}

/* catch x / catch_all */
bool fc_op_catch(struct fc *f, bool all)
{
	struct ctl *c = &f->ctls[f->nctls - 1];
	const struct wasm_functype *ft = NULL;
	uint32_t x = 0;

	if (!enabled(f))
		return false;
	if (c->kind != CTL_TRY)
		return fc_fail(f, all ? "catch_all without try" : "catch without try");
	if (c->catch_all)
		return fc_fail(f, all ? "catch_all after catch_all" : "catch after catch_all");
	if (!all && !(ft = rd_tag(f, &x)))
		return false;
	fc_flush_all(f);
	if (!fc_check_end(f, c) || !leave_part(f, c))
		return false;
	fc_end_dead(f);
	c = &f->ctls[f->nctls - 1];
	if (c->eh == EH_BODY) {
		c->eh = EH_CATCH;       /* its record stays (REC_EXN) */
		f->ncatch++;
		if (f->outer_body == (int32_t)(f->nctls - 1))
			f->outer_body = -1;     /* the top frame: none above it */
		if (!handler_entry(f, c))
			return false;
	} else {
		fc_bind(f, c->next);
	}
	c->unreachable = false;
	if (all) {
		c->catch_all = true;
		return CHECK_STATE(f, true);
	}
	if (!fc_new_label(f, &f->ctls[f->nctls - 1].next))
		return false;
	c = &f->ctls[f->nctls - 1];
	/* the tag: the exception's (record) against ctx->tags[x] */
	x64_mov_rm(f->a, 1, RAX, REC(f, c->rec, REC_EXN));
	x64_mov_rm(f->a, 1, RAX, x64_mem(RAX, EXN_TAG));
	x64_mov_rm(f->a, 1, RCX, x64_mem(R14, CTX_TAGS));
	x64_alu_rm(f->a, X64_CMP, 1, RAX, x64_mem(RCX, 8 * (int32_t)x));
	if (!fc_jcc_to(f, X64_CC_NE, c->next))
		return false;
	/* its payload to the slots of the params */
	x64_mov_rm(f->a, 1, RDX, REC(f, c->rec, REC_EXN));
	for (uint32_t i = 0; i < ft->nparams; i++) {
		struct x64_mem src = x64_mem(RDX, EXN_PAYLOAD + 16 * (int32_t)i);
		uint32_t k;

		if (!push(f, ft->params[i], &k))
			return false;
		if (ft->params[i] == V128) {
			x64_movdqu_xm(f->a, 0, src);
			x64_movdqu_mx(f->a, S(f, k), 0);
		} else {
			copy(f, S(f, k), src);
		}
	}
	return CHECK_STATE(f, true);
}

/* the try's last part (body or catch body) ends here: its results
 * checked and in their slots, the part left normally, the code after it
 * dead until a label is bound */
static bool end_part(struct fc *f, struct ctl *c)
{
	fc_flush_all(f);
	if (!fc_check_end(f, c) || !leave_part(f, c))
		return false;
	fc_end_dead(f);
	return true;
}

/* after the handler's code: the try's end, where its results are */
static bool finish_try(struct fc *f, const struct ctl *c)
{
	fc_bind(f, c->label);
	pop_try(f, c);
	return fc_push_vals(f, c->results, c->nresults) && CHECK_STATE(f, true);
}

/* end of a try (fc_op_end): the last part left normally; a catchless
 * try's handler, or the last clause's failed test, throws on */
bool fc_eh_end(struct fc *f)
{
	struct ctl c = f->ctls[f->nctls - 1];

	if (!end_part(f, &c))
		return false;
	if (c.eh == EH_BODY) {
		fc_bind(f, c.handler);
		x64_mov_rr(f->a, 1, RSI, RAX);
		if (!call_rt(f, offsetof(struct jit_rt, eh_throw_obj)))
			return false;
	} else if (!c.catch_all) {
		fc_bind(f, c.next);
		if (!call_rt(f, offsetof(struct jit_rt, eh_pass)))
			return false;
	}
	return finish_try(f, &c);
}

bool fc_op_delegate(struct fc *f)
{
	struct ctl c = f->ctls[f->nctls - 1];
	uint32_t l;

	if (!enabled(f))
		return false;
	if (c.kind != CTL_TRY || c.eh != EH_BODY)
		return fc_fail(f, "delegate without try");
	if (!rd_u32(f, &l))
		return false;
	/* l counts the labels around the try (its own is gone) */
	if (l >= f->nctls - 1)
		return fc_fail(f, "unknown label");
	if (!end_part(f, &c))
		return false;
	fc_bind(f, c.handler);
	/* the target: the innermost active try body at depth >= l (the
	   frame at depth l itself, or the one its push saw below it) */
	const struct ctl *k = &f->ctls[f->nctls - 2 - l];
	int32_t target = k->kind == CTL_TRY && k->eh == EH_BODY ?
			 (int32_t)(f->nctls - 2 - l) : k->body_below;

	set_eh_top_below(f, target);
	x64_mov_rr(f->a, 1, RSI, RAX);
	if (!call_rt(f, offsetof(struct jit_rt, eh_throw_obj)))
		return false;
	return finish_try(f, &c);
}

bool fc_op_throw(struct fc *f)
{
	const struct wasm_functype *ft;
	uint32_t x, base;

	if (!enabled(f) || !(ft = rd_tag(f, &x)))
		return false;
	if (!fc_pop_vals(f, ft->params, ft->nparams, &base, NULL))
		return false;
	/* the payload in its slots (flushed: throw has no OPF_KEEPS),
	   value i at S(base) - i * slot_size */
	x64_mov_ri(f->a, RSI, x);
	x64_lea(f->a, 1, RDX, S(f, base));
	x64_mov_ri(f->a, RCX, (uint64_t)slot_size(f));
	if (!call_rt(f, offsetof(struct jit_rt, eh_throw)))
		return false;
	fc_set_unreachable(f);
	return true;
}

bool fc_op_rethrow(struct fc *f)
{
	uint32_t l;

	if (!enabled(f) || !rd_u32(f, &l))
		return false;
	if (l >= f->nctls)
		return fc_fail(f, "unknown label");
	const struct ctl *t = &f->ctls[f->nctls - 1 - l];
	if (t->kind != CTL_TRY || t->eh != EH_CATCH)
		return fc_fail(f, "invalid rethrow label");
	x64_mov_rm(f->a, 1, RSI, REC(f, t->rec, REC_EXN));
	if (!call_rt(f, offsetof(struct jit_rt, eh_rethrow)))
		return false;
	fc_set_unreachable(f);
	return true;
}

/* Does a branch to depth leave a try body or a catch body?  (The frames
 * it leaves: the innermost up to the target; a loop target is not left,
 * but a loop is no try.)  O(1): the counts the target's push saw. */
bool fc_eh_exits(struct fc *f, uint32_t depth)
{
	return f->ntry > f->ctls[f->nctls - 1 - depth].tries_below;
}

/* The code of leaving them (after the branch's values went to their
 * slots, before its jump; no value lives in a register after it):
 * ctx->eh_top = the record of the innermost active try body below the
 * target (or this function's entry value) when a try body is left, one
 * caught exception dropped per catch body left.  O(1) in the depth (a
 * walk made compile time quadratic: a try around 300,000 br_ifs out of
 * 20,000 blocks took 16 s). */
bool fc_eh_emit_exit(struct fc *f, uint32_t depth)
{
	const struct ctl *t = &f->ctls[f->nctls - 1 - depth];
	uint32_t ndrop = f->ncatch - t->catches_below;
	uint32_t nbody = (f->ntry - f->ncatch) - (t->tries_below - t->catches_below);

	if (nbody)
		set_eh_top_below(f, t->body_below);
	if (!ndrop)
		return true;
	x64_mov_ri(f->a, RSI, ndrop);
	return call_rt(f, offsetof(struct jit_rt, eh_drop));
}
