/*
 * test_wasi.c — unit tests of wasi-baremetal/: the import table's names and
 * signatures (witx), and the host functions called directly on a real
 * instance with one page of memory — struct layouts in guest memory, the
 * bounds checks at the edges of memory (EFAULT, never a crash), fds.
 */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "wasm.h"
#include "wasi.h"
#include "plat_host.h"

/* (module (memory (export "memory") 1)) */
static const uint8_t mem_module[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x05, 0x03, 0x01, 0x00, 0x01,
	0x07, 0x0a, 0x01, 0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00,
};
#define MEM_SIZE 65536u

static const char *const t_argv[] = { "prog.wasm", "a b", "" };
static const char *const t_envp[] = { "X=1", "EMPTY=" };

static struct wasi_ctx *ctx;
static const struct wasm_host_func *funcs;
static size_t nfuncs;
static wasm_module *mod;
static wasm_instance *inst;
static uint8_t *mem;

static const struct wasm_host_func *find(const char *name)
{
	for (size_t i = 0; i < nfuncs; i++)
		if (!strcmp(funcs[i].name, name))
			return &funcs[i];
	return NULL;
}

/* Call a WASI function; returns its errno (or -1000 - trap code). */
static int64_t call(const char *name, uint64_t a0, uint64_t a1, uint64_t a2,
		    uint64_t a3, uint64_t a4)
{
	const struct wasm_host_func *f = find(name);
	uint64_t args[8] = { a0, a1, a2, a3, a4 }, res[1] = { 0xdead };
	enum wasm_trap_code t;

	if (!f)
		return -2000;
	t = f->fn(inst, f->env, args, res);
	if (t != WASM_TRAP_NONE)
		return -1000 - (int64_t)t;
	return (int64_t)res[0];
}

static uint32_t ld32(uint32_t p) { uint32_t v; memcpy(&v, mem + p, 4); return v; }
static uint64_t ld64(uint32_t p) { uint64_t v; memcpy(&v, mem + p, 8); return v; }
static void st32(uint32_t p, uint32_t v) { memcpy(mem + p, &v, 4); }

TEST(table_signatures)
{
	static const struct { const char *name, *params, *results; } want[] = {
		{ "args_get", "ii", "i" }, { "args_sizes_get", "ii", "i" },
		{ "environ_get", "ii", "i" }, { "environ_sizes_get", "ii", "i" },
		{ "clock_time_get", "iIi", "i" }, { "clock_res_get", "ii", "i" },
		{ "fd_write", "iiii", "i" }, { "fd_read", "iiii", "i" },
		{ "fd_seek", "iIii", "i" }, { "fd_pread", "iiiIi", "i" },
		{ "fd_filestat_set_times", "iIIi", "i" },
		{ "path_open", "iiiiiIIii", "i" }, { "proc_exit", "i", "" },
		{ "sched_yield", "", "i" }, { "poll_oneoff", "iiii", "i" },
		{ "random_get", "ii", "i" }, { "fd_prestat_get", "ii", "i" },
		{ "fd_prestat_dir_name", "iii", "i" }, { "sock_accept", "iii", "i" },
	};

	CHECK(nfuncs >= 45);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct wasm_host_func *f = find(want[i].name);

		CHECK(f != NULL);
		if (!f)
			continue;
		CHECK(!strcmp(f->module, "wasi_snapshot_preview1"));
		CHECK(!strcmp(f->params, want[i].params));
		CHECK(!strcmp(f->results, want[i].results));
		CHECK(f->env == ctx);
	}
	for (size_t i = 0; i < nfuncs; i++)
		for (size_t j = i + 1; j < nfuncs; j++)
			CHECK(strcmp(funcs[i].name, funcs[j].name) != 0);
}

TEST(args_and_environ)
{
	CHECK_EQ_U64(call("args_sizes_get", 100, 104, 0, 0, 0), 0);
	CHECK_EQ_U64(ld32(100), 3);
	CHECK_EQ_U64(ld32(104), 10 + 4 + 1);
	CHECK_EQ_U64(call("args_get", 200, 300, 0, 0, 0), 0);
	CHECK_EQ_U64(ld32(200), 300);
	CHECK_EQ_U64(ld32(204), 310);
	CHECK_EQ_U64(ld32(208), 314);
	CHECK(!memcmp(mem + 300, "prog.wasm\0a b\0\0", 15));
	CHECK_EQ_U64(call("environ_sizes_get", 100, 104, 0, 0, 0), 0);
	CHECK_EQ_U64(ld32(100), 2);
	CHECK_EQ_U64(ld32(104), 4 + 7);
	CHECK_EQ_U64(call("environ_get", 400, 500, 0, 0, 0), 0);
	CHECK_EQ_U64(ld32(404), 504);
	CHECK(!memcmp(mem + 500, "X=1\0EMPTY=\0", 11));
	/* Edges: the argv array or buffer one byte past the end. */
	CHECK_EQ_U64(call("args_get", MEM_SIZE - 11, 300, 0, 0, 0), 21);
	CHECK_EQ_U64(call("args_get", MEM_SIZE - 12, MEM_SIZE - 15, 0, 0, 0), 0);
	CHECK_EQ_U64(call("args_get", 200, MEM_SIZE - 14, 0, 0, 0), 21);
	CHECK_EQ_U64(call("args_sizes_get", 0xfffffffcu, 104, 0, 0, 0), 21);
	CHECK_EQ_U64(call("environ_sizes_get", 100, MEM_SIZE - 3, 0, 0, 0), 21);
}

