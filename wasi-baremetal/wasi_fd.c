/*
 * wasi_fd.c — the fd_* functions of wasi_snapshot_preview1 (witx
 * "wasi_snapshot_preview1.witx", fd_advise .. fd_write) on the instance's
 * fd table (wasi_impl.h):
 *   fd 0      stdin   wasi_console_readv
 *   fd 1, 2   stdout/stderr -> plat_console_write
 *             (each a terminal, a file or another stream, as the
 *             embedder says: wasi.h enum wasi_stdio_kind)
 *   fd 3..    preopened directories, the --tcplisten listeners, then
 *             what path_open, sock_accept and sock_open return:
 *             directories and regular files of the vfs (vfs.h), sockets
 *             (fd_read/fd_write go to wasi_sock.c)
 *
 * Order of checks in every call: the fd (EBADF), what the fd is (EISDIR,
 * ESPIPE, ...), its rights (ENOTCAPABLE), the arguments (EINVAL), then
 * every guest pointer (EFAULT) before anything changes.  Offsets are u64
 * in the ABI and signed in POSIX: anything above INT64_MAX is EINVAL, and
 * every sum is checked for overflow.
 */
#include "plat.h"
#include "wasi_impl.h"

#define OFF_MAX ((uint64_t)INT64_MAX)

/* Check an iovec array and every buffer it names, before any I/O, so a bad
 * pointer fails the whole call with EFAULT.  Total length in *total.  The
 * array itself must lie in memory, so a huge count is EFAULT, never an
 * allocation. */
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

static struct wasi_ciovec iov_get(wasm_instance *inst, uint32_t iovs_ptr, uint32_t i)
{
	struct wasi_ciovec v;

	memcpy(&v, wasi_mem(inst, iovs_ptr + 8 * (uint64_t)i, 8), 8);
	return v;
}

/* Write the (checked) iovecs to node n at off; the count written in
 * *done (short only when the file system is full). */
static int file_writev(wasm_instance *inst, struct vfs_node *n, uint64_t off,
		       uint32_t iovs_ptr, uint32_t niovs, uint64_t total,
		       uint64_t *done)
{
	*done = 0;
	if (off > OFF_MAX || total > OFF_MAX - off)
		return WASI_EFBIG;
	for (uint32_t i = 0; i < niovs; i++) {
		struct wasi_ciovec v = iov_get(inst, iovs_ptr, i);
		uint8_t *p = wasi_mem(inst, v.buf, v.buf_len);
		int err;

		if (!p)
			break;  /* (iovs_check passed: cannot happen on a write) */
		if (!v.buf_len)
			continue;
		if (n->disk) {          /* short at the device's end */
			size_t got;

			err = wasi_disk_write(n, off + *done, p, v.buf_len, &got);
			*done += got;
			if (err || got < v.buf_len)
				return *done ? 0 : err;
			continue;
		}
		err = vfs_write(n, off + *done, p, v.buf_len);
		if (err)
			return *done ? 0 : err;
		*done += v.buf_len;
	}
	return 0;
}

/* The bytes read; a disk's error in *err (0 else), reported only when
 * nothing was read. */
static uint64_t file_readv(wasm_instance *inst, struct vfs_node *n, uint64_t off,
			   uint32_t iovs_ptr, uint32_t niovs, int *err)
{
	uint64_t done = 0;

	*err = 0;
	for (uint32_t i = 0; i < niovs; i++) {
		struct wasi_ciovec v = iov_get(inst, iovs_ptr, i);
		uint8_t *p = wasi_mem(inst, v.buf, v.buf_len);
		size_t got;

		/* The data just read may have overwritten the iovec array
		 * itself: each entry is checked again as it is used. */
		if (!p)
			break;
		if (!v.buf_len)
			continue;
		if (n->disk)
			*err = wasi_disk_read(n, off + done, p, v.buf_len, &got);
		else
			got = vfs_read(n, off + done, p, v.buf_len);
		done += got;
		if (*err)
			break;
		if (got < v.buf_len)
			break;
	}
	return done;
}

/* The common part of fd_read/fd_write/fd_pread/fd_pwrite: the fd with
 * its rights, the result pointer, the iovecs. */
