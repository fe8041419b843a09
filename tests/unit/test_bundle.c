/*
 * test_bundle.c — the kernel's boot-bundle reader (images/parse/bundle_read.c) and
 * manifest lexer (images/parse/manifest.c) on good and hostile bundles:
 * truncations at every byte, lengths past the end, wrong counts, NULs in
 * strings, zero or two modules; manifests with every kind of syntax and
 * limit error (each reported with its line); tree nodes that escape,
 * repeat, or come before their directory; random mutations.
 */
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "../../images/parse/bundle_read.c"
#include "../../images/parse/manifest.c"
#include "../../images/parse/crc32c.c"

struct buf {
	uint8_t b[16384];
	size_t n;
	uint32_t count;
};

static void put_entry(struct buf *w, uint32_t kind, const void *data, uint64_t len)
{
	struct bundle_entry e = { kind, 0, len };

	memcpy(w->b + w->n, &e, sizeof e);
	w->n += sizeof e;
	memcpy(w->b + w->n, data, len);
	w->n += (len + 7) & ~7ull;
	w->count++;
}

static void finish(struct buf *w)
{
	struct bundle_header h = { .version = BUNDLE_VERSION, .count = w->count,
				   .size = w->n };

	memcpy(h.magic, BUNDLE_MAGIC, 8);
	memcpy(w->b, &h, sizeof h);
}

static struct buf good(void)
{
	static const uint8_t wasm[] = { 0, 'a', 's', 'm', 1, 0, 0, 0, 9 };
	uint32_t flags = BUNDLE_FLAG_VERBOSE;
	struct buf w = { .n = sizeof(struct bundle_header) };

	put_entry(&w, BUNDLE_ARG, "hello.wasm", 10);
	put_entry(&w, BUNDLE_MODULE, wasm, sizeof wasm);
	put_entry(&w, BUNDLE_ARG, "x y", 3);
	put_entry(&w, BUNDLE_ENV, "A=1", 3);
	put_entry(&w, BUNDLE_FLAGS, &flags, 4);
	put_entry(&w, 99, "ignored", 7);
	finish(&w);
	return w;
}

TEST(parses_a_good_bundle)
{
	struct buf w = good();
	struct boot_bundle b;
	const char *why;

	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), 0);
	CHECK_EQ_U64(b.module_len, 9);
	CHECK(b.module && b.module[1] == 'a' && b.module[8] == 9);
	CHECK_EQ_U64(b.argc, 2);
	CHECK(!strcmp(b.argv[0], "hello.wasm") && !strcmp(b.argv[1], "x y"));
	CHECK(b.argv[2] == NULL);
	CHECK_EQ_U64(b.envc, 1);
	CHECK(!strcmp(b.envp[0], "A=1") && b.envp[1] == NULL);
	CHECK_EQ_U64(b.flags, BUNDLE_FLAG_VERBOSE);
	bundle_free(&b);
	/* a larger buffer than the header's size is fine (loader rounds up) */
	CHECK_EQ_U64(bundle_parse(w.b, w.n + 100, &b, &why), 0);
	bundle_free(&b);
}

TEST(every_truncation_is_rejected)
{
	struct buf w = good();
	struct boot_bundle b;
	const char *why;

	for (size_t n = 0; n < w.n; n++) {
		CHECK_EQ_U64(bundle_parse(w.b, n, &b, &why), (uint64_t)-EINVAL);
		CHECK(why != NULL);
	}
}

TEST(hostile_headers_and_lengths)
{
	struct buf w;
	struct boot_bundle b;
	const char *why;
	struct bundle_entry e;

	w = good(); w.b[0] ^= 1;
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	w = good(); w.b[8] = 2;                                 /* version */
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	w = good(); w.b[12] += 1;                               /* count */
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	w = good(); w.b[12] -= 1;
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	/* first entry's length = 2^64-1, and = just past the end */
	w = good();
	memcpy(&e, w.b + 24, sizeof e);
	e.len = UINT64_MAX;
	memcpy(w.b + 24, &e, sizeof e);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	e.len = w.n - 24 - 16 + 1;
	memcpy(w.b + 24, &e, sizeof e);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	CHECK_EQ_U64(bundle_parse(NULL, 0, &b, &why), (uint64_t)-EINVAL);
}

