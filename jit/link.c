/*
 * link.c — linking instances to each other: the wasm_linker of wasm.h,
 * import matching (Core spec 2.0 §4.5.2 "Import Matching", §4.5.4
 * "Instantiation" steps 3-4), exported globals and function types, and the
 * sharing of globals, tables and memories between instances (see link.h for
 * how compiled code sees each).
 *
 *   wasm_linker_instantiate: per import -> find (module, name) in the
 *   linker -> check kind and type -> struct jit_binding -> jit_instance_new
 *
 * A function imported from another instance is a host function (an
 * "adapter") that calls the exporter's function with wasm_call: it runs on
 * the exporter's own Wasm stack and a trap there comes back as this
 * adapter's trap code.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "link.h"

/* ---- instances seen from here ------------------------------------------ */

/* struct wasm_instance starts with its struct jit_ctx (instance.c). */
static struct jit_ctx *inst_ctx(wasm_instance *inst)
{
	return (struct jit_ctx *)inst;
}

static wasm_module *inst_module(wasm_instance *inst)
{
	return jit_ctx_module(inst_ctx(inst));
}

/* an export of any kind (names are unique across kinds), name as bytes */
static const struct wasm_export *find_export(const wasm_module *m, const char *name,
					     size_t len)
{
	for (uint32_t i = 0; i < m->nexports; i++)
		if (m->exports[i].name_len == len && !memcmp(m->exports[i].name, name, len))
			return &m->exports[i];
	return NULL;
}

/* a C string equal to the name (bytes, len) */
static bool name_is(const char *cstr, const char *name, size_t len)
{
	return strlen(cstr) == len && !memcmp(cstr, name, len);
}

/* The 8-byte cell that holds global idx of inst (link.h: an imported
 * mutable global's slot holds the address of the exporter's cell; a
 * v128 global's slot, own or imported, the address of its 16-byte cell:
 * its slot is what an importer copies). */
static uint64_t *global_cell(wasm_instance *inst, uint32_t idx)
{
	const wasm_module *m = inst_module(inst);
	uint64_t *slot = &inst_ctx(inst)->globals[idx];

	if (m->globals[idx].type != WASM_V128 && m->globals[idx].imported &&
	    m->globals[idx].mutable_)
		return (uint64_t *)(uintptr_t)*slot;
	return slot;
}

int wasm_export_func_type(wasm_instance *inst, const char *name,
			  uint32_t *nparams, uint8_t *params,
			  uint32_t *nresults, uint8_t *results, uint32_t max)
{
	return wasm_export_func_type_n(inst, name, strlen(name), nparams, params,
				       nresults, results, max);
}

int wasm_export_func_type_n(wasm_instance *inst, const char *name, size_t name_len,
			    uint32_t *nparams, uint8_t *params,
			    uint32_t *nresults, uint8_t *results, uint32_t max)
{
	const wasm_module *m = inst_module(inst);
	const struct wasm_export *e = find_export(m, name, name_len);
	const struct wasm_functype *ft;

	if (!e || e->kind != WASM_EXTERN_FUNC)
		return -1;
	ft = wasm_func_type(m, e->index);
	*nparams = ft->nparams;
	*nresults = ft->nresults;
	for (uint32_t i = 0; i < ft->nparams && i < max; i++)
		params[i] = ft->params[i];
	for (uint32_t i = 0; i < ft->nresults && i < max; i++)
		results[i] = ft->results[i];
	return 0;
}

int wasm_export_global_get(wasm_instance *inst, const char *name,
			   uint8_t *type, uint64_t *value)
{
	return wasm_export_global_get_n(inst, name, strlen(name), type, value);
}

int wasm_export_global_get_n(wasm_instance *inst, const char *name, size_t name_len,
			     uint8_t *type, uint64_t *value)
{
	const wasm_module *m = inst_module(inst);
	const struct wasm_export *e = find_export(m, name, name_len);
	uint8_t t;

	if (!e || e->kind != WASM_EXTERN_GLOBAL)
		return -1;
	t = m->globals[e->index].type;
	if (t == WASM_V128)
		return -1;      /* 16 bytes: not through this 64-bit API yet */
	*type = t;
	*value = *global_cell(inst, e->index);
	if (t == WASM_I32 || t == WASM_F32)
		*value = (uint32_t)*value;
	return 0;
}

