/*
 * control.c — structured control and calls (Core spec 2.0 §3.3.8 control
 * instructions, validation as in appendix A.3): blocks, loops, if/else,
 * end, br/br_if/br_table/return, unreachable code, labels and their
 * rel32 fixups, trap stubs, call/call_indirect in wasm ABI v1 (jit.h),
 * calls of struct jit_rt helpers, and tail calls (the tail-call proposal:
 * return_call, return_call_indirect; docs/abi.md "Tail calls").  A branch,
 * return or tail call out of try bodies and catch bodies leaves them
 * first (eh.c, exception handling).
 */
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include "fc.h"

/*
 * Unreachable code (after br, br_table, return, return_call*, unreachable, up to the
 * else or end of its frame) is validated like any other but emits no
 * machine code: set_unreachable marks where it begins (after the branch
 * or trap that ends the reachable code), and end_dead, at that frame's
 * else or end, takes back everything appended since: code bytes, labels
 * of the frames opened inside it, fixups, trap stubs, call fixups,
 * source-map entries, and what it added to the frame size.  Nothing
 * falls through from dead code, and the code after it is reached only by
 * jumps to the frame's labels, which expect the fixed slot layout that
 * else/end give the compile-time state (flush_all): so the state needs no
 * taking back, only the output.
 */
static void set_unreachable(struct fc *f)
{
	struct ctl *c = &f->ctls[f->nctls - 1];
	struct jc *jc = f->jc;

	while (f->nvals > c->height) {
		f->nvals--;
		free_vloc(f, &f->vs[f->nvals], f->vals[f->nvals]);
	}
	c->unreachable = true;
	if (f->dead != NO_DEAD)
		return;                 /* inside dead code already */
	f->dead = f->nctls - 1;
	f->dead_at = (struct dead_mark){
		.len = f->a->len, .nlabels = f->nlabels, .nfixups = f->nfixups,
		.nstubs = f->nstubs, .ncalls = jc->ncalls, .nmap = jc->nmap,
		.last_map = jc->nmap ? jc->map[jc->nmap - 1] : (struct jit_srcmap){ 0, 0 },
		.maxvals = f->maxvals, .max_area = f->max_area,
	};
}

/* At the else or end of the innermost frame: if the dead code began in
 * it, take back what that code appended (set_unreachable). */
static void end_dead(struct fc *f)
{
	const struct dead_mark *d = &f->dead_at;
	struct jc *jc = f->jc;

	if (f->dead != f->nctls - 1)
		return;
	f->dead = NO_DEAD;
	f->a->len = d->len;
	f->nlabels = d->nlabels;
	f->nfixups = d->nfixups;
	f->nstubs = d->nstubs;
	jc->ncalls = d->ncalls;
	jc->nmap = d->nmap;
	if (jc->nmap)
		jc->map[jc->nmap - 1] = d->last_map;
	f->maxvals = d->maxvals;
	f->max_area = d->max_area;
}

/* ---- labels, fixups, trap stubs ------------------------------------------ */

static bool new_label(struct fc *f, uint32_t *id)
{
	if (!PUSH(f, f->labels, f->nlabels, f->caplabels, -1))
		return fc_oom(f);
	*id = f->nlabels - 1;
	return true;
}

/* A label: other paths join here, so no pinned local's home is known to
 * hold its value any more (pins.c) */
static void bind(struct fc *f, uint32_t id)
{
	f->labels[id] = (int32_t)f->a->len;
	f->pin_synced = 0;
}

static bool jump_to(struct fc *f, uint32_t id)
{
	size_t field = x64_jmp_rel32(f->a, 0);

	if (f->labels[id] >= 0) {
		x64_patch_rel32(f->a, field, (size_t)f->labels[id]);
		return true;
	}
	struct fixup fx = { (uint32_t)field, id };
	return PUSH(f, f->fixups, f->nfixups, f->capfixups, fx) ? true : fc_oom(f);
}

static bool jcc_to(struct fc *f, enum x64_cc cc, uint32_t id)
{
	size_t field = x64_jcc_rel32(f->a, cc, 0);

	if (f->labels[id] >= 0) {
		x64_patch_rel32(f->a, field, (size_t)f->labels[id]);
		return true;
	}
	struct fixup fx = { (uint32_t)field, id };
	return PUSH(f, f->fixups, f->nfixups, f->capfixups, fx) ? true : fc_oom(f);
}

/* jCC to a trap stub reporting `code` at the current opcode; idx_reg >= 0
 * holds the element index the trap message names (jit.h JIT_TRAP_INDEX) */
static bool trap_if_idx(struct fc *f, enum x64_cc cc, enum wasm_trap_code code,
			int idx_reg)
{
	size_t field = x64_jcc_rel32(f->a, cc, 0);
	struct stub s = { (uint32_t)field, f->op_off, (uint8_t)code, (int8_t)idx_reg };

	return PUSH(f, f->stubs, f->nstubs, f->capstubs, s) ? true : fc_oom(f);
}

bool fc_trap_if(struct fc *f, enum x64_cc cc, enum wasm_trap_code code)
{
	return trap_if_idx(f, cc, code, -1);
}

/* inline trap (unreachable) */
static bool trap_now(struct fc *f, enum wasm_trap_code code)
{
	if (!srcmap(f, f->op_off))
		return false;
	x64_mov_ri(f->a, RSI, code);
	x64_mov_rr(f->a, 1, RDI, R14);          /* v1: the trap entry takes rdi = ctx */
	x64_call_m(f->a, x64_mem(R14, CTX_TRAP));
	return true;
}

bool fc_emit_stubs(struct fc *f)
{
	for (uint32_t i = 0; i < f->nstubs; i++) {
		struct stub *s = &f->stubs[i];
		x64_patch_rel32(f->a, s->field, f->a->len);
		if (!srcmap(f, s->wasm_off))
			return false;
		if (s->code == TRAP_FROM_EAX) {
			x64_mov_rr(f->a, 0, RSI, RAX);
		} else if (s->idx_reg >= 0) {
			x64_mov_rr(f->a, 0, RDX, s->idx_reg);
			x64_mov_ri(f->a, RSI, s->code | JIT_TRAP_INDEX);
		} else {
			x64_mov_ri(f->a, RSI, s->code);
		}
		x64_mov_rr(f->a, 1, RDI, R14);  /* last: idx_reg may be rdi */
		x64_call_m(f->a, x64_mem(R14, CTX_TRAP));
	}
	return true;
}

