/*
 * diff_runner.c — the wasmetal side of the differential fuzzer (make
 * fuzz-diff, tests/fuzz/diff/fuzz_diff.mjs): runs a batch of modules hosted,
 * through the engine API (jit/wasm.h), and prints a trace that
 * tests/fuzz/diff/v8_runner.mjs prints the same way under node (V8).
 *
 *   diff_runner [--backend single|llvm] MANIFEST
 *                                  trace on stdout, one module after another
 *
 * --backend llvm: every module's code is the LLVM backend's (host/llvm/,
 * llvm_wasm_module_code after wasm_module_load, O2), run by the same
 * instances, traps and fault handler; a module it cannot compile is a
 * "load error" (V8 loads it: a difference).  Default: single-pass.
 *
 * The manifest (written by fuzz_diff.mjs, one item a line):
 *
 *   module PATH
 *   import MOD NAME PARAMS RESULTS   host function to provide (letters as
 *                                     struct wasm_host_func, '-' = none)
 *   call NAME PARAMS RESULTS ARG...  call an export; ARG = hex bits
 *   global NAME T                    print this exported global (type T) at
 *                                     the end
 *   memory NAME                      the exported memory (node needs it;
 *                                     here memory 0 of the instance)
 *   end                              print the memory's size and hash
 *
 * The trace (docs/fuzz-diff.md describes how the driver compares it):
 *
 *   module PATH
 *   inst ok | inst trap KIND | inst error MSG | load error MSG
 *   log NAME VALUE...                a host function was called
 *   call NAME ok VALUE... | call NAME trap KIND
 *   global NAME VALUE
 *   memory PAGES HASH                (FNV-1a over the 32-bit words)
 *   end
 *
 * VALUE is T:HEX with T the type letter (i I f F).  KIND is the trap's
 * class, named so that V8's messages map onto it (v8_runner.mjs; see
 * trap_kind for the one V8 cannot tell apart).  stdout
 * is flushed after every module: if the engine crashes, the driver sees
 * the module that was running (no "end") and restarts after it.
 */
#ifndef _GNU_SOURCE            /* llvm-config's flags define it */
#define _GNU_SOURCE
#endif
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit.h"
#include "llvm_backend.h"
#include "plat_host.h"
#include "wasm.h"

#define MAX_IMPORTS 64
#define MAX_VALUES  64          /* params or results of a call */
#define LINE_MAX_LEN 8192

struct host_import {
	char module[64], name[64], params[MAX_VALUES + 1], results[MAX_VALUES + 1];
	uint64_t *temp_ret;         /* env.setTempRet0 / getTempRet0 */
};

struct runner {
	char path[4096];
	uint8_t *bytes;
	size_t len;
	wasm_module *mod;
	wasm_instance *inst;
	bool started, failed;       /* instantiation tried / did not succeed */
	size_t nimports;
	struct host_import imports[MAX_IMPORTS];
	struct wasm_host_func funcs[MAX_IMPORTS];
	char globals[MAX_IMPORTS * 4][64];
	size_t nglobals;
	uint64_t temp_ret;
	bool llvm;                  /* --backend llvm */
};

/* The truncations that trap (i32/i64.trunc_f32/f64_s/u). */
static bool is_trunc(const uint8_t *bytes, size_t len, const struct wasm_trap *t)
{
	uint8_t op;

	if (!t->nframes || t->frames[0].offset >= len)
		return false;
	op = bytes[t->frames[0].offset];
	return (op >= 0xa8 && op <= 0xab) || (op >= 0xae && op <= 0xb1);
}

/* V8 names a truncation's NaN and its overflow alike ("float
 * unrepresentable in integer range") and a division's overflow apart
 * ("divide result unrepresentable"); wasmetal's codes are the spec's,
 * where "integer overflow" is both.  So: a truncation's two traps are
 * "trunc", told from a division's by the opcode where it trapped. */
