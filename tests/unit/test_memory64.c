/*
 * test_memory64.c — the memory64 proposal (issue 10, docs/memory64.md) on
 * the hosted platform: a 64-bit memory's accesses are bounds-checked in
 * code (jit/compile/memory.c checked_addr), so each access size is tried
 * at the exact edge (its last valid address works, one more traps) with
 * the address in a register, a constant and a slot; address + offset +
 * size past 2^64 traps and never wraps; memory.size/grow in i64 (-1 on
 * failure, a delta above 2^32 not truncated); wasmetal's cap of 65536
 * pages on a 64-bit memory; the bulk instructions and data segments with
 * i64 addresses; SIMD loads and stores (checked for their own size);
 * validation (i64 addresses, the feature off); a 64-bit memory as memory
 * 1 beside a 32-bit memory 0.
 *
 * Modules are assembled with wabt's wat2wasm --enable-memory64 (and
 * --enable-multi-memory) at test time (tests/unit/wat.h).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "wasm.h"
#include "module.h"
#include "jit.h"
#include "plat_host.h"
#include "wat.h"

static char tmpdir[64];
static struct wasm_error err;
static struct wasm_trap trap;

static const char *wat_flags = "--enable-memory64 --enable-multi-memory";

static wasm_module *load_wat(const char *text)
{
	size_t n;
	uint8_t *b = wat_assemble_flags(tmpdir, wat_flags, text, &n);
	wasm_module *m = NULL;

	if (!b)
		return NULL;
	memset(&err, 0, sizeof err);
	if (wasm_module_load(b, n, &m, &err)) {
		char buf[256];

		wasm_error_format(&err, buf, sizeof buf);
		fprintf(stderr, "load: %s\n", buf);
	}
	free(b);
	return m;
}

static int inst_wat(const char *text, wasm_module **mp, wasm_instance **ip)
{
	*ip = NULL;
	if (!(*mp = load_wat(text)))
		return -100;
	memset(&err, 0, sizeof err);
	memset(&trap, 0, sizeof trap);
	return wasm_instance_new(*mp, NULL, 0, ip, &err, &trap);
}

static void done(wasm_module *m, wasm_instance *i)
{
	wasm_instance_free(i);
	wasm_module_free(m);
}

/* f(a0, a1) -> *r: 0, 1 (trapped, the text in trap) or -1 */
static int call2(wasm_instance *i, const char *f, uint64_t a0, uint64_t a1, uint64_t *r)
{
	uint64_t a[2] = { a0, a1 }, res[1] = { 0 };
	int rc;

	memset(&trap, 0, sizeof trap);
	memset(&err, 0, sizeof err);
	rc = wasm_call(i, f, a, 2, res, r ? 1 : 0, &trap, &err);
	if (r)
		*r = res[0];
	return rc;
}

/* f(a0, a1) trapped with the spec's message (f has a result unless its
 * name starts with "st" or is a bulk instruction's) */
static bool traps_oob(wasm_instance *i, const char *f, uint64_t a0, uint64_t a1)
{
	char buf[160];
	uint64_t r;
	bool none = !strncmp(f, "st", 2) || !strcmp(f, "fill") || !strcmp(f, "copy") ||
		    !strcmp(f, "init") || !strcmp(f, "b_to_a") || !strcmp(f, "f64_st");

	if (call2(i, f, a0, a1, none ? NULL : &r) != 1)
		return false;
	return !strcmp(wasm_trap_text(&trap, buf, sizeof buf), "out of bounds memory access");
}

/* loads and stores of 1, 2, 4 and 8 bytes on a 1-page 64-bit memory, the
 * address from a local (register), a block result (slot) and, with
 * offset=, a constant address */
