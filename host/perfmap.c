/*
 * perfmap.c — plat_code_loaded on Linux: with WASMETAL_PERFMAP=1 in the
 * environment, write the compiled functions' addresses to
 * /tmp/perf-<pid>.map, the JIT symbol file Linux perf reads
 * (tools/perf/Documentation/jit-interface.txt: one "START SIZE NAME" line
 * per symbol, hex without 0x), so `perf record` + `perf report` name
 * Wasm functions instead of "[JIT] tid N" (bench/README.md, "Profiling").
 *
 * Names: the module's name section where it has one, else
 * wasm-function[INDEX]; imports' stubs are listed as such.  Appends: a
 * process that loads several modules gets all of them.  Failures are
 * reported once on stderr and otherwise ignored: a profile aid must not
 * change how a program runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "jit.h"
#include "module.h"
#include "plat.h"

static bool perfmap_wanted(void)
{
	const char *v = getenv("WASMETAL_PERFMAP");

	return v && strcmp(v, "1") == 0;
}

void plat_code_loaded(const wasm_module *m)
{
	const struct jit_code *c = m->code;
	char path[64];
	FILE *f;

	if (!perfmap_wanted() || !c)
		return;
	snprintf(path, sizeof path, "/tmp/perf-%ld.map", (long)getpid());
	if (!(f = fopen(path, "a"))) {
		fprintf(stderr, "wasmetal: WASMETAL_PERFMAP: cannot write %s\n", path);
		return;
	}
	for (uint32_t i = 0; i < c->nfuncs; i++) {
		uint32_t start = c->func_offsets[i], end = c->func_ends[i];
		const char *name = wasm_func_name(m, i);

		if (end <= start || end > c->size)
			continue;
		fprintf(f, "%lx %x ", (unsigned long)(uintptr_t)(c->base + start), end - start);
		if (m->funcs[i].imported)
			fprintf(f, "wasm-import-stub[%u]", i);
		else
			fprintf(f, "wasm-function[%u]", i);
		fprintf(f, "%s%s\n", name ? " " : "", name ? name : "");
	}
	if (fclose(f))
		fprintf(stderr, "wasmetal: WASMETAL_PERFMAP: cannot write %s\n", path);
}
