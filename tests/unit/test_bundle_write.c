/*
 * test_bundle_write.c — the boot bundle writer (images/bundle.c) against the
 * format in images/bundle.h: entry order, lengths, padding, header size,
 * the manifest's text, a round trip through the kernel's own parser
 * (images/parse/bundle_read.c, in the host library too) with every
 * awkward byte in strings and a tree, and the inputs it must refuse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "bundle.h"
#include "image.h"
#include "wasi.h"
#include "../../images/parse/bundle_parse.h"

static char dir[] = "/tmp/test_bundle_write.XXXXXX";
static char wasm[64], wat_not_wasm[64], out[64];

static size_t slurp(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	fwrite(p, 1, n, f);
	fclose(f);
}

/* Walk the entries; returns the number seen, fills kinds/lens. */
static unsigned walk(const uint8_t *b, size_t n, uint32_t *kinds, uint64_t *lens,
		     const uint8_t **data, unsigned max)
{
	size_t off = sizeof(struct bundle_header);
	unsigned i = 0;

	while (off + sizeof(struct bundle_entry) <= n && i < max) {
		struct bundle_entry e;

		memcpy(&e, b + off, sizeof(e));
		off += sizeof(e);
		if (e.len > n - off)
			break;
		kinds[i] = e.kind;
		lens[i] = e.len;
		data[i] = b + off;
		off += (e.len + 7) & ~7ull;
		i++;
	}
	return i;
}

TEST(layout)
{
	static const uint8_t mod[] = { 0, 'a', 's', 'm', 1, 0, 0, 0, 0x42 };
	const char *argv[] = { "prog", "x y" };
	const char *envp[] = { "A=1" };
	struct image_spec s = { .module_path = wasm, .argc = 2, .argv = argv,
				.envc = 1, .envp = envp, .flags = BUNDLE_FLAG_VERBOSE };
	char err[256] = "", text[1024];
	uint8_t b[2048];
	uint32_t kinds[8];
	uint64_t lens[8];
	const uint8_t *data[8];
	struct bundle_header h;
	size_t n;

	spit(wasm, mod, sizeof(mod));
	CHECK(image_bundle_write(&s, out, err, sizeof(err)) == 0);
	n = slurp(out, b, sizeof(b));
	CHECK(n >= sizeof(h));
	memcpy(&h, b, sizeof(h));
	CHECK(!memcmp(h.magic, BUNDLE_MAGIC, 8));
	CHECK_EQ_U64(h.version, BUNDLE_VERSION);
	CHECK_EQ_U64(h.count, 2);
	CHECK_EQ_U64(h.size, n);
	CHECK_EQ_U64(n % 8, 0);
	CHECK_EQ_U64(walk(b, n, kinds, lens, data, 8), 2);
	CHECK_EQ_U64(kinds[0], BUNDLE_MANIFEST);
	CHECK(lens[0] < sizeof(text));
	if (lens[0] < sizeof(text)) {
		memcpy(text, data[0], lens[0]);
		text[lens[0]] = 0;
		CHECK(strstr(text, "\nwasmetal-manifest 1\n") != NULL);
		CHECK(strstr(text, "\nconsole com2\nlog com1\n") != NULL);
		CHECK(strstr(text, "\nverbose yes\n") != NULL);
		CHECK(strstr(text, "\narg \"prog\"\narg \"x y\"\nenv \"A=1\"\n") != NULL);
	}
	CHECK_EQ_U64(kinds[1], BUNDLE_MODULE);
	CHECK_EQ_U64(lens[1], sizeof(mod));
	CHECK(!memcmp(data[1], mod, sizeof(mod)));
	CHECK_BYTES(data[1] + 9, 7, 0, 0, 0, 0, 0, 0, 0);       /* padding */
}

static const struct wasi_tree_entry tree0[] = {
	{ "d", WASI_NODE_DIR, NULL, 0 },
	{ "d/f \"q\"\n", WASI_NODE_FILE, (const uint8_t *)"a\0b\n", 4 },
	{ "d/l", WASI_NODE_SYMLINK, (const uint8_t *)"../x", 4 },
	{ "e", WASI_NODE_FILE, (const uint8_t *)"", 0 },
};
static const struct wasi_tree_entry tree1[] = {
	{ "only", WASI_NODE_FILE, (const uint8_t *)"1234567", 7 },
};

