/*
 * test_simd.c — fixed-width SIMD (v128) in the single-pass compiler
 * (jit/compile/simd.c, Core spec 2.0 §3.3.3, §5.4.8), hosted: the 0xfd
 * opcode table, v128 values in each form the compiler tells apart (a
 * register from a load, a local in memory, a spilled slot under register
 * pressure, a constant, a parameter in an xmm register and on the stack,
 * a result, a global, across a block merge and a select), 16-byte
 * accesses at the end of memory (the guard-region scheme: the last
 * valid address works, one past traps, and a trapping store writes
 * nothing), Wasm's min/max (NaN, ±0) that x86's minps is not, and the
 * refusals: no SSE4.1, an unknown 0xfd sub-opcode, a bad lane index;
 * call_indirect with v128 arguments and results, in one instance and
 * across two; v128 results through a result area (3, 4 and 5 v128/f64
 * results) called from C, directly, by call_indirect, return_call(_indirect)
 * and from another instance; v128 in imported functions' types (host
 * functions' two 8-byte places, another instance's function through the
 * linker's adapter); the relaxed SIMD proposal's instructions, each giving
 * the one result docs/simd.md chose on the inputs where the proposal
 * allows several (NaN, out-of-range truncations, swizzle indices >= 16,
 * fused or not, -32768 * -32768, a top bit set in the dot products'
 * second operand, mixed laneselect masks, the bf16 dot's order).  The
 * testsuite's simd_*.wast files and proposals/relaxed-simd run through
 * tests/spec/run-suite.sh.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "wasm.h"
#include "jit.h"
#include "opcodes.h"
#include "plat_host.h"
#include "wat.h"

static char tmpdir[64];
static wasm_module *mod;
static wasm_instance *inst;

/* ten v128 loads live at once (more than the six value xmm registers),
 * a call with ten v128 arguments (eight in xmm0-7, two on the stack),
 * loads and stores at the end of memory, a global, merges */
static const char *module_text =
	"(module\n"
	" (memory 1)\n"
	" (global $g (mut v128) (v128.const i32x4 1 2 3 4))\n"
	" (func $sum10 (param v128 v128 v128 v128 v128 v128 v128 v128 v128 v128) (result v128)\n"
	"  (i32x4.add (local.get 0) (i32x4.add (local.get 1) (i32x4.add (local.get 2)\n"
	"  (i32x4.add (local.get 3) (i32x4.add (local.get 4) (i32x4.add (local.get 5)\n"
	"  (i32x4.add (local.get 6) (i32x4.add (local.get 7)\n"
	"  (i32x4.add (local.get 8) (i32x4.mul (local.get 9) (v128.const i32x4 1 1 1 1))))))))))))\n"
	" (func (export \"fill\") (local i32)\n"
	"  (loop $l (i32.store (i32.shl (local.get 0) (i32.const 2))\n"
	"                      (i32.add (local.get 0) (i32.const 1)))\n"
	"   (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 1)))\n"
	"                       (i32.const 40)))))\n"
	" (func (export \"pressure\") (result v128)\n"
	"  (v128.load offset=0 (i32.const 0)) (v128.load offset=16 (i32.const 0))\n"
	"  (v128.load offset=32 (i32.const 0)) (v128.load offset=48 (i32.const 0))\n"
	"  (v128.load offset=64 (i32.const 0)) (v128.load offset=80 (i32.const 0))\n"
	"  (v128.load offset=96 (i32.const 0)) (v128.load offset=112 (i32.const 0))\n"
	"  (v128.load offset=128 (i32.const 0)) (v128.load offset=144 (i32.const 0))\n"
	"  i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add\n"
	"  i32x4.add i32x4.add i32x4.add i32x4.add)\n"
	" (func (export \"call10\") (result v128)\n"
	"  (call $sum10 (v128.load offset=0 (i32.const 0)) (v128.load offset=16 (i32.const 0))\n"
	"   (v128.load offset=32 (i32.const 0)) (v128.load offset=48 (i32.const 0))\n"
	"   (v128.load offset=64 (i32.const 0)) (v128.load offset=80 (i32.const 0))\n"
	"   (v128.load offset=96 (i32.const 0)) (v128.load offset=112 (i32.const 0))\n"
	"   (v128.load offset=128 (i32.const 0)) (v128.load offset=144 (i32.const 0))))\n"
	" (func (export \"mixed\") (param i32 v128 f64 v128) (result v128 i32)\n"
	"  (local v128)\n"
	"  (local.set 4 (f64x2.splat (local.get 2)))\n"
	"  (i32x4.sub (local.get 1) (local.get 3))\n"
	"  (i32x4.extract_lane 2 (local.get 4)))\n"
	" (func (export \"merge\") (param i32 v128 v128) (result v128)\n"
	"  (block (result v128)\n"
	"   (br_if 0 (i8x16.add (local.get 1) (local.get 2)) (local.get 0))\n"
	"   (drop) (select (local.get 1) (local.get 2) (i32.eqz (local.get 0)))))\n"
	" (func (export \"gget\") (result v128) (global.get $g))\n"
	" (func (export \"gset\") (param v128) (global.set $g (local.get 0)))\n"
	" (func (export \"load_at\") (param i32) (result v128) (v128.load (local.get 0)))\n"
	" (func (export \"load_off\") (param i32) (result v128)\n"
	"  (v128.load offset=0xffffffff (local.get 0)))\n"
	" (func (export \"store_at\") (param i32 v128) (v128.store (local.get 0) (local.get 1)))\n"
	" (func (export \"fmin\") (param v128 v128) (result v128) (f32x4.min (local.get 0) (local.get 1)))\n"
	" (func (export \"fmax\") (param v128 v128) (result v128) (f32x4.max (local.get 0) (local.get 1)))\n"
	" (func (export \"dmin\") (param v128 v128) (result v128) (f64x2.min (local.get 0) (local.get 1)))\n"
	")\n";

static wasm_module *load_wat(const char *text, struct wasm_error *err)
{
	wasm_module *m = NULL;
	size_t n = 0;
	uint8_t *b = wat_assemble_flags(tmpdir, "--enable-tail-call", text, &n);

	memset(err, 0, sizeof *err);
	if (b && wasm_module_load(b, n, &m, err))
		m = NULL;
	free(b);
	return m;
}

static struct wasm_val v4(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	return (struct wasm_val){ a | (uint64_t)b << 32, c | (uint64_t)d << 32 };
}

static uint32_t lane(struct wasm_val v, int i)
{
	return (uint32_t)((i < 2 ? v.lo : v.hi) >> (32 * (i & 1)));
}

/* call name with args; 0, or the trap code */
static int call(const char *name, const struct wasm_val *args, size_t na,
		struct wasm_val *res, size_t nr)
{
	struct wasm_trap trap;
	struct wasm_error err = { 0 };
	int rc;

	if (!inst)
		return -1;
	rc = wasm_call_val(inst, name, strlen(name), args, na, res, nr, &trap, &err);

	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", name, err.msg ? err.msg : "?");
		return -1;
	}
	return rc ? (int)trap.code : 0;
}

TEST(setup)
{
	struct wasm_error err;
	struct wasm_trap trap;

	mod = load_wat(module_text, &err);
	if (!mod)
		fprintf(stderr, "load: %s\n", err.msg ? err.msg : "?");
	REQUIRE(mod);
	REQUIRE(wasm_instance_new(mod, NULL, 0, &inst, &err, &trap) == 0);
	REQUIRE(call("fill", NULL, 0, NULL, 0) == 0);
}