static int io_begin(wasm_instance *inst, struct wasi_ctx *ctx, uint32_t fd,
		    uint64_t rights, bool positioned, uint32_t iovs_ptr,
		    uint32_t n, uint32_t res_ptr, struct wasi_fd **f,
		    uint64_t *total)
{
	int err = wasi_fd_lookup(ctx, fd, 0, f);

	if (err)
		return err;
	if ((*f)->kind == WASI_FD_DIR)
		return WASI_EISDIR;
	if (positioned && (*f)->kind != WASI_FD_FILE)
		return WASI_ESPIPE;
	if (((*f)->rights_base & rights) != rights) {
		/* stdio: as POSIX for an fd opened without that mode */
		return (*f)->kind == WASI_FD_FILE || (*f)->kind == WASI_FD_SOCKET ?
		       WASI_ENOTCAPABLE : WASI_EBADF;
	}
	if (!wasi_mem(inst, res_ptr, 4))
		return WASI_EFAULT;
	return iovs_check(inst, iovs_ptr, n, total);
}

static int fd_write(wasm_instance *inst, struct wasi_ctx *ctx, uint32_t fd,
		    uint32_t iovs_ptr, uint32_t n, uint32_t nwritten_ptr)
{
	struct wasi_fd *f;
	uint64_t total, done = 0, off;
	int err;

	err = io_begin(inst, ctx, fd, WASI_RIGHT_FD_WRITE, false, iovs_ptr, n,
		       nwritten_ptr, &f, &total);
	if (err)
		return err;
	if (f->kind == WASI_FD_CONSOLE_OUT) {
		for (uint32_t i = 0; i < n; i++) {
			struct wasi_ciovec v = iov_get(inst, iovs_ptr, i);
			uint8_t *p = wasi_mem(inst, v.buf, v.buf_len);

			if (p && v.buf_len)
				plat_console_write(f->console, p, v.buf_len);
		}
		return wasi_store_u32(inst, nwritten_ptr, (uint32_t)total);
	}
	if (f->kind == WASI_FD_SOCKET) {
		uint32_t sent;

		err = wasi_sock_send_iovs(inst, f, iovs_ptr, n, NULL, &sent);
		return err ? err : wasi_store_u32(inst, nwritten_ptr, sent);
	}
	if (f->kind != WASI_FD_FILE)
		return WASI_EBADF;
	off = f->fdflags & WASI_FDFLAG_APPEND ? f->node->size : f->offset;
	err = file_writev(inst, f->node, off, iovs_ptr, n, total, &done);
	if (err)
		return err;
	f->offset = off + done;
	return wasi_store_u32(inst, nwritten_ptr, (uint32_t)done);
}

WASI_HOST_FN(fd_write)
{
	return wasi_ret(results, fd_write(inst, env, ARG32(0), ARG32(1),
					  ARG32(2), ARG32(3)));
}

static int fd_read(wasm_instance *inst, struct wasi_ctx *ctx, uint32_t fd,
		   uint32_t iovs_ptr, uint32_t n, uint32_t nread_ptr)
{
	struct wasi_fd *f;
	uint64_t total, done;
	int err;

	err = io_begin(inst, ctx, fd, WASI_RIGHT_FD_READ, false, iovs_ptr, n,
		       nread_ptr, &f, &total);
	if (err)
		return err;
	if (f->kind == WASI_FD_CONSOLE_IN) {
		uint32_t nread;

		err = wasi_console_readv(inst, iovs_ptr, n,
					 f->fdflags & WASI_FDFLAG_NONBLOCK, &nread);
		return err ? err : wasi_store_u32(inst, nread_ptr, nread);
	}
	if (f->kind == WASI_FD_SOCKET) {
		uint32_t got;
		uint16_t roflags;

		err = wasi_sock_recv_iovs(inst, f, iovs_ptr, n, 0, &got, &roflags, NULL);
		return err ? err : wasi_store_u32(inst, nread_ptr, got);
	}
	if (f->kind != WASI_FD_FILE)
		return WASI_EBADF;
	done = file_readv(inst, f->node, f->offset, iovs_ptr, n, &err);
	f->offset += done;
	if (err && !done)
		return err;
	return wasi_store_u32(inst, nread_ptr, (uint32_t)done);
}

