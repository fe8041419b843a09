/*
 * pmm.h — physical frames for the kernel (4 KiB), over mm/pmm_core.c.
 * One CPU, interrupts off: no locking.
 */
#ifndef MM_PMM_H
#define MM_PMM_H

#include <stdint.h>
#include "kernel.h"

/* Build the bitmap from the loader's map (identity-mapped memory). */
void pmm_init(const struct boot_info *bi);
/* The bitmap's virtual address moves when the kernel switches to its own
 * page tables (vmm_init): add `offset` to it. */
void pmm_relocate(uint64_t offset);
uint64_t pmm_alloc(void);                       /* a frame, or 0 */
uint64_t pmm_alloc_contig(uint64_t n, uint64_t align_frames);   /* or 0 */
void pmm_free(uint64_t phys);                   /* panics on double free */
void pmm_free_contig(uint64_t phys, uint64_t n);
/* Frames set aside for lazy commits (mm/vmm.h VMM_LAZY): reserve n (0 or
 * -ENOMEM), give back n never taken (panics if more than reserved), take
 * one (never 0 while any is reserved). */
int pmm_reserve(uint64_t n);
void pmm_unreserve(uint64_t n);
uint64_t pmm_alloc_reserved(void);
uint64_t pmm_reserved_frames(void);
/* Free frames nobody was promised: what pmm_alloc or pmm_reserve can still
 * have (free frames minus reserved ones). */
uint64_t pmm_free_frames(void);
uint64_t pmm_total_frames(void);                /* usable at init */
/* End of the highest physical address in the memory map (any type). */
uint64_t pmm_phys_end(void);

#endif
