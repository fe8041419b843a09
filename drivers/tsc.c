/*
 * tsc.c — TSC frequency, measured against the 8254 PIT with the channel-2
 * gate method (Intel 8254 data sheet, mode 0 "interrupt on terminal count";
 * port 0x61 bit 0 = gate 2, bit 5 = OUT2), as Linux's pit_calibrate_tsc.
 * CPUID leaf 0x15 (SDM Vol. 2A, "Time Stamp Counter and Nominal Core
 * Crystal Clock") wins when the CPU reports it completely; then the HPET
 * (IA-PC HPET spec 1.0a §2.3: GCAP_ID bits 63:32 = period in fs, main
 * counter at 0xf0), which needs only a 2 ms window; then the PIT (10 ms);
 * then PIT channel 0 by latched reads (machines without port 0x61, such as
 * QEMU's microvm): over the whole boot since tsc_pit_mark at kernel entry
 * (250 us more of waiting instead of 2 ms), else over 2 ms; then a
 * hypervisor's timing leaf; leaf 0x16 is
 * the last resort.  Assumes an invariant TSC.
 */
#include <errno.h>
#include <stdint.h>
#include "kernel.h"
#include "cpu.h"
#include "tsc.h"
#include "vmm.h"

#define PIT_HZ          1193182u
#define PIT_CH2         0x42
#define PIT_CMD         0x43
#define   PIT_CMD_CH2_LOHI_MODE0  0xb0
#define PORT_B          0x61
#define   PORT_B_GATE2  0x01
#define   PORT_B_SPKR   0x02
#define   PORT_B_OUT2   0x20
#define CAL_MS          10
#define CAL_LATCH       (PIT_HZ / (1000 / CAL_MS))
#define CAL_SPIN_MAX    50000000u       /* no PIT: give up, don't hang */

static uint64_t hz;
static uint64_t mult;   /* ns = ticks * mult >> 32 */

uint64_t tsc_hz(void)
{
	return hz;
}

uint64_t tsc_ticks_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * mult) >> 32);
}

uint64_t tsc_ns_since_entry(void)
{
	return tsc_ticks_to_ns(rdtsc() - kernel_tsc_entry);
}

uint64_t tsc_ns_to_tsc(uint64_t ns)
{
	unsigned __int128 t;

	if (!hz)
		return kernel_tsc_entry;
	t = (unsigned __int128)ns * hz / 1000000000u + kernel_tsc_entry;
	return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

static uint64_t tsc_from_cpuid15(void)
{
	uint32_t a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 0x15)
		return 0;
	cpuid(0x15, 0, &a, &b, &c, &d);
	if (!a || !b || !c)
		return 0;
	return (uint64_t)c * b / a;
}

static uint64_t tsc_from_cpuid16(void)
{
	uint32_t a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 0x16)
		return 0;
	cpuid(0x16, 0, &a, &b, &c, &d);
	return (uint64_t)(a & 0xffff) * 1000000;
}

#define HPET_GCAP_ID    0x00
#define HPET_GEN_CONF   0x10
#define   HPET_ENABLE   1u
#define HPET_COUNTER    0xf0
#define HPET_MAX_PERIOD 100000000u      /* fs; the spec's upper bound */
#define HPET_CAL_NS     2000000u

static uint64_t hpet_read(volatile uint8_t *h, unsigned reg)
{
	return *(volatile uint64_t *)(h + reg);
}

/* The counter and the TSC at (about) the same instant: the TSC midpoint
 * around the counter read.  Used for both ends of the window, so both see
 * the same (emulated: slow) MMIO read cost. */
static void hpet_sample(volatile uint8_t *h, uint64_t *c, uint64_t *t)
{
	uint64_t a = rdtsc(), b;

	*c = hpet_read(h, HPET_COUNTER);
	b = rdtsc();
	*t = a + (b - a) / 2;
}

static uint64_t tsc_from_hpet(uint64_t phys)
{
	volatile uint8_t *h;
	uint64_t period, ticks, c0, c1, t0, t1;
	uint32_t spins = 0;

	if (!phys || (phys & 7) || !vmm_phys_mapped(phys, 0x100))
		return 0;
	h = phys_to_virt(phys);
	period = hpet_read(h, HPET_GCAP_ID) >> 32;
	if (!period || period > HPET_MAX_PERIOD)
		return 0;
	if (!(hpet_read(h, HPET_GEN_CONF) & HPET_ENABLE))
		*(volatile uint64_t *)(h + HPET_GEN_CONF) =
			hpet_read(h, HPET_GEN_CONF) | HPET_ENABLE;
	ticks = HPET_CAL_NS * 1000000ull / period;
	hpet_sample(h, &c0, &t0);               /* warm up */
	hpet_sample(h, &c0, &t0);
	do {
		hpet_sample(h, &c1, &t1);
		if (++spins == CAL_SPIN_MAX)
			return 0;       /* the counter doesn't run */
	} while (c1 - c0 < ticks);
	return (uint64_t)((unsigned __int128)(t1 - t0) * 1000000000000000ull /
			  ((unsigned __int128)(c1 - c0) * period));
}

