/*
 * test_tail.c — tail calls (the tail-call proposal: return_call,
 * return_call_indirect) in the single-pass JIT, hosted: constant stack,
 * the arguments in every place and form, and what goes with leaving a
 * frame early (docs/abi.md "Tail calls"; jit/compile/control.c).
 *
 *   - mutual tail recursions 1,000,000 deep with stack arguments (more
 *     than the five integer argument registers), the callee needing more
 *     stack-argument slots than its caller received (the adapter frame)
 *     and fewer (in place), direct and through a table, between a function
 *     that has an entry thunk and one that is its own v1 entry, entered
 *     from C at either: a host function called at every 100,000th level
 *     sees the same frame address each time from the second on, and the
 *     same recursion with `call` exhausts the stack;
 *   - results through memory (three i64) passed on down a chain;
 *   - a tail call to an import (its stub), with stack arguments, and at
 *     the end of a recursion: the host function's frame does not move;
 *   - across instances (through jit_rt.call_ref: a call and a return);
 *   - entered with r14/r15 not this instance's: a function that is its
 *     own v1 entry tail-calls one with a thunk through the thunk;
 *   - a trap in the callee: its backtrace has the callee, then the caller
 *     of the function that tail-called (lost: expected), past an adapter;
 *   - the arguments in each operand form of the compiler (constant,
 *     local in memory, pinned local, register, spilled, flags);
 *   - validation: the callee's results must be the caller's exactly, and
 *     the code after a tail call is unreachable (polymorphic stack).
 *
 * test_llvm_tail.c includes this file with TAIL_LLVM defined: every module
 * loaded here then gets the LLVM backend's code (host/llvm/llvm_code.c)
 * and the same cases run on it (the single-pass JIT's own details, the
 * adapter, thunks and operand forms, are then just more calls; see
 * there for what differs).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "wasm.h"
#include "jit.h"
#include "plat.h"
#include "plat_host.h"
#include "wat.h"
#ifdef TAIL_LLVM
#include "llvm_backend.h"
#endif

static char tmpdir[64];
static struct wasm_error err;
static struct wasm_trap trap;

static wasm_module *load(const char *text)
{
	size_t n = 0;
	uint8_t *b = wat_assemble_flags(tmpdir, "--enable-tail-call", text, &n);
	wasm_module *m = NULL;

	memset(&err, 0, sizeof err);
	if (b && wasm_module_load(b, n, &m, &err)) {
		char buf[256];
		wasm_error_format(&err, buf, sizeof buf);
		fprintf(stderr, "load: %s\n", buf);
	}
	free(b);
#ifdef TAIL_LLVM
	char why[512];
	if (m && llvm_wasm_module_code(m, jit_cpu_features(), why, sizeof why)) {
		fprintf(stderr, "llvm: %s\n", why);
		wasm_module_free(m);
		m = NULL;
	}
	if (m)
		CHECK(m->code->backend == JIT_BACKEND_LLVM);
#endif
	return m;
}

/* the load error's message of text (a static string), or NULL if it loads */
static const char *load_error(const char *text)
{
	size_t n = 0;
	uint8_t *b = wat_assemble_flags(tmpdir, "--enable-tail-call --no-check", text, &n);
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

static int call(wasm_instance *i, const char *name, const uint64_t *args, size_t na,
		uint64_t *res, size_t nr)
{
	memset(&trap, 0, sizeof trap);
	memset(&err, 0, sizeof err);
	return wasm_call(i, name, args, na, res, nr, &trap, &err);
}

/* ---- host functions ------------------------------------------------------------ */

/* probe: the frame address of each call (the Wasm frame below it is at a
 * fixed distance: equal addresses = the Wasm stack did not grow) */
static uintptr_t probes[64];
static int nprobes;

static enum wasm_trap_code h_probe(wasm_instance *inst, void *env, const uint64_t *args,
				   uint64_t *res)
{
	(void)inst, (void)env, (void)args, (void)res;
	if (nprobes < 64)
		probes[nprobes] = (uintptr_t)__builtin_frame_address(0);
	nprobes++;
	return WASM_TRAP_NONE;
}

/* sum8: sum of (k + 1) * arg k, for the import tail call */
static enum wasm_trap_code h_sum8(wasm_instance *inst, void *env, const uint64_t *args,
				  uint64_t *res)
{
	uint64_t s = 0;

	(void)inst, (void)env;
	for (int k = 0; k < 8; k++)
		s += (uint64_t)(k + 1) * args[k];
	res[0] = s;
	return WASM_TRAP_NONE;
}

static const struct wasm_host_func imports[] = {
	{ "env", "probe", "I", "", h_probe, NULL },
	{ "env", "sum8", "IIIIIIII", "I", h_sum8, NULL },
};

/* ---- the recursions ------------------------------------------------------------ */

/* CALL is return_call, or `call` for the control (every one is the last
 * instruction of its function): the same recursion must then exhaust the
 * stack */
#define REC_MODULE(CALL, CALLI) \
"(module\n" \
" (import \"env\" \"probe\" (func $probe (param i64)))\n" \
" (import \"env\" \"sum8\" (func $sum8 (param i64 i64 i64 i64 i64 i64 i64 i64) (result i64)))\n" \
" (type $t9 (func (param i64 i64 i64 i64 i64 i64 i64 i64 i64) (result i64)))\n" \
" (table $tab 2 funcref) (elem (table $tab) (i32.const 0) func $k9)\n" \
" (table $other 1 funcref)\n" \
" (memory 1)\n" \
/* 8 i64: 5 in registers after ctx, 3 on the stack; its own v1 entry */ \
" (func $f8 (export \"f8\") (param $n i64) (param $acc i64) (param $a i64) (param $b i64)\n" \
"   (param $c i64) (param $d i64) (param $e i64) (param $g i64) (result i64)\n" \
"  (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))\n" \
"  (if (i64.eqz (i64.rem_u (local.get $n) (i64.const 100000)))\n" \
"   (then (call $probe (local.get $n))))\n" \
"  (" CALL " $g11 (i64.sub (local.get $n) (i64.const 1))\n" \
"   (i64.add (i64.mul (local.get $acc) (i64.const 31)) (local.get $a))\n" \
"   (local.get $b) (local.get $c) (local.get $d) (local.get $e) (local.get $g)\n" \
"   (local.get $a) (local.get $n) (i64.const 7) (local.get $acc)))\n" \
/* 11 i64: 6 on the stack, more than f8 received */ \
" (func $g11 (param $n i64) (param $acc i64) (param $p1 i64) (param $p2 i64) (param $p3 i64)\n" \
"   (param $p4 i64) (param $p5 i64) (param $p6 i64) (param $p7 i64) (param $p8 i64)\n" \
"   (param $p9 i64) (result i64)\n" \
"  (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))\n" \
"  (" CALL " $f8 (i64.sub (local.get $n) (i64.const 1))\n" \
"   (i64.xor (local.get $acc) (i64.add (local.get $p9) (local.get $p8)))\n" \
"   (local.get $p2) (local.get $p3) (local.get $p4) (local.get $p5) (local.get $p6)\n" \
"   (i64.xor (local.get $p1) (local.get $p7))))\n" \
/* 2 i64: an entry thunk, no stack arguments; through the table to k9 */ \
" (func $h2 (export \"h2\") (param $n i64) (param $acc i64) (result i64)\n" \
"  (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))\n" \
"  (if (i64.eqz (i64.rem_u (local.get $n) (i64.const 100000)))\n" \
"   (then (call $probe (local.get $n))))\n" \
"  (" CALLI " $tab (type $t9) (i64.sub (local.get $n) (i64.const 1))\n" \
"   (i64.add (i64.mul (local.get $acc) (i64.const 3)) (local.get $n))\n" \
"   (local.get $n) (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4)\n" \
"   (i64.const 5) (local.get $acc) (i32.const 0)))\n" \
/* 9 i64: 4 on the stack; its own v1 entry; back to h2 (which has a thunk) */ \
" (func $k9 (export \"k9\") (type $t9) (param $n i64) (param $acc i64) (param $q1 i64)\n" \
"   (param $q2 i64) (param $q3 i64) (param $q4 i64) (param $q5 i64) (param $q6 i64)\n" \
"   (param $q7 i64) (result i64)\n" \
"  (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))\n" \
"  (" CALL " $h2 (i64.sub (local.get $n) (i64.const 1))\n" \
"   (i64.add (i64.add (local.get $acc) (i64.mul (local.get $q1) (local.get $q7)))\n" \
"    (i64.add (i64.add (local.get $q2) (local.get $q3))\n" \
"     (i64.add (i64.add (local.get $q4) (local.get $q5)) (local.get $q6))))))\n" \
/* three results: through the caller's result area, passed on */ \
" (func $m3 (export \"m3\") (param $n i64) (param $x i64) (result i64 i64 i64)\n" \
"  (if (i64.eqz (local.get $n)) (then (return (local.get $x)\n" \
"   (i64.mul (local.get $x) (i64.const 2)) (i64.add (local.get $x) (i64.const 1)))))\n" \
"  (" CALL " $m3b (i64.sub (local.get $n) (i64.const 1)) (i64.add (local.get $x) (i64.const 1))))\n" \
" (func $m3b (param $n i64) (param $x i64) (result i64 i64 i64)\n" \
"  (" CALL " $m3 (local.get $n) (i64.mul (local.get $x) (i64.const 3))))\n" \
/* to an import (its stub), with 3 stack arguments, from a function with none */ \
" (func (export \"imp\") (param $x i64) (result i64)\n" \
"  (" CALL " $sum8 (local.get $x) (i64.const 2) (i64.const 3) (i64.const 4)\n" \
"   (i64.const 5) (i64.const 6) (i64.const 7) (local.get $x)))\n" \
/* across instances: table $other holds another instance's k9 */ \
/* a recursion that ends with a tail call to the import: no frame left */ \
" (func $tp (export \"tp\") (param $n i64)\n" \
"  (if (i64.eqz (local.get $n)) (then (" CALL " $probe (local.get $n)))\n" \
"   (else (" CALL " $tp (i64.sub (local.get $n) (i64.const 1))))))\n" \
" (func (export \"get_k9\") (result funcref) (ref.func $k9))\n" \
" (func (export \"set_other\") (param funcref) (table.set $other (i32.const 0) (local.get 0)))\n" \
" (func (export \"xcall\") (param $n i64) (param $acc i64) (result i64)\n" \
"  (" CALLI " $other (type $t9) (local.get $n) (local.get $acc) (local.get $n)\n" \
"   (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5)\n" \
"   (local.get $acc) (i32.const 0)))\n" \
/* a trap in the callee: outer -> mid -(tail, adapter)-> bad */ \
" (func $bad (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64) (result i32)\n" \
"  (i32.load (i32.wrap_i64 (local.get 9))))\n" \
" (func $mid (param $a i64) (result i32)\n" \
"  (" CALL " $bad (local.get $a) (local.get $a) (local.get $a) (local.get $a) (local.get $a)\n" \
"   (local.get $a) (local.get $a) (local.get $a) (local.get $a) (i64.const 0x7ffffff0)))\n" \
" (func $outer (export \"outer\") (param i64) (result i32)\n" \
"  (i32.add (call $mid (local.get 0)) (i32.const 1)))\n" \
")\n"

static uint64_t model_f8(uint64_t n, uint64_t acc, uint64_t a, uint64_t b, uint64_t c,
			 uint64_t d, uint64_t e, uint64_t g)
{
	for (;;) {
		if (!n)
			return acc;
		/* -> g11 */
		uint64_t p1 = b, p2 = c, p3 = d, p4 = e, p5 = g, p6 = a, p7 = n, p8 = 7,
			 p9 = acc;
		acc = acc * 31 + a;
		n--;
		if (!n)
			return acc;
		/* -> f8 */
		acc ^= p9 + p8;
		n--;
		a = p2, b = p3, c = p4, d = p5, e = p6, g = p1 ^ p7;
	}
}

/* from h2 (k9 = 0) or from k9 with (q1..q7) */
static uint64_t model_h2(uint64_t n, uint64_t acc, int from_k9, const uint64_t *q)
{
	if (from_k9) {
		if (!n)
			return acc;
		acc = acc + q[0] * q[6] + q[1] + q[2] + q[3] + q[4] + q[5];
		n--;
	}
	for (;;) {
		if (!n)
			return acc;
		/* -> k9 (n-1, acc*3+n, n, 1, 2, 3, 4, 5, acc) */
		uint64_t q1 = n, q7 = acc;
		acc = acc * 3 + n;
		n--;
		if (!n)
			return acc;
		acc = acc + q1 * q7 + 1 + 2 + 3 + 4 + 5;
		n--;
	}
}

static wasm_module *rec_mod, *ctl_mod;
static wasm_instance *ia, *ib, *ic;     /* ia, ib: rec_mod; ic: ctl_mod */

TEST(setup)
{
	rec_mod = load(REC_MODULE("return_call", "return_call_indirect"));
	ctl_mod = load(REC_MODULE("call", "call_indirect"));
	REQUIRE(rec_mod && ctl_mod);
	CHECK(wasm_instance_new(rec_mod, imports, 2, &ia, &err, &trap) == 0);
	CHECK(wasm_instance_new(rec_mod, imports, 2, &ib, &err, &trap) == 0);
	CHECK(wasm_instance_new(ctl_mod, imports, 2, &ic, &err, &trap) == 0);
}

/* the probes from the second on at one address, the first near it */
static void check_probes(const char *what, int want)
{
	CHECK_MSG(nprobes == want, "%s: %d probes, expected %d", what, nprobes, want);
	for (int k = 2; k < nprobes && k < 64; k++)
		CHECK_MSG(probes[k] == probes[1], "%s: probe %d at %#lx, probe 1 at %#lx: the "
			  "stack grew", what, k, (unsigned long)probes[k], (unsigned long)probes[1]);
	if (nprobes > 1) {
		uintptr_t d = probes[0] > probes[1] ? probes[0] - probes[1] : probes[1] - probes[0];
		CHECK_MSG(d < 4096, "%s: first probe %#lx bytes from the others", what,
			  (unsigned long)d);
	}
}

/* f8 <-> g11, 1,000,000 deep: f8 passes 6 stack arguments having received
 * 3 (the adapter), g11 passes 3 (in place); both are their own v1 entry */
TEST(tail_recursion_with_stack_args_constant_stack)
{
	uint64_t a[8] = { 1000000, 5, 11, 22, 33, 44, 55, 66 }, r = 0;

	REQUIRE(ia && ic);
	nprobes = 0;
	CHECK(call(ia, "f8", a, 8, &r, 1) == 0);
	CHECK_EQ_U64(r, model_f8(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]));
	check_probes("f8", 10);
	/* a short one: the arguments, not only the depth */
	a[0] = 7;
	CHECK(call(ia, "f8", a, 8, &r, 1) == 0);
	CHECK_EQ_U64(r, model_f8(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]));
	/* the control: with calls, the same recursion exhausts the stack */
	a[0] = 1000000;
	CHECK(call(ic, "f8", a, 8, &r, 1) == 1);
	CHECK_EQ_U64(trap.code, WASM_TRAP_STACK_EXHAUSTED);
	a[0] = 7;
	CHECK(call(ic, "f8", a, 8, &r, 1) == 0);
	CHECK_EQ_U64(r, model_f8(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]));
}

