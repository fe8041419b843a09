/*
 * resolve.c — plat_resolve (jit/plat.h) on lwIP's DNS client (lwIP 2.1.3
 * src/core/dns.c, RFC 1035): numeric addresses are parsed without DNS
 * (ipaddr_aton), "localhost" is lwIP's loopback, anything else is asked
 * of the DNS servers (from DHCP or the manifest), waiting at most
 * RESOLVE_TIMEOUT_NS by looping plat_wait, so the network runs meanwhile.
 *
 * lwIP answers one address per name (the first A, or AAAA record);
 * family 0 asks for IPv4 first, then IPv6.  A request outlives a caller
 * that gave up waiting: lwIP still holds its callback argument, so the
 * request is on the heap and the late callback frees it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lwip/dns.h"
#include "lwip/ip_addr.h"
#include "net.h"
#include "plat.h"
#include "sock_priv.h"

#define RESOLVE_TIMEOUT_NS (15ull * 1000000000)
#define RESOLVE_SLICE_NS   1000000ull   /* look at the answer every 1 ms */

struct resolve_req {
	bool done, found, abandoned;
	ip_addr_t addr;
};

static void on_found(const char *name, const ip_addr_t *ip, void *arg)
{
	struct resolve_req *r = arg;

	if (r->abandoned) {
		free(r);
		return;
	}
	r->done = true;
	if (ip) {
		r->found = true;
		ip_addr_copy(r->addr, *ip);
	}
}

static int family_ok(int family, const ip_addr_t *ip)
{
	return !family || (family == PLAT_AF_INET) == IP_IS_V4(ip);
}

static void result(const ip_addr_t *ip, struct plat_addr *out)
{
	/* an AF_INET6-less view: IPv4 stays IPv4 */
	struct plat_sock v4 = { .family = PLAT_AF_INET };

	net_ip_to_addr(&v4, ip, 0, out);
}

/* Wait for r (bounded); -ETIMEDOUT leaves it to the late callback. */
static int wait_answer(struct resolve_req *r)
{
	uint64_t deadline = plat_clock_ns(PLAT_CLOCK_MONOTONIC) + RESOLVE_TIMEOUT_NS;

	while (!r->done) {
		uint64_t now = plat_clock_ns(PLAT_CLOCK_MONOTONIC);

		if (now >= deadline) {
			r->abandoned = true;
			return -ETIMEDOUT;
		}
		plat_wait(now + RESOLVE_SLICE_NS < deadline ? now + RESOLVE_SLICE_NS
							    : deadline, 0, NULL, 0);
		net_poll();
	}
	return 0;
}

int plat_resolve(const char *name, int family, struct plat_addr *out, int max)
{
	struct resolve_req *r;
	ip_addr_t ip;
	err_t e;
	int ret;

	if (max < 1 || !name || !*name)
		return -EINVAL;
	if (ipaddr_aton(name, &ip)) {           /* numeric: no DNS */
		if (!family_ok(family, &ip))
			return -ENOENT;
		result(&ip, out);
		return 1;
	}
	net_poll();
	if (!net_ready())
		return -ENETDOWN;
	if (strlen(name) >= DNS_MAX_NAME_LENGTH)
		return -ENOENT;
	if (!(r = calloc(1, sizeof *r)))
		return -ENOMEM;
	e = dns_gethostbyname_addrtype(name, &ip, on_found, r,
				       family == PLAT_AF_INET ? LWIP_DNS_ADDRTYPE_IPV4 :
				       family == PLAT_AF_INET6 ? LWIP_DNS_ADDRTYPE_IPV6 :
				       LWIP_DNS_ADDRTYPE_IPV4_IPV6);
	if (e == ERR_OK) {                      /* cached, or localhost */
		free(r);
		result(&ip, out);
		return 1;
	}
	if (e != ERR_INPROGRESS) {              /* bad name, table full */
		free(r);
		return e == ERR_MEM ? -ENOMEM : -ENOENT;
	}
	if ((ret = wait_answer(r)))
		return ret;                     /* r is the callback's now */
	ret = r->found ? 1 : -ENOENT;
	if (r->found)
		result(&r->addr, out);
	free(r);
	return ret;
}
