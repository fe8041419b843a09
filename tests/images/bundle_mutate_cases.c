/*
 * bundle_mutate_cases.c — the curated hostile images (bundle_mutate.h):
 * every field of the bundle header, of an entry header and of a node
 * header; every entry kind, once too often and missing; truncation at
 * each structure boundary (with the header's size left alone and with it
 * made to agree); huge counts and lengths; NUL bytes; invalid UTF-8 in
 * paths, targets, arguments and guest paths; nodes outside their tree;
 * the manifest with each key broken; and the kernel ELF the loader checks.
 *
 * Each case says the verdict it aims at, as hostile_images.sh spells
 * verdicts: "ran N" (the module ran and exited N), "bundle: WHY" (the
 * kernel's "wasmetal: invalid boot bundle: WHY"), "module: WHY",
 * "spec: WHY", "nobundle", "loader: WHY"; a final '*' matches any rest.
 * The base bundle (hostile_images.sh) is `wasmetal image` of
 * tests/images/image_prog.c with --dir DATA::/data (greeting.txt,
 * link.txt -> greeting.txt, sub/, sub/nested.txt), which exits 7.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bundle_mutate.h"
#include "loader.h"
#include "wasi.h"               /* WASI_NODE_* */

/* The base's entry (kind, nth) or its node (path); the base has them. */
static struct ent *ent_of(struct mutant *m, uint32_t kind, int nth)
{
	long i = bundle_find(&m->b, kind, nth);

	if (i < 0) {
		fprintf(stderr, "bundle_mutate: the base bundle has no entry of kind %u\n", kind);
		exit(2);
	}
	return &m->b.e[i];
}

static long node_of(struct mutant *m, const char *path)
{
	long i = node_find(&m->b, path);

	if (i < 0) {
		fprintf(stderr, "bundle_mutate: the base bundle has no node %s\n", path);
		exit(2);
	}
	return i;
}

/* Write m->b out now, with the entries' offsets (room for 64). */
static void write_now(struct mutant *m, size_t *off)
{
	if (m->b.n >= 64) {
		fprintf(stderr, "bundle_mutate: too many entries for write_now\n");
		exit(2);
	}
	bundle_write(&m->b, &m->out, off);
	m->written = true;
}

/* Cut the written bundle at `at`, the header's size made to agree. */
static void cut(struct mutant *m, size_t at)
{
	m->out.n = at;
	put_u64(&m->out, HDR_SIZE, at);
}

/* Replace node i by one with another preopen, kind, path or data. */
static void node_replace(struct mutant *m, long i, uint32_t preopen, uint32_t kind,
			 const char *path, size_t path_len, const void *data, size_t len)
{
	struct bytes n = { 0 };

	node_make(&n, preopen, kind, path, path_len, data, len);
	ent_set(&m->b.e[i], n.p, n.n);
	bytes_free(&n);
}

static void node_field(struct mutant *m, const char *path, size_t field, uint32_t v)
{
	struct ent *e = &m->b.e[node_of(m, path)];

	memcpy(e->data + field, &v, 4);
}

/* ---- the bundle header and the file ---------------------------------------- */

static void c_empty(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	m->written = true;              /* zero bytes */
	expect(m, "nobundle");
}

static void c_missing(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	m->written = m->missing = true;
	expect(m, "nobundle");
}

static void c_hdr_cut_12(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	write_now(m, NULL);
	m->out.n = 12;
	expect(m, "bundle: bundle smaller than its header");
}

static void c_hdr_magic(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	write_now(m, NULL);
	m->out.p[7] = '2';
	expect(m, "bundle: bad magic");
}

static void c_hdr_version(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	write_now(m, NULL);
	put_u32(&m->out, HDR_VERSION, 2);
	expect(m, "bundle: unsupported bundle version");
}

static void c_hdr_size(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	write_now(m, NULL);
	put_u64(&m->out, HDR_SIZE, strtoull(c->a, NULL, 0));
	expect(m, "bundle: %s", c->b);
}

static void c_hdr_count(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	write_now(m, NULL);
	put_u32(&m->out, HDR_COUNT, (uint32_t)strtoul(c->a, NULL, 0));
	expect(m, "bundle: %s", c->b);
}

static void c_hdr_only(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	while (m->b.n)
		bundle_delete(&m->b, 0);
	expect(m, "bundle: no module");
}

/* The file cut short in the module, the header's size left alone. */
static void c_file_cut(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	size_t off[64];

	write_now(m, off);
	m->out.n = off[1] + 16 + m->b.e[1].len / 2;
	expect(m, "bundle: header size larger than the bundle");
}

