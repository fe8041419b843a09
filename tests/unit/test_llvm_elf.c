/*
 * test_llvm_elf.c — the LLVM backend's object file reader and relocator
 * (host/llvm/llvm_elf.c, issue 9), on real objects of the backend
 * (tests/llvm/control.wat: code, constant pools, a jump table) and on
 * hostile variants of them: every truncation, byte flips everywhere,
 * relocation types, symbols and sections the blob cannot hold, addends
 * that overflow.  Refused with a message, or accepted with every range
 * inside the blob; nothing here runs the code (test_llvm.c does).
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <llvm-c/Core.h>
#include "check.h"
#include "jit.h"
#include "module.h"
#include "wasm.h"
#include "llvm_backend.h"
#include "readfile.h"
#include "plat_host.h"

static uint8_t *read_wasm(const char *name, size_t *len)
{
	char path[512];

	snprintf(path, sizeof path, "%s/tests/llvm/%s.wasm", WASMETAL_BUILD_DIR, name);
	return host_read_file(path, len);
}

static size_t wasm_len_last;    /* of the module object_of compiled */

/* The ELF object the backend makes of module `name` (malloc'd copy). */
static uint8_t *object_of(const char *name, size_t *len, uint32_t *nfuncs)
{
	wasm_module *m;
	struct wasm_error err;
	size_t wlen = 0;
	uint8_t *b = read_wasm(name, &wlen), *copy = NULL;
	LLVMContextRef c = LLVMContextCreate();
	LLVMModuleRef mod;
	LLVMMemoryBufferRef obj;
	char msg[256];

	wasm_len_last = wlen;
	if (b && wasm_module_load(b, wlen, &m, &err) == 0) {
		if (!llvm_wasm_translate(m, c, jit_cpu_features(), &mod, msg, sizeof msg) &&
		    !llvm_wasm_optimize(mod, msg, sizeof msg) &&
		    !llvm_wasm_emit_object(mod, &obj, msg, sizeof msg)) {
			*len = LLVMGetBufferSize(obj);
			copy = malloc(*len);
			if (copy)
				memcpy(copy, LLVMGetBufferStart(obj), *len);
			LLVMDisposeMemoryBuffer(obj);
			LLVMDisposeModule(mod);
		}
		*nfuncs = m->nfuncs;
		wasm_module_free(m);
	}
	free(b);
	LLVMContextDispose(c);
	return copy;
}

/* What an accepted object gives must stay inside the blob. */
static bool ranges_inside(const struct llvm_wasm_code *lc)
{
	for (uint32_t i = 0; i < lc->nfuncs; i++) {
		if (lc->func_off[i] != UINT32_MAX &&
		    ((size_t)lc->func_off[i] + lc->func_size[i] > lc->size))
			return false;
		if (lc->entry_off[i] != UINT32_MAX && lc->entry_off[i] >= lc->size)
			return false;
	}
	for (uint32_t k = 0; k < lc->nlines; k++)
		if (lc->lines[k].code > lc->size ||
		    (k && lc->lines[k].code <= lc->lines[k - 1].code))
			return false;
	return true;
}

/* The section header named `name` in a (well-formed) object, or NULL. */
static Elf64_Shdr *section(uint8_t *obj, const char *name)
{
	Elf64_Ehdr *h = (Elf64_Ehdr *)obj;
	Elf64_Shdr *sh = (Elf64_Shdr *)(obj + h->e_shoff);
	const char *names = (const char *)obj + sh[h->e_shstrndx].sh_offset;

	for (unsigned i = 0; i < h->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, name))
			return &sh[i];
	return NULL;
}

/* control.wat's object holds code, constant pools and a jump table (its
 * entries relocated against .text): the blob has all of it, and each
 * function's range is inside it, in order, not overlapping. */
