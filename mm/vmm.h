/*
 * vmm.h — the kernel's own 4-level page tables (Intel SDM Vol. 3A §4.5,
 * "4-Level Paging"), one address space for the kernel and every Wasm
 * instance (DESIGN.md decision 1).  Built fresh by vmm_init, which then
 * switches CR3 and drops the loader's identity map.
 *
 *  0x0000_0000_0000_0000 +--------------------------------+
 *                        | unmapped: null guard, the low  |  any touch
 *                        | identity map is gone           |  faults
 *  0x0000_0010_0000_0000 +--------------------------------+ VMM_WASM_BASE
 *                        | plat_reserve: Wasm linear      |  8 GiB each,
 *                        | memories, Wasm stacks, ...     |  RW NX where
 *                        | (bump + reuse of equal sizes;  |  committed, each
 *                        | a 2 MiB unmapped gap after     |  page mapped on
 *                        | every reservation)             |  first touch
 *  0x0000_6000_0000_0000 +--------------------------------+ VMM_CODE_BASE
 *                        | plat_code_alloc: JIT code,     |  RW NX, then
 *                        | 64 KiB gap after each          |  sealed R X
 *  0x0000_7000_0000_0000 +--------------------------------+ VMM_CODE_END
 *                        | pci_map (drivers/pci.c): device|  RW NX uncached,
 *                        | memory outside the direct map  |  4 KiB pages,
 *                        | (BARs above RAM, framebuffers) |  bump only
 *  0x0000_7001_0000_0000 +--------------------------------+ PCI_MMIO_END
 *                        | unused / non-canonical hole    |
 *  0xffff_8000_0000_0000 +--------------------------------+ VMM_DIRECT_BASE
 *                        | direct map of physical memory  |  RW NX, 1 GiB
 *                        | [0, max(4 GiB, end of RAM))    |  or 2 MiB pages
 *  0xffff_c000_0000_0000 +--------------------------------+ VMM_HEAP_BASE
 *                        | kernel heap (newlib malloc via |  RW NX 4 KiB,
 *                        | _sbrk), grown page by page     |  512 GiB max
 *  0xffff_ffff_8000_0000 +--------------------------------+ __kernel_start
 *                        | kernel image: .text R X,       |  4 KiB pages;
 *                        | .rodata R NX, .data/.bss RW NX |  the boot stack
 *                        | (stacks in .bss with unmapped  |  and IST stacks
 *                        |  guard pages below them)       |  have guards
 *                        +--------------------------------+ __kernel_end
 *
 * Lazy commits (issue 11, "nothing slow on the way to _start"): Wasm
 * linear memories and stacks (plat_commit) are committed with VMM_LAZY.
 * Accounting happens at commit, allocation at first touch: the commit
 * makes the page tables the range needs, reserves one frame per page
 * (pmm_reserve: it fails with -ENOMEM exactly where an eager commit
 * would have run out, so memory.grow returns -1 and instantiation says
 * "out of memory" as before) and marks each level-1 entry lazy (not
 * present, a software bit).  The first touch of such a page, from JIT
 * code or from kernel C code (WASI calls copying into guest memory, the
 * runtime's memory.fill/copy), is a #PF that vmm_fault_lazy resolves with
 * a zeroed frame out of that reservation, so a touch never fails for
 * lack of memory.  A page with no mark (a stack's guard page, a memory's
 * bytes beyond its size, gaps, anything never committed) still faults
 * into the trap path: a module can get frames only for pages it
 * committed, and never more than it reserved.  vmm_decommit frees the
 * mapped frames and gives back the reservation of the untouched pages.
 * The kernel heap and JIT code pages stay eager (VMM_LAZY not given).
 *
 * Where the first touch can happen, and why the fault path is safe there:
 * the #PF gate has its own IST stack and clears IF, so the handler never
 * runs on the stack that faulted (a push onto a lazy Wasm stack page is an
 * ordinary fault) and no interrupt nests in it; interrupt handlers (IST
 * too) touch no Wasm memory or stack.  vmm_fault_lazy itself reaches only
 * page tables, frames and the pmm bitmap through the direct map, so it
 * never faults.  The one way it could interrupt the pmm half-way, kernel
 * C code on a Wasm stack (memory.grow, a heap-growing malloc called from
 * JIT code) touching a new stack page inside the pmm, is closed by
 * vmm_commit and vmm_decommit mapping the lazy stack pages below them
 * before they start (vmm.c, prefault_stack).
 */
#ifndef MM_VMM_H
#define MM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "boot_info.h"

#define VMM_WASM_BASE   0x0000001000000000ull
#define VMM_WASM_END    0x0000600000000000ull
#define VMM_CODE_BASE   0x0000600000000000ull
#define VMM_CODE_END    0x0000700000000000ull
#define VMM_DIRECT_BASE 0xffff800000000000ull
#define VMM_DIRECT_MAX  (64ull << 40)
#define VMM_HEAP_BASE   0xffffc00000000000ull
#define VMM_HEAP_MAX    (512ull << 30)

/* vmm_map_page / vmm_commit / vmm_protect flags.  Readable always. */
#define VMM_WRITE       1u
#define VMM_EXEC        2u
#define VMM_UNCACHED    4u
#define VMM_LAZY        8u      /* vmm_commit: map on first touch (above) */

/* Physical -> virtual: identity before vmm_init switches, direct map after. */
void *phys_to_virt(uint64_t pa);
/* Whether [pa, pa+len) is inside the direct map (after vmm_init). */
bool vmm_phys_mapped(uint64_t pa, uint64_t len);

/* A page of the kernel image that must stay unmapped (stack guards).
 * Call before vmm_init. */
void vmm_add_guard(uintptr_t va);

/* Build the kernel's page tables, enable NX and WP, switch CR3. */
void vmm_init(const struct boot_info *bi);

/* 4 KiB pages in the lower half or the heap range.  0 or -errno. */
int vmm_map_page(uintptr_t va, uint64_t pa, unsigned flags);
/* Map fresh zeroed frames over every unmapped page of [va, va+size);
 * pages already mapped (or committed lazily) are left alone.  On -ENOMEM
 * nothing stays mapped that this call mapped.  With VMM_LAZY (va and size
 * page-aligned, else -EINVAL): reserve a frame for each such page and
 * mark it, mapped on its first touch; on -ENOMEM nothing is marked or
 * reserved. */
int vmm_commit(uintptr_t va, size_t size, unsigned flags);
/* Unmap every mapped page of [va, va+size) and free its frame; give back
 * the reserved frame of every lazy page never touched. */
void vmm_decommit(uintptr_t va, size_t size);
/* The #PF path (kernel/idt.c), before anything else: if va is a lazily
 * committed page not mapped yet, map a zeroed frame from its reservation
 * and return true (the faulting instruction is retried); false for any
 * other address.  Interrupts off, no fault inside (see vmm.c). */
bool vmm_fault_lazy(uintptr_t va);
/* Pages vmm_fault_lazy mapped since boot, frames reserved now, and the
 * most ever reserved at once (the boot's last log lines). */
void vmm_lazy_stats(uint64_t *touched, uint64_t *reserved, uint64_t *peak);
/* Change the flags of every page of [va, va+size); -ENOENT if one is not
 * mapped (the pages before it are changed). */
int vmm_protect(uintptr_t va, size_t size, unsigned flags);
/* Walk the live page tables (any page size).  true if va is mapped. */
bool vmm_translate(uintptr_t va, uint64_t *pa, bool *writable);

#endif