static const char edges[] =
	"(module (memory i64 1)"
	" (func (export \"ld1\") (param i64 i64) (result i64) (i64.load8_u (local.get 0)))"
	" (func (export \"ld2\") (param i64 i64) (result i64) (i64.load16_u (local.get 0)))"
	" (func (export \"ld4\") (param i64 i64) (result i64) (i64.load32_u (local.get 0)))"
	" (func (export \"ld8\") (param i64 i64) (result i64) (i64.load (local.get 0)))"
	" (func (export \"st1\") (param i64 i64) (i64.store8 (local.get 0) (local.get 1)))"
	" (func (export \"st2\") (param i64 i64) (i64.store16 (local.get 0) (local.get 1)))"
	" (func (export \"st4\") (param i64 i64) (i64.store32 (local.get 0) (local.get 1)))"
	" (func (export \"st8\") (param i64 i64) (i64.store (local.get 0) (local.get 1)))"
	" (func (export \"ld8_slot\") (param i64 i64) (result i64)"
	"   (i64.load (block (result i64) (local.get 0))))"
	" (func (export \"ld4_off\") (param i64 i64) (result i64)"    /* offset 65532 */
	"   (i64.load32_u offset=65532 (local.get 0)))"
	" (func (export \"ld8_const_last\") (param i64 i64) (result i64) (i64.load (i64.const 65528)))"
	" (func (export \"ld8_const_past\") (param i64 i64) (result i64) (i64.load (i64.const 65529)))"
	" (func (export \"f64_st\") (param i64 i64)"
	"   (f64.store (local.get 0) (f64.convert_i64_u (local.get 1))))"
	" (func (export \"f32_ld\") (param i64 i64) (result f32) (f32.load (local.get 0)))"
	")";

TEST(access_at_the_exact_edge_per_size)
{
	static const char *ld[] = { "ld1", "ld2", "ld4", "ld8" };
	static const char *st[] = { "st1", "st2", "st4", "st8" };
	wasm_module *m;
	wasm_instance *i;
	uint64_t r;

	REQUIRE(inst_wat(edges, &m, &i) == 0);
	for (int k = 0; k < 4; k++) {
		uint64_t size = 1u << k, last = 65536 - size;

		CHECK_MSG(call2(i, st[k], last, 0x8877665544332211ull, NULL) == 0, "%s", st[k]);
		CHECK_MSG(call2(i, ld[k], last, 0, &r) == 0, "%s", ld[k]);
		CHECK_EQ_U64(r, 0x8877665544332211ull & (size == 8 ? ~0ull : (1ull << 8 * size) - 1));
		CHECK_MSG(traps_oob(i, ld[k], last + 1, 0), "%s at %llu", ld[k],
			  (unsigned long long)(last + 1));
		CHECK_MSG(traps_oob(i, st[k], last + 1, 0), "%s at %llu", st[k],
			  (unsigned long long)(last + 1));
		/* addresses a 32-bit truncation would bring back in bounds */
		CHECK_MSG(traps_oob(i, ld[k], 1ull << 32, 0), "%s at 2^32", ld[k]);
		CHECK_MSG(traps_oob(i, st[k], (1ull << 32) + last, 0), "%s at 2^32+last", st[k]);
		CHECK_MSG(traps_oob(i, ld[k], UINT64_MAX, 0), "%s at 2^64-1", ld[k]);
	}
	CHECK(call2(i, "ld8_slot", 65528, 0, &r) == 0);
	CHECK(traps_oob(i, "ld8_slot", 65529, 0));
	CHECK(call2(i, "ld4_off", 0, 0, &r) == 0);
	CHECK(traps_oob(i, "ld4_off", 1, 0));
	CHECK(call2(i, "ld8_const_last", 0, 0, &r) == 0);
	CHECK(traps_oob(i, "ld8_const_past", 0, 0));
	CHECK(call2(i, "f64_st", 65528, 3, NULL) == 0);
	CHECK(traps_oob(i, "f64_st", 65529, 3));
	CHECK(call2(i, "f32_ld", 65532, 0, &r) == 0);
	CHECK(traps_oob(i, "f32_ld", 65533, 0));
	/* a trapped store wrote nothing: the last 8 bytes still hold f64 3 */
	CHECK(call2(i, "ld8", 65528, 0, &r) == 0);
	CHECK_EQ_U64(r, 0x4008000000000000ull);
	done(m, i);
}

