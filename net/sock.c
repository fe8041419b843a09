/*
 * sock.c — jit/plat.h's sockets on lwIP's raw API, the parts TCP and UDP
 * share: open/close/bind, addresses, options, poll, waiting, lwIP's
 * err_t as errno values, and the closes that go on in the background.
 * The protocols: net/sock_tcp.c, net/sock_udp.c; the structure and its
 * memory bounds: net/sock_priv.h.  Name resolution: net/resolve.c.
 *
 * Every plat_sock_* call first runs net_poll(), so a guest that never
 * sleeps (a busy loop of non-blocking calls) still moves the network.
 *
 * Addresses: an AF_INET6 socket is an lwIP pcb of IPADDR_TYPE_ANY: unbound,
 * it reaches IPv4 peers too, shown as ::ffff:a.b.c.d, and ::ffff:a.b.c.d
 * given to it means that IPv4 address; bound to "::" it is IPv6 only (as
 * Linux with IPV6_V6ONLY, host/plat_sock.c), so that a grant of [::] never
 * binds IPv4 as well.  An AF_INET socket takes IPv4 only.
 *
 * Closing a stream never waits: lwIP keeps sending what is queued, then
 * the FIN, on its own.  When tcp_close fails for lack of memory, the pcb
 * goes on a list that net_poll retries every CLOSE_RETRY_NS, and aborts
 * (RST) after CLOSE_GIVE_UP_NS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "net.h"
#include "sock_priv.h"

#define CLOSE_RETRY_NS   100000000ull           /* 100 ms */
#define CLOSE_GIVE_UP_NS 10000000000ull         /* 10 s */

unsigned net_sock_mem_gen;
size_t net_sock_rx_held;

/* ---- receive memory ----------------------------------------------------------- */

/* Pool memory a chain holds: whole pool buffers, or its own size. */
size_t net_pbuf_truesize(const struct pbuf *p)
{
	size_t t = 0;

	for (; p; p = p->next)
		t += (p->len > PBUF_POOL_BUFSIZE ? p->len : PBUF_POOL_BUFSIZE) +
		     sizeof(struct pbuf);
	return t;
}

/* Whether queueing `more` bytes of pbufs would take all sockets' receive
 * queues past RX_HELD_MAX (net/sock_priv.h). */
bool net_sock_rx_full(size_t more)
{
	return net_sock_rx_held + more > RX_HELD_MAX;
}

/* ---- errors, addresses ------------------------------------------------------ */

int net_err_errno(err_t e)
{
	switch (e) {
	case ERR_OK: return 0;
	case ERR_MEM: case ERR_BUF: return -ENOBUFS;
	case ERR_TIMEOUT: return -ETIMEDOUT;
	case ERR_RTE: return -ENETUNREACH;
	case ERR_INPROGRESS: return -EINPROGRESS;
	case ERR_WOULDBLOCK: return -EAGAIN;
	case ERR_USE: return -EADDRINUSE;
	case ERR_ALREADY: return -EALREADY;
	case ERR_ISCONN: return -EISCONN;
	case ERR_CONN: case ERR_CLSD: return -ENOTCONN;
	case ERR_IF: return -ENETDOWN;
	case ERR_ABRT: return -ECONNABORTED;
	case ERR_RST: return -ECONNRESET;
	default: return -EINVAL;        /* ERR_VAL, ERR_ARG */
	}
}

static bool is_v4_mapped(const uint8_t *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a, prefix, 12);
}

/* a as lwIP's address ("::" is IPv6's "any" only).  0 or -EAFNOSUPPORT. */
int net_addr_to_ip(const struct plat_sock *s, const struct plat_addr *a,
		   ip_addr_t *ip)
{
	memset(ip, 0, sizeof *ip);
	if (a->family == PLAT_AF_INET) {
		IP_ADDR4(ip, a->addr[0], a->addr[1], a->addr[2], a->addr[3]);
		return 0;
	}
	if (a->family != PLAT_AF_INET6)
		return -EAFNOSUPPORT;
	if (s->family != PLAT_AF_INET6)
		return -EAFNOSUPPORT;
	if (is_v4_mapped(a->addr)) {
		IP_ADDR4(ip, a->addr[12], a->addr[13], a->addr[14], a->addr[15]);
		return 0;
	}
	IP_SET_TYPE_VAL(*ip, IPADDR_TYPE_V6);
	memcpy(ip_2_ip6(ip)->addr, a->addr, 16);
	ip6_addr_clear_zone(ip_2_ip6(ip));
	if (a->scope && a->scope <= 255 && ip6_addr_has_scope(ip_2_ip6(ip), IP6_UNKNOWN))
		ip6_addr_set_zone(ip_2_ip6(ip), (u8_t)a->scope);
	return 0;
}

