/*
 * test_multi_memory.c — the multi-memory proposal (issue 10) end to end on
 * the hosted platform: each memory its own 8 GiB guarded reservation
 * (an out-of-bounds access to memory 1 traps with the spec's message),
 * memory.grow of one memory leaving the others alone, a second memory
 * that cannot be allocated (a resource error), the bulk
 * instructions across memories, memories shared between instances under
 * other indices (memory 0's copy in the context kept in step), the
 * memory host functions see (the one exported as "memory"), the limit on
 * their number, and Wasm 2.0's "multiple memories" with the feature off.
 *
 * Modules are assembled with wabt's wat2wasm --enable-multi-memory at
 * test time (tests/unit/wat.h).
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

static wasm_module *load_wat(const char *text)
{
	size_t n;
	uint8_t *b = wat_assemble_flags(tmpdir, "--enable-multi-memory", text, &n);
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

/* call f(args) -> at most one result in *r; 0, 1 (trapped) or -1 */
static int call(wasm_instance *i, const char *f, const uint64_t *a, size_t na,
		uint64_t *r, size_t nr)
{
	memset(&trap, 0, sizeof trap);
	memset(&err, 0, sizeof err);
	return wasm_call(i, f, a, na, r, nr, &trap, &err);
}

static uint64_t call1(wasm_instance *i, const char *f, uint64_t a0, uint64_t a1)
{
	uint64_t a[2] = { a0, a1 }, r[1] = { 0xdeadbeef };

	if (call(i, f, a, 2, r, 1) != 0)
		return 0xbad0bad0bad0ull;
	return r[0] & 0xffffffffu;
}

/* the trap's full text, or "" when f did not trap */
static const char *trap_text(wasm_instance *i, const char *f, uint64_t a0, uint64_t a1,
			     size_t nr)
{
	static char buf[160];
	uint64_t a[2] = { a0, a1 }, r[1];

	if (call(i, f, a, 2, r, nr) != 1)
		return "";
	return wasm_trap_text(&trap, buf, sizeof buf);
}

/* memory 0: 1 page; memory 1: 1..3 pages; accesses through registers,
 * constants and an offset of 2 GiB or more (each a code path of
 * jit/compile/memory.c fast_addr_n) */
static const char two_mems[] =
	"(module"
	" (memory $a 1)"
	" (memory $b 1 3)"
	" (func (export \"ld0\") (param i32 i32) (result i32) (i32.load $a (local.get 0)))"
	" (func (export \"ld1\") (param i32 i32) (result i32) (i32.load $b (local.get 0)))"
	" (func (export \"st0\") (param i32 i32) (i32.store $a (local.get 0) (local.get 1)))"
	" (func (export \"st1\") (param i32 i32) (i32.store $b (local.get 0) (local.get 1)))"
	" (func (export \"st1_8\") (param i32 i32) (i32.store8 $b (local.get 0) (local.get 1)))"
	" (func (export \"ld1_const_end\") (param i32 i32) (result i32)"
	"   (i32.load $b (i32.const 65536)))"
	" (func (export \"ld1_const_in\") (param i32 i32) (result i32)"
	"   (i32.load $b (i32.const 65532)))"
	" (func (export \"ld1_off2g\") (param i32 i32) (result i32)"
	"   (i32.load $b offset=0x80000000 (local.get 0)))"
	" (func (export \"ld1_const_off4g\") (param i32 i32) (result i32)"
	"   (i32.load $b offset=0xffffffff (i32.const 0xffffffff)))"
	" (func (export \"ld1_slot\") (param i32 i32) (result i32)"      /* address in its slot */
	"   (i32.load $b (block (result i32) (local.get 0))))"
	" (func (export \"st1_f64_slot\") (param i32 i32)"              /* an xmm value */
	"   (f64.store $b offset=8 (block (result i32) (local.get 0))"
	"     (f64.convert_i32_u (local.get 1))))"
	" (func (export \"ld1_i64\") (param i32 i32) (result i32)"
	"   (i32.wrap_i64 (i64.trunc_f64_u (f64.load $b offset=8 (local.get 0)))))"
	" (func (export \"size0\") (param i32 i32) (result i32) (memory.size $a))"
	" (func (export \"size1\") (param i32 i32) (result i32) (memory.size $b))"
	" (func (export \"grow1\") (param i32 i32) (result i32) (memory.grow $b (local.get 0)))"
	" (func (export \"fill1\") (param i32 i32)"
	"   (memory.fill $b (local.get 0) (i32.const 0x5a) (local.get 1)))"
	" (func (export \"copy01\") (param i32 i32)"     /* memory 1 -> memory 0 */
	"   (memory.copy $a $b (local.get 0) (local.get 1) (i32.const 4)))"
	" (func (export \"copy10\") (param i32 i32)"     /* memory 0 -> memory 1 */
	"   (memory.copy $b $a (local.get 0) (local.get 1) (i32.const 4)))"
	" (func (export \"init1\") (param i32 i32)"
	"   (memory.init $b $d (local.get 0) (i32.const 0) (local.get 1)))"
	" (data $d \"\\01\\02\\03\\04\")"
	" (data (memory $b) (i32.const 16) \"\\aa\\bb\\cc\\dd\"))";

