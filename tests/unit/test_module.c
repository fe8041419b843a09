/*
 * test_module.c — the binary decoder and module-level validation
 * (jit/module.c, Core spec 2.0 §5.5 and §3.4): small modules assembled here
 * byte by byte, the error message and offset of malformed ones, and
 * robustness sweeps (every truncation, deterministic byte mutations) that
 * must never crash or hang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "module.h"
#include "jit.h"

/* ---- a tiny module assembler ------------------------------------------ */

struct mb {
	uint8_t b[65536];      /* parameters_count_toward_max_locals: 50,001 params */
	size_t n;
};

static void put(struct mb *m, const void *p, size_t n)
{
	if (m->n + n > sizeof m->b)
		abort();
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put_u32(struct mb *m, uint32_t v)
{
	do {
		uint8_t b = v & 0x7f;
		v >>= 7;
		if (v)
			b |= 0x80;
		put(m, &b, 1);
	} while (v);
}

static void header(struct mb *m)
{
	m->n = 0;
	put(m, "\0asm\1\0\0\0", 8);
}

/* Append section `id` with the given body (size computed). */
static void section(struct mb *m, uint8_t id, const void *body, size_t n)
{
	put(m, &id, 1);
	put_u32(m, (uint32_t)n);
	put(m, body, n);
}

#define SEC(m, id, ...) do { const uint8_t _b[] = { __VA_ARGS__ }; \
	section((m), (id), _b, sizeof _b); } while (0)

static struct wasm_error err;

static int load(struct mb *mb, wasm_module **out)
{
	wasm_module *m = NULL;
	int rc;

	memset(&err, 0, sizeof err);
	rc = wasm_module_load(mb->b, mb->n, &m, &err);
	if (out)
		*out = m;
	else
		wasm_module_free(m);
	return rc;
}

static int load_raw(const void *p, size_t n)
{
	wasm_module *m = NULL;
	int rc;

	memset(&err, 0, sizeof err);
	rc = wasm_module_load(p, n, &m, &err);
	wasm_module_free(m);
	return rc;
}

/* Expect a load error whose message starts with msg (spec harness style). */
#define CHECK_ERR(rc, want) do { CHECK((rc) == -1); \
	CHECK_MSG(err.msg && !strncmp(err.msg, (want), strlen(want)), \
		  "error \"%s\", expected \"%s\"", err.msg ? err.msg : "(none)", (want)); } while (0)

/* type section with one type: (func (param i32 i32) (result i32)) */
#define TYPE_II_I 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f
/* type section with one type: (func) */
#define TYPE_V 0x01, 0x60, 0x00, 0x00

/* ---- header ------------------------------------------------------------ */

TEST(header_errors)
{
	CHECK_ERR(load_raw("", 0), "unexpected end");
	CHECK_ERR(load_raw("\1", 1), "unexpected end");
	CHECK_ERR(load_raw("\0as", 3), "unexpected end");
	CHECK_ERR(load_raw("asm\0", 4), "magic header not detected");
	CHECK_ERR(load_raw("\0ASM\1\0\0\0", 8), "magic header not detected");
	CHECK_ERR(load_raw("\xef\xbb\xbf\0asm\1\0\0\0", 11), "magic header not detected");
	CHECK_ERR(load_raw("\0asm", 4), "unexpected end");
	CHECK_ERR(load_raw("\0asm\1\0\0", 7), "unexpected end");
	CHECK_ERR(load_raw("\0asm\0\0\0\0", 8), "unknown binary version");
	CHECK_ERR(load_raw("\0asm\0\0\0\1", 8), "unknown binary version");
	CHECK_EQ_U64(err.offset, 4);
	CHECK(load_raw("\0asm\1\0\0\0", 8) == 0);
}

TEST(section_ids_and_order)
{
	struct mb mb;

	/* 13 is the exception-handling proposal's tag section: malformed
	   in Wasm 2.0 (the feature off) */
	wasm_features_set(WASM_FEATURES_ALL & ~WASM_FEATURE_EXCEPTIONS);
	header(&mb);
	put(&mb, "\x0d\x00", 2);
	CHECK_ERR(load(&mb, NULL), "malformed section id");
	CHECK_EQ_U64(err.offset, 8);
	wasm_features_set(WASM_FEATURES_ALL);
	header(&mb);
	put(&mb, "\x0d\x00", 2);
	CHECK_ERR(load(&mb, NULL), "unexpected end");
	header(&mb);
	put(&mb, "\x0e\x00", 2);
	CHECK_ERR(load(&mb, NULL), "malformed section id");
	header(&mb);
	put(&mb, "\xff\x00\x01\x00", 4);
	CHECK_ERR(load(&mb, NULL), "malformed section id");

	/* two type sections */
	header(&mb);
	SEC(&mb, 1, TYPE_V);
	SEC(&mb, 1, TYPE_V);
	CHECK_ERR(load(&mb, NULL), "junk after last section");
	/* function before type */
	header(&mb);
	SEC(&mb, 3, 0x00);
	SEC(&mb, 1, TYPE_V);
	CHECK_ERR(load(&mb, NULL), "junk after last section");
	/* datacount goes before code, after element; custom anywhere */
	header(&mb);
	SEC(&mb, 0, 0x01, 'x');
	SEC(&mb, 1, TYPE_V);
	SEC(&mb, 0, 0x01, 'y', 1, 2, 3);
	SEC(&mb, 5, 0x01, 0x00, 0x01);
	SEC(&mb, 12, 0x00);
	SEC(&mb, 0, 0x00);
	CHECK(load(&mb, NULL) == 0);
	header(&mb);
	SEC(&mb, 5, 0x01, 0x00, 0x01);
	SEC(&mb, 11, 0x00);
	SEC(&mb, 12, 0x00);
	CHECK_ERR(load(&mb, NULL), "junk after last section");
}

TEST(section_sizes)
{
	struct mb mb;

	/* 1 type declared, 2 given */
	header(&mb);
	SEC(&mb, 1, 0x01, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00);
	CHECK_ERR(load(&mb, NULL), "section size mismatch");
	CHECK(err.section && !strcmp(err.section, "type"));
	CHECK_EQ_U64(err.offset, 8 + 2 + 4);
	/* 2 types declared, 1 given */
	header(&mb);
	SEC(&mb, 1, 0x02, 0x60, 0x00, 0x00);
	CHECK_ERR(load(&mb, NULL), "unexpected end");
	/* section running past the end of the module */
	header(&mb);
	put(&mb, "\x01\x07\x01\x60\x00\x00", 6);
	CHECK_ERR(load(&mb, NULL), "unexpected end");
	/* custom section with a too long size */
	header(&mb);
	put(&mb, "\x00\x26\x10" "a custom section" "this is the payload", 38);
	CHECK_ERR(load(&mb, NULL), "unexpected end");
	/* an over-long section size LEB */
	header(&mb);
	put(&mb, "\x01\x80\x80\x80\x80\x80\x00", 7);
	CHECK_ERR(load(&mb, NULL), "integer representation too long");
}

