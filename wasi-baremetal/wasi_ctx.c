/*
 * wasi_ctx.c — the WASI context of one instance (args, environment, fd
 * table) and the wasi_snapshot_preview1 import table bound to it.
 *
 * The table lists every function of wasi_snapshot_preview1 with its exact
 * core-wasm signature (from the witx: pointers, sizes, fds, flags and
 * exit codes are i32; filesize, timestamp, rights and userdata are i64),
 * then WasmEdge's socket extension in the same module (wasi_sock_ext.c).
 * WasmEdge binds an import by name and signature (its import.cpp: a V1
 * name whose type does not match binds to the name's "_v2" function);
 * the engine does the same (jit/instance.c link_imports: of the entries
 * with the import's name, the one with its type), so a name may appear
 * twice here: sock_accept (3 params: preview1 = WasmEdge V2; 2 params:
 * WasmEdge V1), sock_recv_from (7: V1, 8: V2), sock_getlocaladdr and
 * sock_getpeeraddr (4: V1, 3: V2).  The preview1 form comes first.
 * Every entry is served; wasi_nosys remains for embedders' own tables.
 *
 * The context: args and environment packed as the guest reads them, the
 * fd table (stdio 0-2, then one fd per preopen, 3.., in config order,
 * then one per --tcplisten listener, as wasmtime's fix for its issue
 * #3936 orders them: wasi-libc's preopen scan stops at the first fd that
 * fd_prestat_get calls EBADF, so a socket before the directories would
 * hide them), the vfs that holds a copy of every preopened tree, checked
 * entry by entry (tree_add) because the tree comes from an image, and a
 * checked copy of the network grants (wasi_grant.h).
 */
