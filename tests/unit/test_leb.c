/*
 * test_leb.c — the binary format's primitive readers (jit/leb.h): LEB128
 * limits of Core spec 2.0 §5.2.2 (longest encodings, unused bits of the
 * last byte, truncation), fixed-size floats, names and UTF-8 (§5.2.4).
 */
#include <stdint.h>
#include "check.h"
#include "leb.h"

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

static struct wasm_reader rd(const uint8_t *b, size_t n)
{
	struct wasm_reader r;

	wasm_reader_init(&r, b, 0, n);
	return r;
}

/* Decode b as one N-bit LEB and return the error (NULL on success). */
static const char *u32_of(const uint8_t *b, size_t n, uint32_t *v)
{
	struct wasm_reader r = rd(b, n);

	*v = 0xdeadbeef;
	if (wasm_read_u32(&r, v))
		return r.p == r.end ? NULL : "trailing";
	return r.err;
}

static const char *s32_of(const uint8_t *b, size_t n, int32_t *v)
{
	struct wasm_reader r = rd(b, n);

	if (wasm_read_s32(&r, v))
		return r.p == r.end ? NULL : "trailing";
	return r.err;
}

static const char *s33_of(const uint8_t *b, size_t n, int64_t *v)
{
	struct wasm_reader r = rd(b, n);

	if (wasm_read_s33(&r, v))
		return r.p == r.end ? NULL : "trailing";
	return r.err;
}

static const char *u64_of(const uint8_t *b, size_t n, uint64_t *v)
{
	struct wasm_reader r = rd(b, n);

	if (wasm_read_u64(&r, v))
		return r.p == r.end ? NULL : "trailing";
	return r.err;
}

static const char *s64_of(const uint8_t *b, size_t n, int64_t *v)
{
	struct wasm_reader r = rd(b, n);

	if (wasm_read_s64(&r, v))
		return r.p == r.end ? NULL : "trailing";
	return r.err;
}

static bool same_err(const char *got, const char *want)
{
	if (!got || !want)
		return got == want;
	return !strcmp(got, want);
}

#define IS(e, want) CHECK(same_err((e), (want)))

TEST(leb_u32_values)
{
	uint32_t v;

	IS(u32_of(BYTES(0x00), &v), NULL); CHECK_EQ_U64(v, 0);
	IS(u32_of(BYTES(0x7f), &v), NULL); CHECK_EQ_U64(v, 127);
	IS(u32_of(BYTES(0x80, 0x01), &v), NULL); CHECK_EQ_U64(v, 128);
	IS(u32_of(BYTES(0xe5, 0x8e, 0x26), &v), NULL); CHECK_EQ_U64(v, 624485);
	IS(u32_of(BYTES(0xff, 0xff, 0xff, 0xff, 0x0f), &v), NULL);
	CHECK_EQ_U64(v, 0xffffffffu);
	/* overlong but within 5 bytes is allowed */
	IS(u32_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x00), &v), NULL); CHECK_EQ_U64(v, 0);
	IS(u32_of(BYTES(0x83, 0x80, 0x00), &v), NULL); CHECK_EQ_U64(v, 3);
}

TEST(leb_u32_errors)
{
	uint32_t v;

	IS(u32_of(BYTES(0xff, 0xff, 0xff, 0xff, 0x1f), &v), WASM_ERR_TOO_BIG);
	IS(u32_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x10), &v), WASM_ERR_TOO_BIG);
	IS(u32_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x70), &v), WASM_ERR_TOO_BIG);
	IS(u32_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), &v), WASM_ERR_TOO_LONG);
	IS(u32_of(BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0x0f), &v), WASM_ERR_TOO_LONG);
	IS(u32_of(BYTES(0x80), &v), WASM_ERR_EOF);
	IS(u32_of(BYTES(0xff, 0xff, 0xff, 0xff), &v), WASM_ERR_EOF);
	IS(u32_of((const uint8_t *)"", 0, &v), WASM_ERR_EOF);
	CHECK_EQ_U64(v, 0xdeadbeef);       /* untouched on error */
}