TEST(opcode_table_complete)
{
	unsigned n = 0;

	for (unsigned i = 0; i < OPFD__COUNT; i++)
		if (wasm_fd_opinfo[i].name) {
			n++;
			CHECK(wasm_fd_opinfo[i].imm != OPI_BAD);
		}
	CHECK_EQ_U64(n, 236 + 21);      /* Wasm 2.0's fixed-width SIMD, relaxed SIMD */
	CHECK(!strcmp(wasm_fd_opinfo[0x100].name, "i8x16.relaxed_swizzle"));
	CHECK(!strcmp(wasm_fd_opinfo[0x113].name, "i32x4.relaxed_dot_i8x16_i7x16_add_s"));
	CHECK(!strcmp(wasm_fd_opinfo[0x114].name, "f32x4.relaxed_dot_bf16x8_add_f32x4"));
	CHECK(!strcmp(wasm_fd_opinfo[OPFD_I8X16_SHUFFLE].name, "i8x16.shuffle"));
	CHECK(wasm_fd_opinfo[OPFD_V128_LOAD64_LANE].imm == OPI_MEMLANE);
	CHECK_EQ_U64(wasm_fd_opinfo[OPFD_V128_LOAD64_LANE].n, 8);
	CHECK_EQ_U64(wasm_fd_opinfo[OPFD_I16X8_EXTRACT_LANE_S].n, 8);
	CHECK(!wasm_fd_opinfo[0x9a].name);
}

/* lane j of memory's i32x4 number i is 4i + j + 1 ("fill") */
TEST(v128_spilled_under_pressure)
{
	struct wasm_val r;

	REQUIRE(call("pressure", NULL, 0, &r, 1) == 0);
	for (int j = 0; j < 4; j++) {
		uint32_t want = 0;
		for (int i = 0; i < 10; i++)
			want += 4u * i + j + 1;
		CHECK_MSG(lane(r, j) == want, "lane %d: %u, expected %u", j, lane(r, j), want);
	}
}

TEST(v128_call_args_in_xmm_and_on_stack)
{
	struct wasm_val r, p;

	REQUIRE(call("call10", NULL, 0, &r, 1) == 0);
	REQUIRE(call("pressure", NULL, 0, &p, 1) == 0);
	CHECK(r.lo == p.lo && r.hi == p.hi);
}

TEST(v128_mixed_params_results)
{
	double d = 2.5;
	uint64_t db;
	struct wasm_val a[4], r[2];

	memcpy(&db, &d, 8);
	a[0] = (struct wasm_val){ 7, 0 };
	a[1] = v4(10, 20, 30, 40);
	a[2] = (struct wasm_val){ db, 0 };
	a[3] = v4(1, 2, 3, 0xffffffffu);
	REQUIRE(call("mixed", a, 4, r, 2) == 0);
	CHECK(lane(r[0], 0) == 9 && lane(r[0], 1) == 18 && lane(r[0], 2) == 27 &&
	      lane(r[0], 3) == 41);
	CHECK_EQ_U64(r[1].lo, (uint32_t)db);    /* lane 2: f64 lane 1's low half */
}

TEST(v128_block_merge_and_select)
{
	struct wasm_val a[3], r;

	a[1] = v4(0x01010101u, 2, 3, 4);
	a[2] = v4(0xffffffffu, 5, 6, 7);
	a[0] = (struct wasm_val){ 1, 0 };
	REQUIRE(call("merge", a, 3, &r, 1) == 0);       /* br_if taken: i8x16.add */
	CHECK(lane(r, 0) == 0x00000000u && lane(r, 1) == 7 && lane(r, 3) == 11);
	a[0] = (struct wasm_val){ 0, 0 };
	REQUIRE(call("merge", a, 3, &r, 1) == 0);       /* select: eqz 0 -> first */
	CHECK(lane(r, 0) == 0x01010101u && lane(r, 3) == 4);
}

TEST(v128_global)
{
	struct wasm_val r, a = v4(9, 8, 7, 6);

	REQUIRE(call("gget", NULL, 0, &r, 1) == 0);
	CHECK(lane(r, 0) == 1 && lane(r, 3) == 4);
	REQUIRE(call("gset", &a, 1, NULL, 0) == 0);
	REQUIRE(call("gget", NULL, 0, &r, 1) == 0);
	CHECK(r.lo == a.lo && r.hi == a.hi);
}

/* 16-byte accesses and the guard region: memory is one page (65536) */
TEST(v128_load_store_at_memory_end)
{
	struct wasm_val a[2], r;
	uint8_t *mem = wasm_memory_base(inst), before[16];

	a[0] = (struct wasm_val){ 65520, 0 };
	CHECK(call("load_at", a, 1, &r, 1) == 0);
	a[0] = (struct wasm_val){ 65521, 0 };
	CHECK_EQ_U64(call("load_at", a, 1, &r, 1), WASM_TRAP_MEMORY_OOB);
	a[0] = (struct wasm_val){ 1, 0 };
	CHECK_EQ_U64(call("load_off", a, 1, &r, 1), WASM_TRAP_MEMORY_OOB);
	a[0] = (struct wasm_val){ 0xffffffffu, 0 };
	CHECK_EQ_U64(call("load_at", a, 1, &r, 1), WASM_TRAP_MEMORY_OOB);
	memcpy(before, mem + 65520, 16);
	a[0] = (struct wasm_val){ 65521, 0 };
	a[1] = v4(0xaaaaaaaau, 0xaaaaaaaau, 0xaaaaaaaau, 0xaaaaaaaau);
	CHECK_EQ_U64(call("store_at", a, 2, NULL, 0), WASM_TRAP_MEMORY_OOB);
	CHECK(!memcmp(before, mem + 65520, 16));        /* nothing written */
	a[0] = (struct wasm_val){ 65520, 0 };
	CHECK(call("store_at", a, 2, NULL, 0) == 0);
	CHECK(mem[65535] == 0xaa && mem[65520] == 0xaa);
}

static uint32_t fbits(float x)
{
	uint32_t b;

	memcpy(&b, &x, 4);
	return b;
}

/* Wasm's min/max: NaN if either is (canonical here), -0 < +0 */
TEST(f32x4_min_max_nan_and_signed_zero)
{
	struct wasm_val a[2], r;

	a[0] = v4(fbits(-0.0f), fbits(0.0f), 0x7fa00001u, fbits(1.0f));
	a[1] = v4(fbits(0.0f), fbits(-0.0f), fbits(1.0f), 0xffc00000u);
	REQUIRE(call("fmin", a, 2, &r, 1) == 0);
	CHECK_EQ_U64(lane(r, 0), 0x80000000u);
	CHECK_EQ_U64(lane(r, 1), 0x80000000u);
	CHECK_EQ_U64(lane(r, 2) & 0x7fffffffu, 0x7fc00000u);
	CHECK_EQ_U64(lane(r, 3) & 0x7fffffffu, 0x7fc00000u);
	REQUIRE(call("fmax", a, 2, &r, 1) == 0);
	CHECK_EQ_U64(lane(r, 0), 0);
	CHECK_EQ_U64(lane(r, 1), 0);
	CHECK_EQ_U64(lane(r, 2) & 0x7fffffffu, 0x7fc00000u);
	CHECK_EQ_U64(lane(r, 3) & 0x7fffffffu, 0x7fc00000u);
	a[0] = (struct wasm_val){ 0x8000000000000000ull, 0x7ff0000000000001ull };
	a[1] = (struct wasm_val){ 0, 0x3ff0000000000000ull };
	REQUIRE(call("dmin", a, 2, &r, 1) == 0);
	CHECK_EQ_U64(r.lo, 0x8000000000000000ull);
	CHECK_EQ_U64(r.hi & 0x7fffffffffffffffull, 0x7ff8000000000000ull);
}

