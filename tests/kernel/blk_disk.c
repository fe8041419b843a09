/*
 * blk_disk.c — the guest of tests/kernel/blk.sh (issue 11): a virtio-blk
 * disk granted as a file (`wasmetal run --disk HOST::GUEST[:ro]`).
 *
 *   blk_disk rw PATH SIZE   the file is SIZE bytes; every byte has the
 *                           host's pattern (host_byte); then writes
 *                           guest_byte at the offsets of `regions` (pwrite,
 *                           lseek + write, unaligned, across sectors and
 *                           4 KiB chunks, up to the last byte), reads them
 *                           back, fsyncs; a write at the end is ENOSPC;
 *                           ftruncate is refused
 *   blk_disk ro PATH SIZE   opening for writing is EROFS; read-only open
 *                           reads the host's pattern; write() fails
 *   blk_disk empty PATH     a 0-byte disk: size 0, read 0 bytes, write ENOSPC
 *
 * Prints one line per check ("ok ..." or "FAIL ..."), then "blk_disk: N
 * failed"; exit status 1 if any failed.  blk.sh checks the disk's bytes on
 * the host afterwards (the same regions and patterns).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failed;

#define CHECK(cond, ...) do { if (cond) { printf("ok "); } else { \
	printf("FAIL "); failed++; } printf(__VA_ARGS__); printf("\n"); } while (0)

static unsigned char host_byte(long long i)
{
	return (unsigned char)(i * 7 + (i >> 9));
}

static unsigned char guest_byte(long long i)
{
	return (unsigned char)((i * 13 + 1) ^ 0x5a);
}

/* Offset and length of each write; the last ones from the size. */
static void regions(long long size, long long r[][2], int *n)
{
	static const long long fixed[][2] = {
		{ 5, 7 },               /* inside one sector */
		{ 1000, 3000 },         /* across sectors, unaligned both ends */
		{ 4095, 2 },            /* across a 4 KiB chunk */
		{ 8192, 512 },          /* one whole sector */
		{ 65536 + 17, 70000 },  /* many chunks, unaligned */
	};
	*n = 0;
	for (unsigned i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		r[*n][0] = fixed[i][0];
		r[(*n)++][1] = fixed[i][1];
	}
	r[*n][0] = size - 10;           /* up to the last byte */
	r[(*n)++][1] = 10;
}

static int check_pattern(int fd, long long off, long long len,
			 unsigned char (*want)(long long))
{
	static unsigned char buf[65536];

	while (len > 0) {
		size_t n = len < (long long)sizeof buf ? (size_t)len : sizeof buf;
		ssize_t got = pread(fd, buf, n, off);

		if (got != (ssize_t)n)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (buf[i] != want(off + (long long)i))
				return -1;
		off += (long long)n;
		len -= (long long)n;
	}
	return 0;
}

static void rw(const char *path, long long size)
{
	long long r[8][2];
	static unsigned char buf[80000];
	struct stat st;
	int n, fd = open(path, O_RDWR);

	CHECK(fd >= 0, "open %s read-write (%s)", path, fd < 0 ? strerror(errno) : "");
	if (fd < 0)
		return;
	CHECK(fstat(fd, &st) == 0 && st.st_size == size, "size %lld", (long long)st.st_size);
	CHECK(check_pattern(fd, 0, size, host_byte) == 0, "read the host's pattern");
	regions(size, r, &n);
	for (int i = 0; i < n; i++) {
		ssize_t w;

		for (long long j = 0; j < r[i][1]; j++)
			buf[j] = guest_byte(r[i][0] + j);
		if (i % 2) {
			w = pwrite(fd, buf, (size_t)r[i][1], r[i][0]);
		} else {
			lseek(fd, r[i][0], SEEK_SET);
			w = write(fd, buf, (size_t)r[i][1]);
		}
		CHECK(w == r[i][1], "write %lld bytes at %lld (%zd)", r[i][1], r[i][0], w);
	}
	for (int i = 0; i < n; i++)
		CHECK(check_pattern(fd, r[i][0], r[i][1], guest_byte) == 0,
		      "read back %lld bytes at %lld", r[i][1], r[i][0]);
	CHECK(check_pattern(fd, 12, 988, host_byte) == 0, "bytes between writes kept");
	errno = 0;
	CHECK(pwrite(fd, buf, 1, size) < 0 && errno == ENOSPC, "write at the end: %s",
	      strerror(errno));
	CHECK(pread(fd, buf, 10, size) == 0, "read at the end: 0 bytes");
	for (int j = 0; j < 20; j++)
		buf[j] = guest_byte(size - 4 + j);
	CHECK(pwrite(fd, buf, 20, size - 4) == 4, "write across the end: short");
	CHECK(ftruncate(fd, size / 2) < 0, "ftruncate refused (%s)", strerror(errno));
	errno = 0;
	CHECK(fsync(fd) == 0, "fsync (%s)", strerror(errno));
	CHECK(close(fd) == 0, "close");
}

static void ro(const char *path, long long size)
{
	unsigned char b[1];
	int fd;

	errno = 0;
	fd = open(path, O_RDWR);
	CHECK(fd < 0 && errno == EROFS, "open read-write: %s", strerror(errno));
	fd = open(path, O_WRONLY);
	CHECK(fd < 0 && errno == EROFS, "open write-only: %s", strerror(errno));
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open read-only");
	if (fd < 0)
		return;
	CHECK(check_pattern(fd, 0, size, host_byte) == 0, "read the host's pattern");
	b[0] = 1;
	errno = 0;
	CHECK(write(fd, b, 1) < 0, "write refused: %s", strerror(errno));
	CHECK(pwrite(fd, b, 1, 0) < 0, "pwrite refused: %s", strerror(errno));
	close(fd);
}

static void empty(const char *path)
{
	unsigned char b[16];
	struct stat st;
	int fd = open(path, O_RDWR);

	CHECK(fd >= 0, "open %s", path);
	if (fd < 0)
		return;
	CHECK(fstat(fd, &st) == 0 && st.st_size == 0, "size 0");
	CHECK(read(fd, b, sizeof b) == 0, "read: 0 bytes");
	errno = 0;
	CHECK(write(fd, b, sizeof b) < 0 && errno == ENOSPC, "write: %s", strerror(errno));
	CHECK(fsync(fd) == 0, "fsync");
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "rw"))
		rw(argv[2], atoll(argv[3]));
	else if (argc >= 4 && !strcmp(argv[1], "ro"))
		ro(argv[2], atoll(argv[3]));
	else if (argc >= 3 && !strcmp(argv[1], "empty"))
		empty(argv[2]);
	else {
		fprintf(stderr, "usage: blk_disk rw|ro PATH SIZE | empty PATH\n");
		return 2;
	}
	printf("blk_disk: %d failed\n", failed);
	return failed ? 1 : 0;
}
