/*
 * test_bundle.c — the kernel's boot-bundle reader (kernel/bundle.c) on
 * good and hostile bundles: truncations at every byte, lengths past the
 * end, wrong counts, NULs in strings, zero or two modules.
 */
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "../../kernel/bundle.c"

struct buf {
	uint8_t b[4096];
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

int main(void)
{
	RUN(parses_a_good_bundle);
	RUN(every_truncation_is_rejected);
	RUN(hostile_headers_and_lengths);
	RUN(module_count_flags_and_nul);
	CHECK_DONE();
}