static void c_file_trailing(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	write_now(m, NULL);
	bytes_put(&m->out, "trailing garbage after the bundle's size", 40);
	expect(m, "ran 7");
}

/* ---- truncation at each boundary, the header's size agreeing --------------- */

/* c->a: where, relative to the first entry whose length is not a
 * multiple of 8 ("pad") or to entry N: "N+K" = K bytes into entry N. */
static void c_cut_at(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	size_t off[64], at;
	long i;

	write_now(m, off);
	if (!strcmp(c->a, "pad")) {
		for (i = 0; i < (long)m->b.n && m->b.e[i].len % 8 == 0; i++)
			;
		at = off[i] + 16 + m->b.e[i].len;
	} else if (!strcmp(c->a, "module-half")) {
		i = bundle_find(&m->b, BUNDLE_MODULE, 0);
		at = off[i] + 16 + m->b.e[i].len / 2;
	} else {
		char *plus;

		i = strtol(c->a, &plus, 10);
		at = off[i] + (*plus == '+' ? strtoul(plus + 1, NULL, 10) : 0);
	}
	cut(m, at);
	expect(m, "%s", c->b);
}

/* Only the manifest and the module: a shorter bundle, consistent. */
static void c_cut_nodes(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	while (m->b.n > 2)
		bundle_delete(&m->b, 2);
	expect(m, "ran 7");
}

/* ---- entry headers ------------------------------------------------------------- */

static void c_ent_len(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	size_t off[64];

	write_now(m, off);
	put_u64(&m->out, off[0] + ENT_LEN, strtoull(c->a, NULL, 0));
	expect(m, "%s", c->b);
}

/* The module's length 8 more: its next entry's header is read 8 bytes on. */
static void c_ent_len_shift(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	size_t off[64];
	long i = bundle_find(&m->b, BUNDLE_MODULE, 0);

	write_now(m, off);
	put_u64(&m->out, off[i] + ENT_LEN, m->b.e[i].len + 8);
	expect(m, "*");
}

static void c_ent_kind(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	ent_of(m, BUNDLE_MANIFEST, 0)->kind = 0;
	expect(m, "bundle: node of a preopen the manifest does not name");
}

static void c_ent_reserved(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	ent_of(m, BUNDLE_MODULE, 0)->reserved = 0xffffffffu;
	expect(m, "ran 7");
}

/* ---- entry kinds ----------------------------------------------------------------- */

/* Another entry of the kind numbered c->a (enum bundle_kind). */
static void c_dup_kind(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	uint32_t kind = (uint32_t)strtoul(c->a, NULL, 0);
	struct ent *e = ent_of(m, kind, 0);

	bundle_insert(&m->b, m->b.n, kind, e->data, e->len);
	expect(m, "bundle: %s", c->b);
}

static void c_no_module(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	bundle_delete(&m->b, (size_t)bundle_find(&m->b, BUNDLE_MODULE, 0));
	expect(m, "bundle: no module");
}

static void c_manifest_and_arg(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	bundle_insert(&m->b, 1, BUNDLE_ARG, "prog.wasm", 9);
	expect(m, "bundle: both a manifest and ARG/ENV/FLAGS entries");
}

/* The bundle from before the manifest: ARG, ENV, FLAGS; no trees.
 * c->a: which entry to spoil (NULL: none). */
static void c_legacy(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	uint32_t flags = 0;

	while (m->b.n > 2)
		bundle_delete(&m->b, 2);
	bundle_delete(&m->b, 0);        /* the manifest */
	bundle_insert(&m->b, 0, BUNDLE_ARG, "prog.wasm", 9);
	if (c->a && !strcmp(c->a, "nul"))
		bundle_insert(&m->b, 1, BUNDLE_ARG, "a\0b", 3);
	else
		bundle_insert(&m->b, 1, BUNDLE_ARG, "legacy", 6);
	bundle_insert(&m->b, 2, BUNDLE_ENV, "WHO=legacy", 10);
	bundle_insert(&m->b, 3, BUNDLE_FLAGS, &flags, c->a && !strcmp(c->a, "flags3") ? 3 : 4);
	expect(m, "%s", c->b);
}

static void c_unknown_kind(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	bundle_insert(&m->b, 1, 0x7777, "an entry of a kind from the future......", 40);
	expect(m, "ran 7");
}

/* A spec blob: c->a "with-module" (added) or "instead" (of the module),
 * or "two" (two of them, no module). */
static void c_spec(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	static const char junk[] = "WMSPEC00 not a spec blob at all";
	long i = bundle_find(&m->b, BUNDLE_MODULE, 0);

	if (strcmp(c->a, "with-module"))
		bundle_delete(&m->b, (size_t)i);
	bundle_insert(&m->b, m->b.n, BUNDLE_SPEC, junk, sizeof junk - 1);
	if (!strcmp(c->a, "two"))
		bundle_insert(&m->b, m->b.n, BUNDLE_SPEC, junk, sizeof junk - 1);
	expect(m, "%s", c->b);
}

