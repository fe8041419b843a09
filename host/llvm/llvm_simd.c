/*
 * llvm_simd.c — fixed-width SIMD (Core spec 2.0 §4.3.3 vector numerics,
 * §4.4.3 vector instructions, binary §5.4.8: the 0xfd table of
 * jit/opcodes.h) in the LLVM backend, with the semantics of the
 * single-pass JIT (jit/compile/simd.c), which is the reference.
 *
 * A v128 is an LLVM <2 x i64> wherever it is stored or passed (s->v128:
 * the stack, locals, params, results, phis); an instruction bitcasts it to
 * its lane shape (<16 x i8>, <8 x i16>, <4 x i32>, <4 x float>, <2 x
 * double>) and back.  Where LLVM's operation differs from Wasm's the Wasm
 * rule is spelled out, as in llvm_num.c: shift counts modulo the lane
 * width, float min/max with NaN and signed zeros, saturating narrowing
 * and truncation, swizzle's out-of-range lanes; arithmetic that must
 * quiet a signaling NaN uses the constrained intrinsics (llvm_num.c says
 * why).  Memory accesses go through llvm_mem.c (volatile, align 1, the
 * guard regions).  Every Wasm 2.0 SIMD instruction is here, and the
 * relaxed SIMD proposal's (0x100..0x114) with the results docs/simd.md
 * fixed; any other 0xfd opcode is refused by number, "llvm backend: 0xfd
 * 277 not supported yet", never miscompiled.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "lw.h"
#include "jit.h"
#include "wasm.h"
#include "opcodes.h"

bool lw_type_has_v128(const struct wasm_functype *ft)
{
	for (uint32_t i = 0; i < ft->nparams; i++)
		if (ft->params[i] == WASM_V128)
			return true;
	for (uint32_t i = 0; i < ft->nresults; i++)
		if (ft->results[i] == WASM_V128)
			return true;
	return false;
}

/* ---- shapes and helpers ------------------------------------------------ */

/* lane shape k: 0 i8x16, 1 i16x8, 2 i32x4, 3 i64x2, 4 f32x4, 5 f64x2 */
static LLVMTypeRef shape(struct lw *s, unsigned k)
{
	LLVMTypeRef t[6] = { s->v16i8, s->v8i16, s->v4i32, s->v128, s->v4f32, s->v2f64 };

	return t[k];
}

static LLVMValueRef cast(struct lw *s, LLVMValueRef v, LLVMTypeRef t)
{
	return LLVMTypeOf(v) == t ? v : LLVMBuildBitCast(s->b, v, t, "");
}

static LLVMValueRef pop_as(struct lw *s, LLVMTypeRef t)
{
	return cast(s, lw_pop(s), t);
}

static bool push_v(struct lw *s, LLVMValueRef v)
{
	lw_push(s, cast(s, v, s->v128));
	return true;
}

static unsigned lanes(LLVMTypeRef t)
{
	return LLVMGetVectorSize(t);
}

static LLVMTypeRef elem(LLVMTypeRef t)
{
	return LLVMGetElementType(t);
}

static LLVMValueRef ci(LLVMTypeRef t, uint64_t v)
{
	return LLVMConstInt(t, v, false);
}

/* "v16i8", "v4f32", ...: an intrinsic's overload suffix for t */
static void vsuf(struct lw *s, LLVMTypeRef t, char *buf, size_t len)
{
	LLVMTypeRef e = elem(t);

	if (e == s->f32 || e == s->f64)
		snprintf(buf, len, "v%uf%u", lanes(t), e == s->f32 ? 32 : 64);
	else
		snprintf(buf, len, "v%ui%u", lanes(t), LLVMGetIntTypeWidth(e));
}

/* llvm.<base>.<suffix of a's type>(a[, b][, c]) of a's type */
static LLVMValueRef vintr(struct lw *s, const char *base, LLVMValueRef a, LLVMValueRef b,
			  LLVMValueRef c)
{
	char name[64], suf[16];
	LLVMValueRef args[3] = { a, b, c };

	vsuf(s, LLVMTypeOf(a), suf, sizeof suf);
	snprintf(name, sizeof name, "llvm.%s.%s", base, suf);
	return lw_intrinsic(s, name, LLVMTypeOf(a), args, !b ? 1 : !c ? 2 : 3);
}

/* every lane of vector type t the scalar x */
static LLVMValueRef splat(struct lw *s, LLVMTypeRef t, LLVMValueRef x)
{
	LLVMValueRef v = LLVMBuildInsertElement(s->b, LLVMGetUndef(t), x, ci(s->i32, 0), "");
	LLVMValueRef zero = LLVMConstNull(LLVMVectorType(s->i32, lanes(t)));

	return LLVMBuildShuffleVector(s->b, v, LLVMGetUndef(t), zero, "");
}

/* shufflevector(a, b) with lanes idx[0..n) (each < 2 * lanes of a) */
static LLVMValueRef shuffle(struct lw *s, LLVMValueRef a, LLVMValueRef b, const unsigned *idx,
			    unsigned n)
{
	LLVMValueRef m[32];

	for (unsigned i = 0; i < n; i++)
		m[i] = ci(s->i32, idx[i]);
	return LLVMBuildShuffleVector(s->b, a, b ? b : LLVMGetUndef(LLVMTypeOf(a)),
				      LLVMConstVector(m, n), "");
}

/* lanes first, first + step, ... (n of them) of a */
static LLVMValueRef pick(struct lw *s, LLVMValueRef a, unsigned first, unsigned step,
			 unsigned n)
{
	unsigned idx[16];

	for (unsigned i = 0; i < n; i++)
		idx[i] = first + i * step;
	return shuffle(s, a, NULL, idx, n);
}

/* the low (hi = 0) or high half of a, each lane extended to twice its
 * width (sx: signed) */
static LLVMValueRef extend_half(struct lw *s, LLVMValueRef a, bool hi, bool sx)
{
	unsigned n = lanes(LLVMTypeOf(a)) / 2;
	LLVMTypeRef wt = LLVMVectorType(LLVMIntTypeInContext(s->c,
		2 * LLVMGetIntTypeWidth(elem(LLVMTypeOf(a)))), n);
	LLVMValueRef h = pick(s, a, hi ? n : 0, 1, n);

	return sx ? LLVMBuildSExt(s->b, h, wt, "") : LLVMBuildZExt(s->b, h, wt, "");
}

