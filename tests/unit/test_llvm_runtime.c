/*
 * test_llvm_runtime.c — LLVM code run by the runtime itself (issue 9):
 * host/llvm/llvm_code.c gives a module the backend's code as a struct
 * jit_code of backend JIT_BACKEND_LLVM (import stubs, then the blob; trap
 * sites as exact srcmap entries), and from then on instances, host
 * imports, traps, backtraces, the fault handler and artifacts are the
 * runtime's own (test_llvm.c checks the backend's code with a harness of
 * its own instead), calls of imports with v128 in their type, v128
 * results through a result area and exception handling included.
 * Each module is loaded twice, once kept single-pass, and every call's
 * results or trap (code, function, offset) compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "wasm.h"
#include "jit.h"
#include "artifact.h"
#include "llvm_backend.h"
#include "plat_host.h"
#include "wat.h"

static char tmpdir[64];

/* The module twice: single-pass in *jit, LLVM code in the result
 * (flags: wat2wasm's). */
static wasm_module *load_both_flags(const char *flags, const char *text, wasm_module **jit)
{
	struct wasm_error err;
	wasm_module *m = NULL;
	char why[512];
	size_t n;
	uint8_t *b = wat_assemble_flags(tmpdir, flags, text, &n);

	*jit = NULL;
	if (!b)
		return NULL;
	if (wasm_module_load(b, n, jit, &err) || wasm_module_load(b, n, &m, &err)) {
		fprintf(stderr, "load: %s\n", err.msg ? err.msg : "?");
		wasm_module_free(*jit);
		*jit = NULL;
		free(b);
		return NULL;
	}
	free(b);
	if (llvm_wasm_module_code(m, jit_cpu_features(), why, sizeof why)) {
		fprintf(stderr, "llvm: %s\n", why);
		wasm_module_free(m);
		return NULL;
	}
	return m;
}

static wasm_module *load_both(const char *text, wasm_module **jit)
{
	return load_both_flags("", text, jit);
}

/* env.add(i32, i32) -> i32: a host import the LLVM code calls */
static enum wasm_trap_code host_add(wasm_instance *inst, void *env, const uint64_t *a,
				    uint64_t *r)
{
	(void)inst, (void)env;
	r[0] = (uint32_t)(a[0] + a[1]);
	return WASM_TRAP_NONE;
}

static const struct wasm_host_func host[] = {
	{ "env", "add", "ii", "i", host_add, NULL },
};

static wasm_instance *inst_of(wasm_module *m)
{
	struct wasm_error err;
	struct wasm_trap trap;
	wasm_instance *i = NULL;

	if (wasm_instance_new(m, host, 1, &i, &err, &trap))
		return NULL;
	return i;
}

/* Call name(arg) in both; results or traps must agree (function and
 * offset of every frame when exact says the LLVM side knows them). */
static void same_call(wasm_instance *a, wasm_instance *b, const char *name, uint64_t arg,
		      size_t nres, bool exact_frames)
{
	uint64_t ra[2] = { 0 }, rb[2] = { 0 };
	struct wasm_trap ta, tb;
	struct wasm_error ea, eb;
	int ka = wasm_call(a, name, &arg, 1, ra, nres, &ta, &ea);
	int kb = wasm_call(b, name, &arg, 1, rb, nres, &tb, &eb);

	CHECK_MSG(ka == kb, "%s(%llu): single %d, llvm %d", name, (unsigned long long)arg,
		  ka, kb);
	if (ka != kb)
		return;
	if (ka == 0) {
		for (size_t i = 0; i < nres; i++)
			CHECK_MSG(ra[i] == rb[i], "%s(%llu) result %zu: single %llu, llvm %llu",
				  name, (unsigned long long)arg, i,
				  (unsigned long long)ra[i], (unsigned long long)rb[i]);
		return;
	}
	CHECK_MSG(ta.code == tb.code, "%s: trap %d vs %d", name, ta.code, tb.code);
	CHECK_MSG(tb.nframes >= 1, "%s: llvm trap has no frame", name);
	if (exact_frames && tb.nframes >= 1) {
		CHECK_MSG(ta.frames[0].func_index == tb.frames[0].func_index &&
			  ta.frames[0].offset == tb.frames[0].offset,
			  "%s: trap at func %u +0x%x (single), func %u +0x%x (llvm)", name,
			  ta.frames[0].func_index, ta.frames[0].offset,
			  tb.frames[0].func_index, tb.frames[0].offset);
	}
}

