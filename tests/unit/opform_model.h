/*
 * opform_model.h — what test_opform.c tests and the reference it checks
 * against: the instruction catalogue (every numeric, conversion, compare,
 * select, memory and table instruction, Core spec 2.0 §5.4), the operand
 * values per kind of operand, and a model of the module's state (linear
 * memory, two tables, segments) that evaluates each instruction as the
 * spec says (§4.4 "Instructions"; numerics from numref.h).
 *
 * The module test_opform.c builds around every instruction has (indices
 * are fixed, the model and the generator share them):
 *   functions  0 c0 () -> i32 = 100, 1 c1 () -> i32 = 101,
 *              2 cbad () -> i64 (a type call_indirect must refuse),
 *              3 run (the dispatcher, exported),
 *              4..7 the identity of i32, i64, f32, f64 (calls),
 *              8 (i32 a, i32 b) -> a - b, 9.. the test functions
 *   tables     0 funcref 4..4 = [c0, c1, cbad, null]  (call_indirect, table.init)
 *              1 externref 8..12                     (get/set/size/grow/fill/copy)
 *              2 externref 64: reference results of the tests
 *              3 funcref: the test functions, for run's call_indirect
 *   globals    0..2 mut externref (R forms of references), 3..6 mut i32,
 *              i64, f32, f64 (global.set then global.get)
 *   memory     1..1 pages; data segment 0 passive, 16 bytes
 *   elem       segment 2 passive [c1, c0, cbad]       (table.init, elem.drop)
 */
#ifndef TESTS_UNIT_OPFORM_MODEL_H
#define TESTS_UNIT_OPFORM_MODEL_H

#include <stdint.h>
#include <string.h>
#include "numref.h"

/* ---- operand values -------------------------------------------------------- */

/* the kind of an operand decides its constants (K: one function each) and
 * its values (V: passed as parameters); V holds every K with neighbours,
 * so that a compare against each constant sees below, equal and above */
enum vclass { VC_I32, VC_I64, VC_F32, VC_F64, VC_ADDR, VC_LEN, VC_TIDX, VC_SEGOFF,
	      VC_EXT, VC__N };

struct vset { const uint64_t *k, *v; size_t nk, nv; };


/* the interesting values first: a trapping instruction runs only the
 * first vectors and every fifth (test_opform.c, vector_kept) */
static const uint64_t k_i32[] = { 0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 127, 128,
	0xffffff80, 0xffffff7f, 31, 32, 0x12345678 };
static const uint64_t v_i32[] = { 0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 2, 0xfffffffe,
	0x80000001, 0x7ffffffe, 126, 127, 128, 129, 0xffffff7f, 0xffffff80, 0xffffff81, 30, 31,
	32, 33, 0x12345677, 0x12345678, 0x12345679, 0xdeadbeef, 0x55555555, 0xaaaaaaaa, 64,
	0xffff };
static const uint64_t k_i64[] = { 0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
	127, 128, (uint64_t)-129, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
	0x100000005ull, 0xffffffff80000000ull, 63, 64 };
static const uint64_t v_i64[] = { 0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
	2, 5, ~1ull, 127, 128, (uint64_t)-129, (uint64_t)-128, 0x7ffffffe, 0x7fffffff,
	0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x100000000ull, 0x100000001ull,
	0x100000005ull, 0xffffffff80000000ull, 0xffffffff7fffffffull, 0xffffffff80000001ull,
	0x8000000000000001ull, 0x7ffffffffffffffeull, 62, 63, 64, 65, 0x123456789abcdef0ull,
	0xfedcba9876543210ull };
#define FNAN32 0x7fc00000ull
#define FNAN64 0x7ff8000000000000ull
/* floats as bits: zeros, ones, halves, infinities, NaNs (quiet, signalling,
 * negative), the conversions' edges (2^31, 2^32, 2^63, 2^64 and their
 * neighbours), the largest finite, the smallest subnormal */
static const uint64_t k_f32[] = {
	0x00000000, 0x80000000, 0x3f800000, 0xbf800000,     /* 0 -0 1 -1 */
	0x3f000000, 0xc0200000, 0x3fc00000,                 /* 0.5 -2.5 1.5 */
	0x7f800000, 0xff800000, FNAN32,                     /* inf -inf nan */
	0x4f000000, 0x4f800000, 0x5f000000,                 /* 2^31 2^32 2^63 */
	0x7f7fffff, 0x00000001, 0xcf000001 };               /* max, min sub, -2^31-256 */
