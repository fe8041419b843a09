/*
 * pvh.c — struct boot_info from a PVH start info (kernel/pvh.h), for
 * kernel/pvh_entry.S: the memory map in our own types with the kernel
 * image, the bundle (the first module: the monitor's initrd) and the first
 * MiB taken out of usable RAM, the RSDP, the command line.
 *
 * The start info is hostile input like any other: every address is
 * checked against the identity map before it is read, the memory map may
 * have holes, overlaps, zero-length or wrapping entries and any number of
 * them.  What cannot be used becomes boot_info.error, which kernel_main
 * reports on the console before it shuts down (no hang, no triple fault).
 *
 * Runs before kernel_main on pvh_entry.S's page tables and stack: no
 * klog, no heap, nothing but this file's own loops.
 */
#include <stdbool.h>
#include <stddef.h>
#include "pvh.h"

#define PAGE            4096ull
#define IDENT_TOP       (64ull << 30)   /* pvh_entry.S identity-maps this */
#define LOW_RESERVED    (1ull << 20)    /* real-mode area, BIOS, EBDA */
#define MAX_INPUT       (BOOT_MEM_MAX + 8)
#define KERNEL_VMA      0xffffffff80000000ull

#ifndef PVH_KERNEL_SIZE                 /* tests/unit/test_pvh.c sets it */
extern char __kernel_start[], __kernel_end[];
#define PVH_KERNEL_SIZE ((uint64_t)(__kernel_end - __kernel_start))
#endif

static struct boot_info info;

/* An interval of one type; higher `type_rank` wins where they overlap. */
struct span {
	uint64_t base, end;             /* [base, end), page aligned */
	uint32_t type;
};

static struct span spans[MAX_INPUT];
static unsigned nspans;
static uint64_t points[2 * MAX_INPUT];

static void fail(const char *msg)
{
	unsigned i;

	if (info.error[0])
		return;                 /* the first error is the one to report */
	for (i = 0; msg[i] && i < BOOT_ERROR_MAX - 1; i++)
		info.error[i] = msg[i];
	info.error[i] = 0;
}

/* [pa, pa + len) inside the identity map (readable; no wrap). */
static bool readable(uint64_t pa, uint64_t len)
{
	return pa < IDENT_TOP && len <= IDENT_TOP - pa;
}

static unsigned type_rank(uint32_t t)
{
	switch (t) {
	case BOOT_MEM_USABLE:       return 1;
	case BOOT_MEM_ACPI_RECLAIM: return 2;
	case BOOT_MEM_ACPI_NVS:     return 3;
	case BOOT_MEM_RESERVED:     return 4;
	case BOOT_MEM_KERNEL:       return 5;
	default:                    return 0;
	}
}

static uint32_t e820_type(uint32_t t)
{
	switch (t) {
	case E820_RAM:  return BOOT_MEM_USABLE;
	case E820_ACPI: return BOOT_MEM_ACPI_RECLAIM;
	case E820_NVS:  return BOOT_MEM_ACPI_NVS;
	default:        return BOOT_MEM_RESERVED;   /* reserved, bad, PMEM, ... */
	}
}

/* Usable memory shrinks to whole pages inside it, anything else grows to
 * whole pages around it; both stop at the identity map's end (beyond it
 * the kernel could not reach RAM before its own page tables: the UEFI
 * loader reports only RAM below 64 GiB too). */
static void add_span(uint64_t base, uint64_t size, uint32_t type)
{
	uint64_t end = size > UINT64_MAX - base ? UINT64_MAX : base + size;

	if (type == BOOT_MEM_USABLE) {
		base = (base + PAGE - 1) & ~(PAGE - 1);
		end &= ~(PAGE - 1);
	} else {
		base &= ~(PAGE - 1);
		end = end > UINT64_MAX - (PAGE - 1) ? UINT64_MAX & ~(PAGE - 1)
						    : (end + PAGE - 1) & ~(PAGE - 1);
	}
	if (base >= IDENT_TOP)
		return;
	if (end > IDENT_TOP)
		end = IDENT_TOP;
	if (end <= base)
		return;
	if (nspans == MAX_INPUT) {
		fail("PVH memory map: too many entries");
		return;
	}
	spans[nspans++] = (struct span){ base, end, type };
}

static void sort_points(unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t v = points[i];
		unsigned j = i;

		for (; j > 0 && points[j - 1] > v; j--)
			points[j] = points[j - 1];
		points[j] = v;
	}
}

static uint32_t type_at(uint64_t base, uint64_t end)
{
	uint32_t best = 0;

	for (unsigned i = 0; i < nspans; i++)
		if (spans[i].base <= base && end <= spans[i].end &&
		    type_rank(spans[i].type) > type_rank(best))
			best = spans[i].type;
	return best;
}

static void emit(uint64_t base, uint64_t end, uint32_t type)
{
	struct boot_mem_range *last = info.nmem ? &info.mem[info.nmem - 1] : NULL;

	if (last && last->type == type && last->base + last->pages * PAGE == base) {
		last->pages += (end - base) / PAGE;
		return;
	}
	if (info.nmem == BOOT_MEM_MAX) {
		fail("PVH memory map: more than 256 ranges after merging");
		return;
	}
	info.mem[info.nmem++] = (struct boot_mem_range){
		.base = base, .pages = (end - base) / PAGE, .type = type };
}

/* The elementary intervals between all span edges, each of the type that
 * ranks highest over it: overlaps resolved towards "not usable". */