/* after a struct jit_rt helper returning 0 or a trap code in eax */
bool fc_trap_if_eax(struct fc *f)
{
	x64_test_rr(f->a, 0, RAX, RAX);
	return fc_trap_if(f, X64_CC_NE, (enum wasm_trap_code)TRAP_FROM_EAX);
}

/* one-element type vectors, for block types given as one value type */
static const uint8_t one_type[256] = {
	[I32] = I32, [I64] = I64, [F32] = F32, [F64] = F64,
	[WASM_FUNCREF] = WASM_FUNCREF, [WASM_EXTERNREF] = WASM_EXTERNREF,
	[WASM_V128] = WASM_V128,
};

#define BLOCKTYPE_EMPTY 0x40     /* §5.4.1: no params, no results */

/* blocktype (§5.4.1): 0x40, one value type, or a type index (s33, as the
 * reference interpreter reads it: a first byte 0x40..0x7f is a type) */
static bool rd_blocktype(struct fc *f, struct ctl *c)
{
	const uint8_t *p = f->r.p;
	int64_t bt;

	c->nparams = c->nresults = 0;
	c->params = c->results = NULL;
	if (p < f->r.end && (*p & 0xc0) == 0x40) {
		f->r.p++;
		if (*p == BLOCKTYPE_EMPTY)
			return true;
		if (*p == WASM_V128 && !f->wide)        /* pins.c marks them */
			return fc_fail(f, "SIMD: v128 block type the look-ahead missed (compiler bug)");
		if (!is_valtype(*p))
			return fc_fail(f, "malformed value type");
		c->nresults = 1;
		c->results = &one_type[*p];
		return true;
	}
	if (!wasm_read_s33(&f->r, &bt))
		return false;
	if (bt < 0 || (uint64_t)bt >= f->m->ntypes)
		return fc_fail(f, "unknown type");
	const struct wasm_functype *ft = &f->m->types[bt];
	if (!f->wide && fc_type_has_v128(ft))  /* pins.c marks them */
		return fc_fail(f, "SIMD: v128 block type the look-ahead missed (compiler bug)");
	c->nparams = ft->nparams;
	c->params = ft->params;
	c->nresults = ft->nresults;
	c->results = ft->results;
	return true;
}

/* the pieces eh.c (exception handling) builds on */
bool fc_rd_blocktype(struct fc *f, struct ctl *c) { return rd_blocktype(f, c); }
bool fc_new_label(struct fc *f, uint32_t *id) { return new_label(f, id); }
void fc_bind(struct fc *f, uint32_t id) { bind(f, id); }
bool fc_jump_to(struct fc *f, uint32_t id) { return jump_to(f, id); }
bool fc_jcc_to(struct fc *f, enum x64_cc cc, uint32_t id) { return jcc_to(f, cc, id); }
void fc_end_dead(struct fc *f) { end_dead(f); }
void fc_set_unreachable(struct fc *f) { set_unreachable(f); }

/* ---- control ---------------------------------------------------------------- */

/* Pop n values of types ts (checked, last first).  *base = the slot of
 * the first; *real = false when some were missing (unreachable code). */
static bool pop_vals(struct fc *f, const uint8_t *ts, uint32_t n, uint32_t *base,
		     bool *real)
{
	/* the innermost frame only when asked: push_ctl enters the
	 * function's own frame with none (no pointer before ctls[0]) */
	if (real)
		*real = f->nvals - f->ctls[f->nctls - 1].height >= n;
	for (uint32_t i = n; i-- > 0;)
		if (!fc_pop(f, ts[i], NULL, NULL))
			return false;
	if (base)
		*base = f->nvals;
	return true;
}

static bool push_vals(struct fc *f, const uint8_t *ts, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (!push(f, ts[i], NULL))
			return false;
	return true;
}

/* (for eh.c) */
bool fc_pop_vals(struct fc *f, const uint8_t *ts, uint32_t n, uint32_t *base, bool *real)
{
	return pop_vals(f, ts, n, base, real);
}

bool fc_push_vals(struct fc *f, const uint8_t *ts, uint32_t n)
{
	return push_vals(f, ts, n);
}

/* Enter a block whose type is in *c: its params are popped (checked) and
 * pushed again above the new frame, in the same slots. */
bool fc_push_ctl(struct fc *f, uint8_t kind, struct ctl *c)
{
	fc_flush_all(f);           /* a block starts with the fixed layout */
	if (!pop_vals(f, c->params, c->nparams, NULL, NULL))
		return false;
	c->kind = kind;
	c->unreachable = false;
	c->height = f->nvals;
	c->start = pos_now(f);
	c->tries_below = f->ntry;
	c->catches_below = f->ncatch;
	c->body_below = -1;
	if (f->nctls) {
		const struct ctl *top = &f->ctls[f->nctls - 1];
		c->body_below = top->kind == CTL_TRY && top->eh == EH_BODY ?
				(int32_t)(f->nctls - 1) : top->body_below;
	}
	if (!new_label(f, &c->label))
		return false;
	if (kind == CTL_LOOP)
		bind(f, c->label);
	if (kind == CTL_IF && !new_label(f, &c->else_label))
		return false;
	if (!PUSH(f, f->ctls, f->nctls, f->capctls, *c))
		return fc_oom(f);
	return push_vals(f, c->params, c->nparams) && CHECK_STATE(f, true);
}

/* the values a branch to c carries: loop = params, else results */
static uint32_t label_arity(const struct ctl *c)
{
	return c->kind == CTL_LOOP ? c->nparams : c->nresults;
}

static const uint8_t *label_types(const struct ctl *c)
{
	return c->kind == CTL_LOOP ? c->params : c->results;
}

/* true when a branch to t needs no code but the jump: it carries no
 * values and everything below its height is in its slot */
static bool br_is_plain(struct fc *f, const struct ctl *t)
{
	if (label_arity(t) || (f->ntry && fc_eh_exits(f, (uint32_t)(f->ctls + f->nctls - 1 - t))))
		return false;
	for (uint32_t k = 0; k < t->height; k++)
		if (f->vs[k].kind != V_STK)
			return false;
	return true;
}

/* The code of a branch to depth: the stack below the target's height to
 * its slots, the values it carries (from the top of the stack) to the
 * target's slots (ascending: a destination slot is never a later
 * source), and the jump; types already checked.  The compile-time state
 * is not changed (br_if falls through with it). */