TEST(module_count_flags_and_nul)
{
	struct buf w = { .n = sizeof(struct bundle_header) };
	struct boot_bundle b;
	const char *why;
	uint8_t m[4] = { 0, 'a', 's', 'm' };

	put_entry(&w, BUNDLE_ARG, "a", 1);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	CHECK(!strcmp(why, "no module"));
	w = (struct buf){ .n = sizeof(struct bundle_header) };
	put_entry(&w, BUNDLE_MODULE, m, 4);
	put_entry(&w, BUNDLE_MODULE, m, 4);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	w = (struct buf){ .n = sizeof(struct bundle_header) };
	put_entry(&w, BUNDLE_MODULE, m, 4);
	put_entry(&w, BUNDLE_FLAGS, m, 3);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	w = (struct buf){ .n = sizeof(struct bundle_header) };
	put_entry(&w, BUNDLE_MODULE, m, 4);
	put_entry(&w, BUNDLE_ENV, "A\0B", 3);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	/* module only, no args: argc 0, argv = { NULL } */
	w = (struct buf){ .n = sizeof(struct bundle_header) };
	put_entry(&w, BUNDLE_MODULE, m, 4);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), 0);
	CHECK(b.argc == 0 && b.argv && b.argv[0] == NULL);
	bundle_free(&b);
}

/* ---- the manifest and the trees ------------------------------------------ */

static const uint8_t wasm8[8] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };

static void put_node(struct buf *w, uint32_t pre, uint32_t kind, const char *path,
		     const void *data, size_t len)
{
	uint8_t tmp[512];
	struct bundle_node n = { pre, kind, (uint32_t)strlen(path) + 1, 0 };

	memcpy(tmp, &n, sizeof n);
	memcpy(tmp + sizeof n, path, n.path_len);
	if (len)
		memcpy(tmp + sizeof n + n.path_len, data, len);
	put_entry(w, BUNDLE_NODE, tmp, sizeof n + n.path_len + len);
}

static struct buf with_manifest(const char *text)
{
	struct buf w = { .n = sizeof(struct bundle_header) };

	put_entry(&w, BUNDLE_MANIFEST, text, strlen(text));
	put_entry(&w, BUNDLE_MODULE, wasm8, sizeof wasm8);
	return w;
}

static const char good_manifest[] =
	"# a comment\r\n"
	"wasmetal-manifest 1   # trailing comment\r\n"
	"\n"
	"console com1\n"
	"  log\tnone\n"
	"verbose yes\n"
	"arg prog.wasm\n"
	"arg \"two words \\\"q\\\" \\\\ \\n\\t\\r\\x7e \xc3\xa9\"\n"
	"arg \"\"\n"
	"env \"A=1\"\n"
	"env B==x\n"
	"preopen \"/data\"\n"
	"preopen .\n";

static struct buf good_tree(void)
{
	struct buf w = with_manifest(good_manifest);

	put_node(&w, 0, WASI_NODE_DIR, "sub", NULL, 0);
	put_node(&w, 1, WASI_NODE_FILE, "top", "T", 1);
	put_node(&w, 0, WASI_NODE_FILE, "sub/f", "a\0b", 3);
	put_node(&w, 0, WASI_NODE_SYMLINK, "sub/l", "../f", 4);
	put_node(&w, 0, WASI_NODE_FILE, "empty", "", 0);
	put_node(&w, 1, WASI_NODE_DIR, "sub", NULL, 0);       /* same path, other tree */
	finish(&w);
	return w;
}