TEST(leb_s32)
{
	int32_t v;

	IS(s32_of(BYTES(0x7f), &v), NULL); CHECK(v == -1);
	IS(s32_of(BYTES(0x3f), &v), NULL); CHECK(v == 63);
	IS(s32_of(BYTES(0x40), &v), NULL); CHECK(v == -64);
	IS(s32_of(BYTES(0x80, 0x7f), &v), NULL); CHECK(v == -128);
	IS(s32_of(BYTES(0xff, 0xff, 0xff, 0xff, 0x07), &v), NULL); CHECK(v == INT32_MAX);
	IS(s32_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x78), &v), NULL); CHECK(v == INT32_MIN);
	IS(s32_of(BYTES(0xff, 0xff, 0xff, 0xff, 0x7f), &v), NULL); CHECK(v == -1);
	/* overlong negative within 5 bytes */
	IS(s32_of(BYTES(0xff, 0x7f), &v), NULL); CHECK(v == -1);
	/* unused bits not a sign extension */
	IS(s32_of(BYTES(0xff, 0xff, 0xff, 0xff, 0x0f), &v), WASM_ERR_TOO_BIG);
	IS(s32_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x70), &v), WASM_ERR_TOO_BIG);
	IS(s32_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x1f), &v), WASM_ERR_TOO_BIG);
	IS(s32_of(BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), &v), WASM_ERR_TOO_LONG);
	IS(s32_of(BYTES(0xc0), &v), WASM_ERR_EOF);
}

TEST(leb_s33_blocktype)
{
	int64_t v;

	IS(s33_of(BYTES(0x40), &v), NULL); CHECK(v == -64);    /* empty block */
	IS(s33_of(BYTES(0x7f), &v), NULL); CHECK(v == -1);     /* i32 */
	IS(s33_of(BYTES(0x05), &v), NULL); CHECK(v == 5);      /* type index */
	/* largest type index, 2^32 - 1 */
	IS(s33_of(BYTES(0xff, 0xff, 0xff, 0xff, 0x0f), &v), NULL);
	CHECK(v == 0xffffffffll);
	IS(s33_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x70), &v), NULL);
	CHECK(v == -(1ll << 32));
	IS(s33_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x10), &v), WASM_ERR_TOO_BIG);
	IS(s33_of(BYTES(0xff, 0xff, 0xff, 0xff, 0x4f), &v), WASM_ERR_TOO_BIG);
	IS(s33_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), &v), WASM_ERR_TOO_LONG);
}

TEST(leb_64)
{
	uint64_t u;
	int64_t s;

	IS(u64_of(BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), &u), NULL);
	CHECK(u == UINT64_MAX);
	IS(u64_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), &u), NULL);
	CHECK(u == 0);
	IS(u64_of(BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02), &u), WASM_ERR_TOO_BIG);
	IS(u64_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), &u), WASM_ERR_TOO_LONG);
	IS(u64_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80), &u), WASM_ERR_EOF);

	IS(s64_of(BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00), &s), NULL);
	CHECK(s == INT64_MAX);
	IS(s64_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f), &s), NULL);
	CHECK(s == INT64_MIN);
	IS(s64_of(BYTES(0x7f), &s), NULL); CHECK(s == -1);
	IS(s64_of(BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), &s), WASM_ERR_TOO_BIG);
	IS(s64_of(BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7e), &s), WASM_ERR_TOO_BIG);
	IS(s64_of(BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), &s), WASM_ERR_TOO_LONG);
}

/* Every value round-trips through a minimal encoding; a deterministic sweep
 * over powers of two and their neighbours. */
static size_t enc_s64(int64_t v, uint8_t *out)
{
	size_t n = 0;
	for (;;) {
		uint8_t b = v & 0x7f;
		v >>= 7;
		if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40))) {
			out[n++] = b;
			return n;
		}
		out[n++] = b | 0x80;
	}
}

