/*
 * main.c — bench/llvm_kernels: the LLVM backend (host/llvm/, issue 9)
 * measured against native code and the single-pass JIT, in one process
 * on one machine (bench/README.md "The LLVM backend's own bench").
 *
 *   llvm_kernels [-n RUNS] [-plain] run DIR NAME...
 *       DIR/NAME.wasm is bench/llvm_kernels/kernel.c around bench/NAME.c
 *       (no imports, exports run() -> the hash of what it prints).  Times
 *       run() best of RUNS (default 3) natively (the same C, gcc -O2,
 *       linked into this program as kernel_run_NAME), through the
 *       single-pass JIT (wasm_call, as tests/unit/test_llvm.c does) and
 *       through the LLVM blob (its wasm_entry_<i>, copied into executable
 *       memory); the three hashes must agree.  One line per kernel:
 *         kernel NAME NATIVE_S SINGLE_S LLVM_S SINGLE/NATIVE LLVM/NATIVE
 *       then the geometric means of the ratios.
 *   llvm_kernels [-time-passes] compile FILE.wasm...
 *       The LLVM backend's compile time by phase (translate, O2, codegen,
 *       link: llvm_wasm_compile's steps) and its throughput in MB/s of
 *       Wasm, next to the single-pass JIT's (wasm_module_load), and
 *       what one run of LLVM's verifier on the translated module costs
 *       (timed apart, not in the total).
 *
 * -plain (measurement only) sets llvm_wasm_plain_memory: plain loads and
 * stores, which is NOT sound (llvm_mem.c says why); it shows what the
 * volatile scheme costs.  -time-passes is LLVM's own per-pass report.
 */
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Support.h>
#include "jit.h"
#include "module.h"
#include "wasm.h"
#include "llvm_backend.h"
#include "plat_host.h"

/* the native kernels (kernel.c, -DKERNEL_RUN=kernel_run_NAME) */
#define KERNELS(X) X(crc32) X(fannkuch) X(hashmap) X(interp) X(lz) X(mandelbrot) \
	X(matmul) X(nbody) X(sha256) X(sort)
