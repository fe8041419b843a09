/*
 * acpi.c — reading the ACPI tables, trusting nothing (see acpi.h for the
 * spec sections).  Every table is reached through the direct map only if
 * its whole length is mapped, must have a valid checksum and a length
 * that fits its fields; every MADT/MCFG entry is bounds-checked.  No AML
 * interpreter: \_S5 is found by the usual byte pattern in the DSDT.
 */
#include <errno.h>
#include <string.h>
#include "kernel.h"
#include "acpi.h"
#include "cpu.h"
#include "vmm.h"

#define SDT_HEADER      36
#define TABLE_MAX_LEN   (16u << 20)     /* sanity cap on a table's length */
#define ROOT_MAX_ENTRIES 256

struct acpi_info acpi;

static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static bool checksum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum += p[i];
	return sum == 0;
}

/* A whole, valid table at phys (any signature), or NULL; *len = length. */
static const uint8_t *table_map(uint64_t phys, uint32_t *len)
{
	const uint8_t *t;
	uint32_t l;

	if (!phys || !vmm_phys_mapped(phys, SDT_HEADER))
		return NULL;
	t = phys_to_virt(phys);
	l = rd32(t + 4);
	if (l < SDT_HEADER || l > TABLE_MAX_LEN || !vmm_phys_mapped(phys, l)) {
		klog("acpi: table %.4s at %#lx: bad length %u", (const char *)t,
		     phys, l);
		return NULL;
	}
	if (!checksum_ok(t, l)) {
		klog("acpi: table %.4s at %#lx: bad checksum", (const char *)t, phys);
		return NULL;
	}
	*len = l;
	return t;
}

static void madt_ioapic(const uint8_t *e)
{
	if (acpi.nioapics < ACPI_MAX_IOAPICS)
		acpi.ioapics[acpi.nioapics++] = (struct acpi_ioapic){
			.id = e[2], .addr = rd32(e + 4), .gsi_base = rd32(e + 8) };
}

static void madt_iso(const uint8_t *e)
{
	if (e[2] == 0 && acpi.nisos < ACPI_MAX_ISOS)    /* bus 0 = ISA */
		acpi.isos[acpi.nisos++] = (struct acpi_iso){
			.source = e[3], .gsi = rd32(e + 4), .flags = rd16(e + 8) };
}

static void parse_madt(const uint8_t *t, uint32_t len)
{
	if (len < 44)
		return;
	acpi.lapic_addr = rd32(t + 36);
	for (uint32_t off = 44; off + 2 <= len;) {
		uint8_t type = t[off], elen = t[off + 1];

		if (elen < 2 || elen > len - off)
			break;
		if (type == 0 && elen >= 8 && (rd32(t + off + 4) & 3))
			acpi.ncpus++;           /* enabled or online-capable */
		else if (type == 9 && elen >= 16 && (rd32(t + off + 8) & 3))
			acpi.ncpus++;           /* x2APIC */
		else if (type == 1 && elen >= 12)
			madt_ioapic(t + off);
		else if (type == 2 && elen >= 10)
			madt_iso(t + off);
		else if (type == 5 && elen >= 12)
			acpi.lapic_addr = rd64(t + off + 4);
		off += elen;
	}
	klog("acpi: MADT: %u CPUs, %u IOAPICs, %u ISA overrides, local APIC at %#lx",
	     acpi.ncpus, acpi.nioapics, acpi.nisos, acpi.lapic_addr);
}

static void parse_hpet(const uint8_t *t, uint32_t len)
{
	if (len < 56)
		return;
	acpi.hpet_addr = rd64(t + 44);
	klog("acpi: HPET at %#lx", acpi.hpet_addr);
}

static void parse_mcfg(const uint8_t *t, uint32_t len)
{
	for (uint32_t off = 44; off + 16 <= len; off += 16) {
		uint64_t base = rd64(t + off);
		uint16_t seg = rd16(t + off + 8);
		uint8_t bs = t[off + 10], be = t[off + 11];

		klog("acpi: MCFG: segment %u buses %02x-%02x ECAM at %#lx",
		     seg, bs, be, base);
		if (seg == 0 && !acpi.ecam_base && be >= bs && base) {
			acpi.ecam_base = base;
			acpi.ecam_bus_start = bs;
			acpi.ecam_bus_end = be;
		}
	}
}

