/*
 * main.c — kernel_main: the boot sequence, each step logged with its time
 * since kernel_entry (so boot time is measured, not guessed):
 *
 *   serial -> GDT/TSS/IDT -> boot_info copy -> pmm -> vmm (own tables,
 *   switch) -> heap (+ .init_array) -> fbcon -> ACPI -> TSC (HPET) ->
 *   interrupts (local APIC, I/O APIC, timer; console IRQ) -> bundle -> RTC
 *   -> PCI -> disks (virtio-blk, only if the manifest grants one:
 *   kernel/disks.c) -> network (only if the manifest asks for a NIC; with
 *   `kernel-httpd`, the in-kernel HTTP server then runs instead of the
 *   module) -> "entering module" -> wasi_run_module -> net_flush (the
 *   last frames out) -> kernel_shutdown(status)
 *   (a precompiled artifact in the bundle, docs/artifact.md: wasi_run_artifact,
 *   which verifies and maps its code instead of compiling)
 *
 * With a spec blob in the bundle (`wasmetal spec --qemu`), the last steps
 * are instead "running spec scripts" -> spec_blob_run (spec/spec_blob.h):
 * failures and counts on the guest console, memory use after each file on
 * the log -> kernel_shutdown(0 if every command passed, 1 if not, 2 if the
 * blob was malformed).
 *
 * Before anything is printed, the manifest's `console` and `log` settings
 * route the serial roles (drivers/serial.h, docs/manifest.md): images for
 * plain VMs put the console on COM1; and the run settings of `wasmetal
 * run` (kernel/runcfg.h, from QEMU's fw_cfg) give the guest's stderr COM3
 * and say what the CLI's stdin, stdout and stderr are.  The bundle's
 * preopened trees become the wasi_config's preopens (fds 3, 4, ...).
 * The kernel's own error lines for the user (no or invalid bundle, a
 * panic, a kernel fault) go where the guest's stderr goes (SERIAL_COM3:
 * COM3, or the console).
 *
 * Log lines are kept in memory until the first idle wait after _start
 * (or shutdown, a panic, a network or spec boot: kernel/log.c) and then
 * printed with their real times; the boot's own line, "boot:
 * entry->_start N us (phases)", is logged just before _start
 * (kernel/boottime.h).  The bundle is parsed before RTC and PCI because its
 * flags say whether PCI and the memory map are printed (BUNDLE_FLAG_VERBOSE).
 */
#include <errno.h>
#include <string.h>
#include "kernel.h"
#include "acpi.h"
#include "artifact.h"
#include "cpu.h"
#include "boottime.h"
#include "bundle.h"
#include "disks.h"
#include "parse/bundle_parse.h"
#include "fbcon.h"
#include "fwcfg.h"
#include "irq.h"
#include "loader.h"             /* BOOT_CONSOLE_MARK, IDENT_MAX_TOP */
#include "net.h"
#include "pci.h"
#include "plat.h"
#include "pmm.h"
#include "rtc.h"
#include "runcfg.h"
#include "serial.h"
#include "spec_blob.h"
#include "tsc.h"
#include "virtio_mmio.h"
#include "vmm.h"
#include "wasi.h"

#define EXIT_FLUSH_NS 1000000000ull     /* at most 1 s for the last bytes */

struct boot_info kernel_boot_info;
bool kernel_verbose;

static const char *const mem_type_names[] = {
	"?", "usable", "reserved", "ACPI reclaim", "ACPI NVS", "kernel",
};

static void copy_boot_info(const struct boot_info *bi)
{
	if (!bi || bi->magic != BOOT_INFO_MAGIC)
		panic("boot_info at %p: bad magic", (const void *)bi);
	memcpy(&kernel_boot_info, bi, sizeof kernel_boot_info);
	if (kernel_boot_info.nmem > BOOT_MEM_MAX)
		kernel_boot_info.nmem = BOOT_MEM_MAX;
	kernel_boot_info.cmdline[BOOT_CMDLINE_MAX - 1] = 0;
	kernel_boot_info.error[BOOT_ERROR_MAX - 1] = 0;
	klog("boot path: %s%s%s",
	     kernel_boot_info.boot_path == BOOT_PATH_PVH ? "PVH" : "UEFI",
	     kernel_boot_info.cmdline[0] ? ", command line: " : "",
	     kernel_boot_info.cmdline);
	/* Unusable boot input (kernel/pvh.c): say what, then shut down. */
	if (kernel_boot_info.error[0])
		panic("boot: %s", kernel_boot_info.error);
}