static bool emit_br_code(struct fc *f, uint32_t depth)
{
	struct ctl *t = &f->ctls[f->nctls - 1 - depth];
	struct ctl *c = &f->ctls[f->nctls - 1];
	uint32_t n = label_arity(t);

	if (f->nvals - c->height >= n) {        /* else unreachable code */
		for (uint32_t k = 0; k < t->height; k++)
			if (f->vs[k].kind != V_STK)
				fc_store_val(f, &f->vs[k], f->vals[k], k, S(f, k));
		for (uint32_t i = 0; i < n; i++) {
			uint32_t k = f->nvals - n + i;
			fc_store_val(f, &f->vs[k], f->vals[k], k, S(f, t->height + i));
		}
	}
	/* leaving try bodies and catch bodies (eh.c) */
	if (f->ntry && !fc_eh_emit_exit(f, depth))
		return false;
	return jump_to(f, t->label);
}

/* br / br_if / return: check the operand stack against the target's
 * types, as popping and pushing them back would (spec appendix A.3), but
 * leaving the values where they are. */
static bool check_br(struct fc *f, uint32_t depth)
{
	struct ctl *t = &f->ctls[f->nctls - 1 - depth];
	struct ctl *c = &f->ctls[f->nctls - 1];
	const uint8_t *ts = label_types(t);
	uint32_t n = label_arity(t);

	if (f->nvals - c->height < n)
		return pop_vals(f, ts, n, NULL, NULL) && push_vals(f, ts, n);
	for (uint32_t i = n; i-- > 0;) {
		uint8_t have = f->vals[f->nvals - n + i];
		if (have && have != ts[i])
			return fc_fail(f, "type mismatch");
	}
	for (uint32_t i = 0; i < n; i++)
		f->vals[f->nvals - n + i] = ts[i];
	return true;
}

/* Pop the i32 condition of if/br_if: *cc = the condition code that holds
 * when it is true (a comparison just made feeds it directly). */
static bool pop_cond(struct fc *f, enum x64_cc *cc)
{
	uint32_t k;

	*cc = X64_CC_NE;
	if (!top_is_ab(f, I32, 0))      /* a type error, or dead code: no code */
		return fc_pop(f, I32, NULL, NULL);
	k = f->nvals - 1;
	struct vloc *v = &f->vs[k];
	switch (v->kind) {
	case V_FLAGS:
		*cc = (enum x64_cc)v->cc;
		break;
	case V_REG:
		x64_test_rr(f->a, 0, v->reg, v->reg);
		break;
	case V_LOCAL:
		if (local_reg(f, v->local) >= 0)
			x64_test_rr(f->a, 0, local_reg(f, v->local), local_reg(f, v->local));
		else
			x64_alu_mi(f->a, X64_CMP, 0, L(f, v->local), 0);
		break;
	case V_STK:
		x64_alu_mi(f->a, X64_CMP, 0, S(f, k), 0);
		break;
	case V_IMM:
		x64_mov_ri(f->a, RAX, v->imm);
		x64_test_rr(f->a, 0, RAX, RAX);
		break;
	}
	vdrop(f);
	return true;
}

static bool op_br_if(struct fc *f, uint32_t depth)
{
	struct ctl *t = &f->ctls[f->nctls - 1 - depth];
	enum x64_cc cc;

	if (!pop_cond(f, &cc) || !check_br(f, depth))
		return false;
	if (br_is_plain(f, t))
		return jcc_to(f, cc, t->label);
	size_t skip = fwd_jcc(f, (enum x64_cc)(cc ^ 1));
	if (!emit_br_code(f, depth))
		return false;
	here(f, skip);
	return true;
}

static inline bool rd_depth(struct fc *f, uint32_t *depth)
{
	if (!rd_u32(f, depth))
		return false;
	if (*depth >= f->nctls)
		return fc_fail(f, "unknown label");
	return true;
}

/* end of a block: check the stack holds exactly its results */
static bool check_end(struct fc *f, struct ctl *c)
{
	if (!pop_vals(f, c->results, c->nresults, NULL, NULL))
		return false;
	if (f->nvals != c->height)
		return fc_fail(f, "type mismatch");
	return true;
}

bool fc_check_end(struct fc *f, struct ctl *c)         /* (for eh.c) */
{
	return check_end(f, c);
}

bool fc_op_else(struct fc *f)
{
	struct ctl *c = &f->ctls[f->nctls - 1];

	if (c->kind != CTL_IF)
		return fc_fail(f, "else without if");
	fc_flush_all(f);
	if (!check_end(f, c))
		return false;
	if (!jump_to(f, c->label))
		return false;
	end_dead(f);            /* the then arm ended in dead code */
	bind(f, c->else_label);
	c->kind = CTL_ELSE;
	c->unreachable = false;
	/* the false path arrives with the params untouched in their slots */
	return push_vals(f, c->params, c->nparams) && CHECK_STATE(f, true);
}

static bool same_types(const uint8_t *a, uint32_t na, const uint8_t *b, uint32_t nb)
{
	return na == nb && (!na || !memcmp(a, b, na));
}

/* The function's end reached by falling through (not dead code, the
 * results on the stack): return from where they are (driver.c,
 * fc_emit_return_from_stack), the rest is dead code.  True when it did. */
static bool return_at_end(struct fc *f, const struct ctl *c)
{
	if (f->dead != NO_DEAD || f->nvals - c->height != c->nresults ||
	    !top_is(f, c->nresults, c->results, 0) || !fc_emit_return_from_stack(f))
		return false;   /* (a type error: check_end reports it) */
	set_unreachable(f);
	return true;
}

/* does a branch still to be fixed up go to label id? */
static bool label_used(struct fc *f, uint32_t id)
{
	for (uint32_t i = 0; i < f->nfixups; i++)
		if (f->fixups[i].label == id)
			return true;
	return false;
}

