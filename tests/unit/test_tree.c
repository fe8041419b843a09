/*
 * test_tree.c — `--dir` trees (host/tree.c): what a host directory
 * becomes (files with their bytes, directories before their contents, in
 * name order, symlinks kept as symlinks and never followed, even to a
 * directory or out of the tree; FIFOs skipped), HOST[::GUEST] parsing,
 * and a tree written into a bundle read back by the kernel's parser.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "image.h"
#include "tree.h"
#include "../../images/parse/bundle_parse.h"

static char dir[] = "/tmp/test_tree.XXXXXX";

static void put(const char *rel, const void *p, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	f = fopen(path, "wb");
	if (f) {
		fwrite(p, 1, n, f);
		fclose(f);
	}
}

static void mk(const char *rel, const char *link_to)
{
	char path[256];

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	if (link_to) {
		if (symlink(link_to, path)) {
			/* checked through the results */
		}
	} else {
		mkdir(path, 0755);
	}
}

static const struct wasi_tree_entry *find(const struct host_tree *t, const char *p,
					  size_t *index)
{
	for (size_t i = 0; i < t->preopen.nentries; i++)
		if (!strcmp(t->preopen.entries[i].path, p)) {
			*index = i;
			return &t->preopen.entries[i];
		}
	return NULL;
}

TEST(reads_a_tree)
{
	char path[256], err[512] = "";
	struct host_tree t;
	const struct wasi_tree_entry *e;
	size_t i, j;

	mk("b", NULL);
	mk("b/c", NULL);
	put("b/c/deep.bin", "\0\1\2", 3);
	put("a.txt", "hello\n", 6);
	put("empty", "", 0);
	mk("b/out", "../../../etc/passwd");
	mk("dirlink", "b");
	mk("abs", "/etc");
	snprintf(path, sizeof path, "%s/fifo", dir);
	mkfifo(path, 0644);
	CHECK(host_tree_read(dir, "/g", &t, err, sizeof err) == 0);
	CHECK(!strcmp(t.preopen.guest_path, "/g"));
	CHECK_EQ_U64(t.preopen.nentries, 8);
	CHECK(t.files == 3 && t.dirs == 2 && t.symlinks == 3 && t.skipped == 1);
	CHECK_EQ_U64(t.bytes, 9);
	CHECK((e = find(&t, "a.txt", &i)) && e->kind == WASI_NODE_FILE &&
	      e->len == 6 && !memcmp(e->data, "hello\n", 6));
	CHECK((e = find(&t, "b/c/deep.bin", &i)) && e->len == 3 &&
	      !memcmp(e->data, "\0\1\2", 3));
	CHECK((e = find(&t, "empty", &i)) && e->len == 0);
	CHECK((e = find(&t, "dirlink", &i)) && e->kind == WASI_NODE_SYMLINK &&
	      e->len == 1 && e->data[0] == 'b');
	CHECK((e = find(&t, "b/out", &i)) && e->kind == WASI_NODE_SYMLINK &&
	      e->len == 19 && !memcmp(e->data, "../../../etc/passwd", 19));
	CHECK((e = find(&t, "abs", &i)) && e->kind == WASI_NODE_SYMLINK);
	CHECK(!find(&t, "fifo", &i) && !find(&t, "dirlink/c", &i));
	/* name order, parents first */
	CHECK(find(&t, "b", &i) && find(&t, "b/c", &j) && i < j);
	CHECK(find(&t, "b/c/deep.bin", &i) && i > j);
	CHECK(find(&t, "a.txt", &i) && find(&t, "abs", &j) && i < j);
	for (i = 1; i < t.preopen.nentries; i++)
		if (!strchr(t.preopen.entries[i].path, '/') &&
		    !strchr(t.preopen.entries[i - 1].path, '/'))
			CHECK(strcmp(t.preopen.entries[i - 1].path,
				     t.preopen.entries[i].path) < 0);
	host_tree_free(&t);
}

TEST(a_tree_round_trips_through_a_bundle)
{
	char err[512] = "", wasm[300], out[300];
	static const uint8_t mod[8] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
	static uint8_t b[65536];
	struct host_tree t;
	struct boot_bundle bb;
	const char *why = NULL;
	const char *argv[] = { "m" };
	struct image_spec s = { .argc = 1, .argv = argv, .npreopens = 1 };
	FILE *f;
	size_t n;

	snprintf(wasm, sizeof wasm, "%s.wasm", dir);
	snprintf(out, sizeof out, "%s.bundle", dir);
	f = fopen(wasm, "wb");
	fwrite(mod, 1, 8, f);
	fclose(f);
	CHECK(host_tree_read(dir, "/g", &t, err, sizeof err) == 0);
	s.module_path = wasm;
	s.preopens = &t.preopen;
	CHECK(image_bundle_write(&s, out, err, sizeof err) == 0);
	f = fopen(out, "rb");
	n = f ? fread(b, 1, sizeof b, f) : 0;
	if (f)
		fclose(f);
	CHECK_EQ_U64(bundle_parse(b, n, &bb, &why), 0);
	CHECK(bb.npreopens == 1 && bb.preopens[0].nentries == t.preopen.nentries);
	if (!why)
		bundle_free(&bb);
	else
		fprintf(stderr, "why: %s\n", why);
	host_tree_free(&t);
	unlink(wasm);
	unlink(out);
}

TEST(dir_args_and_errors)
{
	char err[512] = "", *h, *g;
	struct host_tree t;

	CHECK(host_dir_arg("a/b", &h, &g, err, sizeof err) == 0);
	CHECK(!strcmp(h, "a/b") && !strcmp(g, "a/b"));
	free(h), free(g);
	CHECK(host_dir_arg("./x::/data", &h, &g, err, sizeof err) == 0);
	CHECK(!strcmp(h, "./x") && !strcmp(g, "/data"));
	free(h), free(g);
	CHECK(host_dir_arg("x::a::b", &h, &g, err, sizeof err) == 0);
	CHECK(!strcmp(h, "x") && !strcmp(g, "a::b"));
	free(h), free(g);
	CHECK(host_dir_arg("::x", &h, &g, err, sizeof err) == -1);
	CHECK(host_dir_arg("x::", &h, &g, err, sizeof err) == -1);
	CHECK(host_dir_arg("", &h, &g, err, sizeof err) == -1);
	CHECK(host_tree_read("/nonexistent/dir", "/x", &t, err, sizeof err) == -1);
	CHECK(strstr(err, "/nonexistent/dir") != NULL);
	CHECK(host_tree_read("/etc/hostname", "/x", &t, err, sizeof err) == -1);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir))
		return 1;
	RUN(reads_a_tree);
	RUN(a_tree_round_trips_through_a_bundle);
	RUN(dir_args_and_errors);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd)) {
		/* a leftover temp dir is not a test failure */
	}
	CHECK_DONE();
}
