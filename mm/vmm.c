/*
 * vmm.c — page tables (Intel SDM Vol. 3A §4.5 4-level paging, §4.6 access
 * rights: NX needs EFER.NXE, §4.10.4 TLB invalidation).  See vmm.h for the
 * address-space map.  Page-table frames come from the pmm and are reached
 * through phys_to_virt: the loader's identity map before the switch, the
 * direct map after.  One CPU: invlpg is the whole TLB shootdown.
 */
#include <errno.h>
#include <string.h>
#include "kernel.h"
#include "cpu.h"
#include "pmm.h"
#include "vmm.h"

#define PTE_P           (1ull << 0)
#define PTE_W           (1ull << 1)
#define PTE_PWT         (1ull << 3)
#define PTE_PCD         (1ull << 4)
#define PTE_PS          (1ull << 7)
#define PTE_FRESH       (1ull << 9)     /* software: mapped by this commit */
#define PTE_LAZY        (1ull << 10)    /* software, in a not-present entry:
					   committed, its frame reserved
					   (pmm_reserve), mapped on first
					   touch (vmm_fault_lazy) */
#define PTE_NX          (1ull << 63)
#define PTE_ADDR        0x000ffffffffff000ull

#define GUARDS_MAX      16

static uint64_t pml4_phys;
static uint64_t phys_off;               /* 0 until the switch */
static uint64_t direct_end;             /* bytes of physical memory mapped */
static uint64_t nx;                     /* PTE_NX if the CPU has it */
static uintptr_t guards[GUARDS_MAX];
static unsigned nguards;
static uint64_t lazy_touched;           /* pages mapped by vmm_fault_lazy */
static uint64_t lazy_peak;              /* most frames ever reserved */

void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(pa + phys_off);
}

bool vmm_phys_mapped(uint64_t pa, uint64_t len)
{
	return phys_off && pa < direct_end && len <= direct_end - pa;
}

void vmm_add_guard(uintptr_t va)
{
	if (nguards == GUARDS_MAX)
		panic("vmm: too many guard pages");
	guards[nguards++] = va & ~(PAGE_SIZE - 1);
}

static bool is_guard(uintptr_t va)
{
	for (unsigned i = 0; i < nguards; i++)
		if (guards[i] == va)
			return true;
	return false;
}

static uint64_t *pte_or_skip(uintptr_t va, uint64_t *skip);

static uint64_t pte_flags(unsigned flags)
{
	uint64_t f = PTE_P;

	if (flags & VMM_WRITE)
		f |= PTE_W;
	if (!(flags & VMM_EXEC))
		f |= nx;
	if (flags & VMM_UNCACHED)
		f |= PTE_PCD | PTE_PWT;
	return f;
}

static uint64_t alloc_table(void)
{
	uint64_t pa = pmm_alloc();

	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

/* The level-1 entry for va, creating tables on the way if asked.  NULL if
 * out of memory or a large page is in the way. */
static uint64_t *vmm_pte(uintptr_t va, bool create)
{
	uint64_t *t = phys_to_virt(pml4_phys);

	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &t[(va >> shift) & 511];

		if (!(*e & PTE_P)) {
			uint64_t pa;

			if (!create || !(pa = alloc_table()))
				return NULL;
			*e = pa | PTE_P | PTE_W;
		} else if (*e & PTE_PS) {
			return NULL;
		}
		t = phys_to_virt(*e & PTE_ADDR);
	}
	return &t[(va >> 12) & 511];
}

bool vmm_translate(uintptr_t va, uint64_t *pa, bool *writable)
{
	uint64_t *t = phys_to_virt(read_cr3() & PTE_ADDR);
	bool w = true;

	for (int shift = 39; shift >= 12; shift -= 9) {
		uint64_t e = t[(va >> shift) & 511];

		if (!(e & PTE_P))
			return false;
		w = w && (e & PTE_W);
		if (shift == 12 || (shift <= 30 && (e & PTE_PS))) {
			uint64_t mask = (1ull << shift) - 1;

			if (pa)
				*pa = (e & PTE_ADDR & ~mask) | (va & mask);
			if (writable)
				*writable = w;
			return true;
		}
		t = phys_to_virt(e & PTE_ADDR);
	}
	return false;
}

