/*
 * apic.c — the local APIC of the boot CPU (Intel SDM Vol. 3A ch. 11,
 * "Advanced Programmable Interrupt Controller"): x2APIC mode through MSRs
 * when CPUID.1:ECX[21] says the CPU has it (§11.12), else xAPIC through
 * its 4 KiB of registers at IA32_APIC_BASE, mapped uncached.  The legacy
 * 8259 PICs are remapped to 0x20-0x2f and masked (the firmware may have
 * left them on: their spurious IRQ 7/15 must not look like exceptions).
 *
 * The timer (§11.5.4): TSC-deadline mode (§11.5.4.1) when CPUID.1:ECX[24]
 * offers it, else one-shot mode with divide-by-16, its frequency measured
 * against the already calibrated TSC over 1 ms, the first time a deadline
 * is armed (a module that never waits never pays that millisecond of
 * boot: kernel/boottime.h).  Under QEMU's TCG (no x2APIC, no TSC-deadline
 * in QEMU 7.2) that is xAPIC + one-shot.
 */
#include <stdint.h>
#include "kernel.h"
#include "cpu.h"
#include "irq.h"
#include "pci.h"                /* pci_map: uncached device memory */
#include "tsc.h"

#define MSR_APIC_BASE           0x1b
#define   APIC_BASE_EXTD        (1ull << 10)    /* x2APIC mode */
#define   APIC_BASE_EN          (1ull << 11)
#define MSR_TSC_DEADLINE        0x6e0
#define MSR_X2APIC_FIRST        0x800           /* + register offset / 16 */

/* Register offsets (xAPIC MMIO; x2APIC MSR = 0x800 + off / 16) */
#define APIC_ID                 0x020
#define APIC_VERSION            0x030
#define APIC_TPR                0x080
#define APIC_EOI                0x0b0
#define APIC_SVR                0x0f0
#define   SVR_ENABLE            (1u << 8)
#define APIC_ESR                0x280
#define APIC_LVT_TIMER          0x320
#define   LVT_MASKED            (1u << 16)
#define   LVT_TIMER_ONESHOT     (0u << 17)
#define   LVT_TIMER_DEADLINE    (2u << 17)
#define APIC_LVT_LINT0          0x350
#define APIC_LVT_LINT1          0x360
#define   LVT_DELIVERY_NMI      (4u << 8)
#define APIC_LVT_ERROR          0x370
#define APIC_TIMER_INIT         0x380
#define APIC_TIMER_CURRENT      0x390
#define APIC_TIMER_DIVIDE       0x3e0
#define   DIVIDE_BY_16          0x3

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

#define CALIBRATE_NS 1000000ull
#define ONESHOT_MAX_NS 1000000000ull    /* a longer wait re-arms */

static bool x2apic, tsc_deadline;
static volatile uint32_t *xapic;        /* xAPIC registers */
static uint64_t timer_hz;               /* one-shot mode, after divide;
					   0 until the first timer_arm */
static uint32_t my_id;

static uint32_t apic_read(unsigned reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_FIRST + reg / 16);
	return xapic[reg / 4];
}

static void apic_write(unsigned reg, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_FIRST + reg / 16, v);
	else
		xapic[reg / 4] = v;
}

/* ICW1-4 (8259A datasheet): remap to 0x20/0x28, cascade on IRQ 2, 8086
 * mode; then mask every line. */
static void pic_disable(void)
{
	outb(PIC1_CMD, 0x11);
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, IRQ_VEC_PIC_BASE);
	outb(PIC2_DATA, IRQ_VEC_PIC_BASE + 8);
	outb(PIC1_DATA, 4);
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 1);
	outb(PIC2_DATA, 1);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

static void cpu_features(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	x2apic = (c >> 21) & 1;
	tsc_deadline = (c >> 24) & 1;
}

void apic_init(void)
{
	uint64_t base;

	cpu_features();
	pic_disable();
	base = rdmsr(MSR_APIC_BASE);
	if (x2apic) {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);      /* EN before EXTD */
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
	} else {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
		xapic = (volatile uint32_t *)pci_map(base & ~0xfffull, PAGE_SIZE);
		if (!xapic)
			panic("apic: cannot map the local APIC at %#lx", (unsigned long)(base & ~0xfffull));
	}
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_TIMER, LVT_MASKED | IRQ_VEC_TIMER);
	apic_write(APIC_LVT_LINT0, LVT_MASKED);         /* no ExtINT: PIC is off */
	apic_write(APIC_LVT_LINT1, LVT_DELIVERY_NMI);
	apic_write(APIC_LVT_ERROR, IRQ_VEC_APIC_ERROR);
	apic_write(APIC_ESR, 0);                        /* write, then read: clears */
	(void)apic_read(APIC_ESR);
	apic_write(APIC_SVR, SVR_ENABLE | IRQ_VEC_SPURIOUS);
	apic_eoi();                                     /* anything left pending */
	my_id = x2apic ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
	klog("apic: %s, id %u, version %#x", x2apic ? "x2APIC" : "xAPIC", my_id,
	     apic_read(APIC_VERSION) & 0xff);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

