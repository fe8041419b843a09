/*
 * numref.h — the reference semantics of the numeric instructions, written
 * from the spec's definitions (Core spec 2.0 §4.3 "Numerics"), shared by
 * test_compile.c (every opcode on parameters) and test_opform.c (every
 * opcode with its operands in every form the compiler distinguishes).
 *
 * ops[]: each numeric opcode (0x45..0xc4, and 0xfc 0..7) with its operand
 * and result types as letters (i i32, I i64, f f32, F f64).  ref() gives
 * the spec's result (or trap code) for given operand bits; ref_same()
 * compares a result with it as the spec allows: bit-exact, except that a
 * NaN result may be any NaN unless the instruction only moves bits (abs,
 * neg, copysign, reinterpret), whose NaNs keep their payload.
 */
#ifndef TESTS_UNIT_NUMREF_H
#define TESTS_UNIT_NUMREF_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "wasm.h"

struct op {
	const char *name;
	uint8_t code;
	bool fc;                /* 0xfc prefix */
	char a, b, r;           /* operand / result types; b = 0 if unary */
};

static const struct op ops[] = {
	{"i32.eqz", 0x45, 0, 'i', 0, 'i'}, {"i32.eq", 0x46, 0, 'i', 'i', 'i'},
	{"i32.ne", 0x47, 0, 'i', 'i', 'i'}, {"i32.lt_s", 0x48, 0, 'i', 'i', 'i'},
	{"i32.lt_u", 0x49, 0, 'i', 'i', 'i'}, {"i32.gt_s", 0x4a, 0, 'i', 'i', 'i'},
	{"i32.gt_u", 0x4b, 0, 'i', 'i', 'i'}, {"i32.le_s", 0x4c, 0, 'i', 'i', 'i'},
	{"i32.le_u", 0x4d, 0, 'i', 'i', 'i'}, {"i32.ge_s", 0x4e, 0, 'i', 'i', 'i'},
	{"i32.ge_u", 0x4f, 0, 'i', 'i', 'i'},
	{"i64.eqz", 0x50, 0, 'I', 0, 'i'}, {"i64.eq", 0x51, 0, 'I', 'I', 'i'},
	{"i64.ne", 0x52, 0, 'I', 'I', 'i'}, {"i64.lt_s", 0x53, 0, 'I', 'I', 'i'},
	{"i64.lt_u", 0x54, 0, 'I', 'I', 'i'}, {"i64.gt_s", 0x55, 0, 'I', 'I', 'i'},
	{"i64.gt_u", 0x56, 0, 'I', 'I', 'i'}, {"i64.le_s", 0x57, 0, 'I', 'I', 'i'},
	{"i64.le_u", 0x58, 0, 'I', 'I', 'i'}, {"i64.ge_s", 0x59, 0, 'I', 'I', 'i'},
	{"i64.ge_u", 0x5a, 0, 'I', 'I', 'i'},
	{"f32.eq", 0x5b, 0, 'f', 'f', 'i'}, {"f32.ne", 0x5c, 0, 'f', 'f', 'i'},
	{"f32.lt", 0x5d, 0, 'f', 'f', 'i'}, {"f32.gt", 0x5e, 0, 'f', 'f', 'i'},
	{"f32.le", 0x5f, 0, 'f', 'f', 'i'}, {"f32.ge", 0x60, 0, 'f', 'f', 'i'},
	{"f64.eq", 0x61, 0, 'F', 'F', 'i'}, {"f64.ne", 0x62, 0, 'F', 'F', 'i'},
	{"f64.lt", 0x63, 0, 'F', 'F', 'i'}, {"f64.gt", 0x64, 0, 'F', 'F', 'i'},
	{"f64.le", 0x65, 0, 'F', 'F', 'i'}, {"f64.ge", 0x66, 0, 'F', 'F', 'i'},
	{"i32.clz", 0x67, 0, 'i', 0, 'i'}, {"i32.ctz", 0x68, 0, 'i', 0, 'i'},
	{"i32.popcnt", 0x69, 0, 'i', 0, 'i'},
	{"i32.add", 0x6a, 0, 'i', 'i', 'i'}, {"i32.sub", 0x6b, 0, 'i', 'i', 'i'},
	{"i32.mul", 0x6c, 0, 'i', 'i', 'i'}, {"i32.div_s", 0x6d, 0, 'i', 'i', 'i'},
	{"i32.div_u", 0x6e, 0, 'i', 'i', 'i'}, {"i32.rem_s", 0x6f, 0, 'i', 'i', 'i'},
	{"i32.rem_u", 0x70, 0, 'i', 'i', 'i'}, {"i32.and", 0x71, 0, 'i', 'i', 'i'},
	{"i32.or", 0x72, 0, 'i', 'i', 'i'}, {"i32.xor", 0x73, 0, 'i', 'i', 'i'},
	{"i32.shl", 0x74, 0, 'i', 'i', 'i'}, {"i32.shr_s", 0x75, 0, 'i', 'i', 'i'},
	{"i32.shr_u", 0x76, 0, 'i', 'i', 'i'}, {"i32.rotl", 0x77, 0, 'i', 'i', 'i'},
	{"i32.rotr", 0x78, 0, 'i', 'i', 'i'},
	{"i64.clz", 0x79, 0, 'I', 0, 'I'}, {"i64.ctz", 0x7a, 0, 'I', 0, 'I'},
	{"i64.popcnt", 0x7b, 0, 'I', 0, 'I'},
	{"i64.add", 0x7c, 0, 'I', 'I', 'I'}, {"i64.sub", 0x7d, 0, 'I', 'I', 'I'},
	{"i64.mul", 0x7e, 0, 'I', 'I', 'I'}, {"i64.div_s", 0x7f, 0, 'I', 'I', 'I'},
	{"i64.div_u", 0x80, 0, 'I', 'I', 'I'}, {"i64.rem_s", 0x81, 0, 'I', 'I', 'I'},
	{"i64.rem_u", 0x82, 0, 'I', 'I', 'I'}, {"i64.and", 0x83, 0, 'I', 'I', 'I'},
	{"i64.or", 0x84, 0, 'I', 'I', 'I'}, {"i64.xor", 0x85, 0, 'I', 'I', 'I'},
	{"i64.shl", 0x86, 0, 'I', 'I', 'I'}, {"i64.shr_s", 0x87, 0, 'I', 'I', 'I'},
	{"i64.shr_u", 0x88, 0, 'I', 'I', 'I'}, {"i64.rotl", 0x89, 0, 'I', 'I', 'I'},
	{"i64.rotr", 0x8a, 0, 'I', 'I', 'I'},
	{"f32.abs", 0x8b, 0, 'f', 0, 'f'}, {"f32.neg", 0x8c, 0, 'f', 0, 'f'},
	{"f32.ceil", 0x8d, 0, 'f', 0, 'f'}, {"f32.floor", 0x8e, 0, 'f', 0, 'f'},
	{"f32.trunc", 0x8f, 0, 'f', 0, 'f'}, {"f32.nearest", 0x90, 0, 'f', 0, 'f'},
	{"f32.sqrt", 0x91, 0, 'f', 0, 'f'},
	{"f32.add", 0x92, 0, 'f', 'f', 'f'}, {"f32.sub", 0x93, 0, 'f', 'f', 'f'},
	{"f32.mul", 0x94, 0, 'f', 'f', 'f'}, {"f32.div", 0x95, 0, 'f', 'f', 'f'},
	{"f32.min", 0x96, 0, 'f', 'f', 'f'}, {"f32.max", 0x97, 0, 'f', 'f', 'f'},
	{"f32.copysign", 0x98, 0, 'f', 'f', 'f'},
	{"f64.abs", 0x99, 0, 'F', 0, 'F'}, {"f64.neg", 0x9a, 0, 'F', 0, 'F'},
	{"f64.ceil", 0x9b, 0, 'F', 0, 'F'}, {"f64.floor", 0x9c, 0, 'F', 0, 'F'},
	{"f64.trunc", 0x9d, 0, 'F', 0, 'F'}, {"f64.nearest", 0x9e, 0, 'F', 0, 'F'},
	{"f64.sqrt", 0x9f, 0, 'F', 0, 'F'},
	{"f64.add", 0xa0, 0, 'F', 'F', 'F'}, {"f64.sub", 0xa1, 0, 'F', 'F', 'F'},
	{"f64.mul", 0xa2, 0, 'F', 'F', 'F'}, {"f64.div", 0xa3, 0, 'F', 'F', 'F'},
	{"f64.min", 0xa4, 0, 'F', 'F', 'F'}, {"f64.max", 0xa5, 0, 'F', 'F', 'F'},
	{"f64.copysign", 0xa6, 0, 'F', 'F', 'F'},
	{"i32.wrap_i64", 0xa7, 0, 'I', 0, 'i'},
	{"i32.trunc_f32_s", 0xa8, 0, 'f', 0, 'i'}, {"i32.trunc_f32_u", 0xa9, 0, 'f', 0, 'i'},
	{"i32.trunc_f64_s", 0xaa, 0, 'F', 0, 'i'}, {"i32.trunc_f64_u", 0xab, 0, 'F', 0, 'i'},
	{"i64.extend_i32_s", 0xac, 0, 'i', 0, 'I'}, {"i64.extend_i32_u", 0xad, 0, 'i', 0, 'I'},
	{"i64.trunc_f32_s", 0xae, 0, 'f', 0, 'I'}, {"i64.trunc_f32_u", 0xaf, 0, 'f', 0, 'I'},
	{"i64.trunc_f64_s", 0xb0, 0, 'F', 0, 'I'}, {"i64.trunc_f64_u", 0xb1, 0, 'F', 0, 'I'},
	{"f32.convert_i32_s", 0xb2, 0, 'i', 0, 'f'}, {"f32.convert_i32_u", 0xb3, 0, 'i', 0, 'f'},
	{"f32.convert_i64_s", 0xb4, 0, 'I', 0, 'f'}, {"f32.convert_i64_u", 0xb5, 0, 'I', 0, 'f'},
	{"f32.demote_f64", 0xb6, 0, 'F', 0, 'f'},
	{"f64.convert_i32_s", 0xb7, 0, 'i', 0, 'F'}, {"f64.convert_i32_u", 0xb8, 0, 'i', 0, 'F'},
	{"f64.convert_i64_s", 0xb9, 0, 'I', 0, 'F'}, {"f64.convert_i64_u", 0xba, 0, 'I', 0, 'F'},
	{"f64.promote_f32", 0xbb, 0, 'f', 0, 'F'},
	{"i32.reinterpret_f32", 0xbc, 0, 'f', 0, 'i'}, {"i64.reinterpret_f64", 0xbd, 0, 'F', 0, 'I'},
	{"f32.reinterpret_i32", 0xbe, 0, 'i', 0, 'f'}, {"f64.reinterpret_i64", 0xbf, 0, 'I', 0, 'F'},
	{"i32.extend8_s", 0xc0, 0, 'i', 0, 'i'}, {"i32.extend16_s", 0xc1, 0, 'i', 0, 'i'},
	{"i64.extend8_s", 0xc2, 0, 'I', 0, 'I'}, {"i64.extend16_s", 0xc3, 0, 'I', 0, 'I'},
	{"i64.extend32_s", 0xc4, 0, 'I', 0, 'I'},
	{"i32.trunc_sat_f32_s", 0, 1, 'f', 0, 'i'}, {"i32.trunc_sat_f32_u", 1, 1, 'f', 0, 'i'},
	{"i32.trunc_sat_f64_s", 2, 1, 'F', 0, 'i'}, {"i32.trunc_sat_f64_u", 3, 1, 'F', 0, 'i'},
	{"i64.trunc_sat_f32_s", 4, 1, 'f', 0, 'I'}, {"i64.trunc_sat_f32_u", 5, 1, 'f', 0, 'I'},
	{"i64.trunc_sat_f64_s", 6, 1, 'F', 0, 'I'}, {"i64.trunc_sat_f64_u", 7, 1, 'F', 0, 'I'},
};