static const char calls_wat[] =
"(module\n"
"  (import \"env\" \"add\" (func $add (param i32 i32) (result i32)))\n"
"  (memory 1)\n"
"  (global $g (mut i32) (i32.const 5))\n"
"  (table 4 funcref)\n"
"  (elem (i32.const 0) $sq $inc)\n"
"  (type $t (func (param i32) (result i32)))\n"
"  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))\n"
"  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))\n"
"  (func (export \"host\") (param i32) (result i32)\n"
"    (call $add (local.get 0) (global.get $g)))\n"
"  (func (export \"indirect\") (param i32) (result i32)\n"
"    (call_indirect (type $t) (i32.const 7) (local.get 0)))\n"
"  (func (export \"mem\") (param i32) (result i32)\n"
"    (i32.store (local.get 0) (i32.const 0x01020304))\n"
"    (global.set $g (i32.add (global.get $g) (i32.load8_u (local.get 0))))\n"
"    (global.get $g))\n"
"  (func (export \"div\") (param i32) (result i32)\n"
"    (i32.div_s (i32.const 100) (local.get 0)))\n"
"  (func (export \"conv\") (param i32) (result i32)\n"
"    (i32.trunc_f64_s (f64.mul (f64.convert_i32_s (local.get 0)) (f64.const 1e9))))\n"
")\n";

/* Host imports (through the single-pass stubs), call_indirect (and its
 * traps: undefined and uninitialized element), memory and globals, and
 * the exact trap sites of division and conversion. */
TEST(llvm_code_runs_through_the_instance_api)
{
	wasm_module *jm, *lm = load_both(calls_wat, &jm);
	wasm_instance *a, *b;
	static const uint64_t args[] = { 0, 1, 2, 3, 4, 7, 0xffffffff, 65533, 65536 };

	REQUIRE(lm && jm);
	CHECK(lm->code->backend == JIT_BACKEND_LLVM);
	CHECK(jm->code->backend == JIT_BACKEND_SINGLE);
	a = inst_of(jm);
	b = inst_of(lm);
	REQUIRE(a && b);
	for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
		same_call(a, b, "host", args[i], 1, true);
		same_call(a, b, "indirect", args[i], 1, true);
		same_call(a, b, "mem", args[i], 1, false);      /* OOB: a fault */
		same_call(a, b, "div", args[i], 1, true);
		same_call(a, b, "conv", args[i], 1, true);
	}
	wasm_instance_free(a);
	wasm_instance_free(b);
	wasm_module_free(jm);
	wasm_module_free(lm);
}

static const char eh_wat[] =
"(module\n"
"  (import \"env\" \"add\" (func $add (param i32 i32) (result i32)))\n"
"  (tag $e (param i32 i64))\n"
"  (tag $f)\n"
"  (func $thr (param i32)\n"
"    (if (i32.eq (local.get 0) (i32.const 3)) (then (throw $f)))\n"
"    (if (i32.gt_u (local.get 0) (i32.const 4))\n"
"      (then (throw $e (local.get 0) (i64.extend_i32_u (local.get 0))))))\n"
"  (func $down (param i32) (param i32)\n"
"    (if (local.get 1) (then (call $down (local.get 0) (i32.sub (local.get 1) (i32.const 1))))\n"
"      (else (call $thr (local.get 0)))))\n"
"  (func (export \"eh\") (param $x i32) (result i32) (local $t i32)\n"
"    (try (result i32)\n"
"      (do (local.set $t (call $add (local.get $x) (i32.const 100)))\n"
"          (call $down (local.get $x) (i32.const 200))\n"
"          (i32.div_u (i32.const 1000) (local.get $x)))\n"
"      (catch $e (i32.wrap_i64) (i32.add) (local.get $t) (i32.add))\n"
"      (catch $f (rethrow 0))))\n"
")\n";

