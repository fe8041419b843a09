/*
 * llvm_num.c — the numeric opcodes (Core spec 2.0 §4.3 "Numerics", binary
 * §5.4.7: i32.eqz..i64.extend32_s and the saturating truncations) as LLVM IR
 * with Wasm semantics exactly.  Where LLVM's instruction is undefined or
 * differs (division by zero and INT_MIN/-1, shift counts >= width, float
 * min/max with NaN and signed zeros, out-of-range float->int), the Wasm
 * rule is spelled out: an explicit check and a trap, a mask, or selects.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "lw.h"
#include "jit.h"
#include "wasm.h"
#include "opcodes.h"

static LLVMValueRef cint(LLVMTypeRef t, uint64_t v)
{
	return LLVMConstInt(t, v, false);
}

/* i1 -> i32 0/1 */
static void push_bool(struct lw *s, LLVMValueRef b)
{
	lw_push(s, LLVMBuildZExt(s->b, b, s->i32, ""));
}

static bool cmp_op(struct lw *s, uint8_t op)
{
	static const LLVMIntPredicate ip[10] = {
		LLVMIntEQ, LLVMIntNE, LLVMIntSLT, LLVMIntULT, LLVMIntSGT,
		LLVMIntUGT, LLVMIntSLE, LLVMIntULE, LLVMIntSGE, LLVMIntUGE };
	/* ordered compares (false with a NaN), except ne: unordered */
	static const LLVMRealPredicate fp[6] = {
		LLVMRealOEQ, LLVMRealUNE, LLVMRealOLT, LLVMRealOGT, LLVMRealOLE,
		LLVMRealOGE };
	LLVMValueRef a, b;

	if (op == OP_I32_EQZ || op == OP_I64_EQZ) {
		a = lw_pop(s);
		push_bool(s, LLVMBuildICmp(s->b, LLVMIntEQ, a,
					   cint(LLVMTypeOf(a), 0), ""));
		return true;
	}
	b = lw_pop(s);
	a = lw_pop(s);
	if (op <= OP_I32_GE_U)
		push_bool(s, LLVMBuildICmp(s->b, ip[op - OP_I32_EQ], a, b, ""));
	else if (op <= OP_I64_GE_U)
		push_bool(s, LLVMBuildICmp(s->b, ip[op - OP_I64_EQ], a, b, ""));
	else if (op <= OP_F32_GE)
		push_bool(s, LLVMBuildFCmp(s->b, fp[op - OP_F32_EQ], a, b, ""));
	else
		push_bool(s, LLVMBuildFCmp(s->b, fp[op - OP_F64_EQ], a, b, ""));
	return true;
}

static LLVMValueRef unary_intr(struct lw *s, const char *base, LLVMValueRef a,
			       bool flag)
{
	LLVMTypeRef t = LLVMTypeOf(a);
	char name[48];
	LLVMValueRef args[2] = { a, LLVMConstInt(s->i1, 0, false) };
	const char *suf = t == s->i32 ? "i32" : t == s->i64 ? "i64" :
			  t == s->f32 ? "f32" : "f64";

	snprintf(name, sizeof name, "llvm.%s.%s", base, suf);
	return lw_intrinsic(s, name, t, args, flag ? 2 : 1);
}

static LLVMValueRef binary_intr(struct lw *s, const char *base, LLVMValueRef a,
				LLVMValueRef b, LLVMValueRef c)
{
	LLVMTypeRef t = LLVMTypeOf(a);
	char name[48];
	LLVMValueRef args[3] = { a, b, c };
	const char *suf = t == s->i32 ? "i32" : t == s->i64 ? "i64" :
			  t == s->f32 ? "f32" : "f64";

	snprintf(name, sizeof name, "llvm.%s.%s", base, suf);
	return lw_intrinsic(s, name, t, args, c ? 3 : 2);
}

/* div/rem: trap on a zero divisor; div_s traps on INT_MIN / -1 and rem_s
 * gives 0 for it (LLVM's sdiv/srem are undefined there). */
