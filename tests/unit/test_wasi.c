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
		{ "fd_readdir", "iiiIi", "i" }, { "path_link", "iiiiiii", "i" },
		{ "path_rename", "iiiiii", "i" }, { "path_symlink", "iiiii", "i" },
		{ "fd_renumber", "ii", "i" }, { "fd_advise", "iIIi", "i" },
		{ "fd_allocate", "iII", "i" }, { "path_filestat_set_times", "iiiiIIi", "i" },
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
	/* A name repeats only with another signature (WasmEdge's V1/V2
	 * socket functions); the engine binds the one that matches. */
	for (size_t i = 0; i < nfuncs; i++)
		for (size_t j = i + 1; j < nfuncs; j++)
			CHECK(strcmp(funcs[i].name, funcs[j].name) != 0 ||
			      strcmp(funcs[i].params, funcs[j].params) != 0);
}

/* (module (type (func (param i32 i32) (result i32)))
 *         (type (func (param i32 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "sock_accept" (func (type T0)))
 *   (import "wasi_snapshot_preview1" "sock_accept" (func (type T1)))) */
#define IMPORT_ACCEPT(t) 0x16, 'w', 'a', 's', 'i', '_', 's', 'n', 'a', 'p', 's', 'h', \
	'o', 't', '_', 'p', 'r', 'e', 'v', 'i', 'e', 'w', '1', 0x0b, 's', 'o', 'c', \
	'k', '_', 'a', 'c', 'c', 'e', 'p', 't', 0x00, (t)
static const uint8_t two_accepts[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x0e, 0x02, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,
	0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x01, 0x7f,
	0x02, 0x4b, 0x02, IMPORT_ACCEPT(0), IMPORT_ACCEPT(1),
};
/* the same with (func (param i32) (result i32)): no such signature */
static const uint8_t bad_accept[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
	0x02, 0x26, 0x01, IMPORT_ACCEPT(0),
};

TEST(sock_accept_binds_by_signature)
{
	wasm_module *m;
	wasm_instance *in = NULL;
	struct wasm_error err;
	struct wasm_trap trap;

	CHECK(wasm_module_load(two_accepts, sizeof two_accepts, &m, &err) == 0);
	CHECK(wasm_instance_new(m, funcs, nfuncs, &in, &err, &trap) == 0);
	wasm_instance_free(in);
	wasm_module_free(m);
	in = NULL;
	CHECK(wasm_module_load(bad_accept, sizeof bad_accept, &m, &err) == 0);
	CHECK(wasm_instance_new(m, funcs, nfuncs, &in, &err, &trap) == -1);
	CHECK(strstr(err.msg, "incompatible import type") != NULL);
	wasm_instance_free(in);
	wasm_module_free(m);
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
	CHECK_EQ_U64(call("fd_fdstat_get", 9, 2000, 0, 0, 0), 8);
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
	CHECK_EQ_U64(call("fd_prestat_get", 9, 3000, 0, 0, 0), 8);
	CHECK_EQ_U64(call("fd_prestat_dir_name", 9, 3000, 10, 0, 0), 8);
	st32(3100, 3200);
	st32(3104, 16);
	/* (stdin itself is H12's: only the checks before any read here) */
	CHECK_EQ_U64(call("fd_read", 0, 3100, 1, MEM_SIZE, 0), 21);
	for (size_t i = 0; i < nfuncs; i++) {
		uint64_t args[9] = { 0 }, res[1];

		CHECK(funcs[i].fn != NULL);
		if (!strcmp(funcs[i].name, "proc_exit") ||
		    !strcmp(funcs[i].name, "poll_oneoff") ||
		    !strcmp(funcs[i].name, "proc_raise") ||
		    !strcmp(funcs[i].name, "fd_read"))
			continue;
		args[0] = 99;   /* a closed fd everywhere: never ENOSYS */
		funcs[i].fn(inst, funcs[i].env, args, res);
		if (res[0] == 52)
			fprintf(stderr, "ENOSYS: %s\n", funcs[i].name);
		CHECK(res[0] != 52);
	}
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

/* ---- the file-system half: a preopen "/data" built from a tree ---------- */

static const struct wasi_tree_entry t_tree[] = {
	{ "sub", WASI_NODE_DIR, NULL, 0 },
	{ "hello.txt", WASI_NODE_FILE, (const uint8_t *)"hello world\n", 12 },
	{ "sub/n.txt", WASI_NODE_FILE, (const uint8_t *)"n", 1 },
	{ "link", WASI_NODE_SYMLINK, (const uint8_t *)"hello.txt", 9 },
	{ "esc", WASI_NODE_SYMLINK, (const uint8_t *)"../x", 4 },
};
static const struct wasi_preopen t_preopen = { "/data", 5, t_tree };

#define R_READ    (1ull << 1)
#define R_SEEK    (1ull << 2)
#define R_TELL    (1ull << 5)
#define R_WRITE   (1ull << 6)
#define R_OPEN    (1ull << 13)
#define R_READDIR (1ull << 14)
#define R_FSTAT   (1ull << 21)
#define R_SETSIZE (1ull << 22)
#define R_SETTIME (1ull << 23)
#define R_CREATE_FILE (1ull << 10)

/* Any-arity call. */
static int64_t calln(const char *name, int n, const uint64_t *a)
{
	const struct wasm_host_func *f = find(name);
	uint64_t args[10] = { 0 }, res[1] = { 0xdead };

	if (!f)
		return -2000;
	memcpy(args, a, (size_t)n * 8);
	if (f->fn(inst, f->env, args, res) != WASM_TRAP_NONE)
		return -1000;
	return (int64_t)res[0];
}

#define CALL(name, ...) calln(name, (int)(sizeof((uint64_t[]){ __VA_ARGS__ }) / 8), \
			      (uint64_t[]){ __VA_ARGS__ })

