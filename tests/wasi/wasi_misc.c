/*
 * wasi_misc.c — self-checking test of args_get, args_sizes_get,
 * environ_get, environ_sizes_get, the sock_* functions on fds that are not
 * sockets (sock_accept, sock_recv, sock_send, sock_shutdown), sched_yield,
 * and, last, proc_raise (wasi_snapshot_preview1).
 *
 * tests/run.sh runs it as
 *   wasi_misc.wasm alpha "beta gamma" "" ünï   with   WT_A=1 WT_B=x=y WT_EMPTY=
 * and nothing else in the environment.  After the summary line ("N ok")
 * it raises SIGTERM, whose default action ends the process: the run must
 * end with a non-zero status and without the "proc_raise returned" line.
 */
#include <stdlib.h>
#include "wt.h"

static const char *const want_args[] = { "alpha", "beta gamma", "", "\xc3\xbcn\xc3\xaf" };
static const char *const want_env[] = { "WT_A=1", "WT_B=x=y", "WT_EMPTY=" };
#define NARGS 4
#define NENV 3

static void check_strings(int is_env)
{
	const char *const *want = is_env ? want_env : want_args;
	int nwant = is_env ? NENV : NARGS;
	const char *name = is_env ? "environ" : "args";
	__wasi_size_t count = 0, size = 0, sum = 0;
	static uint8_t *ptrs[64];
	static uint8_t buf[4096];
	int i, e, all = 1;

	e = is_env ? __wasi_environ_sizes_get(&count, &size) : __wasi_args_sizes_get(&count, &size);
	wt_true(e == 0, "%s_sizes_get", name);
	wt_true(count == (__wasi_size_t)(nwant + !is_env), "%s count is %d", name,
		nwant + !is_env);
	if (e || count > 64 || size > sizeof(buf))
		return;
	memset(buf, 0xaa, sizeof(buf));
	e = is_env ? __wasi_environ_get(ptrs, buf) : __wasi_args_get(ptrs, buf);
	wt_true(e == 0, "%s_get", name);
	for (i = 0; i < (int)count; i++) {
		uint32_t off = (uint32_t)(ptrs[i] - buf);

		if (off >= size) {
			all = 0;
			break;
		}
		sum += strlen((char *)ptrs[i]) + 1;
	}
	wt_true(all && sum == size, "%s pointers lie in the buffer, sizes add up", name);
	wt_true(buf[size] == 0xaa, "%s_get wrote nothing past the size it announced", name);
	for (i = 0; i < nwant && all; i++) {
		const char *got = (const char *)ptrs[i + !is_env];

		wt_true(!strcmp(got, want[i]), "%s[%d] is \"%s\"", name, i + !is_env, want[i]);
	}
	e = is_env ? __wasi_environ_get((uint8_t **)(uintptr_t)(wt_mem_end() - 4), buf)
		   : __wasi_args_get((uint8_t **)(uintptr_t)(wt_mem_end() - 4), buf);
	WT_ERR(e, is_env ? "environ_get pointer array beyond memory"
			 : "args_get pointer array beyond memory", __WASI_ERRNO_FAULT);
	e = is_env ? __wasi_environ_get(ptrs, (uint8_t *)(uintptr_t)(wt_mem_end() - size + 1))
		   : __wasi_args_get(ptrs, (uint8_t *)(uintptr_t)(wt_mem_end() - size + 1));
	WT_ERR(e, is_env ? "environ_get buffer crossing the end of memory"
			 : "args_get buffer crossing the end of memory", __WASI_ERRNO_FAULT);
	e = is_env ? __wasi_environ_sizes_get((__wasi_size_t *)(uintptr_t)wt_mem_end(), &size)
		   : __wasi_args_sizes_get(&count, (__wasi_size_t *)(uintptr_t)0xfffffffeu);
	WT_ERR(e, is_env ? "environ_sizes_get beyond memory" : "args_sizes_get beyond memory",
	       __WASI_ERRNO_FAULT);
}

static void check_libc_view(void)
{
	const char *a = getenv("WT_A"), *b = getenv("WT_B"), *c = getenv("WT_EMPTY");

	wt_true(a && !strcmp(a, "1") && b && !strcmp(b, "x=y") && c && !*c && !getenv("PATH"),
		"getenv sees exactly the given variables");
}

static void check_socks(void)
{
	static const int fds[] = { 0, 1, 2 };
	uint8_t byte = 0;
	__wasi_iovec_t iov = { &byte, 1 };
	__wasi_ciovec_t ciov = { &byte, 1 };
	__wasi_size_t n = 0;
	__wasi_roflags_t ro = 0;
	__wasi_fd_t nfd = 0;
	char what[80];

	for (unsigned i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		int fd = fds[i];

		snprintf(what, sizeof(what), "sock_accept on fd %d (not a socket)", fd);
		WT_ERR(__wasi_sock_accept(fd, 0, &nfd), what, __WASI_ERRNO_NOTSOCK);
		snprintf(what, sizeof(what), "sock_recv on fd %d (not a socket)", fd);
		WT_ERR(__wasi_sock_recv(fd, &iov, 1, 0, &n, &ro), what, __WASI_ERRNO_NOTSOCK);
		snprintf(what, sizeof(what), "sock_send on fd %d (not a socket)", fd);
		WT_ERR(__wasi_sock_send(fd, &ciov, 1, 0, &n), what, __WASI_ERRNO_NOTSOCK);
		snprintf(what, sizeof(what), "sock_shutdown on fd %d (not a socket)", fd);
		WT_ERR(__wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD), what, __WASI_ERRNO_NOTSOCK);
	}
	WT_ERR(__wasi_sock_accept(3, 0, &nfd), "sock_accept on fd 3 (not open)", __WASI_ERRNO_BADF);
	WT_ERR(__wasi_sock_recv(4242, &iov, 1, 0, &n, &ro), "sock_recv on an unused fd",
	       __WASI_ERRNO_BADF);
	WT_ERR(__wasi_sock_send(0x7fffffff, &ciov, 1, 0, &n), "sock_send on fd 2^31-1",
	       __WASI_ERRNO_BADF);
	WT_ERR(__wasi_sock_shutdown(3, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR),
	       "sock_shutdown on fd 3 (not open)", __WASI_ERRNO_BADF);
}

int main(void)
{
	int status, e;

	check_strings(0);
	check_strings(1);
	check_libc_view();
	check_socks();
	WT_OK(__wasi_sched_yield(), "sched_yield");
	status = wt_done();
	fflush(stdout);
	e = wt_proc_raise(WT_SIGNAL_TERM);
	printf("FAIL proc_raise returned (errno %d): SIGTERM must end the process\n", e);
	return status ? status : 1;
}
