/*
 * manifest_net.c — the manifest's network keys (docs/manifest.md,
 * "Network"), for kernel/bundle.c: whether the kernel brings up a NIC and
 * lwIP, how en0 gets its IPv4 address, which DNS servers it asks, and the
 * in-kernel HTTP server used as a benchmark and test aid.
 *
 *   net dhcp | static | none   a NIC, addressed by DHCP or statically; or
 *                              none (also with grants that would want one)
 *   address A.B.C.D/N          the static address and prefix (net static)
 *   gateway A.B.C.D            the static default route (net static)
 *   dns ADDR                   a DNS server, IPv4 or IPv6, at most
 *                              BUNDLE_MAX_DNS (else DHCP's)
 *   kernel-httpd PORT:SIZE     the kernel serves SIZE bytes over HTTP on
 *                              PORT instead of running the module
 *
 * Pure C, hostile input (values are bounded, parsed without allocation),
 * built into the kernel, the CLI (images/manifest_net_parse.c) and the
 * unit tests, like kernel/bundle.c.
 */
#include <errno.h>
#include <string.h>
#include "bundle_parse.h"

#define HTTPD_SIZE_MAX (1ull << 40)     /* bytes; generated, never stored */

/* A decimal number of at most max, the whole of [p, p+n). */
static bool parse_dec(const char *p, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9' || v > (max - (uint64_t)(p[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = v;
	return true;
}