/* Put a path at 10000 (+ 512 * slot); returns its guest address. */
static uint32_t S(int slot, const char *s)
{
	uint32_t at = 10000 + 512 * (uint32_t)slot;

	memcpy(mem + at, s, strlen(s));
	return at;
}
#define P(slot, s) S(slot, s), (uint64_t)strlen(s)

/* path_open from fd 3; the new fd, or -errno. */
static int64_t open3(const char *path, uint32_t lookup, uint32_t oflags,
		     uint64_t rights, uint32_t fdflags)
{
	int64_t e = CALL("path_open", 3, lookup, P(0, path), oflags, rights,
			 rights, fdflags, 9000);

	return e ? -e : ld32(9000);
}

static int64_t rd(uint32_t fd, uint32_t len, const char *fn, uint64_t off)
{
	st32(9100, 20000);
	st32(9104, len);
	memset(mem + 20000, 0, len + 1);
	int64_t e = strcmp(fn, "fd_read") ? CALL(fn, fd, 9100, 1, off, 9108)
					  : CALL(fn, fd, 9100, 1, 9108);
	return e ? -e : ld32(9108);
}

static int64_t wr(uint32_t fd, const char *data)
{
	memcpy(mem + 21000, data, strlen(data));
	st32(9200, 21000);
	st32(9204, (uint32_t)strlen(data));
	int64_t e = CALL("fd_write", fd, 9200, 1, 9208);
	return e ? -e : ld32(9208);
}

/* ---- block devices as files (wasi_disk.c, issue 11) ---------------------- */

static uint8_t ram_disk[4096];
static unsigned disk_syncs, disk_bad_calls;
static bool disk_failing;

static int ram_read(void *dev, uint64_t off, void *buf, size_t len)
{
	if (off > sizeof ram_disk || len > sizeof ram_disk - off)
		disk_bad_calls++;
	else if (!disk_failing)
		memcpy(buf, ram_disk + off, len);
	return disk_failing ? -5 : 0;   /* -EIO */
}

static int ram_write(void *dev, uint64_t off, const void *buf, size_t len)
{
	if (off > sizeof ram_disk || len > sizeof ram_disk - off)
		disk_bad_calls++;
	else if (!disk_failing)
		memcpy(ram_disk + off, buf, len);
	return disk_failing ? -5 : 0;
}

static int ram_sync(void *dev)
{
	disk_syncs++;
	return 0;
}

static const struct wasi_disk t_disks[] = {
	{ 0, "disk", false, sizeof ram_disk, NULL, ram_read, ram_write, ram_sync },
	{ 0, "rodisk", true, sizeof ram_disk, NULL, ram_read, ram_write, ram_sync },
};

TEST(disk_files)
{
	int64_t fd = open3("disk", 0, 0, R_READ | R_WRITE | R_SEEK | R_FSTAT | R_SETSIZE |
			   (1ull << 4) /* FD_SYNC */, 0);

	REQUIRE(fd >= 4);
	CHECK_EQ_U64(CALL("fd_filestat_get", fd, 2200), 0);
	CHECK_EQ_U64(ld64(2200 + 32), sizeof ram_disk);        /* size */
	CHECK_EQ_U64(mem[2200 + 16], 4);                        /* regular file */
	memcpy(mem + 21000, "abcdefghij", 10);
	st32(9200, 21000);
	st32(9204, 10);
	CHECK_EQ_U64(CALL("fd_pwrite", fd, 9200, 1, 4090, 9208), 0);
	CHECK_EQ_U64(ld32(9208), 6);                            /* short at the end */
	CHECK(!memcmp(ram_disk + 4090, "abcdef", 6));
	CHECK_EQ_U64(CALL("fd_pwrite", fd, 9200, 1, 4096, 9208), 51);  /* ENOSPC */
	CHECK_EQ_U64(rd(fd, 100, "fd_pread", 4094), 2);
	CHECK(!memcmp(mem + 20000, "ef", 2));
	CHECK_EQ_U64(rd(fd, 100, "fd_pread", 5000), 0);
	CHECK_EQ_U64(CALL("fd_seek", fd, 0, 2, 9300), 0);       /* SEEK_END */
	CHECK_EQ_U64(ld64(9300), sizeof ram_disk);
	CHECK_EQ_U64(CALL("fd_filestat_set_size", fd, 100), 28);
	CHECK_EQ_U64(CALL("fd_sync", fd), 0);
	CHECK_EQ_U64(disk_syncs, 1);
	disk_failing = true;
	CHECK_EQ_U64(rd(fd, 10, "fd_pread", 0), -29);           /* EIO */
	CHECK_EQ_U64(CALL("fd_pwrite", fd, 9200, 1, 0, 9208), 29);
	disk_failing = false;
	CHECK_EQ_U64(CALL("fd_close", fd), 0);
	/* O_TRUNC is ignored: the disk keeps its size and bytes */
	fd = open3("disk", 0, 8, R_READ | R_WRITE, 0);
	CHECK(fd >= 4);
	CHECK(!memcmp(ram_disk + 4090, "abcdef", 6));
	CHECK_EQ_U64(CALL("fd_close", fd), 0);
	/* read-only: no write right, EROFS; reading works */
	CHECK_EQ_U64(open3("rodisk", 0, 0, R_READ | R_WRITE, 0), -69);
	CHECK_EQ_U64(open3("rodisk", 0, 0, R_READ | R_SETSIZE, 0), -69);
	fd = open3("rodisk", 0, 0, R_READ | R_SEEK, 0);
	CHECK(fd >= 4);
	CHECK_EQ_U64(rd(fd, 6, "fd_pread", 4090), 6);
	CHECK_EQ_U64(wr(fd, "x"), -76);
	CHECK_EQ_U64(CALL("fd_close", fd), 0);
	CHECK_EQ_U64(disk_bad_calls, 0);
}

