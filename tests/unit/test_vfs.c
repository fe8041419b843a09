/*
 * test_vfs.c — unit tests of wasi-baremetal/vfs.c: path resolution never
 * leaves its base directory ("..", absolute paths, symlink chains that
 * point out, loops), trailing slashes, the budget, and the checks of the
 * image's trees in wasi_ctx_create (hostile struct wasi_tree_entry).
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include "check.h"
#include "vfs.h"
#include "wasi.h"
#include "wasi_abi.h"
#include "plat_host.h"

static struct vfs *fs;
static struct vfs_node *root, *a, *b, *f;

static struct vfs_node *mk(struct vfs_node *dir, const char *name, uint8_t type,
			   const char *data)
{
	struct vfs_node *n = vfs_node_new(fs, type);

	if (data)
		vfs_write(n, 0, data, strlen(data));
	vfs_link(dir, name, n);
	return n;
}

/* root/ a/ b/ f="hello"; symlinks in root and a */
static void build(void)
{
	fs = vfs_new();
	root = vfs_node_new(fs, WASI_FILETYPE_DIRECTORY);
	root->nlink = 1;
	a = mk(root, "a", WASI_FILETYPE_DIRECTORY, NULL);
	b = mk(a, "b", WASI_FILETYPE_DIRECTORY, NULL);
	f = mk(b, "f", WASI_FILETYPE_REGULAR_FILE, "hello");
	mk(root, "l1", WASI_FILETYPE_SYMBOLIC_LINK, "a/b");
	mk(root, "l2", WASI_FILETYPE_SYMBOLIC_LINK, "l1/f");
	mk(root, "up", WASI_FILETYPE_SYMBOLIC_LINK, "..");
	mk(a, "upok", WASI_FILETYPE_SYMBOLIC_LINK, "../l1");
	mk(a, "upbad", WASI_FILETYPE_SYMBOLIC_LINK, "../../x");
	mk(root, "abs", WASI_FILETYPE_SYMBOLIC_LINK, "/etc/passwd");
	mk(root, "loop1", WASI_FILETYPE_SYMBOLIC_LINK, "loop2");
	mk(root, "loop2", WASI_FILETYPE_SYMBOLIC_LINK, "loop1");
	mk(root, "self", WASI_FILETYPE_SYMBOLIC_LINK, "self/x");
	mk(root, "dangling", WASI_FILETYPE_SYMBOLIC_LINK, "nothere");
	mk(root, "tofile", WASI_FILETYPE_SYMBOLIC_LINK, "a/b/f");
}

static int res(struct vfs_node *base, const char *p, bool follow, struct vfs_walk *w)
{
	return vfs_resolve(base, p, strlen(p), follow, w);
}

TEST(plain_paths)
{
	struct vfs_walk w;

	CHECK_EQ_U64(res(root, "a/b/f", false, &w), 0);
	CHECK(w.node == f && w.dir == b && !strcmp(w.name, "f"));
	CHECK_EQ_U64(res(root, "a//./b///f", false, &w), 0);
	CHECK(w.node == f);
	CHECK_EQ_U64(res(root, "a/b/../b/f", false, &w), 0);
	CHECK(w.node == f);
	CHECK_EQ_U64(res(root, ".", false, &w), 0);
	CHECK(w.node == root && w.name[0] == 0);
	CHECK_EQ_U64(res(root, "a/..", false, &w), 0);
	CHECK(w.node == root && w.dir == root && w.name[0] == 0);
	CHECK_EQ_U64(res(root, "a/b/", false, &w), 0);
	CHECK(w.node == b && w.trailing_slash);
	CHECK_EQ_U64(res(root, "a/new", false, &w), 0);
	CHECK(w.node == NULL && w.dir == a && !strcmp(w.name, "new"));
	CHECK_EQ_U64(res(root, "a/nope/x", false, &w), WASI_ENOENT);
	CHECK_EQ_U64(res(root, "a/b/f/x", false, &w), WASI_ENOTDIR);
	CHECK_EQ_U64(res(root, "a/b/f/", false, &w), WASI_ENOTDIR);
	CHECK_EQ_U64(res(root, "", false, &w), WASI_ENOENT);
	CHECK_EQ_U64(vfs_resolve(root, "a\0b", 3, false, &w), WASI_EINVAL);
	CHECK_EQ_U64(res(root, "a/\xff", false, &w), WASI_EILSEQ);
	CHECK_EQ_U64(res(root, "a/\xc0\xaf", false, &w), WASI_EILSEQ);   /* overlong '/' */
	CHECK_EQ_U64(res(root, "a/\xc3\xa9t\xc3\xa9", false, &w), 0);       /* UTF-8 ok */
	/* From a subdirectory: b is the base, its own tree only. */
	CHECK_EQ_U64(res(b, "f", false, &w), 0);
	CHECK(w.node == f);
}

