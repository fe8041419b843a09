/*
 * test_pmm.c — the frame allocator's pure logic (mm/pmm_core.c) against
 * fake memory maps: only usable frames come out, never frame 0, never a
 * kernel/reserved frame (even when the map overlaps), never the bitmap
 * itself, never twice; frees are checked; hostile maps don't crash;
 * reservations (lazy commits): a reserved frame is never handed out by a
 * plain allocation, a reserved one always comes, give-backs are checked.
 */
#include <stdlib.h>
#include <errno.h>
#include "check.h"
#include "pmm_core.c"

#define MiB (1024ull * 1024)
#define GiB (1024 * MiB)

static struct boot_mem_range R(uint64_t base, uint64_t bytes, uint32_t type)
{
	return (struct boot_mem_range){ base, bytes / PMM_FRAME, type, 0 };
}

/* Build a pmm over map m with the bitmap placed by pmm_core_place. */
static struct pmm make(const struct boot_mem_range *m, unsigned n,
		       uint64_t *bm_phys, uint64_t *bm_bytes)
{
	struct pmm p;
	uint64_t span = pmm_core_span(m, n, UINT64_MAX / PMM_FRAME);
	uint64_t bytes = pmm_core_bitmap_bytes(span);
	uint64_t phys = pmm_core_place(m, n, bytes, 4 * GiB);
	void *bm = malloc(bytes ? bytes : 8);

	pmm_core_init(&p, bm, span, m, n, phys, bytes);
	*bm_phys = phys;
	*bm_bytes = bytes;
	return p;
}

static bool in_type(const struct boot_mem_range *m, unsigned n, uint64_t a,
		    uint32_t type)
{
	for (unsigned i = 0; i < n; i++)
		if (m[i].type == type && a >= m[i].base &&
		    a < m[i].base + m[i].pages * PMM_FRAME)
			return true;
	return false;
}

/* Allocate everything; check each frame; return how many came out. */
static uint64_t drain(struct pmm *p, const struct boot_mem_range *m, unsigned n,
		      uint64_t bm_phys, uint64_t bm_bytes)
{
	uint64_t count = 0, a, prev = 0;
	uint64_t expect = p->nfree;

	while ((a = pmm_core_alloc(p)) != 0) {
		CHECK(a % PMM_FRAME == 0);
		CHECK(a > prev);        /* lowest first, so never a repeat */
		CHECK(in_type(m, n, a, BOOT_MEM_USABLE));
		CHECK(!in_type(m, n, a, BOOT_MEM_KERNEL));
		CHECK(!in_type(m, n, a, BOOT_MEM_RESERVED));
		CHECK(a + PMM_FRAME <= bm_phys || a >= bm_phys + bm_bytes);
		prev = a;
		count++;
	}
	CHECK_EQ_U64(count, expect);
	CHECK_EQ_U64(p->nfree, 0);
	return count;
}

static const struct boot_mem_range qemu_like[] = {
	{ 0x0, 0xa0, BOOT_MEM_USABLE, 0 },                      /* 0..640K */
	{ 0xa0000, 0x60, BOOT_MEM_RESERVED, 0 },
	{ 0x100000, 0x100, BOOT_MEM_USABLE, 0 },                /* 1M..2M */
	{ 0x200000, 0x200, BOOT_MEM_KERNEL, 0 },                /* 2M..4M */
	{ 0x400000, 0x3c00, BOOT_MEM_USABLE, 0 },               /* 4M..64M */
	{ 0x4000000, 0x10, BOOT_MEM_ACPI_RECLAIM, 0 },
	{ 0xffc00000, 0x400, BOOT_MEM_RESERVED, 0 },            /* flash */
};

TEST(usable_frames_only_and_all_of_them)
{
	uint64_t bp, bb;
	unsigned n = sizeof qemu_like / sizeof qemu_like[0];
	struct pmm p = make(qemu_like, n, &bp, &bb);
	uint64_t usable = 0xa0 + 0x100 + 0x3c00;

	CHECK(bp != 0);
	CHECK(bp % PMM_FRAME == 0);
	CHECK_EQ_U64(p.nframes, 0x4000000 / PMM_FRAME);
	/* every usable frame but frame 0 and the bitmap's */
	CHECK_EQ_U64(p.nfree, usable - 1 - (bb + PMM_FRAME - 1) / PMM_FRAME);
	drain(&p, qemu_like, n, bp, bb);
	free(p.bitmap);
}

TEST(frame_zero_never)
{
	struct boot_mem_range m[] = { R(0, 16 * PMM_FRAME, BOOT_MEM_USABLE) };
	uint64_t bp, bb, a;
	struct pmm p = make(m, 1, &bp, &bb);

	CHECK(bp >= PMM_FRAME);
	while ((a = pmm_core_alloc(&p)) != 0)
		CHECK(a != 0);
	CHECK(pmm_core_is_used(&p, 0));
	CHECK_EQ_U64(pmm_core_free(&p, 0, 1), (uint64_t)-EINVAL);
	free(p.bitmap);
}