/* ---- types, imports ----------------------------------------------------- */

/* Regression (a review): the 50,000-locals limit counted declared locals
 * only, so a function of 60,000 parameters and no locals compiled. */
static void params_module(struct mb *mb, uint32_t nparams, uint8_t extra_locals)
{
	static struct mb sec;

	header(mb);
	sec.n = 0;                               /* type 0: (i32 x nparams) -> () */
	put_u32(&sec, 1);
	put(&sec, "\x60", 1);
	put_u32(&sec, nparams);
	for (uint32_t i = 0; i < nparams; i++)
		put(&sec, "\x7f", 1);
	put(&sec, "\x00", 1);
	section(mb, 1, sec.b, sec.n);
	SEC(mb, 3, 0x01, 0x00);                  /* one function of type 0 */
	if (extra_locals)                        /* (local i32) */
		SEC(mb, 10, 0x01, 0x04, 0x01, 0x01, 0x7f, 0x0b);
	else
		SEC(mb, 10, 0x01, 0x02, 0x00, 0x0b);
}

TEST(parameters_count_toward_max_locals)
{
	struct mb mb;
	wasm_module *m = NULL;

	params_module(&mb, 50000, 0);
	CHECK(load(&mb, &m) == 0);
	wasm_module_free(m);
	params_module(&mb, 50001, 0);
	CHECK_ERR(load(&mb, NULL), "too many locals");
	params_module(&mb, 50000, 1);
	CHECK_ERR(load(&mb, NULL), "too many locals");
}

TEST(types_and_canon)
{
	struct mb mb;
	wasm_module *m;

	header(&mb);
	SEC(&mb, 1, 0x04,
	    0x60, 0x02, 0x7f, 0x7e, 0x01, 0x7c,     /* (i32 i64) -> f64 */
	    0x60, 0x00, 0x00,                       /* () -> () */
	    0x60, 0x02, 0x7f, 0x7e, 0x01, 0x7c,     /* same as type 0 */
	    0x60, 0x00, 0x02, 0x7f, 0x70);          /* () -> (i32 funcref) */
	CHECK(load(&mb, &m) == 0);
	REQUIRE(m);
	CHECK_EQ_U64(m->ntypes, 4);
	CHECK_EQ_U64(m->types[0].nparams, 2);
	CHECK_EQ_U64(m->types[0].params[1], WASM_I64);
	CHECK_EQ_U64(m->types[0].results[0], WASM_F64);
	CHECK_EQ_U64(m->types[0].canon, 0);
	CHECK_EQ_U64(m->types[1].canon, 1);
	CHECK_EQ_U64(m->types[2].canon, 0);
	CHECK_EQ_U64(m->types[3].canon, 3);
	CHECK_EQ_U64(m->types[3].nresults, 2);
	wasm_module_free(m);

	/* v128 (SIMD, jit/compile/simd.c) is a value type */
	header(&mb);
	SEC(&mb, 1, 0x01, 0x60, 0x01, 0x7b, 0x00);
	CHECK(load(&mb, &m) == 0);
	if (m) {
		CHECK_EQ_U64(m->types[0].params[0], WASM_V128);
		wasm_module_free(m);
	}
	header(&mb);
	SEC(&mb, 1, 0x01, 0x60, 0x01, 0x55, 0x00);
	CHECK_ERR(load(&mb, NULL), "malformed value type");
	header(&mb);
	SEC(&mb, 1, 0x01, 0x5f, 0x00, 0x00);
	CHECK_ERR(load(&mb, NULL), "malformed function type");
}

TEST(imports)
{
	struct mb mb;
	wasm_module *m;

	header(&mb);
	SEC(&mb, 1, TYPE_II_I);
	SEC(&mb, 2, 0x03,
	    0x03, 'e', 'n', 'v', 0x03, 'a', 'd', 'd', 0x00, 0x00,          /* func */
	    0x03, 'e', 'n', 'v', 0x01, 'g', 0x03, 0x7e, 0x00,              /* global i64 */
	    0x03, 'e', 'n', 'v', 0x02, 0xc3, 0xa9, 0x00, 0x00);            /* func "é" */
	CHECK(load(&mb, &m) == 0);
	REQUIRE(m);
	CHECK_EQ_U64(m->nimports, 3);
	CHECK(!strcmp(m->imports[0].module, "env") && !strcmp(m->imports[0].name, "add"));
	CHECK(!strcmp(m->imports[2].name, "\xc3\xa9"));
	CHECK_EQ_U64(m->nfuncs, 2);
	CHECK_EQ_U64(m->nimported_funcs, 2);
	CHECK_EQ_U64(m->imports[2].index, 1);
	CHECK_EQ_U64(m->nglobals, 1);
	CHECK(m->globals[0].imported && m->globals[0].type == WASM_I64);
	CHECK(wasm_func_type(m, 1) == &m->types[0]);
	CHECK(wasm_func_type(m, 2) == NULL);
	wasm_module_free(m);

	/* kind 4 is a tag (exception handling): malformed in Wasm 2.0 */
	wasm_features_set(WASM_FEATURES_ALL & ~WASM_FEATURE_EXCEPTIONS);
	header(&mb);
	SEC(&mb, 2, 0x01, 0x00, 0x00, 0x04);
	CHECK_ERR(load(&mb, NULL), "malformed import kind");
	wasm_features_set(WASM_FEATURES_ALL);
	header(&mb);
	SEC(&mb, 2, 0x01, 0x00, 0x00, 0x05);
	CHECK_ERR(load(&mb, NULL), "malformed import kind");
	header(&mb);
	SEC(&mb, 2, 0x01, 0x00, 0x00, 0x00, 0x00);
	CHECK_ERR(load(&mb, NULL), "unknown type");
	header(&mb);
	SEC(&mb, 2, 0x01, 0x01, 0xff, 0x00, 0x03, 0x7f, 0x00);
	CHECK_ERR(load(&mb, NULL), "malformed UTF-8 encoding");
	CHECK_EQ_U64(err.offset, 8 + 2 + 2);
	header(&mb);
	SEC(&mb, 2, 0x01, 0x00, 0x00, 0x03, 0x7f, 0x02);
	CHECK_ERR(load(&mb, NULL), "malformed mutability");
	/* 2 imports declared, 1 given */
	header(&mb);
	SEC(&mb, 2, 0x02, 0x00, 0x00, 0x03, 0x7f, 0x00);
	CHECK_ERR(load(&mb, NULL), "unexpected end");
}