/* h2 (thunk, no stack arguments) -return_call_indirect-> k9 (4 stack
 * arguments: the adapter; its own v1 entry) -return_call-> h2: entered
 * from C at h2 and at k9 (whose r14/r15 are then C's: the first return_call
 * to h2 goes through h2's thunk, the next ones to its body) */
TEST(tail_recursion_through_table_and_thunk_constant_stack)
{
	uint64_t a[9] = { 1000000, 9, 0, 0, 0, 0, 0, 0, 0 }, r = 0;

	REQUIRE(ia && ic);
	nprobes = 0;
	CHECK(call(ia, "h2", a, 2, &r, 1) == 0);
	CHECK_EQ_U64(r, model_h2(a[0], a[1], 0, NULL));
	check_probes("h2", 10);
	a[0] = 1000001;
	for (int k = 2; k < 9; k++)
		a[k] = (uint64_t)(k * 1000 + 7);
	nprobes = 0;
	CHECK(call(ia, "k9", a, 9, &r, 1) == 0);
	CHECK_EQ_U64(r, model_h2(a[0], a[1], 1, a + 2));
	check_probes("k9", 10);
	a[0] = 1000000;
	CHECK(call(ic, "h2", a, 2, &r, 1) == 1);
	CHECK_EQ_U64(trap.code, WASM_TRAP_STACK_EXHAUSTED);
}

