/*
 * llvm_code.c — LLVM code as the runtime's struct jit_code (jit.h), so
 * that instances, traps, backtraces, the fault handler and artifacts work
 * on it as on single-pass code.  Layout of the code:
 *
 *     [import stubs of the single-pass JIT][pad][the backend's blob]
 *
 * Imports come first in the function index space and the runtime wants
 * function ranges in index order; the stubs are what LLVM code reaches an
 * import through (ctx->funcrefs[i]->code, with the caller's ctx).  Own
 * function i's range is wasm_func_<i> in the blob (its v1 entry: no
 * thunk); each trap site becomes a srcmap entry at the last byte of its
 * call (trap.c maps the return address - 1 exactly).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jit.h"
#include "plat.h"
#include "llvm_backend.h"

static int fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "llvm backend: %s", msg);
	return -1;
}

/* The srcmap: the line table's rows and the trap sites (at the last byte
 * of their call), merged by code offset; a trap site wins a tie. */
static int merge_srcmap(const struct llvm_wasm_code *lc, uint32_t blob_off,
			struct jit_code *c, char *err, size_t errlen)
{
	uint64_t cap = (uint64_t)lc->ntraps + lc->nlines;
	uint32_t i = 0, k = 0, n = 0;

	if (cap > UINT32_MAX || !(c->map = malloc((cap ? cap : 1) * sizeof *c->map)))
		return fail(err, errlen, "out of memory");
	for (uint32_t t = 0; t < lc->ntraps; t++)
		if (lc->traps[t].site == 0 || (t && lc->traps[t].site <= lc->traps[t - 1].site))
			return fail(err, errlen, "trap sites out of order");
	while (i < lc->nlines || k < lc->ntraps) {
		uint32_t lo = i < lc->nlines ? lc->lines[i].code : UINT32_MAX;
		uint32_t to = k < lc->ntraps ? lc->traps[k].site - 1 : UINT32_MAX;

		if (k < lc->ntraps && to <= lo) {
			c->map[n++] = (struct jit_srcmap){ blob_off + to, lc->traps[k++].wasm_off };
			i += lo == to;
		} else {
			c->map[n++] = (struct jit_srcmap){ blob_off + lo, lc->lines[i++].wasm_off };
		}
	}
	c->nmap = n;
	return 0;
}

/* Function ranges and the srcmap, in c, for the blob at blob_off. */
static int fill_tables(const wasm_module *m, const struct llvm_wasm_code *lc,
		       uint32_t blob_off, struct jit_code *c, char *err, size_t errlen)
{
	uint32_t prev_end = m->nimported_funcs ? c->func_ends[m->nimported_funcs - 1] : 0;

	for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++) {
		if (lc->func_off[i] == UINT32_MAX || !lc->func_size[i])
			return fail(err, errlen, "a function is missing from the code");
		c->func_offsets[i] = blob_off + lc->func_off[i];
		c->func_ends[i] = c->func_offsets[i] + lc->func_size[i];
		/* trap.c finds a function by binary search over the starts */
		if (c->func_offsets[i] < prev_end)
			return fail(err, errlen, "functions are not laid out in index order");
		prev_end = c->func_ends[i];
	}
	return merge_srcmap(lc, blob_off, c, err, errlen);
}

/* stubs + blob into sealed code pages */
static int map_code(struct jit_code *c, const uint8_t *stubs, size_t nstubs,
		    const struct llvm_wasm_code *lc, uint32_t blob_off, char *err,
		    size_t errlen)
{
	c->size = (size_t)blob_off + lc->size;
	c->base = plat_code_alloc(c->size);
	if (!c->base)
		return fail(err, errlen, "out of memory (code)");
	memset(c->base, 0xcc, blob_off);         /* int3 padding */
	memcpy(c->base, stubs, nstubs);
	memcpy(c->base + blob_off, lc->blob, lc->size);
	if (plat_code_seal(c->base, c->size)) {
		plat_code_free(c->base, c->size);
		c->base = NULL;
		return fail(err, errlen, "cannot seal code pages");
	}
	return 0;
}

static int build(wasm_module *m, unsigned cpu, const struct llvm_wasm_code *lc,
		 struct jit_code *c, char *err, size_t errlen)
{
	struct wasm_error werr;
	uint8_t *stubs = NULL;
	size_t nstubs = 0;
	uint64_t blob_off;
	int rc;

	c->backend = JIT_BACKEND_LLVM;
	c->cpu = cpu;
	c->nfuncs = m->nfuncs;
	c->func_offsets = calloc(m->nfuncs ? m->nfuncs : 1, sizeof(uint32_t));
	c->func_ends = calloc(m->nfuncs ? m->nfuncs : 1, sizeof(uint32_t));
	if (!c->func_offsets || !c->func_ends)
		return fail(err, errlen, "out of memory");
	if (jit_import_stubs(m, &stubs, &nstubs, c->func_offsets, c->func_ends, &werr))
		return fail(err, errlen, "out of memory (import stubs)");
	blob_off = (nstubs + lc->align - 1) / lc->align * lc->align;
	if (lc->align == 0 || lc->align > 4096 || blob_off + lc->size > 0x7fffffffu)
		rc = fail(err, errlen, "code too large");
	else
		rc = fill_tables(m, lc, (uint32_t)blob_off, c, err, errlen);
	if (!rc)
		rc = map_code(c, stubs, nstubs, lc, (uint32_t)blob_off, err, errlen);
	free(stubs);
	return rc;
}

int llvm_wasm_module_code(wasm_module *m, unsigned cpu, char *err, size_t errlen)
{
	struct llvm_wasm_code lc;
	struct jit_code *c;
	int rc;

	cpu &= JIT_CPU_LLVM;    /* what the code may use (llvm_module.c) */
	if (llvm_wasm_compile(m, cpu, &lc, err, errlen))
		return -1;
	if (!(c = calloc(1, sizeof *c))) {
		llvm_wasm_code_free(&lc);
		return fail(err, errlen, "out of memory");
	}
	rc = build(m, cpu, &lc, c, err, errlen);
	llvm_wasm_code_free(&lc);
	if (rc) {
		jit_code_free(c);
		return -1;
	}
	jit_code_free(m->code);
	m->code = c;
	return 0;
}