/* ---- tables, memories --------------------------------------------------- */

TEST(limits)
{
	struct mb mb;
	wasm_module *m;

	header(&mb);
	SEC(&mb, 4, 0x02, 0x70, 0x00, 0x01, 0x6f, 0x01, 0x02, 0x03);
	SEC(&mb, 5, 0x01, 0x01, 0x01, 0x80, 0x80, 0x04);      /* 1..65536 pages */
	CHECK(load(&mb, &m) == 0);
	if (m) {
		CHECK_EQ_U64(m->ntables, 2);
		CHECK_EQ_U64(m->tables[1].elemtype, WASM_EXTERNREF);
		CHECK(m->tables[1].limits.has_max && m->tables[1].limits.max == 3);
		CHECK_EQ_U64(m->memories[0].limits.max, 65536);
		wasm_module_free(m);
	}
	header(&mb);
	SEC(&mb, 5, 0x01, 0x01, 0x02, 0x01);
	CHECK_ERR(load(&mb, NULL), "size minimum must not be greater than maximum");
	header(&mb);
	SEC(&mb, 5, 0x01, 0x00, 0x81, 0x80, 0x04);
	CHECK_ERR(load(&mb, NULL), "memory size must be at most 65536 pages");
	/* Wasm 2.0 (multi-memory off): one memory at most */
	wasm_features_set(WASM_FEATURES_ALL & ~WASM_FEATURE_MULTI_MEMORY);
	header(&mb);
	SEC(&mb, 5, 0x02, 0x00, 0x00, 0x00, 0x00);
	CHECK_ERR(load(&mb, NULL), "multiple memories");
	header(&mb);
	SEC(&mb, 2, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00);
	SEC(&mb, 5, 0x01, 0x00, 0x00);
	CHECK_ERR(load(&mb, NULL), "multiple memories");
	/* multi-memory (the default): both load, the import first */
	wasm_features_set(WASM_FEATURES_ALL);
	header(&mb);
	SEC(&mb, 5, 0x02, 0x00, 0x00, 0x00, 0x00);
	CHECK(load(&mb, NULL) == 0);
	header(&mb);
	SEC(&mb, 2, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00);
	SEC(&mb, 5, 0x01, 0x00, 0x03);
	CHECK(load(&mb, &m) == 0);
	if (m) {
		CHECK_EQ_U64(m->nmemories, 2);
		CHECK_EQ_U64(m->nimported_memories, 1);
		CHECK(m->memories[0].imported && !m->memories[1].imported);
		CHECK_EQ_U64(m->memories[1].limits.min, 3);
		wasm_module_free(m);
	}
	header(&mb);
	SEC(&mb, 4, 0x01, 0x7f, 0x00, 0x00);
	CHECK_ERR(load(&mb, NULL), "malformed reference type");
	header(&mb);
	SEC(&mb, 5, 0x01, 0x02, 0x00);
	CHECK_ERR(load(&mb, NULL), "integer too large");
}

/* ---- globals and constant expressions ----------------------------------- */

TEST(globals_constexpr)
{
	struct mb mb;
	wasm_module *m;

	header(&mb);
	SEC(&mb, 2, 0x02,
	    0x00, 0x01, 'c', 0x03, 0x7f, 0x00,             /* immutable i32 */
	    0x00, 0x01, 'v', 0x03, 0x7f, 0x01);            /* mutable i32 */
	SEC(&mb, 6, 0x05,
	    0x7f, 0x01, 0x41, 0x7f, 0x0b,                  /* i32 = -1 */
	    0x7e, 0x00, 0x42, 0x80, 0x01, 0x0b,            /* i64 = 128 */
	    0x7d, 0x00, 0x43, 0x00, 0x00, 0x80, 0x3f, 0x0b,/* f32 = 1.0 */
	    0x7f, 0x00, 0x23, 0x00, 0x0b,                  /* global.get 0 */
	    0x70, 0x00, 0xd0, 0x70, 0x0b);                 /* ref.null func */
	CHECK(load(&mb, &m) == 0);
	if (m) {
		CHECK_EQ_U64(m->nglobals, 7);
		CHECK_EQ_U64(m->nimported_globals, 2);
		CHECK(m->globals[2].mutable_ && !m->globals[3].mutable_);
		CHECK_EQ_U64(m->globals[2].init.start, 8 + 2 + 13 + 2 + 1 + 2);
		CHECK_EQ_U64(m->bytes[m->globals[2].init.end - 1], 0x0b);
		CHECK_EQ_U64(m->bytes[m->globals[4].init.start], 0x43);
		wasm_module_free(m);
	}
	/* type mismatch: i32 global initialised with i64.const */
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7f, 0x00, 0x42, 0x00, 0x0b);
	CHECK_ERR(load(&mb, NULL), "type mismatch");
	/* empty and two-value expressions */
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7f, 0x00, 0x0b);
	CHECK_ERR(load(&mb, NULL), "type mismatch");
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7f, 0x00, 0x41, 0x00, 0x41, 0x00, 0x0b);
	CHECK_ERR(load(&mb, NULL), "type mismatch");
	/* non-constant instruction (i32.add is one since extended-const,
	 * i32.div_s is not: extended_const_validation) */
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7f, 0x00, 0x41, 0x00, 0x41, 0x00, 0x6d, 0x0b);
	CHECK_ERR(load(&mb, NULL), "constant expression required");
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7f, 0x00, 0xd3, 0x00, 0x0b);
	CHECK_ERR(load(&mb, NULL), "illegal opcode");
	/* global.get of a module-defined global in a global initializer */
	header(&mb);
	SEC(&mb, 6, 0x02, 0x7f, 0x00, 0x41, 0x00, 0x0b, 0x7f, 0x00, 0x23, 0x00, 0x0b);
	CHECK_ERR(load(&mb, NULL), "unknown global");
	/* global.get of an imported mutable global */
	header(&mb);
	SEC(&mb, 2, 0x01, 0x00, 0x01, 'v', 0x03, 0x7f, 0x01);
	SEC(&mb, 6, 0x01, 0x7f, 0x00, 0x23, 0x00, 0x0b);
	CHECK_ERR(load(&mb, NULL), "constant expression required");
	/* truncated expression (no end) */
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7f, 0x00, 0x41, 0x00);
	CHECK_ERR(load(&mb, NULL), "unexpected end");
	/* ref.func of a function that does not exist */
	header(&mb);
	SEC(&mb, 6, 0x01, 0x70, 0x00, 0xd2, 0x00, 0x0b);
	CHECK_ERR(load(&mb, NULL), "unknown function");
	/* v128 globals: v128.const and its 16 bytes; no other 0xfd opcode */
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7b, 0x00, 0xfd, 0x0c, 0x0b);
	CHECK_ERR(load(&mb, NULL), "unexpected end");
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7b, 0x01, 0xfd, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	    13, 14, 15, 16, 0x0b);
	CHECK(load(&mb, NULL) == 0);
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7b, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b);
	CHECK_ERR(load(&mb, NULL), "constant expression required");
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7f, 0x00, 0xfd, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	    13, 14, 15, 16, 0x0b);
	CHECK_ERR(load(&mb, NULL), "type mismatch");
}

