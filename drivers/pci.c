/*
 * pci.c — PCI configuration access and bus enumeration (PCI Local Bus
 * spec 3.0 §6.1 configuration header; PCI Express Base spec §7.2.2 ECAM:
 * base + (bus << 20 | dev << 15 | fn << 12); legacy configuration
 * mechanism #1 on ports 0xcf8/0xcfc).  Enumeration follows bridges
 * (header type 1, secondary bus at 0x19) from the root bus, visiting each
 * bus at most once, so a hostile topology can't loop; the functions found
 * are kept (pci_find) for drivers.  Device memory (BARs, §6.2.5.1: bit 0
 * I/O, bits 2:1 type 2 = 64-bit; the APICs' registers) is mapped uncached
 * into PCI_MMIO_BASE, a lower-half window that mm/vmm.h's map leaves
 * unused: never through the direct map, whose pages are write-back.
 *
 * MSI-X (PCI Local Bus 3.0 §6.8.2): capability 0x11; message control at
 * +2 (table size - 1 in bits 10:0, function mask bit 14, enable bit 15),
 * table BIR/offset at +4; each 16-byte table entry holds the message
 * address (Intel SDM Vol. 3A §11.11.1: 0xfee00000 | destination APIC id
 * << 12, physical mode), the data (§11.11.2: the vector, fixed delivery,
 * edge) and the vector control word (bit 0 = masked).
 */
#include <errno.h>
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
	return pci_find_next(vendor, ids, nids, NULL);
}

const struct pci_dev *pci_find_next(uint16_t vendor, const uint16_t *ids, unsigned nids,
				    const struct pci_dev *after)
{
	for (unsigned i = after ? (unsigned)(after - devs) + 1 : 0; i < ndevs; i++)
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

/* ---- MSI-X ------------------------------------------------------------------ */

#define PCI_CAP_PTR             0x34
#define PCI_CAP_MSIX            0x11
#define PCI_CAP_MAX             48      /* a hostile list can't loop */
#define MSIX_CTRL_ENABLE        (1u << 15)
#define MSIX_CTRL_FMASK         (1u << 14)
#define MSIX_ENTRY_SIZE         16
#define MSIX_VCTRL_MASKED       1u
#define PCI_CMD_INTX_DISABLE    (1u << 10)
#define MSI_ADDR_BASE           0xfee00000u
#define PCI_MSIX_DEVS           8

struct msix {
	const struct pci_dev *dev;
	volatile uint32_t *table;
	unsigned n;
};

static struct msix msix[PCI_MSIX_DEVS];

/* Offset of capability `id` in d's list, or 0. */
static uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id)
{
	uint8_t cap;

	if (!((pci_cfg_read32(d, 0x04) >> 16) & PCI_STATUS_CAPS))
		return 0;
	cap = pci_cfg_read8(d, PCI_CAP_PTR) & 0xfc;
	for (int i = 0; cap >= 0x40 && i < PCI_CAP_MAX; i++) {
		if (pci_cfg_read8(d, cap) == id)
			return cap;
		cap = pci_cfg_read8(d, cap + 1) & 0xfc;
	}
	return 0;
}

static struct msix *msix_of(const struct pci_dev *d)
{
	for (unsigned i = 0; i < PCI_MSIX_DEVS; i++)
		if (msix[i].dev == d)
			return &msix[i];
	return NULL;
}

/* Message control is the high half of the capability's first dword; the
 * low half (id, next) is read-only, so writing it back is harmless. */
static void msix_ctrl(const struct pci_dev *d, uint8_t cap, uint16_t set, uint16_t clear)
{
	uint32_t v = pci_cfg_read32(d, cap);
	uint16_t ctrl = (uint16_t)((v >> 16 & ~clear) | set);

	pci_write32(d->bus, d->dev, d->fn, cap, (v & 0xffff) | (uint32_t)ctrl << 16);
}

int pci_msix_enable(const struct pci_dev *d, unsigned *nvec)
{
	uint8_t cap = pci_find_cap(d, PCI_CAP_MSIX);
	struct msix *m = msix_of(d) ? msix_of(d) : msix_of(NULL);
	uint32_t tbl;
	uint64_t bar;

	if (!cap || !m)
		return -ENODEV;
	m->n = (pci_cfg_read32(d, cap) >> 16 & 0x7ff) + 1;
	tbl = pci_cfg_read32(d, cap + 4);
	bar = pci_bar_phys(d, tbl & 7);
	if (!bar)
		return -ENODEV;
	m->table = (volatile uint32_t *)pci_map(bar + (tbl & ~7u),
						 (uint64_t)m->n * MSIX_ENTRY_SIZE);
	if (!m->table)
		return -ENOMEM;
	m->dev = d;
	/* Enable with the function masked, mask every entry, then unmask
	 * the function: no entry fires before it is programmed. */
	msix_ctrl(d, cap, MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK, 0);
	for (unsigned i = 0; i < m->n; i++)
		m->table[i * 4 + 3] = MSIX_VCTRL_MASKED;
	msix_ctrl(d, cap, 0, MSIX_CTRL_FMASK);
	pci_enable(d, PCI_CMD_INTX_DISABLE);
	*nvec = m->n;
	return 0;
}

int pci_msix_route(const struct pci_dev *d, unsigned entry, unsigned vector,
		   uint32_t apic_id)
{
	struct msix *m = msix_of(d);
	volatile uint32_t *e;

	if (!m || entry >= m->n || vector < 32 || vector > 255 || apic_id > 255)
		return -EINVAL;
	e = m->table + entry * 4;
	e[3] = MSIX_VCTRL_MASKED;
	e[0] = MSI_ADDR_BASE | apic_id << 12;
	e[1] = 0;
	e[2] = vector;
	e[3] = 0;
	return 0;
}
