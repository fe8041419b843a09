/*
 * bundle_mutate.c — the hostile-bundle generator's building blocks (see
 * bundle_mutate.h): bytes, the bundle held as entries, the manifest's
 * lines, mutants.  The commands are in bundle_mutate_main.c; the hosted
 * sweep tests/unit/test_bundle_mutants.c links this file too.
 *
 * The base bundle is one that `wasmetal image` wrote (read back from an
 * image, or written by images/bundle.c in the unit test); the cases find
 * its parts by kind and path, not by offset.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bundle_mutate.h"

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "bundle_mutate: out of memory\n");
		exit(2);
	}
	return p;
}

/* ---- bytes --------------------------------------------------------------- */

void bytes_put(struct bytes *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->n + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p) {
			fprintf(stderr, "bundle_mutate: out of memory\n");
			exit(2);
		}
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

void bytes_free(struct bytes *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void put_u32(struct bytes *b, size_t off, uint32_t v)
{
	if (off + 4 <= b->n)
		memcpy(b->p + off, &v, 4);
}

void put_u64(struct bytes *b, size_t off, uint64_t v)
{
	if (off + 8 <= b->n)
		memcpy(b->p + off, &v, 8);
}

uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* ---- the bundle as entries -------------------------------------------------- */

void ent_set(struct ent *e, const void *data, size_t len)
{
	uint8_t *d = xmalloc(len);

	if (len)
		memcpy(d, data, len);
	free(e->data);
	e->data = d;
	e->len = len;
}

void bundle_insert(struct bundle *b, size_t i, uint32_t kind, const void *data,
		   size_t len)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->e = realloc(b->e, b->cap * sizeof *b->e);
		if (!b->e) {
			fprintf(stderr, "bundle_mutate: out of memory\n");
			exit(2);
		}
	}
	memmove(&b->e[i + 1], &b->e[i], (b->n - i) * sizeof *b->e);
	b->e[i] = (struct ent){ kind, 0, NULL, 0 };
	ent_set(&b->e[i], data, len);
	b->n++;
}

void bundle_delete(struct bundle *b, size_t i)
{
	free(b->e[i].data);
	memmove(&b->e[i], &b->e[i + 1], (b->n - i - 1) * sizeof *b->e);
	b->n--;
}

void bundle_clone(const struct bundle *from, struct bundle *to)
{
	memset(to, 0, sizeof *to);
	for (size_t i = 0; i < from->n; i++) {
		bundle_insert(to, i, from->e[i].kind, from->e[i].data, from->e[i].len);
		to->e[i].reserved = from->e[i].reserved;
	}
}

void bundle_drop(struct bundle *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->e[i].data);
	free(b->e);
	memset(b, 0, sizeof *b);
}

long bundle_find(const struct bundle *b, uint32_t kind, int nth)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->e[i].kind == kind && nth-- == 0)
			return (long)i;
	return -1;
}

long node_find(const struct bundle *b, const char *path)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct ent *e = &b->e[i];

		if (e->kind == BUNDLE_NODE && e->len > sizeof(struct bundle_node) &&
		    !strncmp((const char *)e->data + sizeof(struct bundle_node), path,
			     e->len - sizeof(struct bundle_node)) &&
		    strlen(path) < e->len - sizeof(struct bundle_node))
			return (long)i;
	}
	return -1;
}

void node_make(struct bytes *out, uint32_t preopen, uint32_t kind, const char *path,
	       size_t path_len, const void *data, size_t len)
{
	struct bundle_node n = { preopen, kind, (uint32_t)(path_len + 1), 0 };

	bytes_put(out, &n, sizeof n);
	bytes_put(out, path, path_len);
	bytes_put(out, "", 1);
	bytes_put(out, data, len);
}

void bundle_write(const struct bundle *b, struct bytes *out, size_t *off)
{
	static const uint8_t zeros[8];
	struct bundle_header h = { .version = BUNDLE_VERSION, .count = (uint32_t)b->n };

	memcpy(h.magic, BUNDLE_MAGIC, 8);
	out->n = 0;
	bytes_put(out, &h, sizeof h);
	for (size_t i = 0; i < b->n; i++) {
		struct bundle_entry e = { b->e[i].kind, b->e[i].reserved, b->e[i].len };

		if (off)
			off[i] = out->n;
		bytes_put(out, &e, sizeof e);
		bytes_put(out, b->e[i].data, b->e[i].len);
		bytes_put(out, zeros, (8 - b->e[i].len % 8) % 8);
	}
	if (off)
		off[b->n] = out->n;
	put_u64(out, HDR_SIZE, out->n);
}

