/*
 * numeric.c — the numeric instructions (Core spec 2.0 §3.3.1, §4.3
 * numerics): integer and float arithmetic, comparisons (their flags feed
 * br_if/if/select/eqz), conversions and truncations (trapping and
 * saturating), constants, select.  The common ones work on value
 * locations (registers, immediates, memory operands: the fast_* forms);
 * the rest flush the stack and work slot by slot (the emit_* forms).
 */
#include <string.h>
#include "fc.h"

/* ---- numeric: integers ------------------------------------------------------------- */

/* an integer operand: register, simm32, or memory */
struct opnd {
	uint8_t kind;           /* V_REG, V_IMM, V_STK (memory m) */
	int8_t reg;
	int32_t imm;
	struct x64_mem m;
};

static struct opnd int_opnd(struct fc *f, uint32_t k, int w)
{
	struct vloc *v = &f->vs[k];
	struct opnd o = { .kind = V_REG };

	switch (v->kind) {
	case V_IMM:
		if (!w || (int64_t)v->imm == (int32_t)v->imm) {
			o.kind = V_IMM;
			o.imm = (int32_t)v->imm;
			return o;
		}
		break;
	case V_LOCAL:
		if (local_reg(f, v->local) >= 0) {
			o.reg = (int8_t)local_reg(f, v->local);
			return o;
		}
		o.kind = V_STK;
		o.m = L(f, v->local);
		return o;
	case V_STK:
		o.kind = V_STK;
		o.m = S(f, k);
		return o;
	}
	o.reg = (int8_t)fc_to_reg(f, k);
	return o;
}

static void alu_opnd(struct fc *f, enum x64_alu op, int w, int dst, const struct opnd *o)
{
	if (o->kind == V_REG)
		x64_alu_rr(f->a, op, w, dst, o->reg);
	else if (o->kind == V_IMM)
		x64_alu_ri(f->a, op, w, dst, o->imm);
	else
		x64_alu_rm(f->a, op, w, dst, o->m);
}

static const uint8_t icmp_cc[10] = {
	X64_CC_E, X64_CC_NE, X64_CC_L, X64_CC_B, X64_CC_G, X64_CC_A,
	X64_CC_LE, X64_CC_BE, X64_CC_GE, X64_CC_AE,
};

/* rax = rax / rcx (kind: 0 div_s, 1 div_u, 2 rem_s, 3 rem_u), with the
 * traps; clobbers rdx */
static bool idiv_core(struct fc *f, int w, int kind)
{
	x64_test_rr(f->a, w, RCX, RCX);
	if (!fc_trap_if(f, X64_CC_E, WASM_TRAP_DIV_BY_ZERO))
		return false;
	if (kind == 1 || kind == 3) {
		x64_alu_rr(f->a, X64_XOR, 0, RDX, RDX);
		x64_grp3_r(f->a, X64_DIV, w, RCX);
	} else {
		size_t normal, done = 0;
		x64_alu_ri(f->a, X64_CMP, w, RCX, -1);
		normal = fwd_jcc(f, X64_CC_NE);
		if (kind == 0) {
			/* INT_MIN / -1 overflows */
			x64_mov_ri(f->a, RDX, w ? 0x8000000000000000ull : 0x80000000u);
			x64_alu_rr(f->a, X64_CMP, w, RAX, RDX);
			if (!fc_trap_if(f, X64_CC_E, WASM_TRAP_INT_OVERFLOW))
				return false;
		} else {
			/* x rem -1 = 0 (idiv would fault on INT_MIN) */
			x64_alu_rr(f->a, X64_XOR, 0, RDX, RDX);
			done = fwd_jmp(f);
		}
		here(f, normal);
		if (w)
			x64_cqo(f->a);
		else
			x64_cdq(f->a);
		x64_grp3_r(f->a, X64_IDIV, w, RCX);
		if (kind == 2)
			here(f, done);
	}
	if (kind >= 2)
		x64_mov_rr(f->a, w, RAX, RDX);
	if (!w)
		x64_mov_rr(f->a, 0, RAX, RAX);
	return true;
}