TEST(simd_refused_without_sse41)
{
	struct wasm_error err;
	wasm_module *m;

	jit_cpu_disable(JIT_CPU_SSE41);
	m = load_wat("(module (func (export \"f\") (result i32)\n"
		     " (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))", &err);
	CHECK(!m);
	CHECK_MSG(err.msg && strstr(err.msg, "SSE4.1"), "message: %s", err.msg ? err.msg : "none");
	if (m)
		wasm_module_free(m);
	m = load_wat("(module (func (export \"f\") (result i32) (i32.const 1)))", &err);
	CHECK(m);               /* without SIMD: compiled as before */
	if (m)
		wasm_module_free(m);
	jit_cpu_disable(0);
}

/* call_indirect with v128 arguments and results: to a function of the
 * same instance (registers) and of another (jit_call_ref: 8-byte places,
 * a v128 in two), from a wide function with a scalar among them */
TEST(v128_call_indirect_same_and_other_instance)
{
	struct wasm_error err;
	struct wasm_trap trap;
	wasm_linker *l = wasm_linker_new();
	wasm_instance *a = NULL, *b = NULL;
	wasm_module *ma = load_wat(
		"(module (table (export \"t\") 2 funcref) (elem (i32.const 0) $f)\n"
		" (func $f (param v128 i32 v128) (result v128 i64)\n"
		"  (i32x4.sub (local.get 0) (local.get 2)) (i64.extend_i32_u (local.get 1))))",
		&err);
	wasm_module *mb = load_wat(
		"(module (import \"a\" \"t\" (table 2 funcref))\n"
		" (type $t (func (param v128 i32 v128) (result v128 i64)))\n"
		" (elem (i32.const 1) $g)\n"
		" (func $g (param v128 i32 v128) (result v128 i64)\n"
		"  (i32x4.add (local.get 0) (local.get 2)) (i64.extend_i32_u (local.get 1)))\n"
		" (func (export \"ci\") (param i32 v128 v128) (result v128 i64)\n"
		"  (call_indirect (type $t) (local.get 1) (i32.const 77) (local.get 2)\n"
		"   (local.get 0))))", &err);
	struct wasm_val args[3], r[2];

	REQUIRE(l && ma && mb);
	REQUIRE(wasm_linker_instantiate(l, ma, &a, &err, &trap) == 0);
	REQUIRE(wasm_linker_define_instance(l, "a", a) == 0);
	REQUIRE(wasm_linker_instantiate(l, mb, &b, &err, &trap) == 0);
	args[1] = v4(10, 20, 30, 40);
	args[2] = v4(1, 2, 3, 4);
	for (uint32_t which = 0; which < 2; which++) {
		args[0] = (struct wasm_val){ which, 0 };
		CHECK(wasm_call_val(b, "ci", 2, args, 3, r, 2, &trap, &err) == 0);
		uint32_t d = which ? 1 : (uint32_t)-1;          /* add : sub */
		CHECK_MSG(lane(r[0], 0) == 10 + d * 1 && lane(r[0], 3) == 40 + d * 4,
			  "%s instance: lanes %u %u", which ? "same" : "other",
			  lane(r[0], 0), lane(r[0], 3));
		CHECK_EQ_U64(r[1].lo, 77);
	}
	wasm_instance_free(b);
	wasm_instance_free(a);
	wasm_module_free(mb);
	wasm_module_free(ma);
	wasm_linker_free(l);
}

/* ---- v128 results through a result area (docs/abi.md "Results", "Value
 * slots": more than two float/vector results, all in memory, a v128 in 16
 * bytes at a multiple of 16).  x = (10 20 30 40), d = 1.25, n = 7:
 *   r3 (v128 f64)     -> x+1, d+0.5, x*2
 *   r4 (v128 f64 i32) -> d*2, x, n+1, x-(1 2 3 4)   (f64 @0, v128 @16, i32 @32, v128 @48)
 *   r5 (v128 f64)     -> x, x+x, d, -x, -d
 * called from C, directly, through call_indirect, return_call and
 * return_call_indirect, from another instance (call_ref), and with an
 * odd number of stack arguments before the caller's area. */
#define AREA_TYPES \
	" (type $t3 (func (param v128 f64) (result v128 f64 v128)))\n" \
	" (type $t4 (func (param v128 f64 i32) (result f64 v128 i32 v128)))\n" \
	" (type $t5 (func (param v128 f64) (result v128 v128 f64 v128 f64)))\n"

static const char *area_text =
	"(module\n" AREA_TYPES
	" (table (export \"t\") 3 funcref) (elem (i32.const 0) $r3 $r4 $r5)\n"
	" (func $r3 (export \"r3\") (type $t3)\n"
	"  (i32x4.add (local.get 0) (v128.const i32x4 1 1 1 1))\n"
	"  (f64.add (local.get 1) (f64.const 0.5))\n"
	"  (i32x4.mul (local.get 0) (v128.const i32x4 2 2 2 2)))\n"
	" (func $r4 (export \"r4\") (type $t4)\n"
	"  (f64.mul (local.get 1) (f64.const 2)) (local.get 0)\n"
	"  (i32.add (local.get 2) (i32.const 1))\n"
	"  (i32x4.sub (local.get 0) (v128.const i32x4 1 2 3 4)))\n"
	" (func $r5 (export \"r5\") (type $t5)\n"
	"  (local.get 0) (i32x4.add (local.get 0) (local.get 0)) (local.get 1)\n"
	"  (i32x4.neg (local.get 0)) (f64.neg (local.get 1)))\n"
	" (func (export \"c3\") (type $t3) (call $r3 (local.get 0) (local.get 1)))\n"
	" (func (export \"c4\") (type $t4) (call $r4 (local.get 0) (local.get 1) (local.get 2)))\n"
	" (func (export \"c5\") (type $t5) (call $r5 (local.get 0) (local.get 1)))\n"
	" (func (export \"i3\") (type $t3)\n"
	"  (call_indirect (type $t3) (local.get 0) (local.get 1) (i32.const 0)))\n"
	" (func (export \"i4\") (type $t4)\n"
	"  (call_indirect (type $t4) (local.get 0) (local.get 1) (local.get 2) (i32.const 1)))\n"
	" (func (export \"i5\") (type $t5)\n"
	"  (call_indirect (type $t5) (local.get 0) (local.get 1) (i32.const 2)))\n"
	" (func (export \"t3\") (type $t3) (return_call $r3 (local.get 0) (local.get 1)))\n"
	" (func (export \"t4\") (type $t4)\n"
	"  (return_call $r4 (local.get 0) (local.get 1) (local.get 2)))\n"
	" (func (export \"t5\") (type $t5)\n"
	"  (return_call_indirect (type $t5) (local.get 0) (local.get 1) (i32.const 2)))\n"
	/* the results under live values: x + (x+1) */
	" (func (export \"c3x\") (param v128 f64) (result v128)\n"
	"  (local.get 0) (call $r3 (local.get 0) (local.get 1)) (drop) (drop) (i32x4.add))\n"
	/* nine f64 arguments: one on the stack, the area after it aligned */
	" (func $s9 (param f64 f64 f64 f64 f64 f64 f64 f64 f64) (result v128 f64 v128)\n"
	"  (f64x2.splat (local.get 0)) (local.get 8) (f64x2.splat (local.get 8)))\n"
	" (func (export \"s9\") (param f64) (result v128 f64 v128)\n"
	"  (call $s9 (local.get 0) (f64.const 2) (f64.const 3) (f64.const 4) (f64.const 5)\n"
	"   (f64.const 6) (f64.const 7) (f64.const 8) (f64.const 9)))\n"
	")\n";

