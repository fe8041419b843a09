/*
 * boottime.c — the boot timeline's marks and its one line (boottime.h).
 * Time zero is the earliest TSC the kernel has: pvh_start32's rdtsc on a
 * PVH boot (kernel/pvh_entry.S, passed in boot_info.tsc_at_loader), else
 * kernel_entry's (kernel/entry.S).
 */
#include "kernel.h"
#include "boottime.h"
#include "cpu.h"
#include "tsc.h"

static uint64_t marks[BOOT_NPHASES];
static uint64_t log_ticks;
static bool reported;

static const char *const names[BOOT_NPHASES] = {
	"pvh", "early", "mm", "acpi", "tsc", "irq", "bundle", "devices", "net",
	"load", "instance",
};

void boot_mark(enum boot_phase p)
{
	if (!reported)
		marks[p] = rdtsc();
}

void boot_log_ticks(uint64_t ticks)
{
	if (!reported)
		log_ticks += ticks;
}

static uint64_t us(uint64_t ticks)
{
	return tsc_ticks_to_ns(ticks) / 1000;
}

/* Time zero: the PVH entry's TSC if this was a PVH boot and it is sane. */
static uint64_t time_zero(void)
{
	const struct boot_info *bi = &kernel_boot_info;

	if (bi->boot_path == BOOT_PATH_PVH && bi->tsc_at_loader &&
	    bi->tsc_at_loader <= kernel_tsc_entry)
		return bi->tsc_at_loader;
	return kernel_tsc_entry;
}

void boot_report_start(void)
{
	char line[400];
	uint64_t zero = time_zero(), prev = zero, now;
	int n;

	if (reported)
		return;
	boot_mark(BOOT_INSTANCE);
	now = marks[BOOT_INSTANCE];
	reported = true;
	marks[BOOT_PVH] = kernel_tsc_entry;     /* entry.S's rdtsc */
	n = ksnprintf(line, sizeof line, "boot: entry->_start %lu us (", us(now - zero));
	for (int p = 0; p < BOOT_NPHASES && n < (int)sizeof line; p++) {
		/* a phase never reached (net without a NIC is still marked)
		 * counts 0 */
		uint64_t end = marks[p] >= prev ? marks[p] : prev;

		n += ksnprintf(line + n, sizeof line - n, "%s%s %lu", p ? ", " : "",
			       names[p], us(end - prev));
		prev = end;
	}
	if (n < (int)sizeof line)
		ksnprintf(line + n, sizeof line - n, "; log output %lu)", us(log_ticks));
	klog("%s", line);
}
