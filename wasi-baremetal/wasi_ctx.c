/*
 * wasi_ctx.c — the WASI context of one instance (args, environment, fd
 * table) and the wasi_snapshot_preview1 import table bound to it.
 *
 * The table lists every function of wasi_snapshot_preview1 with its exact
 * core-wasm signature (from the witx: pointers, sizes, fds, flags and
 * exit codes are i32; filesize, timestamp, rights and userdata are i64).
 * wasi-libc imports more than a program calls, so the ones not served yet
 * are bound to wasi_nosys (ERRNO_NOSYS) instead of failing the link.
 */
#include <stdlib.h>
#include "plat.h"
#include "wasi_impl.h"

#define WASI_MODULE "wasi_snapshot_preview1"

static const struct {
	const char *name, *params, *results;
	wasm_host_fn fn;
} wasi_table[] = {
	{ "args_get",                "ii",        "i", wasi_args_get },
	{ "args_sizes_get",          "ii",        "i", wasi_args_sizes_get },
	{ "environ_get",             "ii",        "i", wasi_environ_get },
	{ "environ_sizes_get",       "ii",        "i", wasi_environ_sizes_get },
	{ "clock_res_get",           "ii",        "i", wasi_clock_res_get },
	{ "clock_time_get",          "iIi",       "i", wasi_clock_time_get },
	{ "fd_advise",               "iIIi",      "i", wasi_nosys },
	{ "fd_allocate",             "iII",       "i", wasi_nosys },
	{ "fd_close",                "i",         "i", wasi_fd_close },
	{ "fd_datasync",             "i",         "i", wasi_nosys },
	{ "fd_fdstat_get",           "ii",        "i", wasi_fd_fdstat_get },
	{ "fd_fdstat_set_flags",     "ii",        "i", wasi_nosys },
	{ "fd_fdstat_set_rights",    "iII",       "i", wasi_nosys },
	{ "fd_filestat_get",         "ii",        "i", wasi_fd_filestat_get },
	{ "fd_filestat_set_size",    "iI",        "i", wasi_nosys },
	{ "fd_filestat_set_times",   "iIIi",      "i", wasi_nosys },
	{ "fd_pread",                "iiiIi",     "i", wasi_nosys },
	{ "fd_prestat_get",          "ii",        "i", wasi_fd_prestat_get },
	{ "fd_prestat_dir_name",     "iii",       "i", wasi_fd_prestat_dir_name },
	{ "fd_pwrite",               "iiiIi",     "i", wasi_nosys },
	{ "fd_read",                 "iiii",      "i", wasi_fd_read },
	{ "fd_readdir",              "iiiIi",     "i", wasi_nosys },
	{ "fd_renumber",             "ii",        "i", wasi_nosys },
	{ "fd_seek",                 "iIii",      "i", wasi_fd_seek },
	{ "fd_sync",                 "i",         "i", wasi_nosys },
	{ "fd_tell",                 "ii",        "i", wasi_fd_tell },
	{ "fd_write",                "iiii",      "i", wasi_fd_write },
	{ "path_create_directory",   "iii",       "i", wasi_nosys },
	{ "path_filestat_get",       "iiiii",     "i", wasi_nosys },
	{ "path_filestat_set_times", "iiiiIIi",   "i", wasi_nosys },
	{ "path_link",               "iiiiiii",   "i", wasi_nosys },
	{ "path_open",               "iiiiiIIii", "i", wasi_nosys },
	{ "path_readlink",           "iiiiii",    "i", wasi_nosys },
	{ "path_remove_directory",   "iii",       "i", wasi_nosys },
	{ "path_rename",             "iiiiii",    "i", wasi_nosys },
	{ "path_symlink",            "iiiii",     "i", wasi_nosys },
	{ "path_unlink_file",        "iii",       "i", wasi_nosys },
	{ "poll_oneoff",             "iiii",      "i", wasi_poll_oneoff },
	{ "proc_exit",               "i",         "",  wasi_proc_exit },
	{ "proc_raise",              "i",         "i", wasi_nosys },
	{ "sched_yield",             "",          "i", wasi_sched_yield },
	{ "random_get",              "ii",        "i", wasi_random_get },
	{ "sock_accept",             "iii",       "i", wasi_nosys },
	{ "sock_recv",               "iiiiii",    "i", wasi_nosys },
	{ "sock_send",               "iiiii",     "i", wasi_nosys },
	{ "sock_shutdown",           "ii",        "i", wasi_nosys },
};

#define WASI_TABLE_LEN (sizeof(wasi_table) / sizeof(wasi_table[0]))

