/*
 * runtime.c — the runtime helpers compiled code calls through ctx->rt
 * (struct jit_rt, jit.h): the table instructions that need more than a load
 * or a store (table.grow/fill/copy/init, elem.drop), memory.init/data.drop
 * (Core spec 2.0 §4.4.6 "Table Instructions", §4.4.7 "Memory Instructions"),
 * the bulk memory instructions on memories other than 0 (multi-memory),
 * and numeric fallbacks for CPUs without POPCNT or SSE4.1.
 *
 * Bounds follow the spec exactly: every range is checked as a 64-bit sum
 * before anything is written, so a zero-length access just past the end is
 * fine and one further out traps.  A trap is returned as its code; compiled
 * code raises it at the call site.
 */
#include <stdlib.h>
#include <string.h>
#include "jit.h"

static bool in_bounds(uint32_t start, uint32_t n, uint64_t size)
{
	return (uint64_t)start + n <= size;
}

static int32_t rt_table_grow(struct jit_ctx *ctx, uint32_t ti, uint64_t init,
			     uint32_t delta)
{
	struct jit_table *t = ctx->tables[ti];
	uint64_t old = t->size, n = old + delta;
	uint64_t *e;

	if (!delta)
		return (int32_t)old;
	if (n > t->max || n > JIT_TABLE_MAX_ELEMS)
		return -1;
	e = realloc(t->elems, n * sizeof *e);
	if (!e)
		return -1;
	for (uint64_t i = old; i < n; i++)
		e[i] = init;
	t->elems = e;
	t->size = (uint32_t)n;
	return (int32_t)old;
}

static uint32_t rt_table_fill(struct jit_ctx *ctx, uint32_t ti, uint32_t i,
			      uint64_t val, uint32_t n)
{
	struct jit_table *t = ctx->tables[ti];

	if (!in_bounds(i, n, t->size))
		return WASM_TRAP_TABLE_OOB;
	for (uint32_t k = 0; k < n; k++)
		t->elems[i + k] = val;
	return 0;
}

static uint32_t rt_table_copy(struct jit_ctx *ctx, uint32_t dst, uint32_t src,
			      uint32_t d, uint32_t s, uint32_t n)
{
	struct jit_table *td = ctx->tables[dst], *ts = ctx->tables[src];

	if (!in_bounds(d, n, td->size) || !in_bounds(s, n, ts->size))
		return WASM_TRAP_TABLE_OOB;
	if (n)
		memmove(td->elems + d, ts->elems + s, (size_t)n * sizeof *td->elems);
	return 0;
}

static uint32_t rt_table_init(struct jit_ctx *ctx, uint32_t ti, uint32_t ei,
			      uint32_t d, uint32_t s, uint32_t n)
{
	struct jit_table *t = ctx->tables[ti];
	const struct jit_elem_seg *e = &ctx->elem_segs[ei];

	if (!in_bounds(s, n, e->len) || !in_bounds(d, n, t->size))
		return WASM_TRAP_TABLE_OOB;
	if (n)
		memcpy(t->elems + d, e->vals + s, (size_t)n * sizeof *t->elems);
	return 0;
}

static void rt_elem_drop(struct jit_ctx *ctx, uint32_t ei)
{
	ctx->elem_segs[ei].len = 0;
}

static uint32_t rt_memory_init_n(struct jit_ctx *ctx, uint32_t mi, uint32_t di,
				 uint32_t d, uint32_t s, uint32_t n)
{
	const struct jit_data_seg *seg = &ctx->data_segs[di];
	struct jit_memory *mem = ctx->mems[mi];

	if (!in_bounds(s, n, seg->len) || !in_bounds(d, n, mem->size))
		return WASM_TRAP_MEMORY_OOB;
	if (n)
		memcpy(mem->base + d, seg->bytes + s, n);
	return 0;
}

static uint32_t rt_memory_init(struct jit_ctx *ctx, uint32_t di, uint32_t d,
			       uint32_t s, uint32_t n)
{
	return rt_memory_init_n(ctx, 0, di, d, s, n);
}

/* multi-memory: memory.grow/fill/copy on any memory index (memory 0's
 * are inline in compiled code; these give the same results) */
static int32_t rt_memory_grow_n(struct jit_ctx *ctx, uint32_t mi, uint32_t delta)
{
	return jit_mem_grow(ctx->mems[mi], delta);
}

/* memory64: d + n <= size without wrapping past 2^64 */
static bool in_bounds64(uint64_t d, uint64_t n, uint64_t size)
{
	return d <= size && n <= size - d;
}

static int64_t rt_memory_grow64(struct jit_ctx *ctx, uint32_t mi, uint64_t delta)
{
	if (delta > JIT_MEM64_MAX_PAGES)        /* jit_mem_grow's delta is a u32 */
		return -1;
	int32_t old = jit_mem_grow(ctx->mems[mi], (uint32_t)delta);
	return old < 0 ? -1 : (int64_t)old;
}

