/*
 * crc32c.c — CRC-32C (crc32c.h), slicing-by-8 (eight 256-entry tables:
 * one step per 8 bytes), in portable C.  Not SSE4.2's crc32 instruction:
 * QEMU's TCG emulates it one bit at a time (target/i386 helper_crc32),
 * ~3 ms for 170 KB where the tables take well under 1 ms; on real
 * hardware either is far below a millisecond for a module.
 */
#include <string.h>
#include "crc32c.h"

#define POLY 0x82f63b78u        /* reflected 0x1edc6f41 */

static uint32_t table[8][256];
static int ready;

static void make_tables(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? c >> 1 ^ POLY : c >> 1;
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			table[t][i] = table[t - 1][i] >> 8 ^ table[0][table[t - 1][i] & 0xff];
	ready = 1;
}

uint32_t crc32c(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c = ~0u;

	if (!ready)
		make_tables();
	for (; len >= 8; p += 8, len -= 8) {
		uint32_t lo = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			      (uint32_t)p[3] << 24;
		uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
			      (uint32_t)p[7] << 24;

		lo ^= c;
		c = table[7][lo & 0xff] ^ table[6][lo >> 8 & 0xff] ^
		    table[5][lo >> 16 & 0xff] ^ table[4][lo >> 24] ^
		    table[3][hi & 0xff] ^ table[2][hi >> 8 & 0xff] ^
		    table[1][hi >> 16 & 0xff] ^ table[0][hi >> 24];
	}
	while (len--)
		c = table[0][(c ^ *p++) & 0xff] ^ c >> 8;
	return ~c;
}