WASI_HOST_FN(nosys)
{
	return wasi_ret(results, WASI_ENOSYS);
}

/* Pack n strings into v; 0 or -1 (no memory, or larger than wasm32 can
 * address: the guest's buffer sizes are u32). */
static int strvec_init(struct wasi_strvec *v, int n, const char *const *s)
{
	uint64_t bytes = 0;

	memset(v, 0, sizeof(*v));
	if (n < 0 || (n > 0 && !s) || (uint64_t)n > UINT32_MAX / 8)
		return -1;
	for (int i = 0; i < n; i++) {
		if (!s[i])
			return -1;
		bytes += strlen(s[i]) + 1;
		if (bytes > UINT32_MAX / 2)
			return -1;
	}
	v->offs = malloc((n ? n : 1) * sizeof(uint32_t));
	v->buf = malloc(bytes ? bytes : 1);
	if (!v->offs || !v->buf)
		return -1;
	v->count = (uint32_t)n;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(s[i]) + 1;
		v->offs[i] = v->bytes;
		memcpy(v->buf + v->bytes, s[i], l);
		v->bytes += (uint32_t)l;
	}
	return 0;
}

static void strvec_free(struct wasi_strvec *v)
{
	free(v->offs);
	free(v->buf);
}

/* Character devices: stdin readable, stdout/stderr writable; no seek/tell,
 * so wasi-libc's isatty() sees a terminal-like device. */
static void fds_init(struct wasi_fd *fds)
{
	fds[0] = (struct wasi_fd){ .kind = WASI_FD_CONSOLE_IN, .console = 0,
		.rights_base = WASI_RIGHT_FD_READ | WASI_RIGHT_POLL_FD_READWRITE |
			       WASI_RIGHT_FD_FILESTAT_GET };
	for (int fd = 1; fd <= 2; fd++)
		fds[fd] = (struct wasi_fd){ .kind = WASI_FD_CONSOLE_OUT,
			.console = fd,
			.rights_base = WASI_RIGHT_FD_WRITE |
				       WASI_RIGHT_POLL_FD_READWRITE |
				       WASI_RIGHT_FD_FILESTAT_GET };
}

static int funcs_init(struct wasi_ctx *ctx)
{
	ctx->funcs = calloc(WASI_TABLE_LEN, sizeof(*ctx->funcs));
	if (!ctx->funcs)
		return -1;
	for (size_t i = 0; i < WASI_TABLE_LEN; i++)
		ctx->funcs[i] = (struct wasm_host_func){
			.module = WASI_MODULE, .name = wasi_table[i].name,
			.params = wasi_table[i].params,
			.results = wasi_table[i].results,
			.fn = wasi_table[i].fn, .env = ctx };
	ctx->nfuncs = WASI_TABLE_LEN;
	return 0;
}

struct wasi_ctx *wasi_ctx_new(const struct wasi_config *cfg)
{
	struct wasi_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return NULL;
	if (strvec_init(&ctx->args, cfg->argc, cfg->argv) < 0 ||
	    strvec_init(&ctx->env, cfg->envc, cfg->envp) < 0 ||
	    funcs_init(ctx) < 0) {
		wasi_ctx_free(ctx);
		return NULL;
	}
	fds_init(ctx->fds);
	ctx->start_ns = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	return ctx;
}

void wasi_ctx_free(struct wasi_ctx *ctx)
{
	if (!ctx)
		return;
	strvec_free(&ctx->args);
	strvec_free(&ctx->env);
	free(ctx->funcs);
	free(ctx);
}

size_t wasi_host_funcs(struct wasi_ctx *ctx, const struct wasm_host_func **out)
{
	*out = ctx->funcs;
	return ctx->nfuncs;
}

struct wasi_fd *wasi_fd_get(struct wasi_ctx *ctx, uint32_t fd)
{
	if (fd >= WASI_MAX_FDS || ctx->fds[fd].kind == WASI_FD_CLOSED)
		return NULL;
	return &ctx->fds[fd];
}

int wasi_store_u32(wasm_instance *inst, uint32_t ptr, uint32_t v)
{
	uint8_t *p = wasi_mem(inst, ptr, 4);

	if (!p)
		return WASI_EFAULT;
	wasi_put_u32(p, v);
	return 0;
}

int wasi_store_u64(wasm_instance *inst, uint32_t ptr, uint64_t v)
{
	uint8_t *p = wasi_mem(inst, ptr, 8);

	if (!p)
		return WASI_EFAULT;
	wasi_put_u64(p, v);
	return 0;
}
