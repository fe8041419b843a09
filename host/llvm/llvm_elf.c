/*
 * llvm_elf.c — the LLVM backend's object file (ELF-64 x86-64 relocatable,
 * System V gABI "Object Files" and the x86-64 psABI §4.4 relocations) to
 * one position-independent blob: the code and read-only data sections
 * (constant pools, jump tables) laid out one after another, the PC-
 * relative relocations between them applied, each Wasm function's
 * offset and size taken from the symbol table (its v1 code and, in a
 * module with tail calls, its body right after it), and the trap sites with
 * their Wasm byte offsets from the backend's table (section .wasm_traps,
 * llvm_func.c), which is read and then cut off the blob.
 *
 * The object is treated as hostile input: every header, offset, size,
 * index, name and relocation is checked against the buffer before use
 * (64-bit arithmetic with overflow checks), and anything the blob cannot
 * hold is refused with a message: writable data, undefined symbols,
 * relocation types other than R_X86_64_PC32/PLT32 (what PIC code with
 * hidden, defined symbols leaves), values that do not fit 32 bits.
 */
#include <elf.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "llvm_backend.h"

#define BLOB_MAX   (1u << 30)           /* 1 GiB: far above any module */
#define ALIGN_MAX  4096u

struct elf {
	const uint8_t *b;
	size_t len;
	Elf64_Shdr *shdr;               /* copied out: alignment-safe */
	uint32_t nsh;
	uint64_t *base;                 /* per section: offset in the blob, or
					   UINT64_MAX when not laid out */
	uint32_t traps_sec;             /* the trap table's section, or 0 */
	uint64_t text_end;              /* end of the code sections in the blob */
	char *err;
	size_t errlen;
};

