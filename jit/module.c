/*
 * module.c — the binary decoder and module-level validation
 * (Core spec 2.0: §5.5 Modules for the binary format, §3.4 Modules for
 * validation).  Function bodies are validated and compiled by compile/.
 *
 *   bytes -> copy -> header -> sections in order (§5.5.2), each read by a
 *   struct wasm_reader bounded to the section -> cross-section checks
 *   (function/code counts, data count) -> jit_compile (bodies)
 *
 * Every read is bounds-checked by leb.h; vector counts are checked against
 * the bytes left before anything is allocated, so no input (truncated at any
 * byte, or hostile) can crash or hang the decoder.  Errors are the spec
 * tests' wording, with the section name and byte offset.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "module.h"
#include "jit.h"
#include "leb.h"
#include "opcodes.h"

enum {
	SEC_CUSTOM = 0, SEC_TYPE, SEC_IMPORT, SEC_FUNCTION, SEC_TABLE,
	SEC_MEMORY, SEC_GLOBAL, SEC_EXPORT, SEC_START, SEC_ELEMENT, SEC_CODE,
	SEC_DATA, SEC_DATACOUNT, SEC_TAG /* exception handling */, SEC__COUNT
};

static const char *const section_names[SEC__COUNT] = {
	"custom", "type", "import", "function", "table", "memory", "global",
	"export", "start", "element", "code", "data", "datacount", "tag",
};

/* Position of each section in the required order (datacount sits between
 * element and code, §5.5.2; the exception-handling proposal's tag section
 * between memory and global). */
static const uint8_t section_rank[SEC__COUNT] = {
	0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6,
};

struct decoder {
	wasm_module *m;
	struct wasm_reader *r;  /* the current section's reader */
	char detail[128];       /* extra context for the error, may be empty */
	bool has_code;
	uint32_t ncode;
	bool seen_data;
};


static bool fail(struct decoder *d, const char *msg, size_t off)
{
	return wasm_reader_fail_at(d->r, msg, off);
}

static bool fail_idx(struct decoder *d, const char *msg, size_t off, uint32_t idx)
{
	if (!d->r->err)
		snprintf(d->detail, sizeof d->detail, "index %u", idx);
	return fail(d, msg, off);
}

/*
 * A vector's element count.  Nothing is allocated for more elements than
 * there are bytes left (+1): each takes at least one byte, so reading runs
 * into "unexpected end" before the capacity is exceeded, and errors inside
 * the elements come out in the same order as a plain sequential parse.
 */
static bool read_vec(struct decoder *d, uint32_t *n, size_t *cap)
{
	if (!wasm_read_u32(d->r, n))
		return false;
	*cap = wasm_reader_left(d->r) + 1;
	if (*n < *cap)
		*cap = *n ? *n : 1;
	return true;
}

/* ---- types ----------------------------------------------------------- */

