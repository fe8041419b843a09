/*
 * adv_memory.c — adversarial: guest pointers and lengths outside linear
 * memory (just past the end, crossing it, wrapping past 4 GiB), iovec and
 * subscription counts whose byte size overflows 32 bits, huge iovec
 * counts, and an iovec array that a read overwrites while it is being
 * used, given to every pointer-taking function of wasi_snapshot_preview1.
 * Each bad pointer must give EFAULT (witx errno.fault), never a fault in
 * the runtime; the process must keep running.
 *
 * Run with a writable copy of tests/wasi/data preopened as "/".  One line
 * per check, then "N ok".
 */
#include <stdlib.h>
#include "wt.h"

#define FAULT __WASI_ERRNO_FAULT

int32_t wt_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t out) WT_IMPORT("fd_write");
int32_t wt_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t out) WT_IMPORT("fd_read");
int32_t wt_fd_pread(int32_t fd, int32_t iovs, int32_t n, int64_t off, int32_t out)
	WT_IMPORT("fd_pread");
int32_t wt_fd_pwrite(int32_t fd, int32_t iovs, int32_t n, int64_t off, int32_t out)
	WT_IMPORT("fd_pwrite");
int32_t wt_poll_oneoff(int32_t in, int32_t out, int32_t n, int32_t nout)
	WT_IMPORT("poll_oneoff");
int32_t wt_random_get(int32_t buf, int32_t len) WT_IMPORT("random_get");
int32_t wt_fd_readdir(int32_t fd, int32_t buf, int32_t len, int64_t cookie, int32_t out)
	WT_IMPORT("fd_readdir");
int32_t wt_sock_recv(int32_t fd, int32_t iovs, int32_t n, int32_t fl, int32_t o1, int32_t o2)
	WT_IMPORT("sock_recv");
int32_t wt_sock_send(int32_t fd, int32_t iovs, int32_t n, int32_t fl, int32_t out)
	WT_IMPORT("sock_send");

static __wasi_fd_t root, dir, file;
static uint32_t END;            /* memory size in bytes */

/* Bad (pointer, length) pairs for a buffer of `len` bytes (len >= 1). */
struct bad { uint32_t ptr, len; const char *what; };

static int bads(uint32_t len, struct bad *b)
{
	b[0] = (struct bad){ END, len, "just past the end" };
	b[1] = (struct bad){ END - 1, len + 1, "crossing the end" };
	b[2] = (struct bad){ 0xfffffff0u, 0x20, "wrapping past 4 GiB" };
	b[3] = (struct bad){ 0xffffffffu, len, "at 0xffffffff" };
	b[4] = (struct bad){ 16, 0xfffffff8u, "valid start, length 2^32-8" };
	return 5;
}

/* FOR_BAD(len, fixed) STATEMENT runs STATEMENT with P, L and what set to
 * each bad pair in turn; fixed-size results (fixed = 1) skip the last
 * pair, whose start is valid. */
static uint32_t P, L;
static char what[128];
static const char *NAME;

static int bad_next(int *i, uint32_t len, int fixed)
{
	struct bad b[5];
	int n = bads(len, b) - fixed;

	if (*i >= n)
		return 0;
	P = b[*i].ptr;
	L = b[*i].len;
	snprintf(what, sizeof(what), "%s: %s", NAME, b[*i].what);
	++*i;
	return 1;
}

#define FOR_BAD(len, fixed) for (int i_ = 0; bad_next(&i_, (len), (fixed));)
/* A fixed-size result at each bad pointer. */
#define OUT(name, call) NAME = name; FOR_BAD(8, 1) WT_ERR(call, what, FAULT)

