/*
 * pmm.c — the kernel's physical frame allocator: a bitmap (mm/pmm_core.c)
 * placed in usable RAM below 4 GiB, reached through the loader's identity
 * map until vmm_init switches to the direct map (pmm_relocate).
 */
#include <stdint.h>
#include "kernel.h"
#include "pmm.h"
#include "pmm_core.h"

/* The direct map covers 64 TiB; frames above are ignored. */
#define PMM_MAX_FRAMES ((64ull << 40) / PMM_FRAME)
#define PMM_BITMAP_LIMIT (4ull << 30)

static struct pmm pmm;
static uint64_t total, phys_end;

static void pmm_scan_end(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->nmem; i++) {
		const struct boot_mem_range *r = &bi->mem[i];
		uint64_t e;

		if (r->pages > PMM_MAX_FRAMES || r->base >= PMM_MAX_FRAMES * PMM_FRAME)
			continue;
		e = r->base + r->pages * PMM_FRAME;
		if (e > phys_end && e <= PMM_MAX_FRAMES * PMM_FRAME)
			phys_end = e;
	}
}

void pmm_init(const struct boot_info *bi)
{
	unsigned n = bi->nmem < BOOT_MEM_MAX ? bi->nmem : BOOT_MEM_MAX;
	uint64_t span = pmm_core_span(bi->mem, n, PMM_MAX_FRAMES);
	uint64_t bytes = pmm_core_bitmap_bytes(span);
	uint64_t at = pmm_core_place(bi->mem, n, bytes, PMM_BITMAP_LIMIT);

	if (!span)
		panic("pmm: no usable memory in the boot memory map");
	if (!at)
		panic("pmm: no room for a %lu-byte frame bitmap below 4 GiB", bytes);
	pmm_core_init(&pmm, (void *)(uintptr_t)at, span, bi->mem, n, at, bytes);
	total = pmm.nfree;
	pmm_scan_end(bi);
	if (phys_end < span * PMM_FRAME)
		phys_end = span * PMM_FRAME;
	klog("pmm: %lu MiB usable in %u ranges, bitmap %lu KiB at %#lx",
	     total * PMM_FRAME >> 20, n, bytes >> 10, at);
}

void pmm_relocate(uint64_t offset)
{
	pmm.bitmap = (uint64_t *)((uintptr_t)pmm.bitmap + offset);
}

uint64_t pmm_alloc(void)
{
	return pmm_core_alloc(&pmm);
}

uint64_t pmm_alloc_contig(uint64_t n, uint64_t align_frames)
{
	return pmm_core_alloc_contig(&pmm, n, align_frames);
}

void pmm_free_contig(uint64_t phys, uint64_t n)
{
	if (pmm_core_free(&pmm, phys, n))
		panic("pmm: bad free of %lu frames at %#lx", n, phys);
}

void pmm_free(uint64_t phys)
{
	pmm_free_contig(phys, 1);
}

int pmm_reserve(uint64_t n)
{
	return pmm_core_reserve(&pmm, n);
}

void pmm_unreserve(uint64_t n)
{
	if (pmm_core_unreserve(&pmm, n))
		panic("pmm: unreserve of %lu frames, %lu reserved", n, pmm.nreserved);
}

uint64_t pmm_alloc_reserved(void)
{
	return pmm_core_alloc_reserved(&pmm);
}

uint64_t pmm_reserved_frames(void)
{
	return pmm.nreserved;
}

uint64_t pmm_free_frames(void)
{
	return pmm.nfree - pmm.nreserved;
}

uint64_t pmm_total_frames(void)
{
	return total;
}

uint64_t pmm_phys_end(void)
{
	return phys_end;
}
