/*
 * memmap.c — the UEFI memory map (UEFI 2.10 §7.2.3 GetMemoryMap) turned into
 * boot_info.mem: our own five types, the loader's allocations for the kernel
 * forced to BOOT_MEM_KERNEL, sorted by base, adjacent same-type ranges
 * merged.  Runs after ExitBootServices, so it allocates nothing: the caller
 * passes a work array sized before the final GetMemoryMap.
 *
 *   EfiConventionalMemory, Loader*, BootServices*   -> USABLE
 *   EfiACPIReclaimMemory                            -> ACPI_RECLAIM
 *   EfiACPIMemoryNVS                                -> ACPI_NVS
 *   everything else (runtime services, reserved, MMIO, unusable,
 *   persistent, unaccepted, OEM types)              -> RESERVED
 */
#include "loader.h"

/* EFI_MEMORY_DESCRIPTOR, as laid out by the firmware (stride desc_size). */
struct efi_md {
	uint32_t type;
	uint32_t pad;
	uint64_t phys;
	uint64_t virt;
	uint64_t pages;
	uint64_t attr;
};

enum {
	EFI_RESERVED, EFI_LOADER_CODE, EFI_LOADER_DATA, EFI_BS_CODE, EFI_BS_DATA,
	EFI_RT_CODE, EFI_RT_DATA, EFI_CONVENTIONAL, EFI_UNUSABLE,
	EFI_ACPI_RECLAIM, EFI_ACPI_NVS, EFI_MMIO, EFI_MMIO_PORT, EFI_PAL_CODE,
	EFI_PERSISTENT,
};

static uint32_t convert_type(uint32_t t)
{
	switch (t) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BS_CODE:
	case EFI_BS_DATA:
	case EFI_CONVENTIONAL:
		return BOOT_MEM_USABLE;
	case EFI_ACPI_RECLAIM:
		return BOOT_MEM_ACPI_RECLAIM;
	case EFI_ACPI_NVS:
		return BOOT_MEM_ACPI_NVS;
	default:
		return BOOT_MEM_RESERVED;
	}
}

static int is_ram(uint32_t t)
{
	return t <= EFI_ACPI_NVS && t != EFI_RESERVED && t != EFI_UNUSABLE;
}

static const struct efi_md *md_at(const void *map, uint64_t i, uint64_t desc_size)
{
	return (const struct efi_md *)((const uint8_t *)map + i * desc_size);
}

static int md_range(const struct efi_md *d, uint64_t *base, uint64_t *end)
{
	if (d->pages == 0 || d->pages > (~0ull - d->phys) / PAGE_SIZE_4K)
		return -1;
	*base = d->phys;
	*end = d->phys + d->pages * PAGE_SIZE_4K;
	return 0;
}

uint64_t memmap_ram_top(const void *map, uint64_t map_size, uint64_t desc_size)
{
	uint64_t top = 0, base, end;

	if (desc_size < sizeof(struct efi_md))
		return 0;
	for (uint64_t i = 0; i < map_size / desc_size; i++) {
		const struct efi_md *d = md_at(map, i, desc_size);

		if (is_ram(d->type) && !md_range(d, &base, &end) && end > top)
			top = end;
	}
	return top;
}

/* Emit [base, end) of type t, cut where it meets kern[] (sorted). */
static unsigned split(uint64_t base, uint64_t end, uint32_t t,
		      const struct mm_range *kern, unsigned nkern,
		      struct mm_range *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nkern && base < end; i++) {
		uint64_t kb = kern[i].base, ke = kern[i].end;

		if (ke <= base || kb >= end)
			continue;
		if (kb > base)
			out[n++] = (struct mm_range){ base, kb, t };
		if (ke > end)
			ke = end;
		out[n++] = (struct mm_range){ kb > base ? kb : base, ke, BOOT_MEM_KERNEL };
		base = ke;
	}
	if (base < end)
		out[n++] = (struct mm_range){ base, end, t };
	return n;
}

static void sort_ranges(struct mm_range *r, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct mm_range x = r[i];
		unsigned j = i;

		for (; j > 0 && r[j - 1].base > x.base; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

unsigned memmap_convert(const void *map, uint64_t map_size, uint64_t desc_size,
			const struct mm_range *kern, unsigned nkern,
			struct mm_range *work, struct boot_info *bi)
{
	unsigned n = 0, out = 0, dropped = 0;
	uint64_t base, end;

	bi->nmem = 0;
	if (desc_size < sizeof(struct efi_md))
		return 0;
	for (uint64_t i = 0; i < map_size / desc_size; i++) {
		const struct efi_md *d = md_at(map, i, desc_size);

		if (md_range(d, &base, &end))
			continue;
		n += split(base, end, convert_type(d->type), kern, nkern, work + n);
	}
	sort_ranges(work, n);
	for (unsigned i = 0; i < n; i++) {
		struct boot_mem_range *prev = out ? &bi->mem[out - 1] : 0;

		if (prev && prev->type == work[i].type &&
		    prev->base + prev->pages * PAGE_SIZE_4K == work[i].base) {
			prev->pages += (work[i].end - work[i].base) / PAGE_SIZE_4K;
			continue;
		}
		if (out == BOOT_MEM_MAX) {
			dropped++;
			continue;
		}
		bi->mem[out++] = (struct boot_mem_range){
			.base = work[i].base,
			.pages = (work[i].end - work[i].base) / PAGE_SIZE_4K,
			.type = work[i].type,
		};
	}
	bi->nmem = out;
	return dropped;
}
