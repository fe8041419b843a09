/*
 * wasi_addr.c — numeric IP addresses as text, both ways, for the grants
 * (wasi_grant.c) and the log lines of refusals: IPv4 dotted quads
 * (RFC 791 addresses; no octal, no shortened forms, unlike inet_aton) and
 * IPv6 text (RFC 4291 §2.2: groups, one "::", an IPv4 tail), written back
 * in the canonical form of RFC 5952 §4 (lower case, no leading zeros, the
 * longest run of two or more zero groups as "::", the first if tied) with
 * the dotted tail for IPv4-mapped addresses (§5).  Portable: no libc
 * resolver, no inet_pton (newlib has none).
 */
#include <stdio.h>
#include <string.h>
#include "wasi_grant.h"

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "a.b.c.d", exactly n bytes, each part 0..255 in decimal without
 * leading zeros: 0 or -1. */
static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		if (part && (i >= n || s[i++] != '.'))
			return -1;
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			if (digits == 1 && v == 0)
				return -1;      /* leading zero: octal to some */
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (digits == 0 || v > 255)
			return -1;
		out[part] = (uint8_t)v;
	}
	return i == n ? 0 : -1;
}

/* Groups "x:x:...:x" of s[0..n) into g (at most max, counted in *cnt);
 * the last may be a dotted IPv4 tail (two groups) when v4_tail.  An empty
 * section (n == 0) has no groups. */
static int parse_groups(const char *s, size_t n, uint16_t *g, int max, int *cnt,
			bool v4_tail)
{
	size_t i = 0;

	*cnt = 0;
	while (i < n) {
		size_t start = i;
		unsigned v = 0;
		int d;

		while (i < n && i - start < 5 && (d = hex_val(s[i])) >= 0)
			v = v * 16 + (unsigned)d, i++;
		if (i < n && s[i] == '.' && v4_tail) {
			uint8_t q[4];

			if (*cnt + 2 > max || parse_v4(s + start, n - start, q))
				return -1;
			g[(*cnt)++] = (uint16_t)(q[0] << 8 | q[1]);
			g[(*cnt)++] = (uint16_t)(q[2] << 8 | q[3]);
			return 0;
		}
		if (i == start || i - start > 4 || *cnt >= max)
			return -1;
		g[(*cnt)++] = (uint16_t)v;
		if (i == n)
			break;
		if (s[i++] != ':' || i == n)
			return -1;      /* a stray character, or a trailing ':' */
	}
	return 0;
}

static int parse_v6(const char *s, size_t n, uint8_t out[16])
{
	uint16_t head[8], tail[8], all[8] = { 0 };
	int nh, nt;
	const char *dc = NULL;

	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == ':' && s[i + 1] == ':') {
			if (dc)
				return -1;      /* two "::" */
			dc = s + i;
			i++;
		}
	if (!dc) {
		if (parse_groups(s, n, all, 8, &nh, true) || nh != 8)
			return -1;
	} else {
		size_t hl = (size_t)(dc - s), tl = n - hl - 2;

		if (parse_groups(s, hl, head, 8, &nh, false) ||
		    parse_groups(dc + 2, tl, tail, 8, &nt, true) || nh + nt > 7)
			return -1;
		memcpy(all, head, (size_t)nh * 2);
		memcpy(all + 8 - nt, tail, (size_t)nt * 2);
	}
	for (int i = 0; i < 8; i++) {
		out[2 * i] = (uint8_t)(all[i] >> 8);
		out[2 * i + 1] = (uint8_t)all[i];
	}
	return 0;
}

int wasi_addr_parse(const char *s, size_t n, struct plat_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (!s || n == 0 || n > 45)
		return -1;
	if (memchr(s, ':', n)) {
		out->family = PLAT_AF_INET6;
		return parse_v6(s, n, out->addr);
	}
	out->family = PLAT_AF_INET;
	return parse_v4(s, n, out->addr);
}

static bool is_v4_mapped(const uint8_t a[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a, prefix, 12);
}

/* RFC 5952 §4.2: the longest run of >= 2 zero groups, the first if tied. */
static void zero_run(const uint16_t g[8], int *best, int *best_len)
{
	*best = -1;
	*best_len = 1;
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > *best_len) {
			*best = i;
			*best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
}

static void format_v6(const uint8_t a[16], char *out, size_t len)
{
	uint16_t g[8];
	int best, blen, n = 0, last = 8;

	if (is_v4_mapped(a)) {
		snprintf(out, len, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
		return;
	}
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	zero_run(g, &best, &blen);
	out[0] = 0;
	for (int i = 0; i < last && (size_t)n < len; i++) {
		if (i == best) {
			n += snprintf(out + n, len - (size_t)n, "::");
			i += blen - 1;
			continue;
		}
		n += snprintf(out + n, len - (size_t)n, "%s%x",
			      i && i != best + blen ? ":" : "", g[i]);
	}
}

char *wasi_addr_format(const struct plat_addr *a, bool with_port, char *buf,
		       size_t len)
{
	char ip[48];

	if (!len)
		return buf;
	if (a->family == PLAT_AF_INET6)
		format_v6(a->addr, ip, sizeof ip);
	else if (a->family == PLAT_AF_INET)
		snprintf(ip, sizeof ip, "%u.%u.%u.%u", a->addr[0], a->addr[1],
			 a->addr[2], a->addr[3]);
	else
		snprintf(ip, sizeof ip, "(family %u)", a->family);
	if (!with_port)
		snprintf(buf, len, "%s", ip);
	else if (a->family == PLAT_AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, a->port);
	else
		snprintf(buf, len, "%s:%u", ip, a->port);
	return buf;
}
