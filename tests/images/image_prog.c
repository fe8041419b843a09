/*
 * image_prog.c — the program tests/images/plain_qemu.sh puts into disk
 * images: prints its arguments, one environment variable, and files read
 * from the preopened directory /data (a file, a file in a subdirectory,
 * and one through a symlink), then exits with status 7.  Its output under
 * `wasmetal run --hosted` is the expected output of every boot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void show(const char *path)
{
	char buf[128];
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("%s: cannot open\n", path);
		return;
	}
	while (fgets(buf, sizeof buf, f))
		printf("%s: %s", path, buf);
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *who = getenv("WHO");

	for (int i = 0; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);
	printf("WHO = %s\n", who ? who : "(unset)");
	show("/data/greeting.txt");
	show("/data/sub/nested.txt");
	show("/data/link.txt");
	printf("done\n");
	return 7;
}
