/*
 * wasi_sock_dns.c — sock_getaddrinfo of WasmEdge's socket extension
 * (wasifunc.cpp WasiSockGetAddrinfo, inode-linux.cpp getAddrinfo at
 * d516c5d; the structs in thirdparty/wasi/api.hpp __wasi_addrinfo_t,
 * __wasi_sockaddr_t):
 *
 *   (node_ptr, node_len, service_ptr, service_len, hints_ptr, res_ptr,
 *    max_res_len, ro_res_len_ptr)
 *
 * The guest links max_res_len __wasi_addrinfo_t nodes (28 bytes) through
 * ai_next, *res_ptr pointing at the first; each node's ai_addr points at a
 * __wasi_sockaddr_t (12 bytes) whose sa_data buffer gets a copy of the
 * host sockaddr from sin_port on: port (big-endian), then the IPv4
 * address (14 bytes in all) or flowinfo, IPv6 address, scope (26).  The
 * host fills the first *ro_res_len nodes and never writes a pointer.
 *
 * Resolution is done here, the same on both platforms: numeric addresses
 * and an empty node (loopback, or the wildcard with AI_PASSIVE) need no
 * look-up and no grant; a name is looked up (plat_resolve) only if the
 * instance may resolve it (--allow-resolve), else ENOTCAPABLE with a log
 * line.  Services are numeric ports: there is no services database on
 * bare metal (a name is EAI_SERVICE).  There are no canonical names
 * (ai_canonname_len 0).  Writes are bounded by the guest's buffer sizes
 * (WasmEdge's are not); sa_data_len says the full size even when the
 * buffer was shorter, as getsockname's length does.
 */
#include <errno.h>
#include "plat.h"
#include "wasi_impl.h"

/* WasmEdge's errnos for getaddrinfo (api.hpp), past preview1's 0..76. */
#define WE_EAI_AGAIN    78
#define WE_EAI_BADFLAG  79
#define WE_EAI_FAIL     80
#define WE_EAI_FAMILY   81
#define WE_EAI_MEMORY   82
#define WE_EAI_NONAME   84
#define WE_EAI_SERVICE  85

#define AI_PASSIVE      0x01u   /* __wasi_aiflags_t */
#define AI_CANONNAME    0x02u
#define AI_NUMERICHOST  0x04u
#define AI_ALLFLAGS     0x7fu

#define AI_NODE_LEN     28
#define AI_SOCKADDR_LEN 12
#define MAX_ADDRS       16
#define MAX_RESULTS     (2 * MAX_ADDRS)

struct hints {
	uint16_t flags;
	uint8_t family, socktype, protocol;     /* WASI enums 0..2 */
};

struct query {
	struct plat_addr addr[MAX_ADDRS];
	int naddr;
	uint16_t port;
};

/* A (ptr, len) string cut at its first NUL, as a C string in out (size
 * outlen); "" when empty.  0, EFAULT, or ENAMETOOLONG. */
static int guest_string(wasm_instance *inst, uint32_t ptr, uint32_t len, char *out,
			size_t outlen)
{
	const char *s = (const char *)wasi_mem(inst, ptr, len);
	size_t n;

	if (!s)
		return WASI_EFAULT;
	n = strnlen(s, len);
	if (n >= outlen)
		return WASI_ENAMETOOLONG;
	memcpy(out, s, n);
	out[n] = 0;
	return 0;
}

static int check_hints(const struct hints *h, bool has_node)
{
	if (h->flags & ~AI_ALLFLAGS)
		return WE_EAI_BADFLAG;
	if ((h->flags & AI_CANONNAME) && !has_node)
		return WE_EAI_BADFLAG;
	if (h->family > 2)
		return WE_EAI_FAMILY;
	if (h->protocol > 2 || h->socktype > 2)
		return WASI_ENOSYS;     /* WasmEdge's answer */
	return 0;
}

