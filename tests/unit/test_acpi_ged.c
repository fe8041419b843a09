/*
 * test_acpi_ged.c — kernel/acpi_ged.c, the Generic Event Device of a
 * hardware-reduced DSDT (QEMU microvm's power button, issue 11): the
 * device as QEMU writes it, other integer encodings, what makes it
 * unusable (no interrupt, an I/O-space or tiny register, a GSI out of
 * range), a DSDT cut at every length and random bytes around the _HID,
 * read only inside the buffer.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "../../kernel/acpi_ged.c"

/* QEMU 7.2's microvm GED (tests/data/acpi/microvm/DSDT.dsl): _HID, _UID,
 * _CRS with Interrupt (Consumer, Edge, ActiveHigh, Exclusive) {9},
 * OperationRegion (EREG, SystemMemory, 0xFEA00000, 4), Field (ESEL). */
static const uint8_t qemu_ged[] = {
	0x5b, 0x82, 0x40, 0x00, 'G', 'E', 'D', '_',
	0x08, '_', 'H', 'I', 'D', 0x0d, 'A', 'C', 'P', 'I', '0', '0', '1', '3', 0x00,
	0x08, '_', 'U', 'I', 'D', 0x0d, 'G', 'E', 'D', 0x00,
	0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0a, 0x0b,
	0x89, 0x06, 0x00, 0x03, 0x01, 0x09, 0x00, 0x00, 0x00, 0x79, 0x00,
	0x5b, 0x80, 'E', 'R', 'E', 'G', 0x00, 0x0c, 0x00, 0x00, 0xa0, 0xfe, 0x0a, 0x04,
	0x5b, 0x81, 0x0b, 'E', 'R', 'E', 'G', 0x03, 'E', 'S', 'E', 'L', 0x20,
};

/* offsets into qemu_ged */
#define OFF_IRQ_FLAGS   45
#define OFF_GSI         47
#define OFF_SPACE       59
#define OFF_ADDR_PREFIX 60

static const char *scan_copy(const uint8_t *src, size_t len, struct acpi_ged *g)
{
	uint8_t *b = malloc(len ? len : 1);     /* exactly len: ASan sees overreads */
	const char *why;

	memcpy(b, src, len);
	why = acpi_ged_scan(b, len, g);
	free(b);
	return why;
}

TEST(qemu_microvm_ged)
{
	struct acpi_ged g;

	CHECK(scan_copy(qemu_ged, sizeof qemu_ged, &g) == NULL);
	CHECK(g.esel == 0xfea00000 && g.esel_len == 4);
	CHECK(g.gsi == 9 && g.edge && !g.active_low);
}

TEST(level_active_low_and_qword_address)
{
	uint8_t b[sizeof qemu_ged + 4];
	struct acpi_ged g;

	/* the same device with a QWordPrefix address and a level, active-low
	 * interrupt 40 */
	memcpy(b, qemu_ged, OFF_ADDR_PREFIX);
	b[OFF_IRQ_FLAGS] = 0x01 | 0x04;
	b[OFF_GSI] = 40;
	b[OFF_ADDR_PREFIX] = 0x0e;
	memcpy(b + OFF_ADDR_PREFIX + 1, "\x00\x10\x00\x00\x01\x00\x00\x00", 8);
	b[OFF_ADDR_PREFIX + 9] = 0x0a;
	b[OFF_ADDR_PREFIX + 10] = 0x08;
	CHECK(scan_copy(b, OFF_ADDR_PREFIX + 11, &g) == NULL);
	CHECK(g.esel == 0x100001000ull && g.esel_len == 8);
	CHECK(g.gsi == 40 && !g.edge && g.active_low);
}

TEST(unusable_devices)
{
	uint8_t b[sizeof qemu_ged];
	struct acpi_ged g;
	const char *why;

	CHECK(!strcmp(scan_copy(qemu_ged + 30, sizeof qemu_ged - 30, &g), "no ACPI0013 device"));
	CHECK(!strcmp(acpi_ged_scan(NULL, 0, &g), "no DSDT"));
	memcpy(b, qemu_ged, sizeof b);
	b[OFF_SPACE] = 0x01;                    /* SystemIO */
	why = scan_copy(b, sizeof b, &g);
	CHECK(why && strstr(why, "event register"));
	memcpy(b, qemu_ged, sizeof b);
	b[OFF_ADDR_PREFIX + 6] = 0x02;          /* a 2-byte region */
	why = scan_copy(b, sizeof b, &g);
	CHECK(why && strstr(why, "event register"));
	memcpy(b, qemu_ged, sizeof b);
	b[OFF_ADDR_PREFIX + 1] = 0x02;          /* unaligned */
	CHECK(scan_copy(b, sizeof b, &g) != NULL);
	memcpy(b, qemu_ged, sizeof b);
	b[OFF_GSI + 1] = 0x01;                  /* GSI 265 */
	why = scan_copy(b, sizeof b, &g);
	CHECK(why && strstr(why, "interrupt"));
	memcpy(b, qemu_ged, sizeof b);
	b[OFF_GSI - 1] = 0;                     /* an empty interrupt table */
	CHECK(scan_copy(b, sizeof b, &g) != NULL);
}

TEST(cut_at_every_length)
{
	struct acpi_ged g;
	size_t full = OFF_ADDR_PREFIX + 7;      /* past the region's length */

	for (size_t n = 0; n <= sizeof qemu_ged; n++) {
		const char *why = scan_copy(qemu_ged, n, &g);

		CHECK_MSG((why == NULL) == (n >= full), "length %zu: %s", n, why ? why : "found");
	}
}

TEST(random_bytes_around_the_hid)
{
	uint8_t b[300];
	struct acpi_ged g;
	unsigned found = 0;

	srand(11);
	for (int i = 0; i < 20000; i++) {
		size_t n = 10 + (size_t)rand() % (sizeof b - 10);

		for (size_t k = 0; k < n; k++)
			b[k] = (uint8_t)(rand() % 4 ? rand() : "\x89\x06\x00\x5b\x80\x0c\x0a"[rand() % 7]);
		memcpy(b, qemu_ged + 13, 10);   /* the _HID string first */
		if (!scan_copy(b, n, &g)) {
			found++;
			CHECK(g.gsi <= ACPI_GED_GSI_MAX && g.esel_len >= 4 && !(g.esel & 3));
		}
	}
	CHECK(found < 20000);
}

int main(void)
{
	RUN(qemu_microvm_ged);
	RUN(level_active_low_and_qword_address);
	RUN(unusable_devices);
	RUN(cut_at_every_length);
	RUN(random_bytes_around_the_hid);
	CHECK_DONE();
}
