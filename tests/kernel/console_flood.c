/*
 * console_flood.c — guest of tests/kernel/console.sh: writes N bytes to
 * stdout (argv[1]), as 16-byte lines "%015x\n" of their own offset (the
 * last line cut to fit), so that a lost byte shows where it went missing.
 * Written in 4 KiB fd_writes, so the kernel's console path sees large
 * writes, as it does from a program that prints a file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define BUF 4096L

int main(int argc, char **argv)
{
	static char buf[BUF + 1];       /* + the last snprintf's NUL */
	long n = argc > 1 ? atol(argv[1]) : 0;

	for (long off = 0; off < n; off += BUF) {
		long k = n - off < BUF ? n - off : BUF;

		for (long i = 0; i < BUF; i += 16)
			snprintf(buf + i, 17, "%015lx\n", off + i);
		if (write(1, buf, (size_t)k) != k)
			return 1;
	}
	return 0;
}