static LLVMValueRef divrem(struct lw *s, int kind, LLVMValueRef a, LLVMValueRef b)
{
	LLVMTypeRef t = LLVMTypeOf(a);
	unsigned bits = LLVMGetIntTypeWidth(t);
	LLVMValueRef m1 = LLVMConstAllOnes(t);
	LLVMValueRef min = cint(t, 1ull << (bits - 1));

	lw_trap_if(s, LLVMBuildICmp(s->b, LLVMIntEQ, b, cint(t, 0), ""),
		   WASM_TRAP_DIV_BY_ZERO);
	switch (kind) {
	case 0:         /* div_s */
		lw_trap_if(s, LLVMBuildAnd(s->b,
			LLVMBuildICmp(s->b, LLVMIntEQ, a, min, ""),
			LLVMBuildICmp(s->b, LLVMIntEQ, b, m1, ""), ""),
			WASM_TRAP_INT_OVERFLOW);
		return LLVMBuildSDiv(s->b, a, b, "");
	case 1:
		return LLVMBuildUDiv(s->b, a, b, "");
	case 2: {       /* rem_s: x % -1 == 0 for every x */
		LLVMValueRef is_m1 = LLVMBuildICmp(s->b, LLVMIntEQ, b, m1, "");
		LLVMValueRef d = LLVMBuildSelect(s->b, is_m1, cint(t, 1), b, "");
		return LLVMBuildSelect(s->b, is_m1, cint(t, 0),
				       LLVMBuildSRem(s->b, a, d, ""), "");
	}
	default:
		return LLVMBuildURem(s->b, a, b, "");
	}
}

static LLVMValueRef masked(struct lw *s, LLVMValueRef n)
{
	LLVMTypeRef t = LLVMTypeOf(n);

	return LLVMBuildAnd(s->b, n, cint(t, LLVMGetIntTypeWidth(t) - 1), "");
}

static bool int_binop(struct lw *s, uint8_t op)
{
	LLVMValueRef b = lw_pop(s), a = lw_pop(s), r;
	unsigned k = op <= OP_I32_ROTR ? op - OP_I32_ADD : op - OP_I64_ADD;

	switch (k) {
	case 0: r = LLVMBuildAdd(s->b, a, b, ""); break;
	case 1: r = LLVMBuildSub(s->b, a, b, ""); break;
	case 2: r = LLVMBuildMul(s->b, a, b, ""); break;
	case 3: case 4: case 5: case 6: r = divrem(s, k - 3, a, b); break;
	case 7: r = LLVMBuildAnd(s->b, a, b, ""); break;
	case 8: r = LLVMBuildOr(s->b, a, b, ""); break;
	case 9: r = LLVMBuildXor(s->b, a, b, ""); break;
	case 10: r = LLVMBuildShl(s->b, a, masked(s, b), ""); break;
	case 11: r = LLVMBuildAShr(s->b, a, masked(s, b), ""); break;
	case 12: r = LLVMBuildLShr(s->b, a, masked(s, b), ""); break;
	/* funnel shifts take the count modulo the width, as Wasm does */
	case 13: r = binary_intr(s, "fshl", a, a, b); break;
	default: r = binary_intr(s, "fshr", a, a, b); break;
	}
	lw_push(s, r);
	return true;
}

static bool int_unop(struct lw *s, uint8_t op)
{
	LLVMValueRef a = lw_pop(s);
	unsigned k = op <= OP_I32_POPCNT ? op - OP_I32_CLZ : op - OP_I64_CLZ;

	/* is_zero_poison = false: clz(0) = ctz(0) = width, as in Wasm */
	if (k == 0)
		lw_push(s, unary_intr(s, "ctlz", a, true));
	else if (k == 1)
		lw_push(s, unary_intr(s, "cttz", a, true));
	else
		lw_push(s, unary_intr(s, "ctpop", a, false));
	return true;
}

/*
 * fadd, fsub, fmul, fdiv, fptrunc and fpext as LLVM's constrained
 * intrinsics (round.tonearest, fpexcept.strict) rather than instructions.
 * With its default floating-point semantics LLVM folds x - 0, x + -0,
 * x * 1, x / 1 to x, x * -1, x / -1, -0 - x to fneg x, and
 * fptrunc(fpext x) to x: right for every x but a signaling NaN, which
 * Wasm arithmetic must quiet (Core spec §4.3.3 NaN propagation: the
 * result is an arithmetic NaN; spec float_exprs.wast).  LLVM keeps the
 * constrained forms when it cannot ignore the invalid-operation exception
 * a signaling NaN raises, and lowers them to the same instructions.
 * Other operations are left as they are: Wasm never changes the rounding
 * mode or reads the exception flags, so mixing the two forms is harmless.
 */
static LLVMValueRef fp_md(struct lw *s, const char *str)
{
	return LLVMMetadataAsValue(s->c, LLVMMDStringInContext2(s->c, str, strlen(str)));
}

