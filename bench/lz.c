/*
 * lz.c — bench: an LZ77-style compressor (hash of the next 4 bytes ->
 * most recent position, greedy longest match within a 64 KiB window,
 * byte-oriented token format) and its decompressor, over generated
 * text-like input; checks the round trip, prints sizes and a checksum.
 *
 * Token format: a control byte c.  c < 0x80: c+1 literal bytes follow.
 * c >= 0x80: a match of length (c & 0x7f) + MIN_MATCH, followed by the
 * distance as two bytes, little-endian.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define IN_SIZE (1u << 21)
#define ROUNDS 40
#define MIN_MATCH 4
#define MAX_MATCH (0x7f + MIN_MATCH)
#define WINDOW 65535u
#define HASH_BITS 15

static uint8_t in[IN_SIZE], out[IN_SIZE + IN_SIZE / 64 + 16], back[IN_SIZE];
static int32_t head[1 << HASH_BITS];

static uint32_t hash4(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return (v * 2654435761u) >> (32 - HASH_BITS);
}

static size_t flush_literals(uint8_t *o, const uint8_t *lit, size_t n)
{
	size_t w = 0;
	while (n) {
		size_t k = n > 128 ? 128 : n;
		o[w++] = (uint8_t)(k - 1);
		memcpy(o + w, lit, k);
		w += k;
		lit += k;
		n -= k;
	}
	return w;
}

static size_t compress(const uint8_t *src, size_t n, uint8_t *dst)
{
	size_t i = 0, o = 0, lit = 0;
	for (size_t h = 0; h < (1u << HASH_BITS); h++)
		head[h] = -1;
	while (i + MIN_MATCH <= n) {
		uint32_t h = hash4(src + i);
		int32_t cand = head[h];
		head[h] = (int32_t)i;
		size_t len = 0;
		if (cand >= 0 && i - (size_t)cand <= WINDOW) {
			size_t max = n - i < MAX_MATCH ? n - i : MAX_MATCH;
			while (len < max && src[cand + len] == src[i + len])
				len++;
		}
		if (len >= MIN_MATCH) {
			o += flush_literals(dst + o, src + lit, i - lit);
			size_t dist = i - (size_t)cand;
			dst[o++] = (uint8_t)(0x80 | (len - MIN_MATCH));
			dst[o++] = (uint8_t)dist;
			dst[o++] = (uint8_t)(dist >> 8);
			/* Index the positions inside the match too (cheaply). */
			for (size_t k = 1; k < len && i + k + MIN_MATCH <= n; k += 2)
				head[hash4(src + i + k)] = (int32_t)(i + k);
			i += len;
			lit = i;
		} else {
			i++;
		}
	}
	o += flush_literals(dst + o, src + lit, n - lit);
	return o;
}

static size_t decompress(const uint8_t *src, size_t n, uint8_t *dst, size_t cap)
{
	size_t i = 0, o = 0;
	while (i < n) {
		uint8_t c = src[i++];
		if (c < 0x80) {
			size_t k = (size_t)c + 1;
			if (i + k > n || o + k > cap)
				return (size_t)-1;
			memcpy(dst + o, src + i, k);
			i += k;
			o += k;
		} else {
			if (i + 2 > n)
				return (size_t)-1;
			size_t len = (size_t)(c & 0x7f) + MIN_MATCH;
			size_t dist = (size_t)src[i] | (size_t)src[i + 1] << 8;
			i += 2;
			if (dist == 0 || dist > o || o + len > cap)
				return (size_t)-1;
			for (size_t k = 0; k < len; k++, o++)   /* may overlap */
				dst[o] = dst[o - dist];
		}
	}
	return o;
}

static const char *words[] = {
	"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog",
	"wasm", "kernel", "page", "table", "frame", "stack", "guard", "trap",
	"module", "function", "memory", "export", "import", "global", "local",
	"branch", "loop", "block", "call", "return", "value", "type", "code",
};

static void generate(uint8_t *p, size_t n, uint32_t seed)
{
	size_t o = 0;
	uint32_t x = seed;
	const size_t nw = sizeof words / sizeof words[0];
	while (o < n) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		if ((x >> 24) < 8) {   /* occasional noise byte */
			p[o++] = (uint8_t)x;
			continue;
		}
		const char *w = words[(x >> 8) % nw];
		while (*w && o < n)
			p[o++] = (uint8_t)*w++;
		if (o < n)
			p[o++] = (x & 0x30) ? ' ' : '\n';
	}
}

int main(void)
{
	uint32_t check = 0;
	for (int r = 0; r < ROUNDS; r++) {
		generate(in, IN_SIZE, 0x1234567u + (uint32_t)r * 7919u);
		size_t clen = compress(in, IN_SIZE, out);
		size_t dlen = decompress(out, clen, back, IN_SIZE);
		if (dlen != IN_SIZE || memcmp(in, back, IN_SIZE) != 0) {
			printf("lz: ROUND TRIP FAILED in round %d\n", r);
			return 1;
		}
		for (size_t i = 0; i < clen; i++)
			check = (check << 5 | check >> 27) ^ out[i];
		if (r == 0 || r == ROUNDS - 1)
			printf("lz round %d: %u -> %zu bytes (%.2f%%)\n", r, IN_SIZE,
			       clen, 100.0 * (double)clen / IN_SIZE);
	}
	printf("lz checksum %08x\n", check);
	return 0;
}
