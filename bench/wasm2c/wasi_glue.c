/*
 * wasi_glue.c — bench glue, not part of wasmetal: the host side of a
 * wasm2c-translated benchmark module (the "wasm2c + gcc -O2" column of
 * bench/run.sh, issue 9 "Speed targets").
 *
 * wasm2c (wabt 1.0.32, Debian) turns NAME.wasm into C whose imports are
 * plain C functions Z_wasi_snapshot_preview1Z_<name>; wasm2c ships no
 * WASI, so this file implements the WASI preview1 calls the benchmark
 * modules import (wasi-libc's start-up and stdio), with Linux calls:
 * stdin/stdout/stderr only, no preopened directories (fd_prestat_get says
 * EBADF, which ends wasi-libc's preopen scan), so path_open has nothing to
 * open.  A module importing anything else fails to link, loudly.
 *
 * Every guest pointer is checked against the memory's current size
 * (mem_ok) before use.  main() initialises the wasm2c runtime
 * (/usr/share/wabt/wasm2c/wasm-rt-impl.c: guard-page memory, traps through
 * a signal handler), instantiates the module named `bench` (wasm2c -n
 * bench) and calls its _start; a trap prints its name and exits 134.
 * W2C_HEADER is the generated header (bench/wasm2c/build.sh passes it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "wasm-rt-impl.h"
#include W2C_HEADER

/* WASI errno values (preview1) */
enum { W_SUCCESS = 0, W_BADF = 8, W_FAULT = 21, W_INVAL = 28, W_IO = 29, W_NOTSUP = 58, W_SPIPE = 70 };

struct Z_wasi_snapshot_preview1_instance_t {
	wasm_rt_memory_t *mem;
};

static int mem_ok(wasm_rt_memory_t *m, u32 ptr, u64 len)
{
	return (u64)ptr + len <= m->size;
}

static u32 host_errno(void)
{
	switch (errno) {
	case EBADF: return W_BADF;
	case EINVAL: return W_INVAL;
	case ESPIPE: return W_SPIPE;
	default: return W_IO;
	}
}

static void put_u64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);	/* x86-64 and wasm are both little-endian */
}

/* Gather/scatter through the guest's iovec array: fd_write and fd_read. */
static u32 rw(wasm_rt_memory_t *m, int fd, u32 iovs, u32 n, u32 out, int write)
{
	struct iovec v[64];
	u32 lenv;
	ssize_t r;

	if (n > 64 || !mem_ok(m, iovs, (u64)n * 8) || !mem_ok(m, out, 4))
		return W_INVAL;
	for (u32 i = 0; i < n; i++) {
		u32 base, len;

		memcpy(&base, m->data + iovs + 8 * i, 4);
		memcpy(&len, m->data + iovs + 8 * i + 4, 4);
		if (!mem_ok(m, base, len))
			return W_FAULT;
		v[i].iov_base = m->data + base;
		v[i].iov_len = len;
	}
	r = write ? writev(fd, v, (int)n) : readv(fd, v, (int)n);
	if (r < 0)
		return host_errno();
	lenv = (u32)r;
	memcpy(m->data + out, &lenv, 4);
	return W_SUCCESS;
}

u32 Z_wasi_snapshot_preview1Z_fd_write(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 iovs, u32 n, u32 out)
{
	if (fd != 1 && fd != 2)
		return W_BADF;
	return rw(w->mem, (int)fd, iovs, n, out, 1);
}

u32 Z_wasi_snapshot_preview1Z_fd_read(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 iovs, u32 n, u32 out)
{
	if (fd != 0)
		return W_BADF;
	return rw(w->mem, 0, iovs, n, out, 0);
}

u32 Z_wasi_snapshot_preview1Z_fd_close(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd)
{
	return fd <= 2 ? W_SUCCESS : W_BADF;	/* the host's stdio stays open */
}

/* fdstat: filetype u8 @0, flags u16 @2, rights_base u64 @8, inheriting u64 @16.
 * A terminal gets no seek/tell rights (that is how wasi-libc's isatty
 * tells), anything else all rights. */
