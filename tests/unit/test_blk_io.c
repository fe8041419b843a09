/*
 * test_blk_io.c — drivers/blk_io.c, the byte-to-block layer under the
 * virtio-blk disk files (issue 11): reads and writes at every kind of
 * offset and length (aligned, inside one block, across blocks and
 * chunks, up to and past the end) on a RAM device with 512- and
 * 4096-byte blocks, compared with a plain byte array; the device only
 * ever sees whole aligned blocks of at most BLK_IO_MAX bytes; a partial
 * block is read before it is written (read-modify-write), a whole one is
 * not; device errors come back; the size from a hostile capacity.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "../../drivers/blk_io.c"

#define DISK (64 * 1024 + 512 * 3)      /* not a multiple of 4096 */

static uint8_t disk[DISK], ref[DISK];
static unsigned reads, writes, bad_calls;
static int fail_at = -1;                /* the call that fails (-EIO) */
static unsigned calls;

static int ram_xfer(void *dev, uint64_t off, void *buf, uint32_t len, bool write)
{
	struct blk_io *b = dev;

	if (off % b->block || len % b->block || !len || len > BLK_IO_MAX ||
	    off + len > b->size)
		bad_calls++;
	if ((int)calls++ == fail_at)
		return -EIO;
	if (off + len > DISK)
		return -EINVAL;
	if (write) {
		memcpy(disk + off, buf, len);
		writes++;
	} else {
		memcpy(buf, disk + off, len);
		reads++;
	}
	return 0;
}

static struct blk_io b;

static void setup(uint32_t block)
{
	memset(&b, 0, sizeof b);
	REQUIRE(blk_size_bytes(DISK / 512, block, &b.size) == 0);
	b.block = block;
	b.dev = &b;
	b.xfer = ram_xfer;
	for (size_t i = 0; i < DISK; i++)
		disk[i] = ref[i] = (uint8_t)(i * 7 + i / 251);
	reads = writes = bad_calls = calls = 0;
	fail_at = -1;
}

/* One write and one read of [off, off+len) compared with ref. */
static void one(uint64_t off, size_t len, uint8_t seed)
{
	static uint8_t buf[3 * BLK_IO_MAX + 100], back[sizeof buf];
	size_t done, want = off >= b.size ? 0 : len < b.size - off ? len : b.size - off;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 13);
	CHECK(blk_write(&b, off, buf, len, &done) == 0);
	CHECK_MSG(done == want, "write %llu+%zu: %zu done, want %zu",
		  (unsigned long long)off, len, done, want);
	memcpy(ref + off, buf, want);
	memset(back, 0xee, sizeof back);
	CHECK(blk_read(&b, off, back, len, &done) == 0);
	CHECK_EQ_U64(done, want);
	CHECK(!memcmp(back, buf, want));
	CHECK_MSG(!memcmp(disk, ref, DISK), "disk differs after %llu+%zu",
		  (unsigned long long)off, len);
}

static void offsets_and_lengths(uint32_t block)
{
	static const uint64_t offs[] = { 0, 1, 511, 512, 513, 4095, 4096, 4097, 10000 };
	static const size_t lens[] = { 0, 1, 2, 511, 512, 513, 4095, 4096, 4097, 8192,
				       3 * BLK_IO_MAX + 100 };

	setup(block);
	for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++)
		for (size_t j = 0; j < sizeof lens / sizeof lens[0]; j++)
			one(offs[i], lens[j], (uint8_t)(i * 16 + j));
	/* at and across the end */
	one(b.size - 1, 1, 1);
	one(b.size - 700, 5000, 2);
	one(b.size, 10, 3);
	one(b.size + 4096, 10, 4);
	CHECK_EQ_U64(bad_calls, 0);
}

TEST(unaligned_512) { offsets_and_lengths(512); }
TEST(unaligned_4096) { offsets_and_lengths(4096); }

TEST(whole_blocks_are_not_read_first)
{
	static uint8_t buf[BLK_IO_MAX];
	size_t done;

	setup(512);
	CHECK(blk_write(&b, 1024, buf, 2048, &done) == 0);
	CHECK_EQ_U64(reads, 0);
	CHECK_EQ_U64(writes, 1);
	CHECK(blk_write(&b, 1025, buf, 10, &done) == 0);   /* read-modify-write */
	CHECK_EQ_U64(reads, 1);
	CHECK_EQ_U64(writes, 2);
	CHECK_EQ_U64(bad_calls, 0);
}

TEST(device_errors_come_back)
{
	static uint8_t buf[3 * BLK_IO_MAX];
	size_t done;

	setup(512);
	fail_at = 1;                    /* the second chunk */
	CHECK_EQ_U64(blk_read(&b, 0, buf, sizeof buf, &done), (uint64_t)-EIO);
	CHECK_EQ_U64(done, BLK_IO_MAX);
	setup(512);
	fail_at = 0;                    /* the read of a read-modify-write */
	CHECK_EQ_U64(blk_write(&b, 3, buf, 10, &done), (uint64_t)-EIO);
	CHECK_EQ_U64(done, 0);
	CHECK_EQ_U64(writes, 0);
	CHECK(!memcmp(disk, ref, DISK));
}

TEST(size_from_capacity)
{
	uint64_t bytes;

	CHECK(blk_size_bytes(0, 512, &bytes) == 0 && bytes == 0);
	CHECK(blk_size_bytes(9, 4096, &bytes) == 0 && bytes == 4096);
	CHECK(blk_size_bytes(7, 4096, &bytes) == 0 && bytes == 0);
	CHECK(blk_size_bytes(3, 512, &bytes) == 0 && bytes == 1536);
	CHECK(blk_size_bytes(UINT64_MAX, 512, &bytes) == -EOVERFLOW && bytes == 0);
	CHECK(blk_size_bytes(UINT64_MAX / 512, 512, &bytes) == -EOVERFLOW);
	CHECK(blk_size_bytes((uint64_t)INT64_MAX / 512, 512, &bytes) == 0 &&
	      bytes <= (uint64_t)INT64_MAX);
	CHECK(blk_size_bytes(8, 0, &bytes) == -EINVAL);
	CHECK(blk_size_bytes(8, 256, &bytes) == -EINVAL);
	CHECK(blk_size_bytes(8, 1536, &bytes) == -EINVAL);
	CHECK(blk_size_bytes(8, 8192, &bytes) == -EINVAL);
}

int main(void)
{
	RUN(unaligned_512);
	RUN(unaligned_4096);
	RUN(whole_blocks_are_not_read_first);
	RUN(device_errors_come_back);
	RUN(size_from_capacity);
	CHECK_DONE();
}