/* a <n x i1> as all-ones/zero lanes of vector type t */
static LLVMValueRef mask_of(struct lw *s, LLVMValueRef b, LLVMTypeRef t)
{
	return LLVMBuildSExt(s->b, b, t, "");
}

static LLVMValueRef fp_md(struct lw *s, const char *str)
{
	return LLVMMetadataAsValue(s->c, LLVMMDStringInContext2(s->c, str, strlen(str)));
}

/* fadd, fsub, fmul, fdiv as constrained intrinsics: a signaling NaN is
 * quieted, not folded through x - 0 or x * 1 (llvm_num.c) */
static LLVMValueRef fp_strict(struct lw *s, const char *op, LLVMValueRef a, LLVMValueRef b)
{
	LLVMValueRef args[4] = { a, b, fp_md(s, "round.tonearest"),
				 fp_md(s, "fpexcept.strict") };
	char name[80], suf[16];

	vsuf(s, LLVMTypeOf(a), suf, sizeof suf);
	snprintf(name, sizeof name, "llvm.experimental.constrained.%s.%s", op, suf);
	return lw_intrinsic(s, name, LLVMTypeOf(a), args, 4);
}

/* ---- memory ------------------------------------------------------------- */

static LLVMValueRef load(struct lw *s, LLVMTypeRef t)
{
	LLVMValueRef p = lw_mem_addr(s, t);

	return p ? lw_mem_access(LLVMBuildLoad2(s->b, t, p, "")) : NULL;
}

static bool read_lane(struct lw *s, LLVMTypeRef t, unsigned *lane)
{
	uint8_t l;

	if (!wasm_read_u8(&s->r, &l) || l >= lanes(t))
		return lw_fail(s, "llvm backend: bad lane index");
	*lane = l;
	return true;
}

static bool op_mem(struct lw *s, uint32_t sub)
{
	/* per sub-opcode 0x54..0x5b: the lane shape (load and store) */
	static const unsigned lane_shape[4] = { 0, 1, 2, 3 };
	LLVMValueRef v, x, p;
	LLVMTypeRef t;
	unsigned lane;

	switch (sub) {
	case OPFD_V128_LOAD:
		if (!(v = load(s, s->v128)))
			break;
		return push_v(s, v);
	case OPFD_V128_LOAD8X8_S: case OPFD_V128_LOAD8X8_U:
	case OPFD_V128_LOAD16X4_S: case OPFD_V128_LOAD16X4_U:
	case OPFD_V128_LOAD32X2_S: case OPFD_V128_LOAD32X2_U: {
		unsigned k = (sub - OPFD_V128_LOAD8X8_S) / 2;   /* 0 i8, 1 i16, 2 i32 */
		bool sx = !((sub - OPFD_V128_LOAD8X8_S) & 1);
		LLVMTypeRef nt = LLVMVectorType(elem(shape(s, k)), 8 >> k);
		if (!(v = load(s, nt)))
			break;
		return push_v(s, sx ? LLVMBuildSExt(s->b, v, shape(s, k + 1), "")
				    : LLVMBuildZExt(s->b, v, shape(s, k + 1), ""));
	}
	case OPFD_V128_LOAD8_SPLAT: case OPFD_V128_LOAD16_SPLAT:
	case OPFD_V128_LOAD32_SPLAT: case OPFD_V128_LOAD64_SPLAT:
		t = shape(s, sub - OPFD_V128_LOAD8_SPLAT);
		if (!(x = load(s, elem(t))))
			break;
		return push_v(s, splat(s, t, x));
	case OPFD_V128_STORE:
		v = pop_as(s, s->v128);
		if (!(p = lw_mem_addr(s, s->v128)))
			break;
		lw_mem_access(LLVMBuildStore(s->b, v, p));
		return true;
	case OPFD_V128_LOAD32_ZERO: case OPFD_V128_LOAD64_ZERO:
		t = shape(s, sub == OPFD_V128_LOAD32_ZERO ? 2 : 3);
		if (!(x = load(s, elem(t))))
			break;
		return push_v(s, LLVMBuildInsertElement(s->b, LLVMConstNull(t), x,
							ci(s->i32, 0), ""));
	case OPFD_V128_LOAD8_LANE: case OPFD_V128_LOAD16_LANE:
	case OPFD_V128_LOAD32_LANE: case OPFD_V128_LOAD64_LANE:
		t = shape(s, lane_shape[sub - OPFD_V128_LOAD8_LANE]);
		v = pop_as(s, t);
		if (!(x = load(s, elem(t))))
			break;
		if (!read_lane(s, t, &lane))
			return false;
		return push_v(s, LLVMBuildInsertElement(s->b, v, x, ci(s->i32, lane), ""));
	case OPFD_V128_STORE8_LANE: case OPFD_V128_STORE16_LANE:
	case OPFD_V128_STORE32_LANE: case OPFD_V128_STORE64_LANE:
		t = shape(s, lane_shape[sub - OPFD_V128_STORE8_LANE]);
		v = pop_as(s, t);
		if (!(p = lw_mem_addr(s, elem(t))))
			break;
		if (!read_lane(s, t, &lane))
			return false;
		lw_mem_access(LLVMBuildStore(s->b, LLVMBuildExtractElement(s->b, v,
			ci(s->i32, lane), ""), p));
		return true;
	default:
		return lw_unsupported(s, wasm_fd_opinfo[sub].name);
	}
	return lw_fail(s, "llvm backend: bad memarg");
}

/* ---- constants, lanes, shuffles ---------------------------------------- */

static bool op_const(struct lw *s)
{
	uint8_t b;
	uint64_t w[2] = { 0, 0 };
	LLVMValueRef v[2];

	for (unsigned i = 0; i < 16; i++) {
		if (!wasm_read_u8(&s->r, &b))
			return lw_fail(s, "llvm backend: bad v128.const");
		w[i / 8] |= (uint64_t)b << (8 * (i % 8));       /* little-endian */
	}
	v[0] = ci(s->i64, w[0]);
	v[1] = ci(s->i64, w[1]);
	return push_v(s, LLVMConstVector(v, 2));
}

static bool op_shuffle(struct lw *s)
{
	unsigned idx[16];
	uint8_t l;
	LLVMValueRef b = pop_as(s, s->v16i8), a = pop_as(s, s->v16i8);

	for (unsigned i = 0; i < 16; i++) {
		if (!wasm_read_u8(&s->r, &l) || l >= 32)
			return lw_fail(s, "llvm backend: bad shuffle lane");
		idx[i] = l;
	}
	return push_v(s, shuffle(s, a, b, idx, 16));
}

