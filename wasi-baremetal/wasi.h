/*
 * wasi.h — wasi_snapshot_preview1 on the platform seam (plat.h), for both
 * the kernel and the hosted platform.  An instance's WASI state (args, env,
 * later its fd table with rights) lives in a struct wasi_ctx that the
 * embedder creates from a manifest-like config, network grants included
 * (wasi_grant.h).
 */
#ifndef WASI_H
#define WASI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "wasm.h"
#include "wasi_grant.h"

/* One node of a preopened directory tree, as the manifest carries it (the
 * embedder reads it from the boot bundle, or from a host directory when
 * hosted).  The WASI layer copies everything into its in-memory file system
 * (writable in RAM; nothing is written back). */
enum wasi_node_kind {
	WASI_NODE_DIR = 1,
	WASI_NODE_FILE = 2,
	WASI_NODE_SYMLINK = 3,
};

struct wasi_tree_entry {
	const char *path;       /* relative to the preopen root, '/'-separated,
				   no empty, "." or ".." components; a parent
				   comes before its children */
	uint8_t kind;           /* enum wasi_node_kind */
	const uint8_t *data;    /* file contents or symlink target */
	size_t len;
};

struct wasi_preopen {
	const char *guest_path; /* the name the guest sees, e.g. "/data" or "." */
	size_t nentries;
	const struct wasi_tree_entry *entries;
};

/* A block device granted as a file (the manifest's `disk`/`disk-ro`
 * lines; the kernel's virtio-blk driver): the file `name` in the root of
 * preopen number `preopen`, a regular file of `size` bytes that cannot
 * change size, whose reads and writes go to the device (wasi_disk.c).
 * read_only: opening it for writing is EROFS. */
struct wasi_disk {
	size_t preopen;                 /* index into wasi_config.preopens */
	const char *name;               /* one path component */
	bool read_only;
	uint64_t size;                  /* bytes */
	void *dev;
	/* len bytes at off (inside size): 0 or a negative errno */
	int (*read)(void *dev, uint64_t off, void *buf, size_t len);
	int (*write)(void *dev, uint64_t off, const void *buf, size_t len);
	int (*sync)(void *dev);
};

/* What the embedder's stdin, stdout and stderr are (wasi_config.stdio),
 * so that fd_fdstat_get and fd_filestat_get tell the guest the truth and
 * wasi-libc's isatty() is true only on a terminal, as with Wasmtime and
 * uvwasi (node):
 *   TERMINAL  CHARACTER_DEVICE, no seek/tell rights: isatty() is true
 *   FILE      REGULAR_FILE: a redirection to or from a file
 *   OTHER     UNKNOWN: a pipe, a socket, /dev/null, nothing open (as
 *             Wasmtime reports every stream that is not a terminal;
 *             preview 1 has no type for a pipe)
 * Every kind has the same rights: fd_read (0) or fd_write (1, 2), poll,
 * fd_filestat_get, fd_fdstat_set_flags; never seek or tell, since the
 * runtime streams them (through a serial port under QEMU).  The default
 * (zero) is TERMINAL: an image booted on its own has a serial console. */
enum wasi_stdio_kind {
	WASI_STDIO_TERMINAL = 0,
	WASI_STDIO_FILE = 1,
	WASI_STDIO_OTHER = 2,
};

struct wasi_config {
	int argc;
	const char *const *argv;        /* argv[0] is the program name */
	int envc;
	const char *const *envp;        /* "NAME=VALUE" */
	size_t npreopens;               /* fds 3, 4, ... in this order */
	const struct wasi_preopen *preopens;
	struct wasi_grants grants;      /* network: none by default; the
					   --tcplisten listeners are opened
					   by wasi_ctx_create, as fds after
					   the preopens */
	uint8_t stdio[3];               /* enum wasi_stdio_kind of fds 0-2 */
	size_t ndisks;                  /* block devices as files */
	const struct wasi_disk *disks;  /* must outlive the ctx */
};

struct wasi_ctx;

struct wasi_ctx *wasi_ctx_new(const struct wasi_config *cfg);
/* The same, saying in err (errlen bytes, NUL-terminated) why it failed:
 * out of memory, or a preopened tree that breaks the rules above. */
struct wasi_ctx *wasi_ctx_create(const struct wasi_config *cfg, char *err,
				 size_t errlen);
void wasi_ctx_free(struct wasi_ctx *ctx);

/* The host functions of wasi_snapshot_preview1 bound to ctx (env = ctx).
 * Returns the count; *out stays valid while ctx lives. */
size_t wasi_host_funcs(struct wasi_ctx *ctx, const struct wasm_host_func **out);

/* Exit statuses of wasi_run_module besides the module's own proc_exit code,
 * which is passed through only from 0 to WASI_EXIT_MAX (as Wasmtime: "exit
 * with invalid exit status outside of [0..126)"), so that 134 and above
 * never come from the guest and no status reads as another mod 256. */
#define WASI_EXIT_MAX           125
#define WASI_STATUS_TRAP        134     /* the module trapped (as wasmtime) */
#define WASI_STATUS_LOAD_ERROR  125     /* invalid module, link error, or
					 * failed to instantiate */
#define WASI_STATUS_BAD_EXIT    1       /* proc_exit outside 0..WASI_EXIT_MAX
					 * (as Wasmtime, whose CLI reports
					 * that error with status 1) */

/* Load, instantiate and run `_start` of a WASI command.  Traps, load
 * errors and bad exit statuses are reported on the console's stderr
 * (fd 2) with their context, each report a line starting "wasm trap: " or
 * "wasmetal: ".  Returns the exit status: the proc_exit code (0..125), 0
 * when _start returns, or one of the WASI_STATUS_* above. */
int wasi_run_module(const uint8_t *wasm, size_t len, const struct wasi_config *cfg);
/* The same for an artifact (jit/artifact.h, docs/artifact.md) from
 * `wasmetal compile`: verified and loaded instead of compiled; a refused
 * artifact is reported ("wasmetal: invalid artifact: ...") with status
 * WASI_STATUS_LOAD_ERROR. */
int wasi_run_artifact(const uint8_t *wmo, size_t len, const struct wasi_config *cfg);
/* The same for an artifact whose bytes were already tied to a passing
 * jit_artifact_check (jit_artifact_load_checked: no SHA-256 passes); the
 * kernel, for a bundle's artifact whose module-crc32c matched. */
int wasi_run_artifact_checked(const uint8_t *wmo, size_t len,
			      const struct wasi_config *cfg);

#endif
