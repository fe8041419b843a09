/*
 * wasm.h — the engine's public API: load (decode + validate + compile) a
 * module, instantiate it against host functions, call its exports, and read
 * back traps.  Used by host/, kernel/ and wasi-baremetal/.
 *
 *   bytes -> wasm_module_load -> wasm_instance_new(host funcs) -> wasm_call
 *                                                                  |
 *                             value results, or a struct wasm_trap <'
 *
 * Errors while loading/linking are static messages plus the byte offset and
 * section where they were found (struct wasm_error).  A trap is a value, never
 * a crash: wasm_call returns it.
 */
#ifndef WASM_H
#define WASM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct wasm_module wasm_module;
typedef struct wasm_instance wasm_instance;

enum wasm_valtype {
	WASM_I32 = 0x7f,
	WASM_I64 = 0x7e,
	WASM_F32 = 0x7d,
	WASM_F64 = 0x7c,
	WASM_V128 = 0x7b,
	WASM_FUNCREF = 0x70,
	WASM_EXTERNREF = 0x6f,
};

/* "i32", "f64", "funcref", ... ("?" for anything else). */
const char *wasm_valtype_name(uint8_t type);

/* A load/link error: what, where (byte offset in the module, section name). */
/* What failed: the module itself, its imports, or the machine under it
 * (the CLI names each for what it is: "invalid module", "unknown import",
 * "failed to instantiate"; wasi-baremetal/wasi_run.c). */
enum wasm_error_kind {
	WASM_ERR_INVALID = 0,  /* malformed or invalid (decoding, validation) */
	WASM_ERR_LINK,         /* an import not defined, or not of its type */
	WASM_ERR_RESOURCE,     /* valid, but memory, tables or code could not
				* be allocated (or an implementation limit) */
};

struct wasm_error {
	const char *msg;       /* static string, e.g. "type mismatch" */
	const char *section;   /* "code", "import", ... or NULL */
	size_t offset;         /* byte offset in the module binary */
	char detail[128];      /* optional extra context, may be empty;
				* link errors: the import, "module::name" */
	enum wasm_error_kind kind;
};

/* Format "section 'code' at offset 0x1a2: type mismatch (detail)" into buf. */
void wasm_error_format(const struct wasm_error *e, char *buf, size_t len);

enum wasm_trap_code {
	WASM_TRAP_NONE = 0,
	WASM_TRAP_UNREACHABLE,
	WASM_TRAP_MEMORY_OOB,          /* "out of bounds memory access" */
	WASM_TRAP_DIV_BY_ZERO,         /* "integer divide by zero" */
	WASM_TRAP_INT_OVERFLOW,        /* "integer overflow" */
	WASM_TRAP_INVALID_CONVERSION,  /* "invalid conversion to integer" */
	WASM_TRAP_UNDEFINED_ELEMENT,   /* "undefined element" */
	WASM_TRAP_UNINITIALIZED_ELEMENT, /* "uninitialized element" */
	WASM_TRAP_INDIRECT_CALL_TYPE,  /* "indirect call type mismatch" */
	WASM_TRAP_TABLE_OOB,           /* "out of bounds table access" */
	WASM_TRAP_NULL_REFERENCE,      /* "null reference" */
	WASM_TRAP_STACK_EXHAUSTED,     /* "call stack exhausted" */
	WASM_TRAP_HOST,                /* a host function failed */
	WASM_TRAP_EXIT,                /* proc_exit: not an error, see exit_code */
	WASM_TRAP_EXCEPTION,           /* "uncaught exception": a Wasm exception
					  (exception handling) left the call */
	WASM_TRAP__COUNT
};

/* The spec's wording for each trap ("out of bounds memory access", ...). */
const char *wasm_trap_message(enum wasm_trap_code code);

#define WASM_BACKTRACE_MAX 16
struct wasm_frame {
	uint32_t func_index;    /* index in the function index space */
	uint32_t offset;        /* byte offset of the instruction in the module */
	const char *name;       /* from the name section, or NULL */
};

