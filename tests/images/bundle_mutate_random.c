/*
 * bundle_mutate_random.c — random hostile bundles (bundle_mutate.h): mutant
 * i of seed s is the base with one to three edits, drawn by splitmix64
 * from (s, i) alone, so any one mutant can be made again from its number.
 *
 *   on the entries: delete, duplicate, swap, add an entry of any kind;
 *     the manifest: delete, duplicate or insert a line (keys x values, good
 *     and bad), overwrite a byte; a node: its path (.., /, NUL, bad UTF-8,
 *     long names), kind, preopen, reserved field, path_len, contents
 *   on the bytes written (after the header was made right): flip bits or
 *     set a field of the bundle header, an entry header or a node header to
 *     an interesting value (0, 1, 2^31, 2^64-1, size +- 1, ...); cut the
 *     file (with or without the header's size made to agree); append junk
 *
 * Byte edits go mostly to the headers and the manifest, not to the
 * module, whose decoder has sweeps of its own (tests/unit/test_module.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bundle_mutate.h"

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

#define PICK(r, a) ((a)[below((r), sizeof(a) / sizeof((a)[0]))])

static const char *const mf_keys[] = {
	"wasmetal-manifest", "console", "log", "verbose", "arg", "env", "preopen",
	"tcplisten", "addr-pool", "allow-resolve", "net", "address", "gateway",
	"dns", "kernel-httpd", "colour", "Arg", "-", "arg\t",
};

static const char *const mf_values[] = {
	"", "1", "2", "com1", "com2", "com3", "none", "yes", "no", "dhcp", "static",
	"\"\"", "\"a=b\"", "\"=b\"", "\"/x\"", "\"/data\"", "\"\\x00\"", "\"\\q\"",
	"\"\\x\"", "\"unterminated", "\"\xff\xfe\xc0\"", "\"\\xff\"", "a\"b", "# c",
	"0.0.0.0:8080", "[::]:80", "[::1", "1.2.3.4", "10.0.0.0/8", "10.0.0.1/8",
	"[::]/0:1-2", "0.0.0.0/0:9-1", "*", "*.example.com", "a..b", "x*",
	"10.0.2.15/24", "10.0.2.15/33", "10.0.2.2", "8.8.8.8", "::1", "1.2.3",
	"80:100", "0:1", "65536:1", "1:1099511627777", "\"tab\there\"",
	"\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
};

static const char mf_bytes[] = { 0, '\n', '\r', '"', '\\', '#', ' ', '\t', 'x',
				 (char)0x80, (char)0xff, (char)0xc0, 0x01, 0x7f };

static const char *const path_bits[] = {
	"..", ".", "/", "//", "\xff", "\xc0\xaf", "\xed\xa0\x80", "a/..", "x",
};

static const uint32_t kinds[] = {
	0, BUNDLE_MODULE, BUNDLE_ARG, BUNDLE_ENV, BUNDLE_FLAGS, BUNDLE_SPEC,
	BUNDLE_MANIFEST, BUNDLE_NODE, 8, 0xffffffffu,
};

static uint64_t interesting(struct rng *r, uint64_t size, uint64_t cur)
{
	static const uint64_t v[] = {
		0, 1, 2, 7, 8, 15, 16, 23, 24, 255, 256, 4095, 4096, 4097, 65535,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
		0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
	};

	switch (below(r, 4)) {
	case 0: return size + below(r, 3) - 1;
	case 1: return cur + below(r, 17) - 8;
	default: return PICK(r, v);
	}
}

/* ---- edits of the entries ----------------------------------------------------- */

static long pick_entry(struct rng *r, const struct bundle *b, uint32_t kind)
{
	long n = 0, i;

	for (size_t k = 0; k < b->n; k++)
		n += b->e[k].kind == kind;
	if (!n)
		return -1;
	i = (long)below(r, (uint64_t)n);
	return bundle_find(b, kind, (int)i);
}

static void edit_entries(struct mutant *m, struct rng *r)
{
	struct bundle *b = &m->b;
	size_t i = below(r, b->n), j = below(r, b->n + 1);
	uint8_t junk[64];

	switch (below(r, 4)) {
	case 0:
		if (!b->n)
			return;
		describe(m, "delete entry %zu (kind %u)", i, b->e[i].kind);
		bundle_delete(b, i);
		break;
	case 1:
		if (!b->n)
			return;
		describe(m, "copy entry %zu (kind %u) to %zu", i, b->e[i].kind, j);
		bundle_insert(b, j, b->e[i].kind, b->e[i].data, b->e[i].len);
		break;
	case 2: {
		struct ent t;

		if (b->n < 2 || j >= b->n)
			return;
		describe(m, "swap entries %zu and %zu", i, j);
		t = b->e[i];
		b->e[i] = b->e[j];
		b->e[j] = t;
		break;
	}
	default: {
		uint32_t kind = PICK(r, kinds);
		size_t n = below(r, sizeof junk + 1);

		for (size_t k = 0; k < n; k++)
			junk[k] = (uint8_t)(below(r, 2) ? 'a' + below(r, 26) : rnd(r));
		describe(m, "add a %zu-byte entry of kind %u at %zu", n, kind, j);
		bundle_insert(b, j, kind, junk, n);
	}
	}
}