/* Exception handling (host/llvm/llvm_eh.c): the same results, the same
 * uncaught exception ($f, rethrown) and the same trap site (a division
 * by zero in the try body, not caught) from both backends; thrown 200
 * frames down, past a host call in the try body. */
TEST(llvm_exceptions_as_single_pass)
{
	wasm_module *jm, *lm = load_both_flags("--enable-exceptions", eh_wat, &jm);
	wasm_instance *a, *b;

	REQUIRE(lm && jm);
	CHECK(lm->code->backend == JIT_BACKEND_LLVM);
	a = inst_of(jm);
	b = inst_of(lm);
	REQUIRE(a && b);
	for (uint64_t x = 0; x < 12; x++)
		same_call(a, b, "eh", x, 1, x == 0);
	wasm_instance_free(a);
	wasm_instance_free(b);
	wasm_module_free(jm);
	wasm_module_free(lm);
}

/* v128 in an imported function's type: LLVM code calls the import's stub
 * (a v1 function, v128 in xmm registers and, the ninth, on the stack),
 * which gives the host function each v128 as two 8-byte places, low half
 * first (wasm.h); both backends give the same, expected results. */
static enum wasm_trap_code host_vmix(wasm_instance *inst, void *env, const uint64_t *a,
				     uint64_t *r)
{
	double d;

	(void)inst, (void)env;
	memcpy(&d, &a[3], 8);           /* (i32 v128 f64 v128) -> (v128 i32) */
	r[0] = a[1] + a[4];
	r[1] = a[2] + a[5];
	r[2] = (uint32_t)a[0] + (uint32_t)(int32_t)d;
	return WASM_TRAP_NONE;
}

static enum wasm_trap_code host_vnine(wasm_instance *inst, void *env, const uint64_t *a,
				      uint64_t *r)
{
	(void)inst, (void)env;
	r[0] = r[1] = 0;                /* nine v128 -> each lane times 1..9, summed */
	for (uint32_t i = 0; i < 9; i++) {
		r[0] += (i + 1) * a[2 * i];
		r[1] += (i + 1) * a[2 * i + 1];
	}
	return WASM_TRAP_NONE;
}

static const char v128_imports_wat[] =
"(module\n"
" (import \"h\" \"mix\" (func $mix (param i32 v128 f64 v128) (result v128 i32)))\n"
" (import \"h\" \"nine\" (func $nine (param v128 v128 v128 v128 v128 v128 v128 v128 v128)\n"
"  (result v128)))\n"
" (func (export \"cmix\") (param v128 v128) (result v128 i32)\n"
"  (call $mix (i32.const 40) (local.get 0) (f64.const 2.5) (local.get 1)))\n"
" (func (export \"cnine\") (param v128) (result v128)\n"
"  (call $nine (local.get 0) (local.get 0) (local.get 0) (local.get 0) (local.get 0)\n"
"   (local.get 0) (local.get 0) (local.get 0)\n"
"   (i64x2.add (local.get 0) (v128.const i64x2 1 2)))))\n";