int vmm_map_page(uintptr_t va, uint64_t pa, unsigned flags)
{
	uint64_t *pte = vmm_pte(va, true);

	if (!pte)
		return -ENOMEM;
	if (*pte & (PTE_P | PTE_LAZY))
		return -EEXIST;
	*pte = (pa & PTE_ADDR) | pte_flags(flags);
	invlpg(va);
	return 0;
}

/* End a commit: keep (clear the mark) or undo the pages it mapped. */
static void commit_finish(uintptr_t va, uintptr_t end, bool keep)
{
	for (uintptr_t p = va; p < end; p += PAGE_SIZE) {
		uint64_t *pte = vmm_pte(p, false);

		if (!pte || !(*pte & PTE_FRESH))
			continue;
		if (keep) {
			*pte &= ~PTE_FRESH;
		} else {
			pmm_free(*pte & PTE_ADDR);
			*pte = 0;
			invlpg(p);
		}
	}
}

static int commit_eager(uintptr_t va, size_t size, unsigned flags)
{
	for (uintptr_t p = va; p < va + size; p += PAGE_SIZE) {
		uint64_t *pte = vmm_pte(p, true);
		uint64_t pa;

		if (pte && (*pte & (PTE_P | PTE_LAZY)))
			continue;
		if (!pte || !(pa = pmm_alloc())) {
			commit_finish(va, p, false);
			return -ENOMEM;
		}
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
		*pte = pa | pte_flags(flags) | PTE_FRESH;
		invlpg(p);
	}
	commit_finish(va, va + size, true);
	return 0;
}

/* The level-1 table holding va's entry, created if absent, or NULL (out
 * of memory, a large page in the way). */
static uint64_t *lazy_table(uintptr_t va)
{
	uint64_t *pte = vmm_pte(va, true);

	return pte ? pte - ((va >> 12) & 511) : NULL;
}

/* Pages of [va, end) neither mapped nor lazy: what a lazy commit must
 * reserve.  Makes no table (a range with none has all its pages to
 * count), so a commit refused for lack of memory costs no frame. */
static uint64_t lazy_count(uintptr_t va, uintptr_t end)
{
	uint64_t n = 0, skip, *pte;

	for (uintptr_t p = va; p < end; p += skip) {
		pte = pte_or_skip(p, &skip);
		if (skip > end - p)
			skip = end - p;
		if (!pte)
			n += skip / PAGE_SIZE;
		else if (!(*pte & (PTE_P | PTE_LAZY)))
			n++;
	}
	return n;
}

/* Mark the unmarked pages of [va, end) with `mark` (which has PTE_FRESH),
 * making their tables; false if a table could not be made. */
static bool lazy_mark(uintptr_t va, uintptr_t end, uint64_t mark)
{
	for (uintptr_t p = va; p < end;) {
		uint64_t *t = lazy_table(p);

		if (!t)
			return false;
		for (unsigned i = (p >> 12) & 511; i < 512 && p < end; i++, p += PAGE_SIZE)
			if (!(t[i] & (PTE_P | PTE_LAZY)))
				t[i] = mark;
	}
	return true;
}

/* Keep (clear PTE_FRESH) or undo (clear the entry) what lazy_mark did. */
static void lazy_finish(uintptr_t va, uintptr_t end, bool keep)
{
	uint64_t skip, *pte;

	for (uintptr_t p = va; p < end; p += skip) {
		pte = pte_or_skip(p, &skip);
		if (pte && !(*pte & PTE_P) && (*pte & PTE_FRESH))
			*pte = keep ? *pte & ~PTE_FRESH : 0;
	}
}

/*
 * Lazy: count the pages to commit, reserve that many frames at once
 * (-ENOMEM before anything else is done or allocated), then make the
 * page tables the range needs (ordinary frames, so the fault path never
 * needs one) and mark the entries.  If a table cannot be made, the marks
 * of this call and its reservation are undone (tables made stay, as
 * after an eager commit's failure: later commits reuse them).
 */
static int commit_lazy(uintptr_t va, size_t size, unsigned flags)
{
	uintptr_t end = va + size;
	uint64_t need = lazy_count(va, end);
	uint64_t mark = (pte_flags(flags) & ~PTE_P) | PTE_LAZY | PTE_FRESH;
	bool ok;

	if (pmm_reserve(need))
		return -ENOMEM;
	ok = lazy_mark(va, end, mark);
	lazy_finish(va, end, ok);
	if (!ok) {
		pmm_unreserve(need);
		return -ENOMEM;
	}
	if (pmm_reserved_frames() > lazy_peak)
		lazy_peak = pmm_reserved_frames();
	return 0;
}