/* A module of one function "f" (param i64 i64) (result i64) on a 1-page
 * 64-bit memory: local.get 0, then op with memarg (align 0, offset), then
 * for a store (i64.const 7 below it) i64.const 0.  By hand: wat2wasm
 * 1.0.32 refuses offsets above 2^32 - 1. */
static wasm_instance *offset_module(wasm_module **m, uint8_t op, uint64_t offset)
{
	uint8_t b[80], body[32];
	size_t n = 0, nb = 0;
	bool store = op >= 0x36;
	static const uint8_t head[] = {
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x07, 0x01, 0x60, 0x02, 0x7e, 0x7e, 0x01, 0x7e,  /* (i64 i64) -> i64 */
		0x03, 0x02, 0x01, 0x00,
		0x05, 0x03, 0x01, 0x04, 0x01,                          /* memory i64 1 */
		0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,
	};
	wasm_instance *i = NULL;

	body[nb++] = 0x00;                                      /* no locals */
	body[nb++] = 0x20;
	body[nb++] = 0x00;
	if (store) {
		body[nb++] = 0x42;
		body[nb++] = 0x07;
	}
	body[nb++] = op;
	body[nb++] = 0x00;
	do {
		body[nb++] = (uint8_t)((offset & 0x7f) | (offset >> 7 ? 0x80 : 0));
		offset >>= 7;
	} while (offset);
	if (store) {
		body[nb++] = 0x42;
		body[nb++] = 0x00;
	}
	body[nb++] = 0x0b;
	memcpy(b, head, sizeof head);
	n = sizeof head;
	b[n++] = 0x0a;
	b[n++] = (uint8_t)(nb + 2);
	b[n++] = 0x01;
	b[n++] = (uint8_t)nb;
	memcpy(b + n, body, nb);
	n += nb;
	memset(&err, 0, sizeof err);
	if (wasm_module_load(b, n, m, &err)) {
		fprintf(stderr, "load: %s\n", err.msg ? err.msg : "?");
		return NULL;
	}
	if (wasm_instance_new(*m, NULL, 0, &i, &err, &trap))
		return NULL;
	return i;
}

/* address + offset (+ size) past 2^64 traps: nothing wraps around to a
 * small effective address */
TEST(offset_plus_address_past_2_64_traps)
{
	static const struct { uint8_t op; uint64_t offset; } c[] = {
		{ 0x31, UINT64_MAX },                   /* i64.load8_u */
		{ 0x29, UINT64_MAX - 7 },               /* i64.load: offset + 8 = 2^64 */
		{ 0x29, UINT64_MAX - 15 },
		{ 0x29, 0x80000000u },                  /* an offset >= 2^31 */
		{ 0x29, 1ull << 32 },
		{ 0x37, UINT64_MAX },                   /* i64.store */
		{ 0x37, UINT64_MAX - 7 },
		{ 0x3c, UINT64_MAX },                   /* i64.store8 */
	};
	static const uint64_t addrs[] = { 0, 1, 7, 8, 9, 16, 17, 65535, 0x7fffffffu,
					  1ull << 32, UINT64_MAX - 0x7fffffffu,
					  UINT64_MAX - 8, UINT64_MAX - 7, UINT64_MAX };

	for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
		wasm_module *m = NULL;
		wasm_instance *i = offset_module(&m, c[k].op, c[k].offset);

		CHECK_MSG(i != NULL, "module %zu", k);
		for (size_t j = 0; i && j < sizeof addrs / sizeof addrs[0]; j++)
			CHECK_MSG(traps_oob(i, "f", addrs[j], 0), "op 0x%x offset 0x%llx address 0x%llx",
				  c[k].op, (unsigned long long)c[k].offset,
				  (unsigned long long)addrs[j]);
		done(m, i);
	}
	/* the edge with an offset: address + 1 + 8 <= 65536 */
	wasm_module *m = NULL;
	wasm_instance *i = offset_module(&m, 0x29, 1);
	uint64_t r;

	REQUIRE(i);
	CHECK(call2(i, "f", 65527, 0, &r) == 0);
	CHECK(traps_oob(i, "f", 65528, 0));
	CHECK(traps_oob(i, "f", UINT64_MAX, 0));
	CHECK(traps_oob(i, "f", UINT64_MAX - 8, 0));
	done(m, i);
	i = offset_module(&m, 0x29, 65528);
	REQUIRE(i);
	CHECK(call2(i, "f", 0, 0, &r) == 0);
	CHECK(traps_oob(i, "f", 1, 0));
	CHECK(traps_oob(i, "f", UINT64_MAX - 65527, 0));        /* sum = 2^64 exactly */
	done(m, i);
}