static void emit_iunary(struct fc *f, int w, int op, uint32_t k)
{
	ld(f, RAX, k);
	switch (op) {
	case 0: /* clz: lzcnt, else 31 - bsr, or 32 for 0 (63 ^ 31) */
		if (f->jc->lzcnt) {
			x64_lzcnt(f->a, w, RAX, RAX);
			break;
		}
		x64_mov_ri(f->a, RDX, w ? 127 : 63);
		x64_bsr(f->a, w, RAX, RAX);
		x64_cmov(f->a, X64_CC_E, w, RAX, RDX);
		x64_alu_ri(f->a, X64_XOR, w, RAX, w ? 63 : 31);
		break;
	case 1: /* ctz: tzcnt, else bsf, or 32|64 for 0 */
		if (f->jc->tzcnt) {
			x64_tzcnt(f->a, w, RAX, RAX);
			break;
		}
		x64_mov_ri(f->a, RDX, w ? 64 : 32);
		x64_bsf(f->a, w, RAX, RAX);
		x64_cmov(f->a, X64_CC_E, w, RAX, RDX);
		break;
	case 2:
		if (f->jc->popcnt) {
			x64_popcnt(f->a, w, RAX, RAX);
		} else {
			x64_mov_rr(f->a, 1, RDI, RAX);
			x64_mov_rm(f->a, 1, RAX, x64_mem(R14, CTX_RT));
			x64_call_m(f->a, x64_mem(RAX, offsetof(struct jit_rt, popcnt)));
		}
		break;
	}
	st(f, k, RAX);
}

/* ---- numeric: floats ------------------------------------------------------------------ */

static void emit_fround(struct fc *f, int dbl, int mode, uint32_t k)
{
	ldx(f, dbl, 0, k);
	if (f->jc->sse41) {
		x64_round(f->a, dbl, 0, 0, (uint8_t)(8 | mode));
	} else {
		x64_mov_ri(f->a, RDI, (uint64_t)mode);
		x64_mov_rm(f->a, 1, RAX, x64_mem(R14, CTX_RT));
		x64_call_m(f->a, x64_mem(RAX, dbl ? offsetof(struct jit_rt, round64)
						  : offsetof(struct jit_rt, round32)));
	}
	stx(f, dbl, k);
}

static void emit_funary(struct fc *f, int dbl, int op, uint32_t k)
{
	static const int8_t rmode[] = { -1, -1, 2, 1, 3, 0 };

	switch (op) {
	case 0: /* abs */
		ld(f, RAX, k);
		if (dbl) {
			x64_shift_ri(f->a, X64_SHL, 1, RAX, 1);
			x64_shift_ri(f->a, X64_SHR, 1, RAX, 1);
		} else {
			x64_alu_ri(f->a, X64_AND, 0, RAX, 0x7fffffff);
		}
		st(f, k, RAX);
		return;
	case 1: /* neg */
		ld(f, RAX, k);
		x64_btc_ri(f->a, dbl, RAX, dbl ? 63 : 31);
		st(f, k, RAX);
		return;
	case 6: /* sqrt */
		ldx(f, dbl, 0, k);
		x64_sse_rr(f->a, X64_SSE_SQRT, dbl, 0, 0);
		stx(f, dbl, k);
		return;
	default:
		emit_fround(f, dbl, rmode[op], k);
	}
}

/* min/max per spec: NaN if either is NaN, -0 < +0 */
static void emit_fminmax(struct fc *f, int dbl, bool is_max, uint32_t ka)
{
	size_t nan, ne, done1, done2;

	x64_ucomis(f->a, dbl, 0, 1);
	nan = fwd_jcc(f, X64_CC_P);
	ne = fwd_jcc(f, X64_CC_NE);
	/* equal: only ±0 differ; max = and the signs, min = or them */
	if (is_max)
		x64_andp(f->a, dbl, 0, 1);
	else
		x64_orp(f->a, dbl, 0, 1);
	done1 = fwd_jmp(f);
	here(f, ne);
	x64_sse_rr(f->a, is_max ? X64_SSE_MAX : X64_SSE_MIN, dbl, 0, 1);
	done2 = fwd_jmp(f);
	here(f, nan);
	x64_sse_rr(f->a, X64_SSE_ADD, dbl, 0, 1);   /* a quiet NaN */
	here(f, done1);
	here(f, done2);
	stx(f, dbl, ka);
}