static void log_memory_map(void)
{
	const struct boot_info *bi = &kernel_boot_info;

	for (unsigned i = 0; i < bi->nmem; i++) {
		const struct boot_mem_range *r = &bi->mem[i];

		klog("mem: %016lx-%016lx %s", r->base, r->base + r->pages * PAGE_SIZE,
		     r->type < ARRAY_SIZE(mem_type_names) ? mem_type_names[r->type] : "?");
	}
}

static void run_init_array(void)
{
	extern void (*__init_array_start[])(void), (*__init_array_end[])(void);

	for (void (**f)(void) = __init_array_start; f < __init_array_end; f++)
		(*f)();
}

static unsigned uart_of(unsigned port)
{
	return port == BUNDLE_PORT_COM1 ? SERIAL_COM1 :
	       port == BUNDLE_PORT_COM2 ? SERIAL_COM2 : 0;
}

/* The run settings (kernel/runcfg.h): the defaults unless `wasmetal run`
 * passed some; an invalid text is reported by check_run_settings, once
 * there is a log, and stops the boot. */
static struct runcfg run_settings;
static uint64_t run_settings_ticks;     /* reading them (fw_cfg) took */
static const char *run_settings_why;
static unsigned run_settings_line;

static void read_run_settings(void)
{
	static char text[RUNCFG_MAX];
	uint64_t t0 = rdtsc();
	size_t len;
	int r = fwcfg_read_file(RUNCFG_FWCFG_NAME, text, sizeof text, &len);

	run_settings_ticks = rdtsc() - t0;
	if (r == -E2BIG)
		run_settings_why = "larger than 4 KiB";
	else if (r == 0 && runcfg_parse(text, len, &run_settings, &run_settings_line,
					&run_settings_why))
		memset(&run_settings, 0, sizeof run_settings);
}

/* Route the console and the log as the manifest says, and stderr as the
 * run settings say, before anything is printed: the bundle is still
 * reachable through the loader's identity map (boot/boot_info.h).  A
 * console moved off COM2, and stderr on COM3, start with the loader's
 * console mark, as COM2's output does, so the CLI finds where the
 * firmware's output ends on each. */
static void route_serial(const struct boot_info *bi)
{
	unsigned console = BUNDLE_PORT_COM2, log = BUNDLE_PORT_COM1;

	if (bi && bi->magic == BOOT_INFO_MAGIC && bi->bundle_phys &&
	    bi->bundle_size <= IDENT_MAX_TOP &&
	    bi->bundle_phys <= IDENT_MAX_TOP - bi->bundle_size)
		bundle_serial_ports((const uint8_t *)(uintptr_t)bi->bundle_phys,
				    bi->bundle_size, &console, &log);
	read_run_settings();
	serial_route(uart_of(log), uart_of(console),
		     run_settings.stderr_com3 ? SERIAL_COM3 : 0);
	serial_init();
	/* On COM2 the UEFI loader wrote the mark (after the firmware's
	 * output); on a PVH boot nothing did. */
	if (console != BUNDLE_PORT_COM2 ||
	    (bi && bi->magic == BOOT_INFO_MAGIC && bi->boot_path == BOOT_PATH_PVH))
		serial_puts(SERIAL_COM2, BOOT_CONSOLE_MARK);
	if (serial_present(SERIAL_COM3))
		serial_puts(SERIAL_COM3, BOOT_CONSOLE_MARK);
}

/* Say what the run settings are (or stop: they are invalid). */
static void check_run_settings(void)
{
	char line[200];

	if (run_settings_why) {
		ksnprintf(line, sizeof line, "wasmetal: invalid run settings (fw_cfg %s): "
			  "line %u: %s\n", RUNCFG_FWCFG_NAME, run_settings_line,
			  run_settings_why);
		klog("%s", line);
		serial_puts(SERIAL_COM3, line);
		kernel_shutdown(KERNEL_STATUS_BADBOOT);
	}
	klog("stdio: stdin %s, stdout %s, stderr %s; stderr on %s (run settings "
	     "read in %lu us)", runcfg_kind_name(run_settings.stdio[0]),
	     runcfg_kind_name(run_settings.stdio[1]),
	     runcfg_kind_name(run_settings.stdio[2]),
	     serial_present(SERIAL_COM3) ? "COM3" : "the console",
	     tsc_ticks_to_ns(run_settings_ticks) / 1000);
}

