/*
 * test_artifact.c — the .wmo artifact (jit/artifact.c, docs/artifact.md)
 * and the SHA-256 it rests on (jit/sha256.c).
 *
 * 1. SHA-256: the FIPS 180-4 / NIST CAVP example vectors, every split of
 *    a message into two updates, and sha256sum (coreutils) on files; by
 *    the portable code, then by the SHA extensions where the CPU has them.
 * 2. Round trip: modules compiled -> written -> loaded give the same
 *    results, the same trap codes, messages and backtraces (function
 *    indices, byte offsets, names) as the module compiled directly.
 * 3. Refusals: another engine version, ABI version, module hash, a CPU
 *    feature this CPU lacks (faked with jit_cpu_disable, the compiler's
 *    own test hook), every truncation, single-byte flips over the whole
 *    artifact, and tables forged with a valid checksum.  Each is refused
 *    with its own message, and none is executed: the loader's seal count
 *    (jit_artifact_sealed_count, the only place it makes code executable)
 *    does not move, while each successful load moves it by one.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "check.h"
#include "artifact.h"
#include "jit.h"
#include "plat_host.h"
#include "sha256.h"
#include "wasm.h"

/* ---- the modules (wat2wasm --debug-names) ---------------------------------- */

/*
 * (module
 *   (import "env" "hostadd" (func $hostadd (param i32 i32) (result i32)))
 *   (type $ii (func (param i32) (result i32)))
 *   (type $v (func))
 *   (memory 1)
 *   (table 2 funcref)
 *   (elem (i32.const 0) $twice $viahost)
 *   (func $fac (export "fac") (param i64) (result i64)
 *     (if (result i64) (i64.eqz (local.get 0))
 *       (then (i64.const 1))
 *       (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
 *   (func $div (export "div") (param i32 i32) (result i32)
 *     (i32.div_s (local.get 0) (local.get 1)))
 *   (func $inner (param i32) (result i32)
 *     (if (local.get 0) (then unreachable))
 *     (i32.const 1))
 *   (func $nested (export "nested") (param i32) (result i32)
 *     (i32.add (call $inner (local.get 0)) (i32.const 2)))
 *   (func $oob (export "oob") (param i32) (result i32)
 *     (i32.load offset=4 (local.get 0)))
 *   (func $bits (export "bits") (param i32) (result i32)
 *     (i32.add (i32.add (i32.clz (local.get 0)) (i32.mul (i32.ctz (local.get 0)) (i32.const 100)))
 *              (i32.mul (i32.popcnt (local.get 0)) (i32.const 10000))))
 *   (func $near (export "near") (param f64) (result f64)
 *     (f64.add (f64.nearest (local.get 0)) (f64.floor (local.get 0))))
 *   (func $twice (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1)))
 *   (func $viahost (param i32) (result i32) (call $hostadd (local.get 0) (i32.const 5)))
 *   (func (export "indirect") (param i32 i32) (result i32)
 *     (call_indirect (type $ii) (local.get 1) (local.get 0)))
 *   (func (export "badtype") (result i32)
 *     (call_indirect (type $v) (i32.const 0)) (i32.const 0))
 *   (func (export "memsum") (param i32 i32) (result i32)
 *     (i32.store (i32.const 64) (local.get 0))
 *     (i32.store (i32.const 68) (local.get 1))
 *     (i32.add (i32.load (i32.const 64)) (i32.load (i32.const 68))))
 * )
 */