static bool is_reftype(uint8_t t)
{
	return t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

/* Type codes and flags are one-byte LEB128 numbers in the reference
 * interpreter: a set continuation bit is "integer representation too long". */
static bool read_byte(struct decoder *d, uint8_t *b)
{
	size_t at = wasm_reader_offset(d->r);

	if (!wasm_read_u8(d->r, b))
		return false;
	if (*b & 0x80)
		return fail(d, WASM_ERR_TOO_LONG, at);
	return true;
}

static bool read_valtype(struct decoder *d, uint8_t *t)
{
	size_t at = wasm_reader_offset(d->r);

	if (!read_byte(d, t))
		return false;
	switch (*t) {
	case WASM_I32: case WASM_I64: case WASM_F32: case WASM_F64:
	case WASM_FUNCREF: case WASM_EXTERNREF: case WASM_V128:
		return true;
	default:
		return fail(d, "malformed value type", at);
	}
}

static bool read_reftype(struct decoder *d, uint8_t *t)
{
	size_t at = wasm_reader_offset(d->r);

	if (!read_byte(d, t))
		return false;
	if (!is_reftype(*t))
		return fail(d, "malformed reference type", at);
	return true;
}

static bool read_valtypes(struct decoder *d, uint32_t *n, uint8_t **out)
{
	size_t cap;

	*out = NULL;
	if (!read_vec(d, n, &cap))
		return false;
	*out = malloc(cap);
	if (!*out)
		return fail(d, "out of memory", wasm_reader_offset(d->r));
	for (uint32_t i = 0; i < *n; i++)
		if (!read_valtype(d, &(*out)[i]))
			return false;
	return true;
}

static bool functype_equal(const struct wasm_functype *a,
			   const struct wasm_functype *b)
{
	return a->nparams == b->nparams && a->nresults == b->nresults &&
	       !memcmp(a->params, b->params, a->nparams) &&
	       !memcmp(a->results, b->results, a->nresults);
}

static uint32_t functype_hash(const struct wasm_functype *ft)
{
	uint32_t h = 2166136261u;       /* FNV-1a */

	h = (h ^ ft->nparams) * 16777619u;
	for (uint32_t i = 0; i < ft->nparams; i++)
		h = (h ^ ft->params[i]) * 16777619u;
	h = (h ^ 0x100) * 16777619u;
	for (uint32_t i = 0; i < ft->nresults; i++)
		h = (h ^ ft->results[i]) * 16777619u;
	return h;
}

/* canon = index of the first structurally equal type (a hash set, so that
 * hostile modules with many types stay linear). */
static bool canonicalize_types(wasm_module *m)
{
	size_t cap = 16;
	uint32_t *set;

	while (cap < 2 * (size_t)m->ntypes)
		cap *= 2;
	set = calloc(cap, sizeof *set);     /* type index + 1, 0 = empty */
	if (!set)
		return false;
	for (uint32_t i = 0; i < m->ntypes; i++) {
		struct wasm_functype *ft = &m->types[i];
		size_t h = functype_hash(ft) & (cap - 1);

		ft->canon = i;
		for (; set[h]; h = (h + 1) & (cap - 1)) {
			if (functype_equal(&m->types[set[h] - 1], ft)) {
				ft->canon = set[h] - 1;
				break;
			}
		}
		if (ft->canon == i)
			set[h] = i + 1;
	}
	free(set);
	return true;
}

static bool sec_type(struct decoder *d)
{
	wasm_module *m = d->m;
	uint32_t n;
	size_t cap;

	if (!read_vec(d, &n, &cap))
		return false;
	m->types = calloc(cap, sizeof *m->types);
	if (!m->types)
		return fail(d, "out of memory", 0);
	for (uint32_t i = 0; i < n; i++) {
		struct wasm_functype *ft = &m->types[i];
		size_t at = wasm_reader_offset(d->r);
		uint8_t form;

		if (!read_byte(d, &form))
			return false;
		if (form != 0x60)
			return fail(d, "malformed function type", at);
		m->ntypes = i + 1;      /* from here on, freed by module_free */
		if (!read_valtypes(d, &ft->nparams, &ft->params) ||
		    !read_valtypes(d, &ft->nresults, &ft->results))
			return false;
	}
	return canonicalize_types(m) || fail(d, "out of memory", 0);
}

/* ---- imports and the index spaces ------------------------------------ */

/* Limits (§5.3.7; memory64: flags bit 2 = 64-bit, then u64 bounds).
 * is64 NULL: a table's limits, flags 0 or 1 only. */
static bool read_limits(struct decoder *d, struct wasm_limits *l, uint64_t cap,
			const char *cap_msg, bool *is64)
{
	size_t at = wasm_reader_offset(d->r);
	uint8_t flags;
	uint64_t min, max = 0;
	uint32_t min32, max32 = 0;

	if (!read_byte(d, &flags))
		return false;
	if (is64)
		*is64 = false;
	if (is64 && (flags & 4) && (wasm_features() & WASM_FEATURE_MEMORY64)) {
		*is64 = true;
		flags -= 4;
	}
	if (flags > 1)
		return fail(d, "integer too large", at);
	at = wasm_reader_offset(d->r);
	if (is64 && *is64) {
		if (!wasm_read_u64(d->r, &min) || (flags && !wasm_read_u64(d->r, &max)))
			return false;
		cap = WASM_MAX_PAGES64;
		cap_msg = "memory size must be at most 2^48 pages (16 EiB)";
	} else {
		if (!wasm_read_u32(d->r, &min32))
			return false;
		if (flags && !wasm_read_u32(d->r, &max32))
			return false;
		min = min32;
		max = max32;
	}
	l->min = min;
	l->max = max;
	l->has_max = flags;
	if (cap && (min > cap || (flags && max > cap)))
		return fail(d, cap_msg, at);
	if (flags && min > max)
		return fail(d, "size minimum must not be greater than maximum", at);
	return true;
}

static bool read_tabletype(struct decoder *d, struct wasm_table *t)
{
	return read_reftype(d, &t->elemtype) && read_limits(d, &t->limits, 0, NULL, NULL);
}

static bool read_memtype(struct decoder *d, struct wasm_memory *mem)
{
	return read_limits(d, &mem->limits, WASM_MAX_PAGES,
			   "memory size must be at most 65536 pages (4GiB)", &mem->is64);
}

static bool read_globaltype(struct decoder *d, struct wasm_global *g)
{
	size_t at = wasm_reader_offset(d->r);
	uint8_t mut;

	if (!read_valtype(d, &g->type))
		return false;
	at = wasm_reader_offset(d->r);
	if (!wasm_read_u8(d->r, &mut))
		return false;
	if (mut > 1)
		return fail(d, "malformed mutability", at);
	g->mutable_ = mut;
	return true;
}

/* Grow an index space by one (capacity doubling); NULL when out of memory. */
static void *grow(void *arr, uint32_t n, size_t elem)
{
	if (n & (n - 1))        /* capacity is the next power of two >= n */
		return arr;
	void *p = realloc(arr, (n ? 2 * (size_t)n : 1) * elem);
	if (p)
		memset((uint8_t *)p + (size_t)n * elem, 0, (size_t)(n ? n : 1) * elem);
	return p;
}

#define PUSH(d, arr, n) ({ \
	void *_p = grow((arr), (n), sizeof *(arr)); \
	if (_p) (arr) = _p; \
	_p ? &(arr)[(n)++] : NULL; })

static char *dup_name(const uint8_t *s, uint32_t len)
{
	char *c = malloc((size_t)len + 1);

	if (c) {
		memcpy(c, s, len);
		c[len] = 0;
	}
	return c;
}

static unsigned features = WASM_FEATURES_ALL;
/* a limit of ours (WASM_ERR_RESOURCE), not an invalid module */
static const char TOO_MANY_MEMORIES[] =
	"too many memories (at most 100: each takes 8 GiB of address space)";
_Static_assert(JIT_MAX_MEMORIES == 100, "TOO_MANY_MEMORIES names it");
/* Tags (imported and own): V8's limit.  The compiler addresses
 * ctx->tags[x] with a 32-bit displacement 8x, which must not wrap. */
#define WASM_MAX_TAGS 1000000u
static const char TOO_MANY_TAGS[] = "too many tags (at most 1000000)";

void wasm_features_set(unsigned f)
{
	features = f & WASM_FEATURES_ALL;
}

unsigned wasm_features(void)
{
	return features;
}

/* Wasm 2.0 allows one memory; the multi-memory proposal any number, of
 * which we take JIT_MAX_MEMORIES (jit.h: address space). */
