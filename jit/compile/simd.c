/*
 * simd.c — fixed-width SIMD (Core spec 2.0 §3.3.3 "Vector Instructions",
 * binary format §5.4.8, the 0xfd table of opcodes.h) in the single-pass
 * compiler, on SSE4.1 (with SSE3/SSSE3, which cpu_detect requires with
 * it): v128 values live in xmm2-xmm7 on the value stack and in 16-byte
 * slots (a function with a v128 anywhere is "wide": fc.h's frame), xmm0
 * and xmm1 are the scratch registers.  A v128 is never a constant (V_IMM:
 * v128.const materialises), never flags, never a pinned local.
 *
 * The relaxed SIMD proposal's instructions (0x100..0x114) too, each with
 * one fixed result of those it allows (docs/simd.md).
 *
 * With AVX (JIT_CPU_AVX, jc->avx) the same instructions are VEX.128-
 * encoded (jit/x64/asm.h) where that saves something: every "dst = src1
 * op src2" goes through op3(), which is one three-operand vOP, or the SSE
 * two-operand OP after a movaps dst, src1; an operand in memory (a slot,
 * a local's home) is read by the vOP itself (a VEX memory operand need
 * not be aligned; the SSE code loads it with movdqu first).  With AVX2
 * the splats are vpbroadcast.  The SSE4.1 code is the fallback.
 *
 * Each instruction is validated from its table signature, then compiled
 * on value locations; the ones not compiled yet are refused by name,
 * "SIMD instruction i8x16.shuffle not supported yet", never miscompiled.
 */
#include <string.h>
#include "fc.h"

/* "SIMD instruction <name> not supported yet", per sub-opcode */
static const char *const unsupported[OPFD__COUNT] = {
#define X(sub, cname, name, imm, n, a, b, c, r) \
	[sub] = "SIMD instruction " name " not supported yet",
	WASM_FD_OPCODES(X)
#undef X
};

bool fc_type_has_v128(const struct wasm_functype *ft)
{
	for (uint32_t i = 0; i < ft->nparams; i++)
		if (ft->params[i] == V128)
			return true;
	for (uint32_t i = 0; i < ft->nresults; i++)
		if (ft->results[i] == V128)
			return true;
	return false;
}

/* The function being compiled (what = "function": it becomes wide) or a
 * callee's type ("call": call or call_indirect; the look-ahead made the
 * caller wide, pins.c): a v128 anywhere makes the function wide. */
bool fc_simd_types_ok(struct fc *f, const struct wasm_functype *ft, const char *what)
{
	if (!fc_type_has_v128(ft))
		return true;
	if (what[0] == 'c' && !f->wide)
		return fc_fail(f, "SIMD: a call the look-ahead missed (compiler bug)");
	f->wide = true;
	return true;
}

/* ---- encodings (66 0F xx unless said) ----------------------------------- */

#define P66(x)   X64_OP2(0x0f, x)
#define P38(x)   X64_OP3(0x0f, 0x38, x)
#define P3A(x)   X64_OP3(0x0f, 0x3a, x)

static void pop66(struct fc *f, uint32_t op, int dst, int src)
{
	x64_p_rr(f->a, 0x66, op, dst, src);
}

static void movaps(struct fc *f, int dst, int src)
{
	if (dst != src)
		x64_movaps_rr(f->a, dst, src);
}

/* all ones: pcmpeqd x, x */
static void ones(struct fc *f, int x)
{
	pop66(f, P66(0x76), x, x);
}

/* psrlw/d/q, psllw/d/q x, imm (66 0F 71|72|73 /2 or /6 ib) */
static void pshift_i(struct fc *f, uint8_t op, int digit, int x, uint8_t imm)
{
	x64_p_rri(f->a, 0x66, 0, P66(op), digit, x, imm);
}

/* ---- operands --------------------------------------------------------------- */

/* entry k's memory operand (its slot, or an unpinned local's home), if it
 * is in memory */
static bool vmem(struct fc *f, uint32_t k, struct x64_mem *m)
{
	const struct vloc *v = &f->vs[k];

	if (v->kind == V_STK)
		*m = S(f, k);
	else if (v->kind == V_LOCAL && local_reg(f, v->local) < 0)
		*m = L(f, v->local);
	else
		return false;
	return true;
}

/* entry k (a v128) readable in a register: its own, or a copy in
 * scratch (xmm0 or xmm1) */
static int vsrc(struct fc *f, uint32_t k, int scratch)
{
	if (f->vs[k].kind == V_REG)
		return f->vs[k].reg;
	fc_load_val(f, &f->vs[k], V128, k, scratch);
	return scratch;
}

/* a copy of entry k (a v128) in scratch, which may be written */
static void vcopy(struct fc *f, uint32_t k, int scratch)
{
	if (f->vs[k].kind == V_REG)
		movaps(f, scratch, f->vs[k].reg);
	else
		fc_load_val(f, &f->vs[k], V128, k, scratch);
}

/* ---- three-operand forms: VEX or SSE with a copy ------------------------------ */

#define NOIMM (-1)

/* dst = src1 OP src2 [, imm8] (prefix, op as x64_p_rr): AVX's vOP dst,
 * src1, src2; else movaps dst, src1 (none when dst is src1) and the SSE
 * OP dst, src2.  dst may equal src2 only when it equals src1 (SSE would
 * overwrite src2 first). */
static void op3(struct fc *f, uint8_t prefix, uint32_t op, int dst, int src1, int src2,
		int imm)
{
	if (f->jc->avx) {
		if (imm < 0)
			x64_v_rrr(f->a, prefix, 0, op, dst, src1, src2);
		else
			x64_v_rrri(f->a, prefix, 0, op, dst, src1, src2, (uint8_t)imm);
		return;
	}
	if (dst == src2 && dst != src1) {
		(void)fc_fail(f, "SIMD: op3 with dst = src2 (compiler bug)");
		return;
	}
	movaps(f, dst, src1);
	if (imm < 0)
		x64_p_rr(f->a, prefix, op, dst, src2);
	else
		x64_p_rri(f->a, prefix, 0, op, dst, src2, (uint8_t)imm);
}

/* dst = src1 OP entry k: with AVX an entry in memory is the vOP's memory
 * operand; else it is read in a register (loaded into scratch, which must
 * be neither dst nor src1) */
static void op3k(struct fc *f, uint8_t prefix, uint32_t op, int dst, int src1, uint32_t k,
		 int scratch, int imm)
{
	struct x64_mem m;

	if (f->jc->avx && vmem(f, k, &m)) {
		if (imm < 0)
			x64_v_rrm(f->a, prefix, 0, op, dst, src1, m);
		else
			x64_v_rrmi(f->a, prefix, 0, op, dst, src1, m, (uint8_t)imm);
		return;
	}
	op3(f, prefix, op, dst, src1, vsrc(f, k, scratch), imm);
}

/* dst = s OP dst, s a scratch register or one op3 only reads: AVX's vOP
 * dst, s, dst; SSE: OP s, dst; movaps dst, s (s is overwritten) */
static void rev_op(struct fc *f, uint8_t prefix, uint32_t op, int dst, int s, int imm)
{
	if (f->jc->avx) {
		op3(f, prefix, op, dst, s, dst, imm);
		return;
	}
	op3(f, prefix, op, s, s, dst, imm);
	movaps(f, dst, s);
}

/* entry k as the first source of an op3/rev_op into scratch: with AVX
 * wherever it is readable (vsrc), with SSE a copy in scratch (the
 * two-operand OP overwrites it) */
static int vsrc_for(struct fc *f, uint32_t k, int scratch)
{
	if (f->jc->avx)
		return vsrc(f, k, scratch);
	vcopy(f, k, scratch);
	return scratch;
}

/* dst = src shifted by imm (psrlw/d/q /2, psraw/d /4, psllw/d/q /6:
 * 66 0F 71|72|73 /digit ib; VEX: dst in vvvv) */
static void shift3(struct fc *f, uint8_t op, int digit, int dst, int src, uint8_t imm)
{
	if (f->jc->avx) {
		x64_v_rrri(f->a, 0x66, 0, P66(op), digit, dst, src, imm);
		return;
	}
	movaps(f, dst, src);
	pshift_i(f, op, digit, dst, imm);
}

/* replace the top n entries with a result of type t in register r */
static bool put_result(struct fc *f, uint32_t n, uint8_t t, int r)
{
	uint32_t k;

	while (n--)
		vdrop(f);
	if (!push(f, t, &k))
		return false;
	if (in_xmm(t))
		f->xmm_used |= (uint16_t)(1u << r);
	else
		f->gpr_used |= (uint16_t)(1u << r);
	f->vs[k] = (struct vloc){ .kind = V_REG, .reg = (int8_t)r };
	return true;
}

/* a fresh register for a v128 result (the operands still on the stack) */
static int new_vreg(struct fc *f)
{
	return fc_alloc_reg(f, V128);
}

/* ---- v128.const, splats, lanes ------------------------------------------------ */

