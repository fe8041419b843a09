/*
 * test_pvh.c — kernel/pvh.c, the PVH start info turned into struct
 * boot_info (issue 11, hostile boot input): memory maps with holes,
 * overlaps, unaligned, zero-length, wrapping and out-of-reach entries,
 * tiny RAM; start infos that are missing, of version 0, or point outside
 * the identity map; 20,000 random memory maps checked against the
 * invariants the pmm relies on.  The start info and its tables are placed
 * at fixed low host addresses (mmap), where the kernel would find them.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "check.h"

#define PVH_KERNEL_SIZE test_kernel_size
static uint64_t test_kernel_size = 0x2a0000;     /* as kernel.elf, ~2.6 MiB */
#include "../../kernel/pvh.c"

#define AREA ((uintptr_t)0x30000000)             /* below 64 GiB */
#define MIB (1ull << 20)

static struct hvm_start_info *si;
static struct hvm_memmap_entry *mm;
static struct hvm_modlist_entry *mod;
static char *cmd;

static int map_area(void)
{
	void *p = mmap((void *)AREA, 1 << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (void *)AREA)
		return -1;
	si = p;
	mm = (void *)(AREA + 4096);
	mod = (void *)(AREA + 65536);
	cmd = (char *)(AREA + 69632);
	return 0;
}

/* A start info with n memory map entries (filled by the caller), no
 * modules, an RSDP address (so that nothing scans page 0). */
static void start(uint32_t n)
{
	memset((void *)AREA, 0, 1 << 20);
	*si = (struct hvm_start_info){
		.magic = HVM_START_MAGIC, .version = 1, .rsdp_paddr = 0xf5a40,
		.memmap_paddr = AREA + 4096, .memmap_entries = n };
}

static void ram(unsigned i, uint64_t addr, uint64_t size, uint32_t type)
{
	mm[i] = (struct hvm_memmap_entry){ addr, size, type, 0 };
}

static uint64_t end_of(const struct boot_mem_range *r)
{
	return r->base + r->pages * PAGE;
}

/* The type boot_info gives the page at pa (0: not listed). */
static uint32_t type_of(uint64_t pa)
{
	for (uint32_t i = 0; i < info.nmem; i++)
		if (info.mem[i].base <= pa && pa < end_of(&info.mem[i]))
			return info.mem[i].type;
	return 0;
}

static uint64_t usable_bytes(void)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < info.nmem; i++)
		if (info.mem[i].type == BOOT_MEM_USABLE)
			n += info.mem[i].pages * PAGE;
	return n;
}

/* What the pmm assumes of any boot_info: sorted, disjoint, page-aligned,
 * non-empty, adjacent ranges of one type merged, nothing usable in the
 * first MiB or the kernel image. */
static int well_formed(void)
{
	for (uint32_t i = 0; i < info.nmem; i++) {
		const struct boot_mem_range *r = &info.mem[i];

		if (r->base % PAGE || !r->pages || !r->type || r->type > BOOT_MEM_KERNEL)
			return 0;
		if (i && r->base < end_of(&info.mem[i - 1]))
			return 0;
		if (i && r->base == end_of(&info.mem[i - 1]) && r->type == info.mem[i - 1].type)
			return 0;
		if (r->type == BOOT_MEM_USABLE &&
		    (r->base < LOW_RESERVED ||
		     (r->base < KERNEL_PVH_PHYS + test_kernel_size &&
		      end_of(r) > KERNEL_PVH_PHYS)))
			return 0;
	}
	return info.nmem <= BOOT_MEM_MAX;
}