static uint64_t tsc_from_pit(void)
{
	uint8_t b = inb(PORT_B);
	uint64_t t0, t1;
	uint32_t spins = 0;

	outb(PORT_B, (b & ~PORT_B_SPKR) | PORT_B_GATE2);
	outb(PIT_CMD, PIT_CMD_CH2_LOHI_MODE0);
	outb(PIT_CH2, CAL_LATCH & 0xff);
	outb(PIT_CH2, CAL_LATCH >> 8);
	t0 = rdtsc();
	while (!(inb(PORT_B) & PORT_B_OUT2)) {
		if (++spins == CAL_SPIN_MAX)
			break;
	}
	t1 = rdtsc();
	outb(PORT_B, b);
	if (spins == CAL_SPIN_MAX || spins < 2)
		return 0;       /* no PIT, or OUT2 was already high */
	return (t1 - t0) * PIT_HZ / CAL_LATCH;
}

/* PIT channel 0 counts down at PIT_HZ; latched reads (command 0x00)
 * need nothing but ports 0x40/0x43, which machines without the PC
 * speaker's port B (QEMU microvm) still have. */
#define PIT_CH0         0x40
#define   PIT_CMD_CH0_LOHI_MODE2  0x34
#define   PIT_CMD_CH0_LOHI_MODE0  0x30
#define   PIT_CMD_CH0_LATCH       0x00
#define CH0_CAL_TICKS   (PIT_HZ / 500)  /* 2 ms */
#define CH0_STILL_MAX   10000u          /* reads without a change: no PIT */

static uint16_t pit_ch0_read(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, PIT_CMD_CH0_LATCH);
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (uint16_t)(hi << 8 | lo);
}

static void pit_ch0_sample(uint16_t *c, uint64_t *t)
{
	uint64_t a = rdtsc(), b;

	*c = pit_ch0_read();
	b = rdtsc();
	*t = a + (b - a) / 2;
}

/* The early mark (tsc_pit_mark, at kernel entry): channel 0 started
 * counting and one sample of it, so that the calibration can measure over
 * the whole boot until then instead of waiting 2 ms more.  Channel 0
 * wraps every 65536 ticks (55 ms): the wraps in between are counted with
 * a coarse rate measured over CH0_COARSE_TICKS, and the result must agree
 * with that coarse rate, else the plain 2 ms window is used. */
#define CH0_COARSE_TICKS (PIT_HZ / 4000)        /* 250 us */
#define CH0_COARSE_SLACK_PCT 10
static struct {
	uint16_t c;
	uint64_t t;
	bool ok;
} mark;

/* The sample with the shortest read of a few: the least disturbed (a
 * sample that the host preempted has a long read, and its midpoint is
 * off). */
static void pit_ch0_best_sample(uint16_t *c, uint64_t *t)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 3; i++) {
		uint64_t a = rdtsc(), b;
		uint16_t v = pit_ch0_read();

		b = rdtsc();
		if (b - a < best) {
			best = b - a;
			*c = v;
			*t = a + (b - a) / 2;
		}
	}
}

void tsc_pit_mark(void)
{
	outb(PIT_CMD, PIT_CMD_CH0_LOHI_MODE2);  /* period 65536 ticks, 55 ms */
	outb(PIT_CH0, 0);
	outb(PIT_CH0, 0);
	pit_ch0_best_sample(&mark.c, &mark.t);
	mark.ok = true;
}

/* Spin until channel 0 has counted `ticks` since (c0, t0) (a sample);
 * the end sample in (c1, t1), the ticks counted in *elapsed.  false if
 * the counter stands still. */
static bool pit_ch0_wait(uint16_t c0, uint32_t ticks, uint16_t *c1, uint64_t *t1,
			 uint32_t *elapsed)
{
	uint16_t prev = c0;
	uint32_t still = 0;

	do {
		pit_ch0_sample(c1, t1);
		still = *c1 == prev ? still + 1 : 0;
		if (still == CH0_STILL_MAX)
			return false;
		prev = *c1;
		*elapsed = (uint16_t)(c0 - *c1);        /* counts down, wraps */
	} while (*elapsed < ticks);
	return true;
}

/* Channel 0 one-shot with count 1: no periodic IRQ 0 left behind. */
static void pit_ch0_stop(void)
{
	outb(PIT_CMD, PIT_CMD_CH0_LOHI_MODE0);
	outb(PIT_CH0, 1);
	outb(PIT_CH0, 0);
}

