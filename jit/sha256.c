/*
 * sha256.c — SHA-256 as FIPS 180-4 defines it: §4.1.2 (functions), §4.2.2
 * (constants K), §5.1.1 (padding), §5.3.3 (initial hash value), §6.2.2
 * (hash computation).  Big-endian words, processed one 64-byte block at a
 * time; no table other than K, no platform code.
 *
 * Where CPUID reports the SHA extensions (Intel SHA-NI, on x86-64 since
 * Goldmont and Zen), the blocks go through sha256rnds2/msg1/msg2 instead:
 * about ten times the portable code's 200 MB/s, which matters because an
 * artifact is hashed twice each time it is loaded (docs/artifact.md).
 * Both paths are checked against the same vectors (test_artifact.c forces
 * the portable one with jit_sha256_portable_only).
 */
#include <string.h>
#include <cpuid.h>
#include <immintrin.h>
#include "sha256.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

/* §4.1.2: Ch, Maj, Σ0, Σ1, σ0, σ1 */
#define CH(x, y, z)  (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x) (rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22))
#define BSIG1(x) (rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25))
#define SSIG0(x) (rotr(x, 7) ^ rotr(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (rotr(x, 17) ^ rotr(x, 19) ^ ((x) >> 10))

/* §6.2.2: one 512-bit block */
static void compress(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh;

	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		       (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
	for (int t = 16; t < 64; t++)
		w[t] = SSIG1(w[t - 2]) + w[t - 7] + SSIG0(w[t - 15]) + w[t - 16];
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (int t = 0; t < 64; t++) {
		uint32_t t1 = hh + BSIG1(e) + CH(e, f, g) + K[t] + w[t];
		uint32_t t2 = BSIG0(a) + MAJ(a, b, c);

		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

/* ---- the SHA extensions (sha256rnds2 takes the state as ABEF / CDGH) ---- */

__attribute__((target("sha,sse4.1")))
static void compress_ni(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
	__m128i st0, st1, tmp, msg, m[4], save0, save1;

	tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1);  /* CDAB */
	st1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1b);  /* EFGH */
	st0 = _mm_alignr_epi8(tmp, st1, 8);             /* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xf0);          /* CDGH */
	for (; nblocks; nblocks--, p += 64) {
		save0 = st0;
		save1 = st1;
#pragma GCC unroll 16
		for (int g = 0; g < 16; g++) {
			if (g < 4) {
				m[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)),
							bswap);
			} else {
				/* W[4g..4g+3] from W[4g-16..4g-1] (§6.2.2 step 1) */
				tmp = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);
				tmp = _mm_add_epi32(tmp, _mm_alignr_epi8(m[(g + 3) & 3],
									 m[(g + 2) & 3], 4));
				m[g & 3] = _mm_sha256msg2_epu32(tmp, m[(g + 3) & 3]);
			}
			msg = _mm_add_epi32(m[g & 3], _mm_loadu_si128((const __m128i *)&K[4 * g]));
			st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
			st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(msg, 0x0e));
		}
		st0 = _mm_add_epi32(st0, save0);
		st1 = _mm_add_epi32(st1, save1);
	}
	tmp = _mm_shuffle_epi32(st0, 0x1b);             /* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xb1);             /* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xf0);          /* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);             /* HGFE */
	_mm_storeu_si128((__m128i *)&h[0], st0);
	_mm_storeu_si128((__m128i *)&h[4], st1);
}

static int use_ni = -1;         /* -1: not asked CPUID yet */

void jit_sha256_portable_only(bool on)
{
	use_ni = on ? 0 : -1;
}

/* CPUID.(EAX=7,ECX=0):EBX.SHA[bit 29], and SSE4.1 / SSSE3 for the shuffles */
static bool have_ni(void)
{
	unsigned int a, b, c, d;

	if (use_ni < 0) {
		bool ni = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
		bool sse = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 19)) &&
			   (c & (1u << 9));

		use_ni = ni && sse;
	}
	return use_ni;
}

bool jit_sha256_accelerated(void)
{
	return have_ni();
}

static void compress_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	if (have_ni()) {
		compress_ni(h, p, nblocks);
		return;
	}
	for (; nblocks; nblocks--, p += 64)
		compress(h, p);
}

void jit_sha256_init(struct jit_sha256 *s)
{
	static const uint32_t h0[8] = {         /* §5.3.3 */
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, h0, sizeof h0);
	s->nbytes = 0;
	s->nblock = 0;
}

void jit_sha256_update(struct jit_sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->nbytes += len;
	if (s->nblock) {
		size_t n = 64 - s->nblock < len ? 64 - s->nblock : len;

		memcpy(s->block + s->nblock, p, n);
		s->nblock += n;
		p += n;
		len -= n;
		if (s->nblock < 64)
			return;
		compress_blocks(s->h, s->block, 1);
		s->nblock = 0;
	}
	compress_blocks(s->h, p, len / 64);
	p += len / 64 * 64;
	len %= 64;
	memcpy(s->block, p, len);
	s->nblock = len;
}

/* §5.1.1: a 1 bit, zeros up to 56 mod 64 bytes, the length in bits (64-bit
 * big-endian) */
void jit_sha256_final(struct jit_sha256 *s, uint8_t out[JIT_SHA256_LEN])
{
	uint64_t bits = s->nbytes * 8;

	s->block[s->nblock++] = 0x80;
	if (s->nblock > 56) {
		memset(s->block + s->nblock, 0, 64 - s->nblock);
		compress_blocks(s->h, s->block, 1);
		s->nblock = 0;
	}
	memset(s->block + s->nblock, 0, 56 - s->nblock);
	for (int i = 0; i < 8; i++)
		s->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	compress_blocks(s->h, s->block, 1);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
	memset(s, 0, sizeof *s);
}

void jit_sha256(const void *data, size_t len, uint8_t out[JIT_SHA256_LEN])
{
	struct jit_sha256 s;

	jit_sha256_init(&s);
	jit_sha256_update(&s, data, len);
	jit_sha256_final(&s, out);
}