TEST(leb_roundtrip_sweep)
{
	for (int k = 0; k < 64; k++) {
		for (int d = -1; d <= 1; d++) {
			int64_t v = (int64_t)(((uint64_t)1 << k) + (uint64_t)(int64_t)d), got;
			int64_t w = (int64_t)(0 - (uint64_t)v);
			uint8_t buf[16];
			size_t n = enc_s64(v, buf);

			IS(s64_of(buf, n, &got), NULL);
			CHECK(got == v);
			n = enc_s64(w, buf);
			IS(s64_of(buf, n, &got), NULL);
			CHECK(got == w);
			if (v >= INT32_MIN && v <= INT32_MAX) {
				int32_t g32;
				n = enc_s64(v, buf);
				IS(s32_of(buf, n, &g32), NULL);
				CHECK(g32 == (int32_t)v);
			}
		}
	}
}

TEST(reader_offsets_and_sticky_error)
{
	static const uint8_t b[] = { 0xaa, 0xbb, 0x01, 0x80, 0x01, 0x00, 0x00, 0x80, 0x3f, 0x42 };
	struct wasm_reader r;
	uint32_t v, f;
	uint8_t u8;

	/* window [2, 9) of a buffer: offsets count from its base */
	wasm_reader_init(&r, b, 2, 9);
	CHECK_EQ_U64(wasm_reader_offset(&r), 2);
	CHECK(wasm_read_u32(&r, &v) && v == 1);
	CHECK(wasm_read_u32(&r, &v) && v == 128);
	CHECK_EQ_U64(wasm_reader_offset(&r), 5);
	CHECK(wasm_read_f32(&r, &f) && f == 0x3f800000u);      /* 1.0f */
	CHECK(wasm_reader_done(&r));
	CHECK(!wasm_read_u8(&r, &u8));          /* 0x42 is outside the window */
	CHECK(r.err && !strcmp(r.err, WASM_ERR_EOF));
	CHECK_EQ_U64(r.err_off, 9);
	/* the first error sticks: later reads fail without moving */
	r.p = r.base + 2;
	CHECK(!wasm_read_u32(&r, &v));
	CHECK_EQ_U64(r.err_off, 9);
	CHECK_EQ_U64(wasm_reader_offset(&r), 2);
}

TEST(reader_f64_bytes)
{
	static const uint8_t b[] = { 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x01, 0x02, 0x03 };
	struct wasm_reader r = rd(b, sizeof b);
	uint64_t f;
	const uint8_t *p;

	CHECK(wasm_read_f64(&r, &f) && f == 0x3ff0000000000000ull);   /* 1.0 */
	CHECK(!wasm_read_bytes(&r, 4, &p));
	CHECK_EQ_U64(r.err_off, 8);
	r = rd(b, 7);
	CHECK(!wasm_read_f64(&r, &f));
	CHECK_EQ_U64(wasm_reader_offset(&r), 0);
}

TEST(reader_count_bounds)
{
	struct wasm_reader r;
	uint32_t n;

	/* 3 elements of >= 2 bytes need 6 bytes; only 4 follow */
	r = rd(BYTES(0x03, 1, 2, 3, 4));
	CHECK(!wasm_read_count(&r, 2, &n));
	CHECK(r.err && !strcmp(r.err, WASM_ERR_EOF));
	CHECK_EQ_U64(r.err_off, 0);
	r = rd(BYTES(0x02, 1, 2, 3, 4));
	CHECK(wasm_read_count(&r, 2, &n) && n == 2);
	/* a huge count never passes */
	r = rd(BYTES(0xff, 0xff, 0xff, 0xff, 0x0f, 0));
	CHECK(!wasm_read_count(&r, 1, &n));
}

static bool utf8(const char *s)
{
	return wasm_utf8_valid((const uint8_t *)s, strlen(s));
}