static int fail(struct elf *e, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(e->err, e->errlen, "llvm backend: object file: ");

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < e->errlen)
		vsnprintf(e->err + n, e->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* [off, off + n) inside the buffer */
static bool in_file(const struct elf *e, uint64_t off, uint64_t n)
{
	return off <= e->len && n <= e->len - off;
}

/* a NUL-terminated name at off in string table section st, or NULL */
static const char *name_at(const struct elf *e, uint32_t st, uint64_t off)
{
	const Elf64_Shdr *s;
	const char *p;

	if (st == 0 || st >= e->nsh)
		return NULL;
	s = &e->shdr[st];
	if (s->sh_type != SHT_STRTAB || off >= s->sh_size)
		return NULL;
	p = (const char *)e->b + s->sh_offset + off;
	return memchr(p, 0, s->sh_size - off) ? p : NULL;
}

static int read_headers(struct elf *e)
{
	Elf64_Ehdr h;

	if (e->len < sizeof h)
		return fail(e, "truncated (%zu bytes)", e->len);
	memcpy(&h, e->b, sizeof h);
	if (memcmp(h.e_ident, ELFMAG, SELFMAG) || h.e_ident[EI_CLASS] != ELFCLASS64 ||
	    h.e_ident[EI_DATA] != ELFDATA2LSB || h.e_ident[EI_VERSION] != EV_CURRENT)
		return fail(e, "not an ELF-64 little-endian file");
	if (h.e_type != ET_REL || h.e_machine != EM_X86_64)
		return fail(e, "not an x86-64 relocatable object");
	if (h.e_shentsize != sizeof(Elf64_Shdr) || h.e_shnum == 0 ||
	    !in_file(e, h.e_shoff, (uint64_t)h.e_shnum * sizeof(Elf64_Shdr)))
		return fail(e, "bad section header table");
	if (h.e_shstrndx >= h.e_shnum)
		return fail(e, "bad section name table index");
	e->nsh = h.e_shnum;
	e->shdr = malloc(e->nsh * sizeof *e->shdr);
	e->base = malloc(e->nsh * sizeof *e->base);
	if (!e->shdr || !e->base)
		return fail(e, "out of memory");
	memcpy(e->shdr, e->b + h.e_shoff, e->nsh * sizeof *e->shdr);
	for (uint32_t i = 0; i < e->nsh; i++) {
		const Elf64_Shdr *s = &e->shdr[i];
		e->base[i] = UINT64_MAX;
		if (i && s->sh_type != SHT_NOBITS && !in_file(e, s->sh_offset, s->sh_size))
			return fail(e, "section %u outside the file", i);
		if (s->sh_addralign > ALIGN_MAX ||
		    (s->sh_addralign & (s->sh_addralign - 1)))
			return fail(e, "section %u: bad alignment", i);
	}
	if (e->shdr[h.e_shstrndx].sh_type != SHT_STRTAB)
		return fail(e, "section name table is not a string table");
	for (uint32_t i = 1; i < e->nsh; i++)
		if (!name_at(e, h.e_shstrndx, e->shdr[i].sh_name))
			return fail(e, "section %u: bad name", i);
	return 0;
}

/* Lay out the allocated sections: code first, then read-only data.
 * Writable or uninitialized data has no place in shared code: refused.
 * .eh_frame is not needed (no unwinding through Wasm code) and dropped,
 * with the relocations that apply to it. */
static int layout(struct elf *e, uint8_t **blob, size_t *size, uint32_t *align,
		  uint16_t shstrndx)
{
	uint64_t off = 0;

	/* pass 0: code, 1: read-only data, 2: the trap table */
	for (int pass = 0; pass < 3; pass++) {
		for (uint32_t i = 1; i < e->nsh; i++) {
			const Elf64_Shdr *s = &e->shdr[i];
			const char *name = name_at(e, shstrndx, s->sh_name);
			uint64_t al = s->sh_addralign ? s->sh_addralign : 1;
			bool table = !strcmp(name, ".wasm_traps");
			if (!(s->sh_flags & SHF_ALLOC) || !strcmp(name, ".eh_frame"))
				continue;
			if (s->sh_type != SHT_PROGBITS || (s->sh_flags & (SHF_WRITE | SHF_TLS)))
				return fail(e, "section %s: writable or uninitialized data "
					    "is not supported", name);
			if (pass != (table ? 2 : (s->sh_flags & SHF_EXECINSTR) ? 0 : 1))
				continue;
			if (table && ((s->sh_flags & SHF_EXECINSTR) || e->traps_sec))
				return fail(e, "bad trap table");
			if (table)
				e->traps_sec = i;
			off = (off + al - 1) & ~(al - 1);
			if (al > *align)
				*align = (uint32_t)al;
			if (s->sh_size > BLOB_MAX || off > BLOB_MAX - s->sh_size)
				return fail(e, "code larger than %u bytes", BLOB_MAX);
			e->base[i] = off;
			off += s->sh_size;
		}
		if (pass == 0)
			e->text_end = off;
	}
	*size = off;
	*blob = calloc(off ? off : 1, 1);
	if (!*blob)
		return fail(e, "out of memory (%llu bytes)", (unsigned long long)off);
	for (uint32_t i = 1; i < e->nsh; i++)
		if (e->base[i] != UINT64_MAX)
			memcpy(*blob + e->base[i], e->b + e->shdr[i].sh_offset,
			       e->shdr[i].sh_size);
	return 0;
}

/* the one symbol table: index, count, string table */
static int find_symtab(struct elf *e, uint32_t *idx, uint64_t *nsyms)
{
	*idx = 0;
	for (uint32_t i = 1; i < e->nsh; i++) {
		const Elf64_Shdr *s = &e->shdr[i];
		if (s->sh_type != SHT_SYMTAB)
			continue;
		if (*idx)
			return fail(e, "more than one symbol table");
		if (s->sh_entsize != sizeof(Elf64_Sym) || s->sh_size % sizeof(Elf64_Sym) ||
		    s->sh_link == 0 || s->sh_link >= e->nsh ||
		    e->shdr[s->sh_link].sh_type != SHT_STRTAB)
			return fail(e, "bad symbol table");
		*idx = i;
		*nsyms = s->sh_size / sizeof(Elf64_Sym);
	}
	return *idx ? 0 : fail(e, "no symbol table");
}

static void get_sym(const struct elf *e, uint32_t symtab, uint64_t k, Elf64_Sym *out)
{
	memcpy(out, e->b + e->shdr[symtab].sh_offset + k * sizeof *out, sizeof *out);
}

/* A symbol's address in the blob; -1 if it is not defined in a section
 * that was laid out (or lies outside it). */
static int sym_addr(const struct elf *e, const Elf64_Sym *sym, uint64_t *addr)
{
	uint16_t sec = sym->st_shndx;

	if (sec == SHN_UNDEF || sec >= e->nsh || e->base[sec] == UINT64_MAX)
		return -1;
	if (sym->st_value > e->shdr[sec].sh_size ||
	    sym->st_size > e->shdr[sec].sh_size - sym->st_value)
		return -1;
	*addr = e->base[sec] + sym->st_value;
	return 0;
}

/* "wasm_func_<i>" / "wasm_entry_<i>": i in decimal, no leading zeros */
static bool func_symbol(const char *name, const char *prefix, uint32_t n, uint32_t *i)
{
	size_t pl = strlen(prefix);
	uint64_t v = 0;
	const char *p = name + pl;

	if (strncmp(name, prefix, pl) || !*p || (*p == '0' && p[1]))
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || (v = v * 10 + (uint64_t)(*p - '0')) >= n)
			return false;
	}
	*i = (uint32_t)v;
	return true;
}

