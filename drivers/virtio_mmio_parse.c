/*
 * virtio_mmio_parse.c — where the virtio-mmio devices are
 * (drivers/virtio_mmio.h): the `virtio_mmio.device=` entries of a kernel
 * command line, as Linux's
 * drivers/virtio/virtio_mmio.c reads them: <size>@<base>:<irq>[:<id>],
 * size a C integer (0x hex, 0 octal, else decimal) with an optional
 * K/M/G suffix (either case), base a C integer, irq and id decimal; in
 * the parameter's name '-' and '_' are the same (Linux's parameq).  The
 * id (Linux's platform device id) is accepted and ignored.
 *
 * And the LNRO0005 devices of an ACPI DSDT (QEMU microvm with ACPI on,
 * its default, lists its transports there and not on the command line),
 * found without an AML interpreter: the _HID string, then within the
 * next DSDT_WINDOW bytes its _CRS buffer's Memory32Fixed and Extended
 * Interrupt descriptors (ACPI 6.5 §6.4.3.4, §6.4.3.6), as QEMU's
 * acpi_dsdt_add_virtio writes them.
 *
 * Pure C, no kernel dependencies: tests/unit/test_virtio_mmio_parse.c
 * includes it.  The command line comes from the monitor, and a user can
 * add anything to it: every entry is checked, and refused ones are
 * reported, never guessed at.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "virtio_mmio.h"

#define PARAM           "virtio_mmio.device="
#define PARAM_LEN       (sizeof(PARAM) - 1)

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* A number in [*p, end) in base `base`, at least one digit; *p moves past
 * it.  false on no digits or overflow. */
static bool digits(const char **p, const char *end, unsigned base, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;
	int d;

	while (s < end && (d = digit_value(*s)) < (int)base) {
		if (n > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		n = n * base + (uint64_t)d;
		s++;
	}
	if (s == *p)
		return false;
	*p = s;
	*v = n;
	return true;
}

/* A C integer: 0x/0X hex, a leading 0 octal, else decimal.  No sign. */
static bool c_integer(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;

	if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		if (!digits(&s, end, 16, v))
			return false;
	} else if (!digits(&s, end, s < end && *s == '0' ? 8 : 10, v)) {
		return false;
	}
	*p = s;
	return true;
}

/* Linux's memparse suffixes we take: K, M, G. */
static bool size_suffix(const char **p, const char *end, uint64_t *v)
{
	unsigned shift = 0;

	if (*p < end) {
		switch (**p) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		}
	}
	if (!shift)
		return true;
	if (*v > UINT64_MAX >> shift)
		return false;
	*v <<= shift;
	(*p)++;
	return true;
}

/* The entry's text (after '=') into e, or why not. */
static const char *parse_entry(const char *s, const char *end, struct virtio_mmio_entry *e)
{
	uint64_t irq, id;

	if (!c_integer(&s, end, &e->size) || !size_suffix(&s, end, &e->size))
		return "bad size";
	if (s == end || *s++ != '@')
		return "no '@' after the size";
	if (!c_integer(&s, end, &e->base))
		return "bad base address";
	if (s == end || *s++ != ':')
		return "no ':' after the base address";
	if (!digits(&s, end, 10, &irq))
		return "bad irq";
	if (s < end && *s == ':') {
		s++;
		if (!digits(&s, end, 10, &id))
			return "bad device id";
	}
	if (s != end)
		return "junk after the entry";
	if (irq > VIRTIO_MMIO_IRQ_MAX)
		return "irq out of range";
	e->irq = (uint32_t)irq;
	return NULL;
}

static const char *check_range(const struct virtio_mmio_entry *e)
{
	if (e->size < VIRTIO_MMIO_SIZE_MIN)
		return "size smaller than the registers (0x100)";
	if (e->size > VIRTIO_MMIO_SIZE_MAX)
		return "size too large";
	if (!e->base)
		return "base address 0";
	if (e->base & 3)
		return "base address not 4-byte aligned";
	if (e->base >= VIRTIO_MMIO_PHYS_LIMIT ||
	    e->size > VIRTIO_MMIO_PHYS_LIMIT - e->base)
		return "range beyond physical addresses";
	return NULL;
}

static bool overlaps(const struct virtio_mmio_entry *a, const struct virtio_mmio_entry *b)
{
	return a->base < b->base + b->size && b->base < a->base + a->size;
}

