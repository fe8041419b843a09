/*
 * tsc.h — the time-stamp counter as the kernel's clock: calibrated once
 * against the HPET or the PIT, then converted with a fixed-point multiplier.
 */
#ifndef DRIVERS_TSC_H
#define DRIVERS_TSC_H

#include <stdint.h>

/* Measure the TSC frequency: CPUID 0x15, else the HPET at hpet_phys (0 =
 * none; 2 ms), else PIT channel 2 (10 ms), else CPUID 0x16.  0 or -EIO. */
int tsc_calibrate(uint64_t hpet_phys);
/* At kernel entry: start PIT channel 0 and sample it, so that a
 * calibration on channel 0 (machines without HPET or port 0x61: QEMU's
 * microvm) measures over the boot so far instead of waiting 2 ms. */
void tsc_pit_mark(void);
uint64_t tsc_hz(void);                  /* 0 until calibrated */
/* TSC ticks -> nanoseconds (0 until calibrated). */
uint64_t tsc_ticks_to_ns(uint64_t ticks);
/* Nanoseconds since kernel_entry. */
uint64_t tsc_ns_since_entry(void);
/* The TSC value at `ns` nanoseconds since kernel_entry (saturating). */
uint64_t tsc_ns_to_tsc(uint64_t ns);

#endif