/* The base bundle: our own writer's output, but checked all the same. */
int bundle_read(const uint8_t *p, size_t n, struct bundle *b)
{
	struct bundle_header h;
	size_t off = sizeof h;

	memset(b, 0, sizeof *b);
	if (n < sizeof h)
		return -1;
	memcpy(&h, p, sizeof h);
	if (memcmp(h.magic, BUNDLE_MAGIC, 8) || h.size != n)
		return -1;
	for (uint32_t i = 0; i < h.count; i++) {
		struct bundle_entry e;

		if (n - off < sizeof e)
			return -1;
		memcpy(&e, p + off, sizeof e);
		off += sizeof e;
		if (e.len > n - off)
			return -1;
		bundle_insert(b, b->n, e.kind, p + off, e.len);
		b->e[b->n - 1].reserved = e.reserved;
		off += (e.len + 7) & ~7ull;
	}
	return off == n ? 0 : -1;
}

/* ---- the manifest ------------------------------------------------------------ */

char *mf_text(const struct bundle *b)
{
	long i = bundle_find(b, BUNDLE_MANIFEST, 0);
	char *s;

	if (i < 0)
		return strdup("");
	s = xmalloc(b->e[i].len + 1);
	memcpy(s, b->e[i].data, b->e[i].len);
	s[b->e[i].len] = 0;
	return s;
}

void mf_set(struct bundle *b, const char *text)
{
	long i = bundle_find(b, BUNDLE_MANIFEST, 0);

	if (i >= 0)
		ent_set(&b->e[i], text, strlen(text));
}

unsigned mf_nlines(const struct bundle *b)
{
	char *t = mf_text(b);
	unsigned n = 0;
	size_t len = strlen(t);

	for (size_t i = 0; i < len; i++)
		n += t[i] == '\n';
	if (len && t[len - 1] != '\n')
		n++;
	free(t);
	return n;
}

unsigned mf_line_of(const struct bundle *b, const char *prefix)
{
	char *t = mf_text(b), *p = t;
	unsigned no = 0;

	while (*p) {
		char *nl = strchr(p, '\n');

		no++;
		if (!strncmp(p, prefix, strlen(prefix))) {
			free(t);
			return no;
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	free(t);
	return 0;
}

unsigned mf_append(struct bundle *b, const char *line)
{
	char *t = mf_text(b);
	struct bytes s = { 0 };

	bytes_put(&s, t, strlen(t));
	bytes_put(&s, line, strlen(line));
	bytes_put(&s, "\n", 2);
	mf_set(b, (char *)s.p);
	free(t);
	bytes_free(&s);
	return mf_nlines(b);
}

unsigned mf_replace(struct bundle *b, const char *prefix, const char *line)
{
	char *t = mf_text(b), *p = t;
	struct bytes s = { 0 };
	unsigned no = 0, found = 0;

	while (*p) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);

		no++;
		if (!found && !strncmp(p, prefix, strlen(prefix))) {
			found = no;
			if (line) {
				bytes_put(&s, line, strlen(line));
				bytes_put(&s, "\n", 1);
			}
		} else {
			bytes_put(&s, p, n);
		}
		p += n;
	}
	bytes_put(&s, "", 1);
	mf_set(b, (char *)s.p);
	free(t);
	bytes_free(&s);
	return found;
}

/* ---- mutants ----------------------------------------------------------------- */

void expect(struct mutant *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->expect, sizeof m->expect, fmt, ap);
	va_end(ap);
}

void describe(struct mutant *m, const char *fmt, ...)
{
	size_t n = strlen(m->desc);
	va_list ap;

	if (n && n + 2 < sizeof m->desc) {
		strcpy(m->desc + n, "; ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(m->desc + n, sizeof m->desc - n, fmt, ap);
	va_end(ap);
}

void mutant_finish(struct mutant *m)
{
	if (!m->written)
		bundle_write(&m->b, &m->out, NULL);
	m->written = true;
}

void mutant_free(struct mutant *m)
{
	bundle_drop(&m->b);
	bytes_free(&m->out);
}