TEST(escapes)
{
	struct vfs_walk w;
	char big[300];

	CHECK_EQ_U64(res(root, "..", false, &w), WASI_EPERM);
	CHECK_EQ_U64(res(root, "../root", false, &w), WASI_EPERM);
	CHECK_EQ_U64(res(root, "a/../..", false, &w), WASI_EPERM);
	CHECK_EQ_U64(res(root, "a/b/../../../a", false, &w), WASI_EPERM);
	CHECK_EQ_U64(res(root, "/a", false, &w), WASI_EPERM);
	CHECK_EQ_U64(res(root, "/", false, &w), WASI_EPERM);
	CHECK_EQ_U64(res(root, "//a", false, &w), WASI_EPERM);
	/* The base is the sandbox, even when it has a parent: b can't see a. */
	CHECK_EQ_U64(res(b, "..", false, &w), WASI_EPERM);
	CHECK_EQ_U64(res(b, "../b/f", false, &w), WASI_EPERM);
	/* Symlinks: ".." in a target counts from where the link is. */
	CHECK_EQ_U64(res(root, "up", false, &w), 0);            /* not followed */
	CHECK_EQ_U64(res(root, "up", true, &w), WASI_EPERM);
	CHECK_EQ_U64(res(root, "up/a", false, &w), WASI_EPERM);
	CHECK_EQ_U64(res(root, "a/upok/f", false, &w), 0);
	CHECK(w.node == f);
	CHECK_EQ_U64(res(root, "a/upbad", true, &w), WASI_EPERM);
	CHECK_EQ_U64(res(a, "upok/f", false, &w), WASI_EPERM);   /* ../l1 from base a */
	CHECK_EQ_U64(res(root, "abs", true, &w), WASI_EPERM);
	CHECK_EQ_U64(res(root, "abs/x", false, &w), WASI_EPERM);
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = 0;
	CHECK_EQ_U64(res(root, big, false, &w), WASI_ENAMETOOLONG);
}

TEST(symlinks)
{
	struct vfs_walk w;

	CHECK_EQ_U64(res(root, "l1/f", false, &w), 0);
	CHECK(w.node == f);
	CHECK_EQ_U64(res(root, "l2", true, &w), 0);             /* l2 -> l1/f -> a/b/f */
	CHECK(w.node == f && w.dir == b);
	CHECK_EQ_U64(res(root, "l2", false, &w), 0);
	CHECK(w.node && w.node->type == WASI_FILETYPE_SYMBOLIC_LINK && w.dir == root);
	CHECK_EQ_U64(res(root, "l1/", false, &w), 0);           /* slash follows */
	CHECK(w.node == b);
	CHECK_EQ_U64(res(root, "tofile/", false, &w), WASI_ENOTDIR);
	CHECK_EQ_U64(res(root, "loop1", true, &w), WASI_ELOOP);
	CHECK_EQ_U64(res(root, "loop1", false, &w), 0);
	CHECK_EQ_U64(res(root, "loop1/x", false, &w), WASI_ELOOP);
	CHECK_EQ_U64(res(root, "self", true, &w), WASI_ELOOP);
	CHECK_EQ_U64(res(root, "dangling", true, &w), 0);       /* creatable */
	CHECK(w.node == NULL && w.dir == root && !strcmp(w.name, "nothere"));
	CHECK_EQ_U64(res(root, "dangling/x", false, &w), WASI_ENOENT);
}