/* three results through memory: the result area of the first caller (C)
 * passed on by every tail call */
TEST(tail_call_results_through_memory)
{
	uint64_t a[2] = { 1000000, 1 }, r[3] = { 0 }, x = 1;

	REQUIRE(ia);
	CHECK(call(ia, "m3", a, 2, r, 3) == 0);
	for (uint64_t n = a[0]; n; n--)        /* m3 (n, x) -> m3b (n-1, x+1) -> m3 (n-1, 3x+3) */
		x = (x + 1) * 3;
	CHECK_EQ_U64(r[0], x);
	CHECK_EQ_U64(r[1], x * 2);
	CHECK_EQ_U64(r[2], x + 1);
}

/* to an import: its stub, with 3 stack arguments (adapter), from a
 * function that received none */
TEST(tail_call_to_import_with_stack_args)
{
	uint64_t x = 1000, r = 0, want = 0;
	static const uint64_t mid[6] = { 2, 3, 4, 5, 6, 7 };

	REQUIRE(ia);
	for (int k = 0; k < 6; k++)
		want += (uint64_t)(k + 2) * mid[k];
	want += 1 * x + 8 * x;
	CHECK(call(ia, "imp", &x, 1, &r, 1) == 0);
	CHECK_EQ_U64(r, want);
}

