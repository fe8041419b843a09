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
 * across two.  The testsuite's simd_*.wast files run
 * through tests/spec/run-suite.sh.
 */
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
	uint8_t *b = wat_assemble(tmpdir, text, &n);

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
	CHECK_EQ_U64(n, 236);   /* Wasm 2.0's fixed-width SIMD */
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
	RUN(simd_bad_immediates_refused);
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