static const uint8_t m1_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x1d, 0x06, 0x60,
	0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01,
	0x7f, 0x60, 0x01, 0x7e, 0x01, 0x7e, 0x60, 0x01, 0x7c, 0x01, 0x7c, 0x60,
	0x00, 0x01, 0x7f, 0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x07, 0x68,
	0x6f, 0x73, 0x74, 0x61, 0x64, 0x64, 0x00, 0x02, 0x03, 0x0d, 0x0c, 0x03,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x02, 0x05, 0x02, 0x04,
	0x04, 0x01, 0x70, 0x00, 0x02, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x48,
	0x09, 0x03, 0x66, 0x61, 0x63, 0x00, 0x01, 0x03, 0x64, 0x69, 0x76, 0x00,
	0x02, 0x06, 0x6e, 0x65, 0x73, 0x74, 0x65, 0x64, 0x00, 0x04, 0x03, 0x6f,
	0x6f, 0x62, 0x00, 0x05, 0x04, 0x62, 0x69, 0x74, 0x73, 0x00, 0x06, 0x04,
	0x6e, 0x65, 0x61, 0x72, 0x00, 0x07, 0x08, 0x69, 0x6e, 0x64, 0x69, 0x72,
	0x65, 0x63, 0x74, 0x00, 0x0a, 0x07, 0x62, 0x61, 0x64, 0x74, 0x79, 0x70,
	0x65, 0x00, 0x0b, 0x06, 0x6d, 0x65, 0x6d, 0x73, 0x75, 0x6d, 0x00, 0x0c,
	0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x08, 0x09, 0x0a, 0xa2,
	0x01, 0x0c, 0x15, 0x00, 0x20, 0x00, 0x50, 0x04, 0x7e, 0x42, 0x01, 0x05,
	0x20, 0x00, 0x20, 0x00, 0x42, 0x01, 0x7d, 0x10, 0x01, 0x7e, 0x0b, 0x0b,
	0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6d, 0x0b, 0x0a, 0x00, 0x20, 0x00,
	0x04, 0x40, 0x00, 0x0b, 0x41, 0x01, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x10,
	0x03, 0x41, 0x02, 0x6a, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x28, 0x02, 0x04,
	0x0b, 0x16, 0x00, 0x20, 0x00, 0x67, 0x20, 0x00, 0x68, 0x41, 0xe4, 0x00,
	0x6c, 0x6a, 0x20, 0x00, 0x69, 0x41, 0x90, 0xce, 0x00, 0x6c, 0x6a, 0x0b,
	0x09, 0x00, 0x20, 0x00, 0x9e, 0x20, 0x00, 0x9c, 0xa0, 0x0b, 0x07, 0x00,
	0x20, 0x00, 0x41, 0x01, 0x74, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x41, 0x05,
	0x10, 0x00, 0x0b, 0x09, 0x00, 0x20, 0x01, 0x20, 0x00, 0x11, 0x00, 0x00,
	0x0b, 0x09, 0x00, 0x41, 0x00, 0x11, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x1f,
	0x00, 0x41, 0xc0, 0x00, 0x20, 0x00, 0x36, 0x02, 0x00, 0x41, 0xc4, 0x00,
	0x20, 0x01, 0x36, 0x02, 0x00, 0x41, 0xc0, 0x00, 0x28, 0x02, 0x00, 0x41,
	0xc4, 0x00, 0x28, 0x02, 0x00, 0x6a, 0x0b, 0x00, 0x72, 0x04, 0x6e, 0x61,
	0x6d, 0x65, 0x01, 0x44, 0x0a, 0x00, 0x07, 0x68, 0x6f, 0x73, 0x74, 0x61,
	0x64, 0x64, 0x01, 0x03, 0x66, 0x61, 0x63, 0x02, 0x03, 0x64, 0x69, 0x76,
	0x03, 0x05, 0x69, 0x6e, 0x6e, 0x65, 0x72, 0x04, 0x06, 0x6e, 0x65, 0x73,
	0x74, 0x65, 0x64, 0x05, 0x03, 0x6f, 0x6f, 0x62, 0x06, 0x04, 0x62, 0x69,
	0x74, 0x73, 0x07, 0x04, 0x6e, 0x65, 0x61, 0x72, 0x08, 0x05, 0x74, 0x77,
	0x69, 0x63, 0x65, 0x09, 0x07, 0x76, 0x69, 0x61, 0x68, 0x6f, 0x73, 0x74,
	0x02, 0x1b, 0x0d, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04,
	0x00, 0x05, 0x00, 0x06, 0x00, 0x07, 0x00, 0x08, 0x00, 0x09, 0x00, 0x0a,
	0x00, 0x0b, 0x00, 0x0c, 0x00, 0x04, 0x08, 0x02, 0x00, 0x02, 0x69, 0x69,
	0x01, 0x01, 0x76,
};

/*
 * (module
 *   (func $fib (export "fib") (param i32) (result i32)
 *     (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
 *       (then (local.get 0))
 *       (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
 *                      (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
 *   (func $deep (export "deep") (param i32) (result i32)
 *     (call $deep (i32.add (local.get 0) (i32.const 1))))
 * )
 */
static const uint8_t m2_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60,
	0x01, 0x7f, 0x01, 0x7f, 0x03, 0x03, 0x02, 0x00, 0x00, 0x07, 0x0e, 0x02,
	0x03, 0x66, 0x69, 0x62, 0x00, 0x00, 0x04, 0x64, 0x65, 0x65, 0x70, 0x00,
	0x01, 0x0a, 0x28, 0x02, 0x1c, 0x00, 0x20, 0x00, 0x41, 0x02, 0x49, 0x04,
	0x7f, 0x20, 0x00, 0x05, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x00, 0x20,
	0x00, 0x41, 0x02, 0x6b, 0x10, 0x00, 0x6a, 0x0b, 0x0b, 0x09, 0x00, 0x20,
	0x00, 0x41, 0x01, 0x6a, 0x10, 0x01, 0x0b, 0x00, 0x1a, 0x04, 0x6e, 0x61,
	0x6d, 0x65, 0x01, 0x0c, 0x02, 0x00, 0x03, 0x66, 0x69, 0x62, 0x01, 0x04,
	0x64, 0x65, 0x65, 0x70, 0x02, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00,
};

/*
 * (module
 *   (memory 1 2)
 *   (global $g (mut i32) (i32.const 40))
 *   (data (i32.const 16) "\2a\00\00\00wasmetal")
 *   (func $start (global.set $g (i32.add (global.get $g) (i32.load (i32.const 16)))))
 *   (start $start)
 *   (func (export "g") (result i32) (global.get $g))
 *   (func (export "grow") (result i32) (memory.grow (i32.const 1)))
 *   (func (export "byte") (param i32) (result i32) (i32.load8_u offset=20 (local.get 0)))
 *   (func (export "multi") (param i64 f32) (result f32 i64 i32)
 *     (local.get 1) (i64.add (local.get 0) (i64.const 1)) (i32.const 7))
 * )
 */