/* a tail call to an import leaves no Wasm frame: the host function's
 * frame is where it is after 1 and after 100,000 tail calls (with calls:
 * lower) */
TEST(tail_call_to_import_constant_stack)
{
	uint64_t n = 1;

	REQUIRE(ia && ic);
	nprobes = 0;
	CHECK(call(ia, "tp", &n, 1, NULL, 0) == 0);
	n = 100000;
	CHECK(call(ia, "tp", &n, 1, NULL, 0) == 0);
	CHECK_EQ_U64(nprobes, 2);
	CHECK_MSG(probes[0] == probes[1], "probe at %#lx after 1, at %#lx after 100000",
		  (unsigned long)probes[0], (unsigned long)probes[1]);
	nprobes = 0;
	n = 1;
	CHECK(call(ic, "tp", &n, 1, NULL, 0) == 0);
	n = 1000;
	CHECK(call(ic, "tp", &n, 1, NULL, 0) == 0);
	CHECK_EQ_U64(nprobes, 2);
	CHECK(probes[1] < probes[0]);   /* the control: calls grow the stack */
}

/* across instances: ib's table holds ia's k9; the tail call goes through
 * jit_rt.call_ref (a call and a return), then ia's recursion runs in
 * constant stack in ia */
TEST(tail_call_across_instances)
{
	uint64_t fr = 0, a[2] = { 1000000, 3 }, r = 0;
	uint64_t q[7] = { a[0], 1, 2, 3, 4, 5, a[1] };

	REQUIRE(ia && ib);
	CHECK(call(ia, "get_k9", NULL, 0, &fr, 1) == 0 && fr);
	CHECK(call(ib, "set_other", &fr, 1, NULL, 0) == 0);
	CHECK(call(ib, "xcall", a, 2, &r, 1) == 0);
	CHECK_EQ_U64(r, model_h2(a[0], a[1], 1, q));
}

