/*
 * compile.c — `wasmetal compile MODULE.wasm -o OUT.wmo [--backend
 * single|llvm] [--cpu host|baseline|LIST]`: compile a module ahead of
 * time into an artifact (jit/artifact.h, docs/artifact.md) that `wasmetal
 * run` loads without compiling; the single-pass JIT here, LLVM through
 * host/aot.c.  Also the --cpu option of run, image and spec.
 *
 * The code is compiled for a set of optional CPU features (JIT_CPU_*),
 * recorded in the artifact: a CPU without one refuses it.  `compile`'s
 * default is this machine's (host); `image` defaults to baseline
 * (main.c; docs/artifact.md "Choosing the CPU").  The file
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
#include "jit.h"
#include "wasm.h"

#define EXIT_USAGE 2
#define EXIT_INTERNAL 125

static const char compile_usage[] =
"usage: wasmetal compile MODULE.wasm -o OUT.wmo [--backend single|llvm]\n"
"                        [--cpu host|baseline|FEATURE,...]\n"
"\n"
"Compile MODULE ahead of time into an artifact that 'wasmetal run\n"
"[--hosted] --allow-precompiled OUT.wmo' runs without compiling.  An\n"
"artifact is native code: run only artifacts you built (docs/artifact.md).\n"
"\n"
"--cpu  the x86-64 CPU the code is for (a CPU lacking one of its features\n"
"       refuses the artifact): host (the default: this CPU's features),\n"
"       baseline (x86-64 with SSE2 only: runs on any x86-64), or a list of\n"
"       " COMPILE_CPU_NAMES " (the single-pass backend: only\n"
"       features this CPU has).\n";

/* ---- --cpu ------------------------------------------------------------------ */

static const struct { unsigned bit; const char *name; } cpu_names[] = {
	{ JIT_CPU_SSE41, "sse4.1" }, { JIT_CPU_POPCNT, "popcnt" },
	{ JIT_CPU_LZCNT, "lzcnt" }, { JIT_CPU_BMI1, "bmi1" },
	{ JIT_CPU_AVX, "avx" }, { JIT_CPU_AVX2, "avx2" },
};

int compile_cpu_parse(const char *s, unsigned *cpu)
{
	const char *p = s;

	*cpu = 0;
	if (!strcmp(s, "host")) {
		*cpu = jit_cpu_features();
		return 0;
	}
	if (!strcmp(s, "baseline"))
		return 0;
	for (;;) {
		size_t n = strcspn(p, ","), k;
		for (k = 0; k < sizeof cpu_names / sizeof cpu_names[0]; k++)
			if (strlen(cpu_names[k].name) == n && !strncmp(p, cpu_names[k].name, n))
				break;
		if (k == sizeof cpu_names / sizeof cpu_names[0])
			return -1;
		*cpu |= cpu_names[k].bit;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

void compile_cpu_name(unsigned cpu, char *buf, size_t len)
{
	size_t at = 0;

	snprintf(buf, len, "baseline");
	for (size_t k = 0; k < sizeof cpu_names / sizeof cpu_names[0]; k++)
		if ((cpu & cpu_names[k].bit) && at < len)
			at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? "," : "",
					       cpu_names[k].name);
}

int compile_cpu_single(unsigned cpu)
{
	unsigned lack = cpu & ~jit_cpu_features();
	char names[64];

	if (lack) {
		compile_cpu_name(lack, names, sizeof names);
		fprintf(stderr, "wasmetal: --cpu: this CPU lacks %s, and the single-pass "
			"backend compiles only for features the CPU it runs on has (the "
			"llvm backend compiles for any)\n", names);
		return EXIT_INTERNAL;
	}
	jit_cpu_disable(JIT_CPU_ALL & ~cpu);
	return 0;
}

static int usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "wasmetal compile: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", compile_usage);
	return EXIT_USAGE;
}

/* The single-pass JIT's artifact of the module wasm, compiled for cpu,
 * in *wmo. */
static int compile_single(const uint8_t *wasm, size_t len, unsigned cpu, uint8_t **wmo,
			  size_t *wmo_len)
{
	struct wasm_error err;
	wasm_module *m = NULL;
	char why[512];
	int rc = EXIT_INTERNAL;

	memset(&err, 0, sizeof err);
	if (compile_cpu_single(cpu))
		return EXIT_INTERNAL;
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
	jit_cpu_disable(0);     /* (the CLI disables nothing otherwise) */
	return rc;
}

/* The LLVM backend's (host/aot.c: the plugin, the cache). */
static int compile_llvm(const uint8_t *wasm, size_t len, unsigned cpu, unsigned flags,
			uint8_t **wmo, size_t *wmo_len)
{
	char why[1024];
	int r = aot_compile("llvm", wasm, len, cpu, flags, wmo, wmo_len, why, sizeof why);

	if (r == AOT_INVALID)
		fprintf(stderr, "wasmetal: invalid module: %s\n", why);
	else if (r)
		fprintf(stderr, "wasmetal: llvm backend: %s\n", why);
	return r ? EXIT_INTERNAL : 0;
}

int compile_to_memory(const char *in, const char *backend, unsigned cpu, unsigned flags,
		      uint8_t **wmo, size_t *wmo_len)
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
		rc = compile_llvm(wasm, len, cpu, flags, wmo, wmo_len);
	} else {
		rc = compile_single(wasm, len, cpu, wmo, wmo_len);
	}
	free(wasm);
	return rc;
}

int compile_backend(const char *in, const char *out, const char *backend, unsigned cpu,
		    unsigned flags)
{
	uint8_t *wmo = NULL;
	size_t wmo_len = 0;
	int rc = compile_to_memory(in, backend, cpu, flags, &wmo, &wmo_len);

	if (rc == 0 && aot_write_atomic(out, wmo, wmo_len, 0644)) {
		fprintf(stderr, "wasmetal: cannot write %s: %s\n", out, strerror(errno));
		rc = EXIT_INTERNAL;
	}
	free(wmo);
	return rc;
}

int compile_main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *backend = "single", *cpu_arg = "host";
	unsigned cpu;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(compile_usage, stdout);
			return 0;
		}
		if (!strcmp(a, "-o") || !strcmp(a, "--backend") || !strcmp(a, "--cpu")) {
			if (i + 1 >= argc)
				return usage("option %s needs a value", a);
			*(a[1] == 'o' ? &out : a[2] == 'b' ? &backend : &cpu_arg) = argv[++i];
		} else if (!strncmp(a, "--backend=", 10)) {
			backend = a + 10;
		} else if (!strncmp(a, "--cpu=", 6)) {
			cpu_arg = a + 6;
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
	if (compile_cpu_parse(cpu_arg, &cpu))
		return usage("--cpu wants host, baseline or a list of "
			     COMPILE_CPU_NAMES ", got '%s'", cpu_arg);
	return compile_backend(in, out, backend, cpu, 0);
}