static float f32(uint64_t b) { uint32_t x = (uint32_t)b; float f; memcpy(&f, &x, 4); return f; }
static double f64(uint64_t b) { double d; memcpy(&d, &b, 8); return d; }
static uint64_t bf32(float f) { uint32_t x; memcpy(&x, &f, 4); return x; }
static uint64_t bf64(double d) { uint64_t x; memcpy(&x, &d, 8); return x; }

static uint32_t rotl32(uint32_t x, uint32_t n) { n &= 31; return n ? x << n | x >> (32 - n) : x; }
static uint64_t rotl64(uint64_t x, uint64_t n) { n &= 63; return n ? x << n | x >> (64 - n) : x; }

static double fmin_spec(double a, double b)
{
	if (isnan(a) || isnan(b)) return NAN;
	if (a == b) return signbit(a) ? a : b;
	return a < b ? a : b;
}

static double fmax_spec(double a, double b)
{
	if (isnan(a) || isnan(b)) return NAN;
	if (a == b) return signbit(a) ? b : a;
	return a > b ? a : b;
}

/* trunc to integer: trap code, or 0 with *r; sat = saturate instead */
static int trunc_ref(double x, bool is_signed, int bits, bool sat, uint64_t *r)
{
	double lo = is_signed ? -ldexp(1, bits - 1) : 0;
	double hi = is_signed ? ldexp(1, bits - 1) : ldexp(1, bits);   /* exclusive */
	uint64_t mask = bits == 64 ? ~0ull : 0xffffffffull;

	if (isnan(x)) {
		if (!sat) return WASM_TRAP_INVALID_CONVERSION;
		*r = 0;
		return 0;
	}
	double t = trunc(x);
	if (t < lo || t >= hi) {
		if (!sat) return WASM_TRAP_INT_OVERFLOW;
		if (t < lo) *r = is_signed ? (uint64_t)(int64_t)lo & mask : 0;
		else *r = is_signed ? (mask >> 1) : mask;
		return 0;
	}
	*r = (is_signed ? (uint64_t)(int64_t)t : (uint64_t)t) & mask;
	return 0;
}

