/*
 * wasi_proc.c — clocks, randomness and process control of
 * wasi_snapshot_preview1: clock_time_get, clock_res_get, random_get,
 * proc_exit, sched_yield.
 *
 * Clocks map onto plat_clock_ns.  The CPU-time clocks (process, thread)
 * count monotonic time since the context was created: an instance owns
 * its CPU while it runs (one instance per core, no preemption yet).
 */
#include "plat.h"
#include "wasi_impl.h"

int wasi_clock_now(struct wasi_ctx *ctx, uint32_t id, uint64_t *ns)
{
	switch (id) {
	case WASI_CLOCK_REALTIME:
		*ns = plat_clock_ns(PLAT_CLOCK_REALTIME);
		return 0;
	case WASI_CLOCK_MONOTONIC:
		*ns = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
		return 0;
	case WASI_CLOCK_PROCESS_CPUTIME_ID:
	case WASI_CLOCK_THREAD_CPUTIME_ID:
		*ns = plat_clock_ns(PLAT_CLOCK_MONOTONIC) - ctx->start_ns;
		return 0;
	default:
		return WASI_EINVAL;
	}
}

WASI_HOST_FN(clock_time_get)
{
	/* (id: clockid u32, precision: timestamp i64, time_ptr) */
	uint64_t ns;
	int err;

	if (!wasi_mem(inst, ARG32(2), 8))
		return wasi_ret(results, WASI_EFAULT);
	err = wasi_clock_now(env, ARG32(0), &ns);
	if (err)
		return wasi_ret(results, err);
	return wasi_ret(results, wasi_store_u64(inst, ARG32(2), ns));
}

WASI_HOST_FN(clock_res_get)
{
	/* (id: clockid u32, resolution_ptr) */
	enum plat_clock c;
	uint64_t res;

	switch (ARG32(0)) {
	case WASI_CLOCK_REALTIME:
		c = PLAT_CLOCK_REALTIME;
		break;
	case WASI_CLOCK_MONOTONIC:
	case WASI_CLOCK_PROCESS_CPUTIME_ID:
	case WASI_CLOCK_THREAD_CPUTIME_ID:
		c = PLAT_CLOCK_MONOTONIC;
		break;
	default:
		return wasi_ret(results, WASI_EINVAL);
	}
	res = plat_clock_res_ns(c);
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

WASI_HOST_FN(sched_yield)
{
	/* One instance per CPU, nothing else to run. */
	return wasi_ret(results, 0);
}