#define DECL(n) uint64_t kernel_run_##n(void);
KERNELS(DECL)
#define ENTRY(n) { #n, kernel_run_##n },
static const struct { const char *name; uint64_t (*run)(void); } natives[] = {
	KERNELS(ENTRY)
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	if (!f)
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

/* ---- running LLVM code ------------------------------------------------ */

static sigjmp_buf trap_jb;

static void on_trap(struct jit_ctx *ctx, uint32_t code, uint32_t index)
{
	(void)ctx;
	(void)index;
	siglongjmp(trap_jb, (int)(code & 0xff) ? (int)(code & 0xff) : 0xff);
}

struct lrun {
	wasm_instance *inst;
	struct jit_ctx *ctx;
	struct llvm_wasm_code code;
	uint8_t *exec;
	size_t exec_len;
	void *saved_trap;
};

/* m's LLVM code, mapped, bound to a fresh instance of m (no imports) */
static int lrun_new(wasm_module *m, struct lrun *l, char *msg, size_t len)
{
	struct wasm_error err;
	struct wasm_trap trap;
	long pg = sysconf(_SC_PAGESIZE);

	memset(l, 0, sizeof *l);
	if (wasm_instance_new(m, NULL, 0, &l->inst, &err, &trap))
		return snprintf(msg, len, "instantiate: %s", err.msg), -1;
	l->ctx = (struct jit_ctx *)l->inst;     /* an instance starts with it */
	if (llvm_wasm_compile(m, jit_cpu_features(), &l->code, msg, len))
		return -1;
	l->exec_len = (l->code.size + (size_t)pg - 1) & ~((size_t)pg - 1);
	l->exec = mmap(NULL, l->exec_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (l->exec == MAP_FAILED)
		return snprintf(msg, len, "mmap failed"), -1;
	memcpy(l->exec, l->code.blob, l->code.size);
	if (mprotect(l->exec, l->exec_len, PROT_READ | PROT_EXEC))
		return snprintf(msg, len, "mprotect failed"), -1;
	for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++)
		l->ctx->funcrefs[i]->code = l->exec + l->code.func_off[i];
	l->saved_trap = l->ctx->trap;
	l->ctx->trap = (void *)on_trap;
	return 0;
}

static void lrun_free(struct lrun *l)
{
	if (l->exec && l->exec != MAP_FAILED)
		munmap(l->exec, l->exec_len);
	llvm_wasm_code_free(&l->code);
	if (l->inst) {
		l->ctx->trap = l->saved_trap ? l->saved_trap : l->ctx->trap;
		wasm_instance_free(l->inst);
	}
}

/* wasm_entry_<func>() -> one result: 0, or the trap code */
static int lrun_call(struct lrun *l, uint32_t func, uint64_t *res)
{
	void (*entry)(struct jit_ctx *, const uint64_t *, uint64_t *) =
		(void (*)(struct jit_ctx *, const uint64_t *, uint64_t *))
		(l->exec + l->code.entry_off[func]);
	volatile int code;
	char here;

	l->ctx->stack_limit = (uintptr_t)&here - (4u << 20);
	code = sigsetjmp(trap_jb, 1);
	if (code == 0)
		entry(l->ctx, NULL, res);
	return code;
}

/* ---- run -------------------------------------------------------------- */

static int run_kernel(const char *dir, const char *name, int runs, double *ratio_s,
		      double *ratio_l)
{
	char path[512], msg[256];
	uint8_t *bytes;
	size_t len;
	wasm_module *m;
	wasm_instance *ref;
	struct wasm_error err;
	struct wasm_trap trap;
	const struct wasm_export *e;
	struct lrun l;
	uint64_t (*native)(void) = NULL;
	uint64_t hn = 0, hs = 0, hl = 0;
	double tn = 1e30, ts = 1e30, tl = 1e30, t;
	int rc = -1;

	for (size_t k = 0; k < sizeof natives / sizeof natives[0]; k++)
		if (!strcmp(natives[k].name, name))
			native = natives[k].run;
	snprintf(path, sizeof path, "%s/%s.wasm", dir, name);
	if (!native || !(bytes = read_file(path, &len))) {
		fprintf(stderr, "llvm_kernels: %s: no such kernel (or no %s)\n", name, path);
		return -1;
	}
	if (wasm_module_load(bytes, len, &m, &err)) {
		fprintf(stderr, "llvm_kernels: %s: %s\n", path, err.msg);
		free(bytes);
		return -1;
	}
	free(bytes);
	e = wasm_find_export(m, WASM_EXTERN_FUNC, "run", 3);
	if (!e || wasm_instance_new(m, NULL, 0, &ref, &err, &trap)) {
		fprintf(stderr, "llvm_kernels: %s: no run export, or imports\n", name);
		wasm_module_free(m);
		return -1;
	}
	if (lrun_new(m, &l, msg, sizeof msg)) {
		fprintf(stderr, "llvm_kernels: %s: llvm: %s\n", name, msg);
		goto out;
	}
	/* interleaved, best of runs; each run on a fresh start of the
	   kernel's state only as far as the program itself resets it (every
	   bench/ main initialises what it uses) */
	for (int r = 0; r < runs; r++) {
		uint64_t res[1];
		t = now();
		hn = native();
		tn = fmin(tn, now() - t);
		t = now();
		if (wasm_call(ref, "run", NULL, 0, res, 1, &trap, &err)) {
			fprintf(stderr, "llvm_kernels: %s: single-pass trapped (%d)\n", name,
				(int)trap.code);
			goto out;
		}
		ts = fmin(ts, now() - t);
		hs = res[0];
		t = now();
		if ((rc = lrun_call(&l, e->index, res))) {
			fprintf(stderr, "llvm_kernels: %s: llvm trapped (%d)\n", name, rc);
			rc = -1;
			goto out;
		}
		tl = fmin(tl, now() - t);
		hl = res[0];
	}
	if (hn != hs || hn != hl) {
		fprintf(stderr, "llvm_kernels: %s: results differ: native %016" PRIx64
			", single-pass %016" PRIx64 ", llvm %016" PRIx64 "\n", name, hn, hs, hl);
		rc = -1;
		goto out;
	}
	*ratio_s = ts / tn;
	*ratio_l = tl / tn;
	printf("kernel %-10s %8.3f %8.3f %8.3f %6.2fx %6.2fx\n", name, tn, ts, tl,
	       *ratio_s, *ratio_l);
	rc = 0;
out:
	lrun_free(&l);
	wasm_instance_free(ref);
	wasm_module_free(m);
	return rc;
}

static int cmd_run(int runs, const char *dir, int n, char **names)
{
	double gs = 0, gl = 0, rs, rl;
	int ok = 0, bad = 0;

	printf("# kernel     native_s single_s   llvm_s single/native llvm/native "
	       "(best of %d)\n", runs);
	for (int i = 0; i < n; i++) {
		if (run_kernel(dir, names[i], runs, &rs, &rl)) {
			bad++;
			continue;
		}
		gs += log(rs);
		gl += log(rl);
		ok++;
	}
	if (ok)
		printf("geomean %d kernels: single %.3fx native, llvm %.3fx native\n", ok,
		       exp(gs / ok), exp(gl / ok));
	return bad ? 1 : 0;
}

/* ---- compile ---------------------------------------------------------- */

static int compile_one(const char *path)
{
	size_t len;
	uint8_t *bytes = read_file(path, &len);
	wasm_module *m;
	struct wasm_error err;
	LLVMContextRef c;
	LLVMModuleRef mod = NULL;
	LLVMMemoryBufferRef obj = NULL;
	struct llvm_wasm_code code;
	char msg[256];
	double t0, t1, t2, t3, t4, tsp, tv = 0;
	int rc;

	if (!bytes) {
		fprintf(stderr, "llvm_kernels: cannot read %s\n", path);
		return -1;
	}
	t0 = now();
	rc = wasm_module_load(bytes, len, &m, &err);    /* single-pass: all of it */
	tsp = now() - t0;
	free(bytes);
	if (rc) {
		fprintf(stderr, "llvm_kernels: %s: %s\n", path, err.msg);
		return -1;
	}
	c = LLVMContextCreate();
	memset(&code, 0, sizeof code);
	t0 = now();
	rc = llvm_wasm_translate(m, c, jit_cpu_features(), &mod, msg, sizeof msg);
	t1 = now();
	if (!rc) {      /* what one verifier run costs (optimize runs it) */
		char *vmsg = NULL;
		LLVMVerifyModule(mod, LLVMReturnStatusAction, &vmsg);
		LLVMDisposeMessage(vmsg);
		tv = now() - t1;
		t1 = now();
	}
	rc = rc ? rc : llvm_wasm_optimize(mod, msg, sizeof msg);
	t2 = now();
	rc = rc ? rc : llvm_wasm_emit_object(mod, &obj, msg, sizeof msg);
	t3 = now();
	rc = rc ? rc : llvm_wasm_link_object((const uint8_t *)LLVMGetBufferStart(obj),
					     LLVMGetBufferSize(obj), m->nfuncs, &code,
					     msg, sizeof msg);
	t4 = now();
	if (rc)
		fprintf(stderr, "llvm_kernels: %s: %s\n", path, msg);
	else
		printf("compile %s: %zu bytes, %u functions; single-pass %.3f s (%.2f MB/s); "
		       "llvm translate %.3f O2 %.3f codegen %.3f link %.3f = %.3f s "
		       "(%.3f MB/s), blob %zu bytes, %u trap sites; one verifier run %.3f s\n", path, len,
		       m->nfuncs - m->nimported_funcs, tsp, len / tsp / 1e6, t1 - t0, t2 - t1,
		       t3 - t2, t4 - t3, t4 - t0, len / (t4 - t0) / 1e6, code.size,
		       code.ntraps, tv);
	llvm_wasm_code_free(&code);
	if (obj)
		LLVMDisposeMemoryBuffer(obj);
	if (mod)
		LLVMDisposeModule(mod);
	LLVMContextDispose(c);
	wasm_module_free(m);
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: llvm_kernels [-n RUNS] [-plain] run DIR NAME...\n"
		"       llvm_kernels [-plain] [-time-passes] compile FILE.wasm...\n");
	return 2;
}

int main(int argc, char **argv)
{
	int runs = 3, i = 1, bad = 0;

	plat_host_init();
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			runs = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "-plain")) {
			llvm_wasm_plain_memory = 1;
		} else if (!strcmp(argv[i], "-time-passes")) {
			const char *o[] = { "llvm_kernels", "-time-passes" };
			LLVMParseCommandLineOptions(2, o, NULL);
		} else {
			return usage();
		}
	}
	if (runs < 1 || i >= argc)
		return usage();
	if (!strcmp(argv[i], "run") && i + 2 < argc)
		return cmd_run(runs, argv[i + 1], argc - i - 2, argv + i + 2);
	if (strcmp(argv[i], "compile") || i + 1 >= argc)
		return usage();
	for (i++; i < argc; i++)
		bad |= compile_one(argv[i]) != 0;
	return bad;
}