static const char *fsuf(struct lw *s, LLVMTypeRef t)
{
	return t == s->f32 ? "f32" : "f64";
}

static LLVMValueRef fp_strict_binop(struct lw *s, const char *op, LLVMValueRef a,
				    LLVMValueRef b)
{
	LLVMValueRef args[4] = { a, b, fp_md(s, "round.tonearest"),
				 fp_md(s, "fpexcept.strict") };
	char name[64];

	snprintf(name, sizeof name, "llvm.experimental.constrained.%s.%s", op,
		 fsuf(s, LLVMTypeOf(a)));
	return lw_intrinsic(s, name, LLVMTypeOf(a), args, 4);
}

static LLVMValueRef fp_strict_demote(struct lw *s, LLVMValueRef a)
{
	LLVMValueRef args[3] = { a, fp_md(s, "round.tonearest"),
				 fp_md(s, "fpexcept.strict") };

	return lw_intrinsic(s, "llvm.experimental.constrained.fptrunc.f32.f64", s->f32,
			    args, 3);
}

static LLVMValueRef fp_strict_promote(struct lw *s, LLVMValueRef a)
{
	LLVMValueRef args[2] = { a, fp_md(s, "fpexcept.strict") };

	return lw_intrinsic(s, "llvm.experimental.constrained.fpext.f64.f32", s->f64,
			    args, 2);
}

static LLVMValueRef as_int(struct lw *s, LLVMValueRef f)
{
	return LLVMBuildBitCast(s->b, f, LLVMTypeOf(f) == s->f32 ? s->i32 : s->i64, "");
}

/* Wasm min/max (§4.3.3 fmin/fmax): a NaN operand gives a NaN (a + b
 * propagates it, quieted), -0 < +0 (equal operands: min ORs the bits so
 * -0 wins, max ANDs them so +0 wins), else the smaller/larger. */
static LLVMValueRef fminmax(struct lw *s, bool is_max, LLVMValueRef a, LLVMValueRef b)
{
	LLVMTypeRef t = LLVMTypeOf(a);
	LLVMValueRef uno = LLVMBuildFCmp(s->b, LLVMRealUNO, a, b, "");
	LLVMValueRef eq = LLVMBuildFCmp(s->b, LLVMRealOEQ, a, b, "");
	LLVMValueRef lt = LLVMBuildFCmp(s->b, is_max ? LLVMRealOGT : LLVMRealOLT,
					a, b, "");
	LLVMValueRef ai = as_int(s, a), bi = as_int(s, b);
	LLVMValueRef eqv = LLVMBuildBitCast(s->b, is_max ?
		LLVMBuildAnd(s->b, ai, bi, "") : LLVMBuildOr(s->b, ai, bi, ""), t, "");
	LLVMValueRef r = LLVMBuildSelect(s->b, lt, a, b, "");

	r = LLVMBuildSelect(s->b, eq, eqv, r, "");
	return LLVMBuildSelect(s->b, uno, LLVMBuildFAdd(s->b, a, b, ""), r, "");
}

/*
 * ceil, floor, trunc, nearest (k 2..5 of float_op).  With SSE4.1, LLVM's
 * intrinsics, which become roundss/roundsd (nearest: nearbyint rounds as
 * MXCSR says, which v1 fixes at round-to-nearest-even, docs/abi.md).
 * Without it LLVM would lower them to calls of ceilf, floor, ... in libm,
 * and compiled code calls no C function by address (docs/abi.md "Calls
 * out"): they go through ctx->rt->round32/round64 instead, the single-pass
 * JIT's fallback (jit/runtime.c; a NaN comes back quieted).  The helper
 * touches no memory of ours: readnone lets O2 hoist and merge the calls.
 */
static LLVMValueRef fround(struct lw *s, unsigned k, LLVMValueRef a)
{
	static const char *const intr[4] = { "ceil", "floor", "trunc", "nearbyint" };
	static const int mode[4] = { 2, 1, 3, 0 };      /* jit_rt: 0 nearest 1 floor
							   2 ceil 3 trunc */
	LLVMTypeRef t = LLVMTypeOf(a);
	LLVMTypeRef at[2] = { t, s->i32 };
	LLVMValueRef args[2] = { a, LLVMConstInt(s->i32, (unsigned)mode[k - 2], false) };
	LLVMValueRef call;

	if (s->cpu & JIT_CPU_SSE41)
		return unary_intr(s, intr[k - 2], a, false);
	call = lw_rt_call(s, t == s->f32 ? offsetof(struct jit_rt, round32)
					 : offsetof(struct jit_rt, round64), t, at, args, 2);
	LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
		LLVMCreateEnumAttribute(s->c, LLVMGetEnumAttributeKindForName("readnone", 8), 0));
	LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
		LLVMCreateEnumAttribute(s->c, LLVMGetEnumAttributeKindForName("nounwind", 8), 0));
	return call;
}

