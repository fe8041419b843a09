/*
 * test_llvm.c — the LLVM backend (host/llvm/, issue 9) against the
 * single-pass JIT, differentially.  Each module of tests/llvm/ (.wat) is
 * loaded once (decoded and validated by wasm_module_load), instantiated
 * twice, and translated by the backend (wasm ABI v1, docs/abi.md), run
 * through O2 and compiled into executable memory with LLVM's MCJIT (for
 * this test only).  Every export is called on many argument vectors
 * (0, +-1, INT_MIN, NaNs, +-0, +-inf, bounds of the float->int
 * conversions...) in both: through wasm_call on the first instance
 * (single-pass, ABI v1 too) and through the backend's wasm_entry_<i> with the
 * second instance's context (its mem_base, globals, mem_grow), whose
 * ctx->trap is a function here that longjmps back with the code.  Results,
 * traps, linear memory and globals must agree; a NaN result may differ in
 * payload (Core spec §4.3.3: nondeterministic NaNs) but must be a NaN.
 * A few functions are also called directly as C functions, as v1 allows.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <llvm-c/Core.h>
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include "check.h"
#include "jit.h"
#include "module.h"
#include "wasm.h"
#include "llvm_backend.h"
#include "plat_host.h"

static sigjmp_buf trap_jb;

/* ctx->trap of the LLVM side: (ctx, code), does not return */
static void test_trap(struct jit_ctx *ctx, uint32_t code)
{
	(void)ctx;
	siglongjmp(trap_jb, (int)(code & 0xff) ? (int)(code & 0xff) : 0xff);
}

/*
 * Out-of-bounds accesses of LLVM code fault in the guard region of the
 * 8 GiB reservation.  The runtime's fault handler does not know LLVM code
 * yet (it trusts r14 only for the single-pass JIT), so while LLVM code
 * runs this handler stands in: a fault inside the reservation of the
 * running context is "out of bounds memory access"; any other fault goes
 * back to the runtime's handler, which kills the process.
 */
static struct sigaction rt_segv, rt_bus;
static const struct jit_ctx *running;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	uintptr_t base = running ? (uintptr_t)running->mem_base : 0;

	(void)uc;
	if (base && a >= base && a - base < JIT_MEM_RESERVATION)
		siglongjmp(trap_jb, WASM_TRAP_MEMORY_OOB);
	sigaction(SIGSEGV, &rt_segv, NULL);
	sigaction(SIGBUS, &rt_bus, NULL);
	(void)sig;
}

static void faults_to_test(bool on)
{
	struct sigaction sa;

	if (!on) {
		sigaction(SIGSEGV, &rt_segv, NULL);
		sigaction(SIGBUS, &rt_bus, NULL);
		return;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &rt_segv);
	sigaction(SIGBUS, &sa, &rt_bus);
}

struct lmod {
	wasm_module *m;
	wasm_instance *ref, *lli;
	struct jit_ctx *lctx;
	void *saved_trap;
	LLVMContextRef c;
	LLVMExecutionEngineRef ee;
};