static void check_out_pointers(void)
{
	/* functions with a fixed-size result written to guest memory */
	static __wasi_iovec_t none = { 0, 0 };

	OUT("args_sizes_get argc", __wasi_args_sizes_get((void *)P, &(__wasi_size_t){ 0 }));
	OUT("environ_sizes_get size", __wasi_environ_sizes_get(&(__wasi_size_t){ 0 }, (void *)P));
	OUT("clock_res_get", __wasi_clock_res_get(1, (void *)P));
	OUT("clock_time_get", __wasi_clock_time_get(1, 1, (void *)P));
	OUT("fd_fdstat_get", __wasi_fd_fdstat_get(file, (void *)P));
	OUT("fd_filestat_get", __wasi_fd_filestat_get(file, (void *)P));
	OUT("fd_prestat_get", __wasi_fd_prestat_get(root, (void *)P));
	OUT("fd_seek newoffset", __wasi_fd_seek(file, 0, __WASI_WHENCE_SET, (void *)P));
	OUT("fd_tell", __wasi_fd_tell(file, (void *)P));
	OUT("path_filestat_get buf", __wasi_path_filestat_get(dir, 0, "f", (void *)P));
	OUT("path_open fd out", __wasi_path_open(dir, 0, "f", 0, __WASI_RIGHTS_FD_READ, 0, 0,
						  (void *)P));
	OUT("fd_read nread", wt_fd_read(file, WT_PTR(&none), 1, P));
	OUT("fd_write nwritten", wt_fd_write(file, WT_PTR(&none), 1, P));
	wt_true(__wasi_fd_fdstat_get(file, &(__wasi_fdstat_t){ 0 }) == 0, "the file fd is intact");
}

static void check_buffers(void)
{
	static uint8_t *argv[64];
	static uint8_t strings[4096];
	static __wasi_event_t evs[4];
	static __wasi_subscription_t sub0;
	__wasi_size_t n;
	__wasi_iovec_t iov;

#define BUF(name, len, call) NAME = name; FOR_BAD(len, 0) WT_ERR(call, what, FAULT)
	/* no length argument: the size is what *_sizes_get announced (> 1) */
	OUT("args_get argv", __wasi_args_get((void *)P, strings));
	OUT("args_get buf", __wasi_args_get(argv, (void *)P));
	OUT("environ_get argv", __wasi_environ_get((void *)P, strings));
	OUT("environ_get buf", __wasi_environ_get(argv, (void *)P));
	/* only the name's bytes need to be in memory (as Wasmtime) */
	WT_ERR(wt_fd_prestat_dir_name(root, END, 1), "fd_prestat_dir_name: just past the end",
	       FAULT);
	WT_ERR(wt_fd_prestat_dir_name(root, -1, 1), "fd_prestat_dir_name: at 0xffffffff", FAULT);
	BUF("fd_readdir buf", 64, wt_fd_readdir(dir, P, L, 0, WT_PTR(&n)));
	BUF("random_get", 16, wt_random_get(P, L));
	BUF("path_readlink buf", 8, wt_path_readlink(dir, WT_PTR("sl"), 2, P, L, WT_PTR(&n)));
	BUF("path_open path", 4, wt_path_open(dir, 0, P, L, 0, 0, 0, 0, WT_PTR(&n)));
	BUF("path_create_directory", 4, wt_path_create_directory(dir, P, L));
	BUF("path_filestat_get path", 4, wt_path_filestat_get(dir, 0, P, L, WT_PTR(&n)));
	BUF("path_unlink_file", 4, wt_path_unlink_file(dir, P, L));
	BUF("path_readlink path", 4, wt_path_readlink(dir, P, L, WT_PTR(&n), 4, WT_PTR(&n)));
	BUF("path_symlink old", 4, wt_path_symlink(P, L, dir, WT_PTR("new"), 3));
	BUF("path_symlink new", 4, wt_path_symlink(WT_PTR("f"), 1, dir, P, L));
	BUF("path_rename old", 4, wt_path_rename(dir, P, L, dir, WT_PTR("g"), 1));
	BUF("path_rename new", 4, wt_path_rename(dir, WT_PTR("f"), 1, dir, P, L));
	BUF("path_link old", 4, wt_path_link(dir, 0, P, L, dir, WT_PTR("g"), 1));
	BUF("path_link new", 4, wt_path_link(dir, 0, WT_PTR("f"), 1, dir, P, L));
	/* data buffers inside valid iovecs */
	BUF("fd_write data", 4, (iov = (__wasi_iovec_t){ (void *)P, L },
				 wt_fd_write(file, WT_PTR(&iov), 1, WT_PTR(&n))));
	BUF("fd_read data", 4, (iov = (__wasi_iovec_t){ (void *)P, L },
				wt_fd_read(file, WT_PTR(&iov), 1, WT_PTR(&n))));
	BUF("fd_pwrite data", 4, (iov = (__wasi_iovec_t){ (void *)P, L },
				  wt_fd_pwrite(file, WT_PTR(&iov), 1, 0, WT_PTR(&n))));
	BUF("fd_pread data", 4, (iov = (__wasi_iovec_t){ (void *)P, L },
				 wt_fd_pread(file, WT_PTR(&iov), 1, 0, WT_PTR(&n))));
	/* iovec arrays */
	BUF("fd_write iovs", 8, wt_fd_write(file, P, L / 8 ? L / 8 : 1, WT_PTR(&n)));
	BUF("fd_read iovs", 8, wt_fd_read(file, P, L / 8 ? L / 8 : 1, WT_PTR(&n)));
	BUF("poll_oneoff in", 48, wt_poll_oneoff(P, WT_PTR(evs), L / 48 ? L / 48 : 1, WT_PTR(&n)));
	BUF("poll_oneoff out", 32, wt_poll_oneoff(WT_PTR(&sub0),
						  P, L / 32 ? L / 32 : 1, WT_PTR(&n)));
#undef BUF
	wt_true(__wasi_path_filestat_get(dir, 0, "new", &(__wasi_filestat_t){ 0 }) ==
		__WASI_ERRNO_NOENT && __wasi_path_filestat_get(dir, 0, "g",
		&(__wasi_filestat_t){ 0 }) == __WASI_ERRNO_NOENT,
		"the refused path calls created nothing");
	WT_ERR(wt_path_open(dir, 0, WT_PTR("f"), 0x80000000, 0, 0, 0, 0, WT_PTR(&n)),
	       "path_open path_len 2^31", FAULT);
	WT_ERR(wt_path_open(dir, 0, WT_PTR("f"), -1, 0, 0, 0, 0, WT_PTR(&n)),
	       "path_open path_len 2^32-1", FAULT);
}

