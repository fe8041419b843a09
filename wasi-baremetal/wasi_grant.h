/*
 * wasi_grant.h — an instance's network grants, deny by default (DESIGN.md
 * decision 7, issue 7 "Grants"): what it may listen on, bind and connect
 * to, and which names it may resolve.  One portable parser per kind of
 * grant, used by the CLI (host/main.c), the manifest reader
 * (images/parse/bundle_read.c) and the tests, so that a grant means the same thing
 * wherever it is written; the checks run in the WASI layer
 * (wasi-baremetal/wasi_sock*.c), above the platform seam, so both
 * platforms enforce them identically.
 *
 *   --tcplisten ADDR:PORT     a listening TCP socket the embedder opens
 *                             and preopens (fds after the directories)
 *   --addr-pool CIDR[:PORTS]  addresses the instance may bind to, connect
 *                             to and send to (WAMR's --addr-pool, plus an
 *                             optional port or port range); without any
 *                             entry it may not even open a socket
 *   --allow-resolve NAME      names it may look up: "example.com" exactly,
 *                             "*.example.com" any name under it, "*" all
 *
 * Text forms (numeric addresses only, never names):
 *   ADDR   192.0.2.1 | [2001:db8::1]           (IPv6 in brackets with a port)
 *   CIDR   192.0.2.0/24 | 2001:db8::/32 | [2001:db8::/32] | [2001:db8::]/32;
 *          an address alone is /32 or /128; host bits must be zero
 *   PORTS  80 | 8000-8080                       (none: every port)
 */
#ifndef WASI_GRANT_H
#define WASI_GRANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "plat.h"

#define WASI_GRANT_MAX       256        /* entries of each kind, per instance */
#define WASI_NAME_MAX        253        /* a DNS name, without the final dot */
#define WASI_ADDR_TEXT_MAX   64         /* "[v6]:port" fits, with the NUL */

/* One --addr-pool entry. */
struct wasi_pool_entry {
	uint8_t family;                 /* PLAT_AF_INET / PLAT_AF_INET6 */
	uint8_t addr[16];               /* network order; bits past the
					   prefix are zero */
	uint8_t prefix;                 /* 0..32 or 0..128 */
	uint16_t port_lo, port_hi;      /* 0 and 65535 when no port is named */
};

/* An instance's grants (struct wasi_config.grants); the arrays belong to
 * the embedder and must outlive the instance. */
struct wasi_grants {
	size_t nlisten;
	const struct plat_addr *listen;         /* --tcplisten, in order */
	size_t npool;
	const struct wasi_pool_entry *pool;     /* --addr-pool */
	size_t nresolve;
	const char *const *resolve;             /* --allow-resolve patterns,
						   each checked by
						   wasi_grant_parse_name */
};

/* Parsers: NULL on success, else a static sentence saying what is wrong
 * (the caller names the option or manifest line and quotes the input). */
const char *wasi_grant_parse_listen(const char *s, struct plat_addr *out);
const char *wasi_grant_parse_pool(const char *s, struct wasi_pool_entry *out);
const char *wasi_grant_parse_name(const char *s);

/* A numeric address, IPv4 dotted quad or IPv6 (RFC 4291 §2.2 text, no
 * brackets, no zone), of exactly n bytes: 0 or -1.  Port left 0. */
int wasi_addr_parse(const char *s, size_t n, struct plat_addr *out);
/* Canonical text (RFC 5952 for IPv6), with ":port" (and brackets for
 * IPv6) when with_port.  Always NUL-terminated; returns buf. */
char *wasi_addr_format(const struct plat_addr *a, bool with_port, char *buf,
		       size_t len);
/* An entry as the parser reads it back: "10.0.0.0/8", "[::1/128]:80". */
char *wasi_pool_format(const struct wasi_pool_entry *e, char *buf, size_t len);

/* Checks.  An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is checked as the
 * IPv4 address it reaches, against IPv4 entries only, so that granting
 * IPv6 ranges never grants IPv4 destinations by the back door. */
bool wasi_grants_pool_allows(const struct wasi_grants *g, const struct plat_addr *a);
/* Whether a is the unspecified address (0.0.0.0, ::, ::ffff:0.0.0.0): it
 * may be bound (every address), but it is no destination: Linux connects
 * and sends to it as to its own loopback, which a pool entry 0.0.0.0 or
 * :: does not grant. */
bool wasi_addr_is_unspecified(const struct plat_addr *a);
bool wasi_grants_any_pool(const struct wasi_grants *g);
/* name[0..len): a DNS name, one final dot allowed, compared without
 * regard to case. */
bool wasi_grants_name_allows(const struct wasi_grants *g, const char *name,
			     size_t len);
bool wasi_name_matches(const char *pattern, const char *name, size_t len);
/* Whether the instance has any network grant at all (then it needs a NIC). */
bool wasi_grants_any(const struct wasi_grants *g);

#endif