static const uint8_t m3_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x15, 0x04, 0x60,
	0x00, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60,
	0x02, 0x7e, 0x7d, 0x03, 0x7d, 0x7e, 0x7f, 0x03, 0x06, 0x05, 0x00, 0x01,
	0x01, 0x02, 0x03, 0x05, 0x04, 0x01, 0x01, 0x01, 0x02, 0x06, 0x06, 0x01,
	0x7f, 0x01, 0x41, 0x28, 0x0b, 0x07, 0x1b, 0x04, 0x01, 0x67, 0x00, 0x01,
	0x04, 0x67, 0x72, 0x6f, 0x77, 0x00, 0x02, 0x04, 0x62, 0x79, 0x74, 0x65,
	0x00, 0x03, 0x05, 0x6d, 0x75, 0x6c, 0x74, 0x69, 0x00, 0x04, 0x08, 0x01,
	0x00, 0x0a, 0x2e, 0x05, 0x0c, 0x00, 0x23, 0x00, 0x41, 0x10, 0x28, 0x02,
	0x00, 0x6a, 0x24, 0x00, 0x0b, 0x04, 0x00, 0x23, 0x00, 0x0b, 0x06, 0x00,
	0x41, 0x01, 0x40, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x2d, 0x00, 0x14,
	0x0b, 0x0b, 0x00, 0x20, 0x01, 0x20, 0x00, 0x42, 0x01, 0x7c, 0x41, 0x07,
	0x0b, 0x0b, 0x12, 0x01, 0x00, 0x41, 0x10, 0x0b, 0x0c, 0x2a, 0x00, 0x00,
	0x00, 0x77, 0x61, 0x73, 0x6d, 0x65, 0x74, 0x61, 0x6c, 0x00, 0x22, 0x04,
	0x6e, 0x61, 0x6d, 0x65, 0x01, 0x08, 0x01, 0x00, 0x05, 0x73, 0x74, 0x61,
	0x72, 0x74, 0x02, 0x0b, 0x05, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03,
	0x00, 0x04, 0x00, 0x07, 0x04, 0x01, 0x00, 0x01, 0x67,
};
/* ---- helpers --------------------------------------------------------------------- */

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static bool sha_is(const void *msg, size_t len, const char *want)
{
	uint8_t d[JIT_SHA256_LEN];
	char h[2 * JIT_SHA256_LEN + 1];

	jit_sha256(msg, len, d);
	hex(d, sizeof d, h);
	if (strcmp(h, want))
		fprintf(stderr, "sha256 of %zu bytes: %s, expected %s\n", len, h, want);
	return !strcmp(h, want);
}

static enum wasm_trap_code hostadd(wasm_instance *inst, void *env, const uint64_t *args,
				   uint64_t *results)
{
	results[0] = (uint32_t)(args[0] + args[1]);
	return WASM_TRAP_NONE;
}

static const struct wasm_host_func host_funcs[] = {
	{ "env", "hostadd", "ii", "i", hostadd, NULL },
};

/* An artifact of the module in bytes (compiled with the CPU features the
 * compiler may use now). */
static uint8_t *make_artifact(const uint8_t *bytes, size_t len, size_t *artlen)
{
	wasm_module *m = NULL;
	struct wasm_error err;
	uint8_t *art = NULL;
	char why[256];

	if (wasm_module_load(bytes, len, &m, &err)) {
		fprintf(stderr, "module: %s\n", err.msg);
		return NULL;
	}
	if (jit_artifact_write(m, JIT_BACKEND_SINGLE, &art, artlen, why, sizeof why))
		fprintf(stderr, "write: %s\n", why);
	wasm_module_free(m);
	return art;
}

/* The trailing checksum recomputed: an artifact forged by someone who
 * knows the format (the checksum is integrity, not authenticity). */
static void reseal(uint8_t *art, size_t len)
{
	jit_sha256(art, len - JIT_SHA256_LEN, art + len - JIT_SHA256_LEN);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Byte offset of section id's payload (docs/artifact.md: 96-byte header,
 * then sections of u32 id, u32 0, u64 size, payload). */
static size_t section_at(const uint8_t *art, uint32_t id, uint64_t *size)
{
	size_t off = 96;

	for (uint32_t i = 1; i < id; i++)
		off += 16 + (size_t)(get32(art + off + 8) | (uint64_t)get32(art + off + 12) << 32);
	*size = get32(art + off + 8) | (uint64_t)get32(art + off + 12) << 32;
	return off + 16;
}

/* Load must fail with a message containing want, and map nothing. */
static void refused(const uint8_t *art, size_t len, const char *want)
{
	unsigned long sealed = jit_artifact_sealed_count();
	wasm_module *m = (wasm_module *)1;
	char why[320] = "";
	int rc = jit_artifact_load(art, len, &m, why, sizeof why);

	CHECK_MSG(rc == -1 && m == NULL, "loaded (rc %d) what should be refused (%s)", rc, want);
	CHECK_MSG(strstr(why, want), "message '%s', expected '%s'", why, want);
	CHECK_EQ_U64(jit_artifact_sealed_count(), sealed);
	if (rc == 0)
		wasm_module_free(m);
}

/* ---- 1. SHA-256 -------------------------------------------------------------------- */

