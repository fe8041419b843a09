/*
 * rtc.c — MC146818-compatible CMOS RTC (Motorola MC146818A data sheet:
 * index port 0x70, data port 0x71; registers 0x00 sec, 0x02 min, 0x04 hour,
 * 0x07 day, 0x08 month, 0x09 year, 0x0a status A (bit 7 update in
 * progress), 0x0b status B (bit 2 binary, bit 1 24-hour)).  Read until two
 * consecutive reads agree, outside an update; BCD and 12-hour converted.
 */
#include <stdbool.h>
#include <stdint.h>
#include "cpu.h"
#include "rtc.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define CMOS_NMI_OFF 0x80       /* keep NMIs masked while indexing */
#define RTC_TRIES  1000

struct rtc_time {
	unsigned sec, min, hour, day, mon, year, century;
};

static uint8_t cmos(uint8_t reg)
{
	outb(CMOS_INDEX, CMOS_NMI_OFF | reg);
	return inb(CMOS_DATA);
}

static bool rtc_updating(void)
{
	return cmos(0x0a) & 0x80;
}

static void rtc_raw(struct rtc_time *t, uint8_t century_reg)
{
	t->sec = cmos(0x00);
	t->min = cmos(0x02);
	t->hour = cmos(0x04);
	t->day = cmos(0x07);
	t->mon = cmos(0x08);
	t->year = cmos(0x09);
	t->century = century_reg ? cmos(century_reg) : 0;
}

static unsigned bcd(unsigned v)
{
	return (v & 0x0f) + (v >> 4) * 10;
}

int64_t rtc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static uint64_t rtc_convert(struct rtc_time t, uint8_t status_b)
{
	bool pm = t.hour & 0x80;
	unsigned year;

	t.hour &= 0x7f;
	if (!(status_b & 0x04)) {
		t.sec = bcd(t.sec);
		t.min = bcd(t.min);
		t.hour = bcd(t.hour);
		t.day = bcd(t.day);
		t.mon = bcd(t.mon);
		t.year = bcd(t.year);
		t.century = bcd(t.century);
	}
	if (!(status_b & 0x02))
		t.hour = (t.hour % 12) + (pm ? 12 : 0);
	year = (t.century >= 19 && t.century <= 99 ? t.century : 20) * 100 + t.year;
	if (t.sec > 59 || t.min > 59 || t.hour > 23 || t.day < 1 || t.day > 31 ||
	    t.mon < 1 || t.mon > 12 || t.year > 99 || year < 1970)
		return 0;
	return (uint64_t)rtc_days_from_civil(year, t.mon, t.day) * 86400 +
	       t.hour * 3600 + t.min * 60 + t.sec;
}

uint64_t rtc_read_epoch(uint8_t century_reg)
{
	struct rtc_time a, b;

	if (century_reg < 0x0e || century_reg > 0x7f)
		century_reg = 0;                /* not a CMOS RAM index */
	for (int i = 0; i < RTC_TRIES; i++) {
		while (rtc_updating() && i++ < RTC_TRIES)
			cpu_relax();
		rtc_raw(&a, century_reg);
		if (rtc_updating())
			continue;
		rtc_raw(&b, century_reg);
		if (!__builtin_memcmp(&a, &b, sizeof a))
			return rtc_convert(a, cmos(0x0b));
	}
	return 0;
}
