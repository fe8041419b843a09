/*
 * check_wasi_calls.c — self-checking test of the WASI layer's argument
 * checks and results, calling wasi_snapshot_preview1 directly (wasi/api.h):
 * every guest pointer or length that reaches outside linear memory must
 * give ERRNO_FAULT (never a crash), unknown fds EBADF, the console fds
 * are streams that cannot seek (a character device only on a terminal:
 * tests/stdio/stdio.sh checks each kind), clocks and random work.
 * Prints one line per check ("ok  ..." or "FAIL ..."), then the summary
 * "N ok" (or "N ok, M FAIL") as its last line; exits 0 if all passed,
 * else 1.  tests/run.sh requires the summary (lib.sh, selfcheck_ok).
 *
 * Not a differential test: node's WASI answers EOVERFLOW for these and
 * (node v20) even crashes on a buffer wrapping past 4 GiB.  tests/run.sh
 * runs check_* programs with wasmetal only and wants status 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static int oks, failures;

static void expect(const char *what, int got, int want)
{
	printf("%s %s: errno %d", got == want ? "ok  " : "FAIL", what, got);
	if (got != want)
		printf(" (want %d)", want);
	printf("\n");
	failures += got != want;
	oks += got == want;
}

static void expect_true(const char *what, int cond)
{
	printf("%s %s\n", cond ? "ok  " : "FAIL", what);
	failures += !cond;
	oks += !!cond;
}

static uint32_t mem_end(void)
{
	return (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
}

static void check_fd_write(void)
{
	uint32_t end = mem_end();
	__wasi_ciovec_t iov = { (const uint8_t *)"x\n", 2 };
	__wasi_ciovec_t bad_buf = { (const uint8_t *)(uintptr_t)(end - 1), 2 };
	__wasi_ciovec_t wrap_buf = { (const uint8_t *)(uintptr_t)0xfffffff0u, 0x20 };
	__wasi_size_t n = 12345;

	expect("fd_write iovs beyond memory",
	       __wasi_fd_write(1, (const __wasi_ciovec_t *)(uintptr_t)(end - 4), 1, &n),
	       __WASI_ERRNO_FAULT);
	expect("fd_write buf crossing the end", __wasi_fd_write(1, &bad_buf, 1, &n),
	       __WASI_ERRNO_FAULT);
	expect("fd_write buf wrapping 4 GiB", __wasi_fd_write(1, &wrap_buf, 1, &n),
	       __WASI_ERRNO_FAULT);
	expect("fd_write iovs_len huge", __wasi_fd_write(1, &iov, 0x20000000u, &n),
	       __WASI_ERRNO_FAULT);
	expect("fd_write nwritten beyond memory",
	       __wasi_fd_write(1, &iov, 1, (__wasi_size_t *)(uintptr_t)(end - 2)),
	       __WASI_ERRNO_FAULT);
	expect_true("fd_write left nwritten alone on EFAULT", n == 12345);
	expect("fd_write unknown fd", __wasi_fd_write(99, &iov, 1, &n), __WASI_ERRNO_BADF);
	expect("fd_write ok", __wasi_fd_write(1, &iov, 1, &n), 0);
	expect_true("fd_write wrote 2 bytes", n == 2);
	expect("fd_write zero iovecs", __wasi_fd_write(2, &iov, 0, &n), 0);
	expect_true("fd_write zero iovecs wrote 0", n == 0);
}

static void check_args_env(void)
{
	uint32_t end = mem_end();
	__wasi_size_t argc, size;

	expect("args_sizes_get argc beyond memory",
	       __wasi_args_sizes_get((__wasi_size_t *)(uintptr_t)end, &size),
	       __WASI_ERRNO_FAULT);
	expect("args_sizes_get ok", __wasi_args_sizes_get(&argc, &size), 0);
	expect_true("argc >= 1", argc >= 1);
	expect("args_get argv beyond memory",
	       __wasi_args_get((uint8_t **)(uintptr_t)(end - 2), (uint8_t *)0),
	       __WASI_ERRNO_FAULT);
	expect("args_get buf beyond memory", __wasi_args_get(
		       (uint8_t **)(uintptr_t)0x1000, (uint8_t *)(uintptr_t)(end - size + 1)),
	       __WASI_ERRNO_FAULT);
	expect("environ_sizes_get beyond memory",
	       __wasi_environ_sizes_get(&argc, (__wasi_size_t *)(uintptr_t)0xfffffffeu),
	       __WASI_ERRNO_FAULT);
}

static void check_fdstat(void)
{
	__wasi_fdstat_t st;
	__wasi_filesize_t off;
	__wasi_filestat_t fs;

	expect("fd_fdstat_get stdout", __wasi_fd_fdstat_get(1, &st), 0);
	/* what the host's stdout is (issue 8: it used to be a character
	 * device even when it was a file or a pipe) */
	expect_true("stdout is a terminal, a file or another stream",
		    st.fs_filetype == __WASI_FILETYPE_CHARACTER_DEVICE ||
		    st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE ||
		    st.fs_filetype == __WASI_FILETYPE_UNKNOWN);
	expect("fd_filestat_get stdout", __wasi_fd_filestat_get(1, &fs), 0);
	expect_true("fd_filestat_get says the same type", fs.filetype == st.fs_filetype);
	expect_true("isatty(1) only on a character device",
		    isatty(1) == (st.fs_filetype == __WASI_FILETYPE_CHARACTER_DEVICE));
	expect_true("stdout can be written",
		    (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) != 0);
	expect_true("stdout cannot seek", (st.fs_rights_base & __WASI_RIGHTS_FD_SEEK) == 0);
	expect("fd_fdstat_get stdin", __wasi_fd_fdstat_get(0, &st), 0);
	expect_true("stdin can be read", (st.fs_rights_base & __WASI_RIGHTS_FD_READ) != 0);
	expect("fd_fdstat_get unknown fd", __wasi_fd_fdstat_get(77, &st), __WASI_ERRNO_BADF);
	expect("fd_fdstat_get beyond memory",
	       __wasi_fd_fdstat_get(1, (__wasi_fdstat_t *)(uintptr_t)(mem_end() - 8)),
	       __WASI_ERRNO_FAULT);
	expect("fd_seek stdout", __wasi_fd_seek(1, 0, __WASI_WHENCE_CUR, &off),
	       __WASI_ERRNO_SPIPE);
	expect("fd_seek unknown fd", __wasi_fd_seek(42, 0, __WASI_WHENCE_SET, &off),
	       __WASI_ERRNO_BADF);
}