/* Swizzle lane by lane (no SSSE3): lane i = a[idx[i] & 15] where idx[i]
 * (unsigned) < bound, else 0 -- 16 for i8x16.swizzle, 128 for
 * relaxed_swizzle (pshufb's rule) */
static LLVMValueRef swizzle_lanes(struct lw *s, LLVMValueRef a, LLVMValueRef idx,
				  unsigned bound)
{
	LLVMValueRef r = LLVMConstNull(s->v16i8);

	for (unsigned i = 0; i < 16; i++) {
		LLVMValueRef k = LLVMBuildExtractElement(s->b, idx, ci(s->i32, i), "");
		LLVMValueRef x = LLVMBuildExtractElement(s->b, a,
			LLVMBuildAnd(s->b, k, ci(s->i8, 15), ""), "");
		x = LLVMBuildSelect(s->b, LLVMBuildICmp(s->b, LLVMIntULT, k, ci(s->i8, bound), ""),
				    x, ci(s->i8, 0), "");
		r = LLVMBuildInsertElement(s->b, r, x, ci(s->i32, i), "");
	}
	return r;
}

/* i8x16.swizzle: lane i = a[idx[i]], 0 where idx[i] >= 16.  With SSSE3
 * (in JIT_CPU_SSE41): pshufb, with every out-of-range index's top bit set
 * (pshufb zeroes those lanes; it would take 16..127 modulo 16); without,
 * lane by lane. */
static bool op_swizzle(struct lw *s)
{
	LLVMValueRef idx = pop_as(s, s->v16i8), a = pop_as(s, s->v16i8);
	LLVMValueRef big = LLVMBuildICmp(s->b, LLVMIntUGT, idx, splat(s, s->v16i8,
					 ci(s->i8, 15)), "");

	if (s->cpu & JIT_CPU_SSE41) {
		LLVMValueRef args[2] = { a, LLVMBuildOr(s->b, idx, mask_of(s, big, s->v16i8), "") };
		return push_v(s, lw_intrinsic(s, "llvm.x86.ssse3.pshuf.b.128", s->v16i8,
					      args, 2));
	}
	return push_v(s, swizzle_lanes(s, a, idx, 16));
}

static bool op_splat(struct lw *s, uint32_t sub)
{
	LLVMTypeRef t = shape(s, sub - OPFD_I8X16_SPLAT);
	LLVMValueRef x = lw_pop(s);

	if (LLVMTypeOf(x) != elem(t))           /* i8x16, i16x8: the low bits */
		x = LLVMBuildTrunc(s->b, x, elem(t), "");
	return push_v(s, splat(s, t, x));
}

static bool op_lane(struct lw *s, uint32_t sub)
{
	/* 0x15..0x22: i8 _s _u replace, i16 _s _u replace, then extract and
	   replace of i32, i64, f32, f64 */
	static const uint8_t k_of[14] = { 0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5 };
	unsigned i = sub - OPFD_I8X16_EXTRACT_LANE_S, lane;
	LLVMTypeRef t = shape(s, k_of[i]);
	bool replace = i < 6 ? i % 3 == 2 : i % 2 == 1;
	LLVMValueRef v, x;

	if (!read_lane(s, t, &lane))
		return false;
	if (replace) {
		x = lw_pop(s);
		if (LLVMTypeOf(x) != elem(t))
			x = LLVMBuildTrunc(s->b, x, elem(t), "");
		v = pop_as(s, t);
		return push_v(s, LLVMBuildInsertElement(s->b, v, x, ci(s->i32, lane), ""));
	}
	x = LLVMBuildExtractElement(s->b, pop_as(s, t), ci(s->i32, lane), "");
	if (i < 6)
		x = i % 3 == 0 ? LLVMBuildSExt(s->b, x, s->i32, "") : LLVMBuildZExt(s->b, x, s->i32, "");
	lw_push(s, x);
	return true;
}

/* ---- compares, bitwise -------------------------------------------------- */

static bool op_compare(struct lw *s, uint32_t sub)
{
	static const LLVMIntPredicate ip[10] = {
		LLVMIntEQ, LLVMIntNE, LLVMIntSLT, LLVMIntULT, LLVMIntSGT,
		LLVMIntUGT, LLVMIntSLE, LLVMIntULE, LLVMIntSGE, LLVMIntUGE };
	/* i64x2: eq ne lt_s gt_s le_s ge_s */
	static const LLVMIntPredicate ip64[6] = {
		LLVMIntEQ, LLVMIntNE, LLVMIntSLT, LLVMIntSGT, LLVMIntSLE, LLVMIntSGE };
	/* ordered (false with a NaN) but ne: unordered */
	static const LLVMRealPredicate fp[6] = {
		LLVMRealOEQ, LLVMRealUNE, LLVMRealOLT, LLVMRealOGT, LLVMRealOLE, LLVMRealOGE };
	unsigned k, i;
	LLVMTypeRef t;
	LLVMValueRef a, b, c;

	if (sub >= OPFD_I64X2_EQ) {
		k = 3;
		i = sub - OPFD_I64X2_EQ;
	} else if (sub >= OPFD_F32X4_EQ) {
		k = sub >= OPFD_F64X2_EQ ? 5 : 4;
		i = sub - (k == 5 ? OPFD_F64X2_EQ : OPFD_F32X4_EQ);
	} else {
		k = (sub - OPFD_I8X16_EQ) / 10;
		i = (sub - OPFD_I8X16_EQ) % 10;
	}
	t = shape(s, k);
	b = pop_as(s, t);
	a = pop_as(s, t);
	if (k >= 4)
		c = LLVMBuildFCmp(s->b, fp[i], a, b, "");
	else
		c = LLVMBuildICmp(s->b, k == 3 ? ip64[i] : ip[i], a, b, "");
	return push_v(s, mask_of(s, c, shape(s, k == 4 ? 2 : k == 5 ? 3 : k)));
}