TEST(manifest_and_trees)
{
	struct buf w = good_tree();
	struct boot_bundle b;
	const char *why;
	unsigned c, l;

	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), 0);
	if (why)
		fprintf(stderr, "why: %s (line %u)\n", why, b.bad_line);
	CHECK_EQ_U64(b.argc, 3);
	CHECK(b.argc == 3 && !strcmp(b.argv[0], "prog.wasm") &&
	      !strcmp(b.argv[1], "two words \"q\" \\ \n\t\r~ \xc3\xa9") &&
	      !strcmp(b.argv[2], "") && b.argv[3] == NULL);
	CHECK(b.envc == 2 && !strcmp(b.envp[0], "A=1") && !strcmp(b.envp[1], "B==x"));
	CHECK_EQ_U64(b.console, BUNDLE_PORT_COM1);
	CHECK_EQ_U64(b.log, BUNDLE_PORT_NONE);
	CHECK_EQ_U64(b.flags, BUNDLE_FLAG_VERBOSE);
	CHECK(b.module_len == 8 && b.manifest && b.manifest_len == strlen(good_manifest));
	CHECK_EQ_U64(b.npreopens, 2);
	CHECK_EQ_U64(b.nnodes, 6);
	CHECK(!strcmp(b.preopens[0].guest_path, "/data") &&
	      !strcmp(b.preopens[1].guest_path, "."));
	CHECK_EQ_U64(b.preopens[0].nentries, 4);
	CHECK_EQ_U64(b.preopens[1].nentries, 2);
	if (b.npreopens == 2 && b.preopens[0].nentries == 4 && b.preopens[1].nentries == 2) {
		const struct wasi_tree_entry *e = b.preopens[0].entries;

		CHECK(!strcmp(e[0].path, "sub") && e[0].kind == WASI_NODE_DIR && e[0].len == 0);
		CHECK(!strcmp(e[1].path, "sub/f") && e[1].kind == WASI_NODE_FILE &&
		      e[1].len == 3 && !memcmp(e[1].data, "a\0b", 3));
		CHECK(!strcmp(e[2].path, "sub/l") && e[2].kind == WASI_NODE_SYMLINK &&
		      e[2].len == 4 && !memcmp(e[2].data, "../f", 4));
		CHECK(!strcmp(e[3].path, "empty") && e[3].len == 0);
		e = b.preopens[1].entries;
		CHECK(!strcmp(e[0].path, "top") && e[0].len == 1 && e[0].data[0] == 'T');
		CHECK(!strcmp(e[1].path, "sub") && e[1].kind == WASI_NODE_DIR);
	}
	bundle_free(&b);
	bundle_serial_ports(w.b, w.n, &c, &l);
	CHECK(c == BUNDLE_PORT_COM1 && l == BUNDLE_PORT_NONE);
	w = good();                     /* no manifest: the CLI's defaults */
	bundle_serial_ports(w.b, w.n, &c, &l);
	CHECK(c == BUNDLE_PORT_COM2 && l == BUNDLE_PORT_COM1);
	w = with_manifest("wasmetal-manifest 1\nconsole com1\nbogus\n");
	finish(&w);
	bundle_serial_ports(w.b, w.n, &c, &l);  /* invalid: defaults */
	CHECK(c == BUNDLE_PORT_COM2 && l == BUNDLE_PORT_COM1);
}

TEST(manifest_truncations_rejected)
{
	struct buf w = good_tree();
	struct boot_bundle b;
	const char *why;

	for (size_t n = 0; n < w.n; n++)
		CHECK_EQ_U64(bundle_parse(w.b, n, &b, &why), (uint64_t)-EINVAL);
}