static bool op_const(struct fc *f)
{
	uint64_t lo = 0, hi = 0;
	uint8_t b;

	for (int i = 0; i < 16; i++) {
		if (!rd_u8(f, &b))
			return false;
		if (i < 8)
			lo |= (uint64_t)b << (8 * i);
		else
			hi |= (uint64_t)b << (8 * (i - 8));
	}
	int r = new_vreg(f);
	if (!lo && !hi) {
		pop66(f, P66(0xef), r, r);                      /* pxor */
	} else if (lo == UINT64_MAX && hi == UINT64_MAX) {
		ones(f, r);
	} else {
		x64_mov_ri(f->a, RAX, lo);
		x64_movq_xr(f->a, 1, r, RAX);
		x64_mov_ri(f->a, RAX, hi);
		x64_p_rri(f->a, 0x66, 1, P3A(0x22), r, RAX, 1);    /* pinsrq r, rax, 1 */
	}
	f->xmm_used &= (uint16_t)~(1u << r);
	return put_result(f, 0, V128, r);
}

/* vpbroadcastb/w/d/q (AVX2: VEX.128.66.0F38.W0 78 79 58 59 /r), shape 0..3 */
static const uint32_t vpbroadcast[] = { P38(0x78), P38(0x79), P38(0x58), P38(0x59) };

/* the lanes of r from the low lane of s (after a movd/movq into it) */
static void broadcast(struct fc *f, int shape, int r, int s)
{
	if (f->jc->avx2) {
		x64_v_rrr(f->a, 0x66, 0, vpbroadcast[shape], r, -1, s);
		return;
	}
	if (shape == 3) {       /* punpcklqdq r, s, s */
		op3(f, 0x66, P66(0x6c), r, s, s, NOIMM);
		return;
	}
	if (shape == 2) {       /* i32x4, f32x4: pshufd r, s, 0 */
		x64_p_rri(f->a, 0x66, 0, P66(0x70), r, s, 0);
		return;
	}
	movaps(f, r, s);
	switch (shape) {
	case 0:         /* i8x16: pshufb with zero indices */
		pop66(f, P66(0xef), 1, 1);
		pop66(f, P38(0x00), r, 1);
		break;
	default:        /* i16x8: pshuflw r, r, 0; pshufd r, r, 0 */
		x64_p_rri(f->a, 0xf2, 0, P66(0x70), r, r, 0);
		x64_p_rri(f->a, 0x66, 0, P66(0x70), r, r, 0);
	}
}

/* i8x16/i16x8/i32x4/i64x2/f32x4/f64x2.splat (shape 0..5) */
static bool op_splat(struct fc *f, int shape)
{
	uint32_t k = f->nvals - 1;
	int r = new_vreg(f);

	if (shape >= 4) {
		int s = src_reg(f, k);
		if (s < 0) {
			fc_load_val(f, &f->vs[k], f->vals[k], k, r);
			s = r;
		}
		broadcast(f, shape == 4 ? 2 : 3, r, s);
	} else {
		fc_to_scratch(f, k, RAX);
		x64_movq_xr(f->a, shape == 3, r, RAX);
		broadcast(f, shape, r, r);
	}
	f->xmm_used &= (uint16_t)~(1u << r);
	return put_result(f, 1, V128, r);
}

static bool op_extract(struct fc *f, uint32_t sub, uint8_t lane)
{
	uint32_t k = f->nvals - 1;
	int x = vsrc(f, k, 1);
	uint8_t t = wasm_fd_opinfo[sub].sig[3];
	int r;

	vdrop(f);       /* x stays readable until the result is written */
	r = fc_alloc_reg(f, t);
	switch (sub) {
	case OPFD_I8X16_EXTRACT_LANE_S: case OPFD_I8X16_EXTRACT_LANE_U:
		x64_p_rri(f->a, 0x66, 0, P3A(0x14), x, r, lane);    /* pextrb */
		if (sub == OPFD_I8X16_EXTRACT_LANE_S)
			x64_movsx8_rr(f->a, 0, r, r);
		break;
	case OPFD_I16X8_EXTRACT_LANE_S: case OPFD_I16X8_EXTRACT_LANE_U:
		x64_p_rri(f->a, 0x66, 0, P66(0xc5), r, x, lane);    /* pextrw */
		if (sub == OPFD_I16X8_EXTRACT_LANE_S)
			x64_movsx16_rr(f->a, 0, r, r);
		break;
	case OPFD_I32X4_EXTRACT_LANE:
		x64_p_rri(f->a, 0x66, 0, P3A(0x16), x, r, lane);    /* pextrd */
		break;
	case OPFD_I64X2_EXTRACT_LANE:
		x64_p_rri(f->a, 0x66, 1, P3A(0x16), x, r, lane);    /* pextrq */
		break;
	case OPFD_F32X4_EXTRACT_LANE:
		x64_p_rri(f->a, 0x66, 0, P66(0x70), r, x, lane);    /* pshufd */
		break;
	default:        /* f64x2 */
		if (lane)
			x64_p_rri(f->a, 0x66, 0, P66(0x70), r, x, 0xee);
		else
			movaps(f, r, x);
	}
	if (in_xmm(t))
		f->xmm_used &= (uint16_t)~(1u << r);
	else
		f->gpr_used &= (uint16_t)~(1u << r);
	return put_result(f, 0, t, r);
}

static bool op_replace(struct fc *f, uint32_t sub, uint8_t lane)
{
	uint32_t kv = f->nvals - 2, ks = f->nvals - 1;
	int r = fc_to_reg(f, kv);

	switch (sub) {
	case OPFD_F32X4_REPLACE_LANE: case OPFD_F64X2_REPLACE_LANE: {
		int s = src_reg(f, ks);
		if (s < 0) {
			fc_load_val(f, &f->vs[ks], f->vals[ks], ks, 1);
			s = 1;
		}
		if (sub == OPFD_F32X4_REPLACE_LANE)
			x64_p_rri(f->a, 0x66, 0, P3A(0x21), r, s, (uint8_t)(lane << 4)); /* insertps */
		else if (lane)
			x64_p_rr(f->a, 0, X64_OP2(0x0f, 0x16), r, s);      /* movlhps */
		else
			x64_p_rr(f->a, 0xf2, X64_OP2(0x0f, 0x10), r, s);   /* movsd */
		break;
	}
	default:
		fc_to_scratch(f, ks, RAX);
		if (sub == OPFD_I8X16_REPLACE_LANE)
			x64_p_rri(f->a, 0x66, 0, P3A(0x20), r, RAX, lane);     /* pinsrb */
		else if (sub == OPFD_I16X8_REPLACE_LANE)
			x64_p_rri(f->a, 0x66, 0, P66(0xc4), r, RAX, lane);     /* pinsrw */
		else
			x64_p_rri(f->a, 0x66, sub == OPFD_I64X2_REPLACE_LANE, P3A(0x22), r, RAX,
				  lane);                                       /* pinsrd/q */
	}
	vdrop(f);
	return true;
}

/* ---- memory ----------------------------------------------------------------------- */

/* v128.loadN_splat, shape 0..3: AVX2's vpbroadcast reads memory itself */
static void load_splat(struct fc *f, int shape, int r, struct x64_mem m)
{
	if (f->jc->avx2) {
		x64_v_rrm(f->a, 0x66, 0, vpbroadcast[shape], r, -1, m);
		return;
	}
	if (shape == 0)
		x64_movzx8_rm(f->a, RAX, m);
	else if (shape == 1)
		x64_movzx16_rm(f->a, RAX, m);
	if (shape < 2)
		x64_movq_xr(f->a, 0, r, RAX);
	else if (shape == 2)
		x64_movd_xm(f->a, r, m);
	else
		x64_movq_xm(f->a, r, m);
	broadcast(f, shape, r, r);
}

static bool op_load(struct fc *f, uint32_t sub, uint64_t offset, uint32_t mem)
{
	uint32_t k = f->nvals - 1;
	struct x64_mem m = fc_mem_operand(f, k, offset, wasm_fd_opinfo[sub].n, mem);
	int r;

	vdrop(f);               /* the address register may be the result's */
	r = new_vreg(f);
	srcmap(f, f->op_off);
	switch (sub) {
	case OPFD_V128_LOAD: x64_movdqu_xm(f->a, r, m); break;
	case OPFD_V128_LOAD8X8_S: x64_p_rm(f->a, 0x66, P38(0x20), r, m); break;
	case OPFD_V128_LOAD8X8_U: x64_p_rm(f->a, 0x66, P38(0x30), r, m); break;
	case OPFD_V128_LOAD16X4_S: x64_p_rm(f->a, 0x66, P38(0x23), r, m); break;
	case OPFD_V128_LOAD16X4_U: x64_p_rm(f->a, 0x66, P38(0x33), r, m); break;
	case OPFD_V128_LOAD32X2_S: x64_p_rm(f->a, 0x66, P38(0x25), r, m); break;
	case OPFD_V128_LOAD32X2_U: x64_p_rm(f->a, 0x66, P38(0x35), r, m); break;
	case OPFD_V128_LOAD32_ZERO: x64_movd_xm(f->a, r, m); break;
	case OPFD_V128_LOAD64_ZERO: x64_movq_xm(f->a, r, m); break;
	case OPFD_V128_LOAD8_SPLAT ... OPFD_V128_LOAD64_SPLAT:
		load_splat(f, (int)(sub - OPFD_V128_LOAD8_SPLAT), r, m);
	}
	f->xmm_used &= (uint16_t)~(1u << r);
	return put_result(f, 0, V128, r);
}