static void check_counts(void)
{
	static __wasi_ciovec_t many[1100];
	static uint8_t byte = 'm';
	__wasi_ciovec_t one = { &byte, 1 };
	__wasi_size_t n = 0;
	__wasi_subscription_t sub;
	__wasi_event_t ev;
	int e;

	/* counts whose byte size wraps 32 bits onto a small, valid size */
	WT_ERR(wt_fd_write(file, WT_PTR(&one), 0x20000001, WT_PTR(&n)),
	       "fd_write 0x20000001 iovecs (8 * n wraps to 8)", FAULT);
	WT_ERR(wt_fd_read(file, WT_PTR(&one), 0x20000001, WT_PTR(&n)),
	       "fd_read 0x20000001 iovecs", FAULT);
	WT_ERR(wt_fd_pwrite(file, WT_PTR(&one), 0x20000001, 0, WT_PTR(&n)),
	       "fd_pwrite 0x20000001 iovecs", FAULT);
	WT_ERR(wt_fd_pread(file, WT_PTR(&one), 0x20000001, 0, WT_PTR(&n)),
	       "fd_pread 0x20000001 iovecs", FAULT);
	WT_ERR(wt_fd_write(file, WT_PTR(&one), -1, WT_PTR(&n)), "fd_write 2^32-1 iovecs", FAULT);
	WT_ERR(wt_fd_write(1, WT_PTR(&one), 0x10000000, WT_PTR(&n)),
	       "fd_write to stdout 2^28 iovecs", FAULT);
	e = wt_sock_send(1, WT_PTR(&one), 0x20000001, 0, WT_PTR(&n));
	WT_ERR(e, "sock_send 0x20000001 iovecs on stdout", FAULT, __WASI_ERRNO_NOTSOCK);
	e = wt_sock_recv(0, WT_PTR(&one), 0x20000001, 0, WT_PTR(&n), WT_PTR(&n));
	WT_ERR(e, "sock_recv 0x20000001 iovecs on stdin", FAULT, __WASI_ERRNO_NOTSOCK);
	memset(&sub, 0, sizeof(sub));
	sub.u.tag = __WASI_EVENTTYPE_CLOCK;
	sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
	WT_ERR(wt_poll_oneoff(WT_PTR(&sub), WT_PTR(&ev), 0x05555556, WT_PTR(&n)),
	       "poll_oneoff 0x05555556 subscriptions (48 * n wraps to 32)", FAULT);

	/* many valid iovecs: written in full, in part, or refused; never a crash */
	for (int i = 0; i < 1100; i++)
		many[i] = (__wasi_ciovec_t){ &byte, 1 };
	n = 0;
	e = __wasi_fd_pwrite(file, many, 1100, 0, &n);
	wt_true((e == 0 && n >= 1 && n <= 1100) || e == __WASI_ERRNO_INVAL,
		"fd_pwrite 1100 one-byte iovecs: written or EINVAL");
	for (int i = 0; i < 1100; i++)
		many[i] = (__wasi_ciovec_t){ &byte, 0 };
	e = __wasi_fd_pwrite(file, many, 1100, 0, &n);
	wt_true((e == 0 && n == 0) || e == __WASI_ERRNO_INVAL,
		"fd_pwrite 1100 empty iovecs: 0 bytes or EINVAL");
	/* two iovecs whose lengths add up past 2^32 */
	__wasi_ciovec_t two[2] = { { &byte, 0x80000000u }, { &byte, 0x80000001u } };
	WT_ERR(__wasi_fd_pwrite(file, two, 2, 0, &n), "fd_pwrite lengths summing past 2^32", FAULT);
}