static const struct {
	const char *text;
	unsigned line;                  /* expected bad_line (0: don't care) */
} bad_manifests[] = {
	{ "", 0 },
	{ "# only a comment\n", 0 },
	{ "console com1\nwasmetal-manifest 1\n", 1 },
	{ "wasmetal-manifest 2\n", 1 },
	{ "wasmetal-manifest\n", 1 },
	{ "wasmetal-manifest 1\nwasmetal-manifest 1\n", 2 },
	{ "wasmetal-manifest 1\nbogus 1\n", 2 },
	{ "wasmetal-manifest 1\nArg x\n", 2 },
	{ "wasmetal-manifest 1\nconsole com1\nconsole com2\n", 3 },
	{ "wasmetal-manifest 1\nconsole none\n", 2 },
	{ "wasmetal-manifest 1\nconsole com3\n", 2 },
	{ "wasmetal-manifest 1\nlog\n", 2 },
	{ "wasmetal-manifest 1\nverbose maybe\n", 2 },
	{ "wasmetal-manifest 1\n\narg \"a\\qb\"\n", 3 },
	{ "wasmetal-manifest 1\narg \"\\x00\"\n", 2 },
	{ "wasmetal-manifest 1\narg \"\\x4\"\n", 2 },
	{ "wasmetal-manifest 1\narg \"\\xg1\"\n", 2 },
	{ "wasmetal-manifest 1\narg \"abc\n", 2 },
	{ "wasmetal-manifest 1\narg \"abc\\\"\n", 2 },
	{ "wasmetal-manifest 1\narg \"a\\", 2 },
	{ "wasmetal-manifest 1\narg \"a\x01\"\n", 2 },
	{ "wasmetal-manifest 1\narg \"a\x7f\"\n", 2 },
	{ "wasmetal-manifest 1\narg two words\n", 2 },
	{ "wasmetal-manifest 1\narg \"x\"y\n", 2 },
	{ "wasmetal-manifest 1\narg a\\b\n", 2 },
	{ "wasmetal-manifest 1\narg \xc3\xa9\n", 2 },
	{ "wasmetal-manifest 1\narg\n", 2 },
	{ "wasmetal-manifest 1\nenv NOEQ\n", 2 },
	{ "wasmetal-manifest 1\nenv =x\n", 2 },
	{ "wasmetal-manifest 1\npreopen \"\"\n", 2 },
	{ "wasmetal-manifest 1\npreopen\n", 2 },
	/* disks (issue 11): a file name last, once each, at most 8 */
	{ "wasmetal-manifest 1\ndisk\n", 2 },
	{ "wasmetal-manifest 1\ndisk \"\"\n", 2 },
	{ "wasmetal-manifest 1\ndisk /dev/\n", 2 },
	{ "wasmetal-manifest 1\ndisk /dev/..\n", 2 },
	{ "wasmetal-manifest 1\ndisk-ro .\n", 2 },
	{ "wasmetal-manifest 1\ndisk \"/d/\xff\"\n", 2 },
	{ "wasmetal-manifest 1\ndisk /a/b\ndisk-ro /a/b\n", 3 },
	{ "wasmetal-manifest 1\ndisk a0\ndisk a1\ndisk a2\ndisk a3\ndisk a4\n"
	  "disk a5\ndisk a6\ndisk a7\ndisk a8\n", 10 },
	{ "wasmetal-manifest 1\ndisk-rw /a/b\n", 2 },
};

TEST(manifest_errors_name_their_line)
{
	struct boot_bundle b;
	const char *why;

	for (size_t i = 0; i < sizeof bad_manifests / sizeof bad_manifests[0]; i++) {
		struct buf w = with_manifest(bad_manifests[i].text);
		int r;

		finish(&w);
		r = bundle_parse(w.b, w.n, &b, &why);
		CHECK_MSG(r == -EINVAL && why &&
			  (!bad_manifests[i].line || b.bad_line == bad_manifests[i].line),
			  "manifest %zu: r %d line %u why %s", i, r, b.bad_line,
			  why ? why : "-");
	}
}

/* issue 11: `disk` / `disk-ro`: in order (disk N = serial N), each in the
 * preopen of its directory, or in one of its own after the others. */