bool fc_op_end(struct fc *f)
{
	if (f->ctls[f->nctls - 1].kind == CTL_TRY)
		return fc_eh_end(f);
	struct ctl c = f->ctls[f->nctls - 1];
	bool returned = c.kind == CTL_FUNC && return_at_end(f, &c);

	fc_flush_all(f);           /* the merge layout: results in their slots */
	if (!check_end(f, &c))
		return false;
	end_dead(f);
	if (c.kind == CTL_IF) {
		/* no else: the false path passes the params on as results */
		if (!same_types(c.params, c.nparams, c.results, c.nresults))
			return fc_fail(f, "type mismatch");
		bind(f, c.else_label);
	}
	if (c.kind != CTL_LOOP)
		bind(f, c.label);
	f->nctls--;
	if (c.kind == CTL_FUNC) {
		/* the epilogue from the slots, for the branches to the end */
		if (!returned || label_used(f, c.label))
			fc_emit_epilogue(f);
		return CHECK_STATE(f, true);
	}
	return push_vals(f, c.results, c.nresults) && CHECK_STATE(f, true);
}

/* br_table: every target takes as many values as the default, each with
 * its own types (spec appendix A.3) */
static bool check_br_table(struct fc *f, const uint32_t *targets, uint32_t n)
{
	uint32_t arity = label_arity(&f->ctls[f->nctls - 1 - targets[n]]);
	uint8_t *got = malloc(arity ? arity : 1);
	bool ok = got != NULL;

	if (!got)
		return fc_oom(f);
	for (uint32_t i = 0; ok && i <= n; i++) {
		struct ctl *t = &f->ctls[f->nctls - 1 - targets[i]];

		if (label_arity(t) != arity) {
			ok = fc_fail(f, "type mismatch");
			break;
		}
		/* pop the label's types, push back what was there */
		for (uint32_t j = arity; ok && j-- > 0;) {
			uint8_t ty = 0;
			ok = fc_pop(f, label_types(t)[j], NULL, &ty);
			got[j] = ty;
		}
		for (uint32_t j = 0; ok && j < arity; j++)
			ok = push(f, got[j], NULL);
	}
	free(got);
	return ok;
}

/* eax = i32 entry k, zero-extended by a 32-bit move whatever its form
 * (the jump table is indexed with rax: no upper bits may survive) */
static void index_to_eax(struct fc *f, uint32_t k)
{
	const struct vloc *v = &f->vs[k];
	int src = src_reg(f, k);

	if (src >= 0)
		x64_mov_rr(f->a, 0, RAX, src);
	else if (v->kind == V_IMM)
		x64_mov_ri(f->a, RAX, (uint32_t)v->imm);
	else
		x64_mov_rm(f->a, 0, RAX, v->kind == V_LOCAL ? L(f, v->local) : S(f, k));
}

bool fc_op_br_table(struct fc *f)
{
	uint32_t n, k, *targets, def;

	if (!wasm_read_count(&f->r, 1, &n))
		return false;
	targets = malloc(((size_t)n + 1) * sizeof(*targets));
	if (!targets)
		return fc_oom(f);
	for (uint32_t i = 0; i <= n; i++) {
		if (!rd_depth(f, &targets[i])) {
			free(targets);
			return false;
		}
	}
	def = targets[n];
	/* eax = the index, read where it is (no trip through its slot); the
	   rest of the stack goes to its slots first (the branches need the
	   fixed layout, and check_br_table pops and pushes it) */
	if (top_is_ab(f, I32, 0)) {
		for (k = 0; k + 1 < f->nvals; k++)
			fc_spill(f, k);
		index_to_eax(f, f->nvals - 1);
	}
	if (!fc_pop(f, I32, &k, NULL) || !check_br_table(f, targets, n))
		goto out;
	/* index < n ? jump through a table of rel32 entries : default */
	x64_alu_ri(f->a, X64_CMP, 0, RAX, (int32_t)n);
	size_t to_def = fwd_jcc(f, X64_CC_AE);
	x64_lea(f->a, 1, RCX, x64_mem_rip(0));
	size_t lea_field = f->a->len - 4;
	x64_movsxd_rm(f->a, RAX, x64_mem_idx(RCX, RAX, 4, 0));
	x64_alu_rr(f->a, X64_ADD, 1, RAX, RCX);
	x64_jmp_r(f->a, RAX);
	size_t table = f->a->len;
	x64_patch_rel32(f->a, lea_field, table);
	for (uint32_t i = 0; i < n; i++)
		x64_u32(f->a, 0);
	for (uint32_t i = 0; i < n; i++) {
		x64_patch_u32(f->a, table + 4 * i, (uint32_t)(f->a->len - table));
		if (!emit_br_code(f, targets[i]))
			goto out;
	}
	here(f, to_def);
	if (!emit_br_code(f, def))
		goto out;
	free(targets);
	set_unreachable(f);
	return true;
out:
	free(targets);
	return false;
}

/* ---- calls -------------------------------------------------------------------- */

/* A register argument whose value sits in a value register (V_REG) and
 * must move to another one: one move of the parallel move of call_args. */
struct arg_move {
	int8_t src, dst;
	bool x;                 /* xmm registers (else general purpose) */
	uint32_t k;             /* its stack entry */
};

/* is register r (class x) the source of a pending move other than skip? */
static bool is_pending_src(const struct arg_move *mv, uint32_t n, uint32_t skip,
			   int r, bool x)
{
	for (uint32_t j = 0; j < n; j++)
		if (j != skip && mv[j].x == x && mv[j].src == r)
			return true;
	return false;
}

/* Do the n register-to-register moves as one parallel move: a move goes
 * when no other pending move still reads its destination; a cycle is
 * broken by sending one value to its slot (fc_spill: the caller then
 * loads it from there like any memory argument). */
static void parallel_move(struct fc *f, struct arg_move *mv, uint32_t n)
{
	while (n) {
		uint32_t j;

		for (j = 0; j < n; j++)
			if (!is_pending_src(mv, n, j, mv[j].dst, mv[j].x))
				break;
		if (j == n) {
			j = 0;
			fc_spill(f, mv[0].k);
		} else if (mv[j].x) {
			x64_movaps_rr(f->a, mv[j].dst, mv[j].src);
		} else {
			x64_mov_rr(f->a, 1, mv[j].dst, mv[j].src);
		}
		mv[j] = mv[--n];
	}
}

/* Where a call's result area starts, in 8-byte places from rsp: after
 * the nstack stack arguments, at a multiple of 16 bytes when a result is
 * a v128 (its value slot is 16-byte aligned, jit.h jit_v1_slot_next).
 * call_ref's results use it too, also when they come back in registers. */