static bool op_store(struct fc *f, uint64_t offset, uint32_t mem)
{
	uint32_t kv = f->nvals - 1, ka = f->nvals - 2;
	int x = vsrc(f, kv, 1);
	struct x64_mem m = fc_mem_operand(f, ka, offset, 16, mem);

	srcmap(f, f->op_off);
	x64_movdqu_mx(f->a, m, x);
	vdrop(f);
	vdrop(f);
	return true;
}

/* v128.loadN_lane / storeN_lane: address below the vector */
static bool op_lane_mem(struct fc *f, uint32_t sub, uint64_t offset, uint8_t lane,
			uint32_t mem)
{
	uint32_t kv = f->nvals - 1, ka = f->nvals - 2;
	bool store = sub >= OPFD_V128_STORE8_LANE;
	int x = store ? vsrc(f, kv, 1) : fc_to_reg(f, kv);
	struct x64_mem m = fc_mem_operand(f, ka, offset, wasm_fd_opinfo[sub].n, mem);
	static const uint32_t ld[] = { P3A(0x20), P66(0xc4), P3A(0x22), P3A(0x22) };
	static const uint32_t stq[] = { P3A(0x14), P3A(0x15), P3A(0x16), P3A(0x16) };
	int size = (int)(sub - (store ? OPFD_V128_STORE8_LANE : OPFD_V128_LOAD8_LANE));

	srcmap(f, f->op_off);
	if (store)
		x64_p_rmi(f->a, 0x66, size == 3, stq[size], x, m, lane);   /* pextrX [m] */
	else
		x64_p_rmi(f->a, 0x66, size == 3, ld[size], x, m, lane);    /* pinsrX x, [m] */
	if (store) {
		vdrop(f);
		vdrop(f);
		return true;
	}
	/* the result is the vector's register, below its place */
	f->vs[kv].kind = V_STK;
	f->xmm_used &= (uint16_t)~(1u << x);
	f->nvals--;
	return put_result(f, 1, V128, x);
}

/* ---- arithmetic ------------------------------------------------------------------- */

/* a op= b in place for the two-operand instructions of one opcode */
static bool bin(struct fc *f, uint8_t prefix, uint32_t op)
{
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	int ra = fc_to_reg(f, ka);

	op3k(f, prefix, op, ra, ra, kb, 1, NOIMM);
	vdrop(f);
	return true;
}

/* b op a into ra (for the swapped compares and andnot) */
static bool bin_swapped(struct fc *f, uint8_t prefix, uint32_t op, bool invert)
{
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	int ra = fc_to_reg(f, ka);

	rev_op(f, prefix, op, ra, vsrc_for(f, kb, 1), NOIMM);
	if (invert) {
		ones(f, 1);
		pop66(f, P66(0xef), ra, 1);
	}
	vdrop(f);
	return true;
}

static void invert_top(struct fc *f)
{
	int r = f->vs[f->nvals - 1].reg;

	ones(f, 1);
	pop66(f, P66(0xef), r, 1);
}

static bool op_not(struct fc *f)
{
	int r = fc_to_reg(f, f->nvals - 1);

	ones(f, 1);
	pop66(f, P66(0xef), r, 1);
	return true;
}

/* bitselect(v1, v2, c) = (v1 & c) | (v2 & ~c) */
static bool op_bitselect(struct fc *f)
{
	uint32_t k1 = f->nvals - 3, k2 = f->nvals - 2, kc = f->nvals - 1;
	int r = fc_to_reg(f, k1);

	if (f->jc->avx) {
		int c = vsrc(f, kc, 0);
		op3k(f, 0x66, P66(0xdf), 1, c, k2, 1, NOIMM);  /* vpandn: ~c & v2 */
		op3(f, 0x66, P66(0xdb), r, r, c, NOIMM);       /* vpand: v1 & c */
		op3(f, 0x66, P66(0xeb), r, r, 1, NOIMM);       /* vpor */
		vdrop(f);
		vdrop(f);
		return true;
	}
	vcopy(f, kc, 0);
	vcopy(f, k2, 1);
	pop66(f, P66(0xdb), r, 0);          /* pand r, c */
	pop66(f, P66(0xdf), 0, 1);          /* pandn c, v2: ~c & v2 */
	pop66(f, P66(0xeb), r, 0);          /* por */
	vdrop(f);
	vdrop(f);
	return true;
}

/* any_true / all_true: an i32 as flags (V_FLAGS) for br_if/if/select */
static bool op_test(struct fc *f, uint32_t sub)
{
	uint32_t k = f->nvals - 1, kr;
	int x = vsrc(f, k, 1);
	enum x64_cc cc = X64_CC_NE;

	if (sub == OPFD_V128_ANY_TRUE) {
		pop66(f, P38(0x17), x, x);                      /* ptest x, x */
	} else {
		static const uint32_t eq[] = { P66(0x74), P66(0x75), P66(0x76), P38(0x29) };
		int shape = sub == OPFD_I8X16_ALL_TRUE ? 0 : sub == OPFD_I16X8_ALL_TRUE ? 1 :
			    sub == OPFD_I32X4_ALL_TRUE ? 2 : 3;
		pop66(f, P66(0xef), 0, 0);
		pop66(f, eq[shape], 0, x);                      /* lanes == 0 */
		pop66(f, P38(0x17), 0, 0);                      /* none: ZF */
		cc = X64_CC_E;
	}
	vdrop(f);
	if (!push(f, I32, &kr))
		return false;
	f->vs[kr] = (struct vloc){ .kind = V_FLAGS, .cc = (uint8_t)cc };
	return true;
}

static bool op_bitmask(struct fc *f, uint32_t sub)
{
	uint32_t k = f->nvals - 1;
	int x = vsrc(f, k, 1), r;

	vdrop(f);
	r = fc_alloc_reg(f, I32);
	switch (sub) {
	case OPFD_I8X16_BITMASK:
		pop66(f, P66(0xd7), r, x);                      /* pmovmskb */
		break;
	case OPFD_I16X8_BITMASK:
		op3(f, 0x66, P66(0x63), 0, x, x, NOIMM);        /* packsswb */
		pop66(f, P66(0xd7), r, 0);
		x64_movzx8_rr(f->a, r, r);
		break;
	case OPFD_I32X4_BITMASK:
		x64_p_rr(f->a, 0, X64_OP2(0x0f, 0x50), r, x);   /* movmskps */
		break;
	default:
		pop66(f, X64_OP2(0x0f, 0x50), r, x);            /* movmskpd */
	}
	f->gpr_used &= (uint16_t)~(1u << r);
	return put_result(f, 0, I32, r);
}

/* i64x2.mul: lo(a)lo(b) + ((hi(a)lo(b) + lo(a)hi(b)) << 32) per lane */
static bool op_i64x2_mul(struct fc *f)
{
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	int ra = fc_to_reg(f, ka), rb;

	shift3(f, 0x73, 2, 0, ra, 32);                      /* xmm0 = hi(a) */
	rb = vsrc(f, kb, 1);
	op3(f, 0x66, P66(0xf4), 0, 0, rb, NOIMM);           /* pmuludq: hi(a)lo(b) */
	shift3(f, 0x73, 2, 1, rb, 32);                      /* xmm1 = hi(b) */
	op3(f, 0x66, P66(0xf4), 1, 1, ra, NOIMM);           /* lo(a)hi(b) */
	op3(f, 0x66, P66(0xd4), 0, 0, 1, NOIMM);            /* paddq */
	shift3(f, 0x73, 6, 0, 0, 32);                       /* psllq 32 */
	op3k(f, 0x66, P66(0xf4), ra, ra, kb, 1, NOIMM);     /* lo(a)lo(b) */
	op3(f, 0x66, P66(0xd4), ra, ra, 0, NOIMM);
	vdrop(f);
	return true;
}

/* integer compares of i8x16, i16x8, i32x4 (shape 0..2): op 0..9 = eq ne
 * lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u */
static bool op_icmp(struct fc *f, int shape, int op)
{
	static const uint32_t eq[] = { P66(0x74), P66(0x75), P66(0x76) };
	static const uint32_t gt[] = { P66(0x64), P66(0x65), P66(0x66) };
	static const uint32_t minu[] = { P66(0xda), P38(0x3a), P38(0x3b) };
	static const uint32_t maxu[] = { P66(0xde), P38(0x3e), P38(0x3f) };

	switch (op) {
	case 0: return bin(f, 0x66, eq[shape]);
	case 1: bin(f, 0x66, eq[shape]); invert_top(f); return true;
	case 2: return bin_swapped(f, 0x66, gt[shape], false);     /* b > a */
	case 4: return bin(f, 0x66, gt[shape]);
	case 6: bin(f, 0x66, gt[shape]); invert_top(f); return true;
	case 8: return bin_swapped(f, 0x66, gt[shape], true);
	}
	/* unsigned: a <= b iff min(a, b) == a; a >= b iff max(a, b) == a */
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	int ra = fc_to_reg(f, ka);
	bool le = op == 5 || op == 7;       /* gt_u = !le_u, lt_u = !ge_u */

	/* xmm1 = min|max(b, a) (commutative) */
	op3(f, 0x66, le ? minu[shape] : maxu[shape], 1, vsrc_for(f, kb, 1), ra, NOIMM);
	pop66(f, eq[shape], ra, 1);
	vdrop(f);
	if (op == 3 || op == 5)
		invert_top(f);
	return true;
}

