/*
 * control.c — structured control and calls (Core spec 2.0 §3.3.8 control
 * instructions, validation as in appendix A.3): blocks, loops, if/else,
 * end, br/br_if/br_table/return, unreachable code, labels and their
 * rel32 fixups, trap stubs, call/call_indirect in wasm ABI v1 (jit.h),
 * and calls of struct jit_rt helpers.
 */
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include "fc.h"

/*
 * Unreachable code (after br, br_table, return, unreachable, up to the
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
	if (label_arity(t))
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

/* Pop the arguments of ft to their wasm ABI v1 places (jit.h): stack
 * arguments to [rsp + 8*j], the others to their registers, rdi = ctx and
 * rsi = the result area [rsp + 8*nstack] when the results go through
 * memory; everything below them goes to its slot (registers die in the
 * call).  The values in value registers reach their argument registers
 * by one parallel move (no trip through their slots), then the others
 * (pinned locals, memory, constants) are loaded: no argument register
 * is read after that.  *nstack = the stack arguments' slots; the caller
 * then pushes the results with push_call_result. */
static bool call_args(struct fc *f, const struct wasm_functype *ft, uint32_t *nstack)
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
		if (!jit_v1_results_in_regs(ft))
			x64_lea(f->a, 1, RSI, AREA(*nstack));
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
	uint32_t area = *nstack + ft->nresults;
	if (area > f->max_area)
		f->max_area = area;
	return true;
}

/* Push the results from their v1 places: rax, rdx / xmm0, xmm1 (an i32's
 * upper half is undefined: zero-extended here), or the result area after
 * the nstack stack arguments. */
static bool push_call_result(struct fc *f, const struct wasm_functype *ft, uint32_t nstack)
{
	uint32_t k, ng = 0, nx = 0;
	bool in_regs = jit_v1_results_in_regs(ft);

	for (uint32_t i = 0; i < ft->nresults; i++) {
		uint8_t t = ft->results[i];
		if (!push(f, t, &k))
			return false;
		if (!in_regs) {
			bool narrow = t == I32 || t == F32;
			x64_mov_rm(f->a, !narrow, RAX, AREA(nstack + i));
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
	if (!call_args(f, ft, &nstack))
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
		struct call_fixup cf = { (uint32_t)field, idx };
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

/*
 * call_indirect: bounds, null, then a funcref of this instance (the common
 * case) is type-checked against the canonical index and its body called
 * directly (after the entry thunk, jit.h; rdi = its ctx, which is ours);
 * one of another instance
 * goes through jit_rt.call_ref (jit.h), which reads the arguments from
 * their slots (the stack was flushed: they are all there) and writes the
 * results to the result area, from where they go to the v1 places.
 */
bool fc_op_call_indirect(struct fc *f)
{
	uint32_t typeidx, table, k, nstack;

	if (!rd_u32(f, &typeidx) || !rd_u32(f, &table))
		return false;
	if (typeidx >= f->m->ntypes)
		return fc_fail(f, "unknown type");
	if (table >= f->m->ntables)
		return fc_fail(f, "unknown table");
	if (f->m->tables[table].elemtype != WASM_FUNCREF)
		return fc_fail(f, "type mismatch");
	const struct wasm_functype *ft = &f->m->types[typeidx];
	if (!fc_simd_types_ok(f, ft, "call"))
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
	if (!trap_if_idx(f, X64_CC_E, WASM_TRAP_UNINITIALIZED_ELEMENT, RAX))
		return false;
	uint32_t base = f->nvals >= ft->nparams ? f->nvals - ft->nparams : 0;
	if (!call_args(f, ft, &nstack))
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
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_rr(f->a, 1, RSI, R10);
	x64_mov_ri(f->a, RDX, typeidx);
	uint32_t rw = ft->nresults;     /* the results' 8-byte places (v128: 2) */
	for (uint32_t i = 0; i < ft->nresults; i++)
		rw += ft->results[i] == V128;
	if (nstack + rw > f->max_area)
		f->max_area = nstack + rw;
	if (f->wide && ft->nparams) {
		/* call_ref reads 8-byte places growing down (a v128 two, low
		   half first, jit.h); a wide function's slots are 16 bytes
		   apart: the arguments copied after the result area */
		uint32_t at = nstack + rw, pw = ft->nparams, pos = 0;
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
	x64_lea(f->a, 1, R8, AREA(nstack));
	if (!fc_call_rt(f, offsetof(struct jit_rt, call_ref)))
		return false;
	if (jit_v1_results_in_regs(ft)) {
		uint32_t ng = 0, nx = 0;
		for (uint32_t i = 0, j = 0; i < ft->nresults; i++, j++) {
			if (ft->results[i] == V128)
				x64_movdqu_xm(f->a, (int)nx++, AREA(nstack + j++));
			else if (is_float(ft->results[i]))
				x64_movq_xm(f->a, (int)nx++, AREA(nstack + j));
			else
				x64_mov_rm(f->a, 1, ng++ ? RDX : RAX, AREA(nstack + j));
		}
	}
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
	if (depth == f->nctls - 1 && f->dead == NO_DEAD &&
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
