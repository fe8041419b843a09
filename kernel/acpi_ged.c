/*
 * acpi_ged.c — find the Generic Event Device in a DSDT (acpi_ged.h).
 * Not an AML interpreter: QEMU writes the device as
 *
 *   Device (GED) { Name (_HID, "ACPI0013")  Name (_UID, ...)
 *     Name (_CRS, ResourceTemplate () { Interrupt (...) { GSI } })
 *     OperationRegion (EREG, SystemMemory, ADDR, 4) ... }
 *
 * so the scan looks, in a window after the _HID string, for an Extended
 * Interrupt descriptor (ACPI 6.5 §6.4.3.6) and an OperationRegion
 * (§20.2.5.2: ExtOpPrefix 0x5B, 0x80, NameSeg, RegionSpace, then the
 * offset and length as integer terms).  Everything is bounds-checked:
 * the DSDT is the monitor's, not ours.
 */
#include <string.h>
#include "acpi_ged.h"

#define HID             "\x0d" "ACPI0013"     /* StringPrefix "ACPI0013" NUL */
#define HID_LEN         10
#define WINDOW          200     /* bytes after the _HID where the rest is */
#define RES_EXT_IRQ     0x89
#define OP_EXT          0x5b
#define OP_REGION       0x80
#define SPACE_MEMORY    0x00

static uint64_t rd_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* An AML integer term at *p (ZeroOp, OneOp, BytePrefix .. QWordPrefix):
 * its value, *p moved past it; false if it is none or cut off. */
static bool integer(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	static const unsigned size[] = { [0x0a] = 1, [0x0b] = 2, [0x0c] = 4, [0x0e] = 8 };
	uint8_t op;
	unsigned n;

	if (*p >= end)
		return false;
	op = **p;
	if (op == 0x00 || op == 0x01) {         /* ZeroOp, OneOp */
		*v = op;
		(*p)++;
		return true;
	}
	if (op >= sizeof size / sizeof size[0] || !(n = size[op]) ||
	    (size_t)(end - *p) < 1 + n)
		return false;
	*v = rd_le(*p + 1, n);
	*p += 1 + n;
	return true;
}

/* A SystemMemory OperationRegion at p: its address and length. */
static bool region(const uint8_t *p, const uint8_t *end, struct acpi_ged *g)
{
	uint64_t base, len;

	if ((size_t)(end - p) < 7 || p[0] != OP_EXT || p[1] != OP_REGION ||
	    p[6] != SPACE_MEMORY)
		return false;
	p += 7;                                 /* opcode, NameSeg, space */
	if (!integer(&p, end, &base) || !integer(&p, end, &len))
		return false;
	if (len < 4 || len > 4096 || base + len < base || (base & 3))
		return false;
	g->esel = base;
	g->esel_len = (uint32_t)len;
	return true;
}

/* An Extended Interrupt descriptor at p with at least one interrupt. */
static bool interrupt(const uint8_t *p, const uint8_t *end, struct acpi_ged *g)
{
	uint32_t gsi;

	if ((size_t)(end - p) < 9 || p[0] != RES_EXT_IRQ || p[1] < 6 || p[2] || p[4] < 1)
		return false;
	gsi = (uint32_t)rd_le(p + 5, 4);
	if (gsi > ACPI_GED_GSI_MAX)
		return false;
	g->gsi = gsi;
	g->edge = p[3] & 2;
	g->active_low = p[3] & 4;
	return true;
}

const char *acpi_ged_scan(const uint8_t *aml, size_t len, struct acpi_ged *out)
{
	const uint8_t *end = aml + len;

	if (!aml)
		return "no DSDT";
	for (const uint8_t *p = aml; (size_t)(end - p) >= HID_LEN; p++) {
		const uint8_t *q, *stop;
		bool irq = false, mem = false;
		struct acpi_ged g = { 0 };

		if (memcmp(p, HID, HID_LEN))
			continue;
		q = p + HID_LEN;
		stop = (size_t)(end - q) > WINDOW ? q + WINDOW : end;
		for (; q < stop && !(irq && mem); q++) {
			if (!irq)
				irq = interrupt(q, stop, &g);
			if (!mem)
				mem = region(q, stop, &g);
		}
		if (!irq || !mem)
			return !irq ? "ACPI0013 without an interrupt"
				    : "ACPI0013 without a SystemMemory event register";
		*out = g;
		return NULL;
	}
	return "no ACPI0013 device";
}