static void load_bundle(struct boot_bundle *b)
{
	const struct boot_info *bi = &kernel_boot_info;
	const char *why;
	int r;

	if (!bi->bundle_phys || !vmm_phys_mapped(bi->bundle_phys, bi->bundle_size)) {
		serial_puts(SERIAL_COM3, "wasmetal: no boot bundle\n");
		klog("bundle: none (phys %#lx size %#lx)", bi->bundle_phys, bi->bundle_size);
		kernel_shutdown(KERNEL_STATUS_BADBOOT);
	}
	r = bundle_parse(phys_to_virt(bi->bundle_phys), bi->bundle_size, b, &why);
	if (r) {
		char line[300];

		if (b->bad_line)
			ksnprintf(line, sizeof line, "wasmetal: invalid boot bundle: "
				  "manifest line %u: %s\n", b->bad_line, why);
		else
			ksnprintf(line, sizeof line, "wasmetal: invalid boot bundle: %s\n",
				  why);
		klog("%s", line);
		serial_puts(SERIAL_COM3, line);
		kernel_shutdown(KERNEL_STATUS_BADBOOT);
	}
	kernel_verbose = b->flags & BUNDLE_FLAG_VERBOSE;
	if (kernel_verbose)             /* --verbose: the log as it goes, so a */
		klog_release();         /* program that hangs still shows it */
	klog("bundle: module %lu bytes, %d args, %d env, %lu preopens (%lu nodes), "
	     "flags %#x, spec blob %lu bytes", b->module_len, b->argc, b->envc,
	     b->npreopens, b->nnodes, b->flags, b->spec_len);
}

/* ---- spec mode ---------------------------------------------------------- */

static uint64_t spec_low_frames = UINT64_MAX;   /* fewest free frames seen */

static void spec_write(void *ctx, const char *s, size_t n)
{
	plat_console_write(1, s, n);
}

/* After each file's commands (its instances alive: about its peak), and
 * after they were freed (what stays: should not grow from file to file). */
static void spec_file_done(void *ctx, const struct spec_file *f, bool freed)
{
	uint64_t free_frames = pmm_free_frames();

	if (free_frames < spec_low_frames)
		spec_low_frames = free_frames;
	klog("spec: %s %s: %lu MiB free, heap %lu KiB", f->name ? f->name : "?",
	     freed ? "freed" : "ran", free_frames * PAGE_SIZE >> 20,
	     heap_mapped_bytes() >> 10);
}

/* Lazy commits (mm/vmm.h): how many Wasm pages were actually mapped. */
static void log_lazy_pages(void)
{
	uint64_t touched, reserved, peak;

	vmm_lazy_stats(&touched, &reserved, &peak);
	klog("memory: %lu pages mapped on first touch; %lu frames still "
	     "reserved, at most %lu at once", touched, reserved, peak);
}

static int run_spec(const struct boot_bundle *b)
{
	struct spec_out o = {
		.write = spec_write, .file_done = spec_file_done,
	};
	uint64_t total = pmm_total_frames() * PAGE_SIZE >> 20;
	int status;

	klog_release();
	klog("running spec scripts (%lu bytes)", b->spec_len);
	status = spec_blob_run(b->spec, b->spec_len, &o);
	if (spec_low_frames == UINT64_MAX)
		spec_low_frames = pmm_free_frames();
	klog("spec scripts done, status %d; frames in use at most %lu of %lu MiB "
	     "(sampled at each file's end; %lu MiB were left); now %lu MiB free", status,
	     total - (spec_low_frames * PAGE_SIZE >> 20), total,
	     spec_low_frames * PAGE_SIZE >> 20,
	     pmm_free_frames() * PAGE_SIZE >> 20);
	plat_kernel_area_stats();
	log_lazy_pages();
	return status;
}

static void log_boot_times(void)
{
	const struct boot_info *bi = &kernel_boot_info;

	if (bi->tsc_at_loader && bi->tsc_at_exit >= bi->tsc_at_loader &&
	    kernel_tsc_entry >= bi->tsc_at_exit)
		klog("boot: loader ran %lu us, loader->kernel jump %lu us",
		     tsc_ticks_to_ns(bi->tsc_at_exit - bi->tsc_at_loader) / 1000,
		     tsc_ticks_to_ns(kernel_tsc_entry - bi->tsc_at_exit) / 1000);
}

static void init_clock(void)
{
	acpi_init(kernel_boot_info.acpi_rsdp);
	boot_mark(BOOT_ACPI);
	if (tsc_calibrate(acpi.hpet_addr))
		panic("tsc: cannot calibrate (no HPET, PIT or CPUID 0x15/0x16/0x40000010)");
	log_boot_times();
	boot_mark(BOOT_TSC);
	irq_init();
	plat_kernel_console_irq_init();
	power_button_init();
	boot_mark(BOOT_IRQ);
}

/* The network, if the manifest asks for a NIC (net/net.h); then the
 * in-kernel HTTP server instead of the module if it asks for that. */