WASI_HOST_FN(fd_read)
{
	return wasi_ret(results, fd_read(inst, env, ARG32(0), ARG32(1),
					 ARG32(2), ARG32(3)));
}

WASI_HOST_FN(fd_pread)
{
	/* (fd, iovs, iovs_len, offset: filesize, nread_ptr) */
	uint64_t off = ARG64(3), total, done;
	struct wasi_fd *f;
	int err;

	err = io_begin(inst, env, ARG32(0), WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK,
		       true, ARG32(1), ARG32(2), ARG32(4), &f, &total);
	if (!err && off > OFF_MAX)
		err = WASI_EINVAL;
	if (err)
		return wasi_ret(results, err);
	done = file_readv(inst, f->node, off, ARG32(1), ARG32(2), &err);
	if (err && !done)
		return wasi_ret(results, err);
	return wasi_ret(results, wasi_store_u32(inst, ARG32(4), (uint32_t)done));
}

WASI_HOST_FN(fd_pwrite)
{
	/* (fd, iovs, iovs_len, offset: filesize, nwritten_ptr); the fd's
	 * position does not move, and the write goes at offset even with
	 * APPEND (POSIX; Linux appends, the WASI testsuite accepts both). */
	uint64_t off = ARG64(3), total, done;
	struct wasi_fd *f;
	int err;

	err = io_begin(inst, env, ARG32(0), WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_SEEK,
		       true, ARG32(1), ARG32(2), ARG32(4), &f, &total);
	if (!err && off > OFF_MAX)
		err = WASI_EINVAL;
	if (!err)
		err = file_writev(inst, f->node, off, ARG32(1), ARG32(2), total, &done);
	if (err)
		return wasi_ret(results, err);
	return wasi_ret(results, wasi_store_u32(inst, ARG32(4), (uint32_t)done));
}

/* ---- metadata ----------------------------------------------------------- */