TEST(llvm_calls_import_with_v128)
{
	static const struct wasm_host_func hv[] = {
		{ "h", "mix", "iVFV", "Vi", host_vmix, NULL },
		{ "h", "nine", "VVVVVVVVV", "V", host_vnine, NULL },
	};
	wasm_module *jm, *lm = load_both(v128_imports_wat, &jm);
	wasm_instance *in[2] = { NULL, NULL };
	struct wasm_error err;
	struct wasm_trap trap;
	struct wasm_val x = { 0x1111111122222222ull, 0x3333333344444444ull };
	struct wasm_val y = { 5, 7 }, args[2] = { x, y }, r[2];

	REQUIRE(lm && jm);
	CHECK(lm->code->backend == JIT_BACKEND_LLVM);
	REQUIRE(wasm_instance_new(jm, hv, 2, &in[0], &err, &trap) == 0);
	REQUIRE(wasm_instance_new(lm, hv, 2, &in[1], &err, &trap) == 0);
	for (int k = 0; k < 2; k++) {
		const char *who = k ? "llvm" : "single";
		memset(r, 0, sizeof r);
		CHECK(wasm_call_val(in[k], "cmix", 4, args, 2, r, 2, &trap, &err) == 0);
		CHECK_MSG(r[0].lo == x.lo + 5 && r[0].hi == x.hi + 7 && r[1].lo == 42,
			  "%s cmix: %llx %llx %llu", who, (unsigned long long)r[0].lo,
			  (unsigned long long)r[0].hi, (unsigned long long)r[1].lo);
		memset(r, 0, sizeof r);
		CHECK(wasm_call_val(in[k], "cnine", 5, &y, 1, r, 1, &trap, &err) == 0);
		CHECK_MSG(r[0].lo == 5 * 45 + 9 && r[0].hi == 7 * 45 + 18, "%s cnine: %llu %llu",
			  who, (unsigned long long)r[0].lo, (unsigned long long)r[0].hi);
	}
	wasm_instance_free(in[0]);
	wasm_instance_free(in[1]);
	wasm_module_free(jm);
	wasm_module_free(lm);
}

/* v128 results through a result area (docs/abi.md "Value slots"): 3, 4
 * and 5 v128/f64/i32 results stored by LLVM code and read back by its
 * callers (a direct call, call_indirect in the instance and of another
 * instance's function through call_ref, nine f64 arguments before the
 * area), by jit_enter (wasm_call_val), and by the single-pass JIT's code
 * calling into LLVM code; both backends give the expected results.
 * x = (10 20 30 40), d = 1.25, n = 7:
 *   r3 (v128 f64)     -> x+1, d+0.5, x*2
 *   r4 (v128 f64 i32) -> d*2, x, n+1, x-(1 2 3 4)
 *   r5 (v128 f64)     -> x, x+x, d, -x, -d */
#define AREA_TYPES \
	" (type $t3 (func (param v128 f64) (result v128 f64 v128)))\n" \
	" (type $t4 (func (param v128 f64 i32) (result f64 v128 i32 v128)))\n" \
	" (type $t5 (func (param v128 f64) (result v128 v128 f64 v128 f64)))\n"

static const char area_wat[] =
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
	" (func $s9 (param f64 f64 f64 f64 f64 f64 f64 f64 f64) (result v128 f64 v128)\n"
	"  (f64x2.splat (local.get 0)) (local.get 8) (f64x2.splat (local.get 8)))\n"
	" (func (export \"s9\") (param f64) (result v128 f64 v128)\n"
	"  (call $s9 (local.get 0) (f64.const 2) (f64.const 3) (f64.const 4) (f64.const 5)\n"
	"   (f64.const 6) (f64.const 7) (f64.const 8) (f64.const 9))))\n";

static const char area_other_wat[] =
	"(module (import \"a\" \"t\" (table 3 funcref))\n" AREA_TYPES
	" (func (export \"o3\") (type $t3)\n"
	"  (call_indirect (type $t3) (local.get 0) (local.get 1) (i32.const 0)))\n"
	" (func (export \"o4\") (type $t4)\n"
	"  (call_indirect (type $t4) (local.get 0) (local.get 1) (local.get 2) (i32.const 1)))\n"
	" (func (export \"o5\") (type $t5)\n"
	"  (call_indirect (type $t5) (local.get 0) (local.get 1) (i32.const 2))))\n";

static uint32_t lane32(struct wasm_val v, int i)
{
	return (uint32_t)((i < 2 ? v.lo : v.hi) >> (32 * (i & 1)));
}

