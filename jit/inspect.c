/*
 * inspect.c — a read-only view of a loaded module (wasm.h, "a read-only
 * view"): its imports, exports and memories with their types described in
 * the text format's words (Wasm 2.0 §6.4), for `wasmetal inspect`.  Reads
 * struct wasm_module (module.h) and nothing else.
 */
#include <stdio.h>
#include <string.h>
#include "module.h"
#include "wasm.h"

static size_t put_types(char *buf, size_t len, size_t n, const uint8_t *types,
			uint32_t count)
{
	n += snprintf(buf + n, n < len ? len - n : 0, "(");
	for (uint32_t i = 0; i < count; i++)
		n += snprintf(buf + n, n < len ? len - n : 0, "%s%s", i ? ", " : "",
			      wasm_valtype_name(types[i]));
	return n + snprintf(buf + n, n < len ? len - n : 0, ")");
}

static void limits_text(char *buf, size_t len, const char *what,
			const struct wasm_limits *l, const char *unit)
{
	if (l->has_max)
		snprintf(buf, len, "%s %llu..%llu%s", what, (unsigned long long)l->min,
			 (unsigned long long)l->max, unit);
	else
		snprintf(buf, len, "%s %llu..%s", what, (unsigned long long)l->min, unit);
}

static void describe(const wasm_module *m, uint8_t kind, uint32_t index,
		     char *buf, size_t len)
{
	const struct wasm_functype *ft;
	size_t n;

	snprintf(buf, len, "?");
	switch (kind) {
	case WASM_EXTERN_FUNC:
		if (!(ft = wasm_func_type(m, index)))
			return;
		n = snprintf(buf, len, "func ");
		n = put_types(buf, len, n, ft->params, ft->nparams);
		n += snprintf(buf + n, n < len ? len - n : 0, " -> ");
		put_types(buf, len, n, ft->results, ft->nresults);
		break;
	case WASM_EXTERN_TABLE:
		if (index < m->ntables)
			limits_text(buf, len, "table", &m->tables[index].limits,
				    m->tables[index].elemtype == WASM_EXTERNREF
				    ? " externref" : " funcref");
		break;
	case WASM_EXTERN_MEMORY:
		if (index < m->nmemories)
			limits_text(buf, len, m->memories[index].is64 ? "memory i64" : "memory",
				    &m->memories[index].limits, " pages");
		break;
	case WASM_EXTERN_GLOBAL:
		if (index < m->nglobals)
			snprintf(buf, len, "global %s%s",
				 m->globals[index].mutable_ ? "mut " : "",
				 wasm_valtype_name(m->globals[index].type));
		break;
	case WASM_EXTERN_TAG:           /* exception handling: its payload */
		if (index < m->ntags) {
			ft = &m->types[m->tags[index].type];
			n = snprintf(buf, len, "tag ");
			put_types(buf, len, n, ft->params, ft->nparams);
		}
		break;
	}
}

size_t wasm_module_import_count(const wasm_module *m)
{
	return m->nimports;
}

size_t wasm_module_export_count(const wasm_module *m)
{
	return m->nexports;
}

int wasm_module_import_info(const wasm_module *m, size_t i,
			    struct wasm_extern_info *out)
{
	const struct wasm_import *im;

	if (i >= m->nimports)
		return -1;
	im = &m->imports[i];
	memset(out, 0, sizeof *out);
	out->module = im->module;
	out->module_len = im->module_len;
	out->name = im->name;
	out->name_len = im->name_len;
	out->kind = im->kind;
	out->index = im->index;
	describe(m, im->kind, im->index, out->type, sizeof out->type);
	return 0;
}

int wasm_module_export_info(const wasm_module *m, size_t i,
			    struct wasm_extern_info *out)
{
	const struct wasm_export *ex;

	if (i >= m->nexports)
		return -1;
	ex = &m->exports[i];
	memset(out, 0, sizeof *out);
	out->name = ex->name;
	out->name_len = ex->name_len;
	out->kind = ex->kind;
	out->index = ex->index;
	describe(m, ex->kind, ex->index, out->type, sizeof out->type);
	return 0;
}

size_t wasm_module_memory_count(const wasm_module *m)
{
	return m->nmemories;
}

int wasm_module_memory_limits(const wasm_module *m, size_t i, uint64_t *min,
			      uint64_t *max, bool *has_max, bool *imported)
{
	if (i >= m->nmemories)
		return -1;
	*min = m->memories[i].limits.min;
	*max = m->memories[i].limits.max;
	*has_max = m->memories[i].limits.has_max;
	*imported = m->memories[i].imported;
	return 0;
}
