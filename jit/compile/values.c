/*
 * values.c — the value stack and the register state (DESIGN.md decision
 * 6): where each operand is (struct vloc, fc.h), popping with the
 * validator's type checks (Core spec 2.0 appendix A.3), register
 * allocation with spilling, materialising a value into a register or a
 * slot, the variables (local.*, global.*, which read and write those
 * locations), and in debug builds (JIT_DEBUG) the invariants of it all.
 */
#include <string.h>
#include <stddef.h>
#include "fc.h"
#include "plat.h"

/* vals and vs (capacity capvals) for n entries */
__attribute__((noinline)) bool fc_grow_vals(struct fc *f, uint32_t n)
{
	uint32_t cap = f->capvals;

	if (!grow((void **)&f->vals, &cap, n, sizeof *f->vals))
		return fc_oom(f);
	cap = f->capvals;
	if (!grow((void **)&f->vs, &cap, n, sizeof *f->vs))
		return fc_oom(f);
	f->capvals = cap;
	return true;
}

/* Pop a value of type want (0 = any).  *slot = its stack index, *type =
 * its type (0 = unknown, in unreachable code: then the slot may hold
 * nothing, but such code never runs). */
bool fc_pop(struct fc *f, uint8_t want, uint32_t *slot, uint8_t *type)
{
	struct ctl *c = &f->ctls[f->nctls - 1];
	uint8_t t;

	if (f->nvals == c->height) {
		if (!c->unreachable)
			return fc_fail(f, "type mismatch");
		t = 0;
	} else {
		t = f->vals[f->nvals - 1];
		if (want && t && t != want)
			return fc_fail(f, "type mismatch");
		f->nvals--;
		free_vloc(f, &f->vs[f->nvals], t);
		f->vs[f->nvals].kind = V_STK;
	}
	if (slot)
		*slot = f->nvals;
	if (type)
		*type = t;
	return true;
}

/* r10 is a pinned register (pins.c), not one of these */
static const int8_t alloc_gprs[] = { RSI, RDI, X64_R8, X64_R9 };

/* a v128 (V_STK, V_REG or an unpinned V_LOCAL: never a constant, flags
 * or a pinned local, simd.c) to m, 16 bytes; xmm0 is the scratch */
static void store_v128(struct fc *f, const struct vloc *v, uint32_t k, struct x64_mem m)
{
	int r = v->kind == V_REG ? v->reg : 0;

	if (v->kind == V_STK && m.base == RBP && m.index == X64_NOREG &&
	    m.disp == S(f, k).disp)
		return;
	if (v->kind != V_REG)
		x64_movdqu_xm(f->a, 0, v->kind == V_LOCAL ? L(f, v->local) : S(f, k));
	x64_movdqu_mx(f->a, m, r);
}

/* write value v (of type t) to m as a 64-bit slot value (i32/f32
 * zero-extended), a v128 as 16 bytes; uses rax (xmm0 for a v128) as
 * scratch, never changes EFLAGS */
void fc_store_val(struct fc *f, const struct vloc *v, uint8_t t, uint32_t k,
		      struct x64_mem m)
{
	struct vloc pinned;

	if (t == V128) {
		store_v128(f, v, k, m);
		return;
	}
	if (v->kind == V_LOCAL && local_reg(f, v->local) >= 0) {
		pinned = (struct vloc){ .kind = V_REG, .reg = (int8_t)local_reg(f, v->local) };
		v = &pinned;
	}
	switch (v->kind) {
	case V_STK:
		if (m.base != RBP || m.index != X64_NOREG || m.disp != S(f, k).disp) {
			x64_mov_rm(f->a, 1, RAX, S(f, k));
			x64_mov_mr(f->a, 1, m, RAX);
		}
		return;
	case V_REG:
		if (!in_xmm(t)) {
			x64_mov_mr(f->a, 1, m, v->reg);
		} else if (t == F64) {
			x64_movq_mx(f->a, m, v->reg);
		} else {
			x64_movd_mx(f->a, m, v->reg);
			m.disp += 4;
			x64_mov_mi(f->a, 0, m, 0);
		}
		return;
	case V_IMM:
		if ((int64_t)v->imm == (int32_t)v->imm) {
			x64_mov_mi(f->a, 1, m, (int32_t)v->imm);
		} else {
			x64_mov_ri(f->a, RAX, v->imm);
			x64_mov_mr(f->a, 1, m, RAX);
		}
		return;
	case V_LOCAL:
		x64_mov_rm(f->a, 1, RAX, L(f, v->local));
		x64_mov_mr(f->a, 1, m, RAX);
		return;
	case V_FLAGS:
		x64_setcc(f->a, v->cc, RAX);
		x64_movzx8_rr(f->a, RAX, RAX);
		x64_mov_mr(f->a, 1, m, RAX);
		return;
	}
}