/*
 * Kernel C code runs on Wasm stacks too (the runtime's helpers called from
 * JIT code: memory.grow, a malloc that grows the heap) and reaches the pmm
 * through vmm_commit / vmm_decommit.  A first touch of a lazy stack page
 * inside the pmm would run the fault path's pmm_alloc_reserved in the
 * middle of the pmm's own update of its bitmap and counters.  So these
 * entry points first map the stack pages below them that are still lazy,
 * while nothing is half done: 16 KiB, far more than the vmm and pmm use
 * (the JIT keeps 64 KiB free below any frame for host code,
 * JIT_STACK_HOST_RESERVE, so this never reaches a guard page, and a page
 * that is not lazy is left alone in any case).
 */
#define PREFAULT_STACK  (16u << 10)

static void prefault_stack(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0) & ~(PAGE_SIZE - 1);

	for (uintptr_t off = 0; off <= PREFAULT_STACK; off += PAGE_SIZE)
		vmm_fault_lazy(sp - off);
}

int vmm_commit(uintptr_t va, size_t size, unsigned flags)
{
	prefault_stack();
	if (flags & VMM_LAZY) {
		if (va % PAGE_SIZE || size % PAGE_SIZE || va + size < va)
			return -EINVAL;
		return commit_lazy(va, size, flags & ~VMM_LAZY);
	}
	return commit_eager(va, size, flags);
}

/*
 * The #PF handler's first question (kernel/idt.c), so it must stay short
 * and touch nothing that could fault: page tables and frames through the
 * direct map, the pmm's bitmap (direct map).  It runs on the #PF IST stack
 * with interrupts off (an interrupt gate), and only for a fault the CPU
 * took on a not-present page: never inside the pmm or the vmm (they touch
 * no lazy memory, and their entry points map the lazy stack pages they
 * could reach first: prefault_stack), and never nested (it does not fault
 * itself; a #PF while a fault is reported never comes here: idt.c).  No
 * interrupt handler touches Wasm memory or stacks (they run on their own
 * IST stack), so none of them faults here either.
 * Only an entry a commit marked lazy is mapped, with a frame out of the
 * reservation that commit made: a guard page, a page beyond a memory's
 * size or anything never committed has no mark and stays a fault.
 */
bool vmm_fault_lazy(uintptr_t va)
{
	uint64_t skip, *pte, pa;

	if (va < VMM_WASM_BASE || va >= VMM_WASM_END)
		return false;
	pte = pte_or_skip(va, &skip);
	if (!pte || (*pte & PTE_P) || !(*pte & PTE_LAZY))
		return false;
	pa = pmm_alloc_reserved();
	if (!pa)
		panic("vmm: lazy page %#lx has no reserved frame", va);
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	*pte = pa | (*pte & ~PTE_LAZY) | PTE_P;
	invlpg(va);
	lazy_touched++;
	return true;
}

void vmm_lazy_stats(uint64_t *touched, uint64_t *reserved, uint64_t *peak)
{
	*touched = lazy_touched;
	*reserved = pmm_reserved_frames();
	*peak = lazy_peak;
}

/* The level-1 entry for va, or NULL; *skip = bytes to the next address
 * that could be mapped when a whole table is absent. */
static uint64_t *pte_or_skip(uintptr_t va, uint64_t *skip)
{
	uint64_t *t = phys_to_virt(pml4_phys);

	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t e = t[(va >> shift) & 511];

		if (!(e & PTE_P) || (e & PTE_PS)) {
			*skip = (1ull << shift) - (va & ((1ull << shift) - 1));
			return NULL;
		}
		t = phys_to_virt(e & PTE_ADDR);
	}
	*skip = PAGE_SIZE;
	return &t[(va >> 12) & 511];
}

void vmm_decommit(uintptr_t va, size_t size)
{
	uintptr_t end = va + size;

	prefault_stack();
	for (uintptr_t p = va; p < end && p >= va;) {
		uint64_t skip, *pte = pte_or_skip(p, &skip);

		if (pte && (*pte & PTE_P)) {
			pmm_free(*pte & PTE_ADDR);
			*pte = 0;
			invlpg(p);
		} else if (pte && (*pte & PTE_LAZY)) {
			pmm_unreserve(1);       /* never touched */
			*pte = 0;
		}
		p += skip;
	}
}

