/*
 * pvh.h — the x86/HVM direct boot ABI ("PVH"), as QEMU's -kernel,
 * Firecracker and Cloud Hypervisor use it: the ELF note that names the
 * 32-bit entry (kernel/pvh_entry.S) and the start info the monitor leaves
 * at ebx (Xen public headers arch-x86/hvm/start_info.h and elfnote.h;
 * docs/misc/pvh.pandoc).  kernel/pvh.c turns it into struct boot_info.
 */
#ifndef PVH_H
#define PVH_H

#include <stdint.h>
#include "../boot/boot_info.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC 0x336ec578u

/* Where kernel.elf's PT_LOAD segments sit in physical memory on a PVH
 * boot (their p_paddr, linker.ld): 2 MiB aligned, so that pvh_entry.S maps
 * the kernel half with 2 MiB pages, and above the first MiB (BIOS area,
 * the monitor's own tables). */
#define KERNEL_PVH_PHYS 0x200000ull

struct hvm_start_info {
	uint32_t magic;             /* HVM_START_MAGIC */
	uint32_t version;           /* 0, or 1 with the memory map */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;     /* struct hvm_modlist_entry[nr_modules] */
	uint64_t cmdline_paddr;     /* NUL-terminated, 0 if none */
	uint64_t rsdp_paddr;        /* 0: search the BIOS area */
	/* version 1 */
	uint64_t memmap_paddr;      /* struct hvm_memmap_entry[memmap_entries] */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

/* Types are the E820 ones (ACPI 6.5 §15 "System Address Map"). */
struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

enum { E820_RAM = 1, E820_RESERVED = 2, E820_ACPI = 3, E820_NVS = 4 };

_Static_assert(sizeof(struct hvm_start_info) == 56, "PVH ABI");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "PVH ABI");
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "PVH ABI");

/* kernel/pvh.c, called by pvh_entry.S on the boot page tables: the
 * physical (identity-mapped) address of the boot_info built from the start
 * info at start_phys. */
uint64_t pvh_boot_info(uint64_t start_phys, uint64_t tsc_at_entry);

#endif