TEST(manifest_disks)
{
	struct buf w = with_manifest("wasmetal-manifest 1\npreopen \"/data\"\n"
				     "disk /dev/vda\ndisk-ro \"/data/x.img\"\n"
				     "disk /dev/vdb\ndisk top.img\ndisk /root.img\n");
	struct boot_bundle b;
	const char *why;

	finish(&w);
	REQUIRE(bundle_parse(w.b, w.n, &b, &why) == 0);
	CHECK_EQ_U64(b.ndisks, 5);
	CHECK_EQ_U64(b.npreopens, 4);   /* /data, then /dev, ".", "/" */
	if (b.ndisks == 5 && b.npreopens == 4) {
		CHECK(!strcmp(b.preopens[1].guest_path, "/dev") &&
		      b.preopens[1].nentries == 0);
		CHECK(!strcmp(b.preopens[2].guest_path, "."));
		CHECK(!strcmp(b.preopens[3].guest_path, "/"));
		CHECK(!strcmp(b.disks[0].name, "vda") && b.disks[0].preopen == 1 &&
		      !b.disks[0].read_only);
		CHECK(!strcmp(b.disks[1].name, "x.img") && b.disks[1].preopen == 0 &&
		      b.disks[1].read_only);
		CHECK(!strcmp(b.disks[2].name, "vdb") && b.disks[2].preopen == 1);
		CHECK(!strcmp(b.disks[3].name, "top.img") && b.disks[3].preopen == 2);
		CHECK(!strcmp(b.disks[4].name, "root.img") && b.disks[4].preopen == 3);
	}
	bundle_free(&b);
}

TEST(manifest_limits)
{
	static char text[BUNDLE_MAX_PREOPENS * 16 + 64];
	static char big[BUNDLE_MAX_PATH + 64];
	struct boot_bundle b;
	const char *why;
	struct buf w;
	size_t n;

	n = (size_t)sprintf(text, "wasmetal-manifest 1\n");
	for (int i = 0; i < BUNDLE_MAX_PREOPENS; i++)
		n += (size_t)sprintf(text + n, "preopen /p%d\n", i);
	w = with_manifest(text);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), 0);
	CHECK_EQ_U64(b.npreopens, BUNDLE_MAX_PREOPENS);
	bundle_free(&b);
	sprintf(text + n, "preopen /one-too-many\n");
	w = with_manifest(text);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	CHECK_EQ_U64(b.bad_line, BUNDLE_MAX_PREOPENS + 2);
	/* a guest path of BUNDLE_MAX_PATH bytes is fine, one more is not */
	n = (size_t)sprintf(big, "wasmetal-manifest 1\npreopen ");
	memset(big + n, 'p', BUNDLE_MAX_PATH);
	strcpy(big + n + BUNDLE_MAX_PATH, "\n");
	w = with_manifest(big);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), 0);
	bundle_free(&b);
	big[n + BUNDLE_MAX_PATH] = 'p';
	strcpy(big + n + BUNDLE_MAX_PATH + 1, "\n");
	w = with_manifest(big);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	/* NUL in the text; two manifests; manifest + old ARG entries */
	w = (struct buf){ .n = sizeof(struct bundle_header) };
	put_entry(&w, BUNDLE_MANIFEST, "wasmetal-manifest 1\n# \0\n", 24);
	put_entry(&w, BUNDLE_MODULE, wasm8, 8);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	w = with_manifest("wasmetal-manifest 1\n");
	put_entry(&w, BUNDLE_MANIFEST, "wasmetal-manifest 1\n", 20);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	w = with_manifest("wasmetal-manifest 1\n");
	put_entry(&w, BUNDLE_ARG, "x", 1);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
}

/* One bad node after a good "d" directory in preopen 0. */
static int parse_with_node(uint32_t pre, uint32_t kind, const char *path,
			   const void *data, size_t len)
{
	struct buf w = with_manifest("wasmetal-manifest 1\npreopen /a\n");
	struct boot_bundle b;
	const char *why;
	int r;

	put_node(&w, 0, WASI_NODE_DIR, "d", NULL, 0);
	put_node(&w, 0, WASI_NODE_FILE, "d/f", "x", 1);
	put_node(&w, pre, kind, path, data, len);
	finish(&w);
	r = bundle_parse(w.b, w.n, &b, &why);
	if (!r)
		bundle_free(&b);
	return r;
}