static uint8_t *read_wasm(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	uint8_t *b;
	long n;

	snprintf(path, sizeof path, "%s/tests/llvm/%s.wasm", WASMETAL_BUILD_DIR, name);
	if (!(f = fopen(path, "rb")))
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc(n > 0 ? (size_t)n : 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void lmod_free(struct lmod *lm)
{
	if (lm->ee)
		LLVMDisposeExecutionEngine(lm->ee);   /* and the module */
	if (lm->c)
		LLVMContextDispose(lm->c);
	if (lm->lctx)
		lm->lctx->trap = lm->saved_trap;
	if (lm->lli)
		wasm_instance_free(lm->lli);
	if (lm->ref)
		wasm_instance_free(lm->ref);
	if (lm->m)
		wasm_module_free(lm->m);
	memset(lm, 0, sizeof *lm);
}

/* Load, instantiate twice, translate, O2, MCJIT.  0 or -1 (message out). */
static int lmod_load(struct lmod *lm, const char *name, char *msg, size_t msglen)
{
	struct wasm_error err;
	struct wasm_trap trap;
	size_t len;
	uint8_t *b = read_wasm(name, &len);
	LLVMModuleRef mod;
	struct LLVMMCJITCompilerOptions opt;
	char *emsg = NULL;
	int rc;

	memset(lm, 0, sizeof *lm);
	snprintf(msg, msglen, "cannot read %s.wasm", name);
	if (!b)
		return -1;
	rc = wasm_module_load(b, len, &lm->m, &err);
	free(b);
	snprintf(msg, msglen, "%s: load or instantiate failed", name);
	if (rc || wasm_instance_new(lm->m, NULL, 0, &lm->ref, &err, &trap) ||
	    wasm_instance_new(lm->m, NULL, 0, &lm->lli, &err, &trap))
		return -1;
	lm->lctx = (struct jit_ctx *)lm->lli;   /* wasm_instance starts with it */
	lm->saved_trap = lm->lctx->trap;
	lm->lctx->trap = (void *)test_trap;
	lm->c = LLVMContextCreate();
	if (llvm_wasm_translate(lm->m, lm->c, jit_cpu_features(), &mod, msg, msglen) ||
	    llvm_wasm_optimize(mod, msg, msglen))
		return -1;
	LLVMInitializeMCJITCompilerOptions(&opt, sizeof opt);
	opt.OptLevel = 2;
	if (LLVMCreateMCJITCompilerForModule(&lm->ee, mod, &opt, sizeof opt, &emsg)) {
		snprintf(msg, msglen, "MCJIT: %s", emsg ? emsg : "?");
		LLVMDisposeMessage(emsg);
		LLVMDisposeModule(mod);
		return -1;
	}
	return 0;
}

static void *lfunc(struct lmod *lm, const char *prefix, uint32_t i)
{
	char name[48];

	snprintf(name, sizeof name, "%s_%u", prefix, i);
	return (void *)(uintptr_t)LLVMGetFunctionAddress(lm->ee, name);
}

/* Call wasm_entry_<i> in the LLVM instance: 0, or the trap code. */
static int run_llvm(struct lmod *lm, uint32_t i, const uint64_t *args, uint64_t *res)
{
	void (*entry)(struct jit_ctx *, const uint64_t *, uint64_t *) =
		(void (*)(struct jit_ctx *, const uint64_t *, uint64_t *))lfunc(lm, "wasm_entry", i);
	volatile int code;
	char here;

	/* the LLVM code runs on this stack: leave it 512 KiB */
	lm->lctx->stack_limit = (uintptr_t)&here - (512u << 10);
	running = lm->lctx;
	faults_to_test(true);
	code = sigsetjmp(trap_jb, 1);
	if (code == 0)
		entry(lm->lctx, args, res);
	faults_to_test(false);
	return code;
}

/* ---- argument vectors -------------------------------------------------- */

static const uint64_t vals_i32[] = {
	0, 1, 0xffffffff, 2, 0x80000000, 0x7fffffff, 31, 32, 33, 0x12345678,
	0xfffffffe, 3, 0xdeadbeef, 7, 1000, 65536, 0x80000001, 17 };
static const uint64_t vals_i64[] = {
	0, 1, ~0ull, 2, 0x8000000000000000ull, 0x7fffffffffffffffull, 63, 64, 65,
	0x123456789abcdef0ull, 0xffffffffull, 0x100000000ull, ~1ull, 3,
	0x8000000000000001ull, 1000, 0x80000000ull, 0xffffffff80000000ull };
static const uint64_t vals_f32[] = {
	0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000,
	0x7fc00000, 0x7fa00000, 0xffc00001, 0x4f000000, 0xcf000000, 0x4f800000,
	0x5f000000, 0xdf000000, 0x3f000000, 0x3fc00000, 0x40200000, 0xbfc00000,
	0x00000001, 0x7f7fffff, 0x4effffff, 0xcf000001, 0x5f800000, 0x4b800001,
	0xbf7fffff, 0x4f7fffff, 0x5effffff, 0x40490fdb };
static const uint64_t vals_f64[] = {
	0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
	0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
	0x7ff4000000000000ull, 0xfff8000000000123ull, 0x41e0000000000000ull,
	0xc1e0000000000000ull, 0xc1e0000000200000ull, 0xc1e00000001fffffull,
	0x41efffffffe00000ull, 0x41f0000000000000ull, 0x43e0000000000000ull,
	0xc3e0000000000000ull, 0x43f0000000000000ull, 0x3fe0000000000000ull,
	0x3ff8000000000000ull, 0x4004000000000000ull, 0xc004000000000000ull,
	1, 0x7fefffffffffffffull, 0x41dfffffffffffffull, 0xbfefffffffffffffull,
	0x43efffffffffffffull, 0x400921fb54442d18ull, 0xbfe8000000000000ull };

#define N(a) (sizeof a / sizeof a[0])

static const uint64_t *vals_of(uint8_t t, size_t *n)
{
	switch (t) {
	case WASM_I32: *n = N(vals_i32); return vals_i32;
	case WASM_I64: *n = N(vals_i64); return vals_i64;
	case WASM_F32: *n = N(vals_f32); return vals_f32;
	default: *n = N(vals_f64); return vals_f64;
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* vector k of a function's params: every combination for <= 2 params,
 * else pseudo-random picks; one in eight random bits */
static void make_args(const struct wasm_functype *ft, size_t k, uint64_t *args)
{
	size_t n0, n1;

	for (uint32_t p = 0; p < ft->nparams; p++) {
		const uint64_t *v = vals_of(ft->params[p], &n0);
		size_t idx;
		if (ft->nparams <= 2) {
			vals_of(ft->params[0], &n1);
			idx = p == 0 ? k % n1 : k / n1;
			args[p] = v[idx % n0];
		} else if (rnd() % 8 == 0) {
			args[p] = rnd();
		} else {
			args[p] = v[rnd() % n0];
		}
		if (ft->params[p] == WASM_I32 || ft->params[p] == WASM_F32)
			args[p] &= 0xffffffffu;
	}
}

static size_t nvectors(const struct wasm_functype *ft)
{
	size_t a = 1, b = 1;

	if (ft->nparams == 0)
		return 1;
	vals_of(ft->params[0], &a);
	if (ft->nparams == 1)
		return a;
	vals_of(ft->params[1], &b);
	return ft->nparams == 2 ? a * b : 300;
}

static bool is_nan(uint8_t t, uint64_t v)
{
	if (t == WASM_F32)
		return (v & 0x7f800000u) == 0x7f800000u && (v & 0x7fffffu);
	if (t == WASM_F64)
		return (v & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
		       (v & 0xfffffffffffffull);
	return false;
}

static bool same_result(uint8_t t, uint64_t a, uint64_t b)
{
	if (t == WASM_I32 || t == WASM_F32) {
		a &= 0xffffffffu;
		b &= 0xffffffffu;
	}
	return a == b || (is_nan(t, a) && is_nan(t, b));
}

static unsigned reported;

/* Own globals of both instances: i32 and f32 live in the low 4 bytes of
 * their 8-byte slot, the rest of the slot is unspecified (docs/abi.md). */
static bool same_globals(struct lmod *lm)
{
	const uint64_t *a = ((struct jit_ctx *)lm->ref)->globals, *b = lm->lctx->globals;

	for (uint32_t i = lm->m->nimported_globals; i < lm->m->nglobals; i++) {
		uint8_t t = lm->m->globals[i].type;
		if (!same_result(t, a[i], b[i])) {
			if (reported++ < 20)
				fprintf(stderr, "global %u: %" PRIx64 " single-pass, %"
					PRIx64 " llvm\n", i, a[i], b[i]);
			return false;
		}
	}
	return true;
}

/* One export on every vector; *calls counts the vectors run. */
static size_t ntraps;   /* vectors where both trapped (the same way) */

static void diff_export(struct lmod *lm, const struct wasm_export *e, size_t *calls)
{
	const struct wasm_functype *ft = wasm_func_type(lm->m, e->index);
	uint64_t args[64], r1[64], r2[64];
	struct wasm_trap trap;
	struct wasm_error err;
	size_t nv = nvectors(ft);

	CHECK_MSG(ft->nparams <= 64 && ft->nresults <= 64, "%s: too many params or results "
		  "for this test", e->name);
	for (size_t k = 0; k < nv && ft->nparams <= 64 && ft->nresults <= 64; k++) {
		int rc, code;
		make_args(ft, k, args);
		memset(r1, 0, sizeof r1);
		memset(r2, 0, sizeof r2);
		rc = wasm_call_n(lm->ref, e->name, e->name_len, args, ft->nparams, r1,
				 ft->nresults, &trap, &err);
		code = run_llvm(lm, e->index, args, r2);
		(*calls)++;
		ntraps += rc == 1 && code != 0;
		CHECK_MSG(rc == 0 || rc == 1, "%s: wasm_call failed", e->name);
		CHECK_MSG((rc == 1 ? (int)trap.code : 0) == code,
			  "%s(vector %zu: %" PRIx64 " %" PRIx64 "): trap %d single-pass, %d llvm",
			  e->name, k, args[0], args[1], rc == 1 ? (int)trap.code : 0, code);
		for (uint32_t i = 0; rc == 0 && code == 0 && i < ft->nresults; i++) {
			if (same_result(ft->results[i], r1[i], r2[i]))
				continue;
			check_case_failed = 1;  /* reported or not */
			if (reported++ < 20)
				CHECK_MSG(0, "%s(%" PRIx64 ", %" PRIx64 "): result %u: "
					  "%" PRIx64 " single-pass, %" PRIx64 " llvm",
					  e->name, args[0], args[1], i, r1[i], r2[i]);
		}
		CHECK_MSG(wasm_memory_size(lm->ref) == lm->lctx->mem_size &&
			  (!lm->lctx->mem_size ||
			   !memcmp(wasm_memory_base(lm->ref), lm->lctx->mem_base,
				   lm->lctx->mem_size)), "%s: memories differ", e->name);
		CHECK_MSG(same_globals(lm), "%s: globals differ", e->name);
	}
}

/* Every exported function of module `name`, both ways. */
static void diff_module(const char *name, size_t min_exports)
{
	struct lmod lm;
	char msg[256];
	size_t calls = 0, nexp = 0;

	if (lmod_load(&lm, name, msg, sizeof msg)) {
		CHECK_MSG(0, "%s", msg);
		lmod_free(&lm);
		return;
	}
	for (uint32_t i = 0; i < lm.m->nexports; i++) {
		if (lm.m->exports[i].kind != WASM_EXTERN_FUNC)
			continue;
		nexp++;
		diff_export(&lm, &lm.m->exports[i], &calls);
	}
	CHECK_MSG(nexp >= min_exports, "%s: %zu exports", name, nexp);
	fprintf(stderr, "test_llvm: %s: %zu exports, %zu calls compared, %zu of them traps\n",
		name, nexp, calls, ntraps);
	ntraps = 0;
	lmod_free(&lm);
}

TEST(numeric_matches_single_pass) { diff_module("numeric", 140); }
TEST(control_matches_single_pass) { diff_module("control", 22); }
TEST(memory_matches_single_pass) { diff_module("memory", 14); }
TEST(bench_kernels_match_single_pass) { diff_module("bench_kernels", 3); }

static uint32_t export_index(struct lmod *lm, const char *name)
{
	const struct wasm_export *e = wasm_find_export(lm->m, WASM_EXTERN_FUNC, name,
						       strlen(name));
	return e ? e->index : UINT32_MAX;
}

/* v1 is the C convention with ctx first: call compiled functions as C
 * functions.  An i32 argument's upper 32 bits are garbage on purpose
 * (docs/abi.md: undefined; the callee must not use them). */
TEST(direct_c_calls)
{
	struct lmod lm;
	char msg[256];
	struct wasm_trap trap;
	struct wasm_error err;
	uint64_t args[2], r[5];

	REQUIRE(lmod_load(&lm, "numeric", msg, sizeof msg) == 0);
	{
		uint32_t (*add)(struct jit_ctx *, uint64_t, uint64_t) =
			(uint32_t (*)(struct jit_ctx *, uint64_t, uint64_t))
			lfunc(&lm, "wasm_func", export_index(&lm, "i32.add"));
		double (*fadd)(struct jit_ctx *, double, double) =
			(double (*)(struct jit_ctx *, double, double))
			lfunc(&lm, "wasm_func", export_index(&lm, "f64.add"));
		REQUIRE(add && fadd);
		lm.lctx->stack_limit = 0;
		CHECK_EQ_U64(add(lm.lctx, 0xdead000000000005ull, 0xbeef0000fffffffeull), 3);
		CHECK(fadd(lm.lctx, 1.25, -0.5) == 0.75);
	}
	lmod_free(&lm);

	REQUIRE(lmod_load(&lm, "memory", msg, sizeof msg) == 0);
	{
		uint32_t (*load_at)(struct jit_ctx *, uint64_t) =
			(uint32_t (*)(struct jit_ctx *, uint64_t))
			lfunc(&lm, "wasm_func", export_index(&lm, "load_at"));
		REQUIRE(load_at);
		lm.lctx->stack_limit = 0;
		memcpy(lm.lctx->mem_base + 65532, "\x11\x22\x33\x44", 4);
		/* address 0 with garbage above: must read offset 65532, not fault */
		CHECK_EQ_U64(load_at(lm.lctx, 0xffffffff00000000ull), 0x44332211);
	}
	lmod_free(&lm);

	REQUIRE(lmod_load(&lm, "control", msg, sizeof msg) == 0);
	{
		struct two { uint64_t a, b; };  /* INTEGER, INTEGER: rax, rdx */
		struct two (*ifp)(struct jit_ctx *, uint32_t, uint32_t) =
			(struct two (*)(struct jit_ctx *, uint32_t, uint32_t))
			lfunc(&lm, "wasm_func", export_index(&lm, "if_params"));
		void (*five)(struct jit_ctx *, uint64_t *, uint32_t) =
			(void (*)(struct jit_ctx *, uint64_t *, uint32_t))
			lfunc(&lm, "wasm_func", export_index(&lm, "call_five"));
		struct two t;
		uint64_t area[5];
		REQUIRE(ifp && five);
		lm.lctx->stack_limit = 0;
		args[0] = 1;
		args[1] = 20;
		REQUIRE(wasm_call(lm.ref, "if_params", args, 2, r, 2, &trap, &err) == 0);
		t = ifp(lm.lctx, 1, 20);
		CHECK_EQ_U64((uint32_t)t.a, r[0]);
		CHECK_EQ_U64((uint32_t)t.b, r[1]);
		args[0] = 77;
		REQUIRE(wasm_call(lm.ref, "call_five", args, 1, r, 5, &trap, &err) == 0);
		memset(area, 0xa5, sizeof area);
		five(lm.lctx, area, 77);   /* 5 results: the result area */
		CHECK_EQ_U64((uint32_t)area[0], r[0]);
		CHECK_EQ_U64(area[1], r[1]);
		CHECK_EQ_U64((uint32_t)area[2], r[2]);
		CHECK_EQ_U64(area[3], r[3]);
		CHECK_EQ_U64((uint32_t)area[4], r[4]);
	}
	lmod_free(&lm);
}

/* v1 attributes on every function (docs/abi.md "Stack") */
TEST(functions_have_v1_attributes)
{
	wasm_module *m;
	struct wasm_error err;
	size_t len;
	uint8_t *b = read_wasm("control", &len);
	LLVMContextRef c = LLVMContextCreate();
	LLVMModuleRef mod;
	char msg[256];
	unsigned nfn = 0;

	REQUIRE(b && wasm_module_load(b, len, &m, &err) == 0);
	free(b);
	REQUIRE(llvm_wasm_translate(m, c, jit_cpu_features(), &mod, msg, sizeof msg) == 0);
	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
		size_t n;
		const char *name = LLVMGetValueName2(f, &n);
		LLVMAttributeRef fp, tc;
		unsigned nr = LLVMGetEnumAttributeKindForName("noredzone", 9);
		if (strncmp(name, "wasm_", 5))
			continue;
		nfn++;
		fp = LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex,
						   "frame-pointer", 13);
		tc = LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex,
						   "disable-tail-calls", 18);
		CHECK_MSG(fp && !strcmp(LLVMGetStringAttributeValue(fp, (unsigned *)&n), "all"),
			  "%s: frame-pointer", name);
		CHECK_MSG(tc != NULL, "%s: disable-tail-calls", name);
		CHECK_MSG(LLVMGetEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, nr) != NULL,
			  "%s: noredzone", name);
		CHECK_MSG(LLVMGetFunctionCallConv(f) == LLVMCCallConv, "%s: ccc", name);
	}
	CHECK(nfn >= 2 * (m->nfuncs - m->nimported_funcs));
	LLVMDisposeModule(mod);
	LLVMContextDispose(c);
	wasm_module_free(m);
}

/*
 * Compiled code never holds the address of a C function (docs/abi.md
 * "Calls out"): in the x86-64 assembly of every module, each call goes to
 * one of the module's own functions or through a register (ctx->trap,
 * ctx->mem_grow), never to a symbol such as a libm routine LLVM could
 * lower an intrinsic to (floorf without SSE4.1, say).  Also: every
 * function sets up rbp (frame pointers always).
 */
static void check_asm(const char *name)
{
	wasm_module *m;
	struct wasm_error err;
	size_t len, ncalls = 0, nframes = 0, nfuncs = 0;
	uint8_t *b = read_wasm(name, &len);
	LLVMContextRef c = LLVMContextCreate();
	LLVMModuleRef mod;
	LLVMTargetRef t;
	LLVMTargetMachineRef tm;
	LLVMMemoryBufferRef asmbuf;
	char msg[256], *emsg = NULL, *text, *line, *save;

	REQUIRE(b && wasm_module_load(b, len, &m, &err) == 0);
	free(b);
	REQUIRE(llvm_wasm_translate(m, c, jit_cpu_features(), &mod, msg, sizeof msg) == 0);
	REQUIRE(llvm_wasm_optimize(mod, msg, sizeof msg) == 0);
	REQUIRE(LLVMGetTargetFromTriple(LLVMGetTarget(mod), &t, &emsg) == 0);
	tm = LLVMCreateTargetMachine(t, LLVMGetTarget(mod), "x86-64", "",
				     LLVMCodeGenLevelDefault, LLVMRelocPIC,
				     LLVMCodeModelDefault);
	REQUIRE(LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMAssemblyFile, &emsg,
						    &asmbuf) == 0);
	text = strndup(LLVMGetBufferStart(asmbuf), LLVMGetBufferSize(asmbuf));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *op = line + strspn(line, " \t");
		if (!strncmp(op, "wasm_func_", 10) && strchr(op, ':'))
			nfuncs++;
		if (!strncmp(op, "movq\t%rsp, %rbp", 15))
			nframes++;
		if (strncmp(op, "call", 4) && strncmp(op, "jmp\t", 4))
			continue;
		op += strcspn(op, " \t");
		op += strspn(op, " \t");
		if (*op == '.')         /* a local label */
			continue;
		ncalls++;
		CHECK_MSG(*op == '*' || !strncmp(op, "wasm_func_", 10),
			  "%s: call to %s", name, op);
	}
	CHECK_MSG(nframes >= nfuncs && nfuncs > 0, "%s: %zu functions, %zu set up rbp",
		  name, nfuncs, nframes);
	CHECK(ncalls > 0);
	free(text);
	LLVMDisposeMemoryBuffer(asmbuf);
	LLVMDisposeTargetMachine(tm);
	LLVMDisposeModule(mod);
	LLVMContextDispose(c);
	wasm_module_free(m);
}

