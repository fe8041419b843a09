/*
 * spec_script.h — the WebAssembly spec testsuite's scripts as already
 * parsed commands, and the portable executor that runs them against the
 * engine and the linker (spec/spec_exec.c), with the "spectest" host
 * module (spec/spectest.c).  Portable: built into the host (wasmetal spec)
 * and into the kernel (wasmetal spec --qemu).
 *
 *   host:   FILE.json --(host/spec.c, jansson)--> struct spec_file --.
 *                        \--> spec_blob_write (spec_blob.h) -> boot bundle |
 *   kernel: bundle's BUNDLE_SPEC --> spec_blob_run --> struct spec_file -+
 *                                                                      v
 *                                          spec_run_file (this executor)
 *
 * Command meanings follow the reference interpreter's script runner
 * (interpreter/script/run.ml), as wast2json (wabt) writes them: see
 * spec_exec.c.  Every string is NUL-terminated; an export name (field)
 * also carries its length, since the script may name one with a NUL byte
 * inside, which the engine's C-string API cannot name.
 */
#ifndef SPEC_SCRIPT_H
#define SPEC_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "wasm.h"

#define SPEC_MAX_VALUES 64      /* arguments or results of one action */

enum spec_cmd_kind {
	SPEC_CMD_MODULE = 1,            /* load + instantiate, maybe $name */
	SPEC_CMD_REGISTER,              /* name (or current) -> as */
	SPEC_CMD_ACTION,
	SPEC_CMD_ASSERT_RETURN,
	SPEC_CMD_ASSERT_TRAP,           /* on an action */
	SPEC_CMD_ASSERT_EXHAUSTION,
	SPEC_CMD_ASSERT_INVALID,
	SPEC_CMD_ASSERT_MALFORMED,
	SPEC_CMD_ASSERT_UNLINKABLE,
	SPEC_CMD_ASSERT_UNINSTANTIABLE,
	SPEC_CMD_ASSERT_TRAP_MODULE,    /* assert_trap on a module (older scripts) */
	SPEC_CMD_ASSERT_EXCEPTION,      /* the action throws a Wasm exception
					   (exception-handling proposal) */
	SPEC_CMD_UNKNOWN,               /* name = the script's type, or NULL */
	SPEC_CMD__COUNT
};

enum spec_val_kind {
	SPEC_VAL_BITS = 0,              /* numbers: exactly these bits */
	SPEC_VAL_NAN_CANONICAL,         /* f32/f64 results only */
	SPEC_VAL_NAN_ARITHMETIC,
	SPEC_VAL_REF_NULL,
	SPEC_VAL_REF_EXTERN,            /* ref.extern bits (engine value bits+1) */
	SPEC_VAL_REF_ANY,               /* result: any non-null reference */
	SPEC_VAL_BAD,                   /* the script's value could not be read */
	SPEC_VAL__COUNT
};

struct spec_value {
	uint8_t type;                   /* enum wasm_valtype, 0 = unknown */
	uint8_t kind;                   /* enum spec_val_kind */
	uint64_t bits;
	/* v128 (kind SPEC_VAL_BITS): bits = bytes 0-7, hi = bytes 8-15 (in
	 * memory order, little-endian), lanes of lane_bits (8 16 32 64, as
	 * the script wrote them); for f32/f64 lanes (lane_float) bit i of
	 * nan_canon/nan_arith: lane i of a result is nan:canonical/
	 * nan:arithmetic, whatever its bits */
	uint64_t hi;
	uint8_t lane_bits;
	bool lane_float;
	uint8_t nan_canon, nan_arith;
};

enum spec_action_kind {
	SPEC_ACT_NONE = 0,              /* missing or malformed */
	SPEC_ACT_INVOKE,
	SPEC_ACT_GET,
	SPEC_ACT_UNKNOWN,
	SPEC_ACT__COUNT
};

struct spec_action {
	uint8_t kind;                   /* enum spec_action_kind */
	const char *module;             /* "$M", NULL = the current module */
	const char *field;              /* export name, NULL if missing */
	uint32_t field_len;             /* bytes (a Wasm name may hold NULs) */
	uint32_t nargs;
	struct spec_value *args;
};