#include <stdarg.h>
#include <stdio.h>
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
	{ "fd_advise",               "iIIi",      "i", wasi_fd_advise },
	{ "fd_allocate",             "iII",       "i", wasi_fd_allocate },
	{ "fd_close",                "i",         "i", wasi_fd_close },
	{ "fd_datasync",             "i",         "i", wasi_fd_datasync },
	{ "fd_fdstat_get",           "ii",        "i", wasi_fd_fdstat_get },
	{ "fd_fdstat_set_flags",     "ii",        "i", wasi_fd_fdstat_set_flags },
	{ "fd_fdstat_set_rights",    "iII",       "i", wasi_fd_fdstat_set_rights },
	{ "fd_filestat_get",         "ii",        "i", wasi_fd_filestat_get },
	{ "fd_filestat_set_size",    "iI",        "i", wasi_fd_filestat_set_size },
	{ "fd_filestat_set_times",   "iIIi",      "i", wasi_fd_filestat_set_times },
	{ "fd_pread",                "iiiIi",     "i", wasi_fd_pread },
	{ "fd_prestat_get",          "ii",        "i", wasi_fd_prestat_get },
	{ "fd_prestat_dir_name",     "iii",       "i", wasi_fd_prestat_dir_name },
	{ "fd_pwrite",               "iiiIi",     "i", wasi_fd_pwrite },
	{ "fd_read",                 "iiii",      "i", wasi_fd_read },
	{ "fd_readdir",              "iiiIi",     "i", wasi_fd_readdir },
	{ "fd_renumber",             "ii",        "i", wasi_fd_renumber },
	{ "fd_seek",                 "iIii",      "i", wasi_fd_seek },
	{ "fd_sync",                 "i",         "i", wasi_fd_sync },
	{ "fd_tell",                 "ii",        "i", wasi_fd_tell },
	{ "fd_write",                "iiii",      "i", wasi_fd_write },
	{ "path_create_directory",   "iii",       "i", wasi_path_create_directory },
	{ "path_filestat_get",       "iiiii",     "i", wasi_path_filestat_get },
	{ "path_filestat_set_times", "iiiiIIi",   "i", wasi_path_filestat_set_times },
	{ "path_link",               "iiiiiii",   "i", wasi_path_link },
	{ "path_open",               "iiiiiIIii", "i", wasi_path_open },
	{ "path_readlink",           "iiiiii",    "i", wasi_path_readlink },
	{ "path_remove_directory",   "iii",       "i", wasi_path_remove_directory },
	{ "path_rename",             "iiiiii",    "i", wasi_path_rename },
	{ "path_symlink",            "iiiii",     "i", wasi_path_symlink },
	{ "path_unlink_file",        "iii",       "i", wasi_path_unlink_file },
	{ "poll_oneoff",             "iiii",      "i", wasi_poll_oneoff },
	{ "proc_exit",               "i",         "",  wasi_proc_exit },
	{ "proc_raise",              "i",         "i", wasi_proc_raise },
	{ "sched_yield",             "",          "i", wasi_sched_yield },
	{ "random_get",              "ii",        "i", wasi_random_get },
	{ "sock_accept",             "iii",       "i", wasi_sock_accept },
	{ "sock_recv",               "iiiiii",    "i", wasi_sock_recv },
	{ "sock_send",               "iiiii",     "i", wasi_sock_send },
	{ "sock_shutdown",           "ii",        "i", wasi_sock_shutdown },
	/* WasmEdge's socket extension (V1, then the _v2 names) */
	{ "sock_accept",             "ii",        "i", wasi_sock_accept_v1 },
	{ "sock_open",               "iii",       "i", wasi_sock_open },
	{ "sock_bind",               "iii",       "i", wasi_sock_bind_v1 },
	{ "sock_listen",             "ii",        "i", wasi_sock_listen },
	{ "sock_connect",            "iii",       "i", wasi_sock_connect_v1 },
	{ "sock_recv_from",          "iiiiiii",   "i", wasi_sock_recv_from_v1 },
	{ "sock_recv_from",          "iiiiiiii",  "i", wasi_sock_recv_from_v2 },
	{ "sock_send_to",            "iiiiiii",   "i", wasi_sock_send_to_v1 },
	{ "sock_getlocaladdr",       "iiii",      "i", wasi_sock_getlocaladdr_v1 },
	{ "sock_getlocaladdr",       "iii",       "i", wasi_sock_getlocaladdr_v2 },
	{ "sock_getpeeraddr",        "iiii",      "i", wasi_sock_getpeeraddr_v1 },
	{ "sock_getpeeraddr",        "iii",       "i", wasi_sock_getpeeraddr_v2 },
	{ "sock_getsockopt",         "iiiii",     "i", wasi_sock_getsockopt },
	{ "sock_setsockopt",         "iiiii",     "i", wasi_sock_setsockopt },
	{ "sock_getaddrinfo",        "iiiiiiii",  "i", wasi_sock_getaddrinfo },
	{ "sock_open_v2",            "iii",       "i", wasi_sock_open },
	{ "sock_bind_v2",            "iii",       "i", wasi_sock_bind_v2 },
	{ "sock_listen_v2",          "ii",        "i", wasi_sock_listen },
	{ "sock_accept_v2",          "iii",       "i", wasi_sock_accept },
	{ "sock_connect_v2",         "iii",       "i", wasi_sock_connect_v2 },
	{ "sock_recv_v2",            "iiiiii",    "i", wasi_sock_recv },
	{ "sock_recv_from_v2",       "iiiiiiii",  "i", wasi_sock_recv_from_v2 },
	{ "sock_send_v2",            "iiiii",     "i", wasi_sock_send },
	{ "sock_send_to_v2",         "iiiiiii",   "i", wasi_sock_send_to_v2 },
	{ "sock_getlocaladdr_v2",    "iii",       "i", wasi_sock_getlocaladdr_v2 },
	{ "sock_getpeeraddr_v2",     "iii",       "i", wasi_sock_getpeeraddr_v2 },
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

/* stdin readable, stdout/stderr writable, each of the type the embedder
 * says it is (wasi.h, enum wasi_stdio_kind): a terminal is a character
 * device without seek/tell rights, which is what wasi-libc's isatty()
 * looks for.  -1 on an unknown kind. */