static void check_prestat_read_close(void)
{
	__wasi_prestat_t ps;
	char buf[8];
	__wasi_iovec_t iov = { (uint8_t *)buf, sizeof(buf) };
	__wasi_size_t n = 99;

	expect("fd_prestat_get fd 3 (no preopens)", __wasi_fd_prestat_get(3, &ps),
	       __WASI_ERRNO_BADF);
	expect("fd_read stdin", __wasi_fd_read(0, &iov, 1, &n), 0);
	expect_true("stdin is at end of file", n == 0);
	expect("fd_close stdin", __wasi_fd_close(0), 0);
	expect("fd_read closed stdin", __wasi_fd_read(0, &iov, 1, &n), __WASI_ERRNO_BADF);
	expect("fd_close closed stdin", __wasi_fd_close(0), __WASI_ERRNO_BADF);
}

static void check_clocks_random(void)
{
	__wasi_timestamp_t t0, t1, res;
	uint8_t rnd[32];
	int nonzero = 0;

	expect("clock_time_get monotonic", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t0), 0);
	expect("clock_time_get monotonic again",
	       __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1), 0);
	expect_true("monotonic clock does not go back", t1 >= t0);
	expect("clock_time_get realtime", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t0), 0);
	expect_true("realtime is after 2020", t0 > 1577836800ull * 1000000000ull);
	expect("clock_time_get bad clock", __wasi_clock_time_get(9, 1, &t0), __WASI_ERRNO_INVAL);
	expect("clock_time_get beyond memory", __wasi_clock_time_get(
		       __WASI_CLOCKID_MONOTONIC, 1, (__wasi_timestamp_t *)(uintptr_t)(mem_end() - 7)),
	       __WASI_ERRNO_FAULT);
	expect("clock_res_get monotonic", __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res), 0);
	expect_true("clock resolution > 0", res > 0);
	memset(rnd, 0, sizeof(rnd));
	expect("random_get", __wasi_random_get(rnd, sizeof(rnd)), 0);
	for (unsigned i = 0; i < sizeof(rnd); i++)
		nonzero += rnd[i] != 0;
	expect_true("random_get filled the buffer", nonzero > 8);
	expect("random_get beyond memory",
	       __wasi_random_get((uint8_t *)(uintptr_t)(mem_end() - 16), 17), __WASI_ERRNO_FAULT);
}

static void check_poll(void)
{
	__wasi_subscription_t sub;
	__wasi_event_t ev;
	__wasi_size_t n = 0;
	__wasi_timestamp_t t0, t1;

	memset(&sub, 0, sizeof(sub));
	sub.userdata = 0x1234;
	sub.u.tag = __WASI_EVENTTYPE_CLOCK;
	sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
	sub.u.u.clock.timeout = 2000000;        /* 2 ms */
	expect("clock before poll", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t0), 0);
	expect("poll_oneoff clock 2 ms", __wasi_poll_oneoff(&sub, &ev, 1, &n), 0);
	expect("clock after poll", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1), 0);
	expect_true("poll_oneoff: one clock event with our userdata",
		    n == 1 && ev.userdata == 0x1234 && ev.type == __WASI_EVENTTYPE_CLOCK &&
		    ev.error == 0);
	expect_true("poll_oneoff waited 2 ms", t1 - t0 >= 2000000);
	expect("poll_oneoff no subscriptions", __wasi_poll_oneoff(&sub, &ev, 0, &n),
	       __WASI_ERRNO_INVAL);
	expect("poll_oneoff events beyond memory", __wasi_poll_oneoff(
		       &sub, (__wasi_event_t *)(uintptr_t)(mem_end() - 16), 1, &n),
	       __WASI_ERRNO_FAULT);
}

int main(void)
{
	check_fd_write();
	check_args_env();
	check_fdstat();
	check_prestat_read_close();
	check_clocks_random();
	check_poll();
	if (failures)
		printf("%d ok, %d FAIL\n", oks, failures);
	else
		printf("%d ok\n", oks);
	return failures ? 1 : 0;
}