/* min (4), max (5), copysign (6): add..div have only the fast form */
static void emit_fbin(struct fc *f, int dbl, int op, uint32_t ka, uint32_t kb)
{
	if (op == 6) { /* copysign by bits */
		ld(f, RAX, ka);
		ld(f, RCX, kb);
		if (dbl) {
			x64_mov_ri(f->a, RDX, 0x7fffffffffffffffull);
			x64_alu_rr(f->a, X64_AND, 1, RAX, RDX);
			x64_grp3_r(f->a, X64_NOT, 1, RDX);
			x64_alu_rr(f->a, X64_AND, 1, RCX, RDX);
			x64_alu_rr(f->a, X64_OR, 1, RAX, RCX);
		} else {
			x64_alu_ri(f->a, X64_AND, 0, RAX, 0x7fffffff);
			x64_alu_ri(f->a, X64_AND, 0, RCX, (int32_t)0x80000000);
			x64_alu_rr(f->a, X64_OR, 0, RAX, RCX);
		}
		st(f, ka, RAX);
		return;
	}
	ldx(f, dbl, 0, ka);
	ldx(f, dbl, 1, kb);
	emit_fminmax(f, dbl, op == 5, ka);
}

/* eq (0), ne (1): lt..ge have only the fast form (fast_fcmp) */
static void emit_fcmp(struct fc *f, int dbl, int op, uint32_t ka, uint32_t kb)
{
	ldx(f, dbl, 0, ka);
	ldx(f, dbl, 1, kb);
	/* eq: ZF && !PF; ne: !ZF || PF */
	x64_ucomis(f->a, dbl, 0, 1);
	x64_setcc(f->a, op ? X64_CC_NE : X64_CC_E, RAX);
	x64_setcc(f->a, op ? X64_CC_P : X64_CC_NP, RCX);
	x64_alu_rr(f->a, op ? X64_OR : X64_AND, 0, RAX, RCX);
	x64_movzx8_rr(f->a, RAX, RAX);
	st(f, ka, RAX);
}

/* ---- conversions ------------------------------------------------------------------------ */

static uint64_t fbits(int dbl, double v)
{
	if (dbl) {
		uint64_t b;
		memcpy(&b, &v, 8);
		return b;
	}
	float x = (float)v;
	uint32_t b;
	memcpy(&b, &x, 4);
	return b;
}

/*
 * float -> int truncation, trapping (sat = false) or saturating.
 * In range iff lo < x (or lo <= x when lo itself is representable and
 * valid) and x < hi; NaN is invalid / 0.
 */
static bool emit_trunc(struct fc *f, int dbl, int w, bool is_unsigned, bool sat, uint32_t k)
{
	double lo, hi;
	bool lo_incl;

	if (is_unsigned) {
		lo = -1.0, lo_incl = false;
		hi = w ? 18446744073709551616.0 : 4294967296.0;
	} else if (w) {
		lo = -9223372036854775808.0, lo_incl = true;
		hi = 9223372036854775808.0;
	} else {
		hi = 2147483648.0;
		if (dbl)
			lo = -2147483649.0, lo_incl = false;
		else
			lo = -2147483648.0, lo_incl = true;
	}
	size_t jnan = 0, jlo = 0, jhi = 0;
	ldx(f, dbl, 0, k);
	x64_ucomis(f->a, dbl, 0, 0);
	if (sat)
		jnan = fwd_jcc(f, X64_CC_P);
	else if (!fc_trap_if(f, X64_CC_P, WASM_TRAP_INVALID_CONVERSION))
		return false;
	ldx_const(f, dbl, 1, fbits(dbl, lo));
	x64_ucomis(f->a, dbl, 0, 1);
	if (sat)
		jlo = fwd_jcc(f, lo_incl ? X64_CC_B : X64_CC_BE);
	else if (!fc_trap_if(f, lo_incl ? X64_CC_B : X64_CC_BE, WASM_TRAP_INT_OVERFLOW))
		return false;
	ldx_const(f, dbl, 1, fbits(dbl, hi));
	x64_ucomis(f->a, dbl, 0, 1);
	if (sat)
		jhi = fwd_jcc(f, X64_CC_AE);
	else if (!fc_trap_if(f, X64_CC_AE, WASM_TRAP_INT_OVERFLOW))
		return false;

	if (!w) {
		x64_cvtt2si(f->a, dbl, is_unsigned, RAX, 0);
		x64_mov_rr(f->a, 0, RAX, RAX);
	} else if (!is_unsigned) {
		x64_cvtt2si(f->a, dbl, 1, RAX, 0);
	} else {
		ldx_const(f, dbl, 1, fbits(dbl, 9223372036854775808.0));
		x64_ucomis(f->a, dbl, 0, 1);
		size_t big = fwd_jcc(f, X64_CC_AE);
		x64_cvtt2si(f->a, dbl, 1, RAX, 0);
		size_t done = fwd_jmp(f);
		here(f, big);
		x64_sse_rr(f->a, X64_SSE_SUB, dbl, 0, 1);
		x64_cvtt2si(f->a, dbl, 1, RAX, 0);
		x64_btc_ri(f->a, 1, RAX, 63);
		here(f, done);
	}
	if (sat) {
		size_t done = fwd_jmp(f), d2, d3;
		uint64_t min = is_unsigned ? 0 : w ? 0x8000000000000000ull : 0x80000000u;
		uint64_t max = is_unsigned ? (w ? ~0ull : 0xffffffffu)
					   : (w ? 0x7fffffffffffffffull : 0x7fffffffu);
		here(f, jnan);
		x64_alu_rr(f->a, X64_XOR, 0, RAX, RAX);
		d2 = fwd_jmp(f);
		here(f, jlo);
		x64_mov_ri(f->a, RAX, min);
		d3 = fwd_jmp(f);
		here(f, jhi);
		x64_mov_ri(f->a, RAX, max);
		here(f, done);
		here(f, d2);
		here(f, d3);
	}
	st(f, k, RAX);
	return true;
}