static bool is_v4(struct wasm_val v, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	return lane32(v, 0) == a && lane32(v, 1) == b && lane32(v, 2) == c && lane32(v, 3) == d;
}

static uint64_t f64bits(double d)
{
	uint64_t b;

	memcpy(&b, &d, 8);
	return b;
}

static bool is_f64(struct wasm_val v, double d)
{
	return v.lo == f64bits(d) && v.hi == 0;
}

static void check_area(wasm_instance *in, const char *who, const char *name, uint32_t nr)
{
	struct wasm_trap trap;
	struct wasm_error err = { 0 };
	struct wasm_val a[3] = { { 0x140000000aull, 0x280000001eull }, { f64bits(1.25), 0 },
				 { 7, 0 } }, r[5];
	bool ok;

	memset(r, 0xa5, sizeof r);
	int rc = wasm_call_val(in, name, strlen(name), a, nr == 4 ? 3 : 2, r, nr, &trap, &err);
	CHECK_MSG(rc == 0, "%s %s: rc %d (%s)", who, name, rc, err.msg ? err.msg : "trap");
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
	CHECK_MSG(ok, "%s %s: %llx %llx / %llx %llx", who, name,
		  (unsigned long long)r[0].lo, (unsigned long long)r[0].hi,
		  (unsigned long long)r[1].lo, (unsigned long long)r[1].hi);
}

TEST(llvm_v128_results_through_result_area)
{
	wasm_module *ja, *la = load_both(area_wat, &ja), *jb, *lb = load_both(area_other_wat, &jb);
	static const char *const own[] = { "r", "c", "i" };
	struct wasm_error err;
	struct wasm_trap trap;
	char name[8];

	REQUIRE(la && ja && lb && jb);
	CHECK(la->code->backend == JIT_BACKEND_LLVM && lb->code->backend == JIT_BACKEND_LLVM);
	/* the table's owner and its caller: llvm/llvm, single/llvm, llvm/single */
	wasm_module *const pairs[3][2] = { { la, lb }, { ja, lb }, { la, jb } };
	const char *const who[3] = { "llvm-llvm", "single-llvm", "llvm-single" };
	for (int k = 0; k < 3; k++) {
		wasm_linker *l = wasm_linker_new();
		wasm_instance *a = NULL, *b = NULL;
		REQUIRE(l);
		REQUIRE(wasm_linker_instantiate(l, pairs[k][0], &a, &err, &trap) == 0);
		REQUIRE(wasm_linker_define_instance(l, "a", a) == 0);
		REQUIRE(wasm_linker_instantiate(l, pairs[k][1], &b, &err, &trap) == 0);
		for (uint32_t nr = 3; nr <= 5; nr++) {
			for (uint32_t j = 0; j < 3; j++) {
				snprintf(name, sizeof name, "%s%u", own[j], nr);
				check_area(a, who[k], name, nr);
			}
			snprintf(name, sizeof name, "o%u", nr);
			check_area(b, who[k], name, nr);
		}
		struct wasm_val x = { f64bits(1.25), 0 }, r[3];
		CHECK(wasm_call_val(a, "s9", 2, &x, 1, r, 3, &trap, &err) == 0);
		CHECK(r[0].lo == f64bits(1.25) && r[0].hi == f64bits(1.25) && is_f64(r[1], 9) &&
		      r[2].lo == f64bits(9) && r[2].hi == f64bits(9));
		wasm_instance_free(b);
		wasm_instance_free(a);
		wasm_linker_free(l);
	}
	wasm_module_free(lb);
	wasm_module_free(jb);
	wasm_module_free(la);
	wasm_module_free(ja);
}

/* A fault (out-of-bounds access) in LLVM code: the fault handler finds the
 * instance and the code, and the line table (llvm_debug.c) the Wasm
 * instruction: the store, as the single-pass JIT says. */
