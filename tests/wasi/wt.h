/*
 * wt.h — the little check library of the self-checking WASI programs
 * (tests/wasi/wasi_*.c, adv_*.c).  Included, never built on its own.
 *
 * Each check prints exactly one line, "ok WHAT" or "FAIL WHAT: got ...,
 * want ...", whatever the implementation answers, so the output of a
 * passing run is deterministic; wt_done() prints "N ok" (or "N ok, M
 * FAIL") and gives the exit status.  The expected values are those of
 * wasi_snapshot_preview1 (witx) and, where the witx leaves a choice, the
 * set of answers the WASI testsuite (WebAssembly/wasi-testsuite) accepts.
 *
 * The path-taking functions of <wasi/api.h> compute the length with
 * strlen(); wt_path_* are the raw imports, so that a test can pass any
 * pointer and length (outside memory, with a NUL inside...).
 */
#ifndef WT_H
#define WT_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

/* Cleanup calls whose result does not matter are deliberate. */
#pragma clang diagnostic ignored "-Wunused-result"

#define WT_IMPORT(name) \
	__attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

/* Raw imports (every argument as the ABI passes it). */
int32_t wt_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len,
		     int32_t oflags, int64_t base, int64_t inheriting, int32_t fdflags,
		     int32_t fd_out) WT_IMPORT("path_open");
int32_t wt_path_filestat_get(int32_t fd, int32_t flags, int32_t path, int32_t path_len,
			     int32_t out) WT_IMPORT("path_filestat_get");
int32_t wt_path_create_directory(int32_t fd, int32_t path, int32_t path_len)
	WT_IMPORT("path_create_directory");
int32_t wt_path_readlink(int32_t fd, int32_t path, int32_t path_len, int32_t buf,
			 int32_t buf_len, int32_t out) WT_IMPORT("path_readlink");
int32_t wt_path_symlink(int32_t old_path, int32_t old_len, int32_t fd, int32_t new_path,
			int32_t new_len) WT_IMPORT("path_symlink");
int32_t wt_path_unlink_file(int32_t fd, int32_t path, int32_t path_len)
	WT_IMPORT("path_unlink_file");
int32_t wt_path_rename(int32_t fd, int32_t old_path, int32_t old_len, int32_t new_fd,
		       int32_t new_path, int32_t new_len) WT_IMPORT("path_rename");
int32_t wt_path_link(int32_t old_fd, int32_t old_flags, int32_t old_path, int32_t old_len,
		     int32_t new_fd, int32_t new_path, int32_t new_len) WT_IMPORT("path_link");
int32_t wt_fd_prestat_dir_name(int32_t fd, int32_t buf, int32_t len)
	WT_IMPORT("fd_prestat_dir_name");
int32_t wt_proc_raise(int32_t sig) WT_IMPORT("proc_raise");

#define WT_SIGNAL_TERM 15       /* witx signal.term */

/* Helpers a program may not use all of. */
#define WT_FN static __attribute__((unused))

#define WT_PTR(p) ((int32_t)(uintptr_t)(p))

static int wt_nok, wt_nfail;

static void wt_line(int ok, const char *fmt, va_list ap)
{
	fputs(ok ? "ok " : "FAIL ", stdout);
	vprintf(fmt, ap);
}

/* A condition; the message is printf-style. */
__attribute__((format(printf, 2, 3)))
WT_FN int wt_true(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wt_line(cond, fmt, ap);
	va_end(ap);
	putchar('\n');
	if (cond)
		wt_nok++;
	else
		wt_nfail++;
	return cond;
}

/* An errno that must be one of want[0..n). */
WT_FN int wt_errno_in(int got, const int *want, int n, const char *what)
{
	int i;

	for (i = 0; i < n; i++)
		if (got == want[i]) {
			printf("ok %s\n", what);
			wt_nok++;
			return 1;
		}
	printf("FAIL %s: got errno %d, want", what, got);
	for (i = 0; i < n; i++)
		printf("%s %d", i ? " or" : "", want[i]);
	putchar('\n');
	wt_nfail++;
	return 0;
}

/* WT_ERR(call, "what", errno...): the call returns one of the errnos. */
#define WT_ERR(call, what, ...) \
	wt_errno_in((call), (const int[]){ __VA_ARGS__ }, \
		    (int)(sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int)), (what))
/* WT_OK(call, "what"): the call succeeds. */
#define WT_OK(call, what) WT_ERR(call, what, 0)

/* The errnos the WASI testsuite accepts for an escape from a preopen. */
#define WT_ESCAPE __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_PERM

