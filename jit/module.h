/*
 * module.h — the decoded module (internal to jit/).  jit/module.c fills it
 * from the binary (sections, limits, imports, exports, segments, names);
 * jit/compile/ reads it and compiles each body; jit/instance.c builds
 * instances from it.
 *
 * Function index space: imports first (0 .. nimported_funcs-1), then the
 * module's own functions.  Same for globals.  All bodies and init
 * expressions stay in the caller's byte buffer (bytes/len), which the module
 * keeps a private copy of.
 */
#ifndef JIT_MODULE_H
#define JIT_MODULE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "wasm.h"

#define WASM_PAGE_SIZE 65536u
#define WASM_MAX_PAGES 65536u
#define WASM_MAX_PAGES64 (1ull << 48)   /* memory64's limit on a 64-bit memory's limits */

struct wasm_functype {
	uint32_t nparams, nresults;
	uint8_t *params;        /* enum wasm_valtype each */
	uint8_t *results;
	uint32_t canon;         /* index of the first structurally equal type:
				   call_indirect compares these */
};

struct wasm_limits {
	uint64_t min, max;
	bool has_max;
};

enum wasm_extern_kind { WASM_EXTERN_FUNC = 0, WASM_EXTERN_TABLE = 1,
			WASM_EXTERN_MEMORY = 2, WASM_EXTERN_GLOBAL = 3,
			WASM_EXTERN_TAG = 4 /* exception handling */ };

struct wasm_import {
	char *module, *name;    /* NUL-terminated copies (validated UTF-8; a
				   name may hold NUL bytes: use the lengths) */
	uint32_t module_len, name_len;
	uint8_t kind;           /* enum wasm_extern_kind */
	uint32_t index;         /* index in that kind's index space */
};

struct wasm_export {
	char *name;             /* as wasm_import: NUL-terminated, name_len bytes */
	uint32_t name_len;
	uint8_t kind;
	uint32_t index;
};

/* A constant expression: [start, end) in bytes, ending with 0x0b. */
struct wasm_constexpr {
	uint32_t start, end;
};

/* Extended-const (i32/i64 add, sub, mul in constant expressions): the most
 * values a constant expression may have on its operand stack at once.  An
 * implementation limit, so that validation (module.c) and evaluation
 * (instance.c) each need one fixed array however deep the input nests;
 * deeper is rejected, "constant expression too deep".  Its length needs no
 * limit: both walk it once, in constant space. */
#define WASM_CONSTEXPR_MAX_DEPTH 256

struct wasm_global {
	uint8_t type;           /* enum wasm_valtype */
	bool mutable_;
	bool imported;
	struct wasm_constexpr init;     /* own globals only */
};

struct wasm_table {
	uint8_t elemtype;       /* WASM_FUNCREF / WASM_EXTERNREF */
	struct wasm_limits limits;
	bool imported;
};

struct wasm_memory {
	struct wasm_limits limits;      /* in 64 KiB pages */
	bool imported;
	bool is64;                      /* memory64: i64 addresses (limits flag 0x04) */
};

/* A tag (exception-handling proposal): attribute 0 (an exception) and a
 * function type without results, whose params are the exception's payload. */
struct wasm_tag {
	uint32_t type;          /* index into types */
	bool imported;
};

struct wasm_func {
	uint32_t type;          /* index into types */
	bool imported;
	/* own functions: the body, [body_start, body_end) of the code entry
	   (after its size), i.e. starting at the locals vector */
	uint32_t body_start, body_end;
};

enum wasm_seg_mode { WASM_SEG_ACTIVE, WASM_SEG_PASSIVE, WASM_SEG_DECLARATIVE };

struct wasm_elem {
	uint8_t mode;           /* enum wasm_seg_mode */
	uint8_t elemtype;
	uint32_t table;
	struct wasm_constexpr offset;   /* active only */
	uint32_t count;
	/* either function indices (func_indices != NULL) or one constant
	   expression per element (exprs) */
	uint32_t *func_indices;
	struct wasm_constexpr *exprs;
};

struct wasm_data {
	uint8_t mode;
	uint32_t memory;
	struct wasm_constexpr offset;
	uint32_t start, len;    /* bytes in the module binary */
};

struct wasm_name {
	uint32_t func_index;
	char *name;
};

struct wasm_module {
	uint8_t *bytes;         /* private copy of the binary */
	size_t len;

	uint32_t ntypes;
	struct wasm_functype *types;

	uint32_t nimports;
	struct wasm_import *imports;

	uint32_t nfuncs, nimported_funcs;       /* nfuncs counts imports too */
	struct wasm_func *funcs;

	uint32_t ntables, nimported_tables;
	struct wasm_table *tables;

	uint32_t nmemories, nimported_memories;
	struct wasm_memory *memories;

	uint32_t nglobals, nimported_globals;
	struct wasm_global *globals;

	uint32_t ntags, nimported_tags;         /* imports first */
	struct wasm_tag *tags;

	uint32_t nexports;
	struct wasm_export *exports;

	bool has_start;
	uint32_t start;

	uint32_t nelems;
	struct wasm_elem *elems;

	bool has_datacount;
	uint32_t ndatas;
	struct wasm_data *datas;

	/* functions that may be referenced by ref.func (declared in an elem
	   segment, export or global init), bit per function index */
	uint8_t *declared_funcs;

	uint32_t nnames;        /* sorted by func_index */
	struct wasm_name *names;

	struct jit_code *code;  /* compiled code, see jit.h */
};

/* module.c: decode and validate, no code (m->code NULL): wasm_module_load
 * without jit_compile, for jit/artifact.c. */
int jit_module_decode(const uint8_t *bytes, size_t len, wasm_module **out,
		      struct wasm_error *err);

/* module.c helpers shared with compile/ / instance.c */
/* Export `name` (len bytes, may hold NULs) of the given kind, or NULL. */
const struct wasm_export *wasm_find_export(const wasm_module *m, uint8_t kind,
					   const char *name, size_t len);
const char *wasm_func_name(const wasm_module *m, uint32_t func_index);
const struct wasm_functype *wasm_func_type(const wasm_module *m, uint32_t func_index);

#endif