static void c_manifest_nul(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	struct ent *e = ent_of(m, BUNDLE_MANIFEST, 0);

	e->data[e->len / 2] = 0;
	expect(m, "bundle: manifest contains a NUL byte");
}

static void c_manifest_big(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	size_t n = (16u << 20) + 1;
	char *t = mf_text(&m->b), *big = xmalloc(n + 1);
	size_t tl = strlen(t);

	memcpy(big, t, tl);
	memset(big + tl, ' ', n - tl);  /* blanks: a blank line */
	big[n] = 0;
	mf_set(&m->b, big);
	free(big);
	free(t);
	expect(m, "bundle: manifest too large");
}

/* The module's bytes: c->a "empty", "half" or "text". */
static void c_module(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	struct ent *e = ent_of(m, BUNDLE_MODULE, 0);

	if (!strcmp(c->a, "empty"))
		ent_set(e, "", 0);
	else if (!strcmp(c->a, "half"))
		e->len /= 2;
	else
		ent_set(e, "hello, not wasm", 15);
	expect(m, "module: *");
}

/* ---- node headers ------------------------------------------------------------------ */

/* c->a: field offset, c->b: value; on greeting.txt. */
static void c_node_field(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	node_field(m, "greeting.txt", strtoul(c->a, NULL, 0),
		   (uint32_t)strtoul(c->b, NULL, 0));
}

static void c_node_preopen(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	c_node_field(m, c, elf);
	expect(m, "bundle: node of a preopen the manifest does not name");
}

static void c_node_reserved(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	c_node_field(m, c, elf);
	expect(m, "bundle: node header: reserved field not 0");
}

static void c_node_path_len(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	c_node_field(m, c, elf);
	expect(m, "bundle: node path length out of range");
}

static void c_node_kind(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	c_node_field(m, c, elf);
	expect(m, "bundle: node of unknown kind");
}

/* path_len one short: the path's last byte is not its NUL. */
static void c_node_no_nul(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	struct ent *e = &m->b.e[node_of(m, "greeting.txt")];
	uint32_t pl = get_u32(e->data + NODE_PATH_LEN) - 1;

	memcpy(e->data + NODE_PATH_LEN, &pl, 4);
	expect(m, "bundle: node path not a clean relative path");
}

static void c_node_path_past(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	struct ent *e = &m->b.e[node_of(m, "greeting.txt")];
	uint32_t pl = (uint32_t)(e->len - sizeof(struct bundle_node) + 1);

	memcpy(e->data + NODE_PATH_LEN, &pl, 4);
	expect(m, "bundle: node path length out of range");
}

static void c_node_short(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	m->b.e[node_of(m, "greeting.txt")].len = 8;
	expect(m, "bundle: node entry shorter than its header");
}

/* sub/nested.txt renamed to c->a (\xHH escapes allowed), c->b expected. */
static void c_node_path(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	char path[5000];
	size_t n = 0;

	for (const char *p = c->a; *p && n < sizeof path - 1; p++) {
		if (p[0] == '\\' && p[1] == 'x') {
			path[n++] = (char)strtoul((char[]){ p[2], p[3], 0 }, NULL, 16);
			p += 3;
		} else {
			path[n++] = *p;
		}
	}
	node_replace(m, node_of(m, "sub/nested.txt"), 0, WASI_NODE_FILE, path, n, "x\n", 2);
	expect(m, "%s", c->b);
}

/* A name of c->a bytes (NAME_MAX is 255), or a path of that many. */
static void c_node_long(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	size_t n = strtoul(c->a, NULL, 0);
	char *path = xmalloc(n + 1);

	memset(path, 'a', n);
	if (strchr(c->a, '/'))          /* "N/": components of 100 */
		for (size_t i = 100; i < n; i += 101)
			path[i] = '/';
	node_replace(m, node_of(m, "sub/nested.txt"), 0, WASI_NODE_FILE, path, n, "x\n", 2);
	free(path);
	expect(m, "%s", c->b);
}

static void c_node_dir_data(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	node_replace(m, node_of(m, "sub"), 0, WASI_NODE_DIR, "sub", 3, "data", 4);
	expect(m, "bundle: directory node with data");
}