TEST(qemu_like_map)
{
	start(4);
	ram(0, 0, 0x9fc00, E820_RAM);
	ram(1, 0x9fc00, 0x400, E820_RESERVED);
	ram(2, 0xf0000, 0x10000, E820_RESERVED);
	ram(3, MIB, 31 * MIB, E820_RAM);
	si->nr_modules = 1;
	si->modlist_paddr = AREA + 65536;
	*mod = (struct hvm_modlist_entry){ .paddr = 20 * MIB + 0x800, .size = 100000 };
	si->cmdline_paddr = AREA + 69632;
	strcpy(cmd, "virtio_mmio.device=512@0xfeb00000:12");
	pvh_build(AREA, test_kernel_size);
	CHECK_MSG(!info.error[0], "error: %s", info.error);
	CHECK(well_formed());
	CHECK(type_of(0) == BOOT_MEM_RESERVED && type_of(0xff000) == BOOT_MEM_RESERVED);
	CHECK(type_of(MIB) == BOOT_MEM_USABLE && type_of(2 * MIB - PAGE) == BOOT_MEM_USABLE);
	CHECK(type_of(2 * MIB) == BOOT_MEM_KERNEL);
	CHECK(type_of(2 * MIB + test_kernel_size - 1) == BOOT_MEM_KERNEL);
	CHECK(type_of(2 * MIB + test_kernel_size) == BOOT_MEM_USABLE);
	CHECK(type_of(20 * MIB) == BOOT_MEM_KERNEL);    /* the bundle, grown to pages */
	CHECK(type_of(20 * MIB + 0x800 + 100000) == BOOT_MEM_KERNEL);
	CHECK(type_of(20 * MIB + 0x800 + 100000 + PAGE) == BOOT_MEM_USABLE);
	CHECK(type_of(32 * MIB - 1) == BOOT_MEM_USABLE && type_of(32 * MIB) == 0u);
	CHECK(info.bundle_phys == 20 * MIB + 0x800 && info.bundle_size == 100000u);
	CHECK(!strcmp(info.cmdline, "virtio_mmio.device=512@0xfeb00000:12"));
	CHECK(info.acpi_rsdp == 0xf5a40 && info.boot_path == BOOT_PATH_PVH);
	CHECK(info.kernel_phys == KERNEL_PVH_PHYS && info.kernel_size == test_kernel_size);
}

TEST(overlaps_resolve_towards_not_usable)
{
	start(5);
	ram(0, MIB, 63 * MIB, E820_RAM);
	ram(1, 16 * MIB, MIB, E820_RESERVED);           /* inside the RAM */
	ram(2, 8 * MIB, 16 * MIB, E820_RAM);            /* a duplicate, overlapping */
	ram(3, 40 * MIB - 100, 200, E820_ACPI);         /* unaligned, grows to 2 pages */
	ram(4, 48 * MIB, 32 * MIB, E820_NVS);           /* past the RAM's end */
	pvh_build(AREA, test_kernel_size);
	CHECK_MSG(!info.error[0], "error: %s", info.error);
	CHECK(well_formed());
	CHECK(type_of(16 * MIB) == BOOT_MEM_RESERVED && type_of(17 * MIB) == BOOT_MEM_USABLE);
	CHECK(type_of(40 * MIB - PAGE) == BOOT_MEM_ACPI_RECLAIM);
	CHECK(type_of(40 * MIB) == BOOT_MEM_ACPI_RECLAIM);
	CHECK(type_of(40 * MIB + PAGE) == BOOT_MEM_USABLE);
	CHECK(type_of(48 * MIB) == BOOT_MEM_ACPI_NVS && type_of(79 * MIB) == BOOT_MEM_ACPI_NVS);
	/* counted once: 63 MiB - kernel - 1 MiB reserved - 2 pages - 16 MiB NVS */
	CHECK_MSG(usable_bytes() == 63 * MIB - test_kernel_size - MIB - 2 * PAGE - 16 * MIB,
		  "usable %lu", (unsigned long)usable_bytes());
}

TEST(holes_unaligned_empty_wrapping_and_far_entries)
{
	start(6);
	ram(0, MIB, 0x123, E820_RAM);                   /* less than a page: gone */
	ram(1, 0x2a0123 + 2 * MIB, 0x10000, E820_RAM);  /* shrinks inward */
	ram(2, 10 * MIB, 0, E820_RAM);                  /* empty */
	ram(3, 0xfffffffffffff000ull, 0x2000, E820_RAM);        /* wraps */
	ram(4, 70ull << 30, 1ull << 30, E820_RAM);      /* past 64 GiB */
	ram(5, (64ull << 30) - MIB, 2 * MIB, E820_RAM); /* cut at 64 GiB */
	pvh_build(AREA, test_kernel_size);
	CHECK_MSG(!info.error[0], "error: %s", info.error);
	CHECK(well_formed());
	CHECK(type_of(MIB) == 0);
	CHECK(type_of(0x2a0000 + 2 * MIB) == BOOT_MEM_KERNEL || type_of(0x2a0000 + 2 * MIB) == 0);
	CHECK(type_of(0x2a1000 + 2 * MIB) == BOOT_MEM_USABLE);
	CHECK(type_of(0x2b0000 + 2 * MIB) == 0);        /* its last partial page: gone */
	CHECK(type_of(10 * MIB) == 0);
	CHECK(type_of((64ull << 30) - PAGE) == BOOT_MEM_USABLE);
	CHECK(type_of(64ull << 30) == 0 && type_of(70ull << 30) == 0);
}

TEST(tiny_ram_leaves_what_is_left)
{
	start(1);
	ram(0, 0, 3 * MIB, E820_RAM);                   /* 3 MiB VM: kernel overlaps */
	pvh_build(AREA, test_kernel_size);
	CHECK_MSG(!info.error[0], "error: %s", info.error);
	CHECK(well_formed());
	CHECK(usable_bytes() == MIB);                   /* [1 MiB, 2 MiB) */
}