TEST(second_memory_out_of_bounds_traps)
{
	wasm_module *m;
	wasm_instance *i;

	REQUIRE(inst_wat(two_mems, &m, &i) == 0);
	/* the active data segment went to memory 1, not memory 0 */
	CHECK_EQ_U64(call1(i, "ld1", 16, 0), 0xddccbbaa);
	CHECK_EQ_U64(call1(i, "ld0", 16, 0), 0);
	/* stores go to their own memory */
	uint64_t a[2] = { 100, 0x11223344 };
	CHECK(call(i, "st1", a, 2, NULL, 0) == 0);
	CHECK_EQ_U64(call1(i, "ld1", 100, 0), 0x11223344);
	CHECK_EQ_U64(call1(i, "ld0", 100, 0), 0);
	/* the last word of memory 1 is in, one byte further traps */
	CHECK_EQ_U64(call1(i, "ld1", 65532, 0), 0);
	CHECK_EQ_U64(call1(i, "ld1_const_in", 0, 0), 0);
	CHECK(!strcmp(trap_text(i, "ld1", 65533, 0, 1), "out of bounds memory access"));
	CHECK(!strcmp(trap_text(i, "st1", 65536, 7, 0), "out of bounds memory access"));
	CHECK(!strcmp(trap_text(i, "st1_8", 0xffffffffu, 7, 0), "out of bounds memory access"));
	CHECK(!strcmp(trap_text(i, "ld1_const_end", 0, 0, 1), "out of bounds memory access"));
	CHECK(!strcmp(trap_text(i, "ld1_off2g", 0, 0, 1), "out of bounds memory access"));
	CHECK(!strcmp(trap_text(i, "ld1_off2g", 0xffffffffu, 0, 1),
		      "out of bounds memory access"));
	CHECK(!strcmp(trap_text(i, "ld1_const_off4g", 0, 0, 1), "out of bounds memory access"));
	CHECK_EQ_U64(call1(i, "ld1_slot", 100, 0), 0x11223344);
	CHECK(!strcmp(trap_text(i, "ld1_slot", 65533, 0, 1), "out of bounds memory access"));
	a[0] = 1000, a[1] = 12345;
	CHECK(call(i, "st1_f64_slot", a, 2, NULL, 0) == 0);
	CHECK_EQ_U64(call1(i, "ld1_i64", 1000, 0), 12345);
	CHECK_EQ_U64(call1(i, "ld0", 1008, 0), 0);
	CHECK(!strcmp(trap_text(i, "st1_f64_slot", 65528 - 8 + 1, 1, 0),
		      "out of bounds memory access"));
	CHECK(trap.nframes >= 1);
	/* the bulk instructions check memory 1's own size */
	CHECK(!strcmp(trap_text(i, "fill1", 65535, 2, 0), "out of bounds memory access"));
	CHECK(!strcmp(trap_text(i, "init1", 65534, 4, 0), "out of bounds memory access"));
	CHECK(!strcmp(trap_text(i, "copy10", 65533, 0, 0), "out of bounds memory access"));
	CHECK(!strcmp(trap_text(i, "copy01", 0, 65533, 0), "out of bounds memory access"));
	done(m, i);
}