/* a trap in the callee of a tail call that built an adapter: the callee
 * first, then outer (mid, which tail-called, is gone) */
TEST(trap_after_tail_call_backtrace)
{
	uint64_t a = 1, r = 0;

	REQUIRE(ia);
	CHECK(call(ia, "outer", &a, 1, &r, 1) == 1);
	CHECK_EQ_U64(trap.code, WASM_TRAP_MEMORY_OOB);
	CHECK(trap.nframes >= 1 && trap.frames[0].name && !strcmp(trap.frames[0].name, "bad"));
#ifndef TAIL_LLVM
	CHECK_MSG(trap.nframes == 2, "%u frames", (unsigned)trap.nframes);
	CHECK(trap.nframes >= 2 && trap.frames[1].name &&
	      !strcmp(trap.frames[1].name, "outer"));
#else
	/* LLVM: O2 inlines mid into outer, where its tail call becomes a call
	   (named mid, by the inlined instruction's offset), and outer's v1
	   wrapper, entered from C, is a frame of its own (at outer's start):
	   bad, then at most mid, then outer */
	CHECK_MSG(trap.nframes >= 2 && trap.nframes <= 3, "%u frames", (unsigned)trap.nframes);
	for (unsigned k = 1; k + 1 < trap.nframes; k++)
		CHECK(trap.frames[k].name && !strcmp(trap.frames[k].name, "mid"));
	CHECK(trap.nframes >= 2 && trap.frames[trap.nframes - 1].name &&
	      !strcmp(trap.frames[trap.nframes - 1].name, "outer"));
#endif
}

/* ---- entered with another r14/r15 ---------------------------------------------- */

