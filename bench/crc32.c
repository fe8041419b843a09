/*
 * crc32.c — bench: CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320)
 * of a generated buffer, computed two ways: byte-at-a-time with one table
 * and slicing-by-4 with four; both must agree.  Prints the CRCs.
 */
#include <stdio.h>
#include <stdint.h>
#include <stddef.h>

#define BUF_SIZE (1u << 20)
#define PASSES 240

static uint8_t buf[BUF_SIZE];
static uint32_t table[4][256];

static void make_tables(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 4; t++)
			table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

static uint32_t crc_bytewise(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--)
		crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t crc_slice4(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n >= 4) {
		crc ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		crc = table[3][crc & 0xff] ^ table[2][(crc >> 8) & 0xff] ^
		      table[1][(crc >> 16) & 0xff] ^ table[0][crc >> 24];
		p += 4;
		n -= 4;
	}
	while (n--)
		crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

int main(void)
{
	make_tables();
	printf("crc32(\"123456789\") = %08x\n",
	       crc_bytewise(0, (const uint8_t *)"123456789", 9));

	uint32_t x = 0x12345678u;
	for (size_t i = 0; i < BUF_SIZE; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	uint32_t a = 0, b = 0;
	for (int pass = 0; pass < PASSES; pass++) {
		size_t n = BUF_SIZE - (size_t)pass * 3;
		a = crc_bytewise(a, buf, n);
		b = crc_slice4(b, buf, n);
		buf[(size_t)pass * 4099 % BUF_SIZE] ^= (uint8_t)a;
	}
	printf("crc32 %d passes of %u KiB: bytewise %08x slice4 %08x %s\n",
	       PASSES, BUF_SIZE >> 10, a, b, a == b ? "agree" : "DISAGREE");
	return a == b ? 0 : 1;
}