/*
 * A module with tail calls (llvm_module.c "Tail calls") also has
 * wasm_body_<i>, function i's tailcc body, which must follow its v1
 * wrapper wasm_func_<i> with at most alignment padding in between
 * (functions are 16-byte aligned, so nothing else fits there): function
 * i's range then covers both, and a return address in the body maps to
 * function i.
 */
static int join_bodies(struct elf *e, struct llvm_wasm_code *c, const uint32_t *body_off,
		       const uint32_t *body_size)
{
	for (uint32_t i = 0; i < c->nfuncs; i++) {
		uint64_t end = (uint64_t)c->func_off[i] + c->func_size[i];
		if (body_off[i] == UINT32_MAX)
			continue;
		if (c->func_off[i] == UINT32_MAX || body_off[i] < end || body_off[i] - end >= 16)
			return fail(e, "wasm_body_%u does not follow wasm_func_%u", i, i);
		end = (uint64_t)body_off[i] + body_size[i];
		if (end - c->func_off[i] > UINT32_MAX)
			return fail(e, "wasm_body_%u: too large", i);
		c->func_size[i] = (uint32_t)(end - c->func_off[i]);
	}
	return 0;
}

static int read_symbols(struct elf *e, uint32_t symtab, uint64_t nsyms,
			struct llvm_wasm_code *c)
{
	uint32_t strtab = e->shdr[symtab].sh_link, n = c->nfuncs ? c->nfuncs : 1;
	uint32_t *body_off = malloc(n * sizeof(uint32_t)), *body_size = calloc(n, sizeof(uint32_t));
	int rc = 0;

	if (!body_off || !body_size) {
		rc = fail(e, "out of memory");
		goto done;
	}
	memset(body_off, 0xff, n * sizeof(uint32_t));
	for (uint64_t k = 1; k < nsyms; k++) {
		Elf64_Sym sym;
		const char *name;
		uint32_t i;
		uint64_t addr;
		uint32_t *off, *size;
		get_sym(e, symtab, k, &sym);
		if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		if (!(name = name_at(e, strtab, sym.st_name))) {
			rc = fail(e, "symbol %llu: bad name", (unsigned long long)k);
			goto done;
		}
		if (!strcmp(name, "wasm_trap") || !strcmp(name, "wasm_eh_try"))
			continue;       /* the stubs (llvm_module.c, llvm_eh.c) */
		if (func_symbol(name, "wasm_func_", c->nfuncs, &i)) {
			off = &c->func_off[i];
			size = &c->func_size[i];
		} else if (func_symbol(name, "wasm_body_", c->nfuncs, &i)) {
			off = &body_off[i];
			size = &body_size[i];
		} else if (func_symbol(name, "wasm_entry_", c->nfuncs, &i)) {
			off = &c->entry_off[i];
			size = NULL;
		} else {
			rc = fail(e, "unexpected function symbol %.64s", name);
			goto done;
		}
		if (sym_addr(e, &sym, &addr) || addr > UINT32_MAX) {
			rc = fail(e, "symbol %.64s: not in the code", name);
			goto done;
		}
		if (*off != UINT32_MAX) {
			rc = fail(e, "symbol %.64s defined twice", name);
			goto done;
		}
		*off = (uint32_t)addr;
		if (size)
			*size = (uint32_t)sym.st_size;
	}
	rc = join_bodies(e, c, body_off, body_size);
done:
	free(body_off);
	free(body_size);
	return rc;
}

static int cmp_site(const void *a, const void *b)
{
	uint32_t x = ((const struct llvm_trap_site *)a)->site;
	uint32_t y = ((const struct llvm_trap_site *)b)->site;

	return x < y ? -1 : x > y;
}

/*
 * The trap table (LW_TRAP_SECTION ".wasm_traps", laid out last and cut
 * off the blob afterwards): 8 bytes per site, int32 site - entry (a PC32
 * relocation, applied) and the uint32 Wasm offset.  Each site must follow
 * a `call rel32` (e8) inside the code sections.
 */
