/*
 * pci.c — PCI configuration access and bus enumeration (PCI Local Bus
 * spec 3.0 §6.1 configuration header; PCI Express Base spec §7.2.2 ECAM:
 * base + (bus << 20 | dev << 15 | fn << 12); legacy configuration
 * mechanism #1 on ports 0xcf8/0xcfc).  Enumeration follows bridges
 * (header type 1, secondary bus at 0x19) from the root bus, visiting each
 * bus at most once, so a hostile topology can't loop.
 */
#include <stdbool.h>
#include <stdint.h>
#include "kernel.h"
#include "cpu.h"
#include "pci.h"
#include "vmm.h"

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

static void pci_scan_bus(uint8_t bus);

static void pci_function(uint8_t bus, uint8_t dev, uint8_t fn, uint32_t id)
{
	uint32_t class = pci_read32(bus, dev, fn, 0x08);
	uint8_t htype = (pci_read32(bus, dev, fn, 0x0c) >> 16) & 0x7f;

	nfuncs++;
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
