/*
 * wasi_fd.c — the fd functions of wasi_snapshot_preview1 on the instance's
 * fd table (wasi_impl.h).  For now the table holds the console only:
 *   fd 0  stdin   character device, always at end of file
 *   fd 1  stdout  character device -> plat_console_write(1)
 *   fd 2  stderr  character device -> plat_console_write(2)
 * There are no preopened directories yet, so fd_prestat_get answers EBADF
 * for every fd (which ends wasi-libc's preopen scan at fd 3).
 */
#include "plat.h"
#include "wasi_impl.h"

/* Check an iovec array and every buffer it names, before any I/O, so a bad
 * pointer fails the whole call with EFAULT.  Total length in *total. */
static int iovs_check(wasm_instance *inst, uint32_t iovs_ptr, uint32_t n,
		      uint64_t *total)
{
	uint8_t *iovs = wasi_mem(inst, iovs_ptr, (uint64_t)n * 8);

	*total = 0;
	if (!iovs)
		return WASI_EFAULT;
	for (uint32_t i = 0; i < n; i++) {
		struct wasi_ciovec v;

		memcpy(&v, iovs + 8 * (uint64_t)i, sizeof(v));
		if (!wasi_mem(inst, v.buf, v.buf_len))
			return WASI_EFAULT;
		*total += v.buf_len;
	}
	/* The byte count goes back as a u32 `size`. */
	return *total > UINT32_MAX ? WASI_EINVAL : 0;
}

static int fd_write(wasm_instance *inst, struct wasi_ctx *ctx, uint32_t fd,
		    uint32_t iovs_ptr, uint32_t n, uint32_t nwritten_ptr)
{
	struct wasi_fd *f = wasi_fd_get(ctx, fd);
	uint64_t total;
	int err;

	if (!f || !(f->rights_base & WASI_RIGHT_FD_WRITE))
		return WASI_EBADF;
	if (!wasi_mem(inst, nwritten_ptr, 4))
		return WASI_EFAULT;
	err = iovs_check(inst, iovs_ptr, n, &total);
	if (err)
		return err;
	for (uint32_t i = 0; i < n; i++) {
		struct wasi_ciovec v;

		memcpy(&v, wasi_mem(inst, iovs_ptr + 8 * (uint64_t)i, 8), 8);
		if (v.buf_len)
			plat_console_write(f->console, wasi_mem(inst, v.buf, v.buf_len),
					   v.buf_len);
	}
	return wasi_store_u32(inst, nwritten_ptr, (uint32_t)total);
}

WASI_HOST_FN(fd_write)
{
	return wasi_ret(results, fd_write(inst, env, ARG32(0), ARG32(1),
					  ARG32(2), ARG32(3)));
}

static int fd_read(wasm_instance *inst, struct wasi_ctx *ctx, uint32_t fd,
		   uint32_t iovs_ptr, uint32_t n, uint32_t nread_ptr)
{
	struct wasi_fd *f = wasi_fd_get(ctx, fd);
	uint64_t total;
	int err;

	if (!f || !(f->rights_base & WASI_RIGHT_FD_READ))
		return WASI_EBADF;
	if (!wasi_mem(inst, nread_ptr, 4))
		return WASI_EFAULT;
	err = iovs_check(inst, iovs_ptr, n, &total);
	if (err)
		return err;
	/* The console has no input yet: end of file. */
	return wasi_store_u32(inst, nread_ptr, 0);
}

WASI_HOST_FN(fd_read)
{
	return wasi_ret(results, fd_read(inst, env, ARG32(0), ARG32(1),
					 ARG32(2), ARG32(3)));
}

static uint8_t fd_filetype(const struct wasi_fd *f)
{
	switch (f->kind) {
	case WASI_FD_CONSOLE_IN:
	case WASI_FD_CONSOLE_OUT:
		return WASI_FILETYPE_CHARACTER_DEVICE;
	default:
		return WASI_FILETYPE_UNKNOWN;
	}
}

WASI_HOST_FN(fd_fdstat_get)
{
	struct wasi_fd *f = wasi_fd_get(env, ARG32(0));
	uint8_t *p = wasi_mem(inst, ARG32(1), sizeof(struct wasi_fdstat));
	struct wasi_fdstat st;

	if (!f)
		return wasi_ret(results, WASI_EBADF);
	if (!p)
		return wasi_ret(results, WASI_EFAULT);
	memset(&st, 0, sizeof(st));
	st.fs_filetype = fd_filetype(f);
	st.fs_flags = f->fdflags;
	st.fs_rights_base = f->rights_base;
	st.fs_rights_inheriting = f->rights_inheriting;
	memcpy(p, &st, sizeof(st));
	return wasi_ret(results, 0);
}

WASI_HOST_FN(fd_filestat_get)
{
	struct wasi_fd *f = wasi_fd_get(env, ARG32(0));
	uint8_t *p = wasi_mem(inst, ARG32(1), sizeof(struct wasi_filestat));
	struct wasi_filestat st;

	if (!f)
		return wasi_ret(results, WASI_EBADF);
	if (!(f->rights_base & WASI_RIGHT_FD_FILESTAT_GET))
		return wasi_ret(results, WASI_ENOTCAPABLE);
	if (!p)
		return wasi_ret(results, WASI_EFAULT);
	memset(&st, 0, sizeof(st));
	st.filetype = fd_filetype(f);
	st.nlink = 1;
	memcpy(p, &st, sizeof(st));
	return wasi_ret(results, 0);
}

WASI_HOST_FN(fd_close)
{
	struct wasi_fd *f = wasi_fd_get(env, ARG32(0));

	if (!f)
		return wasi_ret(results, WASI_EBADF);
	memset(f, 0, sizeof(*f));
	return wasi_ret(results, 0);
}

/* The console is not seekable: ESPIPE, as for a pipe or a tty. */
static int fd_seekable(struct wasi_ctx *ctx, uint32_t fd)
{
	struct wasi_fd *f = wasi_fd_get(ctx, fd);

	if (!f)
		return WASI_EBADF;
	return WASI_ESPIPE;
}

WASI_HOST_FN(fd_seek)
{
	/* (fd, offset: filedelta i64, whence: u8, newoffset_ptr) */
	if (ARG32(2) > WASI_WHENCE_END && wasi_fd_get(env, ARG32(0)))
		return wasi_ret(results, WASI_EINVAL);
	return wasi_ret(results, fd_seekable(env, ARG32(0)));
}

WASI_HOST_FN(fd_tell)
{
	return wasi_ret(results, fd_seekable(env, ARG32(0)));
}

WASI_HOST_FN(fd_prestat_get)
{
	return wasi_ret(results, WASI_EBADF);
}

WASI_HOST_FN(fd_prestat_dir_name)
{
	return wasi_ret(results, WASI_EBADF);
}
