/*
 * pci.c — PCI configuration access and bus enumeration (PCI Local Bus
 * spec 3.0 §6.1 configuration header; PCI Express Base spec §7.2.2 ECAM:
 * base + (bus << 20 | dev << 15 | fn << 12); legacy configuration
 * mechanism #1 on ports 0xcf8/0xcfc).  Enumeration follows bridges
 * (header type 1, secondary bus at 0x19) from the root bus, visiting each
 * bus at most once, so a hostile topology can't loop; the functions found
 * are kept (pci_find) for drivers.  BARs (§6.2.5.1: bit 0 I/O, bits 2:1
 * type 2 = 64-bit) that lie outside the direct map (64-bit BARs the
 * firmware put above RAM) are mapped uncached into PCI_MMIO_BASE, a
 * lower-half window that mm/vmm.h's map leaves unused.
 */
#include <stdbool.h>
#include <stdint.h>
#include "kernel.h"
#include "cpu.h"
#include "pci.h"
#include "vmm.h"

#define PCI_MAX_DEVS    64
#define PCI_MMIO_BASE   0x0000700000000000ull   /* after VMM_CODE_END */
#define PCI_MMIO_END    0x0000700100000000ull   /* 4 GiB of windows */

static struct pci_dev devs[PCI_MAX_DEVS];
static unsigned ndevs;
static uintptr_t mmio_next = PCI_MMIO_BASE;

#define PCI_CFG_ADDR 0xcf8
#define PCI_CFG_DATA 0xcfc

static volatile uint8_t *ecam;
static uint8_t ecam_start, ecam_end;
static bool bus_seen[256];
static unsigned nfuncs;
static bool verbose;

uint32_t pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	off &= 0xffc;
	if (ecam) {
		if (bus < ecam_start || bus > ecam_end)
			return 0xffffffffu;
		return *(volatile uint32_t *)(ecam + ((uint64_t)(bus - ecam_start) << 20 |
				(uint64_t)dev << 15 | (uint64_t)fn << 12 | off));
	}
	if (off > 0xff)
		return 0xffffffffu;
	outl(PCI_CFG_ADDR, 1u << 31 | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
	     (uint32_t)fn << 8 | off);
	return inl(PCI_CFG_DATA);
}

void pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v)
{
	off &= 0xffc;
	if (ecam) {
		if (bus >= ecam_start && bus <= ecam_end)
			*(volatile uint32_t *)(ecam + ((uint64_t)(bus - ecam_start) << 20 |
				(uint64_t)dev << 15 | (uint64_t)fn << 12 | off)) = v;
		return;
	}
	if (off > 0xff)
		return;
	outl(PCI_CFG_ADDR, 1u << 31 | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
	     (uint32_t)fn << 8 | off);
	outl(PCI_CFG_DATA, v);
}

uint8_t pci_cfg_read8(const struct pci_dev *d, uint16_t off)
{
	return pci_read32(d->bus, d->dev, d->fn, off) >> (8 * (off & 3));
}

uint32_t pci_cfg_read32(const struct pci_dev *d, uint16_t off)
{
	return pci_read32(d->bus, d->dev, d->fn, off);
}

void pci_enable(const struct pci_dev *d, uint16_t bits)
{
	uint32_t v = pci_read32(d->bus, d->dev, d->fn, 0x04);

	/* Command is the low half; writing 0 to the status half is a no-op
	 * (its bits are RW1C). */
	pci_write32(d->bus, d->dev, d->fn, 0x04, (v & 0xffff) | bits);
}

const struct pci_dev *pci_find(uint16_t vendor, const uint16_t *ids, unsigned nids)
{
	for (unsigned i = 0; i < ndevs; i++)
		for (unsigned j = 0; j < nids; j++)
			if (devs[i].vendor == vendor && devs[i].device == ids[j])
				return &devs[i];
	return NULL;
}