static const char grow[] =
	"(module (memory i64 1 3)"
	" (func (export \"grow\") (param i64 i64) (result i64) (memory.grow (local.get 0)))"
	" (func (export \"size\") (param i64 i64) (result i64) (memory.size))"
	" (func (export \"ld8\") (param i64 i64) (result i64) (i64.load (local.get 0)))"
	")";

TEST(grow_of_a_64_bit_memory)
{
	wasm_module *m;
	wasm_instance *i;
	uint64_t r;

	REQUIRE(inst_wat(grow, &m, &i) == 0);
	CHECK(call2(i, "size", 0, 0, &r) == 0);
	CHECK_EQ_U64(r, 1);
	CHECK(traps_oob(i, "ld8", 65536, 0));
	CHECK(call2(i, "grow", 1, 0, &r) == 0);
	CHECK_EQ_U64(r, 1);
	CHECK(call2(i, "size", 0, 0, &r) == 0);
	CHECK_EQ_U64(r, 2);
	CHECK(call2(i, "ld8", 2 * 65536 - 8, 0, &r) == 0);
	CHECK(traps_oob(i, "ld8", 2 * 65536 - 7, 0));
	/* past the declared max: -1 as an i64; 2^32 + 1 is not 1 */
	CHECK(call2(i, "grow", 2, 0, &r) == 0);
	CHECK_EQ_U64(r, UINT64_MAX);
	CHECK(call2(i, "grow", (1ull << 32) + 1, 0, &r) == 0);
	CHECK_EQ_U64(r, UINT64_MAX);
	CHECK(call2(i, "grow", UINT64_MAX, 0, &r) == 0);
	CHECK_EQ_U64(r, UINT64_MAX);
	CHECK(call2(i, "size", 0, 0, &r) == 0);
	CHECK_EQ_U64(r, 2);
	CHECK(call2(i, "grow", 0, 0, &r) == 0);
	CHECK_EQ_U64(r, 2);
	done(m, i);
}

/* JIT_MEM64_MAX_PAGES: a 64-bit memory may declare up to 2^48 pages, but
 * wasmetal keeps it inside the 8 GiB reservation: a minimum above 65536
 * pages is a resource error naming the cap, a larger max validates and
 * memory.grow past the cap returns -1 */