int jit_link_bind(struct jit_ctx *ctx, const wasm_module *m,
		  const struct jit_binding *b)
{
	uint32_t gi = 0, ti = 0;

	for (uint32_t i = 0; i < m->nimports; i++) {
		const struct wasm_import *im = &m->imports[i];

		switch (im->kind) {
		case WASM_EXTERN_GLOBAL:
			gi = im->index;
			ctx->globals[gi] = m->globals[gi].mutable_ &&
					   m->globals[gi].type != WASM_V128 ?
				(uint64_t)(uintptr_t)b[i].global : *b[i].global;
			break;
		case WASM_EXTERN_TABLE:
			ti = im->index;
			ctx->tables[ti] = b[i].table;
			break;
		case WASM_EXTERN_MEMORY:
			ctx->mems[im->index] = b[i].memory;
			if (im->index == 0 && jit_mem_mirror_add(b[i].memory, ctx))
				return -1;
			break;
		case WASM_EXTERN_TAG:
			ctx->tags[im->index] = b[i].tag;
			break;
		}
	}
	return 0;
}

/* ---- the linker ------------------------------------------------------------ */

struct named_instance {
	char *name;
	wasm_instance *inst;
};

/* A function imported from another instance (see the top of the file). */
struct adapter {
	struct wasm_host_func hf;
	wasm_instance *target;
	char *export_name;              /* export_len bytes (may hold NULs) */
	size_t export_len;
	char params[16], results[16];   /* letters, or the heap when longer */
	struct adapter *next;
};

struct wasm_linker {
	struct wasm_host_func *funcs;
	size_t nfuncs;
	struct named_instance *insts;
	size_t ninsts;
	struct adapter *adapters;       /* every adapter made; freed with l */
};

wasm_linker *wasm_linker_new(void)
{
	return calloc(1, sizeof(struct wasm_linker));
}

void wasm_linker_free(wasm_linker *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->ninsts; i++)
		free(l->insts[i].name);
	while (l->adapters) {
		struct adapter *a = l->adapters;

		l->adapters = a->next;
		if (a->hf.params != a->params)
			free((char *)a->hf.params);
		if (a->hf.results != a->results)
			free((char *)a->hf.results);
		free(a->export_name);
		free(a);
	}
	free(l->insts);
	free(l->funcs);
	free(l);
}

int wasm_linker_define_funcs(wasm_linker *l, const struct wasm_host_func *funcs,
			     size_t nfuncs)
{
	struct wasm_host_func *f = realloc(l->funcs, (l->nfuncs + nfuncs) * sizeof *f);

	if (!f)
		return -1;
	memcpy(f + l->nfuncs, funcs, nfuncs * sizeof *f);
	l->funcs = f;
	l->nfuncs += nfuncs;
	return 0;
}

int wasm_linker_define_instance(wasm_linker *l, const char *name,
				wasm_instance *inst)
{
	struct named_instance *n;
	char *copy = strdup(name);

	for (size_t i = 0; copy && i < l->ninsts; i++) {
		if (!strcmp(l->insts[i].name, name)) {
			free(l->insts[i].name);
			l->insts[i] = (struct named_instance){ copy, inst };
			return 0;
		}
	}
	n = copy ? realloc(l->insts, (l->ninsts + 1) * sizeof *n) : NULL;
	if (!n) {
		free(copy);
		return -1;
	}
	n[l->ninsts++] = (struct named_instance){ copy, inst };
	l->insts = n;
	return 0;
}

static wasm_instance *find_instance(const wasm_linker *l, const char *name, size_t len)
{
	for (size_t i = 0; i < l->ninsts; i++)
		if (name_is(l->insts[i].name, name, len))
			return l->insts[i].inst;
	return NULL;
}

