/*
 * blk_io.h — byte-granular I/O on a block device (drivers/blk_io.c, pure
 * C, unit-tested hosted by tests/unit/test_blk_io.c): any offset and
 * length, split into whole blocks of the device; a write that covers a
 * block only in part reads it first (read-modify-write).  The device side
 * is a callback that moves whole blocks, at most BLK_IO_MAX bytes at a
 * time (drivers/virtio_blk.c: one request of virtio-blk, §5.2.6).
 */
#ifndef DRIVERS_BLK_IO_H
#define DRIVERS_BLK_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLK_SECTOR      512u            /* virtio-blk's unit (§5.2.6) */
#define BLK_IO_MAX      4096u           /* bytes per device call */

/* Move len bytes (a multiple of the block size, <= BLK_IO_MAX) at byte
 * offset off (a multiple of the block size) to or from buf.  0 or
 * -errno. */
typedef int blk_xfer_fn(void *dev, uint64_t off, void *buf, uint32_t len, bool write);

struct blk_io {
	uint64_t size;                  /* bytes: whole blocks */
	uint32_t block;                 /* a power of 2, 512..BLK_IO_MAX */
	void *dev;
	blk_xfer_fn *xfer;
	uint8_t scratch[BLK_IO_MAX];    /* one call's worth */
};

/* The device's size in bytes from its capacity in 512-byte sectors and
 * its block size: 0, or -EOVERFLOW (bytes would not fit an int64_t: WASI
 * offsets are signed) / -EINVAL (block size not a power of 2 in
 * 512..BLK_IO_MAX).  The size is rounded down to whole blocks. */
int blk_size_bytes(uint64_t sectors, uint32_t block, uint64_t *bytes);

/* Read / write len bytes at off, clipped to the device's end; *done = the
 * bytes moved (short only at the end, or before an error).  0, or the
 * device's -errno (bytes before it may have been moved). */
int blk_read(struct blk_io *b, uint64_t off, void *buf, size_t len, size_t *done);
int blk_write(struct blk_io *b, uint64_t off, const void *buf, size_t len, size_t *done);

#endif
