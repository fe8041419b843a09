/*
 * test_bundle_write.c — the boot bundle writer (images/bundle.c) against the
 * format in images/bundle.h: entry order, lengths, padding, header size,
 * and the inputs it must refuse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "bundle.h"
#include "image.h"

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
	char err[256] = "";
	uint8_t b[512];
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
	CHECK_EQ_U64(h.count, 5);
	CHECK_EQ_U64(h.size, n);
	CHECK_EQ_U64(n % 8, 0);
	CHECK_EQ_U64(walk(b, n, kinds, lens, data, 8), 5);
	CHECK_EQ_U64(kinds[0], BUNDLE_MODULE);
	CHECK_EQ_U64(lens[0], sizeof(mod));
	CHECK(!memcmp(data[0], mod, sizeof(mod)));
	CHECK_BYTES(data[0] + 9, 7, 0, 0, 0, 0, 0, 0, 0);       /* padding */
	CHECK_EQ_U64(kinds[1], BUNDLE_ARG);
	CHECK_EQ_U64(lens[1], 4);
	CHECK(!memcmp(data[1], "prog", 4));
	CHECK_EQ_U64(kinds[2], BUNDLE_ARG);
	CHECK(lens[2] == 3 && !memcmp(data[2], "x y", 3));
	CHECK_EQ_U64(kinds[3], BUNDLE_ENV);
	CHECK(lens[3] == 3 && !memcmp(data[3], "A=1", 3));
	CHECK_EQ_U64(kinds[4], BUNDLE_FLAGS);
	CHECK_EQ_U64(lens[4], 4);
	CHECK_BYTES(data[4], 4, 1, 0, 0, 0);
}

TEST(no_flags_entry_when_zero)
{
	static const uint8_t mod[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
	struct image_spec s = { .module_path = wasm };
	char err[256];
	uint8_t b[256];
	struct bundle_header h;
	size_t n;

	spit(wasm, mod, sizeof(mod));
	CHECK(image_bundle_write(&s, out, err, sizeof(err)) == 0);
	n = slurp(out, b, sizeof(b));
	memcpy(&h, b, sizeof(h));
	CHECK_EQ_U64(h.count, 1);
	CHECK_EQ_U64(n, sizeof(h) + sizeof(struct bundle_entry) + 8);
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

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(wasm, sizeof(wasm), "%s/m.wasm", dir);
	snprintf(wat_not_wasm, sizeof(wat_not_wasm), "%s/m.wat", dir);
	snprintf(out, sizeof(out), "%s/bundle", dir);
	RUN(layout);
	RUN(no_flags_entry_when_zero);
	RUN(refuses_bad_input);
	unlink(wasm);
	unlink(wat_not_wasm);
	unlink(out);
	rmdir(dir);
	CHECK_DONE();
}