static bool check_memory_count(struct decoder *d, size_t at)
{
	if (d->m->nmemories > 1 && !(features & WASM_FEATURE_MULTI_MEMORY))
		return fail(d, "multiple memories", at);
	if (d->m->nmemories > JIT_MAX_MEMORIES)
		return fail(d, TOO_MANY_MEMORIES, at);
	return true;
}

/* A tag type (exception-handling proposal): attribute 0 (exception), then
 * the index of a function type without results. */
static bool read_tag(struct decoder *d, bool imported)
{
	wasm_module *m = d->m;
	size_t at = wasm_reader_offset(d->r);
	struct wasm_tag *t;
	uint8_t attr;
	uint32_t type;

	if (!read_byte(d, &attr))
		return false;
	if (attr != 0)
		return fail(d, "malformed tag attribute", at);
	at = wasm_reader_offset(d->r);
	if (!wasm_read_u32(d->r, &type))
		return false;
	if (type >= m->ntypes)
		return fail_idx(d, "unknown type", at, type);
	if (m->types[type].nresults)
		return fail(d, "non-empty tag result type", at);
	if (m->ntags >= WASM_MAX_TAGS)
		return fail(d, TOO_MANY_TAGS, at);
	if (!(t = PUSH(d, m->tags, m->ntags)))
		return fail(d, "out of memory", at);
	t->type = type;
	t->imported = imported;
	return true;
}

static bool sec_tag(struct decoder *d)
{
	uint32_t n;

	if (!wasm_read_u32(d->r, &n))
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (!read_tag(d, false))
			return false;
	return true;
}

static bool import_one(struct decoder *d, struct wasm_import *im)
{
	wasm_module *m = d->m;
	size_t at;
	uint8_t kind;

	at = wasm_reader_offset(d->r);
	if (!wasm_read_u8(d->r, &kind))
		return false;
	im->kind = kind;
	switch (kind) {
	case WASM_EXTERN_FUNC: {
		uint32_t type;
		struct wasm_func *f;

		at = wasm_reader_offset(d->r);
		if (!wasm_read_u32(d->r, &type))
			return false;
		if (type >= m->ntypes)
			return fail_idx(d, "unknown type", at, type);
		im->index = m->nfuncs;
		if (!(f = PUSH(d, m->funcs, m->nfuncs)))
			return fail(d, "out of memory", at);
		f->type = type;
		f->imported = true;
		m->nimported_funcs++;
		return true;
	}
	case WASM_EXTERN_TABLE: {
		struct wasm_table *t;

		im->index = m->ntables;
		if (!(t = PUSH(d, m->tables, m->ntables)))
			return fail(d, "out of memory", at);
		t->imported = true;
		m->nimported_tables++;
		return read_tabletype(d, t);
	}
	case WASM_EXTERN_MEMORY: {
		struct wasm_memory *mem;

		im->index = m->nmemories;
		if (!(mem = PUSH(d, m->memories, m->nmemories)))
			return fail(d, "out of memory", at);
		mem->imported = true;
		m->nimported_memories++;
		return read_memtype(d, mem) && check_memory_count(d, at);
	}
	case WASM_EXTERN_GLOBAL: {
		struct wasm_global *g;

		im->index = m->nglobals;
		if (!(g = PUSH(d, m->globals, m->nglobals)))
			return fail(d, "out of memory", at);
		g->imported = true;
		m->nimported_globals++;
		return read_globaltype(d, g);
	}
	case WASM_EXTERN_TAG:
		if (!(features & WASM_FEATURE_EXCEPTIONS))
			return fail(d, "malformed import kind", at);
		im->index = m->ntags;
		m->nimported_tags++;
		return read_tag(d, true);
	default:
		return fail(d, "malformed import kind", at);
	}
}

static bool sec_import(struct decoder *d)
{
	wasm_module *m = d->m;
	uint32_t n;
	size_t cap;

	if (!read_vec(d, &n, &cap))
		return false;
	m->imports = calloc(cap, sizeof *m->imports);
	if (!m->imports)
		return fail(d, "out of memory", 0);
	for (uint32_t i = 0; i < n; i++) {
		struct wasm_import *im = &m->imports[i];
		const uint8_t *s1, *s2;
		uint32_t l1, l2;

		if (!wasm_read_name(d->r, &s1, &l1) || !wasm_read_name(d->r, &s2, &l2))
			return false;
		im->module = dup_name(s1, l1);
		im->name = dup_name(s2, l2);
		im->module_len = l1;
		im->name_len = l2;
		m->nimports = i + 1;
		if (!im->module || !im->name)
			return fail(d, "out of memory", 0);
		if (!import_one(d, im))
			return false;
	}
	return true;
}

static bool sec_function(struct decoder *d)
{
	wasm_module *m = d->m;
	uint32_t n;

	if (!wasm_read_u32(d->r, &n))
		return false;
	if ((uint64_t)m->nfuncs + n > UINT32_MAX)
		return fail(d, "too many functions", wasm_reader_offset(d->r));
	for (uint32_t i = 0; i < n; i++) {
		size_t at = wasm_reader_offset(d->r);
		struct wasm_func *f;
		uint32_t type;

		if (!wasm_read_u32(d->r, &type))
			return false;
		if (type >= m->ntypes)
			return fail_idx(d, "unknown type", at, type);
		if (!(f = PUSH(d, m->funcs, m->nfuncs)))
			return fail(d, "out of memory", at);
		f->type = type;
	}
	return true;
}

static bool sec_table(struct decoder *d)
{
	wasm_module *m = d->m;
	uint32_t n;

	if (!wasm_read_u32(d->r, &n))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		struct wasm_table *t = PUSH(d, m->tables, m->ntables);

		if (!t)
			return fail(d, "out of memory", 0);
		if (!read_tabletype(d, t))
			return false;
	}
	return true;
}

