/*
 * test_virtio_mmio_parse.c — drivers/virtio_mmio_parse.c, where the
 * virtio-mmio devices are (issue 11, hostile boot input): the kernel
 * command line's `virtio_mmio.device=` entries (good ones as QEMU
 * microvm, Firecracker and Linux's documentation write them; every
 * malformed form; absurd sizes and addresses; duplicates and overlaps;
 * more than the limit; cut-off input read only up to its NUL) and the
 * LNRO0005 devices of a DSDT (QEMU's layout, and truncated or
 * resource-less ones read only inside the buffer).
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "../../drivers/virtio_mmio_parse.c"

#define MAX VIRTIO_MMIO_MAX_DEVS

static unsigned nrejects;
static char last_why[128], last_entry[256];

static void reject(void *ctx, const char *entry, size_t len, const char *why)
{
	nrejects++;
	snprintf(last_why, sizeof last_why, "%s", why);
	snprintf(last_entry, sizeof last_entry, "%.*s", (int)len, entry);
}

static struct virtio_mmio_entry e[MAX + 1];

static unsigned parse(const char *cmdline)
{
	nrejects = 0;
	last_why[0] = last_entry[0] = 0;
	memset(e, 0xa5, sizeof e);
	return virtio_mmio_parse_cmdline(cmdline, e, 0, MAX, reject, NULL);
}

/* One entry that must be refused (with `why` in the reason, if given). */
static void refused(const char *entry, const char *why)
{
	char line[512];
	unsigned n;

	snprintf(line, sizeof line, "console=ttyS0 virtio_mmio.device=%s quiet", entry);
	n = parse(line);
	CHECK_MSG(n == 0 && nrejects == 1, "'%s': %u taken, %u refused", entry, n, nrejects);
	CHECK_MSG(!why || strstr(last_why, why), "'%s': refused because '%s', expected '%s'",
		  entry, last_why, why);
	CHECK_MSG(!strncmp(last_entry, "virtio_mmio.device=", 19),
		  "'%s': the reject names '%s'", entry, last_entry);
}

TEST(qemu_microvm_entries)
{
	unsigned n = parse("foo=bar  virtio_mmio.device=512@0xfeb00e00:12 "
			   "virtio_mmio.device=512@0xfeb00c00:11");

	REQUIRE(n == 2);
	CHECK_EQ_U64(nrejects, 0);
	CHECK_EQ_U64(e[0].base, 0xfeb00e00);
	CHECK_EQ_U64(e[0].size, 512);
	CHECK_EQ_U64(e[0].irq, 12);
	CHECK_EQ_U64(e[1].base, 0xfeb00c00);
	CHECK_EQ_U64(e[1].irq, 11);
}

TEST(size_suffixes_bases_and_ids)
{
	/* Firecracker's form, Linux's documented one with an id, suffixes in
	 * both cases, octal and decimal, '-' for '_' in the name, tabs */
	unsigned n = parse("virtio_mmio.device=4K@0xd0000000:5\t"
			   "virtio_mmio.device=1k@0x10000000000:10:3 "
			   "virtio-mmio.device=1M@0x20000000:6 "
			   "virtio_mmio.device=0x200@4026531840:7 "
			   "virtio_mmio.device=01000@0x30000000:255:0\n");

	REQUIRE(n == 5);
	CHECK_EQ_U64(nrejects, 0);
	CHECK_EQ_U64(e[0].size, 4096);
	CHECK_EQ_U64(e[0].base, 0xd0000000);
	CHECK_EQ_U64(e[0].irq, 5);
	CHECK_EQ_U64(e[1].size, 1024);
	CHECK_EQ_U64(e[1].base, 0x10000000000ull);
	CHECK_EQ_U64(e[1].irq, 10);
	CHECK_EQ_U64(e[2].size, 1 << 20);
	CHECK_EQ_U64(e[3].size, 0x200);
	CHECK_EQ_U64(e[3].base, 4026531840u);
	CHECK_EQ_U64(e[4].size, 512);           /* octal 01000 */
	CHECK_EQ_U64(e[4].irq, 255);
}

TEST(no_entries)
{
	CHECK_EQ_U64(parse(""), 0);
	CHECK_EQ_U64(parse("   \t "), 0);
	CHECK_EQ_U64(parse("virtio_mmio.devices=512@0x1000:1 xvirtio_mmio.device=512@0x1000:1 "
			   "virtio_mmio.device virtio_mmio.dev=512@0x1000:1"), 0);
	CHECK_EQ_U64(nrejects, 0);
	CHECK_EQ_U64(virtio_mmio_parse_cmdline(NULL, e, 0, MAX, reject, NULL), 0);
}

