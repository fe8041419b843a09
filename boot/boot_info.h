/*
 * boot_info.h — what the UEFI loader (boot/loader.c) hands the kernel
 * (kernel/entry.S, rdi = physical address of struct boot_info).  Plain
 * fixed-size C, no UEFI types: the kernel never sees UEFI structures.
 *
 * At the jump the loader has: exited boot services; built page tables that
 * identity-map the first 4 GiB plus every usable RAM range below 64 GiB
 * (2 MiB pages) and map the kernel's PT_LOAD segments at their virtual
 * addresses (0xffffffff80000000 + ...); interrupts off; a 64 KiB stack in
 * loader-allocated memory.  Everything the loader allocated for the kernel
 * (segments, bundle, this struct, the page tables, the stack) is reported
 * as BOOT_MEM_KERNEL, never as usable.
 *
 * The PVH entry (kernel/pvh_entry.S, kernel/pvh.c) builds the same struct
 * from a microVM monitor's start info, with the same mappings.
 */
#ifndef BOOT_INFO_H
#define BOOT_INFO_H

#include <stdint.h>

#define BOOT_INFO_MAGIC 0x5741534d4554414cull   /* "WASMETAL" */
#define BOOT_MEM_MAX 256
#define BOOT_CMDLINE_MAX 1024
#define BOOT_ERROR_MAX 160

enum boot_path {
	BOOT_PATH_UEFI = 0,         /* boot/loader.c */
	BOOT_PATH_PVH = 1,          /* kernel/pvh_entry.S + kernel/pvh.c */
};

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,        /* conventional + boot services memory */
	BOOT_MEM_RESERVED = 2,      /* firmware, MMIO, runtime services */
	BOOT_MEM_ACPI_RECLAIM = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_KERNEL = 5,        /* kernel image, bundle, boot_info, tables */
};

struct boot_mem_range {
	uint64_t base;              /* physical, 4 KiB aligned */
	uint64_t pages;             /* 4 KiB pages */
	uint32_t type;              /* enum boot_mem_type */
	uint32_t pad;
};

struct boot_framebuffer {
	uint64_t base;              /* physical; 0 if there is no GOP */
	uint32_t width, height, pitch;  /* pitch in bytes */
	uint32_t bpp;               /* 32 */
};

struct boot_info {
	uint64_t magic;             /* BOOT_INFO_MAGIC */
	uint64_t tsc_at_loader;     /* rdtsc when the loader started */
	uint64_t tsc_at_exit;       /* rdtsc just before the jump */
	uint64_t acpi_rsdp;         /* physical address of the RSDP, 0 if none */
	struct boot_framebuffer fb;
	uint64_t kernel_phys;       /* physical base of the kernel image */
	uint64_t kernel_size;       /* bytes, all PT_LOAD segments */
	uint64_t bundle_phys;       /* the boot bundle (images/bundle.h) */
	uint64_t bundle_size;
	uint32_t boot_path;         /* enum boot_path */
	uint32_t nmem;
	char cmdline[BOOT_CMDLINE_MAX]; /* the monitor's command line (PVH), "" */
	char error[BOOT_ERROR_MAX]; /* set when the boot input was unusable:
				       the kernel reports it and shuts down */
	struct boot_mem_range mem[BOOT_MEM_MAX];  /* sorted by base */
};

_Static_assert(sizeof(struct boot_mem_range) == 24, "boot ABI");
_Static_assert(sizeof(struct boot_framebuffer) == 24, "boot ABI");

#endif