/* jit_enter fn in inst with the arguments of c (gpr[0] = ctx set here) */
static int enter_raw(wasm_instance *inst, void *fn, struct jit_call *c)
{
	struct jit_ctx *ctx = (struct jit_ctx *)inst;
	struct plat_stack_save saved;
	void *top = (void *)(((uintptr_t)ctx->stack_base + ctx->stack_size) & ~(uintptr_t)15);
	int rc;

	memset(&trap, 0, sizeof trap);
	c->gpr[0] = (uint64_t)(uintptr_t)ctx;
	ctx->trap_out = &trap;
	plat_stack_enter(&saved, ctx->stack_base, ctx->stack_size);
	rc = jit_enter(ctx, fn, c, top);
	plat_stack_leave(&saved);
	ctx->trap_out = NULL;
	return rc;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/*
 * A v1 caller of k9 (its own v1 entry) with garbage in r14 and r15, as a
 * caller from outside the instance may have (jit_enter itself sets them,
 * so only such a caller shows it): k9's return_call to h2 (which has a
 * thunk) must enter h2 through its thunk, not its body, and r14/r15 come
 * back as they were.  The caller returns k9's result, or -1 when r14/r15
 * did not survive.
 */
TEST(tail_call_from_foreign_r14_r15)
{
	static const uint64_t g14 = 0x0bad0bad0bad0e14ull, g15 = 0x0bad0bad0bad0f15ull;
	uint8_t b[160];
	size_t n = 0;
	struct jit_ctx *ctx = (struct jit_ctx *)ia;
	uint64_t q[7] = { 3, 5, 7, 11, 13, 17, 19 };

	REQUIRE(ia);
#define B(...) do { const uint8_t b_[] = { __VA_ARGS__ }; memcpy(b + n, b_, sizeof b_); \
		n += sizeof b_; } while (0)
	B(0x55, 0x48, 0x89, 0xe5, 0x41, 0x56, 0x41, 0x57);      /* push rbp; mov rbp, rsp; push r14, r15 */
	B(0x49, 0xbe); put64(b + n, g14); n += 8;               /* mov r14, g14 */
	B(0x49, 0xbf); put64(b + n, g15); n += 8;               /* mov r15, g15 */
	B(0x48, 0x83, 0xec, 0x20);                              /* sub rsp, 32 */
	for (int k = 0; k < 4; k++)                             /* mov qword [rsp + 8k], q4.. */
		B(0x48, 0xc7, 0x44, 0x24, (uint8_t)(8 * k), (uint8_t)q[3 + k], 0, 0, 0);
	B(0x48, 0xb8); put64(b + n, (uint64_t)(uintptr_t)ctx->funcs[5]); n += 8; /* mov rax, k9 */
	B(0xff, 0xd0);                                          /* call rax */
	B(0x49, 0xba); put64(b + n, g14); n += 8;               /* mov r10, g14 */
	B(0x4d, 0x39, 0xd6, 0x75, 0x0f);                        /* cmp r14, r10; jne bad */
	B(0x49, 0xba); put64(b + n, g15); n += 8;               /* mov r10, g15 */
	B(0x4d, 0x39, 0xd7, 0x74, 0x07);                        /* cmp r15, r10; je out */
	B(0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff);            /* bad: mov rax, -1 */
	B(0x48, 0x83, 0xc4, 0x20, 0x41, 0x5f, 0x41, 0x5e, 0x5d, 0xc3); /* out: add rsp, 32; pop r15, r14, rbp; ret */
#undef B
	uint8_t *fn = plat_code_alloc(4096);
	REQUIRE(fn);
	memcpy(fn, b, n);
	REQUIRE(plat_code_seal(fn, 4096) == 0);
	for (uint64_t depth = 1; depth < 300000; depth += 149999) {
		struct jit_call c;
		memset(&c, 0, sizeof c);
		c.gpr[1] = depth;               /* n, acc, q1, q2, q3 */
		c.gpr[2] = 77;
		c.gpr[3] = q[0];
		c.gpr[4] = q[1];
		c.gpr[5] = q[2];
		int rc = enter_raw(ia, fn, &c);
		CHECK_EQ_U64(rc, 0);
		CHECK_EQ_U64(c.ret[0], model_h2(depth, 77, 1, q));
	}
	plat_code_free(fn, 4096);
}

/* ---- operand forms ---------------------------------------------------------------- */

/*
 * A return_call / return_call_indirect of chk (9 params: 4 on the stack;
 * param 2 an i32) from callers whose arguments take the compiler's
 * operand forms (fc.h struct vloc): C constant, M a parameter's home (the
 * caller's stack parameters included), P a pinned local, R a value
 * register, S spilled (R with every value register taken: the args
 * before the last four), F a comparison's flags (the i32).  Each caller
 * in two shapes: 12 params (7 on the stack: the callee's fit in place)
 * and 2 params (none: the adapter).  chk returns sum (k+1) * arg k.
 */