TEST(fs_prestat)
{
	CHECK_EQ_U64(call("fd_prestat_get", 3, 3000, 0, 0, 0), 0);
	CHECK_EQ_U64(mem[3000], 0);
	CHECK_EQ_U64(ld32(3004), 5);
	CHECK_EQ_U64(call("fd_prestat_dir_name", 3, 3100, 5, 0, 0), 0);
	CHECK(!memcmp(mem + 3100, "/data", 5));
	CHECK_EQ_U64(call("fd_prestat_dir_name", 3, 3100, 4, 0, 0), 37);
	CHECK_EQ_U64(call("fd_prestat_dir_name", 3, MEM_SIZE - 4, 5, 0, 0), 21);
	CHECK_EQ_U64(call("fd_prestat_get", 4, 3000, 0, 0, 0), 8);
	CHECK_EQ_U64(call("fd_prestat_get", 3, MEM_SIZE - 7, 0, 0, 0), 21);
	CHECK_EQ_U64(call("fd_fdstat_get", 3, 2000, 0, 0, 0), 0);
	CHECK_EQ_U64(mem[2000], 3);                            /* directory */
	CHECK(ld64(2008) & R_OPEN);
	CHECK(!(ld64(2008) & (R_READ | R_WRITE | R_SEEK)));
	CHECK(ld64(2016) & R_READ);
	CHECK_EQ_U64(call("fd_filestat_get", 3, 2100, 0, 0, 0), 0);
	CHECK_EQ_U64(mem[2100 + 16], 3);
	CHECK_EQ_U64(ld64(2100 + 24), 3);                      /* nlink: ., name, sub/.. */
}

TEST(fs_read_seek)
{
	int64_t fd = open3("hello.txt", 0, 0, R_READ | R_SEEK | R_TELL | R_FSTAT, 0);

	CHECK(fd >= 4);
	CHECK_EQ_U64(rd(fd, 5, "fd_read", 0), 5);
	CHECK(!memcmp(mem + 20000, "hello", 5));
	CHECK_EQ_U64(CALL("fd_tell", fd, 9300), 0);
	CHECK_EQ_U64(ld64(9300), 5);
	CHECK_EQ_U64(CALL("fd_seek", fd, (uint64_t)-2, 2, 9300), 0);
	CHECK_EQ_U64(ld64(9300), 10);
	CHECK_EQ_U64(CALL("fd_seek", fd, (uint64_t)-11, 1, 9300), 28);
	CHECK_EQ_U64(CALL("fd_seek", fd, 0, 3, 9300), 28);
	CHECK_EQ_U64(CALL("fd_seek", fd, 0, 0, MEM_SIZE - 4), 21);
	CHECK_EQ_U64(rd(fd, 100, "fd_pread", 6), 6);
	CHECK(!memcmp(mem + 20000, "world\n", 6));
	CHECK_EQ_U64(rd(fd, 100, "fd_pread", 1ull << 62), 0);
	CHECK_EQ_U64(rd(fd, 100, "fd_pread", 1ull << 63), -28);
	CHECK_EQ_U64(CALL("fd_tell", fd, 9300), 0);
	CHECK_EQ_U64(ld64(9300), 10);                          /* pread: no move */
	CHECK_EQ_U64(wr(fd, "x"), -76);                        /* no FD_WRITE */
	CHECK_EQ_U64(CALL("fd_filestat_get", fd, 2200), 0);
	CHECK_EQ_U64(ld64(2200 + 32), 12);
	CHECK_EQ_U64(mem[2200 + 16], 4);
	/* Through the symlink, and not following it. */
	int64_t l = open3("link", 1, 0, R_READ, 0);
	CHECK(l > fd);
	CHECK_EQ_U64(rd(l, 5, "fd_read", 0), 5);
	CHECK_EQ_U64(open3("link", 0, 0, R_READ, 0), -32);    /* ELOOP */
	CHECK_EQ_U64(CALL("fd_close", l), 0);
	CHECK_EQ_U64(CALL("fd_close", l), 8);
	CHECK_EQ_U64(CALL("fd_close", fd), 0);
	/* Regression (adv_memory): a read whose data overwrites its own
	 * iovec array ("hello wo" becomes iovec 1: far outside memory). */
	l = open3("hello.txt", 0, 0, R_READ | R_SEEK, 0);
	st32(9100, 9108);
	st32(9104, 8);
	st32(9108, 20000);
	st32(9112, 4);
	CHECK_EQ_U64(CALL("fd_read", l, 9100, 2, 9200), 0);
	CHECK_EQ_U64(ld32(9200), 8);
	CHECK_EQ_U64(CALL("fd_pread", l, 9100, 2, 0, 9200), 21);   /* now checked up front */
	CHECK_EQ_U64(CALL("fd_close", l), 0);
	/* stdout is a character device: ESPIPE, not a crash */
	CHECK_EQ_U64(rd(1, 4, "fd_pread", 0), -70);
}

