/*
 * llvm_lines.c — the line-number program of a .debug_line section (DWARF
 * 2-4, 32-bit format; DWARF 4 §6.2) as (code offset, line) rows, where
 * the line is the Wasm byte offset llvm_debug.c gave each instruction
 * (0: none).  The section comes from our own LLVM, already relocated by
 * llvm_elf.c, but is read as hostile input: every read is bounds-checked,
 * every address must lie in the code, and anything this reader does not
 * know is refused with a message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "llvm_backend.h"

struct rd {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t rd_n(struct rd *r, unsigned n)
{
	uint64_t v = 0;

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

static uint64_t rd_uleb(struct rd *r)
{
	uint64_t v = 0;

	for (unsigned shift = 0; !r->bad; shift += 7) {
		uint8_t b = (uint8_t)rd_n(r, 1);
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		if (shift > 70)
			r->bad = true;
	}
	return 0;
}

static int64_t rd_sleb(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		b = (uint8_t)rd_n(r, 1);
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (shift > 77)
			r->bad = true;
	} while ((b & 0x80) && !r->bad);
	if (shift < 64 && (b & 0x40))
		v |= ~0ull << shift;
	return (int64_t)v;
}

struct rows {
	struct llvm_line *v;
	uint32_t n, cap;
	uint64_t text_end;
};

/* One row of the matrix; false if out of range or out of memory. */
static bool emit(struct rows *t, uint64_t addr, int64_t line, bool end)
{
	if (addr > t->text_end || (!end && addr == t->text_end) || line < 0 ||
	    line > UINT32_MAX)
		return false;
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? 2 * t->cap : 256;
		void *nv = cap > t->cap ? realloc(t->v, cap * sizeof *t->v) : NULL;
		if (!nv)
			return false;
		t->v = nv;
		t->cap = cap;
	}
	/* after an end_sequence nothing is known until the next row */
	t->v[t->n++] = (struct llvm_line){ (uint32_t)addr, end ? 0 : (uint32_t)line };
	return true;
}

struct hdr {
	uint8_t min_inst, default_stmt, line_range, opcode_base;
	int8_t line_base;
	uint8_t std_len[256];
};

/* One unit's program, from r->p to r->end. */
static const char *run_program(struct rd *r, const struct hdr *h, struct rows *t)
{
	uint64_t addr = 0;
	int64_t line = 1;

	while (r->p < r->end && !r->bad) {
		uint8_t op = (uint8_t)rd_n(r, 1);

		if (op >= h->opcode_base) {             /* special opcode */
			uint8_t adj = (uint8_t)(op - h->opcode_base);
			addr += (uint64_t)(adj / h->line_range) * h->min_inst;
			line += h->line_base + adj % h->line_range;
			if (!emit(t, addr, line, false))
				return "row out of range";
			continue;
		}
		switch (op) {
		case 0: {                               /* extended */
			uint64_t n = rd_uleb(r);
			const uint8_t *next = r->p + (n <= (size_t)(r->end - r->p) ? n : 0);
			if (n == 0 || n > (size_t)(r->end - r->p))
				return "bad extended opcode length";
			uint8_t sub = (uint8_t)rd_n(r, 1);
			if (sub == 1) {                 /* DW_LNE_end_sequence */
				if (!emit(t, addr, line, true))
					return "row out of range";
				addr = 0;
				line = 1;
			} else if (sub == 2) {          /* DW_LNE_set_address */
				if (n != 9)
					return "bad set_address";
				addr = rd_n(r, 8);
			} else if (sub != 4) {          /* 4: set_discriminator */
				return "unknown extended opcode";
			}
			r->p = next;
			break;
		}
		case 1:                                 /* DW_LNS_copy */
			if (!emit(t, addr, line, false))
				return "row out of range";
			break;
		case 2:                                 /* DW_LNS_advance_pc */
			addr += rd_uleb(r) * h->min_inst;
			break;
		case 3:                                 /* DW_LNS_advance_line */
			line += rd_sleb(r);
			break;
		case 8:                                 /* DW_LNS_const_add_pc */
			addr += (uint64_t)((255 - h->opcode_base) / h->line_range) * h->min_inst;
			break;
		case 9:                                 /* DW_LNS_fixed_advance_pc */
			addr += rd_n(r, 2);
			break;
		default:                                /* file, column, flags...: skipped */
			for (unsigned k = 0; k < h->std_len[op]; k++)
				rd_uleb(r);
			break;
		}
		if (addr > ((uint64_t)1 << 40) || line > ((int64_t)1 << 40) ||
		    line < -((int64_t)1 << 40))
			return "address or line out of range";
	}
	return r->bad ? "truncated program" : NULL;
}