uint64_t pci_bar_phys(const struct pci_dev *d, unsigned bar)
{
	uint32_t lo, hi = 0;

	if (bar > 5)
		return 0;
	lo = pci_read32(d->bus, d->dev, d->fn, 0x10 + 4 * bar);
	if (lo & 1)
		return 0;                       /* I/O space */
	if (((lo >> 1) & 3) == 2) {
		if (bar == 5)
			return 0;
		hi = pci_read32(d->bus, d->dev, d->fn, 0x14 + 4 * bar);
	}
	return ((uint64_t)hi << 32 | lo) & ~0xfull;
}

volatile void *pci_map(uint64_t pa, uint64_t len)
{
	uint64_t first = pa & ~(PAGE_SIZE - 1), end = ALIGN_UP(pa + len, PAGE_SIZE);
	uintptr_t va = mmio_next;

	if (!pa || !len || pa + len < pa)
		return NULL;
	if (vmm_phys_mapped(pa, len))
		return phys_to_virt(pa);
	if (end - first > PCI_MMIO_END - mmio_next)
		return NULL;
	for (uint64_t p = first; p < end; p += PAGE_SIZE)
		if (vmm_map_page(va + (p - first), p, VMM_WRITE | VMM_UNCACHED))
			return NULL;    /* the window is lost; so is the device */
	mmio_next += end - first;
	return (volatile uint8_t *)va + (pa - first);
}

static void pci_scan_bus(uint8_t bus);

static void pci_function(uint8_t bus, uint8_t dev, uint8_t fn, uint32_t id)
{
	uint32_t class = pci_read32(bus, dev, fn, 0x08);
	uint8_t htype = (pci_read32(bus, dev, fn, 0x0c) >> 16) & 0x7f;

	nfuncs++;
	if (ndevs < PCI_MAX_DEVS)
		devs[ndevs++] = (struct pci_dev){ .bus = bus, .dev = dev, .fn = fn,
			.vendor = id & 0xffff, .device = id >> 16, .class = class >> 8 };
	if (verbose)
		klog("pci: %02x:%02x.%u %04x:%04x class %02x.%02x.%02x%s", bus, dev,
		     fn, id & 0xffff, id >> 16, class >> 24, (class >> 16) & 0xff,
		     (class >> 8) & 0xff, htype == 1 ? " (bridge)" : "");
	if (htype == 1) {
		uint8_t secondary = (pci_read32(bus, dev, fn, 0x18) >> 8) & 0xff;

		if (secondary > bus)
			pci_scan_bus(secondary);
	}
}

static void pci_scan_bus(uint8_t bus)
{
	if (bus_seen[bus])
		return;
	bus_seen[bus] = true;
	for (uint8_t dev = 0; dev < 32; dev++) {
		uint32_t id = pci_read32(bus, dev, 0, 0);
		bool multi;

		if ((id & 0xffff) == 0xffff)
			continue;
		multi = (pci_read32(bus, dev, 0, 0x0c) >> 16) & 0x80;
		pci_function(bus, dev, 0, id);
		for (uint8_t fn = 1; multi && fn < 8; fn++) {
			id = pci_read32(bus, dev, fn, 0);
			if ((id & 0xffff) != 0xffff)
				pci_function(bus, dev, fn, id);
		}
	}
}

unsigned pci_init(uint64_t ecam_base, uint8_t bus_start, uint8_t bus_end,
		  bool verb)
{
	uint64_t size = ((uint64_t)bus_end - bus_start + 1) << 20;
	uint8_t root = 0;

	verbose = verb;
	if (ecam_base && bus_end >= bus_start && vmm_phys_mapped(ecam_base, size)) {
		ecam = phys_to_virt(ecam_base);
		ecam_start = bus_start;
		ecam_end = bus_end;
		root = bus_start;
	}
	pci_scan_bus(root);
	klog("pci: %u functions (%s)", nfuncs, ecam ? "ECAM" : "ports 0xcf8/0xcfc");
	return nfuncs;
}
