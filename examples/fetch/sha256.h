/*
 * sha256.h — SHA-256 (FIPS 180-4 §6.2), for `fetch --sha256`: a body's
 * digest instead of the body, so that a large download can be checked
 * byte for byte where the console is too slow to carry it (a serial
 * port under QEMU moves well under 1 MB/s).
 */
#ifndef FETCH_SHA256_H
#define FETCH_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;                   /* bytes hashed so far */
	uint8_t block[64];
	size_t nblock;                  /* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* The digest as 64 lowercase hex digits and a NUL. */
void sha256_hex(struct sha256 *s, char out[65]);

#endif