/* entry k to its slot (state V_STK) */
void fc_spill(struct fc *f, uint32_t k)
{
	struct vloc *v = &f->vs[k];

	if (v->kind == V_STK)
		return;
	fc_store_val(f, v, f->vals[k], k, S(f, k));
	free_vloc(f, v, f->vals[k]);
	v->kind = V_STK;
}

/* every entry to its slot: the fixed layout of merges, calls and the
 * opcodes still compiled slot by slot.  Never changes EFLAGS. */
void fc_flush_all(struct fc *f)
{
	for (uint32_t k = 0; k < f->nvals; k++)
		fc_spill(f, k);
}

/* a free register of t's class, spilling the deepest value held in one
 * if there is none (never touches rax/rcx/rdx/xmm0/xmm1 or EFLAGS) */
int fc_alloc_reg(struct fc *f, uint8_t t)
{
	bool x = in_xmm(t);

	if (x) {
		for (int r = FIRST_XMM; r < NXMM; r++)
			if (!(f->xmm_used & (1u << r))) {
				f->xmm_used |= (uint16_t)(1u << r);
				return r;
			}
	} else {
		for (size_t i = 0; i < sizeof alloc_gprs; i++)
			if (!(f->gpr_used & (1u << alloc_gprs[i]))) {
				f->gpr_used |= (uint16_t)(1u << alloc_gprs[i]);
				return alloc_gprs[i];
			}
	}
	/* the top three entries are the operands of the opcode being
	   compiled: never taken away from it */
	for (uint32_t k = 0; k + 3 < f->nvals; k++) {
		struct vloc *v = &f->vs[k];

		if (v->kind == V_REG && in_xmm(f->vals[k]) == x) {
			int r = v->reg;
			fc_spill(f, k);
			if (x)
				f->xmm_used |= (uint16_t)(1u << r);
			else
				f->gpr_used |= (uint16_t)(1u << r);
			return r;
		}
	}
	return x ? 0 : RAX;     /* unreachable: more registers than entries */
}

/* load value v (type t, entry k) into register r of its class */
void fc_load_val(struct fc *f, const struct vloc *v, uint8_t t, uint32_t k, int r)
{
	struct x64_mem m;
	struct vloc pinned;

	if (v->kind == V_LOCAL && local_reg(f, v->local) >= 0) {
		pinned = (struct vloc){ .kind = V_REG, .reg = (int8_t)local_reg(f, v->local) };
		v = &pinned;
	}
	if (v->kind == V_REG) {
		if (v->reg == r)
			return;
		if (in_xmm(t)) {
			x64_movaps_rr(f->a, r, v->reg);
		} else {
			x64_mov_rr(f->a, 1, r, v->reg);
		}
		return;
	}
	if (v->kind == V_FLAGS) {
		x64_setcc(f->a, v->cc, r);
		x64_movzx8_rr(f->a, r, r);
		return;
	}
	if (v->kind == V_IMM) {
		if (!in_xmm(t)) {
			x64_mov_ri(f->a, r, v->imm);
		} else if (!v->imm) {
			x64_xorps(f->a, r, r);
		} else {
			x64_mov_ri(f->a, RAX, v->imm);
			x64_movq_xr(f->a, 1, r, RAX);
		}
		return;
	}
	m = v->kind == V_LOCAL ? L(f, v->local) : S(f, k);
	if (t == V128)
		x64_movdqu_xm(f->a, r, m);
	else if (in_xmm(t))
		x64_movq_xm(f->a, r, m);
	else
		x64_mov_rm(f->a, 1, r, m);
}

