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

#include "vfs.h"

struct plat_sock;
struct plat_addr;

/* The fd table grows on demand up to this many entries (EMFILE after). */
#define WASI_MAX_FDS 4096

enum wasi_fd_kind {
	WASI_FD_CLOSED = 0,
	WASI_FD_CONSOLE_IN,     /* stdin: wasi_console_readv */
	WASI_FD_CONSOLE_OUT,    /* stdout/stderr: plat_console_write(console) */
	WASI_FD_FILE,           /* a regular file of the vfs: node, offset */
	WASI_FD_DIR,            /* a directory of the vfs: node (preopen: name) */
	WASI_FD_SOCKET,         /* a socket of the platform: sock (wasi_sock.c) */
};

/* wasi_fd.sock_state bits */
#define WASI_SOCK_BOUND         1u      /* bound (by bind, or a listener) */
#define WASI_SOCK_LISTENING     2u

/* One open fd.  Readiness for poll_oneoff: console kinds and sockets ask
 * the platform; WASI_FD_FILE is always ready (witx: "always triggers for
 * regular files"), wasi_fd_nbytes() bytes readable; WASI_FD_DIR is not
 * readable or writable (EBADF-style through the rights: no FD_READ). */
struct wasi_fd {
	enum wasi_fd_kind kind;
	int console;            /* plat_console_write fd (1 or 2) */
	uint8_t console_type;   /* CONSOLE_*: the WASI filetype the guest
				   sees (wasi_config.stdio) */
	uint16_t fdflags;
	uint64_t rights_base, rights_inheriting;
	struct vfs_node *node;  /* FILE, DIR: holds a reference */
	uint64_t offset;        /* FILE: the position */
	const char *preopen;    /* DIR opened by the embedder: guest name
				   (owned by the ctx), else NULL */
	uint32_t preopen_len;
	struct plat_sock *sock; /* SOCKET: owned, closed with the fd */
	uint8_t sock_family;    /* SOCKET: PLAT_AF_INET / PLAT_AF_INET6 */
	uint8_t sock_type;      /* SOCKET: PLAT_SOCK_STREAM / PLAT_SOCK_DGRAM */
	uint8_t sock_state;     /* SOCKET: WASI_SOCK_* */
	uint64_t rcvtimeo_ns;   /* SOCKET: SO_RCVTIMEO / SO_SNDTIMEO of the */
	uint64_t sndtimeo_ns;   /*   extension (0: none), blocking calls only */
};

/* Rights that make sense on each kind (path_open masks with these), as
 * wasmtime/wasi-common grant them: a directory gets the path_* rights and
 * metadata, a file the fd_* I/O rights. */
#define WASI_RIGHTS_DIR_BASE (WASI_RIGHT_PATH_CREATE_DIRECTORY | \
	WASI_RIGHT_PATH_CREATE_FILE | WASI_RIGHT_PATH_LINK_SOURCE | \
	WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_OPEN | \
	WASI_RIGHT_FD_READDIR | WASI_RIGHT_PATH_READLINK | \
	WASI_RIGHT_PATH_RENAME_SOURCE | WASI_RIGHT_PATH_RENAME_TARGET | \
	WASI_RIGHT_PATH_SYMLINK | WASI_RIGHT_PATH_REMOVE_DIRECTORY | \
	WASI_RIGHT_PATH_UNLINK_FILE | WASI_RIGHT_PATH_FILESTAT_GET | \
	WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WASI_RIGHT_PATH_FILESTAT_SET_TIMES | \
	WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_TIMES | \
	WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | \
	WASI_RIGHT_FD_DATASYNC)
#define WASI_RIGHTS_FILE (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | \
	WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | \
	WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL | WASI_RIGHT_FD_WRITE | \
	WASI_RIGHT_FD_ADVISE | WASI_RIGHT_FD_ALLOCATE | \
	WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_SIZE | \
	WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_DIR_INHERITING (WASI_RIGHTS_DIR_BASE | WASI_RIGHTS_FILE)

/* Sockets, as wasmtime's wasi-common granted them before it dropped rights
 * (listener: read, poll, fdstat_set_flags, filestat_get; a connection
 * also write), plus the socket rights of the witx: sock_shutdown on
 * every socket, sock_accept on listeners and on sockets from sock_open
 * (they may become listeners). */
#define WASI_RIGHTS_SOCK_CONN (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | \
	WASI_RIGHT_POLL_FD_READWRITE | WASI_RIGHT_SOCK_SHUTDOWN | \
	WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_FILESTAT_GET)
#define WASI_RIGHTS_SOCK_LISTEN (WASI_RIGHT_FD_READ | \
	WASI_RIGHT_POLL_FD_READWRITE | WASI_RIGHT_SOCK_SHUTDOWN | \
	WASI_RIGHT_SOCK_ACCEPT | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | \
	WASI_RIGHT_FD_FILESTAT_GET)
