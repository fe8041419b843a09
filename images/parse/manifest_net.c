/*
 * manifest_net.c — the manifest's network keys (docs/manifest.md,
 * "Network"), for images/parse/bundle_read.c: whether the kernel brings up a NIC and
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
 * built into the kernel, the CLI (images/parse/, linked into both) and the
 * unit tests, like images/parse/bundle_read.c.
 */
#include <errno.h>
#include <string.h>
#include "bundle_parse.h"
#include "wasi_grant.h"          /* wasi_addr_parse */

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
/* A numeric address of family `family` (PLAT_AF_INET or _INET6), the
 * whole of [p, p+n): the WASI layer's parser, the one the grants use. */
static bool parse_addr(const char *p, size_t n, int family, uint8_t *out)
{
	struct plat_addr a;

	if (wasi_addr_parse(p, n, &a) || a.family != family)
		return false;
	memcpy(out, a.addr, family == PLAT_AF_INET ? 4 : 16);
	return true;
}

static bool parse_ipv4(const char *p, size_t n, uint8_t out[4])
{
	return parse_addr(p, n, PLAT_AF_INET, out);
}

static bool parse_ipv6(const char *p, size_t n, uint8_t out[16])
{
	return parse_addr(p, n, PLAT_AF_INET6, out);
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
