/*
 * test_pins.c — the single-pass JIT's pinned locals and call sequences
 * (jit/compile/pins.c, control.c call_args, br_table), hosted, each
 * against a C model:
 *
 *   - around calls only the live clobbered pins (r10, r11, xmm8-15) go
 *     home and come back, and a home known to hold its register's value
 *     is not stored again: a pin written between two calls, written on
 *     one arm of an if before a merge, and read only before a call inside
 *     a loop (live through the back edge) must all keep their values;
 *   - a declared local is not zeroed in the prologue only when the body
 *     sets it at its top level before any read: one first set inside a
 *     block that a branch may skip still reads 0, with the callee before
 *     it having left junk in r10/r11/xmm8-15 and in the stack;
 *   - call arguments in value registers reach their argument registers by
 *     a parallel move (chains and cycles of registers: five i32 and eight
 *     f64 arguments after spills);
 *   - br_table takes its index where it is (register, pinned or memory
 *     local, constant), with values below it in registers, and indices
 *     past the table (0x80000000, 0xffffffff) go to the default;
 *   - results returned from where they are (the end, return in a block;
 *     a float constant, which goes through rax, next to an i32), and the
 *     end's epilogue from the slots for br_if / br_table to it.
 *
 * The callee $clob pins (and so clobbers) r10, r11 and xmm8.. with junk.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "wasm.h"
#include "plat_host.h"
#include "wat.h"

static char tmpdir[64];
static wasm_module *mod;
static wasm_instance *inst;

/* five hot integer locals and two f64 ones, set to junk in a loop: r10,
 * r11 and xmm8.. hold junk after it returns, and its frame too */
#define CLOB \
	" (func $clob (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 f64 f64)\n" \
	"  (loop (local.set 1 (i64.add (local.get 1) (i64.const 0x5a5a5a5a5a5a5a5a)))\n" \
	"   (local.set 2 (i64.xor (local.get 2) (local.get 1)))\n" \
	"   (local.set 3 (i64.sub (local.get 3) (local.get 2)))\n" \
	"   (local.set 4 (i64.add (local.get 4) (local.get 3)))\n" \
	"   (local.set 5 (i64.or (local.get 5) (local.get 4)))\n" \
	"   (local.set 6 (i64.add (local.get 6) (local.get 5)))\n" \
	"   (local.set 7 (f64.add (local.get 7) (f64.const 1234.5)))\n" \
	"   (local.set 8 (f64.sub (local.get 8) (local.get 7)))\n" \
	"   (local.set 0 (i32.sub (local.get 0) (i32.const 1)))\n" \
	"   (br_if 0 (i32.gt_s (local.get 0) (i32.const 0))))\n" \
	"  (i32.const 1))\n"

