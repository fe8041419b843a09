/*
 * bundle_mutate.h — the generator of hostile images for
 * tests/images/hostile_images.sh (its commands: bundle_mutate_main.c) and
 * of the hosted sweep tests/unit/test_bundle_mutants.c: a boot bundle
 * (images/bundle.h) held as a list of entries that the cases edit,
 * written back with the header a writer would give it (and then, when a
 * case wants, a wrong one); the curated cases (bundle_mutate_cases.c) and
 * the random ones (bundle_mutate_random.c); the kernel ELF the loader
 * checks (boot/elf.c, built into the command to say what the loader will
 * say).
 *
 * The generator is not the judge of the bundles: the script boots each
 * mutant and asks `wasmetal inspect` too.  A case only says what it aims
 * at (its expected verdict), so that a mutant refused for some other,
 * earlier reason does not pass unnoticed.
 */
#ifndef BUNDLE_MUTATE_H
#define BUNDLE_MUTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bundle.h"

/* Offsets in struct bundle_header / bundle_entry / bundle_node. */
#define HDR_VERSION 8
#define HDR_COUNT   12
#define HDR_SIZE    16
#define ENT_KIND    0
#define ENT_LEN     8
#define NODE_PREOPEN  0
#define NODE_KIND     4
#define NODE_PATH_LEN 8
#define NODE_RESERVED 12

struct bytes {
	uint8_t *p;
	size_t n, cap;
};

struct ent {
	uint32_t kind, reserved;
	uint8_t *data;          /* malloc'd */
	size_t len;
};

struct bundle {
	struct ent *e;          /* malloc'd, n used of cap */
	size_t n, cap;
};

/* ---- bundle_mutate.c: bytes, entries, the manifest ------------------------ */

void *xmalloc(size_t n);
void bytes_put(struct bytes *b, const void *p, size_t n);
void bytes_free(struct bytes *b);
void put_u32(struct bytes *b, size_t off, uint32_t v);
void put_u64(struct bytes *b, size_t off, uint64_t v);
uint32_t get_u32(const uint8_t *p);

/* Entries of a well-formed bundle (the base: our writer's output): 0, or
 * -1 if it is not one. */
int bundle_read(const uint8_t *p, size_t n, struct bundle *b);
void bundle_clone(const struct bundle *from, struct bundle *to);
void bundle_drop(struct bundle *b);
/* Insert an entry (a copy of data) before index i (i == n: append). */
void bundle_insert(struct bundle *b, size_t i, uint32_t kind, const void *data,
		   size_t len);
void bundle_delete(struct bundle *b, size_t i);
/* Index of the nth (from 0) entry of a kind, or -1. */
long bundle_find(const struct bundle *b, uint32_t kind, int nth);
/* Index of the node entry with this path, or -1. */
long node_find(const struct bundle *b, const char *path);
/* A node entry's data: struct bundle_node, path + NUL, contents. */
void node_make(struct bytes *out, uint32_t preopen, uint32_t kind, const char *path,
	       size_t path_len, const void *data, size_t len);
void ent_set(struct ent *e, const void *data, size_t len);
/* Serialize with the right header, count and padding; off[i] (if not
 * NULL, room for n + 1) = where entry i starts, off[n] = the end. */
void bundle_write(const struct bundle *b, struct bytes *out, size_t *off);

/* The manifest (the first BUNDLE_MANIFEST entry) as a C string. */
char *mf_text(const struct bundle *b);
void mf_set(struct bundle *b, const char *text);
/* Append a line; returns its line number (manifest.c counts from 1). */
unsigned mf_append(struct bundle *b, const char *line);
/* Replace (NULL: delete) the first line starting with prefix; returns
 * its line number, 0 if there is none. */
unsigned mf_replace(struct bundle *b, const char *prefix, const char *line);
/* The number of the first line starting with prefix, 0 if none. */
unsigned mf_line_of(const struct bundle *b, const char *prefix);
/* The number of lines of the manifest (its last line's number). */
unsigned mf_nlines(const struct bundle *b);

/* ---- a generated mutant ---------------------------------------------------- */

enum target { TARGET_BUNDLE, TARGET_ELF };

struct mutant {
	struct bundle b;                /* edited by bundle cases */
	struct bytes out;               /* written by the case, or from b */
	bool written;                   /* out is final */
	bool missing;                   /* the file is deleted from the ESP */
	enum target target;
	char expect[1024];              /* the verdict the case aims at */
	char desc[1024];                /* random mutants: what was done */
};

/* printf into m->expect / m->desc. */
void expect(struct mutant *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void describe(struct mutant *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* m->out from m->b, unless the case wrote it already. */
void mutant_finish(struct mutant *m);
void mutant_free(struct mutant *m);

/* ---- bundle_mutate_cases.c ------------------------------------------------- */

struct mcase {
	const char *name;
	bool in_test;                   /* part of `make test` (else: the
					   full run only) */
	enum target target;
	void (*make)(struct mutant *m, const struct mcase *c,
		     const struct bytes *elf);
	const char *a, *b;              /* the case's parameters (e.g. a
					   manifest line and what it breaks) */
};

extern const struct mcase mutate_cases[];
extern const size_t mutate_ncases;

/* ---- bundle_mutate_random.c ------------------------------------------------ */

/* Mutant number i of seed: a copy of base with 1..3 random edits. */
void mutate_random(struct mutant *m, const struct bundle *base, uint64_t seed,
		   unsigned i);

#endif