static const char *area_other_text =
	"(module (import \"a\" \"t\" (table 3 funcref))\n" AREA_TYPES
	" (func (export \"o3\") (type $t3)\n"
	"  (call_indirect (type $t3) (local.get 0) (local.get 1) (i32.const 0)))\n"
	" (func (export \"o4\") (type $t4)\n"
	"  (call_indirect (type $t4) (local.get 0) (local.get 1) (local.get 2) (i32.const 1)))\n"
	" (func (export \"o5\") (type $t5)\n"
	"  (call_indirect (type $t5) (local.get 0) (local.get 1) (i32.const 2)))\n"
	" (func (export \"ot4\") (type $t4)\n"
	"  (return_call_indirect (type $t4) (local.get 0) (local.get 1) (local.get 2)\n"
	"   (i32.const 1)))\n"
	")\n";

static struct wasm_val f64v(double d)
{
	uint64_t b;

	memcpy(&b, &d, 8);
	return (struct wasm_val){ b, 0 };
}

static bool is_v4(struct wasm_val v, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	return lane(v, 0) == a && lane(v, 1) == b && lane(v, 2) == c && lane(v, 3) == d;
}

static bool is_f64(struct wasm_val v, double d)
{
	return v.lo == f64v(d).lo && v.hi == 0;
}

/* export name of inst (type $t<nr>) with x, d[, n]: the results above */
static void check_area_call(wasm_instance *in, const char *name, uint32_t nr)
{
	struct wasm_trap trap;
	struct wasm_error err = { 0 };
	struct wasm_val a[3] = { v4(10, 20, 30, 40), f64v(1.25), { 7, 0 } }, r[5];
	uint32_t na = nr == 4 ? 3 : 2;
	bool ok;

	memset(r, 0xa5, sizeof r);
	int rc = wasm_call_val(in, name, strlen(name), a, na, r, nr, &trap, &err);
	CHECK_MSG(rc == 0, "%s: rc %d (%s)", name, rc, err.msg ? err.msg : "trap");
	if (rc)
		return;
	if (nr == 3)
		ok = is_v4(r[0], 11, 21, 31, 41) && is_f64(r[1], 1.75) &&
		     is_v4(r[2], 20, 40, 60, 80);
	else if (nr == 4)
		ok = is_f64(r[0], 2.5) && is_v4(r[1], 10, 20, 30, 40) &&
		     r[2].lo == 8 && r[2].hi == 0 && is_v4(r[3], 9, 18, 27, 36);
	else
		ok = is_v4(r[0], 10, 20, 30, 40) && is_v4(r[1], 20, 40, 60, 80) &&
		     is_f64(r[2], 1.25) && is_v4(r[3], -10u, -20u, -30u, -40u) &&
		     is_f64(r[4], -1.25);
	CHECK_MSG(ok, "%s: results %llx %llx / %llx %llx / %llx %llx", name,
		  (unsigned long long)r[0].lo, (unsigned long long)r[0].hi,
		  (unsigned long long)r[1].lo, (unsigned long long)r[1].hi,
		  (unsigned long long)r[2].lo, (unsigned long long)r[2].hi);
}

TEST(v128_results_through_result_area)
{
	struct wasm_error err;
	struct wasm_trap trap;
	wasm_linker *l = wasm_linker_new();
	wasm_instance *a = NULL, *b = NULL;
	wasm_module *ma = load_wat(area_text, &err);
	REQUIRE(ma);
	wasm_module *mb = load_wat(area_other_text, &err);
	static const char *const own[] = { "r", "c", "i", "t" };
	char name[8];

	REQUIRE(l && mb);
	REQUIRE(wasm_linker_instantiate(l, ma, &a, &err, &trap) == 0);
	REQUIRE(wasm_linker_define_instance(l, "a", a) == 0);
	REQUIRE(wasm_linker_instantiate(l, mb, &b, &err, &trap) == 0);
	for (uint32_t k = 0; k < 4; k++)
		for (uint32_t nr = 3; nr <= 5; nr++) {
			snprintf(name, sizeof name, "%s%u", own[k], nr);
			check_area_call(a, name, nr);
		}
	for (uint32_t nr = 3; nr <= 5; nr++) {
		snprintf(name, sizeof name, "o%u", nr);
		check_area_call(b, name, nr);
	}
	check_area_call(b, "ot4", 4);

	struct wasm_val x[2] = { v4(10, 20, 30, 40), f64v(1.25) }, r[3];
	CHECK(wasm_call_val(a, "c3x", 3, x, 2, r, 1, &trap, &err) == 0);
	CHECK(is_v4(r[0], 21, 41, 61, 81));
	CHECK(wasm_call_val(a, "s9", 2, x + 1, 1, r, 3, &trap, &err) == 0);
	CHECK(r[0].lo == f64v(1.25).lo && r[0].hi == f64v(1.25).lo);
	CHECK(is_f64(r[1], 9) && r[2].lo == f64v(9).lo && r[2].hi == f64v(9).lo);
	wasm_instance_free(b);
	wasm_instance_free(a);
	wasm_module_free(mb);
	wasm_module_free(ma);
	wasm_linker_free(l);
}

/* ---- v128 in an imported function's type: a host function sees a v128
 * in two 8-byte places, low half first, the later ones moved by one
 * (wasm.h); results in registers, through a result area, and a v128
 * argument on the stack (the ninth); and another instance's function
 * imported through the linker's adapter. */
static enum wasm_trap_code host_mix(wasm_instance *in, void *env, const uint64_t *a,
				    uint64_t *r)
{
	(void)in; (void)env;
	/* (i32 v128 f64 v128) -> (v128 i32): a+b lane-wise 64, n + (f64 as int) */
	double d;
	memcpy(&d, &a[3], 8);
	r[0] = a[1] + a[4];
	r[1] = a[2] + a[5];
	r[2] = (uint32_t)a[0] + (uint32_t)(int32_t)d;
	return WASM_TRAP_NONE;
}

static enum wasm_trap_code host_three(wasm_instance *in, void *env, const uint64_t *a,
				      uint64_t *r)
{
	(void)in; (void)env;
	/* (v128 f64) -> (v128 f64 v128): swapped halves, d, halves + 1 */
	r[0] = a[1], r[1] = a[0];
	r[2] = a[2];
	r[3] = a[0] + 1, r[4] = a[1] + 1;
	return WASM_TRAP_NONE;
}

static enum wasm_trap_code host_nine(wasm_instance *in, void *env, const uint64_t *a,
				     uint64_t *r)
{
	(void)in; (void)env;
	/* nine v128 -> their 64-bit lanes summed, each lane times its position */
	r[0] = r[1] = 0;
	for (uint32_t i = 0; i < 9; i++) {
		r[0] += (i + 1) * a[2 * i];
		r[1] += (i + 1) * a[2 * i + 1];
	}
	return WASM_TRAP_NONE;
}