static const char *trap_kind(const struct runner *r, const struct wasm_trap *t)
{
	if (t->code == WASM_TRAP_INVALID_CONVERSION ||
	    (t->code == WASM_TRAP_INT_OVERFLOW && is_trunc(r->bytes, r->len, t)))
		return "trunc";
	switch (t->code) {
	case WASM_TRAP_UNREACHABLE: return "unreachable";
	case WASM_TRAP_MEMORY_OOB: return "memory-oob";
	case WASM_TRAP_DIV_BY_ZERO: return "div-by-zero";
	case WASM_TRAP_INT_OVERFLOW: return "int-overflow";
	/* V8 says "table index is out of bounds" for both */
	case WASM_TRAP_UNDEFINED_ELEMENT:
	case WASM_TRAP_TABLE_OOB: return "table-oob";
	/* V8: "null function or function signature mismatch" for both */
	case WASM_TRAP_UNINITIALIZED_ELEMENT:
	case WASM_TRAP_INDIRECT_CALL_TYPE: return "indirect-call";
	case WASM_TRAP_NULL_REFERENCE: return "null-reference";
	case WASM_TRAP_STACK_EXHAUSTED: return "stack-exhausted";
	/* a Wasm exception nothing caught (exception handling, issue 10);
	   V8 throws it on as a WebAssembly.Exception: v8_runner.mjs */
	case WASM_TRAP_EXCEPTION: return "uncaught-exception";
	default: return "other";
	}
}

static void print_value(char t, uint64_t v)
{
	if (t == 'i' || t == 'f')
		printf(" %c:%08" PRIx32, t, (uint32_t)v);
	else
		printf(" %c:%016" PRIx64, t, v);
}

/* Host function: log the arguments, return what the import's name says
 * (getTempRet0: the last setTempRet0; anything else: zeros). */
static enum wasm_trap_code host_fn(wasm_instance *inst, void *env,
				   const uint64_t *args, uint64_t *results)
{
	struct host_import *h = env;
	size_t nres = strcmp(h->results, "-") ? strlen(h->results) : 0;

	printf("log %s", h->name);
	for (size_t i = 0; h->params[0] != '-' && h->params[i]; i++)
		print_value(h->params[i], args[i]);
	printf("\n");
	if (!strcmp(h->name, "setTempRet0"))
		*h->temp_ret = (uint32_t)args[0];
	for (size_t i = 0; i < nres; i++)
		results[i] = 0;
	if (nres && !strcmp(h->name, "getTempRet0"))
		results[0] = *h->temp_ret;
	return WASM_TRAP_NONE;
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) &&
	    (buf = malloc(n ? (size_t)n : 1)) && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*len = buf ? (size_t)n : 0;
	fclose(f);
	return buf;
}

static void module_free(struct runner *r)
{
	bool llvm = r->llvm;

	if (r->inst)
		wasm_instance_free(r->inst);
	if (r->mod)
		wasm_module_free(r->mod);
	free(r->bytes);
	memset(r, 0, sizeof *r);
	r->llvm = llvm;
}

/* Load and instantiate r->path against the imports given so far. */
static void instantiate(struct runner *r)
{
	struct wasm_error err = { 0 };
	struct wasm_trap trap = { 0 };
	char msg[256];
	int rc;

	r->started = true;
	r->failed = true;
	if (!(r->bytes = read_all(r->path, &r->len))) {
		printf("load error cannot read %s\n", r->path);
		return;
	}
	if (wasm_module_load(r->bytes, r->len, &r->mod, &err)) {
		wasm_error_format(&err, msg, sizeof msg);
		printf("load error %s\n", msg);
		return;
	}
	if (r->llvm && llvm_wasm_module_code(r->mod, jit_cpu_features(), msg, sizeof msg)) {
		printf("load error %s\n", msg);
		return;
	}
	rc = wasm_instance_new(r->mod, r->funcs, r->nimports, &r->inst, &err, &trap);
	if (rc == -2) {
		printf("inst trap %s\n", trap_kind(r, &trap));
		return;
	}
	if (rc) {
		wasm_error_format(&err, msg, sizeof msg);
		printf("inst error %s\n", msg);
		return;
	}
	r->failed = false;
	printf("inst ok\n");
}

static void add_import(struct runner *r, const char *line)
{
	struct host_import *h;

	if (r->nimports == MAX_IMPORTS) {
		fprintf(stderr, "diff_runner: too many imports\n");
		exit(2);
	}
	h = &r->imports[r->nimports];
	if (sscanf(line, "import %63s %63s %64s %64s", h->module, h->name, h->params,
		   h->results) != 4) {
		fprintf(stderr, "diff_runner: bad line: %s\n", line);
		exit(2);
	}
	h->temp_ret = &r->temp_ret;
	r->funcs[r->nimports] = (struct wasm_host_func){
		.module = h->module, .name = h->name,
		.params = strcmp(h->params, "-") ? h->params : "",
		.results = strcmp(h->results, "-") ? h->results : "",
		.fn = host_fn, .env = h,
	};
	r->nimports++;
}

