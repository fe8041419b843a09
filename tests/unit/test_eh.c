/*
 * test_eh.c — exception handling (the exception-handling proposal's
 * legacy form: try/catch/catch_all/delegate/throw/rethrow, tags) in the
 * single-pass JIT, hosted (docs/abi.md "Exceptions"; jit/eh.c,
 * jit/compile/eh.c):
 *
 *   - throw and catch in one function, across frames, from a recursion
 *     10,000 deep to its top, across instances (an imported tag and an
 *     imported function that throws; a funcref of the other instance
 *     through call_indirect), catch_all, the clause that matches among
 *     several, a tag of another instance that must not match;
 *   - delegate to an outer try and to the caller; rethrow from nested
 *     catch bodies; br, br_if, br_table, return and return_call out of
 *     try bodies and catch bodies;
 *   - a payload of every type (i32 i64 f32 f64 v128 funcref externref);
 *   - locals the try body changed keep their values in the catch body
 *     (also ten of them changed in a loop, round after round, with values
 *     below the try on the operand stack: compared with a C model);
 *   - an exception that leaves the call reaches the host as
 *     WASM_TRAP_EXCEPTION ("uncaught exception"), also from a call a host
 *     function makes back into the instance inside a try (whose handler
 *     it does not reach); traps are never caught (catch_all included),
 *     and the instance works after both;
 *   - memory: 1,000,000 throws caught (and rethrown, and delegated) in a
 *     loop, and 10,000 traps in try bodies and catch bodies that hold an
 *     exception, leave the heap where it was;
 *   - validation: unknown tags, rethrow's label, catch outside a try, the
 *     tag section's rules.
 * test_eh_llvm.c includes this file with TEST_EH_LLVM: the cases that run
 * code (run_cases) on LLVM code and mixed with single-pass instances.
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "wasm.h"
#include "plat.h"
#include "plat_host.h"
#include "wat.h"
#ifdef TEST_EH_LLVM
#include "jit.h"
#include "llvm_backend.h"
#endif

static char tmpdir[64];
static struct wasm_error err;
static struct wasm_trap trap;

/* the backends of A, B and the other modules (test_eh_llvm.c: LLVM) */
#ifndef TEST_EH_LLVM
static const bool llvm_a = false, llvm_b = false, llvm_other = false;
#else
static bool llvm_a, llvm_b, llvm_other;
#endif

static wasm_module *load_as(const char *text, bool llvm)
{
	size_t n = 0;
	uint8_t *b = wat_assemble_flags(tmpdir, "--enable-exceptions --enable-tail-call",
					text, &n);
	wasm_module *m = NULL;

	memset(&err, 0, sizeof err);
	if (b && wasm_module_load(b, n, &m, &err)) {
		char buf[256];
		wasm_error_format(&err, buf, sizeof buf);
		fprintf(stderr, "load: %s\n", buf);
	}
	free(b);
#ifdef TEST_EH_LLVM
	char why[512];
	if (m && llvm && llvm_wasm_module_code(m, jit_cpu_features(), why, sizeof why)) {
		fprintf(stderr, "llvm: %s\n", why);
		wasm_module_free(m);
		m = NULL;
	}
#else
	(void)llvm;
#endif
	return m;
}

static wasm_module *load(const char *text)
{
	return load_as(text, llvm_other);
}

#ifndef TEST_EH_LLVM
/* the load error's message of text, or NULL if it loads */
static const char *load_error(const char *text)
{
	size_t n = 0;
	uint8_t *b = wat_assemble_flags(tmpdir, "--enable-exceptions --no-check", text, &n);
	wasm_module *m = NULL;
	const char *msg = "wat2wasm failed";

	memset(&err, 0, sizeof err);
	if (b && wasm_module_load(b, n, &m, &err) == 0) {
		wasm_module_free(m);
		msg = NULL;
	} else if (b) {
		msg = err.msg;
	}
	free(b);
	return msg;
}
#endif

static int call(wasm_instance *i, const char *name, const uint64_t *args, size_t na,
		uint64_t *res, size_t nr)
{
	memset(&trap, 0, sizeof trap);
	memset(&err, 0, sizeof err);
	return wasm_call(i, name, args, na, res, nr, &trap, &err);
}

/* the heap in use (glibc): the arena's blocks and the mmap'd ones */
static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static wasm_linker *lk;
static wasm_module *mod_a, *mod_b;
static wasm_instance *ia, *ib;

/* A: exports a tag and functions that throw it */
static const char *const A =
"(module\n"
" (tag $ea (export \"ea\") (param i32))\n"
" (func (export \"throw_a\") (param i32) (throw $ea (local.get 0)))\n"
" (func $ta (export \"ta\") (param i32) (result i32)\n"
"  (throw $ea (i32.add (local.get 0) (i32.const 1000))))\n"
" (func (export \"get_ta\") (result funcref) (ref.func $ta))\n"
" (elem declare func $ta))\n";