TEST(v128_in_imported_function_types)
{
	static const struct wasm_host_func hfs[] = {
		{ "h", "mix", "iVFV", "Vi", host_mix, NULL },
		{ "h", "three", "VF", "VFV", host_three, NULL },
		{ "h", "nine", "VVVVVVVVV", "V", host_nine, NULL },
	};
	struct wasm_error err;
	struct wasm_trap trap;
	wasm_linker *l = wasm_linker_new();
	wasm_instance *a = NULL, *b = NULL;
	wasm_module *ma = load_wat(
		"(module\n"
		" (import \"h\" \"mix\" (func $mix (param i32 v128 f64 v128) (result v128 i32)))\n"
		" (import \"h\" \"three\" (func $three (param v128 f64) (result v128 f64 v128)))\n"
		" (import \"h\" \"nine\" (func $nine (param v128 v128 v128 v128 v128 v128 v128 v128 v128)\n"
		"  (result v128)))\n"
		" (export \"mix\" (func $mix))\n"
		" (func (export \"cmix\") (param i32 v128 f64 v128) (result v128 i32)\n"
		"  (call $mix (local.get 0) (local.get 1) (local.get 2) (local.get 3)))\n"
		" (func (export \"cthree\") (param v128 f64) (result v128 f64 v128)\n"
		"  (call $three (local.get 0) (local.get 1)))\n"
		" (func (export \"cnine\") (param v128) (result v128)\n"
		"  (call $nine (local.get 0) (local.get 0) (local.get 0) (local.get 0) (local.get 0)\n"
		"   (local.get 0) (local.get 0) (local.get 0)\n"
		"   (i64x2.add (local.get 0) (v128.const i64x2 1 2))))\n"
		" (func (export \"f\") (param v128 i32) (result i32 v128)\n"
		"  (local.get 1) (i64x2.mul (local.get 0) (i64x2.splat (i64.extend_i32_u (local.get 1)))))\n"
		" (func (export \"g3\") (param v128 f64) (result v128 f64 v128)\n"
		"  (call $three (local.get 0) (local.get 1))))", &err);
	REQUIRE(l && ma);
	wasm_module *mb = load_wat(
		"(module\n"
		" (import \"a\" \"f\" (func $f (param v128 i32) (result i32 v128)))\n"
		" (import \"a\" \"g3\" (func $g3 (param v128 f64) (result v128 f64 v128)))\n"
		" (func (export \"cf\") (param v128 i32) (result i32 v128)\n"
		"  (call $f (local.get 0) (local.get 1)))\n"
		" (func (export \"cg3\") (param v128 f64) (result v128 f64 v128)\n"
		"  (call $g3 (local.get 0) (local.get 1))))", &err);
	struct wasm_val x = { 0x1111111122222222ull, 0x3333333344444444ull };
	struct wasm_val y = { 5, 7 }, r[3], args[4];
	const char *const mixes[] = { "mix", "cmix" };

	REQUIRE(mb);
	REQUIRE(wasm_linker_define_funcs(l, hfs, 3) == 0);
	REQUIRE(wasm_linker_instantiate(l, ma, &a, &err, &trap) == 0);
	REQUIRE(wasm_linker_define_instance(l, "a", a) == 0);
	REQUIRE(wasm_linker_instantiate(l, mb, &b, &err, &trap) == 0);
	args[0] = (struct wasm_val){ 40, 0 };
	args[1] = x;
	args[2] = f64v(2.0);
	args[3] = y;
	for (uint32_t k = 0; k < 2; k++) {
		memset(r, 0, sizeof r);
		CHECK(wasm_call_val(a, mixes[k], strlen(mixes[k]), args, 4, r, 2, &trap, &err) == 0);
		CHECK_MSG(r[0].lo == x.lo + 5 && r[0].hi == x.hi + 7 && r[1].lo == 42,
			  "%s: %llx %llx %llu", mixes[k], (unsigned long long)r[0].lo,
			  (unsigned long long)r[0].hi, (unsigned long long)r[1].lo);
	}
	const struct { wasm_instance *in; const char *name; } threes[] = {
		{ a, "cthree" }, { a, "g3" }, { b, "cg3" },
	};
	for (uint32_t k = 0; k < 3; k++) {
		memset(r, 0, sizeof r);
		args[1] = f64v(-3.5);
		CHECK(wasm_call_val(threes[k].in, threes[k].name, strlen(threes[k].name),
				    &x, 1, r, 0, &trap, &err) < 0);     /* arity */
		struct wasm_val a2[2] = { x, f64v(-3.5) };
		CHECK(wasm_call_val(threes[k].in, threes[k].name, strlen(threes[k].name),
				    a2, 2, r, 3, &trap, &err) == 0);
		CHECK_MSG(r[0].lo == x.hi && r[0].hi == x.lo && is_f64(r[1], -3.5) &&
			  r[2].lo == x.lo + 1 && r[2].hi == x.hi + 1, "%s: %llx %llx",
			  threes[k].name, (unsigned long long)r[0].lo, (unsigned long long)r[2].lo);
	}
	memset(r, 0, sizeof r);
	CHECK(wasm_call_val(a, "cnine", 5, &y, 1, r, 1, &trap, &err) == 0);
	/* lanes (5, 7) times 1..9 = 45, plus the ninth's (1, 2) times 9 */
	CHECK_EQ_U64(r[0].lo, 5 * 45 + 9);
	CHECK_EQ_U64(r[0].hi, 7 * 45 + 18);
	struct wasm_val fa[2] = { { 3, 0xffffffffffffffffull }, { 6, 0 } };
	memset(r, 0, sizeof r);
	CHECK(wasm_call_val(b, "cf", 2, fa, 2, r, 2, &trap, &err) == 0);
	CHECK(r[0].lo == 6 && r[0].hi == 0 && r[1].lo == 18 &&
	      r[1].hi == 0xfffffffffffffffaull);
	wasm_instance_free(b);
	wasm_instance_free(a);
	wasm_module_free(mb);
	wasm_module_free(ma);
	wasm_linker_free(l);
}

/* a mutable v128 global exported by one instance, imported by another:
 * one 16-byte cell, both see every write; an immutable one imported
 * and read by a constant expression */
TEST(v128_global_shared_between_instances)
{
	struct wasm_error err;
	struct wasm_trap trap;
	wasm_linker *l = wasm_linker_new();
	wasm_instance *a = NULL, *b = NULL;
	wasm_module *ma = load_wat(
		"(module (global (export \"g\") (mut v128) (v128.const i64x2 5 6))\n"
		" (global (export \"c\") v128 (v128.const i64x2 5 6))\n"
		" (func (export \"get\") (result v128) (global.get 0)))", &err);
	wasm_module *mb = load_wat(
		"(module (import \"a\" \"g\" (global (mut v128)))\n"
		" (import \"a\" \"c\" (global v128))\n"
		" (global $copy v128 (global.get 1))\n"
		" (func (export \"set\") (param v128) (global.set 0 (local.get 0)))\n"
		" (func (export \"copy\") (result v128) (global.get $copy)))", &err);
	struct wasm_val v = { 0x1111111111111111ull, 0x2222222222222222ull }, r;

	REQUIRE(l && ma && mb);
	REQUIRE(wasm_linker_instantiate(l, ma, &a, &err, &trap) == 0);
	REQUIRE(wasm_linker_define_instance(l, "a", a) == 0);
	REQUIRE(wasm_linker_instantiate(l, mb, &b, &err, &trap) == 0);
	CHECK(wasm_call_val(b, "copy", 4, NULL, 0, &r, 1, &trap, &err) == 0);
	CHECK(r.lo == 5 && r.hi == 6);          /* initialised from the import */
	CHECK(wasm_call_val(b, "set", 3, &v, 1, NULL, 0, &trap, &err) == 0);
	CHECK(wasm_call_val(a, "get", 3, NULL, 0, &r, 1, &trap, &err) == 0);
	CHECK(r.lo == v.lo && r.hi == v.hi);    /* the exporter sees the write */
	wasm_instance_free(b);
	wasm_instance_free(a);
	wasm_module_free(mb);
	wasm_module_free(ma);
	wasm_linker_free(l);
}

static const char *load_bytes(const uint8_t *b, size_t n)
{
	struct wasm_error err = { 0 };
	wasm_module *m = NULL;

	if (!wasm_module_load(b, n, &m, &err)) {
		wasm_module_free(m);
		return "loaded";
	}
	return err.msg;
}

