/*
 * elf.c — check and copy the kernel ELF (ELF-64 Object File Format 1.5,
 * System V ABI AMD64 supplement).  The file is hostile input: every offset
 * and size is checked with overflow-safe arithmetic before it is used.
 *
 * What the loader accepts (linker.ld produces exactly this):
 *   ELFCLASS64, little-endian, ET_EXEC, EM_X86_64, 1..KSEG_MAX PT_LOAD
 *   segments with 4 KiB aligned, ascending, non-overlapping vaddrs, the
 *   first at KERNEL_VMA, never both writable and executable, the whole
 *   image within KERNEL_MAX_SPAN, and the entry point in an executable
 *   segment.
 */
#include "loader.h"

#define EI_NIDENT 16
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define EM_X86_64 62
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 phdr");

/* a + b <= limit, without overflow */
static int fits(uint64_t a, uint64_t b, uint64_t limit)
{
	return a <= limit && b <= limit - a;
}

static void copy_bytes(void *dst, const void *src, uint64_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
}

static void zero_bytes(void *dst, uint64_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = 0;
}

static int check_ehdr(const struct elf64_ehdr *h, uint64_t size, const char **why)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

	for (int i = 0; i < 4; i++)
		if (h->e_ident[i] != magic[i])
			return *why = "not an ELF file (bad magic)", -1;
	if (h->e_ident[4] != ELFCLASS64)
		return *why = "not a 64-bit ELF (ELFCLASS64)", -1;
	if (h->e_ident[5] != ELFDATA2LSB)
		return *why = "not a little-endian ELF", -1;
	if (h->e_ident[6] != EV_CURRENT || h->e_version != EV_CURRENT)
		return *why = "unknown ELF version", -1;
	if (h->e_type != ET_EXEC)
		return *why = "not an executable ELF (ET_EXEC)", -1;
	if (h->e_machine != EM_X86_64)
		return *why = "not an x86-64 ELF (EM_X86_64)", -1;
	if (h->e_phentsize != sizeof(struct elf64_phdr))
		return *why = "bad program header size", -1;
	if (h->e_phnum == 0)
		return *why = "no program headers", -1;
	if (!fits(h->e_phoff, (uint64_t)h->e_phnum * sizeof(struct elf64_phdr), size))
		return *why = "program headers extend past the end of the file", -1;
	if (h->e_phoff % 8)
		return *why = "misaligned program headers", -1;
	return 0;
}

static int add_segment(const struct elf64_phdr *p, uint64_t size,
		       struct kelf *k, const char **why)
{
	struct kseg *s;
	uint64_t end;

	if (k->nseg == KSEG_MAX)
		return *why = "too many PT_LOAD segments", -1;
	if (p->p_filesz > p->p_memsz)
		return *why = "segment p_filesz > p_memsz", -1;
	if (!fits(p->p_offset, p->p_filesz, size))
		return *why = "segment extends past the end of the file", -1;
	if (p->p_memsz == 0)
		return 0;               /* ld emits empty PHDRS entries at 0 */
	if (p->p_vaddr < KERNEL_VMA || p->p_vaddr % PAGE_SIZE_4K)
		return *why = "segment vaddr not 4 KiB aligned in the kernel half", -1;
	if (!fits(p->p_vaddr - KERNEL_VMA, p->p_memsz, KERNEL_MAX_SPAN))
		return *why = "kernel image larger than 1 GiB", -1;
	if ((p->p_flags & PF_W) && (p->p_flags & PF_X))
		return *why = "segment both writable and executable (W^X)", -1;
	if (k->nseg == 0 && p->p_vaddr != KERNEL_VMA)
		return *why = "first segment not at 0xffffffff80000000", -1;
	if (k->nseg > 0 && p->p_vaddr - KERNEL_VMA < k->span)
		return *why = "segments overlap or are not in ascending order", -1;

	s = &k->seg[k->nseg++];
	s->off = p->p_vaddr - KERNEL_VMA;
	s->memsz = p->p_memsz;
	s->file_off = p->p_offset;
	s->filesz = p->p_filesz;
	s->write = !!(p->p_flags & PF_W);
	s->exec = !!(p->p_flags & PF_X);
	end = s->off + s->memsz;
	k->span = (end + PAGE_SIZE_4K - 1) & ~(PAGE_SIZE_4K - 1);
	return 0;
}

int elf_check(const void *buf, uint64_t size, struct kelf *k, const char **why)
{
	const struct elf64_ehdr *h = buf;
	const struct elf64_phdr *ph;
	int entry_ok = 0;

	zero_bytes(k, sizeof(*k));
	if (size < sizeof(*h))
		return *why = "file too small for an ELF header", -1;
	if (check_ehdr(h, size, why))
		return -1;
	ph = (const struct elf64_phdr *)((const uint8_t *)buf + h->e_phoff);
	for (unsigned i = 0; i < h->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (add_segment(&ph[i], size, k, why))
			return -1;
	}
	if (k->nseg == 0)
		return *why = "no loadable segments", -1;
	for (int i = 0; i < k->nseg; i++) {
		const struct kseg *s = &k->seg[i];

		if (s->exec && h->e_entry >= KERNEL_VMA + s->off &&
		    h->e_entry - KERNEL_VMA - s->off < s->memsz)
			entry_ok = 1;
	}
	if (!entry_ok)
		return *why = "entry point not in an executable segment", -1;
	k->entry = h->e_entry;
	return 0;
}

void elf_copy(const void *buf, const struct kelf *k, void *dst)
{
	uint8_t *d = dst;

	zero_bytes(d, k->span);
	for (int i = 0; i < k->nseg; i++)
		copy_bytes(d + k->seg[i].off,
			   (const uint8_t *)buf + k->seg[i].file_off,
			   k->seg[i].filesz);
}