/* B: imports them; its own tags */
static const char *const B_MAIN =
"(module\n"
" (import \"a\" \"ea\" (tag $ea (param i32)))\n"
" (import \"a\" \"throw_a\" (func $throw_a (param i32)))\n"
" (type $ti (func (param i32) (result i32)))\n"
" (table $t 1 funcref)\n"
" (tag $e0)\n"
" (tag $e1 (param i32))\n"
" (tag $e2 (param i64))\n"
" (tag $all (param i32 i64 f32 f64 v128 funcref externref))\n"
" (memory (export \"mem\") 1)\n"
" (global $ext (mut externref) (ref.null extern))\n"
/* in one function; the clause that matches among several */
" (func (export \"simple\") (param i32) (result i32)\n"
"  (try (result i32)\n"
"   (do (if (local.get 0) (then (throw $e1 (local.get 0)))) (i32.const -1))\n"
"   (catch $e0 (i32.const -2))\n"
"   (catch $e2 (drop) (i32.const -3))\n"
"   (catch $e1 (i32.const 100) (i32.add))))\n"
/* across frames; a recursion $n deep that throws at the bottom */
" (func $deep (param $n i32)\n"
"  (if (i32.eqz (local.get $n)) (then (throw $e2 (i64.const 0x123456789))))\n"
"  (call $deep (i32.sub (local.get $n) (i32.const 1))))\n"
" (func (export \"deep\") (param i32) (result i64)\n"
"  (try (result i64) (do (call $deep (local.get 0)) (i64.const 0)) (catch $e2)))\n"
/* across instances: A's tag, thrown in A */
" (func (export \"cross\") (param i32) (result i32)\n"
"  (try (result i32)\n"
"   (do (call $throw_a (local.get 0)) (i32.const 0))\n"
"   (catch $e1 (drop) (i32.const -1))\n"
"   (catch $ea)))\n"
/* A's function through call_indirect (jit_rt.call_ref) */
" (func (export \"set\") (param funcref) (table.set $t (i32.const 0) (local.get 0)))\n"
" (func (export \"cross_ref\") (param i32) (result i32)\n"
"  (try (result i32)\n"
"   (do (call_indirect $t (type $ti) (local.get 0) (i32.const 0)))\n"
"   (catch $ea (i32.const 1) (i32.add))))\n"
/* catch_all (and a tag that is not ours: A's, caught by catch_all) */
" (func (export \"all\") (param i32) (result i32)\n"
"  (try (result i32)\n"
"   (do (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $e0)))\n"
"       (if (i32.eq (local.get 0) (i32.const 2)) (then (call $throw_a (i32.const 5))))\n"
"       (i32.const 0))\n"
"   (catch $e1)\n"
"   (catch_all (i32.const 77))))\n"
/* delegate to an outer try, and to the caller */
" (func $del_caller (param i32)\n"
"  (try (do (throw $e1 (local.get 0))) (delegate 0)))\n"
" (func (export \"delegate\") (param i32) (result i32)\n"
"  (try $outer (result i32)\n"
"   (do\n"
"    (try (result i32)\n"
"     (do\n"
"      (if (local.get 0) (then (call $del_caller (local.get 0))))\n"
"      (try (result i32)\n"
"       (do (throw $e1 (i32.const 7)))\n"
"       (delegate $outer)))\n"
"     (catch $e1 (i32.const 1000) (i32.add))))\n"
"   (catch $e1 (i32.const 2000) (i32.add))))\n"
/* rethrow from nested catch bodies */
" (func (export \"rethrow\") (param i32) (result i32)\n"
"  (try (result i32)\n"
"   (do\n"
"    (try (result i32)\n"
"     (do (throw $e1 (i32.const 1)))\n"
"     (catch $e1\n"
"      (drop)\n"
"      (try (result i32)\n"
"       (do (throw $e2 (i64.const 2)))\n"
"       (catch $e2\n"
"        (drop)\n"
"        (if (local.get 0) (then (rethrow 2)) (else (rethrow 1)))\n"
"        (i32.const 0))))))\n"
"   (catch $e1 (i32.const 10) (i32.add))\n"
"   (catch $e2 (i32.wrap_i64) (i32.const 20) (i32.add))))\n"
/* a payload of every type: the catch body stores them in memory */
" (elem declare func $thrower)\n"
" (func $thrower (param i32 i64 f32 f64 externref)\n"
"  (throw $all (local.get 0) (local.get 1) (local.get 2) (local.get 3)\n"
"   (v128.load (i32.const 64)) (ref.func $thrower) (local.get 4)))\n"
" (func (export \"payload\") (param i32 i64 f32 f64 externref)\n"
"  (local $v v128) (local $f funcref) (local $i i32) (local $l i64) (local $s f32)\n"
"  (local $d f64)\n"
"  (try\n"
"   (do (call $thrower (local.get 0) (local.get 1) (local.get 2) (local.get 3)\n"
"        (local.get 4)))\n"
"   (catch $all\n"
"    (global.set $ext) (local.set $f) (local.set $v) (local.set $d) (local.set $s)\n"
"    (local.set $l) (local.set $i)\n"
"    (i32.store (i32.const 0) (local.get $i))\n"
"    (i64.store (i32.const 8) (local.get $l))\n"
"    (f32.store (i32.const 16) (local.get $s))\n"
"    (f64.store (i32.const 24) (local.get $d))\n"
"    (v128.store (i32.const 32) (local.get $v))\n"
"    (i32.store (i32.const 48) (ref.is_null (local.get $f))))))\n"
" (func (export \"ext\") (result externref) (global.get $ext))\n"
/* locals the try body changed */
" (func (export \"locals\") (param $x i32) (result i32) (local $y i64) (local $z f64)\n"
"  (try (result i32)\n"
"   (do (local.set $x (i32.add (local.get $x) (i32.const 5)))\n"
"       (local.set $y (i64.const 40))\n"
"       (local.set $z (f64.const 2.5))\n"
"       (throw $e0))\n"
"   (catch $e0\n"
"    (i32.add (local.get $x)\n"
"     (i32.add (i32.wrap_i64 (local.get $y)) (i32.trunc_f64_s (f64.mul (local.get $z) (f64.const 2))))))))\n"
/* uncaught: to the host */
" (func (export \"uncaught\") (throw $e1 (i32.const 3)))\n"
" (func (export \"uncaught_catchless\") (try (do (throw $e0))))\n"
/* traps are not caught */
" (func (export \"trap_in_try\") (result i32)\n"
"  (try (result i32) (do (unreachable)) (catch_all (i32.const 1))))\n"
" (func (export \"trap_in_catch\") (result i32)\n"
"  (try (result i32) (do (throw $e0)) (catch_all (unreachable))))\n"
" (func (export \"trap_in_callee\") (param i32) (result i32)\n"
"  (try (result i32) (do (i32.div_u (i32.const 1) (local.get 0))) (catch_all (i32.const 9))))\n"
/* loops for the memory checks */
" (func (export \"loop_catch\") (param $n i32) (result i32) (local $s i32)\n"
"  (block $done (loop $l\n"
"   (br_if $done (i32.eqz (local.get $n)))\n"
"   (local.set $s (i32.add (local.get $s)\n"
"    (try (result i32)\n"
"     (do (try (result i32)\n"
"          (do (try (result i32) (do (throw $e1 (i32.const 1))) (delegate 1)))\n"
"          (catch $e0 (i32.const 100))))\n"
"     (catch $e1\n"
"      (try (result i32) (do (rethrow 1)) (catch_all (i32.const 0))) (i32.add)))))\n"
"   (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
"   (br $l)))\n"
"  (local.get $s))\n"
" (func (export \"loop_exit\") (param $n i32) (result i32) (local $s i32)\n"
/* leaving try bodies and catch bodies by br, br_if, br_table */
"  (block $done (loop $l\n"
"   (br_if $done (i32.eqz (local.get $n)))\n"
"   (block $b\n"
"    (try (do (try (do (throw $e1 (local.get $n)))\n"
"               (catch $e1\n"
"                (local.set $s (i32.add (local.get $s) (i32.const 1)))\n"
"                (br_table $b $b 0 (i32.rem_u (local.get $n) (i32.const 3)))))\n"
"              (br_if $b (i32.and (local.get $n) (i32.const 1)))\n"
"              (br $b))\n"
"     (catch_all)))\n"
"   (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
"   (br $l)))\n"
"  (local.get $s))\n"
" (func (export \"ret_from_catch\") (param i32) (result i32)\n"
"  (try (result i32) (do (throw $e1 (local.get 0))) (catch $e1 (return))))\n"
/* many locals changed in a loop in the try body, more than registers,
   and values live across the try on the operand stack: a callee throws
   at round $k; the catch body sees the round's values */