static int read_traps(struct elf *e, struct llvm_wasm_code *c)
{
	uint64_t base, n;

	if (!e->traps_sec)
		return 0;
	base = e->base[e->traps_sec];
	if (e->shdr[e->traps_sec].sh_size % 8)
		return fail(e, "trap table: bad size");
	n = e->shdr[e->traps_sec].sh_size / 8;
	if (n && !(c->traps = malloc(n * sizeof *c->traps)))
		return fail(e, "out of memory");
	for (uint64_t k = 0; k < n; k++) {
		int32_t rel;
		uint32_t off;
		int64_t site;
		memcpy(&rel, c->blob + base + 8 * k, 4);
		memcpy(&off, c->blob + base + 8 * k + 4, 4);
		site = (int64_t)(base + 8 * k) + rel;
		if (site < 5 || (uint64_t)site > e->text_end || c->blob[site - 5] != 0xe8)
			return fail(e, "trap table: entry %llu is not a call site",
				    (unsigned long long)k);
		c->traps[c->ntraps++] = (struct llvm_trap_site){ (uint32_t)site, off,
								 UINT32_MAX };
	}
	if (c->ntraps)          /* (qsort of NULL is undefined, even of 0) */
		qsort(c->traps, c->ntraps, sizeof *c->traps, cmp_site);
	c->size = base;         /* the table is not code */
	return 0;
}

/*
 * The line table: .debug_line copied out, its R_X86_64_64 relocations
 * (the set_address operands: code symbol + addend) applied with blob
 * offsets, then read by llvm_lines.c.  No .debug_line: no rows.
 */
static int read_lines(struct elf *e, uint32_t symtab, uint64_t nsyms, uint16_t shstrndx,
		      struct llvm_wasm_code *c)
{
	uint32_t dl = 0;
	uint8_t *copy;
	int rc;

	for (uint32_t i = 1; i < e->nsh; i++) {
		const char *name = name_at(e, shstrndx, e->shdr[i].sh_name);
		if (name && !strcmp(name, ".debug_line"))
			dl = i;
	}
	if (!dl)
		return 0;
	const Elf64_Shdr *d = &e->shdr[dl];
	if (d->sh_type != SHT_PROGBITS || !in_file(e, d->sh_offset, d->sh_size) ||
	    d->sh_size > BLOB_MAX)
		return fail(e, ".debug_line: bad header");
	if (!(copy = malloc(d->sh_size ? d->sh_size : 1)))
		return fail(e, "out of memory");
	memcpy(copy, e->b + d->sh_offset, d->sh_size);
	for (uint32_t i = 1; i < e->nsh; i++) {
		const Elf64_Shdr *s = &e->shdr[i];
		if (s->sh_type != SHT_RELA || s->sh_info != dl)
			continue;
		for (uint64_t k = 0; k < s->sh_size / sizeof(Elf64_Rela); k++) {
			Elf64_Rela r;
			Elf64_Sym sym;
			uint64_t S, v;
			memcpy(&r, e->b + s->sh_offset + k * sizeof r, sizeof r);
			if (ELF64_R_TYPE(r.r_info) != R_X86_64_64 ||
			    ELF64_R_SYM(r.r_info) == 0 || ELF64_R_SYM(r.r_info) >= nsyms ||
			    r.r_offset > d->sh_size || d->sh_size - r.r_offset < 8) {
				free(copy);
				return fail(e, ".debug_line: bad relocation %llu",
					    (unsigned long long)k);
			}
			get_sym(e, symtab, ELF64_R_SYM(r.r_info), &sym);
			if (sym_addr(e, &sym, &S) || r.r_addend < 0 ||
			    (uint64_t)r.r_addend > e->text_end) {
				free(copy);
				return fail(e, ".debug_line: relocation %llu outside the code",
					    (unsigned long long)k);
			}
			v = S + (uint64_t)r.r_addend;
			memcpy(copy + r.r_offset, &v, 8);
		}
	}
	rc = llvm_parse_lines(copy, d->sh_size, e->text_end, &c->lines, &c->nlines, e->err,
			      e->errlen);
	free(copy);
	return rc;
}