TEST(links_and_budget)
{
	struct vfs_walk w;
	struct vfs_node *n;
	static char chunk[1 << 20];

	CHECK_EQ_U64(vfs_link(root, "hard", f), 0);
	CHECK_EQ_U64(vfs_nlink(f), 2);
	CHECK_EQ_U64(vfs_unlink(b, "f"), 0);
	CHECK_EQ_U64(vfs_nlink(f), 1);
	CHECK_EQ_U64(res(root, "hard", false, &w), 0);
	CHECK(w.node == f && f->size == 5);
	CHECK(vfs_is_ancestor(a, b) && !vfs_is_ancestor(b, a));
	CHECK_EQ_U64(vfs_nlink(root), 3);                       /* ".", name, a/.. */
	/* A removed directory held open refuses new entries. */
	vfs_node_ref(b);
	CHECK_EQ_U64(vfs_unlink(a, "b"), 0);
	CHECK_EQ_U64(res(b, "new", false, &w), WASI_ENOENT);
	n = vfs_node_new(fs, WASI_FILETYPE_REGULAR_FILE);
	CHECK_EQ_U64(vfs_link(b, "x", n), WASI_ENOENT);
	vfs_node_unref(n);
	vfs_node_unref(b);                                      /* freed now */
	/* The budget: VFS_GROW_BYTES over what the tree used. */
	vfs_seal_budget(fs);
	n = vfs_node_new(fs, WASI_FILETYPE_REGULAR_FILE);
	CHECK_EQ_U64(vfs_link(root, "big", n), 0);
	int err = 0;
	uint64_t off = 0;
	while (!err && off < 2 * VFS_GROW_BYTES) {
		err = vfs_write(n, off, chunk, sizeof(chunk));
		off += sizeof(chunk);
	}
	CHECK_EQ_U64(err, WASI_ENOSPC);
	CHECK(n->size <= VFS_GROW_BYTES);
	CHECK_EQ_U64(vfs_set_size(n, UINT64_MAX / 2), WASI_ENOSPC);
	CHECK_EQ_U64(vfs_unlink(root, "big"), 0);               /* space comes back */
	n = vfs_node_new(fs, WASI_FILETYPE_REGULAR_FILE);
	CHECK_EQ_U64(vfs_set_size(n, VFS_GROW_BYTES / 2), 0);
	vfs_node_unref(n);
}

/* Hostile trees: wasi_ctx_create refuses them with a reason. */
static int bad_tree(const char *path, uint8_t kind, const char *data, char *why)
{
	struct wasi_tree_entry e[2] = {
		{ "d", WASI_NODE_DIR, NULL, 0 },
		{ path, kind, (const uint8_t *)data, data ? strlen(data) : 0 },
	};
	struct wasi_preopen p = { "/x", 2, e };
	struct wasi_config cfg = { .npreopens = 1, .preopens = &p };
	struct wasi_ctx *ctx = wasi_ctx_create(&cfg, why, 256);

	wasi_ctx_free(ctx);
	return ctx != NULL;
}