TEST(overlapping_kernel_range_wins)
{
	/* a (buggy or hostile) map that calls the kernel's frames usable too */
	struct boot_mem_range m[] = {
		R(0, 32 * MiB, BOOT_MEM_USABLE),
		R(8 * MiB, 2 * MiB, BOOT_MEM_KERNEL),
		R(9 * MiB + 100, 10, BOOT_MEM_RESERVED),        /* unaligned */
	};
	uint64_t bp, bb;
	struct pmm p = make(m, 3, &bp, &bb);

	CHECK(bp + bb <= 8 * MiB || bp >= 10 * MiB);
	for (uint64_t a = 8 * MiB; a < 10 * MiB; a += PMM_FRAME)
		CHECK(pmm_core_is_used(&p, a));
	drain(&p, m, 3, bp, bb);
	free(p.bitmap);
}

TEST(unaligned_usable_range_rounds_inward)
{
	struct boot_mem_range m[] = {
		{ 0x1800, 4, BOOT_MEM_USABLE, 0 },      /* 0x1800..0x5800 */
		R(1 * MiB, 1 * MiB, BOOT_MEM_USABLE),
	};
	uint64_t span = pmm_core_span(m, 2, 1u << 20);
	uint64_t bytes = pmm_core_bitmap_bytes(span);
	struct pmm p;

	pmm_core_init(&p, malloc(bytes), span, m, 2, 1 * MiB, bytes);
	CHECK(pmm_core_is_used(&p, 0x1000));            /* partial */
	CHECK(!pmm_core_is_used(&p, 0x2000));
	CHECK(!pmm_core_is_used(&p, 0x4000));
	CHECK(pmm_core_is_used(&p, 0x5000));            /* partial */
	free(p.bitmap);
}

TEST(free_then_reuse_and_double_free)
{
	struct boot_mem_range m[] = { R(0, 4 * MiB, BOOT_MEM_USABLE) };
	uint64_t bp, bb, a, b, before;
	struct pmm p = make(m, 1, &bp, &bb);

	before = p.nfree;
	a = pmm_core_alloc(&p);
	b = pmm_core_alloc(&p);
	CHECK(a && b && a != b);
	CHECK_EQ_U64(p.nfree, before - 2);
	CHECK_EQ_U64(pmm_core_free(&p, a, 1), 0);
	CHECK_EQ_U64(pmm_core_free(&p, a, 1), (uint64_t)-EINVAL);  /* double */
	CHECK_EQ_U64(pmm_core_free(&p, a + 1, 1), (uint64_t)-EINVAL);  /* unaligned */
	CHECK_EQ_U64(pmm_core_free(&p, 64 * MiB, 1), (uint64_t)-EINVAL); /* beyond */
	CHECK_EQ_U64(pmm_core_alloc(&p), a);            /* lowest free again */
	CHECK_EQ_U64(p.nfree, before - 2);
	CHECK_EQ_U64(pmm_core_free(&p, b, 1), 0);
	CHECK_EQ_U64(pmm_core_free(&p, a, 2), (uint64_t)-EINVAL); /* b is free */
	CHECK(pmm_core_is_used(&p, a));         /* unchanged by the failed free */
	CHECK_EQ_U64(pmm_core_free(&p, a, 1), 0);
	CHECK_EQ_U64(p.nfree, before);
	free(p.bitmap);
}

TEST(contiguous_aligned)
{
	struct boot_mem_range m[] = {
		R(0, 3 * MiB, BOOT_MEM_USABLE),
		R(3 * MiB, 4 * MiB, BOOT_MEM_RESERVED),
		R(7 * MiB, 9 * MiB, BOOT_MEM_USABLE),
	};
	uint64_t bp, bb, a, before;
	struct pmm p = make(m, 3, &bp, &bb);

	before = p.nfree;
	a = pmm_core_alloc_contig(&p, 512, 512);        /* 2 MiB, 2 MiB aligned */
	CHECK(a != 0);
	CHECK(a % (2 * MiB) == 0);
	CHECK(a >= 7 * MiB || a + 2 * MiB <= 3 * MiB);
	for (uint64_t x = a; x < a + 2 * MiB; x += PMM_FRAME)
		CHECK(in_type(m, 3, x, BOOT_MEM_USABLE));
	CHECK_EQ_U64(p.nfree, before - 512);
	CHECK_EQ_U64(pmm_core_alloc_contig(&p, 64 * MiB / PMM_FRAME, 1), 0);
	CHECK_EQ_U64(pmm_core_alloc_contig(&p, 4, 3), 0);      /* not pow2 */
	CHECK_EQ_U64(pmm_core_free(&p, a, 512), 0);
	CHECK_EQ_U64(p.nfree, before);
	free(p.bitmap);
}

