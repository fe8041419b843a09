/*
 * log.c — the kernel log on COM1: "[   1234.567 us] text", microseconds
 * since kernel_entry measured with the TSC.  Its own small printf (no
 * allocation, no SSE, no newlib state) so it works in trap handlers and
 * before the heap exists.  During the boot, lines are kept in a buffer
 * with their raw TSC value and printed with their real times by
 * klog_flush_early: at klog_release (the first idle wait after _start,
 * a network or spec boot), at shutdown, panics and faults, or when the
 * buffer is full.  Under QEMU's TCG each byte on the polled UART costs
 * microseconds (a trip through the device model and a write(2) by QEMU):
 * the ~2 KB of a boot's lines were about a third of the time to _start
 * (kernel/boottime.h), so they are written when the CPU would wait, or
 * at the end, instead of before the module starts.  The times in the
 * lines are when each was logged, as before.
 */
#include <stdarg.h>
#include <stdint.h>
#include "kernel.h"
#include "boottime.h"
#include "cpu.h"
#include "serial.h"
#include "tsc.h"

#define KLOG_LINE_MAX   512
#define EARLY_LINES     128
#define EARLY_TEXT      16384           /* < 64 KiB: uint16_t offsets */

static struct {
	uint64_t tsc[EARLY_LINES];
	uint16_t off[EARLY_LINES], len[EARLY_LINES];
	char text[EARLY_TEXT];
	unsigned nlines, ntext;
	bool done;
} early;
static bool hold = true;        /* kept even after calibration: klog_release */

/* ---- formatter ---------------------------------------------------------- */

struct fmt_out {
	char *buf;
	size_t len, pos;        /* pos counts every byte, even dropped ones */
};

static void fmt_putc(struct fmt_out *o, char c)
{
	if (o->pos + 1 < o->len)
		o->buf[o->pos] = c;
	o->pos++;
}

static void fmt_pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		fmt_putc(o, c);
}

struct fmt_spec {
	bool left, zero, alt;
	int width, prec;
};

static void fmt_str(struct fmt_out *o, const char *s, struct fmt_spec *sp)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	if (!sp->left)
		fmt_pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		fmt_putc(o, s[i]);
	if (sp->left)
		fmt_pad(o, ' ', sp->width - n);
}

static void fmt_num(struct fmt_out *o, uint64_t v, bool neg, unsigned base,
		    bool upper, struct fmt_spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (neg ? 1 : 0) + (sp->alt && base == 16 ? 2 : 0);
	if (!sp->left && !sp->zero)
		fmt_pad(o, ' ', sp->width - len);
	if (neg)
		fmt_putc(o, '-');
	if (sp->alt && base == 16) {
		fmt_putc(o, '0');
		fmt_putc(o, upper ? 'X' : 'x');
	}
	if (!sp->left && sp->zero)
		fmt_pad(o, '0', sp->width - len);
	while (n)
		fmt_putc(o, tmp[--n]);
	if (sp->left)
		fmt_pad(o, ' ', sp->width - len);
}

static const char *fmt_parse(const char *f, struct fmt_spec *sp, va_list *ap)
{
	*sp = (struct fmt_spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '#')
			sp->alt = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	return f;
}

static void fmt_conv(struct fmt_out *o, char c, int lng, struct fmt_spec *sp,
		     va_list *ap)
{
	uint64_t u;
	int64_t s;

	switch (c) {
	case 'd': case 'i':
		s = lng ? va_arg(*ap, int64_t) : va_arg(*ap, int);
		fmt_num(o, s < 0 ? -(uint64_t)s : (uint64_t)s, s < 0, 10, false, sp);
		break;
	case 'u': case 'x': case 'X':
		u = lng ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned);
		fmt_num(o, u, false, c == 'u' ? 10 : 16, c == 'X', sp);
		break;
	case 'p':
		fmt_putc(o, '0');
		fmt_putc(o, 'x');
		fmt_num(o, (uintptr_t)va_arg(*ap, void *), false, 16, false, sp);
		break;
	case 's':
		fmt_str(o, va_arg(*ap, const char *), sp);
		break;
	case 'c':
		fmt_putc(o, (char)va_arg(*ap, int));
		break;
	default:                /* '%' and anything unknown: print as is */
		fmt_putc(o, c);
	}
}

int kvsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, len, 0 };
	struct fmt_spec sp;
	va_list aq;

	va_copy(aq, ap);
	for (const char *f = fmt; *f; f++) {
		int lng = 0;

		if (*f != '%') {
			fmt_putc(&o, *f);
			continue;
		}
		f = fmt_parse(f + 1, &sp, &aq);
		while (*f == 'l' || *f == 'z' || *f == 'j' || *f == 't') {
			lng = 1;
			f++;
		}
		if (!*f)
			break;
		fmt_conv(&o, *f, lng, &sp, &aq);
	}
	va_end(aq);
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = 0;
	return (int)o.pos;
}

int ksnprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- the log -------------------------------------------------------------- */

static void klog_emit(uint64_t ticks, const char *text, size_t len)
{
	char stamp[40];
	uint64_t ns = tsc_ticks_to_ns(ticks), t0 = rdtsc();

	if (tsc_hz())
		ksnprintf(stamp, sizeof stamp, "[%10lu.%03lu us] ",
			  ns / 1000, ns % 1000);
	else
		ksnprintf(stamp, sizeof stamp, "[%10lu tsc   ] ", ticks);
	serial_puts(SERIAL_COM1, stamp);
	serial_write(SERIAL_COM1, text, len);
	if (!len || text[len - 1] != '\n')
		serial_write(SERIAL_COM1, "\n", 1);
	boot_log_ticks(rdtsc() - t0);   /* the boot line's "log output" */
}

static bool klog_keep_early(uint64_t ticks, const char *text, size_t len)
{
	if (early.done || (tsc_hz() && !hold) || early.nlines == EARLY_LINES ||
	    early.ntext + len > EARLY_TEXT)
		return false;
	for (size_t i = 0; i < len; i++)
		early.text[early.ntext + i] = text[i];
	early.tsc[early.nlines] = ticks;
	early.off[early.nlines] = (uint16_t)early.ntext;
	early.len[early.nlines] = (uint16_t)len;
	early.nlines++;
	early.ntext += len;
	return true;
}

void klog_flush_early(void)
{
	if (early.done)
		return;
	early.done = true;
	for (unsigned i = 0; i < early.nlines; i++)
		klog_emit(early.tsc[i], early.text + early.off[i], early.len[i]);
}

void klog_release(void)
{
	if (!hold || !tsc_hz())
		return;
	hold = false;
	klog_flush_early();
}

void kvlog(const char *fmt, va_list ap)
{
	char line[KLOG_LINE_MAX];
	uint64_t ticks = rdtsc() - kernel_tsc_entry;
	int n = kvsnprintf(line, sizeof line, fmt, ap);
	size_t len = n < (int)sizeof line ? (size_t)n : sizeof line - 1;

	if (!klog_keep_early(ticks, line, len)) {
		klog_flush_early();
		klog_emit(ticks, line, len);
	}
}

void klog(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvlog(fmt, ap);
	va_end(ap);
}

uint64_t kernel_uptime_ns(void)
{
	return tsc_ns_since_entry();
}
