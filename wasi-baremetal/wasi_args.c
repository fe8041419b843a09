/*
 * wasi_args.c — args_get, args_sizes_get, environ_get, environ_sizes_get
 * (wasi_snapshot_preview1, witx "args" and "environ" functions).
 *
 * The *_sizes_get pair reports (count, buffer bytes including NULs); the
 * *_get pair fills an array of `count` u32 pointers and the buffer they
 * point into.  Both output areas are checked whole before anything is
 * written.
 */
#include "wasi_impl.h"

static int sizes_get(wasm_instance *inst, const struct wasi_strvec *v,
		     uint32_t count_ptr, uint32_t bytes_ptr)
{
	if (!wasi_mem(inst, count_ptr, 4) || !wasi_mem(inst, bytes_ptr, 4))
		return WASI_EFAULT;
	wasi_store_u32(inst, count_ptr, v->count);
	wasi_store_u32(inst, bytes_ptr, v->bytes);
	return 0;
}

static int vec_get(wasm_instance *inst, const struct wasi_strvec *v,
		   uint32_t ptrs_ptr, uint32_t buf_ptr)
{
	uint8_t *ptrs = wasi_mem(inst, ptrs_ptr, (uint64_t)v->count * 4);
	uint8_t *buf = wasi_mem(inst, buf_ptr, v->bytes);

	if (!ptrs || !buf)
		return WASI_EFAULT;
	/* Guest addresses: buf_ptr + off < memory size <= 4 GiB, no wrap. */
	for (uint32_t i = 0; i < v->count; i++)
		wasi_put_u32(ptrs + 4 * (uint64_t)i, buf_ptr + v->offs[i]);
	memmove(buf, v->buf, v->bytes);
	return 0;
}

WASI_HOST_FN(args_sizes_get)
{
	struct wasi_ctx *ctx = env;

	return wasi_ret(results, sizes_get(inst, &ctx->args, ARG32(0), ARG32(1)));
}

WASI_HOST_FN(args_get)
{
	struct wasi_ctx *ctx = env;

	return wasi_ret(results, vec_get(inst, &ctx->args, ARG32(0), ARG32(1)));
}

WASI_HOST_FN(environ_sizes_get)
{
	struct wasi_ctx *ctx = env;

	return wasi_ret(results, sizes_get(inst, &ctx->env, ARG32(0), ARG32(1)));
}

WASI_HOST_FN(environ_get)
{
	struct wasi_ctx *ctx = env;

	return wasi_ret(results, vec_get(inst, &ctx->env, ARG32(0), ARG32(1)));
}
