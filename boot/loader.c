/*
 * loader.c — BOOTX64.EFI, the UEFI application (GNU-EFI) that starts the
 * wasmetal kernel.  UEFI 2.10: §9.1 Loaded Image, §13.4-13.5 Simple File
 * System / File Protocol, §4.6 Configuration Table (ACPI RSDP), §12.9 GOP,
 * §7.2 GetMemoryMap, §7.4 ExitBootServices.
 *
 *   rdtsc -> open the ESP we were loaded from -> read \wasmetal\kernel.elf
 *   -> check it (elf.c) -> copy its PT_LOAD segments into one allocation
 *   -> read \wasmetal\bundle -> RSDP, GOP -> allocate the "boot area"
 *   (stack, boot_info, GDT, page tables) -> page tables (paging.c)
 *   -> GetMemoryMap + ExitBootServices (retried) -> boot_info.mem
 *   (memmap.c) -> GDT, CR3, stack, jump to kernel_entry(rdi = &boot_info).
 *
 * Silent on success (COM1 is the kernel log).  On any failure: one clear
 * line with the UEFI status, then ResetSystem(EfiResetShutdown), so QEMU
 * exits instead of hanging.  Every allocation for the kernel is below
 * 4 GiB (always identity-mapped) and is reported BOOT_MEM_KERNEL.
 */
#include <efi.h>
#include <efilib.h>
#include "loader.h"
#include "bundle.h"

#define STACK_PAGES  16         /* 64 KiB kernel stack */
#define ALLOC_MAX    0xffffffffull
#define NKERN        3          /* kernel image, bundle, boot area */
#define COM2         0x2f8
#define GDT_CODE64   0x08
#define GDT_DATA     0x10

/* Layout of the boot area (one allocation, BOOT_MEM_KERNEL). */
struct boot_area {
	uint8_t stack[STACK_PAGES * 4096];
	struct boot_info bi;
	uint64_t gdt[4] __attribute__((aligned(16)));
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr;
};
#define AREA_PAGES(ptpages) \
	((sizeof(struct boot_area) + 4095) / 4096 + (ptpages))

static struct mm_range kern[NKERN];
static unsigned nkern;
static int have_gop;

/* boot_jump (below): lgdt, cr3, stack, reload segments, jmp entry. */
void boot_jump(uint64_t bi, uint64_t entry, uint64_t rsp, uint64_t cr3,
	       void *gdtr) __attribute__((noreturn, visibility("hidden")));
extern char boot_jump_end[] __attribute__((visibility("hidden")));

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void __attribute__((noreturn)) die(EFI_STATUS st, const char *what)
{
	Print(L"wasmetal loader: %a: %r\n", what, st);
	if (have_gop)
		uefi_call_wrapper(BS->Stall, 1, 3 * 1000 * 1000);
	uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, st, 0, NULL);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void track(uint64_t base, uint64_t pages)
{
	/* keep kern[] sorted by base (memmap.c expects it) */
	unsigned i = nkern++;

	for (; i > 0 && kern[i - 1].base > base; i--)
		kern[i] = kern[i - 1];
	kern[i] = (struct mm_range){ base, base + pages * 4096, BOOT_MEM_KERNEL };
}

/* Pages below 4 GiB for the kernel, tracked as BOOT_MEM_KERNEL. */
static void *alloc_kernel_pages(uint64_t pages, const char *what)
{
	EFI_PHYSICAL_ADDRESS addr = ALLOC_MAX;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress,
			       EfiLoaderData, pages, &addr);
	if (EFI_ERROR(st))
		die(st, what);
	track(addr, pages);
	return (void *)(uintptr_t)addr;
}

static EFI_FILE_HANDLE open_esp(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_FILE_HANDLE root;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, image,
			       &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		die(st, "no loaded image protocol");
	st = uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle,
			       &FileSystemProtocol, (void **)&fs);
	if (EFI_ERROR(st))
		die(st, "boot device has no file system");
	st = uefi_call_wrapper(fs->OpenVolume, 2, fs, &root);
	if (EFI_ERROR(st))
		die(st, "cannot open the ESP");
	return root;
}