TEST(hostile_nodes)
{
	struct boot_bundle b;
	const char *why;
	struct buf w;
	uint8_t raw[64];
	struct bundle_node n;

	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_FILE, "d/g", "y", 1), 0);
	CHECK_EQ_U64(parse_with_node(1, WASI_NODE_FILE, "g", "", 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_FILE, "/abs", "", 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_FILE, "d//g", "", 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_FILE, "d/", "", 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_FILE, "d/./g", "", 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_FILE, "d/..", "", 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_FILE, "..", "", 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_FILE, ".", "", 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_DIR, "e", "x", 1), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_SYMLINK, "s", "", 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_SYMLINK, "s", "a\0b", 3), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, 9, "k", "", 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, 0, "k", "", 0), (uint64_t)-EINVAL);
	/* a parent that is missing, later, or not a directory; a repeat */
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_FILE, "x/y", "", 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_FILE, "d/f/y", "", 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_DIR, "d", NULL, 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(parse_with_node(0, WASI_NODE_FILE, "d/f", "z", 1), (uint64_t)-EINVAL);
	w = with_manifest("wasmetal-manifest 1\npreopen /a\n");
	put_node(&w, 0, WASI_NODE_FILE, "d/f", "x", 1);
	put_node(&w, 0, WASI_NODE_DIR, "d", NULL, 0);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	/* nodes without a manifest; reserved field; path without its NUL,
	   path_len past the entry, path_len 0 */
	w = (struct buf){ .n = sizeof(struct bundle_header) };
	put_entry(&w, BUNDLE_MODULE, wasm8, 8);
	put_node(&w, 0, WASI_NODE_DIR, "d", NULL, 0);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	for (int k = 0; k < 4; k++) {
		n = (struct bundle_node){ 0, WASI_NODE_FILE, 2, 0 };
		memcpy(raw + sizeof n, "ab", 2);        /* no NUL in path_len 2 */
		if (k == 1)
			n.reserved = 1, memcpy(raw + sizeof n, "a\0", 2);
		if (k == 2)
			n.path_len = 100, memcpy(raw + sizeof n, "a\0", 2);
		if (k == 3)
			n.path_len = 0;
		memcpy(raw, &n, sizeof n);
		w = with_manifest("wasmetal-manifest 1\npreopen /a\n");
		put_entry(&w, BUNDLE_NODE, raw, sizeof n + 2);
		finish(&w);
		CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	}
	w = with_manifest("wasmetal-manifest 1\npreopen /a\n");
	put_entry(&w, BUNDLE_NODE, raw, 10);            /* shorter than the header */
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
}

/* ---- regressions from the hostile images (tests/images/hostile_images.sh) -- */

/* parse_with_node's bundle, with what the parser said and its line. */
static int node_verdict(uint32_t kind, const char *path, const void *data, size_t len,
			const char **why, unsigned *line)
{
	struct buf w = with_manifest("wasmetal-manifest 1\npreopen /a\n");
	struct boot_bundle b;
	int r;

	put_node(&w, 0, WASI_NODE_DIR, "d", NULL, 0);
	put_node(&w, 0, kind, path, data, len);
	finish(&w);
	r = bundle_parse(w.b, w.n, &b, why);
	*line = b.bad_line;
	if (!r)
		bundle_free(&b);
	return r;
}

/* A bad node was reported as "manifest line N" (N: the manifest's last
 * line, left over from reading it). */
TEST(node_error_names_no_manifest_line)
{
	const char *why;
	unsigned line = 99;

	CHECK_EQ_U64(node_verdict(WASI_NODE_FILE, "d/../x", "", 0, &why, &line),
		     (uint64_t)-EINVAL);
	CHECK(why && !strcmp(why, "node path not a clean relative path"));
	CHECK_EQ_U64(line, 0);
	CHECK_EQ_U64(node_verdict(WASI_NODE_FILE, "x/y", "", 0, &why, &line),
		     (uint64_t)-EINVAL);
	CHECK(why && !strcmp(why, "a node's directory is missing or comes after it"));
	CHECK_EQ_U64(line, 0);
}

/* The kernel's WASI layer refused these trees at setup (wasi_ctx.c
 * tree_add) after the bundle's parser, and so `wasmetal inspect`, had
 * accepted them: now the parser refuses them too. */