static bool sec_memory(struct decoder *d)
{
	wasm_module *m = d->m;
	uint32_t n;

	if (!wasm_read_u32(d->r, &n))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		size_t at = wasm_reader_offset(d->r);
		struct wasm_memory *mem = PUSH(d, m->memories, m->nmemories);

		if (!mem)
			return fail(d, "out of memory", at);
		if (!read_memtype(d, mem) || !check_memory_count(d, at))
			return false;
	}
	return true;
}

/* ---- constant expressions (§3.3.10) ---------------------------------- */

static bool ensure_declared(struct decoder *d)
{
	wasm_module *m = d->m;

	if (!m->declared_funcs)
		m->declared_funcs = calloc((size_t)m->nfuncs / 8 + 1, 1);
	return m->declared_funcs != NULL;
}

static void declare_func(struct decoder *d, uint32_t idx)
{
	if (ensure_declared(d))
		d->m->declared_funcs[idx / 8] |= (uint8_t)(1u << (idx % 8));
}

/* Extended-const's binary operators, [t t] -> [t] (wasm_opinfo's sig). */
static bool constexpr_binop(uint8_t op)
{
	switch (op) {
	case OP_I32_ADD: case OP_I32_SUB: case OP_I32_MUL:
	case OP_I64_ADD: case OP_I64_SUB: case OP_I64_MUL:
		return true;
	default:
		return false;
	}
}

/* Pops the two operands of binary operator op at `at`; the result takes
 * their place.  A wrong or missing operand is a type mismatch, with the
 * operator and what the stack had in the detail. */
static bool check_binop(struct decoder *d, uint8_t op, uint8_t *stack,
			unsigned *depth, size_t at)
{
	uint8_t t = wasm_opinfo[op].sig[2];

	if (*depth >= 2 && stack[*depth - 2] == t && stack[*depth - 1] == t) {
		(*depth)--;
		return true;
	}
	if (*depth < 2)
		snprintf(d->detail, sizeof d->detail,
			 "%s in a constant expression needs 2 operands, has %u",
			 wasm_opinfo[op].name, *depth);
	else
		snprintf(d->detail, sizeof d->detail,
			 "%s in a constant expression on %s and %s",
			 wasm_opinfo[op].name, wasm_valtype_name(stack[*depth - 2]),
			 wasm_valtype_name(stack[*depth - 1]));
	return fail(d, "type mismatch", at);
}

/* At `end`: exactly one value, of `type`. */
static bool check_result(struct decoder *d, uint8_t type, const uint8_t *stack,
			 unsigned depth, size_t at)
{
	if (depth == 1 && stack[0] == type)
		return true;
	if (depth == 1)
		snprintf(d->detail, sizeof d->detail,
			 "constant expression of %s, %s expected",
			 wasm_valtype_name(stack[0]), wasm_valtype_name(type));
	else
		snprintf(d->detail, sizeof d->detail,
			 "constant expression leaves %u values, one %s expected",
			 depth, wasm_valtype_name(type));
	return fail(d, "type mismatch", at);
}

/*
 * Validate a constant expression producing `type`.  only_imported: global.get
 * may only name imported globals (all module-level constant expressions
 * are validated under C', §3.4.10; the extended-const proposal keeps that).
 * Constant instructions: t.const, ref.null, ref.func, global.get of an
 * immutable global, and (extended-const) i32/i64.add, sub, mul; then `end`.
 * The operand stack holds at most WASM_CONSTEXPR_MAX_DEPTH values
 * (module.h: an implementation limit).
 */
static bool read_constexpr(struct decoder *d, uint8_t type, bool only_imported,
			   struct wasm_constexpr *ce)
{
	wasm_module *m = d->m;
	uint8_t stack[WASM_CONSTEXPR_MAX_DEPTH];
	unsigned depth = 0;

	ce->start = (uint32_t)wasm_reader_offset(d->r);
	for (;;) {
		size_t at = wasm_reader_offset(d->r);
		uint8_t op, t;

		if (!wasm_read_u8(d->r, &op))
			return false;
		switch (op) {
		case OP_END:
			ce->end = (uint32_t)wasm_reader_offset(d->r);
			return check_result(d, type, stack, depth, at);
		case OP_I32_CONST: { int32_t v; if (!wasm_read_s32(d->r, &v)) return false;
			t = WASM_I32; break; }
		case OP_I64_CONST: { int64_t v; if (!wasm_read_s64(d->r, &v)) return false;
			t = WASM_I64; break; }
		case OP_F32_CONST: { uint32_t v; if (!wasm_read_f32(d->r, &v)) return false;
			t = WASM_F32; break; }
		case OP_F64_CONST: { uint64_t v; if (!wasm_read_f64(d->r, &v)) return false;
			t = WASM_F64; break; }
		case OP_REF_NULL:
			if (!read_reftype(d, &t))
				return false;
			break;
		case OP_REF_FUNC: {
			uint32_t idx;
			size_t iat = wasm_reader_offset(d->r);

			if (!wasm_read_u32(d->r, &idx))
				return false;
			if (idx >= m->nfuncs)
				return fail_idx(d, "unknown function", iat, idx);
			declare_func(d, idx);
			t = WASM_FUNCREF;
			break;
		}
		case OP_GLOBAL_GET: {
			uint32_t idx;
			size_t iat = wasm_reader_offset(d->r);
			uint32_t limit = only_imported ? m->nimported_globals : m->nglobals;

			if (!wasm_read_u32(d->r, &idx))
				return false;
			if (idx >= limit)
				return fail_idx(d, "unknown global", iat, idx);
			if (m->globals[idx].mutable_)
				return fail(d, "constant expression required", at);
			t = m->globals[idx].type;
			break;
		}
		case OP_PREFIX_FD: {    /* v128.const, the one constant one */
			uint32_t sub;
			if (!wasm_read_u32(d->r, &sub))
				return false;
			if (sub >= OPFD__COUNT || !wasm_fd_opinfo[sub].name)
				return fail(d, "illegal opcode", at);
			if (sub != OPFD_V128_CONST)
				return fail(d, "constant expression required", at);
			for (int i = 0; i < 16; i++)
				if (!wasm_read_u8(d->r, &t))
					return false;
			t = WASM_V128;
			break;
		}
		default:
			if (constexpr_binop(op)) {
				if (!check_binop(d, op, stack, &depth, at))
					return false;
				continue;
			}
			if (!wasm_opcode_exists(op))
				return fail(d, "illegal opcode", at);
			return fail(d, "constant expression required", at);
		}
		if (depth == WASM_CONSTEXPR_MAX_DEPTH) {
			snprintf(d->detail, sizeof d->detail,
				 "more than %u values on its stack: an implementation limit",
				 WASM_CONSTEXPR_MAX_DEPTH);
			return fail(d, "constant expression too deep", at);
		}
		stack[depth++] = t;
	}
}

