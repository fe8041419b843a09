/*
 * main.c — the zstd benchmark (bench/real/, issue 9 "Speed targets": a
 * compressor).  zstd is Debian's libzstd source (lib/common, compress,
 * decompress), built by bench/real/build.sh for native and wasm alike.
 *
 * A generated 16 MiB buffer (words from a small vocabulary with numbers, so
 * it compresses about like text) is compressed at levels 1, 3 and 9 with
 * the one-shot API and decompressed again; each round trip must give the
 * input back.  Prints the compressed sizes and an FNV-1a hash of each
 * compressed frame: the encoder is deterministic, so every runner must
 * print the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zstd.h"

#define INPUT_SIZE (16u << 20)

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static void fill(unsigned char *buf, size_t n)
{
	static const char *words[] = { "the ", "quick ", "brown ", "fox ", "jumps ", "over ",
					"lazy ", "dog ", "wasm ", "metal ", "kernel ", "page ",
					"table ", "frame ", "stack ", "heap " };
	uint32_t x = 0x9e3779b9u;
	size_t i = 0;

	while (i < n) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		char tmp[32];
		int len = (x & 0x70) == 0 ? snprintf(tmp, sizeof tmp, "%u ", x % 100000)
					  : snprintf(tmp, sizeof tmp, "%s", words[x % 16]);
		for (int k = 0; k < len && i < n; k++)
			buf[i++] = (unsigned char)tmp[k];
		if ((x & 0x3f00) == 0 && i < n)
			buf[i++] = '\n';
	}
}

int main(void)
{
	static const int levels[] = { 1, 3, 9 };
	size_t cap = ZSTD_compressBound(INPUT_SIZE);
	unsigned char *in = malloc(INPUT_SIZE), *comp = malloc(cap), *back = malloc(INPUT_SIZE);

	if (!in || !comp || !back) {
		fprintf(stderr, "zstd: out of memory\n");
		return 1;
	}
	fill(in, INPUT_SIZE);
	printf("input: %u bytes, fnv1a %016llx\n", INPUT_SIZE, (unsigned long long)fnv1a(in, INPUT_SIZE));
	for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
		size_t c = ZSTD_compress(comp, cap, in, INPUT_SIZE, levels[l]);

		if (ZSTD_isError(c)) {
			fprintf(stderr, "zstd: compress: %s\n", ZSTD_getErrorName(c));
			return 1;
		}
		for (int round = 0; round < 3; round++) {
			memset(back, 0, INPUT_SIZE);
			size_t d = ZSTD_decompress(back, INPUT_SIZE, comp, c);

			if (ZSTD_isError(d) || d != INPUT_SIZE || memcmp(back, in, INPUT_SIZE) != 0) {
				fprintf(stderr, "zstd: level %d: round trip failed\n", levels[l]);
				return 1;
			}
		}
		printf("level %d: %zu bytes (%.3f%%), fnv1a %016llx, decompressed 3x: ok\n", levels[l], c,
		       100.0 * (double)c / INPUT_SIZE, (unsigned long long)fnv1a(comp, c));
	}
	free(in);
	free(comp);
	free(back);
	return 0;
}