/* 0xfc 0..7: i32/i64.trunc_sat_f32/f64_s/u (types from the 0xfc table) */
bool fc_op_trunc_sat(struct fc *f, uint32_t sub)
{
	const uint8_t *sig = wasm_fc_opinfo[sub].sig;
	uint32_t k;

	if (!fc_pop(f, sig[0], &k, NULL) || !push(f, sig[1], NULL))
		return false;
	return emit_trunc(f, sig[0] == F64, sig[1] == I64, sub & 1, true, k);
}

/* int -> float */
static void emit_convert(struct fc *f, int dbl, int w, bool is_unsigned, uint32_t k)
{
	ld(f, RAX, k);
	x64_xorps(f->a, 0, 0);
	if (!(w && is_unsigned)) {
		/* i32 (zero-extended in the slot) converts exactly as an i64 */
		x64_cvtsi2(f->a, dbl, w || is_unsigned, 0, RAX);
	} else {
		x64_test_rr(f->a, 1, RAX, RAX);
		size_t big = fwd_jcc(f, X64_CC_S);
		x64_cvtsi2(f->a, dbl, 1, 0, RAX);
		size_t done = fwd_jmp(f);
		here(f, big);
		/* halve with the low bit kept sticky, convert, double */
		x64_mov_rr(f->a, 1, RCX, RAX);
		x64_shift_ri(f->a, X64_SHR, 1, RCX, 1);
		x64_alu_ri(f->a, X64_AND, 0, RAX, 1);
		x64_alu_rr(f->a, X64_OR, 1, RCX, RAX);
		x64_cvtsi2(f->a, dbl, 1, 0, RCX);
		x64_sse_rr(f->a, X64_SSE_ADD, dbl, 0, 0);
		here(f, done);
	}
	stx(f, dbl, k);
}

