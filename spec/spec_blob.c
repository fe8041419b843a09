/*
 * spec_blob.c — write and read the spec blob (format in spec_blob.h).
 * The writer runs on the host; the reader in the kernel, on bytes it must
 * not trust: a cursor that refuses to move past the end, counts bounded by
 * the bytes left (each element takes at least min bytes), every enum
 * checked, every module index in range.
 */
#include <stdlib.h>
#include <string.h>

#include "spec_blob.h"

#define STR_ABSENT 0xffffffffu
#define VALUE_SIZE 22                   /* u8 type, u8 kind, u64 bits, u64 hi,
					   u8 lane_bits, lane_float, nan_canon,
					   nan_arith */
#define MODULE_MIN 1                    /* a text module: flags only */
#define CMD_MIN (1 + 4 + 4 + 3 * 4 + 1 + 2 * 4 + 4 + 4)

/* ---- writing ------------------------------------------------------------------ */

static void put(struct spec_blob_writer *w, const void *p, size_t n)
{
	if (w->oom || !n)
		return;
	if (w->cap - w->len < n) {
		size_t cap = w->cap ? w->cap : 65536;
		uint8_t *d;

		while (cap - w->len < n && cap < SIZE_MAX / 2)
			cap *= 2;
		if (cap - w->len < n || !(d = realloc(w->data, cap))) {
			w->oom = 1;
			return;
		}
		w->data = d;
		w->cap = cap;
	}
	memcpy(w->data + w->len, p, n);
	w->len += n;
}

static void put_u8(struct spec_blob_writer *w, uint8_t v) { put(w, &v, 1); }

static void put_u32(struct spec_blob_writer *w, uint32_t v)
{
	uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

	put(w, b, 4);
}

static void put_u64(struct spec_blob_writer *w, uint64_t v)
{
	put_u32(w, (uint32_t)v);
	put_u32(w, (uint32_t)(v >> 32));
}

static void put_bytes(struct spec_blob_writer *w, const void *p, size_t n)
{
	if (n >= STR_ABSENT) {
		w->oom = 1;
		return;
	}
	put_u32(w, (uint32_t)n);
	put(w, p, n);
}

static void put_str(struct spec_blob_writer *w, const char *s)
{
	if (s)
		put_bytes(w, s, strlen(s));
	else
		put_u32(w, STR_ABSENT);
}

static void put_values(struct spec_blob_writer *w, uint32_t n,
		       const struct spec_value *v)
{
	put_u32(w, n);
	for (uint32_t i = 0; i < n; i++) {
		put_u8(w, v[i].type);
		put_u8(w, v[i].kind);
		put_u64(w, v[i].bits);
		put_u64(w, v[i].hi);
		put_u8(w, v[i].lane_bits);
		put_u8(w, v[i].lane_float);
		put_u8(w, v[i].nan_canon);
		put_u8(w, v[i].nan_arith);
	}
}

static void put_cmd(struct spec_blob_writer *w, const struct spec_cmd *c)
{
	const struct spec_action *a = &c->action;

	put_u8(w, c->kind);
	put_u32(w, c->line);
	put_u32(w, (uint32_t)c->module);
	put_str(w, c->name);
	put_str(w, c->as);
	put_str(w, c->text);
	put_u8(w, a->kind);
	put_str(w, a->module);
	if (a->field)
		put_bytes(w, a->field, a->field_len);
	else
		put_u32(w, STR_ABSENT);
	put_values(w, a->nargs, a->args);
	put_values(w, c->nexpected * (c->neither ? c->neither : 1), c->expected);
	put_u32(w, c->neither);
}

void spec_blob_begin(struct spec_blob_writer *w, uint32_t flags)
{
	memset(w, 0, sizeof *w);
	put(w, SPEC_BLOB_MAGIC, 8);
	put_u32(w, SPEC_BLOB_VERSION);
	put_u32(w, flags);
	put_u32(w, 0);                  /* nfiles, patched by spec_blob_end */
	put_u32(w, 0);
	put_u64(w, 0);                  /* size, likewise */
}

static void patch_u64(struct spec_blob_writer *w, size_t at, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		w->data[at + i] = (uint8_t)(v >> (8 * i));
}

void spec_blob_add(struct spec_blob_writer *w, const struct spec_file *f)
{
	size_t start = w->len;

	put_u64(w, 0);                  /* record length, patched below */
	put_str(w, f->name);
	put_str(w, f->wast);
	put_str(w, f->error);
	put_u32(w, f->nmodules);
	put_u32(w, f->ncmds);
	for (uint32_t i = 0; i < f->nmodules; i++) {
		const struct spec_module *m = &f->modules[i];

		if (m->error) {
			put_u8(w, 2);
			put_str(w, m->error);
		} else if (m->text || !m->bytes) {
			put_u8(w, 1);
		} else if (m->artifact) {
			put_u8(w, 3);
			put_bytes(w, m->bytes, m->len);
		} else {
			put_u8(w, 0);
			put_bytes(w, m->bytes, m->len);
		}
	}
	for (uint32_t i = 0; i < f->ncmds; i++)
		put_cmd(w, &f->cmds[i]);
	if (!w->oom) {
		patch_u64(w, start, w->len - start - 8);
		w->nfiles++;
	}
}