/* entry k into a register it owns; returns the register */
int fc_to_reg(struct fc *f, uint32_t k)
{
	struct vloc *v = &f->vs[k];
	int r;

	if (v->kind == V_REG)
		return v->reg;
	r = fc_alloc_reg(f, f->vals[k]);
	fc_load_val(f, v, f->vals[k], k, r);
	*v = (struct vloc){ .kind = V_REG, .reg = (int8_t)r };
	return r;
}



/* the 64 bits of entry k (any type; f32 zero-extended) into general
 * register r (a scratch one: rax/rcx/rdx) */
void fc_to_scratch(struct fc *f, uint32_t k, int r)
{
	const struct vloc *v = &f->vs[k];
	int src = src_reg(f, k);

	if (src >= 0 && in_xmm(f->vals[k]))
		x64_movq_rx(f->a, f->vals[k] == F64, r, src);
	else if (src >= 0)
		x64_mov_rr(f->a, 1, r, src);
	else
		fc_load_val(f, v, in_xmm(f->vals[k]) ? I64 : f->vals[k], k, r);
}

/* ---- debug builds: invariants of the value stack and registers ----------------------- */

/*
 * With -DJIT_DEBUG (make JIT_DEBUG=1) the compiler checks its own state
 * after every opcode and, stricter, at every block boundary (block, loop
 * and if entries, else, end), where the whole stack must be in the fixed
 * slot layout.  A violation is a compiler bug: the function fails to
 * compile with "JIT invariant violated" (so every test notices) and the
 * details go to plat_log.  Without JIT_DEBUG the checks compile to nothing.
 */
#ifdef JIT_DEBUG
static bool invariant_failed(struct fc *f, const char *what, uint32_t k)
{
	plat_log("jit: invariant violated: %s (entry %u of %u) in function %u at wasm "
		 "offset 0x%x, opcode %s\n", what, k, f->nvals, f->func_index, f->op_off,
		 wasm_opinfo[f->op].name ? wasm_opinfo[f->op].name : "?");
	return fc_fail(f, "JIT invariant violated");
}

static bool is_alloc_gpr(int r)
{
	for (size_t i = 0; i < sizeof alloc_gprs; i++)
		if (alloc_gprs[i] == r)
			return true;
	return false;
}

/* registers held by V_REG entries: each one once, of the entry's class,
 * from the allocatable sets, and exactly gpr_used / xmm_used */
static bool check_regs(struct fc *f)
{
	uint16_t gpr = 0, xmm = 0;

	for (uint32_t k = 0; k < f->nvals; k++) {
		const struct vloc *v = &f->vs[k];

		if (v->kind == V_FLAGS && (k != f->nvals - 1 || f->vals[k] != I32))
			return invariant_failed(f, "flags below the top, or not i32", k);
		if (v->kind == V_LOCAL && v->local >= f->nlocals)
			return invariant_failed(f, "V_LOCAL of no local", k);
		if (v->kind != V_REG)
			continue;
		if (in_xmm(f->vals[k])) {
			if (v->reg < FIRST_XMM || v->reg >= NXMM || (xmm & (1u << v->reg)))
				return invariant_failed(f, "bad or shared xmm register", k);
			xmm |= (uint16_t)(1u << v->reg);
		} else {
			if (!is_alloc_gpr(v->reg) || (gpr & (1u << v->reg)))
				return invariant_failed(f, "bad or shared general register", k);
			gpr |= (uint16_t)(1u << v->reg);
		}
	}
	if (gpr != f->gpr_used || xmm != f->xmm_used)
		return invariant_failed(f, "register masks disagree with the stack", f->nvals);
	return true;
}

/* pinned locals: distinct registers of their class, none allocatable */
static bool check_pins(struct fc *f)
{
	uint32_t seen = 0, n = 0;

	for (uint32_t i = 0; f->npinned && i < f->nlocals; i++) {
		int r = f->pin[i];
		uint32_t bit;

		if (r < 0)
			continue;
		if (n >= f->npinned || f->pinned[n++] != i)
			return invariant_failed(f, "pinned[] disagrees with pin[]", i);
		bit = 1u << ((is_float(f->ltypes[i]) ? 16 : 0) + r);
		if ((seen & bit) || (is_float(f->ltypes[i]) ? r < PIN_XMM_FIRST : is_alloc_gpr(r)))
			return invariant_failed(f, "bad or shared pinned register", i);
		seen |= bit;
	}
	if (n != f->npinned)
		return invariant_failed(f, "pinned[] disagrees with pin[]", n);
	return true;
}