TEST(fs_escapes)
{
	int64_t fd = open3("hello.txt", 0, 0, R_READ, 0);

	CHECK_EQ_U64(open3("../x", 0, 0, R_READ, 0), -63);
	CHECK_EQ_U64(open3("..", 0, 0x2, 0, 0), -63);
	CHECK_EQ_U64(open3("/etc/passwd", 0, 0, R_READ, 0), -63);
	CHECK_EQ_U64(open3("sub/../../data/hello.txt", 0, 0, R_READ, 0), -63);
	CHECK_EQ_U64(open3("esc", 1, 0, R_READ, 0), -63);
	CHECK_EQ_U64(open3("esc/y", 0, 0x1, R_READ, 0), -63);
	CHECK_EQ_U64(open3("sub/../hello.txt", 0, 0, 0, 0) > 0, 1);
	CHECK_EQ_U64(CALL("path_filestat_get", 3, 1, P(0, "esc"), 2300), 63);
	CHECK_EQ_U64(CALL("path_create_directory", 3, P(0, "../evil")), 63);
	CHECK_EQ_U64(CALL("path_symlink", P(1, "/etc"), 3, P(0, "abs")), 63);
	/* a file fd as the directory; a forged fd; path outside memory */
	CHECK_EQ_U64(CALL("path_open", fd, 0, P(0, "x"), 0, 0, 0, 0, 9000), 54);
	CHECK_EQ_U64(CALL("path_open", 77, 0, P(0, "x"), 0, 0, 0, 0, 9000), 8);
	CHECK_EQ_U64(CALL("path_open", 3, 0, MEM_SIZE - 2, 3, 0, 0, 0, 0, 9000), 21);
	CHECK_EQ_U64(CALL("path_open", 3, 0, P(0, "hello.txt"), 0, 0, 0, 0, MEM_SIZE), 21);
	CHECK_EQ_U64(CALL("path_open", 3, 0, 0, 0xffffffffu, 0, 0, 0, 0, 9000), 21);
	memcpy(mem + 10000, "a\0b", 3);
	CHECK_EQ_U64(CALL("path_open", 3, 0, 10000, 3, 0, 0, 0, 0, 9000), 28);
	CHECK_EQ_U64(CALL("fd_close", fd), 0);
}

TEST(fs_create_write)
{
	uint64_t rw = R_READ | R_WRITE | R_SEEK | R_TELL | R_FSTAT | R_SETSIZE;
	int64_t fd = open3("new.txt", 0, 0x1, rw, 0x1);        /* CREAT, APPEND */

	CHECK(fd >= 4);
	CHECK_EQ_U64(wr(fd, "ab"), 2);
	CHECK_EQ_U64(CALL("fd_seek", fd, 0, 0, 9300), 0);
	CHECK_EQ_U64(wr(fd, "cd"), 2);                         /* appended */
	CHECK_EQ_U64(CALL("fd_tell", fd, 9300), 0);
	CHECK_EQ_U64(ld64(9300), 4);
	CHECK_EQ_U64(rd(fd, 10, "fd_pread", 0), 4);
	CHECK(!memcmp(mem + 20000, "abcd", 4));
	CHECK_EQ_U64(CALL("fd_fdstat_set_flags", fd, 0), 76);  /* no such right */
	CHECK_EQ_U64(CALL("fd_filestat_set_size", fd, 2), 0);
	CHECK_EQ_U64(CALL("path_filestat_get", 3, 0, P(0, "new.txt"), 2300), 0);
	CHECK_EQ_U64(ld64(2300 + 32), 2);
	CHECK_EQ_U64(CALL("fd_filestat_set_size", fd, 1ull << 63), 28);
	CHECK_EQ_U64(CALL("fd_allocate", fd, 0, 10), 76);
	CHECK_EQ_U64(open3("new.txt", 0, 0x1 | 0x4, rw, 0), -20);  /* EXCL */
	CHECK_EQ_U64(open3("new.txt", 0, 0x1 | 0x2, 0, 0), -28);   /* CREAT|DIRECTORY */
	CHECK_EQ_U64(open3("new.txt/", 0, 0, R_READ, 0), -54);
	CHECK_EQ_U64(open3("new.txt", 0, 0x2, 0, 0), -54);         /* DIRECTORY */
	CHECK_EQ_U64(open3("missing", 0, 0, 0, 0), -44);
	CHECK_EQ_U64(open3("sub", 0, 0, R_READ | R_WRITE, 0), -31); /* dir for writing */
	int64_t t = open3("new.txt", 0, 0x8, R_READ, 0);           /* TRUNC */
	CHECK(t > 0);
	CHECK_EQ_U64(CALL("path_filestat_get", 3, 0, P(0, "new.txt"), 2300), 0);
	CHECK_EQ_U64(ld64(2300 + 32), 0);
	CHECK_EQ_U64(CALL("fd_close", t), 0);
	CHECK_EQ_U64(CALL("fd_close", fd), 0);
	/* a sparse write far out: zeros before it */
	fd = open3("sparse", 0, 0x1, rw, 0);
	memcpy(mem + 21000, "z", 1);
	st32(9200, 21000);
	st32(9204, 1);
	CHECK_EQ_U64(CALL("fd_pwrite", fd, 9200, 1, 1000, 9208), 0);
	CHECK_EQ_U64(rd(fd, 8, "fd_pread", 996), 5);
	CHECK(!memcmp(mem + 20000, "\0\0\0\0z", 5));
	CHECK_EQ_U64(CALL("fd_pwrite", fd, 9200, 1, (1ull << 63) - 1, 9208), 22);
	CHECK_EQ_U64(CALL("fd_close", fd), 0);
}