TEST(bulk_instructions_across_memories)
{
	wasm_module *m;
	wasm_instance *i;
	uint64_t a[2];

	REQUIRE(inst_wat(two_mems, &m, &i) == 0);
	a[0] = 200, a[1] = 3;
	CHECK(call(i, "fill1", a, 2, NULL, 0) == 0);
	CHECK_EQ_U64(call1(i, "ld1", 200, 0), 0x005a5a5a);
	CHECK_EQ_U64(call1(i, "ld0", 200, 0), 0);
	a[0] = 300, a[1] = 4;
	CHECK(call(i, "init1", a, 2, NULL, 0) == 0);
	CHECK_EQ_U64(call1(i, "ld1", 300, 0), 0x04030201);
	a[0] = 8, a[1] = 300;                   /* memory 1 @300 -> memory 0 @8 */
	CHECK(call(i, "copy01", a, 2, NULL, 0) == 0);
	CHECK_EQ_U64(call1(i, "ld0", 8, 0), 0x04030201);
	a[0] = 400, a[1] = 8;                   /* memory 0 @8 -> memory 1 @400 */
	CHECK(call(i, "copy10", a, 2, NULL, 0) == 0);
	CHECK_EQ_U64(call1(i, "ld1", 400, 0), 0x04030201);
	CHECK_EQ_U64(call1(i, "ld0", 400, 0), 0);
	done(m, i);
}

TEST(grow_of_memory1_leaves_memory0)
{
	wasm_module *m;
	wasm_instance *i;

	REQUIRE(inst_wat(two_mems, &m, &i) == 0);
	CHECK_EQ_U64(call1(i, "grow1", 1, 0), 1);
	CHECK_EQ_U64(call1(i, "size1", 0, 0), 2);
	CHECK_EQ_U64(call1(i, "size0", 0, 0), 1);
	CHECK_EQ_U64(wasm_memory_size(i), 65536);      /* no "memory" export: memory 0 */
	/* memory 1's new page is there, memory 0 still ends at 64 KiB */
	CHECK_EQ_U64(call1(i, "ld1", 65536, 0), 0);
	CHECK(!strcmp(trap_text(i, "ld0", 65536, 0, 1), "out of bounds memory access"));
	/* past memory 1's maximum (3): -1, nothing changes */
	CHECK_EQ_U64(call1(i, "grow1", 2, 0), 0xffffffffu);
	CHECK_EQ_U64(call1(i, "size1", 0, 0), 2);
	CHECK_EQ_U64(call1(i, "grow1", 1, 0), 2);
	CHECK(!strcmp(trap_text(i, "ld1", 3 * 65536, 0, 1), "out of bounds memory access"));
	CHECK_EQ_U64(call1(i, "size0", 0, 0), 1);
	/* a failing commit is a failed grow */
	done(m, i);
	REQUIRE(inst_wat(two_mems, &m, &i) == 0);
	plat_host_fail_commit_after(0);
	CHECK_EQ_U64(call1(i, "grow1", 1, 0), 0xffffffffu);
	plat_host_fail_commit_after(-1);
	CHECK_EQ_U64(call1(i, "size1", 0, 0), 1);
	done(m, i);
}

