/*
 * test_llvm.c — the LLVM backend (host/llvm/, issue 9) against the
 * single-pass JIT, differentially.  Each module of tests/llvm/ (.wat) is
 * loaded once (decoded and validated by wasm_module_load), instantiated
 * twice, and compiled by the backend (wasm ABI v1, docs/abi.md) as an
 * artifact would be: O2, an ELF object in memory, the backend's own
 * reader and relocator (llvm_elf.c), one position-independent blob, here
 * copied into a fresh executable mapping (no LLVM JIT).  Every export is called on many argument vectors
 * (0, +-1, INT_MIN, NaNs, +-0, +-inf, bounds of the float->int
 * conversions...) in both: through wasm_call on the first instance
 * (single-pass, ABI v1 too) and through the backend's wasm_entry_<i> with the
 * second instance's context (its mem_base, globals, mem_grow), whose
 * ctx->trap is a function here that longjmps back with the code, and
 * whose funcrefs name the LLVM code and v1 host functions.  Results,
 * traps (and the element they name), linear memory, globals, tables and
 * segments must agree; a NaN result may differ in
 * payload (Core spec §4.3.3: nondeterministic NaNs) but must be a NaN,
 * quiet where the other's is quiet.
 * A few functions are also called directly as C functions, as v1 allows.
 * Every module again with the LLVM code compiled for baseline x86-64
 * (cpu 0: `--cpu baseline`), and that code disassembled: each CPU feature
 * set gives LLVM exactly its instructions (docs/artifact.md "Choosing the
 * CPU").
 */
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <llvm-c/Core.h>
#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include "check.h"
#include "jit.h"
#include "link.h"
#include "module.h"
#include "wasm.h"
#include "llvm_backend.h"
#include "readfile.h"
#include "plat_host.h"

static sigjmp_buf trap_jb;

/* ctx->trap of the LLVM side: (ctx, code [| JIT_TRAP_INDEX], index), does
 * not return; the last index named, for the check against the JIT's */
static uint32_t trap_index;
static bool trap_has_index;
static uintptr_t trap_ret;      /* where it was called from */

static void test_trap(struct jit_ctx *ctx, uint32_t code, uint32_t index)
{
	(void)ctx;
	trap_ret = (uintptr_t)__builtin_return_address(0);
	trap_has_index = code & JIT_TRAP_INDEX;
	trap_index = index;
	siglongjmp(trap_jb, (int)(code & 0xff) ? (int)(code & 0xff) : 0xff);
}

/*
 * Out-of-bounds accesses of LLVM code fault in the guard region of the
 * 8 GiB reservation.  The runtime's fault handler does not know LLVM code
 * yet (it redirects only faults inside the instance's single-pass module
 * code), so while LLVM code runs this handler stands in: a fault inside
 * the reservation of the
 * running context is "out of bounds memory access"; any other fault goes
 * back to the runtime's handler, which kills the process.
 */
static struct sigaction rt_segv, rt_bus;
static const struct jit_ctx *running;
static uint32_t running_nmem;           /* its module's memories */

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	uintptr_t base = running ? (uintptr_t)running->mem_base : 0;

	(void)uc;
	if (base && a >= base && a - base < JIT_MEM_RESERVATION)
		siglongjmp(trap_jb, WASM_TRAP_MEMORY_OOB);
	for (uint32_t i = 1; running && i < running_nmem; i++) {  /* multi-memory */
		base = (uintptr_t)running->mems[i]->base;
		if (a >= base && a - base < JIT_MEM_RESERVATION)
			siglongjmp(trap_jb, WASM_TRAP_MEMORY_OOB);
	}
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

/*
 * The imports of tests/llvm/imports.wat, each twice: as a host function
 * of the runtime (value slots, for the single-pass instance) and as a v1
 * function (docs/abi.md: a C function with ctx first), which the LLVM
 * instance's funcref of the import is pointed at.  Both compute the same
 * thing; divmod traps on a zero divisor (the v1 one through ctx->trap, as
 * a runtime stub would).
 */
static uint64_t mix_of(uint32_t a, uint64_t b, uint64_t cbits)
{
	return (uint64_t)a * 3 + b + (cbits >> 7);
}

static enum wasm_trap_code host_mix(wasm_instance *i, void *env, const uint64_t *a,
				    uint64_t *r)
{
	r[0] = mix_of((uint32_t)a[0], a[1], a[2]);
	return WASM_TRAP_NONE;
}

static uint64_t v1_mix(struct jit_ctx *ctx, uint32_t a, uint64_t b, double c)
{
	uint64_t bits;

	memcpy(&bits, &c, 8);
	return mix_of(a, b, bits);
}

static double sum8_of(const uint64_t *v, float f, double d)
{
	double s = 0;

	for (int k = 0; k < 8; k++)     /* i32 (signed) and i64 alternate */
		s = s * 0.5 + (k % 2 ? (double)(int64_t)v[k] : (double)(int32_t)v[k]);
	return s + f * 2 + d;
}

static enum wasm_trap_code host_sum8(wasm_instance *i, void *env, const uint64_t *a,
				     uint64_t *r)
{
	float f;
	double d, s;

	memcpy(&f, &a[8], 4);
	memcpy(&d, &a[9], 8);
	s = sum8_of(a, f, d);
	memcpy(&r[0], &s, 8);
	return WASM_TRAP_NONE;
}

static double v1_sum8(struct jit_ctx *ctx, uint32_t a, uint64_t b, uint32_t c, uint64_t d,
		      uint32_t e, uint64_t f, uint32_t g, uint64_t h, float x, double y)
{
	uint64_t v[8] = { a, b, c, d, e, f, g, h };

	return sum8_of(v, x, y);
}

static enum wasm_trap_code host_divmod(wasm_instance *i, void *env, const uint64_t *a,
				       uint64_t *r)
{
	if ((uint32_t)a[1] == 0)
		return WASM_TRAP_DIV_BY_ZERO;
	r[0] = (uint32_t)a[0] / (uint32_t)a[1];
	r[1] = (uint32_t)a[0] % (uint32_t)a[1];
	return WASM_TRAP_NONE;
}

struct two64 { uint64_t a, b; };        /* (i32, i32): eax, edx */

static struct two64 v1_divmod(struct jit_ctx *ctx, uint32_t a, uint32_t b)
{
	if (b == 0)
		((void (*)(struct jit_ctx *, uint32_t, uint32_t))ctx->trap)(
			ctx, WASM_TRAP_DIV_BY_ZERO, 0);
	return (struct two64){ a / b, a % b };
}