uint32_t apic_id(void)
{
	return my_id;
}

/* The one-shot counter's rate: count down from the top for 1 ms of TSC. */
static void timer_calibrate(void)
{
	uint64_t t0, t1;
	uint32_t left;

	apic_write(APIC_TIMER_DIVIDE, DIVIDE_BY_16);
	apic_write(APIC_LVT_TIMER, LVT_MASKED | IRQ_VEC_TIMER);
	t0 = tsc_ns_since_entry();
	apic_write(APIC_TIMER_INIT, 0xffffffffu);
	do
		t1 = tsc_ns_since_entry();
	while (t1 - t0 < CALIBRATE_NS);
	left = apic_read(APIC_TIMER_CURRENT);
	apic_write(APIC_TIMER_INIT, 0);
	timer_hz = (uint64_t)(0xffffffffu - left) * 1000000000ull / (t1 - t0);
#ifdef APIC_TIMER_TEST_SCALE_PCT
	/* test variant (KERNEL_EXTRA, Makefile): a measurement this far off */
	timer_hz = timer_hz * APIC_TIMER_TEST_SCALE_PCT / 100;
#endif
	if (!timer_hz)
		panic("apic: the timer does not count");
}

void apic_timer_init(void)
{
	if (tsc_deadline) {
		apic_write(APIC_LVT_TIMER, LVT_TIMER_DEADLINE | IRQ_VEC_TIMER);
		__asm__ volatile("mfence" ::: "memory");
		klog("apic: timer in TSC-deadline mode");
		return;
	}
	/* one-shot: calibrated and unmasked by the first timer_arm */
}

/* The one-shot timer's first use: measure it (1 ms, interrupts off: no
 * handler may arm it meanwhile), then unmask it. */
static void timer_first_use(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) :: "memory");
	timer_calibrate();
	apic_write(APIC_LVT_TIMER, LVT_TIMER_ONESHOT | IRQ_VEC_TIMER);
	if (flags & (1u << 9))
		__asm__ volatile("sti" ::: "memory");
	klog("apic: timer one-shot, %lu kHz after divide-by-16 (measured at its "
	     "first use)", timer_hz / 1000);
}

/* What is armed: the deadline asked for and when the interrupt comes (a
 * far deadline is cut to ONESHOT_MAX_NS); each arming is an APIC
 * register write, which a hypervisor traps: the idle loop asks for the
 * same deadline over and over (lwIP's next timeout), so that is skipped
 * while it is still ahead. */
static uint64_t armed_req = UINT64_MAX, armed_fire = UINT64_MAX;

/* The timer interrupt came: nothing is armed any more.  In one-shot mode
 * it can come before armed_fire by the TSC clock (timer_hz is measured,
 * and a measurement a little low makes every interval a little short);
 * without this the idle loop's next timer_arm for the same deadline,
 * still ahead, was skipped and the CPU halted with no timer at all. */
void apic_timer_fired(void)
{
	armed_req = armed_fire = UINT64_MAX;
}

void timer_arm(uint64_t deadline_ns)
{
	uint64_t now = tsc_ns_since_entry(), delta, ticks;

	if (deadline_ns == armed_req && (deadline_ns == UINT64_MAX || armed_fire > now))
		return;
	if (!tsc_deadline && !timer_hz) {
		if (deadline_ns == UINT64_MAX)
			return;         /* nothing armed, nothing to disarm */
		timer_first_use();
		now = tsc_ns_since_entry();
	}
	armed_req = deadline_ns;
	armed_fire = deadline_ns;
	if (tsc_deadline) {
		/* SDM §11.5.4.1: the LVT write is ordered before the MSR write
		 * by the MFENCE in init; 0 disarms. */
		wrmsr(MSR_TSC_DEADLINE, deadline_ns == UINT64_MAX ? 0 :
		      tsc_ns_to_tsc(deadline_ns));
		return;
	}
	if (deadline_ns == UINT64_MAX) {
		apic_write(APIC_TIMER_INIT, 0);
		return;
	}
	delta = deadline_ns > now ? deadline_ns - now : 0;
	if (delta > ONESHOT_MAX_NS) {
		delta = ONESHOT_MAX_NS;         /* the caller checks the time */
		armed_fire = now + delta;
	}
	ticks = delta * timer_hz / 1000000000ull + 1;
	apic_write(APIC_TIMER_INIT, ticks > 0xffffffffu ? 0xffffffffu : (uint32_t)ticks);
}
