/*
 * pack.c — guest of tests/stdio/stdio.sh: a compressor that behaves as
 * gzip and zstd do with terminals.  It refuses to write compressed (binary)
 * data to a terminal, and to read it from one, so it works only when
 * isatty() tells the truth: in a pipeline (`pack < in > out`, `cat in |
 * pack | pack -d`) it must run, with a terminal on stdout it must refuse.
 *
 *   pack       stdin -> stdout, compressed: the magic "PK1\n", then
 *              PackBits (Apple TN1023) records: n in 0..127 and n+1
 *              literal bytes, or n in 129..255 and one byte repeated
 *              257-n times
 *   pack -d    the reverse
 *
 * Exit status 0; 1 when it refuses (with a message on stderr); 2 on bad
 * input or an I/O error.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAGIC "PK1\n"

static int refuse(const char *what)
{
	fprintf(stderr, "pack: refusing to %s compressed data %s a terminal\n",
		what, what[0] == 'w' ? "to" : "from");
	return 1;
}

/* One literal record of n (1..128) bytes, or one run of c (2..128 times). */
static void put_literal(const unsigned char *p, size_t n)
{
	putchar((int)(n - 1));
	fwrite(p, 1, n, stdout);
}

static int pack(void)
{
	static unsigned char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf, stdin), i = 0, lit = 0;

	if (!feof(stdin) || ferror(stdin))
		return fprintf(stderr, "pack: input larger than 1 MiB or unreadable\n"), 2;
	fputs(MAGIC, stdout);
	while (i < n) {
		size_t run = 1;

		while (i + run < n && run < 128 && buf[i + run] == buf[i])
			run++;
		if (run >= 2) {
			if (lit)
				put_literal(buf + i - lit, lit), lit = 0;
			putchar((int)(257 - run));
			putchar(buf[i]);
			i += run;
			continue;
		}
		if (++lit == 128)
			put_literal(buf + i + 1 - lit, lit), lit = 0;
		i++;
	}
	if (lit)
		put_literal(buf + i - lit, lit);
	return fflush(stdout) ? 2 : 0;
}

static int unpack(void)
{
	char magic[4];
	int c, v;

	if (fread(magic, 1, 4, stdin) != 4 || memcmp(magic, MAGIC, 4))
		return fprintf(stderr, "pack: not packed data\n"), 2;
	while ((c = getchar()) != EOF) {
		if (c == 128)
			return fprintf(stderr, "pack: bad record\n"), 2;
		if (c < 128) {
			for (int k = 0; k <= c; k++) {
				if ((v = getchar()) == EOF)
					return fprintf(stderr, "pack: truncated\n"), 2;
				putchar(v);
			}
		} else {
			if ((v = getchar()) == EOF)
				return fprintf(stderr, "pack: truncated\n"), 2;
			for (int k = 0; k < 257 - c; k++)
				putchar(v);
		}
	}
	return fflush(stdout) || ferror(stdin) ? 2 : 0;
}

int main(int argc, char **argv)
{
	int decompress = argc > 1 && !strcmp(argv[1], "-d");

	if (decompress && isatty(0))
		return refuse("read");
	if (!decompress && isatty(1))
		return refuse("write");
	return decompress ? unpack() : pack();
}