/* f32x4/f64x2 compares: op 0..5 = eq ne lt gt le ge (cmpps/cmppd) */
static bool op_fcmp(struct fc *f, bool dbl, int op)
{
	static const uint8_t pred[] = { 0, 4, 1, 1, 2, 2 };
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	int ra = fc_to_reg(f, ka);
	uint8_t pre = dbl ? 0x66 : 0;

	if (f->jc->avx && (op == 3 || op == 5)) {      /* VEX's GT_OQ, GE_OQ */
		op3k(f, pre, X64_OP2(0x0f, 0xc2), ra, ra, kb, 1, op == 3 ? 0x1e : 0x1d);
	} else if (op == 3 || op == 5) {    /* gt, ge: b < a, b <= a */
		rev_op(f, pre, X64_OP2(0x0f, 0xc2), ra, vsrc_for(f, kb, 1), pred[op]);
	} else {
		op3k(f, pre, X64_OP2(0x0f, 0xc2), ra, ra, kb, 1, pred[op]);
	}
	vdrop(f);
	return true;
}

/* f32x4/f64x2 min and max with Wasm's NaN and ±0 (minps/maxps return
 * their second operand for NaNs and equal zeros): both orders, merged;
 * NaN lanes become the canonical NaN (as V8 does) */
static bool op_fminmax(struct fc *f, bool dbl, bool max)
{
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	int ra = fc_to_reg(f, ka);
	uint8_t pre = dbl ? 0x66 : 0;
	uint32_t op = X64_OP2(0x0f, max ? 0x5f : 0x5d);

	int rb = vsrc(f, kb, 0);

	op3(f, pre, op, 1, rb, ra, NOIMM);              /* xmm1 = op(b, a) */
	op3(f, pre, op, ra, ra, rb, NOIMM);             /* ra = op(a, b) */
	if (max) {
		x64_p_rr(f->a, pre, X64_OP2(0x0f, 0x57), ra, 1);    /* xorps: discrepancies */
		x64_p_rr(f->a, pre, X64_OP2(0x0f, 0x56), 1, ra);    /* orps: NaNs */
		x64_p_rr(f->a, pre, X64_OP2(0x0f, 0x5c), 1, ra);    /* subps: sign, quiet */
	} else {
		x64_p_rr(f->a, pre, X64_OP2(0x0f, 0x56), 1, ra);    /* orps: -0, NaNs */
	}
	x64_p_rri(f->a, pre, 0, X64_OP2(0x0f, 0xc2), ra, 1, 3); /* cmpunord */
	if (!max)
		x64_p_rr(f->a, pre, X64_OP2(0x0f, 0x56), 1, ra);
	if (dbl)
		pshift_i(f, 0x73, 2, ra, 13);
	else
		pshift_i(f, 0x72, 2, ra, 10);
	x64_p_rr(f->a, pre, X64_OP2(0x0f, 0x55), ra, 1);    /* andnps */
	vdrop(f);
	return true;
}

/* f32x4/f64x2 abs, neg: the sign bits */
static bool op_fsign(struct fc *f, bool dbl, bool neg)
{
	int r = fc_to_reg(f, f->nvals - 1);

	ones(f, 1);
	if (neg) {
		pshift_i(f, dbl ? 0x73 : 0x72, 6, 1, dbl ? 63 : 31);
		pop66(f, P66(0xef), r, 1);
	} else {
		pshift_i(f, dbl ? 0x73 : 0x72, 2, 1, 1);
		pop66(f, P66(0xdb), r, 1);
	}
	return true;
}

/* sqrtps/sqrtpd r, r */
static bool op_fsqrt(struct fc *f, bool dbl)
{
	int r = fc_to_reg(f, f->nvals - 1);

	x64_p_rr(f->a, dbl ? 0x66 : 0, X64_OP2(0x0f, 0x51), r, r);
	return true;
}


/* x = the 32-bit constant v in every lane (via eax) */
static void splat32(struct fc *f, int x, uint32_t v)
{
	x64_mov_ri(f->a, RAX, v);
	x64_movq_xr(f->a, 0, x, RAX);
	x64_p_rri(f->a, 0x66, 0, P66(0x70), x, x, 0);
}

/* x = the 128-bit constant (lo, hi) (via rax) */
static void const128(struct fc *f, int x, uint64_t lo, uint64_t hi)
{
	x64_mov_ri(f->a, RAX, lo);
	x64_movq_xr(f->a, 1, x, RAX);
	x64_mov_ri(f->a, RAX, hi);
	x64_p_rri(f->a, 0x66, 1, P3A(0x22), x, RAX, 1);
}

/* integer neg (0 - a) and abs (pabs; i64x2 by its sign), shape 0..3 */
static bool op_ineg_abs(struct fc *f, int shape, bool abs)
{
	static const uint32_t sub[] = { P66(0xf8), P66(0xf9), P66(0xfa), P66(0xfb) };
	static const uint32_t pabs[] = { P38(0x1c), P38(0x1d), P38(0x1e) };
	int r = fc_to_reg(f, f->nvals - 1);

	if (!abs) {
		pop66(f, P66(0xef), 1, 1);
		rev_op(f, 0x66, sub[shape], r, 1, NOIMM);
	} else if (shape < 3) {
		pop66(f, pabs[shape], r, r);
	} else {
		x64_p_rri(f->a, 0x66, 0, P66(0x70), 1, r, 0xf5);  /* high dwords */
		pshift_i(f, 0x72, 4, 1, 31);                        /* psrad: signs */
		pop66(f, P66(0xef), r, 1);
		pop66(f, sub[3], r, 1);
	}
	return true;
}

/* shl, shr_s, shr_u (kind 0..2) of shape 0..3 by an i32 count (mod the
 * lane width, as Wasm says; x86 shifts saturate instead) */
static bool op_shift(struct fc *f, int shape, int kind)
{
	static const uint32_t sh[3][4] = {
		{ 0, P66(0xf1), P66(0xf2), P66(0xf3) },        /* psll */
		{ 0, P66(0xe1), P66(0xe2), 0 },                /* psra */
		{ 0, P66(0xd1), P66(0xd2), P66(0xd3) },        /* psrl */
	};
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	int r = fc_to_reg(f, ka);

	fc_to_scratch(f, kb, RAX);
	x64_alu_ri(f->a, X64_AND, 0, RAX, (8 << shape) - 1);
	if (shape == 0 && kind == 1) {          /* i8x16.shr_s: as words */
		x64_alu_ri(f->a, X64_ADD, 0, RAX, 8);
		x64_movq_xr(f->a, 0, 1, RAX);
		op3(f, 0x66, P66(0x68), 0, r, r, NOIMM);       /* punpckhbw */
		pop66(f, P66(0x60), r, r);              /* punpcklbw */
		pop66(f, P66(0xe1), 0, 1);
		pop66(f, P66(0xe1), r, 1);
		pop66(f, P66(0x63), r, 0);              /* packsswb */
	} else if (shape == 0) {                /* i8x16.shl, shr_u: words, masked */
		x64_movq_xr(f->a, 0, 1, RAX);
		pop66(f, kind ? P66(0xd1) : P66(0xf1), r, 1);
		x64_mov_rr(f->a, 0, RCX, RAX);
		x64_mov_ri(f->a, RDX, 0xff);
		x64_shift_cl(f->a, kind ? X64_SHR : X64_SHL, 0, RDX);
		x64_movq_xr(f->a, 0, 0, RDX);
		pop66(f, P66(0xef), 1, 1);
		pop66(f, P38(0x00), 0, 1);              /* the mask in every byte */
		pop66(f, P66(0xdb), r, 0);
	} else if (shape == 3 && kind == 1) {   /* i64x2.shr_s: (x >>u n ^ m) - m */
		x64_movq_xr(f->a, 0, 1, RAX);
		pop66(f, P66(0xd3), r, 1);
		ones(f, 0);
		pshift_i(f, 0x73, 6, 0, 63);
		pop66(f, P66(0xd3), 0, 1);
		pop66(f, P66(0xef), r, 0);
		pop66(f, P66(0xfb), r, 0);
	} else {
		x64_movq_xr(f->a, 0, 1, RAX);
		pop66(f, sh[kind][shape], r, 1);
	}
	vdrop(f);
	return true;
}

/* extend_low/high (high: the upper 8 bytes first), s or u, to shape 1..3 */
static void extend_in(struct fc *f, int r, int s, int to, bool high, bool u)
{
	static const uint8_t sx[] = { 0x20, 0x23, 0x25 }, zx[] = { 0x30, 0x33, 0x35 };

	if (high) {
		x64_p_rri(f->a, 0x66, 0, P66(0x70), r, s, 0xee);
		s = r;
	}
	pop66(f, P38(u ? zx[to - 1] : sx[to - 1]), r, s);   /* pmovsx/zx r, s */
}

static bool op_extend(struct fc *f, int to, bool high, bool u)
{
	int r = fc_to_reg(f, f->nvals - 1);

	extend_in(f, r, r, to, high, u);
	return true;
}

/* extmul_low/high: both extended, then multiplied */
static bool op_extmul(struct fc *f, int to, bool high, bool u)
{
	static const uint32_t mul[] = { 0, P66(0xd5), P38(0x40), 0 };
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	int r = fc_to_reg(f, ka);

	extend_in(f, r, r, to, high, u);
	extend_in(f, 1, vsrc(f, kb, 1), to, high, u);
	pop66(f, to == 3 ? (u ? P66(0xf4) : P38(0x28)) : mul[to], r, 1);   /* pmul(u)dq */
	vdrop(f);
	return true;
}