static void flatten(void)
{
	unsigned n = 0, u = 0;

	for (unsigned i = 0; i < nspans; i++) {
		points[n++] = spans[i].base;
		points[n++] = spans[i].end;
	}
	sort_points(n);
	for (unsigned i = 0; i < n; i++)
		if (u == 0 || points[u - 1] != points[i])
			points[u++] = points[i];
	for (unsigned i = 0; i + 1 < u; i++) {
		uint32_t t = type_at(points[i], points[i + 1]);

		if (t)
			emit(points[i], points[i + 1], t);
	}
}

static void read_memmap(const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *e;
	uint64_t bytes = (uint64_t)si->memmap_entries * sizeof(*e);

	if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
		return fail("PVH start info has no memory map (version 0 or empty)");
	if (si->memmap_entries > BOOT_MEM_MAX)
		return fail("PVH memory map: more than 256 entries");
	if (!readable(si->memmap_paddr, bytes))
		return fail("PVH memory map outside the first 64 GiB");
	e = (const struct hvm_memmap_entry *)(uintptr_t)si->memmap_paddr;
	for (uint32_t i = 0; i < si->memmap_entries; i++)
		if (e[i].size)
			add_span(e[i].addr, e[i].size, e820_type(e[i].type));
}

static void read_bundle(const struct hvm_start_info *si)
{
	const struct hvm_modlist_entry *m;

	if (si->nr_modules == 0)
		return;                 /* no initrd: kernel_main says "bundle: none" */
	if (!readable(si->modlist_paddr, sizeof(*m)))
		return fail("PVH module list outside the first 64 GiB");
	m = (const struct hvm_modlist_entry *)(uintptr_t)si->modlist_paddr;
	if (!m->size)
		return fail("PVH module 0 (the bundle) is empty");
	if (!readable(m->paddr, m->size))
		return fail("PVH module 0 (the bundle) outside the first 64 GiB");
	info.bundle_phys = m->paddr;
	info.bundle_size = m->size;
	add_span(m->paddr, m->size, BOOT_MEM_KERNEL);
}

static void read_cmdline(const struct hvm_start_info *si)
{
	const char *c;
	unsigned i;

	if (!si->cmdline_paddr)
		return;
	if (!readable(si->cmdline_paddr, BOOT_CMDLINE_MAX))
		return fail("PVH command line outside the first 64 GiB");
	c = (const char *)(uintptr_t)si->cmdline_paddr;
	for (i = 0; i < BOOT_CMDLINE_MAX - 1 && c[i]; i++)
		info.cmdline[i] = c[i];
	info.cmdline[i] = 0;
	if (c[i])
		fail("PVH command line longer than 1023 bytes");
}

static bool sig_at(uint64_t pa)
{
	const char *p = (const char *)(uintptr_t)pa;

	return p[0] == 'R' && p[1] == 'S' && p[2] == 'D' && p[3] == ' ' &&
	       p[4] == 'P' && p[5] == 'T' && p[6] == 'R' && p[7] == ' ';
}

/* ACPI 6.5 §5.2.5.1: on a legacy-free machine the RSDP is in the first
 * KiB of the EBDA or in 0xe0000-0xfffff, on a 16-byte boundary.  acpi.c
 * checks its checksum. */
static uint64_t find_rsdp(const struct hvm_start_info *si)
{
	uintptr_t bda_ebda = 0x40e;     /* BIOS data area: EBDA segment */
	uint64_t ebda;

	if (si->rsdp_paddr)
		return readable(si->rsdp_paddr, 36) ? si->rsdp_paddr : 0;
	__asm__("" : "+r"(bda_ebda));   /* a real address, not a null offset */
	ebda = (uint64_t)*(const uint16_t *)bda_ebda << 4;
	if (ebda >= 0x80000 && ebda < 0xa0000)
		for (uint64_t pa = ebda; pa < ebda + 1024; pa += 16)
			if (sig_at(pa))
				return pa;
	for (uint64_t pa = 0xe0000; pa < 0x100000; pa += 16)
		if (sig_at(pa))
			return pa;
	return 0;
}

/* info from the start info at start_phys (tests/unit/test_pvh.c calls
 * this with start infos of its own). */
static void pvh_build(uint64_t start_phys, uint64_t kernel_size)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)start_phys;

	info = (struct boot_info){ 0 };
	nspans = 0;
	info.magic = BOOT_INFO_MAGIC;
	info.boot_path = BOOT_PATH_PVH;
	info.kernel_phys = KERNEL_PVH_PHYS;
	info.kernel_size = kernel_size;
	if (!readable(start_phys, sizeof(*si)) || si->magic != HVM_START_MAGIC) {
		fail("PVH start info missing or bad magic (not booted by a PVH loader?)");
	} else {
		read_memmap(si);
		read_bundle(si);
		read_cmdline(si);
		info.acpi_rsdp = find_rsdp(si);
	}
	add_span(0, LOW_RESERVED, BOOT_MEM_RESERVED);
	add_span(KERNEL_PVH_PHYS, kernel_size, BOOT_MEM_KERNEL);
	flatten();
}

uint64_t pvh_boot_info(uint64_t start_phys, uint64_t tsc_at_entry)
{
	uint64_t tsc_lo, tsc_hi;

	pvh_build(start_phys, PVH_KERNEL_SIZE);
	info.tsc_at_loader = tsc_at_entry;
	__asm__ volatile("rdtsc" : "=a"(tsc_lo), "=d"(tsc_hi));
	info.tsc_at_exit = tsc_hi << 32 | tsc_lo;
	return (uint64_t)(uintptr_t)&info - KERNEL_VMA + KERNEL_PVH_PHYS;
}