/* a,b,c,d,e: five hot i32 locals (pinned; the last two in r11, r10) */
static const char module_text[] =
	"(module (memory 1)\n"
	" (data (i32.const 0) \"\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00"
	"\\05\\00\\00\\00\\ff\\ff\\ff\\ff\\00\\00\\00\\80\")\n"
	" (data (i32.const 64) \"\\00\\00\\00\\00\\00\\00\\f0\\3f\\00\\00\\00\\00\\00\\00\\00\\40"
	"\\00\\00\\00\\00\\00\\00\\08\\40\\00\\00\\00\\00\\00\\00\\10\\40"
	"\\00\\00\\00\\00\\00\\00\\14\\40\\00\\00\\00\\00\\00\\00\\18\\40"
	"\\00\\00\\00\\00\\00\\00\\1c\\40\\00\\00\\00\\00\\00\\00\\20\\40\")\n"
	CLOB
	/* each local written between two calls: its home is stale then */
	" (func (export \"written_between_calls\") (param i32) (result i32)"
	"  (local i32 i32 i32 i32 i32 f64)\n"
	"  (loop\n"
	"   (drop (call $clob (i32.const 3)))\n"
	"   (local.set 1 (i32.add (local.get 1) (i32.const 1)))\n"
	"   (local.set 2 (i32.add (local.get 2) (i32.const 2)))\n"
	"   (local.set 3 (i32.add (local.get 3) (i32.const 3)))\n"
	"   (local.set 4 (i32.add (local.get 4) (i32.const 4)))\n"
	"   (local.set 5 (i32.add (local.get 5) (i32.const 5)))\n"
	"   (local.set 6 (f64.add (local.get 6) (f64.const 0.5)))\n"
	"   (drop (call $clob (i32.const 3)))\n"
	"   (local.set 0 (i32.sub (local.get 0) (i32.const 1)))\n"
	"   (br_if 0 (local.get 0)))\n"
	"  (i32.add (i32.add (i32.add (local.get 1) (local.get 2)) (i32.add (local.get 3)"
	"   (local.get 4))) (i32.add (local.get 5) (i32.trunc_f64_u (local.get 6)))))\n"
	/* written before an if whose arm calls: the merge after it must not
	   take the arm's "home in sync" for the other path */
	" (func (export \"written_before_merge\") (param i32) (result i32)"
	"  (local i32 i32 i32 i32 i32 i32)\n"
	"  (loop\n"
	"   (drop (call $clob (i32.const 2)))\n"
	"   (local.set 1 (i32.add (local.get 1) (i32.const 1)))\n"
	"   (local.set 2 (i32.add (local.get 2) (i32.const 2)))\n"
	"   (local.set 3 (i32.add (local.get 3) (i32.const 3)))\n"
	"   (local.set 4 (i32.add (local.get 4) (i32.const 4)))\n"
	"   (local.set 5 (i32.add (local.get 5) (i32.const 5)))\n"
	"   (if (i32.and (local.get 0) (i32.const 1)) (then (drop (call $clob (i32.const 2)))))\n"
	"   (drop (call $clob (i32.const 2)))\n"
	"   (local.set 6 (i32.add (local.get 6) (i32.add (i32.add (local.get 1) (local.get 2))"
	"    (i32.add (local.get 3) (i32.add (local.get 4) (local.get 5))))))\n"
	/* 0: two more uses each */
	"   (local.set 6 (i32.add (local.get 6) (i32.sub (i32.add (i32.add (local.get 1)"
	"    (local.get 2)) (i32.add (local.get 3) (i32.add (local.get 4) (local.get 5))))"
	"    (i32.add (i32.add (local.get 1) (local.get 2)) (i32.add (local.get 3)"
	"    (i32.add (local.get 4) (local.get 5)))))))\n"
	"   (local.set 0 (i32.sub (local.get 0) (i32.const 1)))\n"
	"   (br_if 0 (local.get 0)))\n"
	"  (local.get 6))\n"
	/* read only before the call in the loop body: live through the back
	   edge, so it must come back after the call */
	" (func (export \"live_through_back_edge\") (param i32) (result i32)"
	"  (local i32 i32 i32 i32 i32 i32 f64)\n"
	"  (local.set 2 (i32.const 7)) (local.set 3 (i32.const 11)) (local.set 4 (i32.const 13))\n"
	"  (local.set 5 (i32.const 17)) (local.set 7 (f64.const 2.5))\n"
	"  (loop\n"
	"   (local.set 1 (i32.add (local.get 1) (i32.add (i32.add (local.get 2) (local.get 3))"
	"    (i32.add (local.get 4) (local.get 5)))))\n"
	"   (local.set 1 (i32.add (local.get 1) (i32.trunc_f64_u (local.get 7))))\n"
	"   (drop (call $clob (i32.const 2)))\n"
	"   (local.set 6 (i32.add (local.get 6) (i32.const 1)))\n"
	"   (br_if 0 (i32.lt_u (local.get 6) (local.get 0))))\n"
	"  (local.get 1))\n"
	/* first set inside a block a branch may skip: the prologue zeroes
	   them; first set at the top level: no need.  $zb's locals, pinned
	   and not, read 0 when the set was skipped, junk or not around. */
	" (func $zb (param i32) (result i64) (local i64 i64 i64 i64 i64 i64 i64 f64 f64 i64)\n"
	"  (local.set 10 (i64.const 7))\n"
	"  (block (br_if 0 (local.get 0))\n"
	"   (local.set 1 (i64.const 1)) (local.set 2 (i64.const 2)) (local.set 3 (i64.const 3))\n"
	"   (local.set 4 (i64.const 4)) (local.set 5 (i64.const 5)) (local.set 6 (i64.const 6))\n"
	"   (local.set 7 (i64.const 8)) (local.set 8 (f64.const 9)) (local.set 9 (f64.const 10)))\n"
	"  (loop (local.set 0 (i32.sub (local.get 0) (i32.const 1)))\n"
	"   (local.set 1 (i64.add (local.get 1) (local.get 2)))\n"
	"   (local.set 3 (i64.add (local.get 3) (local.get 4)))\n"
	"   (local.set 5 (i64.add (local.get 5) (local.get 6)))\n"
	"   (local.set 8 (f64.add (local.get 8) (local.get 9)))\n"
	"   (br_if 0 (i32.gt_s (local.get 0) (i32.const 0))))\n"
	"  (i64.add (i64.add (i64.add (local.get 1) (local.get 3)) (i64.add (local.get 5)"
	"   (local.get 7))) (i64.add (local.get 10) (i64.trunc_f64_u (local.get 8)))))\n"
	" (func (export \"zero_unless_set_first\") (param i32) (result i64)\n"
	"  (drop (call $clob (i32.const 3)))\n"
	"  (call $zb (local.get 0)))\n"
	/* arguments in value registers: after spills, a chain (i32) and two
	   cycles (f64) of register moves */
	" (func $sum5 (param i32 i32 i32 i32 i32) (result i32)\n"
	"  (i32.add (i32.add (i32.add (local.get 0) (i32.mul (local.get 1) (i32.const 10)))"
	"   (i32.add (i32.mul (local.get 2) (i32.const 100)) (i32.mul (local.get 3)"
	"   (i32.const 1000)))) (i32.mul (local.get 4) (i32.const 10000))))\n"
	" (func (export \"args5\") (param i32) (result i32)\n"
	"  (call $sum5 (i32.load (i32.const 0)) (i32.load (i32.const 4)) (i32.load (i32.const 8))"
	"   (i32.load (i32.const 12)) (i32.load (local.get 0))))\n"
	" (func $sum8 (param f64 f64 f64 f64 f64 f64 f64 f64) (result f64)\n"
	"  (f64.add (f64.add (f64.add (local.get 0) (f64.mul (local.get 1) (f64.const 10)))"
	"   (f64.add (f64.mul (local.get 2) (f64.const 100)) (f64.mul (local.get 3) (f64.const 1e3))))"
	"   (f64.add (f64.add (f64.mul (local.get 4) (f64.const 1e4)) (f64.mul (local.get 5)"
	"   (f64.const 1e5))) (f64.add (f64.mul (local.get 6) (f64.const 1e6)) (f64.mul"
	"   (local.get 7) (f64.const 1e7))))))\n"
	" (func (export \"args8\") (param i32) (result i64)\n"
	"  (i64.trunc_f64_u (call $sum8 (f64.load (i32.const 64)) (f64.load (i32.const 72))"
	"   (f64.load (i32.const 80)) (f64.load (i32.const 88)) (f64.load (i32.const 96))"
	"   (f64.load (i32.const 104)) (f64.load (i32.const 112)) (f64.load (local.get 0)))))\n"
	/* br_table's index in each form; 100 + the target, the value below
	   the index (a load: in a register) carried through */
	" (func (export \"brt_reg\") (param i32) (result i32)\n"
	"  (block (result i32) (block (result i32) (block (result i32)\n"
	"   (br_table 0 1 2 (i32.const 100) (i32.load (local.get 0))))\n"
	"   (return (i32.add (i32.const 1000))))\n"
	"   (return (i32.add (i32.const 2000)))))\n"
	" (func (export \"brt_local\") (param i32) (result i32) (local i32)\n"
	"  (local.set 1 (i32.load (local.get 0)))\n"
	"  (block (block (block (br_table 0 1 2 (local.get 1)))"
	"   (return (i32.const 1000))) (return (i32.const 2000)))\n"
	"  (i32.const 3000))\n"
	" (func (export \"brt_pinned\") (param i32) (result i32) (local i32 i32 i32)\n"
	"  (local.set 1 (i32.load (local.get 0)))\n"
	"  (loop (local.set 2 (i32.add (local.get 2) (local.get 1)))"
	"   (local.set 3 (i32.add (local.get 3) (i32.const 1)))"
	"   (br_if 0 (i32.lt_u (local.get 3) (i32.const 3))))\n"
	"  (block (block (block (br_table 0 1 2 (local.get 1)))"
	"   (return (i32.const 1000))) (return (i32.const 2000)))\n"
	"  (i32.const 3000))\n"
	" (func (export \"brt_const\") (param i32) (result i32)\n"
	"  (block (block (block (br_table 0 1 2 (i32.const -1)))"
	"   (return (i32.const 1000))) (return (i32.const 2000)))\n"
	"  (i32.const 3000))\n"
	/* returns from where the results are: a float constant goes through
	   rax, so rax is loaded after it; return inside a block; the end's
	   label reached by br_if and br_table (the epilogue from the slots) */
	" (func (export \"ret_if\") (param i32) (result i32 f32)\n"
	"  (i32.add (local.get 0) (i32.const 7)) (f32.const 1.5))\n"
	" (func (export \"ret_early\") (param i32) (result i64 f64)\n"
	"  (block (br_if 0 (local.get 0)) (return (i64.const 5) (f64.const 2.25)))\n"
	"  (i64.const 9) (f64.const -1))\n"
	" (func (export \"ret_br_if\") (param i32) (result i32)\n"
	"  (block (drop (br_if 1 (i32.const 3) (local.get 0))))\n"
	"  (i32.const 4))\n"
	" (func (export \"ret_br_table\") (param i32) (result i32)\n"
	"  (i32.add (block (result i32) (br_table 0 1 (i32.const 8) (local.get 0)))"
	"   (i32.const 1)))\n"
	")\n";