/* memory 1's reservation or its first pages cannot be had: a resource
 * failure saying so, nothing left behind (the ASan build checks leaks) */
TEST(second_memory_allocation_failures)
{
	wasm_module *m;
	wasm_instance *i;

	/* reservations: memory 0, then memory 1 (the second) fails */
	plat_host_fail_nth(PLAT_HOST_FAULT_RESERVE, 1, false);
	CHECK_EQ_U64(inst_wat(two_mems, &m, &i), (uint64_t)-1);
	plat_host_fail_nth(PLAT_HOST_FAULT_RESERVE, -1, false);
	CHECK(i == NULL);
	CHECK_EQ_U64(err.kind, WASM_ERR_RESOURCE);
	CHECK(err.msg && !strcmp(err.msg, "out of memory"));
	CHECK(!strcmp(err.detail, "cannot reserve the linear memory's address space"));
	done(m, i);
	/* memory 0's page committed, memory 1's not */
	plat_host_fail_commit_after(1);
	CHECK_EQ_U64(inst_wat(two_mems, &m, &i), (uint64_t)-1);
	plat_host_fail_commit_after(-1);
	CHECK_EQ_U64(err.kind, WASM_ERR_RESOURCE);
	CHECK(!strcmp(err.detail, "cannot allocate the linear memory: 1 pages, 0 MiB"));
	done(m, i);
	/* and then it works */
	CHECK_EQ_U64(inst_wat(two_mems, &m, &i), 0);
	done(m, i);
}

/* WASI's pointers point into the memory exported as "memory" */
TEST(host_memory_is_the_exported_one)
{
	wasm_module *m;
	wasm_instance *i;
	uint64_t a[2] = { 32, 0x61626364 };

	REQUIRE(inst_wat("(module (memory $a 1) (memory $b 2) (export \"memory\" (memory $b))"
			 " (func (export \"st1\") (param i32 i32)"
			 "   (i32.store $b (local.get 0) (local.get 1))))", &m, &i) == 0);
	CHECK(call(i, "st1", a, 2, NULL, 0) == 0);
	CHECK_EQ_U64(wasm_memory_size(i), 2 * 65536);
	CHECK(wasm_memory_base(i) && !memcmp(wasm_memory_base(i) + 32, "dcba", 4));
	done(m, i);
}

/* The same memory as memory 1 of its exporter and memory 0 of an importer
 * (and back): grown through either, both see it, and memory 0's copy in
 * the importer's context (r15, the bounds of memory.fill) follows. */