/* Whether the word [w, end) starts with PARAM ('-' matching '_'). */
static bool is_param(const char *w, const char *end)
{
	if ((size_t)(end - w) < PARAM_LEN)
		return false;
	for (size_t i = 0; i < PARAM_LEN; i++) {
		char c = w[i] == '-' ? '_' : w[i];

		if (c != PARAM[i])
			return false;
	}
	return true;
}

/* e into out[*n], or why not. */
static const char *add(const struct virtio_mmio_entry *e, struct virtio_mmio_entry *out,
		       unsigned *n, unsigned max)
{
	const char *why = check_range(e);

	for (unsigned i = 0; !why && i < *n; i++)
		if (overlaps(e, &out[i]))
			why = e->base == out[i].base ? "a duplicate of an earlier entry"
						     : "overlaps an earlier entry";
	if (!why && *n >= max)
		why = "too many entries";
	if (!why)
		out[(*n)++] = *e;
	return why;
}

/* One word that is a virtio_mmio.device= entry: taken into out[*n] or
 * refused. */
static void take(const char *w, const char *end, struct virtio_mmio_entry *out,
		 unsigned *n, unsigned max, virtio_mmio_reject_fn *reject, void *ctx)
{
	struct virtio_mmio_entry e = { 0 };
	const char *why = parse_entry(w + PARAM_LEN, end, &e);

	if (!why)
		why = add(&e, out, n, max);
	if (why && reject)
		reject(ctx, w, (size_t)(end - w), why);
}

unsigned virtio_mmio_parse_cmdline(const char *cmdline, struct virtio_mmio_entry *out,
				   unsigned n, unsigned max, virtio_mmio_reject_fn *reject,
				   void *ctx)
{
	const char *p = cmdline, *w;

	if (!p)
		return 0;
	for (;;) {
		while (*p && is_space(*p))
			p++;
		if (!*p)
			return n;
		w = p;
		while (*p && !is_space(*p))
			p++;
		if (is_param(w, p))
			take(w, p, out, &n, max, reject, ctx);
	}
}

/* ---- ACPI ------------------------------------------------------------------- */

#define DSDT_WINDOW     160     /* bytes after the _HID where its _CRS is */
#define HID             "\x0dLNRO0005"        /* StringPrefix "LNRO0005" NUL */
#define HID_LEN         10
#define RES_MEM32_FIXED 0x86    /* large item, length 9 */
#define RES_EXT_IRQ     0x89    /* large item, length >= 6 */

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The first Memory32Fixed and Extended Interrupt descriptors in [p, end). */
static const char *crs_scan(const uint8_t *p, const uint8_t *end, struct virtio_mmio_entry *e)
{
	bool mem = false, irq = false;

	for (; p < end && !(mem && irq); p++) {
		if (!mem && *p == RES_MEM32_FIXED && end - p >= 12 && p[1] == 9 && !p[2]) {
			e->base = rd32(p + 4);
			e->size = rd32(p + 8);
			mem = true;
		} else if (!irq && *p == RES_EXT_IRQ && end - p >= 9 && p[1] >= 6 && !p[2] &&
			   p[4] >= 1) {
			uint32_t gsi = rd32(p + 5);

			if (gsi > VIRTIO_MMIO_IRQ_MAX)
				return "irq out of range";
			e->irq = gsi;
			irq = true;
		}
	}
	return mem && irq ? NULL : "no Memory32Fixed and Interrupt resources after it";
}

unsigned virtio_mmio_scan_dsdt(const uint8_t *aml, size_t len, struct virtio_mmio_entry *out,
			       unsigned n, unsigned max, virtio_mmio_reject_fn *reject,
			       void *ctx)
{
	const uint8_t *end = aml + len;

	for (const uint8_t *p = aml; (size_t)(end - p) >= HID_LEN; p++) {
		struct virtio_mmio_entry e = { 0 };
		const uint8_t *stop;
		const char *why;

		if (memcmp(p, HID, HID_LEN))
			continue;
		p += HID_LEN;
		stop = (size_t)(end - p) > DSDT_WINDOW ? p + DSDT_WINDOW : end;
		why = crs_scan(p, stop, &e);
		if (!why)
			why = add(&e, out, &n, max);
		if (why && reject)
			reject(ctx, "LNRO0005", 8, why);
		p--;
	}
	return n;
}