/* "call NAME PARAMS RESULTS ARG..." */
static void do_call(struct runner *r, char *line)
{
	char name[256], params[MAX_VALUES + 1], results[MAX_VALUES + 1];
	uint64_t args[MAX_VALUES] = { 0 }, res[MAX_VALUES] = { 0 };
	struct wasm_trap trap = { 0 };
	struct wasm_error err = { 0 };
	size_t np, nr;
	int n, rc;
	char *p;

	if (sscanf(line, "call %255s %64s %64s%n", name, params, results, &n) != 3) {
		fprintf(stderr, "diff_runner: bad line: %s\n", line);
		exit(2);
	}
	np = strcmp(params, "-") ? strlen(params) : 0;
	nr = strcmp(results, "-") ? strlen(results) : 0;
	p = line + n;
	for (size_t i = 0; i < np; i++)
		args[i] = strtoull(p, &p, 16);
	rc = wasm_call(r->inst, name, args, np, res, nr, &trap, &err);
	printf("call %s", name);
	if (rc < 0) {
		printf(" error %s\n", err.msg);
	} else if (rc > 0) {
		printf(" trap %s\n", trap_kind(r, &trap));
	} else {
		printf(" ok");
		for (size_t i = 0; i < nr; i++)
			print_value(results[i], res[i]);
		printf("\n");
	}
}

static void print_global(struct runner *r, const char *name)
{
	uint8_t type;
	uint64_t v;

	if (wasm_export_global_get(r->inst, name, &type, &v)) {
		printf("global %s missing\n", name);
		return;
	}
	printf("global %s", name);
	print_value(type == WASM_I32 ? 'i' : type == WASM_I64 ? 'I' :
		    type == WASM_F32 ? 'f' : 'F', v);
	printf("\n");
}

static uint32_t mem_hash(const uint8_t *p, uint64_t size)
{
	uint32_t h = 2166136261u, w;

	for (uint64_t i = 0; i + 4 <= size; i += 4) {
		memcpy(&w, p + i, 4);
		h = (h ^ w) * 16777619u;
	}
	return h;
}

static void module_end(struct runner *r)
{
	if (!r->started)
		instantiate(r);
	if (!r->failed) {
		for (size_t i = 0; i < r->nglobals; i++)
			print_global(r, r->globals[i]);
		printf("memory %" PRIu64 " %08" PRIx32 "\n",
		       wasm_memory_size(r->inst) / 65536,
		       mem_hash(wasm_memory_base(r->inst), wasm_memory_size(r->inst)));
	}
	printf("end\n");
	fflush(stdout);
	module_free(r);
}

static void do_line(struct runner *r, char *line)
{
	if (!strncmp(line, "module ", 7)) {
		module_free(r);
		snprintf(r->path, sizeof r->path, "%.4000s", line + 7);
		printf("module %s\n", r->path);
		fflush(stdout);        /* the driver learns what crashed */
	} else if (!strncmp(line, "import ", 7)) {
		add_import(r, line);
	} else if (!strncmp(line, "global ", 7)) {
		if (r->nglobals < sizeof r->globals / sizeof r->globals[0])
			snprintf(r->globals[r->nglobals++], sizeof r->globals[0], "%.*s",
				 (int)strcspn(line + 7, " "), line + 7);
	} else if (!strncmp(line, "call ", 5)) {
		if (!r->started)
			instantiate(r);
		if (!r->failed)
			do_call(r, line);
	} else if (!strcmp(line, "end")) {
		module_end(r);
	}
}

int main(int argc, char **argv)
{
	static struct runner r;
	static char line[LINE_MAX_LEN];
	const char *manifest = argv[1];
	FILE *f;

	if (argc == 4 && !strcmp(argv[1], "--backend") &&
	    (!strcmp(argv[2], "single") || !strcmp(argv[2], "llvm"))) {
		r.llvm = !strcmp(argv[2], "llvm");
		manifest = argv[3];
	} else if (argc != 2) {
		fprintf(stderr, "usage: diff_runner [--backend single|llvm] MANIFEST\n");
		return 2;
	}
	if (!(f = fopen(manifest, "r"))) {
		perror(manifest);
		return 2;
	}
	plat_host_init();
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		do_line(&r, line);
	}
	fclose(f);
	module_free(&r);
	return 0;
}
