/*
 * fbcon_prog.c — the program tests/images/fbcon_screenshot.sh boots with a
 * display: it writes text to stdout and stderr, then "READY" and waits
 * for the end of its stdin (the script takes the screenshot meanwhile),
 * then exits 0.
 *
 *   fbcon_prog.wasm lines TEXT...   each TEXT on a line, and one on stderr
 *   fbcon_prog.wasm scroll          more lines than a screen has, a line
 *                                   that wraps, \t \r \b, UTF-8 (valid,
 *                                   unknown to the font, and invalid) and
 *                                   ANSI escapes
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void scroll(void)
{
	for (int i = 1; i <= 70; i++)
		printf("line %02d of the scroll test: the first ones scroll away\n", i);
	for (int i = 0; i < 250; i++)
		putchar('a' + i % 26);
	printf("\ntab:\tone\ttwo\tthree|\n");
	printf("overwritten by CR\rCR wins\n");
	printf("backspace: abc\b\bX\n");
	printf("UTF-8: gr\xc3\xbc\xc3\x9f dich, \xe2\x94\x80\xe2\x94\xbc\xe2\x94\x80 "
	       "euro \xe2\x82\xac, cjk \xe4\xb8\xad, bad \xff\xc3(\n");
	printf("ANSI: \033[1;31mred\033[0m and \033]0;title\007done\n");
	fflush(stdout);
	fprintf(stderr, "stderr: drawn brighter\n");
}

int main(int argc, char **argv)
{
	char buf[256];

	if (argc > 1 && !strcmp(argv[1], "scroll")) {
		scroll();
	} else {
		for (int i = 2; i < argc; i++)
			printf("%s\n", argv[i]);
		fflush(stdout);
		fprintf(stderr, "to stderr: %d lines above\n", argc > 2 ? argc - 2 : 0);
	}
	printf("READY\n");
	fflush(stdout);
	while (read(0, buf, sizeof buf) > 0)
		;
	return 0;
}