/* The rate over the boot since tsc_pit_mark; 0 if there was no mark, the
 * counter does not run, or the two measurements disagree. */
static uint64_t tsc_from_pit_ch0_mark(void)
{
	uint16_t c0, c1;
	uint64_t t0, t1, coarse, fine, span, wraps;
	uint32_t elapsed;

	if (!mark.ok)
		return 0;
	pit_ch0_best_sample(&c0, &t0);
	if (!pit_ch0_wait(c0, CH0_COARSE_TICKS, &c1, &t1, &elapsed))
		return 0;
	coarse = (t1 - t0) * PIT_HZ / elapsed;
	if (!coarse)
		return 0;
	/* the whole span: at least the plain window (CH0_CAL_TICKS) */
	span = (t1 - mark.t) * PIT_HZ / coarse;
	if (span < CH0_CAL_TICKS &&
	    !pit_ch0_wait(c1, CH0_CAL_TICKS - (uint32_t)span, &c1, &t1, &elapsed))
		return 0;
	pit_ch0_best_sample(&c1, &t1);
	span = (t1 - mark.t) * PIT_HZ / coarse;         /* PIT ticks, about */
	elapsed = (uint16_t)(mark.c - c1);
	wraps = span > elapsed ? (span - elapsed + 32768) / 65536 : 0;
	fine = (uint64_t)((unsigned __int128)(t1 - mark.t) * PIT_HZ /
			  (wraps * 65536 + elapsed));
	pit_ch0_stop();
	if (!elapsed && !wraps)
		return 0;
	if (fine * 100 < coarse * (100 - CH0_COARSE_SLACK_PCT) ||
	    fine * 100 > coarse * (100 + CH0_COARSE_SLACK_PCT))
		return 0;
	return fine;
}

static uint64_t tsc_from_pit_ch0(void)
{
	uint16_t c0, c1, prev;
	uint64_t t0, t1;
	uint32_t still = 0, elapsed;

	outb(PIT_CMD, PIT_CMD_CH0_LOHI_MODE2);  /* period 65536 ticks, 55 ms */
	outb(PIT_CH0, 0);
	outb(PIT_CH0, 0);
	pit_ch0_sample(&c0, &t0);               /* warm up */
	pit_ch0_sample(&c0, &t0);
	prev = c0;
	do {
		pit_ch0_sample(&c1, &t1);
		still = c1 == prev ? still + 1 : 0;
		if (still == CH0_STILL_MAX)
			return 0;       /* the counter doesn't run */
		prev = c1;
		elapsed = (uint16_t)(c0 - c1);  /* counts down, wraps at 2^16 */
	} while (elapsed < CH0_CAL_TICKS);
	/* One-shot, count 1: no periodic IRQ 0 left behind. */
	outb(PIT_CMD, PIT_CMD_CH0_LOHI_MODE0);
	outb(PIT_CH0, 1);
	outb(PIT_CH0, 0);
	return (t1 - t0) * PIT_HZ / elapsed;
}

/* The hypervisor timing leaf (CPUID 0x40000010, eax = TSC kHz) that QEMU
 * (vmware-cpuid-freq), VMware and others give when they know the rate. */
static uint64_t tsc_from_hv_leaf(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 31)))
		return 0;               /* not under a hypervisor */
	cpuid(0x40000000, 0, &a, &b, &c, &d);
	if (a < 0x40000010 || a > 0x400000ff)
		return 0;
	cpuid(0x40000010, 0, &a, &b, &c, &d);
	return (uint64_t)a * 1000;
}

int tsc_calibrate(uint64_t hpet_phys)
{
	const char *how = "cpuid 0x15";
	uint64_t f = tsc_from_cpuid15();

	if (!f) {
		how = "HPET";
		f = tsc_from_hpet(hpet_phys);
	}
	if (!f) {
		how = "PIT channel 2";
		f = tsc_from_pit();
	}
	if (!f) {
		how = "PIT channel 0 since kernel entry";
		f = tsc_from_pit_ch0_mark();
	}
	if (!f) {
		how = "PIT channel 0";
		f = tsc_from_pit_ch0();
	}
	if (!f) {
		how = "cpuid 0x40000010";
		f = tsc_from_hv_leaf();
	}
	if (!f) {
		how = "cpuid 0x16";
		f = tsc_from_cpuid16();
	}
	if (mark.ok)
		pit_ch0_stop();         /* no periodic IRQ 0 left from the mark */
	if (f < 1000000)
		return -EIO;
	mult = (uint64_t)((1000000000ull << 32) / f);
	hz = f;
	klog("tsc: %lu.%03lu MHz (%s)", f / 1000000, f / 1000 % 1000, how);
	return 0;
}