static bool emit_conv(struct fc *f, uint8_t op, uint32_t k)
{
	switch (op) {
	case OP_I32_TRUNC_F32_S: return emit_trunc(f, 0, 0, false, false, k);
	case OP_I32_TRUNC_F32_U: return emit_trunc(f, 0, 0, true, false, k);
	case OP_I32_TRUNC_F64_S: return emit_trunc(f, 1, 0, false, false, k);
	case OP_I32_TRUNC_F64_U: return emit_trunc(f, 1, 0, true, false, k);
	case OP_I64_EXTEND32_S:
		ld(f, RAX, k);
		x64_movsxd_rr(f->a, RAX, RAX);
		st(f, k, RAX);
		return true;
	case OP_I64_TRUNC_F32_S: return emit_trunc(f, 0, 1, false, false, k);
	case OP_I64_TRUNC_F32_U: return emit_trunc(f, 0, 1, true, false, k);
	case OP_I64_TRUNC_F64_S: return emit_trunc(f, 1, 1, false, false, k);
	case OP_I64_TRUNC_F64_U: return emit_trunc(f, 1, 1, true, false, k);
	case OP_F32_CONVERT_I32_S: emit_convert(f, 0, 0, false, k); return true;
	case OP_F32_CONVERT_I32_U: emit_convert(f, 0, 0, true, k); return true;
	case OP_F32_CONVERT_I64_S: emit_convert(f, 0, 1, false, k); return true;
	case OP_F32_CONVERT_I64_U: emit_convert(f, 0, 1, true, k); return true;
	case OP_F32_DEMOTE_F64:
		ldx(f, 1, 0, k);
		x64_sse_rr(f->a, X64_SSE_CVT, 1, 0, 0);
		stx(f, 0, k);
		return true;
	case OP_F64_CONVERT_I32_S: emit_convert(f, 1, 0, false, k); return true;
	case OP_F64_CONVERT_I32_U: emit_convert(f, 1, 0, true, k); return true;
	case OP_F64_CONVERT_I64_S: emit_convert(f, 1, 1, false, k); return true;
	case OP_F64_CONVERT_I64_U: emit_convert(f, 1, 1, true, k); return true;
	case OP_F64_PROMOTE_F32:
		ldx(f, 0, 0, k);
		x64_sse_rr(f->a, X64_SSE_CVT, 0, 0, 0);
		stx(f, 1, k);
		return true;
	case OP_I32_REINTERPRET_F32: case OP_I64_REINTERPRET_F64: case OP_F32_REINTERPRET_I32: case OP_F64_REINTERPRET_I64: /* reinterpret: same bits */
		return true;
	case OP_I32_EXTEND8_S: case OP_I64_EXTEND8_S:
		ld(f, RAX, k);
		x64_movsx8_rr(f->a, op == OP_I64_EXTEND8_S, RAX, RAX);
		if (op == OP_I32_EXTEND8_S)
			x64_mov_rr(f->a, 0, RAX, RAX);
		st(f, k, RAX);
		return true;
	case OP_I32_EXTEND16_S: case OP_I64_EXTEND16_S:
		ld(f, RAX, k);
		x64_movsx16_rr(f->a, op == OP_I64_EXTEND16_S, RAX, RAX);
		st(f, k, RAX);
		return true;
	}
	return fc_fail(f, "illegal opcode");
}

/* ---- numeric opcodes on value locations ------------------------------------------------ */

/* the condition with the operands swapped (a < b  <=>  b > a) */
static enum x64_cc swap_cc(enum x64_cc cc)
{
	switch (cc) {
	case X64_CC_L: return X64_CC_G;
	case X64_CC_G: return X64_CC_L;
	case X64_CC_LE: return X64_CC_GE;
	case X64_CC_GE: return X64_CC_LE;
	case X64_CC_B: return X64_CC_A;
	case X64_CC_A: return X64_CC_B;
	case X64_CC_BE: return X64_CC_AE;
	case X64_CC_AE: return X64_CC_BE;
	default: return cc;
	}
}

/* swap the locations of the top two entries (not a V_STK one: that
 * names its own slot); false if it cannot */
static bool swap_top2(struct fc *f)
{
	struct vloc t = f->vs[f->nvals - 2];

	if (t.kind == V_STK || f->vs[f->nvals - 1].kind == V_STK)
		return false;
	f->vs[f->nvals - 2] = f->vs[f->nvals - 1];
	f->vs[f->nvals - 1] = t;
	return true;
}

/* the top two entries (a, b) become one V_FLAGS i32 with condition cc */
static void set_flags_result(struct fc *f, enum x64_cc cc, uint32_t n)
{
	while (n-- > 1)
		vdrop(f);
	uint32_t k = f->nvals - 1;
	free_vloc(f, &f->vs[k], f->vals[k]);
	f->vs[k] = (struct vloc){ .kind = V_FLAGS, .cc = (uint8_t)cc };
	f->vals[k] = I32;
}

static void fast_eqz(struct fc *f, int w)
{
	uint32_t k = f->nvals - 1;
	struct vloc *v = &f->vs[k];

	if (v->kind == V_FLAGS) {       /* eqz of a comparison: its negation */
		v->cc ^= 1;
		return;
	}
	struct opnd o = int_opnd(f, k, w);
	if (o.kind == V_REG) {
		x64_test_rr(f->a, w, o.reg, o.reg);
	} else if (o.kind == V_STK) {
		x64_alu_mi(f->a, X64_CMP, w, o.m, 0);
	} else {
		x64_mov_ri(f->a, RAX, v->imm);
		x64_test_rr(f->a, w, RAX, RAX);
	}
	set_flags_result(f, X64_CC_E, 1);
}