TEST(fs_readdir)
{
	CHECK_EQ_U64(CALL("path_create_directory", 3, P(0, "rd")), 0);
	CHECK_EQ_U64(CALL("path_create_directory", 3, P(0, "rd")), 20);
	CHECK_EQ_U64(CALL("fd_close", open3("rd/x", 0, 0x1, 0, 0)), 0);
	int64_t d = open3("rd", 0, 0x2, R_READDIR | R_FSTAT | R_SEEK, 0);
	CHECK(d >= 4);
	CHECK_EQ_U64(CALL("fd_fdstat_get", d, 2000), 0);
	CHECK(!(ld64(2008) & R_SEEK));                         /* not on a dir */
	memset(mem + 22000, 0xee, 200);
	CHECK_EQ_U64(CALL("fd_readdir", d, 22000, 200, 0, 9400), 0);
	CHECK_EQ_U64(ld32(9400), 3 * 24 + 1 + 2 + 1);
	CHECK_EQ_U64(ld64(22000), 1);                          /* d_next */
	CHECK_EQ_U64(ld32(22016), 1);                          /* d_namlen */
	CHECK_EQ_U64(mem[22020], 3);                           /* d_type dir */
	CHECK_EQ_U64(mem[22024], '.');
	CHECK_EQ_U64(ld64(22025), 2);
	CHECK(!memcmp(mem + 22025 + 24, "..", 2));
	CHECK_EQ_U64(ld64(22051), 3);
	CHECK_EQ_U64(mem[22051 + 20], 4);                      /* regular file */
	CHECK_EQ_U64(mem[22051 + 24], 'x');
	CHECK_EQ_U64(mem[22076], 0xee);                        /* nothing after */
	/* the last entry is cut at the end of the buffer */
	CHECK_EQ_U64(CALL("fd_readdir", d, 22000, 30, 0, 9400), 0);
	CHECK_EQ_U64(ld32(9400), 30);
	CHECK_EQ_U64(CALL("fd_readdir", d, 22000, 200, 2, 9400), 0);
	CHECK_EQ_U64(ld32(9400), 25);
	CHECK_EQ_U64(CALL("fd_readdir", d, 22000, 200, 3, 9400), 0);
	CHECK_EQ_U64(ld32(9400), 0);
	CHECK_EQ_U64(CALL("fd_readdir", d, 22000, 200, UINT64_MAX, 9400), 0);
	CHECK_EQ_U64(ld32(9400), 0);
	CHECK_EQ_U64(CALL("fd_readdir", d, MEM_SIZE - 10, 200, 0, 9400), 21);
	CHECK_EQ_U64(CALL("fd_seek", d, 0, 0, 9300), 31);
	CHECK_EQ_U64(rd(d, 4, "fd_read", 0), -31);
	CHECK_EQ_U64(CALL("fd_readdir", 1, 22000, 200, 0, 9400), 76);
	CHECK_EQ_U64(CALL("fd_close", d), 0);
}

