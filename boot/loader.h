/*
 * loader.h — internals of the UEFI loader (boot/), split so that the parts
 * with no UEFI in them (ELF checks, page tables, memory map conversion) can
 * also be compiled and tested on the host (tests/unit/test_boot.c).
 *
 *   loader.c   UEFI glue: files, allocations, RSDP, GOP, ExitBootServices, jump
 *   elf.c      validate kernel.elf (hostile input) and describe its segments
 *   paging.c   4-level page tables: identity map + kernel segments
 *   memmap.c   UEFI memory map -> boot_info.mem (types, KERNEL override, merge)
 */
#ifndef BOOT_LOADER_H
#define BOOT_LOADER_H

#include <stdint.h>
#include <stddef.h>
#include "boot_info.h"

#define KERNEL_VMA      0xffffffff80000000ull   /* linker.ld */
#define KERNEL_MAX_SPAN (1ull << 30)            /* one page directory */
#define KSEG_MAX        16
#define PAGE_SIZE_4K    4096ull
#define PAGE_SIZE_2M    (2ull << 20)
#define GIB             (1ull << 30)
#define IDENT_MIN_TOP   (4 * GIB)
#define IDENT_MAX_TOP   (64 * GIB)

/* Written to COM2 after ExitBootServices: the guest console starts here
 * (images/qemu.c drops the firmware's output before it). */
#define BOOT_CONSOLE_MARK "\033_wasmetal:console\033\\"

/* One PT_LOAD segment, relative to KERNEL_VMA. */
struct kseg {
	uint64_t off;           /* vaddr - KERNEL_VMA, 4 KiB aligned */
	uint64_t memsz;
	uint64_t file_off;      /* where its bytes are in the file */
	uint64_t filesz;
	int write, exec;
};

struct kelf {
	uint64_t entry;         /* virtual */
	uint64_t span;          /* bytes from KERNEL_VMA to the end of the last
				 * segment, rounded up to 4 KiB */
	int nseg;
	struct kseg seg[KSEG_MAX];
};

/* Check buf[0..size) is a kernel we can load.  0, or -1 with *why set to
 * a static message. */
int elf_check(const void *buf, uint64_t size, struct kelf *k, const char **why);

/* Copy the segments into dst (k->span bytes, already allocated) and zero
 * everything else (bss, gaps). */
void elf_copy(const void *buf, const struct kelf *k, void *dst);

/* Page tables.  Pages are taken from pool (4 KiB aligned, identity-mapped
 * physical addresses, npool pages). */
uint64_t paging_pages_needed(uint64_t ident_top, const struct kelf *k);
/* Returns the PML4's physical address, 0 if the pool is too small.
 * exec_lo..exec_hi: the identity-mapped range left executable (the
 * loader's trampoline); everything else identity-mapped is NX when nx. */
uint64_t paging_build(void *pool, uint64_t npool, uint64_t ident_top,
		      const struct kelf *k, uint64_t kernel_phys,
		      uint64_t exec_lo, uint64_t exec_hi, int nx);

/* Memory map conversion.  The UEFI map is read through `desc_size` strides;
 * only Type, PhysicalStart and NumberOfPages are used. */
struct mm_range {
	uint64_t base, end;     /* [base, end) */
	uint32_t type;          /* enum boot_mem_type */
};

/* work must have room for ndesc + 2 * nkern entries. Fills bi->mem and
 * bi->nmem; returns the number of ranges dropped for lack of room. */
unsigned memmap_convert(const void *map, uint64_t map_size, uint64_t desc_size,
			const struct mm_range *kern, unsigned nkern,
			struct mm_range *work, struct boot_info *bi);

/* Highest end of RAM (any RAM type) in the UEFI map. */
uint64_t memmap_ram_top(const void *map, uint64_t map_size, uint64_t desc_size);

#endif