static enum wasm_trap_code adapter_call(wasm_instance *inst, void *env,
					const uint64_t *args, uint64_t *results)
{
	struct adapter *a = env;
	struct wasm_trap trap;
	struct wasm_error err = { 0 };
	size_t np = strlen(a->hf.params), nr = strlen(a->hf.results);
	struct jit_exn *exn = NULL;
	/* a v128 ('V') takes two 8-byte places: the other entry */
	bool v = strchr(a->hf.params, 'V') || strchr(a->hf.results, 'V');
	int rc = v ? jit_call_export_places(a->target, a->export_name, a->export_len,
					    args, results, &trap, &err, &exn)
		   : jit_call_export(a->target, a->export_name, a->export_len, args, np,
				     results, nr, &trap, &err, &exn);

	if (rc == 0)
		return WASM_TRAP_NONE;
	if (exn)        /* thrown again in the importer (jit_host_call) */
		jit_eh_set_pending(inst, exn);
	if (rc < 0) {
		wasm_instance_set_host_error(inst, err.msg);
		return WASM_TRAP_HOST;
	}
	if (trap.code == WASM_TRAP_EXIT)
		wasm_instance_set_exit(inst, trap.exit_code);
	else if (trap.code == WASM_TRAP_HOST)
		wasm_instance_set_host_error(inst, trap.host_msg);
	return trap.code;
}

/* Letters for n types, in buf when it fits, else on the heap. */
static const char *letters(const uint8_t *types, uint32_t n, char *buf, size_t len)
{
	char *s = n < len ? buf : malloc(n + 1);

	if (!s)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		s[i] = jit_type_letter(types[i]);
	s[n] = 0;
	return s;
}

static const struct wasm_host_func *make_adapter(wasm_linker *l, const struct wasm_import *im,
						 const struct wasm_functype *ft,
						 wasm_instance *target, const struct wasm_export *e)
{
	struct adapter *a = calloc(1, sizeof *a);

	if (!a)
		return NULL;
	a->target = target;
	a->export_name = malloc((size_t)e->name_len + 1);
	if (a->export_name) {
		memcpy(a->export_name, e->name, (size_t)e->name_len + 1);
		a->export_len = e->name_len;
	}
	a->hf.module = im->module;
	a->hf.name = im->name;
	a->hf.params = letters(ft->params, ft->nparams, a->params, sizeof a->params);
	a->hf.results = letters(ft->results, ft->nresults, a->results, sizeof a->results);
	a->hf.fn = adapter_call;
	a->hf.env = a;
	a->next = l->adapters;
	l->adapters = a;
	if (!a->export_name || !a->hf.params || !a->hf.results)
		return NULL;    /* freed with the linker */
	return &a->hf;
}

static bool functype_eq(const struct wasm_functype *a, const struct wasm_functype *b)
{
	return a->nparams == b->nparams && a->nresults == b->nresults &&
	       !memcmp(a->params, b->params, a->nparams) &&
	       !memcmp(a->results, b->results, a->nresults);
}

/* §4.5.2: limits {min n1, max m1?} match {min n2, max m2?} */
static bool limits_match(uint64_t min1, bool has_max1, uint64_t max1,
			 const struct wasm_limits *want)
{
	if (min1 < want->min)
		return false;
	if (!want->has_max)
		return true;
	return has_max1 && max1 <= want->max;
}

struct resolve {
	const char *msg;        /* NULL: resolved */
	struct jit_binding b;
};

