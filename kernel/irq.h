/*
 * irq.h — interrupts: the local APIC (kernel/apic.c), the I/O APIC for
 * legacy lines (kernel/ioapic.c), vectors and their handlers
 * (kernel/irq.c), the one-shot timer (kernel/apic.c) and the idle wait.
 *
 * The model (DESIGN.md decision 8): interrupts are enabled only while the
 * kernel idles in irq_wait() (`sti; hlt; cli`), so a handler never runs
 * in the middle of the kernel's, a driver's or lwIP's own work.  Handlers
 * only note that work is pending (and quiet the device if they must);
 * the idle loop's caller does the work after irq_wait returns.  Handlers
 * are written to be safe at any moment all the same, so that enabling
 * interrupts while Wasm runs (preemption, later) needs no change here.
 *
 * Vectors:
 *   0x00-0x1f  CPU exceptions (kernel/idt.c)
 *   0x20-0x2f  the legacy 8259 PICs, remapped and masked: only their
 *              spurious IRQ 7/15 can arrive, counted and ignored
 *   0x30-0xdf  handed out by irq_alloc_vector (I/O APIC lines, MSI-X)
 *   0xe0       local APIC timer        0xfe  local APIC error
 *   0xff       local APIC spurious (no EOI)
 * Every interrupt runs on IST_IRQ (kernel/trap.h) with IF clear.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#define IRQ_VEC_PIC_BASE        0x20
#define IRQ_VEC_DYN_FIRST       0x30
#define IRQ_VEC_DYN_LAST        0xdf
#define IRQ_VEC_TIMER           0xe0
#define IRQ_VEC_APIC_ERROR      0xfe
#define IRQ_VEC_SPURIOUS        0xff

typedef void (*irq_fn)(void *arg);

/* Local APIC (x2APIC when CPUID offers it), the PICs masked, the I/O
 * APICs' lines all masked, the timer calibrated.  After acpi_init and
 * tsc_calibrate; interrupts stay disabled. */
void irq_init(void);

/* A free vector from the dynamic range for fn(arg), named for the log
 * and counters.  The vector, or -ENOSPC. */
int irq_alloc_vector(irq_fn fn, void *arg, const char *name);

/* Route ISA IRQ `isa` (as the MADT's overrides remap it; edge/high by
 * default) through its I/O APIC to `vector` on this CPU, unmasked.
 * 0 or -ENODEV (no I/O APIC serves that line). */
int irq_route_isa(unsigned isa, int vector);

/* This CPU's local APIC id (MSI-X messages are addressed to it). */
uint32_t irq_apic_id(void);

/* Called by traps.S/idt.c for vectors 32-255. */
void irq_dispatch(uint64_t vector);

/* Sleep until an interrupt has been handled: `sti; hlt; cli`.  Returns
 * with interrupts disabled again. */
void irq_wait(void);

/* The one-shot timer: an interrupt at monotonic time deadline_ns (the
 * kernel's clock, tsc_ns_since_entry) or soon after; UINT64_MAX
 * disarms.  TSC-deadline mode when CPUID offers it, else the APIC timer
 * in one-shot mode, calibrated against the TSC (far deadlines are cut to
 * what its counter holds: callers check the time again). */
void timer_arm(uint64_t deadline_ns);

/* For the log and tests: interrupts handled since boot, spurious ones,
 * and those on a vector nobody asked for. */
struct irq_stats {
	uint64_t handled, spurious, unexpected, timer;
};
void irq_get_stats(struct irq_stats *s);

/* kernel/apic.c, for irq.c */
void apic_init(void);
void apic_eoi(void);
uint32_t apic_id(void);
void apic_timer_init(void);
void apic_timer_fired(void);    /* from the timer's handler */
/* kernel/ioapic.c, for irq.c */
void ioapic_init(void);
int ioapic_route(uint32_t gsi, int vector, bool level, bool active_low,
		 uint32_t apic_id);

#endif