static wasm_module *load_wat(const char *text)
{
	struct wasm_error err = { 0 };
	wasm_module *m = NULL;
	size_t n = 0;
	uint8_t *b = wat_assemble(tmpdir, text, &n);

	if (b && wasm_module_load(b, n, &m, &err))
		fprintf(stderr, "load: %s\n", err.msg ? err.msg : "?");
	free(b);
	return m;
}

static uint64_t call1(const char *name, uint64_t a, int *rc)
{
	uint64_t r = 0;
	struct wasm_trap trap;
	struct wasm_error err;

	*rc = wasm_call(inst, name, &a, 1, &r, 1, &trap, &err);
	return r;
}

/* name(a) returns want (as its i32 or i64 result) */
static void expect(const char *name, uint64_t a, uint64_t want, bool i32)
{
	int rc;
	uint64_t got = call1(name, a, &rc);

	if (i32)
		got = (uint32_t)got;
	CHECK_MSG(rc == 0 && got == want, "%s(%llu) = %llu (rc %d), expected %llu", name,
		  (unsigned long long)a, (unsigned long long)got, rc, (unsigned long long)want);
}

TEST(setup)
{
	struct wasm_error err;
	struct wasm_trap trap;

	mod = load_wat(module_text);
	REQUIRE(mod);
	CHECK(wasm_instance_new(mod, NULL, 0, &inst, &err, &trap) == 0);
}