static uint32_t area_at(const struct wasm_functype *ft, uint32_t nstack)
{
	for (uint32_t i = 0; i < ft->nresults; i++)
		if (ft->results[i] == V128)
			return (nstack + 1) & ~1u;
	return nstack;
}

/* Pop the arguments of ft to their wasm ABI v1 places (jit.h): stack
 * arguments to [rsp + 8*j], the others to their registers, rdi = ctx and
 * rsi = the result area (area_at) when the results go through
 * memory; everything below them goes to its slot (registers die in the
 * call).  The values in value registers reach their argument registers
 * by one parallel move (no trip through their slots), then the others
 * (pinned locals, memory, constants) are loaded: no argument register
 * is read after that.  *nstack = the stack arguments' slots; the caller
 * then pushes the results with push_call_result.  A tail call (tail)
 * passes on our own results pointer (RESPTR) instead of a result area. */
static bool call_args(struct fc *f, const struct wasm_functype *ft, uint32_t *nstack,
		      bool tail)
{
	uint32_t k, n = ft->nparams;
	struct jit_v1 s;

	jit_v1_start(&s, ft);
	for (uint32_t i = 0; i < n; i++)
		jit_v1_next(&s, ft->params[i]);
	*nstack = s.nstack;
	if (top_is(f, n, ft->params, 0)) {
		uint32_t base = f->nvals - n, nmv = 0;
		struct arg_move mv[16];         /* 5 general + 8 xmm at most */

		for (k = 0; k < base; k++)
			fc_spill(f, k);
		jit_v1_start(&s, ft);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t p = jit_v1_next(&s, ft->params[i]);
			k = base + i;
			if (p & JIT_V1_STACK) {
				fc_store_val(f, &f->vs[k], f->vals[k], k,
					     AREA(JIT_V1_PLACE(p)));
				continue;
			}
			bool x = p & JIT_V1_XMM;
			int dst = x ? (int)JIT_V1_PLACE(p) : v1_gpr(p);
			if (f->vs[k].kind == V_REG && f->vs[k].reg != dst)
				mv[nmv++] = (struct arg_move){ f->vs[k].reg, (int8_t)dst, x, k };
		}
		parallel_move(f, mv, nmv);
		jit_v1_start(&s, ft);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t p = jit_v1_next(&s, ft->params[i]);
			k = base + i;
			if ((p & JIT_V1_STACK) || f->vs[k].kind == V_REG)
				continue;       /* stored, or moved just now */
			if (p & JIT_V1_XMM)
				fc_load_val(f, &f->vs[k], f->vals[k], k, (int)JIT_V1_PLACE(p));
			else
				fc_load_val(f, &f->vs[k], f->vals[k], k, v1_gpr(p));
		}
		x64_mov_rr(f->a, 1, RDI, R14);
		if (!jit_v1_results_in_regs(ft) && tail)
			x64_mov_rm(f->a, 1, RSI, RESPTR(f));    /* our caller's area */
		else if (!jit_v1_results_in_regs(ft))
			x64_lea(f->a, 1, RSI, AREA(area_at(ft, *nstack)));
		for (uint32_t i = 0; i < n; i++)
			vdrop(f);
	} else {
		/* a type error, or dead code (which emits nothing) */
		for (uint32_t i = n; i-- > 0;)
			if (!fc_pop(f, ft->params[i], NULL, NULL))
				return false;
	}
	/* the result area (call_indirect's other path uses it even when the
	   results come back in registers) */
	uint32_t area = area_at(ft, *nstack) + jit_v1_area_places(ft);
	if (area > f->max_area)
		f->max_area = area;
	return true;
}

/* Push the results from their v1 places: rax, rdx / xmm0, xmm1 (an i32's
 * upper half is undefined: zero-extended here), or the result area after
 * the nstack stack arguments (area_at; value slots, jit_v1_slot_next). */
static bool push_call_result(struct fc *f, const struct wasm_functype *ft, uint32_t nstack)
{
	uint32_t k, ng = 0, nx = 0, off = 0;
	bool in_regs = jit_v1_results_in_regs(ft);
	int32_t area = 8 * (int32_t)area_at(ft, nstack);

	for (uint32_t i = 0; i < ft->nresults; i++) {
		uint8_t t = ft->results[i];
		if (!push(f, t, &k))
			return false;
		if (!in_regs) {
			bool narrow = t == I32 || t == F32;
			struct x64_mem m = x64_mem(RSP, area +
						   (int32_t)jit_v1_slot_next(&off, t));
			if (t == V128) {        /* xmm0: free, the call spilled all */
				x64_movdqu_xm(f->a, 0, m);
				x64_movdqu_mx(f->a, S(f, k), 0);
				continue;
			}
			x64_mov_rm(f->a, !narrow, RAX, m);
			st(f, k, RAX);
			continue;
		}
		int r = fc_alloc_reg(f, t);     /* all free: the call spilled them */
		f->vs[k] = (struct vloc){ .kind = V_REG, .reg = (int8_t)r };
		if (in_xmm(t))
			x64_movaps_rr(f->a, r, (int)nx++);
		else
			x64_mov_rr(f->a, t != I32, r, ng++ ? RDX : RAX);
	}
	return true;
}

bool fc_op_call(struct fc *f)
{
	uint32_t idx;

	if (!rd_u32(f, &idx))
		return false;
	if (idx >= f->m->nfuncs)
		return fc_fail(f, "unknown function");
	const struct wasm_functype *ft = &f->m->types[f->m->funcs[idx].type];
	if (!fc_simd_types_ok(f, ft, "call"))
		return false;
	uint32_t nstack;
	if (!call_args(f, ft, &nstack, false))
		return false;
	if (f->m->funcs[idx].imported) {
		x64_mov_rm(f->a, 1, RAX, x64_mem(R14, CTX_FUNCS));
		if (!srcmap(f, f->op_off))
			return false;
		x64_call_m(f->a, x64_mem(RAX, 8 * (int32_t)idx));
	} else {
		if (!srcmap(f, f->op_off))
			return false;
		size_t field = x64_call_rel32(f->a, 0);
		struct call_fixup cf = { (uint32_t)field, idx, CALL_BODY };
		if (!PUSH(f, f->jc->calls, f->jc->ncalls, f->jc->capcalls, cf))
			return fc_oom(f);
	}
	return push_call_result(f, ft, nstack);
}