TEST(object_links_to_one_blob)
{
	size_t len;
	uint32_t nf = 0;
	uint8_t *obj = object_of("control", &len, &nf);
	struct llvm_wasm_code lc;
	char msg[256];
	uint64_t text;

	REQUIRE(obj);
	REQUIRE(section(obj, ".rela.rodata") && section(obj, ".text"));
	text = section(obj, ".text")->sh_size;
	REQUIRE(llvm_wasm_link_object(obj, len, nf, &lc, msg, sizeof msg) == 0);
	CHECK(lc.size > text);          /* read-only data after the code */
	CHECK(ranges_inside(&lc));
	/* every trap site is inside an own function (not an entry trampoline) */
	CHECK(lc.ntraps > 0);
	for (uint32_t k = 0; k < lc.ntraps; k++) {
		bool in = false;
		for (uint32_t i = 0; i < nf && !in; i++)
			in = lc.func_off[i] != UINT32_MAX && lc.traps[k].site > lc.func_off[i] &&
			     lc.traps[k].site <= lc.func_off[i] + lc.func_size[i];
		CHECK_MSG(in, "trap site %#x outside the functions", lc.traps[k].site);
		CHECK(lc.traps[k].wasm_off > 0 && lc.traps[k].wasm_off < wasm_len_last);
	}
	for (uint32_t i = 0; i + 1 < nf; i++)
		CHECK(lc.func_off[i] == UINT32_MAX || lc.func_off[i + 1] == UINT32_MAX ||
		      lc.func_off[i] + lc.func_size[i] <= lc.func_off[i + 1] ||
		      lc.func_off[i + 1] + lc.func_size[i + 1] <= lc.func_off[i]);
	llvm_wasm_code_free(&lc);
	free(obj);
}

/* The line table (llvm_debug.c, llvm_lines.c): rows inside the code,
 * ascending, each 0 or a module offset; and the section cut at every
 * length, or a byte of it flipped, is read or refused, never trusted
 * past its end (ranges_inside checks what an accepted one gives). */
TEST(line_table_read_and_cuts_checked)
{
	size_t len, refused = 0, accepted = 0;
	uint32_t nf = 0;
	uint8_t *obj = object_of("control", &len, &nf);
	struct llvm_wasm_code lc;
	Elf64_Shdr *dl;
	uint64_t full;
	char msg[256];

	REQUIRE(obj);
	REQUIRE((dl = section(obj, ".debug_line")));
	REQUIRE(llvm_wasm_link_object(obj, len, nf, &lc, msg, sizeof msg) == 0);
	CHECK(lc.nlines > 10);
	CHECK(ranges_inside(&lc));
	for (uint32_t k = 0; k < lc.nlines; k++)
		CHECK(lc.lines[k].wasm_off < wasm_len_last);
	llvm_wasm_code_free(&lc);
	full = dl->sh_size;
	for (uint64_t n = 0; n < full; n++) {
		dl->sh_size = n;
		if (llvm_wasm_link_object(obj, len, nf, &lc, msg, sizeof msg)) {
			CHECK(strstr(msg, ".debug_line") != NULL);
			refused++;
		} else {
			CHECK_MSG(ranges_inside(&lc), "cut at %llu: rows outside",
				  (unsigned long long)n);
			accepted++;
			llvm_wasm_code_free(&lc);
		}
	}
	dl->sh_size = full;
	for (uint64_t k = 0; k < full; k++) {
		obj[dl->sh_offset + k] ^= 0xff;
		if (llvm_wasm_link_object(obj, len, nf, &lc, msg, sizeof msg) == 0) {
			CHECK_MSG(ranges_inside(&lc), "flip at %llu: rows outside",
				  (unsigned long long)k);
			llvm_wasm_code_free(&lc);
		}
		obj[dl->sh_offset + k] ^= 0xff;
	}
	fprintf(stderr, "test_llvm_elf: .debug_line cut at %llu lengths: %zu refused, "
		"%zu accepted\n", (unsigned long long)full, refused, accepted);
	CHECK(refused > 0);
	free(obj);
}

