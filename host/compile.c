/*
 * compile.c — `wasmetal compile MODULE.wasm -o OUT.wmo [--backend
 * single|llvm]`: compile a module ahead of time into an artifact
 * (jit/artifact.h, docs/artifact.md) that `wasmetal run` loads without
 * compiling; the single-pass JIT here, LLVM through host/aot.c.
 *
 * The code is compiled for this machine's CPU (the JIT_CPU_* features it
 * has, recorded in the artifact: a CPU without one refuses it).  The file
 * is written to OUT.tmp.PID and renamed over OUT, so a failed or
 * interrupted compile never leaves a half-written artifact under OUT.
 * Exit status: 0; 125 when the module is invalid or cannot be written;
 * 2 on usage errors (as main.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aot.h"
#include "artifact.h"
#include "readfile.h"
#include "compile.h"
#include "wasm.h"

#define EXIT_USAGE 2
#define EXIT_INTERNAL 125

static const char compile_usage[] =
"usage: wasmetal compile MODULE.wasm -o OUT.wmo [--backend single|llvm]\n"
"\n"
"Compile MODULE ahead of time for this CPU into an artifact that\n"
"'wasmetal run [--hosted] OUT.wmo' runs without compiling.  An artifact is\n"
"native code: run only artifacts you built (docs/artifact.md).\n";

static int usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "wasmetal compile: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", compile_usage);
	return EXIT_USAGE;
}

/* The single-pass JIT's artifact of the module wasm, in *wmo. */
static int compile_single(const uint8_t *wasm, size_t len, uint8_t **wmo, size_t *wmo_len)
{
	struct wasm_error err;
	wasm_module *m = NULL;
	char why[512];
	int rc = EXIT_INTERNAL;

	memset(&err, 0, sizeof err);
	if (wasm_module_load(wasm, len, &m, &err)) {
		wasm_error_format(&err, why, sizeof why);
		/* running out of memory is not the module's fault (wasm.h) */
		fprintf(stderr, "wasmetal: %s: %s\n", err.kind == WASM_ERR_RESOURCE ?
			"failed to load the module" : "invalid module", why);
	} else if (jit_artifact_write(m, JIT_BACKEND_SINGLE, wmo, wmo_len, why, sizeof why)) {
		fprintf(stderr, "wasmetal: cannot make the artifact: %s\n", why);
	} else {
		rc = 0;
	}
	wasm_module_free(m);
	return rc;
}

/* The LLVM backend's (host/aot.c: the plugin, the cache). */
static int compile_llvm(const uint8_t *wasm, size_t len, unsigned flags, uint8_t **wmo,
			size_t *wmo_len)
{
	char why[1024];
	int r = aot_compile("llvm", wasm, len, flags, wmo, wmo_len, why, sizeof why);

	if (r == AOT_INVALID)
		fprintf(stderr, "wasmetal: invalid module: %s\n", why);
	else if (r)
		fprintf(stderr, "wasmetal: llvm backend: %s\n", why);
	return r ? EXIT_INTERNAL : 0;
}

int compile_to_memory(const char *in, const char *backend, unsigned flags, uint8_t **wmo,
		      size_t *wmo_len)
{
	uint8_t *wasm;
	size_t len;
	int rc;

	*wmo = NULL;
	if (strcmp(backend, "single") && strcmp(backend, "llvm"))
		return usage("unknown backend '%s' (single, llvm)", backend);
	if (!(wasm = host_read_file(in, &len))) {
		fprintf(stderr, "wasmetal: cannot read %s: %s\n", in, strerror(errno));
		return EXIT_INTERNAL;
	}
	if (jit_artifact_is(wasm, len)) {
		fprintf(stderr, "wasmetal: %s is already an artifact\n", in);
		rc = EXIT_INTERNAL;
	} else if (!strcmp(backend, "llvm")) {
		rc = compile_llvm(wasm, len, flags, wmo, wmo_len);
	} else {
		rc = compile_single(wasm, len, wmo, wmo_len);
	}
	free(wasm);
	return rc;
}

int compile_backend(const char *in, const char *out, const char *backend, unsigned flags)
{
	uint8_t *wmo = NULL;
	size_t wmo_len = 0;
	int rc = compile_to_memory(in, backend, flags, &wmo, &wmo_len);

	if (rc == 0 && aot_write_atomic(out, wmo, wmo_len, 0644)) {
		fprintf(stderr, "wasmetal: cannot write %s: %s\n", out, strerror(errno));
		rc = EXIT_INTERNAL;
	}
	free(wmo);
	return rc;
}

int compile_main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *backend = "single";

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(compile_usage, stdout);
			return 0;
		}
		if (!strcmp(a, "-o") || !strcmp(a, "--backend")) {
			if (i + 1 >= argc)
				return usage("option %s needs a value", a);
			*(a[1] == 'o' ? &out : &backend) = argv[++i];
		} else if (!strncmp(a, "--backend=", 10)) {
			backend = a + 10;
		} else if (a[0] == '-' && a[1]) {
			return usage("unknown option '%s'", a);
		} else if (in) {
			return usage("one MODULE only ('%s' too)", a);
		} else {
			in = a;
		}
	}
	if (!in)
		return usage("%s", "missing MODULE");
	if (!out)
		return usage("%s", "missing -o OUT.wmo");
	return compile_backend(in, out, backend, 0);
}