/* The spec's result for op(a, b): 0 and *r, or a trap code. */
static int ref(const struct op *o, uint64_t a, uint64_t b, uint64_t *r)
{
	uint32_t x = (uint32_t)a, y = (uint32_t)b;
	int32_t sx = (int32_t)x, sy = (int32_t)y;
	int64_t sa = (int64_t)a, sb = (int64_t)b;

	if (o->fc) {
		bool is_signed = !(o->code & 1);
		double v = o->a == 'f' ? f32(a) : f64(a);
		return trunc_ref(v, is_signed, o->r == 'i' ? 32 : 64, true, r);
	}
	switch (o->code) {
	case 0x45: *r = x == 0; return 0;
	case 0x46: *r = x == y; return 0;
	case 0x47: *r = x != y; return 0;
	case 0x48: *r = sx < sy; return 0;
	case 0x49: *r = x < y; return 0;
	case 0x4a: *r = sx > sy; return 0;
	case 0x4b: *r = x > y; return 0;
	case 0x4c: *r = sx <= sy; return 0;
	case 0x4d: *r = x <= y; return 0;
	case 0x4e: *r = sx >= sy; return 0;
	case 0x4f: *r = x >= y; return 0;
	case 0x50: *r = a == 0; return 0;
	case 0x51: *r = a == b; return 0;
	case 0x52: *r = a != b; return 0;
	case 0x53: *r = sa < sb; return 0;
	case 0x54: *r = a < b; return 0;
	case 0x55: *r = sa > sb; return 0;
	case 0x56: *r = a > b; return 0;
	case 0x57: *r = sa <= sb; return 0;
	case 0x58: *r = a <= b; return 0;
	case 0x59: *r = sa >= sb; return 0;
	case 0x5a: *r = a >= b; return 0;
	case 0x5b: *r = f32(a) == f32(b); return 0;
	case 0x5c: *r = f32(a) != f32(b); return 0;
	case 0x5d: *r = f32(a) < f32(b); return 0;
	case 0x5e: *r = f32(a) > f32(b); return 0;
	case 0x5f: *r = f32(a) <= f32(b); return 0;
	case 0x60: *r = f32(a) >= f32(b); return 0;
	case 0x61: *r = f64(a) == f64(b); return 0;
	case 0x62: *r = f64(a) != f64(b); return 0;
	case 0x63: *r = f64(a) < f64(b); return 0;
	case 0x64: *r = f64(a) > f64(b); return 0;
	case 0x65: *r = f64(a) <= f64(b); return 0;
	case 0x66: *r = f64(a) >= f64(b); return 0;
	case 0x67: { uint32_t n = 0; while (n < 32 && !(x & (0x80000000u >> n))) n++; *r = n; return 0; }
	case 0x68: { uint32_t n = 0; while (n < 32 && !(x & (1u << n))) n++; *r = n; return 0; }
	case 0x69: { uint32_t n = 0; for (int i = 0; i < 32; i++) n += (x >> i) & 1; *r = n; return 0; }
	case 0x6a: *r = (uint32_t)(x + y); return 0;
	case 0x6b: *r = (uint32_t)(x - y); return 0;
	case 0x6c: *r = (uint32_t)(x * y); return 0;
	case 0x6d: if (!y) return WASM_TRAP_DIV_BY_ZERO;
		if (sx == INT32_MIN && sy == -1) return WASM_TRAP_INT_OVERFLOW;
		*r = (uint32_t)(sx / sy); return 0;
	case 0x6e: if (!y) return WASM_TRAP_DIV_BY_ZERO; *r = x / y; return 0;
	case 0x6f: if (!y) return WASM_TRAP_DIV_BY_ZERO;
		*r = sy == -1 ? 0 : (uint32_t)(sx % sy); return 0;
	case 0x70: if (!y) return WASM_TRAP_DIV_BY_ZERO; *r = x % y; return 0;
	case 0x71: *r = x & y; return 0;
	case 0x72: *r = x | y; return 0;
	case 0x73: *r = x ^ y; return 0;
	case 0x74: *r = (uint32_t)(x << (y & 31)); return 0;
	case 0x75: *r = (uint32_t)(sx >> (y & 31)); return 0;
	case 0x76: *r = x >> (y & 31); return 0;
	case 0x77: *r = rotl32(x, y); return 0;
	case 0x78: *r = rotl32(x, 32 - (y & 31)); return 0;
	case 0x79: { uint64_t n = 0; while (n < 64 && !(a & (1ull << (63 - n)))) n++; *r = n; return 0; }
	case 0x7a: { uint64_t n = 0; while (n < 64 && !(a & (1ull << n))) n++; *r = n; return 0; }
	case 0x7b: { uint64_t n = 0; for (int i = 0; i < 64; i++) n += (a >> i) & 1; *r = n; return 0; }
	case 0x7c: *r = a + b; return 0;
	case 0x7d: *r = a - b; return 0;
	case 0x7e: *r = a * b; return 0;
	case 0x7f: if (!b) return WASM_TRAP_DIV_BY_ZERO;
		if (sa == INT64_MIN && sb == -1) return WASM_TRAP_INT_OVERFLOW;
		*r = (uint64_t)(sa / sb); return 0;
	case 0x80: if (!b) return WASM_TRAP_DIV_BY_ZERO; *r = a / b; return 0;
	case 0x81: if (!b) return WASM_TRAP_DIV_BY_ZERO;
		*r = sb == -1 ? 0 : (uint64_t)(sa % sb); return 0;
	case 0x82: if (!b) return WASM_TRAP_DIV_BY_ZERO; *r = a % b; return 0;
	case 0x83: *r = a & b; return 0;
	case 0x84: *r = a | b; return 0;
	case 0x85: *r = a ^ b; return 0;
	case 0x86: *r = a << (b & 63); return 0;
	case 0x87: *r = (uint64_t)(sa >> (b & 63)); return 0;
	case 0x88: *r = a >> (b & 63); return 0;
	case 0x89: *r = rotl64(a, b); return 0;
	case 0x8a: *r = rotl64(a, 64 - (b & 63)); return 0;
	case 0x8b: *r = x & 0x7fffffffu; return 0;
	case 0x8c: *r = x ^ 0x80000000u; return 0;
	case 0x8d: *r = bf32(ceilf(f32(a))); return 0;
	case 0x8e: *r = bf32(floorf(f32(a))); return 0;
	case 0x8f: *r = bf32(truncf(f32(a))); return 0;
	case 0x90: *r = bf32(rintf(f32(a))); return 0;
	case 0x91: *r = bf32(sqrtf(f32(a))); return 0;
	case 0x92: *r = bf32(f32(a) + f32(b)); return 0;
	case 0x93: *r = bf32(f32(a) - f32(b)); return 0;
	case 0x94: *r = bf32(f32(a) * f32(b)); return 0;
	case 0x95: *r = bf32(f32(a) / f32(b)); return 0;
	case 0x96: *r = bf32((float)fmin_spec(f32(a), f32(b))); return 0;
	case 0x97: *r = bf32((float)fmax_spec(f32(a), f32(b))); return 0;
	case 0x98: *r = (x & 0x7fffffffu) | (y & 0x80000000u); return 0;
	case 0x99: *r = a & ~(1ull << 63); return 0;
	case 0x9a: *r = a ^ (1ull << 63); return 0;
	case 0x9b: *r = bf64(ceil(f64(a))); return 0;
	case 0x9c: *r = bf64(floor(f64(a))); return 0;
	case 0x9d: *r = bf64(trunc(f64(a))); return 0;
	case 0x9e: *r = bf64(rint(f64(a))); return 0;
	case 0x9f: *r = bf64(sqrt(f64(a))); return 0;
	case 0xa0: *r = bf64(f64(a) + f64(b)); return 0;
	case 0xa1: *r = bf64(f64(a) - f64(b)); return 0;
	case 0xa2: *r = bf64(f64(a) * f64(b)); return 0;
	case 0xa3: *r = bf64(f64(a) / f64(b)); return 0;
	case 0xa4: *r = bf64(fmin_spec(f64(a), f64(b))); return 0;
	case 0xa5: *r = bf64(fmax_spec(f64(a), f64(b))); return 0;
	case 0xa6: *r = (a & ~(1ull << 63)) | (b & (1ull << 63)); return 0;
	case 0xa7: *r = x; return 0;
	case 0xa8: return trunc_ref(f32(a), true, 32, false, r);
	case 0xa9: return trunc_ref(f32(a), false, 32, false, r);
	case 0xaa: return trunc_ref(f64(a), true, 32, false, r);
	case 0xab: return trunc_ref(f64(a), false, 32, false, r);
	case 0xac: *r = (uint64_t)(int64_t)sx; return 0;
	case 0xad: *r = x; return 0;
	case 0xae: return trunc_ref(f32(a), true, 64, false, r);
	case 0xaf: return trunc_ref(f32(a), false, 64, false, r);
	case 0xb0: return trunc_ref(f64(a), true, 64, false, r);
	case 0xb1: return trunc_ref(f64(a), false, 64, false, r);
	case 0xb2: *r = bf32((float)sx); return 0;
	case 0xb3: *r = bf32((float)x); return 0;
	case 0xb4: *r = bf32((float)sa); return 0;
	case 0xb5: *r = bf32((float)a); return 0;
	case 0xb6: *r = bf32((float)f64(a)); return 0;
	case 0xb7: *r = bf64((double)sx); return 0;
	case 0xb8: *r = bf64((double)x); return 0;
	case 0xb9: *r = bf64((double)sa); return 0;
	case 0xba: *r = bf64((double)a); return 0;
	case 0xbb: *r = bf64((double)f32(a)); return 0;
	case 0xbc: case 0xbe: *r = x; return 0;
	case 0xbd: case 0xbf: *r = a; return 0;
	case 0xc0: *r = (uint32_t)(int32_t)(int8_t)x; return 0;
	case 0xc1: *r = (uint32_t)(int32_t)(int16_t)x; return 0;
	case 0xc2: *r = (uint64_t)(int64_t)(int8_t)a; return 0;
	case 0xc3: *r = (uint64_t)(int64_t)(int16_t)a; return 0;
	case 0xc4: *r = (uint64_t)(int64_t)(int32_t)a; return 0;
	}
	return -1;
}

static bool is_nan_bits(char t, uint64_t v)
{
	return t == 'f' ? isnan(f32(v)) : t == 'F' ? isnan(f64(v)) : false;
}

/* the instructions whose NaN results keep their bits (§4.3.3 fabs, fneg,
 * fcopysign; reinterpret) */
static bool ref_bit_exact(const struct op *o)
{
	return !o->fc && ((o->code >= 0x8b && o->code <= 0x8c) || o->code == 0x98 ||
			  o->code == 0x99 || o->code == 0x9a || o->code == 0xa6 ||
			  o->code == 0xbe || o->code == 0xbf);
}

/* result `got` (bits of type o->r) is what the spec allows for `want` */
static inline bool ref_same(const struct op *o, uint64_t want, uint64_t got)
{
	if (is_nan_bits(o->r, want))
		return is_nan_bits(o->r, got) && (!ref_bit_exact(o) || got == want);
	return got == want;
}

#endif