static bool sec_global(struct decoder *d)
{
	wasm_module *m = d->m;
	uint32_t n;

	if (!wasm_read_u32(d->r, &n))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		struct wasm_global *g = PUSH(d, m->globals, m->nglobals);

		if (!g)
			return fail(d, "out of memory", 0);
		if (!read_globaltype(d, g) ||
		    !read_constexpr(d, g->type, true, &g->init))
			return false;
	}
	return true;
}

/* ---- exports, start -------------------------------------------------- */

struct rawname {
	const uint8_t *s;
	uint32_t len;
	size_t at;
};

static int rawname_cmp(const void *a, const void *b)
{
	const struct rawname *x = a, *y = b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static bool export_index_ok(struct decoder *d, uint8_t kind, uint32_t idx,
			    size_t at)
{
	wasm_module *m = d->m;

	switch (kind) {
	case WASM_EXTERN_FUNC:
		if (idx >= m->nfuncs)
			return fail_idx(d, "unknown function", at, idx);
		declare_func(d, idx);
		return true;
	case WASM_EXTERN_TABLE:
		return idx < m->ntables || fail_idx(d, "unknown table", at, idx);
	case WASM_EXTERN_MEMORY:
		return idx < m->nmemories || fail_idx(d, "unknown memory", at, idx);
	case WASM_EXTERN_GLOBAL:
		return idx < m->nglobals || fail_idx(d, "unknown global", at, idx);
	case WASM_EXTERN_TAG:
		if (!(features & WASM_FEATURE_EXCEPTIONS))
			return fail(d, "malformed export kind", at - 1);
		return idx < m->ntags || fail_idx(d, "unknown tag", at, idx);
	default:
		return fail(d, "malformed export kind", at - 1);
	}
}

static bool check_duplicate_exports(struct decoder *d, struct rawname *names,
				    uint32_t n)
{
	qsort(names, n, sizeof *names, rawname_cmp);
	for (uint32_t i = 1; i < n; i++) {
		if (!rawname_cmp(&names[i - 1], &names[i])) {
			size_t at = names[i].at > names[i - 1].at ?
				    names[i].at : names[i - 1].at;
			snprintf(d->detail, sizeof d->detail, "\"%.*s\"",
				 (int)(names[i].len > 64 ? 64 : names[i].len),
				 (const char *)names[i].s);
			return fail(d, "duplicate export name", at);
		}
	}
	return true;
}

static bool sec_export(struct decoder *d)
{
	wasm_module *m = d->m;
	struct rawname *names;
	uint32_t n;
	size_t cap;
	bool ok = true;

	if (!read_vec(d, &n, &cap))
		return false;
	m->exports = calloc(cap, sizeof *m->exports);
	names = calloc(cap, sizeof *names);
	if (!m->exports || !names) {
		free(names);
		return fail(d, "out of memory", 0);
	}
	for (uint32_t i = 0; ok && i < n; i++) {
		struct wasm_export *e = &m->exports[i];
		size_t at;
		uint8_t kind;

		names[i].at = wasm_reader_offset(d->r);
		ok = wasm_read_name(d->r, &names[i].s, &names[i].len) &&
		     wasm_read_u8(d->r, &kind);
		if (!ok)
			break;
		at = wasm_reader_offset(d->r);
		ok = wasm_read_u32(d->r, &e->index) &&
		     export_index_ok(d, kind, e->index, at);
		if (!ok)
			break;
		e->kind = kind;
		e->name = dup_name(names[i].s, names[i].len);
		e->name_len = names[i].len;
		m->nexports = i + 1;
		if (!e->name)
			ok = fail(d, "out of memory", at);
	}
	if (ok)
		ok = check_duplicate_exports(d, names, n);
	free(names);
	return ok;
}

static bool sec_start(struct decoder *d)
{
	wasm_module *m = d->m;
	size_t at = wasm_reader_offset(d->r);
	const struct wasm_functype *ft;

	if (!wasm_read_u32(d->r, &m->start))
		return false;
	if (m->start >= m->nfuncs)
		return fail_idx(d, "unknown function", at, m->start);
	ft = wasm_func_type(m, m->start);
	if (ft->nparams || ft->nresults)
		return fail(d, "start function", at);
	m->has_start = true;
	return true;
}

/* ---- element segments (§5.5.12, all eight encodings) ----------------- */

static bool elem_funcidx_vec(struct decoder *d, struct wasm_elem *e)
{
	size_t cap;

	if (!read_vec(d, &e->count, &cap))
		return false;
	e->func_indices = malloc(cap * sizeof(uint32_t));
	if (!e->func_indices)
		return fail(d, "out of memory", 0);
	for (uint32_t i = 0; i < e->count; i++) {
		size_t at = wasm_reader_offset(d->r);
		uint32_t idx;

		if (!wasm_read_u32(d->r, &idx))
			return false;
		if (idx >= d->m->nfuncs)
			return fail_idx(d, "unknown function", at, idx);
		declare_func(d, idx);
		e->func_indices[i] = idx;
	}
	return true;
}

static bool elem_expr_vec(struct decoder *d, struct wasm_elem *e)
{
	size_t cap;

	if (!read_vec(d, &e->count, &cap))
		return false;
	e->exprs = calloc(cap, sizeof *e->exprs);
	if (!e->exprs)
		return fail(d, "out of memory", 0);
	for (uint32_t i = 0; i < e->count; i++)
		if (!read_constexpr(d, e->elemtype, true, &e->exprs[i]))
			return false;
	return true;
}

static bool elem_kind(struct decoder *d, struct wasm_elem *e)
{
	size_t at = wasm_reader_offset(d->r);
	uint8_t kind;

	if (!wasm_read_u8(d->r, &kind))
		return false;
	if (kind != 0x00)
		return fail(d, "malformed element kind", at);
	e->elemtype = WASM_FUNCREF;
	return true;
}

static bool elem_one(struct decoder *d, struct wasm_elem *e)
{
	wasm_module *m = d->m;
	size_t at = wasm_reader_offset(d->r);
	uint32_t flags;
	bool exprs;

	if (!wasm_read_u32(d->r, &flags))
		return false;
	if (flags > 7)
		return fail(d, "malformed elements segment kind", at);
	exprs = flags & 4;
	e->elemtype = WASM_FUNCREF;
	e->mode = !(flags & 1) ? WASM_SEG_ACTIVE :
		  (flags & 2) ? WASM_SEG_DECLARATIVE : WASM_SEG_PASSIVE;
	if (e->mode == WASM_SEG_ACTIVE) {
		size_t tat = wasm_reader_offset(d->r);

		if ((flags & 2) && !wasm_read_u32(d->r, &e->table))
			return false;
		if (e->table >= m->ntables)
			return fail_idx(d, "unknown table", tat, e->table);
		if (!read_constexpr(d, WASM_I32, true, &e->offset))
			return false;
	}
	/* flags 0 and 4 have neither elemkind nor reftype: funcref */
	if (flags & 3) {
		if (exprs ? !read_reftype(d, &e->elemtype) : !elem_kind(d, e))
			return false;
	}
	if (e->mode == WASM_SEG_ACTIVE && m->tables[e->table].elemtype != e->elemtype)
		return fail(d, "type mismatch", at);
	return exprs ? elem_expr_vec(d, e) : elem_funcidx_vec(d, e);
}

static bool sec_element(struct decoder *d)
{
	wasm_module *m = d->m;
	uint32_t n;
	size_t cap;

	if (!read_vec(d, &n, &cap))
		return false;
	m->elems = calloc(cap, sizeof *m->elems);
	if (!m->elems)
		return fail(d, "out of memory", 0);
	for (uint32_t i = 0; i < n; i++) {
		m->nelems = i + 1;
		if (!elem_one(d, &m->elems[i]))
			return false;
	}
	return true;
}

/* ---- code, data, datacount ------------------------------------------ */

static bool sec_code(struct decoder *d)
{
	wasm_module *m = d->m;
	uint32_t nown = m->nfuncs - m->nimported_funcs;
	size_t at = wasm_reader_offset(d->r);
	uint32_t n;

	if (!wasm_read_u32(d->r, &n))
		return false;
	if (n != nown)
		return fail(d, "function and code section have inconsistent lengths", at);
	d->has_code = true;
	d->ncode = n;
	for (uint32_t i = 0; i < n; i++) {
		struct wasm_func *f = &m->funcs[m->nimported_funcs + i];
		uint32_t size;

		if (!wasm_read_u32(d->r, &size))
			return false;
		f->body_start = (uint32_t)wasm_reader_offset(d->r);
		if (!wasm_skip(d->r, size))
			return false;
		f->body_end = (uint32_t)wasm_reader_offset(d->r);
	}
	return true;
}

static bool data_one(struct decoder *d, struct wasm_data *ds)
{
	size_t at = wasm_reader_offset(d->r);
	uint32_t flags, len;
	const uint8_t *bytes;

	if (!wasm_read_u32(d->r, &flags))
		return false;
	if (flags > 2)
		return fail(d, "malformed data segment kind", at);
	ds->mode = flags == 1 ? WASM_SEG_PASSIVE : WASM_SEG_ACTIVE;
	if (ds->mode == WASM_SEG_ACTIVE) {
		size_t mat = wasm_reader_offset(d->r);

		if (flags == 2 && !wasm_read_u32(d->r, &ds->memory))
			return false;
		if (ds->memory >= d->m->nmemories)
			return fail_idx(d, "unknown memory", mat, ds->memory);
		if (!read_constexpr(d, d->m->memories[ds->memory].is64 ? WASM_I64 : WASM_I32,
				    true, &ds->offset))
			return false;
	}
	if (!wasm_read_u32(d->r, &len))
		return false;
	ds->start = (uint32_t)wasm_reader_offset(d->r);
	if (!wasm_read_bytes(d->r, len, &bytes))
		return false;
	ds->len = len;
	return true;
}

static bool sec_data(struct decoder *d)
{
	wasm_module *m = d->m;
	size_t at = wasm_reader_offset(d->r);
	uint32_t n;
	size_t cap;

	if (!read_vec(d, &n, &cap))
		return false;
	if (m->has_datacount && n != m->ndatas)
		return fail(d, "data count and data section have inconsistent lengths", at);
	d->seen_data = true;
	m->datas = calloc(cap, sizeof *m->datas);
	if (!m->datas)
		return fail(d, "out of memory", at);
	m->ndatas = 0;
	for (uint32_t i = 0; i < n; i++) {
		m->ndatas = i + 1;
		if (!data_one(d, &m->datas[i]))
			return false;
	}
	return true;
}

static bool sec_datacount(struct decoder *d)
{
	if (!wasm_read_u32(d->r, &d->m->ndatas))
		return false;
	d->m->has_datacount = true;
	return true;
}

/* ---- custom sections: "name" (appendix §7.4) ------------------------- */

static int name_cmp(const void *a, const void *b)
{
	const struct wasm_name *x = a, *y = b;

	return x->func_index < y->func_index ? -1 : x->func_index > y->func_index;
}

static void free_names(wasm_module *m)
{
	for (uint32_t i = 0; i < m->nnames; i++)
		free(m->names[i].name);
	free(m->names);
	m->names = NULL;
	m->nnames = 0;
}

/* The function-names subsection: vec(funcidx name).  Best effort: a
 * malformed name section is ignored, never an error. */
static bool name_funcs(wasm_module *m, struct wasm_reader *r)
{
	uint32_t n;

	if (!wasm_read_count(r, 2, &n))
		return false;
	free_names(m);
	m->names = calloc(n ? n : 1, sizeof *m->names);
	if (!m->names)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		struct wasm_name *nm = &m->names[m->nnames];
		const uint8_t *s;
		uint32_t len;

		if (!wasm_read_u32(r, &nm->func_index) || !wasm_read_name(r, &s, &len))
			return false;
		if (!(nm->name = dup_name(s, len)))
			return false;
		m->nnames++;
	}
	qsort(m->names, m->nnames, sizeof *m->names, name_cmp);
	/* drop duplicate indices, keeping the first */
	uint32_t k = 0;
	for (uint32_t i = 0; i < m->nnames; i++) {
		if (k && m->names[k - 1].func_index == m->names[i].func_index) {
			free(m->names[i].name);
			continue;
		}
		m->names[k++] = m->names[i];
	}
	m->nnames = k;
	return true;
}