/* Every truncation is refused (the section header table is at the end). */
TEST(object_truncations_refused)
{
	size_t len, refused = 0;
	uint32_t nf = 0;
	uint8_t *obj = object_of("control", &len, &nf);
	struct llvm_wasm_code lc;
	char msg[256];

	REQUIRE(obj);
	for (size_t n = 0; n < len; n++) {
		uint8_t *cut = malloc(n ? n : 1);  /* exactly n bytes: ASan sees overreads */
		REQUIRE(cut);
		memcpy(cut, obj, n);
		if (llvm_wasm_link_object(cut, n, nf, &lc, msg, sizeof msg) == -1 && msg[0])
			refused++;
		else
			llvm_wasm_code_free(&lc);
		free(cut);
	}
	CHECK_MSG(refused == len, "%zu of %zu truncations refused", refused, len);
	free(obj);
}

/* Byte flips anywhere: refused with a message, or accepted with every
 * range inside the blob (code bytes are not checked: flipped code is
 * still code).  Never a crash or an out-of-bounds access. */
TEST(object_byte_flips_checked)
{
	size_t len, refused = 0, accepted = 0;
	uint32_t nf = 0;
	uint8_t *obj = object_of("control", &len, &nf);
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	struct llvm_wasm_code lc;
	char msg[256];

	REQUIRE(obj);
	for (size_t k = 0; k < len; k++) {
		for (size_t j = 0; j < sizeof masks; j++) {
			obj[k] ^= masks[j];
			if (llvm_wasm_link_object(obj, len, nf, &lc, msg, sizeof msg)) {
				CHECK(msg[0] != 0);
				refused++;
			} else {
				CHECK_MSG(ranges_inside(&lc), "flip at %zu: range outside", k);
				accepted++;
				llvm_wasm_code_free(&lc);
			}
			obj[k] ^= masks[j];
		}
	}
	fprintf(stderr, "test_llvm_elf: %zu byte flips: %zu refused, %zu accepted\n",
		refused + accepted, refused, accepted);
	CHECK(refused > 0 && accepted > 0);
	free(obj);
}

/* What the blob cannot hold is refused by name: another relocation type,
 * a relocation against an undefined symbol, writable data. */
TEST(object_unsupported_contents_refused)
{
	size_t len;
	uint32_t nf = 0;
	uint8_t *obj = object_of("control", &len, &nf), *bad;
	struct llvm_wasm_code lc;
	char msg[256];
	Elf64_Shdr *rela, *sym;
	Elf64_Rela *r;
	Elf64_Sym *s;

	REQUIRE(obj && (bad = malloc(len)));
	memcpy(bad, obj, len);
	rela = section(bad, ".rela.text");
	REQUIRE(rela && rela->sh_size >= sizeof *r);
	r = (Elf64_Rela *)(bad + rela->sh_offset);
	r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), R_X86_64_64);
	CHECK(llvm_wasm_link_object(bad, len, nf, &lc, msg, sizeof msg) == -1);
	CHECK_MSG(strstr(msg, "relocation type 1 is not supported"), "message: %s", msg);

	/* a relocation against a local symbol (a section or constant pool);
	   a function symbol made undefined is refused before that */
	memcpy(bad, obj, len);
	rela = section(bad, ".rela.text");
	sym = section(bad, ".symtab");
	s = NULL;
	for (r = (Elf64_Rela *)(bad + rela->sh_offset);
	     (uint8_t *)(r + 1) <= bad + rela->sh_offset + rela->sh_size; r++) {
		s = (Elf64_Sym *)(bad + sym->sh_offset) + ELF64_R_SYM(r->r_info);
		if (ELF64_ST_TYPE(s->st_info) != STT_FUNC)
			break;
		s = NULL;
	}
	REQUIRE(s);
	s->st_shndx = SHN_UNDEF;
	CHECK(llvm_wasm_link_object(bad, len, nf, &lc, msg, sizeof msg) == -1);
	CHECK_MSG(strstr(msg, "relocation against undefined symbol"), "message: %s", msg);
	memcpy(bad, obj, len);
	r = (Elf64_Rela *)(bad + section(bad, ".rela.text")->sh_offset);
	s = (Elf64_Sym *)(bad + sym->sh_offset) + ELF64_R_SYM(r->r_info);
	s->st_shndx = SHN_UNDEF;
	CHECK(llvm_wasm_link_object(bad, len, nf, &lc, msg, sizeof msg) == -1);
	CHECK_MSG(strstr(msg, "not in the code"), "message: %s", msg);

	memcpy(bad, obj, len);
	section(bad, ".rodata")->sh_flags |= SHF_WRITE;
	CHECK(llvm_wasm_link_object(bad, len, nf, &lc, msg, sizeof msg) == -1);
	CHECK_MSG(strstr(msg, "section .rodata: writable"), "message: %s", msg);

	memcpy(bad, obj, len);          /* and the original still links */
	REQUIRE(llvm_wasm_link_object(bad, len, nf, &lc, msg, sizeof msg) == 0);
	llvm_wasm_code_free(&lc);
	free(bad);
	free(obj);
}

