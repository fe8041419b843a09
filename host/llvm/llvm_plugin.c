/*
 * llvm_plugin.c — the LLVM backend's entry point in libwasmetal-llvm.so,
 * the plugin the CLI loads (host/aot.c) only when a command asks for
 * `--backend llvm`: linking libLLVM into `wasmetal` itself would cost
 * every run ~65 ms of dynamic linking here.  The plugin's other symbols
 * (the runtime: module loading, import stubs, the artifact writer) come
 * from the executable, which exports them (-rdynamic).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "artifact.h"
#include "llvm_backend.h"
#include "llvm_plugin.h"

const char wasmetal_llvm_engine[] = LLVM_PLUGIN_ID;

int wasmetal_llvm_artifact(const uint8_t *wasm, size_t len, unsigned cpu, uint8_t **out,
			   size_t *outlen, char *why, size_t whylen)
{
	struct wasm_error err;
	wasm_module *m = NULL;
	int rc = LLVM_PLUGIN_FAILED;

	*out = NULL;
	memset(&err, 0, sizeof err);
	/* decoded and validated as every module (the single-pass code it
	   also gets is replaced: validation is that compiler's pass) */
	if (wasm_module_load(wasm, len, &m, &err)) {
		wasm_error_format(&err, why, whylen);
		return err.kind == WASM_ERR_RESOURCE ? LLVM_PLUGIN_FAILED : LLVM_PLUGIN_INVALID;
	}
	if (llvm_wasm_module_code(m, cpu, why, whylen) == 0 &&
	    jit_artifact_write(m, JIT_BACKEND_LLVM, out, outlen, why, whylen) == 0)
		rc = 0;
	wasm_module_free(m);
	return rc;
}