/* Open an ASCII path; *size = file size.  NULL if it does not exist. */
static EFI_FILE_HANDLE open_file(EFI_FILE_HANDLE root, const char *path,
				 uint64_t *size)
{
	CHAR16 wpath[64];
	EFI_FILE_HANDLE fh;
	EFI_FILE_INFO *info;
	EFI_STATUS st;
	unsigned i;

	for (i = 0; path[i] && i < 63; i++)
		wpath[i] = (CHAR16)path[i];
	wpath[i] = 0;
	st = uefi_call_wrapper(root->Open, 5, root, &fh, wpath,
			       EFI_FILE_MODE_READ, 0);
	if (st == EFI_NOT_FOUND)
		return NULL;
	if (EFI_ERROR(st))
		die(st, path);
	info = LibFileInfo(fh);
	if (!info)
		die(EFI_DEVICE_ERROR, "cannot stat a file on the ESP");
	*size = info->FileSize;
	FreePool(info);
	return fh;
}

static void read_all(EFI_FILE_HANDLE fh, void *buf, uint64_t size,
		     const char *path)
{
	uint64_t done = 0;

	while (done < size) {
		UINTN n = size - done;
		EFI_STATUS st;

		st = uefi_call_wrapper(fh->Read, 3, fh, &n, (uint8_t *)buf + done);
		if (EFI_ERROR(st))
			die(st, path);
		if (n == 0)
			die(EFI_END_OF_FILE, path);
		done += n;
	}
	uefi_call_wrapper(fh->Close, 1, fh);
}

static void load_kernel(EFI_FILE_HANDLE root, struct boot_info *bi,
			struct kelf *k)
{
	const char *why = "";
	uint64_t size;
	EFI_FILE_HANDLE fh;
	void *buf, *img;

	fh = open_file(root, BUNDLE_KERNEL_FILE, &size);
	if (!fh)
		die(EFI_NOT_FOUND, BUNDLE_KERNEL_FILE);
	if (size == 0 || size > KERNEL_MAX_SPAN)
		die(EFI_LOAD_ERROR, "kernel.elf: empty or larger than 1 GiB");
	buf = AllocatePool(size);
	if (!buf)
		die(EFI_OUT_OF_RESOURCES, "no memory to read kernel.elf");
	read_all(fh, buf, size, BUNDLE_KERNEL_FILE);
	if (elf_check(buf, size, k, &why)) {
		Print(L"wasmetal loader: kernel.elf rejected: %a\n", why);
		die(EFI_LOAD_ERROR, "bad kernel.elf");
	}
	img = alloc_kernel_pages(k->span / 4096, "no memory for the kernel image");
	elf_copy(buf, k, img);
	FreePool(buf);
	bi->kernel_phys = (uint64_t)(uintptr_t)img;
	bi->kernel_size = k->span;
}

/* The bundle is optional here: the kernel reports a missing one. */
static void load_bundle(EFI_FILE_HANDLE root, struct boot_info *bi)
{
	uint64_t size;
	EFI_FILE_HANDLE fh;
	void *buf;

	fh = open_file(root, BUNDLE_FILE, &size);
	if (!fh || size == 0)
		return;
	if (size > (1ull << 32))
		die(EFI_LOAD_ERROR, "bundle larger than 4 GiB");
	buf = alloc_kernel_pages((size + 4095) / 4096, "no memory for the bundle");
	read_all(fh, buf, size, BUNDLE_FILE);
	bi->bundle_phys = (uint64_t)(uintptr_t)buf;
	bi->bundle_size = size;
}

static void find_rsdp(struct boot_info *bi)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];

		if (!CompareGuid(&t->VendorGuid, &acpi20)) {
			bi->acpi_rsdp = (uint64_t)(uintptr_t)t->VendorTable;
			return;
		}
		if (!CompareGuid(&t->VendorGuid, &acpi10))
			bi->acpi_rsdp = (uint64_t)(uintptr_t)t->VendorTable;
	}
}