/* Extended-const: i32/i64 add, sub, mul in constant expressions, with the
 * operand stack discipline; the error names the operator and what it had. */
TEST(extended_const_validation)
{
	struct mb mb;
	wasm_module *m;

	/* imported immutable i32 + i64; 2 * ((g - 1) + 2), an i64 mul, a data
	 * offset g * 4 */
	header(&mb);
	SEC(&mb, 2, 0x02,
	    0x00, 0x01, 'a', 0x03, 0x7f, 0x00,
	    0x00, 0x01, 'b', 0x03, 0x7e, 0x00);
	SEC(&mb, 5, 0x01, 0x00, 0x01);
	SEC(&mb, 6, 0x02,
	    0x7f, 0x00, 0x41, 0x02, 0x23, 0x00, 0x41, 0x01, 0x6b, 0x41, 0x02,
	    0x6a, 0x6c, 0x0b,
	    0x7e, 0x00, 0x23, 0x01, 0x42, 0x03, 0x7e, 0x42, 0x01, 0x7d, 0x0b);
	SEC(&mb, 11, 0x01, 0x00, 0x23, 0x00, 0x41, 0x04, 0x6c, 0x0b, 0x01, 'x');
	CHECK(load(&mb, &m) == 0);
	wasm_module_free(m);

	/* i32.add on an i64 and an i32: the add's offset, what it had */
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7f, 0x00, 0x42, 0x01, 0x41, 0x02, 0x6a, 0x0b);
	CHECK_ERR(load(&mb, NULL), "type mismatch");
	CHECK_EQ_U64(err.offset, 8 + 2 + 7);
	CHECK_MSG(!strcmp(err.detail, "i32.add in a constant expression on i64 and i32"),
		  "detail \"%s\"", err.detail);
	/* i64.mul with one operand */
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7e, 0x00, 0x42, 0x01, 0x7e, 0x0b);
	CHECK_ERR(load(&mb, NULL), "type mismatch");
	CHECK_MSG(!strcmp(err.detail, "i64.mul in a constant expression needs 2 operands, has 1"),
		  "detail \"%s\"", err.detail);
	/* i64.sub where an i32 is expected */
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7f, 0x00, 0x42, 0x01, 0x42, 0x02, 0x7d, 0x0b);
	CHECK_ERR(load(&mb, NULL), "type mismatch");
	CHECK_EQ_U64(err.offset, 8 + 2 + 8);
	CHECK_MSG(!strcmp(err.detail, "constant expression of i64, i32 expected"),
		  "detail \"%s\"", err.detail);
	/* two values left after an add */
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7f, 0x00, 0x41, 0x01, 0x41, 0x01, 0x41, 0x01, 0x6a, 0x0b);
	CHECK_ERR(load(&mb, NULL), "type mismatch");
	CHECK_MSG(!strcmp(err.detail, "constant expression leaves 2 values, one i32 expected"),
		  "detail \"%s\"", err.detail);
	/* in a data offset too */
	header(&mb);
	SEC(&mb, 5, 0x01, 0x00, 0x01);
	SEC(&mb, 11, 0x01, 0x00, 0x41, 0x00, 0x42, 0x00, 0x6a, 0x0b, 0x00);
	CHECK_ERR(load(&mb, NULL), "type mismatch");
	/* other operators stay non-constant: i32.div_s, f32.add, i64.and */
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7f, 0x00, 0x41, 0x06, 0x41, 0x02, 0x6d, 0x0b);
	CHECK_ERR(load(&mb, NULL), "constant expression required");
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7d, 0x00, 0x43, 0, 0, 0, 0, 0x43, 0, 0, 0, 0, 0x92, 0x0b);
	CHECK_ERR(load(&mb, NULL), "constant expression required");
	header(&mb);
	SEC(&mb, 6, 0x01, 0x7e, 0x00, 0x42, 0x01, 0x42, 0x01, 0x83, 0x0b);
	CHECK_ERR(load(&mb, NULL), "constant expression required");
	/* a mutable import stays non-constant inside an add */
	header(&mb);
	SEC(&mb, 2, 0x01, 0x00, 0x01, 'v', 0x03, 0x7f, 0x01);
	SEC(&mb, 6, 0x01, 0x7f, 0x00, 0x41, 0x01, 0x23, 0x00, 0x6a, 0x0b);
	CHECK_ERR(load(&mb, NULL), "constant expression required");
}

/* A module of one immutable i32 global initialised by expr (without its
 * end); malloc'd, its length in *n. */
static uint8_t *global_module(const uint8_t *expr, size_t nexpr, size_t *n)
{
	size_t body = 1 + 2 + nexpr + 1, k = 8;
	uint8_t *b = malloc(8 + 1 + 5 + body);

	if (!b)
		return NULL;
	memcpy(b, "\0asm\1\0\0\0", 8);
	b[k++] = 6;
	for (size_t v = body; ; v >>= 7) {      /* section size, LEB128 */
		b[k++] = (uint8_t)((v & 0x7f) | (v >> 7 ? 0x80 : 0));
		if (!(v >> 7))
			break;
	}
	b[k++] = 1;                             /* one global */
	b[k++] = 0x7f;                          /* i32, immutable */
	b[k++] = 0x00;
	memcpy(b + k, expr, nexpr);
	k += nexpr;
	b[k++] = 0x0b;
	*n = k;
	return b;
}