static int fds_init_stdio(struct wasi_fd *fds, const uint8_t kind[3])
{
	static const uint8_t type[] = {
		[WASI_STDIO_TERMINAL] = WASI_FILETYPE_CHARACTER_DEVICE,
		[WASI_STDIO_FILE] = WASI_FILETYPE_REGULAR_FILE,
		[WASI_STDIO_OTHER] = WASI_FILETYPE_UNKNOWN,
	};
	const uint64_t common = WASI_RIGHT_POLL_FD_READWRITE |
				WASI_RIGHT_FD_FILESTAT_GET |
				WASI_RIGHT_FD_FDSTAT_SET_FLAGS;

	for (int fd = 0; fd <= 2; fd++) {
		if (kind[fd] > WASI_STDIO_OTHER)
			return -1;
		fds[fd] = (struct wasi_fd){
			.kind = fd ? WASI_FD_CONSOLE_OUT : WASI_FD_CONSOLE_IN,
			.console = fd, .console_type = type[kind[fd]],
			.rights_base = common | (fd ? WASI_RIGHT_FD_WRITE
						    : WASI_RIGHT_FD_READ) };
	}
	return 0;
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

/* ---- preopened trees (struct wasi_preopen, hostile input) --------------- */

static void fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Check a tree path ("a/b/c": no empty, "." or ".." component, not
 * absolute); NULL or what is wrong. */
static const char *tree_path_problem(const char *path)
{
	size_t len, start = 0;

	if (!path)
		return "no path";
	len = strnlen(path, VFS_PATH_MAX + 1);
	if (len == 0)
		return "empty path";
	if (len > VFS_PATH_MAX)
		return "path longer than 4096 bytes";
	if (vfs_check_string(path, len))
		return "path is not UTF-8";
	if (path[0] == '/')
		return "absolute path";
	for (size_t i = 0; i <= len; i++) {
		size_t n;

		if (i < len && path[i] != '/')
			continue;
		n = i - start;
		if (n == 0)
			return "empty component (\"//\" or a trailing \"/\")";
		if ((n == 1 && path[start] == '.') ||
		    (n == 2 && path[start] == '.' && path[start + 1] == '.'))
			return "\".\" or \"..\" component";
		if (n > VFS_NAME_MAX)
			return "component longer than 255 bytes";
		start = i + 1;
	}
	return NULL;
}

/* Loading a tree: the entries added so far, by path, so that finding an
 * entry's directory and refusing a duplicate cost a hash probe, not a
 * scan of the directory (vfs_lookup): an image with 100,000 files in one
 * directory made setup quadratic, minutes under QEMU's TCG (a hang to the
 * user; test_vfs.c big_flat_tree_loads_in_linear_time). */
struct tree_index {
	const struct wasi_tree_entry *entries;
	struct vfs_node **node;         /* node[j]: entries[j]'s, once added */
	uint32_t *slot, mask;           /* j + 1, or 0: free */
};

static uint32_t tree_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;               /* FNV-1a */

	while (n--)
		h = (h ^ (uint8_t)*p++) * 16777619u;
	return h;
}

/* The slot of path[0..n), or the free slot where it would go. */
static uint32_t *tree_slot(const struct tree_index *ix, const char *p, size_t n)
{
	for (uint32_t i = tree_hash(p, n) & ix->mask;; i = (i + 1) & ix->mask) {
		uint32_t v = ix->slot[i];

		if (!v || (!strncmp(ix->entries[v - 1].path, p, n) &&
			   ix->entries[v - 1].path[n] == 0))
			return &ix->slot[i];
	}
}

/* The directory that will hold path's last component (its parents must
 * exist already: parents come first), or NULL. */
static struct vfs_node *tree_parent(const struct tree_index *ix, struct vfs_node *root,
				    const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	uint32_t v;

	*name = slash ? slash + 1 : path;
	if (!slash)
		return root;
	v = *tree_slot(ix, path, (size_t)(slash - path));
	if (!v || ix->node[v - 1]->type != WASI_FILETYPE_DIRECTORY)
		return NULL;
	return ix->node[v - 1];
}

/* Add entries[j] (ix->entries) under root. */
static const char *tree_add(struct vfs *fs, struct vfs_node *root,
			    struct tree_index *ix, size_t j)
{
	const struct wasi_tree_entry *e = &ix->entries[j];
	static const uint8_t type[] = {
		[WASI_NODE_DIR] = WASI_FILETYPE_DIRECTORY,
		[WASI_NODE_FILE] = WASI_FILETYPE_REGULAR_FILE,
		[WASI_NODE_SYMLINK] = WASI_FILETYPE_SYMBOLIC_LINK,
	};
	const char *why = tree_path_problem(e->path), *name;
	struct vfs_node *dir, *n;
	uint32_t *slot;