static void find_framebuffer(struct boot_info *bi)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mi;

	if (EFI_ERROR(LibLocateProtocol(&GraphicsOutputProtocol, (void **)&gop)) ||
	    !gop || !gop->Mode || !gop->Mode->Info)
		return;
	have_gop = 1;
	mi = gop->Mode->Info;
	if (mi->PixelFormat != PixelRedGreenBlueReserved8BitPerColor &&
	    mi->PixelFormat != PixelBlueGreenRedReserved8BitPerColor)
		return;         /* BltOnly or bitmask: no linear framebuffer */
	bi->fb.base = gop->Mode->FrameBufferBase;
	bi->fb.width = mi->HorizontalResolution;
	bi->fb.height = mi->VerticalResolution;
	bi->fb.pitch = mi->PixelsPerScanLine * 4;
	bi->fb.bpp = 32;
}

/* Current memory map in a fresh pool buffer with `slack` spare descriptors. */
static void *get_map(UINTN *size, UINTN *cap, UINTN *key, UINTN *dsz, UINTN slack)
{
	UINT32 ver;
	EFI_STATUS st;
	void *map;

	*size = 0;
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, size, NULL, key, dsz, &ver);
	if (st != EFI_BUFFER_TOO_SMALL)
		die(st, "GetMemoryMap");
	*cap = *size + slack * *dsz;
	map = AllocatePool(*cap);
	if (!map)
		die(EFI_OUT_OF_RESOURCES, "no memory for the memory map");
	*size = *cap;
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, size, map, key, dsz, &ver);
	if (EFI_ERROR(st))
		die(st, "GetMemoryMap");
	return map;
}

static uint64_t identity_top(void)
{
	UINTN size, cap, key, dsz;
	void *map = get_map(&size, &cap, &key, &dsz, 4);
	uint64_t top = memmap_ram_top(map, size, dsz);

	FreePool(map);
	top = (top + GIB - 1) & ~(GIB - 1);
	if (top < IDENT_MIN_TOP)
		top = IDENT_MIN_TOP;
	if (top > IDENT_MAX_TOP)
		top = IDENT_MAX_TOP;
	return top;
}

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/*
 * OVMF makes every serial port a firmware console, so COM2 (the guest
 * console, images/image.h) carries firmware output up to here.  Once boot
 * services are gone nothing else of the firmware's can follow, so we mark
 * the spot with an APC string (ESC _ ... ESC \, which terminals ignore);
 * images/qemu.c drops what precedes it.  No COM2: the writes go nowhere.
 */
static void com2_mark_console(void)
{
	static const char mark[] = BOOT_CONSOLE_MARK;

	for (const char *p = mark; *p; p++) {
		for (int spin = 0; spin < 100000 && !(inb(COM2 + 5) & 0x20); spin++)
			;
		outb(COM2, (uint8_t)*p);
	}
}

static int cpu_has_nx(void)
{
	uint32_t a = 0x80000000, b, c, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	if (a < 0x80000001)
		return 0;
	a = 0x80000001;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return (d >> 20) & 1;
}

/* EFER.NXE (so NX bits are legal) and CR0.WP (ring 0 honours R/O pages). */
static void cpu_setup(int nx)
{
	uint64_t cr0;

	if (nx) {
		uint32_t lo, hi;

		__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080));
		lo |= 1u << 11;
		__asm__ volatile("wrmsr" : : "a"(lo), "d"(hi), "c"(0xc0000080));
	}
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 |= 1ull << 16;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
}

/*
 * GetMemoryMap + ExitBootServices.  If the map changed under us, EBS
 * fails and only GetMemoryMap/EBS may be called again: the buffers are
 * therefore sized (with slack) before the loop and never reallocated
 * once EBS has been tried.  Then the map becomes boot_info.mem.
 */