void net_ip_to_addr(const struct plat_sock *s, const ip_addr_t *ip, u16_t port,
		    struct plat_addr *out)
{
	memset(out, 0, sizeof *out);
	out->port = port;
	if (IP_IS_V6(ip)) {
		out->family = PLAT_AF_INET6;
		memcpy(out->addr, ip_2_ip6(ip)->addr, 16);
		if (ip6_addr_has_zone(ip_2_ip6(ip)))
			out->scope = ip6_addr_zone(ip_2_ip6(ip));
		return;
	}
	if (s->family == PLAT_AF_INET6) {       /* ::ffff:a.b.c.d */
		out->family = PLAT_AF_INET6;
		out->addr[10] = out->addr[11] = 0xff;
		memcpy(out->addr + 12, &ip_2_ip4(ip)->addr, 4);
		return;
	}
	out->family = PLAT_AF_INET;
	memcpy(out->addr, &ip_2_ip4(ip)->addr, 4);
}

/* Whether ip is "any", loopback or an address of one of our interfaces:
 * what bind accepts (else EADDRNOTAVAIL). */
bool net_addr_is_local(const ip_addr_t *ip)
{
	struct netif *n;

	if (ip_addr_isany(ip) || ip_addr_isloopback(ip))
		return true;
	NETIF_FOREACH(n) {
		if (IP_IS_V4(ip) && ip4_addr_cmp(ip_2_ip4(ip), netif_ip4_addr(n)))
			return true;
		if (IP_IS_V6(ip) && netif_get_ip6_addr_match(n, ip_2_ip6(ip)) >= 0)
			return true;
	}
	return false;
}

/* ---- open, close, bind -------------------------------------------------------- */