/* one function () -> () with body (no locals) */
#define MODULE(...) { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, \
	0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, \
	0x0a, 2 + sizeof((uint8_t[]){ __VA_ARGS__ }) + 1, 0x01, \
	1 + sizeof((uint8_t[]){ __VA_ARGS__ }), 0x00, __VA_ARGS__ }

TEST(simd_bad_immediates_refused)
{
	static const uint8_t unknown[] = MODULE(0xfd, 0x9a, 0x01, 0x0b);
	static const uint8_t lane16[] = MODULE(0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0xfd, 0x15, 16, 0x1a, 0x0b);
	static const uint8_t lane15[] = MODULE(0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0xfd, 0x15, 15, 0x1a, 0x0b);
	const char *msg;

	msg = load_bytes(unknown, sizeof unknown);
	CHECK_MSG(msg && !strcmp(msg, "illegal opcode"), "unknown: %s", msg ? msg : "none");
	msg = load_bytes(lane16, sizeof lane16);
	CHECK_MSG(msg && !strcmp(msg, "invalid lane index"), "lane 16: %s", msg ? msg : "none");
	msg = load_bytes(lane15, sizeof lane15);
	CHECK_MSG(msg && !strcmp(msg, "loaded"), "lane 15: %s", msg ? msg : "none");
}

/* ---- relaxed SIMD (docs/simd.md: the result chosen for each) -------------- */

static wasm_instance *rinst;
static wasm_module *rmod;

/* "bf16" is assembled as i32x4.relaxed_dot_i8x16_i7x16_add_s (wabt 1.0.32
 * has no f32x4.relaxed_dot_bf16x8_add_f32x4) and its opcode patched to
 * 0x114: the last local.get 0 1 2, 0xfd 0x93 0x02, end in the module */
static const char *relaxed_text =
	"(module\n"
	" (func (export \"swz\") (param v128 v128) (result v128) (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))\n"
	" (func (export \"tfs\") (param v128) (result v128) (i32x4.relaxed_trunc_f32x4_s (local.get 0)))\n"
	" (func (export \"tfu\") (param v128) (result v128) (i32x4.relaxed_trunc_f32x4_u (local.get 0)))\n"
	" (func (export \"tds\") (param v128) (result v128) (i32x4.relaxed_trunc_f64x2_s_zero (local.get 0)))\n"
	" (func (export \"tdu\") (param v128) (result v128) (i32x4.relaxed_trunc_f64x2_u_zero (local.get 0)))\n"
	" (func (export \"fma\") (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))\n"
	" (func (export \"fnma\") (param v128 v128 v128) (result v128) (f32x4.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))\n"
	" (func (export \"dma\") (param v128 v128 v128) (result v128) (f64x2.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))\n"
	" (func (export \"dnma\") (param v128 v128 v128) (result v128) (f64x2.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))\n"
	" (func (export \"ls8\") (param v128 v128 v128) (result v128) (i8x16.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))\n"
	" (func (export \"ls16\") (param v128 v128 v128) (result v128) (i16x8.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))\n"
	" (func (export \"ls32\") (param v128 v128 v128) (result v128) (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))\n"
	" (func (export \"ls64\") (param v128 v128 v128) (result v128) (i64x2.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))\n"
	" (func (export \"fmin\") (param v128 v128) (result v128) (f32x4.relaxed_min (local.get 0) (local.get 1)))\n"
	" (func (export \"fmax\") (param v128 v128) (result v128) (f32x4.relaxed_max (local.get 0) (local.get 1)))\n"
	" (func (export \"dmin\") (param v128 v128) (result v128) (f64x2.relaxed_min (local.get 0) (local.get 1)))\n"
	" (func (export \"dmax\") (param v128 v128) (result v128) (f64x2.relaxed_max (local.get 0) (local.get 1)))\n"
	" (func (export \"q15\") (param v128 v128) (result v128) (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))\n"
	" (func (export \"dot\") (param v128 v128) (result v128) (i16x8.dot_i8x16_i7x16_s (local.get 0) (local.get 1)))\n"
	" (func (export \"dotadd\") (param v128 v128 v128) (result v128) (i32x4.dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2)))\n"
	" (func (export \"bf16\") (param v128 v128 v128) (result v128) (i32x4.dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2)))\n"
	")\n";

static int rcall(const char *name, const struct wasm_val *args, size_t na, struct wasm_val *res)
{
	struct wasm_trap trap;
	struct wasm_error err = { 0 };

	if (!rinst)
		return -1;
	if (wasm_call_val(rinst, name, strlen(name), args, na, res, 1, &trap, &err)) {
		fprintf(stderr, "%s: %s\n", name, err.msg ? err.msg : "trap");
		return -1;
	}
	return 0;
}

static struct wasm_val bytes16(const uint8_t *b)
{
	struct wasm_val v;

	memcpy(&v.lo, b, 8);
	memcpy(&v.hi, b + 8, 8);
	return v;
}

static struct wasm_val f4(float a, float b, float c, float d)
{
	return v4(fbits(a), fbits(b), fbits(c), fbits(d));
}

static uint64_t dbits(double x)
{
	uint64_t b;

	memcpy(&b, &x, 8);
	return b;
}

static uint16_t lane16(struct wasm_val v, int i)
{
	return (uint16_t)((i < 4 ? v.lo : v.hi) >> (16 * (i & 3)));
}

TEST(relaxed_setup)
{
	static const uint8_t body[] = { 0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x93, 0x02, 0x0b };
	struct wasm_error err = { 0 };
	struct wasm_trap trap;
	size_t n = 0, at = SIZE_MAX;
	uint8_t *b = wat_assemble_flags(tmpdir, "--enable-relaxed-simd", relaxed_text, &n);

	REQUIRE(b);
	for (size_t i = 0; i + sizeof body <= n; i++)
		if (!memcmp(b + i, body, sizeof body))
			at = i;
	REQUIRE(at != SIZE_MAX);
	b[at + 7] = 0x94;                       /* 0x113 -> 0x114 */
	if (wasm_module_load(b, n, &rmod, &err))
		fprintf(stderr, "load: %s\n", err.msg ? err.msg : "?");
	free(b);
	REQUIRE(rmod);
	REQUIRE(wasm_instance_new(rmod, NULL, 0, &rinst, &err, &trap) == 0);
}

/* pshufb: a[s & 15] for s < 128, 0 for s >= 128 (swizzle: 0 from 16) */
TEST(relaxed_swizzle_index_16_and_up)
{
	static const uint8_t s[16] = { 0, 15, 16, 17, 31, 47, 100, 127, 128, 129, 143, 200,
				       255, 0x70, 0x8f, 5 };
	uint8_t a[16], got[16];
	struct wasm_val args[2], r;

	for (int i = 0; i < 16; i++)
		a[i] = (uint8_t)(0xa0 + i);
	args[0] = bytes16(a);
	args[1] = bytes16(s);
	REQUIRE(rcall("swz", args, 2, &r) == 0);
	memcpy(got, &r.lo, 8);
	memcpy(got + 8, &r.hi, 8);
	for (int i = 0; i < 16; i++) {
		uint8_t want = s[i] < 128 ? a[s[i] & 15] : 0;
		CHECK_MSG(got[i] == want, "index %u: %#x, expected %#x", s[i], got[i], want);
	}
}

