/*
 * artifact.h — compiled modules ahead of time: the .wmo artifact
 * (docs/artifact.md is the format).  `wasmetal compile` writes one from a
 * module compiled by jit_compile; `wasmetal run` (hosted, and the kernel
 * from a bundle) loads one instead of compiling.
 *
 * The loader treats its input as hostile: every length and offset is
 * bounds-checked before use, the checksum is verified before anything
 * else is believed, and the code is mapped executable only after every
 * check passed (engine, ABI, CPU features, module hash, tables).  What the
 * checks cannot tell is whether the code is the compiler's: an artifact is
 * native code, trusted like the engine itself (docs/artifact.md "Trust").
 */
#ifndef JIT_ARTIFACT_H
#define JIT_ARTIFACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "wasm.h"
#include "jit.h"          /* enum jit_backend */

/* What an artifact records and the loader requires to be equal. */
#define JIT_ARTIFACT_FORMAT  1          /* this layout (docs/artifact.md) */
/* The release (also `wasmetal --version`).  An artifact records the
 * engine as "wasmetal " WASMETAL_VERSION: bump it, or JIT_ABI_VERSION,
 * with any change that makes older code unsafe to load (struct jit_rt,
 * trap codes, what compiled code expects of the runtime). */
#define WASMETAL_VERSION     "0.1.0"
#define JIT_ENGINE_VERSION   "wasmetal " WASMETAL_VERSION

/* Whether buf starts with the artifact magic (how `run` tells a .wmo from
 * a .wasm: by content, not by name). */
bool jit_artifact_is(const uint8_t *buf, size_t len);

/* Serialize m (from wasm_module_load: it has its code) as an artifact of
 * `backend` into a malloc'd buffer.  0, or -1 with why filled. */
int jit_artifact_write(const wasm_module *m, enum jit_backend backend,
		       uint8_t **out, size_t *outlen, char *why, size_t whylen);

/* Verify and load an artifact: the module decoded and validated from its
 * embedded bytes, with the artifact's code mapped into sealed code pages
 * (m->code as jit_compile would give it).  0; or -1, the artifact
 * refused, with why filled ("artifact checksum mismatch", "artifact
 * truncated at byte N ...", ...); or -2, this machine failed (out of
 * memory, code pages not sealed), with why.  After -1 or -2 nothing is
 * mapped executable and *out is NULL. */
int jit_artifact_load(const uint8_t *buf, size_t len, wasm_module **out,
		      char *why, size_t whylen);

/* jit_artifact_load without its two SHA-256 passes (the file checksum,
 * step 3, and the module hash, step 6 of docs/artifact.md "Loading"):
 * every other check is made.  Only for bytes the caller has already
 * tied to a jit_artifact_check that passed: the kernel, for the artifact
 * of a bundle whose manifest has the module-crc32c the host wrote after
 * that check (images/parse/crc32c.h), and which the CRC matches. */
int jit_artifact_load_checked(const uint8_t *buf, size_t len, wasm_module **out,
			      char *why, size_t whylen);

/* What jit_artifact_check found. */
struct jit_artifact_info {
	uint32_t backend;               /* enum jit_backend */
	uint32_t cpu;                   /* JIT_CPU_* the code needs */
	const uint8_t *module;          /* the embedded module, inside buf */
	size_t module_len;
	size_t code_len;
};

/* The checks of jit_artifact_load that do not depend on this CPU or map
 * anything: structure, checksum, engine and ABI versions, module hash (the
 * image builder's check before it puts an artifact in a bundle; inspect).
 * 0 with *info filled, or -1 with why. */
int jit_artifact_check(const uint8_t *buf, size_t len, struct jit_artifact_info *info,
		       char *why, size_t whylen);

/* Test hook: how many times jit_artifact_load made code executable
 * (plat_code_seal) since the process started. */
unsigned long jit_artifact_sealed_count(void);

#endif
