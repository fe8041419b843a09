/*
 * blk_io.c — byte-granular reads and writes on whole-block devices
 * (drivers/blk_io.h).  Each step moves one chunk: the blocks that hold
 * [off, off + n) up to BLK_IO_MAX bytes, through b->scratch.  A read
 * copies the wanted part out; a write that covers the chunk's blocks
 * whole writes them at once, otherwise it reads the chunk first and
 * writes it back with the new bytes in (read-modify-write), so the bytes
 * around an unaligned write keep their values.  Pure: no kernel headers.
 */
#include <errno.h>
#include <string.h>
#include "blk_io.h"

int blk_size_bytes(uint64_t sectors, uint32_t block, uint64_t *bytes)
{
	*bytes = 0;
	if (block < BLK_SECTOR || block > BLK_IO_MAX || (block & (block - 1)))
		return -EINVAL;
	if (sectors > (uint64_t)INT64_MAX / BLK_SECTOR)
		return -EOVERFLOW;
	*bytes = sectors * BLK_SECTOR & ~(uint64_t)(block - 1);
	return 0;
}

/* The chunk holding off: its first byte and length (whole blocks, at most
 * BLK_IO_MAX, not past the end), for a transfer that wants `want` bytes. */
static void chunk(const struct blk_io *b, uint64_t off, size_t want,
		  uint64_t *start, uint32_t *len)
{
	uint64_t end;

	*start = off & ~(uint64_t)(b->block - 1);
	end = off + want;
	end = (end + b->block - 1) & ~(uint64_t)(b->block - 1);
	if (end - *start > BLK_IO_MAX)
		end = *start + BLK_IO_MAX;
	/* (not past the end: io() clipped want, and size is whole blocks) */
	*len = (uint32_t)(end - *start);
}

static int io(struct blk_io *b, uint64_t off, uint8_t *rbuf, const uint8_t *wbuf,
	      size_t len, size_t *done)
{
	*done = 0;
	if (off >= b->size)
		return 0;
	if (len > b->size - off)
		len = (size_t)(b->size - off);
	while (*done < len) {
		uint64_t at = off + *done, start;
		uint32_t clen, skip, n;
		int err;

		chunk(b, at, len - *done, &start, &clen);
		skip = (uint32_t)(at - start);
		n = clen - skip < len - *done ? clen - skip : (uint32_t)(len - *done);
		if (rbuf || skip || n < clen) {
			err = b->xfer(b->dev, start, b->scratch, clen, false);
			if (err)
				return err;
		}
		if (rbuf) {
			memcpy(rbuf + *done, b->scratch + skip, n);
		} else {
			memcpy(b->scratch + skip, wbuf + *done, n);
			err = b->xfer(b->dev, start, b->scratch, clen, true);
			if (err)
				return err;
		}
		*done += n;
	}
	return 0;
}

int blk_read(struct blk_io *b, uint64_t off, void *buf, size_t len, size_t *done)
{
	return io(b, off, buf, NULL, len, done);
}

int blk_write(struct blk_io *b, uint64_t off, const void *buf, size_t len, size_t *done)
{
	return io(b, off, NULL, buf, len, done);
}