u32 Z_wasi_snapshot_preview1Z_fd_fdstat_get(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 buf)
{
	wasm_rt_memory_t *m = w->mem;
	struct stat st;
	u8 *p;

	if (fd > 2)
		return W_BADF;
	if (!mem_ok(m, buf, 24))
		return W_FAULT;
	if (fstat((int)fd, &st) != 0)
		return host_errno();
	p = m->data + buf;
	memset(p, 0, 24);
	p[0] = S_ISCHR(st.st_mode) ? 2 : S_ISREG(st.st_mode) ? 4 : S_ISSOCK(st.st_mode) ? 6 : 0;
	put_u64(p + 8, isatty((int)fd) ? ~(u64)0 & ~(u64)(1 << 2 | 1 << 5) : ~(u64)0);
	return W_SUCCESS;
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 flags)
{
	return fd <= 2 ? W_NOTSUP : W_BADF;
}

u32 Z_wasi_snapshot_preview1Z_fd_seek(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u64 off, u32 whence, u32 out)
{
	static const int wh[] = { SEEK_SET, SEEK_CUR, SEEK_END };
	off_t r;

	if (fd > 2)
		return W_BADF;
	if (whence > 2)
		return W_INVAL;
	if (!mem_ok(w->mem, out, 8))
		return W_FAULT;
	r = lseek((int)fd, (off_t)off, wh[whence]);
	if (r < 0)
		return host_errno();
	put_u64(w->mem->data + out, (u64)r);
	return W_SUCCESS;
}

/* No preopened directories: EBADF ends wasi-libc's scan at fd 3. */
u32 Z_wasi_snapshot_preview1Z_fd_prestat_get(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 buf)
{
	return W_BADF;
}

u32 Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 p, u32 n)
{
	return W_BADF;
}

u32 Z_wasi_snapshot_preview1Z_fd_renumber(struct Z_wasi_snapshot_preview1_instance_t *w, u32 from, u32 to)
{
	return W_BADF;
}

u32 Z_wasi_snapshot_preview1Z_path_open(struct Z_wasi_snapshot_preview1_instance_t *w, u32 dirfd, u32 lookup,
					u32 path, u32 len, u32 oflags, u64 base, u64 inh, u32 fdflags, u32 out)
{
	return W_BADF;	/* no directory was granted */
}

u32 Z_wasi_snapshot_preview1Z_clock_time_get(struct Z_wasi_snapshot_preview1_instance_t *w, u32 id, u64 prec, u32 out)
{
	static const clockid_t ids[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
					 CLOCK_THREAD_CPUTIME_ID };
	struct timespec ts;

	if (id > 3)
		return W_INVAL;
	if (!mem_ok(w->mem, out, 8))
		return W_FAULT;
	if (clock_gettime(ids[id], &ts) != 0)
		return host_errno();
	put_u64(w->mem->data + out, (u64)ts.tv_sec * 1000000000u + (u64)ts.tv_nsec);
	return W_SUCCESS;
}

void Z_wasi_snapshot_preview1Z_proc_exit(struct Z_wasi_snapshot_preview1_instance_t *w, u32 code)
{
	exit((int)code);
}

int main(void)
{
	static Z_bench_instance_t inst;
	static struct Z_wasi_snapshot_preview1_instance_t wasi;
	wasm_rt_trap_t trap;

	wasm_rt_init();
	Z_bench_init_module();
	Z_bench_instantiate(&inst, &wasi);
	wasi.mem = Z_benchZ_memory(&inst);
	trap = (wasm_rt_trap_t)wasm_rt_impl_try();
	if (trap != WASM_RT_TRAP_NONE) {
		fprintf(stderr, "wasm2c: trap: %s\n", wasm_rt_strerror(trap));
		return 134;
	}
	Z_benchZ__start(&inst);
	Z_bench_free(&inst);
	wasm_rt_free();
	return 0;
}
