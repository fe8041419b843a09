/*
 * instance.c — instantiation and calls (Core spec 2.0 §4.5.4 "Instantiation",
 * §4.5.5 "Invocation"), and the runtime functions compiled code calls
 * through the instance context (jit.h): host calls and memory.grow (of any
 * memory: jit_mem_grow, which keeps memory 0's copies in step).
 *
 *   wasm_instance_new: resolve imports -> struct jit_ctx (each own memory an
 *   8 GiB reservation with min pages committed, ctx->mems[] and memory 0's
 *   copy in ctx->mem_*; globals, tables, funcs[], a Wasm
 *   stack with a guard page) -> elem segments -> data segments -> register
 *   the ctx (for the fault handler) -> start function
 *
 *   wasm_call -> jit_enter (x64/entry.S) -> compiled code -> import stub ->
 *   jit_host_call -> struct wasm_host_func; a trap anywhere unwinds through
 *   jit_unwind back to jit_enter, which returns the trap code.
 *
 * wasm_instance_new satisfies function imports with host functions only;
 * imports of globals, tables and memories come from other instances through
 * a linker (jit/link.c, jit_instance_new with bindings, see link.h).
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "jit.h"
#include "leb.h"
#include "opcodes.h"
#include "link.h"
#include "plat.h"

#define GUARD_PAGE 4096u
#define MAX_INLINE_SLOTS 16
#define REENTRY_MARGIN 4096u     /* see call_func */

struct wasm_instance {
	struct jit_ctx ctx;             /* first: (wasm_instance *)ctx == inst */
	wasm_module *m;
	void *user;
	const struct wasm_host_func **imports;  /* per imported function */
	struct jit_memory *own_mems;    /* per memory index: the module's own
					   memories (imported entries unused) */
	uint32_t host_mem;              /* wasm_memory_base's memory index */
	uint8_t *stack_mapping;
	uint32_t depth;                 /* nested wasm_call on this instance */
	uintptr_t stack_low;            /* frame of the last call out of this
					   instance's code (host or call_ref):
					   re-entry from another stack starts
					   below it (call_func) */
	int32_t exit_code;              /* wasm_instance_set_exit */
	char host_error[96];            /* wasm_instance_set_host_error */
	bool registered;
	struct jit_table *own_tables;   /* ctx->tables[i] of own tables */
	struct jit_funcref *own_refs;   /* ctx->funcrefs[i] (all, see jit.h) */
	uint8_t *v128_cells;            /* the own v128 globals' 16-byte cells
					   (allocation; 16-byte aligned inside) */
	struct jit_tag *own_tags;       /* ctx->tags[i] of own tags */
};

/* ---- the registry of live contexts (read by the fault handler) -------- */

/*
 * A lock-free open-addressed set of context pointers: the fault handler may
 * run at any instruction, so jit_ctx_is_live only does atomic loads, and a
 * register/unregister never leaves the table in a state a reader could
 * misread.  Slots hold a pointer, 0 (never used: ends a probe) or TOMB.
 */
#define REGISTRY_SLOTS 16384u
#define TOMB ((uintptr_t)1)

static uintptr_t registry[REGISTRY_SLOTS];

static size_t registry_hash(uintptr_t p)
{
	return (size_t)((p >> 4) * 0x9e3779b97f4a7c15ull >> 40) & (REGISTRY_SLOTS - 1);
}

