/*
 * llvm_plugin.h — what host/aot.c (in `wasmetal`) and the LLVM plugin
 * (libwasmetal-llvm.so, host/llvm/llvm_plugin.c) agree on.  The plugin
 * must come from the same build: its id (engine, build id of the backend's
 * sources, ABI, format) is compared before its entry point is called, and
 * the artifact cache keys on the build id.
 */
#ifndef HOST_LLVM_PLUGIN_H
#define HOST_LLVM_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include "artifact.h"

#define LLVM_PLUGIN_STR2(x) #x
#define LLVM_PLUGIN_STR(x) LLVM_PLUGIN_STR2(x)
#include "llvm_build_id.h"      /* generated: Makefile LLVM_BUILD_ID_H */

#define LLVM_PLUGIN_ID JIT_ENGINE_VERSION " build " WASMETAL_LLVM_BUILD_ID \
	" abi " LLVM_PLUGIN_STR(JIT_ABI_VERSION) \
	" format " LLVM_PLUGIN_STR(JIT_ARTIFACT_FORMAT)

/* wasmetal_llvm_artifact's results besides 0 */
#define LLVM_PLUGIN_INVALID  1  /* the module is invalid (why: the error) */
#define LLVM_PLUGIN_FAILED  -1  /* the backend or this machine failed */

/* Compile the module wasm[0, len) with the LLVM backend for the CPU
 * features cpu (JIT_CPU_*) into an artifact (malloc'd, *out).  0,
 * LLVM_PLUGIN_INVALID or LLVM_PLUGIN_FAILED with why filled. */
typedef int wasmetal_llvm_artifact_fn(const uint8_t *wasm, size_t len, unsigned cpu,
				      uint8_t **out, size_t *outlen, char *why,
				      size_t whylen);
wasmetal_llvm_artifact_fn wasmetal_llvm_artifact;
extern const char wasmetal_llvm_engine[];

#endif
