/*
 * streams.c — guest of tests/stdio/stdio.sh: stdout and stderr, each a
 * byte stream of its own.  `streams N MODE` writes N chunks with write(2)
 * (no stdio buffering), chunk i to stdout if i is even, to stderr if odd:
 * 600 + 37 * (i % 11) bytes, byte j being (i * 31 + j * 7) & 255 (every
 * value: NUL, 0x04, 0x10, ESC, 0xff), chunk 1 and chunk 2 followed by
 * the console mark "ESC _ wasmetal:console ESC \" (it must come through
 * as data).  Then by MODE:
 *
 *   exit   "done\n" on stderr, exit status 7
 *   echo   stdin copied to stdout until its end, then "done\n" on stderr,
 *          exit status 7 (stdin still works)
 *   trap   an out-of-bounds store: the trap report on stderr, status 134
 *
 * tests/stdio/stdio.sh computes the same bytes (streams_expect) and
 * compares each stream byte for byte.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char mark[] = "\033_wasmetal:console\033\\";

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char buf[4096];
	int n = argc > 1 ? atoi(argv[1]) : 0;
	const char *mode = argc > 2 ? argv[2] : "exit";
	ssize_t got;

	for (int i = 0; i < n; i++) {
		size_t len = 600 + 37 * (size_t)(i % 11);

		for (size_t j = 0; j < len; j++)
			buf[j] = (unsigned char)((i * 31 + j * 7) & 255);
		if (write_all(i % 2 ? 2 : 1, buf, len) ||
		    ((i == 1 || i == 2) &&
		     write_all(i % 2 ? 2 : 1, (const unsigned char *)mark, strlen(mark))))
			return 1;
	}
	if (!strcmp(mode, "echo"))
		while ((got = read(0, buf, sizeof buf)) > 0)
			if (write_all(1, buf, (size_t)got))
				return 1;
	if (!strcmp(mode, "trap")) {
		volatile unsigned char *far = (volatile unsigned char *)0xfffffff0u;

		*far = 1;       /* past the end of linear memory: a trap */
	}
	write_all(2, (const unsigned char *)"done\n", 5);
	return 7;
}