/* ---- edits of the manifest ------------------------------------------------------ */

/* The manifest's lines as [start, end) offsets into t. */
static size_t line_starts(const char *t, size_t *at, size_t max)
{
	size_t n = 0, len = strlen(t);

	for (size_t i = 0; i < len && n < max; i++)
		if (i == 0 || t[i - 1] == '\n')
			at[n++] = i;
	return n;
}

static void edit_manifest(struct mutant *m, struct rng *r)
{
	char *t = mf_text(&m->b), line[512];
	size_t at[256], n = line_starts(t, at, 256), len = strlen(t), k, e;
	struct bytes s = { 0 };

	if (!n)
		goto out;
	k = below(r, n);
	e = k + 1 < n ? at[k + 1] : len;
	switch (below(r, 4)) {
	case 0:
		describe(m, "manifest: delete line %zu", k + 1);
		bytes_put(&s, t, at[k]);
		bytes_put(&s, t + e, len - e);
		break;
	case 1:
		describe(m, "manifest: line %zu twice", k + 1);
		bytes_put(&s, t, e);
		bytes_put(&s, t + at[k], len - at[k]);
		break;
	case 2: {
		const char *v = PICK(r, mf_values);

		snprintf(line, sizeof line, "%s%s%s\n", PICK(r, mf_keys), *v ? " " : "", v);
		describe(m, "manifest: insert before line %zu: %.*s", k + 1,
			 (int)strlen(line) - 1, line);
		bytes_put(&s, t, at[k]);
		bytes_put(&s, line, strlen(line));
		bytes_put(&s, t + at[k], len - at[k]);
		break;
	}
	default: {
		size_t p = below(r, len);
		char c = PICK(r, mf_bytes);

		describe(m, "manifest: byte %zu = 0x%02x", p, (uint8_t)c);
		t[p] = c;
		bytes_put(&s, t, len);
	}
	}
	ent_set(&m->b.e[bundle_find(&m->b, BUNDLE_MANIFEST, 0)], s.p, s.n);
out:
	bytes_free(&s);
	free(t);
}

/* ---- edits of a node -------------------------------------------------------------- */

static void edit_path(struct mutant *m, struct rng *r, long i)
{
	struct ent *e = &m->b.e[i];
	struct bundle_node h;
	const char *path = (const char *)e->data + sizeof h, *bit = PICK(r, path_bits);
	size_t plen, at, blen = strlen(bit);
	struct bytes n = { 0 }, p = { 0 };

	memcpy(&h, e->data, sizeof h);
	plen = strnlen(path, e->len - sizeof h);
	if (h.path_len > e->len - sizeof h)     /* spoilt by an earlier edit */
		h.path_len = (uint32_t)(e->len - sizeof h);
	at = below(r, plen + 1);
	bytes_put(&p, path, at);
	if (below(r, 8) == 0) {         /* a long name */
		for (size_t k = 0; k < 250 + below(r, 10); k++)
			bytes_put(&p, "n", 1);
		describe(m, "node %ld: a long name at %zu", i, at);
	} else {
		bytes_put(&p, bit, blen);
		describe(m, "node %ld: path gets %zu bytes at %zu", i, blen, at);
	}
	bytes_put(&p, path + at, plen - at);
	node_make(&n, h.preopen, h.kind, (const char *)p.p, p.n,
		  e->data + sizeof h + h.path_len, e->len - sizeof h - h.path_len);
	ent_set(e, n.p, n.n);
	bytes_free(&n);
	bytes_free(&p);
}