/* extadd_pairwise: i16x8 from i8x16 (pmaddubsw), i32x4 from i16x8 (pmaddwd) */
static bool op_extadd(struct fc *f, int to, bool u)
{
	int r = fc_to_reg(f, f->nvals - 1);

	if (to == 1) {
		splat32(f, 1, 0x01010101u);
		if (u) {
			pop66(f, P38(0x04), r, 1);      /* r unsigned, ones signed */
		} else {
			rev_op(f, 0x66, P38(0x04), r, 1, NOIMM);
		}
		return true;
	}
	if (u) {                        /* (a ^ 0x8000) + (b ^ 0x8000) + 0x10000 */
		splat32(f, 1, 0x80008000u);
		pop66(f, P66(0xef), r, 1);
	}
	splat32(f, 1, 0x00010001u);
	pop66(f, P66(0xf5), r, 1);
	if (u) {
		splat32(f, 1, 0x00010000u);
		pop66(f, P66(0xfe), r, 1);
	}
	return true;
}

/* i8x16.popcnt: two nibble lookups (pshufb) */
static bool op_popcnt(struct fc *f)
{
	int r = fc_to_reg(f, f->nvals - 1);

	splat32(f, 0, 0x0f0f0f0fu);
	shift3(f, 0x71, 2, 1, r, 4);                /* psrlw 4 */
	pop66(f, P66(0xdb), 1, 0);                  /* high nibbles */
	pop66(f, P66(0xdb), r, 0);                  /* low nibbles */
	const128(f, 0, 0x0302020102010100ull, 0x0403030203020201ull);
	if (f->jc->avx) {                           /* the table once */
		op3(f, 0x66, P38(0x00), r, 0, r, NOIMM);
		op3(f, 0x66, P38(0x00), 1, 0, 1, NOIMM);
		op3(f, 0x66, P66(0xfc), r, r, 1, NOIMM);
		return true;
	}
	pop66(f, P38(0x00), 0, r);
	const128(f, r, 0x0302020102010100ull, 0x0403030203020201ull);
	pop66(f, P38(0x00), r, 1);
	pop66(f, P66(0xfc), r, 0);
	return true;
}

/* i8x16.swizzle: indices 16 and up select 0 (saturating + 0x70 sets
 * their top bit, which pshufb reads as zero) */
static bool op_swizzle(struct fc *f)
{
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	int r = fc_to_reg(f, ka);

	splat32(f, 0, 0x70707070u);
	op3(f, 0x66, P66(0xdc), 1, vsrc_for(f, kb, 1), 0, NOIMM);  /* paddusb */
	pop66(f, P38(0x00), r, 1);
	vdrop(f);
	return true;
}

/* i8x16.shuffle with lanes l[16] (< 32, validated) */
static bool op_shuffle(struct fc *f, const uint8_t *l)
{
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	uint8_t ma[16], mb[16];
	uint64_t a0, a1, b0, b1;
	int r = fc_to_reg(f, ka);

	for (int i = 0; i < 16; i++) {
		ma[i] = l[i] < 16 ? l[i] : 0x80;
		mb[i] = l[i] >= 16 ? (uint8_t)(l[i] - 16) : 0x80;
	}
	memcpy(&a0, ma, 8);
	memcpy(&a1, ma + 8, 8);
	memcpy(&b0, mb, 8);
	memcpy(&b1, mb + 8, 8);
	const128(f, 0, a0, a1);
	pop66(f, P38(0x00), r, 0);
	const128(f, 0, b0, b1);
	op3(f, 0x66, P38(0x00), 1, vsrc_for(f, kb, 1), 0, NOIMM);
	pop66(f, P66(0xeb), r, 1);
	vdrop(f);
	return true;
}

/* pmin(a, b) = b < a ? b : a = minps(b, a); pmax(a, b) = maxps(b, a) */
static bool op_pminmax(struct fc *f, bool dbl, bool max)
{
	return bin_swapped(f, dbl ? 0x66 : 0, X64_OP2(0x0f, max ? 0x5f : 0x5d), false);
}

/* ceil floor trunc nearest (roundps/pd modes 2 1 3 0) */
static bool op_round(struct fc *f, bool dbl, uint8_t mode)
{
	int r = fc_to_reg(f, f->nvals - 1);

	x64_p_rri(f->a, 0x66, 0, P3A(dbl ? 0x09 : 0x08), r, r, mode);
	return true;
}

/* the one-instruction conversions: cvtdq2ps, cvtdq2pd, cvtpd2ps, cvtps2pd */
static bool op_cvt(struct fc *f, uint8_t prefix, uint8_t op)
{
	int r = fc_to_reg(f, f->nvals - 1);

	x64_p_rr(f->a, prefix, X64_OP2(0x0f, op), r, r);
	return true;
}


/* i16x8.q15mulr_sat_s: pmulhrsw, whose one overflow (-32768 * -32768)
 * gives 0x8000 where Wasm saturates to 0x7fff */
static bool op_q15mulr(struct fc *f)
{
	uint32_t ka = f->nvals - 2;

	bin(f, 0x66, P38(0x0b));
	splat32(f, 1, 0x80008000u);
	pop66(f, P66(0x75), 1, f->vs[ka].reg);
	pop66(f, P66(0xef), f->vs[ka].reg, 1);
	return true;
}

/* i64x2 a > b (swap: b > a) without SSE4.2's pcmpgtq: the high dwords
 * compared signed, or when equal the borrow of the 64-bit difference;
 * invert: le (ge) */
static bool op_i64_gt(struct fc *f, bool swap, bool invert)
{
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	int r = fc_to_reg(f, ka);

	int rb = vsrc(f, kb, 1);

	if (swap)
		op3(f, 0x66, P66(0xfb), 0, r, rb, NOIMM);          /* a - b */
	else
		op3(f, 0x66, P66(0xfb), 0, rb, r, NOIMM);          /* b - a */
	op3(f, 0x66, P66(0x76), 1, rb, r, NOIMM);           /* dwords equal */
	pop66(f, P66(0xdb), 0, 1);
	if (swap) {
		op3(f, 0x66, P66(0x66), 1, vsrc_for(f, kb, 1), r, NOIMM); /* b > a (dwords) */
		pop66(f, P66(0xeb), 1, 0);
		x64_p_rri(f->a, 0x66, 0, P66(0x70), r, 1, 0xf5);
	} else {
		op3k(f, 0x66, P66(0x66), r, r, kb, 1, NOIMM);
		pop66(f, P66(0xeb), r, 0);
		x64_p_rri(f->a, 0x66, 0, P66(0x70), r, r, 0xf5);
	}
	if (invert) {
		ones(f, 1);
		pop66(f, P66(0xef), r, 1);
	}
	vdrop(f);
	return true;
}

/* i32x4.trunc_sat_f32x4_s (NaN 0, saturating; as V8) */
static bool op_trunc_sat_f32_s(struct fc *f)
{
	int r = fc_to_reg(f, f->nvals - 1);

	op3(f, 0, X64_OP2(0x0f, 0xc2), 0, r, r, 0);        /* cmpeqps: not NaN */
	pop66(f, P66(0xdb), r, 0);
	pop66(f, P66(0xef), 0, r);                  /* top bit: r >= +0 */
	x64_p_rr(f->a, 0xf3, X64_OP2(0x0f, 0x5b), r, r);           /* cvttps2dq */
	pop66(f, P66(0xdb), 0, r);
	pshift_i(f, 0x72, 4, 0, 31);                /* positive overflow lanes */
	pop66(f, P66(0xef), r, 0);
	return true;
}

/* i32x4.trunc_sat_f32x4_u: the part above 2^31 converted apart */
static bool op_trunc_sat_f32_u(struct fc *f)
{
	int r = fc_to_reg(f, f->nvals - 1);

	pop66(f, P66(0xef), 0, 0);
	x64_p_rr(f->a, 0, X64_OP2(0x0f, 0x5f), r, 0);              /* maxps: NaN, < 0 -> 0 */
	ones(f, 0);
	pshift_i(f, 0x72, 2, 0, 1);
	x64_p_rr(f->a, 0, X64_OP2(0x0f, 0x5b), 0, 0);              /* 2^31 */
	op3(f, 0, X64_OP2(0x0f, 0x5c), 1, r, 0, NOIMM);   /* r - 2^31 */
	x64_p_rri(f->a, 0, 0, X64_OP2(0x0f, 0xc2), 0, 1, 2);      /* 2^31 <= it: >= 2^32 */
	x64_p_rr(f->a, 0xf3, X64_OP2(0x0f, 0x5b), 1, 1);
	pop66(f, P66(0xef), 1, 0);
	pop66(f, P66(0xef), 0, 0);
	pop66(f, P38(0x3d), 1, 0);                  /* pmaxsd 0 */
	x64_p_rr(f->a, 0xf3, X64_OP2(0x0f, 0x5b), r, r);
	pop66(f, P66(0xfe), r, 1);
	return true;
}

/* f32x4.convert_i32x4_u: low and high 16 bits converted apart, one
 * rounding at the end */