	if (why)
		return why;
	if (e->kind < WASI_NODE_DIR || e->kind > WASI_NODE_SYMLINK)
		return "unknown node kind";
	if (e->len && !e->data)
		return "contents missing";
	if (e->kind == WASI_NODE_DIR && e->len)
		return "a directory with contents";
	if (e->kind == WASI_NODE_SYMLINK &&
	    (e->len == 0 || vfs_check_string((const char *)e->data, e->len)))
		return "symlink target empty, too long, or not UTF-8 without NULs";
	dir = tree_parent(ix, root, e->path, &name);
	if (!dir)
		return "parent directory missing (parents must come first)";
	slot = tree_slot(ix, e->path, strlen(e->path));
	if (*slot)
		return "duplicate path";
	n = vfs_node_new(fs, type[e->kind]);
	if (!n || (e->len && vfs_write(n, 0, e->data, e->len)) ||
	    vfs_link(dir, name, n)) {
		if (n && !n->nlink)
			vfs_node_unref(n);
		return "out of memory";
	}
	ix->node[j] = n;
	*slot = (uint32_t)j + 1;
	return NULL;
}

/* Add every entry of p under root: 0, or -1 with err said. */
static int tree_load(struct vfs *fs, struct vfs_node *root, size_t i,
		     const struct wasi_preopen *p, char *err, size_t errlen)
{
	struct tree_index ix = { .entries = p->entries };
	uint32_t cap = 16;
	int r = 0;

	if (p->nentries > UINT32_MAX / 4) {
		fail(err, errlen, "preopen %zu: too many entries", i);
		return -1;
	}
	while (cap < 2 * p->nentries)
		cap *= 2;
	ix.mask = cap - 1;
	ix.slot = calloc(cap, sizeof *ix.slot);
	ix.node = calloc(p->nentries ? p->nentries : 1, sizeof *ix.node);
	if (!ix.slot || !ix.node) {
		fail(err, errlen, "out of memory for preopen %zu's tree", i);
		r = -1;
	}
	for (size_t j = 0; !r && j < p->nentries; j++) {
		const struct wasi_tree_entry *e = &p->entries[j];
		const char *why = tree_add(fs, root, &ix, j);

		if (why) {
			fail(err, errlen, "preopen %zu (%.64s): entry %zu \"%.128s\": %s",
			     i, p->guest_path, j,
			     e->path && !tree_path_problem(e->path) ? e->path : "?",
			     why);
			r = -1;
		}
	}
	free(ix.slot);
	free(ix.node);
	return r;
}

static int preopen_load(struct wasi_ctx *ctx, size_t i,
			const struct wasi_preopen *p, char *err, size_t errlen)
{
	size_t nlen;
	struct vfs_node *root;
	uint32_t fd = (uint32_t)(3 + i);

	if (!p->guest_path || !(nlen = strnlen(p->guest_path, VFS_PATH_MAX + 1)) ||
	    nlen > VFS_PATH_MAX) {
		fail(err, errlen, "preopen %zu: guest path empty or too long", i);
		return -1;
	}
	if (p->nentries && !p->entries) {
		fail(err, errlen, "preopen %zu: entries missing", i);
		return -1;
	}
	ctx->preopen_names[i] = malloc(nlen + 1);
	root = vfs_node_new(ctx->fs, WASI_FILETYPE_DIRECTORY);
	if (!ctx->preopen_names[i] || !root) {
		fail(err, errlen, "out of memory for preopen %zu", i);
		return -1;
	}
	memcpy(ctx->preopen_names[i], p->guest_path, nlen + 1);
	root->nlink = 1;                /* a root: named by its preopen */
	ctx->fds[fd] = (struct wasi_fd){ .kind = WASI_FD_DIR, .node = root,
		.rights_base = WASI_RIGHTS_DIR_BASE,
		.rights_inheriting = WASI_RIGHTS_DIR_INHERITING,
		.preopen = ctx->preopen_names[i], .preopen_len = (uint32_t)nlen };
	vfs_node_ref(root);
	return tree_load(ctx->fs, root, i, p, err, errlen);
}

