/*
 * leb.h — bounds-checked readers for the WebAssembly binary format
 * (Core spec 2.0 §5.2 "Values": LEB128 integers, floats, bytes, names).
 * Header-only; used by the module decoder (module.c) and the body compiler
 * (compile/).
 *
 * A struct wasm_reader walks [p, end) of a buffer that starts at `base`, so
 * wasm_reader_offset() is the byte offset in the module binary.  Every read
 * returns true on success; on failure it returns false, leaves the value
 * untouched, and records the first error (r->err, a static string worded as
 * the spec tests expect, and r->err_off).  Nothing ever reads past `end`.
 *
 * LEB128 rules (§5.2.2): an N-bit integer takes at most ceil(N/7) bytes
 * ("integer representation too long" otherwise); in the last allowed byte the
 * bits beyond N must be 0 (unsigned) or copies of the sign bit (signed)
 * ("integer too large" otherwise).
 */
#ifndef JIT_LEB_H
#define JIT_LEB_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#define WASM_ERR_EOF      "unexpected end"
#define WASM_ERR_TOO_LONG "integer representation too long"
#define WASM_ERR_TOO_BIG  "integer too large"

struct wasm_reader {
	const uint8_t *p, *end; /* next byte, one past the last readable byte */
	const uint8_t *base;    /* byte 0 of the module binary (for offsets) */
	const char *err;        /* first error, NULL while none */
	size_t err_off;         /* its offset from base */
	/* One past the last byte of the whole buffer (>= end).  Only used to
	 * name an error: a LEB128 number cut by `end` whose continuation in
	 * the buffer is too long is "integer representation too long", as
	 * the reference interpreter says, not "unexpected end".  Never read
	 * for values.  wasm_reader_init sets it to end. */
	const uint8_t *limit;
};

/* Read [start, end) offsets of the buffer at base. */
static inline void wasm_reader_init(struct wasm_reader *r, const uint8_t *base,
				    size_t start, size_t end)
{
	r->base = base;
	r->p = base + start;
	r->end = base + end;
	r->err = NULL;
	r->err_off = 0;
	r->limit = r->end;
}

static inline size_t wasm_reader_offset(const struct wasm_reader *r)
{
	return (size_t)(r->p - r->base);
}

static inline size_t wasm_reader_left(const struct wasm_reader *r)
{
	return (size_t)(r->end - r->p);
}

static inline bool wasm_reader_done(const struct wasm_reader *r)
{
	return r->p >= r->end;
}

/* Record an error at the current offset (the first one wins); false. */
static inline bool wasm_reader_fail(struct wasm_reader *r, const char *msg)
{
	if (!r->err) {
		r->err = msg;
		r->err_off = wasm_reader_offset(r);
	}
	return false;
}

/* Same, at an explicit offset. */
static inline bool wasm_reader_fail_at(struct wasm_reader *r, const char *msg,
				       size_t off)
{
	if (!r->err) {
		r->err = msg;
		r->err_off = off;
	}
	return false;
}

/*
 * Decode one LEB128 number of `bits` bits (1..64) from [p, end).  Returns
 * NULL and sets *out (sign- or zero-extended to 64 bits) and *len, or the
 * error message.  The building block of the reader functions below; usable
 * on its own on raw buffers.
 */
static inline const char *wasm_leb_decode(const uint8_t *p, const uint8_t *end,
					  unsigned bits, bool is_signed,
					  uint64_t *out, size_t *len)
{
	unsigned max = (bits + 6) / 7;
	unsigned used = bits - 7 * (max - 1);   /* payload bits in the last byte */
	uint64_t v = 0;

	for (unsigned i = 0; i < max; i++) {
		if (p + i >= end)
			return WASM_ERR_EOF;
		uint8_t b = p[i];
		if (i == max - 1) {
			if (b & 0x80)
				return WASM_ERR_TOO_LONG;
			if (is_signed) {
				uint8_t mask = (uint8_t)(0x7f & ~((1u << (used - 1)) - 1));
				if ((b & mask) != 0 && (b & mask) != mask)
					return WASM_ERR_TOO_BIG;
			} else {
				uint8_t mask = (uint8_t)(0x7f & ~((1u << used) - 1));
				if (b & mask)
					return WASM_ERR_TOO_BIG;
			}
		}
		unsigned shift = 7 * i;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			shift += 7;
			if (is_signed && shift < 64 && (b & 0x40))
				v |= ~0ull << shift;
			if (!is_signed && bits < 64)
				v &= (1ull << bits) - 1;
			*out = v;
			*len = i + 1;
			return NULL;
		}
	}
	return WASM_ERR_TOO_LONG;   /* not reached: the last byte returns */
}

/* the general case of wasm_read_leb: any length, and the errors */
static __attribute__((noinline, unused)) bool
wasm_read_leb_slow(struct wasm_reader *r, unsigned bits, bool is_signed, uint64_t *out)
{
	size_t len;
	const char *e;

	if (r->err)
		return false;
	e = wasm_leb_decode(r->p, r->end, bits, is_signed, out, &len);
	if (e && !strcmp(e, WASM_ERR_EOF) && r->limit > r->end) {
		uint64_t dummy;
		const char *e2 = wasm_leb_decode(r->p, r->limit, bits, is_signed,
						 &dummy, &len);
		if (e2 && strcmp(e2, WASM_ERR_EOF))
			e = e2;
	}
	if (e)
		return wasm_reader_fail(r, e);
	r->p += len;
	return true;
}