int spec_blob_end(struct spec_blob_writer *w)
{
	if (w->oom || w->len < SPEC_BLOB_HEADER)
		return -1;
	for (int i = 0; i < 4; i++)
		w->data[16 + i] = (uint8_t)(w->nfiles >> (8 * i));
	patch_u64(w, 24, w->len);
	return 0;
}

/* ---- reading ------------------------------------------------------------------ */

struct cursor {
	const uint8_t *p;
	size_t left;
	const char *why;        /* set on the first error; then every read fails */
};

static bool need(struct cursor *c, size_t n, const char *what)
{
	if (c->why)
		return false;
	if (c->left < n) {
		c->why = what;
		return false;
	}
	return true;
}

static uint8_t get_u8(struct cursor *c)
{
	uint8_t v;

	if (!need(c, 1, "truncated"))
		return 0;
	v = c->p[0];
	c->p++;
	c->left--;
	return v;
}

static uint32_t get_u32(struct cursor *c)
{
	uint32_t v;

	if (!need(c, 4, "truncated"))
		return 0;
	v = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 |
	    (uint32_t)c->p[3] << 24;
	c->p += 4;
	c->left -= 4;
	return v;
}

static uint64_t get_u64(struct cursor *c)
{
	uint64_t lo = get_u32(c);

	return lo | (uint64_t)get_u32(c) << 32;
}

/* A string copied into f's arena (NUL-terminated); *len its length.
 * NULL when absent or on error (c->why). */
static const char *get_str(struct cursor *c, struct spec_file *f, uint32_t *len)
{
	uint32_t n = get_u32(c);
	char *s;

	if (len)
		*len = 0;
	if (c->why || n == STR_ABSENT)
		return NULL;
	if (!need(c, n, "string past the end of its file record"))
		return NULL;
	if (!(s = spec_strndup(f, (const char *)c->p, n))) {
		c->why = "out of memory";
		return NULL;
	}
	c->p += n;
	c->left -= n;
	if (len)
		*len = n;
	return s;
}

/* A count of elements of at least min bytes each: no more than fit. */
static uint32_t get_count(struct cursor *c, size_t min, const char *what)
{
	uint32_t n = get_u32(c);

	if (!c->why && n > c->left / min)
		c->why = what;
	return c->why ? 0 : n;
}

static struct spec_value *get_values(struct cursor *c, struct spec_file *f,
				     uint32_t *n)
{
	struct spec_value *v;

	*n = get_count(c, VALUE_SIZE, "more values than bytes");
	if (c->why || !*n)
		return NULL;
	if (!(v = spec_alloc(f, (size_t)*n * sizeof *v))) {
		c->why = "out of memory";
		return NULL;
	}
	for (uint32_t i = 0; i < *n; i++) {
		v[i].type = get_u8(c);
		v[i].kind = get_u8(c);
		v[i].bits = get_u64(c);
		v[i].hi = get_u64(c);
		v[i].lane_bits = get_u8(c);
		v[i].lane_float = get_u8(c) != 0;
		v[i].nan_canon = get_u8(c);
		v[i].nan_arith = get_u8(c);
		if (!c->why && v[i].type == WASM_V128 && v[i].kind == SPEC_VAL_BITS &&
		    v[i].lane_bits != 8 &&
		    v[i].lane_bits != 16 && v[i].lane_bits != 32 && v[i].lane_bits != 64)
			c->why = "bad v128 lane size";
		if (!c->why && v[i].kind >= SPEC_VAL__COUNT)
			c->why = "bad value kind";
	}
	return v;
}

static void get_module(struct cursor *c, struct spec_file *f, struct spec_module *m)
{
	uint8_t flags = get_u8(c);
	uint32_t n;

	if (c->why)
		return;
	if (flags == 1) {
		m->text = true;
	} else if (flags == 2) {
		m->error = get_str(c, f, NULL);
		if (!c->why && !m->error)
			c->why = "module error without a reason";
	} else if (flags == 0 || flags == 3) {
		/* 3: an artifact, still checked in full when loaded */
		m->bytes = (const uint8_t *)get_str(c, f, &n);
		m->len = n;
		m->artifact = flags == 3;
		if (!c->why && !m->bytes)
			c->why = "module without bytes";
	} else {
		c->why = "bad module flags";
	}
}