/* rdx = ctx->tables[table] */
void fc_ld_table(struct fc *f, uint32_t table)
{
	x64_mov_rm(f->a, 1, RDX, x64_mem(R14, CTX_TABLES));
	x64_mov_rm(f->a, 1, RDX, x64_mem(RDX, 8 * (int32_t)table));
}

/* rdx = ctx->tables[table], rax = index in slot k, trap `code` unless
 * index < size; then rdx = the elems array */
bool fc_table_index(struct fc *f, uint32_t table, uint32_t k, enum wasm_trap_code code)
{
	x64_mov_rm(f->a, 0, RAX, S(f, k));
	fc_ld_table(f, table);
	x64_alu_rm(f->a, X64_CMP, 0, RAX, x64_mem(RDX, offsetof(struct jit_table, size)));
	if (!trap_if_idx(f, X64_CC_AE, code,
			 code == WASM_TRAP_UNDEFINED_ELEMENT ? RAX : -1))
		return false;
	x64_mov_rm(f->a, 1, RDX, x64_mem(RDX, offsetof(struct jit_table, elems)));
	return true;
}

/* call a struct jit_rt helper (arguments already in rdi, rsi, ...) */
bool fc_call_rt(struct fc *f, size_t off)
{
	if (!srcmap(f, f->op_off))
		return false;
	x64_mov_rm(f->a, 1, RAX, x64_mem(R14, CTX_RT));
	x64_call_m(f->a, x64_mem(RAX, (int32_t)off));
	return true;
}

/* The funcref in r10 is another instance's: jit_rt.call_ref, with the
 * arguments from their slots (from base; the stack was flushed), the
 * results to the result area (area_at), or for a
 * tail call whose results go through memory straight to our caller's
 * (RESPTR); then those in registers to rax, rdx / xmm0, xmm1. */
static bool call_ref(struct fc *f, const struct wasm_functype *ft, uint32_t typeidx,
		     uint32_t base, uint32_t nstack, bool tail)
{
	/* the results' 8-byte places (v128: 2; a result area's value slots
	   may add padding) from area_at */
	uint32_t ra = area_at(ft, nstack), rw = jit_v1_area_places(ft);

	if (ra + rw > f->max_area)
		f->max_area = ra + rw;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_rr(f->a, 1, RSI, R10);
	x64_mov_ri(f->a, RDX, typeidx);
	if (f->wide && ft->nparams) {
		/* call_ref reads 8-byte places growing down (a v128 two, low
		   half first, jit.h); a wide function's slots are 16 bytes
		   apart: the arguments copied after the result area */
		uint32_t at = ra + rw, pw = ft->nparams, pos = 0;
		for (uint32_t i = 0; i < ft->nparams; i++)
			pw += ft->params[i] == V128;
		for (uint32_t i = 0; i < ft->nparams; i++) {
			struct x64_mem hi = S(f, base + i);
			copy(f, AREA(at + pw - 1 - pos++), S(f, base + i));
			hi.disp += 8;
			if (ft->params[i] == V128)
				copy(f, AREA(at + pw - 1 - pos++), hi);
		}
		x64_lea(f->a, 1, RCX, AREA(at + pw - 1));
		if (at + pw > f->max_area)
			f->max_area = at + pw;
	} else {
		x64_lea(f->a, 1, RCX, S(f, base));
	}
	if (tail && !jit_v1_results_in_regs(ft))
		x64_mov_rm(f->a, 1, R8, RESPTR(f));
	else
		x64_lea(f->a, 1, R8, AREA(ra));
	if (!fc_call_rt(f, offsetof(struct jit_rt, call_ref)))
		return false;
	if (jit_v1_results_in_regs(ft)) {
		uint32_t ng = 0, nx = 0;
		for (uint32_t i = 0, j = 0; i < ft->nresults; i++, j++) {
			if (ft->results[i] == V128)
				x64_movdqu_xm(f->a, (int)nx++, AREA(ra + j++));
			else if (is_float(ft->results[i]))
				x64_movq_xm(f->a, (int)nx++, AREA(ra + j));
			else
				x64_mov_rm(f->a, 1, ng++ ? RDX : RAX, AREA(ra + j));
		}
	}
	return true;
}

/*
 * call_indirect: bounds, null, then a funcref of this instance (the common
 * case) is type-checked against the canonical index and its body called
 * directly (after the entry thunk, jit.h; rdi = its ctx, which is ours);
 * one of another instance
 * goes through jit_rt.call_ref (jit.h), which reads the arguments from
 * their slots (the stack was flushed: they are all there) and writes the
 * results to the result area, from where they go to the v1 places.
 */
/* call_indirect's and return_call_indirect's start: the immediates, the
 * index popped, bounds and null checked, r10 = the funcref */
static bool indirect_funcref(struct fc *f, uint32_t *typeidx,
			     const struct wasm_functype **ft)
{
	uint32_t table, k;

	if (!rd_u32(f, typeidx) || !rd_u32(f, &table))
		return false;
	if (*typeidx >= f->m->ntypes)
		return fc_fail(f, "unknown type");
	if (table >= f->m->ntables)
		return fc_fail(f, "unknown table");
	if (f->m->tables[table].elemtype != WASM_FUNCREF)
		return fc_fail(f, "type mismatch");
	*ft = &f->m->types[*typeidx];
	if (!fc_simd_types_ok(f, *ft, "call"))
		return false;
	if (!fc_pop(f, I32, &k, NULL))
		return false;
	if (!fc_table_index(f, table, k, WASM_TRAP_UNDEFINED_ELEMENT))
		return false;
	/* r10 = the funcref: no argument register, and free here (a pinned
	   local's register, but call_indirect calls out: a live one went
	   home before and comes back after, pins.c) */
	x64_mov_rm(f->a, 1, R10, x64_mem_idx(RDX, RAX, 8, 0));
	x64_test_rr(f->a, 1, R10, R10);
	return trap_if_idx(f, X64_CC_E, WASM_TRAP_UNINITIALIZED_ELEMENT, RAX);
}