TEST(memory64_cap)
{
	wasm_module *m;
	wasm_instance *i;
	uint64_t r;

	CHECK(inst_wat("(module (memory i64 65537))", &m, &i) == -1);
	CHECK_EQ_U64(err.kind, WASM_ERR_RESOURCE);
	CHECK(err.detail && strstr(err.detail, "memory64 cap of 65536 pages"));
	done(m, i);
	REQUIRE(inst_wat("(module (memory i64 1 0x1000000000000)"
			 " (func (export \"grow\") (param i64 i64) (result i64)"
			 "   (memory.grow (local.get 0))))", &m, &i) == 0);
	CHECK(call2(i, "grow", 65536, 0, &r) == 0);
	CHECK_EQ_U64(r, UINT64_MAX);
	CHECK(call2(i, "grow", 0x100000000ull, 0, &r) == 0);
	CHECK_EQ_U64(r, UINT64_MAX);
	done(m, i);
	/* the proposal's limit: 2^48 pages (by hand: wat2wasm refuses it) */
	static const uint8_t over[] = {
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x05, 0x0a, 0x01, 0x05, 0x01,                   /* memory i64 1 2^48+1 */
		0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40,
	};
	memset(&err, 0, sizeof err);
	CHECK(wasm_module_load(over, sizeof over, &m, &err) == -1);
	CHECK(err.msg && strstr(err.msg, "2^48 pages"));
}

static const char bulk[] =
	"(module (memory i64 1)"
	" (data (i64.const 65534) \"\\aa\\bb\")"
	" (data $p \"\\01\\02\\03\\04\")"
	" (func (export \"fill\") (param i64 i64) (memory.fill (local.get 0) (i32.const 7) (local.get 1)))"
	" (func (export \"copy\") (param i64 i64) (memory.copy (local.get 0) (i64.const 0) (local.get 1)))"
	" (func (export \"init\") (param i64 i64) (memory.init $p (local.get 0) (i32.const 0) (i32.wrap_i64 (local.get 1))))"
	" (func (export \"ld1\") (param i64 i64) (result i64) (i64.load8_u (local.get 0)))"
	")";

TEST(bulk_and_data_with_i64_addresses)
{
	wasm_module *m;
	wasm_instance *i;
	uint64_t r;

	REQUIRE(inst_wat(bulk, &m, &i) == 0);
	CHECK(call2(i, "ld1", 65535, 0, &r) == 0);
	CHECK_EQ_U64(r, 0xbb);
	CHECK(call2(i, "fill", 65535, 1, NULL) == 0);
	CHECK(call2(i, "ld1", 65535, 0, &r) == 0);
	CHECK_EQ_U64(r, 7);
	CHECK(traps_oob(i, "fill", 65535, 2));
	CHECK(traps_oob(i, "fill", UINT64_MAX, 2));             /* d + n wraps to 1 */
	CHECK(traps_oob(i, "fill", 1ull << 32, 0));
	CHECK(traps_oob(i, "copy", 1, UINT64_MAX));
	CHECK(call2(i, "copy", 65532, 4, NULL) == 0);
	CHECK(traps_oob(i, "copy", 65533, 4));
	CHECK(traps_oob(i, "copy", (1ull << 32) + 16, 4));
	CHECK(call2(i, "init", 65532, 4, NULL) == 0);
	CHECK(call2(i, "ld1", 65535, 0, &r) == 0);
	CHECK_EQ_U64(r, 4);
	CHECK(traps_oob(i, "init", 65533, 4));
	CHECK(traps_oob(i, "init", UINT64_MAX - 1, 4));
	done(m, i);
	/* an active segment one byte past the end */
	CHECK(inst_wat("(module (memory i64 1) (data (i64.const 65535) \"ab\"))", &m, &i) == -2);
	done(m, i);
	CHECK(inst_wat("(module (memory i64 1) (data (i64.const 0xffffffffffffffff) \"ab\"))",
		       &m, &i) == -2);
	done(m, i);
}

/* memory 0 32-bit (r15, no checks), memory 1 64-bit (its base and size
 * from the context): both work, copy between them takes each one's
 * address type */