/* count times i32.const 1, then count - 1 times i32.add: count deep */
static uint8_t *deep_global(size_t count, size_t *n)
{
	uint8_t *e = malloc(3 * count), *b;
	size_t k = 0;

	if (!e)
		return NULL;
	for (size_t i = 0; i < count; i++, k += 2)
		memcpy(e + k, "\x41\x01", 2);
	for (size_t i = 1; i < count; i++)
		e[k++] = 0x6a;
	b = global_module(e, k, n);
	free(e);
	return b;
}

/* The operand stack of a constant expression is bounded
 * (WASM_CONSTEXPR_MAX_DEPTH): one value more is refused with an error
 * saying so, at the push that overflows; a long but shallow expression
 * (a million additions, 3 MB) is fine. */
TEST(extended_const_too_deep_refused)
{
	enum { LONG = 1000000 };
	uint8_t *b, *e;
	size_t n, k = 0;

	b = deep_global(WASM_CONSTEXPR_MAX_DEPTH, &n);
	REQUIRE(b);
	CHECK(load_raw(b, n) == 0);
	free(b);
	b = deep_global(WASM_CONSTEXPR_MAX_DEPTH + 1, &n);
	REQUIRE(b);
	CHECK_ERR(load_raw(b, n), "constant expression too deep");
	/* header, section id and 2-byte size, count, type, mutability */
	CHECK_EQ_U64(err.offset, 8 + 1 + 2 + 3 + 2 * WASM_CONSTEXPR_MAX_DEPTH);
	CHECK_MSG(strstr(err.detail, "implementation limit") != NULL, "detail \"%s\"",
		  err.detail);
	free(b);
	e = malloc(2 + 3 * (size_t)LONG);
	REQUIRE(e);
	memcpy(e, "\x41\x01", 2);
	for (k = 2; k < 2 + 3 * (size_t)LONG; k += 3)
		memcpy(e + k, "\x41\x01\x6a", 3);
	b = global_module(e, k, &n);
	free(e);
	REQUIRE(b);
	CHECK(load_raw(b, n) == 0);
	free(b);
}

/* ---- functions, exports, start, code ------------------------------------ */

/* type () -> () and a function section of n functions of type 0 */
static void funcs_v(struct mb *mb, unsigned n)
{
	uint8_t fsec[64];
	size_t fn = 0;

	SEC(mb, 1, TYPE_V);
	fsec[fn++] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++)
		fsec[fn++] = 0;
	section(mb, 3, fsec, fn);       /* the caller adds the code section */
}

/* the code section for them: bodies "no locals, end" */
static void code_v(struct mb *mb, unsigned n)
{
	uint8_t csec[256];
	size_t cn = 0;

	csec[cn++] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		csec[cn++] = 2;
		csec[cn++] = 0;
		csec[cn++] = 0x0b;
	}
	section(mb, 10, csec, cn);
}

TEST(functions_and_code)
{
	struct mb mb;
	wasm_module *m;

	header(&mb);
	funcs_v(&mb, 2);
	code_v(&mb, 2);
	CHECK(load(&mb, &m) == 0);
	if (m) {
		CHECK_EQ_U64(m->nfuncs, 2);
		CHECK_EQ_U64(m->funcs[1].body_end - m->funcs[1].body_start, 2);
		CHECK_EQ_U64(m->bytes[m->funcs[1].body_end - 1], 0x0b);
		CHECK(m->code != NULL);
		wasm_module_free(m);
	}
	header(&mb);
	funcs_v(&mb, 2);
	CHECK_ERR(load(&mb, NULL), "function and code section have inconsistent lengths");
	header(&mb);
	funcs_v(&mb, 2);
	code_v(&mb, 1);
	CHECK_ERR(load(&mb, NULL), "function and code section have inconsistent lengths");
	header(&mb);
	SEC(&mb, 1, TYPE_V);
	code_v(&mb, 1);
	CHECK_ERR(load(&mb, NULL), "function and code section have inconsistent lengths");
	header(&mb);
	SEC(&mb, 3, 0x01, 0x05);
	CHECK_ERR(load(&mb, NULL), "unknown type");
	/* a body that runs past its section */
	header(&mb);
	funcs_v(&mb, 1);
	SEC(&mb, 10, 0x01, 0x05, 0x00, 0x0b);
	CHECK_ERR(load(&mb, NULL), "unexpected end");
	CHECK(err.section && !strcmp(err.section, "code"));
}

TEST(exports)
{
	struct mb mb;
	wasm_module *m;

	header(&mb);
	funcs_v(&mb, 2);
	SEC(&mb, 5, 0x01, 0x00, 0x01);
	SEC(&mb, 7, 0x03, 0x01, 'a', 0x00, 0x00, 0x01, 'b', 0x00, 0x01,
	    0x03, 'm', 'e', 'm', 0x02, 0x00);
	code_v(&mb, 2);
	CHECK(load(&mb, &m) == 0);
	if (m) {
		CHECK_EQ_U64(m->nexports, 3);
		CHECK(!strcmp(m->exports[1].name, "b") && m->exports[1].index == 1);
		CHECK_EQ_U64(m->exports[2].kind, WASM_EXTERN_MEMORY);
		/* exported functions may be used by ref.func */
		CHECK(m->declared_funcs && (m->declared_funcs[0] & 3) == 3);
		wasm_module_free(m);
	}
	header(&mb);
	funcs_v(&mb, 2);
	SEC(&mb, 7, 0x02, 0x01, 'a', 0x00, 0x00, 0x01, 'a', 0x00, 0x01);
	code_v(&mb, 2);
	CHECK_ERR(load(&mb, NULL), "duplicate export name");
	CHECK_EQ_U64(err.offset, 8 + 6 + 5 + 2 + 1 + 4);
	header(&mb);
	funcs_v(&mb, 1);
	SEC(&mb, 7, 0x01, 0x01, 'a', 0x00, 0x01);
	code_v(&mb, 1);
	CHECK_ERR(load(&mb, NULL), "unknown function");
	header(&mb);
	SEC(&mb, 7, 0x01, 0x01, 'a', 0x02, 0x00);
	CHECK_ERR(load(&mb, NULL), "unknown memory");
	header(&mb);
	SEC(&mb, 7, 0x01, 0x01, 'a', 0x07, 0x00);
	CHECK_ERR(load(&mb, NULL), "malformed export kind");
}

