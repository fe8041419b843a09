/*
 * compile.c — `wasmetal compile MODULE.wasm -o OUT.wmo [--backend single]`:
 * compile a module ahead of time into an artifact (jit/artifact.h,
 * docs/artifact.md) that `wasmetal run` loads without compiling.
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

/* OUT.tmp.PID, then rename: OUT is either the old file or the whole new one */
static int write_atomic(const char *out, const uint8_t *buf, size_t len)
{
	char tmp[PATH_MAX];
	FILE *f;
	int ok;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid()) >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!(f = fopen(tmp, "wb")))
		return -1;
	ok = fwrite(buf, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, out)) {
		int e = errno;

		unlink(tmp);
		errno = e ? e : EIO;
		return -1;
	}
	return 0;
}

static int compile_file(const char *in, const char *out, enum jit_backend backend)
{
	struct wasm_error err;
	wasm_module *m = NULL;
	uint8_t *wasm, *wmo = NULL;
	size_t len, wmo_len = 0;
	char why[512];
	int rc = EXIT_INTERNAL;

	if (!(wasm = host_read_file(in, &len))) {
		fprintf(stderr, "wasmetal: cannot read %s: %s\n", in, strerror(errno));
		return EXIT_INTERNAL;
	}
	memset(&err, 0, sizeof err);
	if (jit_artifact_is(wasm, len)) {
		fprintf(stderr, "wasmetal: %s is already an artifact\n", in);
	} else if (wasm_module_load(wasm, len, &m, &err)) {
		wasm_error_format(&err, why, sizeof why);
		/* running out of memory is not the module's fault (wasm.h) */
		fprintf(stderr, "wasmetal: %s: %s\n", err.kind == WASM_ERR_RESOURCE ?
			"failed to load the module" : "invalid module", why);
	} else if (jit_artifact_write(m, backend, &wmo, &wmo_len, why, sizeof why)) {
		fprintf(stderr, "wasmetal: cannot make the artifact: %s\n", why);
	} else if (write_atomic(out, wmo, wmo_len)) {
		fprintf(stderr, "wasmetal: cannot write %s: %s\n", out, strerror(errno));
	} else {
		rc = 0;
	}
	free(wmo);
	wasm_module_free(m);
	free(wasm);
	return rc;
}

int compile_backend(const char *in, const char *out, const char *backend)
{
	if (!strcmp(backend, "llvm")) {
		fprintf(stderr, "wasmetal: --backend llvm is not available yet "
			"(issue 9); use --backend single\n");
		return EXIT_INTERNAL;
	}
	if (strcmp(backend, "single"))
		return usage("unknown backend '%s' (single, llvm)", backend);
	return compile_file(in, out, JIT_BACKEND_SINGLE);
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
	return compile_backend(in, out, backend);
}
