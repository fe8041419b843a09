/*
 * fuzz_module.c — libFuzzer target: the engine (jit/) on a hostile module.
 * A module's bytes in: decode + validate + compile (wasm_module_load),
 * instantiate through a linker that holds the spec testsuite's "spectest"
 * module and a stub for every other function import, then call every
 * exported function with arguments drawn from the input, all of it under
 * a time budget.  Seeds: the spec testsuite's modules and the test and
 * example programs (tests/fuzz/seeds.sh).  tests/fuzz/README.md has the
 * commands.
 *
 * The compiler's optional instructions (jit_cpu_disable) are chosen from
 * the input's hash, so the fallback paths are fuzzed too.
 *
 * Bounding execution without touching compiled code: a POSIX timer on
 * CLOCK_MONOTONIC sends a real-time signal (SIGRTMIN + 1, which
 * neither libFuzzer nor the sanitizers use) when the input's budget is spent, then
 * every BUDGET_TICK_US.  The handler unwinds compiled code the way a
 * trap does (jit_unwind, as host/plat_host.c's fault handler does for a
 * guard-page fault), but only when the signal interrupted compiled code
 * of a live instance (the innermost jit_enter's, *plat_current_ctx(), as
 * the fault handler finds it; rip inside its code): compiled
 * code holds no lock and owns no memory, so leaving it at any instruction
 * is what a trap does.  Anywhere else (a host function, a runtime helper,
 * the C library) it only raises `out_of_time`: the stubs trap on it, and
 * the next tick lands in compiled code again.  Normal runs have no timer
 * and no handler: nothing of this is in the runtime.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "jit.h"
#include "module.h"
#include "plat.h"
#include "plat_host.h"
#include "spec_script.h"

#define BUDGET_US       2000    /* per input: instantiation and every call */
#define BUDGET_TICK_US  200     /* then, until compiled code is left */
#define MAX_CALLS       64      /* exports called per input */
#define MAX_IMPORTS     256     /* function imports given a stub */

static timer_t budget_timer;
/* FUZZ_LAST_INPUT=FILE: each input is written there before it runs.  A
 * fault in compiled code that is not a Wasm trap can take the process down
 * inside the sanitizer's report (its unwinder in code without unwind
 * tables), before libFuzzer saves the input; tests/fuzz/run.sh keeps
 * this file then. */
static int last_fd = -1;
static volatile sig_atomic_t out_of_time;

static void on_tick(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *gr = uc->uc_mcontext.gregs;
	uintptr_t rip = (uintptr_t)gr[REG_RIP];
	struct jit_ctx *ctx = *plat_current_ctx();
	const wasm_module *m;

	(void)sig;
	(void)si;
	out_of_time = 1;
	if (!jit_ctx_is_live((uintptr_t)ctx))
		return;
	m = jit_ctx_module(ctx);
	if (!m || !m->code || rip < (uintptr_t)m->code->base ||
	    rip >= (uintptr_t)m->code->base + m->code->size)
		return;
	if (ctx->trap_out) {
		ctx->trap_out->code = WASM_TRAP_HOST;
		memcpy(ctx->trap_out->host_msg, "fuzz: out of time", 18);
	}
	gr[REG_RIP] = (greg_t)(uintptr_t)jit_unwind;
	gr[REG_RDI] = (greg_t)(uintptr_t)ctx;
	gr[REG_RSI] = WASM_TRAP_HOST;
}

static void budget_arm(long first_us, long then_us)
{
	struct itimerspec t = {
		.it_value = { first_us / 1000000, first_us % 1000000 * 1000 },
		.it_interval = { then_us / 1000000, then_us % 1000000 * 1000 },
	};

	timer_settime(budget_timer, 0, &t, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sigaction sa;
	struct sigevent ev;

	const char *last = getenv("FUZZ_LAST_INPUT");

	(void)argc;
	(void)argv;
	if (last && *last)
		last_fd = open(last, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	plat_host_init();       /* the Wasm fault handler (libFuzzer chains it) */
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_tick;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGRTMIN + 1, &sa, NULL);
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGRTMIN + 1;
	ev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &ev, &budget_timer)) {
		perror("fuzz_module: timer_create");
		abort();
	}
	return 0;
}

/* A stub for any function import: results stay 0; traps once the budget
 * is spent (a guest that loops through an import). */
static enum wasm_trap_code stub(wasm_instance *inst, void *env,
				const uint64_t *args, uint64_t *results)
{
	(void)env;
	(void)args;
	(void)results;
	if (out_of_time) {
		wasm_instance_set_host_error(inst, "fuzz: out of time");
		return WASM_TRAP_HOST;
	}
	return WASM_TRAP_NONE;
}

