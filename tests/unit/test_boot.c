/*
 * test_boot.c — the UEFI loader's firmware-free parts, on the host:
 * boot/elf.c against valid and hostile kernel ELFs (every truncation,
 * targeted corruptions, random mutations), boot/memmap.c (types, sorting,
 * merging, the KERNEL override), boot/paging.c (walk the built tables).
 * The .c files are included: boot/ is not part of libwasmetal-host.a.
 */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "../../boot/elf.c"
#include "../../boot/memmap.c"
#include "../../boot/paging.c"

/* ---- a small valid kernel ELF: text (RX), rodata (R), data+bss (RW) ---- */

#define NPH 3
struct img {
	struct elf64_ehdr h;
	struct elf64_phdr ph[NPH];
	uint8_t body[3 * 4096];
};

static void make_elf(struct img *m)
{
	static const uint32_t flags[NPH] = { PF_X | 4, 4, PF_W | 4 };

	memset(m, 0, sizeof(*m));
	memcpy(m->h.e_ident, "\177ELF", 4);
	m->h.e_ident[4] = ELFCLASS64;
	m->h.e_ident[5] = ELFDATA2LSB;
	m->h.e_ident[6] = EV_CURRENT;
	m->h.e_type = ET_EXEC;
	m->h.e_machine = EM_X86_64;
	m->h.e_version = EV_CURRENT;
	m->h.e_entry = KERNEL_VMA + 0x10;
	m->h.e_phoff = offsetof(struct img, ph);
	m->h.e_ehsize = sizeof(m->h);
	m->h.e_phentsize = sizeof(struct elf64_phdr);
	m->h.e_phnum = NPH;
	for (int i = 0; i < NPH; i++) {
		struct elf64_phdr *p = &m->ph[i];

		p->p_type = PT_LOAD;
		p->p_flags = flags[i];
		p->p_offset = offsetof(struct img, body) + i * 4096;
		p->p_vaddr = KERNEL_VMA + i * 4096;
		p->p_filesz = 100;
		p->p_memsz = i == 2 ? 3 * 4096 + 5 : 100;       /* bss */
		p->p_align = 4096;
		memset(m->body + i * 4096, 0xa0 + i, 100);
	}
}

TEST(elf_valid)
{
	struct img m;
	struct kelf k;
	const char *why = "";
	uint8_t *dst;

	make_elf(&m);
	CHECK(elf_check(&m, sizeof(m), &k, &why) == 0);
	CHECK_EQ_U64(k.nseg, 3);
	CHECK_EQ_U64(k.entry, KERNEL_VMA + 0x10);
	CHECK_EQ_U64(k.span, 6 * 4096);
	CHECK(k.seg[0].exec && !k.seg[0].write);
	CHECK(!k.seg[1].exec && !k.seg[1].write);
	CHECK(!k.seg[2].exec && k.seg[2].write);
	dst = malloc(k.span);
	memset(dst, 0x55, k.span);
	elf_copy(&m, &k, dst);
	CHECK(dst[0] == 0xa0 && dst[99] == 0xa0 && dst[100] == 0);
	CHECK(dst[4096] == 0xa1 && dst[8192 + 99] == 0xa2);
	CHECK(dst[8192 + 100] == 0 && dst[k.span - 1] == 0);
	free(dst);
}

TEST(elf_every_truncation_rejected_or_safe)
{
	struct img m;
	struct kelf k;
	const char *why;

	make_elf(&m);
	/* the last segment's bytes end at body + 8192 + 100 */
	for (size_t n = 0; n < offsetof(struct img, body) + 8192 + 100; n++) {
		uint8_t *copy = malloc(n ? n : 1);     /* ASan sees overreads */

		memcpy(copy, &m, n);
		CHECK(elf_check(copy, n, &k, &why) == -1);
		free(copy);
	}
}

#define EXPECT_REJECT(mutation) do { struct img m; struct kelf k; \
	const char *why = NULL; make_elf(&m); mutation; \
	CHECK(elf_check(&m, sizeof(m), &k, &why) == -1); CHECK(why != NULL); \
	} while (0)