static void init_network(const struct boot_bundle *b)
{
	int r;

	if (!b->net.nic)
		return;
	klog_release();         /* a network boot waits (DHCP): log as it goes */
	net_init(&b->net);
	if (!b->httpd.port)
		return;
	r = net_httpd_run(b->httpd.port, b->httpd.size);
	net_log_stats();
	kernel_shutdown(r ? 1 : 0);
}

static void init_devices(void)
{
	uint64_t epoch;

	epoch = rtc_read_epoch(acpi.century_reg);
	plat_kernel_set_realtime(epoch);
	klog("rtc: %lu s since the epoch%s", epoch, epoch ? "" : " (unreadable)");
	pci_init(acpi.ecam_base, acpi.ecam_bus_start, acpi.ecam_bus_end,
		 kernel_verbose);
	virtio_mmio_probe(&kernel_boot_info);   /* the command line's devices */
}

/* the optional instructions the JIT will use on this CPU (jit.h JIT_CPU_*;
 * AVX only as kernel/entry.S enabled it) */
static void log_cpu(void)
{
	unsigned cpu = jit_cpu_features();

	klog("cpu: the JIT uses SSE2%s%s%s%s%s%s", cpu & JIT_CPU_SSE41 ? " SSE4.1" : "",
	     cpu & JIT_CPU_POPCNT ? " POPCNT" : "", cpu & JIT_CPU_LZCNT ? " LZCNT" : "",
	     cpu & JIT_CPU_BMI1 ? " BMI1" : "", cpu & JIT_CPU_AVX ? " AVX" : "",
	     cpu & JIT_CPU_AVX2 ? " AVX2" : "");
}

int kernel_main(struct boot_info *bi)
{
	static const char *const default_argv[] = { "main.wasm", NULL };
	struct boot_bundle b;
	struct wasi_config cfg;
	static struct wasi_disk disks[BUNDLE_MAX_DISKS];
	size_t ndisks;
	int status;

	tsc_pit_mark();         /* the TSC's calibration starts now (drivers/tsc.c) */
	route_serial(bi);
	klog("kernel entry");
	gdt_init();
	idt_init();
	vmm_add_guard((uintptr_t)kernel_stack_guard);
	plat_kernel_service_stack_init();
	klog("gdt, tss (IST stacks), idt: ready");
	log_cpu();
	copy_boot_info(bi);
	boot_mark(BOOT_EARLY);
	pmm_init(&kernel_boot_info);
	vmm_init(&kernel_boot_info);
	run_init_array();
	fbcon_init(&kernel_boot_info.fb);
	boot_mark(BOOT_MM);
	init_clock();
	check_run_settings();
	load_bundle(&b);
	boot_mark(BOOT_BUNDLE);
	klog("heap: %lu KiB mapped", heap_mapped_bytes() >> 10);
	if (kernel_verbose)
		log_memory_map();
	init_devices();
	ndisks = disks_init(&b, disks);         /* `disk` grants (issue 11) */
	boot_mark(BOOT_DEVICES);
	init_network(&b);
	boot_mark(BOOT_NET);
	heap_log_memory("boot");

	cfg = (struct wasi_config){
		.argc = b.argc ? b.argc : 1,
		.argv = b.argc ? (const char *const *)b.argv : default_argv,
		.envc = b.envc,
		.envp = (const char *const *)b.envp,
		.npreopens = b.npreopens,
		.preopens = b.preopens,
		.grants = b.grants,     /* the manifest's network grants */
		.stdio = { run_settings.stdio[0], run_settings.stdio[1],
			   run_settings.stdio[2] },
		.ndisks = ndisks, .disks = disks,
	};
	if (b.spec)
		kernel_shutdown(run_spec(&b));
	/* issue 9: an artifact (docs/artifact.md) is verified and mapped,
	 * not compiled; the timeline shows "artifact loaded" instead */
	if (jit_artifact_is(b.module, b.module_len)) {
		klog("entering module (precompiled artifact, %lu bytes)",
		     (unsigned long)b.module_len);
		/* its CRC-32C, which the host wrote after checking it,
		 * matched (bundle_parse): no SHA-256 passes again */
		status = b.has_module_crc ?
			wasi_run_artifact_checked(b.module, b.module_len, &cfg) :
			wasi_run_artifact(b.module, b.module_len, &cfg);
	} else {
		klog("entering module");
		status = wasi_run_module(b.module, b.module_len, &cfg);
	}
	klog("module returned, exit status %d", status);
	log_lazy_pages();
	/* what the module sent last must leave before the machine stops, as
	   a process's last datagram leaves a host after it exits: QEMU drops
	   the frames still in the ring (a UDP echo's last answer was lost) */
	net_flush(EXIT_FLUSH_NS);
	kernel_shutdown(status);
}