TEST(pin_written_between_calls_keeps_value)
{
	REQUIRE(inst);
	for (uint32_t n = 1; n < 40; n += 13)   /* 15 n + trunc(n / 2) */
		expect("written_between_calls", n, 15u * n + n / 2, true);
}

TEST(pin_written_before_merge_keeps_value)
{
	REQUIRE(inst);
	for (uint32_t n = 1; n < 40; n += 7) {
		uint32_t s = 0;
		for (uint32_t k = 1; k <= n; k++)
			s += 15u * k;
		expect("written_before_merge", n, s, true);
	}
}

TEST(pin_live_through_back_edge)
{
	REQUIRE(inst);
	for (uint32_t n = 1; n < 40; n += 13)   /* (7 + 11 + 13 + 17 + 2) n */
		expect("live_through_back_edge", n, 50u * n, true);
}

TEST(zeroing_skipped_only_when_set_first)
{
	REQUIRE(inst);
	/* skipped sets: everything 0 but local 10 (7) and the sums of 0 */
	expect("zero_unless_set_first", 1, 7, false);
	expect("zero_unless_set_first", 3, 7, false);
	/* c = 0: one trip, 1+2 + 3+4 + 5+6 + 8 + 7 + trunc(9 + 10) */
	expect("zero_unless_set_first", 0, 55, false);
}