TEST(start)
{
	struct mb mb;
	wasm_module *m;

	header(&mb);
	funcs_v(&mb, 1);
	SEC(&mb, 8, 0x00);
	code_v(&mb, 1);
	CHECK(load(&mb, &m) == 0);
	if (m) {
		CHECK(m->has_start && m->start == 0);
		wasm_module_free(m);
	}
	header(&mb);
	funcs_v(&mb, 1);
	SEC(&mb, 8, 0x01);
	code_v(&mb, 1);
	CHECK_ERR(load(&mb, NULL), "unknown function");
	header(&mb);
	SEC(&mb, 1, TYPE_II_I);
	SEC(&mb, 2, 0x01, 0x00, 0x00, 0x00, 0x00);
	SEC(&mb, 8, 0x00);
	CHECK_ERR(load(&mb, NULL), "start function");
	/* two start sections */
	header(&mb);
	funcs_v(&mb, 1);
	SEC(&mb, 8, 0x00);
	SEC(&mb, 8, 0x00);
	code_v(&mb, 1);
	CHECK_ERR(load(&mb, NULL), "junk after last section");
}

/* ---- element segments: all eight encodings (§5.5.12) -------------------- */

TEST(elements)
{
	struct mb mb;
	wasm_module *m;

	header(&mb);
	funcs_v(&mb, 3);
	SEC(&mb, 4, 0x02, 0x70, 0x00, 0x0a, 0x70, 0x00, 0x0a);
	SEC(&mb, 9, 0x08,
	    0x00, 0x41, 0x01, 0x0b, 0x02, 0x00, 0x01,              /* 0: active t0, funcidx */
	    0x01, 0x00, 0x01, 0x02,                                /* 1: passive, elemkind */
	    0x02, 0x01, 0x41, 0x00, 0x0b, 0x00, 0x01, 0x02,        /* 2: active t1, elemkind */
	    0x03, 0x00, 0x01, 0x01,                                /* 3: declarative */
	    0x04, 0x41, 0x05, 0x0b, 0x02, 0xd2, 0x00, 0x0b, 0xd0, 0x70, 0x0b, /* 4 */
	    0x05, 0x70, 0x01, 0xd2, 0x02, 0x0b,                    /* 5: passive exprs */
	    0x06, 0x01, 0x41, 0x03, 0x0b, 0x70, 0x01, 0xd0, 0x70, 0x0b, /* 6 */
	    0x07, 0x70, 0x01, 0xd2, 0x01, 0x0b);                   /* 7: declarative exprs */
	code_v(&mb, 3);
	CHECK(load(&mb, &m) == 0);
	REQUIRE(m);
	CHECK_EQ_U64(m->nelems, 8);
	CHECK_EQ_U64(m->elems[0].mode, WASM_SEG_ACTIVE);
	CHECK_EQ_U64(m->elems[0].count, 2);
	CHECK(m->elems[0].func_indices && m->elems[0].func_indices[1] == 1);
	CHECK_EQ_U64(m->elems[1].mode, WASM_SEG_PASSIVE);
	CHECK(m->elems[2].mode == WASM_SEG_ACTIVE && m->elems[2].table == 1);
	CHECK_EQ_U64(m->elems[3].mode, WASM_SEG_DECLARATIVE);
	CHECK(m->elems[4].exprs && m->elems[4].count == 2 && !m->elems[4].func_indices);
	CHECK_EQ_U64(m->bytes[m->elems[4].offset.start], 0x41);
	CHECK_EQ_U64(m->elems[5].mode, WASM_SEG_PASSIVE);
	CHECK(m->elems[6].table == 1 && m->elems[6].elemtype == WASM_FUNCREF);
	CHECK_EQ_U64(m->elems[7].mode, WASM_SEG_DECLARATIVE);
	CHECK_EQ_U64(m->declared_funcs[0] & 7, 7);
	wasm_module_free(m);

	/* malformed reference type in a flags-5 segment */
	header(&mb);
	funcs_v(&mb, 1);
	SEC(&mb, 4, 0x01, 0x70, 0x00, 0x00);
	SEC(&mb, 9, 0x01, 0x05, 0x7f, 0x01, 0xd2, 0x00, 0x0b);
	code_v(&mb, 1);
	CHECK_ERR(load(&mb, NULL), "malformed reference type");
	/* element expressions of the wrong type */
	header(&mb);
	funcs_v(&mb, 1);
	SEC(&mb, 9, 0x01, 0x05, 0x70, 0x01, 0xd0, 0x6f, 0x0b);
	code_v(&mb, 1);
	CHECK_ERR(load(&mb, NULL), "type mismatch");
	/* unknown table, unknown function, bad flags */
	header(&mb);
	funcs_v(&mb, 1);
	SEC(&mb, 9, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x00);
	code_v(&mb, 1);
	CHECK_ERR(load(&mb, NULL), "unknown table");
	header(&mb);
	funcs_v(&mb, 1);
	SEC(&mb, 4, 0x01, 0x70, 0x00, 0x00);
	SEC(&mb, 9, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x09);
	code_v(&mb, 1);
	CHECK_ERR(load(&mb, NULL), "unknown function");
	header(&mb);
	SEC(&mb, 9, 0x01, 0x08);
	CHECK_ERR(load(&mb, NULL), "malformed elements segment kind");
	/* active segment into an externref table with funcref elements */
	header(&mb);
	funcs_v(&mb, 1);
	SEC(&mb, 4, 0x01, 0x6f, 0x00, 0x00);
	SEC(&mb, 9, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x00);
	code_v(&mb, 1);
	CHECK_ERR(load(&mb, NULL), "type mismatch");
	/* offset of the wrong type */
	header(&mb);
	funcs_v(&mb, 1);
	SEC(&mb, 4, 0x01, 0x70, 0x00, 0x00);
	SEC(&mb, 9, 0x01, 0x00, 0x42, 0x00, 0x0b, 0x00);
	code_v(&mb, 1);
	CHECK_ERR(load(&mb, NULL), "type mismatch");
}

/* ---- data segments and the data count ----------------------------------- */