static void get_cmd(struct cursor *c, struct spec_file *f, struct spec_cmd *cmd)
{
	struct spec_action *a = &cmd->action;

	cmd->kind = get_u8(c);
	cmd->line = get_u32(c);
	cmd->module = (int32_t)get_u32(c);
	cmd->name = get_str(c, f, NULL);
	cmd->as = get_str(c, f, NULL);
	cmd->text = get_str(c, f, NULL);
	a->kind = get_u8(c);
	a->module = get_str(c, f, NULL);
	a->field = get_str(c, f, &a->field_len);
	a->args = get_values(c, f, &a->nargs);
	cmd->expected = get_values(c, f, &cmd->nexpected);
	cmd->neither = get_u32(c);
	if (c->why)
		return;
	if (cmd->neither) {             /* alternatives of equal length */
		if (!cmd->nexpected || cmd->nexpected % cmd->neither) {
			c->why = "bad number of alternatives";
			return;
		}
		cmd->nexpected /= cmd->neither;
	}
	if (cmd->kind == 0 || cmd->kind >= SPEC_CMD__COUNT)
		c->why = "bad command kind";
	else if (a->kind >= SPEC_ACT__COUNT)
		c->why = "bad action kind";
	else if (cmd->module < -1 || (cmd->module >= 0 &&
				      (uint32_t)cmd->module >= f->nmodules))
		c->why = "module index out of range";
}

int spec_blob_open(struct spec_blob_reader *rd, const uint8_t *blob, size_t len,
		   const char **why)
{
	struct cursor c = { blob, len, NULL };
	uint64_t size;

	memset(rd, 0, sizeof *rd);
	if (!blob || len < SPEC_BLOB_HEADER || memcmp(blob, SPEC_BLOB_MAGIC, 8))
		return (*why = "not a spec blob (bad magic)", -1);
	c.p += 8;
	c.left -= 8;
	if (get_u32(&c) != SPEC_BLOB_VERSION)
		return (*why = "unsupported spec blob version", -1);
	rd->flags = get_u32(&c);
	rd->nfiles = get_u32(&c);
	get_u32(&c);
	size = get_u64(&c);
	if (size < SPEC_BLOB_HEADER || size > len)
		return (*why = "spec blob size larger than its entry", -1);
	rd->blob = blob;
	rd->size = (size_t)size;
	rd->off = SPEC_BLOB_HEADER;
	return 0;
}

static int decode_file(struct cursor *c, struct spec_file *f)
{
	f->name = get_str(c, f, NULL);
	f->wast = get_str(c, f, NULL);
	f->error = get_str(c, f, NULL);
	f->nmodules = get_count(c, MODULE_MIN, "more modules than bytes");
	f->ncmds = get_count(c, CMD_MIN, "more commands than bytes");
	if (c->why)
		return -1;
	if ((f->nmodules && !(f->modules = spec_alloc(f, (size_t)f->nmodules *
						       sizeof *f->modules))) ||
	    (f->ncmds && !(f->cmds = spec_alloc(f, (size_t)f->ncmds * sizeof *f->cmds))))
		return (c->why = "out of memory", -1);
	for (uint32_t i = 0; i < f->nmodules && !c->why; i++)
		get_module(c, f, &f->modules[i]);
	for (uint32_t i = 0; i < f->ncmds && !c->why; i++)
		get_cmd(c, f, &f->cmds[i]);
	if (!c->why && c->left)
		c->why = "bytes after the last command of a file record";
	return c->why ? -1 : 0;
}

int spec_blob_next(struct spec_blob_reader *rd, struct spec_file *f,
		   const char **why)
{
	struct cursor c = { rd->blob + rd->off, rd->size - rd->off, NULL };
	uint64_t len;

	memset(f, 0, sizeof *f);
	if (rd->index == rd->nfiles)
		return rd->off == rd->size ? 0 :
		       (*why = "bytes after the last file", -1);
	len = get_u64(&c);
	if (c.why || len > c.left)
		return (*why = "file record past the end of the blob", -1);
	rd->off += 8 + (size_t)len;
	rd->index++;
	c.left = (size_t)len;
	if (decode_file(&c, f)) {
		*why = c.why;
		spec_file_free(f);
		return -1;
	}
	return 1;
}

int spec_blob_run(const uint8_t *blob, size_t len, const struct spec_out *out)
{
	struct spec_out o = *out;
	struct spec_blob_reader rd;
	struct spec_counts total = { 0 };
	struct spec_file f;
	const char *why = NULL;
	int r;

	if (spec_blob_open(&rd, blob, len, &why)) {
		spec_printf(&o, "wasmetal spec: %s\n", why);
		return 2;
	}
	if (rd.flags & SPEC_BLOB_VERBOSE)
		o.verbose = true;
	while ((r = spec_blob_next(&rd, &f, &why)) == 1) {
		spec_run_file(&f, &o, &total);
		spec_file_free(&f);
	}
	if (r < 0) {
		spec_printf(&o, "wasmetal spec: file %u of the spec blob: %s\n",
			    rd.index, why);
		total.failed++;
	}
	spec_print_total(&o, &total);
	if (r < 0)
		return 2;
	return total.failed ? 1 : 0;
}
