/*
 * wasi_proc.c — clocks, randomness and process control of
 * wasi_snapshot_preview1 (witx: clock_res_get, clock_time_get, random_get,
 * proc_exit, proc_raise, sched_yield).
 *
 * The four clockid values map one to one onto enum plat_clock (plat.h says
 * what each means on each platform; realtime is the RTC advanced by the
 * TSC on bare metal, the CPU-time clocks count the instance's CPU time).
 * An id outside the witx enum is EINVAL, as wiggle's enum decoding answers
 * it, before any pointer is looked at; clock_time_get's precision argument
 * is a hint the spec lets us ignore.
 */
#include <stdio.h>
#include "plat.h"
#include "wasi_impl.h"

int wasi_clock_now(struct wasi_ctx *ctx, uint32_t id, uint64_t *ns)
{
	if (id > WASI_CLOCK_THREAD_CPUTIME_ID)
		return WASI_EINVAL;
	*ns = plat_clock_ns((enum plat_clock)id);
	return 0;
}

WASI_HOST_FN(clock_time_get)
{
	/* (id: clockid u32, precision: timestamp u64, time_ptr) */
	uint64_t ns;
	int err = wasi_clock_now(env, ARG32(0), &ns);

	if (err)
		return wasi_ret(results, err);
	return wasi_ret(results, wasi_store_u64(inst, ARG32(2), ns));
}

WASI_HOST_FN(clock_res_get)
{
	/* (id: clockid u32, resolution_ptr) */
	uint64_t res;

	if (ARG32(0) > WASI_CLOCK_THREAD_CPUTIME_ID)
		return wasi_ret(results, WASI_EINVAL);
	res = plat_clock_res_ns((enum plat_clock)ARG32(0));
	return wasi_ret(results, wasi_store_u64(inst, ARG32(1), res ? res : 1));
}

WASI_HOST_FN(random_get)
{
	/* (buf, buf_len) */
	uint8_t *p = wasi_mem(inst, ARG32(0), ARG32(1));
	uint32_t left = ARG32(1);

	if (!p)
		return wasi_ret(results, WASI_EFAULT);
	while (left) {
		uint32_t n = left < 65536 ? left : 65536;

		if (plat_random(p, n) < 0)
			return wasi_ret(results, WASI_EIO);
		p += n;
		left -= n;
	}
	return wasi_ret(results, 0);
}

WASI_HOST_FN(proc_exit)
{
	/* (rval: exitcode u32); no result: unwinds to the embedder. */
	wasm_instance_set_exit(inst, (int32_t)ARG32(0));
	return WASM_TRAP_EXIT;
}

/* witx `signal` (u8), in order. */
static const char *const signal_names[] = {
	"NONE", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
	"SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
	"SIGPIPE", "SIGALRM", "SIGTERM", "SIGCHLD", "SIGCONT", "SIGSTOP",
	"SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
	"SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGPOLL", "SIGPWR", "SIGSYS",
};

/*
 * proc_raise: there are no signal handlers in preview1, so a raised signal
 * can only end the program.  Wasmtime (wasi-common and its preview1
 * adapter alike) answers every valid signal with a trap, "proc_raise
 * unsupported"; so do we, naming the signal: the run ends as a trap
 * (WASI_STATUS_TRAP, 134 = 128 + SIGABRT, what abort() in wasi-libc gives).
 * A value outside the witx enum is EINVAL, as wiggle decodes it.
 */
WASI_HOST_FN(proc_raise)
{
	/* (sig: signal u8) */
	char msg[64];
	uint32_t sig = ARG32(0);

	if (sig >= sizeof(signal_names) / sizeof(signal_names[0]))
		return wasi_ret(results, WASI_EINVAL);
	snprintf(msg, sizeof(msg), "proc_raise(%s) unsupported", signal_names[sig]);
	wasm_instance_set_host_error(inst, msg);
	return WASM_TRAP_HOST;
}

WASI_HOST_FN(sched_yield)
{
	/* One instance per CPU, nothing else to run: returns at once. */
	return wasi_ret(results, 0);
}
