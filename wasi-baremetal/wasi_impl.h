/*
 * wasi_impl.h — internal to wasi-baremetal/: the per-instance WASI context
 * (args, environment, fd table), checked access to guest memory, and the
 * prototypes of the host functions that wasi_ctx.c lists in its table.
 *
 * Every host function gets (inst, env = struct wasi_ctx *, args, results),
 * reads its parameters with ARG32/ARG64 and returns its errno through
 * wasi_ret().  Guest pointers are never trusted: each one goes through
 * wasi_mem() with its length, in 64-bit arithmetic, before any access.
 */
#ifndef WASI_IMPL_H
#define WASI_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "wasm.h"
#include "wasi.h"
#include "wasi_abi.h"

#define WASI_MAX_FDS 16         /* fixed for now: stdio, later preopens */

enum wasi_fd_kind {
	WASI_FD_CLOSED = 0,
	WASI_FD_CONSOLE_IN,     /* stdin: always at end of file */
	WASI_FD_CONSOLE_OUT,    /* stdout/stderr: plat_console_write(console) */
};

struct wasi_fd {
	enum wasi_fd_kind kind;
	int console;            /* plat_console_write fd (1 or 2) */
	uint16_t fdflags;
	uint64_t rights_base, rights_inheriting;
};

/* Strings of a vector (argv or environ) packed as the guest sees them:
 * NUL-terminated, back to back in buf; offs[i] is string i's offset. */
struct wasi_strvec {
	uint32_t count;
	uint32_t bytes;         /* total, NULs included */
	uint32_t *offs;
	char *buf;
};

struct wasi_ctx {
	struct wasi_strvec args, env;
	struct wasi_fd fds[WASI_MAX_FDS];
	uint64_t start_ns;              /* monotonic, for the CPU-time clocks */
	struct wasm_host_func *funcs;   /* the table with env = this ctx */
	size_t nfuncs;
};

#define ARG32(i) ((uint32_t)args[i])
#define ARG64(i) ((uint64_t)args[i])

#define WASI_HOST_FN(name) \
	enum wasm_trap_code wasi_##name(wasm_instance *inst, void *env, \
					const uint64_t *args, uint64_t *results)

static inline enum wasm_trap_code wasi_ret(uint64_t *results, int err)
{
	results[0] = (uint32_t)err;
	return WASM_TRAP_NONE;
}

/* [ptr, ptr+len) of linear memory 0, or NULL if any byte is outside it. */
static inline uint8_t *wasi_mem(wasm_instance *inst, uint64_t ptr, uint64_t len)
{
	uint8_t *base = wasm_memory_base(inst);
	uint64_t size = wasm_memory_size(inst);

	if (!base || ptr > size || len > size - ptr)
		return NULL;
	return base + ptr;
}

/* Unaligned little-endian stores into already-checked guest memory. */
static inline void wasi_put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void wasi_put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Store one u32/u64 result at a guest pointer: 0 or WASI_EFAULT. */
int wasi_store_u32(wasm_instance *inst, uint32_t ptr, uint32_t v);
int wasi_store_u64(wasm_instance *inst, uint32_t ptr, uint64_t v);

/* The fd's entry, or NULL if fd is not open (EBADF). */
struct wasi_fd *wasi_fd_get(struct wasi_ctx *ctx, uint32_t fd);

/* Host functions (wasi_snapshot_preview1 names, see wasi_ctx.c's table). */
WASI_HOST_FN(args_get);
WASI_HOST_FN(args_sizes_get);
WASI_HOST_FN(environ_get);
WASI_HOST_FN(environ_sizes_get);
WASI_HOST_FN(fd_write);
WASI_HOST_FN(fd_read);
WASI_HOST_FN(fd_fdstat_get);
WASI_HOST_FN(fd_filestat_get);
WASI_HOST_FN(fd_close);
WASI_HOST_FN(fd_seek);
WASI_HOST_FN(fd_tell);
WASI_HOST_FN(fd_prestat_get);
WASI_HOST_FN(fd_prestat_dir_name);
WASI_HOST_FN(proc_exit);
WASI_HOST_FN(sched_yield);
WASI_HOST_FN(clock_time_get);
WASI_HOST_FN(clock_res_get);
WASI_HOST_FN(random_get);
WASI_HOST_FN(poll_oneoff);
WASI_HOST_FN(nosys);

/* Current time of a WASI clock id: 0 or WASI_EINVAL. */
int wasi_clock_now(struct wasi_ctx *ctx, uint32_t id, uint64_t *ns);

#endif