static void edit_node(struct mutant *m, struct rng *r)
{
	long i = pick_entry(r, &m->b, BUNDLE_NODE);
	struct ent *e;
	size_t field;
	uint32_t v;

	if (i < 0 || m->b.e[i].len < sizeof(struct bundle_node))
		return;                 /* not a node header to edit */
	e = &m->b.e[i];
	switch (below(r, 3)) {
	case 0:
		edit_path(m, r, i);
		return;
	case 1:
		field = 4 * below(r, 4);
		memcpy(&v, e->data + field, 4);
		v = (uint32_t)(below(r, 2) ? below(r, 5) : interesting(r, e->len, v));
		describe(m, "node %ld: field %zu = %u", i, field, v);
		memcpy(e->data + field, &v, 4);
		return;
	default: {
		size_t len = below(r, 2) ? below(r, e->len + 1) : e->len + below(r, 9);

		describe(m, "node %ld: length %zu -> %zu", i, e->len, len);
		if (len > e->len) {
			uint8_t *d = xmalloc(len);

			memcpy(d, e->data, e->len);
			memset(d + e->len, 'z', len - e->len);
			ent_set(e, d, len);
			free(d);
		}
		e->len = len;
	}
	}
}

/* ---- edits of the bytes ---------------------------------------------------------- */

/* A region of the written bundle: [*lo, *hi), mostly headers. */
static void pick_region(struct rng *r, const struct mutant *m, const size_t *off,
			size_t *lo, size_t *hi)
{
	size_t n = m->b.n, i = below(r, n ? n : 1), w = below(r, 100);

	*lo = 0;
	*hi = m->out.n;
	if (w < 15 || !n) {
		*hi = 24;
	} else if (w < 45) {
		*lo = off[i];
		*hi = off[i] + 16;
	} else if (w < 70) {
		long k = pick_entry(r, &m->b, BUNDLE_NODE);

		if (k >= 0) {
			*lo = off[k] + 16;
			*hi = off[k + 1];
		}
	} else if (w < 90) {
		long k = bundle_find(&m->b, BUNDLE_MANIFEST, 0);

		if (k >= 0) {
			*lo = off[k] + 16;
			*hi = off[k + 1];
		}
	}
	if (*hi > m->out.n)
		*hi = m->out.n;
	if (*lo >= *hi)
		*lo = 0, *hi = m->out.n;
}

static void edit_bytes(struct mutant *m, struct rng *r, const size_t *off)
{
	size_t lo, hi, p;

	if (!m->out.n)
		return;
	pick_region(r, m, off, &lo, &hi);
	p = lo + below(r, hi - lo);
	switch (below(r, 6)) {
	case 0:
	case 1: {
		unsigned bits = 1 + (unsigned)below(r, 4);

		describe(m, "flip %u bits from byte %zu", bits, p);
		for (unsigned k = 0; k < bits && p + k / 8 < m->out.n; k++)
			m->out.p[p + k / 8] ^= (uint8_t)(1u << below(r, 8));
		return;
	}
	case 2:
	case 3: {
		/* a header field: bundle header, entry header or node header */
		size_t at = p & ~(size_t)3, w = below(r, 2) ? 8 : 4;
		uint64_t cur = 0, v;

		if (at + w > m->out.n)
			return;
		memcpy(&cur, m->out.p + at, w);
		v = interesting(r, m->out.n, cur);
		describe(m, "u%zu at %zu = %#llx", 8 * w, at, (unsigned long long)v);
		memcpy(m->out.p + at, &v, w);
		return;
	}
	case 4: {
		size_t at = below(r, m->out.n);
		bool agree = below(r, 2);

		describe(m, "cut at %zu%s", at, agree ? ", size agreeing" : "");
		m->out.n = at;
		if (agree)
			put_u64(&m->out, HDR_SIZE, at);
		return;
	}
	default: {
		size_t n = 1 + below(r, 64);

		describe(m, "append %zu junk bytes", n);
		for (size_t k = 0; k < n; k++) {
			uint8_t c = (uint8_t)rnd(r);

			bytes_put(&m->out, &c, 1);
		}
	}
	}
}

void mutate_random(struct mutant *m, const struct bundle *base, uint64_t seed,
		   unsigned i)
{
	struct rng r = { seed ^ (0xa0761d6478bd642full * (i + 1)) };
	unsigned nedits = 1 + (unsigned)below(&r, 3), nbytes = 0;
	size_t *off;

	bundle_clone(base, &m->b);
	for (unsigned k = 0; k < nedits; k++) {
		switch (below(&r, 5)) {
		case 0: edit_entries(m, &r); break;
		case 1: edit_manifest(m, &r); break;
		case 2: edit_node(m, &r); break;
		default: nbytes++; break;       /* after writing */
		}
	}
	off = xmalloc((m->b.n + 1) * sizeof *off);
	bundle_write(&m->b, &m->out, off);
	m->written = true;
	for (unsigned k = 0; k < nbytes; k++)
		edit_bytes(m, &r, off);
	free(off);
}