static const char *const recipes[] = {
	"CCFCCCCCC", "MMCMMMMMM", "PPCPPPPPP", "RRRRRRRRR", "CMFPRRRRR", "RRFRRMMPC",
	"PMFCRPMCR", "MRCRPRCRM",
};
#define NREC (sizeof recipes / sizeof *recipes)

static uint64_t pval(int shape, int k, uint64_t x)
{
	return 0x1000u * (uint64_t)(k + 1) + 0x11 * x + (uint64_t)shape;
}

/* the value of argument k of recipe r, and its WAT */
static uint64_t arg_val(char form, int k, int shape, uint64_t x, int np, char *w, size_t wn)
{
	int src = (k * 5 + 3) % np;            /* the parameter it reads */
	uint64_t p = pval(shape, src, x);

	switch (form) {
	case 'C':
		if (k == 2) {
			snprintf(w, wn, "(i32.const %d)", 1000 + k);
			return 1000 + (uint64_t)k;
		}
		snprintf(w, wn, "(i64.const %d)", 0x500 + k);
		return 0x500 + (uint64_t)k;
	case 'M':
		snprintf(w, wn, "(local.get %d)", src);
		return p;
	case 'P':
		snprintf(w, wn, "(local.get $pin)");
		return pval(shape, 0, x) + 9;
	case 'F':
		snprintf(w, wn, "(i64.lt_u (local.get %d) (local.get %d))", src, (src + 1) % np);
		return p < pval(shape, (src + 1) % np, x);
	default:        /* R */
		if (k == 2) {
			snprintf(w, wn, "(i32.wrap_i64 (i64.add (local.get %d) (i64.const %d)))",
				 src, k);
			return (uint32_t)(p + (uint64_t)k);
		}
		snprintf(w, wn, "(i64.add (local.get %d) (i64.const %d))", src, k);
		return p + (uint64_t)k;
	}
}

static void build_forms(char *t, size_t cap, uint64_t x, uint64_t *want)
{
	size_t n = 0;

#define ADDT(...) (n += (size_t)snprintf(t + n, cap - n, __VA_ARGS__))
	ADDT("(module (type $chk (func (param i64 i64 i32 i64 i64 i64 i64 i64 i64) (result i64)))\n"
	     " (table 1 funcref) (elem (i32.const 0) $chk)\n"
	     " (func $chk (type $chk)\n"
	     "  (i64.add (i64.add (i64.add (local.get 0) (i64.mul (local.get 1) (i64.const 2)))\n"
	     "   (i64.add (i64.mul (i64.extend_i32_u (local.get 2)) (i64.const 3))\n"
	     "    (i64.mul (local.get 3) (i64.const 4))))\n"
	     "   (i64.add (i64.add (i64.mul (local.get 4) (i64.const 5)) (i64.mul (local.get 5) (i64.const 6)))\n"
	     "    (i64.add (i64.add (i64.mul (local.get 6) (i64.const 7)) (i64.mul (local.get 7) (i64.const 8)))\n"
	     "     (i64.mul (local.get 8) (i64.const 9))))))\n");
	for (size_t r = 0; r < NREC; r++)
		for (int shape = 0; shape < 2; shape++)
			for (int ind = 0; ind < 2; ind++) {
				int np = shape ? 2 : 12;
				uint64_t sum = 0;
				char w[96];

				ADDT(" (func (export \"f%zu_%d_%d\") (param", r, shape, ind);
				for (int k = 0; k < np; k++)
					ADDT(" i64");
				/* $pin: used often enough to be pinned */
				ADDT(") (result i64) (local $pin i64)\n"
				     "  (local.set $pin (i64.add (local.get 0) (i64.const 9)))\n"
				     "  (drop (i64.add (local.get $pin) (local.get $pin)))\n"
				     "  (drop (i64.add (local.get $pin) (local.get $pin)))\n  ");
				for (int k = 0; k < 9; k++) {
					uint64_t v = arg_val(recipes[r][k], k, shape, x, np, w, sizeof w);
					sum += (uint64_t)(k + 1) * v;
					ADDT("%s ", w);
				}
				if (ind)
					ADDT("(i32.const 0) return_call_indirect (type $chk))\n");
				else
					ADDT("return_call $chk)\n");
				want[(r * 2 + (size_t)shape) * 2 + (size_t)ind] = sum;
			}
	ADDT(")\n");
#undef ADDT
}

