/*
 * artifact.c — the .wmo artifact: a module compiled ahead of time
 * (docs/artifact.md is the format; artifact.h the API).
 *
 *   write: header (engine, ABI, backend, CPU features, module SHA-256)
 *          -> sections MODULE, CODE, FUNCS, SRCMAP -> SHA-256 of all that
 *   load:  magic, format -> walk the sections, every length checked
 *          against the bytes left ("truncated at byte N") -> checksum ->
 *          engine, ABI, backend, flags -> CPU features -> decode and
 *          validate the module (jit_module_decode) -> its hash -> the
 *          tables checked against the code and the module -> copy the
 *          code into code pages, seal them RX (only now)
 *
 * Little-endian throughout; the artifact is read from a byte buffer with
 * explicit decoding, never cast to a struct.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "artifact.h"
#include "jit.h"
#include "plat.h"
#include "sha256.h"

static const uint8_t magic[8] = { 0x00, 'w', 'm', 'o', 0x0d, 0x0a, 0x1a, 0x0a };

#define HEADER_SIZE   96
#define ENGINE_LEN    32
#define SECTION_HDR   16        /* u32 id, u32 zero, u64 size */
#define NSECTIONS     4
#define MAX_CODE      0x7fffffffu       /* jit_compile's own limit */

enum { SEC_MODULE = 1, SEC_CODE = 2, SEC_FUNCS = 3, SEC_SRCMAP = 4 };
static const char *const sec_names[] = { "?", "module", "code", "functions",
					 "source map" };

static unsigned long sealed_count;

unsigned long jit_artifact_sealed_count(void)
{
	return sealed_count;
}

bool jit_artifact_is(const uint8_t *buf, size_t len)
{
	return len >= sizeof magic && !memcmp(buf, magic, sizeof magic);
}

/* ---- little-endian fields ------------------------------------------------- */

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* ---- writing ------------------------------------------------------------- */

static uint8_t *put_section(uint8_t *p, uint32_t id, const void *data, uint64_t size)
{
	put32(p, id);
	put32(p + 4, 0);
	put64(p + 8, size);
	if (size)
		memcpy(p + SECTION_HDR, data, (size_t)size);
	return p + SECTION_HDR + size;
}

/* a table section: u32 count, then count pairs of u32 */
static uint8_t *put_pairs(uint8_t *p, uint32_t id, uint32_t n, const uint32_t *a,
			  const uint32_t *b, size_t stride)
{
	uint8_t *q = p + SECTION_HDR;

	put32(p, id);
	put32(p + 4, 0);
	put64(p + 8, 4 + 8ull * n);
	put32(q, n);
	q += 4;
	for (uint32_t i = 0; i < n; i++, q += 8) {
		put32(q, *(const uint32_t *)((const uint8_t *)a + i * stride));
		put32(q + 4, *(const uint32_t *)((const uint8_t *)b + i * stride));
	}
	return q;
}

static void put_header(uint8_t *p, const wasm_module *m, enum jit_backend backend)
{
	memset(p, 0, HEADER_SIZE);
	memcpy(p, magic, sizeof magic);
	put32(p + 8, JIT_ARTIFACT_FORMAT);
	put32(p + 12, JIT_ABI_VERSION);
	memcpy(p + 16, JIT_ENGINE_VERSION, sizeof JIT_ENGINE_VERSION);
	put32(p + 48, (uint32_t)backend);
	put32(p + 52, m->code->cpu);
	jit_sha256(m->bytes, m->len, p + 56);
	put32(p + 88, NSECTIONS);
	put32(p + 92, 0);
}

_Static_assert(sizeof JIT_ENGINE_VERSION < ENGINE_LEN, "engine version too long");