static bool float_op(struct lw *s, uint8_t op)
{
	/* f32.abs..f32.copysign and f64.abs..f64.copysign are the same list */
	unsigned k = op <= OP_F32_COPYSIGN ? op - OP_F32_ABS : op - OP_F64_ABS;
	LLVMValueRef a, b, r;

	if (k <= 6) {
		a = lw_pop(s);
		if (k == 0)
			r = unary_intr(s, "fabs", a, false);
		else if (k == 1)
			r = LLVMBuildFNeg(s->b, a, "");
		else if (k <= 5)
			r = fround(s, k, a);
		else
			r = unary_intr(s, "sqrt", a, false);
		lw_push(s, r);
		return true;
	}
	b = lw_pop(s);
	a = lw_pop(s);
	switch (k) {
	case 7: r = fp_strict_binop(s, "fadd", a, b); break;
	case 8: r = fp_strict_binop(s, "fsub", a, b); break;
	case 9: r = fp_strict_binop(s, "fmul", a, b); break;
	case 10: r = fp_strict_binop(s, "fdiv", a, b); break;
	case 11: r = fminmax(s, false, a, b); break;
	case 12: r = fminmax(s, true, a, b); break;
	default: r = binary_intr(s, "copysign", a, b, NULL); break;
	}
	lw_push(s, r);
	return true;
}

/*
 * Trapping float -> int (§4.3.3 trunc): NaN is "invalid conversion to
 * integer"; anything whose truncation is outside the integer type is
 * "integer overflow".  The range is open at both ends, with bounds that
 * are exact in the source type: lo < x < hi.
 */
static LLVMValueRef trunc_checked(struct lw *s, LLVMValueRef x, LLVMTypeRef to,
				  bool is_signed)
{
	LLVMTypeRef ft = LLVMTypeOf(x);
	unsigned bits = LLVMGetIntTypeWidth(to);
	double hi = is_signed ? (bits == 32 ? 2147483648.0 : 9223372036854775808.0)
			      : (bits == 32 ? 4294967296.0 : 18446744073709551616.0);
	double lo;
	LLVMValueRef in;

	if (!is_signed)
		lo = -1.0;
	else if (bits == 32 && ft == s->f64)
		lo = -2147483649.0;
	else    /* -2^(bits-1) is exact and the next value below is < -2^N - 1:
		   allow x >= -2^(bits-1), i.e. x > its predecessor */
		lo = 0;
	lw_trap_if(s, LLVMBuildFCmp(s->b, LLVMRealUNO, x, x, ""),
		   WASM_TRAP_INVALID_CONVERSION);
	if (lo == 0)
		in = LLVMBuildFCmp(s->b, LLVMRealOGE, x,
				   LLVMConstReal(ft, -hi), "");
	else
		in = LLVMBuildFCmp(s->b, LLVMRealOGT, x, LLVMConstReal(ft, lo), "");
	in = LLVMBuildAnd(s->b, in,
			  LLVMBuildFCmp(s->b, LLVMRealOLT, x, LLVMConstReal(ft, hi), ""), "");
	lw_trap_if(s, LLVMBuildNot(s->b, in, ""), WASM_TRAP_INT_OVERFLOW);
	return is_signed ? LLVMBuildFPToSI(s->b, x, to, "")
			 : LLVMBuildFPToUI(s->b, x, to, "");
}

static LLVMValueRef sext_low(struct lw *s, LLVMValueRef a, LLVMTypeRef narrow)
{
	return LLVMBuildSExt(s->b, LLVMBuildTrunc(s->b, a, narrow, ""),
			     LLVMTypeOf(a), "");
}