bool fc_op_call_indirect(struct fc *f)
{
	const struct wasm_functype *ft;
	uint32_t typeidx, nstack;

	if (!indirect_funcref(f, &typeidx, &ft))
		return false;
	uint32_t base = f->nvals >= ft->nparams ? f->nvals - ft->nparams : 0;
	if (!call_args(f, ft, &nstack, false))
		return false;
	x64_alu_rm(f->a, X64_CMP, 1, R14, x64_mem(R10, offsetof(struct jit_funcref, ctx)));
	size_t other = fwd_jcc(f, X64_CC_NE);
	x64_alu_mi(f->a, X64_CMP, 0, x64_mem(R10, offsetof(struct jit_funcref, type)),
		   (int32_t)ft->canon);
	if (!fc_trap_if(f, X64_CC_NE, WASM_TRAP_INDIRECT_CALL_TYPE))
		return false;
	/* our instance: its body, after the entry thunk (jit.h) */
	x64_mov_rm(f->a, 1, RAX, x64_mem(R10, offsetof(struct jit_funcref, code)));
	x64_alu_ri(f->a, X64_ADD, 1, RAX, JIT_ENTRY_THUNK);
	if (!srcmap(f, f->op_off))
		return false;
	x64_call_r(f->a, RAX);
	size_t done = fwd_jmp(f);
	here(f, other);
	if (!call_ref(f, ft, typeidx, base, nstack, false))
		return false;
	here(f, done);
	return push_call_result(f, ft, nstack);
}

bool fc_op_unreachable(struct fc *f)
{
	if (!trap_now(f, WASM_TRAP_UNREACHABLE))
		return false;
	set_unreachable(f);
	return true;
}

/* block, loop */
bool fc_op_block(struct fc *f, uint8_t op)
{
	struct ctl bt;

	return rd_blocktype(f, &bt) && fc_push_ctl(f, op == OP_BLOCK ? CTL_BLOCK : CTL_LOOP, &bt);
}

/* if: the flags of the condition survive push_ctl's spills */
bool fc_op_if(struct fc *f)
{
	struct ctl bt;
	enum x64_cc cc;

	if (!rd_blocktype(f, &bt) || !pop_cond(f, &cc))
		return false;
	if (!fc_push_ctl(f, CTL_IF, &bt))
		return false;
	return jcc_to(f, (enum x64_cc)(cc ^ 1), f->ctls[f->nctls - 1].else_label);
}

/* br (depth read here), return (the function's frame) */
bool fc_op_br(struct fc *f, bool is_return)
{
	uint32_t depth = f->nctls - 1;

	if (!is_return && !rd_depth(f, &depth))
		return false;
	if (!check_br(f, depth))
		return false;
	/* to the function's frame: return from where the results are */
	if (depth == f->nctls - 1 && f->dead == NO_DEAD && !f->ntry &&
	    f->nvals - f->ctls[f->nctls - 1].height >= f->ft->nresults &&
	    fc_emit_return_from_stack(f)) {
		set_unreachable(f);
		return true;
	}
	if (!emit_br_code(f, depth))
		return false;
	set_unreachable(f);
	return true;
}

bool fc_op_br_if_rd(struct fc *f)
{
	uint32_t depth;

	return rd_depth(f, &depth) && op_br_if(f, depth);
}

/* ---- tail calls (the tail-call proposal: return_call, return_call_indirect) -- */

/*
 * A tail call leaves this function's frame and jumps to the callee, which
 * returns to our caller: the stack does not grow (docs/abi.md "Tail
 * calls").  call_args puts the register arguments in place (rdi = ctx,
 * rsi = our caller's result area when the results go through memory: the
 * callee's results are exactly ours) and the n stack arguments at
 * [rsp + 8j]; they then go to our incoming argument area [rbp + 16 + 8j],
 * where our caller's call put ours.  When the callee needs more slots than
 * we received, that area is too small, unless our return address is the
 * module's adapter (driver.c): then K (jc->tail_slots, the most any type
 * needs) are there.  Otherwise an adapter frame is built inside our own
 * frame (which our prologue's stack check covered: max_area >= K): our frame
 * record ([rbp] = our caller's rbp, [rbp + 8] = the return address) stays
 * where it is, the K slots below it take the arguments, and below them the
 * adapter's address becomes the callee's return address, with rbp left
 * pointing at our frame record (the frame chain stays whole).  The adapter
 * drops the K slots, pops our caller's rbp and returns to our caller; a
 * tail call made below it finds its address as return address and fills
 * the K slots in place, so a chain of tail calls holds one adapter at
 * most.
 *
 * r14 and r15 are our caller's after we leave.  In a function that is not
 * its own v1 entry they are ours (only the thunk sets them); in one that
 * is (stack parameters: it saved the caller's and sets them itself, jit.h)
 * they may be another instance's or C's: a body that needs them set (a
 * function with a thunk) is then entered through its thunk, unless they
 * hold this instance's ctx and memory base already (the body leaves them
 * so, and they go back to our caller unchanged) - which they do from the
 * second round of a recursion on, so that it runs in constant stack too.
 */

/* where a tail call jumps: function func's body (a direct call), or the
 * v1 entry in r10 (an import's stub; a funcref's code, of this instance:
 * body = entry + JIT_ENTRY_THUNK); body_needs_ctx: the body runs only
 * with r14/r15 set (it has a thunk; unknown for a funcref: assumed) */
struct tail_to {
	bool r10, body_needs_ctx;
	uint32_t func;
};

static bool jmp_func(struct fc *f, uint32_t func, uint8_t kind)
{
	size_t field = x64_jmp_rel32(f->a, 0);
	struct call_fixup cf = { (uint32_t)field, func, kind };

	return PUSH(f, f->jc->calls, f->jc->ncalls, f->jc->capcalls, cf) ? true : fc_oom(f);
}

/* the jump itself, the frame already left (r14/r15 are our caller's) */
static bool tail_jump(struct fc *f, const struct tail_to *t)
{
	bool check = f->full_entry && t->body_needs_ctx;
	size_t ne14 = 0, ne15 = 0;

	if (check) {
		x64_alu_rr(f->a, X64_CMP, 1, R14, RDI);
		ne14 = fwd_jcc(f, X64_CC_NE);
		x64_alu_rm(f->a, X64_CMP, 1, R15, x64_mem(RDI, CTX_MEM_BASE));
		ne15 = fwd_jcc(f, X64_CC_NE);
	}
	if (!t->r10) {
		if (!jmp_func(f, t->func, CALL_BODY))
			return false;
	} else {
		if (t->body_needs_ctx)
			x64_alu_ri(f->a, X64_ADD, 1, R10, JIT_ENTRY_THUNK);
		x64_jmp_r(f->a, R10);
	}
	if (!check)
		return true;
	here(f, ne14);
	here(f, ne15);
	if (!t->r10)
		return jmp_func(f, t->func, CALL_ENTRY);
	x64_jmp_r(f->a, R10);
	return true;
}

