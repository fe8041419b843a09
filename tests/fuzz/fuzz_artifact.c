/*
 * fuzz_artifact.c — libFuzzer target: the .wmo artifact's loader
 * (jit/artifact.c, docs/artifact.md), which must refuse any input it
 * cannot prove sound without crashing, leaking or reading out of bounds,
 * and jit_artifact_check, which the image builder and inspect use.
 *
 * The first byte of the input chooses the form:
 *   even  the rest is the artifact as it is: mutations mostly meet the
 *         checksum (and the framing before it: magic, format, section
 *         headers, truncation);
 *   odd   the rest with its trailing SHA-256 recomputed here first, as a
 *         forger who knows the format would: mutations get past the
 *         checksum to the versions, the CPU features, the module hash, the
 *         embedded module's decoder and the function and source-map
 *         tables.  What passes them all is mapped (never run) and freed.
 * Seeds: artifacts of the test modules by `wasmetal compile`, in both
 * forms (tests/fuzz/seeds.sh).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "sha256.h"
#include "wasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jit_artifact_info info;
	wasm_module *m = NULL;
	uint8_t *buf;
	size_t len;
	char why[320];

	if (size < 1)
		return 0;
	len = size - 1;
	buf = malloc(len ? len : 1);    /* exactly len bytes: ASan sees overreads */
	if (!buf)
		abort();
	memcpy(buf, data + 1, len);
	if ((data[0] & 1) && len >= JIT_SHA256_LEN)
		jit_sha256(buf, len - JIT_SHA256_LEN, buf + len - JIT_SHA256_LEN);
	(void)jit_artifact_check(buf, len, &info, why, sizeof why);
	if (jit_artifact_load(buf, len, &m, why, sizeof why) == 0) {
		if (!m)
			abort();
		wasm_module_free(m);
	} else if (m || !why[0]) {
		abort();        /* a refusal always says why and gives nothing */
	}
	free(buf);
	return 0;
}