TEST(llvm_fault_is_a_trap_named_by_function)
{
	wasm_module *jm, *lm = load_both(calls_wat, &jm);
	wasm_instance *a, *b;
	struct wasm_trap t;
	struct wasm_error e;
	uint64_t arg = 65536, r;

	struct wasm_trap tj;

	REQUIRE(lm && jm);
	REQUIRE((a = inst_of(jm)));
	REQUIRE((b = inst_of(lm)));
	CHECK(wasm_call(a, "mem", &arg, 1, &r, 1, &tj, &e) == 1);
	CHECK(wasm_call(b, "mem", &arg, 1, &r, 1, &t, &e) == 1);
	CHECK(t.code == WASM_TRAP_MEMORY_OOB);
	REQUIRE(t.nframes >= 1 && tj.nframes >= 1);
	CHECK_MSG(t.frames[0].func_index == 5, "func %u", t.frames[0].func_index);
	CHECK_MSG(t.frames[0].offset == tj.frames[0].offset && t.frames[0].offset !=
		  lm->funcs[5].body_start, "offset 0x%x, single-pass 0x%x",
		  t.frames[0].offset, tj.frames[0].offset);
	wasm_instance_free(a);
	wasm_instance_free(b);
	wasm_module_free(jm);
	wasm_module_free(lm);
}

static const char rec_wat[] =
"(module\n"
"  (func $down (export \"down\") (param i32) (result i32)\n"
"    (if (result i32) (i32.eqz (local.get 0))\n"
"      (then (unreachable))\n"
"      (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1)))\n"
"                     (i32.const 1)))))\n"
"  (func (export \"deep\") (param i32) (result i32)\n"
"    (call $deep2 (local.get 0)))\n"
"  (func $deep2 (param i32) (result i32)\n"
"    (call $deep2 (i32.add (local.get 0) (i32.const 1))))\n"
")\n";

/* Regression: trap.c skipped every return address in the first 32 bytes
 * of a function as the single-pass entry thunk, which LLVM code does not
 * have: backtraces through LLVM code lost frames.  Each level of $down
 * is one frame, as with the single-pass JIT. */
TEST(llvm_backtrace_keeps_every_frame)
{
	wasm_module *jm, *lm = load_both(rec_wat, &jm);
	wasm_instance *a, *b;
	struct wasm_trap ta, tb;
	struct wasm_error e;

	REQUIRE(lm && jm);
	a = inst_of(jm);
	b = inst_of(lm);
	REQUIRE(a && b);
	for (uint64_t n = 0; n < 20; n += 3) {
		uint64_t r;
		CHECK(wasm_call(a, "down", &n, 1, &r, 1, &ta, &e) == 1);
		CHECK(wasm_call(b, "down", &n, 1, &r, 1, &tb, &e) == 1);
		CHECK(tb.code == WASM_TRAP_UNREACHABLE);
		CHECK_MSG(ta.nframes == tb.nframes, "depth %llu: %u frames single, %u llvm",
			  (unsigned long long)n, ta.nframes, tb.nframes);
		/* the call sites too, through the line table */
		for (uint32_t k = 0; k < tb.nframes && k < ta.nframes; k++)
			CHECK_MSG(tb.frames[k].func_index == 0 &&
				  tb.frames[k].offset == ta.frames[k].offset,
				  "frame %u: func %u +0x%x, single-pass +0x%x", k,
				  tb.frames[k].func_index, tb.frames[k].offset,
				  ta.frames[k].offset);
	}
	/* endless recursion: the prologue's stack check */
	uint64_t z = 0, r;
	CHECK(wasm_call(b, "deep", &z, 1, &r, 1, &tb, &e) == 1);
	CHECK(tb.code == WASM_TRAP_STACK_EXHAUSTED);
	wasm_instance_free(a);
	wasm_instance_free(b);
	wasm_module_free(jm);
	wasm_module_free(lm);
}

/* LLVM code through an artifact: backend 2 written and loaded, the code
 * and its trap sites kept; labelled as single-pass code it is refused. */