TEST(memory_shared_under_other_indices)
{
	wasm_linker *l = wasm_linker_new();
	wasm_module *ma = NULL, *mb = NULL;
	wasm_instance *ia = NULL, *ib = NULL;

	REQUIRE(l);
	ma = load_wat("(module (memory $a 1) (memory $b 1 4)"
		      " (export \"m0\" (memory $a)) (export \"m1\" (memory $b))"
		      " (func (export \"size0\") (result i32) (memory.size $a))"
		      " (func (export \"size1\") (result i32) (memory.size $b))"
		      " (func (export \"grow0\") (param i32) (result i32) (memory.grow $a (local.get 0)))"
		      " (func (export \"fill0\") (param i32 i32)"
		      "   (memory.fill $a (local.get 0) (i32.const 7) (local.get 1)))"
		      " (func (export \"ld1\") (param i32) (result i32) (i32.load $b (local.get 0))))");
	mb = load_wat("(module (import \"a\" \"m1\" (memory $x 1))"
		      " (import \"a\" \"m0\" (memory $y 1))"
		      " (func (export \"grow0\") (param i32) (result i32) (memory.grow $x (local.get 0)))"
		      " (func (export \"size1\") (result i32) (memory.size $y))"
		      " (func (export \"grow1\") (param i32) (result i32) (memory.grow $y (local.get 0)))"
		      " (func (export \"st0\") (param i32 i32) (i32.store $x (local.get 0) (local.get 1)))"
		      " (func (export \"fill0\") (param i32 i32)"
		      "   (memory.fill $x (local.get 0) (i32.const 7) (local.get 1))))");
	REQUIRE(ma && mb);
	REQUIRE(wasm_linker_instantiate(l, ma, &ia, &err, &trap) == 0);
	REQUIRE(wasm_linker_define_instance(l, "a", ia) == 0);
	REQUIRE(wasm_linker_instantiate(l, mb, &ib, &err, &trap) == 0);
	uint64_t a[2], r[1];
	/* b's memory 0 is a's memory 1: grown through b, a sees it */
	a[0] = 1;
	CHECK(call(ib, "grow0", a, 1, r, 1) == 0 && r[0] == 1);
	CHECK(call(ia, "size1", NULL, 0, r, 1) == 0 && r[0] == 2);
	a[0] = 65536 + 4, a[1] = 0x01020304;
	CHECK(call(ib, "st0", a, 2, NULL, 0) == 0);
	a[0] = 65536 + 4;
	CHECK(call(ia, "ld1", a, 1, r, 1) == 0 && r[0] == 0x01020304);
	/* memory.fill of b's memory 0 checks the grown size (its ctx copy) */
	a[0] = 65536, a[1] = 65536;
	CHECK(call(ib, "fill0", a, 2, NULL, 0) == 0);
	a[0] = 65536, a[1] = 65537;
	CHECK(call(ib, "fill0", a, 2, NULL, 0) == 1 && trap.code == WASM_TRAP_MEMORY_OOB);
	/* b's memory 1 is a's memory 0: grown through b as memory 1, a's
	   memory 0 (r15 and its ctx copy) follows */
	a[0] = 2;
	CHECK(call(ib, "grow1", a, 1, r, 1) == 0 && r[0] == 1);
	CHECK(call(ia, "size0", NULL, 0, r, 1) == 0 && r[0] == 3);
	CHECK(call(ib, "size1", NULL, 0, r, 1) == 0 && r[0] == 3);
	a[0] = 2 * 65536, a[1] = 65536;
	CHECK(call(ia, "fill0", a, 2, NULL, 0) == 0);
	a[0] = 1;
	CHECK(call(ia, "grow0", a, 1, r, 1) == 0 && r[0] == 3);
	CHECK(call(ib, "size1", NULL, 0, r, 1) == 0 && r[0] == 4);
	wasm_instance_free(ib);
	/* the importer gone, the exporter's memory still grows */
	a[0] = 1;
	CHECK(call(ia, "grow0", a, 1, r, 1) == 0 && r[0] == 4);
	wasm_instance_free(ia);
	wasm_linker_free(l);
	wasm_module_free(mb);
	wasm_module_free(ma);
}

/* (module (memory 0) x n), as text */
static char *n_memories(unsigned n)
{
	char *t = malloc(32 + 12 * (size_t)n), *p = t;

	if (!t)
		return NULL;
	p += sprintf(p, "(module");
	for (unsigned k = 0; k < n; k++)
		p += sprintf(p, " (memory 0)");
	sprintf(p, ")");
	return t;
}

TEST(memory_count_limit)
{
	char *t100 = n_memories(JIT_MAX_MEMORIES), *t101 = n_memories(JIT_MAX_MEMORIES + 1);
	wasm_module *m;
	wasm_instance *i;

	REQUIRE(t100 && t101);
	CHECK_EQ_U64(JIT_MAX_MEMORIES, 100);
	/* 100 memories: loaded and instantiated (100 reservations of 8 GiB) */
	CHECK(inst_wat(t100, &m, &i) == 0);
	done(m, i);
	/* 101: refused, as an implementation limit (not an invalid module) */
	CHECK(load_wat(t101) == NULL);
	CHECK_EQ_U64(err.kind, WASM_ERR_RESOURCE);
	CHECK(err.msg && !strcmp(err.msg,
		"too many memories (at most 100: each takes 8 GiB of address space)"));
	CHECK(err.section && !strcmp(err.section, "memory"));
	free(t100);
	free(t101);
}