static bool op_bitwise(struct lw *s, uint32_t sub)
{
	LLVMValueRef a, b, c;

	if (sub == OPFD_V128_NOT)
		return push_v(s, LLVMBuildNot(s->b, pop_as(s, s->v128), ""));
	if (sub == OPFD_V128_ANY_TRUE) {
		LLVMTypeRef i128 = LLVMIntTypeInContext(s->c, 128);
		a = LLVMBuildBitCast(s->b, lw_pop(s), i128, "");
		lw_push(s, LLVMBuildZExt(s->b, LLVMBuildICmp(s->b, LLVMIntNE, a,
			LLVMConstNull(i128), ""), s->i32, ""));
		return true;
	}
	if (sub == OPFD_V128_BITSELECT) {       /* (v1 & c) | (v2 & ~c) */
		c = pop_as(s, s->v128);
		b = pop_as(s, s->v128);
		a = pop_as(s, s->v128);
		return push_v(s, LLVMBuildOr(s->b, LLVMBuildAnd(s->b, a, c, ""),
			LLVMBuildAnd(s->b, b, LLVMBuildNot(s->b, c, ""), ""), ""));
	}
	b = pop_as(s, s->v128);
	a = pop_as(s, s->v128);
	switch (sub) {
	case OPFD_V128_AND: return push_v(s, LLVMBuildAnd(s->b, a, b, ""));
	case OPFD_V128_ANDNOT:
		return push_v(s, LLVMBuildAnd(s->b, a, LLVMBuildNot(s->b, b, ""), ""));
	case OPFD_V128_OR: return push_v(s, LLVMBuildOr(s->b, a, b, ""));
	default: return push_v(s, LLVMBuildXor(s->b, a, b, ""));
	}
}

/* ---- integer lanes ------------------------------------------------------ */

/* Narrowing (i8x16.narrow_i16x8_*, i16x8.narrow_i32x4_*): the lanes of a
 * then b, each clamped to the narrow type's range (signed or unsigned)
 * and truncated. */
static LLVMValueRef narrow(struct lw *s, unsigned k, bool sx)
{
	LLVMTypeRef wt = shape(s, k + 1);
	LLVMValueRef b = pop_as(s, wt), a = pop_as(s, wt), v;
	unsigned n = 2 * lanes(wt), bits = LLVMGetIntTypeWidth(elem(shape(s, k))), idx[16];
	LLVMTypeRef ct;
	uint64_t lo = sx ? (uint64_t)-(1ll << (bits - 1)) : 0;
	uint64_t hi = sx ? (1ull << (bits - 1)) - 1 : (1ull << bits) - 1;

	for (unsigned i = 0; i < n; i++)
		idx[i] = i;
	v = shuffle(s, a, b, idx, n);
	ct = LLVMTypeOf(v);
	v = vintr(s, "smax", v, splat(s, ct, ci(elem(ct), lo)), NULL);
	v = vintr(s, "smin", v, splat(s, ct, ci(elem(ct), hi)), NULL);
	return LLVMBuildTrunc(s->b, v, shape(s, k), "");
}

/* shl, shr_s, shr_u (which 0..2): the count modulo the lane width */
static LLVMValueRef shift(struct lw *s, unsigned k, unsigned which)
{
	LLVMTypeRef t = shape(s, k), e = elem(t);
	unsigned bits = LLVMGetIntTypeWidth(e);
	LLVMValueRef n = LLVMBuildAnd(s->b, lw_pop(s), ci(s->i32, bits - 1), "");
	LLVMValueRef a = pop_as(s, t), c;

	n = bits < 32 ? LLVMBuildTrunc(s->b, n, e, "") :
	    bits > 32 ? LLVMBuildZExt(s->b, n, e, "") : n;
	c = splat(s, t, n);
	return which == 0 ? LLVMBuildShl(s->b, a, c, "") :
	       which == 1 ? LLVMBuildAShr(s->b, a, c, "") : LLVMBuildLShr(s->b, a, c, "");
}

/* the lane type twice as wide, as many lanes as t */
static LLVMTypeRef wide_of(struct lw *s, LLVMTypeRef t)
{
	return LLVMVectorType(LLVMIntTypeInContext(s->c, 2 * LLVMGetIntTypeWidth(elem(t))),
			      lanes(t));
}

/* avgr_u: (a + b + 1) / 2 without overflow */
static LLVMValueRef avgr(struct lw *s, LLVMTypeRef t, LLVMValueRef a, LLVMValueRef b)
{
	LLVMTypeRef wt = wide_of(s, t);
	LLVMValueRef r = LLVMBuildAdd(s->b, LLVMBuildZExt(s->b, a, wt, ""),
				      LLVMBuildZExt(s->b, b, wt, ""), "");

	r = LLVMBuildAdd(s->b, r, splat(s, wt, ci(elem(wt), 1)), "");
	r = LLVMBuildLShr(s->b, r, splat(s, wt, ci(elem(wt), 1)), "");
	return LLVMBuildTrunc(s->b, r, t, "");
}

/* i16x8.q15mulr_sat_s: (a * b + 0x4000) >> 15 (arithmetic), saturated
 * (only -0x8000 * -0x8000 overflows: to 0x7fff) */
static LLVMValueRef q15mulr(struct lw *s, LLVMValueRef a, LLVMValueRef b)
{
	LLVMTypeRef wt = wide_of(s, s->v8i16);
	LLVMValueRef r = LLVMBuildMul(s->b, LLVMBuildSExt(s->b, a, wt, ""),
				      LLVMBuildSExt(s->b, b, wt, ""), "");

	r = LLVMBuildAdd(s->b, r, splat(s, wt, ci(s->i32, 0x4000)), "");
	r = LLVMBuildAShr(s->b, r, splat(s, wt, ci(s->i32, 15)), "");
	r = vintr(s, "smin", r, splat(s, wt, ci(s->i32, 0x7fff)), NULL);
	return LLVMBuildTrunc(s->b, r, s->v8i16, "");
}

/* all_true (which 0) and bitmask (1) of shape k */
static bool op_test(struct lw *s, unsigned k, unsigned which)
{
	LLVMTypeRef t = shape(s, k);
	LLVMValueRef a = pop_as(s, t), c;
	LLVMTypeRef it = LLVMIntTypeInContext(s->c, lanes(t));

	if (which == 0) {
		c = LLVMBuildICmp(s->b, LLVMIntNE, a, LLVMConstNull(t), "");
		c = LLVMBuildICmp(s->b, LLVMIntEQ, LLVMBuildBitCast(s->b, c, it, ""),
				  LLVMConstAllOnes(it), "");
	} else {
		c = LLVMBuildICmp(s->b, LLVMIntSLT, a, LLVMConstNull(t), "");
		c = LLVMBuildBitCast(s->b, c, it, "");
	}
	lw_push(s, LLVMBuildZExt(s->b, c, s->i32, ""));
	return true;
}