static bool registry_add(struct jit_ctx *ctx)
{
	uintptr_t p = (uintptr_t)ctx;
	size_t h = registry_hash(p);

	for (size_t i = 0; i < REGISTRY_SLOTS; i++, h = (h + 1) & (REGISTRY_SLOTS - 1)) {
		uintptr_t cur = __atomic_load_n(&registry[h], __ATOMIC_ACQUIRE);

		while (cur == 0 || cur == TOMB) {
			if (__atomic_compare_exchange_n(&registry[h], &cur, p, false,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				return true;
		}
	}
	return false;
}

void jit_ctx_register(struct jit_ctx *ctx)
{
	wasm_instance *inst = (wasm_instance *)ctx;

	inst->registered = registry_add(ctx);
}

void jit_ctx_unregister(struct jit_ctx *ctx)
{
	uintptr_t p = (uintptr_t)ctx;
	size_t h = registry_hash(p);

	for (size_t i = 0; i < REGISTRY_SLOTS; i++, h = (h + 1) & (REGISTRY_SLOTS - 1)) {
		uintptr_t cur = __atomic_load_n(&registry[h], __ATOMIC_ACQUIRE);

		if (cur == 0)
			return;
		if (cur == p) {
			__atomic_store_n(&registry[h], TOMB, __ATOMIC_RELEASE);
			return;
		}
	}
}

bool jit_ctx_is_live(uintptr_t maybe_ctx)
{
	size_t h = registry_hash(maybe_ctx);

	if (maybe_ctx == 0 || maybe_ctx == TOMB)
		return false;
	for (size_t i = 0; i < REGISTRY_SLOTS; i++, h = (h + 1) & (REGISTRY_SLOTS - 1)) {
		uintptr_t cur = __atomic_load_n(&registry[h], __ATOMIC_ACQUIRE);

		if (cur == 0)
			return false;
		if (cur == maybe_ctx)
			return true;
	}
	return false;
}

wasm_module *jit_ctx_module(struct jit_ctx *ctx)
{
	return ((wasm_instance *)ctx)->m;
}

/* ---- linking ----------------------------------------------------------- */

char jit_type_letter(uint8_t t)
{
	switch (t) {
	case WASM_I32: return 'i';
	case WASM_I64: return 'I';
	case WASM_F32: return 'f';
	case WASM_F64: return 'F';
	case WASM_FUNCREF: return 'r';
	case WASM_EXTERNREF: return 'x';
	case WASM_V128: return 'V';
	default:       return '?';
	}
}

static bool letters_match(const char *letters, const uint8_t *types, uint32_t n)
{
	if (!letters)
		letters = "";
	if (strlen(letters) != n)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (letters[i] != jit_type_letter(types[i]))
			return false;
	return true;
}

static int link_imports(wasm_instance *inst, const struct wasm_host_func *funcs,
			size_t nfuncs, const struct jit_binding *b,
			struct wasm_error *err)
{
	wasm_module *m = inst->m;

	for (uint32_t i = 0; i < m->nimports; i++) {
		const struct wasm_import *im = &m->imports[i];
		const struct wasm_host_func *hf = b ? b[i].func : NULL;

		if (b && im->kind != WASM_EXTERN_FUNC)
			continue;       /* bound by jit_link_bind */
		const struct wasm_functype *ft = im->kind == WASM_EXTERN_FUNC ?
			wasm_func_type(m, im->index) : NULL;
		/* A name may be defined more than once with different
		 * signatures (WasmEdge's socket extension: sock_accept with 2
		 * or 3 parameters): the one whose type matches wins, else the
		 * first of that name, to report the mismatch. */
		for (size_t j = 0; !(b && b[i].func) && im->kind == WASM_EXTERN_FUNC &&
				   j < nfuncs; j++) {
			if (funcs[j].module && funcs[j].name &&
			    strlen(funcs[j].module) == im->module_len &&
			    !memcmp(funcs[j].module, im->module, im->module_len) &&
			    strlen(funcs[j].name) == im->name_len &&
			    !memcmp(funcs[j].name, im->name, im->name_len)) {
				if (!hf)
					hf = &funcs[j];
				if (letters_match(funcs[j].params, ft->params, ft->nparams) &&
				    letters_match(funcs[j].results, ft->results, ft->nresults)) {
					hf = &funcs[j];
					break;
				}
			}
		}
		if (!hf) {
			wasm_error_link(err, "unknown import", im->module, im->name);
			return -1;
		}
		if (!hf->fn || !letters_match(hf->params, ft->params, ft->nparams) ||
		    !letters_match(hf->results, ft->results, ft->nresults)) {
			wasm_error_link(err, "incompatible import type", im->module,
					im->name);
			return -1;
		}
		inst->imports[im->index] = hf;
	}
	return 0;
}

/* ---- constant expressions (validated by module.c) ---------------------- */

/* One constant instruction op (not `end`) whose immediates r is at: the
 * value it pushes.  A reference is a jit.h reference value (funcref:
 * ctx->funcrefs[x]). */
static uint64_t eval_push(wasm_instance *inst, struct wasm_reader *r, uint8_t op)
{
	uint8_t t;
	uint32_t u32, idx;
	int32_t s32;
	int64_t s64;
	uint64_t u64 = 0;

	switch (op) {
	case OP_I32_CONST: return wasm_read_s32(r, &s32) ? (uint32_t)s32 : 0;
	case OP_I64_CONST: return wasm_read_s64(r, &s64) ? (uint64_t)s64 : 0;
	case OP_F32_CONST: return wasm_read_f32(r, &u32) ? u32 : 0;
	case OP_F64_CONST: return wasm_read_f64(r, &u64) ? u64 : 0;
	case OP_GLOBAL_GET:      /* immutable (validated): the slot holds the value */
		return wasm_read_u32(r, &idx) ? inst->ctx.globals[idx] : 0;
	case OP_REF_NULL:
		(void)wasm_read_u8(r, &t);
		return 0;
	case OP_REF_FUNC:
		return wasm_read_u32(r, &idx) ?
			(uint64_t)(uintptr_t)inst->ctx.funcrefs[idx] : 0;
	default:
		return 0;
	}
}

/* Extended-const's operators on a and b, wrapping (an i32 is kept
 * zero-extended in its 64-bit slot, as i32.const's value). */
static uint64_t eval_binop(uint8_t op, uint64_t a, uint64_t b)
{
	switch (op) {
	case OP_I32_ADD: return (uint32_t)((uint32_t)a + (uint32_t)b);
	case OP_I32_SUB: return (uint32_t)((uint32_t)a - (uint32_t)b);
	case OP_I32_MUL: return (uint32_t)((uint32_t)a * (uint32_t)b);
	case OP_I64_ADD: return a + b;
	case OP_I64_SUB: return a - b;
	case OP_I64_MUL: return a * b;
	default: return 0;
	}
}

/* Evaluates a validated constant expression: a stack machine over its
 * instructions, at most WASM_CONSTEXPR_MAX_DEPTH deep (module.c rejects
 * deeper ones; the checks here only keep a broken invariant in bounds). */
static uint64_t eval_const(wasm_instance *inst, const struct wasm_constexpr *ce)
{
	struct wasm_reader r;
	uint64_t stack[WASM_CONSTEXPR_MAX_DEPTH];
	unsigned depth = 0;
	uint8_t op;

	wasm_reader_init(&r, inst->m->bytes, ce->start, ce->end);
	while (wasm_read_u8(&r, &op) && op != OP_END) {
		if (wasm_opinfo[op].sig[1]) {   /* a binary operator */
			if (depth < 2)
				return 0;
			depth--;
			stack[depth - 1] = eval_binop(op, stack[depth - 1], stack[depth]);
		} else {
			if (depth == WASM_CONSTEXPR_MAX_DEPTH)
				return 0;
			stack[depth++] = eval_push(inst, &r, op);
		}
	}
	return depth ? stack[depth - 1] : 0;
}

/* A v128 global's initial value into cell: v128.const, or global.get
 * of an imported v128 global, whose slot holds its cell's address (jit.h;
 * validated by module.c) */
static void eval_v128(wasm_instance *inst, const struct wasm_constexpr *ce, uint8_t *cell)
{
	struct wasm_reader r;
	uint32_t x;
	uint8_t op;

	memset(cell, 0, 16);
	wasm_reader_init(&r, inst->m->bytes, ce->start, ce->end);
	if (!wasm_read_u8(&r, &op) || !wasm_read_u32(&r, &x))
		return;
	if (op == OP_GLOBAL_GET) {
		memcpy(cell, (const void *)(uintptr_t)inst->ctx.globals[x], 16);
		return;
	}
	for (int i = 0; i < 16 && wasm_read_u8(&r, &cell[i]); i++)
		;
}

/* The own v128 globals: each slot the address of its 16-byte cell */
static int setup_v128_globals(wasm_instance *inst)
{
	wasm_module *m = inst->m;
	uint32_t n = 0;
	uint8_t *cell;

	for (uint32_t i = m->nimported_globals; i < m->nglobals; i++)
		n += m->globals[i].type == WASM_V128;
	if (!n)
		return 0;
	if (!(inst->v128_cells = calloc(n + 1, 16)))
		return -1;
	cell = (uint8_t *)(((uintptr_t)inst->v128_cells + 15) & ~(uintptr_t)15);
	for (uint32_t i = m->nimported_globals; i < m->nglobals; i++)
		if (m->globals[i].type == WASM_V128) {
			inst->ctx.globals[i] = (uint64_t)(uintptr_t)cell;
			cell += 16;
		}
	return 0;
}

/* ---- memory, tables, globals, stack ----------------------------------- */

/* ctx's memory 0 fields (r15, CTX_MEM_*) mirror mem from now on */
static void mirror_memory0(struct jit_ctx *ctx, struct jit_memory *mem)
{
	ctx->mem_base = mem->base;
	ctx->mem_size = mem->size;
	ctx->mem_pages = mem->pages;
	ctx->mem_max_pages = mem->max_pages;
	ctx->mem_reserved = JIT_MEM_RESERVATION;
}

/* Own memory i: its own 8 GiB reservation, min pages committed. */
static int setup_one_memory(wasm_instance *inst, uint32_t i, struct wasm_error *err)
{
	const struct wasm_memory *mw = &inst->m->memories[i];
	struct jit_memory *mem = &inst->own_mems[i];

	if (mw->is64 && mw->limits.min > JIT_MEM64_MAX_PAGES) {
		wasm_error_resource(err, "out of memory", "memory",
				    "a 64-bit memory's minimum is above wasmetal's memory64 cap "
				    "of 65536 pages (4 GiB)");
		return -1;
	}
	mem->base = plat_reserve(JIT_MEM_RESERVATION);
	if (!mem->base) {
		wasm_error_resource(err, "out of memory", "memory",
				    "cannot reserve the linear memory's address space");
		return -1;
	}
	mem->pages = mw->limits.min;
	mem->size = mw->limits.min * WASM_PAGE_SIZE;
	mem->has_max = mw->limits.has_max;
	mem->is64 = mw->is64;
	mem->max_pages = mw->limits.has_max ? mw->limits.max : WASM_MAX_PAGES;
	inst->ctx.mems[i] = mem;
	if (mem->size && plat_commit(mem->base, mem->size)) {
		char d[96];

		snprintf(d, sizeof d, "cannot allocate the linear memory: %u pages, %llu MiB",
			 (unsigned)mw->limits.min, (unsigned long long)(mem->size >> 20));
		wasm_error_resource(err, "out of memory", "memory", d);
		return -1;
	}
	return 0;
}

/* ctx->mems for every memory index; the own ones reserved here, the
 * imported ones filled by jit_link_bind. */
static int setup_memory(wasm_instance *inst, struct wasm_error *err)
{
	wasm_module *m = inst->m;
	struct jit_ctx *ctx = &inst->ctx;

	if (!m->nmemories)
		return 0;
	ctx->mems = calloc(m->nmemories, sizeof *ctx->mems);
	inst->own_mems = calloc(m->nmemories, sizeof *inst->own_mems);
	if (!ctx->mems || !inst->own_mems) {
		wasm_error_resource(err, "out of memory", "memory", NULL);
		return -1;
	}
	for (uint32_t i = m->nimported_memories; i < m->nmemories; i++)
		if (setup_one_memory(inst, i, err))
			return -1;
	if (m->nimported_memories)
		return 0;       /* memory 0 is imported: jit_link_bind */
	if (jit_mem_mirror_add(ctx->mems[0], ctx)) {
		wasm_error_resource(err, "out of memory", "memory", NULL);
		return -1;
	}
	return 0;
}

static int setup_stack(wasm_instance *inst, struct wasm_error *err)
{
	struct jit_ctx *ctx = &inst->ctx;
	size_t size = JIT_STACK_SIZE + GUARD_PAGE;

	inst->stack_mapping = plat_reserve(size);
	if (!inst->stack_mapping ||
	    plat_commit(inst->stack_mapping + GUARD_PAGE, JIT_STACK_SIZE)) {
		wasm_error_resource(err, "out of memory", NULL, "cannot map the Wasm stack");
		return -1;
	}
	ctx->stack_base = inst->stack_mapping;
	ctx->stack_size = size;
	ctx->stack_limit = (uintptr_t)inst->stack_mapping + GUARD_PAGE +
			   JIT_STACK_HOST_RESERVE;
	return 0;
}

static int setup_tables(wasm_instance *inst, struct wasm_error *err)
{
	wasm_module *m = inst->m;
	size_t n = m->ntables ? m->ntables : 1;
	char d[96];

	inst->ctx.tables = calloc(n, sizeof *inst->ctx.tables);
	inst->own_tables = calloc(n, sizeof *inst->own_tables);
	if (!inst->ctx.tables || !inst->own_tables) {
		wasm_error_resource(err, "out of memory", "table", NULL);
		return -1;
	}
	for (uint32_t i = m->nimported_tables; i < m->ntables; i++) {
		struct jit_table *t = &inst->own_tables[i];
		const struct wasm_limits *l = &m->tables[i].limits;

		if (l->min > JIT_TABLE_MAX_ELEMS) {
			snprintf(d, sizeof d, "table %u: %llu elements, at most %u", i,
				 (unsigned long long)l->min, JIT_TABLE_MAX_ELEMS);
			wasm_error_resource(err, "table too large", "table", d);
			return -1;
		}
		t->size = (uint32_t)l->min;
		t->max = l->has_max ? (uint32_t)l->max : UINT32_MAX;
		t->elemtype = m->tables[i].elemtype;
		t->elems = calloc(t->size ? t->size : 1, sizeof *t->elems);
		if (!t->elems) {
			snprintf(d, sizeof d, "cannot allocate table %u: %u elements", i,
				 t->size);
			wasm_error_resource(err, "out of memory", "table", d);
			return -1;
		}
		inst->ctx.tables[i] = t;
	}
	return 0;
}

/* One descriptor per function index (jit.h: the funcref values). */
static int setup_funcrefs(wasm_instance *inst)
{
	wasm_module *m = inst->m;
	struct jit_ctx *ctx = &inst->ctx;
	size_t n = m->nfuncs ? m->nfuncs : 1;

	inst->own_refs = calloc(n, sizeof *inst->own_refs);
	ctx->funcrefs = calloc(n, sizeof *ctx->funcrefs);
	if (!inst->own_refs || !ctx->funcrefs)
		return -1;
	for (uint32_t i = 0; i < m->nfuncs; i++) {
		inst->own_refs[i] = (struct jit_funcref){
			.code = ctx->funcs[i],
			.ctx = ctx,
			.type = wasm_func_type(m, i)->canon,
			.func_index = i,
		};
		ctx->funcrefs[i] = &inst->own_refs[i];
	}
	return 0;
}

/* Exception handling: a struct jit_tag per own tag (its identity);
 * imported ones are the exporter's (jit_link_bind). */
static int setup_tags(wasm_instance *inst, struct wasm_error *err)
{
	wasm_module *m = inst->m;
	struct jit_ctx *ctx = &inst->ctx;

	ctx->tags = calloc(m->ntags ? m->ntags : 1, sizeof *ctx->tags);
	inst->own_tags = calloc(m->ntags ? m->ntags : 1, sizeof *inst->own_tags);
	if (!ctx->tags || !inst->own_tags) {
		wasm_error_resource(err, "out of memory", NULL, NULL);
		return -1;
	}
	for (uint32_t i = m->nimported_tags; i < m->ntags; i++) {
		inst->own_tags[i].type = &m->types[m->tags[i].type];
		ctx->tags[i] = &inst->own_tags[i];
	}
	return 0;
}

static int setup_globals_funcs(wasm_instance *inst, const struct jit_binding *b,
			       struct wasm_error *err)
{
	wasm_module *m = inst->m;
	struct jit_ctx *ctx = &inst->ctx;

	ctx->globals = calloc(m->nglobals ? m->nglobals : 1, sizeof(uint64_t));
	ctx->funcs = calloc(m->nfuncs ? m->nfuncs : 1, sizeof(void *));
	if (!ctx->globals || !ctx->funcs) {
		wasm_error_resource(err, "out of memory", NULL, NULL);
		return -1;
	}
	for (uint32_t i = 0; i < m->nfuncs; i++)
		ctx->funcs[i] = m->code->base + m->code->func_offsets[i];
	if (setup_funcrefs(inst)) {
		wasm_error_resource(err, "out of memory", NULL, NULL);
		return -1;
	}
	if (b && jit_link_bind(ctx, m, b)) {
		wasm_error_resource(err, "out of memory", "import", NULL);
		return -1;
	}
	if (setup_v128_globals(inst)) {
		wasm_error_resource(err, "out of memory", NULL, NULL);
		return -1;
	}
	/* in order: an init may read the imported globals before it */
	for (uint32_t i = m->nimported_globals; i < m->nglobals; i++)
		if (m->globals[i].type == WASM_V128)
			eval_v128(inst, &m->globals[i].init,
				  (uint8_t *)(uintptr_t)ctx->globals[i]);
		else
			ctx->globals[i] = eval_const(inst, &m->globals[i].init);
	return 0;
}

/* ---- segments (§4.5.4 steps 10-14) ------------------------------------ */


/* The runtime state of every segment (jit.h): element values are
 * evaluated once here, data segments point into the module's bytes. */
static int setup_segments(wasm_instance *inst, struct wasm_error *err)
{
	wasm_module *m = inst->m;
	struct jit_ctx *ctx = &inst->ctx;

	ctx->elem_segs = calloc(m->nelems ? m->nelems : 1, sizeof *ctx->elem_segs);
	ctx->data_segs = calloc(m->ndatas ? m->ndatas : 1, sizeof *ctx->data_segs);
	if (!ctx->elem_segs || !ctx->data_segs)
		goto oom;
	for (uint32_t i = 0; i < m->nelems; i++) {
		const struct wasm_elem *e = &m->elems[i];
		struct jit_elem_seg *s = &ctx->elem_segs[i];

		s->vals = calloc(e->count ? e->count : 1, sizeof *s->vals);
		if (!s->vals)
			goto oom;
		for (uint32_t j = 0; j < e->count; j++)
			s->vals[j] = e->func_indices ?
				(uint64_t)(uintptr_t)ctx->funcrefs[e->func_indices[j]] :
				eval_const(inst, &e->exprs[j]);
		s->len = e->count;
	}
	for (uint32_t i = 0; i < m->ndatas; i++) {
		ctx->data_segs[i].bytes = m->bytes + m->datas[i].start;
		ctx->data_segs[i].len = m->datas[i].len;
	}
	return 0;
oom:
	wasm_error_resource(err, "out of memory", NULL, "segments");
	return -1;
}

static void trap_set(struct wasm_trap *trap, enum wasm_trap_code code)
{
	if (!trap)
		return;
	memset(trap, 0, sizeof *trap);
	trap->code = code;
}

/* §4.5.4 steps 13-14: active segments are table.init + elem.drop, in
 * order (what an earlier one wrote stays when a later one traps);
 * declarative ones are dropped. */
static int init_elems(wasm_instance *inst, struct wasm_trap *trap)
{
	wasm_module *m = inst->m;
	struct jit_ctx *ctx = &inst->ctx;

	for (uint32_t i = 0; i < m->nelems; i++) {
		const struct wasm_elem *e = &m->elems[i];
		uint32_t code;

		if (e->mode == WASM_SEG_PASSIVE)
			continue;
		if (e->mode == WASM_SEG_ACTIVE) {
			code = jit_runtime.table_init(ctx, e->table, i,
				(uint32_t)eval_const(inst, &e->offset), 0, e->count);
			if (code) {
				trap_set(trap, (enum wasm_trap_code)code);
				return -1;
			}
		}
		jit_runtime.elem_drop(ctx, i);
	}
	return 0;
}

static int init_datas(wasm_instance *inst, struct wasm_trap *trap)
{
	wasm_module *m = inst->m;
	struct jit_ctx *ctx = &inst->ctx;

	for (uint32_t i = 0; i < m->ndatas; i++) {
		const struct wasm_data *d = &m->datas[i];
		uint32_t code;

		if (d->mode != WASM_SEG_ACTIVE)
			continue;
		if (m->memories[d->memory].is64)
			code = jit_runtime.memory_init64(ctx, d->memory, i,
							 eval_const(inst, &d->offset), 0, d->len);
		else
			code = jit_runtime.memory_init_n(ctx, d->memory, i,
							 (uint32_t)eval_const(inst, &d->offset), 0, d->len);
		if (code) {
			trap_set(trap, (enum wasm_trap_code)code);
			return -1;
		}
		jit_runtime.data_drop(ctx, i);
	}
	return 0;
}

/* ---- calls ------------------------------------------------------------ */

static bool type_has_v128(const struct wasm_functype *ft)
{
	for (uint32_t i = 0; i < ft->nparams; i++)
		if (ft->params[i] == WASM_V128)
			return true;
	for (uint32_t i = 0; i < ft->nresults; i++)
		if (ft->results[i] == WASM_V128)
			return true;
	return false;
}

static bool results_have_v128(const struct wasm_functype *ft)
{
	for (uint32_t i = 0; i < ft->nresults; i++)
		if (ft->results[i] == WASM_V128)
			return true;
	return false;
}

static uint64_t canon_value(uint8_t t, uint64_t v)
{
	return (t == WASM_I32 || t == WASM_F32) ? (uint32_t)v : v;
}

/* The registers and stack arguments of a wasm ABI v1 call of ft with
 * the arguments in area (jit.h jit_v1_next); stk receives the stack
 * arguments (room for nparams).  Results through a result area go to
 * area itself: the callee reads its arguments before it writes them. */
static void v1_pack(struct jit_call *c, struct jit_ctx *ctx,
		    const struct wasm_functype *ft, uint64_t *area, const uint64_t *hi,
		    uint64_t *stk, uint64_t *res)
{
	struct jit_v1 s;

	memset(c, 0, sizeof *c);
	c->gpr[0] = (uint64_t)(uintptr_t)ctx;
	/* the results, unless a param: area itself (8-byte slots, result i
	   at area[i]) unless a v128 needs the value-slot layout (res) */
	c->gpr[1] = (uint64_t)(uintptr_t)(res ? res : area);
	jit_v1_start(&s, ft);
	for (uint32_t i = 0; i < ft->nparams; i++) {
		uint32_t p = jit_v1_next(&s, ft->params[i]);
		bool v = ft->params[i] == WASM_V128;   /* hi != NULL then */

		if (p & JIT_V1_STACK) {
			stk[JIT_V1_PLACE(p)] = area[i];
			if (v)
				stk[JIT_V1_PLACE(p) + 1] = hi[i];
		} else if (p & JIT_V1_XMM) {
			c->xmm[JIT_V1_PLACE(p)] = area[i];
			if (v)
				c->xmm_hi[JIT_V1_PLACE(p)] = hi[i];
		} else
			c->gpr[p] = area[i];
	}
	c->stack = stk;
	c->nstack = s.nstack;
}

/* results in registers (c->ret: rax rdx xmm0 xmm1), or in the value
 * slots of res (a result area with a v128), to area (a v128's high half
 * to hi) */
static void v1_unpack(const struct jit_call *c, const struct wasm_functype *ft,
		      uint64_t *area, uint64_t *hi, const uint64_t *res)
{
	uint32_t ng = 0, nx = 0, off = 0;

	if (!jit_v1_results_in_regs(ft)) {
		if (!res)
			return;         /* already in area (no v128) */
		for (uint32_t i = 0; i < ft->nresults; i++) {
			uint32_t j = jit_v1_slot_next(&off, ft->results[i]) / 8;
			area[i] = res[j];
			if (ft->results[i] == WASM_V128)
				hi[i] = res[j + 1];
		}
		return;
	}
	for (uint32_t i = 0; i < ft->nresults; i++) {
		if (ft->results[i] == WASM_V128)
			hi[i] = c->ret_hi[nx];
		area[i] = jit_v1_is_xmm(ft->results[i]) ? c->ret[2 + nx++] : c->ret[ng++];
	}
}

/*
 * Run function idx with the arguments in area (nslots >= max(np, nr)),
 * which receives the results.  Returns 0 or the trap code (trap filled).
 * The outermost call starts at the top of the instance's Wasm stack; a
 * call from inside a host function (depth > 0) continues below the host
 * function's frame.
 */
static int call_func_v(wasm_instance *inst, uint32_t idx, uint64_t *area,
		       uint64_t *hi, uint32_t nslots, struct wasm_trap *trap,
		       struct jit_exn **exn)
{
	struct jit_ctx *ctx = &inst->ctx;
	const struct wasm_functype *ft = wasm_func_type(inst->m, idx);
	struct wasm_trap scratch, *saved_out = ctx->trap_out;
	struct plat_stack_save saved;
	struct jit_call call;
	uint64_t stk_buf[MAX_INLINE_SLOTS], *stk = stk_buf;
	uintptr_t top;
	int rc;

	if (!trap)
		trap = &scratch;
	trap_set(trap, WASM_TRAP_NONE);
	if (inst->depth) {
		/* Below this frame and below what jit_enter pushes under it
		 * (call_func's own frame is far smaller than the margin); when
		 * called on another instance's stack (its code called one of
		 * ours), below where our code left its own stack. */
		uintptr_t here = (uintptr_t)__builtin_frame_address(0);
		uintptr_t lo = (uintptr_t)ctx->stack_base, hi = lo + ctx->stack_size;

		if (here < lo || here >= hi)
			here = inst->stack_low;
		top = (here - REENTRY_MARGIN) & ~(uintptr_t)15;
		if (here < lo || here >= hi ||
		    top < ctx->stack_limit + 16u * nslots + 64) {
			trap_set(trap, WASM_TRAP_STACK_EXHAUSTED);
			return WASM_TRAP_STACK_EXHAUSTED;
		}
	} else {
		top = ((uintptr_t)ctx->stack_base + ctx->stack_size) & ~(uintptr_t)15;
	}
	if (ft->nparams > MAX_INLINE_SLOTS / 2 &&
	    !(stk = calloc(2 * (size_t)ft->nparams + 1, sizeof *stk))) {
		trap_set(trap, WASM_TRAP_HOST);
		snprintf(trap->host_msg, sizeof trap->host_msg, "out of memory");
		return WASM_TRAP_HOST;
	}
	/* a result area with a v128 (hi != NULL then): value slots of its
	   own, 16-byte aligned, unpacked to area and hi after the call */
	_Alignas(16) uint64_t res_buf[MAX_INLINE_SLOTS];
	uint64_t *res = NULL;
	if (hi && !jit_v1_results_in_regs(ft) && results_have_v128(ft)) {
		uint32_t np = jit_v1_area_places(ft);
		res = np <= MAX_INLINE_SLOTS ? res_buf : calloc(np + 1, sizeof *res);
		if (!res) {
			if (stk != stk_buf)
				free(stk);
			trap_set(trap, WASM_TRAP_HOST);
			snprintf(trap->host_msg, sizeof trap->host_msg, "out of memory");
			return WASM_TRAP_HOST;
		}
	}
	v1_pack(&call, ctx, ft, area, hi, stk, res);
	ctx->trap_out = trap;
	inst->depth++;
	plat_stack_enter(&saved, ctx->stack_base, ctx->stack_size);
	rc = jit_enter(ctx, ctx->funcs[idx], &call, (void *)top);
	plat_stack_leave(&saved);
	inst->depth--;
	ctx->trap_out = saved_out;
	if (stk != stk_buf)
		free(stk);
	if (rc && trap->code == WASM_TRAP_NONE)
		trap->code = (enum wasm_trap_code)rc;
	if (rc == WASM_TRAP_EXCEPTION) {
		/* the exception that left: the caller's to throw again; or,
		   in a call a host function made (an outer jit_enter runs),
		   kept for that host call, which passes it on if the host
		   function returns WASM_TRAP_EXCEPTION (jit_host_call); else
		   gone (the host sees the trap code) */
		struct jit_exn *e = jit_eh_take(ctx);
		struct jit_ctx *outer = *plat_current_ctx();

		if (exn)
			*exn = e;
		else if (outer && jit_ctx_is_live((uintptr_t)outer))
			jit_eh_set_pending((wasm_instance *)outer, e);
		else
			jit_eh_release(e);
	}
	if (!rc)
		v1_unpack(&call, ft, area, hi, res);
	if (res && res != res_buf)
		free(res);
	return rc;
}

/* call_func_v of a function without v128 in its type (no high halves) */
static int call_func(wasm_instance *inst, uint32_t idx, uint64_t *area,
		     uint32_t nslots, struct wasm_trap *trap)
{
	return call_func_v(inst, idx, area, NULL, nslots, trap, NULL);
}

int wasm_call(wasm_instance *inst, const char *export_name,
	      const uint64_t *args, size_t nargs, uint64_t *results,
	      size_t nresults, struct wasm_trap *trap, struct wasm_error *err)
{
	return wasm_call_n(inst, export_name, strlen(export_name), args, nargs,
			   results, nresults, trap, err);
}

int wasm_call_n(wasm_instance *inst, const char *export_name, size_t name_len,
		const uint64_t *args, size_t nargs, uint64_t *results,
		size_t nresults, struct wasm_trap *trap, struct wasm_error *err)
{
	return jit_call_export(inst, export_name, name_len, args, nargs, results,
			       nresults, trap, err, NULL);
}

int jit_call_export(wasm_instance *inst, const char *export_name, size_t name_len,
		    const uint64_t *args, size_t nargs, uint64_t *results,
		    size_t nresults, struct wasm_trap *trap, struct wasm_error *err,
		    struct jit_exn **exn)
{
	const struct wasm_export *e = wasm_find_export(inst->m, WASM_EXTERN_FUNC,
						       export_name, name_len);
	const struct wasm_functype *ft;
	uint64_t inline_area[MAX_INLINE_SLOTS], *area = inline_area;
	uint32_t nslots;
	int rc;

	if (!e) {
		char d[64];

		/* (ptr, len): not necessarily NUL-terminated */
		snprintf(d, sizeof d, "%.*s", (int)(name_len < 63 ? name_len : 63),
			 export_name);
		wasm_error_set(err, "unknown export", NULL, 0, d);
		return -1;
	}
	ft = wasm_func_type(inst->m, e->index);
	if (type_has_v128(ft)) {
		wasm_error_set(err, "v128 parameter or result: call it with wasm_call_val",
			       NULL, 0, "");
		return -1;
	}
	if (nargs != ft->nparams || nresults != ft->nresults) {
		char d[64];

		snprintf(d, sizeof d, "expects %u params and %u results",
			 ft->nparams, ft->nresults);
		wasm_error_set(err, "arity mismatch", NULL, 0, d);
		return -1;
	}
	nslots = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
	if (nslots > MAX_INLINE_SLOTS && !(area = calloc(nslots, sizeof *area))) {
		wasm_error_resource(err, "out of memory", NULL, NULL);
		return -1;
	}
	for (uint32_t i = 0; i < ft->nparams; i++)
		area[i] = canon_value(ft->params[i], args[i]);
	rc = call_func_v(inst, e->index, area, NULL, nslots, trap, exn);
	if (!rc)
		for (uint32_t i = 0; i < ft->nresults; i++)
			results[i] = canon_value(ft->results[i], area[i]);
	if (area != inline_area)
		free(area);
	return rc ? 1 : 0;
}

int jit_call_export_places(wasm_instance *inst, const char *name, size_t name_len,
			   const uint64_t *args, uint64_t *results,
			   struct wasm_trap *trap, struct wasm_error *err,
			   struct jit_exn **exn)
{
	const struct wasm_export *e = wasm_find_export(inst->m, WASM_EXTERN_FUNC,
						       name, name_len);
	const struct wasm_functype *ft;
	uint64_t *area;
	uint32_t nslots;
	int rc;

	if (!e) {
		wasm_error_set(err, "unknown export", NULL, 0, "");
		return -1;
	}
	ft = wasm_func_type(inst->m, e->index);
	nslots = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
	/* the low halves, then the high halves (call_func_v's hi) */
	if (!(area = calloc(2 * (size_t)nslots + 2, sizeof *area))) {
		wasm_error_resource(err, "out of memory", NULL, NULL);
		return -1;
	}
	for (uint32_t i = 0, j = 0; i < ft->nparams; i++, j++) {
		area[i] = canon_value(ft->params[i], args[j]);
		if (ft->params[i] == WASM_V128)
			area[nslots + 1 + i] = args[++j];
	}
	rc = call_func_v(inst, e->index, area, area + nslots + 1, nslots, trap, exn);
	if (!rc)
		for (uint32_t i = 0, j = 0; i < ft->nresults; i++, j++) {
			results[j] = canon_value(ft->results[i], area[i]);
			if (ft->results[i] == WASM_V128)
				results[++j] = area[nslots + 1 + i];
		}
	free(area);
	return rc ? 1 : 0;
}

int wasm_call_val(wasm_instance *inst, const char *export_name, size_t name_len,
		  const struct wasm_val *args, size_t nargs, struct wasm_val *results,
		  size_t nresults, struct wasm_trap *trap, struct wasm_error *err)
{
	const struct wasm_export *e = wasm_find_export(inst->m, WASM_EXTERN_FUNC,
						       export_name, name_len);
	const struct wasm_functype *ft;
	uint64_t *area;
	uint32_t nslots;
	int rc;

	if (!e) {
		wasm_error_set(err, "unknown export", NULL, 0, "");
		return -1;
	}
	ft = wasm_func_type(inst->m, e->index);
	if (nargs != ft->nparams || nresults != ft->nresults) {
		wasm_error_set(err, "arity mismatch", NULL, 0, "");
		return -1;
	}
	nslots = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
	/* the low halves, then the high halves (call_func_v's hi) */
	if (!(area = calloc(2 * (size_t)nslots + 2, sizeof *area))) {
		wasm_error_resource(err, "out of memory", NULL, NULL);
		return -1;
	}
	for (uint32_t i = 0; i < ft->nparams; i++) {
		area[i] = canon_value(ft->params[i], args[i].lo);
		area[nslots + 1 + i] = ft->params[i] == WASM_V128 ? args[i].hi : 0;
	}
	rc = call_func_v(inst, e->index, area, area + nslots + 1, nslots, trap, NULL);
	if (!rc)
		for (uint32_t i = 0; i < ft->nresults; i++) {
			results[i].lo = canon_value(ft->results[i], area[i]);
			results[i].hi = ft->results[i] == WASM_V128 ? area[nslots + 1 + i] : 0;
		}
	free(area);
	return rc ? 1 : 0;
}

/* 8-byte places of n types: a v128 takes two */
static uint32_t nplaces(const uint8_t *types, uint32_t n)
{
	uint32_t k = n;

	for (uint32_t i = 0; i < n; i++)
		k += types[i] == WASM_V128;
	return k;
}

/* 8-byte places of types to places (n types), each canonicalised, a
 * v128's two as they are */
static void copy_places(uint64_t *to, const uint64_t *from, const uint8_t *types,
			uint32_t n)
{
	for (uint32_t i = 0, j = 0; i < n; i++, j++) {
		to[j] = canon_value(types[i], from[j]);
		if (types[i] == WASM_V128)
			to[j + 1] = from[j + 1], j++;
	}
}

/* Called by an import stub (on the Wasm stack, its code made by
 * compile/driver.c): area holds the arguments and receives every result,
 * in 8-byte places (a v128 two, low half first: wasm.h's host functions);
 * the stub moves them to and from the wasm ABI v1 places. */
void jit_host_call(struct jit_ctx *ctx, uint32_t func_index, uint64_t *area)
{
	wasm_instance *inst = (wasm_instance *)ctx;
	const struct wasm_host_func *hf = inst->imports[func_index];
	const struct wasm_functype *ft = wasm_func_type(inst->m, func_index);
	uint64_t args_buf[MAX_INLINE_SLOTS], res_buf[MAX_INLINE_SLOTS];
	uint64_t *args = args_buf, *res = res_buf;
	struct jit_exn *outer_pending, *pending = NULL;
	enum wasm_trap_code code;

	uint32_t np = nplaces(ft->params, ft->nparams), nr = nplaces(ft->results, ft->nresults);

	inst->stack_low = (uintptr_t)__builtin_frame_address(0);
	if (np > MAX_INLINE_SLOTS || nr > MAX_INLINE_SLOTS) {
		args = calloc(np + 1, sizeof *args);
		res = calloc(nr + 1, sizeof *res);
	}
	if (!args || !res) {
		code = WASM_TRAP_HOST;
		snprintf(inst->host_error, sizeof inst->host_error, "out of memory");
		goto trap;
	}
	/* arguments first: results may be written over the same slots */
	copy_places(args, area, ft->params, ft->nparams);
	memset(res, 0, nr * sizeof *res);
	inst->host_error[0] = 0;
	/* This host call's own pending exception (what a wasm_call it makes
	   leaves in ctx->eh_escaped): an outer host call's is put aside while
	   it runs, and back after, so that a nested host call neither throws
	   nor frees an exception that is not its own (the security review's
	   reproduction: a host function's pending exception thrown inside an
	   unrelated nested call, and its own caller's catch never ran). */
	outer_pending = jit_eh_take(ctx);
	code = plat_host_call(hf->fn, inst, hf->env, args, res);
	pending = jit_eh_take(ctx);
	ctx->eh_escaped = outer_pending;
	/* passed on only when the host function says so (below) */
	if (code != WASM_TRAP_EXCEPTION) {
		jit_eh_release(pending);
		pending = NULL;
	} else if (!pending) {
		code = WASM_TRAP_HOST;
		snprintf(inst->host_error, sizeof inst->host_error,
			 "host function returned WASM_TRAP_EXCEPTION without an exception "
			 "from a call it made");
	}
	if (code != WASM_TRAP_NONE)
		goto trap;
	copy_places(area, res, ft->results, ft->nresults);
	if (args != args_buf) {
		free(args);
		free(res);
	}
	return;

trap:
	if (args != args_buf) {
		free(args);
		free(res);
	}
	/* the exception of a call the host function made (another
	   instance's, through the linker's adapter, or its own wasm_call):
	   thrown again here, where this instance's handlers may catch it */
	if (code == WASM_TRAP_EXCEPTION)
		jit_eh_throw_at(ctx, pending,
				(uintptr_t)__builtin_return_address(0),
				*(uintptr_t *)__builtin_frame_address(0));
	/* the return address is in the import stub (JIT code); the saved rbp
	 * above our own frame is the stub's/caller's frame chain */
	jit_trap_record(ctx, code, (uintptr_t)__builtin_return_address(0),
			*(uintptr_t *)__builtin_frame_address(0));
	if (ctx->trap_out) {
		ctx->trap_out->code = code;
		if (code == WASM_TRAP_EXIT)
			ctx->trap_out->exit_code = inst->exit_code;
		if (code == WASM_TRAP_HOST)
			snprintf(ctx->trap_out->host_msg, sizeof ctx->trap_out->host_msg,
				 "%s", inst->host_error);
	}
	jit_unwind(ctx, code);
}

void jit_eh_set_pending(wasm_instance *importer, struct jit_exn *e)
{
	jit_eh_release(jit_eh_take(&importer->ctx));
	importer->ctx.eh_escaped = e;
}

static bool same_functype(const struct wasm_functype *a, const struct wasm_functype *b)
{
	return a->nparams == b->nparams && a->nresults == b->nresults &&
	       !memcmp(a->params, b->params, a->nparams) &&
	       !memcmp(a->results, b->results, a->nresults);
}

/* Leave compiled code of ctx with trap t (already filled for the callee). */
__attribute__((noreturn))
static void rethrow(struct jit_ctx *ctx, const struct wasm_trap *t)
{
	if (ctx->trap_out)
		*ctx->trap_out = *t;
	jit_unwind(ctx, t->code);
}

/*
 * struct jit_rt call_ref: call_indirect found a funcref of another instance
 * (compiled code handles its own instance's).  The type check compares
 * structurally (canonical indices are per module); the callee runs in its
 * own instance (call_func: its ctx, its stack) and a trap there unwinds the
 * caller too.
 */
void jit_call_ref(struct jit_ctx *ctx, const struct jit_funcref *fr,
		  uint32_t typeidx, const uint64_t *args, uint64_t *results)
{
	wasm_instance *inst = (wasm_instance *)ctx;
	wasm_instance *target = (wasm_instance *)fr->ctx;
	const struct wasm_functype *want = &inst->m->types[typeidx];
	const struct wasm_functype *have = wasm_func_type(target->m, fr->func_index);
	uint64_t buf[MAX_INLINE_SLOTS], *slots = buf;
	uint32_t n = want->nparams > want->nresults ? want->nparams : want->nresults;
	struct wasm_trap t;

	memset(&t, 0, sizeof t);
	inst->stack_low = (uintptr_t)__builtin_frame_address(0);
	if (!have || !same_functype(want, have)) {
		jit_trap_record(ctx, WASM_TRAP_INDIRECT_CALL_TYPE,
				(uintptr_t)__builtin_return_address(0),
				*(uintptr_t *)__builtin_frame_address(0));
		jit_unwind(ctx, WASM_TRAP_INDIRECT_CALL_TYPE);
	}
	/* the low halves in slots[0..n), a v128's high halves in slots[n..2n) */
	if (2 * n > MAX_INLINE_SLOTS && !(slots = calloc(2 * (size_t)n, sizeof *slots))) {
		t.code = WASM_TRAP_HOST;
		snprintf(t.host_msg, sizeof t.host_msg, "out of memory");
		rethrow(ctx, &t);
	}
	/* the caller's slots grow down; a v128 takes two, low half first */
	for (uint32_t i = 0, j = 0; i < want->nparams; i++, j++) {
		slots[i] = *(args - j);
		if (want->params[i] == WASM_V128)
			slots[n + i] = *(args - ++j);
	}
	struct jit_exn *exn = NULL;
	if (call_func_v(target, fr->func_index, slots, slots + n, n, &t, &exn)) {
		if (slots != buf)
			free(slots);
		if (exn)        /* an exception: thrown again in our level */
			jit_eh_throw_at(ctx, exn, (uintptr_t)__builtin_return_address(0),
					*(uintptr_t *)__builtin_frame_address(0));
		rethrow(ctx, &t);
	}
	/* results in order, a v128 in two (low half first): packed when they
	   go back in registers, else the result area's value slots (jit.h) */
	bool area = !jit_v1_results_in_regs(want);
	for (uint32_t i = 0, j = 0, off = 0; i < want->nresults; i++, j++) {
		if (area)
			j = jit_v1_slot_next(&off, want->results[i]) / 8;
		results[j] = slots[i];
		if (want->results[i] == WASM_V128)
			results[++j] = slots[n + i];
	}
	if (slots != buf)
		free(slots);
}

int32_t jit_mem_grow(struct jit_memory *mem, uint32_t delta_pages)
{
	uint64_t old = mem->pages, new_pages = old + delta_pages;

	if (new_pages > mem->max_pages || new_pages > WASM_MAX_PAGES)
		return -1;
	if (delta_pages && plat_commit(mem->base + old * WASM_PAGE_SIZE,
				       (size_t)delta_pages * WASM_PAGE_SIZE))
		return -1;
	mem->pages = new_pages;
	mem->size = new_pages * WASM_PAGE_SIZE;
	for (uint32_t i = 0; i < mem->nmirrors; i++) {
		mem->mirrors[i]->mem_pages = mem->pages;
		mem->mirrors[i]->mem_size = mem->size;
	}
	return (int32_t)old;
}

int32_t jit_memory_grow(struct jit_ctx *ctx, uint32_t delta_pages)
{
	if (!ctx->mems || !ctx->mems[0])
		return -1;
	return jit_mem_grow(ctx->mems[0], delta_pages);
}

/* ctx's memory 0 is mem: its copy in ctx filled now, kept in step */
int jit_mem_mirror_add(struct jit_memory *mem, struct jit_ctx *ctx)
{
	if (mem->nmirrors == mem->mirrors_cap) {
		uint32_t cap = mem->mirrors_cap ? 2 * mem->mirrors_cap : 4;
		struct jit_ctx **c = realloc(mem->mirrors, cap * sizeof *c);

		if (!c)
			return -1;
		mem->mirrors = c;
		mem->mirrors_cap = cap;
	}
	mem->mirrors[mem->nmirrors++] = ctx;
	mirror_memory0(ctx, mem);
	return 0;
}

void jit_mem_mirror_remove(struct jit_memory *mem, struct jit_ctx *ctx)
{
	for (uint32_t i = 0; i < mem->nmirrors; i++) {
		if (mem->mirrors[i] != ctx)
			continue;
		memmove(&mem->mirrors[i], &mem->mirrors[i + 1],
			(mem->nmirrors - i - 1) * sizeof *mem->mirrors);
		mem->nmirrors--;
		return;
	}
}

/* The memory host functions (WASI) see: the one exported as "memory",
 * which is what wasi-libc's modules export and what WASI names, else
 * memory 0 (multi-memory: it need not be memory 0). */
static void choose_host_memory(wasm_instance *inst)
{
	const struct wasm_export *e = wasm_find_export(inst->m, WASM_EXTERN_MEMORY,
						       "memory", 6);

	inst->host_mem = e ? e->index : 0;
}

/* ---- instances -------------------------------------------------------- */

static int run_start(wasm_instance *inst, struct wasm_trap *trap)
{
	uint64_t area[1];

	if (!inst->m->has_start)
		return 0;
	return call_func(inst, inst->m->start, area, 0, trap) ? -1 : 0;
}

int wasm_instance_new(wasm_module *m, const struct wasm_host_func *funcs,
		      size_t nfuncs, wasm_instance **out, struct wasm_error *err,
		      struct wasm_trap *trap)
{
	return jit_instance_new(m, funcs, nfuncs, NULL, out, err, trap);
}

int jit_instance_new(wasm_module *m, const struct wasm_host_func *funcs,
		     size_t nfuncs, const struct jit_binding *b,
		     wasm_instance **out, struct wasm_error *err,
		     struct wasm_trap *trap)
{
	wasm_instance *inst = calloc(1, sizeof *inst);
	int rc = -1;

	*out = NULL;
	if (!inst || !(inst->imports = calloc(m->nfuncs ? m->nfuncs : 1,
					       sizeof *inst->imports))) {
		free(inst);
		wasm_error_resource(err, "out of memory", NULL, NULL);
		return -1;
	}
	inst->m = m;
	inst->ctx.inst = inst;
	inst->ctx.host_call = (void *)jit_host_call;
	inst->ctx.trap = (void *)jit_trap;
	inst->ctx.mem_grow = (void *)jit_memory_grow;
	inst->ctx.rt = &jit_runtime;
	if (link_imports(inst, funcs, nfuncs, b, err) || setup_memory(inst, err) ||
	    setup_stack(inst, err) || setup_tables(inst, err) || setup_tags(inst, err) ||
	    setup_globals_funcs(inst, b, err) || setup_segments(inst, err))
		goto fail;
	choose_host_memory(inst);
	jit_ctx_register(&inst->ctx);
	if (!inst->registered) {
		wasm_error_resource(err, "too many instances", NULL, NULL);
		goto fail;
	}
	rc = -2;
	if (init_elems(inst, trap) || init_datas(inst, trap) || run_start(inst, trap)) {
		if (m->nimported_tables || m->nimported_globals) {
			*out = inst;    /* may be referenced: see wasm.h */
			return rc;
		}
		goto fail;
	}
	*out = inst;
	return 0;
fail:
	wasm_instance_free(inst);
	return rc;
}

void wasm_instance_free(wasm_instance *inst)
{
	wasm_module *m;

	if (!inst)
		return;
	m = inst->m;
	if (inst->registered)
		jit_ctx_unregister(&inst->ctx);
	if (inst->own_tables)
		for (uint32_t i = m->nimported_tables; i < m->ntables; i++)
			free(inst->own_tables[i].elems);
	free(inst->own_tables);
	free(inst->ctx.tables);
	jit_eh_drop_to(&inst->ctx, 0);
	free(inst->ctx.eh_caught);
	jit_eh_release(jit_eh_take(&inst->ctx));
	free(inst->ctx.tags);
	free(inst->own_tags);
	if (inst->ctx.elem_segs)
		for (uint32_t i = 0; i < m->nelems; i++)
			free(inst->ctx.elem_segs[i].vals);
	free(inst->ctx.elem_segs);
	free(inst->ctx.data_segs);
	free(inst->ctx.funcrefs);
	free(inst->own_refs);
	free(inst->ctx.globals);
	free(inst->v128_cells);
	free(inst->ctx.funcs);
	free(inst->imports);
	if (inst->ctx.mems && inst->ctx.mems[0])
		jit_mem_mirror_remove(inst->ctx.mems[0], &inst->ctx);
	if (inst->own_mems)
		for (uint32_t i = m->nimported_memories; i < m->nmemories; i++) {
			if (inst->own_mems[i].base)
				plat_release(inst->own_mems[i].base, JIT_MEM_RESERVATION);
			free(inst->own_mems[i].mirrors);
		}
	free(inst->own_mems);
	free(inst->ctx.mems);
	if (inst->stack_mapping)
		plat_release(inst->stack_mapping, JIT_STACK_SIZE + GUARD_PAGE);
	free(inst);
}

uint8_t *wasm_memory_base(wasm_instance *inst)
{
	if (!inst->ctx.mems)
		return NULL;
	return inst->ctx.mems[inst->host_mem]->base;
}

uint64_t wasm_memory_size(wasm_instance *inst)
{
	if (!inst->ctx.mems)
		return 0;
	return inst->ctx.mems[inst->host_mem]->size;
}

void wasm_instance_set_user(wasm_instance *inst, void *user)
{
	inst->user = user;
}

void *wasm_instance_user(wasm_instance *inst)
{
	return inst->user;
}

void wasm_instance_set_exit(wasm_instance *inst, int32_t code)
{
	inst->exit_code = code;
}

void wasm_instance_set_host_error(wasm_instance *inst, const char *msg)
{
	snprintf(inst->host_error, sizeof inst->host_error, "%s", msg ? msg : "");
}