TEST(fs_rights)
{
	int64_t fd = open3("hello.txt", 0, 0, R_READ | R_SEEK | R_WRITE, 0);
	int64_t d;

	CHECK_EQ_U64(CALL("fd_fdstat_set_rights", fd, R_SEEK, 0), 0);
	CHECK_EQ_U64(rd(fd, 4, "fd_read", 0), -76);
	CHECK_EQ_U64(CALL("fd_fdstat_set_rights", fd, R_SEEK | R_READ, 0), 76);
	CHECK_EQ_U64(CALL("fd_fdstat_set_rights", fd, R_SEEK, 1), 76);
	CHECK_EQ_U64(CALL("fd_close", fd), 0);
	/* a directory that passes on only FD_READ: files opened through it
	 * get at most that (masked, not an error), and it can't create */
	CHECK_EQ_U64(CALL("path_open", 3, 0, P(0, "sub"), 2, R_OPEN | R_READDIR,
			  R_READ | R_SEEK, 0, 9000), 0);
	d = ld32(9000);
	CHECK_EQ_U64(CALL("fd_fdstat_set_rights", d, R_OPEN, R_READ), 0);
	CHECK_EQ_U64(CALL("path_open", d, 0, P(0, "n.txt"), 0, R_READ | R_WRITE,
			  R_READ | R_WRITE, 0, 9000), 0);
	fd = ld32(9000);
	CHECK_EQ_U64(CALL("fd_fdstat_get", fd, 2000), 0);
	CHECK_EQ_U64(ld64(2008), R_READ);
	CHECK_EQ_U64(ld64(2016), R_READ);
	CHECK_EQ_U64(wr(fd, "x"), -76);
	CHECK_EQ_U64(CALL("path_open", d, 0, P(0, "c"), 1, 0, 0, 0, 9000), 76);
	CHECK_EQ_U64(CALL("fd_readdir", d, 22000, 200, 0, 9400), 76);
	CHECK_EQ_U64(CALL("fd_close", fd), 0);
	CHECK_EQ_U64(CALL("fd_close", d), 0);
}

TEST(fs_namespace)
{
	CHECK_EQ_U64(CALL("path_unlink_file", 3, P(0, "sub")), 31);
	CHECK_EQ_U64(CALL("path_unlink_file", 3, P(0, "sub/")), 31);
	CHECK_EQ_U64(CALL("path_unlink_file", 3, P(0, "hello.txt/")), 54);
	CHECK_EQ_U64(CALL("path_remove_directory", 3, P(0, "sub")), 55);
	CHECK_EQ_U64(CALL("path_remove_directory", 3, P(0, "hello.txt")), 54);
	CHECK_EQ_U64(CALL("path_remove_directory", 3, P(0, ".")), 28);
	CHECK_EQ_U64(CALL("path_rename", 3, P(0, "sub"), 3, P(1, "sub/inner")), 28);
	CHECK_EQ_U64(CALL("path_rename", 3, P(0, "hello.txt"), 3, P(1, "sub")), 31);
	CHECK_EQ_U64(CALL("path_rename", 3, P(0, "sub"), 3, P(1, "hello.txt")), 54);
	CHECK_EQ_U64(CALL("path_rename", 3, P(0, "nope"), 3, P(1, "x")), 44);
	/* move a directory and use it at its new place */
	CHECK_EQ_U64(CALL("path_rename", 3, P(0, "sub"), 3, P(1, "rd/moved/")), 0);
	CHECK_EQ_U64(CALL("path_filestat_get", 3, 0, P(0, "rd/moved/n.txt"), 2300), 0);
	CHECK_EQ_U64(CALL("path_filestat_get", 3, 0, P(0, "rd/moved/../x"), 2300), 0);
	CHECK_EQ_U64(CALL("path_filestat_get", 3, 0, P(0, "sub"), 2300), 44);
	CHECK_EQ_U64(CALL("path_rename", 3, P(0, "rd/moved"), 3, P(1, "sub")), 0);
	/* hard links */
	CHECK_EQ_U64(CALL("path_link", 3, 0, P(0, "hello.txt"), 3, P(1, "hl")), 0);
	CHECK_EQ_U64(CALL("path_filestat_get", 3, 0, P(0, "hl"), 2300), 0);
	CHECK_EQ_U64(ld64(2300 + 24), 2);
	CHECK_EQ_U64(CALL("path_link", 3, 0, P(0, "hello.txt"), 3, P(1, "hl")), 20);
	CHECK_EQ_U64(CALL("path_link", 3, 0, P(0, "sub"), 3, P(1, "dl")), 63);
	CHECK_EQ_U64(CALL("path_link", 3, 0, P(0, "hello.txt"), 3, P(1, "nl/")), 44);
	CHECK_EQ_U64(CALL("path_rename", 3, P(0, "hl"), 3, P(1, "hello.txt")), 0);
	CHECK_EQ_U64(CALL("path_filestat_get", 3, 0, P(0, "hl"), 2300), 0);  /* same file: kept */
	CHECK_EQ_U64(CALL("path_unlink_file", 3, P(0, "hl")), 0);
	CHECK_EQ_U64(CALL("path_filestat_get", 3, 0, P(0, "hello.txt"), 2300), 0);
	CHECK_EQ_U64(ld64(2300 + 24), 1);
	/* symlinks and readlink (truncated, no NUL) */
	CHECK_EQ_U64(CALL("path_symlink", P(1, "sub/n.txt"), 3, P(0, "sl")), 0);
	CHECK_EQ_U64(CALL("path_symlink", P(1, "x"), 3, P(0, "sl")), 20);
	CHECK_EQ_U64(CALL("path_symlink", P(1, "x"), 3, P(0, "q/")), 44);
	memset(mem + 23000, 0xee, 16);
	CHECK_EQ_U64(CALL("path_readlink", 3, P(0, "sl"), 23000, 4, 9500), 0);
	CHECK_EQ_U64(ld32(9500), 4);
	CHECK(!memcmp(mem + 23000, "sub/\xee", 5));
	CHECK_EQ_U64(CALL("path_readlink", 3, P(0, "hello.txt"), 23000, 4, 9500), 28);
	CHECK_EQ_U64(CALL("path_filestat_get", 3, 0, P(0, "sl"), 2300), 0);
	CHECK_EQ_U64(mem[2300 + 16], 7);
	CHECK_EQ_U64(ld64(2300 + 32), 9);
	CHECK_EQ_U64(CALL("path_filestat_get", 3, 1, P(0, "sl"), 2300), 0);
	CHECK_EQ_U64(mem[2300 + 16], 4);
	CHECK_EQ_U64(CALL("path_unlink_file", 3, P(0, "sl")), 0);
	/* a file unlinked while open stays readable */
	int64_t fd = open3("rd/x", 0, 0, R_READ | R_WRITE, 0);
	CHECK_EQ_U64(wr(fd, "kept"), 4);
	CHECK_EQ_U64(CALL("path_unlink_file", 3, P(0, "rd/x")), 0);
	CHECK_EQ_U64(CALL("path_remove_directory", 3, P(0, "rd")), 0);
	CHECK_EQ_U64(CALL("fd_filestat_get", fd, 2300), 76);
	CHECK_EQ_U64(CALL("fd_close", fd), 0);
}