/* The ops of one integer shape k (0 i8x16 .. 3 i64x2), at offset i of its
 * block of 32 sub-opcodes (0x60, 0x80, 0xa0, 0xc0): the ones the blocks
 * share (dispatch took the others out before).  False, having popped
 * nothing, for an offset it does not know. */
static bool int_op(struct lw *s, unsigned k, unsigned i)
{
	static const char *const sat[6] = { NULL, "sadd.sat", "uadd.sat", NULL,
					    "ssub.sat", "usub.sat" };
	static const char *const mm[4] = { "smin", "umin", "smax", "umax" };
	LLVMTypeRef t = shape(s, k);
	LLVMValueRef a, b;

	switch (i) {
	case 0x00:      /* abs: INT_MIN stays INT_MIN */
		return push_v(s, vintr(s, "abs", pop_as(s, t), LLVMConstInt(s->i1, 0, false),
				       NULL));
	case 0x01:
		return push_v(s, LLVMBuildSub(s->b, LLVMConstNull(t), pop_as(s, t), ""));
	case 0x03: return op_test(s, k, 0);
	case 0x04: return op_test(s, k, 1);
	case 0x0b: case 0x0c: case 0x0d:
		return push_v(s, shift(s, k, i - 0x0b));
	}
	if (i >= 0x0e && i <= 0x13 && (k <= 1 || i == 0x0e || i == 0x11)) {
		b = pop_as(s, t);       /* (no i32x4/i64x2 saturating ops) */
		a = pop_as(s, t);
		if (i == 0x0e)
			return push_v(s, LLVMBuildAdd(s->b, a, b, ""));
		if (i == 0x11)
			return push_v(s, LLVMBuildSub(s->b, a, b, ""));
		return push_v(s, vintr(s, sat[i - 0x0e], a, b, NULL));
	}
	if (i == 0x15 && k >= 1) {
		b = pop_as(s, t);
		a = pop_as(s, t);
		return push_v(s, LLVMBuildMul(s->b, a, b, ""));
	}
	if (i >= 0x16 && i <= 0x19 && k <= 2) {
		b = pop_as(s, t);
		a = pop_as(s, t);
		return push_v(s, vintr(s, mm[i - 0x16], a, b, NULL));
	}
	if (i == 0x1b && k <= 1) {
		b = pop_as(s, t);
		a = pop_as(s, t);
		return push_v(s, avgr(s, t, a, b));
	}
	if (i >= 0x07 && i <= 0x0a && k >= 1) {         /* extend_{low,high}_*_{s,u} */
		a = pop_as(s, shape(s, k - 1));
		return push_v(s, extend_half(s, a, i == 0x08 || i == 0x0a, i <= 0x08));
	}
	if (i >= 0x1c && i <= 0x1f && k >= 1) {                      /* extmul_{low,high}_*_{s,u} */
		bool hi = i == 0x1d || i == 0x1f, sx = i <= 0x1d;
		b = pop_as(s, shape(s, k - 1));
		a = pop_as(s, shape(s, k - 1));
		return push_v(s, LLVMBuildMul(s->b, extend_half(s, a, hi, sx),
					      extend_half(s, b, hi, sx), ""));
	}
	if ((i == 0x05 || i == 0x06) && k <= 1)
		return push_v(s, narrow(s, k, i == 0x05));
	return false;
}

/* extadd_pairwise (0x7c..0x7f): lanes 2i and 2i+1 extended and added */
static bool op_extadd(struct lw *s, uint32_t sub)
{
	unsigned k = sub <= OPFD_I16X8_EXTADD_PAIRWISE_I8X16_U ? 0 : 1;
	bool sx = !((sub - OPFD_I16X8_EXTADD_PAIRWISE_I8X16_S) & 1);
	LLVMTypeRef t = shape(s, k), wt = shape(s, k + 1);
	LLVMValueRef a = pop_as(s, t);
	LLVMValueRef e = pick(s, a, 0, 2, lanes(wt)), o = pick(s, a, 1, 2, lanes(wt));

	e = sx ? LLVMBuildSExt(s->b, e, wt, "") : LLVMBuildZExt(s->b, e, wt, "");
	o = sx ? LLVMBuildSExt(s->b, o, wt, "") : LLVMBuildZExt(s->b, o, wt, "");
	return push_v(s, LLVMBuildAdd(s->b, e, o, ""));
}

/* i32x4.dot_i16x8_s: products of signed lanes, pairs added (wrapping) */
static bool op_dot(struct lw *s)
{
	LLVMTypeRef wt = wide_of(s, s->v8i16);
	LLVMValueRef b = LLVMBuildSExt(s->b, pop_as(s, s->v8i16), wt, "");
	LLVMValueRef a = LLVMBuildSExt(s->b, pop_as(s, s->v8i16), wt, "");
	LLVMValueRef p = LLVMBuildMul(s->b, a, b, "");

	return push_v(s, LLVMBuildAdd(s->b, pick(s, p, 0, 2, 4), pick(s, p, 1, 2, 4), ""));
}

/* ---- float lanes -------------------------------------------------------- */

/* Wasm min/max lane by lane (llvm_num.c fminmax): a NaN gives a NaN (a + b
 * quiets it), equal operands (+0, -0) OR (min) or AND (max) their bits */
static LLVMValueRef fminmax(struct lw *s, bool is_max, LLVMValueRef a, LLVMValueRef b)
{
	LLVMTypeRef t = LLVMTypeOf(a), it = shape(s, t == s->v4f32 ? 2 : 3);
	LLVMValueRef uno = LLVMBuildFCmp(s->b, LLVMRealUNO, a, b, "");
	LLVMValueRef eq = LLVMBuildFCmp(s->b, LLVMRealOEQ, a, b, "");
	LLVMValueRef lt = LLVMBuildFCmp(s->b, is_max ? LLVMRealOGT : LLVMRealOLT, a, b, "");
	LLVMValueRef ai = cast(s, a, it), bi = cast(s, b, it);
	LLVMValueRef eqv = cast(s, is_max ? LLVMBuildAnd(s->b, ai, bi, "")
					  : LLVMBuildOr(s->b, ai, bi, ""), t);
	LLVMValueRef r = LLVMBuildSelect(s->b, lt, a, b, "");

	r = LLVMBuildSelect(s->b, eq, eqv, r, "");
	return LLVMBuildSelect(s->b, uno, LLVMBuildFAdd(s->b, a, b, ""), r, "");
}

