/*
 * irq.c — interrupt vectors 32-255: who handles each, dispatch with EOI,
 * and the idle wait (the model and the vector map are in irq.h).
 *
 * Nothing here is fatal: a spurious interrupt (the APIC's 0xff, the PICs'
 * IRQ 7/15) is counted and ignored; an interrupt on a vector nobody
 * allocated is counted, logged (the first few times) and acknowledged.
 */
#include <errno.h>
#include <stdint.h>
#include "kernel.h"
#include "acpi.h"
#include "cpu.h"
#include "irq.h"

#define UNEXPECTED_LOG_MAX 8    /* log lines for unexpected vectors */

struct vector {
	irq_fn fn;
	void *arg;
	const char *name;
	uint64_t count;
};

static struct vector vectors[256];
static struct irq_stats stats;

static void timer_fired(void *arg)
{
	stats.timer++;          /* waking the idle loop is all it is for */
	apic_timer_fired();
}

static void apic_error(void *arg)
{
	klog("irq: local APIC error interrupt");
}

void irq_init(void)
{
	apic_init();
	ioapic_init();
	vectors[IRQ_VEC_TIMER] = (struct vector){ .fn = timer_fired, .name = "timer" };
	vectors[IRQ_VEC_APIC_ERROR] = (struct vector){ .fn = apic_error,
		.name = "apic error" };
	apic_timer_init();
}

int irq_alloc_vector(irq_fn fn, void *arg, const char *name)
{
	for (int v = IRQ_VEC_DYN_FIRST; v <= IRQ_VEC_DYN_LAST; v++) {
		if (vectors[v].fn)
			continue;
		vectors[v] = (struct vector){ .fn = fn, .arg = arg, .name = name };
		return v;
	}
	klog("irq: no free vector for %s", name);
	return -ENOSPC;
}

uint32_t irq_apic_id(void)
{
	return apic_id();
}

/* MPS INTI flags (ACPI §5.2.12.5): polarity bits 1:0, trigger 3:2; 00 =
 * the bus's default, which for ISA is active high, edge. */
int irq_route_isa(unsigned isa, int vector)
{
	uint32_t gsi = isa;
	bool level = false, low = false;

	for (unsigned i = 0; i < acpi.nisos; i++) {
		if (acpi.isos[i].source != isa)
			continue;
		gsi = acpi.isos[i].gsi;
		low = (acpi.isos[i].flags & 3) == 3;
		level = ((acpi.isos[i].flags >> 2) & 3) == 3;
	}
	return ioapic_route(gsi, vector, level, low, apic_id());
}

static void unexpected(uint64_t v)
{
	if (stats.unexpected++ < UNEXPECTED_LOG_MAX)
		klog("irq: unexpected interrupt on vector %#lx (ignored)", v);
}

void irq_dispatch(uint64_t v)
{
	struct vector *h = &vectors[v & 0xff];

	if (v == IRQ_VEC_SPURIOUS || (v >= IRQ_VEC_PIC_BASE && v < IRQ_VEC_DYN_FIRST)) {
		stats.spurious++;       /* no EOI for these (SDM §11.9) */
		return;
	}
	stats.handled++;
	if (h->fn) {
		h->count++;
		h->fn(h->arg);
	} else {
		unexpected(v);
	}
	apic_eoi();
}

void irq_wait(void)
{
	/* sti's one-instruction shadow: an interrupt that is already pending
	 * is taken at the hlt, never lost between the two. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

void irq_get_stats(struct irq_stats *s)
{
	*s = stats;
}