static uint8_t fd_filetype(const struct wasi_fd *f)
{
	switch (f->kind) {
	case WASI_FD_CONSOLE_IN:
	case WASI_FD_CONSOLE_OUT:
		return f->console_type;
	case WASI_FD_FILE:
	case WASI_FD_DIR:
		return f->node->type;
	case WASI_FD_SOCKET:
		return f->sock_type == PLAT_SOCK_DGRAM ? WASI_FILETYPE_SOCKET_DGRAM
						       : WASI_FILETYPE_SOCKET_STREAM;
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

WASI_HOST_FN(fd_fdstat_set_flags)
{
	/* (fd, flags: fdflags u16) */
	struct wasi_fd *f;
	int err = wasi_fd_lookup(env, ARG32(0), WASI_RIGHT_FD_FDSTAT_SET_FLAGS, &f);

	if (!err && ARG32(1) > 0x1f)
		err = WASI_EINVAL;
	if (err)
		return wasi_ret(results, err);
	f->fdflags = (uint16_t)ARG32(1);
	return wasi_ret(results, 0);
}

WASI_HOST_FN(fd_fdstat_set_rights)
{
	/* (fd, base, inheriting): rights can only be dropped. */
	struct wasi_fd *f = wasi_fd_get(env, ARG32(0));
	uint64_t base = ARG64(1), inh = ARG64(2);

	if (!f)
		return wasi_ret(results, WASI_EBADF);
	if ((base & ~f->rights_base) || (inh & ~f->rights_inheriting))
		return wasi_ret(results, WASI_ENOTCAPABLE);
	f->rights_base = base;
	f->rights_inheriting = inh;
	return wasi_ret(results, 0);
}

void wasi_filestat_put(uint8_t *p, const struct vfs_node *n)
{
	struct wasi_filestat st;

	memset(&st, 0, sizeof(st));
	st.dev = n->fs->dev;
	st.ino = n->ino;
	st.filetype = n->type;
	st.nlink = vfs_nlink(n);
	st.size = n->type == WASI_FILETYPE_DIRECTORY ? 0 : n->size;
	st.atim = n->atim;
	st.mtim = n->mtim;
	st.ctim = n->ctim;
	memcpy(p, &st, sizeof(st));
}

WASI_HOST_FN(fd_filestat_get)
{
	struct wasi_fd *f;
	int err = wasi_fd_lookup(env, ARG32(0), WASI_RIGHT_FD_FILESTAT_GET, &f);
	uint8_t *p = wasi_mem(inst, ARG32(1), sizeof(struct wasi_filestat));
	struct wasi_filestat st;

	if (err)
		return wasi_ret(results, err);
	if (!p)
		return wasi_ret(results, WASI_EFAULT);
	if (f->node) {
		wasi_filestat_put(p, f->node);
		return wasi_ret(results, 0);
	}
	memset(&st, 0, sizeof(st));
	st.filetype = fd_filetype(f);
	st.nlink = 1;
	memcpy(p, &st, sizeof(st));
	return wasi_ret(results, 0);
}

int wasi_set_times(struct vfs_node *n, uint64_t atim, uint64_t mtim,
		   uint32_t fst)
{
	uint64_t now = vfs_now();

	if (fst > 0xf ||
	    (fst & (WASI_FSTFLAG_ATIM | WASI_FSTFLAG_ATIM_NOW)) ==
		    (WASI_FSTFLAG_ATIM | WASI_FSTFLAG_ATIM_NOW) ||
	    (fst & (WASI_FSTFLAG_MTIM | WASI_FSTFLAG_MTIM_NOW)) ==
		    (WASI_FSTFLAG_MTIM | WASI_FSTFLAG_MTIM_NOW))
		return WASI_EINVAL;
	if (fst & WASI_FSTFLAG_ATIM)
		n->atim = atim;
	else if (fst & WASI_FSTFLAG_ATIM_NOW)
		n->atim = now;
	if (fst & WASI_FSTFLAG_MTIM)
		n->mtim = mtim;
	else if (fst & WASI_FSTFLAG_MTIM_NOW)
		n->mtim = now;
	n->ctim = now;
	return 0;
}

WASI_HOST_FN(fd_filestat_set_times)
{
	/* (fd, atim, mtim, fst_flags u16) */
	struct wasi_fd *f;
	int err = wasi_fd_lookup(env, ARG32(0), WASI_RIGHT_FD_FILESTAT_SET_TIMES, &f);

	if (!err && !f->node)
		err = WASI_EINVAL;
	if (err)
		return wasi_ret(results, err);
	return wasi_ret(results, wasi_set_times(f->node, ARG64(1), ARG64(2), ARG32(3)));
}

/* A regular file fd with `rights`: EBADF, EISDIR, ESPIPE (console),
 * ENOTCAPABLE, or 0. */
static int file_fd(struct wasi_ctx *ctx, uint32_t fd, uint64_t rights,
		   struct wasi_fd **f)
{
	int err = wasi_fd_lookup(ctx, fd, 0, f);

	if (err)
		return err;
	if ((*f)->kind == WASI_FD_DIR)
		return WASI_EISDIR;
	if ((*f)->kind != WASI_FD_FILE)
		return WASI_ESPIPE;
	if (((*f)->rights_base & rights) != rights)
		return WASI_ENOTCAPABLE;
	return 0;
}

WASI_HOST_FN(fd_filestat_set_size)
{
	/* (fd, size: filesize) */
	struct wasi_fd *f;
	int err = file_fd(env, ARG32(0), WASI_RIGHT_FD_FILESTAT_SET_SIZE, &f);

	if (err == WASI_ESPIPE)
		err = WASI_EINVAL;
	if (!err && ARG64(1) > OFF_MAX)
		err = WASI_EINVAL;
	if (!err)
		err = vfs_set_size(f->node, ARG64(1));
	return wasi_ret(results, err);
}

WASI_HOST_FN(fd_advise)
{
	/* (fd, offset, len, advice u8): only checked, RAM needs no advice. */
	struct wasi_fd *f;
	int err = file_fd(env, ARG32(0), WASI_RIGHT_FD_ADVISE, &f);

	if (!err && (ARG32(3) > WASI_ADVICE_NOREUSE || ARG64(1) > OFF_MAX ||
		     ARG64(2) > OFF_MAX - ARG64(1)))
		err = WASI_EINVAL;
	return wasi_ret(results, err);
}

WASI_HOST_FN(fd_allocate)
{
	/* (fd, offset, len): the file is at least offset + len long after. */
	uint64_t off = ARG64(1), len = ARG64(2);
	struct wasi_fd *f;
	int err = file_fd(env, ARG32(0), WASI_RIGHT_FD_ALLOCATE, &f);

	if (!err && len == 0)
		err = WASI_EINVAL;
	if (!err && (off > OFF_MAX || len > OFF_MAX - off))
		err = WASI_EFBIG;
	if (!err && off + len > f->node->size)
		err = vfs_set_size(f->node, off + len);
	return wasi_ret(results, err);
}

/* fd_sync / fd_datasync: the data is in RAM, nothing to flush; a disk's
 * device is flushed (wasi_disk.c). */
static int fd_sync_right(struct wasi_ctx *ctx, uint32_t fd, uint64_t right)
{
	struct wasi_fd *f;
	int err = wasi_fd_lookup(ctx, fd, right, &f);

	if (!err && !f->node)
		err = WASI_EINVAL;      /* fsync on a terminal */
	if (!err && f->node->disk)
		err = wasi_disk_sync(f->node);
	return err;
}

WASI_HOST_FN(fd_sync)
{
	return wasi_ret(results, fd_sync_right(env, ARG32(0), WASI_RIGHT_FD_SYNC));
}

WASI_HOST_FN(fd_datasync)
{
	return wasi_ret(results, fd_sync_right(env, ARG32(0), WASI_RIGHT_FD_DATASYNC));
}

/* ---- position ---------------------------------------------------------- */

WASI_HOST_FN(fd_seek)
{
	/* (fd, offset: filedelta s64, whence u8, newoffset_ptr) */
	int64_t delta = (int64_t)ARG64(1);
	uint32_t whence = ARG32(2);
	uint64_t right = whence == WASI_WHENCE_CUR && delta == 0 ?
			 WASI_RIGHT_FD_TELL : WASI_RIGHT_FD_SEEK;
	struct wasi_fd *f;
	int64_t base, pos;
	int err = file_fd(env, ARG32(0), 0, &f);

	if (!err && whence > WASI_WHENCE_END)
		err = WASI_EINVAL;
	if (!err && !(f->rights_base & (right | WASI_RIGHT_FD_SEEK)))
		err = WASI_ENOTCAPABLE;
	if (!err && !wasi_mem(inst, ARG32(3), 8))
		err = WASI_EFAULT;
	if (err)
		return wasi_ret(results, err);
	base = whence == WASI_WHENCE_SET ? 0 :
	       whence == WASI_WHENCE_CUR ? (int64_t)f->offset : (int64_t)f->node->size;
	if (__builtin_add_overflow(base, delta, &pos) || pos < 0)
		return wasi_ret(results, WASI_EINVAL);
	f->offset = (uint64_t)pos;
	return wasi_ret(results, wasi_store_u64(inst, ARG32(3), f->offset));
}

WASI_HOST_FN(fd_tell)
{
	/* (fd, offset_ptr) */
	struct wasi_fd *f;
	int err = file_fd(env, ARG32(0), 0, &f);

	/* FD_TELL itself, as wasi-common and uvwasi check it (the witx's
	 * "FD_SEEK implies FD_TELL" is met by fd_seek(0, CUR) below) */
	if (!err && !(f->rights_base & WASI_RIGHT_FD_TELL))
		err = WASI_ENOTCAPABLE;
	if (err)
		return wasi_ret(results, err);
	return wasi_ret(results, wasi_store_u64(inst, ARG32(1), f->offset));
}

/* ---- directories and the table ------------------------------------------ */

/* fd_readdir's entries: cookie 0 is ".", 1 is "..", 2 + i the i-th name;
 * d_next of an entry is the cookie of the one after it. */
static bool dir_entry(const struct vfs_node *d, uint64_t cookie,
		      struct wasi_dirent *de, const char **name)
{
	const struct vfs_node *n;

	if (cookie >= 2 + (uint64_t)d->nents)
		return false;
	if (cookie < 2) {
		n = cookie == 0 || !d->parent ? d : d->parent;
		*name = cookie == 0 ? "." : "..";
	} else {
		n = d->ents[cookie - 2].node;
		*name = d->ents[cookie - 2].name;
	}
	memset(de, 0, sizeof(*de));
	de->d_next = cookie + 1;
	de->d_ino = n->ino;
	de->d_namlen = (uint32_t)strlen(*name);
	de->d_type = n->type;
	return true;
}

WASI_HOST_FN(fd_readdir)
{
	/* (fd, buf, buf_len, cookie, bufused_ptr): as many entries as fit,
	 * the last one cut at the end of the buffer (witx: "If less than
	 * the size of the read buffer, the end of the directory has been
	 * reached"). */
	uint32_t len = ARG32(2), used = 0;
	uint8_t *buf = wasi_mem(inst, ARG32(1), len);
	struct wasi_fd *f;
	int err = wasi_fd_lookup(env, ARG32(0), WASI_RIGHT_FD_READDIR, &f);
	struct wasi_dirent de;
	const char *name;

	if (!err && f->kind != WASI_FD_DIR)
		err = WASI_ENOTDIR;
	if (!err && (!buf || !wasi_mem(inst, ARG32(4), 4)))
		err = WASI_EFAULT;
	if (err)
		return wasi_ret(results, err);
	for (uint64_t c = ARG64(3); used < len && dir_entry(f->node, c, &de, &name); c++) {
		uint32_t n = len - used < sizeof(de) ? len - used : sizeof(de);

		memcpy(buf + used, &de, n);
		used += n;
		n = len - used < de.d_namlen ? len - used : de.d_namlen;
		memcpy(buf + used, name, n);
		used += n;
	}
	return wasi_ret(results, wasi_store_u32(inst, ARG32(4), used));
}

WASI_HOST_FN(fd_close)
{
	struct wasi_fd *f = wasi_fd_get(env, ARG32(0));

	if (!f)
		return wasi_ret(results, WASI_EBADF);
	wasi_fd_release(f);
	return wasi_ret(results, 0);
}

WASI_HOST_FN(fd_renumber)
{
	/* (from, to): to is closed and becomes from; from is closed. */
	struct wasi_fd *from = wasi_fd_get(env, ARG32(0));
	struct wasi_fd *to = wasi_fd_get(env, ARG32(1));

	if (!from || !to)
		return wasi_ret(results, WASI_EBADF);
	if (from == to)
		return wasi_ret(results, 0);
	wasi_fd_release(to);
	*to = *from;
	memset(from, 0, sizeof(*from));
	return wasi_ret(results, 0);
}

WASI_HOST_FN(fd_prestat_get)
{
	/* (fd, prestat_ptr): only the embedder's preopens answer. */
	struct wasi_fd *f = wasi_fd_get(env, ARG32(0));
	uint8_t *p = wasi_mem(inst, ARG32(1), sizeof(struct wasi_prestat));
	struct wasi_prestat st;

	if (!f || !f->preopen)
		return wasi_ret(results, WASI_EBADF);
	if (!p)
		return wasi_ret(results, WASI_EFAULT);
	memset(&st, 0, sizeof(st));
	st.tag = WASI_PREOPENTYPE_DIR;
	st.pr_name_len = f->preopen_len;
	memcpy(p, &st, sizeof(st));
	return wasi_ret(results, 0);
}

WASI_HOST_FN(fd_prestat_dir_name)
{
	/* (fd, path_ptr, path_len): the name, without a NUL. */
	struct wasi_fd *f = wasi_fd_get(env, ARG32(0));
	uint8_t *p;

	if (!f || !f->preopen)
		return wasi_ret(results, WASI_EBADF);
	if (ARG32(2) < f->preopen_len)
		return wasi_ret(results, WASI_ENAMETOOLONG);
	p = wasi_mem(inst, ARG32(1), f->preopen_len);
	if (!p)
		return wasi_ret(results, WASI_EFAULT);
	memcpy(p, f->preopen, f->preopen_len);
	return wasi_ret(results, 0);
}