/* ceil, floor, trunc, nearest (k 0..3): roundps/roundpd with SSE4.1
 * (nearest: nearbyint, MXCSR at round-to-nearest-even in v1); without it
 * lane by lane through ctx->rt->round32/round64 (llvm_num.c: no libm) */
static LLVMValueRef fround(struct lw *s, unsigned k, LLVMValueRef a)
{
	static const char *const intr[4] = { "ceil", "floor", "trunc", "nearbyint" };
	static const int mode[4] = { 2, 1, 3, 0 };      /* jit_rt's */
	LLVMTypeRef t = LLVMTypeOf(a), e = elem(t);
	LLVMTypeRef at[2] = { e, s->i32 };
	LLVMValueRef r = a;

	if (s->cpu & JIT_CPU_SSE41)
		return vintr(s, intr[k], a, NULL, NULL);
	for (unsigned i = 0; i < lanes(t); i++) {
		LLVMValueRef args[2] = { LLVMBuildExtractElement(s->b, a, ci(s->i32, i), ""),
					 ci(s->i32, (unsigned)mode[k]) };
		LLVMValueRef x = lw_rt_call(s, e == s->f32 ? offsetof(struct jit_rt, round32)
						       : offsetof(struct jit_rt, round64),
					   e, at, args, 2);
		r = LLVMBuildInsertElement(s->b, r, x, ci(s->i32, i), "");
	}
	return r;
}

static bool op_round(struct lw *s, uint32_t sub)
{
	unsigned k;
	bool f64 = true;

	switch (sub) {
	case OPFD_F32X4_CEIL: k = 0; f64 = false; break;
	case OPFD_F32X4_FLOOR: k = 1; f64 = false; break;
	case OPFD_F32X4_TRUNC: k = 2; f64 = false; break;
	case OPFD_F32X4_NEAREST: k = 3; f64 = false; break;
	case OPFD_F64X2_CEIL: k = 0; break;
	case OPFD_F64X2_FLOOR: k = 1; break;
	case OPFD_F64X2_TRUNC: k = 2; break;
	default: k = 3; break;
	}
	return push_v(s, fround(s, k, pop_as(s, f64 ? s->v2f64 : s->v4f32)));
}

/* f32x4 (0xe0..0xeb) and f64x2 (0xec..0xf7): offset i in the block */
static bool float_op(struct lw *s, unsigned k, unsigned i)
{
	static const char *const ar[4] = { "fadd", "fsub", "fmul", "fdiv" };
	LLVMTypeRef t = shape(s, k);
	LLVMValueRef a, b;

	switch (i) {
	case 0x0: return push_v(s, vintr(s, "fabs", pop_as(s, t), NULL, NULL));
	case 0x1: return push_v(s, LLVMBuildFNeg(s->b, pop_as(s, t), ""));
	case 0x3: return push_v(s, vintr(s, "sqrt", pop_as(s, t), NULL, NULL));
	}
	b = pop_as(s, t);
	a = pop_as(s, t);
	switch (i) {
	case 0x4: case 0x5: case 0x6: case 0x7:
		return push_v(s, fp_strict(s, ar[i - 4], a, b));
	case 0x8: return push_v(s, fminmax(s, false, a, b));
	case 0x9: return push_v(s, fminmax(s, true, a, b));
	case 0xa:       /* pmin: b < a ? b : a */
		return push_v(s, LLVMBuildSelect(s->b, LLVMBuildFCmp(s->b, LLVMRealOLT, b, a, ""),
						 b, a, ""));
	default:        /* pmax: a < b ? b : a */
		return push_v(s, LLVMBuildSelect(s->b, LLVMBuildFCmp(s->b, LLVMRealOLT, a, b, ""),
						 b, a, ""));
	}
}

/* saturating float -> i32 (NaN 0, out of range the nearest bound):
 * llvm.fpto[su]i.sat */
static LLVMValueRef trunc_sat(struct lw *s, LLVMValueRef a, bool sx)
{
	LLVMTypeRef rt = LLVMVectorType(s->i32, lanes(LLVMTypeOf(a)));
	char name[64], s1[16], s2[16];

	vsuf(s, rt, s1, sizeof s1);
	vsuf(s, LLVMTypeOf(a), s2, sizeof s2);
	snprintf(name, sizeof name, "llvm.fpto%si.sat.%s.%s", sx ? "s" : "u", s1, s2);
	return lw_intrinsic(s, name, rt, &a, 1);
}

static bool op_convert(struct lw *s, uint32_t sub)
{
	static const unsigned lo2[4] = { 0, 1, 2, 3 };
	LLVMTypeRef v2f32 = LLVMVectorType(s->f32, 2), v2i32 = LLVMVectorType(s->i32, 2);
	LLVMValueRef a, r;

	switch (sub) {
	case OPFD_I32X4_TRUNC_SAT_F32X4_S: case OPFD_I32X4_TRUNC_SAT_F32X4_U:
		return push_v(s, trunc_sat(s, pop_as(s, s->v4f32),
					   sub == OPFD_I32X4_TRUNC_SAT_F32X4_S));
	case OPFD_I32X4_TRUNC_SAT_F64X2_S_ZERO: case OPFD_I32X4_TRUNC_SAT_F64X2_U_ZERO:
		r = trunc_sat(s, pop_as(s, s->v2f64), sub == OPFD_I32X4_TRUNC_SAT_F64X2_S_ZERO);
		return push_v(s, shuffle(s, r, LLVMConstNull(v2i32), lo2, 4));
	case OPFD_F32X4_CONVERT_I32X4_S:
		return push_v(s, LLVMBuildSIToFP(s->b, pop_as(s, s->v4i32), s->v4f32, ""));
	case OPFD_F32X4_CONVERT_I32X4_U:
		return push_v(s, LLVMBuildUIToFP(s->b, pop_as(s, s->v4i32), s->v4f32, ""));
	case OPFD_F64X2_CONVERT_LOW_I32X4_S: case OPFD_F64X2_CONVERT_LOW_I32X4_U:
		a = pick(s, pop_as(s, s->v4i32), 0, 1, 2);
		return push_v(s, sub == OPFD_F64X2_CONVERT_LOW_I32X4_S ?
			LLVMBuildSIToFP(s->b, a, s->v2f64, "") : LLVMBuildUIToFP(s->b, a, s->v2f64, ""));
	case OPFD_F32X4_DEMOTE_F64X2_ZERO: {    /* constrained: quiets a NaN */
		LLVMValueRef args[3] = { pop_as(s, s->v2f64), fp_md(s, "round.tonearest"),
					 fp_md(s, "fpexcept.strict") };
		r = lw_intrinsic(s, "llvm.experimental.constrained.fptrunc.v2f32.v2f64",
				 v2f32, args, 3);
		return push_v(s, shuffle(s, r, LLVMConstNull(v2f32), lo2, 4));
	}
	default: {                              /* f64x2.promote_low_f32x4 */
		LLVMValueRef args[2] = { pick(s, pop_as(s, s->v4f32), 0, 1, 2),
					 fp_md(s, "fpexcept.strict") };
		return push_v(s, lw_intrinsic(s, "llvm.experimental.constrained.fpext.v2f64.v2f32",
					      s->v2f64, args, 2));
	}
	}
}

