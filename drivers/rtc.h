/*
 * rtc.h — the CMOS real-time clock, read once at boot for the realtime
 * clock's base (plat_clock_ns adds the TSC's monotonic time to it).
 */
#ifndef DRIVERS_RTC_H
#define DRIVERS_RTC_H

#include <stdint.h>

/* Seconds since the Unix epoch from the CMOS clock, or 0 if it can't be
 * read consistently.  century_reg: FADT's CMOS index, 0 = assume 20xx. */
uint64_t rtc_read_epoch(uint8_t century_reg);
/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
int64_t rtc_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