#define WASI_RIGHTS_SOCK_OPEN (WASI_RIGHTS_SOCK_CONN | WASI_RIGHT_SOCK_ACCEPT)

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
	struct wasi_fd *fds;            /* nfds entries, WASI_FD_CLOSED = free */
	uint32_t nfds;
	struct vfs *fs;                 /* the preopens' file system */
	char **preopen_names;           /* npreopens guest names */
	size_t npreopens;
	uint64_t start_ns;              /* monotonic, for the CPU-time clocks */
	struct wasi_grants grants;      /* the network grants, copied: pool
					   and resolve owned by the ctx */
	struct wasm_host_func *funcs;   /* the table with env = this ctx */
	size_t nfuncs;
};

/* Block devices as files (wasi_disk.c): nodes with n->disk.  I/O: 0 or
 * a WASI errno, *done the bytes moved (reads stop at the end; a write at
 * or past it is ENOSPC). */
int wasi_disk_read(struct vfs_node *n, uint64_t off, void *buf, size_t len,
		   size_t *done);
int wasi_disk_write(struct vfs_node *n, uint64_t off, const void *buf, size_t len,
		    size_t *done);
int wasi_disk_sync(struct vfs_node *n);
/* path_open of n asking for `rights`: EROFS for a write right on a
 * read-only disk, else 0. */
int wasi_disk_open_check(const struct vfs_node *n, uint64_t rights);
/* Link cfg's disks into their preopens (after those are loaded).  0, or
 * -1 with err said. */
int wasi_disks_attach(struct wasi_ctx *ctx, const struct wasi_config *cfg,
		      char *err, size_t errlen);

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
/* The fd's entry if it is open (else EBADF) and holds all of `rights`
 * (else ENOTCAPABLE): 0 or the errno. */
int wasi_fd_lookup(struct wasi_ctx *ctx, uint32_t fd, uint64_t rights,
		   struct wasi_fd **out);
/* The lowest closed fd number (the table grows): 0 or EMFILE/ENOMEM.
 * The entry stays CLOSED until the caller fills it in; entries may move
 * (re-fetch pointers after calling this). */
int wasi_fd_alloc(struct wasi_ctx *ctx, uint32_t *fd);
/* Close an entry: drop its node reference, mark it CLOSED. */
void wasi_fd_release(struct wasi_fd *f);
/* Bytes readable at once (regular files: size - offset, 0 at the end). */
uint64_t wasi_fd_nbytes(const struct wasi_fd *f);

/* Guest path [ptr, ptr+len) resolved from directory fd `fd`, which must
 * hold `rights`: 0 or an errno (EBADF, ENOTCAPABLE, ENOTDIR, EFAULT, and
 * vfs_resolve's). */
int wasi_path_resolve(wasm_instance *inst, struct wasi_ctx *ctx, uint32_t fd,
		      uint64_t rights, uint32_t ptr, uint32_t len, bool follow,
		      struct vfs_walk *w);

/* ---- sockets (wasi_sock.c, wasi_sock_ext.c, wasi_errno.c) ------------ */

/* A writer waiting for room on a socket whose peer has closed: plat_wait
 * returns at once for it (HUP always wakes, plat.h) while the send
 * buffer drains, so such a wait goes in steps of this much. */

/* A platform error (-errno of its errno.h) as a WASI errno; 0 stays 0. */
int wasi_errno_from_plat(long err);
/* "AGAIN", "NOTCAPABLE", ... for log lines. */
const char *wasi_errno_name(int wasi_errno);
/* The fd's entry if it is a socket (EBADF, ENOTSOCK) with `rights`
 * (ENOTCAPABLE): 0 or the errno. */
int wasi_sock_lookup(struct wasi_ctx *ctx, uint32_t fd, uint64_t rights,
		     struct wasi_fd **out);
/* A new fd for socket s (which it owns from now on, closing it on
 * failure): 0 with *fd, or EMFILE/ENOMEM. */
int wasi_sock_install(struct wasi_ctx *ctx, struct plat_sock *s, int family,
		      int type, uint64_t rights, uint16_t fdflags, uint8_t state,
		      uint32_t *fd);
/* fd_read / sock_recv on a socket into the guest's iovecs (checked here):
 * blocks unless the fd is NONBLOCK (then EAGAIN); riflags PEEK, WAITALL;
 * from (if not NULL) gets the sender.  0 with *n and *roflags, or errno. */
int wasi_sock_recv_iovs(wasm_instance *inst, struct wasi_fd *f, uint32_t iovs_ptr,
			uint32_t niovs, uint32_t riflags, uint32_t *n,
			uint16_t *roflags, struct plat_addr *from);