/* The symbol of function k's tailcc body (tail_calls.wat: a module with
 * tail calls, llvm_module.c), or NULL. */
static Elf64_Sym *body_sym(uint8_t *obj, uint32_t k)
{
	Elf64_Shdr *st = section(obj, ".symtab"), *str;
	char want[32];

	if (!st)
		return NULL;
	str = (Elf64_Shdr *)(obj + ((Elf64_Ehdr *)obj)->e_shoff) + st->sh_link;
	snprintf(want, sizeof want, "wasm_body_%u", k);
	for (Elf64_Sym *s = (Elf64_Sym *)(obj + st->sh_offset);
	     (uint8_t *)(s + 1) <= obj + st->sh_offset + st->sh_size; s++)
		if (!strcmp((const char *)obj + str->sh_offset + s->st_name, want))
			return s;
	return NULL;
}

/* A module with tail calls: each function's range is its v1 wrapper and
 * its body right after it (a return address in the body maps to it); a
 * body moved away from its wrapper (16 bytes on: room for another
 * function in between) or before it is refused. */
TEST(tail_bodies_joined_to_their_wrappers)
{
	size_t len;
	uint32_t nf = 0;
	uint8_t *obj = object_of("tail_calls", &len, &nf), *bad;
	struct llvm_wasm_code lc;
	char msg[256];
	Elf64_Sym *s;

	REQUIRE(obj && (bad = malloc(len)));
	REQUIRE(llvm_wasm_link_object(obj, len, nf, &lc, msg, sizeof msg) == 0);
	CHECK(ranges_inside(&lc));
	for (uint32_t i = 0; i < nf; i++) {
		s = body_sym(obj, i);
		REQUIRE(s);
		/* the body's end is the range's end (.text starts the blob) */
		CHECK_EQ_U64(lc.func_off[i] + lc.func_size[i], s->st_value + s->st_size);
		CHECK(s->st_value > lc.func_off[i]);
	}
	llvm_wasm_code_free(&lc);
	memcpy(bad, obj, len);
	s = body_sym(bad, 1);
	s->st_value += 16;
	s->st_size = s->st_size > 16 ? s->st_size - 16 : 0;
	CHECK(llvm_wasm_link_object(bad, len, nf, &lc, msg, sizeof msg) == -1);
	CHECK_MSG(strstr(msg, "wasm_body_1 does not follow wasm_func_1"), "message: %s", msg);
	memcpy(bad, obj, len);
	body_sym(bad, 2)->st_value = 0;
	CHECK(llvm_wasm_link_object(bad, len, nf, &lc, msg, sizeof msg) == -1);
	CHECK_MSG(strstr(msg, "wasm_body_2 does not follow wasm_func_2"), "message: %s", msg);
	free(bad);
	free(obj);
}