struct wasm_trap {
	enum wasm_trap_code code;
	int32_t exit_code;      /* WASM_TRAP_EXIT only */
	uint32_t nframes;       /* frames[0] is where it trapped */
	struct wasm_frame frames[WASM_BACKTRACE_MAX];
	char host_msg[96];      /* WASM_TRAP_HOST only */
	/* call_indirect's "undefined element N" and "uninitialized element N":
	   the table index N that failed, as the reference interpreter names it */
	bool has_index;
	uint32_t index;
};

/* The trap's full message into buf (returned): wasm_trap_message(code)
 * plus its detail, e.g. "uninitialized element 2" (the index printed as
 * the reference interpreter prints it, a signed 32-bit number) or
 * "host function error: <host_msg>". */
const char *wasm_trap_text(const struct wasm_trap *t, char *buf, size_t len);

/* Print "wasm trap: out of bounds memory access\n  at func 3 <name> +0x1f2\n..." */
void wasm_trap_format(const struct wasm_trap *t, char *buf, size_t len);

/* ---- host functions ---------------------------------------------------- */

/* A host function: args[i] holds parameter i (i32 zero-extended, f32/f64 as
 * raw bits), results[i] receives result i.  A v128 (letter 'V') takes two
 * consecutive places, its low 64 bits first (bytes 0-7 in memory order),
 * and moves the later parameters (results) by one: for "iVF", args[0] is
 * the i32, args[1] and args[2] the v128, args[3] the f64.  Returns WASM_TRAP_NONE, or a trap
 * code to unwind the guest (WASM_TRAP_EXIT after wasm_instance_set_exit).
 * WASM_TRAP_EXCEPTION after a wasm_call of its own ended with an uncaught
 * Wasm exception passes that exception on: it is thrown again in the
 * calling code, whose handlers may catch it (without such a call it is an
 * uncaught exception that nothing can catch). */
typedef enum wasm_trap_code (*wasm_host_fn)(wasm_instance *inst, void *env,
					     const uint64_t *args, uint64_t *results);

struct wasm_host_func {
	const char *module;     /* "wasi_snapshot_preview1" */
	const char *name;       /* "fd_write" */
	const char *params;     /* value types as letters: i=i32 I=i64 f=f32 F=f64
				   r=funcref x=externref V=v128 (two places) */
	const char *results;    /* same, e.g. "i" */
	wasm_host_fn fn;
	void *env;
};

/* ---- modules and instances -------------------------------------------- */

/* The proposals the loader may refuse to accept (multi-memory: Wasm 2.0
 * says more than one memory is invalid, "multiple memories", and the spec
 * testsuite's main files check that).  Process-wide, like jit_cpu_disable:
 * set it only while nothing is loading.  Default: everything on. */
#define WASM_FEATURE_MULTI_MEMORY 0x01u
#define WASM_FEATURE_MEMORY64     0x02u   /* 64-bit memories (docs/memory64.md) */
#define WASM_FEATURE_EXCEPTIONS   0x04u   /* exception handling (legacy form: try,
						   catch, throw, rethrow, delegate, tags) */
#define WASM_FEATURES_ALL         0x07u
void wasm_features_set(unsigned features);
unsigned wasm_features(void);

/* Decode, validate and compile.  0 on success; -1 with *err filled. */
int wasm_module_load(const uint8_t *bytes, size_t len, wasm_module **out,
		     struct wasm_error *err);
void wasm_module_free(wasm_module *m);

/* Resolve imports against `funcs`, allocate memory/tables/globals, run the
 * data/elem segments and the start function.  0, or -1 with *err (link
 * errors), or -2 with *trap filled if a segment or the start function
 * trapped.  After -2, *out is NULL unless the module imports a table or a
 * global: then what it already wrote there may refer to its functions
 * (Wasm 2.0 keeps those writes), so *out is the failed instance, which
 * the embedder keeps (with its module) like a live one and frees with
 * wasm_instance_free. */