/* ---- relaxed SIMD (docs/simd.md: one fixed result each, the single-pass
 * JIT's, on every CPU) ----------------------------------------------------- */

/* i8x16.relaxed_swizzle: lane i = a[s[i] & 15] if s[i] < 128, else 0 --
 * pshufb exactly; lane by lane without SSSE3 */
static bool op_relaxed_swizzle(struct lw *s)
{
	LLVMValueRef idx = pop_as(s, s->v16i8), a = pop_as(s, s->v16i8);

	if (s->cpu & JIT_CPU_SSE41) {
		LLVMValueRef args[2] = { a, idx };
		return push_v(s, lw_intrinsic(s, "llvm.x86.ssse3.pshuf.b.128", s->v16i8,
					      args, 2));
	}
	return push_v(s, swizzle_lanes(s, a, idx, 128));
}

/* relaxed_madd: a * b + c, relaxed_nmadd: c - a * b; unfused (two
 * roundings: constrained fmul, then fadd/fsub, never contracted) */
static bool op_relaxed_madd(struct lw *s, LLVMTypeRef t, bool neg)
{
	LLVMValueRef c = pop_as(s, t), b = pop_as(s, t), a = pop_as(s, t);
	LLVMValueRef p = fp_strict(s, "fmul", a, b);

	return push_v(s, neg ? fp_strict(s, "fsub", c, p) : fp_strict(s, "fadd", p, c));
}

/* relaxed_min/max: minps/maxps a, b (either NaN, or zeros of any sign: b) */
static bool op_relaxed_minmax(struct lw *s, uint32_t sub)
{
	static const char *const name[4] = {
		"llvm.x86.sse.min.ps", "llvm.x86.sse.max.ps",
		"llvm.x86.sse2.min.pd", "llvm.x86.sse2.max.pd",
	};
	unsigned i = sub - OPFD_F32X4_RELAXED_MIN;
	LLVMTypeRef t = i < 2 ? s->v4f32 : s->v2f64;
	LLVMValueRef args[2];

	args[1] = pop_as(s, t);
	args[0] = pop_as(s, t);
	return push_v(s, lw_intrinsic(s, name[i], t, args, 2));
}

/* relaxed_dot_i8x16_i7x16_s (pmaddubsw b, a): lane i = sat_s16(a[2i] *
 * b[2i] + a[2i+1] * b[2i+1]), a signed, b unsigned (each product fits in
 * 16 bits: at most 127 * 255, at least -128 * 255) */
static LLVMValueRef relaxed_dot8(struct lw *s, LLVMValueRef a, LLVMValueRef b)
{
	LLVMTypeRef wt = wide_of(s, s->v16i8);
	LLVMValueRef p = LLVMBuildMul(s->b, LLVMBuildSExt(s->b, a, wt, ""),
				      LLVMBuildZExt(s->b, b, wt, ""), "");

	return vintr(s, "sadd.sat", pick(s, p, 0, 2, 8), pick(s, p, 1, 2, 8), NULL);
}

/* f32x4.relaxed_dot_bf16x8_add_f32x4: lane i = (a[2i] * b[2i] + a[2i+1] *
 * b[2i+1]) + c[i], bf16 x as the f32 of bits x << 16, each operation
 * rounded (unfused, in this order) */
static bool op_relaxed_dot_bf16(struct lw *s)
{
	LLVMValueRef c = pop_as(s, s->v4f32), b = pop_as(s, s->v4i32), a = pop_as(s, s->v4i32);
	LLVMValueRef sh = splat(s, s->v4i32, ci(s->i32, 16));
	LLVMValueRef hi = splat(s, s->v4i32, ci(s->i32, 0xffff0000u));
	LLVMValueRef alo = cast(s, LLVMBuildShl(s->b, a, sh, ""), s->v4f32);
	LLVMValueRef blo = cast(s, LLVMBuildShl(s->b, b, sh, ""), s->v4f32);
	LLVMValueRef ahi = cast(s, LLVMBuildAnd(s->b, a, hi, ""), s->v4f32);
	LLVMValueRef bhi = cast(s, LLVMBuildAnd(s->b, b, hi, ""), s->v4f32);
	LLVMValueRef r = fp_strict(s, "fadd", fp_strict(s, "fmul", alo, blo),
				   fp_strict(s, "fmul", ahi, bhi));

	return push_v(s, fp_strict(s, "fadd", r, c));
}