TEST(malformed_entries)
{
	refused("", "bad size");
	refused("junk", "bad size");
	refused("@0xfeb00000:12", "bad size");
	refused("-512@0xfeb00000:12", "bad size");
	refused("512", "no '@'");
	refused("512:0xfeb00000:12", "no '@'");
	refused("512X@0xfeb00000:12", "no '@'");
	refused("512@", "bad base");
	refused("512@0x", "bad base");
	refused("512@0xg0000000:12", "bad base");
	refused("512@-4096:12", "bad base");
	refused("512@0xfeb00000", "no ':'");
	refused("512@0xfeb00000:", "bad irq");
	refused("512@0xfeb00000:-1", "bad irq");
	refused("512@0xfeb00000:0x10", "junk");
	refused("512@0xfeb00000:12:", "bad device id");
	refused("512@0xfeb00000:12:x", "bad device id");
	refused("512@0xfeb00000:12:3:4", "junk");
	refused("512@0xfeb00000:12,", "junk");
	refused("512@0xfeb00000:256", "irq out of range");
	refused("512@0xfeb00000:99999999999999999999999", "bad irq");
	refused("\"512@0xfeb00000:12\"", "bad size");
	refused("08@0xfeb00000:12", "no '@'");     /* 8 is no octal digit */
}

TEST(absurd_sizes_and_addresses)
{
	refused("0@0xfeb00000:12", "smaller");
	refused("255@0xfeb00000:12", "smaller");
	refused("2M@0xfeb00000:12", "too large");
	refused("0x10000000000000000@0xfeb00000:12", "bad size");   /* > 64 bits */
	refused("16777216G@0xfeb00000:12", "too large");
	refused("17179869184G@0xfeb00000:12", "bad size");  /* 2^64: overflows by suffix */
	refused("4K@0x0:5", "base address 0");
	refused("4K@0:5", "base address 0");
	refused("512@0xfeb00002:12", "aligned");
	refused("512@0x10000000000000:12", "beyond");       /* 2^52 */
	refused("4K@0xfffffffffffff000:12", "beyond");
	refused("4K@0xffffffffffffffff:12", "aligned");
	refused("4K@0xfffffffffffff:12", "aligned");
	refused("8K@0xffffffffff000:12", "beyond");         /* ends past 2^52 */
}

TEST(duplicates_and_overlaps)
{
	unsigned n = parse("virtio_mmio.device=512@0xfeb00000:12 "
			   "virtio_mmio.device=512@0xfeb00000:5 "
			   "virtio_mmio.device=8K@0xfeaff000:7 "
			   "virtio_mmio.device=4K@0xfeaff000:8 "
			   "virtio_mmio.device=512@0xfeb00200:13");

	CHECK_EQ_U64(n, 3);                     /* 4K@0xfeaff000 ends where it starts */
	CHECK_EQ_U64(nrejects, 2);
	CHECK(strstr(last_why, "overlaps") != NULL);
	CHECK_EQ_U64(e[0].irq, 12);             /* the first one wins */
	CHECK_EQ_U64(e[1].base, 0xfeaff000);
	CHECK_EQ_U64(e[2].base, 0xfeb00200);
	parse("virtio_mmio.device=512@0xfeb00000:12 virtio_mmio.device=512@0xfeb00000:12");
	CHECK(strstr(last_why, "duplicate") != NULL);
}

TEST(more_than_the_limit)
{
	char line[4096] = "", *p = line;
	unsigned n;

	for (unsigned i = 0; i < MAX + 3; i++)
		p += sprintf(p, "virtio_mmio.device=512@%#x:%u ", 0xfeb00000u + 512 * i, i);
	n = parse(line);
	CHECK_EQ_U64(n, MAX);
	CHECK_EQ_U64(nrejects, 3);
	CHECK(strstr(last_why, "too many") != NULL);
	CHECK(e[MAX].base == 0xa5a5a5a5a5a5a5a5ull);    /* nothing past max */
	CHECK_EQ_U64(e[MAX - 1].base, 0xfeb00000u + 512 * (MAX - 1));
}

TEST(appends_after_existing_entries)
{
	unsigned n;

	parse("virtio_mmio.device=512@0xfeb00000:12");
	n = virtio_mmio_parse_cmdline("virtio_mmio.device=512@0xfeb00000:1 "
				      "virtio_mmio.device=512@0xfeb00200:2", e, 1, MAX,
				      reject, NULL);
	CHECK_EQ_U64(n, 2);
	CHECK_EQ_U64(nrejects, 1);
	CHECK_EQ_U64(e[1].irq, 2);
	/* max 0 or n == max: nothing taken */
	CHECK_EQ_U64(virtio_mmio_parse_cmdline("virtio_mmio.device=512@0x1000:1", e, 0, 0,
					       reject, NULL), 0);
}

