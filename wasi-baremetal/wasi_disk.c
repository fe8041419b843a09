/*
 * wasi_disk.c — block devices as files (wasi.h struct wasi_disk: the
 * manifest's `disk` and `disk-ro` grants, served by the kernel's
 * virtio-blk driver): each is a regular file in the root of a preopen,
 * of the device's size, which does not change (truncation and growth are
 * EINVAL, a write at or past the end ENOSPC, as on a Linux block device;
 * O_TRUNC is ignored, as Linux does for block devices).  Reads and writes
 * go to the device at once, any offset and length (the driver does
 * read-modify-write, drivers/blk_io.c); fd_sync and fd_datasync flush it.
 * A read-only disk (`disk-ro`, or a device that says so) cannot be opened
 * with a write right (EROFS), so no fd of it can write.  Device errors are
 * EIO (EROFS from a read-only device).
 */
#include <errno.h>
#include <stdio.h>
#include "wasi_impl.h"

/* Rights that would let an fd change the disk. */
#define DISK_WRITE_RIGHTS (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE | \
			   WASI_RIGHT_FD_FILESTAT_SET_SIZE)

static int dev_errno(int err)
{
	return err == -EROFS ? WASI_EROFS : WASI_EIO;
}

int wasi_disk_read(struct vfs_node *n, uint64_t off, void *buf, size_t len,
		   size_t *done)
{
	const struct wasi_disk *d = n->disk;
	int err;

	*done = 0;
	if (off >= d->size)
		return 0;
	if (len > d->size - off)
		len = (size_t)(d->size - off);
	if ((err = d->read(d->dev, off, buf, len)))
		return dev_errno(err);
	*done = len;
	n->atim = vfs_now();
	return 0;
}

int wasi_disk_write(struct vfs_node *n, uint64_t off, const void *buf, size_t len,
		    size_t *done)
{
	const struct wasi_disk *d = n->disk;
	int err;

	*done = 0;
	if (d->read_only)
		return WASI_EROFS;
	if (off >= d->size)
		return len ? WASI_ENOSPC : 0;
	if (len > d->size - off)
		len = (size_t)(d->size - off);
	if ((err = d->write(d->dev, off, buf, len)))
		return dev_errno(err);
	*done = len;
	n->mtim = n->ctim = vfs_now();
	return 0;
}

int wasi_disk_sync(struct vfs_node *n)
{
	int err = n->disk->sync ? n->disk->sync(n->disk->dev) : 0;

	return err ? dev_errno(err) : 0;
}

int wasi_disk_open_check(const struct vfs_node *n, uint64_t rights)
{
	return n->disk && n->disk->read_only && (rights & DISK_WRITE_RIGHTS) ?
	       WASI_EROFS : 0;
}

#define fail(err, errlen, ...) (snprintf(err, errlen, __VA_ARGS__), -1)

int wasi_disks_attach(struct wasi_ctx *ctx, const struct wasi_config *cfg,
		      char *err, size_t errlen)
{
	if (cfg->ndisks && !cfg->disks)
		return fail(err, errlen, "disks missing");
	for (size_t i = 0; i < cfg->ndisks; i++) {
		const struct wasi_disk *d = &cfg->disks[i];
		size_t len = d->name ? strnlen(d->name, VFS_NAME_MAX + 1) : 0;
		struct vfs_node *root, *n;

		if (d->preopen >= ctx->npreopens || !len || len > VFS_NAME_MAX ||
		    memchr(d->name, '/', len) || !strcmp(d->name, ".") ||
		    !strcmp(d->name, "..") || !d->read || !d->write ||
		    d->size > (uint64_t)INT64_MAX)
			return fail(err, errlen, "disk %zu: bad preopen, name, "
					 "size or callbacks", i);
		root = ctx->fds[3 + d->preopen].node;
		if (vfs_lookup(root, d->name, len))
			return fail(err, errlen, "disk %zu: \"%s\" exists already "
					 "in preopen \"%s\"", i, d->name,
					 ctx->preopen_names[d->preopen]);
		if (!(n = vfs_node_new(ctx->fs, WASI_FILETYPE_REGULAR_FILE)))
			return fail(err, errlen, "out of memory for disk %zu", i);
		n->disk = d;
		n->size = d->size;
		if (vfs_link(root, d->name, n)) {
			vfs_node_unref(n);
			return fail(err, errlen, "out of memory for disk %zu", i);
		}
	}
	return 0;
}