/* Apply every SHT_RELA section that targets a laid-out section. */
static int relocate(struct elf *e, uint32_t symtab, uint64_t nsyms, struct llvm_wasm_code *c)
{
	uint8_t *blob = c->blob;
	uint32_t strtab = e->shdr[symtab].sh_link;

	for (uint32_t i = 1; i < e->nsh; i++) {
		const Elf64_Shdr *s = &e->shdr[i];
		uint32_t t = s->sh_info;
		if (s->sh_type == SHT_REL)
			return fail(e, "SHT_REL relocations are not supported");
		if (s->sh_type != SHT_RELA)
			continue;
		if (t == 0 || t >= e->nsh || s->sh_link != symtab ||
		    s->sh_entsize != sizeof(Elf64_Rela) || s->sh_size % sizeof(Elf64_Rela))
			return fail(e, "relocation section %u: bad header", i);
		if (e->base[t] == UINT64_MAX)
			continue;       /* for a section not laid out (.eh_frame) */
		for (uint64_t k = 0; k < s->sh_size / sizeof(Elf64_Rela); k++) {
			Elf64_Rela r;
			Elf64_Sym sym;
			uint64_t type, si, S, P;
			int64_t v;
			int32_t v32;
			memcpy(&r, e->b + s->sh_offset + k * sizeof r, sizeof r);
			type = ELF64_R_TYPE(r.r_info);
			si = ELF64_R_SYM(r.r_info);
			if (type != R_X86_64_PC32 && type != R_X86_64_PLT32)
				return fail(e, "relocation type %llu is not supported "
					    "(only R_X86_64_PC32/PLT32)", (unsigned long long)type);
			if (si == 0 || si >= nsyms)
				return fail(e, "relocation with bad symbol index");
			if (r.r_offset > e->shdr[t].sh_size || e->shdr[t].sh_size - r.r_offset < 4)
				return fail(e, "relocation outside its section");
			get_sym(e, symtab, si, &sym);
			if (sym_addr(e, &sym, &S)) {
				const char *n = name_at(e, strtab, sym.st_name);
				return fail(e, "relocation against %s symbol %.64s",
					    sym.st_shndx == SHN_UNDEF ? "undefined" : "unplaced",
					    n ? n : "?");
			}
			P = e->base[t] + r.r_offset;
			/* S, P <= BLOB_MAX: with |addend| bounded the sum cannot
			   overflow (a hostile addend near INT64_MAX would) */
			if (r.r_addend < -(int64_t)BLOB_MAX * 4 || r.r_addend > (int64_t)BLOB_MAX * 4)
				return fail(e, "relocation out of range");
			v = (int64_t)S + r.r_addend - (int64_t)P;
			if (v < INT32_MIN || v > INT32_MAX)
				return fail(e, "relocation out of range");
			v32 = (int32_t)v;
			memcpy(blob + P, &v32, 4);
		}
	}
	return 0;
}

int llvm_wasm_link_object(const uint8_t *obj, size_t len, uint32_t nfuncs,
			  struct llvm_wasm_code *out, char *err, size_t errlen)
{
	struct elf e = { .b = obj, .len = len, .err = err, .errlen = errlen };
	uint32_t symtab = 0;
	uint64_t nsyms = 0;
	uint16_t shstrndx = 0;
	int rc;

	memset(out, 0, sizeof *out);
	err[0] = 0;
	out->nfuncs = nfuncs;
	out->align = 16;
	out->func_off = malloc((nfuncs ? nfuncs : 1) * sizeof(uint32_t));
	out->func_size = calloc(nfuncs ? nfuncs : 1, sizeof(uint32_t));
	out->entry_off = malloc((nfuncs ? nfuncs : 1) * sizeof(uint32_t));
	if (!out->func_off || !out->func_size || !out->entry_off) {
		rc = fail(&e, "out of memory");
		goto done;
	}
	memset(out->func_off, 0xff, (nfuncs ? nfuncs : 1) * sizeof(uint32_t));
	memset(out->entry_off, 0xff, (nfuncs ? nfuncs : 1) * sizeof(uint32_t));
	rc = read_headers(&e);
	if (!rc)
		memcpy(&shstrndx, obj + offsetof(Elf64_Ehdr, e_shstrndx), 2);
	rc = rc ? rc : layout(&e, &out->blob, &out->size, &out->align, shstrndx);
	rc = rc ? rc : find_symtab(&e, &symtab, &nsyms);
	rc = rc ? rc : read_symbols(&e, symtab, nsyms, out);
	rc = rc ? rc : relocate(&e, symtab, nsyms, out);
	rc = rc ? rc : read_traps(&e, out);
	rc = rc ? rc : read_lines(&e, symtab, nsyms, shstrndx, out);
done:
	free(e.shdr);
	free(e.base);
	if (rc)
		llvm_wasm_code_free(out);
	return rc;
}

void llvm_wasm_code_free(struct llvm_wasm_code *c)
{
	free(c->blob);
	free(c->func_off);
	free(c->func_size);
	free(c->entry_off);
	free(c->traps);
	free(c->lines);
	memset(c, 0, sizeof *c);
}