/* A dotted quad, the whole of [p, p+n): four 1..3-digit numbers <= 255. */
static bool parse_ipv4(const char *p, size_t n, uint8_t out[4])
{
	const char *end = p + n;
	uint64_t v;

	for (int i = 0; i < 4; i++) {
		const char *q = p;

		while (q < end && *q != '.')
			q++;
		if (q - p > 3 || !parse_dec(p, (size_t)(q - p), 255, &v) ||
		    (i < 3) != (q < end))
			return false;
		out[i] = (uint8_t)v;
		p = q + 1;
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An IPv6 address in RFC 4291 §2.2 text form (groups of 1-4 hex digits,
 * one "::", a dotted quad at the end), the whole of [p, p+n). */
static bool parse_ipv6(const char *p, size_t n, uint8_t out[16])
{
	const char *end = p + n;
	uint8_t w[16] = { 0 };
	int len = 0, gap = -1;

	if (n >= 2 && p[0] == ':' && p[1] == ':') {
		gap = 0;
		p += 2;
	}
	while (p < end) {
		const char *q = p;
		unsigned v = 0;
		int d;

		while (q < end && q - p < 5 && (d = hexval(*q)) >= 0)
			v = v << 4 | (unsigned)d, q++;
		if (q < end && *q == '.') {             /* a trailing dotted quad */
			if (len > 12 || !parse_ipv4(p, (size_t)(end - p), w + len))
				return false;
			len += 4;
			break;
		}
		if (q == p || q - p > 4 || len > 14)
			return false;
		w[len++] = (uint8_t)(v >> 8);
		w[len++] = (uint8_t)v;
		if (q == end)
			break;
		if (*q != ':' || q + 1 == end)
			return false;
		p = q + 1;
		if (*p == ':') {
			if (gap >= 0)
				return false;   /* a second "::" */
			gap = len;
			p++;
		}
	}
	if (gap < 0 ? len != 16 : len > 14)
		return false;
	memset(out, 0, 16);
	memcpy(out, w, (size_t)(gap < 0 ? len : gap));
	if (gap >= 0)
		memcpy(out + 16 - (len - gap), w + gap, (size_t)(len - gap));
	return true;
}

static int value(const struct manifest_line *l, const char **why)
{
	if (!l->has_val || l->quoted)
		return (*why = "a network setting wants a bare value", -EINVAL);
	return 0;
}

static int set_mode(const struct manifest_line *l, struct manifest_net_seen *s,
		    const char **why)
{
	if (s->mode != BUNDLE_NET_UNSET)
		return (*why = "a setting given twice", -EINVAL);
	if (manifest_val_is(l, "dhcp"))
		s->mode = BUNDLE_NET_DHCP;
	else if (manifest_val_is(l, "static"))
		s->mode = BUNDLE_NET_STATIC;
	else if (manifest_val_is(l, "none"))
		s->mode = BUNDLE_NET_NONE;
	else
		return (*why = "net wants dhcp, static or none", -EINVAL);
	return 0;
}

static int set_address(const struct manifest_line *l, struct manifest_net_seen *s,
		       struct boot_bundle *b, const char **why)
{
	const char *slash = memchr(l->val, '/', l->val_len);
	uint8_t a[4];
	uint64_t prefix;

	if (s->address)
		return (*why = "a setting given twice", -EINVAL);
	if (!slash || !parse_ipv4(l->val, (size_t)(slash - l->val), a) ||
	    !parse_dec(slash + 1, l->val_len - (size_t)(slash - l->val) - 1, 32, &prefix))
		return (*why = "address wants A.B.C.D/N (N = 0..32)", -EINVAL);
	s->address = true;
	if (b) {
		memcpy(b->net.addr, a, 4);
		b->net.prefix = (uint8_t)prefix;
	}
	return 0;
}

static int set_gateway(const struct manifest_line *l, struct manifest_net_seen *s,
		       struct boot_bundle *b, const char **why)
{
	uint8_t a[4];

	if (s->gateway)
		return (*why = "a setting given twice", -EINVAL);
	if (!parse_ipv4(l->val, l->val_len, a))
		return (*why = "gateway wants A.B.C.D", -EINVAL);
	s->gateway = true;
	if (b)
		memcpy(b->net.gateway, a, 4);
	return 0;
}

static int add_dns(const struct manifest_line *l, struct manifest_net_seen *s,
		   struct boot_bundle *b, const char **why)
{
	uint8_t a[16] = { 0 };
	uint8_t family = 4;

	if (s->ndns >= BUNDLE_MAX_DNS)
		return (*why = "too many dns servers (at most 2)", -EINVAL);
	if (!parse_ipv4(l->val, l->val_len, a)) {
		if (!parse_ipv6(l->val, l->val_len, a))
			return (*why = "dns wants an IPv4 or IPv6 address", -EINVAL);
		family = 6;
	}
	if (b) {
		b->net.dns_family[s->ndns] = family;
		memcpy(b->net.dns[s->ndns], a, 16);
		b->net.ndns = s->ndns + 1;
	}
	s->ndns++;
	return 0;
}

static int set_httpd(const struct manifest_line *l, struct manifest_net_seen *s,
		     struct boot_bundle *b, const char **why)
{
	const char *colon = memchr(l->val, ':', l->val_len);
	uint64_t port, size;

	if (s->httpd)
		return (*why = "a setting given twice", -EINVAL);
	if (!colon || !parse_dec(l->val, (size_t)(colon - l->val), 65535, &port) ||
	    port == 0 ||
	    !parse_dec(colon + 1, l->val_len - (size_t)(colon - l->val) - 1,
		       HTTPD_SIZE_MAX, &size))
		return (*why = "kernel-httpd wants PORT:SIZE (1..65535, bytes <= 2^40)",
			-EINVAL);
	s->httpd = true;
	if (b) {
		b->httpd.port = (uint16_t)port;
		b->httpd.size = size;
	}
	return 0;
}

int manifest_net_line(const struct manifest_line *l, struct manifest_net_seen *s,
		      struct boot_bundle *b, const char **why)
{
	int r;

	if (!manifest_key_is(l, "net") && !manifest_key_is(l, "address") &&
	    !manifest_key_is(l, "gateway") && !manifest_key_is(l, "dns") &&
	    !manifest_key_is(l, "kernel-httpd"))
		return 0;
	if ((r = value(l, why)))
		return r;
	if (manifest_key_is(l, "net"))
		r = set_mode(l, s, why);
	else if (manifest_key_is(l, "address"))
		r = set_address(l, s, b, why);
	else if (manifest_key_is(l, "gateway"))
		r = set_gateway(l, s, b, why);
	else if (manifest_key_is(l, "dns"))
		r = add_dns(l, s, b, why);
	else
		r = set_httpd(l, s, b, why);
	return r ? r : 1;
}

int manifest_net_check(const struct manifest_net_seen *s, struct boot_bundle *b,
		       const char **why)
{
	bool nic = s->mode == BUNDLE_NET_DHCP || s->mode == BUNDLE_NET_STATIC;

	if (s->mode == BUNDLE_NET_STATIC && !s->address)
		return (*why = "net static needs an address line", -EINVAL);
	if ((s->address || s->gateway) && s->mode != BUNDLE_NET_STATIC)
		return (*why = "address and gateway need net static", -EINVAL);
	if ((s->ndns || s->httpd) && !nic)
		return (*why = "dns and kernel-httpd need net dhcp or net static", -EINVAL);
	if (b) {
		b->net.nic = nic;
		b->net.dhcp = s->mode == BUNDLE_NET_DHCP;
	}
	return 0;
}