TEST(elf_hostile_headers)
{
	EXPECT_REJECT(m.h.e_ident[0] = 0);
	EXPECT_REJECT(m.h.e_ident[4] = 1);                       /* 32-bit */
	EXPECT_REJECT(m.h.e_ident[5] = 2);                       /* big-endian */
	EXPECT_REJECT(m.h.e_type = 3);                           /* ET_DYN */
	EXPECT_REJECT(m.h.e_machine = 3);                        /* i386 */
	EXPECT_REJECT(m.h.e_phentsize = 32);
	EXPECT_REJECT(m.h.e_phnum = 0);
	EXPECT_REJECT(m.h.e_phnum = 0xffff);
	EXPECT_REJECT(m.h.e_phoff = ~0ull - 8);
	EXPECT_REJECT(m.h.e_phoff = sizeof(m) - 56);
	EXPECT_REJECT(m.h.e_entry = KERNEL_VMA + 4096);          /* rodata */
	EXPECT_REJECT(m.h.e_entry = 0);
}

TEST(elf_hostile_segments)
{
	EXPECT_REJECT(m.ph[0].p_flags |= PF_W);                  /* W+X */
	EXPECT_REJECT(m.ph[1].p_filesz = m.ph[1].p_memsz + 1);
	EXPECT_REJECT(m.ph[1].p_offset = ~0ull - 10);
	EXPECT_REJECT(m.ph[1].p_offset = sizeof(m) - 50);
	EXPECT_REJECT(m.ph[1].p_vaddr = KERNEL_VMA + 100);       /* unaligned */
	EXPECT_REJECT(m.ph[1].p_vaddr = 0x400000);               /* low half */
	EXPECT_REJECT(m.ph[1].p_vaddr = KERNEL_VMA);             /* overlap */
	EXPECT_REJECT(m.ph[2].p_vaddr = KERNEL_VMA + 4096);      /* descending */
	EXPECT_REJECT(m.ph[2].p_memsz = ~0ull - 4096);           /* wraps */
	EXPECT_REJECT(m.ph[2].p_memsz = KERNEL_MAX_SPAN);        /* > 1 GiB */
	EXPECT_REJECT(m.ph[0].p_vaddr = KERNEL_VMA + 4096;
		      m.ph[1].p_vaddr = KERNEL_VMA + 8192;
		      m.ph[2].p_vaddr = KERNEL_VMA + 12288);        /* not at base */
	EXPECT_REJECT(for (int i = 0; i < NPH; i++) m.ph[i].p_type = 4);
}

TEST(elf_random_mutations)
{
	struct img m, base;
	struct kelf k;
	const char *why;
	unsigned seed = 12345, accepted = 0;

	make_elf(&base);
	for (int iter = 0; iter < 20000; iter++) {
		m = base;
		for (int j = 0; j < 4; j++) {
			seed = seed * 1103515245 + 12345;
			((uint8_t *)&m)[(seed >> 8) % offsetof(struct img, body)] =
				(uint8_t)(seed >> 20);
		}
		if (elf_check(&m, sizeof(m), &k, &why))
			continue;
		accepted++;
		/* whatever got through must be loadable as promised */
		CHECK(k.nseg >= 1 && k.nseg <= KSEG_MAX);
		CHECK(k.span <= KERNEL_MAX_SPAN);
		for (int i = 0; i < k.nseg; i++) {
			CHECK(k.seg[i].file_off + k.seg[i].filesz <= sizeof(m));
			CHECK(k.seg[i].off + k.seg[i].memsz <= k.span);
			CHECK(!(k.seg[i].write && k.seg[i].exec));
		}
	}
	CHECK(accepted > 0);    /* some mutations only touch don't-care bytes */
}

/* ---- memory map ---------------------------------------------------------- */

static void md(struct efi_md *d, uint32_t type, uint64_t base, uint64_t pages)
{
	memset(d, 0, sizeof(*d));
	d->type = type;
	d->phys = base;
	d->pages = pages;
}