/* Everything the writer says, the kernel's parser reads back the same. */
TEST(round_trip_through_the_kernel_parser)
{
	static const uint8_t mod[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
	const char *argv[] = { "p.wasm", "", "q\"uo\\te", "nl\nt\tr\r", "\x01\x1f\x7f",
			       "\xc3\xa9t\xc3\xa9 #not a comment" };
	const char *envp[] = { "A=1", "B=x=y", "C=\n\"" };
	const struct wasi_preopen pre[] = {
		{ "/data dir", 4, tree0 }, { ".", 1, tree1 },
	};
	const char *src[] = { "host\ndir \"x\"", NULL };
	struct image_spec s = { .module_path = wasm, .argc = 6, .argv = argv,
				.envc = 3, .envp = envp, .npreopens = 2,
				.preopens = pre, .preopen_sources = src,
				.console_com1 = true };
	static uint8_t b[8192];
	struct boot_bundle bb;
	const char *why = NULL;
	char err[256] = "";
	size_t n;

	spit(wasm, mod, sizeof(mod));
	CHECK(image_bundle_write(&s, out, err, sizeof(err)) == 0);
	n = slurp(out, b, sizeof(b));
	CHECK(n > 0 && n < sizeof(b));
	CHECK_EQ_U64(bundle_parse(b, n, &bb, &why), 0);
	CHECK_MSG(!why, "bundle_parse: %s, line %u", why, bb.bad_line);
	if (why)
		return;         /* (a failed check above) */
	CHECK_EQ_U64(bb.argc, 6);
	for (int i = 0; i < 6 && i < bb.argc; i++)
		CHECK(!strcmp(bb.argv[i], argv[i]));
	CHECK_EQ_U64(bb.envc, 3);
	for (int i = 0; i < 3 && i < bb.envc; i++)
		CHECK(!strcmp(bb.envp[i], envp[i]));
	CHECK(bb.console == BUNDLE_PORT_COM1 && bb.log == BUNDLE_PORT_COM2);
	CHECK(bb.module_len == sizeof(mod) && !memcmp(bb.module, mod, sizeof(mod)));
	CHECK_EQ_U64(bb.npreopens, 2);
	for (size_t p = 0; p < 2 && p < bb.npreopens; p++) {
		CHECK(!strcmp(bb.preopens[p].guest_path, pre[p].guest_path));
		CHECK_EQ_U64(bb.preopens[p].nentries, pre[p].nentries);
		for (size_t i = 0; i < pre[p].nentries && i < bb.preopens[p].nentries; i++) {
			const struct wasi_tree_entry *a = &pre[p].entries[i];
			const struct wasi_tree_entry *e = &bb.preopens[p].entries[i];

			CHECK(!strcmp(e->path, a->path) && e->kind == a->kind &&
			      e->len == a->len && (!a->len || !memcmp(e->data, a->data, a->len)));
		}
	}
	bundle_free(&bb);
}

TEST(spec_blob_only)
{
	const char *blob_path = wat_not_wasm;
	struct image_spec s = { .spec_path = blob_path };
	static uint8_t b[1024];
	struct boot_bundle bb;
	const char *why;
	char err[256] = "";
	size_t n;

	spit(blob_path, "SPECBLOB", 8);
	CHECK(image_bundle_write(&s, out, err, sizeof(err)) == 0);
	n = slurp(out, b, sizeof(b));
	CHECK_EQ_U64(bundle_parse(b, n, &bb, &why), 0);
	CHECK(!bb.module && bb.spec_len == 8 && !memcmp(bb.spec, "SPECBLOB", 8));
	CHECK(bb.argc == 0 && bb.npreopens == 0);
	bundle_free(&bb);
}

TEST(refuses_bad_input)
{
	const char *bad_env[] = { "NOEQUALS" };
	const char *empty_name[] = { "=x" };
	struct image_spec s = { .module_path = wat_not_wasm };
	char err[256] = "";

	spit(wat_not_wasm, "(module)", 8);
	CHECK(image_bundle_write(&s, out, err, sizeof(err)) == -1);
	CHECK(strstr(err, "not a WebAssembly") != NULL);

	s.module_path = "/nonexistent/x.wasm";
	CHECK(image_bundle_write(&s, out, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/nonexistent/x.wasm") != NULL);

	s.module_path = wasm;
	s.envc = 1;
	s.envp = bad_env;
	CHECK(image_bundle_write(&s, out, err, sizeof(err)) == -1);
	CHECK(strstr(err, "NOEQUALS") != NULL);
	s.envp = empty_name;
	CHECK(image_bundle_write(&s, out, err, sizeof(err)) == -1);
}

/* `wasmetal image` wrote trees the kernel then refused: a file name or a
 * symlink target that is not UTF-8 (any bytes on Linux). */
TEST(refuses_non_utf8_tree_names)
{
	static const uint8_t mod[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
	const struct wasi_tree_entry bad_name[] = {
		{ "x\xff", WASI_NODE_FILE, (const uint8_t *)"", 0 },
	};
	const struct wasi_tree_entry bad_target[] = {
		{ "l", WASI_NODE_SYMLINK, (const uint8_t *)"\xc0\xaf", 2 },
	};
	struct wasi_preopen pre = { "/d", 1, bad_name };
	struct image_spec s = { .module_path = wasm, .npreopens = 1, .preopens = &pre };
	char err[256] = "";

	spit(wasm, mod, sizeof(mod));
	CHECK(image_bundle_write(&s, out, err, sizeof(err)) == -1);
	CHECK(strstr(err, "file name that is not UTF-8") != NULL);
	pre.entries = bad_target;
	CHECK(image_bundle_write(&s, out, err, sizeof(err)) == -1);
	CHECK(strstr(err, "symlink target that is not UTF-8") != NULL);
}

/* The kernel runs a spec blob instead of the module: never write both. */
TEST(refuses_module_and_spec_blob)
{
	struct image_spec s = { .module_path = wasm, .spec_path = wat_not_wasm };
	char err[256] = "";

	spit(wat_not_wasm, "SPECBLOB", 8);
	CHECK(image_bundle_write(&s, out, err, sizeof(err)) == -1);
	CHECK(strstr(err, "both a module and a spec blob") != NULL);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(wasm, sizeof(wasm), "%s/m.wasm", dir);
	snprintf(wat_not_wasm, sizeof(wat_not_wasm), "%s/m.wat", dir);
	snprintf(out, sizeof(out), "%s/bundle", dir);
	RUN(layout);
	RUN(round_trip_through_the_kernel_parser);
	RUN(spec_blob_only);
	RUN(refuses_bad_input);
	RUN(refuses_non_utf8_tree_names);
	RUN(refuses_module_and_spec_blob);
	unlink(wasm);
	unlink(wat_not_wasm);
	unlink(out);
	rmdir(dir);
	CHECK_DONE();
}