static void parse_name_section(wasm_module *m, const struct wasm_reader *sec)
{
	struct wasm_reader r = *sec;

	while (!wasm_reader_done(&r)) {
		uint8_t id;
		uint32_t size;
		const uint8_t *body;

		if (!wasm_read_u8(&r, &id) || !wasm_read_u32(&r, &size) ||
		    !wasm_read_bytes(&r, size, &body))
			break;
		if (id == 1) {
			struct wasm_reader sub = r;

			sub.p = body;
			sub.end = body + size;
			if (!name_funcs(m, &sub) || !wasm_reader_done(&sub))
				free_names(m);
			return;
		}
	}
}

static bool sec_custom(struct decoder *d)
{
	const uint8_t *s;
	uint32_t len;

	if (!wasm_read_name(d->r, &s, &len))
		return false;
	if (len == 4 && !memcmp(s, "name", 4))
		parse_name_section(d->m, d->r);
	d->r->p = d->r->end;
	return true;
}

/* ---- the section loop ----------------------------------------------- */

static bool (*const section_fn[SEC__COUNT])(struct decoder *) = {
	[SEC_CUSTOM] = sec_custom, [SEC_TYPE] = sec_type,
	[SEC_IMPORT] = sec_import, [SEC_FUNCTION] = sec_function,
	[SEC_TABLE] = sec_table, [SEC_MEMORY] = sec_memory,
	[SEC_GLOBAL] = sec_global, [SEC_EXPORT] = sec_export,
	[SEC_START] = sec_start, [SEC_ELEMENT] = sec_element,
	[SEC_CODE] = sec_code, [SEC_DATA] = sec_data,
	[SEC_DATACOUNT] = sec_datacount, [SEC_TAG] = sec_tag,
};

