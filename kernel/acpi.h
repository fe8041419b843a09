/*
 * acpi.h — what the kernel takes from the firmware's ACPI tables (ACPI 6.5
 * spec: §5.2.5 RSDP, §5.2.7/8 RSDT/XSDT, §5.2.9 FADT, §5.2.12 MADT; HPET
 * spec 1.0a §3.2.4; PCI Firmware spec 3.2 §4.1.2 MCFG).
 */
#ifndef KERNEL_ACPI_H
#define KERNEL_ACPI_H

#include <stdbool.h>
#include <stdint.h>
#include "acpi_ged.h"

#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_ISOS    16

/* MADT I/O APIC entry (§5.2.12.3) */
struct acpi_ioapic {
	uint8_t id;
	uint32_t addr;                  /* physical, 4 KiB of registers */
	uint32_t gsi_base;              /* first global system interrupt */
};

/* MADT interrupt source override (§5.2.12.5): ISA IRQ `source` arrives
 * as GSI `gsi`; flags = MPS INTI polarity (bits 1:0) and trigger (3:2). */
struct acpi_iso {
	uint8_t source;
	uint32_t gsi;
	uint16_t flags;
};

struct acpi_info {
	bool found;                     /* a valid RSDP and root table */
	unsigned ntables;               /* valid tables listed by the root */
	unsigned ncpus, nioapics;       /* from the MADT (enabled CPUs) */
	uint64_t lapic_addr;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];   /* nioapics of them
					   (those past the array: not kept) */
	unsigned nisos;
	struct acpi_iso isos[ACPI_MAX_ISOS];
	uint64_t hpet_addr;             /* 0 if no HPET table */
	uint64_t ecam_base;             /* 0 if no MCFG entry for segment 0 */
	uint8_t ecam_bus_start, ecam_bus_end;
	uint16_t pm1a_cnt, pm1b_cnt;    /* FADT PM1 control ports, 0 = none */
	uint16_t pm1a_evt, pm1b_evt;    /* FADT PM1 event blocks (status, then
					   enable at + pm1_evt_len / 2), 0 = none */
	uint8_t pm1_evt_len;
	uint16_t gpe_blk[2];            /* FADT GPE0/GPE1 blocks (status, then
					   enable at + len / 2), 0 = none */
	uint8_t gpe_len[2];
	uint16_t sci_int;               /* FADT SCI_INT: the SCI's ISA IRQ */
	uint64_t sleep_ctl;             /* FADT SLEEP_CONTROL_REG (hardware-
					   reduced ACPI: QEMU microvm), 0 = none */
	bool sleep_ctl_io;              /* in I/O space, else memory */
	const uint8_t *dsdt;            /* the DSDT, checked and mapped, or NULL
					   (drivers/virtio_mmio.c reads it) */
	uint32_t dsdt_len;
	bool s5_found;                  /* \_S5 in the DSDT */
	uint16_t slp_typa, slp_typb;
	uint8_t century_reg;            /* FADT RTC century index, 0 = none */
	bool ged_found;                 /* the DSDT's Generic Event Device */
	struct acpi_ged ged;            /* (hardware-reduced: QEMU microvm) */
};

extern struct acpi_info acpi;

/* Parse and log the tables from boot_info.acpi_rsdp (needs the direct
 * map).  Every table is checksum- and length-checked; bad ones are
 * skipped with a log line.  0, or -ENOENT without a usable RSDP. */
int acpi_init(uint64_t rsdp_phys);
/* Enter S5 through the FADT's PM1 control ports; returns if it can't. */
void acpi_poweroff(void);

#endif