/* An fd_read whose data lands on the iovec array it is reading with: the
 * runtime must have checked (or copied) the iovecs before writing. */
static void check_self_overwrite(void)
{
	static struct { __wasi_iovec_t iov[2]; uint8_t spare[16]; } m;
	__wasi_fd_t f;
	__wasi_size_t n = 0;
	int e;

	static const char poison[11] = "\xf0\xff\xff\xff\x00\x00\x00\x40pad";

	WT_OK(wt_open(dir, "poison", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, &f),
	      "create poison");
	WT_OK(wt_write(f, poison, sizeof(poison), &n), "write 11 bytes of poison");
	__wasi_fd_close(f);
	m.iov[0] = (__wasi_iovec_t){ (uint8_t *)&m.iov[1], 8 };
	m.iov[1] = (__wasi_iovec_t){ m.spare, 3 };
	WT_OK(wt_open(dir, "poison", 0, __WASI_RIGHTS_FD_READ, 0, &f), "open poison");
	e = __wasi_fd_read(f, m.iov, 2, &n);
	if (!wt_true((e == 0 && (n == 8 || n == 11)) || e == FAULT,
		     "fd_read overwriting its own iovec array: read 8 or 11 bytes, or EFAULT"))
		printf("  (errno %d, %u bytes read)\n", e, (unsigned)n);
	__wasi_fd_close(f);
}

int main(void)
{
	END = wt_mem_end();
	if (!getenv("WT_ENV")) {
		printf("FAIL run me with WT_ENV=1 in the environment\n");
		return 1;
	}
	if (wt_start("adv_memory.tmp", &root, &dir))
		return 1;
	if (wt_put_file(dir, "f", "content") ||
	    wt_open(dir, "f", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
		    __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET,
		    0, &file) || __wasi_path_symlink("f", dir, "sl")) {
		printf("FAIL cannot set up adv_memory.tmp\n");
		return 1;
	}
	check_out_pointers();
	check_buffers();
	check_counts();
	check_self_overwrite();
	__wasi_fd_close(file);
	const char *made[] = { "f", "sl", "poison" };
	for (unsigned i = 0; i < 3; i++)
		__wasi_path_unlink_file(dir, made[i]);
	__wasi_fd_close(dir);
	WT_OK(__wasi_path_remove_directory(root, "adv_memory.tmp"), "still running, cleaned up");
	return wt_done();
}
