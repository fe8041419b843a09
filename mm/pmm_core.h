/*
 * pmm_core.h — the physical frame allocator's pure logic: a bitmap over
 * frames [0, nframes), 1 = in use.  No kernel headers, so it is unit-tested
 * on the host (tests/unit/test_pmm.c) against fake memory maps; mm/pmm.c
 * wraps it for the kernel.
 *
 * Rules: only BOOT_MEM_USABLE ranges become free; any other range that
 * overlaps them wins (stays used); frame 0 and the bitmap's own frames are
 * never handed out.  Addresses are physical; 0 means "no frame".
 *
 * Reservations (lazy commits, mm/vmm.h): pmm_core_reserve sets frames
 * aside without picking them; pmm_core_alloc_reserved later takes one of
 * them and cannot fail.  Plain allocations never dip into reserved
 * frames: nreserved <= nfree always, and pmm_core_alloc / _alloc_contig
 * only hand out the nfree - nreserved frames nobody was promised.
 */
#ifndef MM_PMM_CORE_H
#define MM_PMM_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "boot_info.h"

#define PMM_FRAME 4096ul

struct pmm {
	uint64_t *bitmap;       /* 1 bit per frame, 1 = used */
	uint64_t nframes;       /* frames covered by the bitmap */
	uint64_t nfree;
	uint64_t nreserved;     /* of nfree, promised to lazy commits */
	uint64_t hint;          /* no free frame below word `hint` */
};

/* Frames the bitmap must cover: the end of the highest usable range,
 * capped at max_frames.  0 if the map has no usable memory. */
uint64_t pmm_core_span(const struct boot_mem_range *m, unsigned n,
		       uint64_t max_frames);
/* Bytes of bitmap for nframes (a multiple of 8). */
uint64_t pmm_core_bitmap_bytes(uint64_t nframes);
/* A physical place for `bytes` of bitmap: page-aligned, inside one usable
 * range, not frame 0, overlapping no other range, ending at or below
 * `limit`.  0 if none. */
uint64_t pmm_core_place(const struct boot_mem_range *m, unsigned n,
			uint64_t bytes, uint64_t limit);
/* Build the allocator.  bitmap = where the caller can write the bitmap
 * (bitmap_bytes of it), which lives at physical bitmap_phys. */
void pmm_core_init(struct pmm *p, void *bitmap, uint64_t nframes,
		   const struct boot_mem_range *m, unsigned n,
		   uint64_t bitmap_phys, uint64_t bitmap_bytes);
/* One frame (lowest free first), or 0. */
uint64_t pmm_core_alloc(struct pmm *p);
/* n contiguous frames whose first is aligned to align_frames (a power of
 * two), or 0. */
uint64_t pmm_core_alloc_contig(struct pmm *p, uint64_t n, uint64_t align_frames);
/* Give back n frames at phys.  0, or -EINVAL (unaligned, out of range,
 * frame 0, or not allocated: double free) leaving the bitmap unchanged. */
int pmm_core_free(struct pmm *p, uint64_t phys, uint64_t n);
/* Promise n frames for later (pmm_core_alloc_reserved): 0, or -ENOMEM
 * when fewer than n unpromised free frames are left (nothing reserved). */
int pmm_core_reserve(struct pmm *p, uint64_t n);
/* Take back n promised frames that were never allocated: 0, or -EINVAL
 * (more than are reserved; nothing changes). */
int pmm_core_unreserve(struct pmm *p, uint64_t n);
/* One frame out of the reservation (which shrinks by one), or 0 when
 * nothing is reserved. */
uint64_t pmm_core_alloc_reserved(struct pmm *p);
bool pmm_core_is_used(const struct pmm *p, uint64_t phys);

#endif
