/*
 * sha256.h — SHA-256 (FIPS 180-4 §6.2), portable C for the kernel and the
 * host alike: the artifact format (jit/artifact.c, docs/artifact.md) uses
 * it for the module's hash and the file's checksum.  Checked against the
 * NIST test vectors and sha256sum (tests/unit/test_artifact.c).
 */
#ifndef JIT_SHA256_H
#define JIT_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JIT_SHA256_LEN 32

struct jit_sha256 {
	uint32_t h[8];          /* the hash value H(i) */
	uint64_t nbytes;        /* message length so far, in bytes */
	uint8_t block[64];      /* a partial block */
	size_t nblock;          /* bytes in block */
};

void jit_sha256_init(struct jit_sha256 *s);
void jit_sha256_update(struct jit_sha256 *s, const void *data, size_t len);
void jit_sha256_final(struct jit_sha256 *s, uint8_t out[JIT_SHA256_LEN]);
/* Test hook: true = the portable code only, false = the SHA extensions
 * again where CPUID reports them (the default). */
void jit_sha256_portable_only(bool on);
/* Whether the SHA extensions are in use. */
bool jit_sha256_accelerated(void);

/* The three at once. */
void jit_sha256(const void *data, size_t len, uint8_t out[JIT_SHA256_LEN]);

#endif