TEST(node_path_not_utf8_refused)
{
	const char *why;
	unsigned line;

	CHECK_EQ_U64(node_verdict(WASI_NODE_FILE, "d/bad\xff\xfe", "", 0, &why, &line),
		     (uint64_t)-EINVAL);
	CHECK(why && !strcmp(why, "node path is not UTF-8"));
	CHECK_EQ_U64(node_verdict(WASI_NODE_FILE, "d/\xc0\xaf", "", 0, &why, &line),
		     (uint64_t)-EINVAL);       /* an overlong '/' */
	CHECK_EQ_U64(node_verdict(WASI_NODE_FILE, "d/\xc3\xa9t\xc3\xa9", "", 0, &why, &line), 0);
}

TEST(node_name_over_255_refused)
{
	char path[300] = "d/";
	const char *why;
	unsigned line;

	memset(path + 2, 'n', 255);
	CHECK_EQ_U64(node_verdict(WASI_NODE_FILE, path, "", 0, &why, &line), 0);
	path[2 + 255] = 'n';
	CHECK_EQ_U64(node_verdict(WASI_NODE_FILE, path, "", 0, &why, &line),
		     (uint64_t)-EINVAL);
	CHECK(why && !strcmp(why, "node path has a name longer than 255 bytes"));
}

TEST(symlink_target_not_utf8_refused)
{
	const char *why;
	unsigned line;

	CHECK_EQ_U64(node_verdict(WASI_NODE_SYMLINK, "d/l", "f\xff", 2, &why, &line),
		     (uint64_t)-EINVAL);
	CHECK(why && !strcmp(why, "symlink target empty, too long, with NUL or not UTF-8"));
	CHECK_EQ_U64(node_verdict(WASI_NODE_SYMLINK, "d/l", "../f", 4, &why, &line), 0);
}

/* A header size below the header's own 24 bytes was reported as "larger
 * than the bundle". */
TEST(header_size_below_header_says_so)
{
	struct buf w = good();
	struct boot_bundle b;
	const char *why;
	uint64_t size = 8;

	memcpy(w.b + 16, &size, 8);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	CHECK(why && !strcmp(why, "header size smaller than the header"));
}

/* With a module and a spec blob, the kernel ran the blob and ignored the
 * module, while inspect described the module. */
TEST(module_and_spec_blob_refused)
{
	struct buf w = { .n = sizeof(struct bundle_header) };
	struct boot_bundle b;
	const char *why;

	put_entry(&w, BUNDLE_MODULE, wasm8, sizeof wasm8);
	put_entry(&w, BUNDLE_SPEC, "WMSPEC01", 8);
	finish(&w);
	CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
	CHECK(why && !strcmp(why, "both a module and a spec blob"));
}

/* `arg "\x4"` was "unterminated string": the scanner skipped four bytes
 * for any \x and took the closing quote as a hex digit. */
TEST(short_hex_escape_named_as_such)
{
	static const char *const lines[] = {
		"arg \"\\x4\"\n", "arg \"\\x\"\n", "arg \"ab\\x4", "arg \"\\xg0\"\n",
	};

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		char text[128];
		struct buf w;
		struct boot_bundle b;
		const char *why = NULL;

		snprintf(text, sizeof text, "wasmetal-manifest 1\n%s", lines[i]);
		w = with_manifest(text);
		finish(&w);
		CHECK_EQ_U64(bundle_parse(w.b, w.n, &b, &why), (uint64_t)-EINVAL);
		CHECK(why && !strcmp(why, "\\x needs two hex digits"));
		CHECK_EQ_U64(b.bad_line, 2);
	}
}

/* Random byte changes in a good bundle: parse or refuse, never crash. */
TEST(mutations_never_crash)
{
	struct buf g = good_tree(), w;
	struct boot_bundle b;
	const char *why;
	unsigned seed = 12345, ok = 0;
	unsigned c, l;

	for (int i = 0; i < 20000; i++) {
		w = g;
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			w.b[24 + (seed >> 8) % (w.n - 24)] = (uint8_t)(seed >> 20);
		}
		if (bundle_parse(w.b, w.n, &b, &why) == 0) {
			ok++;
			bundle_free(&b);
		}
		bundle_serial_ports(w.b, w.n, &c, &l);
	}
	CHECK(ok > 0);
}