TEST(hostile_maps)
{
	struct boot_mem_range m[] = {
		{ 0x1000, UINT64_MAX, BOOT_MEM_USABLE, 0 },     /* end overflows */
		{ UINT64_MAX - 10, 5, BOOT_MEM_USABLE, 0 },
		{ 0x5000, UINT64_MAX, BOOT_MEM_RESERVED, 0 },
	};
	uint64_t span = pmm_core_span(m, 3, 1u << 20);
	uint64_t bytes = pmm_core_bitmap_bytes(span), bp;
	struct pmm p;
	void *bm = malloc(bytes);

	CHECK_EQ_U64(span, 1u << 20);           /* capped by max_frames */
	bp = pmm_core_place(m, 3, bytes, 4 * GiB);
	CHECK_EQ_U64(bp, 0);    /* every candidate overlaps the reserved range */
	pmm_core_init(&p, bm, span, m, 3, 0x1000, bytes);
	/* only 0x2000..0x4fff can be free (bitmap sits at 0x1000...) */
	CHECK(p.nfree <= 4);
	for (uint64_t a; (a = pmm_core_alloc(&p)) != 0;)
		CHECK(a >= 0x1000 && a < 0x5000);
	free(bm);
	/* an empty map */
	CHECK_EQ_U64(pmm_core_span(m + 2, 1, 1u << 20), 0);
}

/* 64 free frames, 40 promised: plain allocations get only the other 24
 * (single or contiguous), the 40 still come one by one after that, and a
 * reservation larger than what is unpromised fails whole. */
TEST(reserved_frames_not_handed_out)
{
	struct boot_mem_range m[] = { R(0, 66 * PMM_FRAME, BOOT_MEM_USABLE) };
	uint64_t bp, bb, a, n = 0;
	struct pmm p = make(m, 1, &bp, &bb);
	uint64_t total = p.nfree;

	REQUIRE(total >= 60);
	CHECK_EQ_U64(pmm_core_reserve(&p, 40), 0);
	CHECK_EQ_U64(pmm_core_reserve(&p, total - 40 + 1), (uint64_t)-ENOMEM);
	CHECK_EQ_U64(p.nreserved, 40);
	CHECK_EQ_U64(pmm_core_alloc_contig(&p, total - 40 + 1, 1), 0);
	while ((a = pmm_core_alloc(&p)) != 0)
		n++;
	CHECK_EQ_U64(n, total - 40);
	CHECK_EQ_U64(pmm_core_alloc_contig(&p, 1, 1), 0);
	CHECK_EQ_U64(pmm_core_reserve(&p, 1), (uint64_t)-ENOMEM);
	for (n = 0; n < 40; n++) {
		a = pmm_core_alloc_reserved(&p);
		CHECK(a != 0 && a % PMM_FRAME == 0);
		CHECK(a < bp || a >= bp + bb);
	}
	CHECK_EQ_U64(p.nreserved, 0);
	CHECK_EQ_U64(p.nfree, 0);
	CHECK_EQ_U64(pmm_core_alloc_reserved(&p), 0);  /* nothing promised */
	free(p.bitmap);
}

/* Unreserve gives back exactly what was never taken; more is refused
 * and changes nothing; a freed frame can be reserved again. */
TEST(unreserve_and_reserve_again)
{
	struct boot_mem_range m[] = { R(0, 34 * PMM_FRAME, BOOT_MEM_USABLE) };
	uint64_t bp, bb, a;
	struct pmm p = make(m, 1, &bp, &bb);
	uint64_t total = p.nfree;

	CHECK_EQ_U64(pmm_core_reserve(&p, total), 0);
	CHECK_EQ_U64(pmm_core_alloc(&p), 0);
	a = pmm_core_alloc_reserved(&p);
	REQUIRE(a != 0);
	CHECK_EQ_U64(pmm_core_unreserve(&p, total), (uint64_t)-EINVAL);
	CHECK_EQ_U64(p.nreserved, total - 1);
	CHECK_EQ_U64(pmm_core_unreserve(&p, total - 1), 0);
	CHECK_EQ_U64(p.nreserved, 0);
	CHECK_EQ_U64(pmm_core_free(&p, a, 1), 0);
	CHECK_EQ_U64(pmm_core_reserve(&p, total), 0);
	CHECK_EQ_U64(pmm_core_reserve(&p, 1), (uint64_t)-ENOMEM);
	CHECK_EQ_U64(pmm_core_unreserve(&p, total), 0);
	CHECK_EQ_U64(pmm_core_alloc(&p), a);   /* lowest first again */
	free(p.bitmap);
}

int main(void)
{
	RUN(usable_frames_only_and_all_of_them);
	RUN(frame_zero_never);
	RUN(overlapping_kernel_range_wins);
	RUN(unaligned_usable_range_rounds_inward);
	RUN(free_then_reuse_and_double_free);
	RUN(contiguous_aligned);
	RUN(hostile_maps);
	RUN(reserved_frames_not_handed_out);
	RUN(unreserve_and_reserve_again);
	CHECK_DONE();
}