/* link.txt pointing at c->a (\xHH escapes allowed; "" = empty). */
static void c_node_target(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	char t[256];
	size_t n = 0;

	for (const char *p = c->a; *p && n < sizeof t; p++) {
		if (p[0] == '\\' && p[1] == 'x') {
			t[n++] = (char)strtoul((char[]){ p[2], p[3], 0 }, NULL, 16);
			p += 3;
		} else {
			t[n++] = *p;
		}
	}
	node_replace(m, node_of(m, "link.txt"), 0, WASI_NODE_SYMLINK, "link.txt", 8, t, n);
	expect(m, "%s", c->b);
}

static void c_node_before_parent(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	long d = node_of(m, "sub"), f = node_of(m, "sub/nested.txt");
	struct ent t = m->b.e[d];

	m->b.e[d] = m->b.e[f];
	m->b.e[f] = t;
	expect(m, "bundle: a node's directory is missing or comes after it");
}

static void c_node_parent_file(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	struct bytes n = { 0 };

	node_make(&n, 0, WASI_NODE_FILE, "greeting.txt/x", 14, "x", 1);
	bundle_insert(&m->b, m->b.n, BUNDLE_NODE, n.p, n.n);
	bytes_free(&n);
	expect(m, "bundle: a node's directory is missing or comes after it");
}

static void c_node_dup(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	struct ent *e = &m->b.e[node_of(m, "greeting.txt")];

	bundle_insert(&m->b, m->b.n, BUNDLE_NODE, e->data, e->len);
	expect(m, "bundle: the same path twice in one tree");
}

/* 100,000 files in one directory: the trees' hash table and the VFS. */
static void c_node_many(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	for (unsigned i = 0; i < 100000; i++) {
		struct bytes n = { 0 };
		char path[32];
		int len = snprintf(path, sizeof path, "sub/f%06u", i);

		node_make(&n, 0, WASI_NODE_FILE, path, (size_t)len, "", 0);
		bundle_insert(&m->b, m->b.n, BUNDLE_NODE, n.p, n.n);
		bytes_free(&n);
	}
	expect(m, "ran 7");
}

/* ---- the manifest ------------------------------------------------------------------- */

/* Append the line c->a (\n separates several); c->b: what the last one
 * breaks ("ran 7" if nothing). */