/* flushed: a block boundary, every entry in its slot */
bool fc_check_state(struct fc *f, bool flushed)
{
	uint32_t h = 0;

	if (f->err)
		return false;
	if (f->nvals > f->capvals || f->nvals > f->maxvals)
		return invariant_failed(f, "stack beyond its bounds", f->nvals);
	for (uint32_t i = 0; i < f->nctls; i++) {
		if (f->ctls[i].height < h || f->ctls[i].height > f->nvals)
			return invariant_failed(f, "control frame heights out of order", i);
		h = f->ctls[i].height;
	}
	if (!check_regs(f) || !check_pins(f))
		return false;
	if (!flushed)
		return true;
	for (uint32_t k = 0; k < f->nvals; k++)
		if (f->vs[k].kind != V_STK)
			return invariant_failed(f, "value not in its slot at a block boundary", k);
	return true;
}
#endif

/* local.set, local.tee */
bool fc_op_local(struct fc *f, uint8_t op)
{
	uint32_t i, k;

	if (!rd_u32(f, &i))
		return false;
	if (i >= f->nlocals)
		return fc_fail(f, "unknown local");
	uint8_t t = f->ltypes[i];
	if (!top_is_ab(f, t, 0)) {      /* a type error, or dead code: no code */
		if (!fc_pop(f, t, NULL, NULL))
			return false;
		return op == OP_LOCAL_TEE ? push(f, t, NULL) : true;
	}
	k = f->nvals - 1;
	/* entries that still read local i get its old value first */
	for (uint32_t j = 0; j < k; j++)
		if (f->vs[j].kind == V_LOCAL && f->vs[j].local == i)
			fc_spill(f, j);
	struct vloc *v = &f->vs[k];
	if (local_reg(f, i) >= 0)
		fc_pin_written(f, i);   /* its home is stale now (pins.c) */
	if (v->kind == V_LOCAL && v->local == i)
		;       /* local.set x (local.get x), or x computed in place */
	else if (local_reg(f, i) >= 0)
		fc_load_val(f, v, t, k, local_reg(f, i));
	else
		fc_store_val(f, v, t, k, L(f, i));
	if (op == OP_LOCAL_SET)
		vdrop(f);
	else if (v->kind == V_STK)
		*v = (struct vloc){ .kind = V_LOCAL, .local = i };
	return true;
}

/* global.get/set; an imported mutable global's slot holds the address of
 * the exporter's cell (jit.h) */
bool fc_op_global(struct fc *f, uint8_t op)
{
	uint32_t i, k;

	if (!rd_u32(f, &i))
		return false;
	if (i >= f->m->nglobals)
		return fc_fail(f, "unknown global");
	const struct wasm_global *g = &f->m->globals[i];
	if (op == OP_GLOBAL_SET && !g->mutable_)
		return fc_fail(f, "global is immutable");
	if (op == OP_GLOBAL_GET || top_is_ab(f, g->type, 0)) {
		/* on value locations: rdx = the cell's base */
		x64_mov_rm(f->a, 1, RDX, x64_mem(R14, CTX_GLOBALS));
		struct x64_mem c = x64_mem(RDX, 8 * (int32_t)i);
		if (g->type == V128 && !f->wide)
			return fc_fail(f, "SIMD: a v128 global the look-ahead missed (compiler bug)");
		if ((g->imported && g->mutable_) || g->type == V128) {
			x64_mov_rm(f->a, 1, RDX, c);
			c = x64_mem(RDX, 0);
		}
		if (op == OP_GLOBAL_SET) {
			k = f->nvals - 1;
			fc_store_val(f, &f->vs[k], g->type, k, c);
			vdrop(f);
			return true;
		}
		if (!push(f, g->type, &k))
			return false;
		int r = fc_alloc_reg(f, g->type);
		f->vs[k] = (struct vloc){ .kind = V_REG, .reg = (int8_t)r };
		if (g->type == V128)
			x64_movdqu_xm(f->a, r, c);
		else if (in_xmm(g->type))
			x64_movq_xm(f->a, r, c);
		else
			x64_mov_rm(f->a, 1, r, c);
		return true;
	}
	return fc_pop(f, g->type, NULL, NULL);  /* a type error, or dead code */
}
