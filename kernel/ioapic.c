/*
 * ioapic.c — the I/O APICs the MADT lists (ACPI 6.5 §5.2.12.3; register
 * interface from the Intel 82093AA I/O APIC datasheet §3.2: IOREGSEL at
 * +0x00, IOWIN at +0x10; register 1 = version with the highest
 * redirection entry in bits 23:16; entry n = registers 0x10 + 2n (low)
 * and 0x11 + 2n (high, destination APIC id in bits 31:24)).
 *
 * At init every line of every I/O APIC is masked; drivers ask for the
 * lines they use (irq_route_isa).  Entries are fixed delivery, physical
 * destination (this CPU).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include "kernel.h"
#include "acpi.h"
#include "irq.h"
#include "pci.h"

#define IOREGSEL        0x00
#define IOWIN           0x10
#define REG_VERSION     0x01
#define REG_REDIR(n)    (0x10 + 2 * (n))

#define REDIR_ACTIVE_LOW (1u << 13)
#define REDIR_LEVEL     (1u << 15)
#define REDIR_MASKED    (1u << 16)

struct ioapic {
	volatile uint32_t *regs;
	uint32_t gsi_base;
	unsigned nlines;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned nioapics;

static uint32_t io_read(struct ioapic *io, uint32_t reg)
{
	io->regs[IOREGSEL / 4] = reg;
	return io->regs[IOWIN / 4];
}

static void io_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->regs[IOREGSEL / 4] = reg;
	io->regs[IOWIN / 4] = v;
}

void ioapic_init(void)
{
	for (unsigned i = 0; i < acpi.nioapics && i < ACPI_MAX_IOAPICS; i++) {
		const struct acpi_ioapic *a = &acpi.ioapics[i];
		struct ioapic *io = &ioapics[nioapics];

		io->regs = (volatile uint32_t *)pci_map(a->addr, PAGE_SIZE);
		if (!io->regs) {
			klog("ioapic: cannot map %#x: skipped", a->addr);
			continue;
		}
		io->gsi_base = a->gsi_base;
		io->nlines = ((io_read(io, REG_VERSION) >> 16) & 0xff) + 1;
		for (unsigned n = 0; n < io->nlines; n++) {
			io_write(io, REG_REDIR(n), REDIR_MASKED);
			io_write(io, REG_REDIR(n) + 1, 0);
		}
		nioapics++;
		klog("ioapic: id %u at %#x, GSIs %u-%u, all masked", a->id, a->addr,
		     io->gsi_base, io->gsi_base + io->nlines - 1);
	}
}

int ioapic_route(uint32_t gsi, int vector, bool level, bool active_low,
		 uint32_t apic_id)
{
	for (unsigned i = 0; i < nioapics; i++) {
		struct ioapic *io = &ioapics[i];
		uint32_t n = gsi - io->gsi_base;

		if (gsi < io->gsi_base || n >= io->nlines)
			continue;
		io_write(io, REG_REDIR(n) + 1, apic_id << 24);
		io_write(io, REG_REDIR(n), (uint32_t)vector |
			 (level ? REDIR_LEVEL : 0) | (active_low ? REDIR_ACTIVE_LOW : 0));
		return 0;
	}
	return -ENODEV;
}
