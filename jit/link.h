/*
 * link.h — what the linker (jit/link.c) hands instantiation (jit/instance.c)
 * when a module's imports come from other instances (internal to jit/).
 *
 *   wasm_linker_instantiate: resolve + type-check every import (link.c)
 *     -> struct jit_binding per import -> jit_instance_new (instance.c)
 *        -> allocates ctx arrays -> jit_link_bind (link.c) fills the
 *           imported globals, tables and memory -> own globals, segments,
 *           start function
 *
 * Sharing, as compiled code sees it:
 *   global  immutable: the value is copied into ctx->globals[i];
 *           mutable: ctx->globals[i] holds the address of the exporter's
 *           8-byte cell (compile/ loads through it).
 *   table   ctx->tables[i] points to the exporter's struct jit_table.
 *   memory  ctx->mems[i] points to the exporter's struct jit_memory (any
 *           index as any index: multi-memory); the base never moves; a
 *           ctx whose memory 0 it is mirrors it (jit.h), and memory.grow
 *           through any of them updates every mirror (jit_mem_grow).
 */
#ifndef JIT_LINK_H
#define JIT_LINK_H

#include "jit.h"

/* One per import of the module, in import order; only the field of the
 * import's kind is used. */
struct jit_binding {
	const struct wasm_host_func *func;      /* FUNC */
	uint64_t *global;                       /* GLOBAL: the exporter's cell */
	struct jit_table *table;                /* TABLE: the exporter's table */
	struct jit_memory *memory;              /* MEMORY: the exporter's */
	struct jit_tag *tag;                    /* TAG: the exporter's */
};

/* instance.c: wasm_instance_new with imports from bindings `b` (one per
 * import; NULL = resolve function imports by name in funcs, as
 * wasm_instance_new does). */
int jit_instance_new(wasm_module *m, const struct wasm_host_func *funcs,
		     size_t nfuncs, const struct jit_binding *b,
		     wasm_instance **out, struct wasm_error *err,
		     struct wasm_trap *trap);

/* link.c: fill ctx's imported globals, tables and memory from b, after
 * instance.c allocated ctx->globals and ctx->tables and before it evaluates
 * the module's own global initializers.  0, or -1 when out of memory. */
int jit_link_bind(struct jit_ctx *ctx, const wasm_module *m,
		  const struct jit_binding *b);

/* instance.c: wasm_call_n for the linker's adapters: an exception that
 * leaves the call (1, trap->code WASM_TRAP_EXCEPTION) is given to *exn
 * (one reference) instead of dropped. */
int jit_call_export(wasm_instance *inst, const char *name, size_t name_len,
		    const uint64_t *args, size_t nargs, uint64_t *results,
		    size_t nresults, struct wasm_trap *trap, struct wasm_error *err,
		    struct jit_exn **exn);
/* instance.c: jit_call_export for an adapter of a type with a v128: the
 * arguments and results in 8-byte places as host functions see them (a
 * v128 two, low half first: wasm.h); the arity is the export's type's. */
int jit_call_export_places(wasm_instance *inst, const char *name, size_t name_len,
			   const uint64_t *args, uint64_t *results,
			   struct wasm_trap *trap, struct wasm_error *err,
			   struct jit_exn **exn);
/* instance.c: an adapter's exception, thrown again in the importer's
 * level when the host call returns WASM_TRAP_EXCEPTION (jit_host_call) */
void jit_eh_set_pending(wasm_instance *importer, struct jit_exn *e);

#endif