struct spec_module {
	const uint8_t *bytes;           /* the binary module, or its artifact */
	size_t len;
	bool text;                      /* a .wat (module_type "text"): skipped */
	bool artifact;                  /* bytes are an artifact of the module
					   (docs/artifact.md), compiled by the
					   host (wasmetal spec --backend):
					   loaded with jit_artifact_load, every
					   check, nothing compiled */
	const char *error;              /* could not be read: why (bytes NULL) */
	const char *filename;           /* the script's file name (host only;
					   not in the blob) */
};

struct spec_cmd {
	uint8_t kind;                   /* enum spec_cmd_kind */
	uint32_t line;                  /* in the .wast */
	const char *name;               /* module: "$M"; register: the module */
	const char *as;                 /* register */
	const char *text;               /* expected trap/error message */
	int32_t module;                 /* index in spec_file.modules, -1 none */
	struct spec_action action;
	uint32_t nexpected;
	struct spec_value *expected;
	/* assert_return (either R1 R2 ...) (wast2json's "either": the
	 * relaxed SIMD proposal's tests): expected holds neither
	 * alternatives of nexpected values each, one after the other, and a
	 * result that matches any one passes; 0 = the one list expected */
	uint32_t neither;
};

struct spec_chunk;

/* One script.  Everything it points to lives in its arena (spec_alloc),
 * freed at once by spec_file_free. */
struct spec_file {
	const char *name;               /* printed before the file's counts */
	const char *wast;               /* printed before each failure's line */
	const char *error;              /* the file could not be read: why */
	uint32_t nmodules, ncmds;
	struct spec_module *modules;
	struct spec_cmd *cmds;
	struct spec_chunk *arena;
};

/* Zeroed memory from f's arena (NULL when out of memory). */
void *spec_alloc(struct spec_file *f, size_t n);
/* A NUL-terminated copy of n bytes (s may hold NULs) in f's arena. */
char *spec_strndup(struct spec_file *f, const char *s, size_t n);
void spec_file_free(struct spec_file *f);

/* ---- running -------------------------------------------------------- */

/* Where the executor's text goes (failures, summaries, spectest prints). */
struct spec_out {
	void (*write)(void *ctx, const char *s, size_t n);
	void *ctx;
	bool verbose;           /* every command, spectest's prints, notes */
	/* optional: called after each file's last command, with its
	 * instances still alive (freed = false), then after freeing them */
	void (*file_done)(void *ctx, const struct spec_file *f, bool freed);
};

struct spec_counts {
	unsigned passed, failed, skipped;
	unsigned other_msg;     /* rejections passed with another message */
	unsigned artifacts;     /* script modules loaded from artifacts */
	unsigned compiled;      /* script modules compiled here (loaded by
				   wasm_module_load; spectest not counted) */
	unsigned files;         /* files run (unreadable ones included) */
};

void spec_printf(const struct spec_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* wasm_features_set for the file f: Wasm 2.0 (multi-memory off) for the
 * main suite, everything for a file under a proposals/ directory. */
void spec_file_features(const struct spec_file *f);
/* Run every command of f in order, with a fresh linker holding only
 * "spectest", print each failure ("WAST:LINE: what: expected ..., got
 * ...") and the line "NAME: N passed, N failed[, N skipped]", free every
 * instance, and add the counts to *total.  A file with f->error (or whose
 * spectest module cannot be made) prints why and counts one failure. */
void spec_run_file(const struct spec_file *f, const struct spec_out *o,
		   struct spec_counts *total);
/* The last line: "N passed, N failed[, N skipped]" (after a note line on
 * other messages when more than one file ran, and, when artifacts were
 * loaded, "note: N script modules loaded from artifacts, N compiled
 * here"). */
void spec_print_total(const struct spec_out *o, const struct spec_counts *total);

/* spectest.c: load and instantiate the spectest module; its print
 * functions print through o when o->verbose.  0, or -1 with *err. */
int spectest_new(const struct spec_out *o, wasm_module **mod,
		 wasm_instance **inst, struct wasm_error *err);

#endif