/* ---- module-crc32c (issue 11: the kernel's check of a bundle's artifact) -- */

/* CRC-32C one bit at a time: the definition the tables must agree with */
static uint32_t crc_bitwise(const uint8_t *p, size_t n)
{
	uint32_t c = ~0u;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? c >> 1 ^ 0x82f63b78u : c >> 1;
	}
	return ~c;
}

TEST(crc32c_known_values_every_length_and_alignment)
{
	static uint8_t data[300];

	CHECK_EQ_U64(crc32c("123456789", 9), 0xe3069283u);      /* the check value */
	CHECK_EQ_U64(crc32c("", 0), 0);
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 37 + 11);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n + off <= sizeof data; n += 7)
			CHECK_EQ_U64(crc32c(data + off, n), crc_bitwise(data + off, n));
}

static int parse_crc_line(const char *line, struct boot_bundle *b, const char **why)
{
	char text[128];
	struct buf w;

	snprintf(text, sizeof text, "wasmetal-manifest 1\n%s", line);
	w = with_manifest(text);
	finish(&w);
	return bundle_parse(w.b, w.n, b, why);
}

TEST(module_crc32c_checked_against_the_module)
{
	struct boot_bundle b;
	const char *why;
	char line[64];
	uint32_t crc = crc32c(wasm8, sizeof wasm8);

	snprintf(line, sizeof line, "module-crc32c 0x%08x\n", crc);
	REQUIRE(parse_crc_line(line, &b, &why) == 0);
	CHECK(b.has_module_crc && b.module_crc32c == crc);
	bundle_free(&b);
	REQUIRE(parse_crc_line("arg x\n", &b, &why) == 0);
	CHECK(!b.has_module_crc);                       /* no line: no CRC */
	bundle_free(&b);
	/* another CRC (one bit off): the bundle is refused, not run */
	snprintf(line, sizeof line, "module-crc32c 0x%08x\n", crc ^ 0x100);
	CHECK_EQ_U64(parse_crc_line(line, &b, &why), (uint64_t)-EINVAL);
	CHECK(why && strstr(why, "CRC-32C is not the manifest's module-crc32c"));
	CHECK_EQ_U64(b.bad_line, 0);                    /* not a syntax error */
	/* malformed values and a second line: errors of line 2 or 3 */
	static const char *const bad[] = {
		"module-crc32c 0x1234567\n", "module-crc32c 1234567890\n",
		"module-crc32c 0x1234567G\n", "module-crc32c 0X12345678\n",
		"module-crc32c 0x12345678a\n", "module-crc32c \"0x12345678\"\n",
		"module-crc32c\n", "module-crc32c 0xABCDEF01\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_EQ_U64(parse_crc_line(bad[i], &b, &why), (uint64_t)-EINVAL);
		CHECK_EQ_U64(b.bad_line, 2);
	}
	snprintf(line, sizeof line, "module-crc32c 0x%08x\nmodule-crc32c 0x%08x\n", crc, crc);
	CHECK_EQ_U64(parse_crc_line(line, &b, &why), (uint64_t)-EINVAL);
	CHECK_EQ_U64(b.bad_line, 3);
}

int main(void)
{
	RUN(parses_a_good_bundle);
	RUN(every_truncation_is_rejected);
	RUN(hostile_headers_and_lengths);
	RUN(module_count_flags_and_nul);
	RUN(manifest_and_trees);
	RUN(manifest_truncations_rejected);
	RUN(manifest_errors_name_their_line);
	RUN(manifest_disks);
	RUN(manifest_limits);
	RUN(hostile_nodes);
	RUN(mutations_never_crash);
	RUN(node_error_names_no_manifest_line);
	RUN(node_path_not_utf8_refused);
	RUN(node_name_over_255_refused);
	RUN(symlink_target_not_utf8_refused);
	RUN(header_size_below_header_says_so);
	RUN(module_and_spec_blob_refused);
	RUN(short_hex_escape_named_as_such);
	RUN(crc32c_known_values_every_length_and_alignment);
	RUN(module_crc32c_checked_against_the_module);
	CHECK_DONE();
}