WT_FN int wt_done(void)
{
	if (wt_nfail)
		printf("%d ok, %d FAIL\n", wt_nok, wt_nfail);
	else
		printf("%d ok\n", wt_nok);
	fflush(stdout);
	return wt_nfail ? 1 : 0;
}

/* The fd of the preopened directory named `name`, or -1. */
WT_FN int wt_preopen(const char *name)
{
	__wasi_prestat_t ps;
	char buf[256];
	int fd;

	for (fd = 3; fd < 64; fd++) {
		int e = __wasi_fd_prestat_get(fd, &ps);

		if (e == __WASI_ERRNO_BADF)
			break;
		if (e || ps.tag != __WASI_PREOPENTYPE_DIR ||
		    ps.u.dir.pr_name_len >= sizeof(buf))
			continue;
		if (wt_fd_prestat_dir_name(fd, WT_PTR(buf), ps.u.dir.pr_name_len))
			continue;
		buf[ps.u.dir.pr_name_len] = 0;
		if (!strcmp(buf, name))
			return fd;
	}
	return -1;
}

/* Open `path` under dirfd as a directory with the dir's own rights:
 * base = dirfd's base, inheriting = dirfd's inheriting. */
WT_FN int wt_open_dir(int dirfd, const char *path, __wasi_fd_t *out)
{
	__wasi_fdstat_t st;
	int e = __wasi_fd_fdstat_get(dirfd, &st);

	if (e)
		return e;
	return __wasi_path_open(dirfd, 0, path, __WASI_OFLAGS_DIRECTORY, st.fs_rights_base,
				st.fs_rights_inheriting, 0, out);
}

/* path_open of a regular file with these base rights. */
WT_FN int wt_open(int dirfd, const char *path, int oflags, __wasi_rights_t rights,
		  __wasi_fdflags_t fdflags, __wasi_fd_t *out)
{
	return __wasi_path_open(dirfd, 0, path, oflags, rights, 0, fdflags, out);
}

/* Write all of buf to fd (one fd_write): 0 or errno; *n gets the count. */
WT_FN int wt_write(int fd, const void *buf, size_t len, __wasi_size_t *n)
{
	__wasi_ciovec_t iov = { buf, len };

	return __wasi_fd_write(fd, &iov, 1, n);
}

WT_FN int wt_read(int fd, void *buf, size_t len, __wasi_size_t *n)
{
	__wasi_iovec_t iov = { buf, len };

	return __wasi_fd_read(fd, &iov, 1, n);
}

/* Create (or truncate) a file holding `text`: 0 or errno. */
WT_FN int wt_put_file(int dirfd, const char *path, const char *text)
{
	__wasi_fd_t fd;
	__wasi_size_t n;
	int e = wt_open(dirfd, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
			__WASI_RIGHTS_FD_WRITE, 0, &fd);

	if (e)
		return e;
	e = wt_write(fd, text, strlen(text), &n);
	if (!e && n != strlen(text))
		e = __WASI_ERRNO_IO;
	__wasi_fd_close(fd);
	return e;
}

WT_FN uint32_t wt_mem_end(void)
{
	return (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
}

/* A fresh scratch directory `name` under the preopen (the program runs on
 * a fresh copy of its tree, so it is never there already). */
WT_FN int wt_scratch(int root, const char *name, __wasi_fd_t *out)
{
	int e = __wasi_path_create_directory(root, name);

	if (e)
		return e;
	return wt_open_dir(root, name, out);
}

/* The start of a program that works in a scratch directory: the preopen
 * "/" in *root and a fresh scratch directory `name` under it in *dir.
 * 0, or a FAIL line and 1 (main returns it: nothing can be checked). */
WT_FN int wt_start(const char *name, __wasi_fd_t *root, __wasi_fd_t *dir)
{
	int r = wt_preopen("/");

	if (r < 0) {
		printf("FAIL no preopened directory named \"/\"\n");
		return 1;
	}
	*root = r;
	if (wt_scratch(*root, name, dir)) {
		printf("FAIL cannot make the scratch directory %s\n", name);
		return 1;
	}
	return 0;
}

/* Whether `path` under d (symlinks followed) holds exactly `want`, which
 * is shorter than 64 bytes. */
WT_FN int wt_content_is(__wasi_fd_t d, const char *path, const char *want)
{
	char buf[64];
	__wasi_fd_t fd;
	__wasi_size_t n = 0;
	int ok;

	if (__wasi_path_open(d, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, 0,
			     __WASI_RIGHTS_FD_READ, 0, 0, &fd))
		return 0;
	ok = !wt_read(fd, buf, sizeof(buf), &n) && n == strlen(want) && !memcmp(buf, want, n);
	__wasi_fd_close(fd);
	return ok;
}

#endif
