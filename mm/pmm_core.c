/*
 * pmm_core.c — bitmap frame allocator, pure logic (see pmm_core.h).
 * Compiled into the kernel (mm/pmm.c uses it) and #included by
 * tests/unit/test_pmm.c on the host.
 */
#include <errno.h>
#include "pmm_core.h"

#define BITS 64u

/* Bytes of a range, saturating (hostile maps: pages so large the end
 * would overflow). */
static uint64_t range_len(const struct boot_mem_range *r)
{
	if (r->pages > (UINT64_MAX - r->base) / PMM_FRAME)
		return UINT64_MAX - r->base;
	return r->pages * PMM_FRAME;
}

/* [*first, *end) frames of a range clamped to nframes; rounded inward
 * (usable: a partial frame is not usable) or outward (anything else: a
 * partly reserved frame is reserved).  false if empty. */
static bool range_frames(const struct boot_mem_range *r, uint64_t nframes,
			 bool outward, uint64_t *first, uint64_t *end)
{
	uint64_t lo = r->base, hi = r->base + range_len(r);
	uint64_t f = lo / PMM_FRAME, e = hi / PMM_FRAME;

	if (outward)
		e += (hi % PMM_FRAME) != 0;
	else
		f += (lo % PMM_FRAME) != 0;
	if (e > nframes)
		e = nframes;
	if (f >= e)
		return false;
	*first = f;
	*end = e;
	return true;
}

static void set_bits(struct pmm *p, uint64_t f, uint64_t e, bool used)
{
	for (; f < e && (f % BITS); f++)
		p->bitmap[f / BITS] = used ? p->bitmap[f / BITS] | (1ull << (f % BITS))
					   : p->bitmap[f / BITS] & ~(1ull << (f % BITS));
	for (; f + BITS <= e; f += BITS)
		p->bitmap[f / BITS] = used ? ~0ull : 0;
	for (; f < e; f++)
		p->bitmap[f / BITS] = used ? p->bitmap[f / BITS] | (1ull << (f % BITS))
					   : p->bitmap[f / BITS] & ~(1ull << (f % BITS));
}

uint64_t pmm_core_span(const struct boot_mem_range *m, unsigned n,
		       uint64_t max_frames)
{
	uint64_t span = 0, f, e;

	for (unsigned i = 0; i < n; i++) {
		if (m[i].type != BOOT_MEM_USABLE)
			continue;
		if (range_frames(&m[i], max_frames, false, &f, &e) && e > span)
			span = e;
	}
	return span;
}

uint64_t pmm_core_bitmap_bytes(uint64_t nframes)
{
	return (nframes + BITS - 1) / BITS * 8;
}

static bool overlaps_other(const struct boot_mem_range *m, unsigned n,
			   uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t b = m[i].base, e;

		if (m[i].type == BOOT_MEM_USABLE)
			continue;
		e = b + range_len(&m[i]);
		if (start < e && b < end)
			return true;
	}
	return false;
}

uint64_t pmm_core_place(const struct boot_mem_range *m, unsigned n,
			uint64_t bytes, uint64_t limit)
{
	uint64_t need = (bytes + PMM_FRAME - 1) / PMM_FRAME, f, e;

	if (!need)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		if (m[i].type != BOOT_MEM_USABLE ||
		    !range_frames(&m[i], limit / PMM_FRAME, false, &f, &e))
			continue;
		if (f == 0)
			f = 1;
		if (e < f || e - f < need)
			continue;
		if (!overlaps_other(m, n, f * PMM_FRAME, (f + need) * PMM_FRAME))
			return f * PMM_FRAME;
	}
	return 0;
}

static uint64_t count_free(const struct pmm *p)
{
	uint64_t nfree = 0, words = (p->nframes + BITS - 1) / BITS;

	for (uint64_t w = 0; w < words; w++)
		nfree += (uint64_t)__builtin_popcountll(~p->bitmap[w]);
	return nfree;
}