static bool op_convert_u32_f32(struct fc *f)
{
	int r = fc_to_reg(f, f->nvals - 1);

	pop66(f, P66(0xef), 0, 0);
	x64_p_rri(f->a, 0x66, 0, P3A(0x0e), 0, r, 0x55);          /* pblendw: low halves */
	pop66(f, P66(0xfa), r, 0);                  /* high halves */
	x64_p_rr(f->a, 0, X64_OP2(0x0f, 0x5b), 0, 0);
	pshift_i(f, 0x72, 2, r, 1);
	x64_p_rr(f->a, 0, X64_OP2(0x0f, 0x5b), r, r);
	x64_p_rr(f->a, 0, X64_OP2(0x0f, 0x58), r, r);
	x64_p_rr(f->a, 0, X64_OP2(0x0f, 0x58), r, 0);
	return true;
}

/* i32x4.trunc_sat_f64x2_s_zero / _u_zero */
static bool op_trunc_sat_f64(struct fc *f, bool u)
{
	int r = fc_to_reg(f, f->nvals - 1);

	if (!u) {
		op3(f, 0x66, X64_OP2(0x0f, 0xc2), 0, r, r, 0);     /* not NaN */
		const128(f, 1, 0x41dfffffffc00000ull, 0x41dfffffffc00000ull); /* 2^31 - 1 */
		pop66(f, P66(0xdb), 0, 1);
		x64_p_rr(f->a, 0x66, X64_OP2(0x0f, 0x5d), r, 0);          /* minpd */
		x64_p_rr(f->a, 0x66, X64_OP2(0x0f, 0xe6), r, r);          /* cvttpd2dq */
		return true;
	}
	pop66(f, P66(0xef), 0, 0);
	x64_p_rr(f->a, 0x66, X64_OP2(0x0f, 0x5f), r, 0);                  /* maxpd */
	const128(f, 1, 0x41efffffffe00000ull, 0x41efffffffe00000ull);     /* 2^32 - 1 */
	x64_p_rr(f->a, 0x66, X64_OP2(0x0f, 0x5d), r, 1);
	x64_p_rri(f->a, 0x66, 0, P3A(0x09), r, r, 3);                     /* roundpd trunc */
	const128(f, 1, 0x4330000000000000ull, 0x4330000000000000ull);     /* 2^52 */
	x64_p_rr(f->a, 0x66, X64_OP2(0x0f, 0x58), r, 1);
	x64_p_rri(f->a, 0, 0, X64_OP2(0x0f, 0xc6), r, 0, 0x88);           /* shufps */
	return true;
}

/* f64x2.convert_low_i32x4_u: 2^52 + x as double bits, minus 2^52 */
static bool op_convert_u32_f64(struct fc *f)
{
	int r = fc_to_reg(f, f->nvals - 1);

	splat32(f, 0, 0x43300000u);
	x64_p_rr(f->a, 0, X64_OP2(0x0f, 0x14), r, 0);                     /* unpcklps */
	const128(f, 1, 0x4330000000000000ull, 0x4330000000000000ull);
	x64_p_rr(f->a, 0x66, X64_OP2(0x0f, 0x5c), r, 1);
	return true;
}

/* ---- relaxed SIMD (the relaxed-simd proposal) ---------------------------------------
 * One fixed result per instruction, the same on every CPU (no FMA; the
 * AVX forms compute exactly what the SSE ones do, operands in the same
 * order, NaN payloads included), chosen among those
 * the proposal allows; docs/simd.md lists them for the LLVM backend to
 * follow.  The ones equal to a Wasm 2.0 instruction reuse its code
 * (relaxed_trunc: the trunc_sat ones; relaxed_laneselect: bitselect). */

/* relaxed_madd: a * b + c, two roundings (mulps/pd, addps/pd);
 * relaxed_nmadd: c - a * b (subps/pd), equal to -(a * b) + c */
static bool op_madd(struct fc *f, bool dbl, bool neg)
{
	uint32_t ka = f->nvals - 3, kb = f->nvals - 2, kc = f->nvals - 1;
	uint8_t pre = dbl ? 0x66 : 0;
	int ra = fc_to_reg(f, ka);

	op3k(f, pre, X64_OP2(0x0f, 0x59), ra, ra, kb, 1, NOIMM);           /* mul */
	if (neg)
		rev_op(f, pre, X64_OP2(0x0f, 0x5c), ra, vsrc_for(f, kc, 1), NOIMM); /* c - ab */
	else
		op3k(f, pre, X64_OP2(0x0f, 0x58), ra, ra, kc, 1, NOIMM);
	vdrop(f);
	vdrop(f);
	return true;
}

/* i32x4.relaxed_dot_i8x16_i7x16_add_s: pmaddubsw (b unsigned, a signed:
 * i16 pair sums, saturating), pmaddwd by ones (i32 sums of the pairs),
 * paddd c */
static bool op_dot_add(struct fc *f)
{
	uint32_t ka = f->nvals - 3, kb = f->nvals - 2, kc = f->nvals - 1;
	int ra = fc_to_reg(f, ka);

	op3(f, 0x66, P38(0x04), 1, vsrc_for(f, kb, 1), ra, NOIMM);   /* pmaddubsw b, a */
	splat32(f, 0, 0x00010001u);
	op3(f, 0x66, P66(0xf5), ra, 1, 0, NOIMM);  /* pmaddwd */
	op3k(f, 0x66, P66(0xfe), ra, ra, kc, 1, NOIMM);     /* paddd */
	vdrop(f);
	vdrop(f);
	return true;
}

/* f32x4.relaxed_dot_bf16x8_add_f32x4: lane i = (a[2i] * b[2i] +
 * a[2i+1] * b[2i+1]) + c[i], each step an f32 operation (round to
 * nearest even, unfused); a bf16 is the high half of its f32 */
static bool op_dot_bf16(struct fc *f)
{
	uint32_t ka = f->nvals - 3, kb = f->nvals - 2, kc = f->nvals - 1;
	int ra = fc_to_reg(f, ka);

	shift3(f, 0x72, 6, 1, ra, 16);              /* pslld: a's even bf16s */
	shift3(f, 0x72, 6, 0, vsrc_for(f, kb, 0), 16);
	x64_p_rr(f->a, 0, X64_OP2(0x0f, 0x59), 1, 0);               /* even products */
	pshift_i(f, 0x72, 2, ra, 16);               /* psrld, pslld: the odd ones */
	pshift_i(f, 0x72, 6, ra, 16);
	shift3(f, 0x72, 2, 0, vsrc_for(f, kb, 0), 16);
	pshift_i(f, 0x72, 6, 0, 16);
	x64_p_rr(f->a, 0, X64_OP2(0x0f, 0x59), ra, 0);              /* odd products */
	rev_op(f, 0, X64_OP2(0x0f, 0x58), ra, 1, NOIMM);            /* even + odd */
	op3k(f, 0, X64_OP2(0x0f, 0x58), ra, ra, kc, 0, NOIMM);      /* + c */
	vdrop(f);
	vdrop(f);
	return true;
}

/* ---- the dispatch ------------------------------------------------------------------ */

/* the types of sub's operands (table signature) on the stack?  Else a
 * type error, or dead code: validated and nothing emitted (false). */
static bool operands_there(struct fc *f, const struct wasm_fd_opinfo *o)
{
	uint32_t n = (o->sig[0] != 0) + (o->sig[1] != 0) + (o->sig[2] != 0);

	return top_is(f, n, o->sig, 0);
}

static bool validate_only(struct fc *f, const struct wasm_fd_opinfo *o)
{
	for (int i = 2; i >= 0; i--)
		if (o->sig[i] && !fc_pop(f, o->sig[i], NULL, NULL))
			return false;
	return o->sig[3] ? push(f, o->sig[3], NULL) : true;
}