/* rax = the adapter's address (a fixup: it follows the last function) */
static bool lea_adapter(struct fc *f)
{
	x64_lea(f->a, 1, RAX, x64_mem_rip(0));
	struct call_fixup cf = { (uint32_t)(f->a->len - 4), 0, CALL_ADAPTER };

	return PUSH(f, f->jc->calls, f->jc->ncalls, f->jc->capcalls, cf) ? true : fc_oom(f);
}

/* the n stack arguments at [rsp + 8j] to [base + disp + 8j], last first
 * (the adapter's slots are above their sources) */
static void move_stack_args(struct fc *f, uint32_t n, int base, int32_t disp)
{
	for (uint32_t j = n; j-- > 0;) {
		x64_mov_rm(f->a, 1, RAX, AREA(j));
		x64_mov_mr(f->a, 1, x64_mem(base, disp + 8 * (int32_t)j), RAX);
	}
}

/* leave the frame with the n stack arguments where the callee finds them,
 * and jump (above) */
static bool tail_leave(struct fc *f, uint32_t n, const struct tail_to *t)
{
	int32_t k = (int32_t)f->jc->tail_slots;
	bool maybe_adapter = n > fc_stack_slots(f->ft);
	size_t build = 0;

	if (maybe_adapter) {
		if (!lea_adapter(f))
			return false;
		x64_alu_rm(f->a, X64_CMP, 1, RAX, x64_mem(RBP, 8));
		build = fwd_jcc(f, X64_CC_NE);
	}
	move_stack_args(f, n, RBP, 16);         /* in place */
	fc_emit_leave(f);
	if (!tail_jump(f, t))
		return false;
	if (!maybe_adapter)
		return true;
	/* the adapter frame: the saved registers back first (the K slots may
	   cover them), rbp stays at our frame record */
	here(f, build);
	for (uint32_t j = 0; j < f->nsave; j++)
		x64_mov_rm(f->a, 1, f->saved[j], x64_mem(RBP, -8 - 8 * (int32_t)j));
	move_stack_args(f, n, RBP, -8 * k);
	x64_lea(f->a, 1, RSP, x64_mem(RBP, -8 - 8 * k));
	if (!lea_adapter(f))
		return false;
	x64_mov_mr(f->a, 1, x64_mem(RSP, 0), RAX);
	if ((uint32_t)k > f->max_area)
		f->max_area = (uint32_t)k;      /* the adapter frame fits in ours */
	f->jc->adapter = true;
	return tail_jump(f, t);
}

/* the callee's results must be exactly ours (the proposal's rule) */
static bool check_tail_results(struct fc *f, const struct wasm_functype *ft)
{
	/* a v128 in the type: the look-ahead (pins.c) made us wide; stack
	   arguments move as 8-byte places (a v128 two, jit_v1_next) */
	if (!fc_simd_types_ok(f, ft, "call"))
		return false;
	if (!same_types(ft->results, ft->nresults, f->ft->results, f->ft->nresults))
		return fc_fail(f, "type mismatch");
	return true;
}

/* return_call x: call's validation, then the rest of the block is
 * unreachable, as after return */
bool fc_op_return_call(struct fc *f)
{
	uint32_t idx, nstack;

	if (!rd_u32(f, &idx))
		return false;
	if (idx >= f->m->nfuncs)
		return fc_fail(f, "unknown function");
	const struct wasm_functype *ft = &f->m->types[f->m->funcs[idx].type];
	if (!check_tail_results(f, ft))
		return false;
	if (f->ntry) {          /* leaving every try and catch body (eh.c) */
		fc_flush_all(f);
		if (!fc_eh_emit_exit(f, f->nctls - 1))
			return false;
	}
	if (!call_args(f, ft, &nstack, true))
		return false;
	struct tail_to t = { .func = idx, .body_needs_ctx = !fc_stack_slots(ft) };
	if (f->m->funcs[idx].imported) {
		/* its stub (ours, jit.h): a v1 function that needs no r14/r15 */
		x64_mov_rm(f->a, 1, R10, x64_mem(R14, CTX_FUNCS));
		x64_mov_rm(f->a, 1, R10, x64_mem(R10, 8 * (int32_t)idx));
		t = (struct tail_to){ .r10 = true };
	}
	if (!tail_leave(f, nstack, &t))
		return false;
	set_unreachable(f);
	return true;
}

/* return_call_indirect: call_indirect's checks; a funcref of this
 * instance is tail-called, one of another instance goes through
 * jit_rt.call_ref (the runtime enters that instance on its own record,
 * trap.c) followed by a return: a tail call across instances does not run
 * in constant stack */
bool fc_op_return_call_indirect(struct fc *f)
{
	const struct wasm_functype *ft;
	uint32_t typeidx, nstack;

	/* leaving every try and catch body (eh.c); the stack is flushed */
	if (f->ntry && !fc_eh_emit_exit(f, f->nctls - 1))
		return false;
	if (!indirect_funcref(f, &typeidx, &ft) || !check_tail_results(f, ft))
		return false;
	uint32_t base = f->nvals >= ft->nparams ? f->nvals - ft->nparams : 0;
	if (!call_args(f, ft, &nstack, true))
		return false;
	x64_alu_rm(f->a, X64_CMP, 1, R14, x64_mem(R10, offsetof(struct jit_funcref, ctx)));
	size_t other = fwd_jcc(f, X64_CC_NE);
	x64_alu_mi(f->a, X64_CMP, 0, x64_mem(R10, offsetof(struct jit_funcref, type)),
		   (int32_t)ft->canon);
	if (!fc_trap_if(f, X64_CC_NE, WASM_TRAP_INDIRECT_CALL_TYPE))
		return false;
	x64_mov_rm(f->a, 1, R10, x64_mem(R10, offsetof(struct jit_funcref, code)));
	struct tail_to t = { .r10 = true, .body_needs_ctx = true };
	if (!tail_leave(f, nstack, &t))
		return false;
	here(f, other);
	if (!call_ref(f, ft, typeidx, base, nstack, true))
		return false;
	fc_emit_leave(f);
	x64_ret(f->a);
	set_unreachable(f);
	return true;
}