static uint32_t rt_memory_fill64(struct jit_ctx *ctx, uint32_t mi, uint64_t d,
				 uint32_t val, uint64_t n)
{
	struct jit_memory *mem = ctx->mems[mi];

	if (!in_bounds64(d, n, mem->size))
		return WASM_TRAP_MEMORY_OOB;
	if (n)
		memset(mem->base + d, (int)(val & 0xff), n);
	return 0;
}

/* either memory may be 32-bit: its operand arrives zero-extended */
static uint32_t rt_memory_copy64(struct jit_ctx *ctx, uint32_t dmi, uint32_t smi,
				 uint64_t d, uint64_t s, uint64_t n)
{
	struct jit_memory *dm = ctx->mems[dmi], *sm = ctx->mems[smi];

	if (!in_bounds64(d, n, dm->size) || !in_bounds64(s, n, sm->size))
		return WASM_TRAP_MEMORY_OOB;
	if (n)
		memmove(dm->base + d, sm->base + s, n);
	return 0;
}

/* multi-memory's fill and copy on 32-bit operands: the *64 checks, on
 * the operands zero-extended, are the same */
static uint32_t rt_memory_fill_n(struct jit_ctx *ctx, uint32_t mi, uint32_t d,
				 uint32_t val, uint32_t n)
{
	return rt_memory_fill64(ctx, mi, d, val, n);
}

static uint32_t rt_memory_copy_n(struct jit_ctx *ctx, uint32_t dmi, uint32_t smi,
				 uint32_t d, uint32_t s, uint32_t n)
{
	return rt_memory_copy64(ctx, dmi, smi, d, s, n);
}

static uint32_t rt_memory_init64(struct jit_ctx *ctx, uint32_t mi, uint32_t di,
				 uint64_t d, uint32_t s, uint32_t n)
{
	const struct jit_data_seg *seg = &ctx->data_segs[di];
	struct jit_memory *mem = ctx->mems[mi];

	if (!in_bounds(s, n, seg->len) || !in_bounds64(d, n, mem->size))
		return WASM_TRAP_MEMORY_OOB;
	if (n)
		memcpy(mem->base + d, seg->bytes + s, n);
	return 0;
}

static void rt_data_drop(struct jit_ctx *ctx, uint32_t di)
{
	ctx->data_segs[di].len = 0;
}

/* ---- numeric fallbacks -------------------------------------------------- */

static uint64_t rt_popcnt(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (x * 0x0101010101010101ull) >> 56;
}

/* rounding without SSE4.1: mode 0 nearest-even, 1 floor, 2 ceil, 3 trunc */
static double rt_round64(double x, int mode)
{
	uint64_t b;
	memcpy(&b, &x, 8);
	int e = (int)((b >> 52) & 0x7ff) - 1023;
	if (e >= 52)            /* integral, inf, or NaN (quieted by x + x) */
		return x != x ? x + x : x;
	if (mode == 0) {
		volatile double big = 4503599627370496.0;   /* 2^52 */
		double ax = __builtin_fabs(x);
		volatile double y = ax + big;
		double r = y - big;
		return __builtin_copysign(r, x);
	}
	double t;
	if (e < 0) {
		t = __builtin_copysign(0.0, x);
	} else {
		uint64_t mask = (1ull << (52 - e)) - 1;
		uint64_t tb = b & ~mask;
		memcpy(&t, &tb, 8);
	}
	if (mode == 1 && x < t)
		t -= 1.0;
	else if (mode == 2 && x > t)
		t += 1.0;
	return t;
}

/* Every f32 is exactly a double, and so is every f32 rounded to an
 * integer, so rounding in double and narrowing back is exact (a NaN comes
 * back quieted, which is an arithmetic NaN as the spec asks). */
static float rt_round32(float x, int mode)
{
	return (float)rt_round64((double)x, mode);
}

const struct jit_rt jit_runtime = {
	.table_grow = rt_table_grow,
	.table_fill = rt_table_fill,
	.table_copy = rt_table_copy,
	.table_init = rt_table_init,
	.elem_drop = rt_elem_drop,
	.memory_init = rt_memory_init,
	.data_drop = rt_data_drop,
	.call_ref = jit_call_ref,
	.popcnt = rt_popcnt,
	.round64 = rt_round64,
	.round32 = rt_round32,
	.memory_grow_n = rt_memory_grow_n,
	.memory_fill_n = rt_memory_fill_n,
	.memory_copy_n = rt_memory_copy_n,
	.memory_init_n = rt_memory_init_n,
	.memory_grow64 = rt_memory_grow64,
	.memory_fill64 = rt_memory_fill64,
	.memory_copy64 = rt_memory_copy64,
	.memory_init64 = rt_memory_init64,
	.eh_throw = jit_eh_rt_throw,
	.eh_throw_obj = jit_eh_rt_throw_obj,
	.eh_rethrow = jit_eh_rt_rethrow,
	.eh_catch = jit_eh_rt_catch,
	.eh_pass = jit_eh_rt_pass,
	.eh_drop = jit_eh_rt_drop,
};
