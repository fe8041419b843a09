/*
 * power.c — the ACPI power button (ACPI 6.5 §4.8.3.1 PM1 event registers:
 * PM1x_STS at PM1x_EVT_BLK, PM1x_EN at PM1x_EVT_BLK + PM1_EVT_LEN / 2;
 * PWRBTN_STS/PWRBTN_EN = bit 8; status bits clear when 1 is written;
 * §4.8.3.1.1 and §5.2.9: the SCI, a shareable level-triggered interrupt
 * on the FADT's SCI_INT, asserted while an enabled status bit is set).
 *
 * A VM's "stop" or "shut down" (QEMU's `system_powerdown`, a cloud's stop
 * button) presses it.  Only the power button's event is enabled (the
 * general-purpose event blocks, §5.6.4, all disabled); the
 * handler clears the status (the SCI is level-triggered: left set, it
 * would fire forever) and notes the press; the idle loop (plat_wait)
 * then stops the machine cleanly: the network's last counters logged,
 * exit status KERNEL_STATUS_POWER_BUTTON.  The firmware has already put
 * the machine in ACPI mode (SCI_EN) when a UEFI loader runs.
 *
 * A hardware-reduced machine (QEMU microvm) has no PM1 block: its power
 * button is an event of the Generic Event Device (acpi_ged.h), one
 * interrupt of its own and an event selector register that reading
 * clears.
 */
#include <stdint.h>
#include "kernel.h"
#include "acpi.h"
#include "cpu.h"
#include "irq.h"
#include "../drivers/pci.h"     /* pci_map: device memory */

#define PM1_PWRBTN (1u << 8)

static volatile bool pressed;

static uint16_t en_port(uint16_t evt)
{
	return (uint16_t)(evt + acpi.pm1_evt_len / 2);
}

/* Clear the power button's status in both PM1 blocks; true if it was set. */
static bool take_press(void)
{
	bool was = false;
	uint16_t blk[2] = { acpi.pm1a_evt, acpi.pm1b_evt };

	for (int i = 0; i < 2; i++) {
		if (!blk[i])
			continue;
		if (inw(blk[i]) & PM1_PWRBTN) {
			outw(blk[i], PM1_PWRBTN);       /* write 1 to clear */
			was = true;
		}
	}
	return was;
}

/* The SCI is shared by every ACPI event: leave no general-purpose event
 * enabled (the firmware may have), clear their statuses, so that only
 * the power button can raise it. */
static void gpe_disable(void)
{
	for (int b = 0; b < 2; b++) {
		unsigned half = acpi.gpe_len[b] / 2;

		for (unsigned i = 0; acpi.gpe_blk[b] && i < half; i++) {
			outb((uint16_t)(acpi.gpe_blk[b] + half + i), 0);   /* enable */
			outb((uint16_t)(acpi.gpe_blk[b] + i), 0xff);       /* status */
		}
	}
}

static void sci(void *arg)
{
	if (take_press())
		pressed = true;
}

static volatile uint32_t *ged_esel;

static void ged_event(void *arg)
{
	if (*ged_esel & ACPI_GED_EVT_POWER_DOWN)      /* the read clears it */
		pressed = true;
}

/* The Generic Event Device's power button (no PM1 block). */
static void ged_init(void)
{
	const struct acpi_ged *g = &acpi.ged;
	int vec;

	if (!(ged_esel = pci_map(g->esel, g->esel_len))) {
		klog("power: cannot map the GED's event register at %#lx: the power "
		     "button is ignored", g->esel);
		return;
	}
	(void)*ged_esel;                                /* a stale event */
	vec = irq_alloc_vector(ged_event, NULL, "acpi ged");
	if (vec < 0 || ioapic_route(g->gsi, vec, !g->edge, g->active_low, irq_apic_id())) {
		klog("power: cannot route the GED's GSI %u: the power button is ignored",
		     g->gsi);
		return;
	}
	klog("power: power button on the GED (GSI %u, %s, event register %#lx)",
	     g->gsi, g->edge ? "edge" : "level", g->esel);
}

void power_button_init(void)
{
	bool pm1 = acpi.pm1a_evt && acpi.pm1_evt_len >= 4 && acpi.sci_int;
	int vec;

	if (!pm1 && acpi.ged_found) {
		ged_init();
		return;
	}
	if (!pm1) {
		klog("power: no PM1 event block or SCI, no GED: the power button is ignored");
		return;
	}
	vec = irq_alloc_vector(sci, NULL, "acpi sci");
	if (vec < 0 || irq_route_isa(acpi.sci_int, vec)) {
		klog("power: cannot route the SCI (IRQ %u): the power button is ignored",
		     acpi.sci_int);
		return;
	}
	gpe_disable();
	take_press();                                   /* a stale press */
	outw(en_port(acpi.pm1a_evt), PM1_PWRBTN);       /* that event only */
	if (acpi.pm1b_evt)
		outw(en_port(acpi.pm1b_evt), PM1_PWRBTN);
	klog("power: power button on SCI (IRQ %u)", acpi.sci_int);
}

bool power_button_pressed(void)
{
	return pressed;
}