TEST(memmap_convert_merge_override)
{
	struct efi_md map[7];
	struct mm_range kern[2] = {
		{ 0x200000, 0x203000, BOOT_MEM_KERNEL },
		{ 0x300000, 0x301000, BOOT_MEM_KERNEL },
	};
	struct mm_range work[7 + 4];
	static struct boot_info bi;

	/* unsorted on purpose */
	md(&map[0], EFI_CONVENTIONAL, 0x100000, 0x100);         /* 1M..2M */
	md(&map[1], EFI_RT_DATA, 0x400000, 1);
	md(&map[2], EFI_LOADER_DATA, 0x200000, 0x100);          /* 2M..3M */
	md(&map[3], EFI_BS_DATA, 0x300000, 0x10);
	md(&map[4], EFI_ACPI_RECLAIM, 0x401000, 2);
	md(&map[5], EFI_CONVENTIONAL, 0, 0xa0);
	md(&map[6], EFI_MMIO, 0xfee00000, 1);
	CHECK_EQ_U64(memmap_convert(map, sizeof(map), sizeof(map[0]), kern, 2,
				    work, &bi), 0);
	CHECK_EQ_U64(memmap_ram_top(map, sizeof(map), sizeof(map[0])), 0x403000);
	CHECK_EQ_U64(bi.nmem, 9);
	CHECK(bi.mem[0].base == 0 && bi.mem[0].pages == 0xa0 &&
	      bi.mem[0].type == BOOT_MEM_USABLE);
	/* conventional + the loader data before the kernel range merge */
	CHECK(bi.mem[1].base == 0x100000 && bi.mem[1].pages == 0x100 &&
	      bi.mem[1].type == BOOT_MEM_USABLE);
	CHECK(bi.mem[2].base == 0x200000 && bi.mem[2].pages == 3 &&
	      bi.mem[2].type == BOOT_MEM_KERNEL);
	CHECK(bi.mem[3].base == 0x203000 && bi.mem[3].pages == 0xfd &&
	      bi.mem[3].type == BOOT_MEM_USABLE);
	CHECK(bi.mem[4].base == 0x300000 && bi.mem[4].pages == 1 &&
	      bi.mem[4].type == BOOT_MEM_KERNEL);
	CHECK(bi.mem[5].base == 0x301000 && bi.mem[5].pages == 0xf &&
	      bi.mem[5].type == BOOT_MEM_USABLE);
	CHECK(bi.mem[6].type == BOOT_MEM_RESERVED && bi.mem[6].base == 0x400000);
	CHECK(bi.mem[7].type == BOOT_MEM_ACPI_RECLAIM && bi.mem[7].pages == 2);
	CHECK(bi.mem[8].type == BOOT_MEM_RESERVED && bi.mem[8].base == 0xfee00000);
}

TEST(memmap_overflow_and_garbage)
{
	static struct efi_md map[BOOT_MEM_MAX + 10];
	static struct mm_range work[BOOT_MEM_MAX + 10];
	static struct boot_info bi;
	unsigned n = BOOT_MEM_MAX + 10;

	/* alternating types never merge: the last 10 ranges are dropped */
	for (unsigned i = 0; i < n; i++)
		md(&map[i], i % 2 ? EFI_CONVENTIONAL : EFI_RESERVED, i * 4096ull, 1);
	md(&map[5], EFI_CONVENTIONAL, ~0ull - 4095, 2);          /* wraps: skipped */
	CHECK(memmap_convert(map, sizeof(map), sizeof(map[0]), NULL, 0, work, &bi) > 0);
	CHECK_EQ_U64(bi.nmem, BOOT_MEM_MAX);
	for (unsigned i = 1; i < bi.nmem; i++)
		CHECK(bi.mem[i].base > bi.mem[i - 1].base);
	CHECK_EQ_U64(memmap_convert(map, sizeof(map), 8, NULL, 0, work, &bi), 0);
	CHECK_EQ_U64(bi.nmem, 0);                                /* desc too small */
}