static const char mixed[] =
	"(module (memory $a 1) (memory $b i64 1)"
	" (func (export \"st_b\") (param i64 i64) (i64.store $b (local.get 0) (local.get 1)))"
	" (func (export \"ld_b\") (param i64 i64) (result i64) (i64.load $b (local.get 0)))"
	" (func (export \"ld_a\") (param i64 i64) (result i64) (i64.load $a (i32.wrap_i64 (local.get 0))))"
	" (func (export \"size_b\") (param i64 i64) (result i64) (memory.size $b))"
	" (func (export \"b_to_a\") (param i64 i64)"
	"   (memory.copy $a $b (i32.wrap_i64 (local.get 0)) (local.get 1) (i32.const 8)))"
	")";

TEST(memory64_beside_a_32_bit_memory)
{
	wasm_module *m;
	wasm_instance *i;
	uint64_t r;

	REQUIRE(inst_wat(mixed, &m, &i) == 0);
	CHECK(call2(i, "st_b", 65528, 0x1122334455667788ull, NULL) == 0);
	CHECK(traps_oob(i, "st_b", 65529, 0));
	CHECK(call2(i, "ld_b", 65528, 0, &r) == 0);
	CHECK_EQ_U64(r, 0x1122334455667788ull);
	CHECK(call2(i, "ld_a", 65528, 0, &r) == 0);
	CHECK_EQ_U64(r, 0);
	CHECK(call2(i, "b_to_a", 16, 65528, NULL) == 0);
	CHECK(call2(i, "ld_a", 16, 0, &r) == 0);
	CHECK_EQ_U64(r, 0x1122334455667788ull);
	CHECK(traps_oob(i, "b_to_a", 16, 65529));
	CHECK(traps_oob(i, "b_to_a", 16, (1ull << 32) + 8));
	CHECK(call2(i, "size_b", 0, 0, &r) == 0);
	CHECK_EQ_U64(r, 1);
	done(m, i);
}

/* 0xfd's loads and stores on a 64-bit memory: checked for their own
 * size (16 bytes, 8 for load8x8, a lane's for the lane forms) */
static const char simd[] =
	"(module (memory i64 1)"
	" (func (export \"ld16\") (param i64 i64) (result i64)"
	"   (i64x2.extract_lane 1 (v128.load (local.get 0))))"
	" (func (export \"st16\") (param i64 i64)"
	"   (v128.store (local.get 0) (i64x2.splat (local.get 1))))"
	" (func (export \"ld8x8\") (param i64 i64) (result i64)"
	"   (i64x2.extract_lane 0 (v128.load8x8_u (local.get 0))))"
	" (func (export \"ld_splat1\") (param i64 i64) (result i64)"
	"   (i64x2.extract_lane 0 (v128.load8_splat (local.get 0))))"
	" (func (export \"ld_lane4\") (param i64 i64) (result i64)"
	"   (i64x2.extract_lane 0 (v128.load32_lane 0 (local.get 0) (v128.const i64x2 0 0))))"
	" (func (export \"st_lane8\") (param i64 i64)"
	"   (v128.store64_lane 1 (local.get 0) (i64x2.splat (local.get 1))))"
	" (func (export \"ld16_off\") (param i64 i64) (result i64)"
	"   (i64x2.extract_lane 0 (v128.load offset=65520 (local.get 0))))"
	")";