/* Decode one section whose id/size header has been read; sec bounds it. */
static bool decode_section(struct decoder *d, uint8_t id, struct wasm_reader *sec,
			   struct wasm_error *err)
{
	d->r = sec;
	d->detail[0] = 0;
	if (section_fn[id](d) && !wasm_reader_done(sec))
		wasm_reader_fail(sec, "section size mismatch");
	if (!sec->err)
		return true;
	wasm_error_set(err, !strcmp(sec->err, WASM_ERR_EOF) ?
		  "unexpected end of section or function" : sec->err,
		  section_names[id], sec->err_off, d->detail);
	if (err && (!strcmp(sec->err, "out of memory") || sec->err == TOO_MANY_MEMORIES ||
		    sec->err == TOO_MANY_TAGS))
		err->kind = WASM_ERR_RESOURCE;         /* ours, not the module's */
	return false;
}

static bool check_header(const uint8_t *b, size_t len, struct wasm_error *err)
{
	static const uint8_t magic[4] = { 0x00, 0x61, 0x73, 0x6d };
	static const uint8_t version[4] = { 0x01, 0x00, 0x00, 0x00 };

	if (len < 4) {
		wasm_error_set(err, "unexpected end", NULL, len, NULL);
		return false;
	}
	if (memcmp(b, magic, 4)) {
		wasm_error_set(err, "magic header not detected", NULL, 0, NULL);
		return false;
	}
	if (len < 8) {
		wasm_error_set(err, "unexpected end", NULL, len, NULL);
		return false;
	}
	if (memcmp(b + 4, version, 4)) {
		wasm_error_set(err, "unknown binary version", NULL, 4, NULL);
		return false;
	}
	return true;
}