static void fast_icmp(struct fc *f, int w, enum x64_cc cc)
{
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	struct vloc *a = &f->vs[ka], *b = &f->vs[kb];

	if (a->kind != V_REG && b->kind == V_REG && swap_top2(f))
		cc = swap_cc(cc);
	if (is_mem(f, a) && b->kind == V_IMM && (!w || (int64_t)b->imm == (int32_t)b->imm)) {
		x64_alu_mi(f->a, X64_CMP, w, a->kind == V_LOCAL ? L(f, a->local) : S(f, ka),
			   (int32_t)b->imm);
	} else {
		int ra = src_reg(f, ka) >= 0 ? src_reg(f, ka) : fc_to_reg(f, ka);
		struct opnd o = int_opnd(f, kb, w);
		alu_opnd(f, X64_CMP, w, ra, &o);
	}
	set_flags_result(f, cc, 2);
}

/* `local.get x ... op local.set/tee x` with x pinned: the op can work
 * on x's register in place.  Entry k is that local.get and the next
 * opcode sets x: returns x's register, after giving every other entry
 * that reads x the old value; else -1. */
static int in_place(struct fc *f, uint32_t k)
{
	const uint8_t *p = f->r.p, *end = f->r.end;
	const struct vloc *v = &f->vs[k];
	uint32_t x;

	if (v->kind != V_LOCAL || local_reg(f, v->local) < 0)
		return -1;
	/* a peek at the next opcode (the compiling pass reads it for real) */
	if (p >= end || (*p != OP_LOCAL_SET && *p != OP_LOCAL_TEE) || !scan_u32(p + 1, end, &x) ||
	    x != v->local)
		return -1;
	for (uint32_t j = 0; j < k; j++)
		if (f->vs[j].kind == V_LOCAL && f->vs[j].local == x)
			fc_spill(f, j);
	return local_reg(f, x);
}

/* add sub mul and or xor shl shr_s shr_u rotl rotr (emit_ibin numbering) */
static bool fast_ibin(struct fc *f, int w, int op)
{
	static const uint8_t alu[] = { X64_ADD, X64_SUB, 0, 0, 0, 0, 0, X64_AND, X64_OR, X64_XOR };
	static const uint8_t sh[] = { X64_SHL, X64_SAR, X64_SHR, X64_ROL, X64_ROR };
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;

	if (op >= 3 && op <= 6) {       /* through rax, rcx, rdx */
		fc_to_scratch(f, kb, RCX);
		fc_to_scratch(f, ka, RAX);
		idiv_core(f, w, op - 3);
		vdrop(f);
		free_vloc(f, &f->vs[ka], f->vals[ka]);
		int r = fc_alloc_reg(f, f->vals[ka]);
		f->vs[ka] = (struct vloc){ .kind = V_REG, .reg = (int8_t)r };
		x64_mov_rr(f->a, 1, r, RAX);
		return !f->err;
	}
	bool commutes = op == 0 || op == 2 || op == 7 || op == 8 || op == 9;
	int ra = in_place(f, ka);
	if (ra < 0 && commutes && in_place(f, kb) >= 0 && swap_top2(f))
		ra = in_place(f, ka);
	if (ra < 0 && commutes && f->vs[ka].kind != V_REG && f->vs[kb].kind == V_REG)
		swap_top2(f);
	if (ra < 0)
		ra = fc_to_reg(f, ka);
	struct vloc *b = &f->vs[kb];
	if (op >= 10) {
		if (b->kind == V_IMM) {
			x64_shift_ri(f->a, sh[op - 10], w, ra, (uint8_t)(b->imm & (w ? 63 : 31)));
		} else {
			fc_to_scratch(f, kb, RCX);
			x64_shift_cl(f->a, sh[op - 10], w, ra);
		}
	} else if (op == 2) {
		if (b->kind == V_REG) {
			x64_imul_rr(f->a, w, ra, b->reg);
		} else {
			fc_to_scratch(f, kb, RCX);
			x64_imul_rr(f->a, w, ra, RCX);
		}
	} else {
		struct opnd o = int_opnd(f, kb, w);
		alu_opnd(f, alu[op], w, ra, &o);
	}
	vdrop(f);
	return true;
}