/* Most numbers in a module take one byte: that case inline, the rest in
 * wasm_read_leb_slow.  (bits >= 8 here, so any 7-bit payload is in range.) */
static inline bool wasm_read_leb(struct wasm_reader *r, unsigned bits,
				 bool is_signed, uint64_t *out)
{
	if (__builtin_expect(r->p < r->end && !(*r->p & 0x80) && !r->err && bits >= 8, 1)) {
		uint64_t b = *r->p++;
		*out = is_signed && (b & 0x40) ? b | ~0x7full : b;
		return true;
	}
	return wasm_read_leb_slow(r, bits, is_signed, out);
}

static inline bool wasm_read_u32(struct wasm_reader *r, uint32_t *v)
{
	uint64_t x;

	if (!wasm_read_leb(r, 32, false, &x))
		return false;
	*v = (uint32_t)x;
	return true;
}

static inline bool wasm_read_s32(struct wasm_reader *r, int32_t *v)
{
	uint64_t x;

	if (!wasm_read_leb(r, 32, true, &x))
		return false;
	*v = (int32_t)(uint32_t)x;
	return true;
}

/* Block types (§5.4.1): a negative s33 is a value type or empty, a
 * non-negative one a type index. */
static inline bool wasm_read_s33(struct wasm_reader *r, int64_t *v)
{
	uint64_t x;

	if (!wasm_read_leb(r, 33, true, &x))
		return false;
	*v = (int64_t)x;
	return true;
}

static inline bool wasm_read_u64(struct wasm_reader *r, uint64_t *v)
{
	return wasm_read_leb(r, 64, false, v);
}

static inline bool wasm_read_s64(struct wasm_reader *r, int64_t *v)
{
	uint64_t x;

	if (!wasm_read_leb(r, 64, true, &x))
		return false;
	*v = (int64_t)x;
	return true;
}

static inline bool wasm_read_u8(struct wasm_reader *r, uint8_t *v)
{
	if (r->err)
		return false;
	if (r->p >= r->end)
		return wasm_reader_fail(r, WASM_ERR_EOF);
	*v = *r->p++;
	return true;
}

/* Look at the next byte without consuming it. */
static inline bool wasm_peek_u8(struct wasm_reader *r, uint8_t *v)
{
	if (r->err)
		return false;
	if (r->p >= r->end)
		return wasm_reader_fail(r, WASM_ERR_EOF);
	*v = *r->p;
	return true;
}

/* f32/f64 immediates: little-endian raw bits. */
static inline bool wasm_read_f32(struct wasm_reader *r, uint32_t *bits)
{
	if (r->err)
		return false;
	if (wasm_reader_left(r) < 4)
		return wasm_reader_fail(r, WASM_ERR_EOF);
	*bits = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 |
		(uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
	r->p += 4;
	return true;
}

static inline bool wasm_read_f64(struct wasm_reader *r, uint64_t *bits)
{
	uint64_t v = 0;

	if (r->err)
		return false;
	if (wasm_reader_left(r) < 8)
		return wasm_reader_fail(r, WASM_ERR_EOF);
	for (int i = 7; i >= 0; i--)
		v = v << 8 | r->p[i];
	r->p += 8;
	*bits = v;
	return true;
}

/* Take n raw bytes: *bytes points into the buffer. */
static inline bool wasm_read_bytes(struct wasm_reader *r, size_t n,
				   const uint8_t **bytes)
{
	if (r->err)
		return false;
	if (wasm_reader_left(r) < n)
		return wasm_reader_fail(r, WASM_ERR_EOF);
	*bytes = r->p;
	r->p += n;
	return true;
}

static inline bool wasm_skip(struct wasm_reader *r, size_t n)
{
	const uint8_t *dummy;

	return wasm_read_bytes(r, n, &dummy);
}

/* A vector length (u32) that cannot exceed the bytes left when each element
 * takes at least min_elem_size bytes: rejects absurd counts before any
 * allocation.  Fails with "unexpected end" (as the spec tests expect for a
 * length running past its section). */
static inline bool wasm_read_count(struct wasm_reader *r, size_t min_elem_size,
				   uint32_t *n)
{
	size_t at = wasm_reader_offset(r);

	if (!wasm_read_u32(r, n))
		return false;
	if (min_elem_size && (uint64_t)*n * min_elem_size > wasm_reader_left(r))
		return wasm_reader_fail_at(r, WASM_ERR_EOF, at);
	return true;
}

/* UTF-8 well-formedness (Unicode §3.9, Table 3-7): no overlongs, no
 * surrogates, nothing above U+10FFFF. */
static inline bool wasm_utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		unsigned k;
		uint8_t lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			if (c == 0xe0) lo = 0xa0;
			if (c == 0xed) hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			if (c == 0xf0) lo = 0x90;
			if (c == 0xf4) hi = 0x8f;
		} else {
			return false;
		}
		if (n - i - 1 < k)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (unsigned j = 2; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += 1 + k;
	}
	return true;
}

/* A name (§5.2.4): u32 length + UTF-8 bytes.  *s points into the buffer,
 * not NUL-terminated.  "malformed UTF-8 encoding" when not valid. */
static inline bool wasm_read_name(struct wasm_reader *r, const uint8_t **s,
				  uint32_t *len)
{
	size_t at;

	if (!wasm_read_u32(r, len))
		return false;
	at = wasm_reader_offset(r);
	if (!wasm_read_bytes(r, *len, s))
		return false;
	if (!wasm_utf8_valid(*s, *len))
		return wasm_reader_fail_at(r, "malformed UTF-8 encoding", at);
	return true;
}

#endif