/* fd_write / sock_send / sock_send_to: a stream sends everything unless
 * NONBLOCK (then what fits, or EAGAIN); a datagram goes whole to `to`
 * (NULL: the connected peer).  0 with *n, or errno. */
int wasi_sock_send_iovs(wasm_instance *inst, struct wasi_fd *f, uint32_t iovs_ptr,
			uint32_t niovs, const struct plat_addr *to, uint32_t *n);
/* Wait (unless NONBLOCK) for a pending connection: 0 with the new
 * socket, or errno. */
int wasi_sock_accept_wait(struct wasi_fd *f, struct plat_sock **out,
			  struct plat_addr *peer);
/* Log a refusal (plat_log): what was asked and why it was refused. */
void wasi_sock_refuse(const char *what, const struct plat_addr *a,
		      const char *why);
/* The --tcplisten listeners as fds after the preopens (wasi_ctx.c): 0 or
 * -1 with err filled. */
int wasi_sock_open_listeners(struct wasi_ctx *ctx, const struct wasi_grants *g,
			     char *err, size_t errlen);

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
WASI_HOST_FN(fd_advise);
WASI_HOST_FN(fd_allocate);
WASI_HOST_FN(fd_datasync);
WASI_HOST_FN(fd_sync);
WASI_HOST_FN(fd_fdstat_set_flags);
WASI_HOST_FN(fd_fdstat_set_rights);
WASI_HOST_FN(fd_filestat_set_size);
WASI_HOST_FN(fd_filestat_set_times);
WASI_HOST_FN(fd_pread);
WASI_HOST_FN(fd_pwrite);
WASI_HOST_FN(fd_readdir);
WASI_HOST_FN(fd_renumber);
WASI_HOST_FN(path_create_directory);
WASI_HOST_FN(path_filestat_get);
WASI_HOST_FN(path_filestat_set_times);
WASI_HOST_FN(path_link);
WASI_HOST_FN(path_open);
WASI_HOST_FN(path_readlink);
WASI_HOST_FN(path_remove_directory);
WASI_HOST_FN(path_rename);
WASI_HOST_FN(path_symlink);
WASI_HOST_FN(path_unlink_file);

/* Shared by fd_filestat_* and path_filestat_* (wasi_fd.c). */
void wasi_filestat_put(uint8_t *p, const struct vfs_node *n);
int wasi_set_times(struct vfs_node *n, uint64_t atim, uint64_t mtim,
		   uint32_t fstflags);
WASI_HOST_FN(proc_exit);
WASI_HOST_FN(sched_yield);
WASI_HOST_FN(clock_time_get);
WASI_HOST_FN(clock_res_get);
WASI_HOST_FN(random_get);
WASI_HOST_FN(poll_oneoff);
WASI_HOST_FN(proc_raise);
WASI_HOST_FN(sock_accept);
WASI_HOST_FN(sock_recv);
WASI_HOST_FN(sock_send);
WASI_HOST_FN(sock_shutdown);
/* WasmEdge's socket extension (wasi_sock_ext.c, _opt.c, _dns.c) */
WASI_HOST_FN(sock_open);
WASI_HOST_FN(sock_bind_v1);
WASI_HOST_FN(sock_bind_v2);
WASI_HOST_FN(sock_listen);
WASI_HOST_FN(sock_accept_v1);
WASI_HOST_FN(sock_connect_v1);
WASI_HOST_FN(sock_connect_v2);
WASI_HOST_FN(sock_recv_from_v1);
WASI_HOST_FN(sock_recv_from_v2);
WASI_HOST_FN(sock_send_to_v1);
WASI_HOST_FN(sock_send_to_v2);
WASI_HOST_FN(sock_getlocaladdr_v1);
WASI_HOST_FN(sock_getlocaladdr_v2);
WASI_HOST_FN(sock_getpeeraddr_v1);
WASI_HOST_FN(sock_getpeeraddr_v2);
WASI_HOST_FN(sock_getsockopt);
WASI_HOST_FN(sock_setsockopt);
WASI_HOST_FN(sock_getaddrinfo);
WASI_HOST_FN(nosys);

/* Current time of a WASI clock id: 0 or WASI_EINVAL. */
int wasi_clock_now(struct wasi_ctx *ctx, uint32_t id, uint64_t *ns);

/* fd_read on the console's input (stdin, plat_console_read) into the
 * iovec array at iovs_ptr, which the caller has checked whole: waits for
 * the first byte unless nonblock (then WASI_EAGAIN if there is none),
 * fills the rest with what is already there.  0 with *nread (0 = end of
 * input), or an errno. */
int wasi_console_readv(wasm_instance *inst, uint32_t iovs_ptr, uint32_t niovs,
		       bool nonblock, uint32_t *nread);

#endif