static bool op_relaxed(struct lw *s, uint32_t sub)
{
	static const unsigned lo2[4] = { 0, 1, 2, 3 };
	LLVMValueRef a, b, c, r;

	switch (sub) {
	case OPFD_I8X16_RELAXED_SWIZZLE:
		return op_relaxed_swizzle(s);
	case OPFD_I32X4_RELAXED_TRUNC_F32X4_S: case OPFD_I32X4_RELAXED_TRUNC_F32X4_U:
		return push_v(s, trunc_sat(s, pop_as(s, s->v4f32),
					   sub == OPFD_I32X4_RELAXED_TRUNC_F32X4_S));
	case OPFD_I32X4_RELAXED_TRUNC_F64X2_S_ZERO: case OPFD_I32X4_RELAXED_TRUNC_F64X2_U_ZERO:
		r = trunc_sat(s, pop_as(s, s->v2f64), sub == OPFD_I32X4_RELAXED_TRUNC_F64X2_S_ZERO);
		return push_v(s, shuffle(s, r, LLVMConstNull(LLVMVectorType(s->i32, 2)), lo2, 4));
	case OPFD_F32X4_RELAXED_MADD: case OPFD_F32X4_RELAXED_NMADD:
		return op_relaxed_madd(s, s->v4f32, sub == OPFD_F32X4_RELAXED_NMADD);
	case OPFD_F64X2_RELAXED_MADD: case OPFD_F64X2_RELAXED_NMADD:
		return op_relaxed_madd(s, s->v2f64, sub == OPFD_F64X2_RELAXED_NMADD);
	case OPFD_I8X16_RELAXED_LANESELECT: case OPFD_I16X8_RELAXED_LANESELECT:
	case OPFD_I32X4_RELAXED_LANESELECT: case OPFD_I64X2_RELAXED_LANESELECT:
		return op_bitwise(s, OPFD_V128_BITSELECT);
	case OPFD_F32X4_RELAXED_MIN: case OPFD_F32X4_RELAXED_MAX:
	case OPFD_F64X2_RELAXED_MIN: case OPFD_F64X2_RELAXED_MAX:
		return op_relaxed_minmax(s, sub);
	case OPFD_I16X8_RELAXED_Q15MULR_S: {    /* q15mulr without saturation */
		LLVMTypeRef wt = wide_of(s, s->v8i16);
		b = LLVMBuildSExt(s->b, pop_as(s, s->v8i16), wt, "");
		a = LLVMBuildSExt(s->b, pop_as(s, s->v8i16), wt, "");
		r = LLVMBuildAdd(s->b, LLVMBuildMul(s->b, a, b, ""),
				 splat(s, wt, ci(s->i32, 0x4000)), "");
		r = LLVMBuildAShr(s->b, r, splat(s, wt, ci(s->i32, 15)), "");
		return push_v(s, LLVMBuildTrunc(s->b, r, s->v8i16, ""));
	}
	case OPFD_I16X8_RELAXED_DOT_I8X16_I7X16_S:
		b = pop_as(s, s->v16i8);
		a = pop_as(s, s->v16i8);
		return push_v(s, relaxed_dot8(s, a, b));
	case OPFD_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S: {
		LLVMTypeRef wt = wide_of(s, s->v8i16);
		c = pop_as(s, s->v4i32);
		b = pop_as(s, s->v16i8);
		a = pop_as(s, s->v16i8);
		r = LLVMBuildSExt(s->b, relaxed_dot8(s, a, b), wt, "");
		r = LLVMBuildAdd(s->b, pick(s, r, 0, 2, 4), pick(s, r, 1, 2, 4), "");
		return push_v(s, LLVMBuildAdd(s->b, r, c, ""));
	}
	case OPFD_F32X4_RELAXED_DOT_BF16X8_ADD_F32X4:
		return op_relaxed_dot_bf16(s);
	}
	return lw_unsupported(s, wasm_fd_opinfo[sub].name);
}

/* ---- dispatch ----------------------------------------------------------- */

static bool dispatch(struct lw *s, uint32_t sub)
{
	if (sub >= OPFD_I8X16_RELAXED_SWIZZLE)
		return op_relaxed(s, sub);
	if (sub <= OPFD_V128_STORE || (sub >= OPFD_V128_LOAD8_LANE && sub <= OPFD_V128_LOAD64_ZERO))
		return op_mem(s, sub);
	if (sub == OPFD_V128_CONST)
		return op_const(s);
	if (sub == OPFD_I8X16_SHUFFLE)
		return op_shuffle(s);
	if (sub == OPFD_I8X16_SWIZZLE)
		return op_swizzle(s);
	if (sub >= OPFD_I8X16_SPLAT && sub <= OPFD_F64X2_SPLAT)
		return op_splat(s, sub);
	if (sub >= OPFD_I8X16_EXTRACT_LANE_S && sub <= OPFD_F64X2_REPLACE_LANE)
		return op_lane(s, sub);
	if ((sub >= OPFD_I8X16_EQ && sub <= OPFD_F64X2_GE) ||
	    (sub >= OPFD_I64X2_EQ && sub <= OPFD_I64X2_GE_S))
		return op_compare(s, sub);
	if (sub >= OPFD_V128_NOT && sub <= OPFD_V128_ANY_TRUE)
		return op_bitwise(s, sub);
	switch (sub) {
	case OPFD_F32X4_CEIL: case OPFD_F32X4_FLOOR: case OPFD_F32X4_TRUNC:
	case OPFD_F32X4_NEAREST: case OPFD_F64X2_CEIL: case OPFD_F64X2_FLOOR:
	case OPFD_F64X2_TRUNC: case OPFD_F64X2_NEAREST:
		return op_round(s, sub);
	case OPFD_I8X16_POPCNT:
		return push_v(s, vintr(s, "ctpop", pop_as(s, s->v16i8), NULL, NULL));
	case OPFD_I16X8_Q15MULR_SAT_S: {
		LLVMValueRef b = pop_as(s, s->v8i16), a = pop_as(s, s->v8i16);
		return push_v(s, q15mulr(s, a, b));
	}
	case OPFD_I16X8_EXTADD_PAIRWISE_I8X16_S: case OPFD_I16X8_EXTADD_PAIRWISE_I8X16_U:
	case OPFD_I32X4_EXTADD_PAIRWISE_I16X8_S: case OPFD_I32X4_EXTADD_PAIRWISE_I16X8_U:
		return op_extadd(s, sub);
	case OPFD_I32X4_DOT_I16X8_S:
		return op_dot(s);
	case OPFD_F32X4_DEMOTE_F64X2_ZERO: case OPFD_F64X2_PROMOTE_LOW_F32X4:
		return op_convert(s, sub);
	}
	if (sub >= OPFD_I32X4_TRUNC_SAT_F32X4_S)
		return op_convert(s, sub);
	if (sub >= OPFD_F32X4_ABS)
		return float_op(s, sub >= OPFD_F64X2_ABS ? 5 : 4,
				sub - (sub >= OPFD_F64X2_ABS ? OPFD_F64X2_ABS : OPFD_F32X4_ABS));
	if (sub >= OPFD_I8X16_ABS && int_op(s, (sub - 0x60) / 0x20, (sub - 0x60) % 0x20))
		return true;
	return lw_unsupported(s, wasm_fd_opinfo[sub].name);
}

bool lw_simd(struct lw *s)
{
	uint32_t sub;

	char name[32];

	if (!wasm_read_u32(&s->r, &sub))
		return lw_fail(s, "llvm backend: bad 0xfd opcode");
	if (sub >= OPFD__COUNT || !wasm_fd_opinfo[sub].name) {
		snprintf(name, sizeof name, "0xfd %u", sub);
		return lw_unsupported(s, name);
	}
	return dispatch(s, sub);
}