TEST(reads_only_up_to_the_nul)
{
	/* each prefix of an entry at the very end of a heap block: ASan or
	 * valgrind would see a read past it; the verdict must not crash */
	static const char s[] = "virtio_mmio.device=4K@0xd0000000:5:1";

	for (size_t len = 0; len <= sizeof s - 1; len++) {
		char *b = malloc(len + 1);

		memcpy(b, s, len);
		b[len] = 0;
		parse(b);
		CHECK(nrejects + (e[0].base == 0xd0000000) <= 1);
		free(b);
	}
	CHECK_EQ_U64(parse(s), 1);
}

/* ---- DSDT ---------------------------------------------------------------- */

/* One device as QEMU's acpi_dsdt_add_virtio writes it: Device (VRnn) {
 * Name (_HID, "LNRO0005") Name (_UID, n) Name (_CCA, One) Name (_CRS,
 * ResourceTemplate () { Memory32Fixed (ReadWrite, base, 0x200)
 * Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { gsi } }) } */
static size_t qemu_device(uint8_t *p, uint32_t base, uint32_t gsi)
{
	static const uint8_t head[] = {
		0x5b, 0x82, 0x3a, 'V', 'R', '0', '0',
		0x08, '_', 'H', 'I', 'D', 0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0,
		0x08, '_', 'U', 'I', 'D', 0x00,
		0x08, '_', 'C', 'C', 'A', 0x01,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x1a, 0x0a, 0x17,
	};
	size_t n = sizeof head;

	memcpy(p, head, n);
	p[n++] = 0x86; p[n++] = 9; p[n++] = 0; p[n++] = 1;
	memcpy(p + n, &base, 4); n += 4;
	p[n++] = 0x00; p[n++] = 0x02; p[n++] = 0; p[n++] = 0;
	p[n++] = 0x89; p[n++] = 6; p[n++] = 0; p[n++] = 0x01; p[n++] = 1;
	memcpy(p + n, &gsi, 4); n += 4;
	p[n++] = 0x79; p[n++] = 0;              /* end tag */
	return n;
}

static unsigned scan(const uint8_t *aml, size_t len)
{
	nrejects = 0;
	last_why[0] = 0;
	memset(e, 0xa5, sizeof e);
	return virtio_mmio_scan_dsdt(aml, len, e, 0, MAX, reject, NULL);
}

TEST(dsdt_qemu_devices)
{
	uint8_t aml[1024] = "DSDT....header", *p = aml + 36;
	unsigned n;

	for (unsigned i = 0; i < 3; i++)
		p += qemu_device(p, 0xfeb00000 + 512 * i, 24 + i);
	n = scan(aml, (size_t)(p - aml));
	REQUIRE(n == 3);
	CHECK_EQ_U64(nrejects, 0);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ_U64(e[i].base, 0xfeb00000 + 512 * i);
		CHECK_EQ_U64(e[i].size, 512);
		CHECK_EQ_U64(e[i].irq, 24 + i);
	}
	/* the same devices again, after the command line named the first */
	parse("virtio_mmio.device=512@0xfeb00000:24");
	n = virtio_mmio_scan_dsdt(aml, (size_t)(p - aml), e, 1, MAX, reject, NULL);
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(nrejects, 1);
	CHECK(strstr(last_why, "duplicate") != NULL);
}

TEST(dsdt_hostile)
{
	uint8_t aml[256], *buf;
	size_t len = qemu_device(aml, 0xfeb00000, 24);

	/* every truncation: read inside the buffer only (a heap copy of
	 * exactly that length), never a device from a partial _CRS (the
	 * last 2 bytes are the end tag, which is not needed) */
	for (size_t cut = 0; cut < len - 2; cut++) {
		buf = malloc(cut ? cut : 1);
		memcpy(buf, aml, cut);
		CHECK_MSG(scan(buf, cut) == 0, "cut at %zu: a device found", cut);
		free(buf);
	}
	CHECK_EQ_U64(scan(aml, len), 1);
	/* no interrupt resource */
	aml[len - 11] = 0x88;
	CHECK_EQ_U64(scan(aml, len), 0);
	CHECK_EQ_U64(nrejects, 1);
	CHECK(strstr(last_why, "no Memory32Fixed") != NULL);
	/* a GSI no I/O APIC has; a base of 0 */
	len = qemu_device(aml, 0xfeb00000, 4096);
	CHECK_EQ_U64(scan(aml, len), 0);
	CHECK(strstr(last_why, "irq out of range") != NULL);
	len = qemu_device(aml, 0, 5);
	CHECK_EQ_U64(scan(aml, len), 0);
	CHECK(strstr(last_why, "base address 0") != NULL);
}

int main(void)
{
	RUN(qemu_microvm_entries);
	RUN(size_suffixes_bases_and_ids);
	RUN(no_entries);
	RUN(malformed_entries);
	RUN(absurd_sizes_and_addresses);
	RUN(duplicates_and_overlaps);
	RUN(more_than_the_limit);
	RUN(appends_after_existing_entries);
	RUN(reads_only_up_to_the_nul);
	RUN(dsdt_qemu_devices);
	RUN(dsdt_hostile);
	CHECK_DONE();
}