int vmm_protect(uintptr_t va, size_t size, unsigned flags)
{
	for (uintptr_t p = va; p < va + size; p += PAGE_SIZE) {
		uint64_t *pte = vmm_pte(p, false);

		if (!pte || !(*pte & PTE_P))
			return -ENOENT;
		*pte = (*pte & PTE_ADDR) | pte_flags(flags);
		invlpg(p);
	}
	return 0;
}

/* ---- building the kernel's tables ---------------------------------------- */

static bool cpu_has(uint32_t leaf, int reg_edx, unsigned bit)
{
	uint32_t a, b, c, d;

	cpuid(leaf & 0x80000000u, 0, &a, &b, &c, &d);
	if (a < leaf)
		return false;
	cpuid(leaf, 0, &a, &b, &c, &d);
	return ((reg_edx ? d : c) >> bit) & 1;
}

static uint64_t *table_at(uint64_t *parent, unsigned idx)
{
	if (!(parent[idx] & PTE_P)) {
		uint64_t pa = alloc_table();

		if (!pa)
			panic("vmm: out of memory for page tables");
		parent[idx] = pa | PTE_P | PTE_W;
	}
	return phys_to_virt(parent[idx] & PTE_ADDR);
}

static void map_direct(uint64_t *pml4, uint64_t end, bool gib_pages)
{
	uint64_t leaf = PTE_P | PTE_W | PTE_PS | nx;
	uint64_t step = gib_pages ? (1ull << 30) : (2ull << 20);

	for (uint64_t pa = 0; pa < end; pa += step) {
		uintptr_t va = VMM_DIRECT_BASE + pa;
		uint64_t *pdpt = table_at(pml4, (va >> 39) & 511);

		if (gib_pages) {
			pdpt[(va >> 30) & 511] = pa | leaf;
			continue;
		}
		table_at(pdpt, (va >> 30) & 511)[(va >> 21) & 511] = pa | leaf;
	}
}

static unsigned image_flags(uintptr_t va)
{
	if (va >= (uintptr_t)__text_start && va < (uintptr_t)__text_end)
		return VMM_EXEC;
	if (va >= (uintptr_t)__data_start)
		return VMM_WRITE;
	return 0;                       /* .rodata and anything else: R NX */
}

static void map_image(const struct boot_info *bi)
{
	uintptr_t start = (uintptr_t)__kernel_start, end = (uintptr_t)__kernel_end;

	if (bi->kernel_size < end - start || bi->kernel_phys % PAGE_SIZE)
		panic("vmm: kernel image %#lx+%#lx does not cover %#lx bytes",
		      bi->kernel_phys, bi->kernel_size, end - start);
	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		if (is_guard(va))
			continue;
		if (vmm_map_page(va, bi->kernel_phys + (va - start), image_flags(va)))
			panic("vmm: out of memory mapping the kernel");
	}
}

void vmm_init(const struct boot_info *bi)
{
	bool gib = cpu_has(0x80000001u, 1, 26);
	uint64_t *pml4;

	if (cpu_has(0x80000001u, 1, 20)) {
		nx = PTE_NX;
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	}
	direct_end = pmm_phys_end();
	if (direct_end < (4ull << 30))
		direct_end = 4ull << 30;
	direct_end = ALIGN_UP(direct_end, 1ull << 30);
	if (direct_end > VMM_DIRECT_MAX)
		direct_end = VMM_DIRECT_MAX;

	if (!(pml4_phys = alloc_table()))
		panic("vmm: no frame for the PML4");
	pml4 = phys_to_virt(pml4_phys);
	map_direct(pml4, direct_end, gib);
	map_image(bi);

	/* PGE off flushes global entries the loader may have made too. */
	write_cr4(read_cr4() & ~CR4_PGE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3(pml4_phys);
	phys_off = VMM_DIRECT_BASE;
	pmm_relocate(VMM_DIRECT_BASE);
	klog("vmm: own page tables at %#lx; direct map %lu GiB (%s pages)%s, "
	     "identity map dropped", pml4_phys, direct_end >> 30,
	     gib ? "1 GiB" : "2 MiB", nx ? ", NX" : ", no NX!");
}
