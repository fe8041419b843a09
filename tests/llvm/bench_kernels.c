/*
 * bench_kernels.c — the pure compute functions of three bench/ programs
 * (crc32.c, fannkuch.c, nbody.c), built as a Wasm module without WASI for
 * the LLVM backend's differential test (tests/unit/test_llvm.c): each
 * program is included with its main made a static function that nothing
 * calls (the compiler drops it, and with it printf and every WASI import),
 * and small exported wrappers take any argument the test's vectors give
 * (a count reduced to a sane range).
 */
#include <stdint.h>

#pragma clang diagnostic ignored "-Wunused-function"

#define main static bench_crc32_main
#include "../../bench/crc32.c"
#undef main
#define main static bench_fannkuch_main
#include "../../bench/fannkuch.c"
#undef main
#define main static bench_nbody_main
#include "../../bench/nbody.c"
#undef main

#define EXPORT(name) __attribute__((export_name(#name)))

/* CRC-32 of n (mod 4096) bytes generated from seed, both algorithms */
EXPORT(crc) uint32_t k_crc(uint32_t seed, uint32_t n)
{
	static uint8_t data[4096];

	n %= sizeof data;
	for (uint32_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (uint8_t)(seed >> 16);
	}
	make_tables();
	return crc_bytewise(0, data, n) ^ (crc_slice4(0, data, n) << 1);
}

/* fannkuch of n in 1..7: checksum and flips */
EXPORT(fannkuch) int64_t k_fannkuch(uint32_t n)
{
	struct result r = fannkuch((int)(n % 7) + 1);

	return (int64_t)r.checksum * 64 + r.maxflips;
}

/* nbody: setup, steps (mod 20) steps, the energy */
EXPORT(nbody) double k_nbody(uint32_t steps)
{
	setup();
	for (uint32_t i = 0; i < steps % 20; i++)
		advance();
	return energy();
}