struct stubs {
	struct wasm_host_func f[MAX_IMPORTS];
	char letters[MAX_IMPORTS][2][64];
	size_t n;
};

/* The signature as the letters of struct wasm_host_func; false if it is
 * too long for the stub table. */
static bool letters(const uint8_t *types, uint32_t n, char *out)
{
	if (n >= 64)
		return false;
	for (uint32_t i = 0; i < n; i++)
		out[i] = jit_type_letter(types[i]);
	out[n] = 0;
	return true;
}

static void stubs_fill(struct stubs *s, const wasm_module *m)
{
	s->n = 0;
	for (uint32_t i = 0; i < m->nimports && s->n < MAX_IMPORTS; i++) {
		const struct wasm_import *im = &m->imports[i];
		const struct wasm_functype *ft;

		if (im->kind != WASM_EXTERN_FUNC)
			continue;
		ft = wasm_func_type(m, im->index);
		if (!letters(ft->params, ft->nparams, s->letters[s->n][0]) ||
		    !letters(ft->results, ft->nresults, s->letters[s->n][1]))
			continue;
		s->f[s->n] = (struct wasm_host_func){
			im->module, im->name, s->letters[s->n][0], s->letters[s->n][1],
			stub, NULL,
		};
		s->n++;
	}
}

/* splitmix64: the arguments, from the input's hash */
static uint64_t next_rand(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t arg_value(uint64_t *rng)
{
	static const uint64_t special[] = {
		0, 1, 2, 0xffffffffu, 0x80000000u, 0x7fffffffu, 65536, 65535,
		~0ull, 0x8000000000000000ull, 0x7ff8000000000000ull, 0x3ff0000000000000ull,
		0x7fc00000u, 0x3f800000u,
	};
	uint64_t r = next_rand(rng);

	return r & 1 ? special[(r >> 1) % (sizeof special / sizeof special[0])]
		     : next_rand(rng) >> (r >> 58);
}

static void call_exports(wasm_instance *inst, const wasm_module *m, uint64_t *rng)
{
	uint64_t args[64], results[64];
	unsigned calls = 0;

	for (uint32_t i = 0; i < m->nexports && calls < MAX_CALLS && !out_of_time; i++) {
		const struct wasm_export *e = &m->exports[i];
		const struct wasm_functype *ft;
		struct wasm_trap trap;
		struct wasm_error err;

		if (e->kind != WASM_EXTERN_FUNC)
			continue;
		ft = wasm_func_type(m, e->index);
		if (ft->nparams > 64 || ft->nresults > 64)
			continue;
		for (uint32_t k = 0; k < ft->nparams; k++)
			args[k] = ft->params[k] == WASM_FUNCREF ? 0 : arg_value(rng);
		calls++;
		wasm_call_n(inst, e->name, e->name_len, args, ft->nparams, results,
			    ft->nresults, &trap, &err);
	}
}

static uint64_t hash(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	return h;
}

static void run(wasm_module *m, uint64_t *rng)
{
	static struct stubs s;
	struct wasm_error err;
	struct wasm_trap trap;
	wasm_module *spec_m = NULL;
	wasm_instance *spec_i = NULL, *inst = NULL;
	wasm_linker *l = wasm_linker_new();
	int rc;

	if (!l)
		abort();
	if (spectest_new(NULL, &spec_m, &spec_i, &err) ||
	    wasm_linker_define_instance(l, "spectest", spec_i))
		abort();        /* our own module: never fails */
	stubs_fill(&s, m);
	if (wasm_linker_define_funcs(l, s.f, s.n))
		abort();
	out_of_time = 0;
	budget_arm(BUDGET_US, BUDGET_TICK_US);
	rc = wasm_linker_instantiate(l, m, &inst, &err, &trap);
	if (rc == 0)
		call_exports(inst, m, rng);
	budget_arm(0, 0);
	wasm_instance_free(inst);       /* after -2 too, if it was kept */
	wasm_linker_free(l);
	wasm_instance_free(spec_i);
	wasm_module_free(spec_m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wasm_module *m;
	struct wasm_error err;
	uint64_t rng = hash(data, size);

	if (last_fd >= 0 && (ftruncate(last_fd, 0) ||
			     pwrite(last_fd, data, size, 0) != (ssize_t)size))
		abort();
	jit_cpu_disable((unsigned)(rng >> 60) & JIT_CPU_ALL);
	if (wasm_module_load(data, size, &m, &err))
		return 0;
	run(m, &rng);
	wasm_module_free(m);
	return 0;
}