static const uint64_t v_f32[] = {
	0x00000000, 0x80000000, 0x3f800000, 0xbf800000,     /* 0 -0 1 -1 */
	FNAN32, 0x7fa00000, 0xffc00000,                     /* nan snan -nan */
	0x3f000000, 0xbf000000, 0xc0200000, 0x3fc00000,     /* 0.5 -0.5 -2.5 1.5 */
	0x40200000, 0x406ccccd, 0xc06ccccd,                 /* 2.5 3.7 -3.7 */
	0x7f800000, 0xff800000,                             /* inf -inf */
	0x4f000000, 0x4effffff, 0xcf000000, 0xcf000001,     /* 2^31, below, -2^31, below */
	0x4f800000, 0x4f7fffff,                             /* 2^32, below */
	0x5f000000, 0x5f800000, 0x7f7fffff, 0x00000001,     /* 2^63 2^64 max min-sub */
	0x3effffff, 0x4b800000, 0x501502f9, 0x3dcccccd };   /* 0.49999997 2^24 1e10 0.1 */
static const uint64_t k_f64[] = {
	0x0000000000000000ull, 0x8000000000000000ull,       /* 0 -0 */
	0x3ff0000000000000ull, 0xbff0000000000000ull,       /* 1 -1 */
	0x3fe0000000000000ull, 0xc004000000000000ull,       /* 0.5 -2.5 */
	0x3ff8000000000000ull, 0x7ff0000000000000ull,       /* 1.5 inf */
	0xfff0000000000000ull, FNAN64,                      /* -inf nan */
	0x41e0000000000000ull, 0xc1e0000000200000ull,       /* 2^31 -2^31-1 */
	0x41f0000000000000ull, 0x43e0000000000000ull,       /* 2^32 2^63 */
	0x7fefffffffffffffull, 0x0000000000000001ull };     /* max, min subnormal */
static const uint64_t v_f64[] = {
	0x0000000000000000ull, 0x8000000000000000ull,       /* 0 -0 */
	0x3ff0000000000000ull, 0xbff0000000000000ull,       /* 1 -1 */
	FNAN64, 0x7ff4000000000000ull, 0xfff8000000000000ull, /* nan snan -nan */
	0x3fe0000000000000ull, 0xc004000000000000ull,       /* 0.5 -2.5 */
	0x3ff8000000000000ull, 0x4004000000000000ull,       /* 1.5 2.5 */
	0xc00d99999999999aull, 0x7ff0000000000000ull,       /* -3.7 inf */
	0xfff0000000000000ull, 0x3fdfffffffffffffull,       /* -inf 0.49999999999999994 */
	0x41dfffffffc00000ull, 0x41e0000000000000ull,       /* 2^31-1 2^31 */
	0xc1e0000000000000ull, 0xc1e00000001ccccdull,       /* -2^31 -2147483648.9 */
	0xc1e0000000200000ull, 0x41effffffffccccdull,       /* -2^31-1 4294967295.9 */
	0x41f0000000000000ull, 0x43e0000000000000ull,       /* 2^32 2^63 */
	0xc3e0000000000000ull, 0x43f0000000000000ull,       /* -2^63 2^64 */
	0x46293e5939a08ceaull, 0x7fefffffffffffffull,       /* 1e30 max */
	0x0000000000000001ull, 0x4330000000000001ull,       /* min subnormal, 2^52+1 */
	0x3fb999999999999aull };                            /* 0.1 */
/* memory addresses: in bounds (data from 0x2000; 0..0xff is free too),
 * at the end of the one page, past it, and where a 32-bit displacement
 * would turn negative (2^31) */
static const uint64_t k_addr[] = { 0x2000, 0x2003, 0xfff8, 0xfffc, 0xffff, 0x10000,
	0x7ffffff0, 0x7fffffff, 0x80000000, 0xffffffff, 0 };
static const uint64_t v_addr[] = { 0x2000, 0xfff8, 0x10000, 0xffffffff, 0x80000000, 0x2001,
	0x2003, 0x2007, 0x2010, 0x20ff, 0xfff0, 0xfff9, 0xfffc, 0xfffd, 0xfffe, 0xffff,
	0x10001, 0x7ffffff0, 0x7fffffff, 0xfffffff0, 0, 3, 0x3ffd };
static const uint64_t k_len[] = { 0, 1, 7, 16, 0x10000, 0xffffffff };
static const uint64_t v_len[] = { 0, 1, 0xffffffff, 0x10000, 2, 7, 16, 17, 0x100, 0xe000,
	0xdfff, 0x10001, 0x80000000 };
static const uint64_t k_tidx[] = { 0, 1, 3, 4, 8, 0xffffffff };
static const uint64_t v_tidx[] = { 0, 1, 0xffffffff, 2, 3, 4, 5, 7, 8, 9, 11, 12, 0x80000000 };
static const uint64_t k_segoff[] = { 0, 1, 3, 16 };
static const uint64_t v_segoff[] = { 0, 1, 0xffffffff, 2, 3, 4, 15, 16, 17 };
static const uint64_t k_ext[] = { 0 };      /* ref.null extern */
static const uint64_t v_ext[] = { 0, 1, 0x1234, 0xdeadbeefcafeull, ~0ull };