static bool compile_fd(struct fc *f, uint32_t sub, uint64_t offset, uint8_t lane,
		       uint32_t mem)
{
	switch (sub) {
	case OPFD_V128_LOAD ... OPFD_V128_LOAD64_SPLAT:
	case OPFD_V128_LOAD32_ZERO: case OPFD_V128_LOAD64_ZERO:
		return op_load(f, sub, offset, mem);
	case OPFD_V128_STORE:
		return op_store(f, offset, mem);
	case OPFD_V128_LOAD8_LANE ... OPFD_V128_STORE64_LANE:
		return op_lane_mem(f, sub, offset, lane, mem);
	case OPFD_I8X16_SPLAT ... OPFD_F64X2_SPLAT:
		return op_splat(f, (int)(sub - OPFD_I8X16_SPLAT));
	case OPFD_I8X16_EXTRACT_LANE_S: case OPFD_I8X16_EXTRACT_LANE_U:
	case OPFD_I16X8_EXTRACT_LANE_S: case OPFD_I16X8_EXTRACT_LANE_U:
	case OPFD_I32X4_EXTRACT_LANE: case OPFD_I64X2_EXTRACT_LANE:
	case OPFD_F32X4_EXTRACT_LANE: case OPFD_F64X2_EXTRACT_LANE:
		return op_extract(f, sub, lane);
	case OPFD_I8X16_REPLACE_LANE: case OPFD_I16X8_REPLACE_LANE:
	case OPFD_I32X4_REPLACE_LANE: case OPFD_I64X2_REPLACE_LANE:
	case OPFD_F32X4_REPLACE_LANE: case OPFD_F64X2_REPLACE_LANE:
		return op_replace(f, sub, lane);
	case OPFD_I8X16_EQ ... OPFD_I8X16_GE_U:
		return op_icmp(f, 0, (int)(sub - OPFD_I8X16_EQ));
	case OPFD_I16X8_EQ ... OPFD_I16X8_GE_U:
		return op_icmp(f, 1, (int)(sub - OPFD_I16X8_EQ));
	case OPFD_I32X4_EQ ... OPFD_I32X4_GE_U:
		return op_icmp(f, 2, (int)(sub - OPFD_I32X4_EQ));
	case OPFD_I64X2_EQ:
		return bin(f, 0x66, P38(0x29));
	case OPFD_I64X2_NE:
		bin(f, 0x66, P38(0x29));
		invert_top(f);
		return true;
	case OPFD_F32X4_EQ ... OPFD_F32X4_GE:
		return op_fcmp(f, false, (int)(sub - OPFD_F32X4_EQ));
	case OPFD_F64X2_EQ ... OPFD_F64X2_GE:
		return op_fcmp(f, true, (int)(sub - OPFD_F64X2_EQ));
	case OPFD_V128_NOT:    return op_not(f);
	case OPFD_V128_AND:    return bin(f, 0x66, P66(0xdb));
	case OPFD_V128_ANDNOT: return bin_swapped(f, 0x66, P66(0xdf), false);
	case OPFD_V128_OR:     return bin(f, 0x66, P66(0xeb));
	case OPFD_V128_XOR:    return bin(f, 0x66, P66(0xef));
	case OPFD_V128_BITSELECT: return op_bitselect(f);
	case OPFD_V128_ANY_TRUE: case OPFD_I8X16_ALL_TRUE: case OPFD_I16X8_ALL_TRUE:
	case OPFD_I32X4_ALL_TRUE: case OPFD_I64X2_ALL_TRUE:
		return op_test(f, sub);
	case OPFD_I8X16_BITMASK: case OPFD_I16X8_BITMASK:
	case OPFD_I32X4_BITMASK: case OPFD_I64X2_BITMASK:
		return op_bitmask(f, sub);
	case OPFD_I8X16_ADD: return bin(f, 0x66, P66(0xfc));
	case OPFD_I8X16_SUB: return bin(f, 0x66, P66(0xf8));
	case OPFD_I16X8_ADD: return bin(f, 0x66, P66(0xfd));
	case OPFD_I16X8_SUB: return bin(f, 0x66, P66(0xf9));
	case OPFD_I16X8_MUL: return bin(f, 0x66, P66(0xd5));
	case OPFD_I32X4_ADD: return bin(f, 0x66, P66(0xfe));
	case OPFD_I32X4_SUB: return bin(f, 0x66, P66(0xfa));
	case OPFD_I32X4_MUL: return bin(f, 0x66, P38(0x40));
	case OPFD_I64X2_ADD: return bin(f, 0x66, P66(0xd4));
	case OPFD_I64X2_SUB: return bin(f, 0x66, P66(0xfb));
	case OPFD_I64X2_MUL: return op_i64x2_mul(f);
	case OPFD_F32X4_ADD: return bin(f, 0, X64_OP2(0x0f, 0x58));
	case OPFD_F32X4_SUB: return bin(f, 0, X64_OP2(0x0f, 0x5c));
	case OPFD_F32X4_MUL: return bin(f, 0, X64_OP2(0x0f, 0x59));
	case OPFD_F32X4_DIV: return bin(f, 0, X64_OP2(0x0f, 0x5e));
	case OPFD_F64X2_ADD: return bin(f, 0x66, X64_OP2(0x0f, 0x58));
	case OPFD_F64X2_SUB: return bin(f, 0x66, X64_OP2(0x0f, 0x5c));
	case OPFD_F64X2_MUL: return bin(f, 0x66, X64_OP2(0x0f, 0x59));
	case OPFD_F64X2_DIV: return bin(f, 0x66, X64_OP2(0x0f, 0x5e));
	case OPFD_F32X4_SQRT: return op_fsqrt(f, false);
	case OPFD_F64X2_SQRT: return op_fsqrt(f, true);
	case OPFD_F32X4_MIN: return op_fminmax(f, false, false);
	case OPFD_F32X4_MAX: return op_fminmax(f, false, true);
	case OPFD_F64X2_MIN: return op_fminmax(f, true, false);
	case OPFD_F64X2_MAX: return op_fminmax(f, true, true);
	case OPFD_F32X4_ABS: return op_fsign(f, false, false);
	case OPFD_F32X4_NEG: return op_fsign(f, false, true);
	case OPFD_F64X2_ABS: return op_fsign(f, true, false);
	case OPFD_F64X2_NEG: return op_fsign(f, true, true);
	case OPFD_I8X16_NEG: return op_ineg_abs(f, 0, false);
	case OPFD_I16X8_NEG: return op_ineg_abs(f, 1, false);
	case OPFD_I32X4_NEG: return op_ineg_abs(f, 2, false);
	case OPFD_I64X2_NEG: return op_ineg_abs(f, 3, false);
	case OPFD_I8X16_ABS: return op_ineg_abs(f, 0, true);
	case OPFD_I16X8_ABS: return op_ineg_abs(f, 1, true);
	case OPFD_I32X4_ABS: return op_ineg_abs(f, 2, true);
	case OPFD_I64X2_ABS: return op_ineg_abs(f, 3, true);
	case OPFD_I8X16_SHL ... OPFD_I8X16_SHR_U:
		return op_shift(f, 0, (int)(sub - OPFD_I8X16_SHL));
	case OPFD_I16X8_SHL ... OPFD_I16X8_SHR_U:
		return op_shift(f, 1, (int)(sub - OPFD_I16X8_SHL));
	case OPFD_I32X4_SHL ... OPFD_I32X4_SHR_U:
		return op_shift(f, 2, (int)(sub - OPFD_I32X4_SHL));
	case OPFD_I64X2_SHL ... OPFD_I64X2_SHR_U:
		return op_shift(f, 3, (int)(sub - OPFD_I64X2_SHL));
	case OPFD_I8X16_ADD_SAT_S: return bin(f, 0x66, P66(0xec));
	case OPFD_I8X16_ADD_SAT_U: return bin(f, 0x66, P66(0xdc));
	case OPFD_I8X16_SUB_SAT_S: return bin(f, 0x66, P66(0xe8));
	case OPFD_I8X16_SUB_SAT_U: return bin(f, 0x66, P66(0xd8));
	case OPFD_I16X8_ADD_SAT_S: return bin(f, 0x66, P66(0xed));
	case OPFD_I16X8_ADD_SAT_U: return bin(f, 0x66, P66(0xdd));
	case OPFD_I16X8_SUB_SAT_S: return bin(f, 0x66, P66(0xe9));
	case OPFD_I16X8_SUB_SAT_U: return bin(f, 0x66, P66(0xd9));
	case OPFD_I8X16_MIN_S: return bin(f, 0x66, P38(0x38));
	case OPFD_I8X16_MIN_U: return bin(f, 0x66, P66(0xda));
	case OPFD_I8X16_MAX_S: return bin(f, 0x66, P38(0x3c));
	case OPFD_I8X16_MAX_U: return bin(f, 0x66, P66(0xde));
	case OPFD_I16X8_MIN_S: return bin(f, 0x66, P66(0xea));
	case OPFD_I16X8_MIN_U: return bin(f, 0x66, P38(0x3a));
	case OPFD_I16X8_MAX_S: return bin(f, 0x66, P66(0xee));
	case OPFD_I16X8_MAX_U: return bin(f, 0x66, P38(0x3e));
	case OPFD_I32X4_MIN_S: return bin(f, 0x66, P38(0x39));
	case OPFD_I32X4_MIN_U: return bin(f, 0x66, P38(0x3b));
	case OPFD_I32X4_MAX_S: return bin(f, 0x66, P38(0x3d));
	case OPFD_I32X4_MAX_U: return bin(f, 0x66, P38(0x3f));
	case OPFD_I8X16_AVGR_U: return bin(f, 0x66, P66(0xe0));
	case OPFD_I16X8_AVGR_U: return bin(f, 0x66, P66(0xe3));
	case OPFD_I8X16_NARROW_I16X8_S: return bin(f, 0x66, P66(0x63));
	case OPFD_I8X16_NARROW_I16X8_U: return bin(f, 0x66, P66(0x67));
	case OPFD_I16X8_NARROW_I32X4_S: return bin(f, 0x66, P66(0x6b));
	case OPFD_I16X8_NARROW_I32X4_U: return bin(f, 0x66, P38(0x2b));
	case OPFD_I32X4_DOT_I16X8_S: return bin(f, 0x66, P66(0xf5));
	case OPFD_I16X8_EXTEND_LOW_I8X16_S ... OPFD_I16X8_EXTEND_HIGH_I8X16_U:
		return op_extend(f, 1, (sub - OPFD_I16X8_EXTEND_LOW_I8X16_S) & 1,
				 sub >= OPFD_I16X8_EXTEND_LOW_I8X16_U);
	case OPFD_I32X4_EXTEND_LOW_I16X8_S ... OPFD_I32X4_EXTEND_HIGH_I16X8_U:
		return op_extend(f, 2, (sub - OPFD_I32X4_EXTEND_LOW_I16X8_S) & 1,
				 sub >= OPFD_I32X4_EXTEND_LOW_I16X8_U);
	case OPFD_I64X2_EXTEND_LOW_I32X4_S ... OPFD_I64X2_EXTEND_HIGH_I32X4_U:
		return op_extend(f, 3, (sub - OPFD_I64X2_EXTEND_LOW_I32X4_S) & 1,
				 sub >= OPFD_I64X2_EXTEND_LOW_I32X4_U);
	case OPFD_I16X8_EXTMUL_LOW_I8X16_S ... OPFD_I16X8_EXTMUL_HIGH_I8X16_U:
		return op_extmul(f, 1, (sub - OPFD_I16X8_EXTMUL_LOW_I8X16_S) & 1,
				 sub >= OPFD_I16X8_EXTMUL_LOW_I8X16_U);
	case OPFD_I32X4_EXTMUL_LOW_I16X8_S ... OPFD_I32X4_EXTMUL_HIGH_I16X8_U:
		return op_extmul(f, 2, (sub - OPFD_I32X4_EXTMUL_LOW_I16X8_S) & 1,
				 sub >= OPFD_I32X4_EXTMUL_LOW_I16X8_U);
	case OPFD_I64X2_EXTMUL_LOW_I32X4_S ... OPFD_I64X2_EXTMUL_HIGH_I32X4_U:
		return op_extmul(f, 3, (sub - OPFD_I64X2_EXTMUL_LOW_I32X4_S) & 1,
				 sub >= OPFD_I64X2_EXTMUL_LOW_I32X4_U);
	case OPFD_I16X8_EXTADD_PAIRWISE_I8X16_S: return op_extadd(f, 1, false);
	case OPFD_I16X8_EXTADD_PAIRWISE_I8X16_U: return op_extadd(f, 1, true);
	case OPFD_I32X4_EXTADD_PAIRWISE_I16X8_S: return op_extadd(f, 2, false);
	case OPFD_I32X4_EXTADD_PAIRWISE_I16X8_U: return op_extadd(f, 2, true);
	case OPFD_I8X16_POPCNT: return op_popcnt(f);
	case OPFD_I8X16_SWIZZLE: return op_swizzle(f);
	case OPFD_F32X4_PMIN: return op_pminmax(f, false, false);
	case OPFD_F32X4_PMAX: return op_pminmax(f, false, true);
	case OPFD_F64X2_PMIN: return op_pminmax(f, true, false);
	case OPFD_F64X2_PMAX: return op_pminmax(f, true, true);
	case OPFD_F32X4_CEIL: return op_round(f, false, 2);
	case OPFD_F32X4_FLOOR: return op_round(f, false, 1);
	case OPFD_F32X4_TRUNC: return op_round(f, false, 3);
	case OPFD_F32X4_NEAREST: return op_round(f, false, 0);
	case OPFD_F64X2_CEIL: return op_round(f, true, 2);
	case OPFD_F64X2_FLOOR: return op_round(f, true, 1);
	case OPFD_F64X2_TRUNC: return op_round(f, true, 3);
	case OPFD_F64X2_NEAREST: return op_round(f, true, 0);
	case OPFD_F32X4_CONVERT_I32X4_S: return op_cvt(f, 0, 0x5b);
	case OPFD_F64X2_CONVERT_LOW_I32X4_S: return op_cvt(f, 0xf3, 0xe6);
	case OPFD_F32X4_DEMOTE_F64X2_ZERO: return op_cvt(f, 0x66, 0x5a);
	case OPFD_F64X2_PROMOTE_LOW_F32X4: return op_cvt(f, 0, 0x5a);
	case OPFD_I16X8_Q15MULR_SAT_S: return op_q15mulr(f);
	case OPFD_I64X2_GT_S: return op_i64_gt(f, false, false);
	case OPFD_I64X2_LT_S: return op_i64_gt(f, true, false);
	case OPFD_I64X2_LE_S: return op_i64_gt(f, false, true);
	case OPFD_I64X2_GE_S: return op_i64_gt(f, true, true);
	case OPFD_I32X4_TRUNC_SAT_F32X4_S: return op_trunc_sat_f32_s(f);
	case OPFD_I32X4_TRUNC_SAT_F32X4_U: return op_trunc_sat_f32_u(f);
	case OPFD_F32X4_CONVERT_I32X4_U: return op_convert_u32_f32(f);
	case OPFD_I32X4_TRUNC_SAT_F64X2_S_ZERO: return op_trunc_sat_f64(f, false);
	case OPFD_I32X4_TRUNC_SAT_F64X2_U_ZERO: return op_trunc_sat_f64(f, true);
	case OPFD_F64X2_CONVERT_LOW_I32X4_U: return op_convert_u32_f64(f);
	/* relaxed SIMD (docs/simd.md): swizzle as pshufb (a[s & 15], 0 when
	 * s >= 128); min/max as minps/maxps (a < b ? a : b, a > b ? a : b:
	 * b for NaNs and zeros of either sign); q15mulr as pmulhrsw
	 * (-32768 * -32768 = -32768); the i16x8 dot as pmaddubsw with b
	 * unsigned */
	case OPFD_I8X16_RELAXED_SWIZZLE: return bin(f, 0x66, P38(0x00));
	case OPFD_I32X4_RELAXED_TRUNC_F32X4_S: return op_trunc_sat_f32_s(f);
	case OPFD_I32X4_RELAXED_TRUNC_F32X4_U: return op_trunc_sat_f32_u(f);
	case OPFD_I32X4_RELAXED_TRUNC_F64X2_S_ZERO: return op_trunc_sat_f64(f, false);
	case OPFD_I32X4_RELAXED_TRUNC_F64X2_U_ZERO: return op_trunc_sat_f64(f, true);
	case OPFD_F32X4_RELAXED_MADD: return op_madd(f, false, false);
	case OPFD_F32X4_RELAXED_NMADD: return op_madd(f, false, true);
	case OPFD_F64X2_RELAXED_MADD: return op_madd(f, true, false);
	case OPFD_F64X2_RELAXED_NMADD: return op_madd(f, true, true);
	case OPFD_I8X16_RELAXED_LANESELECT ... OPFD_I64X2_RELAXED_LANESELECT:
		return op_bitselect(f);
	case OPFD_F32X4_RELAXED_MIN: return bin(f, 0, X64_OP2(0x0f, 0x5d));
	case OPFD_F32X4_RELAXED_MAX: return bin(f, 0, X64_OP2(0x0f, 0x5f));
	case OPFD_F64X2_RELAXED_MIN: return bin(f, 0x66, X64_OP2(0x0f, 0x5d));
	case OPFD_F64X2_RELAXED_MAX: return bin(f, 0x66, X64_OP2(0x0f, 0x5f));
	case OPFD_I16X8_RELAXED_Q15MULR_S: return bin(f, 0x66, P38(0x0b));
	case OPFD_I16X8_RELAXED_DOT_I8X16_I7X16_S:
		return bin_swapped(f, 0x66, P38(0x04), false);
	case OPFD_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S: return op_dot_add(f);
	case OPFD_F32X4_RELAXED_DOT_BF16X8_ADD_F32X4: return op_dot_bf16(f);
	}
	return fc_fail(f, unsupported[sub]);
}