static const struct wasm_host_func host_funcs[] = {
	{ "env", "mix", "iIF", "I", host_mix, NULL },
	{ "env", "sum8", "iIiIiIiIfF", "F", host_sum8, NULL },
	{ "env", "divmod", "ii", "ii", host_divmod, NULL },
};
static void *const v1_funcs[] = { (void *)v1_mix, (void *)v1_sum8, (void *)v1_divmod };

/* imported globals: name, type and initial bits */
static const struct { const char *name; uint8_t type; uint64_t init; } import_globals[] = {
	{ "gi", WASM_I32, 7 }, { "gl", WASM_I64, (uint64_t)-3 },
	{ "gf", WASM_F32, 0x3fc00000 }, { "gd", WASM_F64, 0xc002000000000000ull },
	{ "ki", WASM_I32, 42 }, { "kd", WASM_F64, 0x3fc0000000000000ull },
};
#define NIMPORT_GLOBALS (sizeof import_globals / sizeof import_globals[0])

struct lmod {
	wasm_module *m;
	wasm_instance *ref, *lli;
	struct jit_ctx *lctx;
	void *saved_trap;
	struct llvm_wasm_code code;     /* the blob, relocated */
	uint8_t *exec;                  /* a copy of it, mapped RX */
	size_t exec_len;
	uint64_t cells_ref[NIMPORT_GLOBALS], cells_lli[NIMPORT_GLOBALS];
	int nbound;
};

static int find_import_global(const struct wasm_import *im)
{
	for (size_t g = 0; g < NIMPORT_GLOBALS; g++)
		if (!strcmp(im->name, import_globals[g].name))
			return (int)g;
	return -1;
}

static int find_host_func(const struct wasm_import *im)
{
	for (size_t f = 0; f < sizeof host_funcs / sizeof host_funcs[0]; f++)
		if (!strcmp(im->name, host_funcs[f].name))
			return (int)f;
	return -1;
}

/* instantiate m with the test's imports bound (cells: one per global) */
static int instantiate(struct lmod *lm, uint64_t *cells, wasm_instance **out)
{
	struct jit_binding b[16];
	struct wasm_error err;
	struct wasm_trap trap;

	if (lm->m->nimports > 16)
		return -1;
	memset(b, 0, sizeof b);
	for (uint32_t k = 0; k < lm->m->nimports; k++) {
		const struct wasm_import *im = &lm->m->imports[k];
		int g = find_import_global(im), f = find_host_func(im);
		if (im->kind == WASM_EXTERN_GLOBAL && g >= 0) {
			cells[g] = import_globals[g].init;
			b[k].global = &cells[g];
		} else if (im->kind == WASM_EXTERN_FUNC && f >= 0) {
			b[k].func = &host_funcs[f];
		} else {
			return -1;
		}
	}
	return jit_instance_new(lm->m, NULL, 0, lm->m->nimports ? b : NULL, out, &err, &trap);
}

/* A module built in this file (from bytes, for what wabt 1.0.32 cannot
 * write): read_wasm gives a copy of it for its name. */
static struct { const char *name; const uint8_t *bytes; size_t len; } builtin;

static uint8_t *read_wasm(const char *name, size_t *len)
{
	char path[512];
	uint8_t *b;

	if (builtin.name && !strcmp(name, builtin.name)) {
		if ((b = malloc(builtin.len)))
			memcpy(b, builtin.bytes, *len = builtin.len);
		return b;
	}
	snprintf(path, sizeof path, "%s/tests/llvm/%s.wasm", WASMETAL_BUILD_DIR, name);
	return host_read_file(path, len);
}