/* ---- page tables --------------------------------------------------------- */

/* Software walk: the "physical" addresses are the pool's host addresses. */
static uint64_t walk_pt(uint64_t cr3, uint64_t va, uint64_t *leaf_size)
{
	uint64_t *t = (uint64_t *)(uintptr_t)cr3;

	for (int l = 3; l >= 0; l--) {
		uint64_t e = t[(va >> (12 + 9 * l)) & 511];

		if (!(e & PTE_P))
			return 0;
		if (l == 0 || (e & PTE_PS)) {
			*leaf_size = 1ull << (12 + 9 * l);
			return e;
		}
		t = (uint64_t *)(uintptr_t)(e & 0x000ffffffffff000ull);
	}
	return 0;
}

TEST(paging_layout)
{
	struct img m;
	struct kelf k;
	const char *why;
	uint64_t need, cr3, e, sz, kphys = 0x12345000;
	uint64_t exec_lo = 0x3e2b5100, exec_hi = 0x3e2b5180;
	void *pool = NULL;

	make_elf(&m);
	CHECK(elf_check(&m, sizeof(m), &k, &why) == 0);
	need = paging_pages_needed(4 * GIB, &k);
	CHECK(posix_memalign(&pool, 4096, need * 4096) == 0);
	CHECK_EQ_U64(paging_build(pool, need - 1, 4 * GIB, &k, kphys, exec_lo,
				  exec_hi, 1), 0);          /* pool too small */
	cr3 = paging_build(pool, need, 4 * GIB, &k, kphys, exec_lo, exec_hi, 1);
	CHECK(cr3 == (uint64_t)(uintptr_t)pool);

	e = walk_pt(cr3, KERNEL_VMA + 0x10, &sz);               /* text: RX */
	CHECK_EQ_U64(e & 0x000ffffffffff000ull, kphys);
	CHECK(sz == 4096 && !(e & PTE_W) && !(e & PTE_NX));
	e = walk_pt(cr3, KERNEL_VMA + 4096, &sz);               /* rodata: R, NX */
	CHECK_EQ_U64(e & 0x000ffffffffff000ull, kphys + 4096);
	CHECK(!(e & PTE_W) && (e & PTE_NX));
	e = walk_pt(cr3, KERNEL_VMA + 5 * 4096, &sz);           /* bss: RW, NX */
	CHECK_EQ_U64(e & 0x000ffffffffff000ull, kphys + 5 * 4096);
	CHECK((e & PTE_W) && (e & PTE_NX));
	CHECK_EQ_U64(walk_pt(cr3, KERNEL_VMA + 6 * 4096, &sz), 0);  /* past end */

	e = walk_pt(cr3, 0x40000000, &sz);                      /* identity 2M */
	CHECK(sz == PAGE_SIZE_2M && (e & 0x000fffffffe00000ull) == 0x40000000);
	CHECK((e & PTE_W) && (e & PTE_NX));
	e = walk_pt(cr3, 4 * GIB - 1, &sz);
	CHECK((e & 0x000fffffffe00000ull) == 4 * GIB - PAGE_SIZE_2M);
	CHECK_EQ_U64(walk_pt(cr3, 4 * GIB, &sz), 0);

	e = walk_pt(cr3, exec_lo, &sz);                         /* trampoline */
	CHECK(sz == 4096 && !(e & PTE_NX) && (e & 0x000ffffffffff000ull) == 0x3e2b5000);
	e = walk_pt(cr3, exec_lo + 4096, &sz);                  /* its neighbour */
	CHECK(sz == 4096 && (e & PTE_NX));
	free(pool);
}

int main(void)
{
	RUN(elf_valid);
	RUN(elf_every_truncation_rejected_or_safe);
	RUN(elf_hostile_headers);
	RUN(elf_hostile_segments);
	RUN(elf_random_mutations);
	RUN(memmap_convert_merge_override);
	RUN(memmap_overflow_and_garbage);
	RUN(paging_layout);
	CHECK_DONE();
}