void pmm_core_init(struct pmm *p, void *bitmap, uint64_t nframes,
		   const struct boot_mem_range *m, unsigned n,
		   uint64_t bitmap_phys, uint64_t bitmap_bytes)
{
	uint64_t words = (nframes + BITS - 1) / BITS, f, e;

	p->bitmap = bitmap;
	p->nframes = nframes;
	p->hint = 0;
	p->nreserved = 0;
	set_bits(p, 0, words * BITS, true);     /* tail bits stay used */
	for (unsigned i = 0; i < n; i++)
		if (m[i].type == BOOT_MEM_USABLE &&
		    range_frames(&m[i], nframes, false, &f, &e))
			set_bits(p, f, e, false);
	for (unsigned i = 0; i < n; i++)
		if (m[i].type != BOOT_MEM_USABLE &&
		    range_frames(&m[i], nframes, true, &f, &e))
			set_bits(p, f, e, true);
	if (nframes)
		set_bits(p, 0, 1, true);
	f = bitmap_phys / PMM_FRAME;
	e = (bitmap_phys + bitmap_bytes + PMM_FRAME - 1) / PMM_FRAME;
	set_bits(p, f < nframes ? f : nframes, e < nframes ? e : nframes, true);
	p->nfree = count_free(p);
}

/* The lowest free frame, promised or not; 0 if none. */
static uint64_t alloc_any(struct pmm *p)
{
	uint64_t words = (p->nframes + BITS - 1) / BITS;

	for (uint64_t w = p->hint; w < words; w++) {
		uint64_t bit, f;

		if (p->bitmap[w] == ~0ull)
			continue;
		bit = (uint64_t)__builtin_ctzll(~p->bitmap[w]);
		f = w * BITS + bit;
		if (f >= p->nframes)
			break;
		p->bitmap[w] |= 1ull << bit;
		p->hint = w;
		p->nfree--;
		return f * PMM_FRAME;
	}
	p->hint = words;
	return 0;
}

uint64_t pmm_core_alloc(struct pmm *p)
{
	if (p->nfree <= p->nreserved)
		return 0;
	return alloc_any(p);
}

int pmm_core_reserve(struct pmm *p, uint64_t n)
{
	if (n > p->nfree - p->nreserved)
		return -ENOMEM;
	p->nreserved += n;
	return 0;
}

int pmm_core_unreserve(struct pmm *p, uint64_t n)
{
	if (n > p->nreserved)
		return -EINVAL;
	p->nreserved -= n;
	return 0;
}

uint64_t pmm_core_alloc_reserved(struct pmm *p)
{
	uint64_t f;

	if (!p->nreserved)
		return 0;
	f = alloc_any(p);               /* nfree >= nreserved > 0: found */
	if (f)
		p->nreserved--;
	return f;
}

bool pmm_core_is_used(const struct pmm *p, uint64_t phys)
{
	uint64_t f = phys / PMM_FRAME;

	return f >= p->nframes || (p->bitmap[f / BITS] >> (f % BITS)) & 1;
}

uint64_t pmm_core_alloc_contig(struct pmm *p, uint64_t n, uint64_t align_frames)
{
	uint64_t run = 0, start = 0;

	if (!n || !align_frames || (align_frames & (align_frames - 1)) ||
	    n > p->nfree - p->nreserved)
		return 0;
	for (uint64_t f = 1; f < p->nframes; f++) {
		if (pmm_core_is_used(p, f * PMM_FRAME)) {
			run = 0;
			continue;
		}
		if (run == 0) {
			if (f % align_frames)
				continue;
			start = f;
		}
		if (++run == n) {
			set_bits(p, start, start + n, true);
			p->nfree -= n;
			return start * PMM_FRAME;
		}
	}
	return 0;
}

int pmm_core_free(struct pmm *p, uint64_t phys, uint64_t n)
{
	uint64_t f = phys / PMM_FRAME;

	if (phys % PMM_FRAME || f == 0 || n == 0 || f >= p->nframes ||
	    n > p->nframes - f)
		return -EINVAL;
	for (uint64_t i = f; i < f + n; i++)
		if (!pmm_core_is_used(p, i * PMM_FRAME))
			return -EINVAL;
	set_bits(p, f, f + n, false);
	p->nfree += n;
	if (f / BITS < p->hint)
		p->hint = f / BITS;
	return 0;
}
