/*
 * paging.c — the page tables the kernel starts on (Intel SDM Vol. 3A §4.5,
 * 4-level paging).  Built by the loader in pages it allocated (reported
 * BOOT_MEM_KERNEL), addressed physically (the loader runs identity-mapped).
 *
 *   pool page 0               PML4
 *   pool page 1               PDPT for PML4[0]      (identity map)
 *   pool pages 2..2+ngib-1    one PD per GiB: 2 MiB pages, RW+NX
 *   pool pages 2+ngib, 3+ngib two PTs splitting the (at most two) 2 MiB
 *                             pages that hold the loader's trampoline
 *                             [exec_lo, exec_hi): those 4 KiB pages RWX,
 *                             the rest RW+NX
 *   pool page 4+ngib          PDPT for PML4[511]
 *   pool page 5+ngib          PD for PDPT[510]      (0xffffffff80000000, 1 GiB)
 *   pool pages 6+ngib..       PTs: kernel segments in 4 KiB pages,
 *                             .text RX, .rodata R+NX, .data/.bss RW+NX
 *
 * The identity map is [0, ident_top), ident_top a multiple of 1 GiB and at
 * most 64 GiB (so PML4[0] alone holds it).  Gaps between kernel segments
 * stay unmapped.
 */
#include "loader.h"

#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_PS  (1ull << 7)
#define PTE_NX  (1ull << 63)

static uint64_t kernel_pts(const struct kelf *k)
{
	uint64_t pages = k->span / PAGE_SIZE_4K;

	return (pages + 511) / 512;
}

uint64_t paging_pages_needed(uint64_t ident_top, const struct kelf *k)
{
	return 6 + ident_top / GIB + kernel_pts(k);
}

static void zero_pages(uint64_t *p, uint64_t npages)
{
	for (uint64_t i = 0; i < npages * 512; i++)
		p[i] = 0;
}

static int overlaps(uint64_t a, uint64_t len, uint64_t lo, uint64_t hi)
{
	return a < hi && lo < a + len;
}

/* Replace the 2 MiB page at pd[i] (address pa) by 4 KiB pages in pt. */
static void split_exec(uint64_t *pde, uint64_t *pt, uint64_t pa,
		       uint64_t exec_lo, uint64_t exec_hi, uint64_t nx)
{
	for (uint64_t j = 0; j < 512; j++) {
		uint64_t a = pa + j * PAGE_SIZE_4K;
		int x = overlaps(a, PAGE_SIZE_4K, exec_lo, exec_hi);

		pt[j] = a | PTE_P | PTE_W | (x ? 0 : nx);
	}
	*pde = (uint64_t)(uintptr_t)pt | PTE_P | PTE_W;
}

static void map_identity(uint64_t *pdpt, uint64_t *pds, uint64_t *xpts,
			 uint64_t ngib, uint64_t exec_lo, uint64_t exec_hi,
			 uint64_t nx)
{
	int nsplit = 0;

	for (uint64_t g = 0; g < ngib; g++) {
		uint64_t *pd = pds + g * 512;

		pdpt[g] = (uint64_t)(uintptr_t)pd | PTE_P | PTE_W;
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t pa = g * GIB + i * PAGE_SIZE_2M;

			pd[i] = pa | PTE_P | PTE_W | PTE_PS | nx;
			if (nx && nsplit < 2 &&
			    overlaps(pa, PAGE_SIZE_2M, exec_lo, exec_hi))
				split_exec(&pd[i], xpts + 512 * nsplit++, pa,
					   exec_lo, exec_hi, nx);
		}
	}
}

static void map_kernel(uint64_t *pd, uint64_t *pts, const struct kelf *k,
		       uint64_t kernel_phys, uint64_t nx)
{
	for (uint64_t t = 0; t < kernel_pts(k); t++)
		pd[t] = (uint64_t)(uintptr_t)(pts + t * 512) | PTE_P | PTE_W;
	for (int i = 0; i < k->nseg; i++) {
		const struct kseg *s = &k->seg[i];
		uint64_t first = s->off / PAGE_SIZE_4K;
		uint64_t last = (s->off + s->memsz + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K;
		uint64_t flags = PTE_P | (s->write ? PTE_W : 0) | (s->exec ? 0 : nx);

		for (uint64_t n = first; n < last; n++)
			pts[n] = (kernel_phys + n * PAGE_SIZE_4K) | flags;
	}
}

uint64_t paging_build(void *pool, uint64_t npool, uint64_t ident_top,
		      const struct kelf *k, uint64_t kernel_phys,
		      uint64_t exec_lo, uint64_t exec_hi, int nx)
{
	uint64_t ngib = ident_top / GIB;
	uint64_t *pml4 = pool;
	uint64_t *pdpt_lo = pml4 + 512;
	uint64_t *pds = pdpt_lo + 512;
	uint64_t *xpts = pds + ngib * 512;
	uint64_t *pdpt_hi = xpts + 2 * 512;
	uint64_t *pd_hi = pdpt_hi + 512;
	uint64_t *pts = pd_hi + 512;
	uint64_t nxbit = nx ? PTE_NX : 0;

	if (ngib == 0 || ngib > 512 || ident_top % GIB || exec_hi < exec_lo ||
	    exec_hi - exec_lo > PAGE_SIZE_2M ||
	    npool < paging_pages_needed(ident_top, k))
		return 0;
	zero_pages(pml4, paging_pages_needed(ident_top, k));
	pml4[0] = (uint64_t)(uintptr_t)pdpt_lo | PTE_P | PTE_W;
	map_identity(pdpt_lo, pds, xpts, ngib, exec_lo, exec_hi, nxbit);
	pml4[511] = (uint64_t)(uintptr_t)pdpt_hi | PTE_P | PTE_W;
	pdpt_hi[510] = (uint64_t)(uintptr_t)pd_hi | PTE_P | PTE_W;
	map_kernel(pd_hi, pts, k, kernel_phys, nxbit);
	return (uint64_t)(uintptr_t)pml4;
}
