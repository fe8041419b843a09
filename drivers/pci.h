/*
 * pci.h — PCI configuration space and enumeration.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

/* Use ECAM at ecam_base (buses start..end of segment 0) if non-zero and
 * mapped, else the legacy 0xcf8/0xcfc ports.  Enumerates from the root
 * bus through bridges, logs each function when verbose, returns the count
 * of functions found. */
unsigned pci_init(uint64_t ecam_base, uint8_t bus_start, uint8_t bus_end,
		  bool verbose);
uint32_t pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
void pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v);

/* A function found by pci_init. */
struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint32_t class;         /* class, subclass, prog-if */
};

#define PCI_CMD_MEM     0x0002  /* memory space enable */
#define PCI_CMD_MASTER  0x0004  /* bus master (DMA) enable */
#define PCI_STATUS_CAPS 0x0010  /* status (0x06): capability list at 0x34 */

/* The first function with this vendor and one of the device ids. */
const struct pci_dev *pci_find(uint16_t vendor, const uint16_t *ids, unsigned nids);
/* The same after function `after` (NULL: from the first): every match in
 * turn. */
const struct pci_dev *pci_find_next(uint16_t vendor, const uint16_t *ids, unsigned nids,
				    const struct pci_dev *after);
uint8_t pci_cfg_read8(const struct pci_dev *d, uint16_t off);
uint32_t pci_cfg_read32(const struct pci_dev *d, uint16_t off);
/* Set bits in the command register. */
void pci_enable(const struct pci_dev *d, uint16_t bits);
/* Physical address of a memory BAR (64-bit ones spanning two), 0 if it is
 * an I/O BAR or unassigned. */
uint64_t pci_bar_phys(const struct pci_dev *d, unsigned bar);
/* [pa, pa+len) of device memory, readable and writable uncached: the
 * direct map if it covers it, else a new mapping.  NULL on failure. */
volatile void *pci_map(uint64_t pa, uint64_t len);

/* MSI-X (PCI 3.0 §6.8.2): map d's table, mask every entry, enable MSI-X
 * (legacy INTx off); *nvec = the table's size.  0, -ENODEV (no MSI-X
 * capability) or -ENOMEM. */
int pci_msix_enable(const struct pci_dev *d, unsigned *nvec);
/* Program table entry `entry` to raise `vector` on the CPU whose local
 * APIC id is apic_id (kernel/irq.h irq_apic_id), and unmask it.  0 or
 * -EINVAL. */
int pci_msix_route(const struct pci_dev *d, unsigned entry, unsigned vector,
		   uint32_t apic_id);

#endif