" (func $maybe (param i32) (if (local.get 0) (then (throw $e0))))\n"
" (func (export \"locals_loop\") (param $k i32) (result i32)\n"
"  (local $i i32) (local $a i32) (local $b i32) (local $c i32) (local $d i32)\n"
"  (local $e i32) (local $f i32) (local $g i32) (local $h i64) (local $x f64)\n"
"  (i32.mul (local.get $k) (i32.const 1000000))\n"
"  (i32.add (local.get $k) (i32.const 7))\n"
"  (try (param i32) (result i32)\n"
"   (do (local.set $a)\n"
"    (loop $l\n"
"     (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
"     (local.set $a (i32.add (local.get $a) (local.get $i)))\n"
"     (local.set $b (i32.xor (local.get $b) (i32.mul (local.get $i) (i32.const 3))))\n"
"     (local.set $c (i32.add (local.get $c) (local.get $b)))\n"
"     (local.set $d (i32.sub (local.get $d) (local.get $a)))\n"
"     (local.set $e (i32.rotl (local.get $e) (local.get $i)))\n"
"     (local.set $f (i32.add (local.get $f) (i32.const 1)))\n"
"     (local.set $g (i32.add (local.get $g) (local.get $c)))\n"
"     (local.set $h (i64.add (local.get $h) (i64.extend_i32_u (local.get $g))))\n"
"     (local.set $x (f64.add (local.get $x) (f64.const 0.5)))\n"
"     (call $maybe (i32.eq (local.get $i) (local.get $k)))\n"
"     (br $l))\n"
"    (i32.const -1))\n"
"   (catch $e0\n"
"    (i32.add (i32.add (i32.add (local.get $a) (local.get $b)) (i32.add (local.get $c) (local.get $d)))\n"
"     (i32.add (i32.add (local.get $e) (local.get $f))\n"
"      (i32.add (i32.add (local.get $g) (i32.wrap_i64 (local.get $h)))\n"
"       (i32.trunc_f64_s (local.get $x)))))))\n"
"  (i32.add))\n";
/* tail calls out of try and catch bodies (both backends) */
static const char *const B_TAIL =
/* tail calls out of a try body and a catch body leave them */
" (func $id (param i32) (result i32) (local.get 0))\n"
" (func $tail_in_try (param i32) (result i32)\n"
"  (try (result i32) (do (return_call $id (local.get 0))) (catch_all (i32.const -1))))\n"
" (func $tail_in_catch (param i32) (result i32)\n"
"  (try (result i32) (do (throw $e1 (local.get 0))) (catch $e1 (return_call $id))))\n"
" (func (export \"tail_loop\") (param $n i32) (result i32) (local $s i32)\n"
"  (block $done (loop $l\n"
"   (br_if $done (i32.eqz (local.get $n)))\n"
"   (local.set $s (i32.add (local.get $s) (call $tail_in_try (i32.const 1))))\n"
"   (local.set $s (i32.add (local.get $s) (call $tail_in_catch (i32.const 2))))\n"
"   (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
"   (br $l)))\n"
/* the handlers are still the right ones: this throw reaches this catch */
"  (try (result i32) (do (throw $e1 (local.get $s))) (catch $e1)))\n"
/* a stale record left by tail_in_try would get this throw */
" (func $thr (param i32) (throw $e1 (local.get 0)))\n"
" (func (export \"tail_then_throw\") (param i32) (result i32)\n"
"  (try (result i32)\n"
"   (do (drop (call $tail_in_try (i32.const 1))) (call $thr (local.get 0)) (i32.const -1))\n"
"   (catch $e1)))\n";