static void resolve_export(wasm_linker *l, const wasm_module *m,
			   const struct wasm_import *im, wasm_instance *src,
			   const struct wasm_export *e, struct resolve *r)
{
	const wasm_module *sm = inst_module(src);
	struct jit_ctx *sctx = inst_ctx(src);

	r->msg = "incompatible import type";
	if (e->kind != im->kind)
		return;
	switch (im->kind) {
	case WASM_EXTERN_FUNC: {
		const struct wasm_functype *ft = wasm_func_type(m, im->index);

		if (!functype_eq(ft, wasm_func_type(sm, e->index)))
			return;
		r->b.func = make_adapter(l, im, ft, src, e);
		if (!r->b.func) {
			r->msg = "out of memory";
			return;
		}
		break;
	}
	case WASM_EXTERN_GLOBAL: {
		const struct wasm_global *want = &m->globals[im->index];
		const struct wasm_global *have = &sm->globals[e->index];

		if (want->type != have->type || want->mutable_ != have->mutable_)
			return;
		r->b.global = global_cell(src, e->index);
		break;
	}
	case WASM_EXTERN_TABLE: {
		const struct wasm_table *want = &m->tables[im->index];
		struct jit_table *have = sctx->tables[e->index];

		if (want->elemtype != have->elemtype ||
		    !limits_match(have->size, have->max != UINT32_MAX, have->max,
				  &want->limits))
			return;
		r->b.table = have;
		break;
	}
	case WASM_EXTERN_MEMORY: {
		/* any memory index of the exporter as any of ours */
		struct jit_memory *have = sctx->mems[e->index];

		if (have->is64 != m->memories[im->index].is64 ||
		    !limits_match(have->pages, have->has_max, have->max_pages,
				  &m->memories[im->index].limits))
			return;
		r->b.memory = have;
		break;
	}
	case WASM_EXTERN_TAG: {
		/* exception handling: the same parameter types (a tag's
		   identity is the exporter's object) */
		const struct wasm_functype *want = &m->types[m->tags[im->index].type];
		struct jit_tag *have = sctx->tags[e->index];

		if (!functype_eq(want, have->type))
			return;
		r->b.tag = have;
		break;
	}
	default:
		return;
	}
	r->msg = NULL;
}

static void resolve_host(const wasm_linker *l, const wasm_module *m,
			 const struct wasm_import *im, struct resolve *r)
{
	r->msg = "unknown import";
	for (size_t j = 0; j < l->nfuncs; j++) {
		const struct wasm_host_func *hf = &l->funcs[j];

		if (!hf->module || !hf->name ||
		    !name_is(hf->module, im->module, im->module_len) ||
		    !name_is(hf->name, im->name, im->name_len))
			continue;
		r->msg = "incompatible import type";
		if (im->kind != WASM_EXTERN_FUNC)
			return;
		/* instance.c checks the signature letters */
		r->b.func = hf;
		r->msg = NULL;
		return;
	}
}

static void resolve_import(wasm_linker *l, const wasm_module *m,
			   const struct wasm_import *im, struct resolve *r)
{
	wasm_instance *src = find_instance(l, im->module, im->module_len);
	const struct wasm_export *e;

	memset(r, 0, sizeof *r);
	if (!src) {
		resolve_host(l, m, im, r);
		return;
	}
	e = find_export(inst_module(src), im->name, im->name_len);
	if (!e) {
		r->msg = "unknown import";
		return;
	}
	resolve_export(l, m, im, src, e, r);
}

int wasm_linker_instantiate(wasm_linker *l, wasm_module *m, wasm_instance **out,
			    struct wasm_error *err, struct wasm_trap *trap)
{
	struct jit_binding *b = calloc(m->nimports ? m->nimports : 1, sizeof *b);
	int rc;

	*out = NULL;
	if (!b)
		goto oom;
	for (uint32_t i = 0; i < m->nimports; i++) {
		const struct wasm_import *im = &m->imports[i];
		struct resolve r;

		resolve_import(l, m, im, &r);
		if (r.msg) {
			wasm_error_link(err, r.msg, im->module, im->name);
			if (err && !strcmp(r.msg, "out of memory"))
				err->kind = WASM_ERR_RESOURCE;
			free(b);
			return -1;
		}
		b[i] = r.b;
	}
	rc = jit_instance_new(m, NULL, 0, b, out, err, trap);
	free(b);
	return rc;
oom:
	wasm_error_resource(err, "out of memory", NULL, NULL);
	return -1;
}