TEST(data_segments)
{
	struct mb mb;
	wasm_module *m;

	header(&mb);
	SEC(&mb, 5, 0x01, 0x00, 0x01);
	SEC(&mb, 12, 0x03);
	SEC(&mb, 11, 0x03,
	    0x00, 0x41, 0x10, 0x0b, 0x02, 'h', 'i',
	    0x01, 0x03, 'a', 'b', 'c',
	    0x02, 0x00, 0x41, 0x00, 0x0b, 0x00);
	CHECK(load(&mb, &m) == 0);
	if (m) {
		CHECK(m->has_datacount && m->ndatas == 3);
		CHECK_EQ_U64(m->datas[0].len, 2);
		CHECK(!memcmp(m->bytes + m->datas[0].start, "hi", 2));
		CHECK_EQ_U64(m->datas[1].mode, WASM_SEG_PASSIVE);
		CHECK(!memcmp(m->bytes + m->datas[1].start, "abc", 3));
		CHECK(m->datas[2].mode == WASM_SEG_ACTIVE && m->datas[2].len == 0);
		wasm_module_free(m);
	}
	header(&mb);
	SEC(&mb, 5, 0x01, 0x00, 0x01);
	SEC(&mb, 12, 0x02);
	SEC(&mb, 11, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x00);
	CHECK_ERR(load(&mb, NULL), "data count and data section have inconsistent lengths");
	header(&mb);
	SEC(&mb, 5, 0x01, 0x00, 0x01);
	SEC(&mb, 12, 0x01);
	CHECK_ERR(load(&mb, NULL), "data count and data section have inconsistent lengths");
	/* 5 bytes declared, 6 given */
	header(&mb);
	SEC(&mb, 5, 0x01, 0x00, 0x01);
	SEC(&mb, 11, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x05, 'a', 'b', 'c', 'd', 'e', 'f');
	CHECK_ERR(load(&mb, NULL), "section size mismatch");
	header(&mb);
	SEC(&mb, 11, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x00);
	CHECK_ERR(load(&mb, NULL), "unknown memory");
	header(&mb);
	SEC(&mb, 5, 0x01, 0x00, 0x01);
	SEC(&mb, 11, 0x01, 0x03, 0x00);
	CHECK_ERR(load(&mb, NULL), "malformed data segment kind");
}

/* ---- the name section ---------------------------------------------------- */

TEST(name_section)
{
	struct mb mb;
	wasm_module *m;

	header(&mb);
	funcs_v(&mb, 3);
	code_v(&mb, 3);
	/* module-name subsection (0), then function names out of order */
	SEC(&mb, 0, 0x04, 'n', 'a', 'm', 'e',
	    0x00, 0x02, 0x01, 'M',
	    0x01, 0x0c, 0x02, 0x02, 0x03, 'z', 'o', 't', 0x00, 0x03, 'o', 'n', 'e', 0x00);
	/* last byte of the subsection is padding -> subsection malformed? no:
	   size 0x0c covers count(1) + 2 entries (5 + 5) + 1 = 12 */
	CHECK(load(&mb, &m) == 0);
	if (m) {
		/* the trailing byte makes the subsection malformed: names dropped */
		CHECK_EQ_U64(m->nnames, 0);
		wasm_module_free(m);
	}
	header(&mb);
	funcs_v(&mb, 3);
	code_v(&mb, 3);
	SEC(&mb, 0, 0x04, 'n', 'a', 'm', 'e',
	    0x01, 0x0b, 0x02, 0x02, 0x03, 'z', 'o', 't', 0x00, 0x03, 'o', 'n', 'e');
	CHECK(load(&mb, &m) == 0);
	if (m) {
		CHECK_EQ_U64(m->nnames, 2);
		CHECK(wasm_func_name(m, 0) && !strcmp(wasm_func_name(m, 0), "one"));
		CHECK(wasm_func_name(m, 2) && !strcmp(wasm_func_name(m, 2), "zot"));
		CHECK(wasm_func_name(m, 1) == NULL);
		CHECK(wasm_func_name(m, 99) == NULL);
		wasm_module_free(m);
	}
	/* a malformed name section never fails the module */
	header(&mb);
	funcs_v(&mb, 1);
	code_v(&mb, 1);
	SEC(&mb, 0, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x7f, 0x05, 0x00);
	CHECK(load(&mb, &m) == 0);
	if (m) {
		CHECK_EQ_U64(m->nnames, 0);
		wasm_module_free(m);
	}
	/* ... but a custom section name that is not UTF-8 does (spec) */
	header(&mb);
	SEC(&mb, 0, 0x02, 0xed, 0xa0);
	CHECK_ERR(load(&mb, NULL), "malformed UTF-8 encoding");
}

TEST(error_format)
{
	struct wasm_error e = { .msg = "type mismatch", .section = "code", .offset = 0x1a2 };
	char buf[128];

	wasm_error_format(&e, buf, sizeof buf);
	CHECK(!strcmp(buf, "section 'code' at offset 0x1a2: type mismatch"));
	snprintf(e.detail, sizeof e.detail, "index 3");
	e.section = NULL;
	wasm_error_format(&e, buf, sizeof buf);
	CHECK(!strcmp(buf, "at offset 0x1a2: type mismatch (index 3)"));
	wasm_error_format(&e, buf, 5);
	CHECK(!strcmp(buf, "at o"));
}

/* ---- robustness ---------------------------------------------------------- */

/* A module exercising most sections, for the sweeps. */
static void rich_module(struct mb *mb)
{
	header(mb);
	SEC(mb, 1, 0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f);
	SEC(mb, 2, 0x01, 0x03, 'e', 'n', 'v', 0x01, 'f', 0x00, 0x01);
	SEC(mb, 3, 0x02, 0x00, 0x01);
	SEC(mb, 4, 0x01, 0x70, 0x01, 0x02, 0x04);
	SEC(mb, 5, 0x01, 0x01, 0x01, 0x02);
	SEC(mb, 6, 0x01, 0x7f, 0x01, 0x41, 0x2a, 0x0b);
	SEC(mb, 7, 0x02, 0x01, 'a', 0x00, 0x01, 0x01, 'm', 0x02, 0x00);
	SEC(mb, 8, 0x01);
	SEC(mb, 9, 0x02, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x01, 0x02,
	    0x05, 0x70, 0x01, 0xd2, 0x00, 0x0b);
	SEC(mb, 12, 0x02);
	SEC(mb, 10, 0x02, 0x02, 0x00, 0x0b,
	    0x06, 0x01, 0x01, 0x7f, 0x20, 0x00, 0x0b);
	SEC(mb, 11, 0x02, 0x00, 0x41, 0x08, 0x0b, 0x02, 'h', 'i', 0x01, 0x01, 'x');
	SEC(mb, 0, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x04, 0x01, 0x01, 0x01, 'g');
}

/* Whether a prefix of n bytes of b ends exactly at a section end (and is
 * therefore a complete module). */