int plat_sock_open(int family, enum plat_sock_type type, struct plat_sock **out)
{
	struct plat_sock *s;
	int r;

	net_poll();
	if (!net_ready())
		return -ENETDOWN;
	if (family != PLAT_AF_INET && family != PLAT_AF_INET6)
		return -EAFNOSUPPORT;
	if (type != PLAT_SOCK_STREAM && type != PLAT_SOCK_DGRAM)
		return -EPROTONOSUPPORT;
	if (!(s = calloc(1, sizeof *s)))
		return -ENOMEM;
	s->family = (uint8_t)family;
	s->type = (uint8_t)type;
	r = type == PLAT_SOCK_STREAM ? net_tcp_open(s) : net_udp_open(s);
	if (r) {
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

void plat_sock_close(struct plat_sock *s)
{
	if (!s)
		return;
	net_poll();
	if (s->type == PLAT_SOCK_STREAM)
		net_tcp_close(s);
	else
		net_udp_close(s);
	free(s);
}

int plat_sock_bind(struct plat_sock *s, const struct plat_addr *a)
{
	ip_addr_t ip;
	err_t e;
	int r;

	net_poll();
	if ((r = net_addr_to_ip(s, a, &ip)))
		return r;
	if (!net_addr_is_local(&ip))
		return -EADDRNOTAVAIL;
	if (s->type == PLAT_SOCK_STREAM) {
		if (s->state != SOCK_NEW || !s->pcb.tcp || s->pcb.tcp->local_port)
			return -EINVAL;         /* bound, listening or connected */
		e = tcp_bind(s->pcb.tcp, &ip, a->port);
	} else {
		if (s->pcb.udp->local_port)
			return -EINVAL;
		e = udp_bind(s->pcb.udp, &ip, a->port);
	}
	return net_err_errno(e);
}

int plat_sock_listen(struct plat_sock *s, int backlog)
{
	net_poll();
	if (s->type != PLAT_SOCK_STREAM)
		return -EOPNOTSUPP;
	return net_tcp_listen(s, backlog);
}

int plat_sock_accept(struct plat_sock *s, struct plat_sock **out, struct plat_addr *peer)
{
	net_poll();
	if (s->type != PLAT_SOCK_STREAM)
		return -EOPNOTSUPP;
	return net_tcp_accept(s, out, peer);
}

int plat_sock_connect(struct plat_sock *s, const struct plat_addr *a)
{
	ip_addr_t ip;
	int r;

	net_poll();
	if ((r = net_addr_to_ip(s, a, &ip)))
		return r;
	if (ip_addr_isany(&ip) || a->port == 0)
		return s->type == PLAT_SOCK_STREAM ? -ECONNREFUSED : -EINVAL;
	if (s->type == PLAT_SOCK_STREAM)
		return net_tcp_connect(s, &ip, a->port);
	return net_udp_connect(s, &ip, a->port);
}

long plat_sock_recv(struct plat_sock *s, const struct plat_iov *iov, size_t n,
		    unsigned flags, unsigned *oflags, struct plat_addr *from)
{
	net_poll();
	if (oflags)
		*oflags = 0;
	if (s->type == PLAT_SOCK_DGRAM)
		return net_udp_recv(s, iov, n, flags, oflags, from);
	if (from && s->pcb.tcp && s->state == SOCK_CONNECTED)
		net_ip_to_addr(s, &s->pcb.tcp->remote_ip, s->pcb.tcp->remote_port, from);
	return net_tcp_recv(s, iov, n, flags);
}

long plat_sock_send(struct plat_sock *s, const struct plat_iov *iov, size_t n,
		    const struct plat_addr *to)
{
	net_poll();
	if (s->type == PLAT_SOCK_DGRAM)
		return net_udp_send(s, iov, n, to);
	return net_tcp_send(s, iov, n);
}

int plat_sock_shutdown(struct plat_sock *s, unsigned how)
{
	net_poll();
	if (!how || how & ~(PLAT_SHUT_RD | PLAT_SHUT_WR))
		return -EINVAL;
	if (s->type == PLAT_SOCK_STREAM)
		return net_tcp_shutdown(s, how);
	if (!s->pcb.udp || !(s->pcb.udp->flags & UDP_FLAGS_CONNECTED))
		return -ENOTCONN;
	s->rd_shut |= (how & PLAT_SHUT_RD) != 0;
	s->wr_shut |= (how & PLAT_SHUT_WR) != 0;
	return 0;
}

int plat_sock_addr(struct plat_sock *s, int peer, struct plat_addr *out)
{
	const ip_addr_t *ip;
	u16_t port;

	net_poll();
	if (s->type == PLAT_SOCK_STREAM) {
		struct tcp_pcb *p = s->pcb.tcp;

		if (peer && (s->state != SOCK_CONNECTED || !p))
			return -ENOTCONN;
		if (!p) {                       /* dead: lwIP has forgotten */
			memset(out, 0, sizeof *out);
			out->family = s->family;
			return 0;
		}
		ip = peer ? &p->remote_ip : &p->local_ip;
		port = peer ? p->remote_port : p->local_port;
	} else {
		struct udp_pcb *p = s->pcb.udp;

		if (peer && !(p->flags & UDP_FLAGS_CONNECTED))
			return -ENOTCONN;
		ip = peer ? &p->remote_ip : &p->local_ip;
		port = peer ? p->remote_port : p->local_port;
	}
	if (ip_addr_isany(ip)) {                /* unbound: the family's "any" */
		memset(out, 0, sizeof *out);
		out->family = s->family;
		out->port = port;
		return 0;
	}
	net_ip_to_addr(s, ip, port, out);
	return 0;
}

/* ---- options -------------------------------------------------------------- */

/* The pcb's so_options (TCP: NULL once dead). */
static u8_t *so_options(struct plat_sock *s)
{
	if (s->type == PLAT_SOCK_STREAM)
		return s->pcb.tcp ? &s->pcb.tcp->so_options : NULL;
	return &s->pcb.udp->so_options;
}

static int sockopt_flag(enum plat_sockopt opt)
{
	switch (opt) {
	case PLAT_SO_REUSEADDR: return SOF_REUSEADDR;
	case PLAT_SO_KEEPALIVE: return SOF_KEEPALIVE;
	case PLAT_SO_BROADCAST: return SOF_BROADCAST;
	default: return 0;
	}
}

int plat_sock_setopt(struct plat_sock *s, enum plat_sockopt opt, int val)
{
	int flag = sockopt_flag(opt);
	u8_t *o;

	net_poll();
	if (flag) {
		if (!(o = so_options(s)))
			return -EINVAL;
		*o = (u8_t)(val ? *o | flag : *o & ~flag);
		return 0;
	}
	switch (opt) {
	case PLAT_SO_SNDBUF:
	case PLAT_SO_RCVBUF:
		if (val < 0)
			return -EINVAL;
		*(opt == PLAT_SO_SNDBUF ? &s->sndbuf : &s->rcvbuf) = val;
		return 0;
	case PLAT_SO_ERROR:
		return -ENOPROTOOPT;            /* read-only */
	default:
		return s->type == PLAT_SOCK_STREAM ? net_tcp_setopt(s, opt, val)
						   : -ENOPROTOOPT;
	}
}

int plat_sock_getopt(struct plat_sock *s, enum plat_sockopt opt, int *val)
{
	int flag = sockopt_flag(opt);
	u8_t *o;

	net_poll();
	if (flag) {
		o = so_options(s);
		*val = o && (*o & flag) ? 1 : 0;
		return 0;
	}
	switch (opt) {
	case PLAT_SO_SNDBUF:
		*val = s->sndbuf ? s->sndbuf : s->type == PLAT_SOCK_STREAM ?
		       (int)TCP_SND_BUF : DGRAM_SIZE_MAX;
		return 0;
	case PLAT_SO_RCVBUF:
		*val = s->rcvbuf ? s->rcvbuf : s->type == PLAT_SOCK_STREAM ?
		       (int)TCP_WND : (int)DGRAM_BYTES_MAX;
		return 0;
	case PLAT_SO_ERROR:
		*val = s->err;
		s->err = 0;
		return 0;
	default:
		return s->type == PLAT_SOCK_STREAM ? net_tcp_getopt(s, opt, val)
						   : -ENOPROTOOPT;
	}
}

/* ---- poll, waiting ------------------------------------------------------------ */

static unsigned sock_events(struct plat_sock *s, uint64_t *nread)
{
	if (nread)
		*nread = 0;
	return s->type == PLAT_SOCK_STREAM ? net_tcp_poll(s, nread) : net_udp_poll(s, nread);
}

unsigned plat_sock_poll(struct plat_sock *s, uint64_t *nread)
{
	net_poll();
	return sock_events(s, nread);
}

bool net_socks_ready(const struct plat_wait_sock *socks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned want = socks[i].events | PLAT_POLL_ERR;

		if (socks[i].events & PLAT_POLL_IN)
			want |= PLAT_POLL_HUP;          /* plat.h: HUP wakes readers */
		if (socks[i].s && sock_events(socks[i].s, NULL) & want)
			return true;
	}
	return false;
}

/* ---- closes in the background ------------------------------------------------ */

struct closing {
	struct closing *next;
	struct tcp_pcb *pcb;            /* NULL: lwIP freed it meanwhile */
	uint64_t since, retry_at;
};

static struct closing *closing;

/* lwIP freed a pcb we were still trying to close (reset, timeout). */
static void closing_err(void *arg, err_t err)
{
	struct closing *c = arg;

	c->pcb = NULL;
}

void net_sock_close_later(struct tcp_pcb *pcb)
{
	struct closing *c = calloc(1, sizeof *c);

	if (!c) {                       /* no memory either: reset it now */
		tcp_abort(pcb);
		return;
	}
	c->pcb = pcb;
	c->since = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	c->retry_at = c->since + CLOSE_RETRY_NS;
	tcp_arg(pcb, c);
	tcp_err(pcb, closing_err);
	c->next = closing;
	closing = c;
}

/* Retry one; true when it is done with (closed, aborted or gone). */
static bool closing_retry(struct closing *c, uint64_t now)
{
	if (!c->pcb)
		return true;
	if (now < c->retry_at)
		return false;
	tcp_err(c->pcb, NULL);          /* before: tcp_close may free it */
	tcp_arg(c->pcb, NULL);
	if (tcp_close(c->pcb) == ERR_OK)
		return true;            /* lwIP's now */
	if (now - c->since >= CLOSE_GIVE_UP_NS) {
		tcp_abort(c->pcb);
		return true;
	}
	tcp_arg(c->pcb, c);
	tcp_err(c->pcb, closing_err);
	c->retry_at = now + CLOSE_RETRY_NS;
	return false;
}

void net_sock_background(void)
{
	uint64_t now;

	if (!closing)
		return;
	now = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	for (struct closing **pp = &closing; *pp;) {
		struct closing *c = *pp;

		if (closing_retry(c, now)) {
			*pp = c->next;
			free(c);
		} else {
			pp = &c->next;
		}
	}
}

uint64_t net_sock_next_deadline(void)
{
	uint64_t d = UINT64_MAX;

	for (struct closing *c = closing; c; c = c->next)
		if (c->retry_at < d)
			d = c->retry_at;
	return d;
}