static int fds_init(struct wasi_ctx *ctx, const struct wasi_config *cfg,
		    char *err, size_t errlen)
{
	size_t n = cfg->npreopens;

	if (n && !cfg->preopens) {
		fail(err, errlen, "preopens missing");
		return -1;
	}
	if (n > WASI_MAX_FDS - 3 - WASI_GRANT_MAX) {
		fail(err, errlen, "too many preopens (%zu)", n);
		return -1;
	}
	n += cfg->grants.nlisten;
	ctx->nfds = (uint32_t)(n + 3 < 16 ? 16 : n + 3);
	n = cfg->npreopens;
	ctx->fds = calloc(ctx->nfds, sizeof(*ctx->fds));
	ctx->preopen_names = calloc(n ? n : 1, sizeof(char *));
	ctx->fs = vfs_new();
	if (!ctx->fds || !ctx->preopen_names || !ctx->fs) {
		fail(err, errlen, "out of memory for the fd table");
		return -1;
	}
	ctx->npreopens = n;
	if (fds_init_stdio(ctx->fds, cfg->stdio) < 0) {
		fail(err, errlen, "unknown kind of stdin, stdout or stderr");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (preopen_load(ctx, i, &cfg->preopens[i], err, errlen) < 0)
			return -1;
	if (wasi_disks_attach(ctx, cfg, err, errlen) < 0)
		return -1;
	vfs_seal_budget(ctx->fs);
	return wasi_sock_open_listeners(ctx, &cfg->grants, err, errlen);
}

/* ---- network grants (struct wasi_grants, from an image: hostile) --------- */

static const char *pool_problem(const struct wasi_pool_entry *e)
{
	unsigned bits = e->family == PLAT_AF_INET ? 32 : 128;

	if (e->family != PLAT_AF_INET && e->family != PLAT_AF_INET6)
		return "unknown address family";
	if (e->prefix > bits || e->port_lo > e->port_hi)
		return "prefix or port range out of bounds";
	return NULL;
}

static int grants_copy(struct wasi_ctx *ctx, const struct wasi_grants *g,
		       char *err, size_t errlen)
{
	struct wasi_pool_entry *pool;
	char **names;
	const char *why = NULL;

	if (g->nlisten > WASI_GRANT_MAX || g->npool > WASI_GRANT_MAX ||
	    g->nresolve > WASI_GRANT_MAX ||
	    (g->nlisten && !g->listen) || (g->npool && !g->pool) ||
	    (g->nresolve && !g->resolve)) {
		fail(err, errlen, "network grants missing or more than %d of a kind",
		     WASI_GRANT_MAX);
		return -1;
	}
	for (size_t i = 0; i < g->nlisten && !why; i++)
		if (g->listen[i].family != PLAT_AF_INET && g->listen[i].family != PLAT_AF_INET6)
			why = "--tcplisten: unknown address family";
	for (size_t i = 0; i < g->npool && !why; i++)
		why = pool_problem(&g->pool[i]);
	for (size_t i = 0; i < g->nresolve && !why; i++)
		why = wasi_grant_parse_name(g->resolve[i]);
	if (why) {
		fail(err, errlen, "network grant: %s", why);
		return -1;
	}
	pool = calloc(g->npool + 1, sizeof(*pool));
	names = calloc(g->nresolve + 1, sizeof(*names));
	ctx->grants.pool = pool;
	ctx->grants.resolve = (const char *const *)names;
	if (!pool || !names) {
		fail(err, errlen, "out of memory for the network grants");
		return -1;
	}
	if (g->npool)   /* g->pool may be NULL then: memcpy wants a pointer */
		memcpy(pool, g->pool, g->npool * sizeof(*pool));
	ctx->grants.npool = g->npool;
	for (size_t i = 0; i < g->nresolve; i++) {
		if (!(names[i] = strdup(g->resolve[i]))) {
			fail(err, errlen, "out of memory for the network grants");
			return -1;
		}
		ctx->grants.nresolve = i + 1;
	}
	return 0;
}

struct wasi_ctx *wasi_ctx_create(const struct wasi_config *cfg, char *err,
				 size_t errlen)
{
	struct wasi_ctx *ctx = calloc(1, sizeof(*ctx));

	fail(err, errlen, "out of memory for the WASI context");
	if (!ctx)
		return NULL;
	if (strvec_init(&ctx->args, cfg->argc, cfg->argv) < 0 ||
	    strvec_init(&ctx->env, cfg->envc, cfg->envp) < 0) {
		fail(err, errlen, "arguments or environment invalid or too large");
		wasi_ctx_free(ctx);
		return NULL;
	}
	if (funcs_init(ctx) < 0 || grants_copy(ctx, &cfg->grants, err, errlen) < 0 ||
	    fds_init(ctx, cfg, err, errlen) < 0) {
		wasi_ctx_free(ctx);
		return NULL;
	}
	ctx->start_ns = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	fail(err, errlen, "no error");
	return ctx;
}

struct wasi_ctx *wasi_ctx_new(const struct wasi_config *cfg)
{
	return wasi_ctx_create(cfg, NULL, 0);
}

void wasi_ctx_free(struct wasi_ctx *ctx)
{
	if (!ctx)
		return;
	strvec_free(&ctx->args);
	strvec_free(&ctx->env);
	free(ctx->funcs);
	/* The vfs frees every node, referenced or not; sockets close here. */
	for (uint32_t i = 0; ctx->fds && i < ctx->nfds; i++)
		if (ctx->fds[i].kind == WASI_FD_SOCKET)
			plat_sock_close(ctx->fds[i].sock);
	free(ctx->fds);
	for (size_t i = 0; i < ctx->grants.nresolve; i++)
		free((char *)ctx->grants.resolve[i]);
	free((void *)ctx->grants.resolve);
	free((void *)ctx->grants.pool);
	vfs_free(ctx->fs);
	if (ctx->preopen_names)
		for (size_t i = 0; i < ctx->npreopens; i++)
			free(ctx->preopen_names[i]);
	free(ctx->preopen_names);
	free(ctx);
}

size_t wasi_host_funcs(struct wasi_ctx *ctx, const struct wasm_host_func **out)
{
	*out = ctx->funcs;
	return ctx->nfuncs;
}

/* ---- the fd table -------------------------------------------------------- */

struct wasi_fd *wasi_fd_get(struct wasi_ctx *ctx, uint32_t fd)
{
	if (fd >= ctx->nfds || ctx->fds[fd].kind == WASI_FD_CLOSED)
		return NULL;
	return &ctx->fds[fd];
}

int wasi_fd_lookup(struct wasi_ctx *ctx, uint32_t fd, uint64_t rights,
		   struct wasi_fd **out)
{
	struct wasi_fd *f = wasi_fd_get(ctx, fd);

	*out = f;
	if (!f)
		return WASI_EBADF;
	if ((f->rights_base & rights) != rights)
		return WASI_ENOTCAPABLE;
	return 0;
}

int wasi_fd_alloc(struct wasi_ctx *ctx, uint32_t *fd)
{
	struct wasi_fd *fds;
	uint32_t n;

	for (uint32_t i = 0; i < ctx->nfds; i++) {
		if (ctx->fds[i].kind == WASI_FD_CLOSED) {
			*fd = i;
			return 0;
		}
	}
	if (ctx->nfds >= WASI_MAX_FDS)
		return WASI_EMFILE;
	n = ctx->nfds * 2 < WASI_MAX_FDS ? ctx->nfds * 2 : WASI_MAX_FDS;
	fds = realloc(ctx->fds, n * sizeof(*fds));
	if (!fds)
		return WASI_ENOMEM;
	memset(fds + ctx->nfds, 0, (n - ctx->nfds) * sizeof(*fds));
	*fd = ctx->nfds;
	ctx->fds = fds;
	ctx->nfds = n;
	return 0;
}

void wasi_fd_release(struct wasi_fd *f)
{
	if (f->node)
		vfs_node_unref(f->node);
	if (f->kind == WASI_FD_SOCKET)
		plat_sock_close(f->sock);
	memset(f, 0, sizeof(*f));
}

uint64_t wasi_fd_nbytes(const struct wasi_fd *f)
{
	if (f->kind != WASI_FD_FILE || f->offset >= f->node->size)
		return 0;
	return f->node->size - f->offset;
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