TEST(simd_accesses_checked_per_size)
{
	static const struct { const char *f; uint64_t size; } c[] = {
		{ "ld16", 16 }, { "st16", 16 }, { "ld8x8", 8 }, { "ld_splat1", 1 },
		{ "ld_lane4", 4 }, { "st_lane8", 8 },
	};
	wasm_module *m;
	wasm_instance *i;
	uint64_t r;

	REQUIRE(inst_wat(simd, &m, &i) == 0);
	for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
		uint64_t last = 65536 - c[k].size;
		bool st = !strncmp(c[k].f, "st", 2);

		CHECK_MSG(call2(i, c[k].f, last, 5, st ? NULL : &r) == 0, "%s at last", c[k].f);
		CHECK_MSG(traps_oob(i, c[k].f, last + 1, 5), "%s at last + 1", c[k].f);
		CHECK_MSG(traps_oob(i, c[k].f, 1ull << 32, 5), "%s at 2^32", c[k].f);
		CHECK_MSG(traps_oob(i, c[k].f, UINT64_MAX - 3, 5), "%s at 2^64-4", c[k].f);
	}
	CHECK(call2(i, "st16", 65520, 0x0102030405060708ull, NULL) == 0);
	CHECK(call2(i, "ld16", 65520, 0, &r) == 0);
	CHECK_EQ_U64(r, 0x0102030405060708ull);
	CHECK(call2(i, "ld16_off", 0, 0, &r) == 0);
	CHECK_EQ_U64(r, 0x0102030405060708ull);
	CHECK(traps_oob(i, "ld16_off", 1, 0));
	done(m, i);
}

TEST(validation_of_i64_addresses)
{
	wat_flags = "--enable-memory64 --no-check";
	CHECK(load_wat("(module (memory i64 1) (func (drop (i64.load (i32.const 0)))))") == NULL);
	CHECK(err.msg && !strcmp(err.msg, "type mismatch"));
	CHECK(load_wat("(module (memory 1) (func (drop (i64.load (i64.const 0)))))") == NULL);
	CHECK(err.msg && !strcmp(err.msg, "type mismatch"));
	CHECK(load_wat("(module (memory i64 1) (func (result i32) (memory.size)))") == NULL);
	CHECK(err.msg && !strcmp(err.msg, "type mismatch"));
	CHECK(load_wat("(module (memory i64 1) (func (drop (memory.grow (i32.const 1)))))") == NULL);
	CHECK(err.msg && !strcmp(err.msg, "type mismatch"));
	CHECK(load_wat("(module (memory i64 1) (func"
		       " (memory.fill (i64.const 0) (i32.const 0) (i32.const 1))))") == NULL);
	CHECK(err.msg && !strcmp(err.msg, "type mismatch"));
	CHECK(load_wat("(module (memory i64 1) (data (i32.const 0) \"\"))") == NULL);
	CHECK(err.msg && !strcmp(err.msg, "type mismatch"));
	CHECK(load_wat("(module (memory i64 1) (func (drop (v128.load (i32.const 0)))))") == NULL);
	CHECK(err.msg && !strcmp(err.msg, "type mismatch"));
	CHECK(load_wat("(module (memory i64 1) (func (param v128)"
		       " (v128.store32_lane 1 (i32.const 0) (local.get 0))))") == NULL);
	CHECK(err.msg && !strcmp(err.msg, "type mismatch"));
	wat_flags = "--enable-memory64 --enable-multi-memory";
}

/* the main suite's Wasm 2.0: limits flag 0x04 is malformed */
TEST(feature_off_rejects_64_bit_memories)
{
	wasm_module *m;

	wasm_features_set(WASM_FEATURES_ALL & ~WASM_FEATURE_MEMORY64);
	CHECK(load_wat("(module (memory i64 1))") == NULL);
	CHECK(err.msg && !strcmp(err.msg, "integer too large"));
	wasm_features_set(WASM_FEATURES_ALL);
	CHECK((m = load_wat("(module (memory i64 1))")) != NULL);
	wasm_module_free(m);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/wasmetal-test-m64-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	plat_host_init();
	RUN(access_at_the_exact_edge_per_size);
	RUN(offset_plus_address_past_2_64_traps);
	RUN(grow_of_a_64_bit_memory);
	RUN(memory64_cap);
	RUN(bulk_and_data_with_i64_addresses);
	RUN(memory64_beside_a_32_bit_memory);
	RUN(simd_accesses_checked_per_size);
	RUN(validation_of_i64_addresses);
	RUN(feature_off_rejects_64_bit_memories);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	CHECK_DONE();
}