TEST(fd_write_bounds)
{
	/* Zero-length writes only, to keep this program's stdout clean.
	 * iovec { buf = MEM_SIZE - 4, len = 4 }: the last 4 bytes, fine. */
	st32(1000, MEM_SIZE - 4);
	st32(1004, 0);
	CHECK_EQ_U64(call("fd_write", 1, 1000, 1, 1008, 0), 0);
	CHECK_EQ_U64(ld32(1008), 0);
	st32(1000, MEM_SIZE + 1);      /* buf past the end, even with len 0 */
	CHECK_EQ_U64(call("fd_write", 1, 1000, 1, 1008, 0), 21);
	st32(1000, 0xffffffffu);       /* 32-bit wraparound must not pass */
	st32(1004, 2);
	CHECK_EQ_U64(call("fd_write", 1, 1000, 1, 1008, 0), 21);
	st32(1000, MEM_SIZE - 1);
	st32(1004, 2);
	CHECK_EQ_U64(call("fd_write", 2, 1000, 1, 1008, 0), 21);
	CHECK_EQ_U64(call("fd_write", 1, MEM_SIZE - 4, 1, 1008, 0), 21);
	CHECK_EQ_U64(call("fd_write", 1, 1000, 0x20000000u, 1008, 0), 21);
	CHECK_EQ_U64(call("fd_write", 1, 1000, 0, MEM_SIZE - 3, 0), 21);
	CHECK_EQ_U64(call("fd_write", 7, 1000, 0, 1008, 0), 8);
	CHECK_EQ_U64(call("fd_write", 0, 1000, 0, 1008, 0), 8);
}

TEST(fdstat_layout)
{
	memset(mem + 2000, 0xaa, 24);
	CHECK_EQ_U64(call("fd_fdstat_get", 1, 2000, 0, 0, 0), 0);
	CHECK_EQ_U64(mem[2000], 2);                    /* character device */
	CHECK_EQ_U64(mem[2002] | mem[2003] << 8, 0);   /* fdflags */
	CHECK(ld64(2008) & (1ull << 6));               /* fd_write */
	CHECK(!(ld64(2008) & (1ull << 2)));            /* no fd_seek */
	CHECK_EQ_U64(ld64(2016), 0);
	CHECK_EQ_U64(call("fd_fdstat_get", 0, 2000, 0, 0, 0), 0);
	CHECK(ld64(2008) & (1ull << 1));               /* fd_read */
	CHECK_EQ_U64(call("fd_fdstat_get", 3, 2000, 0, 0, 0), 8);
	CHECK_EQ_U64(call("fd_fdstat_get", 1, MEM_SIZE - 23, 0, 0, 0), 21);
	CHECK_EQ_U64(call("fd_fdstat_get", 1, MEM_SIZE - 24, 0, 0, 0), 0);
	CHECK_EQ_U64(call("fd_filestat_get", 2, 2100, 0, 0, 0), 0);
	CHECK_EQ_U64(mem[2100 + 16], 2);
}

TEST(seek_prestat_close)
{
	CHECK_EQ_U64(call("fd_seek", 1, 0, 1, 3000, 0), 70);   /* ESPIPE */
	CHECK_EQ_U64(call("fd_seek", 9, 0, 1, 3000, 0), 8);    /* EBADF */
	CHECK_EQ_U64(call("fd_tell", 2, 3000, 0, 0, 0), 70);
	CHECK_EQ_U64(call("fd_prestat_get", 3, 3000, 0, 0, 0), 8);
	CHECK_EQ_U64(call("fd_prestat_dir_name", 3, 3000, 10, 0, 0), 8);
	st32(3100, 3200);
	st32(3104, 16);
	CHECK_EQ_U64(call("fd_read", 0, 3100, 1, 3108, 0), 0);
	CHECK_EQ_U64(ld32(3108), 0);
	CHECK_EQ_U64(call("fd_read", 0, 3100, 1, MEM_SIZE, 0), 21);
	CHECK_EQ_U64(call("path_open", 3, 0, 0, 0, 0), 52);   /* ENOSYS */
}