static int parse_service(const char *s, uint16_t *port)
{
	unsigned v = 0;

	*port = 0;
	if (!*s)
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || p - s >= 5)
			return WE_EAI_SERVICE;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v > 65535)
		return WE_EAI_SERVICE;
	*port = (uint16_t)v;
	return 0;
}

static bool family_ok(const struct hints *h, int family)
{
	return h->family == 0 || (h->family == 1) == (family == PLAT_AF_INET);
}

/* No node: the loopback addresses, or the wildcards with AI_PASSIVE. */
static void local_addrs(const struct hints *h, struct query *q)
{
	struct plat_addr a;

	memset(&a, 0, sizeof a);
	a.family = PLAT_AF_INET;
	if (!(h->flags & AI_PASSIVE)) {
		a.addr[0] = 127;
		a.addr[3] = 1;
	}
	if (family_ok(h, PLAT_AF_INET))
		q->addr[q->naddr++] = a;
	memset(&a, 0, sizeof a);
	a.family = PLAT_AF_INET6;
	if (!(h->flags & AI_PASSIVE))
		a.addr[15] = 1;
	if (family_ok(h, PLAT_AF_INET6))
		q->addr[q->naddr++] = a;
}

static int resolve_error(int r)
{
	switch (r) {
	case -ENOENT:
		return WE_EAI_NONAME;
	case -ETIMEDOUT:
	case -ENETDOWN:
	case -EAGAIN:
		return WE_EAI_AGAIN;
	case -ENOMEM:
		return WE_EAI_MEMORY;
	default:
		return WE_EAI_FAIL;
	}
}

/* The node's addresses into q: 0 or an errno. */
static int lookup(struct wasi_ctx *ctx, const char *node, const struct hints *h,
		  struct query *q)
{
	struct plat_addr a;
	int family = h->family == 1 ? PLAT_AF_INET : h->family == 2 ? PLAT_AF_INET6 : 0;
	int r;

	if (!*node) {
		local_addrs(h, q);
		return 0;
	}
	if (!wasi_addr_parse(node, strlen(node), &a)) {
		if (!family_ok(h, a.family))
			return WE_EAI_NONAME;
		q->addr[q->naddr++] = a;
		return 0;
	}
	if (h->flags & AI_NUMERICHOST || wasi_grant_parse_name(node) || node[0] == '*')
		return WE_EAI_NONAME;   /* not a name at all: nothing to ask */
	if (!wasi_grants_name_allows(&ctx->grants, node, strlen(node))) {
		plat_log("wasi: refused resolve \"%s\": not a name the instance "
			 "may resolve (--allow-resolve)\n", node);
		return WASI_ENOTCAPABLE;
	}
	r = plat_resolve(node, family, q->addr, MAX_ADDRS);
	if (r < 0)
		return resolve_error(r);
	q->naddr = r > MAX_ADDRS ? MAX_ADDRS : r;
	return 0;
}

/* One result: the node, its sockaddr and sa_data (checked by the caller). */
static void put_result(uint8_t *node, uint8_t *sa, uint8_t *data, uint32_t data_len,
		       const struct hints *h, const struct plat_addr *a, int stream)
{
	uint8_t bytes[26];
	uint32_t addrlen = a->family == PLAT_AF_INET ? 16 : 28;  /* Linux's sizes */
	uint32_t n = a->family == PLAT_AF_INET ? 14 : 26, zero = 0;
	uint8_t fam = a->family == PLAT_AF_INET ? 1 : 2;
	uint8_t proto = h->protocol ? h->protocol : stream ? 1 : 2;

	memcpy(node, &h->flags, 2);
	node[2] = fam;
	node[3] = stream ? 2 : 1;
	node[4] = proto;
	memcpy(node + 8, &addrlen, 4);
	memcpy(node + 20, &zero, 4);            /* ai_canonname_len */
	memset(bytes, 0, sizeof bytes);
	bytes[0] = (uint8_t)(a->port >> 8);
	bytes[1] = (uint8_t)a->port;
	if (a->family == PLAT_AF_INET) {
		memcpy(bytes + 2, a->addr, 4);
	} else {
		memcpy(bytes + 6, a->addr, 16);
		memcpy(bytes + 22, &a->scope, 4);
	}
	sa[0] = fam;
	memcpy(sa + 4, &n, 4);
	memcpy(data, bytes, n < data_len ? n : data_len);
}