/* Is sub compiled here?  (Asked before anything is emitted, so that an
 * instruction not compiled yet is refused, in reachable code and dead.) */
/* 0xfd: the sub-opcode, its immediates (validated), its code */
bool fc_op_simd(struct fc *f)
{
	uint32_t sub, align = 0, mem = 0;
	uint64_t offset = 0;
	uint8_t lane = 0, lanes16[16];
	struct wasm_fd_opinfo o64;

	if (!rd_u32(f, &sub))
		return false;
	if (sub >= OPFD__COUNT || !wasm_fd_opinfo[sub].name)
		return fc_fail(f, "illegal opcode");
	const struct wasm_fd_opinfo *o = &wasm_fd_opinfo[sub];
	if (!f->wide)   /* the look-ahead (pins.c) marks every 0xfd body */
		return fc_fail(f, "SIMD instruction in a body the look-ahead missed (compiler bug)");
	switch (o->imm) {
	case OPI_MEMARG: case OPI_MEMLANE:
		if (!fc_rd_memarg(f, &align, &mem, &offset))
			return false;
		if (align >= 32 || (1u << align) > o->n)
			return fc_fail(f, "alignment must not be larger than natural");
		if (fc_mem_is64(f, mem)) {      /* memory64: an i64 address */
			o64 = *o;
			o64.sig[0] = I64;
			o = &o64;
		}
		if (o->imm == OPI_MEMARG)
			break;
		__attribute__((fallthrough));  /* then the lane */
	case OPI_LANE: {
		uint32_t lanes = o->imm == OPI_LANE ? o->n : 16u / o->n;
		if (!rd_u8(f, &lane))
			return false;
		if (lane >= lanes)
			return fc_fail(f, "invalid lane index");
		break;
	}
	case OPI_BYTES16:
		if (sub == OPFD_V128_CONST)
			return op_const(f);
		for (int i = 0; i < 16; i++) {         /* i8x16.shuffle's lanes */
			if (!rd_u8(f, &lanes16[i]))
				return false;
			if (lanes16[i] >= 32)
				return fc_fail(f, "invalid lane index");
		}
		break;
	}
	if (!operands_there(f, o))
		return validate_only(f, o);
	if (sub == OPFD_I8X16_SHUFFLE)
		return op_shuffle(f, lanes16);
	return compile_fd(f, sub, offset, lane, mem);
}