int wasm_instance_new(wasm_module *m, const struct wasm_host_func *funcs,
		      size_t nfuncs, wasm_instance **out, struct wasm_error *err,
		      struct wasm_trap *trap);
/* Lifetimes: an instance that imported another's functions, memories,
 * tables or globals (jit/link.c) uses them in place (its code calls the
 * exporter's code, addresses its memory, reads its v128 global cells), so
 * free importers before the instances they import from.  Freeing an
 * exporter first leaves the importer with dangling references (a review
 * showed wasm_instance_free of the importer then touching freed memory);
 * nothing enforces the order yet: the embedding library's issue is to
 * (reference counts). */
void wasm_instance_free(wasm_instance *inst);

/* Call an exported function by name.  args/results as for host functions.
 * Returns 0 on normal return, -1 if no such export or wrong arity (err), or
 * 1 with *trap filled when the call trapped (including WASM_TRAP_EXIT, and
 * WASM_TRAP_EXCEPTION: a Wasm exception nothing caught, which is then
 * freed). */
int wasm_call(wasm_instance *inst, const char *export_name,
	      const uint64_t *args, size_t nargs, uint64_t *results,
	      size_t nresults, struct wasm_trap *trap, struct wasm_error *err);
/* The same with the name as (bytes, length): a Wasm name may hold NUL
 * bytes (names.wast), which the C-string form cannot name. */
int wasm_call_n(wasm_instance *inst, const char *export_name, size_t name_len,
		const uint64_t *args, size_t nargs, uint64_t *results,
		size_t nresults, struct wasm_trap *trap, struct wasm_error *err);

/* A value with room for a v128: i32 ... f64 and references in lo (as in
 * args/results above, hi = 0), a v128 as its 16 bytes in memory order,
 * lo = bytes 0-7 (little-endian), hi = bytes 8-15. */
struct wasm_val { uint64_t lo, hi; };

/* As wasm_call_n, with struct wasm_val: the one way to call a function
 * with v128 parameters or results (wasm_call refuses those). */
int wasm_call_val(wasm_instance *inst, const char *export_name, size_t name_len,
		  const struct wasm_val *args, size_t nargs, struct wasm_val *results,
		  size_t nresults, struct wasm_trap *trap, struct wasm_error *err);

/* The linear memory host functions (WASI) see: the one exported as
 * "memory", else memory 0 (NULL/0 if none). */
uint8_t *wasm_memory_base(wasm_instance *inst);
uint64_t wasm_memory_size(wasm_instance *inst);  /* bytes, current */

/* Embedder data (the WASI context, for instance). */
void wasm_instance_set_user(wasm_instance *inst, void *user);
void *wasm_instance_user(wasm_instance *inst);

/* Record the exit code a host function returns WASM_TRAP_EXIT with. */
void wasm_instance_set_exit(wasm_instance *inst, int32_t code);

/* Host-function error text for WASM_TRAP_HOST. */
void wasm_instance_set_host_error(wasm_instance *inst, const char *msg);

/* ---- trap delivery from the platform's fault handler ----------------- */

/* The platform's fault handler (SIGSEGV/SIGBUS hosted, #PF on bare metal)
 * describes the fault; if it came from JIT code touching a guard region (or
 * a Wasm stack guard page), the engine fills in where to resume and returns
 * true: the handler sets rip, rdi, rsi, rsp as given and returns from the
 * fault.  Otherwise false: a real crash, the platform reports it. */
struct wasm_fault {
	uintptr_t rip, addr;            /* in: faulting instruction, address */
	uintptr_t rsp;                  /* in: stack pointer at the fault */
	uintptr_t rbp;                  /* in: frame pointer (for the backtrace;
					   0 if unknown) */
	uintptr_t new_rip, new_rdi, new_rsi, new_rsp;   /* out */
};
bool wasm_fault_redirect(struct wasm_fault *f);

