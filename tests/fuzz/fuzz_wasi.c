/*
 * fuzz_wasi.c — libFuzzer target: the WASI layer (wasi-baremetal/) called
 * the way a hostile guest would, in random sequences with random pointers
 * and lengths against a random memory.
 *
 * Each input: its first bytes fill the start of a one-page memory (of an
 * instance of a module that has nothing but that memory), the rest is a
 * program of calls: one byte chooses a function of wasi_host_funcs (all of
 * wasi_snapshot_preview1 and the socket extensions), then each parameter
 * is read as a form byte and a value: a small number, an offset inside the
 * memory, an offset near its end, or raw bits (4 or 8 bytes).  The calls
 * go straight to the host functions, as compiled code's jit_host_call
 * would make them: proc_exit and proc_raise only return their trap codes.
 *
 * The context is a fresh one per input, with argv, environment and one
 * preopened tree (a directory, a file, symlinks inside and out of it).
 * No network grants: socket calls meet the refusals.  The platform's
 * console and clock are replaced for this program by the linker
 * (-Wl,--wrap, Makefile): output is dropped, stdin is empty, and time is
 * virtual — it moves only when a call waits, straight to the deadline —
 * so poll_oneoff's sleeps cost nothing and nothing blocks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jit.h"
#include "plat.h"
#include "plat_host.h"
#include "wasi.h"

#define MAX_CALLS 64
#define MEM_FILL  4096          /* input bytes copied into memory at most */

/* ---- the platform's console and clock, replaced ------------------------ */

#define VIRTUAL_START (1700000000ull * 1000000000ull)
static uint64_t virtual_ns = VIRTUAL_START;

void __wrap_plat_console_write(int fd, const void *buf, size_t len)
{
	(void)fd;
	(void)buf;
	(void)len;
}

long __wrap_plat_console_read(void *buf, size_t len, int wait)
{
	(void)buf;
	(void)len;
	(void)wait;
	return 0;               /* the end of input */
}

int __wrap_plat_console_ready(uint64_t *nbytes)
{
	*nbytes = 0;
	return 1;
}

uint64_t __wrap_plat_clock_ns(enum plat_clock clock)
{
	(void)clock;
	return virtual_ns;
}

void __wrap_plat_wait(uint64_t deadline_ns, int console,
		      const struct plat_wait_sock *socks, size_t n)
{
	(void)console;
	(void)socks;
	(void)n;
	/* No deadline (UINT64_MAX): nothing else could wake this process
	 * (no sockets, stdin at its end), so time runs to its end: a clock
	 * subscription whose deadline saturated there fires, as it would after
	 * 584 years.  It is set back for the next input. */
	if (deadline_ns > virtual_ns)
		virtual_ns = deadline_ns;
	else if (virtual_ns < UINT64_MAX - 1000000)
		virtual_ns += 1000000;  /* a wait that returns early */
	else
		virtual_ns = UINT64_MAX;        /* never wrapping back */
}

/* ---- the instance: a module with one exported page of memory ---------- */

static const uint8_t memory_module[] = {
	0, 'a', 's', 'm', 1, 0, 0, 0,
	5, 3, 1, 0, 1,                                  /* memory 1 */
	7, 10, 1, 6, 'm', 'e', 'm', 'o', 'r', 'y', 2, 0, /* export "memory" */
};

/* One instance for every input (its memory cleared before each): making
 * one reserves and maps its memory and stack, which would cost more than
 * the calls. */
static wasm_module *mod;
static wasm_instance *inst;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct wasm_error err;
	struct wasm_trap trap;

	(void)argc;
	(void)argv;
	plat_host_init();
	if (wasm_module_load(memory_module, sizeof memory_module, &mod, &err) ||
	    wasm_instance_new(mod, NULL, 0, &inst, &err, &trap))
		abort();
	return 0;
}

/* ---- the context -------------------------------------------------------- */

static const struct wasi_tree_entry tree[] = {
	{ "dir", WASI_NODE_DIR, NULL, 0 },
	{ "dir/file", WASI_NODE_FILE, (const uint8_t *)"contents\n", 9 },
	{ "file", WASI_NODE_FILE, (const uint8_t *)"0123456789", 10 },
	{ "empty", WASI_NODE_FILE, (const uint8_t *)"", 0 },
	{ "link", WASI_NODE_SYMLINK, (const uint8_t *)"dir/file", 8 },
	{ "up", WASI_NODE_SYMLINK, (const uint8_t *)"../../etc/passwd", 16 },
	{ "loop", WASI_NODE_SYMLINK, (const uint8_t *)"loop", 4 },
};
static const struct wasi_preopen preopens[] = {
	{ "/", sizeof tree / sizeof tree[0], tree },
	{ "/empty", 0, NULL },
};
static const char *const argv_[] = { "prog", "one", "", "ünï" };
static const char *const envp_[] = { "A=1", "EMPTY=", "B=x=y" };

/* ---- the program of calls ----------------------------------------------- */

struct in {
	const uint8_t *p, *end;
};

static uint64_t take(struct in *in, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n && in->p < in->end; i++)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

/* One parameter: 'i' (i32) or 'I' (i64). */
static uint64_t param(struct in *in, char type, uint64_t memsize)
{
	unsigned form = (unsigned)take(in, 1);
	uint64_t v;

	switch (form & 3) {
	case 0:                 /* small: counts, fds, flags, short lengths */
		return form >> 2;
	case 1:                 /* inside the memory */
		return take(in, 2) % memsize;
	case 2:                 /* near (or just past) its end */
		return memsize - (form >> 2);
	default:                /* raw bits */
		v = take(in, type == 'I' ? 8 : 4);
		return type == 'I' ? v : (uint32_t)v;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, data + size };
	struct wasi_config cfg = {
		.argc = 4, .argv = argv_, .envc = 3, .envp = envp_,
		.npreopens = 2, .preopens = preopens,
	};
	const struct wasm_host_func *funcs;
	struct wasi_ctx *ctx;
	size_t nfuncs, fill;
	uint64_t args[16], results[4], memsize;
	char why[256];

	virtual_ns = VIRTUAL_START;
	if (!(ctx = wasi_ctx_create(&cfg, why, sizeof why)))
		abort();        /* a fixed, valid configuration */
	nfuncs = wasi_host_funcs(ctx, &funcs);
	wasm_instance_set_user(inst, ctx);
	memsize = wasm_memory_size(inst);
	memset(wasm_memory_base(inst), 0, memsize);
	fill = size < MEM_FILL ? size : MEM_FILL;
	if (size)
		fill = fill * data[0] / 255;    /* the input says how much */
	memcpy(wasm_memory_base(inst), data, fill);
	in.p += fill;
	for (int c = 0; c < MAX_CALLS && in.p < in.end; c++) {
		const struct wasm_host_func *f = &funcs[take(&in, 1) % nfuncs];
		size_t np = strlen(f->params);

		if (np > 16)
			continue;
		for (size_t i = 0; i < np; i++)
			args[i] = param(&in, f->params[i], memsize);
		f->fn(inst, f->env, args, results);
	}
	wasm_instance_set_user(inst, NULL);
	wasi_ctx_free(ctx);
	return 0;
}