/* xmm1 or the register of float entry k */
static int xmm_opnd(struct fc *f, uint32_t k)
{
	struct vloc *v = &f->vs[k];

	if (src_reg(f, k) >= 0)
		return src_reg(f, k);
	fc_load_val(f, v, f->vals[k], k, 1);
	return 1;
}

static void fast_fbin(struct fc *f, int dbl, int op)
{
	static const uint8_t sse[] = { X64_SSE_ADD, X64_SSE_SUB, X64_SSE_MUL, X64_SSE_DIV };
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;

	bool commutes = op == 0 || op == 2;
	int ra = in_place(f, ka);
	if (ra < 0 && commutes && in_place(f, kb) >= 0 && swap_top2(f))
		ra = in_place(f, ka);
	if (ra < 0 && commutes && f->vs[ka].kind != V_REG && f->vs[kb].kind == V_REG)
		swap_top2(f);
	if (ra < 0)
		ra = fc_to_reg(f, ka);
	int rb = xmm_opnd(f, kb);
	x64_sse_rr(f->a, sse[op], dbl, ra, rb);
	vdrop(f);
}

/* lt gt le ge (emit_fcmp numbering 2..5): unordered is false */
static void fast_fcmp(struct fc *f, int dbl, int op)
{
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	int ra = src_reg(f, ka) >= 0 ? src_reg(f, ka) : fc_to_reg(f, ka);
	int rb = xmm_opnd(f, kb);

	if (op == 2 || op == 4)
		x64_ucomis(f->a, dbl, rb, ra);
	else
		x64_ucomis(f->a, dbl, ra, rb);
	set_flags_result(f, op <= 3 ? X64_CC_A : X64_CC_AE, 2);
}

/* The operands are there with their types (top_is_ab).  1: compiled on
 * value locations; 0: no such form (nothing emitted): slot by slot. */
static int fast_numeric(struct fc *f, uint8_t op)
{
	if (op == OP_I32_EQZ || op == OP_I64_EQZ) {
		fast_eqz(f, op == OP_I64_EQZ);
	} else if (op <= OP_I64_GE_U) {
		int w = op >= OP_I64_EQ;
		fast_icmp(f, w, (enum x64_cc)icmp_cc[op - (w ? OP_I64_EQ : OP_I32_EQ)]);
	} else if ((op >= OP_F32_LT && op <= OP_F32_GE) || (op >= OP_F64_LT && op <= OP_F64_GE)) {
		int dbl = op >= OP_F64_EQ;
		fast_fcmp(f, dbl, op - (dbl ? OP_F64_EQ : OP_F32_EQ));
	} else if (op >= OP_I32_ADD && op <= OP_I32_ROTR) {
		return fast_ibin(f, 0, op - OP_I32_ADD);
	} else if (op >= OP_I64_ADD && op <= OP_I64_ROTR) {
		return fast_ibin(f, 1, op - OP_I64_ADD);
	} else if ((op >= OP_F32_ADD && op <= OP_F32_DIV) || (op >= OP_F64_ADD && op <= OP_F64_DIV)) {
		int dbl = op >= OP_F64_ADD;
		fast_fbin(f, dbl, op - (dbl ? OP_F64_ADD : OP_F32_ADD));
	} else if (op == OP_I32_WRAP_I64) {
		int r = fc_to_reg(f, f->nvals - 1);
		x64_mov_rr(f->a, 0, r, r);
		f->vals[f->nvals - 1] = I32;
	} else if (op == OP_I64_EXTEND_I32_S) {
		int r = fc_to_reg(f, f->nvals - 1);
		x64_movsxd_rr(f->a, r, r);
		f->vals[f->nvals - 1] = I64;
	} else if (op == OP_I64_EXTEND_I32_U) {     /* already zero-extended */
		f->vals[f->nvals - 1] = I64;
	} else {
		return 0;
	}
	return 1;
}