TEST(tail_call_operand_forms)
{
	static char text[1 << 16];
	uint64_t want[NREC * 4];
	int bad = 0;

	for (uint64_t x = 1; x < 3; x++) {
		wasm_module *m;
		wasm_instance *i = NULL;

		build_forms(text, sizeof text, x, want);
		m = load(text);
		REQUIRE(m);
		CHECK(wasm_instance_new(m, NULL, 0, &i, &err, &trap) == 0);
		for (size_t r = 0; i && r < NREC; r++)
			for (int shape = 0; shape < 2; shape++)
				for (int ind = 0; ind < 2; ind++) {
					char name[32];
					uint64_t a[12], res = 0;
					int np = shape ? 2 : 12;
					size_t w = (r * 2 + (size_t)shape) * 2 + (size_t)ind;

					for (int k = 0; k < np; k++)
						a[k] = pval(shape, k, x);
					snprintf(name, sizeof name, "f%zu_%d_%d", r, shape, ind);
					int rc = call(i, name, a, (size_t)np, &res, 1);
					if ((rc != 0 || res != want[w]) && bad++ < 5)
						fprintf(stderr, "%s (%s, %s): rc %d, %#llx, expected %#llx\n",
							name, recipes[r], ind ? "indirect" : "direct", rc,
							(unsigned long long)res,
							(unsigned long long)want[w]);
					CHECK(rc == 0 && res == want[w]);
				}
		wasm_instance_free(i);
		wasm_module_free(m);
	}
}

/* ---- validation ------------------------------------------------------------------- */

TEST(tail_call_validation)
{
	const char *e;

	/* results: exactly the caller's */
	e = load_error("(module (func $f (result i64) (i64.const 1))"
		       " (func (result i32) (return_call $f)))");
	CHECK_MSG(e && !strcmp(e, "type mismatch"), "%s", e ? e : "loaded");
	e = load_error("(module (func $f (result i32 i32) (i32.const 1) (i32.const 2))"
		       " (func (result i32) (return_call $f)))");
	CHECK_MSG(e && !strcmp(e, "type mismatch"), "%s", e ? e : "loaded");
	e = load_error("(module (type $t (func (result i64))) (table 1 funcref)"
		       " (func (result i32) (return_call_indirect (type $t) (i32.const 0))))");
	CHECK_MSG(e && !strcmp(e, "type mismatch"), "%s", e ? e : "loaded");
	/* the arguments are checked as call's */
	e = load_error("(module (func $f (param i64)) (func (return_call $f (i32.const 1))))");
	CHECK_MSG(e && !strcmp(e, "type mismatch"), "%s", e ? e : "loaded");
	e = load_error("(module (func (return_call 5)))");
	CHECK_MSG(e && !strcmp(e, "unknown function"), "%s", e ? e : "loaded");
	e = load_error("(module (type $t (func)) (func (return_call_indirect (type $t) (i32.const 0))))");
	CHECK_MSG(e && !strcmp(e, "unknown table"), "%s", e ? e : "loaded");
	/* after it, the stack is polymorphic (as after return) */
	e = load_error("(module (func $f (result i32) (i32.const 1))"
		       " (func (result i32) (return_call $f) (i64.add) (drop) (f32.const 0)"
		       "  (drop) (i32.const 9)))");
	CHECK_MSG(e == NULL, "%s", e ? e : "");
	e = load_error("(module (type $t (func (result i32))) (table 1 funcref)"
		       " (func (result i32) (block (return_call_indirect (type $t) (i32.const 0))"
		       "  (i64.eqz) (drop)) (i32.const 3)))");
	CHECK_MSG(e == NULL, "%s", e ? e : "");
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/wasmetal-tail-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	plat_host_init();
	RUN(setup);
	RUN(tail_recursion_with_stack_args_constant_stack);
	RUN(tail_recursion_through_table_and_thunk_constant_stack);
	RUN(tail_call_results_through_memory);
	RUN(tail_call_to_import_with_stack_args);
	RUN(tail_call_to_import_constant_stack);
	RUN(tail_call_across_instances);
	RUN(trap_after_tail_call_backtrace);
	RUN(tail_call_from_foreign_r14_r15);
	RUN(tail_call_operand_forms);
	RUN(tail_call_validation);
	if (ia)
		wasm_instance_free(ia);
	if (ib)
		wasm_instance_free(ib);
	if (ic)
		wasm_instance_free(ic);
	if (rec_mod)
		wasm_module_free(rec_mod);
	if (ctl_mod)
		wasm_module_free(ctl_mod);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	CHECK_DONE();
}
