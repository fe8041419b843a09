/*
 * wasi_grant.c — parse and check an instance's network grants
 * (wasi_grant.h says what each one means and its text form).  The input
 * comes from a command line or an image's manifest: hostile, so every
 * parser bounds its reads by the string's length and says exactly what is
 * wrong.  Name patterns follow WAMR's --allow-resolve: an exact name, a
 * "*." prefix for every name below a domain, or "*" for every name.
 */
#include <stdio.h>
#include <string.h>
#include "wasi_grant.h"

/* A decimal port 0..65535 of exactly n bytes: 0 or -1. */
static int parse_port(const char *s, size_t n, uint16_t *port)
{
	unsigned v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "[v6]" rest or "v4" rest: the address text in [*a, *a + *an), what
 * follows it in *rest.  In brackets, the text may also hold "/N". */
static const char *split_host(const char *s, const char **a, size_t *an,
			      const char **rest)
{
	const char *close;

	if (s[0] == '[') {
		close = strchr(s, ']');
		if (!close)
			return "'[' without ']'";
		*a = s + 1;
		*an = (size_t)(close - s - 1);
		*rest = close + 1;
		return NULL;
	}
	*a = s;
	*an = strcspn(s, ":/");
	*rest = s + *an;
	return NULL;
}

const char *wasi_grant_parse_listen(const char *s, struct plat_addr *out)
{
	const char *a, *rest, *why;
	size_t an;

	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return "empty; want ADDR:PORT, e.g. 0.0.0.0:8080 or [::]:8080";
	if (s[0] != '[' && strchr(s, ':') != strrchr(s, ':'))
		return "an IPv6 address needs brackets: [ADDR]:PORT";
	if ((why = split_host(s, &a, &an, &rest)))
		return why;
	if (wasi_addr_parse(a, an, out))
		return "not a numeric IPv4 or IPv6 address (names are not allowed)";
	if (s[0] == '[' && out->family != PLAT_AF_INET6)
		return "brackets are for IPv6 addresses";
	if (rest[0] != ':')
		return "the port is missing; want ADDR:PORT";
	if (parse_port(rest + 1, strlen(rest + 1), &out->port))
		return "the port is not a number 0..65535";
	return NULL;
}

/* "N" after the '/': the prefix length, at most max. */
static const char *parse_prefix(const char *s, size_t n, unsigned max, uint8_t *out)
{
	unsigned v = 0;

	if (n == 0 || n > 3)
		return "the prefix length after '/' is missing or too long";
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return "the prefix length after '/' is not a number";
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return max == 32 ? "an IPv4 prefix length is 0..32"
				 : "an IPv6 prefix length is 0..128";
	*out = (uint8_t)v;
	return NULL;
}

static bool host_bits_zero(const uint8_t *a, unsigned prefix, unsigned bits)
{
	for (unsigned i = prefix; i < bits; i++)
		if (a[i / 8] & (0x80u >> (i % 8)))
			return false;
	return true;
}

/* ":PORT" or ":LO-HI" (or nothing: every port). */
static const char *parse_ports(const char *s, struct wasi_pool_entry *e)
{
	const char *dash;

	e->port_lo = 0;
	e->port_hi = 65535;
	if (!*s)
		return NULL;
	if (*s != ':')
		return "unexpected text after the address; want CIDR[:PORT[-PORT]]";
	s++;
	dash = strchr(s, '-');
	if (!dash) {
		if (parse_port(s, strlen(s), &e->port_lo))
			return "the port is not a number 0..65535";
		e->port_hi = e->port_lo;
		return NULL;
	}
	if (parse_port(s, (size_t)(dash - s), &e->port_lo) ||
	    parse_port(dash + 1, strlen(dash + 1), &e->port_hi))
		return "a port of the range is not a number 0..65535";
	if (e->port_lo > e->port_hi)
		return "the port range is backwards (LO-HI with LO <= HI)";
	return NULL;
}

/* The CIDR text "ADDR[/N]" of n bytes into e (family, address, prefix). */
static const char *parse_cidr(const char *s, size_t n, struct wasi_pool_entry *e)
{
	const char *slash = memchr(s, '/', n), *why;
	size_t an = slash ? (size_t)(slash - s) : n;
	struct plat_addr a;
	unsigned bits;

	if (wasi_addr_parse(s, an, &a))
		return "not a numeric IPv4 or IPv6 address or CIDR (names are not allowed)";
	bits = a.family == PLAT_AF_INET ? 32 : 128;
	e->family = a.family;
	memcpy(e->addr, a.addr, sizeof e->addr);
	e->prefix = (uint8_t)bits;
	if (slash && (why = parse_prefix(slash + 1, n - an - 1, bits, &e->prefix)))
		return why;
	if (!host_bits_zero(e->addr, e->prefix, bits))
		return "the address has bits set past the prefix length "
		       "(write the network address, e.g. 10.0.0.0/8)";
	return NULL;
}

const char *wasi_grant_parse_pool(const char *s, struct wasi_pool_entry *out)
{
	const char *a, *rest, *why, *colon;
	size_t an;

	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return "empty; want CIDR[:PORT[-PORT]], e.g. 10.0.0.0/8 or 127.0.0.1:8080";
	colon = strchr(s, ':');
	if (s[0] != '[' && colon && colon != strrchr(s, ':')) {
		/* An IPv6 CIDR without brackets: no port may follow. */
		why = parse_cidr(s, strlen(s), out);
		return why ? why : parse_ports("", out);
	}
	if ((why = split_host(s, &a, &an, &rest)))
		return why;
	if (s[0] == '[' && rest[0] == '/') {     /* "[ADDR]/N..." */
		size_t pn = strcspn(rest + 1, ":");
		char buf[64];

		if (an + 1 + pn >= sizeof buf)
			return "too long for an address and prefix";
		memcpy(buf, a, an);
		buf[an] = '/';
		memcpy(buf + an + 1, rest + 1, pn);
		why = parse_cidr(buf, an + 1 + pn, out);
		rest += 1 + pn;
	} else if (s[0] == '[') {               /* "[ADDR/N]..." */
		why = parse_cidr(a, an, out);
	} else {                                /* "v4[/N]..." */
		size_t cn = strcspn(s, ":");

		why = parse_cidr(s, cn, out);
		rest = s + cn;
	}
	if (why)
		return why;
	if (s[0] == '[' && out->family != PLAT_AF_INET6)
		return "brackets are for IPv6 addresses";
	return parse_ports(rest, out);
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* A DNS name of n bytes (one final dot allowed): labels of 1..63 name
 * characters, 1..253 bytes without that dot.  NULL or the problem. */
static const char *name_problem(const char *s, size_t n)
{
	size_t label = 0;

	if (n && s[n - 1] == '.')
		n--;
	if (n == 0)
		return "empty name";
	if (n > WASI_NAME_MAX)
		return "a name is at most 253 bytes";
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return "empty label (\"..\" or a leading '.')";
			label = 0;
			continue;
		}
		if (!name_char(s[i]))
			return "names hold letters, digits, '-', '_' and '.' only";
		if (++label > 63)
			return "a label is at most 63 bytes";
	}
	return label ? NULL : "empty label";
}