/* \_S5 package in the DSDT: NameOp "_S5_" PackageOp PkgLength NumElements
 * then SLP_TYPa, SLP_TYPb as BytePrefix+byte, ZeroOp or OneOp (ACPI
 * §20.2.5.4, §20.2.3). */
static bool s5_value(const uint8_t *p, const uint8_t *end, uint16_t *v,
		     const uint8_t **next)
{
	if (p >= end)
		return false;
	if (*p == 0x0a) {
		if (p + 1 >= end)
			return false;
		*v = p[1];
		*next = p + 2;
	} else {
		*v = *p == 0xff ? 0 : *p;       /* ZeroOp=0, OneOp=1 */
		*next = p + 1;
	}
	return true;
}

static void parse_dsdt(uint64_t phys)
{
	uint32_t len;
	const uint8_t *t = table_map(phys, &len), *end, *p;

	if (!t)
		return;
	acpi.dsdt = t;
	acpi.dsdt_len = len;
	acpi.ged_found = !acpi_ged_scan(t + SDT_HEADER, len - SDT_HEADER, &acpi.ged);
	end = t + len;
	for (p = t + SDT_HEADER; p + 8 <= end; p++) {
		uint16_t a, b;

		if (memcmp(p, "_S5_", 4) || p[4] != 0x12)
			continue;
		if (p[-1] != 0x08 && !(p[-1] == '\\' && p[-2] == 0x08))
			continue;
		p += 5;
		p += ((*p >> 6) & 3) + 1;       /* PkgLength */
		p += 1;                         /* NumElements */
		if (s5_value(p, end, &a, &p) && s5_value(p, end, &b, &p)) {
			acpi.slp_typa = a & 7;
			acpi.slp_typb = b & 7;
			acpi.s5_found = true;
		}
		return;
	}
}

/* ACPI 6.5 §4.8.3.7 / Table 5.9: SLEEP_CONTROL_REG, a Generic Address
 * at offset 244 (FADT length >= 256), used instead of PM1 control on
 * hardware-reduced platforms.  Only byte-wide I/O or memory registers. */
static void parse_sleep_ctl(const uint8_t *t, uint32_t len)
{
	const uint8_t *gas = t + 244;
	uint64_t addr;

	if (len < 256)
		return;
	addr = rd64(gas + 4);
	if (!addr || gas[1] != 8 || gas[2] != 0)
		return;
	if (gas[0] == 1 && addr < 0x10000) {
		acpi.sleep_ctl = addr;
		acpi.sleep_ctl_io = true;
	} else if (gas[0] == 0 && vmm_phys_mapped(addr, 1)) {
		acpi.sleep_ctl = addr;
	}
}

static void parse_fadt(const uint8_t *t, uint32_t len)
{
	uint64_t dsdt;

	if (len < 116)
		return;
	dsdt = rd32(t + 40);
	if (len >= 148 && rd64(t + 140))
		dsdt = rd64(t + 140);
	acpi.sci_int = rd16(t + 46);
	if (rd32(t + 56) < 0x10000)
		acpi.pm1a_evt = (uint16_t)rd32(t + 56);
	if (rd32(t + 60) < 0x10000)
		acpi.pm1b_evt = (uint16_t)rd32(t + 60);
	acpi.pm1_evt_len = t[88];
	if (rd32(t + 80) < 0x10000)
		acpi.gpe_blk[0] = (uint16_t)rd32(t + 80);
	if (rd32(t + 84) < 0x10000)
		acpi.gpe_blk[1] = (uint16_t)rd32(t + 84);
	acpi.gpe_len[0] = t[92];
	acpi.gpe_len[1] = t[93];
	if (rd32(t + 64) < 0x10000)
		acpi.pm1a_cnt = (uint16_t)rd32(t + 64);
	if (rd32(t + 68) < 0x10000)
		acpi.pm1b_cnt = (uint16_t)rd32(t + 68);
	acpi.century_reg = t[108];
	parse_sleep_ctl(t, len);
	parse_dsdt(dsdt);
	klog("acpi: FADT: PM1a_CNT %#x, sleep control %s %#lx, S5 %s (SLP_TYP %u), "
	     "RTC century reg %#x", acpi.pm1a_cnt,
	     acpi.sleep_ctl_io ? "io" : "mem", acpi.sleep_ctl,
	     acpi.s5_found ? "found" : "not found", acpi.slp_typa, acpi.century_reg);
}