TEST(hostile_trees)
{
	char why[256];

	CHECK(bad_tree("d/ok", WASI_NODE_FILE, "x", why));
	CHECK(bad_tree("d/l", WASI_NODE_SYMLINK, "../../../etc", why)); /* data only */
	CHECK(!bad_tree("../x", WASI_NODE_FILE, "x", why));
	CHECK(strstr(why, "\".\" or \"..\"") != NULL);
	CHECK(!bad_tree("d/./x", WASI_NODE_FILE, "x", why));
	CHECK(!bad_tree("/etc", WASI_NODE_DIR, NULL, why));
	CHECK(strstr(why, "absolute") != NULL);
	CHECK(!bad_tree("d//x", WASI_NODE_FILE, NULL, why));
	CHECK(!bad_tree("d/", WASI_NODE_DIR, NULL, why));
	CHECK(!bad_tree("", WASI_NODE_DIR, NULL, why));
	CHECK(!bad_tree(NULL, WASI_NODE_DIR, NULL, why));
	CHECK(!bad_tree("e/x", WASI_NODE_FILE, NULL, why));     /* no parent */
	CHECK(strstr(why, "parent") != NULL);
	CHECK(!bad_tree("d", WASI_NODE_FILE, NULL, why));       /* duplicate */
	CHECK(strstr(why, "duplicate") != NULL);
	CHECK(!bad_tree("d/x", 9, NULL, why));
	CHECK(!bad_tree("d/l", WASI_NODE_SYMLINK, "", why));
	CHECK(!bad_tree("d/\xff", WASI_NODE_FILE, NULL, why));
	/* A file used as a parent. */
	struct wasi_tree_entry e[2] = {
		{ "f", WASI_NODE_FILE, (const uint8_t *)"1", 1 },
		{ "f/x", WASI_NODE_FILE, NULL, 0 },
	};
	struct wasi_preopen p = { "/x", 2, e };
	struct wasi_config cfg = { .npreopens = 1, .preopens = &p };
	CHECK(wasi_ctx_create(&cfg, why, sizeof(why)) == NULL);
	p.guest_path = "";
	p.nentries = 1;
	CHECK(wasi_ctx_create(&cfg, why, sizeof(why)) == NULL);
	p.guest_path = NULL;
	CHECK(wasi_ctx_create(&cfg, why, sizeof(why)) == NULL);
	p.guest_path = "/x";
	p.entries = NULL;
	CHECK(wasi_ctx_create(&cfg, why, sizeof(why)) == NULL);
}

/* 100,000 files in one directory (a hostile image's tree): setup looked
 * up each name in the directory before adding it, quadratic: 35 s of CPU
 * here, minutes under QEMU's TCG.  Now a hash of the paths: well under a
 * second (the bound leaves room for sanitizers and a loaded machine; it
 * counts this process's CPU time, not the wall clock). */
TEST(big_flat_tree_loads_in_linear_time)
{
	enum { N = 100000 };
	struct wasi_tree_entry *e = calloc(N + 2, sizeof *e);
	char (*names)[24] = calloc(N + 1, sizeof *names), why[256];
	struct wasi_preopen p = { "/big", N + 1, e };
	struct wasi_config cfg = { .npreopens = 1, .preopens = &p };
	struct wasi_ctx *ctx;
	clock_t t0;

	e[0] = (struct wasi_tree_entry){ "d", WASI_NODE_DIR, NULL, 0 };
	for (unsigned i = 1; i <= N; i++) {
		snprintf(names[i], sizeof names[i], "d/f%06u", i);
		e[i] = (struct wasi_tree_entry){ names[i], WASI_NODE_FILE, NULL, 0 };
	}
	t0 = clock();
	ctx = wasi_ctx_create(&cfg, why, sizeof why);
	CHECK(ctx != NULL);
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 3.0);
	wasi_ctx_free(ctx);
	/* the same path twice, far apart: still found */
	e[N + 1] = (struct wasi_tree_entry){ names[7], WASI_NODE_FILE, NULL, 0 };
	p.nentries = N + 2;
	CHECK(wasi_ctx_create(&cfg, why, sizeof why) == NULL);
	CHECK(strstr(why, "entry 100001 \"d/f000007\": duplicate path") != NULL);
	free(e);
	free(names);
}

int main(void)
{
	plat_host_init();
	build();
	RUN(plain_paths);
	RUN(escapes);
	RUN(symlinks);
	RUN(links_and_budget);
	RUN(hostile_trees);
	RUN(big_flat_tree_loads_in_linear_time);
	vfs_free(fs);
	CHECK_DONE();
}
