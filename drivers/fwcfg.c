/*
 * fwcfg.c — QEMU's firmware configuration device through its x86 I/O
 * ports (QEMU docs/specs/fw_cfg.rst, "Selector Register" and "Data
 * Register"): a 16-bit item number written to port 0x510 selects an item,
 * whose bytes are then read one at a time from port 0x511.  Item 0x0000
 * is the signature "QEMU"; item 0x0019 is the file directory: a
 * big-endian u32 count, then one 64-byte entry per file, { be32 size;
 * be16 select; u16 reserved; char name[56] } (NUL-terminated).
 *
 * The ports are touched only when CPUID says a hypervisor is present
 * (leaf 1, ECX bit 31): on bare metal 0x510 may be anything.  What the
 * device returns comes from the VMM; sizes are checked against the
 * caller's buffer, and at most FWCFG_MAX_FILES entries are read.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "cpu.h"
#include "fwcfg.h"

#define FWCFG_PORT_SEL  0x510
#define FWCFG_PORT_DATA 0x511
#define FWCFG_SIGNATURE 0x0000
#define FWCFG_FILE_DIR  0x0019
#define FWCFG_NAME_MAX  56
#define FWCFG_MAX_FILES 4096    /* QEMU has a few dozen */

static void fwcfg_select(uint16_t item)
{
	outw(FWCFG_PORT_SEL, item);
}

/* `rep insb`: under KVM one exit to the VMM per string, not per byte
 * (the directory is a few KiB: thousands of exits, milliseconds, else). */
static void fwcfg_bytes(void *buf, size_t n)
{
	__asm__ volatile("rep insb" : "+D"(buf), "+c"(n)
			 : "d"((uint16_t)FWCFG_PORT_DATA) : "memory");
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool fwcfg_present(void)
{
	uint32_t a, b, c, d;
	char sig[4];

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 31)))
		return false;
	fwcfg_select(FWCFG_SIGNATURE);
	fwcfg_bytes(sig, sizeof sig);
	return !memcmp(sig, "QEMU", sizeof sig);
}

int fwcfg_read_file(const char *name, void *buf, size_t cap, size_t *len)
{
	uint8_t head[4], e[64];
	size_t nlen = strlen(name);
	uint32_t count, size;

	*len = 0;
	if (nlen >= FWCFG_NAME_MAX || !fwcfg_present())
		return -ENODEV;
	fwcfg_select(FWCFG_FILE_DIR);
	fwcfg_bytes(head, sizeof head);
	count = be32(head);
	for (uint32_t i = 0; i < count && i < FWCFG_MAX_FILES; i++) {
		fwcfg_bytes(e, sizeof e);
		if (memcmp(e + 8, name, nlen + 1))      /* the NUL too */
			continue;
		size = be32(e);
		if (size > cap)
			return -E2BIG;
		fwcfg_select((uint16_t)(e[4] << 8 | e[5]));
		fwcfg_bytes(buf, size);
		*len = size;
		return 0;
	}
	return -ENOENT;
}