/* OP_I32_EQZ .. OP_I64_EXTEND32_S */
bool fc_op_numeric(struct fc *f, uint8_t op)
{
	const uint8_t *sig = wasm_opinfo[op].sig;
	uint32_t ka, kb = 0;

	if (!top_is_ab(f, sig[0], sig[1])) {
		/* a type error, or dead code (which emits nothing) */
		if (sig[1] && !fc_pop(f, sig[1], NULL, NULL))
			return false;
		return fc_pop(f, sig[0], NULL, NULL) && push(f, sig[2], NULL);
	}
	if (fast_numeric(f, op))
		return true;
	if (f->err)             /* the fast form failed (out of memory) */
		return false;
	/* the rest slot by slot: everything to its slot, the result to a's */
	fc_flush_all(f);
	if (sig[1] && !fc_pop(f, sig[1], &kb, NULL))
		return false;
	if (!fc_pop(f, sig[0], &ka, NULL) || !push(f, sig[2], NULL))
		return false;
	if (op <= OP_F64_GE) {                  /* f32/f64.eq/ne */
		int dbl = op >= OP_F64_EQ;
		emit_fcmp(f, dbl, op - (dbl ? OP_F64_EQ : OP_F32_EQ), ka, kb);
	} else if (op <= OP_I32_POPCNT) {
		emit_iunary(f, 0, op - OP_I32_CLZ, ka);
	} else if (op <= OP_I64_POPCNT) {
		emit_iunary(f, 1, op - OP_I64_CLZ, ka);
	} else if (op <= OP_F32_SQRT) {
		emit_funary(f, 0, op - OP_F32_ABS, ka);
	} else if (op <= OP_F32_COPYSIGN) {
		emit_fbin(f, 0, op - OP_F32_ADD, ka, kb);
	} else if (op <= OP_F64_SQRT) {
		emit_funary(f, 1, op - OP_F64_ABS, ka);
	} else if (op <= OP_F64_COPYSIGN) {
		emit_fbin(f, 1, op - OP_F64_ADD, ka, kb);
	} else {
		return emit_conv(f, op, ka);
	}
	return true;
}

/* ---- select -------------------------------------------------------------------------- */

/* select on value locations: cmov, or a jump over one movaps for
 * floats; the condition's flags (a comparison's) feed it directly.
 * false (nothing emitted) unless the operands are there with their types:
 * (want or) two equal numeric ones, and the i32 condition. */
static bool fast_select(struct fc *f, uint8_t want)
{
	uint32_t kc = f->nvals - 1, kb = f->nvals - 2, ka = f->nvals - 3;
	struct ctl *c = &f->ctls[f->nctls - 1];

	if (f->nvals - c->height < 3 || f->vals[kc] != I32)
		return false;
	uint8_t t = f->vals[ka];
	if (!t || t != f->vals[kb] || (want ? t != want : !is_num(t) && t != V128))
		return false;
	enum x64_cc cc = X64_CC_NE;
	struct vloc *v = &f->vs[kc];
	if (v->kind == V_FLAGS) {
		cc = (enum x64_cc)v->cc;
	} else {
		int rc = src_reg(f, kc);
		if (rc < 0) {
			fc_to_scratch(f, kc, RCX);
			rc = RCX;
		}
		x64_test_rr(f->a, 0, rc, rc);
	}
	vdrop(f);               /* the condition; what follows keeps EFLAGS */
	int ra = fc_to_reg(f, ka);
	if (in_xmm(t)) {
		int rb = xmm_opnd(f, kb);
		size_t skip = fwd_jcc(f, cc);
		x64_movaps_rr(f->a, ra, rb);
		here(f, skip);
	} else {
		int rb = src_reg(f, kb);
		if (rb < 0) {
			fc_to_scratch(f, kb, RCX);
			rb = RCX;
		}
		x64_cmov(f->a, (enum x64_cc)(cc ^ 1), 1, ra, rb);
	}
	vdrop(f);
	return true;
}

bool fc_op_select(struct fc *f, bool typed)
{
	uint8_t want = 0, ta, tb;

	if (typed) {
		uint32_t n;
		if (!rd_u32(f, &n))
			return false;
		if (n != 1)
			return fc_fail(f, "invalid result arity");
		if (!rd_u8(f, &want))
			return false;
		if (!is_valtype(want))
			return fc_fail(f, "malformed value type");
	}
	if (fast_select(f, want))
		return true;
	/* the operands are not there with their types: a type error, or
	   dead code (which emits nothing) */
	if (!fc_pop(f, I32, NULL, NULL) || !fc_pop(f, want, NULL, &tb) ||
	    !fc_pop(f, want, NULL, &ta))
		return false;
	if (!typed) {
		if ((ta && !is_num(ta) && ta != V128) || (tb && !is_num(tb) && tb != V128) ||
		    (ta && tb && ta != tb))
			return fc_fail(f, "type mismatch");
	}
	return push(f, typed ? want : ta ? ta : tb, NULL);
}