/* ---- linking instances to each other (jit/link.c) ---------------------
 *
 * A linker maps import module names to host functions and to the exports of
 * live instances (the spec scripts' "register"), and instantiates modules
 * against them, checking every import's type first (Core spec 2.0 §4.5.4
 * step 4, §4.5.2 "Import Matching"): a missing one is "unknown import", a
 * wrong kind or type "incompatible import type".  Imported globals, tables
 * and memories are shared with the exporting instance, which must outlive
 * every instance that imported from it (free in reverse order).
 *
 * Reference values at this API: funcref and externref are 64-bit values,
 * 0 is null; an externref is any other value the host chooses.
 */
typedef struct wasm_linker wasm_linker;

wasm_linker *wasm_linker_new(void);
void wasm_linker_free(wasm_linker *l);          /* the instances stay */
/* Host functions (copied; their module/name strings must stay valid). */
int wasm_linker_define_funcs(wasm_linker *l, const struct wasm_host_func *funcs,
			     size_t nfuncs);
/* Make the exports of inst importable as module `name` (a later definition
 * of the same name wins).  0, or -1 when out of memory. */
int wasm_linker_define_instance(wasm_linker *l, const char *name,
				wasm_instance *inst);
/* As wasm_instance_new (-2 may leave *out set, see there), with imports
 * resolved through l.  Functions imported from an instance run in it (on
 * its stack, through its context); the linker must outlive the instances
 * it made, which hold its adapters. */
int wasm_linker_instantiate(wasm_linker *l, wasm_module *m, wasm_instance **out,
			    struct wasm_error *err, struct wasm_trap *trap);

/* The type of exported function `name`: *nparams, *nresults, and up to max
 * value types of each (enum wasm_valtype) into params/results (may be NULL
 * when max is 0).  0, or -1 if there is no such function export. */
int wasm_export_func_type(wasm_instance *inst, const char *name,
			  uint32_t *nparams, uint8_t *params,
			  uint32_t *nresults, uint8_t *results, uint32_t max);
/* Read exported global `name`: its value type and value (raw bits, as in
 * args/results).  0, or -1 if there is no such global export. */
int wasm_export_global_get(wasm_instance *inst, const char *name,
			   uint8_t *type, uint64_t *value);
/* The same two with the name as (bytes, length), as wasm_call_n. */
int wasm_export_func_type_n(wasm_instance *inst, const char *name, size_t name_len,
			    uint32_t *nparams, uint8_t *params,
			    uint32_t *nresults, uint8_t *results, uint32_t max);
int wasm_export_global_get_n(wasm_instance *inst, const char *name, size_t name_len,
			     uint8_t *type, uint64_t *value);

/* ---- a read-only view of a loaded module (jit/inspect.c): what
 * `wasmetal inspect` prints ------------------------------------------------ */

struct wasm_extern_info {
	const char *module;     /* imports: the module name, else NULL */
	uint32_t module_len;
	const char *name;       /* the field or export name (may hold NUL:
				   use the length) */
	uint32_t name_len;
	uint8_t kind;           /* 0 func, 1 table, 2 memory, 3 global, 4 tag */
	uint32_t index;         /* in that kind's index space */
	char type[160];         /* "func (i32, i32) -> (i32)", "memory 1..16
				   pages", "table 1.. funcref", "global mut i64" */
};

size_t wasm_module_import_count(const wasm_module *m);
size_t wasm_module_export_count(const wasm_module *m);
/* Describe import or export i.  0, or -1 when i is out of range. */
int wasm_module_import_info(const wasm_module *m, size_t i,
			    struct wasm_extern_info *out);
int wasm_module_export_info(const wasm_module *m, size_t i,
			    struct wasm_extern_info *out);
/* Memory i (imported ones first): limits in 64 KiB pages.  0 or -1. */
size_t wasm_module_memory_count(const wasm_module *m);
int wasm_module_memory_limits(const wasm_module *m, size_t i, uint64_t *min,
			      uint64_t *max, bool *has_max, bool *imported);

#endif