TEST(utf8_validation)
{
	CHECK(utf8(""));
	CHECK(utf8("hello"));
	CHECK(utf8("\xc3\xa9"));                /* é */
	CHECK(utf8("\xe2\x82\xac"));            /* € */
	CHECK(utf8("\xf0\x9f\x98\x80"));        /* U+1F600 */
	CHECK(utf8("\xf4\x8f\xbf\xbf"));        /* U+10FFFF */
	CHECK(utf8("\xef\xbf\xbf"));            /* U+FFFF */
	CHECK(!utf8("\x80"));                   /* lone continuation */
	CHECK(!utf8("\xc0\x80"));               /* overlong NUL */
	CHECK(!utf8("\xc1\xbf"));               /* overlong */
	CHECK(!utf8("\xe0\x80\x80"));           /* overlong 3-byte */
	CHECK(!utf8("\xe0\x9f\xbf"));           /* overlong 3-byte */
	CHECK(!utf8("\xed\xa0\x80"));           /* surrogate U+D800 */
	CHECK(!utf8("\xed\xbf\xbf"));           /* surrogate U+DFFF */
	CHECK(!utf8("\xf0\x8f\xbf\xbf"));       /* overlong 4-byte */
	CHECK(!utf8("\xf4\x90\x80\x80"));       /* > U+10FFFF */
	CHECK(!utf8("\xf5\x80\x80\x80"));
	CHECK(!utf8("\xff"));
	CHECK(!utf8("\xe2\x82"));               /* truncated */
	CHECK(!utf8("a\xf0\x9f\x98"));          /* truncated at the end */
	CHECK(!utf8("\xe2\x28\xa1"));           /* bad continuation */
	CHECK(wasm_utf8_valid((const uint8_t *)"a\0b", 3));    /* U+0000 is fine */
}

TEST(read_name)
{
	struct wasm_reader r;
	const uint8_t *s;
	uint32_t len;

	r = rd(BYTES(0x03, 'a', 'b', 'c', 0x00));
	CHECK(wasm_read_name(&r, &s, &len) && len == 3 && !memcmp(s, "abc", 3));
	CHECK_EQ_U64(wasm_reader_offset(&r), 4);
	r = rd(BYTES(0x02, 0xc0, 0x80));
	CHECK(!wasm_read_name(&r, &s, &len));
	CHECK(r.err && !strcmp(r.err, "malformed UTF-8 encoding"));
	CHECK_EQ_U64(r.err_off, 1);
	r = rd(BYTES(0x05, 'a', 'b'));
	CHECK(!wasm_read_name(&r, &s, &len));
	CHECK(r.err && !strcmp(r.err, WASM_ERR_EOF));
}

/* No LEB decode ever reads past `end`: decode every prefix of long
 * continuation runs placed at the very end of a heap buffer. */
TEST(leb_truncation_never_overreads)
{
	uint8_t b[12];

	memset(b, 0x80, sizeof b);
	for (size_t n = 0; n <= sizeof b; n++) {
		uint64_t v;
		size_t len;
		const char *e = wasm_leb_decode(b + sizeof b - n, b + sizeof b, 64, false, &v, &len);

		CHECK(e != NULL);
		if (n >= 10)
			CHECK(e && !strcmp(e, WASM_ERR_TOO_LONG));
		else
			CHECK(e && !strcmp(e, WASM_ERR_EOF));
	}
}

int main(void)
{
	RUN(leb_u32_values);
	RUN(leb_u32_errors);
	RUN(leb_s32);
	RUN(leb_s33_blocktype);
	RUN(leb_64);
	RUN(leb_roundtrip_sweep);
	RUN(reader_offsets_and_sticky_error);
	RUN(reader_f64_bytes);
	RUN(reader_count_bounds);
	RUN(utf8_validation);
	RUN(read_name);
	RUN(leb_truncation_never_overreads);
	CHECK_DONE();
}