#define VS(k, v) { k, v, sizeof k / sizeof *k, sizeof v / sizeof *v }
static const struct vset vsets[VC__N] = {
	[VC_I32] = VS(k_i32, v_i32), [VC_I64] = VS(k_i64, v_i64),
	[VC_F32] = VS(k_f32, v_f32), [VC_F64] = VS(k_f64, v_f64),
	[VC_ADDR] = VS(k_addr, v_addr), [VC_LEN] = VS(k_len, v_len),
	[VC_TIDX] = VS(k_tidx, v_tidx), [VC_SEGOFF] = VS(k_segoff, v_segoff),
	[VC_EXT] = VS(k_ext, v_ext),
};

static enum vclass num_class(char t)
{
	return t == 'i' ? VC_I32 : t == 'I' ? VC_I64 : t == 'f' ? VC_F32 : t == 'F' ? VC_F64 : VC_EXT;
}

/* a value of type t as it is in a slot: i32/f32 zero-extended */
static inline uint64_t canon(char t, uint64_t v)
{
	return t == 'i' || t == 'f' ? (uint32_t)v : v;
}

/* ---- the instruction catalogue ----------------------------------------------- */

enum ikind { K_NUM, K_SELECT, K_LOAD, K_STORE, K_MSIZE, K_MGROW, K_MFILL, K_MCOPY,
	     K_MINIT, K_DDROP, K_TGET, K_TSET, K_TSIZE, K_TGROW, K_TFILL, K_TCOPY, K_TINIT,
	     K_EDROP, K_CALLIND, K_ISNULL, K_GLOBAL, K_CALL, K_CALLSUB, K_BRIF, K_IF,
	     K_BRTABLE };

struct ins {
	char name[48];
	enum ikind kind;
	const struct op *num;           /* K_NUM */
	uint8_t pre[8];                 /* control: the blocks around the operands */
	uint8_t npre;
	uint8_t code[24];               /* the instruction with its immediates */
	uint8_t ncode;
	char ops[3];                    /* operand types: i I f F x (externref) */
	uint8_t cls[3];                 /* enum vclass of each operand */
	uint8_t nops;
	char res;                       /* result type, 0 = none */
	uint32_t offset;                /* loads, stores */
	uint8_t size;                   /* bytes accessed */
	bool sx;                        /* loads: sign-extending */
	bool traps;                     /* may trap: one test site per function */
	bool light;                     /* the result only returned (fewer sites) */
	bool writes;                    /* changes memory or a table */
};

/* ---- the model ---------------------------------------------------------------------- */

#define MEM_SIZE 65536u
#define T0_SIZE 4
#define T1_MAX 12

struct model {
	uint8_t mem[MEM_SIZE];
	int t0[T0_SIZE];                /* callee 0, 1, 2 (c0 c1 cbad) or -1 */
	uint64_t t1[T1_MAX];
	uint32_t t1_size;
	bool elem_dropped, data_dropped;
};

static const uint8_t data_seg0[16] = "0123456789abcdef";
static const int elem_seg2[3] = { 1, 0, 2 };

static uint8_t mem_pattern(uint32_t i)
{
	return (uint8_t)(i * 131u + 7u + (i >> 8) * 29u);
}

static void model_init(struct model *m)
{
	for (uint32_t i = 0; i < MEM_SIZE; i++)
		m->mem[i] = mem_pattern(i);
	m->t0[0] = 0, m->t0[1] = 1, m->t0[2] = 2, m->t0[3] = -1;
	memset(m->t1, 0, sizeof m->t1);
	for (uint32_t i = 0; i < 8; i++)
		m->t1[i] = i == 5 ? 0 : 0x1000 + i;
	m->t1_size = 8;
	m->elem_dropped = m->data_dropped = false;
}

static uint64_t ld_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* Evaluate `in` on operand values v (canonical bits): 0 and *r, or a
 * trap code; the model changes as the instruction would change the
 * instance (nothing on a trap: spec 2.0 checks bulk ranges first). */