static bool convert_op(struct lw *s, uint8_t op)
{
	LLVMValueRef a = lw_pop(s), r;

	switch (op) {
	case OP_I32_WRAP_I64: r = LLVMBuildTrunc(s->b, a, s->i32, ""); break;
	case OP_I32_TRUNC_F32_S: case OP_I32_TRUNC_F64_S: r = trunc_checked(s, a, s->i32, true); break;
	case OP_I32_TRUNC_F32_U: case OP_I32_TRUNC_F64_U: r = trunc_checked(s, a, s->i32, false); break;
	case OP_I64_EXTEND_I32_S: r = LLVMBuildSExt(s->b, a, s->i64, ""); break;
	case OP_I64_EXTEND_I32_U: r = LLVMBuildZExt(s->b, a, s->i64, ""); break;
	case OP_I64_TRUNC_F32_S: case OP_I64_TRUNC_F64_S: r = trunc_checked(s, a, s->i64, true); break;
	case OP_I64_TRUNC_F32_U: case OP_I64_TRUNC_F64_U: r = trunc_checked(s, a, s->i64, false); break;
	case OP_F32_CONVERT_I32_S: case OP_F32_CONVERT_I64_S: r = LLVMBuildSIToFP(s->b, a, s->f32, ""); break;
	case OP_F32_CONVERT_I32_U: case OP_F32_CONVERT_I64_U: r = LLVMBuildUIToFP(s->b, a, s->f32, ""); break;
	case OP_F32_DEMOTE_F64: r = fp_strict_demote(s, a); break;
	case OP_F64_CONVERT_I32_S: case OP_F64_CONVERT_I64_S: r = LLVMBuildSIToFP(s->b, a, s->f64, ""); break;
	case OP_F64_CONVERT_I32_U: case OP_F64_CONVERT_I64_U: r = LLVMBuildUIToFP(s->b, a, s->f64, ""); break;
	case OP_F64_PROMOTE_F32: r = fp_strict_promote(s, a); break;
	case OP_I32_REINTERPRET_F32: r = LLVMBuildBitCast(s->b, a, s->i32, ""); break;
	case OP_I64_REINTERPRET_F64: r = LLVMBuildBitCast(s->b, a, s->i64, ""); break;
	case OP_F32_REINTERPRET_I32: r = LLVMBuildBitCast(s->b, a, s->f32, ""); break;
	case OP_F64_REINTERPRET_I64: r = LLVMBuildBitCast(s->b, a, s->f64, ""); break;
	case OP_I32_EXTEND8_S: case OP_I64_EXTEND8_S: r = sext_low(s, a, s->i8); break;
	case OP_I32_EXTEND16_S: case OP_I64_EXTEND16_S: r = sext_low(s, a, s->i16); break;
	default: r = sext_low(s, a, s->i32); break;        /* i64.extend32_s */
	}
	lw_push(s, r);
	return true;
}

bool lw_numeric(struct lw *s, uint8_t op)
{
	if (op >= OP_I32_EQZ && op <= OP_F64_GE)
		return cmp_op(s, op);
	if ((op >= OP_I32_CLZ && op <= OP_I32_POPCNT) || (op >= OP_I64_CLZ && op <= OP_I64_POPCNT))
		return int_unop(s, op);
	if ((op >= OP_I32_ADD && op <= OP_I32_ROTR) || (op >= OP_I64_ADD && op <= OP_I64_ROTR))
		return int_binop(s, op);
	if (op >= OP_F32_ABS && op <= OP_F64_COPYSIGN)
		return float_op(s, op);
	if (op >= OP_I32_WRAP_I64 && op <= OP_I64_EXTEND32_S)
		return convert_op(s, op);
	return lw_fail(s, "llvm backend: %s not supported yet (function %u)",
		       lw_opname(op), s->func);
}

/* OPFC_I32_TRUNC_SAT_F32_S..OPFC_I64_TRUNC_SAT_F64_U (Wasm 2.0 §4.3.3 trunc_sat):
 * NaN -> 0, out of range -> the nearest bound, which is what LLVM's
 * fptosi.sat / fptoui.sat define. */
bool lw_trunc_sat(struct lw *s, uint32_t sub)
{
	LLVMValueRef a = lw_pop(s);
	LLVMTypeRef to = sub <= OPFC_I32_TRUNC_SAT_F64_U ? s->i32 : s->i64;
	bool sgn = !(sub & 1);
	char name[48];

	snprintf(name, sizeof name, "llvm.%s.sat.%s.%s", sgn ? "fptosi" : "fptoui",
		 to == s->i32 ? "i32" : "i64", LLVMTypeOf(a) == s->f32 ? "f32" : "f64");
	lw_push(s, lw_intrinsic(s, name, to, &a, 1));
	return true;
}