TEST(fs_times_bounds)
{
	int64_t fd = open3("hello.txt", 0, 0, R_SETTIME | R_FSTAT | R_WRITE | R_SEEK, 0);

	CHECK_EQ_U64(CALL("fd_filestat_set_times", fd, 5, 7, 1 | 4), 0);
	CHECK_EQ_U64(CALL("fd_filestat_get", fd, 2300), 0);
	CHECK_EQ_U64(ld64(2300 + 40), 5);
	CHECK_EQ_U64(ld64(2300 + 48), 7);
	CHECK(ld64(2300 + 56) > 1577836800ull * 1000000000ull); /* ctim: now */
	CHECK_EQ_U64(CALL("fd_filestat_set_times", fd, 5, 7, 1 | 2), 28);
	CHECK_EQ_U64(CALL("fd_filestat_set_times", fd, 5, 7, 4 | 8), 28);
	CHECK_EQ_U64(CALL("fd_filestat_set_times", fd, 5, 7, 16), 28);
	CHECK_EQ_U64(CALL("path_filestat_set_times", 3, 0, P(0, "hello.txt"), 0, 9, 4), 0);
	CHECK_EQ_U64(CALL("fd_filestat_get", fd, 2300), 0);
	CHECK_EQ_U64(ld64(2300 + 48), 9);
	CHECK_EQ_U64(CALL("fd_filestat_get", fd, MEM_SIZE - 63), 21);
	/* huge iovec counts and iovecs past the end */
	CHECK_EQ_U64(CALL("fd_write", fd, 1000, 0xffffffffu, 1008), 21);
	st32(1000, MEM_SIZE - 1);
	st32(1004, 2);
	CHECK_EQ_U64(CALL("fd_write", fd, 1000, 1, 1008), 21);
	CHECK_EQ_U64(CALL("fd_pwrite", fd, 1000, 0x10000000u, 0, 1008), 21);
	CHECK_EQ_U64(CALL("fd_close", fd), 0);
	CHECK_EQ_U64(CALL("fd_advise", 1, 0, 0, 0), 70);
	CHECK_EQ_U64(CALL("fd_sync", 3), 0);
	CHECK_EQ_U64(CALL("fd_fdstat_set_flags", 1, 0x20), 28);
}

TEST(fs_renumber_close)
{
	int64_t fd = open3("hello.txt", 0, 0, R_READ, 0);

	CHECK_EQ_U64(CALL("fd_renumber", fd, 50), 8);
	CHECK_EQ_U64(CALL("fd_renumber", 50, fd), 8);
	CHECK_EQ_U64(CALL("fd_renumber", fd, fd), 0);
	CHECK_EQ_U64(CALL("fd_renumber", fd, 3), 0);           /* over the preopen */
	CHECK_EQ_U64(call("fd_prestat_get", 3, 3000, 0, 0, 0), 8);
	CHECK_EQ_U64(CALL("fd_fdstat_get", fd, 2000), 8);
	CHECK_EQ_U64(rd(3, 5, "fd_read", 0), 5);
	CHECK_EQ_U64(CALL("fd_close", 3), 0);
	CHECK_EQ_U64(CALL("path_open", 3, 0, P(0, "x"), 0, 0, 0, 0, 9000), 8);
}