static void exit_boot_services(EFI_HANDLE image, struct boot_info *bi)
{
	UINTN size, cap, key, dsz;
	UINT32 ver;
	EFI_STATUS st;
	struct mm_range *work;
	void *map = get_map(&size, &cap, &key, &dsz, 32);

	work = AllocatePool((cap / dsz + 2 * NKERN + 8) * sizeof(*work));
	if (!work)
		die(EFI_OUT_OF_RESOURCES, "no memory for the memory map");
	for (int tries = 0;; tries++) {
		size = cap;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, map, &key,
				       &dsz, &ver);
		if (EFI_ERROR(st))
			die(st, "GetMemoryMap before ExitBootServices");
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (!EFI_ERROR(st))
			break;
		if (tries == 8)
			die(st, "ExitBootServices");
	}
	__asm__ volatile("cli");
	memmap_convert(map, size, dsz, kern, nkern, work, bi);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	uint64_t tsc0 = rdtsc();
	struct boot_area *area;
	struct boot_info *bi, tmp = { 0 };
	struct kelf k;
	EFI_FILE_HANDLE root;
	uint64_t ident_top, ptpages, cr3;
	uint64_t tramp = (uint64_t)(uintptr_t)boot_jump;
	uint64_t tramp_end = (uint64_t)(uintptr_t)boot_jump_end;
	int nx = cpu_has_nx();

	InitializeLib(image, systab);
	uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0, 0, NULL);
	root = open_esp(image);
	load_kernel(root, &tmp, &k);
	load_bundle(root, &tmp);
	uefi_call_wrapper(root->Close, 1, root);
	find_rsdp(&tmp);
	find_framebuffer(&tmp);

	ident_top = identity_top();
	if (tramp_end > ident_top)
		die(EFI_UNSUPPORTED, "loader loaded above the identity map");
	ptpages = paging_pages_needed(ident_top, &k);
	area = alloc_kernel_pages(AREA_PAGES(ptpages), "no memory for the boot area");
	cr3 = paging_build((uint8_t *)area + AREA_PAGES(0) * 4096, ptpages,
			   ident_top, &k, tmp.kernel_phys, tramp, tramp_end, nx);
	if (!cr3)
		die(EFI_BUFFER_TOO_SMALL, "page tables");

	bi = &area->bi;
	*bi = tmp;
	bi->magic = BOOT_INFO_MAGIC;
	bi->tsc_at_loader = tsc0;
	area->gdt[0] = 0;
	area->gdt[1] = 0x00af9a000000ffffull;   /* 0x08: code, 64-bit, DPL 0 */
	area->gdt[2] = 0x00cf92000000ffffull;   /* 0x10: data, DPL 0 */
	area->gdt[3] = 0;
	area->gdtr.limit = sizeof(area->gdt) - 1;
	area->gdtr.base = (uint64_t)(uintptr_t)area->gdt;

	exit_boot_services(image, bi);          /* no UEFI calls after this */
	com2_mark_console();
	cpu_setup(nx);
	bi->tsc_at_exit = rdtsc();
	boot_jump((uint64_t)(uintptr_t)bi, k.entry,
		  (uint64_t)(uintptr_t)area->stack + sizeof(area->stack),
		  cr3, &area->gdtr);
}

/*
 * boot_jump(rdi = bi, rsi = entry, rdx = stack top, rcx = cr3, r8 = &gdtr)
 * Runs identity-mapped in both the firmware's tables and ours.  Loads our
 * GDT (CS 0x08, data 0x10), an empty IDT (any exception before the kernel
 * installs its own is a triple fault, not a jump into freed firmware
 * code), our CR3 and stack, and jumps with a zero return address pushed so
 * that the entry sees the stack as a C function would (rsp + 8 16-aligned).
 */
__asm__(
	".text\n"
	".globl boot_jump\n"
	".type boot_jump, @function\n"
	"boot_jump:\n"
	"	cli\n"
	"	lgdt (%r8)\n"
	"	pushq $0\n"
	"	pushq $0\n"
	"	lidt 6(%rsp)\n"                 /* limit 0, base 0 */
	"	mov %rcx, %cr3\n"
	"	mov %rdx, %rsp\n"
	"	pushq $0x08\n"
	"	leaq 1f(%rip), %rax\n"
	"	pushq %rax\n"
	"	lretq\n"
	"1:	mov $0x10, %eax\n"
	"	mov %eax, %ds\n"
	"	mov %eax, %es\n"
	"	mov %eax, %ss\n"
	"	mov %eax, %fs\n"
	"	mov %eax, %gs\n"
	"	pushq $0\n"
	"	xor %ebp, %ebp\n"
	"	jmp *%rsi\n"
	".globl boot_jump_end\n"
	"boot_jump_end:\n"
	".size boot_jump, .-boot_jump\n");