/* A section whose size runs past the end of the module: "unexpected end",
 * or, for a custom section whose name is cut too, "length out of bounds"
 * (the reference interpreter reads the name first). */
static const char *past_end_msg(const struct wasm_reader *r, uint8_t id)
{
	struct wasm_reader t = *r;
	uint32_t len;

	if (id == SEC_CUSTOM && wasm_read_u32(&t, &len) && len > wasm_reader_left(&t))
		return "length out of bounds";
	return "unexpected end";
}

static bool decode(struct decoder *d, struct wasm_error *err)
{
	wasm_module *m = d->m;
	struct wasm_reader r;
	unsigned last_rank = 0;

	if (!check_header(m->bytes, m->len, err))
		return false;
	wasm_reader_init(&r, m->bytes, 8, m->len);
	while (!wasm_reader_done(&r)) {
		size_t at = wasm_reader_offset(&r);
		struct wasm_reader sec;
		uint8_t id;
		uint32_t size;

		if (!wasm_read_u8(&r, &id))
			break;
		if (id >= SEC__COUNT ||
		    (id == SEC_TAG && !(features & WASM_FEATURE_EXCEPTIONS))) {
			wasm_error_set(err, "malformed section id", NULL, at, NULL);
			return false;
		}
		if (!wasm_read_u32(&r, &size))
			break;
		if (size > wasm_reader_left(&r)) {
			wasm_error_set(err, past_end_msg(&r, id), section_names[id],
				  wasm_reader_offset(&r), "section runs past the end");
			return false;
		}
		if (id != SEC_CUSTOM) {
			if (section_rank[id] <= last_rank) {
				wasm_error_set(err, "junk after last section",
					  section_names[id], at, NULL);
				return false;
			}
			last_rank = section_rank[id];
		}
		sec = r;
		sec.end = r.p + size;
		r.p += size;
		if (!decode_section(d, id, &sec, err))
			return false;
	}
	if (r.err) {
		wasm_error_set(err, r.err, NULL, r.err_off, NULL);
		return false;
	}
	return true;
}

/* Rules that span sections (§5.5.16). */
static bool check_module(struct decoder *d, struct wasm_error *err)
{
	wasm_module *m = d->m;

	if (!d->has_code && m->nfuncs != m->nimported_funcs) {
		wasm_error_set(err, "function and code section have inconsistent lengths",
			  "code", m->len, NULL);
		return false;
	}
	if (m->has_datacount && !d->seen_data && m->ndatas != 0) {
		wasm_error_set(err, "data count and data section have inconsistent lengths",
			  "data", m->len, NULL);
		return false;
	}
	if (!m->declared_funcs) {
		m->declared_funcs = calloc((size_t)m->nfuncs / 8 + 1, 1);
		if (!m->declared_funcs) {
			wasm_error_resource(err, "out of memory", NULL, NULL);
			return false;
		}
	}
	return true;
}

int wasm_module_load(const uint8_t *bytes, size_t len, wasm_module **out,
		     struct wasm_error *err)
{
	if (jit_module_decode(bytes, len, out, err))
		return -1;
	if (jit_compile(*out, &(*out)->code, err) != 0) {
		wasm_module_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* wasm_module_load without the compile: jit/artifact.c gives the module
 * the code it loaded instead. */
int jit_module_decode(const uint8_t *bytes, size_t len, wasm_module **out,
		      struct wasm_error *err)
{
	struct decoder d = { 0 };
	wasm_module *m;

	*out = NULL;
	if (len > UINT32_MAX) {
		wasm_error_set(err, "module too large", NULL, 0, NULL);
		return -1;
	}
	m = calloc(1, sizeof *m);
	if (!m || !(m->bytes = malloc(len ? len : 1))) {
		free(m);
		wasm_error_resource(err, "out of memory", NULL, NULL);
		return -1;
	}
	if (len)
		memcpy(m->bytes, bytes, len);
	m->len = len;
	d.m = m;
	if (!decode(&d, err) || !check_module(&d, err)) {
		wasm_module_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

void wasm_module_free(wasm_module *m)
{
	if (!m)
		return;
	if (m->code)
		jit_code_free(m->code);
	for (uint32_t i = 0; i < m->ntypes; i++) {
		free(m->types[i].params);
		free(m->types[i].results);
	}
	free(m->types);
	for (uint32_t i = 0; i < m->nimports; i++) {
		free(m->imports[i].module);
		free(m->imports[i].name);
	}
	free(m->imports);
	free(m->funcs);
	free(m->tables);
	free(m->memories);
	free(m->globals);
	free(m->tags);
	for (uint32_t i = 0; i < m->nexports; i++)
		free(m->exports[i].name);
	free(m->exports);
	for (uint32_t i = 0; i < m->nelems; i++) {
		free(m->elems[i].func_indices);
		free(m->elems[i].exprs);
	}
	free(m->elems);
	free(m->datas);
	free(m->declared_funcs);
	free_names(m);
	free(m->bytes);
	free(m);
}

const struct wasm_export *wasm_find_export(const wasm_module *m, uint8_t kind,
					   const char *name, size_t len)
{
	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct wasm_export *e = &m->exports[i];

		if (e->kind == kind && e->name_len == len && !memcmp(e->name, name, len))
			return e;
	}
	return NULL;
}

const char *wasm_func_name(const wasm_module *m, uint32_t func_index)
{
	uint32_t lo = 0, hi = m->nnames;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (m->names[mid].func_index == func_index)
			return m->names[mid].name;
		if (m->names[mid].func_index < func_index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct wasm_functype *wasm_func_type(const wasm_module *m, uint32_t func_index)
{
	if (func_index >= m->nfuncs || m->funcs[func_index].type >= m->ntypes)
		return NULL;
	return &m->types[m->funcs[func_index].type];
}
