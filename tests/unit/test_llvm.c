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
 * payload (Core spec §4.3.3: nondeterministic NaNs) but must be a NaN.
 * A few functions are also called directly as C functions, as v1 allows.
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

static uint8_t *read_wasm(const char *name, size_t *len)
{
	char path[512];

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

/* Load, instantiate twice, translate, O2, object file, blob, map.  0 or
 * -1 (message out). */
static int lmod_load(struct lmod *lm, const char *name, char *msg, size_t msglen)
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
	if (llvm_wasm_compile(lm->m, jit_cpu_features(), &lm->code, msg, msglen) ||
	    map_code(lm, msg, msglen))
		return -1;
	return point_funcrefs(lm, msg, msglen);
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
	return a == b || (is_nan(t, a) && is_nan(t, b));
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

/* Every exported function of module `name`, both ways; the number of
 * traps from sites in inlined code. */
static size_t diff_module(const char *name, size_t min_exports)
{
	size_t inlined;
	struct lmod lm;
	char msg[256];
	size_t calls = 0, nexp = 0;

	if (lmod_load(&lm, name, msg, sizeof msg)) {
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
	fprintf(stderr, "test_llvm: %s: %zu exports, %zu calls compared, %zu of them traps "
		"(%zu from checked trap sites, %zu of them in inlined code)\n", name, nexp,
		calls, ntraps, sites_checked, sites_inlined);
	CHECK_MSG(!ntraps || lm.code.ntraps, "%s: traps but no trap sites listed", name);
	inlined = sites_inlined;
	ntraps = 0;
	sites_checked = sites_inlined = 0;
	lmod_free(&lm);
	return inlined;
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
/* memory and globals at a trap: an unused out-of-bounds load still traps,
 * and no store moves across a trapping access (llvm_mem.c's scheme) */
TEST(trap_leaves_program_order_state) { diff_module("trap_order", 6); }
/* a select or if between a value and an out-of-bounds load traps whatever
 * it picks (LLVM 14's cmov-to-branch pass sank the load into one arm:
 * found by the differential fuzzer, llvm_emit.c turns the pass off) */
TEST(select_of_oob_load_traps) { diff_module("select_load_trap", 4); }

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
		CHECK_MSG(*op == '*' || !strncmp(op, "wasm_func_", 10) ||
			  !strncmp(op, "wasm_trap", 9),
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
	check_asm("tables");
	check_asm("bulk");
	check_asm("imports");
}

/* The backend needs SSE4.1 (roundss/roundsd) for now: a CPU set without
 * it is refused with a message, and no module comes out. */
TEST(cpu_without_sse41_is_refused)
{
	wasm_module *m;
	struct wasm_error err;
	size_t len;
	uint8_t *b = read_wasm("control", &len);
	LLVMContextRef c = LLVMContextCreate();
	LLVMModuleRef mod = NULL;
	char msg[256];

	REQUIRE(b && wasm_module_load(b, len, &m, &err) == 0);
	free(b);
	CHECK(llvm_wasm_translate(m, c, jit_cpu_features() & ~JIT_CPU_SSE41, &mod, msg,
				  sizeof msg) == -1);
	CHECK(mod == NULL);
	CHECK_MSG(!strcmp(msg, "llvm backend: the CPU lacks SSE4.1 (required for now)"),
		  "message: %s", msg);
	LLVMContextDispose(c);
	wasm_module_free(m);
}

int main(void)
{
	plat_host_init();       /* the fault handler: the single-pass JIT's
				   guard-region traps */
	LLVMInitializeNativeTarget();
	LLVMInitializeNativeAsmPrinter();
	LLVMInitializeNativeAsmParser();     /* inline asm: rep movsb/stosb */
	RUN(numeric_matches_single_pass);
	RUN(control_matches_single_pass);
	RUN(memory_matches_single_pass);
	RUN(bench_kernels_match_single_pass);
	RUN(tables_match_single_pass);
	RUN(bulk_memory_matches_single_pass);
	RUN(imports_match_single_pass);
	RUN(trap_leaves_program_order_state);
	RUN(select_of_oob_load_traps);
	RUN(direct_c_calls);
	RUN(blob_runs_at_any_address);
	RUN(call_indirect_other_instance);
	RUN(functions_have_v1_attributes);
	RUN(no_calls_to_c_functions);
	RUN(cpu_without_sse41_is_refused);
	CHECK_DONE();
}