static void c_mf_append(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	char *lines = strdup(c->a), *save = NULL;
	unsigned line = 0;

	for (char *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		line = mf_append(&m->b, l);
	free(lines);
	if (!strncmp(c->b, "ran", 3) || !strncmp(c->b, "setup: ", 7))
		expect(m, "%s", c->b);
	else if (!strncmp(c->b, "end: ", 5))    /* found after the last line */
		expect(m, "bundle: manifest line %u: %s", mf_nlines(&m->b), c->b + 5);
	else
		expect(m, "bundle: manifest line %u: %s", line, c->b);
}

/* Replace the line starting with c->a by c->b's first line ("-": delete
 * it); c->b after its '\n': what that breaks. */
static void c_mf_replace(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	const char *nl = strchr(c->b, '\n');
	char *with = strndup(c->b, (size_t)(nl - c->b));
	unsigned line = mf_replace(&m->b, c->a, strcmp(with, "-") ? with : NULL);

	free(with);
	if (!strncmp(nl + 1, "ran", 3))
		expect(m, "%s", nl + 1);
	else
		expect(m, "bundle: manifest line %u: %s", line, nl + 1);
}

static void c_mf_no_header(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	mf_replace(&m->b, "wasmetal-manifest ", NULL);
	expect(m, "bundle: manifest line %u: the manifest must start with "
	       "`wasmetal-manifest 1`", mf_line_of(&m->b, "console "));
}

/* Lines of one kind until there are N of them (arg and env count
 * together), the last one past a limit: c->a "N FORMAT" (%u: the copy's
 * number), c->b the limit's message. */
static void c_mf_many(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	unsigned n = (unsigned)strtoul(c->a, NULL, 10), have = 0, line = 0;
	const char *fmt = strchr(c->a, ' ') + 1;
	size_t klen = strcspn(fmt, " ") + 1;    /* the key and its blank */
	char *t = mf_text(&m->b);
	bool strings = !strncmp(fmt, "arg ", 4) || !strncmp(fmt, "env ", 4);

	for (char *p = t; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		have += strings ? !strncmp(p, "arg ", 4) || !strncmp(p, "env ", 4)
				: !strncmp(p, fmt, klen);
	free(t);
	for (unsigned i = have; i < n; i++) {
		char l[128];

		snprintf(l, sizeof l, fmt, i + 1);
		line = mf_append(&m->b, l);
	}
	expect(m, "bundle: manifest line %u: %s", line, c->b);
}

static void c_mf_long_arg(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	size_t n = (1u << 20) + 1;
	char *l = xmalloc(n + 8);

	memcpy(l, "arg ", 4);
	memset(l + 4, 'a', n);
	l[4 + n] = 0;
	expect(m, "bundle: manifest line %u: a value is too long", mf_append(&m->b, l));
	free(l);
}

/* Raw bytes (not escapes) in a line: c->a with \xHH decoded; a preopen
 * line replaces the base's. */
static void c_mf_raw(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	char l[256];
	size_t n = 0;
	unsigned line;

	for (const char *p = c->a; *p && n < sizeof l - 1; p++) {
		if (p[0] == '\\' && p[1] == 'x') {
			l[n++] = (char)strtoul((char[]){ p[2], p[3], 0 }, NULL, 16);
			p += 3;
		} else {
			l[n++] = *p;
		}
	}
	l[n] = 0;
	if (!strncmp(l, "preopen ", 8))
		line = mf_replace(&m->b, "preopen ", l);
	else
		line = mf_append(&m->b, l);
	if (!strncmp(c->b, "ran", 3))
		expect(m, "%s", c->b);
	else
		expect(m, "bundle: manifest line %u: %s", line, c->b);
}

static void c_mf_crlf(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	char *t = mf_text(&m->b);
	struct bytes s = { 0 };

	for (char *p = t; *p; p++)
		bytes_put(&s, *p == '\n' ? "\r\n" : p, *p == '\n' ? 2 : 1);
	if (!strcmp(c->a, "no-final-newline"))
		s.n -= 2;
	bytes_put(&s, "", 1);
	mf_set(&m->b, (char *)s.p);
	bytes_free(&s);
	free(t);
	expect(m, "ran 7");
}

/* `log none` and a node of no preopen: the message on the console only,
 * the status through isa-debug-exit only. */
static void c_mf_log_none(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	mf_replace(&m->b, "log ", "log none");
	node_field(m, "greeting.txt", NODE_PREOPEN, 1);
	expect(m, "bundle: node of a preopen the manifest does not name");
}

/* ---- the kernel ELF ---------------------------------------------------------------- */

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static uint8_t *elf_copy_of(struct mutant *m, const struct bytes *elf)
{
	bytes_put(&m->out, elf->p, elf->n);
	m->written = true;
	return m->out.p;
}

/* The last PT_LOAD's program header (the file is our own linker's). */
static struct phdr *last_load(uint8_t *p)
{
	uint64_t phoff;
	uint16_t phnum;
	struct phdr *ph, *last = NULL;

	memcpy(&phoff, p + 32, 8);
	memcpy(&phnum, p + 56, 2);
	ph = (struct phdr *)(p + phoff);
	for (unsigned i = 0; i < phnum; i++)
		if (ph[i].type == 1)
			last = &ph[i];
	return last;
}

/* c->a: what to do; c->b: the loader's message (the hosted elf_check
 * says the same, or the loader's own checks do: see elf-check). */
static void c_elf(struct mutant *m, const struct mcase *c, const struct bytes *elf)
{
	uint8_t *p;
	struct phdr *ph;

	m->target = TARGET_ELF;
	if (!strcmp(c->a, "missing")) {
		m->written = m->missing = true;
	} else if (!strcmp(c->a, "empty")) {
		m->written = true;
	} else if (!strcmp(c->a, "cut-100")) {
		elf_copy_of(m, elf);
		m->out.n = 100;
	} else {
		p = elf_copy_of(m, elf);
		ph = (struct phdr *)(p + 64);
		if (!strcmp(c->a, "magic"))
			p[1] = 'X';
		else if (!strcmp(c->a, "phnum-0"))
			memset(p + 56, 0, 2);
		else if (!strcmp(c->a, "phoff-huge"))
			memset(p + 32, 0xff, 8);
		else if (!strcmp(c->a, "entry"))
			memset(p + 24, 0, 8);
		else if (!strcmp(c->a, "wx"))
			ph->flags |= 2;
		else if (!strcmp(c->a, "filesz"))
			ph->filesz = ph->memsz + 1;
		else if (!strcmp(c->a, "memsz-1g"))     /* valid, but no room */
			{
			ph = last_load(p);
			ph->memsz = KERNEL_MAX_SPAN - (ph->vaddr - KERNEL_VMA);
		}
	}
	expect(m, "loader: %s", c->b);
}

/* ---- the table ---------------------------------------------------------------------- */

#define T true
#define F false
#define B TARGET_BUNDLE
#define E TARGET_ELF
#define STR(x) #x
#define XSTR(x) STR(x)

/* T: booted by `make test`, one case for each way a boot can end (no
 * bundle, the header, a cut, an entry header, a node, the manifest's
 * syntax and limits, the module, the spec blob, WASI setup, the loader),
 * a dozen boots with the control; the rest (F) by `make hostile-images`.
 * tests/unit/test_bundle_mutants.c parses every bundle case, T or F. */
const struct mcase mutate_cases[] = {
	/* the file and the bundle header */
	{ "file-empty", T, B, c_empty, NULL, NULL },
	{ "file-missing", F, B, c_missing, NULL, NULL },
	{ "file-cut-in-module", F, B, c_file_cut, NULL, NULL },
	{ "file-trailing-garbage", F, B, c_file_trailing, NULL, NULL },
	{ "hdr-cut-12", F, B, c_hdr_cut_12, NULL, NULL },
	{ "hdr-bad-magic", F, B, c_hdr_magic, NULL, NULL },
	{ "hdr-version-2", F, B, c_hdr_version, NULL, NULL },
	{ "hdr-size-huge", T, B, c_hdr_size, "0xffffffffffffffff",
	  "header size larger than the bundle" },
	{ "hdr-size-below-header", F, B, c_hdr_size, "8", "header size smaller than the header" },
	{ "hdr-count-huge", F, B, c_hdr_count, "0xffffffff",
	  "fewer entries than the header's count" },
	{ "hdr-count-zero", F, B, c_hdr_count, "0", "data after the last entry" },
	{ "hdr-only", F, B, c_hdr_only, NULL, NULL },
	/* truncation at each boundary, the size made to agree */
	{ "cut-in-entry-header", F, B, c_cut_at, "0+8", "bundle: truncated entry header" },
	{ "cut-after-entry-header", F, B, c_cut_at, "0+16",
	  "bundle: entry length past the end of the bundle" },
	{ "cut-in-padding", T, B, c_cut_at, "pad",
	  "bundle: entry padding past the end of the bundle" },
	{ "cut-after-manifest", F, B, c_cut_at, "1", "bundle: fewer entries than the header's count" },
	{ "cut-in-module", F, B, c_cut_at, "module-half",
	  "bundle: entry length past the end of the bundle" },
	{ "cut-before-nodes", F, B, c_cut_at, "2", "bundle: fewer entries than the header's count" },
	{ "cut-nodes-consistent", F, B, c_cut_nodes, NULL, NULL },
	/* entry headers */
	{ "ent-len-huge", T, B, c_ent_len, "0xffffffffffffffff",
	  "bundle: entry length past the end of the bundle" },
	{ "ent-len-2^63", F, B, c_ent_len, "0x8000000000000000",
	  "bundle: entry length past the end of the bundle" },
	{ "ent-len-shift", F, B, c_ent_len_shift, NULL, NULL },
	{ "ent-kind-0", F, B, c_ent_kind, NULL, NULL },
	{ "ent-reserved", F, B, c_ent_reserved, NULL, NULL },
	/* entry kinds */
	{ "kind-two-modules", F, B, c_dup_kind, "1", "more than one module" },
	{ "kind-two-manifests", F, B, c_dup_kind, "6", "more than one manifest" },
	{ "kind-no-module", F, B, c_no_module, NULL, NULL },
	{ "kind-manifest-and-arg", F, B, c_manifest_and_arg, NULL, NULL },
	{ "kind-legacy", F, B, c_legacy, NULL, "ran 7" },
	{ "kind-legacy-arg-nul", F, B, c_legacy, "nul",
	  "bundle: argument or environment string too long or has NUL" },
	{ "kind-legacy-flags-3", F, B, c_legacy, "flags3", "bundle: flags entry is not 4 bytes" },
	{ "kind-unknown", F, B, c_unknown_kind, NULL, NULL },
	{ "kind-spec-and-module", F, B, c_spec, "with-module",
	  "bundle: both a module and a spec blob" },
	{ "kind-spec-garbage", T, B, c_spec, "instead", "spec: not a spec blob (bad magic)" },
	{ "kind-two-specs", F, B, c_spec, "two", "bundle: more than one spec blob" },
	{ "kind-manifest-nul", F, B, c_manifest_nul, NULL, NULL },
	{ "kind-manifest-16mib", F, B, c_manifest_big, NULL, NULL },
	{ "module-empty", T, B, c_module, "empty", NULL },
	{ "module-half", F, B, c_module, "half", NULL },
	{ "module-not-wasm", F, B, c_module, "text", NULL },
	/* node headers and paths */
	{ "node-preopen-7", F, B, c_node_preopen, XSTR(NODE_PREOPEN), "7" },
	{ "node-preopen-huge", F, B, c_node_preopen, XSTR(NODE_PREOPEN), "0xffffffff" },
	{ "node-reserved", F, B, c_node_reserved, XSTR(NODE_RESERVED), "1" },
	{ "node-path-len-huge", F, B, c_node_path_len, XSTR(NODE_PATH_LEN), "0xffffffff" },
	{ "node-path-len-1", F, B, c_node_path_len, XSTR(NODE_PATH_LEN), "1" },
	{ "node-path-len-past-entry", F, B, c_node_path_past, NULL, NULL },
	{ "node-path-no-nul", F, B, c_node_no_nul, NULL, NULL },
	{ "node-short", F, B, c_node_short, NULL, NULL },
	{ "node-kind-9", F, B, c_node_kind, XSTR(NODE_KIND), "9" },
	{ "node-kind-0x101", F, B, c_node_kind, XSTR(NODE_KIND), "0x101" },
	{ "node-path-dotdot", T, B, c_node_path, "../escape.txt",
	  "bundle: node path not a clean relative path" },
	{ "node-path-absolute", F, B, c_node_path, "/etc/passwd",
	  "bundle: node path not a clean relative path" },
	{ "node-path-trailing-slash", F, B, c_node_path, "sub/",
	  "bundle: node path not a clean relative path" },
	{ "node-path-nul-inside", F, B, c_node_path, "sub/a\\x00b",
	  "bundle: node path not a clean relative path" },
	{ "node-path-not-utf8", F, B, c_node_path, "sub/bad\\xff\\xfe.txt",
	  "bundle: node path is not UTF-8" },
	{ "node-path-overlong-utf8", F, B, c_node_path, "sub/\\xc0\\xaf",
	  "bundle: node path is not UTF-8" },
	{ "node-name-256", F, B, c_node_long, "256", "bundle: node path has a name longer than 255 bytes" },
	{ "node-name-255", F, B, c_node_long, "255", "ran 7" },
	{ "node-path-4097", F, B, c_node_long, "4097/", "bundle: node path length out of range" },
	{ "node-dir-with-data", F, B, c_node_dir_data, NULL, NULL },
	{ "node-symlink-empty", F, B, c_node_target, "",
	  "bundle: symlink target empty, too long, with NUL or not UTF-8" },
	{ "node-symlink-not-utf8", F, B, c_node_target, "greeting\\xff.txt",
	  "bundle: symlink target empty, too long, with NUL or not UTF-8" },
	{ "node-symlink-escape", F, B, c_node_target, "../../../../etc/passwd", "ran 7" },
	{ "node-before-parent", F, B, c_node_before_parent, NULL, NULL },
	{ "node-parent-is-file", F, B, c_node_parent_file, NULL, NULL },
	{ "node-duplicate", F, B, c_node_dup, NULL, NULL },
	{ "node-100k-files", F, B, c_node_many, NULL, NULL },
	/* the manifest, each key broken */
	{ "mf-no-header", F, B, c_mf_no_header, NULL, NULL },
	{ "mf-version-2", F, B, c_mf_replace, "wasmetal-manifest ",
	  "wasmetal-manifest 2\nunsupported manifest version" },
	{ "mf-unknown-key", T, B, c_mf_append, "colour red", "unknown key" },
	{ "mf-bad-key", F, B, c_mf_append, "Console com1",
	  "bad key (lower-case letters, digits and '-')" },
	{ "mf-console-com3", F, B, c_mf_replace, "console ",
	  "console com3\nconsole wants com1 or com2" },
	{ "mf-log-twice", F, B, c_mf_append, "log com2", "a setting given twice" },
	{ "mf-verbose-maybe", F, B, c_mf_replace, "verbose ",
	  "verbose maybe\nverbose wants yes or no" },
	{ "mf-unterminated", F, B, c_mf_append, "arg \"abc", "unterminated string" },
	{ "mf-bad-escape", F, B, c_mf_append, "arg \"\\q\"",
	  "unknown escape (\\\\ \\\" \\n \\t \\r \\xHH)" },
	{ "mf-escape-x00", F, B, c_mf_append, "arg \"a\\x00b\"", "\\x00: strings cannot hold NUL" },
	{ "mf-escape-x-short", F, B, c_mf_append, "arg \"\\x4\"", "\\x needs two hex digits" },
	{ "mf-control-char", F, B, c_mf_raw, "arg \"a\\x01b\"",
	  "control character in a string (use an escape)" },
	{ "mf-text-after-value", F, B, c_mf_append, "arg a b",
	  "text after the value (quote values with spaces)" },
	{ "mf-value-missing", F, B, c_mf_append, "arg", "a value is missing" },
	{ "mf-env-no-equals", F, B, c_mf_append, "env \"NOVALUE\"", "env wants \"NAME=VALUE\"" },
	{ "mf-preopen-empty", F, B, c_mf_append, "preopen \"\"", "a preopen's guest path is empty" },
	{ "mf-preopen-65", F, B, c_mf_many, "65 preopen \"/p%u\"", "too many preopened directories" },
	{ "mf-args-4097", T, B, c_mf_many, "4097 arg \"x%u\"",
	  "too many arguments/environment strings" },
	{ "mf-arg-1mib", F, B, c_mf_long_arg, NULL, NULL },
	{ "mf-tcplisten-no-port", F, B, c_mf_append, "tcplisten 1.2.3.4",
	  "the port is missing; want ADDR:PORT" },
	{ "mf-addr-pool-host-bits", F, B, c_mf_append, "addr-pool 10.0.0.1/8",
	  "the address has bits set past the prefix length "
	  "(write the network address, e.g. 10.0.0.0/8)" },
	{ "mf-allow-resolve-dots", F, B, c_mf_append, "allow-resolve a..b",
	  "empty label (\"..\" or a leading '.')" },
	{ "mf-grant-too-long", F, B, c_mf_append,
	  "allow-resolve aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "a network grant is too long" },
	{ "mf-tcplisten-257", F, B, c_mf_many, "257 tcplisten 127.0.0.1:%u",
	  "too many tcplisten lines" },
	{ "mf-net-wifi", F, B, c_mf_append, "net wifi", "net wants dhcp, static or none" },
	{ "mf-net-quoted", F, B, c_mf_append, "net \"dhcp\"", "a network setting wants a bare value" },
	{ "mf-address-without-static", F, B, c_mf_append, "address 10.0.0.2/24",
	  "end: address and gateway need net static" },
	{ "mf-static-without-address", F, B, c_mf_append, "net static",
	  "end: net static needs an address line" },
	{ "mf-dns-3", F, B, c_mf_append, "net dhcp\ndns 1.1.1.1\ndns 8.8.8.8\ndns ::1",
	  "too many dns servers (at most 2)" },
	{ "mf-httpd-port-0", F, B, c_mf_append, "net dhcp\nkernel-httpd 0:10",
	  "kernel-httpd wants PORT:SIZE (1..65535, bytes <= 2^40)" },
	{ "mf-net-dhcp-no-nic", F, B, c_mf_append, "net dhcp", "ran 7" },
	{ "mf-httpd-no-nic", F, B, c_mf_append, "net dhcp\nkernel-httpd 8080:100", "ran *" },
	{ "mf-tcplisten-no-nic", T, B, c_mf_append, "tcplisten 0.0.0.0:8080",
	  "setup: --tcplisten 0.0.0.0:8080: cannot listen: ENETDOWN" },
	{ "mf-crlf", F, B, c_mf_crlf, "", NULL },
	{ "mf-crlf-no-final-newline", F, B, c_mf_crlf, "no-final-newline", NULL },
	{ "mf-arg-not-utf8", F, B, c_mf_raw, "arg \"\\xff\\xfe\\xc0\"", "ran 7" },
	{ "mf-preopen-not-utf8", F, B, c_mf_raw, "preopen \"/d\\xffta\"", "ran 7" },
	{ "mf-log-none-bad-node", F, B, c_mf_log_none, NULL, NULL },
	{ "mf-console-and-log-com1", F, B, c_mf_replace, "log ", "log com1\nran 7" },
	/* the kernel ELF */
	{ "elf-cut-100", F, E, c_elf, "cut-100",
	  "kernel.elf rejected: program headers extend past the end of the file" },
	{ "elf-wx-segment", T, E, c_elf, "wx",
	  "kernel.elf rejected: segment both writable and executable (W^X)" },
	{ "elf-memsz-1gib", F, E, c_elf, "memsz-1g", "no memory for the kernel image: Out of Resources" },
	{ "elf-missing", F, E, c_elf, "missing", "\\wasmetal\\kernel.elf: Not Found" },
	{ "elf-empty", F, E, c_elf, "empty", "kernel.elf: empty or larger than 1 GiB: Load Error" },
	{ "elf-bad-magic", F, E, c_elf, "magic", "kernel.elf rejected: not an ELF file (bad magic)" },
	{ "elf-phnum-0", F, E, c_elf, "phnum-0", "kernel.elf rejected: no program headers" },
	{ "elf-phoff-huge", F, E, c_elf, "phoff-huge",
	  "kernel.elf rejected: program headers extend past the end of the file" },
	{ "elf-entry-0", F, E, c_elf, "entry",
	  "kernel.elf rejected: entry point not in an executable segment" },
	{ "elf-filesz-over-memsz", F, E, c_elf, "filesz",
	  "kernel.elf rejected: segment p_filesz > p_memsz" },
};

const size_t mutate_ncases = sizeof mutate_cases / sizeof mutate_cases[0];