TEST(llvm_artifact_round_trip)
{
	wasm_module *jm, *lm = load_both(calls_wat, &jm), *back = NULL;
	wasm_instance *a, *b;
	uint8_t *art = NULL, *bad = NULL;
	size_t len = 0, badlen = 0;
	char why[256] = "";
	static const uint64_t args[] = { 0, 3, 0xffffffff, 65536 };

	REQUIRE(lm && jm);
	REQUIRE(!jit_artifact_write(lm, JIT_BACKEND_LLVM, &art, &len, why, sizeof why));
	CHECK(jit_artifact_write(lm, JIT_BACKEND_SINGLE, &bad, &badlen, why, sizeof why) == -1);
	CHECK_MSG(strstr(why, "of backend 2, not 1"), "message '%s'", why);
	CHECK(bad == NULL);
	REQUIRE(!jit_artifact_load(art, len, &back, why, sizeof why));
	CHECK(back->code->backend == JIT_BACKEND_LLVM);
	CHECK(back->code->nmap == lm->code->nmap);
	a = inst_of(jm);
	b = inst_of(back);
	REQUIRE(a && b);
	for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
		same_call(a, b, "host", args[i], 1, true);
		same_call(a, b, "indirect", args[i], 1, true);
		same_call(a, b, "div", args[i], 1, true);
		same_call(a, b, "conv", args[i], 1, true);
	}
	free(art);
	wasm_instance_free(a);
	wasm_instance_free(b);
	wasm_module_free(back);
	wasm_module_free(jm);
	wasm_module_free(lm);
}

/* The layout the runtime relies on: function ranges ascending in index
 * order, imports (their stubs) first, every own function's range in the
 * code; srcmap entries ascending, each naming an instruction (wasm_off
 * not 0) inside an own function's range and inside a function body. */
TEST(llvm_code_layout)
{
	wasm_module *jm, *lm = load_both(calls_wat, &jm);
	const struct jit_code *c;
	uint32_t prev = 0;

	REQUIRE(lm && jm);
	c = lm->code;
	CHECK(c->nfuncs == lm->nfuncs);
	for (uint32_t i = 0; i < c->nfuncs; i++) {
		CHECK_MSG(c->func_offsets[i] >= prev && c->func_ends[i] > c->func_offsets[i] &&
			  c->func_ends[i] <= c->size, "function %u: [%u, %u)", i,
			  c->func_offsets[i], c->func_ends[i]);
		prev = c->func_ends[i];
	}
	for (uint32_t k = 0; k < c->nmap; k++) {
		bool inside = false, in_body = false;
		CHECK(k == 0 || c->map[k].code_off > c->map[k - 1].code_off);
		if (!c->map[k].wasm_off)
			continue;
		for (uint32_t i = lm->nimported_funcs; i < c->nfuncs; i++)
			in_body |= c->map[k].wasm_off >= lm->funcs[i].body_start &&
				   c->map[k].wasm_off < lm->funcs[i].body_end;
		CHECK_MSG(in_body, "srcmap %u: module offset 0x%x in no body", k,
			  c->map[k].wasm_off);
		for (uint32_t i = lm->nimported_funcs; i < c->nfuncs; i++)
			inside |= c->map[k].code_off >= c->func_offsets[i] &&
				  c->map[k].code_off < c->func_ends[i];
		CHECK_MSG(inside, "srcmap %u (0x%x) at 0x%x outside every function", k,
			  c->map[k].wasm_off, c->map[k].code_off);
	}
	wasm_module_free(jm);
	wasm_module_free(lm);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_llvm_runtime.XXXXXX");
	plat_host_init();
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(llvm_code_runs_through_the_instance_api);
	RUN(llvm_exceptions_as_single_pass);
	RUN(llvm_calls_import_with_v128);
	RUN(llvm_v128_results_through_result_area);
	RUN(llvm_fault_is_a_trap_named_by_function);
	RUN(llvm_backtrace_keeps_every_frame);
	RUN(llvm_artifact_round_trip);
	RUN(llvm_code_layout);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	CHECK_DONE();
}
