/*
 * fs_copy_list_env.c — the differential program of issue 4's "Done when":
 * an ordinary wasi-libc program that copies files from one preopen to
 * another, lists directories, follows a symlink, renames and removes, and
 * prints its arguments and environment.  Its stdout and exit status must
 * be identical under node's WASI, `wasmetal run --hosted` and `wasmetal
 * run` (QEMU).  Directory listings are sorted (readdir order is the
 * implementation's); nothing printed depends on time.
 *
 * tests/run.sh runs it with a copy of tests/wasi/data as /in (plus the
 * symlink link_to_hello -> hello.txt made at test time), an empty
 * directory as /out, arguments and an environment.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path)
{
	char *names[64];
	int n = 0;
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d) {
		printf("opendir %s: %s\n", path, errno == ENOENT ? "ENOENT" : "error");
		return;
	}
	while ((e = readdir(d)) && n < 64) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp);
	printf("%s: %d entries\n", path, n);
	for (int i = 0; i < n; i++) {
		char full[256];
		struct stat st;

		snprintf(full, sizeof(full), "%s/%s", path, names[i]);
		if (lstat(full, &st)) {
			printf("  %s: lstat failed\n", names[i]);
		} else if (S_ISDIR(st.st_mode)) {
			printf("  %s/\n", names[i]);
		} else if (S_ISLNK(st.st_mode)) {
			char target[128];
			ssize_t len = readlink(full, target, sizeof(target) - 1);

			target[len > 0 ? len : 0] = 0;
			printf("  %s -> %s\n", names[i], target);
		} else {
			printf("  %s (%lld bytes)\n", names[i], (long long)st.st_size);
		}
		free(names[i]);
	}
}

static long copy(const char *from, const char *to)
{
	char buf[7];            /* small on purpose: many reads and writes */
	FILE *in = fopen(from, "rb"), *out;
	size_t n;
	long total = 0;

	if (!in)
		return -1;
	out = fopen(to, "wb");
	if (!out) {
		fclose(in);
		return -2;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		total += fwrite(buf, 1, n, out);
	fclose(in);
	if (fclose(out))
		return -3;
	return total;
}

static void cat(const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		printf("open %s: %s\n", path, errno == ENOENT ? "ENOENT" : "error");
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("%s: \"%s\"\n", path, buf);
	close(fd);
}

int main(int argc, char **argv)
{
	char *env[64];
	int n = 0;
	struct stat st;

	printf("argc %d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] \"%s\"\n", i, argv[i]);
	for (char **e = environ; *e && n < 64; e++)
		env[n++] = *e;
	qsort(env, n, sizeof(env[0]), cmp);
	printf("%d environment variables\n", n);
	for (int i = 0; i < n; i++)
		printf("  %s\n", env[i]);
	printf("getenv(GREETING) = %s\n", getenv("GREETING") ? getenv("GREETING") : "(null)");

	list("/in");
	list("/in/sub");
	list("/out");
	printf("copy hello.txt: %ld bytes\n", copy("/in/hello.txt", "/out/copy.txt"));
	printf("mkdir /out/sub2: %d\n", mkdir("/out/sub2", 0755));
	printf("copy sub/one.txt: %ld bytes\n", copy("/in/sub/one.txt", "/out/sub2/one.txt"));
	printf("copy through link_to_hello: %ld bytes\n",
	       copy("/in/link_to_hello", "/out/via_link.txt"));
	printf("copy empty.txt: %ld bytes\n", copy("/in/empty.txt", "/out/empty.txt"));
	printf("copy missing: %ld\n", copy("/in/missing.txt", "/out/never.txt"));
	cat("/out/copy.txt");
	cat("/out/sub2/one.txt");
	cat("/out/via_link.txt");
	list("/out");
	list("/out/sub2");
	printf("rename: %d\n", rename("/out/copy.txt", "/out/renamed.txt"));
	printf("unlink: %d\n", unlink("/out/via_link.txt"));
	printf("stat copy.txt after rename: %s\n",
	       stat("/out/copy.txt", &st) && errno == ENOENT ? "ENOENT" : "exists");
	printf("rmdir non-empty: %s\n", rmdir("/out/sub2") && errno == ENOTEMPTY ? "ENOTEMPTY" : "?");
	cat("/out/renamed.txt");
	list("/out");
	printf("the input tree is unchanged:\n");
	list("/in");
	return 0;
}