/* (module (memory 1) (func (drop (i32.load (i32.const 0))))) with the
 * memarg's flags 0x42: bit 6 set, memory index 0 following (wat2wasm
 * only sets it for an index other than 0) */
static const uint8_t load_flag_idx0[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x04, 0x01, 0x60, 0x00, 0x00,             /* type () -> () */
	0x03, 0x02, 0x01, 0x00,                         /* func 0: type 0 */
	0x05, 0x03, 0x01, 0x00, 0x01,                   /* memory 1 */
	0x0a, 0x0b, 0x01, 0x09, 0x00,                   /* code: no locals */
	0x41, 0x00, 0x28, 0x42, 0x00, 0x00, 0x1a, 0x0b, /* i32.load 0x42 0 0 */
};

/* the same with the body (drop (memory.size 1)) */
static const uint8_t size_idx1[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
	0x05, 0x03, 0x01, 0x00, 0x01,
	0x0a, 0x07, 0x01, 0x05, 0x00, 0x3f, 0x01, 0x1a, 0x0b,
};

/* Wasm 2.0 (the spec runner's main suite): a second memory is invalid,
 * and a memarg's bit 6 is an alignment, not a memory index */
TEST(feature_off_is_wasm_2_0)
{
	wasm_module *m;

	wasm_features_set(WASM_FEATURES_ALL & ~WASM_FEATURE_MULTI_MEMORY);
	CHECK(load_wat("(module (memory 1) (memory 1))") == NULL);
	CHECK(err.msg && !strcmp(err.msg, "multiple memories"));
	CHECK_EQ_U64(err.kind, WASM_ERR_INVALID);
	CHECK(load_wat("(module (import \"a\" \"b\" (memory 1)) (memory 1))") == NULL);
	CHECK(err.msg && !strcmp(err.msg, "multiple memories"));
	/* i32.load with the memory-index flag naming memory 0 */
	memset(&err, 0, sizeof err);
	CHECK(wasm_module_load(load_flag_idx0, sizeof load_flag_idx0, &m, &err) == -1);
	CHECK(err.msg && !strcmp(err.msg, "alignment must not be larger than natural"));
	wasm_features_set(WASM_FEATURES_ALL);
	CHECK((m = load_wat("(module (memory 1) (memory 1))")) != NULL);
	wasm_module_free(m);
	CHECK(wasm_module_load(load_flag_idx0, sizeof load_flag_idx0, &m, &err) == 0);
	wasm_module_free(m);
	/* an index past the memories is invalid (wat2wasm will not write it) */
	uint8_t b[sizeof load_flag_idx0];
	memcpy(b, load_flag_idx0, sizeof b);
	b[sizeof b - 4] = 1;                            /* i32.load 0x42 1 0 */
	memset(&err, 0, sizeof err);
	CHECK(wasm_module_load(b, sizeof b, &m, &err) == -1);
	CHECK(err.msg && !strcmp(err.msg, "unknown memory"));
	memset(&err, 0, sizeof err);
	CHECK(wasm_module_load(size_idx1, sizeof size_idx1, &m, &err) == -1);
	CHECK(err.msg && !strcmp(err.msg, "unknown memory"));
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/wasmetal-test-mm-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	plat_host_init();
	RUN(second_memory_out_of_bounds_traps);
	RUN(bulk_instructions_across_memories);
	RUN(grow_of_memory1_leaves_memory0);
	RUN(second_memory_allocation_failures);
	RUN(host_memory_is_the_exported_one);
	RUN(memory_shared_under_other_indices);
	RUN(memory_count_limit);
	RUN(feature_off_is_wasm_2_0);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	CHECK_DONE();
}