const char *wasi_grant_parse_name(const char *s)
{
	if (!s)
		return "empty name";
	if (!strcmp(s, "*"))
		return NULL;
	if (s[0] == '*') {
		if (s[1] != '.')
			return "a wildcard is \"*\" alone or a leading \"*.\" (*.example.com)";
		s += 2;
	}
	if (strchr(s, '*'))
		return "a wildcard is \"*\" alone or a leading \"*.\" (*.example.com)";
	return name_problem(s, strlen(s));
}

/* ---- checks -------------------------------------------------------------- */

static bool prefix_matches(const uint8_t *net, const uint8_t *a, unsigned prefix)
{
	unsigned full = prefix / 8, rest = prefix % 8;

	if (memcmp(net, a, full))
		return false;
	return !rest || !((net[full] ^ a[full]) & (0xffu << (8 - rest)));
}

bool wasi_grants_pool_allows(const struct wasi_grants *g, const struct plat_addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	uint8_t family = a->family;
	const uint8_t *ip = a->addr;

	if (family == PLAT_AF_INET6 && !memcmp(ip, mapped, 12)) {
		family = PLAT_AF_INET;
		ip += 12;
	}
	for (size_t i = 0; g && i < g->npool; i++) {
		const struct wasi_pool_entry *e = &g->pool[i];

		if (e->family == family && prefix_matches(e->addr, ip, e->prefix) &&
		    a->port >= e->port_lo && a->port <= e->port_hi)
			return true;
	}
	return false;
}

bool wasi_addr_is_unspecified(const struct plat_addr *a)
{
	static const uint8_t zero[16], mapped[12] = { [10] = 0xff, 0xff };

	if (a->family == PLAT_AF_INET)
		return !memcmp(a->addr, zero, 4);
	return a->family == PLAT_AF_INET6 && (!memcmp(a->addr, zero, 16) ||
		(!memcmp(a->addr, mapped, 12) && !memcmp(a->addr + 12, zero, 4)));
}

bool wasi_grants_any_pool(const struct wasi_grants *g)
{
	return g && g->npool > 0;
}

static bool same_name(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

bool wasi_name_matches(const char *pattern, const char *name, size_t len)
{
	size_t pl;

	if (name_problem(name, len))
		return false;
	if (len && name[len - 1] == '.')
		len--;
	if (!strcmp(pattern, "*"))
		return true;
	pl = strlen(pattern);
	if (pl && pattern[pl - 1] == '.')
		pl--;
	if (pattern[0] == '*')          /* "*.dom": a name ending in ".dom" */
		return len > pl - 1 && same_name(pattern + 1, name + len - (pl - 1), pl - 1);
	return len == pl && same_name(pattern, name, len);
}

bool wasi_grants_name_allows(const struct wasi_grants *g, const char *name,
			     size_t len)
{
	for (size_t i = 0; g && i < g->nresolve; i++)
		if (wasi_name_matches(g->resolve[i], name, len))
			return true;
	return false;
}

bool wasi_grants_any(const struct wasi_grants *g)
{
	return g && (g->nlisten || g->npool || g->nresolve);
}

char *wasi_pool_format(const struct wasi_pool_entry *e, char *buf, size_t len)
{
	struct plat_addr a = { .family = e->family };
	char ip[WASI_ADDR_TEXT_MAX], ports[16] = "";
	bool any_port = e->port_lo == 0 && e->port_hi == 65535;

	memcpy(a.addr, e->addr, sizeof a.addr);
	wasi_addr_format(&a, false, ip, sizeof ip);
	if (!any_port && e->port_lo == e->port_hi)
		snprintf(ports, sizeof ports, ":%u", e->port_lo);
	else if (!any_port)
		snprintf(ports, sizeof ports, ":%u-%u", e->port_lo, e->port_hi);
	if (e->family == PLAT_AF_INET6 && !any_port)
		snprintf(buf, len, "[%s/%u]%s", ip, e->prefix, ports);
	else
		snprintf(buf, len, "%s/%u%s", ip, e->prefix, ports);
	return buf;
}
