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

#endif