/* One unit: its header, then its program.  r is left after the unit. */
static const char *run_unit(struct rd *r, struct rows *t)
{
	struct hdr h;
	uint64_t unit_len = rd_n(r, 4), hdr_len;
	uint16_t version;
	struct rd u, prog;

	if (r->bad || unit_len >= 0xfffffff0u || unit_len > (size_t)(r->end - r->p))
		return "bad unit length (64-bit DWARF is not supported)";
	u = (struct rd){ r->p, r->p + unit_len, false };
	r->p += unit_len;
	version = (uint16_t)rd_n(&u, 2);
	if (version < 2 || version > 4)
		return "DWARF version not 2-4";
	hdr_len = rd_n(&u, 4);
	if (u.bad || hdr_len > (size_t)(u.end - u.p))
		return "bad header length";
	prog = (struct rd){ u.p + hdr_len, u.end, false };
	memset(&h, 0, sizeof h);
	h.min_inst = (uint8_t)rd_n(&u, 1);
	if (version >= 4 && rd_n(&u, 1) != 1)
		return "VLIW maximum_operations_per_instruction";
	h.default_stmt = (uint8_t)rd_n(&u, 1);
	h.line_base = (int8_t)rd_n(&u, 1);
	h.line_range = (uint8_t)rd_n(&u, 1);
	h.opcode_base = (uint8_t)rd_n(&u, 1);
	if (u.bad || !h.line_range || !h.opcode_base || !h.min_inst)
		return "bad header";
	for (unsigned k = 1; k < h.opcode_base; k++)
		h.std_len[k] = (uint8_t)rd_n(&u, 1);
	if (u.bad || u.p > prog.p)
		return "truncated header";
	/* the standard opcodes this reader interprets must have their
	   standard operand counts (else the skip above would misread) */
	static const uint8_t want[10] = { 0, 0, 1, 1, 1, 1, 0, 0, 0, 1 };
	for (unsigned k = 1; k < 10 && k < h.opcode_base; k++)
		if (h.std_len[k] != want[k])
			return "nonstandard opcode lengths";
	if (h.opcode_base < 10)
		return "opcode_base below 10";
	return run_program(&prog, &h, t);
}

/* a row and its place in the program, for a stable sort */
struct row_at {
	struct llvm_line l;
	uint32_t i;
};

static int cmp_row(const void *a, const void *b)
{
	const struct row_at *x = a, *y = b;

	if (x->l.code != y->l.code)
		return x->l.code < y->l.code ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int llvm_parse_lines(const uint8_t *sec, size_t len, uint64_t text_end,
		     struct llvm_line **out, uint32_t *nout, char *err, size_t errlen)
{
	struct rd r = { sec, sec + len, false };
	struct rows t = { .text_end = text_end };
	const char *why = NULL;
	uint32_t k = 0;

	*out = NULL;
	*nout = 0;
	while (!why && r.p < r.end)
		why = run_unit(&r, &t);
	if (why) {
		snprintf(err, errlen, "llvm backend: object file: .debug_line: %s", why);
		free(t.v);
		return -1;
	}
	/* sequences may come in any order: by address, and of several rows
	   at one address the last (the one that covers the code after it) */
	if (t.n) {
		struct row_at *tmp = malloc(t.n * sizeof *tmp);
		if (!tmp) {
			snprintf(err, errlen, "llvm backend: out of memory");
			free(t.v);
			return -1;
		}
		for (uint32_t i = 0; i < t.n; i++)
			tmp[i].l = t.v[i], tmp[i].i = i;
		qsort(tmp, t.n, sizeof *tmp, cmp_row);
		for (uint32_t i = 0; i < t.n; i++) {
			if (i + 1 < t.n && tmp[i + 1].l.code == tmp[i].l.code)
				continue;
			t.v[k++] = tmp[i].l;
		}
		free(tmp);
	}
	*out = t.v;
	*nout = k;
	return 0;
}