/* as the trunc_sat instructions: NaN 0, out of range saturated */
TEST(relaxed_trunc_nan_and_out_of_range)
{
	struct wasm_val a, r;

	a = f4(NAN, -INFINITY, 2147483648.0f, -2147483904.0f);
	REQUIRE(rcall("tfs", &a, 1, &r) == 0);
	CHECK(lane(r, 0) == 0 && lane(r, 1) == 0x80000000u && lane(r, 2) == 0x7fffffffu &&
	      lane(r, 3) == 0x80000000u);
	a = f4(-NAN, -1.9f, 1.9f, -2147483648.0f);
	REQUIRE(rcall("tfs", &a, 1, &r) == 0);
	CHECK(lane(r, 0) == 0 && lane(r, 1) == (uint32_t)-1 && lane(r, 2) == 1 &&
	      lane(r, 3) == 0x80000000u);
	a = f4(NAN, -1.0f, 4294967040.0f, 4294967296.0f);
	REQUIRE(rcall("tfu", &a, 1, &r) == 0);
	CHECK(lane(r, 0) == 0 && lane(r, 1) == 0 && lane(r, 2) == 4294967040u &&
	      lane(r, 3) == 0xffffffffu);
	a = f4(INFINITY, -INFINITY, 2147483648.5f, 0.99f);
	REQUIRE(rcall("tfu", &a, 1, &r) == 0);
	CHECK(lane(r, 0) == 0xffffffffu && lane(r, 1) == 0 && lane(r, 2) == 2147483648u &&
	      lane(r, 3) == 0);
	a = (struct wasm_val){ dbits(NAN), dbits(-1e10) };
	REQUIRE(rcall("tds", &a, 1, &r) == 0);
	CHECK(lane(r, 0) == 0 && lane(r, 1) == 0x80000000u && r.hi == 0);
	a = (struct wasm_val){ dbits(1e10), dbits(-2147483648.9) };
	REQUIRE(rcall("tds", &a, 1, &r) == 0);
	CHECK(lane(r, 0) == 0x7fffffffu && lane(r, 1) == 0x80000000u && r.hi == 0);
	a = (struct wasm_val){ dbits(NAN), dbits(-1.0) };
	REQUIRE(rcall("tdu", &a, 1, &r) == 0);
	CHECK(lane(r, 0) == 0 && lane(r, 1) == 0 && r.hi == 0);
	a = (struct wasm_val){ dbits(1e10), dbits(4294967295.9) };
	REQUIRE(rcall("tdu", &a, 1, &r) == 0);
	CHECK(lane(r, 0) == 0xffffffffu && lane(r, 1) == 0xffffffffu && r.hi == 0);
}

/* unfused: a * b rounded, then + c (or c - a * b) rounded */
TEST(relaxed_madd_unfused)
{
	struct wasm_val a[3], r;
	float x = 0x1.000004p+0f, y = 0x1.0002p+0f, z = 0x1.000204p+0f;
	double dx = 0x1.00000004p+0, dy = 0x1.000002p+0, dz = 0x1.00000204p+0;

	a[0] = f4(FLT_MAX, x, 2.0f, NAN);
	a[1] = f4(2.0f, y, 3.0f, 1.0f);
	a[2] = f4(-FLT_MAX, -z, 1.0f, 1.0f);
	REQUIRE(rcall("fma", a, 3, &r) == 0);
	CHECK_EQ_U64(lane(r, 0), fbits(INFINITY));      /* fused: FLT_MAX */
	CHECK_EQ_U64(lane(r, 1), 0);                    /* fused: 0x1p-37 */
	CHECK_EQ_U64(lane(r, 2), fbits(7.0f));
	CHECK_EQ_U64(lane(r, 3) & 0x7fc00000u, 0x7fc00000u);     /* a NaN */
	a[2] = f4(-FLT_MAX, z, 1.0f, 1.0f);
	REQUIRE(rcall("fnma", a, 3, &r) == 0);
	CHECK_EQ_U64(lane(r, 0), fbits(-INFINITY));
	CHECK_EQ_U64(lane(r, 1), 0);                    /* +0: z - xy, xy rounded to z */
	CHECK_EQ_U64(lane(r, 2), fbits(-5.0f));
	a[0] = (struct wasm_val){ dbits(DBL_MAX), dbits(dx) };
	a[1] = (struct wasm_val){ dbits(2.0), dbits(dy) };
	a[2] = (struct wasm_val){ dbits(-DBL_MAX), dbits(-dz) };
	REQUIRE(rcall("dma", a, 3, &r) == 0);
	CHECK_EQ_U64(r.lo, dbits(INFINITY));
	CHECK_EQ_U64(r.hi, 0);                          /* fused: 0x1p-53 */
	a[2] = (struct wasm_val){ dbits(-DBL_MAX), dbits(dz) };
	REQUIRE(rcall("dnma", a, 3, &r) == 0);
	CHECK_EQ_U64(r.lo, dbits(-INFINITY));
	CHECK_EQ_U64(r.hi, 0);
}

/* bitselect, whatever the mask: bit by bit, also where a lane's mask is
 * neither all ones nor zero */
TEST(relaxed_laneselect_is_bitselect)
{
	static const char *const fn[] = { "ls8", "ls16", "ls32", "ls64" };
	struct wasm_val a[3], r;

	a[0] = (struct wasm_val){ 0x1234123412341234ull, 0x1111111111111111ull };
	a[1] = (struct wasm_val){ 0x5678567856785678ull, 0x2222222222222222ull };
	a[2] = (struct wasm_val){ 0xffffffff0000f0f0ull, 0x800000000000000full };
	for (int i = 0; i < 4; i++) {
		REQUIRE(rcall(fn[i], a, 3, &r) == 0);
		CHECK_MSG(r.lo == ((a[0].lo & a[2].lo) | (a[1].lo & ~a[2].lo)) &&
			  r.hi == ((a[0].hi & a[2].hi) | (a[1].hi & ~a[2].hi)),
			  "%s: %016llx %016llx", fn[i], (unsigned long long)r.hi,
			  (unsigned long long)r.lo);
	}
}

/* minps/maxps: a < b ? a : b, a > b ? a : b; NaNs and zeros: b, its
 * bits unchanged */
TEST(relaxed_min_max_nan_and_zeros_give_b)
{
	struct wasm_val a[2], r;

	a[0] = v4(0x7fa00001u, fbits(1.0f), fbits(0.0f), fbits(-0.0f));
	a[1] = v4(fbits(2.0f), 0xffc00123u, fbits(-0.0f), fbits(0.0f));
	REQUIRE(rcall("fmin", a, 2, &r) == 0);
	CHECK(lane(r, 0) == fbits(2.0f) && lane(r, 1) == 0xffc00123u &&
	      lane(r, 2) == 0x80000000u && lane(r, 3) == 0);
	REQUIRE(rcall("fmax", a, 2, &r) == 0);
	CHECK(lane(r, 0) == fbits(2.0f) && lane(r, 1) == 0xffc00123u &&
	      lane(r, 2) == 0x80000000u && lane(r, 3) == 0);
	a[0] = f4(1.0f, 5.0f, -3.0f, 0);
	a[1] = f4(2.0f, 4.0f, -3.5f, 0);
	REQUIRE(rcall("fmin", a, 2, &r) == 0);
	CHECK(lane(r, 0) == fbits(1.0f) && lane(r, 1) == fbits(4.0f) && lane(r, 2) == fbits(-3.5f));
	REQUIRE(rcall("fmax", a, 2, &r) == 0);
	CHECK(lane(r, 0) == fbits(2.0f) && lane(r, 1) == fbits(5.0f) && lane(r, 2) == fbits(-3.0f));
	a[0] = (struct wasm_val){ 0x7ff0000000000001ull, dbits(-0.0) };
	a[1] = (struct wasm_val){ dbits(3.0), dbits(0.0) };
	REQUIRE(rcall("dmin", a, 2, &r) == 0);
	CHECK(r.lo == dbits(3.0) && r.hi == 0);
	a[0] = (struct wasm_val){ dbits(3.0), dbits(0.0) };
	a[1] = (struct wasm_val){ 0xfff8000000000000ull, dbits(-0.0) };
	REQUIRE(rcall("dmax", a, 2, &r) == 0);
	CHECK(r.lo == 0xfff8000000000000ull && r.hi == dbits(-0.0));
}