TEST(sha256_nist_vectors)
{
	/* FIPS 180-4 examples (NIST "SHA256.pdf", "SHA2_Additional.pdf") */
	static const char l56[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char l112[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
				   "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	uint8_t *a = malloc(1000000);

	REQUIRE(a);
	CHECK(sha_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	CHECK(sha_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	CHECK(sha_is(l56, 56, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
	CHECK(sha_is(l112, 112, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
	memset(a, 'a', 1000000);
	CHECK(sha_is(a, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
	/* SHA2_Additional: 1 byte 0xbd; 4 bytes c98c8e55; 55, 56, 57, 64 zeros */
	CHECK(sha_is("\xbd", 1, "68325720aabd7c82f30f554b313d0570c95accbb7dc4b5aae11204c08ffe732b"));
	CHECK(sha_is("\xc9\x8c\x8e\x55", 4, "7abc22c0ae5af26ce93dbb94433a0e0b2e119d014f8e7f65bd56c61ccccd9504"));
	memset(a, 0, 1000);
	CHECK(sha_is(a, 55, "02779466cdec163811d078815c633f21901413081449002f24aa3e80f0b88ef7"));
	CHECK(sha_is(a, 56, "d4817aa5497628e7c77e6b606107042bbba3130888c5f47a375e6179be789fbb"));
	CHECK(sha_is(a, 57, "65a16cb7861335d5ace3c60718b5052e44660726da4cd13bb745381b235a1785"));
	CHECK(sha_is(a, 64, "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b"));
	CHECK(sha_is(a, 1000, "541b3e9daa09b20bf85fa273e5cbd3e80185aa4ec298e765db87742b70138a53"));
	free(a);
}

/* Every split of a message into two updates gives the one-shot hash. */
TEST(sha256_incremental_splits)
{
	uint8_t msg[300], whole[JIT_SHA256_LEN], part[JIT_SHA256_LEN];
	int bad = 0;

	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 131 + 7);
	jit_sha256(msg, sizeof msg, whole);
	for (size_t k = 0; k <= sizeof msg; k++) {
		struct jit_sha256 s;

		jit_sha256_init(&s);
		jit_sha256_update(&s, msg, k);
		jit_sha256_update(&s, msg + k, sizeof msg - k);
		jit_sha256_final(&s, part);
		bad += memcmp(whole, part, sizeof whole) != 0;
	}
	CHECK_EQ_U64(bad, 0);
}

/* sha256sum's digest of path, or "" */
static void sha256sum(const char *path, char out[65])
{
	char cmd[512];
	FILE *p;

	out[0] = 0;
	snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
	if ((p = popen(cmd, "r"))) {
		if (!fgets(out, 65, p))
			out[0] = 0;
		pclose(p);
	}
}

static bool file_hash_ok(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct jit_sha256 s;
	uint8_t buf[4096], d[JIT_SHA256_LEN];
	char mine[65], theirs[65];
	size_t n;

	if (!f)
		return false;
	jit_sha256_init(&s);
	while ((n = fread(buf, 1, sizeof buf - 13, f)) > 0)  /* odd-sized updates */
		jit_sha256_update(&s, buf, n);
	fclose(f);
	jit_sha256_final(&s, d);
	hex(d, sizeof d, mine);
	sha256sum(path, theirs);
	if (strcmp(mine, theirs))
		fprintf(stderr, "%s: ours %s, sha256sum '%s'\n", path, mine, theirs);
	return strlen(theirs) == 64 && !strcmp(mine, theirs);
}

TEST(sha256_matches_sha256sum)
{
	char path[] = "/tmp/wasmetal-sha-XXXXXX";
	int fd = mkstemp(path);
	uint8_t *b = malloc(1 << 20);
	uint32_t x = 12345;

	if (access("/usr/bin/sha256sum", X_OK) && access("/bin/sha256sum", X_OK))
		SKIP("no sha256sum");
	REQUIRE(fd >= 0 && b);
	for (size_t i = 0; i < (1 << 20); i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16);
	}
	CHECK(write(fd, b, (1 << 20) - 37) == (1 << 20) - 37);
	close(fd);
	CHECK(file_hash_ok(path));
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);   /* this program */
	REQUIRE(n > 0);
	self[n] = 0;
	CHECK(file_hash_ok(self));
	unlink(path);
	fd = open(path, O_CREAT | O_WRONLY, 0600);      /* empty */
	close(fd);
	CHECK(file_hash_ok(path));
	unlink(path);
	free(b);
}

/* ---- 2. round trip ----------------------------------------------------------------- */

struct pair {
	wasm_module *direct, *loaded;
	wasm_instance *di, *li;
};

static bool pair_open(struct pair *p, const uint8_t *bytes, size_t len)
{
	struct wasm_error err;
	struct wasm_trap trap;
	size_t artlen = 0;
	uint8_t *art = make_artifact(bytes, len, &artlen);
	char why[320];
	unsigned long sealed = jit_artifact_sealed_count();

	memset(p, 0, sizeof *p);
	if (!art || wasm_module_load(bytes, len, &p->direct, &err))
		return false;
	if (jit_artifact_load(art, artlen, &p->loaded, why, sizeof why)) {
		fprintf(stderr, "load: %s\n", why);
		free(art);
		return false;
	}
	free(art);              /* the loaded module keeps nothing of it */
	CHECK_EQ_U64(jit_artifact_sealed_count(), sealed + 1);
	return wasm_instance_new(p->direct, host_funcs, 1, &p->di, &err, &trap) == 0 &&
	       wasm_instance_new(p->loaded, host_funcs, 1, &p->li, &err, &trap) == 0;
}

static void pair_close(struct pair *p)
{
	wasm_instance_free(p->di);
	wasm_instance_free(p->li);
	wasm_module_free(p->direct);
	wasm_module_free(p->loaded);
}

/* Call name on both; the same status, results, trap and backtrace.
 * Returns the direct call's status, *r0 its first result, *code its trap. */
static int same_call(struct pair *p, const char *name, const uint64_t *args, size_t nargs,
		     size_t nres, uint64_t *r0, enum wasm_trap_code *code)
{
	uint64_t rd[4] = { 0 }, rl[4] = { 0 };
	struct wasm_trap td, tl;
	struct wasm_error ed, el;
	char fd[1024], fl[1024];
	int a, b;

	memset(&td, 0, sizeof td);
	memset(&tl, 0, sizeof tl);
	a = wasm_call(p->di, name, args, nargs, rd, nres, &td, &ed);
	b = wasm_call(p->li, name, args, nargs, rl, nres, &tl, &el);
	CHECK_MSG(a == b, "%s: status %d direct, %d from the artifact", name, a, b);
	CHECK_MSG(!memcmp(rd, rl, sizeof rd), "%s: results differ", name);
	if (a == 1) {
		wasm_trap_format(&td, fd, sizeof fd);
		wasm_trap_format(&tl, fl, sizeof fl);
		CHECK_MSG(!strcmp(fd, fl), "%s: trap\n%s\nfrom the artifact\n%s", name, fd, fl);
		CHECK_EQ_U64(td.nframes, tl.nframes);
		for (uint32_t i = 0; i < td.nframes && i < tl.nframes; i++) {
			CHECK_EQ_U64(td.frames[i].func_index, tl.frames[i].func_index);
			CHECK_EQ_U64(td.frames[i].offset, tl.frames[i].offset);
		}
	}
	*r0 = rd[0];
	*code = td.code;
	return a;
}

TEST(roundtrip_m1_results_traps_backtraces)
{
	struct pair p;
	uint64_t r, a[2];
	enum wasm_trap_code c;

	REQUIRE(pair_open(&p, m1_wasm, sizeof m1_wasm));
	a[0] = 20;
	CHECK(same_call(&p, "fac", a, 1, 1, &r, &c) == 0 && r == 2432902008176640000ull);
	a[0] = 7; a[1] = 2;
	CHECK(same_call(&p, "div", a, 2, 1, &r, &c) == 0 && r == 3);
	a[1] = 0;
	CHECK(same_call(&p, "div", a, 2, 1, &r, &c) == 1 && c == WASM_TRAP_DIV_BY_ZERO);
	a[0] = 0x80000000u; a[1] = 0xffffffffu;
	CHECK(same_call(&p, "div", a, 2, 1, &r, &c) == 1 && c == WASM_TRAP_INT_OVERFLOW);
	a[0] = 0;
	CHECK(same_call(&p, "nested", a, 1, 1, &r, &c) == 0 && r == 3);
	a[0] = 1;
	CHECK(same_call(&p, "nested", a, 1, 1, &r, &c) == 1 && c == WASM_TRAP_UNREACHABLE);
	a[0] = 65532;           /* + offset 4: the fault handler's trap */
	CHECK(same_call(&p, "oob", a, 1, 1, &r, &c) == 1 && c == WASM_TRAP_MEMORY_OOB);
	a[0] = 0x00f0;
	CHECK(same_call(&p, "bits", a, 1, 1, &r, &c) == 0 && r == 24 + 400 + 40000);
	a[0] = 0;
	CHECK(same_call(&p, "bits", a, 1, 1, &r, &c) == 0 && r == 32 + 3200);
	double d = 2.5, e;
	memcpy(&a[0], &d, 8);
	CHECK(same_call(&p, "near", a, 1, 1, &r, &c) == 0);
	memcpy(&e, &r, 8);
	CHECK(e == 4.0);
	a[0] = 0; a[1] = 21;
	CHECK(same_call(&p, "indirect", a, 2, 1, &r, &c) == 0 && r == 42);
	a[0] = 1;
	CHECK(same_call(&p, "indirect", a, 2, 1, &r, &c) == 0 && r == 26);
	a[0] = 2;
	CHECK(same_call(&p, "indirect", a, 2, 1, &r, &c) == 1 &&
	      c == WASM_TRAP_UNDEFINED_ELEMENT);
	CHECK(same_call(&p, "badtype", NULL, 0, 1, &r, &c) == 1 &&
	      c == WASM_TRAP_INDIRECT_CALL_TYPE);
	a[0] = 1000; a[1] = 234;
	CHECK(same_call(&p, "memsum", a, 2, 1, &r, &c) == 0 && r == 1234);
	pair_close(&p);
}

TEST(roundtrip_names_in_backtrace)
{
	struct pair p;
	struct wasm_trap t;
	struct wasm_error err;
	uint64_t a = 1, r;

	REQUIRE(pair_open(&p, m1_wasm, sizeof m1_wasm));
	memset(&t, 0, sizeof t);
	CHECK(wasm_call(p.li, "nested", &a, 1, &r, 1, &t, &err) == 1);
	CHECK(t.nframes == 2);
	CHECK(t.frames[0].name && !strcmp(t.frames[0].name, "inner"));
	CHECK(t.frames[1].name && !strcmp(t.frames[1].name, "nested"));
	pair_close(&p);
}

TEST(roundtrip_m2_recursion_and_stack_exhaustion)
{
	struct pair p;
	uint64_t r, a = 20;
	enum wasm_trap_code c;

	REQUIRE(pair_open(&p, m2_wasm, sizeof m2_wasm));
	CHECK(same_call(&p, "fib", &a, 1, 1, &r, &c) == 0 && r == 6765);
	a = 0;
	CHECK(same_call(&p, "deep", &a, 1, 1, &r, &c) == 1 && c == WASM_TRAP_STACK_EXHAUSTED);
	pair_close(&p);
}

TEST(roundtrip_m3_start_data_globals_multivalue)
{
	struct pair p;
	uint64_t r, a[2];
	uint64_t rd[3], rl[3];
	struct wasm_trap t;
	struct wasm_error err;
	enum wasm_trap_code c;
	float f = 1.5f;

	REQUIRE(pair_open(&p, m3_wasm, sizeof m3_wasm));
	CHECK(same_call(&p, "g", NULL, 0, 1, &r, &c) == 0 && r == 82);
	a[0] = 0;
	CHECK(same_call(&p, "byte", a, 1, 1, &r, &c) == 0 && r == 'w');
	CHECK(same_call(&p, "grow", NULL, 0, 1, &r, &c) == 0 && r == 1);
	CHECK(same_call(&p, "grow", NULL, 0, 1, &r, &c) == 0 && r == 0xffffffffu);
	a[0] = 131071 - 20;
	CHECK(same_call(&p, "byte", a, 1, 1, &r, &c) == 0 && r == 0);
	a[0] = 131072 - 20;
	CHECK(same_call(&p, "byte", a, 1, 1, &r, &c) == 1 && c == WASM_TRAP_MEMORY_OOB);
	a[0] = 41;
	a[1] = 0;
	memcpy(&a[1], &f, 4);
	CHECK(wasm_call(p.di, "multi", a, 2, rd, 3, &t, &err) == 0);
	CHECK(wasm_call(p.li, "multi", a, 2, rl, 3, &t, &err) == 0);
	CHECK(!memcmp(rd, rl, sizeof rd) && rl[1] == 42 && rl[2] == 7);
	pair_close(&p);
}

/* No function at all: a code section of one byte, no table entries. */
TEST(roundtrip_empty_module)
{
	static const uint8_t empty[] = { 0x00, 'a', 's', 'm', 1, 0, 0, 0 };
	size_t len = 0;
	uint8_t *art = make_artifact(empty, sizeof empty, &len);
	wasm_module *m = NULL;
	char why[256] = "";

	REQUIRE(art);
	CHECK(jit_artifact_load(art, len, &m, why, sizeof why) == 0);
	CHECK_MSG(m != NULL, "%s", why);
	wasm_module_free(m);
	free(art);
}

/* What the header says (docs/artifact.md), field by field. */
TEST(artifact_header_fields)
{
	size_t len = 0;
	uint8_t *art = make_artifact(m2_wasm, sizeof m2_wasm, &len), sum[JIT_SHA256_LEN];
	uint64_t size;
	size_t off;

	REQUIRE(art);
	CHECK(jit_artifact_is(art, len));
	CHECK(!jit_artifact_is(m2_wasm, sizeof m2_wasm));
	CHECK_BYTES(art, 8, 0x00, 'w', 'm', 'o', 0x0d, 0x0a, 0x1a, 0x0a);
	CHECK_EQ_U64(get32(art + 8), JIT_ARTIFACT_FORMAT);
	CHECK_EQ_U64(get32(art + 12), JIT_ABI_VERSION);
	CHECK(!strcmp((const char *)art + 16, JIT_ENGINE_VERSION));
	CHECK_EQ_U64(get32(art + 48), JIT_BACKEND_SINGLE);
	CHECK_EQ_U64(get32(art + 52), jit_cpu_features());
	jit_sha256(m2_wasm, sizeof m2_wasm, sum);
	CHECK(!memcmp(art + 56, sum, sizeof sum));
	off = section_at(art, 1, &size);
	CHECK(size == sizeof m2_wasm && !memcmp(art + off, m2_wasm, sizeof m2_wasm));
	off = section_at(art, 3, &size);
	CHECK_EQ_U64(get32(art + off), 2);      /* fib, deep */
	jit_sha256(art, len - JIT_SHA256_LEN, sum);
	CHECK(!memcmp(art + len - JIT_SHA256_LEN, sum, sizeof sum));
	free(art);
}

/* ---- 3. refusals ---------------------------------------------------------------------- */

TEST(wrong_engine_version_refused)
{
	size_t len = 0;
	uint8_t *art = make_artifact(m2_wasm, sizeof m2_wasm, &len);

	REQUIRE(art);
	memcpy(art + 16, "wasmetal 0.0.9", 15);
	reseal(art, len);
	refused(art, len, "artifact built by engine 'wasmetal 0.0.9', this is '"
		JIT_ENGINE_VERSION "'");
	free(art);
}

TEST(wrong_abi_version_refused)
{
	size_t len = 0;
	uint8_t *art = make_artifact(m2_wasm, sizeof m2_wasm, &len);
	char want[80];

	REQUIRE(art);
	put32(art + 12, JIT_ABI_VERSION + 1);
	reseal(art, len);
	snprintf(want, sizeof want, "artifact uses wasm ABI v%u, this engine v%u",
		 JIT_ABI_VERSION + 1, JIT_ABI_VERSION);
	refused(art, len, want);
	free(art);
}

/* A backend the engine does not know is refused (1 and 2 are known: the
 * label says how to read the code's tables, jit.h struct jit_code). */
TEST(unknown_backend_artifact_refused)
{
	size_t len = 0;
	uint8_t *art = make_artifact(m2_wasm, sizeof m2_wasm, &len);

	REQUIRE(art);
	put32(art + 48, 0);
	reseal(art, len);
	refused(art, len, "artifact backend 0 unknown");
	put32(art + 48, 7);
	reseal(art, len);
	refused(art, len, "artifact backend 7 unknown");
	free(art);
}

/* Regression: the writer labelled single-pass code as LLVM's when asked
 * (the reader would then read its srcmap as LLVM trap sites). */
TEST(llvm_backend_artifact_not_written)
{
	wasm_module *m = NULL;
	struct wasm_error err;
	uint8_t *art = (uint8_t *)1;
	size_t len = 0;
	char why[256] = "";

	REQUIRE(!wasm_module_load(m2_wasm, sizeof m2_wasm, &m, &err));
	CHECK(jit_artifact_write(m, JIT_BACKEND_LLVM, &art, &len, why, sizeof why) == -1);
	CHECK(art == NULL);
	CHECK_MSG(strstr(why, "the module's code is of backend 1, not 2"), "message '%s'", why);
	wasm_module_free(m);
}

/* Regression: a nonzero reserved field in a section header was reported
 * as a wrong section id ("has id 1, expected 1"). */
TEST(section_reserved_field_named)
{
	size_t len = 0;
	uint8_t *art = make_artifact(m2_wasm, sizeof m2_wasm, &len);

	REQUIRE(art);
	put32(art + 96 + 4, 1);         /* the module section's reserved u32 */
	reseal(art, len);
	refused(art, len, "artifact section 1 (module) at byte 96: reserved field is 0x1, not 0");
	free(art);
}

TEST(wrong_module_hash_refused)
{
	size_t len = 0, off;
	uint64_t size;
	uint8_t *art = make_artifact(m2_wasm, sizeof m2_wasm, &len);

	REQUIRE(art);
	/* the module's bytes changed (a constant: still a valid module) */
	off = section_at(art, 1, &size);
	uint8_t *two = memmem(art + off, (size_t)size, "\x41\x02", 2);   /* i32.const 2 */
	REQUIRE(two);
	two[1] = 3;
	reseal(art, len);
	refused(art, len, "artifact module hash mismatch");
	two[1] = 2;
	/* or the hash in the header */
	art[56] ^= 1;
	reseal(art, len);
	refused(art, len, "artifact module hash mismatch");
	art[56] ^= 1;
	reseal(art, len);
	wasm_module *m = NULL;
	char why[256];
	CHECK(jit_artifact_load(art, len, &m, why, sizeof why) == 0);   /* restored */
	wasm_module_free(m);
	free(art);
}

/* The CPU features the code needs, against the running CPU's; the CPU is
 * made to lack a feature through jit_cpu_disable (jit.h's test hook). */
TEST(missing_cpu_feature_refused)
{
	static const struct { unsigned bit; const char *msg; } f[] = {
		{ JIT_CPU_SSE41, "artifact needs CPU feature SSE4.1, this CPU lacks it" },
		{ JIT_CPU_POPCNT, "artifact needs CPU feature POPCNT, this CPU lacks it" },
		{ JIT_CPU_LZCNT, "artifact needs CPU feature LZCNT, this CPU lacks it" },
		{ JIT_CPU_BMI1, "artifact needs CPU feature BMI1 (TZCNT), this CPU lacks it" },
		{ JIT_CPU_AVX, "artifact needs CPU feature AVX, this CPU lacks it" },
		{ JIT_CPU_AVX2, "artifact needs CPU feature AVX2, this CPU lacks it" },
	};
	size_t len = 0, len0 = 0;
	uint8_t *art, *art0;
	unsigned have;
	wasm_module *m = NULL;
	char why[256];
	int tested = 0;

	jit_cpu_disable(0);
	have = jit_cpu_features();
	art = make_artifact(m1_wasm, sizeof m1_wasm, &len);
	jit_cpu_disable(JIT_CPU_ALL);           /* compiled for the oldest CPU */
	art0 = make_artifact(m1_wasm, sizeof m1_wasm, &len0);
	jit_cpu_disable(0);
	REQUIRE(art && art0);
	CHECK_EQ_U64(get32(art + 52), have);
	CHECK_EQ_U64(get32(art0 + 52), 0);
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (!(have & f[i].bit))
			continue;
		jit_cpu_disable(f[i].bit);
		refused(art, len, f[i].msg);
		/* the artifact that needs nothing still loads */
		CHECK(jit_artifact_load(art0, len0, &m, why, sizeof why) == 0);
		wasm_module_free(m);
		jit_cpu_disable(0);
		tested++;
	}
	/* an unknown feature bit (a newer engine's) */
	put32(art0 + 52, 0x100);
	reseal(art0, len0);
	refused(art0, len0, "artifact needs CPU features 0x100 this engine does not know");
	free(art);
	free(art0);
	if (!tested)
		SKIP("this CPU has none of SSE4.1, POPCNT, LZCNT, BMI1, AVX, AVX2");
}

TEST(every_truncation_refused)
{
	size_t len = 0;
	uint8_t *art = make_artifact(m2_wasm, sizeof m2_wasm, &len);
	unsigned long sealed = jit_artifact_sealed_count();
	int bad = 0;

	REQUIRE(art);
	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);      /* exactly n bytes: ASan sees reads past */
		wasm_module *m = NULL;
		char why[320] = "", want[64];

		REQUIRE(copy);
		memcpy(copy, art, n);
		snprintf(want, sizeof want, "artifact truncated at byte %zu:", n);
		if (jit_artifact_load(copy, n, &m, why, sizeof why) != -1 || m ||
		    (n >= 8 ? strncmp(why, want, strlen(want)) :
			      !strstr(why, "not a wasmetal artifact"))) {
			if (bad++ < 5)
				fprintf(stderr, "length %zu: '%s'\n", n, why);
		}
		free(copy);
	}
	CHECK_EQ_U64(bad, 0);
	CHECK_EQ_U64(jit_artifact_sealed_count(), sealed);
	free(art);
}

/* Every byte of a whole artifact flipped three ways (low bit, high bit,
 * all bits): refused, nothing made executable. */
TEST(byte_flip_sweep_refused)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	size_t len = 0;
	uint8_t *art = make_artifact(m1_wasm, sizeof m1_wasm, &len);
	unsigned long sealed = jit_artifact_sealed_count(), tried = 0;
	int bad = 0;

	REQUIRE(art);
	for (size_t i = 0; i < len; i++) {
		for (size_t k = 0; k < sizeof masks; k++) {
			wasm_module *m = NULL;
			char why[320] = "";

			art[i] ^= masks[k];
			if (jit_artifact_load(art, len, &m, why, sizeof why) != -1 || m ||
			    !why[0]) {
				if (bad++ < 5)
					fprintf(stderr, "byte %zu ^ 0x%02x loaded\n", i, masks[k]);
				wasm_module_free(m);
			}
			art[i] ^= masks[k];
			tried++;
		}
	}
	CHECK_EQ_U64(tried, 3 * len);
	CHECK_EQ_U64(bad, 0);
	CHECK_EQ_U64(jit_artifact_sealed_count(), sealed);
	free(art);
}

/* Tables and sizes forged with a valid checksum: each refused by its own
 * check, before any code is mapped. */
TEST(forged_tables_refused)
{
	size_t len = 0, off;
	uint64_t size;
	uint8_t *art = make_artifact(m2_wasm, sizeof m2_wasm, &len), *t;

	REQUIRE(art);
	t = malloc(len + 8);
	REQUIRE(t);
#define FORGE(stmt, msg) do { memcpy(t, art, len); stmt; reseal(t, len); \
		refused(t, len, msg); } while (0)
	off = section_at(art, 3, &size);        /* functions: count, (start, end)... */
	FORGE(put32(t + off, 3), "functions section");
	FORGE(put32(t + off + 12, get32(t + off + 4) - 1), "artifact function 1");
	FORGE(put32(t + off + 8, 0), "artifact function 0");
	{
		uint64_t csize;
		section_at(art, 2, &csize);
		FORGE(put32(t + off + 16, (uint32_t)csize + 1), "artifact function 1");
		FORGE(put32(t + off + 12, (uint32_t)csize), "artifact function 1");
	}
	off = section_at(art, 4, &size);        /* source map */
	REQUIRE(get32(art + off) >= 2);
	FORGE(put32(t + off + 4, 0x7fffffff), "artifact source map entry 0");
	FORGE(put32(t + off + 8, sizeof m2_wasm + 1), "artifact source map entry 0");
	FORGE(put32(t + off + 12, 0), "artifact source map entry 1");
	FORGE(put32(t + off, 0xffffffff), "source map section");
	/* sizes: huge, one past the end (truncated), section id */
	off = section_at(art, 2, &size);
	FORGE(put32(t + off - 8, 0xffffffff); put32(t + off - 4, 0xffffffff),
	      "artifact truncated at byte");
	FORGE(put32(t + off - 16, 7), "has id 7, expected 2");
	FORGE(put32(t + 92, 1), "flags 0x1");
	FORGE(put32(t + 48, 9), "artifact backend 9 unknown");
	FORGE(put32(t + 8, 2), "artifact format 2, this engine reads format 1");
	/* the code section empty: its size 0, the bytes after it shifted */
	memcpy(t, art, len);
	memcpy(t + len, "\0\0\0\0\0\0\0\0", 8);
	reseal(t, len + 8);     /* 8 more bytes: refused as trailing */
	refused(t, len + 8, "8 bytes after its checksum");
#undef FORGE
	free(t);
	free(art);
}

/* The SHA extensions' path (jit/sha256.c) on the same vectors, when this
 * CPU has them; the tests above ran the portable code (forced). */
TEST(sha256_sha_ni_path)
{
	jit_sha256_portable_only(false);
	if (!jit_sha256_accelerated())
		SKIP("this CPU has no SHA extensions");
	sha256_nist_vectors();
	sha256_incremental_splits();
	sha256_matches_sha256sum();
	CHECK(jit_sha256_accelerated());
}

int main(void)
{
	plat_host_init();       /* SIGSEGV -> wasm_fault_redirect */
	jit_sha256_portable_only(true);
	RUN(sha256_nist_vectors);
	RUN(sha256_incremental_splits);
	RUN(sha256_matches_sha256sum);
	CHECK(!jit_sha256_accelerated());
	RUN(sha256_sha_ni_path);
	RUN(roundtrip_m1_results_traps_backtraces);
	RUN(roundtrip_names_in_backtrace);
	RUN(roundtrip_m2_recursion_and_stack_exhaustion);
	RUN(roundtrip_m3_start_data_globals_multivalue);
	RUN(roundtrip_empty_module);
	RUN(artifact_header_fields);
	RUN(wrong_engine_version_refused);
	RUN(wrong_abi_version_refused);
	RUN(unknown_backend_artifact_refused);
	RUN(llvm_backend_artifact_not_written);
	RUN(section_reserved_field_named);
	RUN(wrong_module_hash_refused);
	RUN(missing_cpu_feature_refused);
	RUN(every_truncation_refused);
	RUN(byte_flip_sweep_refused);
	RUN(forged_tables_refused);
	CHECK_DONE();
}