TEST(call_args_parallel_move)
{
	REQUIRE(inst);
	expect("args5", 16, 54321, true);
	expect("args5", 0, 14321, true);
	expect("args5", 28, 4321, true);
	expect("args8", 120, 87654321, false);
	expect("args8", 64, 17654321, false);
}

TEST(br_table_index_forms)
{
	/* the words at these addresses: 0 (untouched memory), 1, 2, 3,
	   0xffffffff, 0x80000000 */
	static const struct { uint32_t addr, reg, other; } c[] = {
		{ 28, 1100, 1000 }, { 0, 2100, 2000 }, { 4, 100, 3000 },
		{ 8, 100, 3000 }, { 20, 100, 3000 }, { 24, 100, 3000 },
	};

	REQUIRE(inst);
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		expect("brt_reg", c[i].addr, c[i].reg, true);
		expect("brt_local", c[i].addr, c[i].other, true);
		expect("brt_pinned", c[i].addr, c[i].other, true);
	}
	expect("brt_const", 0, 3000, true);
}

/* name(a) returns the two results want0, want1 (raw bits; i32 and f32
 * in the low half) */
static void expect2(const char *name, uint64_t a, uint64_t want0, uint64_t want1)
{
	uint64_t r[2] = { 0, 0 };
	struct wasm_trap trap;
	struct wasm_error err;
	int rc = wasm_call(inst, name, &a, 1, r, 2, &trap, &err);

	CHECK_MSG(rc == 0 && r[0] == want0 && r[1] == want1,
		  "%s(%llu) = %llx %llx (rc %d), expected %llx %llx", name,
		  (unsigned long long)a, (unsigned long long)r[0], (unsigned long long)r[1], rc,
		  (unsigned long long)want0, (unsigned long long)want1);
}

TEST(return_from_stack_forms)
{
	REQUIRE(inst);
	expect2("ret_if", 5, 12, 0x3fc00000);                  /* 1.5f */
	expect2("ret_early", 0, 5, 0x4002000000000000ull);     /* 2.25 */
	expect2("ret_early", 1, 9, 0xbff0000000000000ull);     /* -1.0 */
	expect("ret_br_if", 1, 3, true);
	expect("ret_br_if", 0, 4, true);
	expect("ret_br_table", 0, 9, true);
	expect("ret_br_table", 1, 8, true);
	expect("ret_br_table", 7, 8, true);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/wasmetal-pins-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	plat_host_init();
	RUN(setup);
	RUN(pin_written_between_calls_keeps_value);
	RUN(pin_written_before_merge_keeps_value);
	RUN(pin_live_through_back_edge);
	RUN(zeroing_skipped_only_when_set_first);
	RUN(call_args_parallel_move);
	RUN(br_table_index_forms);
	RUN(return_from_stack_forms);
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