static void lmod_free(struct lmod *lm)
{
	if (lm->exec)
		munmap(lm->exec, lm->exec_len);
	llvm_wasm_code_free(&lm->code);
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

static void *lfunc(struct lmod *lm, const char *prefix, uint32_t i)
{
	const uint32_t *off = !strcmp(prefix, "wasm_func") ? lm->code.func_off
							    : lm->code.entry_off;

	if (i >= lm->code.nfuncs || off[i] == UINT32_MAX)
		return NULL;
	return lm->exec + off[i];
}

/* The LLVM instance's funcrefs (ref.func, tables, imports) name v1 code:
 * its own functions' LLVM code and the test's own v1 C versions of the
 * host functions (instead of the JIT instance's import stubs). */
static int point_funcrefs(struct lmod *lm, char *msg, size_t msglen)
{
	for (uint32_t i = 0; i < lm->m->nfuncs; i++) {
		struct jit_funcref *fr = lm->lctx->funcrefs[i];
		if (lm->m->funcs[i].imported) {
			const struct wasm_import *im = NULL;
			for (uint32_t k = 0; k < lm->m->nimports; k++)
				if (lm->m->imports[k].kind == WASM_EXTERN_FUNC &&
				    lm->m->imports[k].index == i)
					im = &lm->m->imports[k];
			int f = im ? find_host_func(im) : -1;
			if (f < 0)
				return snprintf(msg, msglen, "import %u: no v1 function", i), -1;
			fr->code = v1_funcs[f];
		} else if (!(fr->code = lfunc(lm, "wasm_func", i))) {
			return snprintf(msg, msglen, "no code for function %u", i), -1;
		}
	}
	return 0;
}

/* The blob into a fresh mapping, then read+execute only: it runs where
 * it lands (position-independent, relocated already). */
static int map_code(struct lmod *lm, char *msg, size_t msglen)
{
	long pg = sysconf(_SC_PAGESIZE);

	lm->exec_len = (lm->code.size + (size_t)pg - 1) & ~((size_t)pg - 1);
	if (!lm->exec_len)
		lm->exec_len = (size_t)pg;
	lm->exec = mmap(NULL, lm->exec_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (lm->exec == MAP_FAILED) {
		lm->exec = NULL;
		return snprintf(msg, msglen, "mmap failed"), -1;
	}
	memcpy(lm->exec, lm->code.blob, lm->code.size);
	if (mprotect(lm->exec, lm->exec_len, PROT_READ | PROT_EXEC))
		return snprintf(msg, msglen, "mprotect failed"), -1;
	return 0;
}

/* Load, instantiate twice, translate for the CPU features cpu
 * (JIT_CPU_*), O2, object file, blob, map.  0 or -1 (message out).  The
 * single-pass instance (the reference) is compiled for this CPU. */
static int lmod_load_cpu(struct lmod *lm, const char *name, unsigned cpu, char *msg,
			 size_t msglen)
{
	struct wasm_error err;
	size_t len;
	uint8_t *b = read_wasm(name, &len);
	int rc;

	memset(lm, 0, sizeof *lm);
	snprintf(msg, msglen, "cannot read %s.wasm", name);
	if (!b)
		return -1;
	rc = wasm_module_load(b, len, &lm->m, &err);
	free(b);
	snprintf(msg, msglen, "%s: load or instantiate failed", name);
	if (rc || instantiate(lm, lm->cells_ref, &lm->ref) ||
	    instantiate(lm, lm->cells_lli, &lm->lli))
		return -1;
	lm->lctx = (struct jit_ctx *)lm->lli;   /* wasm_instance starts with it */
	lm->saved_trap = lm->lctx->trap;
	lm->lctx->trap = (void *)test_trap;
	if (llvm_wasm_compile(lm->m, cpu, &lm->code, msg, msglen) ||
	    map_code(lm, msg, msglen))
		return -1;
	return point_funcrefs(lm, msg, msglen);
}

static int lmod_load(struct lmod *lm, const char *name, char *msg, size_t msglen)
{
	return lmod_load_cpu(lm, name, jit_cpu_features(), msg, msglen);
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
	running_nmem = lm->m->nmemories;
	faults_to_test(true);
	trap_has_index = false;
	trap_ret = 0;
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

/* externref: opaque to the engine (jit.h), 0 = null */
static const uint64_t vals_extern[] = { 0, 1, 2, 0x1234, ~0ull };
/* funcref arguments: only null (a non-null one names one instance's
 * function, and the two sides are different instances) */
static const uint64_t vals_func[] = { 0 };

#define N(a) (sizeof a / sizeof a[0])

static const uint64_t *vals_of(uint8_t t, size_t *n)
{
	switch (t) {
	case WASM_I32: *n = N(vals_i32); return vals_i32;
	case WASM_I64: *n = N(vals_i64); return vals_i64;
	case WASM_F32: *n = N(vals_f32); return vals_f32;
	case WASM_EXTERNREF: *n = N(vals_extern); return vals_extern;
	case WASM_FUNCREF: *n = N(vals_func); return vals_func;
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
		} else if (rnd() % 8 == 0 && ft->params[p] != WASM_FUNCREF) {
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

/* the quiet bit (the top bit of the significand) of a NaN */
static bool is_quiet(uint8_t t, uint64_t v)
{
	return t == WASM_F32 ? (v >> 22) & 1 : (v >> 51) & 1;
}

/* a funcref of either instance: null, or the function it names (its
 * func_index, in an instance of the same module) */
static int64_t func_of(uint64_t r)
{
	return r ? (int64_t)((const struct jit_funcref *)(uintptr_t)r)->func_index : -1;
}

static bool same_result(uint8_t t, uint64_t a, uint64_t b)
{
	if (t == WASM_FUNCREF)
		return func_of(a) == func_of(b);
	if (t == WASM_I32 || t == WASM_F32) {
		a &= 0xffffffffu;
		b &= 0xffffffffu;
	}
	/* NaNs may differ in payload, not in kind: a quiet NaN where the
	   other side has a signaling one is an arithmetic operation that did
	   not quiet it (snan_identity_folds.wat) */
	return a == b || (is_nan(t, a) && is_nan(t, b) && is_quiet(t, a) == is_quiet(t, b));
}

static unsigned reported;

/* Own globals of both instances: i32 and f32 live in the low 4 bytes of
 * their 8-byte slot, the rest of the slot is unspecified (docs/abi.md). */
static bool same_globals(struct lmod *lm)
{
	const uint64_t *a = ((struct jit_ctx *)lm->ref)->globals, *b = lm->lctx->globals;

	for (size_t g = 0; g < NIMPORT_GLOBALS; g++)   /* the imported cells */
		if (!same_result(import_globals[g].type, lm->cells_ref[g], lm->cells_lli[g]))
			return false;
	for (uint32_t i = lm->m->nimported_globals; i < lm->m->nglobals; i++) {
		uint8_t t = lm->m->globals[i].type;
		if (t == WASM_V128) {   /* the slot holds its 16-byte cell's address */
			if (memcmp((const void *)(uintptr_t)a[i], (const void *)(uintptr_t)b[i], 16)) {
				if (reported++ < 20)
					fprintf(stderr, "global %u (v128) differs\n", i);
				return false;
			}
			continue;
		}
		if (!same_result(t, a[i], b[i])) {
			if (reported++ < 20)
				fprintf(stderr, "global %u: %" PRIx64 " single-pass, %"
					PRIx64 " llvm\n", i, a[i], b[i]);
			return false;
		}
	}
	return true;
}

/* Tables (funcrefs compared by the function they name) and the state of
 * the element and data segments (dropped: length 0). */
static bool same_tables(struct lmod *lm)
{
	const struct jit_ctx *a = (struct jit_ctx *)lm->ref, *b = lm->lctx;

	for (uint32_t i = 0; i < lm->m->ntables; i++) {
		const struct jit_table *ta = a->tables[i], *tb = b->tables[i];
		if (ta->size != tb->size)
			return false;
		for (uint32_t k = 0; k < ta->size; k++)
			if (!same_result(ta->elemtype, ta->elems[k], tb->elems[k]))
				return false;
	}
	for (uint32_t i = 0; i < lm->m->nelems; i++)
		if (a->elem_segs[i].len != b->elem_segs[i].len)
			return false;
	for (uint32_t i = 0; i < lm->m->ndatas; i++)
		if (a->data_segs[i].len != b->data_segs[i].len)
			return false;
	return true;
}

/* A trap called from the blob comes from one of its listed trap sites
 * (llvm_elf.c), which names the same function and Wasm instruction as
 * the single-pass JIT's trap (frames[0]); counts the ones checked.  (The
 * code range the site is in may be another function's: O2 inlines.)  (A v1
 * host function's trap comes from the host function.) */
static size_t sites_checked, sites_inlined;

static int cmp_site(const void *a, const void *b)
{
	uint32_t x = ((const struct llvm_trap_site *)a)->site;
	uint32_t y = ((const struct llvm_trap_site *)b)->site;

	return x < y ? -1 : x > y;
}

static uint32_t func_at(const struct lmod *lm, uint32_t off)
{
	for (uint32_t i = 0; i < lm->code.nfuncs; i++)
		if (lm->code.func_off[i] != UINT32_MAX && off > lm->code.func_off[i] &&
		    off <= lm->code.func_off[i] + lm->code.func_size[i])
			return i;
	return UINT32_MAX;
}

static void trap_site_matches(struct lmod *lm, const struct wasm_trap *jt, const char *fn)
{
	struct llvm_trap_site key, *t;

	if (trap_ret < (uintptr_t)lm->exec || trap_ret >= (uintptr_t)lm->exec + lm->code.size)
		return;
	key.site = (uint32_t)(trap_ret - (uintptr_t)lm->exec);
	sites_checked++;
	t = bsearch(&key, lm->code.traps, lm->code.ntraps, sizeof key, cmp_site);
	CHECK_MSG(t, "%s: trap from +%#x, not a listed trap site", fn, key.site);
	CHECK_MSG(jt->nframes > 0, "%s: no frames from single-pass", fn);
	sites_inlined += t && t->func != func_at(lm, key.site);
	if (t && jt->nframes)
		CHECK_MSG(jt->frames[0].func_index == t->func &&
			  jt->frames[0].offset == t->wasm_off,
			  "%s: trap at function %u +%#x single-pass, function %u +%#x llvm "
			  "(in the code of function %u)", fn, jt->frames[0].func_index,
			  jt->frames[0].offset, t->func, t->wasm_off, func_at(lm, key.site));
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
		if (code != 0 && rc == 1 && code == (int)trap.code)
			trap_site_matches(lm, &trap, e->name);
		if (rc == 1 && code == (int)trap.code && trap.has_index)
			CHECK_MSG(trap_has_index && trap_index == trap.index,
				  "%s: trap names element %u single-pass, %s%u llvm",
				  e->name, trap.index, trap_has_index ? "" : "none ",
				  trap_index);
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
		CHECK_MSG(same_tables(lm), "%s: tables or segments differ", e->name);
	}
}

/* Every exported function of module `name`, both ways, the LLVM code
 * compiled for the CPU features cpu; the number of traps from sites in
 * inlined code. */
static size_t diff_module_cpu(const char *name, size_t min_exports, unsigned cpu)
{
	size_t inlined;
	struct lmod lm;
	char msg[256];
	size_t calls = 0, nexp = 0;

	if (lmod_load_cpu(&lm, name, cpu, msg, sizeof msg)) {
		CHECK_MSG(0, "%s", msg);
		lmod_free(&lm);
		return 0;
	}
	for (uint32_t i = 0; i < lm.m->nexports; i++) {
		if (lm.m->exports[i].kind != WASM_EXTERN_FUNC)
			continue;
		nexp++;
		diff_export(&lm, &lm.m->exports[i], &calls);
	}
	CHECK_MSG(nexp >= min_exports, "%s: %zu exports", name, nexp);
	fprintf(stderr, "test_llvm: %s (cpu %#x): %zu exports, %zu calls compared, %zu of "
		"them traps (%zu from checked trap sites, %zu of them in inlined code)\n",
		name, cpu, nexp, calls, ntraps, sites_checked, sites_inlined);
	CHECK_MSG(!ntraps || lm.code.ntraps, "%s: traps but no trap sites listed", name);
	inlined = sites_inlined;
	ntraps = 0;
	sites_checked = sites_inlined = 0;
	lmod_free(&lm);
	return inlined;
}

static size_t diff_module(const char *name, size_t min_exports)
{
	return diff_module_cpu(name, min_exports, jit_cpu_features());
}

TEST(numeric_matches_single_pass)
{
	diff_module("numeric", 140);
}
TEST(control_matches_single_pass)
{
	/* div_via_call traps inside an inlined $div_u */
	CHECK(diff_module("control", 24) > 0);
}
TEST(memory_matches_single_pass) { diff_module("memory", 14); }
TEST(bench_kernels_match_single_pass) { diff_module("bench_kernels", 3); }
TEST(tables_match_single_pass) { diff_module("tables", 18); }
TEST(bulk_memory_matches_single_pass) { diff_module("bulk", 10); }
TEST(imports_match_single_pass) { diff_module("imports", 5); }
/* a signaling NaN through x - 0, x * 1, ...: quieted, not folded away */
TEST(signaling_nan_quieted_despite_identity_folds) { diff_module("snan_identity_folds", 15); }
/* memory and globals at a trap: an unused out-of-bounds load still traps,
 * and no store moves across a trapping access (llvm_mem.c's scheme) */
TEST(trap_leaves_program_order_state) { diff_module("trap_order", 6); }
/* a select or if between a value and an out-of-bounds load traps whatever
 * it picks (LLVM 14's cmov-to-branch pass sank the load into one arm:
 * found by the differential fuzzer, llvm_emit.c turns the pass off) */
TEST(select_of_oob_load_traps) { diff_module("select_load_trap", 4); }
/* bodies that push nothing (UBSan under make check-asan: the translator
 * took &stack[sp - 0] of a stack never allocated, NULL + 0) */
TEST(empty_body_without_results) { diff_module("empty_bodies", 4); }
/* tail calls (issue 10): tailcc bodies behind v1 wrappers, recursions up
 * to 2^20 deep, stack arguments, results in registers and through the
 * area, return_call_indirect's traps (llvm_module.c "Tail calls") */
TEST(tail_calls_match_single_pass) { diff_module("tail_calls", 8); }
/* multi-memory (issue 10): memories 1 and 2 off ctx->mems, their own
 * guard regions, bulk instructions through jit_rt's *_n helpers */
TEST(multi_memory_matches_single_pass) { diff_module("multi_memory", 12); }
/* SIMD (issue 10): every 0xfd instruction llvm_simd.c compiles, v128
 * params and results in registers and on the stack, locals, block
 * values, v128 globals (cells), memory and its traps */
TEST(simd_matches_single_pass) { diff_module("simd", 280); }

/* Relaxed SIMD (0xfd 0x100..0x114) with docs/simd.md's results.  Named
 * after what broke: the backend's dispatch sent every opcode above 0xf8
 * to the conversions, so each relaxed instruction compiled, without an
 * error, as f64x2.promote_low_f32x4. */
TEST(relaxed_simd_compiled_as_itself_not_as_f64x2_promote)
{
	diff_module("relaxed_simd", 20);
	diff_module("relaxed_bf16", 1);
}

/* Every module above again, the LLVM code compiled for baseline x86-64
 * (cpu 0: SSE2 only, `--cpu baseline`, the default of images): rounding
 * through ctx->rt->round32/round64 (f32x4/f64x2 ones lane by lane),
 * popcnt as bit arithmetic, clz and ctz as bsr/bsf, i8x16.swizzle lane
 * by lane.  The reference stays the single-pass JIT with this CPU's
 * features (roundss/roundsd, popcnt, lzcnt, tzcnt where it has them). */
static const struct { const char *name; size_t min_exports; } all_modules[] = {
	{ "numeric", 140 }, { "control", 24 }, { "memory", 14 }, { "bench_kernels", 3 },
	{ "tables", 18 }, { "bulk", 10 }, { "imports", 5 }, { "snan_identity_folds", 15 },
	{ "trap_order", 6 }, { "multi_memory", 12 }, { "simd", 280 },
	{ "relaxed_simd", 20 }, { "relaxed_bf16", 1 }, { "memory64", 30 },
	{ "tail_calls", 8 },
};

TEST(baseline_cpu_matches_single_pass)
{
	for (size_t i = 0; i < sizeof all_modules / sizeof all_modules[0]; i++)
		diff_module_cpu(all_modules[i].name, all_modules[i].min_exports, 0);
}

static uint32_t export_index(struct lmod *lm, const char *name)
{
	const struct wasm_export *e = wasm_find_export(lm->m, WASM_EXTERN_FUNC, name,
						       strlen(name));
	return e ? e->index : UINT32_MAX;
}

/*
 * The blob is position-independent: a second copy at another address
 * (a mapping of a different size, so not the first one's) runs the same.
 * switch10 uses a jump table in read-only data and other functions use
 * constant pools: the results must match the single-pass JIT's.
 */
TEST(blob_runs_at_any_address)
{
	struct lmod lm;
	char msg[256];
	struct wasm_trap trap;
	struct wasm_error err;
	uint8_t *first;
	size_t first_len;
	uint32_t sw, fib;

	REQUIRE(lmod_load(&lm, "control", msg, sizeof msg) == 0);
	sw = export_index(&lm, "switch10");
	fib = export_index(&lm, "fib_small");
	REQUIRE(sw != UINT32_MAX && fib != UINT32_MAX);
	first = lm.exec;
	first_len = lm.exec_len;
	{
		void *hole = mmap(NULL, 3 * first_len, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		REQUIRE(hole != MAP_FAILED);
		lm.exec = NULL;
		REQUIRE(map_code(&lm, msg, sizeof msg) == 0);   /* a new address */
		munmap(hole, 3 * first_len);
		REQUIRE(point_funcrefs(&lm, msg, sizeof msg) == 0);
	}
	CHECK(lm.exec != first);
	munmap(first, first_len);       /* the first copy is gone */
	for (uint32_t k = 0; k < N(vals_i32); k++) {
		uint64_t args[1] = { vals_i32[k] }, r1[1], r2[1];
		REQUIRE(wasm_call(lm.ref, "switch10", args, 1, r1, 1, &trap, &err) == 0);
		CHECK_EQ_U64(run_llvm(&lm, sw, args, r2), 0);
		CHECK_EQ_U64((uint32_t)r2[0], (uint32_t)r1[0]);
		REQUIRE(wasm_call(lm.ref, "fib_small", args, 1, r1, 1, &trap, &err) == 0);
		CHECK_EQ_U64(run_llvm(&lm, fib, args, r2), 0);
		CHECK_EQ_U64((uint32_t)r2[0], (uint32_t)r1[0]);
	}
	lmod_free(&lm);
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

/*
 * call_indirect of a funcref of another instance: the LLVM code's slow
 * path, ctx->rt->call_ref (the runtime checks the type structurally and
 * runs the callee in its own instance: here the single-pass one).  The
 * expected values are the callees' Wasm semantics (tables.wat: $double
 * is x << 1, $five gives x, 3x (i64), x/2 (f64), x ^ 7, x (u64)).
 */
TEST(call_indirect_other_instance)
{
	struct lmod lm;
	char msg[256];
	struct jit_table *t;
	struct jit_ctx *rctx;
	uint64_t args[2], r[5];
	uint32_t ci = UINT32_MAX, five = UINT32_MAX;

	REQUIRE(lmod_load(&lm, "tables", msg, sizeof msg) == 0);
	rctx = (struct jit_ctx *)lm.ref;
	t = lm.lctx->tables[0];
	for (uint32_t i = 0; i < lm.m->nexports; i++) {
		if (!strcmp(lm.m->exports[i].name, "ci_i_i"))
			ci = lm.m->exports[i].index;
		if (!strcmp(lm.m->exports[i].name, "ci_five"))
			five = lm.m->exports[i].index;
	}
	REQUIRE(ci != UINT32_MAX && five != UINT32_MAX && t->size >= 3);
	/* slots 0 and 2 of the LLVM instance's table: the other instance's
	   $double (function 0) and $five (function 3) */
	t->elems[0] = (uint64_t)(uintptr_t)rctx->funcrefs[0];
	t->elems[2] = (uint64_t)(uintptr_t)rctx->funcrefs[3];
	for (uint32_t k = 0; k < N(vals_i32); k++) {
		uint32_t x = (uint32_t)vals_i32[k];
		double half = (double)(int32_t)x * 0.5;
		uint64_t hbits;
		args[0] = 0;            /* slot */
		args[1] = x;
		memset(r, 0, sizeof r);
		CHECK_EQ_U64(run_llvm(&lm, ci, args, r), 0);
		CHECK_EQ_U64(r[0], (uint32_t)(x << 1));
		args[0] = x;
		CHECK_EQ_U64(run_llvm(&lm, five, args, r), 0);
		memcpy(&hbits, &half, 8);
		CHECK_EQ_U64(r[0], x);
		CHECK_EQ_U64(r[1], (uint64_t)(int64_t)(int32_t)x * 3);
		CHECK_EQ_U64(r[2], hbits);
		CHECK_EQ_U64(r[3], x ^ 7);
		CHECK_EQ_U64(r[4], x);
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
		if (strncmp(name, "wasm_", 5) || LLVMIsDeclaration(f))
			continue;       /* (wasm_trap: module assembly) */
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
 * one of the module's own functions, its trap stub wasm_trap (a jump
 * through ctx->trap), or through a register (ctx->rt's helpers,
 * ctx->mem_grow, funcrefs), never to a symbol such as a libm routine LLVM could
 * lower an intrinsic to (floorf without SSE4.1, say).  Also: every
 * function sets up rbp (frame pointers always).
 */
static void check_asm(const char *name, unsigned cpu)
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
	REQUIRE(llvm_wasm_translate(m, c, cpu, &mod, msg, sizeof msg) == 0);
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
		CHECK_MSG(*op == '*' || !strncmp(op, "wasm_func_", 10) ||
			  !strncmp(op, "wasm_trap", 9),
			  "%s (cpu %#x): call to %s", name, cpu, op);
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

/* for this CPU, and for baseline x86-64 (the rounding instructions are
 * libm calls there unless llvm_num.c routes them through ctx->rt) */
TEST(no_calls_to_c_functions)
{
	for (int base = 0; base < 2; base++) {
		unsigned cpu = base ? 0 : jit_cpu_features();
		check_asm("numeric", cpu);
		check_asm("control", cpu);
		check_asm("memory", cpu);
		check_asm("bench_kernels", cpu);
		check_asm("tables", cpu);
		check_asm("bulk", cpu);
		check_asm("imports", cpu);
	}
}

/* ---- code for a CPU without SSE4.1, POPCNT, LZCNT, BMI1 ------------------ */

/* Argument k of a rounding function: first the edges (halves, the last
 * non-integers below 2^23 and 2^52, signed zeros, the smallest
 * denormals), then alternately random bits and random finite values of
 * magnitude 2^-4 .. 2^56 (f32: 2^-4 .. 2^28), where rounding has work. */
static uint64_t float_arg(bool dbl, uint32_t k)
{
	static const double edge[] = {
		0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994,
		4503599627370495.5, -4503599627370495.5, 4503599627370496.0, 2251799813685247.5,
		8388607.5, -8388607.5, 8388608.0, 4194303.5, 0.0, -0.0, 0x1p-1074, -0x1p-149,
		1e300, -1e300, 0.9999999, -0.9999999, 3.0, -3.0 };
	uint64_t r = rnd(), b;

	if (k < N(edge)) {
		if (dbl) {
			memcpy(&b, &edge[k], 8);
		} else {
			float f = (float)edge[k];
			uint32_t w;
			memcpy(&w, &f, 4);
			b = w;
		}
		return b;
	}
	if (k % 2)
		return dbl ? r : r & 0xffffffffu;
	if (dbl)        /* sign, exponent 1019..1078, random significand */
		return (r & 0x800fffffffffffffull) | (uint64_t)(1019 + rnd() % 60) << 52;
	return (r & 0x807fffffu) | (uint32_t)(123 + rnd() % 32) << 23;
}

/* Argument k of a bit count: random bits, shifted to give runs of
 * leading or trailing zeros, 0 and all ones among them */
static uint64_t int_arg(bool wide, uint32_t k)
{
	uint64_t r = rnd(), x;
	unsigned sh = (unsigned)(rnd() % 64);

	x = k == 0 ? 0 : k == 1 ? ~0ull : k % 3 == 0 ? r : k % 3 == 1 ? r >> sh : r << sh;
	return wide ? x : x & 0xffffffffu;
}

/*
 * The instructions whose code depends on the CPU, compiled for baseline
 * x86-64 (cpu 0), on thousands of arguments each against the single-pass
 * JIT with this CPU's features (the hardware's roundss/roundsd, popcnt,
 * lzcnt, tzcnt where it has them): ceil, floor, trunc and nearest go
 * through ctx->rt (the runtime's C rounding), the bit counts are LLVM's
 * own expansions.
 */
TEST(baseline_rounding_and_bit_counts_match_single_pass)
{
	static const char *const fn[] = {
		"f32.ceil", "f32.floor", "f32.trunc", "f32.nearest",
		"f64.ceil", "f64.floor", "f64.trunc", "f64.nearest",
		"i32.clz", "i32.ctz", "i32.popcnt", "i64.clz", "i64.ctz", "i64.popcnt" };
	struct lmod lm;
	char msg[256];
	size_t calls = 0, bad = 0;

	REQUIRE(lmod_load_cpu(&lm, "numeric", 0, msg, sizeof msg) == 0);
	for (size_t f = 0; f < N(fn); f++) {
		uint32_t idx = export_index(&lm, fn[f]);
		const struct wasm_functype *ft;
		uint8_t t;

		CHECK_MSG(idx != UINT32_MAX, "numeric.wat has no %s", fn[f]);
		if (idx == UINT32_MAX)
			continue;
		ft = wasm_func_type(lm.m, idx);
		t = ft->params[0];
		for (uint32_t k = 0; k < 5000; k++) {
			uint64_t a[1], r1[1] = { 0 }, r2[1] = { 0 };
			struct wasm_trap trap;
			struct wasm_error err;
			int rc, code;

			a[0] = t == WASM_F32 || t == WASM_F64 ? float_arg(t == WASM_F64, k)
							      : int_arg(t == WASM_I64, k);
			rc = wasm_call_n(lm.ref, fn[f], strlen(fn[f]), a, 1, r1, 1, &trap, &err);
			code = run_llvm(&lm, idx, a, r2);
			calls++;
			if (rc == 0 && code == 0 && same_result(t, r1[0], r2[0]))
				continue;
			if (bad++ < 10)
				CHECK_MSG(0, "%s(%#" PRIx64 "): %#" PRIx64 " single-pass (status "
					  "%d), %#" PRIx64 " llvm baseline (trap %d)", fn[f],
					  a[0], r1[0], rc, r2[0], code);
		}
	}
	CHECK_MSG(bad == 0, "%zu of %zu calls differ", bad, calls);
	CHECK_EQ_U64(calls, N(fn) * 5000);
	lmod_free(&lm);
}

/*
 * Mnemonics (AT&T, as LLVM's disassembler prints them) of instructions
 * that need a CPU feature beyond baseline x86-64: "name" is name with or
 * without an operand-size suffix (b, w, l, q), "name*" every mnemonic
 * that starts with name.  SSE4.1's group holds SSE3 and SSSE3 too (LLVM's
 * sse4.1 implies them; jit_cpu_features reports SSE4.1 only with them);
 * NEVER: what no JIT_CPU_* set allows the LLVM backend (AVX: JIT_CPU_AVX
 * and _AVX2 are the single-pass JIT's, jit.h JIT_CPU_LLVM; SSE4.2, BMI2,
 * ...).
 */
#define NEVER 0x100u
static const struct { unsigned need; const char *pat; } insn_needs[] = {
	{ JIT_CPU_SSE41, "rounds*" }, { JIT_CPU_SSE41, "roundp*" },
	{ JIT_CPU_SSE41, "blend*" }, { JIT_CPU_SSE41, "pblend*" },
	{ JIT_CPU_SSE41, "ptest" }, { JIT_CPU_SSE41, "pmovsx*" }, { JIT_CPU_SSE41, "pmovzx*" },
	{ JIT_CPU_SSE41, "pminsb" }, { JIT_CPU_SSE41, "pminsd" }, { JIT_CPU_SSE41, "pminud" },
	{ JIT_CPU_SSE41, "pminuw" }, { JIT_CPU_SSE41, "pmaxsb" }, { JIT_CPU_SSE41, "pmaxsd" },
	{ JIT_CPU_SSE41, "pmaxud" }, { JIT_CPU_SSE41, "pmaxuw" }, { JIT_CPU_SSE41, "pmulld" },
	{ JIT_CPU_SSE41, "pmuldq" }, { JIT_CPU_SSE41, "pinsrb" }, { JIT_CPU_SSE41, "pinsrd" },
	{ JIT_CPU_SSE41, "pinsrq" }, { JIT_CPU_SSE41, "pextrb" }, { JIT_CPU_SSE41, "pextrd" },
	{ JIT_CPU_SSE41, "pextrq" }, { JIT_CPU_SSE41, "extractps" }, { JIT_CPU_SSE41, "insertps" },
	{ JIT_CPU_SSE41, "dpps" }, { JIT_CPU_SSE41, "dppd" }, { JIT_CPU_SSE41, "mpsadbw" },
	{ JIT_CPU_SSE41, "packusdw" }, { JIT_CPU_SSE41, "pcmpeqq" },
	{ JIT_CPU_SSE41, "phminposuw" }, { JIT_CPU_SSE41, "movntdqa" },
	{ JIT_CPU_SSE41, "pshufb" }, { JIT_CPU_SSE41, "palignr" }, { JIT_CPU_SSE41, "pabs*" },
	{ JIT_CPU_SSE41, "phadd*" }, { JIT_CPU_SSE41, "phsub*" }, { JIT_CPU_SSE41, "pmaddubsw" },
	{ JIT_CPU_SSE41, "pmulhrsw" }, { JIT_CPU_SSE41, "psign*" },
	{ JIT_CPU_SSE41, "addsubp*" }, { JIT_CPU_SSE41, "haddp*" }, { JIT_CPU_SSE41, "hsubp*" },
	{ JIT_CPU_SSE41, "lddqu" }, { JIT_CPU_SSE41, "movddup" }, { JIT_CPU_SSE41, "movshdup" },
	{ JIT_CPU_SSE41, "movsldup" }, { JIT_CPU_SSE41, "fisttp*" },
	{ JIT_CPU_POPCNT, "popcnt" }, { JIT_CPU_LZCNT, "lzcnt" },
	{ JIT_CPU_BMI1, "tzcnt" }, { JIT_CPU_BMI1, "andn" }, { JIT_CPU_BMI1, "bextr" },
	{ JIT_CPU_BMI1, "blsi" }, { JIT_CPU_BMI1, "blsmsk" }, { JIT_CPU_BMI1, "blsr" },
	{ NEVER, "v*" }, { NEVER, "pcmpgtq" }, { NEVER, "pcmpestr*" }, { NEVER, "pcmpistr*" },
	{ NEVER, "crc32*" }, { NEVER, "bzhi" }, { NEVER, "pdep" }, { NEVER, "pext" },
	{ NEVER, "mulx" }, { NEVER, "rorx" }, { NEVER, "sarx" }, { NEVER, "shlx" },
	{ NEVER, "shrx" }, { NEVER, "movbe" }, { NEVER, "lahf" }, { NEVER, "sahf" },
	{ NEVER, "cmpxchg16b" }, { NEVER, "adcx" }, { NEVER, "adox" },
};

static unsigned mnemonic_needs(const char *m, size_t n)
{
	unsigned need = 0;

	for (size_t i = 0; i < N(insn_needs); i++) {
		const char *p = insn_needs[i].pat;
		size_t pl = strlen(p);
		bool hit;
		if (p[pl - 1] == '*')
			hit = n >= pl - 1 && !strncmp(m, p, pl - 1);
		else
			hit = (n == pl || (n == pl + 1 && strchr("bwlq", m[pl]))) &&
			      !strncmp(m, p, pl);
		if (hit)
			need |= insn_needs[i].need;
	}
	return need;
}

/* The features the code of every own function of c uses (the OR of
 * mnemonic_needs over its instructions, prefixes included), disassembled
 * by LLVM's x86-64 disassembler from the blob itself; *ninsns counts the
 * instructions, *undecodable those it could not decode (none expected:
 * a function's range holds code only). */
static unsigned features_used(const struct llvm_wasm_code *c, const wasm_module *m,
			      size_t *ninsns, size_t *undecodable)
{
	LLVMDisasmContextRef dc = LLVMCreateDisasm("x86_64-unknown-linux-gnu", NULL, 0, NULL, NULL);
	unsigned used = 0;
	char text[256];

	*ninsns = *undecodable = 0;
	if (!dc)
		return NEVER;
	for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++) {
		uint8_t *p = c->blob + c->func_off[i];
		size_t left = c->func_size[i];
		while (left) {
			size_t k = LLVMDisasmInstruction(dc, p, left, (uint64_t)(p - c->blob),
							 text, sizeof text);
			if (!k) {
				(*undecodable)++;
				break;
			}
			(*ninsns)++;
			/* the words that start with a letter: the mnemonic and
			   any prefix (operands start with %, $, a digit, -, ( ) */
			for (const char *w = text; *w;) {
				size_t n;
				w += strspn(w, " \t,");
				n = strcspn(w, " \t,");
				if ((*w >= 'a' && *w <= 'z'))
					used |= mnemonic_needs(w, n);
				w += n;
			}
			p += k;
			left -= k;
		}
	}
	LLVMDisasmDispose(dc);
	return used;
}

/* memory64 (issue 10): the backend has no bounds checks for 64-bit
 * memories and must refuse one, never compile its accesses unchecked */
/* 64-bit memories (docs/memory64.md): every access checked in code,
 * size and grow in i64 pages, the bulk operations through jit_rt's 64-bit
 * helpers, memory.copy to and from a 32-bit memory (tests/llvm/
 * memory64.wat). */
TEST(memory64_matches_single_pass) { diff_module("memory64", 30); }

/* Offsets past 4 GiB, which wabt 1.0.32 cannot write: address + offset
 * must neither wrap nor pass.  (memory i64 1) and, each (param i64)
 * (result i64): i64.load8_u offset=2^64-1, i64.load offset=2^64-8,
 * i64.load32_u offset=2^32, and i64.load offset=2^64-8 of 8 - (p & 15). */
TEST(memory64_offsets_past_4_gib)
{
	static const uint8_t b[] = {
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x06, 0x01, 0x60, 0x01, 0x7e, 0x01, 0x7e,         /* type */
		0x03, 0x05, 0x04, 0x00, 0x00, 0x00, 0x00,               /* funcs */
		0x05, 0x03, 0x01, 0x04, 0x01,                           /* memory i64 1 */
		0x07, 0x11, 0x04, 0x01, 'a', 0x00, 0x00, 0x01, 'b', 0x00, 0x01,
		0x01, 'c', 0x00, 0x02, 0x01, 'd', 0x00, 0x03,           /* exports */
		0x0a, 0x46, 0x04,                                       /* code */
		0x10, 0x00, 0x20, 0x00, 0x31, 0x00,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x0b,
		0x10, 0x00, 0x20, 0x00, 0x29, 0x03,
		0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x0b,
		0x0b, 0x00, 0x20, 0x00, 0x35, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10, 0x0b,
		0x16, 0x00, 0x42, 0x08, 0x20, 0x00, 0x42, 0x0f, 0x83, 0x7d,     /* 8 - (p & 15) */
		0x29, 0x03,
		0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x0b,
	};

	builtin.name = "memory64_offsets";
	builtin.bytes = b;
	builtin.len = sizeof b;
	diff_module("memory64_offsets", 4);
	diff_module_cpu("memory64_offsets", 4, 0);
	builtin.name = NULL;
}

/* An offset past 4 GiB in dead code (after return): the LLVM backend
 * skips its memarg with a u64 offset (it read a u32 and refused the
 * function, "cannot translate return"); wabt cannot write such offsets. */
TEST(memory64_dead_offset_past_4_gib)
{
	static const uint8_t b[] = {
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x06, 0x01, 0x60, 0x01, 0x7e, 0x01, 0x7e,         /* type */
		0x03, 0x02, 0x01, 0x00,                                 /* func */
		0x05, 0x03, 0x01, 0x04, 0x01,                           /* memory i64 1 */
		0x07, 0x05, 0x01, 0x01, 'a', 0x00, 0x00,                /* export */
		0x0a, 0x13, 0x01, 0x11, 0x00,                           /* code */
		0x20, 0x00, 0x0f,                                       /* return */
		0x20, 0x00, 0x29, 0x03, 0x88, 0x80, 0x80, 0x80, 0x10,   /* offset 2^32 + 8 */
		0x1a, 0x42, 0x00, 0x0b,
	};

	builtin.name = "memory64_dead_offset";
	builtin.bytes = b;
	builtin.len = sizeof b;
	diff_module("memory64_dead_offset", 1);
	builtin.name = NULL;
}

static unsigned compiled_features(const char *name, unsigned cpu)
{
	wasm_module *m;
	struct wasm_error err;
	struct llvm_wasm_code code;
	size_t len, ninsns = 0, undecodable = 0;
	uint8_t *b = read_wasm(name, &len);
	char msg[256];
	unsigned used = NEVER;
	bool loaded = b && wasm_module_load(b, len, &m, &err) == 0;

	free(b);
	CHECK_MSG(loaded, "%s: cannot load", name);
	if (!loaded)
		return NEVER;
	if (llvm_wasm_compile(m, cpu, &code, msg, sizeof msg) == 0) {
		used = features_used(&code, m, &ninsns, &undecodable);
		llvm_wasm_code_free(&code);
	} else {
		CHECK_MSG(0, "%s (cpu %#x): %s", name, cpu, msg);
	}
	CHECK_MSG(ninsns > 0 && undecodable == 0, "%s (cpu %#x): %zu instructions, %zu "
		  "undecodable", name, cpu, ninsns, undecodable);
	wasm_module_free(m);
	return used;
}

/*
 * The target features given to LLVM are exactly the JIT_CPU_* set asked
 * for (llvm_module.c features_string): the machine code of every module
 * compiled for baseline x86-64 holds no instruction of SSE3..SSE4.1,
 * POPCNT, LZCNT, BMI1 or beyond; and numeric.wat, which has floor,
 * popcnt, clz and ctz, compiled for each of the 16 sets (with AVX, AVX2
 * bits added to some) uses exactly the features of the set but AVX and
 * AVX2, which the backend leaves out (no
 * v* instruction: NEVER) (so each mnemonic above is one LLVM does emit
 * when allowed: the scan is not blind).
 */
TEST(code_uses_exactly_the_cpu_features_given)
{
	for (size_t i = 0; i < N(all_modules); i++) {
		unsigned used = compiled_features(all_modules[i].name, 0);
		CHECK_MSG(used == 0, "%s compiled for baseline x86-64 uses features %#x",
			  all_modules[i].name, used);
	}
	for (unsigned low = 0; low <= JIT_CPU_LLVM; low++) {
		/* each of the 16 LLVM sets, with AVX, AVX2 neither/either/both */
		unsigned cpu = low | (low & 3) << 4;
		unsigned used = compiled_features("numeric", cpu);
		CHECK_MSG(used == (cpu & JIT_CPU_LLVM), "numeric compiled for cpu %#x uses "
			  "features %#x", cpu, used);
	}
}

int main(void)
{
	plat_host_init();       /* the fault handler: the single-pass JIT's
				   guard-region traps */
	LLVMInitializeNativeTarget();
	LLVMInitializeNativeAsmPrinter();
	LLVMInitializeNativeAsmParser();     /* inline asm: rep movsb/stosb */
	LLVMInitializeNativeDisassembler();  /* code_uses_exactly_the_cpu_... */
	RUN(numeric_matches_single_pass);
	RUN(control_matches_single_pass);
	RUN(memory_matches_single_pass);
	RUN(bench_kernels_match_single_pass);
	RUN(tables_match_single_pass);
	RUN(bulk_memory_matches_single_pass);
	RUN(imports_match_single_pass);
	RUN(signaling_nan_quieted_despite_identity_folds);
	RUN(trap_leaves_program_order_state);
	RUN(select_of_oob_load_traps);
	RUN(empty_body_without_results);
	RUN(tail_calls_match_single_pass);
	RUN(multi_memory_matches_single_pass);
	RUN(simd_matches_single_pass);
	RUN(relaxed_simd_compiled_as_itself_not_as_f64x2_promote);
	RUN(direct_c_calls);
	RUN(blob_runs_at_any_address);
	RUN(call_indirect_other_instance);
	RUN(functions_have_v1_attributes);
	RUN(no_calls_to_c_functions);
	RUN(baseline_cpu_matches_single_pass);
	RUN(baseline_rounding_and_bit_counts_match_single_pass);
	RUN(code_uses_exactly_the_cpu_features_given);
	RUN(memory64_matches_single_pass);
	RUN(memory64_offsets_past_4_gib);
	RUN(memory64_dead_offset_past_4_gib);
	CHECK_DONE();
}