TEST(fs_fd_limit)
{
	int64_t fd = 0, n = 0, max = 0;

	/* fd 3 was closed by fs_renumber_close: use a fresh context */
	while (fd >= 0 && n < 5000) {
		fd = CALL("path_open", 4, 0, P(0, "."), 2, 0, 0, 0, 9000) ? -1
									    : (int64_t)ld32(9000);
		if (fd > max)
			max = fd;
		n++;
	}
	CHECK_EQ_U64(CALL("path_open", 4, 0, P(0, "."), 2, 0, 0, 0, 9000), 33); /* EMFILE */
	CHECK_EQ_U64(max, 4095);
	for (int64_t i = 5; i <= max; i++)
		CHECK_EQ_U64(CALL("fd_close", i), 0);
}

/* fds 0-2 are what the embedder says they are (wasi.h enum
 * wasi_stdio_kind): they used to be character devices whatever the host's
 * stdin and stdout were, so isatty() was true in a pipeline (issue 8). */
TEST(stdio_kinds_reported)
{
	static const struct { uint8_t kind[3]; uint8_t type[3]; } cases[] = {
		{ { 0, 0, 0 }, { 2, 2, 2 } },   /* terminals: character devices */
		{ { 1, 2, 0 }, { 4, 0, 2 } },   /* file, other (pipe), terminal */
		{ { 2, 1, 1 }, { 0, 4, 4 } },
	};
	const uint64_t seek_tell = (1ull << 2) | (1ull << 5);
	struct wasi_ctx *old = ctx;
	char why[128];

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct wasi_config cfg = { .stdio = { cases[c].kind[0], cases[c].kind[1],
						      cases[c].kind[2] } };

		ctx = wasi_ctx_new(&cfg);
		CHECK(ctx != NULL);
		if (!ctx)
			break;
		nfuncs = wasi_host_funcs(ctx, &funcs);
		for (uint32_t fd = 0; fd < 3; fd++) {
			CHECK_EQ_U64(call("fd_fdstat_get", fd, 2000, 0, 0, 0), 0);
			CHECK_EQ_U64(mem[2000], cases[c].type[fd]);
			CHECK_EQ_U64(ld64(2008) & seek_tell, 0);  /* a stream, always */
			CHECK_EQ_U64(ld64(2008) & (fd ? 1ull << 6 : 1ull << 1),
				     fd ? 1ull << 6 : 1ull << 1);  /* write / read */
			CHECK_EQ_U64(call("fd_filestat_get", fd, 2100, 0, 0, 0), 0);
			CHECK_EQ_U64(mem[2100 + 16], cases[c].type[fd]);
			CHECK_EQ_U64(call("fd_seek", fd, 0, 1, 2200, 0), 70);  /* ESPIPE */
		}
		wasi_ctx_free(ctx);
	}
	{
		struct wasi_config bad = { .stdio = { 0, 3, 0 } };

		CHECK(wasi_ctx_create(&bad, why, sizeof why) == NULL);
		CHECK(strstr(why, "stdin, stdout or stderr") != NULL);
	}
	ctx = old;
	nfuncs = wasi_host_funcs(ctx, &funcs);
}

int main(void)
{
	struct wasi_config cfg = { .argc = 3, .argv = t_argv, .envc = 2, .envp = t_envp,
				   .npreopens = 1, .preopens = &t_preopen };
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
	RUN(sock_accept_binds_by_signature);
	RUN(args_and_environ);
	RUN(fd_write_bounds);
	RUN(fdstat_layout);
	RUN(stdio_kinds_reported);
	RUN(seek_prestat_close);
	RUN(clocks_random_exit);
	RUN(poll_clock);
	RUN(fs_prestat);
	RUN(fs_read_seek);
	RUN(fs_escapes);
	RUN(fs_create_write);
	RUN(fs_readdir);
	RUN(fs_rights);
	RUN(fs_namespace);
	RUN(fs_times_bounds);
	RUN(fs_renumber_close);
	{
		/* a second preopen at fd 4 for the fd-limit test */
		struct wasi_preopen two[2] = { t_preopen, { ".", 0, NULL } };
		struct wasi_config cfg2 = { .npreopens = 2, .preopens = two };
		struct wasi_ctx *old = ctx;

		ctx = wasi_ctx_new(&cfg2);
		nfuncs = wasi_host_funcs(ctx, &funcs);
		RUN(fs_fd_limit);
		wasi_ctx_free(ctx);
		ctx = old;
	}
	{
		/* block devices as files in the /data preopen; a name that
		 * exists already there is refused with a message */
		struct wasi_config cfg3 = { .npreopens = 1, .preopens = &t_preopen,
					    .ndisks = 2, .disks = t_disks };
		struct wasi_disk clash = t_disks[0];
		struct wasi_ctx *old = ctx;
		char err[200] = "";

		ctx = wasi_ctx_new(&cfg3);
		CHECK(ctx != NULL);
		if (ctx) {
			nfuncs = wasi_host_funcs(ctx, &funcs);
			RUN(disk_files);
			wasi_ctx_free(ctx);
		}
		clash.name = "hello.txt";
		cfg3.ndisks = 1;
		cfg3.disks = &clash;
		CHECK(wasi_ctx_create(&cfg3, err, sizeof err) == NULL &&
		      strstr(err, "exists already"));
		ctx = old;
		nfuncs = wasi_host_funcs(ctx, &funcs);
	}
	wasm_instance_free(inst);
	wasm_module_free(mod);
	wasi_ctx_free(ctx);
	CHECK_DONE();
}