/* The guest's k-th node (its pointers checked): 0 or EFAULT. */
static int node_at(wasm_instance *inst, uint32_t *next, uint8_t **node, uint8_t **sa,
		   uint8_t **data, uint32_t *data_len)
{
	uint32_t sa_ptr, d_ptr;

	if (!(*node = wasi_mem(inst, *next, AI_NODE_LEN)))
		return WASI_EFAULT;
	memcpy(&sa_ptr, *node + 12, 4);
	memcpy(next, *node + 24, 4);
	if (!(*sa = wasi_mem(inst, sa_ptr, AI_SOCKADDR_LEN)))
		return WASI_EFAULT;
	memcpy(data_len, *sa + 4, 4);
	memcpy(&d_ptr, *sa + 8, 4);
	return (*data = wasi_mem(inst, d_ptr, *data_len)) ? 0 : WASI_EFAULT;
}

static int write_results(wasm_instance *inst, const struct hints *h,
			 const struct query *q, uint32_t first, uint32_t max,
			 uint32_t *count)
{
	uint8_t *node[MAX_RESULTS], *sa[MAX_RESULTS], *data[MAX_RESULTS];
	uint32_t dlen[MAX_RESULTS], next = first, n = 0;
	int kinds = h->socktype ? 1 : 2, err;

	for (int i = 0; i < q->naddr; i++)
		for (int k = 0; k < kinds && n < max && n < MAX_RESULTS; k++, n++)
			if ((err = node_at(inst, &next, &node[n], &sa[n], &data[n], &dlen[n])))
				return err;     /* nothing written yet */
	n = 0;
	for (int i = 0; i < q->naddr; i++) {
		struct plat_addr a = q->addr[i];

		a.port = q->port;
		for (int k = 0; k < kinds && n < max && n < MAX_RESULTS; k++, n++)
			put_result(node[n], sa[n], data[n], dlen[n], h, &a,
				   h->socktype ? h->socktype == 2 : k == 0);
	}
	*count = n;
	return 0;
}

static int getaddrinfo_(wasm_instance *inst, struct wasi_ctx *ctx, const uint64_t *args)
{
	char node[WASI_NAME_MAX + 2], service[8];
	uint8_t *hp = wasi_mem(inst, ARG32(4), AI_NODE_LEN);
	uint32_t first, count = 0, max = ARG32(6);
	struct hints h;
	struct query q;
	int err;

	if ((err = guest_string(inst, ARG32(0), ARG32(1), node, sizeof node)))
		return err == WASI_ENAMETOOLONG ? WE_EAI_NONAME : err;
	if ((err = guest_string(inst, ARG32(2), ARG32(3), service, sizeof service)))
		return err == WASI_ENAMETOOLONG ? WE_EAI_SERVICE : err;
	if (!hp || !wasi_mem(inst, ARG32(5), 4) || !wasi_mem(inst, ARG32(7), 4))
		return WASI_EFAULT;
	if (!*node && !*service)
		return WE_EAI_NONAME;
	if (max < 1)
		return WE_EAI_MEMORY;
	memcpy(&h.flags, hp, 2);
	h.family = hp[2];
	h.socktype = hp[3];
	h.protocol = hp[4];
	memset(&q, 0, sizeof q);
	if ((err = check_hints(&h, *node)) || (err = parse_service(service, &q.port)) ||
	    (err = lookup(ctx, node, &h, &q)))
		return err;
	memcpy(&first, wasi_mem(inst, ARG32(5), 4), 4);
	if ((err = write_results(inst, &h, &q, first, max, &count)))
		return err;
	return wasi_store_u32(inst, ARG32(7), count);
}

WASI_HOST_FN(sock_getaddrinfo)
{
	return wasi_ret(results, getaddrinfo_(inst, env, args));
}