TEST(clocks_random_exit)
{
	CHECK_EQ_U64(call("clock_time_get", 1, 0, 4000, 0, 0), 0);
	CHECK(ld64(4000) != 0);
	CHECK_EQ_U64(call("clock_time_get", 0, 0, 4000, 0, 0), 0);
	CHECK(ld64(4000) > 1577836800ull * 1000000000ull);
	CHECK_EQ_U64(call("clock_time_get", 4, 0, 4000, 0, 0), 28);
	CHECK_EQ_U64(call("clock_time_get", 1, 0, MEM_SIZE - 7, 0, 0), 21);
	CHECK_EQ_U64(call("clock_res_get", 1, 4008, 0, 0, 0), 0);
	CHECK(ld64(4008) > 0);
	memset(mem + 4100, 0, 64);
	CHECK_EQ_U64(call("random_get", 4100, 64, 0, 0, 0), 0);
	int nz = 0;
	for (int i = 0; i < 64; i++)
		nz += mem[4100 + i] != 0;
	CHECK(nz > 32);
	CHECK_EQ_U64(call("random_get", MEM_SIZE - 63, 64, 0, 0, 0), 21);
	CHECK_EQ_U64(call("random_get", MEM_SIZE, 0, 0, 0, 0), 0);
	CHECK_EQ_U64(call("sched_yield", 0, 0, 0, 0, 0), 0);
	CHECK_EQ_U64(call("proc_exit", 3, 0, 0, 0, 0), -1000 - WASM_TRAP_EXIT);
}

TEST(poll_clock)
{
	uint64_t t0 = plat_clock_ns(PLAT_CLOCK_MONOTONIC);

	/* subscription at 5000: userdata 77, clock, monotonic, 1 ms */
	memset(mem + 5000, 0, 48);
	mem[5000] = 77;
	mem[5008] = 0;
	uint64_t ms = 1000000;
	memcpy(mem + 5024, &ms, 8);
	st32(5016, 1);
	CHECK_EQ_U64(call("poll_oneoff", 5000, 5100, 1, 5200, 0), 0);
	CHECK(plat_clock_ns(PLAT_CLOCK_MONOTONIC) - t0 >= ms);
	CHECK_EQ_U64(ld32(5200), 1);
	CHECK_EQ_U64(ld64(5100), 77);
	CHECK_EQ_U64(mem[5108] | mem[5109] << 8, 0);   /* error */
	CHECK_EQ_U64(mem[5110], 0);                    /* clock */
	/* An fd_write subscription on stdout completes at once. */
	mem[5008] = 2;
	st32(5016, 1);
	CHECK_EQ_U64(call("poll_oneoff", 5000, 5100, 1, 5200, 0), 0);
	CHECK_EQ_U64(mem[5110], 2);
	CHECK_EQ_U64(call("poll_oneoff", 5000, 5100, 0, 5200, 0), 28);
	CHECK_EQ_U64(call("poll_oneoff", 5000, MEM_SIZE - 31, 1, 5200, 0), 21);
	mem[5008] = 9;
	CHECK_EQ_U64(call("poll_oneoff", 5000, 5100, 1, 5200, 0), 28);
}

int main(void)
{
	struct wasi_config cfg = { 3, t_argv, 2, t_envp };
	struct wasm_error err;
	struct wasm_trap trap;

	plat_host_init();
	ctx = wasi_ctx_new(&cfg);
	if (!ctx || wasm_module_load(mem_module, sizeof(mem_module), &mod, &err) ||
	    wasm_instance_new(mod, NULL, 0, &inst, &err, &trap)) {
		printf("FAIL setup (%s)\n", ctx ? err.msg : "wasi_ctx_new");
		return 1;
	}
	nfuncs = wasi_host_funcs(ctx, &funcs);
	mem = wasm_memory_base(inst);
	if (!mem || wasm_memory_size(inst) != MEM_SIZE) {
		printf("FAIL setup (no 64 KiB memory)\n");
		return 1;
	}
	RUN(table_signatures);
	RUN(args_and_environ);
	RUN(fd_write_bounds);
	RUN(fdstat_layout);
	RUN(seek_prestat_close);
	RUN(clocks_random_exit);
	RUN(poll_clock);
	wasm_instance_free(inst);
	wasm_module_free(mod);
	wasi_ctx_free(ctx);
	CHECK_DONE();
}