/* An addend near INT64_MAX overflowed S + A - P (64-bit signed: undefined
 * behaviour, UBSan found it in the byte-flip sweep): refused as out of
 * range, with any addend that could not fit. */
TEST(relocation_addend_overflow_refused)
{
	size_t len;
	uint32_t nf = 0;
	uint8_t *obj = object_of("control", &len, &nf), *bad;
	struct llvm_wasm_code lc;
	char msg[256];
	static const int64_t addends[] = { INT64_MAX, INT64_MAX - 3, INT64_MIN,
					   INT64_MIN + 5, (int64_t)1 << 40 };

	REQUIRE(obj && (bad = malloc(len)));
	for (size_t k = 0; k < sizeof addends / sizeof addends[0]; k++) {
		Elf64_Rela *r;
		memcpy(bad, obj, len);
		r = (Elf64_Rela *)(bad + section(bad, ".rela.text")->sh_offset);
		r->r_addend = addends[k];
		CHECK(llvm_wasm_link_object(bad, len, nf, &lc, msg, sizeof msg) == -1);
		CHECK_MSG(strstr(msg, "relocation out of range"), "message: %s", msg);
	}
	memcpy(bad, obj, len);
	REQUIRE(llvm_wasm_link_object(bad, len, nf, &lc, msg, sizeof msg) == 0);
	llvm_wasm_code_free(&lc);
	free(bad);
	free(obj);
}

/* An object without a trap table (its section not allocated: a flipped
 * sh_flags) links with no trap sites; sorting the empty list passed NULL
 * to qsort (undefined; UBSan found it in the byte-flip sweep). */
TEST(object_without_trap_sites_links)
{
	size_t len;
	uint32_t nf = 0;
	uint8_t *obj = object_of("control", &len, &nf);
	struct llvm_wasm_code lc;
	char msg[256];
	Elf64_Shdr *t;

	REQUIRE(obj && (t = section(obj, ".wasm_traps")));
	t->sh_flags &= ~(uint64_t)SHF_ALLOC;
	REQUIRE(llvm_wasm_link_object(obj, len, nf, &lc, msg, sizeof msg) == 0);
	CHECK_EQ_U64(lc.ntraps, 0);
	CHECK(ranges_inside(&lc));
	llvm_wasm_code_free(&lc);
	free(obj);
}

/* A trap table entry that does not point just after a call is refused. */
TEST(trap_table_entry_not_a_call_refused)
{
	size_t len;
	uint32_t nf = 0;
	uint8_t *obj = object_of("control", &len, &nf);
	struct llvm_wasm_code lc;
	char msg[256];
	Elf64_Shdr *rt;
	Elf64_Rela *r;

	REQUIRE(obj && (rt = section(obj, ".rela.wasm_traps")) && rt->sh_size >= sizeof *r);
	r = (Elf64_Rela *)(obj + rt->sh_offset);
	r->r_addend += 1;       /* one byte past the site */
	CHECK(llvm_wasm_link_object(obj, len, nf, &lc, msg, sizeof msg) == -1);
	CHECK_MSG(strstr(msg, "trap table: entry 0 is not a call site"), "message: %s", msg);
	free(obj);
}

int main(void)
{
	plat_host_init();
	RUN(object_links_to_one_blob);
	RUN(object_truncations_refused);
	RUN(line_table_read_and_cuts_checked);
	RUN(object_byte_flips_checked);
	RUN(object_unsupported_contents_refused);
	RUN(tail_bodies_joined_to_their_wrappers);
	RUN(relocation_addend_overflow_refused);
	RUN(object_without_trap_sites_links);
	RUN(trap_table_entry_not_a_call_refused);
	CHECK_DONE();
}
