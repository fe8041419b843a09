/*
 * acpi_ged.h — the ACPI Generic Event Device of a hardware-reduced
 * machine (ACPI 6.5 §5.6.9, _HID ACPI0013), as QEMU's microvm describes
 * it in its DSDT (QEMU docs/specs/acpi_hw_reduced_hotplug.rst): one
 * interrupt in _CRS and a 32-bit event selector register in a
 * SystemMemory OperationRegion; reading the register returns the pending
 * events and clears them.  Bit 1 is the power button (system_powerdown),
 * the event kernel/power.c takes where there is no PM1 event block.
 *
 * Pure code over the AML bytes (tests/unit/test_acpi_ged.c).
 */
#ifndef KERNEL_ACPI_GED_H
#define KERNEL_ACPI_GED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_GED_EVT_POWER_DOWN (1u << 1)      /* QEMU's ACPI_GED_PWR_DOWN_EVT */
#define ACPI_GED_GSI_MAX        255

struct acpi_ged {
	uint64_t esel;                  /* the event selector's physical address */
	uint32_t esel_len;              /* the OperationRegion's length (>= 4) */
	uint32_t gsi;                   /* its interrupt */
	bool edge, active_low;
};

/* The first ACPI0013 device of the DSDT's AML [aml, aml + len) with an
 * Extended Interrupt and a SystemMemory OperationRegion of at least 4
 * bytes after its _HID.  NULL and *out filled, or why not (no device,
 * or what it lacks).  Reads nothing outside the buffer. */
const char *acpi_ged_scan(const uint8_t *aml, size_t len, struct acpi_ged *out);

#endif