int jit_artifact_write(const wasm_module *m, enum jit_backend backend,
		       uint8_t **out, size_t *outlen, char *why, size_t whylen)
{
	const struct jit_code *c = m->code;
	uint64_t size;
	uint8_t *buf, *p;

	*out = NULL;
	if (!c) {
		snprintf(why, whylen, "no compiled code to write");
		return -1;
	}
	/* the header names the backend that made m->code (jit.h: its
	   srcmap and entries differ) */
	if (backend != c->backend) {
		snprintf(why, whylen, "the module's code is of backend %u, not %u",
			 c->backend, backend);
		return -1;
	}
	size = HEADER_SIZE + NSECTIONS * SECTION_HDR + (uint64_t)m->len + c->size +
	       4 + 8ull * c->nfuncs + 4 + 8ull * c->nmap + JIT_SHA256_LEN;
	if (size > SIZE_MAX || !(buf = malloc((size_t)size))) {
		snprintf(why, whylen, "out of memory (artifact of %llu bytes)",
			 (unsigned long long)size);
		return -1;
	}
	put_header(buf, m, backend);
	p = put_section(buf + HEADER_SIZE, SEC_MODULE, m->bytes, m->len);
	p = put_section(p, SEC_CODE, c->base, c->size);
	p = put_pairs(p, SEC_FUNCS, c->nfuncs, c->func_offsets, c->func_ends,
		      sizeof(uint32_t));
	p = put_pairs(p, SEC_SRCMAP, c->nmap, c->nmap ? &c->map[0].code_off : NULL,
		      c->nmap ? &c->map[0].wasm_off : NULL, sizeof(struct jit_srcmap));
	jit_sha256(buf, (size_t)(p - buf), p);
	*out = buf;
	*outlen = (size_t)size;
	return 0;
}

/* ---- reading: the structure --------------------------------------------- */

/* What the walk over the file found: each section's payload. */
struct parsed {
	const uint8_t *sec[NSECTIONS + 1];
	uint64_t sec_size[NSECTIONS + 1];
	size_t body_len;        /* bytes covered by the checksum */
};