static int model_eval(struct model *m, const struct ins *in, const uint64_t *v, uint64_t *r)
{
	uint64_t ea, d, s, n;

	*r = 0;
	switch (in->kind) {
	case K_NUM:
		return ref(in->num, v[0], v[1], r);
	case K_SELECT:
		*r = (uint32_t)v[2] ? v[0] : v[1];
		return 0;
	case K_LOAD:
		ea = v[0] + in->offset;
		if (ea + in->size > MEM_SIZE)
			return WASM_TRAP_MEMORY_OOB;
		*r = ld_le(m->mem + ea, in->size);
		if (in->sx && in->size < 8) {
			int sh = 64 - 8 * in->size;
			*r = (uint64_t)((int64_t)(*r << sh) >> sh);
		}
		*r = canon(in->res, *r);
		return 0;
	case K_STORE:
		ea = v[0] + in->offset;
		if (ea + in->size > MEM_SIZE)
			return WASM_TRAP_MEMORY_OOB;
		for (int i = 0; i < in->size; i++)
			m->mem[ea + i] = (uint8_t)(v[1] >> (8 * i));
		return 0;
	case K_MSIZE:
		*r = 1;
		return 0;
	case K_MGROW:           /* max 1 page: only growing by 0 succeeds */
		*r = (uint32_t)v[0] == 0 ? 1 : 0xffffffff;
		return 0;
	case K_MFILL:
		d = v[0], n = v[2];
		if (d + n > MEM_SIZE)
			return WASM_TRAP_MEMORY_OOB;
		memset(m->mem + d, (int)(v[1] & 0xff), n);
		return 0;
	case K_MCOPY:
		d = v[0], s = v[1], n = v[2];
		if (d + n > MEM_SIZE || s + n > MEM_SIZE)
			return WASM_TRAP_MEMORY_OOB;
		memmove(m->mem + d, m->mem + s, n);
		return 0;
	case K_MINIT:
		d = v[0], s = v[1], n = v[2];
		if (s + n > (m->data_dropped ? 0 : sizeof data_seg0) || d + n > MEM_SIZE)
			return WASM_TRAP_MEMORY_OOB;
		memcpy(m->mem + d, data_seg0 + s, n);
		return 0;
	case K_DDROP:
		m->data_dropped = true;
		return 0;
	case K_TGET:
		if (v[0] >= m->t1_size)
			return WASM_TRAP_TABLE_OOB;
		*r = m->t1[v[0]];
		return 0;
	case K_TSET:
		if (v[0] >= m->t1_size)
			return WASM_TRAP_TABLE_OOB;
		m->t1[v[0]] = v[1];
		return 0;
	case K_TSIZE:
		*r = m->t1_size;
		return 0;
	case K_TGROW:
		n = v[1];
		if (m->t1_size + n > T1_MAX) {
			*r = 0xffffffff;
			return 0;
		}
		*r = m->t1_size;
		for (uint64_t i = 0; i < n; i++)
			m->t1[m->t1_size + i] = v[0];
		m->t1_size += (uint32_t)n;
		return 0;
	case K_TFILL:
		d = v[0], n = v[2];
		if (d + n > m->t1_size)
			return WASM_TRAP_TABLE_OOB;
		for (uint64_t i = 0; i < n; i++)
			m->t1[d + i] = v[1];
		return 0;
	case K_TCOPY:
		d = v[0], s = v[1], n = v[2];
		if (d + n > m->t1_size || s + n > m->t1_size)
			return WASM_TRAP_TABLE_OOB;
		memmove(m->t1 + d, m->t1 + s, n * sizeof *m->t1);
		return 0;
	case K_TINIT:
		d = v[0], s = v[1], n = v[2];
		if (s + n > (m->elem_dropped ? 0u : 3u) || d + n > T0_SIZE)
			return WASM_TRAP_TABLE_OOB;
		for (uint64_t i = 0; i < n; i++)
			m->t0[d + i] = elem_seg2[s + i];
		return 0;
	case K_EDROP:
		m->elem_dropped = true;
		return 0;
	case K_CALLIND:
		if (v[0] >= T0_SIZE)
			return WASM_TRAP_UNDEFINED_ELEMENT;
		if (m->t0[v[0]] < 0)
			return WASM_TRAP_UNINITIALIZED_ELEMENT;
		if (m->t0[v[0]] == 2)
			return WASM_TRAP_INDIRECT_CALL_TYPE;
		*r = 100 + (uint64_t)m->t0[v[0]];
		return 0;
	case K_ISNULL:
		*r = v[0] == 0;
		return 0;
	case K_GLOBAL: case K_CALL:     /* set then get; the identity */
		*r = v[0];
		return 0;
	case K_CALLSUB:
		*r = (uint32_t)(v[0] - v[1]);
		return 0;
	case K_BRIF: case K_IF:
		*r = (uint32_t)v[0] ? 7 : 9;
		return 0;
	case K_BRTABLE:
		*r = (uint32_t)v[0] < 2 ? 20 + (uint32_t)v[0] : 22;
		return 0;
	}
	return -1;
}

#endif