TEST(no_calls_to_c_functions)
{
	check_asm("numeric");
	check_asm("control");
	check_asm("memory");
	check_asm("bench_kernels");
}

TEST(unsupported_opcode_is_named)
{
	wasm_module *m;
	struct wasm_error err;
	size_t len;
	uint8_t *b = read_wasm("unsupported", &len);
	LLVMContextRef c = LLVMContextCreate();
	LLVMModuleRef mod = NULL;
	char msg[256];

	REQUIRE(b && wasm_module_load(b, len, &m, &err) == 0);
	free(b);
	CHECK(llvm_wasm_translate(m, c, jit_cpu_features(), &mod, msg, sizeof msg) == -1);
	CHECK_MSG(!strcmp(msg, "llvm backend: call_indirect not supported yet (function 1)"),
		  "message: %s", msg);
	LLVMContextDispose(c);
	wasm_module_free(m);
}

int main(void)
{
	plat_host_init();       /* the fault handler: the single-pass JIT's
				   guard-region traps */
	LLVMLinkInMCJIT();
	LLVMInitializeNativeTarget();
	LLVMInitializeNativeAsmPrinter();
	RUN(numeric_matches_single_pass);
	RUN(control_matches_single_pass);
	RUN(memory_matches_single_pass);
	RUN(bench_kernels_match_single_pass);
	RUN(direct_c_calls);
	RUN(functions_have_v1_attributes);
	RUN(no_calls_to_c_functions);
	RUN(unsupported_opcode_is_named);
	CHECK_DONE();
}
