/*
 * wasi_clock_poll_random.c — self-checking test of clock_res_get,
 * clock_time_get, poll_oneoff (clock subscriptions relative and absolute,
 * fd read/write readiness, bad fds and arguments), random_get and
 * sched_yield (wasi_snapshot_preview1).  Prints properties, never a time
 * or a random value, so a passing run's output is always the same.
 *
 * Run with tests/wasi/data (read-only use) preopened as "/" and stdin
 * from /dev/null or a console.  One line per check, then "N ok".
 */
#include "wt.h"

_Static_assert(sizeof(__wasi_subscription_t) == 48, "subscription");
_Static_assert(sizeof(__wasi_event_t) == 32, "event");

#define MS 1000000ull

static __wasi_timestamp_t now(void)
{
	__wasi_timestamp_t t = 0;

	__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
	return t;
}

static void check_clocks(void)
{
	static const char *names[] = { "realtime", "monotonic", "process_cputime",
				       "thread_cputime" };
	__wasi_timestamp_t t, t0, prev, res;
	char what[80];
	int id, i, back = 0, moved = 0;

	for (id = 0; id < 4; id++) {
		snprintf(what, sizeof(what), "clock_res_get %s", names[id]);
		WT_OK(__wasi_clock_res_get(id, &res), what);
		wt_true(res > 0 && res <= 1000000000ull, "%s resolution is in (0, 1 s]", names[id]);
		snprintf(what, sizeof(what), "clock_time_get %s", names[id]);
		WT_OK(__wasi_clock_time_get(id, 0, &t), what);
	}
	WT_ERR(__wasi_clock_res_get(4, &res), "clock_res_get unknown clock 4", __WASI_ERRNO_INVAL);
	WT_ERR(__wasi_clock_time_get(4, 1, &t), "clock_time_get unknown clock 4", __WASI_ERRNO_INVAL);
	WT_ERR(__wasi_clock_time_get(0xffffffffu, 1, &t), "clock_time_get clock 0xffffffff",
	       __WASI_ERRNO_INVAL);
	WT_ERR(__wasi_clock_res_get(1, (__wasi_timestamp_t *)(uintptr_t)(wt_mem_end() - 4)),
	       "clock_res_get result beyond memory", __WASI_ERRNO_FAULT);
	WT_ERR(__wasi_clock_time_get(1, 1, (__wasi_timestamp_t *)(uintptr_t)(wt_mem_end() - 4)),
	       "clock_time_get result beyond memory", __WASI_ERRNO_FAULT);
	WT_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, ~0ull, &t),
	      "clock_time_get with precision 2^64-1");

	__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t);
	wt_true(t > 1577836800ull * 1000000000ull && t < 4102444800ull * 1000000000ull,
		"realtime is between 2020 and 2100");
	for (id = 1; id < 4; id++) {
		back = moved = 0;
		__wasi_clock_time_get(id, 1, &prev);
		t0 = prev;
		for (i = 0; i < 200000 && !(moved && i > 1000); i++) {
			__wasi_clock_time_get(id, 1, &t);
			back += t < prev;
			moved |= t != t0;
			prev = t;
		}
		wt_true(!back, "%s never goes back", names[id]);
		wt_true(moved, "%s advances while the program runs", names[id]);
	}
}

static void clock_sub(__wasi_subscription_t *s, uint64_t ud, int id, uint64_t timeout,
		      int flags)
{
	memset(s, 0, sizeof(*s));
	s->userdata = ud;
	s->u.tag = __WASI_EVENTTYPE_CLOCK;
	s->u.u.clock.id = id;
	s->u.u.clock.timeout = timeout;
	s->u.u.clock.flags = flags;
}

static void fd_sub(__wasi_subscription_t *s, uint64_t ud, int type, int fd)
{
	memset(s, 0, sizeof(*s));
	s->userdata = ud;
	s->u.tag = type;
	s->u.u.fd_read.file_descriptor = fd;    /* fd_write has the same layout */
}

static int find_ev(const __wasi_event_t *ev, int n, uint64_t ud)
{
	for (int i = 0; i < n; i++)
		if (ev[i].userdata == ud)
			return i;
	return -1;
}