static bool at_section_end(const uint8_t *b, size_t total, size_t n)
{
	size_t p = 8;

	if (n == 8)
		return true;
	while (p < total) {
		uint32_t size = 0, shift = 0;

		p++;
		while (p < total && (b[p] & 0x80) && shift < 28) {
			size |= (uint32_t)(b[p++] & 0x7f) << shift;
			shift += 7;
		}
		if (p >= total)
			return false;
		size |= (uint32_t)b[p++] << shift;
		p += size;
		if (p == n)
			return true;
	}
	return false;
}

/* Load every prefix of b (each copied to an exact-size heap block, so an
 * overread is caught by ASan/valgrind); only complete modules may load. */
static void sweep_prefixes(const uint8_t *b, size_t total, const char *what)
{
	uint8_t *copy = malloc(total);

	for (size_t n = 0; n < total; n++) {
		/* the copy's tail is moved to end at the block end */
		uint8_t *p = copy + (total - n);

		memcpy(p, b, n);
		if (load_raw(p, n) == 0) {
			CHECK_MSG(at_section_end(b, total, n), "%s: prefix %zu of %zu loaded",
				  what, n, total);
		} else {
			CHECK_MSG(err.msg, "%s: prefix %zu: error without a message", what, n);
		}
	}
	free(copy);
}

/*
 * Regression (make check-asan, UBSan): the validator did pointer
 * arithmetic on its value stack before anything was ever pushed (NULL +
 * 0, then [-1] when asking for operands), and formed &ctls[-1] when
 * entering a function's own frame.  Each of these bodies pops from an
 * empty stack first; each must be refused with a type mismatch (and,
 * under the sanitizers, without a report).
 */
TEST(empty_stack_operands_no_null_arithmetic)
{
	static const uint8_t bodies[][3] = {
		{ 0x6a, 0x0b },         /* i32.add */
		{ 0x45, 0x0b },         /* i32.eqz */
		{ 0x1a, 0x0b },         /* drop */
		{ 0x1b, 0x0b },         /* select */
		{ 0x0d, 0x00, 0x0b },   /* br_if 0 */
		{ 0x7c, 0x0b },         /* i64.add */
	};
	static const uint8_t lens[] = { 2, 2, 2, 2, 3, 2 };

	for (size_t i = 0; i < sizeof lens; i++) {
		static const uint8_t head[] = { 0, 'a', 's', 'm', 1, 0, 0, 0,
						1, 4, TYPE_V, 3, 2, 1, 0, 10 };
		uint8_t b[64];
		size_t n = sizeof head;

		memcpy(b, head, n);

		b[n++] = (uint8_t)(3 + lens[i]);        /* code section size */
		b[n++] = 1;                             /* one body */
		b[n++] = (uint8_t)(1 + lens[i]);        /* body size */
		b[n++] = 0;                             /* no locals */
		memcpy(b + n, bodies[i], lens[i]);
		n += lens[i];
		CHECK_ERR(load_raw(b, n), "type mismatch");
	}
}

TEST(truncation_sweep_rich)
{
	struct mb mb;
	wasm_module *m;

	rich_module(&mb);
	CHECK(load(&mb, &m) == 0);
	if (m) {
		CHECK_EQ_U64(m->nfuncs, 3);
		CHECK(wasm_func_name(m, 1) && !strcmp(wasm_func_name(m, 1), "g"));
		wasm_module_free(m);
	} else {
		char buf[200];
		wasm_error_format(&err, buf, sizeof buf);
		fprintf(stderr, "rich module: %s\n", buf);
	}
	sweep_prefixes(mb.b, mb.n, "rich");
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)n)) && fread(b, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

/* Every prefix of a clang-produced WASI program (build/examples/hello.wasm,
 * built by `make examples`). */
TEST(truncation_sweep_real)
{
#ifdef WASMETAL_BUILD_DIR
	size_t n;
	uint8_t *b = read_file(WASMETAL_BUILD_DIR "/examples/hello.wasm", &n);
	wasm_module *m = NULL;

	if (!b)
		SKIP("no build/examples/hello.wasm");
	memset(&err, 0, sizeof err);
	CHECK(wasm_module_load(b, n, &m, &err) == 0);
	if (!m) {
		char buf[200];
		wasm_error_format(&err, buf, sizeof buf);
		fprintf(stderr, "hello.wasm: %s\n", buf);
	}
	wasm_module_free(m);
	sweep_prefixes(b, n, "hello.wasm");
	free(b);
#endif
}

/* Deterministic mutations (xorshift): flip, set and insert bytes of the rich
 * module; loading must never crash, and errors always carry a message. */
TEST(mutation_sweep)
{
	struct mb base, mb;
	uint64_t s = 0x9e3779b97f4a7c15ull;

	rich_module(&base);
	for (int iter = 0; iter < 20000; iter++) {
		mb = base;
		int edits = 1 + (int)(s % 3);
		for (int e = 0; e < edits; e++) {
			s ^= s << 13; s ^= s >> 7; s ^= s << 17;
			size_t pos = 8 + (s >> 8) % (mb.n - 8);
			uint8_t v = (uint8_t)(s >> 40);

			switch (s % 4) {
			case 0: mb.b[pos] ^= (uint8_t)(1u << (v & 7)); break;
			case 1: mb.b[pos] = v; break;
			case 2: mb.b[pos] = (s & 16) ? 0xff : 0x80; break;
			case 3: memmove(mb.b + pos + 1, mb.b + pos, mb.n - pos);
				mb.b[pos] = v; mb.n++; break;
			}
		}
		uint8_t *copy = malloc(mb.n);
		memcpy(copy, mb.b, mb.n);
		CHECK_MSG(load_raw(copy, mb.n) == 0 || err.msg,
			  "mutation %d: error without a message", iter);
		free(copy);
	}
}

int main(void)
{
	RUN(header_errors);
	RUN(section_ids_and_order);
	RUN(section_sizes);
	RUN(types_and_canon);
	RUN(parameters_count_toward_max_locals);
	RUN(imports);
	RUN(limits);
	RUN(globals_constexpr);
	RUN(extended_const_validation);
	RUN(extended_const_too_deep_refused);
	RUN(functions_and_code);
	RUN(exports);
	RUN(start);
	RUN(elements);
	RUN(data_segments);
	RUN(name_section);
	RUN(error_format);
	RUN(empty_stack_operands_no_null_arithmetic);
	RUN(truncation_sweep_rich);
	RUN(truncation_sweep_real);
	RUN(mutation_sweep);
	CHECK_DONE();
}