/* pmulhrsw: (a * b + 0x4000) >> 15, -32768 * -32768 wraps to -32768 */
TEST(relaxed_q15mulr_min_times_min)
{
	struct wasm_val a[2], r;

	a[0] = (struct wasm_val){ 0x7fff400080008000ull, 0x0000ffff7fff0001ull };
	a[1] = (struct wasm_val){ 0x7fff400080018000ull, 0x00000001ffff4000ull };
	REQUIRE(rcall("q15", a, 2, &r) == 0);
	CHECK_EQ_U64(lane16(r, 0), 0x8000);             /* sat_s would be 0x7fff */
	CHECK_EQ_U64(lane16(r, 1), 0x7fff);             /* -32768 * -32767 */
	CHECK_EQ_U64(lane16(r, 2), 0x2000);             /* 0.5 * 0.5 */
	CHECK_EQ_U64(lane16(r, 3), 0x7ffe);
	CHECK_EQ_U64(lane16(r, 4), 0x0001);             /* 2^-15 * 0.5, rounded up */
	CHECK_EQ_U64(lane16(r, 5), 0xffff);             /* 0x7fff * -1 */
	CHECK_EQ_U64(lane16(r, 6), 0);                  /* -1 * 1 */
}

/* pmaddubsw(b, a): b unsigned when its top bit is set, pair sums
 * saturated to i16; the i32x4 one sums two pairs and adds c (wrapping) */
TEST(relaxed_dot_top_bit_set)
{
	struct wasm_val a[3], r;
	uint8_t x[16] = { 0x80, 0x80, 0x7f, 0x7f, 0x80, 0x80, 0xff, 0xff, 3, 0xfe, 0, 0, 0, 0, 0, 0 };
	uint8_t y[16] = { 0x7f, 0x7f, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 5, 2, 0, 0, 0, 0, 0, 0 };

	a[0] = bytes16(x);
	a[1] = bytes16(y);
	REQUIRE(rcall("dot", a, 2, &r) == 0);
	CHECK_EQ_U64(lane16(r, 0), (uint16_t)-32512);
	CHECK_EQ_U64(lane16(r, 1), 32258);
	CHECK_EQ_U64(lane16(r, 2), 0x8000);            /* -128 * 255 * 2 saturated */
	CHECK_EQ_U64(lane16(r, 3), (uint16_t)-510);    /* -1 * 255 * 2 */
	CHECK_EQ_U64(lane16(r, 4), 11);                /* 15 - 4 */
	a[2] = v4(1, 0x7fffffffu, 3, 0);
	REQUIRE(rcall("dotadd", a, 3, &r) == 0);
	CHECK_EQ_U64(lane(r, 0), (uint32_t)(-32512 + 32258 + 1));
	CHECK_EQ_U64(lane(r, 1), (uint32_t)(-32768 - 510 + 0x7fffffff));
	CHECK_EQ_U64(lane(r, 2), 11 + 3);
	memset(x, 0x80, 8);
	memset(y, 0x81, 8);                             /* -128 * 129 * 2 each pair */
	a[0] = bytes16(x);
	a[1] = bytes16(y);
	a[2] = v4(1, 0x7fffffffu, 0, 0);
	REQUIRE(rcall("dotadd", a, 3, &r) == 0);
	CHECK_EQ_U64(lane(r, 0), (uint32_t)-65535);
	CHECK_EQ_U64(lane(r, 1), 0x7fffffffu - 65536);
}

/* (a[2i] * b[2i] + a[2i+1] * b[2i+1]) + c[i], each step rounded: with
 * 2^24 and -2^24 as the products, c survives (c + p0 first, or fma
 * would lose it) */
TEST(relaxed_dot_bf16_order)
{
	struct wasm_val a[3], r;

	/* bf16 pairs (even in the low half): 2^12, -2^12 | 1, 2 | 3, -0 | NaN */
	a[0] = v4(0xc5804580u, 0x40003f80u, 0x80004040u, 0x00007fc0u);
	a[1] = v4(0x45804580u, 0x40804040u, 0x3f803f80u, 0x00003f80u);
	a[2] = f4(1.0f, 0.5f, -0.0f, 0);
	REQUIRE(rcall("bf16", a, 3, &r) == 0);
	CHECK_EQ_U64(lane(r, 0), fbits(1.0f));          /* (2^24 - 2^24) + 1 */
	CHECK_EQ_U64(lane(r, 1), fbits(11.5f));         /* 1*3 + 2*4 + 0.5 */
	CHECK_EQ_U64(lane(r, 2), fbits(3.0f));          /* 3 + -0 + -0 */
	CHECK_EQ_U64(lane(r, 3) & 0x7fc00000u, 0x7fc00000u);     /* NaN */
}

/* The relaxed results do not depend on AVX (docs/simd.md "AVX"): the
 * tests above ran on this CPU's features (the VEX forms where it has
 * AVX); here the module is compiled again without AVX and AVX2 (the SSE
 * forms) and every one of them runs again. */
TEST(relaxed_same_without_avx)
{
	if (!(jit_cpu_features() & JIT_CPU_AVX))
		SKIP("this CPU has no AVX: the tests above ran the SSE forms");
	if (rinst)
		wasm_instance_free(rinst);
	if (rmod)
		wasm_module_free(rmod);
	rinst = NULL;
	rmod = NULL;
	jit_cpu_disable(JIT_CPU_AVX | JIT_CPU_AVX2);
	relaxed_setup();
	relaxed_swizzle_index_16_and_up();
	relaxed_trunc_nan_and_out_of_range();
	relaxed_madd_unfused();
	relaxed_laneselect_is_bitselect();
	relaxed_min_max_nan_and_zeros_give_b();
	relaxed_q15mulr_min_times_min();
	relaxed_dot_top_bit_set();
	relaxed_dot_bf16_order();
	jit_cpu_disable(0);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/wasmetal-simd-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	plat_host_init();
	if (!(jit_cpu_features() & JIT_CPU_SSE41)) {
		printf("SKIP simd: this CPU has no SSE4.1\n");
		return 0;
	}
	RUN(setup);
	RUN(opcode_table_complete);
	RUN(v128_spilled_under_pressure);
	RUN(v128_call_args_in_xmm_and_on_stack);
	RUN(v128_mixed_params_results);
	RUN(v128_block_merge_and_select);
	RUN(v128_global);
	RUN(v128_global_shared_between_instances);
	RUN(v128_load_store_at_memory_end);
	RUN(f32x4_min_max_nan_and_signed_zero);
	RUN(simd_refused_without_sse41);
	RUN(v128_call_indirect_same_and_other_instance);
	RUN(v128_results_through_result_area);
	RUN(v128_in_imported_function_types);
	RUN(simd_bad_immediates_refused);
	RUN(relaxed_setup);
	RUN(relaxed_swizzle_index_16_and_up);
	RUN(relaxed_trunc_nan_and_out_of_range);
	RUN(relaxed_madd_unfused);
	RUN(relaxed_laneselect_is_bitselect);
	RUN(relaxed_min_max_nan_and_zeros_give_b);
	RUN(relaxed_q15mulr_min_times_min);
	RUN(relaxed_dot_top_bit_set);
	RUN(relaxed_dot_bf16_order);
	RUN(relaxed_same_without_avx);
	if (rinst)
		wasm_instance_free(rinst);
	if (rmod)
		wasm_module_free(rmod);
	if (inst)
		wasm_instance_free(inst);
	if (mod)
		wasm_module_free(mod);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	CHECK_DONE();
}