static void check_poll_clocks(void)
{
	__wasi_subscription_t s[3];
	__wasi_event_t ev[3];
	__wasi_size_t n = 0;
	__wasi_timestamp_t t0, t1, deadline;
	int i, j;

	clock_sub(&s[0], 0x1111, __WASI_CLOCKID_MONOTONIC, 10 * MS, 0);
	t0 = now();
	WT_OK(__wasi_poll_oneoff(s, ev, 1, &n), "poll_oneoff relative 10 ms");
	t1 = now();
	wt_true(n == 1 && ev[0].userdata == 0x1111 && ev[0].type == __WASI_EVENTTYPE_CLOCK &&
		ev[0].error == 0, "one clock event with the userdata");
	wt_true(t1 - t0 >= 10 * MS, "a relative 10 ms timeout waits at least 10 ms");

	deadline = now() + 10 * MS;
	clock_sub(&s[0], 0x2222, __WASI_CLOCKID_MONOTONIC, deadline,
		  __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
	WT_OK(__wasi_poll_oneoff(s, ev, 1, &n), "poll_oneoff absolute deadline");
	wt_true(n == 1 && ev[0].userdata == 0x2222 && now() >= deadline,
		"an absolute timeout returns at or after the deadline");

	clock_sub(&s[0], 0x3333, __WASI_CLOCKID_MONOTONIC, 1,
		  __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
	WT_OK(__wasi_poll_oneoff(s, ev, 1, &n), "poll_oneoff absolute deadline in the past");
	wt_true(n == 1 && ev[0].userdata == 0x3333, "a past deadline fires at once");

	clock_sub(&s[0], 0x4444, __WASI_CLOCKID_MONOTONIC, 0, 0);
	WT_OK(__wasi_poll_oneoff(s, ev, 1, &n), "poll_oneoff timeout 0");
	wt_true(n == 1 && ev[0].userdata == 0x4444, "a 0 timeout fires at once");

	clock_sub(&s[0], 0x5555, __WASI_CLOCKID_MONOTONIC, 500 * MS, 0);
	clock_sub(&s[1], 0x6666, __WASI_CLOCKID_MONOTONIC, 5 * MS, 0);
	t0 = now();
	WT_OK(__wasi_poll_oneoff(s, ev, 2, &n), "poll_oneoff two clocks 500 ms and 5 ms");
	t1 = now();
	i = find_ev(ev, n, 0x6666);
	j = find_ev(ev, n, 0x5555);
	wt_true(n >= 1 && i >= 0 && (j < 0 || t1 - t0 >= 500 * MS),
		"the earlier clock fires first, the later one not with it");

	clock_sub(&s[0], 0x7777, __WASI_CLOCKID_REALTIME, 1 * MS, 0);
	WT_OK(__wasi_poll_oneoff(s, ev, 1, &n), "poll_oneoff realtime relative 1 ms");
	wt_true(n == 1 && ev[0].userdata == 0x7777, "the realtime clock event fires");

	clock_sub(&s[0], 0x8888, 9, 1 * MS, 0);
	int e = __wasi_poll_oneoff(s, ev, 1, &n);
	wt_true(e == __WASI_ERRNO_INVAL || (e == 0 && n == 1 && ev[0].error == __WASI_ERRNO_INVAL),
		"a clock subscription with an unknown clock id gives EINVAL");
}

static void check_poll_fds(int root)
{
	__wasi_subscription_t s[4];
	__wasi_event_t ev[4];
	__wasi_size_t n = 0;
	__wasi_fd_t f;
	int i, e;

	WT_OK(wt_open(root, "lseek.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
		      __WASI_RIGHTS_POLL_FD_READWRITE, 0, &f), "path_open lseek.txt");
	fd_sub(&s[0], 10, __WASI_EVENTTYPE_FD_READ, f);
	fd_sub(&s[1], 11, __WASI_EVENTTYPE_FD_WRITE, f);
	fd_sub(&s[2], 12, __WASI_EVENTTYPE_FD_WRITE, 1);
	clock_sub(&s[3], 13, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
	WT_OK(__wasi_poll_oneoff(s, ev, 4, &n), "poll_oneoff file read+write, stdout write");
	i = find_ev(ev, n, 10);
	wt_true(i >= 0 && ev[i].type == __WASI_EVENTTYPE_FD_READ && ev[i].error == 0 &&
		ev[i].fd_readwrite.nbytes > 0, "a regular file is readable at once (nbytes > 0)");
	i = find_ev(ev, n, 11);
	wt_true(i >= 0 && ev[i].type == __WASI_EVENTTYPE_FD_WRITE && ev[i].error == 0,
		"a regular file is writable at once");
	i = find_ev(ev, n, 12);
	wt_true(i >= 0 && ev[i].type == __WASI_EVENTTYPE_FD_WRITE && ev[i].error == 0,
		"stdout is writable");
	wt_true(find_ev(ev, n, 13) < 0, "the 5 s clock did not fire");
	__wasi_fd_close(f);

	/* stdin: readable (EOF / data) or not yet; either way a valid event */
	fd_sub(&s[0], 20, __WASI_EVENTTYPE_FD_READ, 0);
	clock_sub(&s[1], 21, __WASI_CLOCKID_MONOTONIC, 20 * MS, 0);
	WT_OK(__wasi_poll_oneoff(s, ev, 2, &n), "poll_oneoff stdin read + 20 ms clock");
	e = n >= 1;
	for (i = 0; i < (int)n; i++)
		e &= (ev[i].userdata == 20 && ev[i].type == __WASI_EVENTTYPE_FD_READ) ||
		     (ev[i].userdata == 21 && ev[i].type == __WASI_EVENTTYPE_CLOCK);
	wt_true(e, "stdin poll gives well-formed events");

	/* an fd that is not open */
	fd_sub(&s[0], 30, __WASI_EVENTTYPE_FD_READ, 4242);
	e = __wasi_poll_oneoff(s, ev, 1, &n);
	wt_true(e == __WASI_ERRNO_BADF ||
		(e == 0 && n == 1 && ev[0].userdata == 30 && ev[0].error == __WASI_ERRNO_BADF),
		"poll_oneoff on an unused fd gives EBADF");

	fd_sub(&s[0], 40, 3, 1);
	WT_ERR(__wasi_poll_oneoff(s, ev, 1, &n), "poll_oneoff unknown event type 3",
	       __WASI_ERRNO_INVAL);
	WT_ERR(__wasi_poll_oneoff(s, ev, 0, &n), "poll_oneoff with no subscriptions",
	       __WASI_ERRNO_INVAL);
	clock_sub(&s[0], 1, __WASI_CLOCKID_MONOTONIC, 0, 0);
	WT_ERR(__wasi_poll_oneoff((const __wasi_subscription_t *)(uintptr_t)(wt_mem_end() - 40),
				  ev, 1, &n), "poll_oneoff subscriptions beyond memory",
	       __WASI_ERRNO_FAULT);
	WT_ERR(__wasi_poll_oneoff(s, (__wasi_event_t *)(uintptr_t)(wt_mem_end() - 16), 1, &n),
	       "poll_oneoff events beyond memory", __WASI_ERRNO_FAULT);
	WT_ERR(__wasi_poll_oneoff(s, ev, 1, (__wasi_size_t *)(uintptr_t)wt_mem_end()),
	       "poll_oneoff nevents beyond memory", __WASI_ERRNO_FAULT);
	WT_ERR(__wasi_poll_oneoff(s, ev, 0x10000000u, &n),
	       "poll_oneoff 2^28 subscriptions (beyond memory)", __WASI_ERRNO_FAULT);
}

static void check_random(void)
{
	static uint8_t big[65536];
	uint8_t a[32], b[32];
	unsigned ones = 0, i;

	WT_OK(__wasi_random_get(a, 0), "random_get 0 bytes");
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	WT_OK(__wasi_random_get(a, sizeof(a)), "random_get 32 bytes");
	WT_OK(__wasi_random_get(b, sizeof(b)), "random_get 32 more bytes");
	wt_true(memcmp(a, b, sizeof(a)) != 0, "two draws differ");
	WT_OK(__wasi_random_get(big, sizeof(big)), "random_get 64 KiB");
	for (i = 0; i < sizeof(big); i++)
		ones += __builtin_popcount(big[i]);
	/* 524288 bits: mean 262144, sd 362; +-5243 is 14 sd */
	wt_true(ones > 262144 - 5243 && ones < 262144 + 5243, "64 KiB of random bits is ~50%% ones");
	WT_ERR(__wasi_random_get((uint8_t *)(uintptr_t)(wt_mem_end() - 8), 9),
	       "random_get crossing the end of memory", __WASI_ERRNO_FAULT);
	WT_ERR(__wasi_random_get((uint8_t *)(uintptr_t)0xfffffff0u, 0x20),
	       "random_get wrapping past 4 GiB", __WASI_ERRNO_FAULT);
	WT_OK(__wasi_sched_yield(), "sched_yield");
}

int main(void)
{
	int root = wt_preopen("/");

	check_clocks();
	check_poll_clocks();
	if (root >= 0)
		check_poll_fds(root);
	else
		wt_true(0, "no preopened directory named \"/\"");
	check_random();
	return wt_done();
}
