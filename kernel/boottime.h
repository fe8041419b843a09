/*
 * boottime.h — the boot budget's clock (issue 11, "Budget"): a TSC mark at
 * the end of each boot phase, from the kernel's first instruction (the
 * PVH 32-bit entry, or kernel_entry on the UEFI path) to the jump into the
 * module's _start, printed as one log line:
 *
 *   boot: entry->_start 4321 us (pvh 120, early 300, mm 900, acpi 200,
 *         tsc 2100, irq 150, bundle 80, devices 300, net 0, load 100,
 *         instance 70; log output 600)
 *
 * The phases are consecutive and sum to at most the total (the rest is
 * the time between the last mark and _start); "log output" is the time
 * spent writing log lines to the serial port, already inside the phases.
 */
#ifndef KERNEL_BOOTTIME_H
#define KERNEL_BOOTTIME_H

#include <stdint.h>

enum boot_phase {
	BOOT_PVH,       /* PVH 32-bit entry -> kernel_entry (0 on UEFI) */
	BOOT_EARLY,     /* serial routing, fw_cfg run settings, GDT/IDT, boot_info */
	BOOT_MM,        /* pmm, vmm (own page tables), heap, fbcon */
	BOOT_ACPI,      /* ACPI tables */
	BOOT_TSC,       /* TSC calibration */
	BOOT_IRQ,       /* local APIC, I/O APICs, timer, console IRQ, power button */
	BOOT_BUNDLE,    /* run settings checked, bundle parsed */
	BOOT_DEVICES,   /* RTC, PCI, virtio-mmio */
	BOOT_NET,       /* the network (only with a NIC in the manifest) */
	BOOT_LOAD,      /* WASI context, then compile, or artifact verify + map */
	BOOT_INSTANCE,  /* instantiation (memories, tables, segments) -> _start */
	BOOT_NPHASES,
};

/* The end of phase p: now. */
void boot_mark(enum boot_phase p);
/* The time spent writing the log (log.c adds each line's cost). */
void boot_log_ticks(uint64_t ticks);
/* Right before _start: mark BOOT_INSTANCE and log the boot line (once). */
void boot_report_start(void);

#endif