TEST(setup)
{
	size_t n = strlen(B_MAIN) + strlen(B_TAIL) + 3;
	char *b = malloc(n);

	REQUIRE(b);
	snprintf(b, n, "%s%s)\n", B_MAIN, B_TAIL);
	mod_a = load_as(A, llvm_a);
	mod_b = load_as(b, llvm_b);
	free(b);
	REQUIRE(mod_a && mod_b);
	lk = wasm_linker_new();
	REQUIRE(lk);
	REQUIRE(wasm_linker_instantiate(lk, mod_a, &ia, &err, &trap) == 0);
	REQUIRE(wasm_linker_define_instance(lk, "a", ia) == 0);
	REQUIRE(wasm_linker_instantiate(lk, mod_b, &ib, &err, &trap) == 0);
}

TEST(throw_catch_in_one_function)
{
	uint64_t a, r;

	REQUIRE(ib);
	a = 0;
	CHECK(call(ib, "simple", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64((uint32_t)r, (uint32_t)-1);
	a = 5;
	CHECK(call(ib, "simple", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 105);
}

TEST(throw_from_depth_10000_to_the_top)
{
	uint64_t a = 10000, r = 0;

	REQUIRE(ib);
	CHECK(call(ib, "deep", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 0x123456789ull);
	a = 1;
	CHECK(call(ib, "deep", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 0x123456789ull);
}

TEST(throw_across_instances)
{
	uint64_t a = 42, r = 0, fr = 0;

	REQUIRE(ib && ia);
	CHECK(call(ib, "cross", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 42);
	/* A's function through B's table: call_ref */
	REQUIRE(call(ia, "get_ta", NULL, 0, &fr, 1) == 0);
	REQUIRE(call(ib, "set", &fr, 1, NULL, 0) == 0);
	a = 8;
	CHECK(call(ib, "cross_ref", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 1009);
	/* thrown in A, uncaught: the host sees it */
	CHECK(call(ia, "throw_a", &a, 1, NULL, 0) == 1);
	CHECK_EQ_U64(trap.code, WASM_TRAP_EXCEPTION);
}

TEST(catch_all_and_foreign_tags)
{
	uint64_t a, r;

	REQUIRE(ib);
	a = 0;
	CHECK(call(ib, "all", &a, 1, &r, 1) == 0 && r == 0);
	a = 1;
	CHECK(call(ib, "all", &a, 1, &r, 1) == 0 && r == 77);
	a = 2;          /* A's tag: not B's $e1, caught by catch_all */
	CHECK(call(ib, "all", &a, 1, &r, 1) == 0 && r == 77);
}

TEST(delegate_to_outer_and_to_caller)
{
	uint64_t a, r;

	REQUIRE(ib);
	a = 0;          /* delegate $outer: skips the middle try */
	CHECK(call(ib, "delegate", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 2007);
	a = 3;          /* $del_caller delegates to its caller: the middle try */
	CHECK(call(ib, "delegate", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 1003);
}

TEST(rethrow_from_nested_catches)
{
	uint64_t a, r;

	REQUIRE(ib);
	a = 1;          /* rethrow 2: the outer catch's $e1 (payload 1) */
	CHECK(call(ib, "rethrow", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 11);
	a = 0;          /* rethrow 1: the inner catch's $e2 (payload 2) */
	CHECK(call(ib, "rethrow", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 22);
}

TEST(payload_of_every_type)
{
	uint8_t *mem;
	uint64_t args[5], ext = 0;
	float f = 1.5f;
	double d = -2.25;
	uint32_t fb;
	uint64_t db;

	REQUIRE(ib);
	mem = wasm_memory_base(ib);
	REQUIRE(mem);
	for (int i = 0; i < 16; i++)
		mem[64 + i] = (uint8_t)(0xa0 + i);
	memcpy(&fb, &f, 4);
	memcpy(&db, &d, 8);
	args[0] = 0xdeadbeef;
	args[1] = 0x0123456789abcdefull;
	args[2] = fb;
	args[3] = db;
	args[4] = 0x5555;
	CHECK(call(ib, "payload", args, 5, NULL, 0) == 0);
	CHECK(!memcmp(mem + 0, &(uint32_t){ 0xdeadbeef }, 4));
	CHECK(!memcmp(mem + 8, &args[1], 8));
	CHECK(!memcmp(mem + 16, &fb, 4));
	CHECK(!memcmp(mem + 24, &db, 8));
	CHECK(!memcmp(mem + 32, mem + 64, 16));
	CHECK(mem[32] == 0xa0 && mem[47] == 0xaf);
	CHECK_EQ_U64(mem[48], 0);      /* the funcref is not null */
	CHECK(call(ib, "ext", NULL, 0, &ext, 1) == 0);
	CHECK_EQ_U64(ext, 0x5555);
}

TEST(locals_changed_in_try_body_seen_in_catch)
{
	uint64_t a = 10, r = 0;

	REQUIRE(ib);
	CHECK(call(ib, "locals", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 15 + 40 + 5);
}

/* locals_loop's value, computed here: the round k's locals, plus the
 * two values below the try */
static uint32_t locals_loop_model(uint32_t k)
{
	uint32_t i = 0, a = k + 7, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0;
	uint64_t h = 0;
	double x = 0;

	do {
		i++;
		a += i;
		b ^= i * 3;
		c += b;
		d -= a;
		e = (e << (i & 31)) | (e >> ((32 - (i & 31)) & 31));
		f++;
		g += c;
		h += g;
		x += 0.5;
	} while (i != k);
	return a + b + c + d + e + f + g + (uint32_t)h + (uint32_t)(int32_t)x + k * 1000000;
}

TEST(locals_changed_in_a_loop_seen_in_catch)
{
	uint64_t a, r = 0;

	REQUIRE(ib);
	for (uint32_t k = 1; k <= 300; k += 37) {
		a = k;
		CHECK(call(ib, "locals_loop", &a, 1, &r, 1) == 0);
		CHECK_EQ_U64((uint32_t)r, locals_loop_model(k));
	}
}

TEST(uncaught_exception_reaches_host)
{
	char buf[160];
	uint64_t a = 4, r = 0;

	REQUIRE(ib);
	CHECK(call(ib, "uncaught", NULL, 0, NULL, 0) == 1);
	CHECK_EQ_U64(trap.code, WASM_TRAP_EXCEPTION);
	CHECK(!strncmp(wasm_trap_text(&trap, buf, sizeof buf), "uncaught exception", 18));
	CHECK(call(ib, "uncaught_catchless", NULL, 0, NULL, 0) == 1);
	CHECK_EQ_U64(trap.code, WASM_TRAP_EXCEPTION);
	/* the instance works after it */
	CHECK(call(ib, "simple", &a, 1, &r, 1) == 0 && r == 104);
}

TEST(traps_are_not_caught)
{
	uint64_t a = 0, r = 0;

	REQUIRE(ib);
	CHECK(call(ib, "trap_in_try", NULL, 0, &r, 1) == 1);
	CHECK_EQ_U64(trap.code, WASM_TRAP_UNREACHABLE);
	CHECK(call(ib, "trap_in_catch", NULL, 0, &r, 1) == 1);
	CHECK_EQ_U64(trap.code, WASM_TRAP_UNREACHABLE);
	CHECK(call(ib, "trap_in_callee", &a, 1, &r, 1) == 1);
	CHECK_EQ_U64(trap.code, WASM_TRAP_DIV_BY_ZERO);
	a = 1;
	CHECK(call(ib, "trap_in_callee", &a, 1, &r, 1) == 0 && r == 1);
	/* and the handlers after a trap are the right ones */
	a = 9;
	CHECK(call(ib, "simple", &a, 1, &r, 1) == 0 && r == 109);
}

TEST(million_throws_keep_memory_flat)
{
	uint64_t a, r = 0;
	size_t before, after;

	REQUIRE(ib);
	a = 1000;       /* warm up: the caught stack's first allocation */
	REQUIRE(call(ib, "loop_catch", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 1000);
	before = heap_used();
	a = 1000000;
	CHECK(call(ib, "loop_catch", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 1000000);
	a = 1000000;
	CHECK(call(ib, "loop_exit", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 1000000);
	for (int i = 0; i < 10000; i++) {
		call(ib, "trap_in_catch", NULL, 0, &r, 1);
		call(ib, "uncaught", NULL, 0, NULL, 0);
		a = (uint64_t)i;
		call(ib, "ret_from_catch", &a, 1, &r, 1);
	}
	CHECK_EQ_U64(r, 9999);
	after = heap_used();
	CHECK_MSG(after <= before + 4096, "heap grew by %zu bytes", after - before);
}

TEST(tail_calls_leave_try_and_catch_bodies)
{
	uint64_t a = 1000, r = 0;
	size_t before;

	REQUIRE(ib);
	REQUIRE(call(ib, "tail_loop", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 3000);
	before = heap_used();
	a = 100000;
	CHECK(call(ib, "tail_loop", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 300000);
	CHECK_MSG(heap_used() <= before + 4096, "heap grew by %zu bytes",
		  heap_used() - before);
	a = 5;
	CHECK(call(ib, "tail_then_throw", &a, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, 5);
}

/* a host function that calls back into the instance, whose exception
 * leaves that inner call: the outer call's handlers are not reached by it
 * (jit_enter clears eh_top), and they work again after it */
static int reenter_rc = -1, reenter_code = -1;

static enum wasm_trap_code h_reenter(wasm_instance *inst, void *env, const uint64_t *args,
				     uint64_t *res)
{
	struct wasm_trap t;
	struct wasm_error e;

	(void)args, (void)res;
	memset(&t, 0, sizeof t);
	reenter_rc = wasm_call(inst, "inner", NULL, 0, NULL, 0, &t, &e);
	reenter_code = (int)t.code;
	/* env: pass the exception on (it is caught by the caller's try) */
	return env ? t.code : WASM_TRAP_NONE;
}

TEST(exception_leaves_a_nested_call_from_a_host_function)
{
	static const struct wasm_host_func hf[] = {
		{ "env", "reenter", "", "", h_reenter, NULL },
		{ "env", "reenter_pass", "", "", h_reenter, (void *)1 },
	};
	wasm_module *m = load(
		"(module\n"
		" (import \"env\" \"reenter\" (func $reenter))\n"
		" (import \"env\" \"reenter_pass\" (func $reenter_pass))\n"
		" (tag $e (param i32))\n"
		" (func (export \"inner\") (throw $e (i32.const 9)))\n"
		" (func (export \"outer\") (result i32)\n"
		"  (try (result i32)\n"
		"   (do (call $reenter) (throw $e (i32.const 5)))\n"
		"   (catch $e (i32.const 100) (i32.add))))\n"
		" (func (export \"pass\") (result i32)\n"
		"  (try (result i32)\n"
		"   (do (call $reenter_pass) (i32.const -1))\n"
		"   (catch $e (i32.const 1000) (i32.add))))\n"
		" (func (export \"pass_uncaught\") (call $reenter_pass)))\n");
	size_t before;
	wasm_instance *inst = NULL;
	uint64_t r = 0;

	REQUIRE(m);
	REQUIRE(wasm_instance_new(m, hf, 2, &inst, &err, &trap) == 0);
	CHECK(call(inst, "outer", NULL, 0, &r, 1) == 0);
	CHECK_EQ_U64(r, 105);
	CHECK_EQ_U64(reenter_rc, 1);
	CHECK_EQ_U64(reenter_code, WASM_TRAP_EXCEPTION);
	/* the host function passes it on: the caller's try catches it */
	r = 0;
	CHECK(call(inst, "pass", NULL, 0, &r, 1) == 0);
	CHECK_EQ_U64(r, 1009);
	CHECK(call(inst, "pass_uncaught", NULL, 0, NULL, 0) == 1);
	CHECK_EQ_U64(trap.code, WASM_TRAP_EXCEPTION);
	/* none of it stays allocated */
	CHECK(call(inst, "outer", NULL, 0, &r, 1) == 0);
	before = heap_used();
	for (int i = 0; i < 10000; i++) {
		call(inst, "outer", NULL, 0, &r, 1);
		call(inst, "pass", NULL, 0, &r, 1);
		call(inst, "pass_uncaught", NULL, 0, NULL, 0);
	}
	CHECK_MSG(heap_used() <= before + 4096, "heap grew by %zu bytes",
		  heap_used() - before);
	wasm_instance_free(inst);
	wasm_module_free(m);
}

/* ---- regressions from the security review of the merge -------------- */

/* A host call's pending exception is its own: a host function (first)
 * whose wasm_call left e1(42) pending makes another call (via_h2) in
 * which a nested host function (second) returns WASM_TRAP_EXCEPTION with
 * no exception of its own (a host error, not first's exception thrown
 * there), or WASM_TRAP_NONE (first's exception not freed); first then
 * passes e1 on and run's catch $e1 gets it.  (Before: the pending
 * exception was per instance; via_h2 caught first's exception and run's
 * handlers never ran: an uncaught exception.) */
static wasm_instance *pend_inst;
static int pend_via_rc;
static uint64_t pend_via_res;
static uint32_t pend_via_code;

static enum wasm_trap_code h_first(wasm_instance *inst, void *env, const uint64_t *args,
				   uint64_t *res)
{
	struct wasm_trap t;
	struct wasm_error e;
	uint64_t x = 42;

	(void)inst, (void)args, (void)res, (void)env;
	memset(&t, 0, sizeof t);
	wasm_call(pend_inst, "thr", &x, 1, NULL, 0, &t, &e);     /* e1(42) pending */
	memset(&t, 0, sizeof t);
	pend_via_res = 0;
	pend_via_rc = wasm_call(pend_inst, "via_h2", NULL, 0, &pend_via_res, 1, &t, &e);
	pend_via_code = t.code;
	return WASM_TRAP_EXCEPTION;
}

static enum wasm_trap_code h_second(wasm_instance *inst, void *env, const uint64_t *args,
				    uint64_t *res)
{
	(void)inst, (void)args, (void)res;
	return (enum wasm_trap_code)(uintptr_t)env;
}

static void pending_case(enum wasm_trap_code second_returns)
{
	const struct wasm_host_func hf[] = {
		{ "env", "first", "", "", h_first, NULL },
		{ "env", "second", "", "", h_second, (void *)(uintptr_t)second_returns },
	};
	wasm_module *m = load(
		"(module (import \"env\" \"first\" (func $first))\n"
		" (import \"env\" \"second\" (func $second))\n"
		" (tag $e1 (param i32))\n"
		" (func (export \"thr\") (param i32) (throw $e1 (local.get 0)))\n"
		" (func (export \"via_h2\") (result i32)\n"
		"  (try (result i32) (do (call $second) (i32.const -1))\n"
		"   (catch $e1 (i32.const 1000) (i32.add))))\n"
		" (func (export \"run\") (result i32)\n"
		"  (try (result i32) (do (call $first) (i32.const -1))\n"
		"   (catch $e1 (i32.const 5000) (i32.add)) (catch_all (i32.const -7)))))\n");
	uint64_t r = 0;

	REQUIRE(m);
	REQUIRE(wasm_instance_new(m, hf, 2, &pend_inst, &err, &trap) == 0);
	CHECK(call(pend_inst, "run", NULL, 0, &r, 1) == 0);
	CHECK_EQ_U64(r, 5042);
	if (second_returns == WASM_TRAP_EXCEPTION) {
		CHECK_EQ_U64(pend_via_rc, 1);
		CHECK_EQ_U64(pend_via_code, WASM_TRAP_HOST);
	} else {
		CHECK_EQ_U64(pend_via_rc, 0);
		CHECK_EQ_U64(pend_via_res, (uint64_t)-1 & 0xffffffff);
	}
	wasm_instance_free(pend_inst);
	wasm_module_free(m);
}

TEST(pending_exception_belongs_to_its_host_call)
{
	pending_case(WASM_TRAP_EXCEPTION);
	pending_case(WASM_TRAP_NONE);
}

#ifndef TEST_EH_LLVM  /* the single-pass compiler's own cases */
/* bytes of a module with one function (param i32), body `body` (without
 * its locals byte and end) */
static uint8_t *one_func_module(const uint8_t *body, size_t n, size_t *len)
{
	static const uint8_t head[] = {
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00,       /* (i32) -> () */
		0x03, 0x02, 0x01, 0x00,
	};
	size_t fn = n + 2, sec = fn + 1 + 5 + 5, k = 0;
	uint8_t *b = malloc(sizeof head + 1 + 5 + sec);

	if (!b)
		return NULL;
	memcpy(b, head, sizeof head);
	k = sizeof head;
	b[k++] = 0x0a;
	for (int i = 0; i < 5; i++)     /* section size, 5-byte LEB */
		b[k++] = (uint8_t)(((sec - 5) >> (7 * i)) & 0x7f) | (i < 4 ? 0x80 : 0);
	b[k++] = 1;
	for (int i = 0; i < 5; i++)     /* body size */
		b[k++] = (uint8_t)((fn >> (7 * i)) & 0x7f) | (i < 4 ? 0x80 : 0);
	b[k++] = 0;                     /* no locals */
	memcpy(b + k, body, n);
	k += n;
	b[k++] = 0x0b;
	*len = k;
	return b;
}

static double load_seconds(const uint8_t *b, size_t n, int *rc)
{
	struct timespec t0, t1;
	wasm_module *m = NULL;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*rc = wasm_module_load(b, n, &m, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!*rc)
		wasm_module_free(m);
	return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* A try around 20,000 nested blocks and 300,000 br_ifs out of them
 * compiles about as fast as the same with a block instead of the try.
 * (Before: each branch walked the control stack to find the try and
 * catch bodies it leaves: 16 s against 0.22 s, quadratic, a compile-time
 * denial of service; now O(1) per branch.)  The bound is loose (5x + 1
 * s): it is there to catch the quadratic walk, not to time the compiler. */
TEST(branches_out_of_a_try_compile_in_linear_time)
{
	enum { NB = 20000, NBR = 300000 };
	size_t n = 0, len;
	uint8_t *body = malloc(2 + 2 * NB + 6 * NBR + NB + 1), *b;
	double t_block, t_try;
	int rc1, rc2;

	REQUIRE(body);
	body[n++] = 0x06, body[n++] = 0x40;             /* try */
	for (int i = 0; i < NB; i++)
		body[n++] = 0x02, body[n++] = 0x40;     /* block */
	for (int i = 0; i < NBR; i++) {                 /* local.get 0, br_if NB-2 */
		body[n++] = 0x20, body[n++] = 0x00, body[n++] = 0x0d;
		body[n++] = (uint8_t)(((NB - 2) & 0x7f) | 0x80);       /* 3-byte LEB */
		body[n++] = (uint8_t)((((NB - 2) >> 7) & 0x7f) | 0x80);
		body[n++] = (uint8_t)((NB - 2) >> 14);
	}
	for (int i = 0; i < NB + 1; i++)
		body[n++] = 0x0b;
	b = one_func_module(body, n, &len);
	REQUIRE(b);
	t_try = load_seconds(b, len, &rc1);
	CHECK_MSG(rc1 == 0, "%s", err.msg);
	CHECK_EQ_U64(b[len - 1 - n], 0x06);
	b[len - 1 - n] = 0x02;                          /* the try -> a block */
	t_block = load_seconds(b, len, &rc2);
	CHECK_MSG(rc2 == 0, "%s", err.msg);
	CHECK_MSG(t_try <= 5 * t_block + 1.0, "with a try %.2f s, with a block %.2f s",
		  t_try, t_block);
	fprintf(stderr, "test_eh: %zu bytes: with a try %.3f s, with a block %.3f s\n",
		len, t_try, t_block);
	free(b);
	free(body);
}

/* Tries nested deeper than 64 blocks count once each, as deep as they
 * nest: 1,400,000 empty `try end` in a row inside 70 blocks need one
 * handler record.  (Before: the look-ahead's stack of frame kinds had 64
 * entries, a try deeper in counted for good, and this valid module was
 * "function frame too large", each try 48 bytes of frame.) */
TEST(tries_deeper_than_64_blocks_counted_once)
{
	enum { NB = 70, NT = 1400000 };
	size_t n = 0, len;
	uint8_t *body = malloc(2 * NB + 3 * NT + NB), *b;
	int rc;

	REQUIRE(body);
	for (int i = 0; i < NB; i++)
		body[n++] = 0x02, body[n++] = 0x40;
	for (int i = 0; i < NT; i++)
		body[n++] = 0x06, body[n++] = 0x40, body[n++] = 0x0b;
	for (int i = 0; i < NB; i++)
		body[n++] = 0x0b;
	b = one_func_module(body, n, &len);
	REQUIRE(b);
	load_seconds(b, len, &rc);
	CHECK_MSG(rc == 0, "%s", err.msg);
	free(b);
	free(body);
}

/* More tags than the limit (1,000,000: ctx->tags[x] is addressed with a
 * 32-bit displacement 8x) is a resource error, not a wrap. */
TEST(too_many_tags_refused)
{
	enum { NT = 1000001 };
	static const uint8_t head[] = {
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x04, 0x01, 0x60, 0x00, 0x00,             /* () -> () */
	};
	size_t k = sizeof head, sec = 4 + 2 * (size_t)NT;
	uint8_t *b = malloc(k + 1 + 5 + sec);
	wasm_module *m = NULL;

	REQUIRE(b);
	memcpy(b, head, k);
	b[k++] = 13;                                    /* tag section */
	for (int i = 0; i < 5; i++)
		b[k++] = (uint8_t)((sec >> (7 * i)) & 0x7f) | (i < 4 ? 0x80 : 0);
	b[k++] = (uint8_t)((NT & 0x7f) | 0x80);         /* count, 4-byte LEB */
	b[k++] = (uint8_t)(((NT >> 7) & 0x7f) | 0x80);
	b[k++] = (uint8_t)(((NT >> 14) & 0x7f) | 0x80);
	b[k++] = (uint8_t)(NT >> 21);
	for (int i = 0; i < NT; i++)
		b[k++] = 0, b[k++] = 0;                 /* attribute 0, type 0 */
	CHECK(wasm_module_load(b, k, &m, &err) != 0);
	CHECK_MSG(err.msg && strstr(err.msg, "too many tags"), "%s", err.msg ? err.msg : "(loaded)");
	CHECK_EQ_U64(err.kind, WASM_ERR_RESOURCE);
	free(b);
}

TEST(validation)
{
	const char *e;

	e = load_error("(module (func (throw 0)))");
	CHECK(e && !strcmp(e, "unknown tag"));
	e = load_error("(module (tag) (func (try (do) (catch 1))))");
	CHECK(e && !strcmp(e, "unknown tag"));
	e = load_error("(module (func (block (rethrow 0))))");
	CHECK(e && !strcmp(e, "invalid rethrow label"));
	e = load_error("(module (func (try (do (rethrow 0)) (catch_all))))");
	CHECK(e && !strcmp(e, "invalid rethrow label"));
	e = load_error("(module (tag (param i32)) (func (throw 0)))");
	CHECK(e && !strncmp(e, "type mismatch", 13));
	e = load_error("(module (func (try (do) (delegate 1))))");
	CHECK(e && !strcmp(e, "unknown label"));
	e = load_error("(module (type (func (result i32))) (tag (type 0)))");
	CHECK(e && !strcmp(e, "non-empty tag result type"));
	/* a try's catch payload typed as its tag */
	e = load_error("(module (tag (param i64)) (func (result i32) "
		       "(try (result i32) (do (i32.const 1)) (catch 0))))");
	CHECK(e && !strncmp(e, "type mismatch", 13));
	CHECK(load_error("(module (tag $t (param i32)) (func (result i32) "
			 "(try (result i32) (do (i32.const 1)) (catch $t))))") == NULL);
	/* without the feature (Wasm 2.0): a tag section is malformed */
	wasm_features_set(WASM_FEATURES_ALL & ~WASM_FEATURE_EXCEPTIONS);
	e = load_error("(module (tag))");
	CHECK(e && !strcmp(e, "malformed section id"));
	e = load_error("(module (func (try (do))))");
	CHECK(e && !strcmp(e, "illegal opcode"));
	wasm_features_set(WASM_FEATURES_ALL);
}
#endif

/* A, B and their instances go (between two configurations) */
static void teardown(void)
{
	if (ib)
		wasm_instance_free(ib);
	if (ia)
		wasm_instance_free(ia);
	if (lk)
		wasm_linker_free(lk);
	wasm_module_free(mod_b);
	wasm_module_free(mod_a);
	ib = ia = NULL;
	lk = NULL;
	mod_a = mod_b = NULL;
}

/* the cases that run code (of A, B, and modules of their own) */
static void run_cases(void)
{
	RUN(setup);
	RUN(throw_catch_in_one_function);
	RUN(throw_from_depth_10000_to_the_top);
	RUN(throw_across_instances);
	RUN(catch_all_and_foreign_tags);
	RUN(delegate_to_outer_and_to_caller);
	RUN(rethrow_from_nested_catches);
	RUN(payload_of_every_type);
	RUN(locals_changed_in_try_body_seen_in_catch);
	RUN(locals_changed_in_a_loop_seen_in_catch);
	RUN(uncaught_exception_reaches_host);
	RUN(traps_are_not_caught);
	RUN(million_throws_keep_memory_flat);
	RUN(tail_calls_leave_try_and_catch_bodies);
	RUN(exception_leaves_a_nested_call_from_a_host_function);
	RUN(pending_exception_belongs_to_its_host_call);
	teardown();
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/wasmetal-eh-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	plat_host_init();
#ifndef TEST_EH_LLVM
	run_cases();
	RUN(branches_out_of_a_try_compile_in_linear_time);
	RUN(tries_deeper_than_64_blocks_counted_once);
	RUN(too_many_tags_refused);
	RUN(validation);
#else
	/* the LLVM backend (test_eh_llvm.c): all LLVM, then each of A and B
	   single-pass with the other LLVM (exceptions between the backends,
	   both ways) */
	printf("# A llvm, B llvm\n");
	llvm_a = llvm_b = llvm_other = true;
	run_cases();
	printf("# A single-pass, B llvm\n");
	llvm_a = false;
	run_cases();
	printf("# A llvm, B single-pass\n");
	llvm_a = true;
	llvm_b = false;
	run_cases();
#endif
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	CHECK_DONE();
}