static void parse_table(uint64_t phys)
{
	uint32_t len;
	const uint8_t *t = table_map(phys, &len);

	if (!t)
		return;
	acpi.ntables++;
	if (!memcmp(t, "APIC", 4))
		parse_madt(t, len);
	else if (!memcmp(t, "HPET", 4))
		parse_hpet(t, len);
	else if (!memcmp(t, "MCFG", 4))
		parse_mcfg(t, len);
	else if (!memcmp(t, "FACP", 4))
		parse_fadt(t, len);
}

/* The root table's physical address from a valid RSDP, or 0. */
static uint64_t rsdp_root(uint64_t phys, bool *xsdt)
{
	const uint8_t *r;

	if (!phys || !vmm_phys_mapped(phys, 36))
		return 0;
	r = phys_to_virt(phys);
	if (memcmp(r, "RSD PTR ", 8) || !checksum_ok(r, 20))
		return 0;
	*xsdt = false;
	if (r[15] >= 2) {
		uint32_t l = rd32(r + 20);

		if (l >= 36 && l <= 4096 && vmm_phys_mapped(phys, l) &&
		    checksum_ok(r, l) && rd64(r + 24)) {
			*xsdt = true;
			return rd64(r + 24);
		}
	}
	return rd32(r + 16);
}

int acpi_init(uint64_t rsdp_phys)
{
	bool xsdt;
	uint64_t root_phys = rsdp_root(rsdp_phys, &xsdt);
	const uint8_t *root;
	uint32_t len, width, n;

	if (!root_phys || !(root = table_map(root_phys, &len)) ||
	    memcmp(root, xsdt ? "XSDT" : "RSDT", 4)) {
		klog("acpi: no valid RSDP/root table (rsdp %#lx)", rsdp_phys);
		return -ENOENT;
	}
	acpi.found = true;
	width = xsdt ? 8 : 4;
	n = (len - SDT_HEADER) / width;
	if (n > ROOT_MAX_ENTRIES)
		n = ROOT_MAX_ENTRIES;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = root + SDT_HEADER + i * width;

		parse_table(xsdt ? rd64(e) : rd32(e));
	}
	klog("acpi: %s at %#lx, %u valid tables", xsdt ? "XSDT" : "RSDT",
	     root_phys, acpi.ntables);
	return 0;
}

void acpi_poweroff(void)
{
	if (!acpi.s5_found)
		return;
	if (!acpi.pm1a_cnt && acpi.sleep_ctl) {
		/* SLP_TYP in bits 2-4, SLP_EN bit 5 (ACPI 6.5 §4.8.3.7) */
		uint8_t v = (uint8_t)((acpi.slp_typa & 7) << 2 | 1u << 5);

		if (acpi.sleep_ctl_io)
			outb((uint16_t)acpi.sleep_ctl, v);
		else
			*(volatile uint8_t *)phys_to_virt(acpi.sleep_ctl) = v;
	}
	if (!acpi.pm1a_cnt)
		goto wait;
	outw(acpi.pm1a_cnt, (uint16_t)(acpi.slp_typa << 10 | 1u << 13));
	if (acpi.pm1b_cnt)
		outw(acpi.pm1b_cnt, (uint16_t)(acpi.slp_typb << 10 | 1u << 13));
wait:
	for (volatile int i = 0; i < 1000000; i++)
		cpu_relax();
}