TEST(bad_start_infos_are_errors_not_crashes)
{
	start(1);
	ram(0, MIB, 31 * MIB, E820_RAM);
	si->magic = 0x12345678;
	pvh_build(AREA, test_kernel_size);
	CHECK(strstr(info.error, "bad magic") != NULL);
	CHECK(well_formed());

	pvh_build(70ull << 30, test_kernel_size);       /* start info out of reach */
	CHECK(strstr(info.error, "bad magic") != NULL);

	start(1);
	ram(0, MIB, 31 * MIB, E820_RAM);
	si->version = 0;
	pvh_build(AREA, test_kernel_size);
	CHECK(strstr(info.error, "no memory map") != NULL);

	start(0);
	pvh_build(AREA, test_kernel_size);
	CHECK(strstr(info.error, "no memory map") != NULL);

	start(100000);
	pvh_build(AREA, test_kernel_size);
	CHECK(strstr(info.error, "more than 256 entries") != NULL);

	start(1);
	si->memmap_paddr = (64ull << 30) - 8;           /* straddles the end */
	pvh_build(AREA, test_kernel_size);
	CHECK(strstr(info.error, "outside the first 64 GiB") != NULL);

	start(1);
	ram(0, MIB, 31 * MIB, E820_RAM);
	si->nr_modules = 1;
	si->modlist_paddr = AREA + 65536;
	*mod = (struct hvm_modlist_entry){ .paddr = ~0ull - 10, .size = 100 };
	pvh_build(AREA, test_kernel_size);
	CHECK(strstr(info.error, "module 0 (the bundle) outside") != NULL);
	CHECK(info.bundle_phys == 0);

	*mod = (struct hvm_modlist_entry){ .paddr = 8 * MIB, .size = 0 };
	pvh_build(AREA, test_kernel_size);
	CHECK(strstr(info.error, "is empty") != NULL);

	start(1);
	ram(0, MIB, 31 * MIB, E820_RAM);
	si->cmdline_paddr = AREA + 69632;
	memset(cmd, 'x', 5000);
	pvh_build(AREA, test_kernel_size);
	CHECK(strstr(info.error, "command line longer") != NULL);
	CHECK(strlen(info.cmdline) == BOOT_CMDLINE_MAX - 1);
}

TEST(too_fragmented_is_an_error)
{
	start(256);
	for (unsigned i = 0; i < 256; i++)
		ram(i, 8 * MIB + i * 2 * PAGE, PAGE, i % 2 ? E820_RAM : E820_RESERVED);
	/* 256 ranges plus the first MiB and the kernel do not fit: refused,
	 * with the array never written past its end */
	pvh_build(AREA, test_kernel_size);
	CHECK(info.nmem <= BOOT_MEM_MAX);
	CHECK(strstr(info.error, "more than 256 ranges") != NULL);
}

TEST(random_maps_keep_the_invariants)
{
	unsigned bad = 0, errors = 0;

	srand(12345);
	for (int round = 0; round < 20000; round++) {
		uint32_t n = 1 + rand() % 40;

		start(n);
		for (uint32_t i = 0; i < n; i++) {
			uint64_t a = ((uint64_t)rand() << 20 ^ (uint64_t)rand()) % (80ull << 30);
			uint64_t s = rand() % 4 ? (uint64_t)rand() % (256 * MIB)
						: ((uint64_t)rand() << 31 | (uint64_t)rand());

			if (rand() % 3 == 0)
				a %= 64 * MIB;
			ram(i, a, s, 1 + rand() % 6);
		}
		pvh_build(AREA, test_kernel_size);
		if (info.error[0])
			errors++;
		else if (!well_formed())
			bad++;
	}
	CHECK_MSG(bad == 0, "%u of 20000 maps broke an invariant", bad);
	CHECK_MSG(errors == 0, "%u of 20000 maps (<= 40 entries) refused", errors);
}

int main(void)
{
	if (map_area()) {
		CHECK_MSG(0, "cannot map the start info area at %#lx", (unsigned long)AREA);
		CHECK_DONE();
	}
	RUN(qemu_like_map);
	RUN(overlaps_resolve_towards_not_usable);
	RUN(holes_unaligned_empty_wrapping_and_far_entries);
	RUN(tiny_ram_leaves_what_is_left);
	RUN(bad_start_infos_are_errors_not_crashes);
	RUN(too_fragmented_is_an_error);
	RUN(random_maps_keep_the_invariants);
	CHECK_DONE();
}