static int fail(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A failure of this machine, not of the artifact: -2 (artifact.h). */
static int no_memory(char *why, size_t whylen, const char *msg)
{
	snprintf(why, whylen, "%s", msg);
	return -2;
}

static int truncated(size_t len, const char *what, uint64_t need, char *why, size_t whylen)
{
	return fail(why, whylen, "artifact truncated at byte %zu: %s needs %llu more bytes",
		    len, what, (unsigned long long)need);
}

/* The sections, in their fixed order, and the checksum after them; every
 * size compared with what is left before it is used. */
static int walk(const uint8_t *buf, size_t len, struct parsed *ps, char *why, size_t whylen)
{
	size_t off = HEADER_SIZE;

	for (uint32_t id = 1; id <= NSECTIONS; id++) {
		char what[48];

		snprintf(what, sizeof what, "the %s section's header", sec_names[id]);
		if (len - off < SECTION_HDR)
			return truncated(len, what, SECTION_HDR - (len - off), why, whylen);
		uint32_t got = get32(buf + off), zero = get32(buf + off + 4);
		uint64_t size = get64(buf + off + 8);

		if (got != id)
			return fail(why, whylen, "artifact section %u at byte %zu has id %u, "
				    "expected %u (%s)", id, off, got, id, sec_names[id]);
		if (zero)
			return fail(why, whylen, "artifact section %u (%s) at byte %zu: "
				    "reserved field is 0x%x, not 0", id, sec_names[id], off, zero);
		off += SECTION_HDR;
		snprintf(what, sizeof what, "the %s section", sec_names[id]);
		if (size > len - off)
			return truncated(len, what, size - (len - off), why, whylen);
		ps->sec[id] = buf + off;
		ps->sec_size[id] = size;
		off += (size_t)size;
	}
	if (len - off < JIT_SHA256_LEN)
		return truncated(len, "the checksum", JIT_SHA256_LEN - (len - off), why, whylen);
	if (len - off > JIT_SHA256_LEN)
		return fail(why, whylen, "artifact has %zu bytes after its checksum",
			    len - off - JIT_SHA256_LEN);
	ps->body_len = off;
	return 0;
}

static int check_checksum(const uint8_t *buf, const struct parsed *ps, char *why,
			  size_t whylen)
{
	uint8_t sum[JIT_SHA256_LEN];

	jit_sha256(buf, ps->body_len, sum);
	if (memcmp(sum, buf + ps->body_len, JIT_SHA256_LEN))
		return fail(why, whylen, "artifact checksum mismatch (the file is corrupted)");
	return 0;
}

/* ---- reading: what the header says ------------------------------------------ */

/* the engine field as printable text */
static void engine_text(const uint8_t *p, char out[ENGINE_LEN + 1])
{
	size_t i;

	for (i = 0; i < ENGINE_LEN && p[i]; i++)
		out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[i] = 0;
}

static int check_versions(const uint8_t *h, char *why, size_t whylen)
{
	char engine[ENGINE_LEN + 1];
	uint8_t want[ENGINE_LEN] = { 0 };
	uint32_t abi = get32(h + 12), backend = get32(h + 48);

	memcpy(want, JIT_ENGINE_VERSION, sizeof JIT_ENGINE_VERSION);
	engine_text(h + 16, engine);
	if (memcmp(h + 16, want, ENGINE_LEN))
		return fail(why, whylen, "artifact built by engine '%s', this is '%s'",
			    engine, JIT_ENGINE_VERSION);
	if (abi != JIT_ABI_VERSION)
		return fail(why, whylen, "artifact uses wasm ABI v%u, this engine v%u",
			    abi, JIT_ABI_VERSION);
	if (backend != JIT_BACKEND_SINGLE && backend != JIT_BACKEND_LLVM)
		return fail(why, whylen, "artifact backend %u unknown", backend);
	if (get32(h + 88) != NSECTIONS || get32(h + 92))
		return fail(why, whylen, "artifact header: %u sections, flags 0x%x "
			    "(format 1 has 4, flags 0)", get32(h + 88), get32(h + 92));
	return 0;
}

static int check_cpu(uint32_t need, char *why, size_t whylen)
{
	static const struct { uint32_t bit; const char *name; } feat[] = {
		{ JIT_CPU_SSE41, "SSE4.1" }, { JIT_CPU_POPCNT, "POPCNT" },
		{ JIT_CPU_LZCNT, "LZCNT" }, { JIT_CPU_BMI1, "BMI1 (TZCNT)" },
		{ JIT_CPU_AVX, "AVX" }, { JIT_CPU_AVX2, "AVX2" },
	};
	uint32_t have = jit_cpu_features();

	if (need & ~(uint32_t)JIT_CPU_ALL)
		return fail(why, whylen, "artifact needs CPU features 0x%x this engine "
			    "does not know", need & ~(uint32_t)JIT_CPU_ALL);
	for (size_t i = 0; i < sizeof feat / sizeof feat[0]; i++)
		if ((need & feat[i].bit) && !(have & feat[i].bit))
			return fail(why, whylen, "artifact needs CPU feature %s, this CPU "
				    "lacks it", feat[i].name);
	return 0;
}

/* ---- reading: the tables ------------------------------------------------ */

/* u32 count, then exactly count pairs */
static int pairs_count(const struct parsed *ps, int id, uint32_t *n, char *why,
		       size_t whylen)
{
	uint64_t size = ps->sec_size[id];

	if (size < 4 || (size - 4) % 8 || get32(ps->sec[id]) != (size - 4) / 8)
		return fail(why, whylen, "artifact %s section: %llu bytes do not hold "
			    "the count it gives", sec_names[id], (unsigned long long)size);
	*n = get32(ps->sec[id]);
	return 0;
}

/* Each function's range inside the code, in order, not overlapping. */
static int read_funcs(const struct parsed *ps, const wasm_module *m, struct jit_code *c,
		      char *why, size_t whylen)
{
	const uint8_t *p = ps->sec[SEC_FUNCS] + 4;
	uint32_t n, prev_end = 0;

	if (pairs_count(ps, SEC_FUNCS, &n, why, whylen))
		return -1;
	if (n != m->nfuncs)
		return fail(why, whylen, "artifact has code for %u functions, its module "
			    "has %u", n, m->nfuncs);
	c->func_offsets = malloc((n ? n : 1) * sizeof(uint32_t));
	c->func_ends = malloc((n ? n : 1) * sizeof(uint32_t));
	if (!c->func_offsets || !c->func_ends)
		return no_memory(why, whylen, "out of memory");
	for (uint32_t i = 0; i < n; i++, p += 8) {
		uint32_t start = get32(p), end = get32(p + 4);

		if (start < prev_end || start >= end || end > c->size)
			return fail(why, whylen, "artifact function %u: code [%u, %u) is "
				    "out of order or outside the code (%zu bytes)", i,
				    start, end, c->size);
		c->func_offsets[i] = start;
		c->func_ends[i] = end;
		prev_end = end;
	}
	c->nfuncs = n;
	return 0;
}

/* Sorted by code offset, inside the code and the module. */
static int read_srcmap(const struct parsed *ps, const wasm_module *m, struct jit_code *c,
		       char *why, size_t whylen)
{
	const uint8_t *p = ps->sec[SEC_SRCMAP] + 4;
	uint32_t n, prev = 0;

	if (pairs_count(ps, SEC_SRCMAP, &n, why, whylen))
		return -1;
	c->map = malloc((n ? n : 1) * sizeof *c->map);
	if (!c->map)
		return no_memory(why, whylen, "out of memory");
	for (uint32_t i = 0; i < n; i++, p += 8) {
		uint32_t code_off = get32(p), wasm_off = get32(p + 4);

		if (code_off < prev || code_off >= c->size || wasm_off > m->len)
			return fail(why, whylen, "artifact source map entry %u (code 0x%x, "
				    "module 0x%x) is out of order or out of range", i,
				    code_off, wasm_off);
		c->map[i] = (struct jit_srcmap){ .code_off = code_off, .wasm_off = wasm_off };
		prev = code_off;
	}
	c->nmap = n;
	return 0;
}

/* ---- reading: the module, then the code ------------------------------------ */

static int load_module(const uint8_t *h, const struct parsed *ps, bool hashes,
		       wasm_module **out, char *why, size_t whylen)
{
	uint8_t sum[JIT_SHA256_LEN];
	struct wasm_error err;
	char buf[320];

	memset(&err, 0, sizeof err);
	if (hashes)
		jit_sha256(ps->sec[SEC_MODULE], (size_t)ps->sec_size[SEC_MODULE], sum);
	if (hashes && memcmp(sum, h + 56, JIT_SHA256_LEN))
		return fail(why, whylen, "artifact module hash mismatch: its code was "
			    "compiled from another module");
	if (jit_module_decode(ps->sec[SEC_MODULE], (size_t)ps->sec_size[SEC_MODULE],
			      out, &err)) {
		wasm_error_format(&err, buf, sizeof buf);
		if (err.kind == WASM_ERR_RESOURCE)
			return no_memory(why, whylen, err.msg ? err.msg : "out of memory");
		return fail(why, whylen, "artifact's module is invalid: %s", buf);
	}
	return 0;
}

/* The code into fresh pages, sealed RX: the last step, after every check. */
static int map_code(const struct parsed *ps, struct jit_code *c, char *why, size_t whylen)
{
	void *base = plat_code_alloc(c->size);

	if (!base)
		return no_memory(why, whylen, "out of memory (code)");
	memcpy(base, ps->sec[SEC_CODE], c->size);
	if (plat_code_seal(base, c->size)) {
		plat_code_free(base, c->size);
		return no_memory(why, whylen, "cannot seal code pages");
	}
	c->base = base;
	sealed_count++;
	return 0;
}

static int load_code(const struct parsed *ps, wasm_module *m, uint32_t cpu, uint32_t backend,
		     char *why, size_t whylen)
{
	struct jit_code *c = calloc(1, sizeof *c);
	uint64_t size = ps->sec_size[SEC_CODE];
	int r;

	if (!c)
		return no_memory(why, whylen, "out of memory");
	m->code = c;            /* freed with the module, whatever fails */
	c->cpu = cpu;
	c->backend = backend;
	if (size == 0 || size > MAX_CODE)
		return fail(why, whylen, "artifact code section of %llu bytes (1 to %u)",
			    (unsigned long long)size, MAX_CODE);
	c->size = (size_t)size;
	if ((r = read_funcs(ps, m, c, why, whylen)) || (r = read_srcmap(ps, m, c, why, whylen)))
		return r;
	return map_code(ps, c, why, whylen);
}

/* Steps 1-4 of docs/artifact.md "Loading": the structure, the checksum,
 * the versions. */
static int verify(const uint8_t *buf, size_t len, struct parsed *ps, bool hashes,
		  char *why, size_t whylen)
{
	memset(ps, 0, sizeof *ps);
	if (!jit_artifact_is(buf, len))
		return fail(why, whylen, "not a wasmetal artifact (no magic)");
	if (len < HEADER_SIZE)
		return truncated(len, "the header", HEADER_SIZE - len, why, whylen);
	if (get32(buf + 8) != JIT_ARTIFACT_FORMAT)
		return fail(why, whylen, "artifact format %u, this engine reads format %u",
			    get32(buf + 8), JIT_ARTIFACT_FORMAT);
	if (walk(buf, len, ps, why, whylen) ||
	    (hashes && check_checksum(buf, ps, why, whylen)) ||
	    check_versions(buf, why, whylen))
		return -1;
	return 0;
}

int jit_artifact_check(const uint8_t *buf, size_t len, struct jit_artifact_info *info,
		       char *why, size_t whylen)
{
	struct parsed ps;
	uint8_t sum[JIT_SHA256_LEN];

	if (verify(buf, len, &ps, true, why, whylen))
		return -1;
	jit_sha256(ps.sec[SEC_MODULE], (size_t)ps.sec_size[SEC_MODULE], sum);
	if (memcmp(sum, buf + 56, JIT_SHA256_LEN))
		return fail(why, whylen, "artifact module hash mismatch: its code was "
			    "compiled from another module");
	info->backend = get32(buf + 48);
	info->cpu = get32(buf + 52);
	info->module = ps.sec[SEC_MODULE];
	info->module_len = (size_t)ps.sec_size[SEC_MODULE];
	info->code_len = (size_t)ps.sec_size[SEC_CODE];
	return 0;
}

static int load(const uint8_t *buf, size_t len, bool hashes, wasm_module **out,
		char *why, size_t whylen)
{
	struct parsed ps;
	wasm_module *m = NULL;
	int r;

	*out = NULL;
	if ((r = verify(buf, len, &ps, hashes, why, whylen)) ||
	    (r = check_cpu(get32(buf + 52), why, whylen)) ||
	    (r = load_module(buf, &ps, hashes, &m, why, whylen)))
		return r;
	if ((r = load_code(&ps, m, get32(buf + 52), get32(buf + 48), why, whylen))) {
		wasm_module_free(m);
		return r;
	}
	*out = m;
	return 0;
}

int jit_artifact_load(const uint8_t *buf, size_t len, wasm_module **out,
		      char *why, size_t whylen)
{
	return load(buf, len, true, out, why, whylen);
}

int jit_artifact_load_checked(const uint8_t *buf, size_t len, wasm_module **out,
			      char *why, size_t whylen)
{
	return load(buf, len, false, out, why, whylen);
}
