/*
 * sock_udp.c — datagram sockets of jit/plat.h on lwIP's raw UDP API
 * (lwIP 2.1.3 src/include/lwip/udp.h).  Received datagrams wait in a
 * queue bounded by DGRAM_MAX datagrams and DGRAM_BYTES_MAX bytes (more
 * are dropped, as a full socket buffer drops them); a datagram is read
 * whole or cut (PLAT_MSG_TRUNC).  Sending copies the datagram into a
 * pbuf; lwIP fragments it above the MTU.  Broadcast needs SO_BROADCAST
 * (IP_SOF_BROADCAST), else -EACCES as on Linux.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lwip/netif.h"
#include "lwip/udp.h"
#include "net.h"
#include "sock_priv.h"

static void on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
		    const ip_addr_t *addr, u16_t port)
{
	struct plat_sock *s = arg;
	size_t ts = net_pbuf_truesize(p);
	struct dgram *d;

	/* (all sockets' queues full: the first datagram of an empty queue
	 * still gets in, as TCP's first chain does; net/sock_priv.h) */
	if (s->rd_shut || s->dq_n >= DGRAM_MAX || s->dq_bytes + p->tot_len > DGRAM_BYTES_MAX ||
	    (s->dq_n && net_sock_rx_full(ts)) || !(d = calloc(1, sizeof *d))) {
		pbuf_free(p);           /* full: dropped, as UDP may */
		return;
	}
	d->p = p;
	ip_addr_copy(d->from, *addr);
	d->port = port;
	if (s->dq_tail)
		s->dq_tail->next = d;
	else
		s->dq_head = d;
	s->dq_tail = d;
	s->dq_n++;
	s->dq_bytes += p->tot_len;
	net_sock_rx_held += ts;
}

int net_udp_open(struct plat_sock *s)
{
	struct udp_pcb *pcb = udp_new_ip_type(s->family == PLAT_AF_INET ? IPADDR_TYPE_V4
									 : IPADDR_TYPE_ANY);

	if (!pcb)
		return -ENOBUFS;
	s->pcb.udp = pcb;
	s->state = SOCK_NEW;
	udp_recv(pcb, on_recv, s);
	return 0;
}

static void dgram_pop(struct plat_sock *s)
{
	struct dgram *d = s->dq_head;

	s->dq_head = d->next;
	if (!s->dq_head)
		s->dq_tail = NULL;
	s->dq_n--;
	s->dq_bytes -= d->p->tot_len;
	net_sock_rx_held -= net_pbuf_truesize(d->p);
	pbuf_free(d->p);
	free(d);
}

void net_udp_close(struct plat_sock *s)
{
	udp_remove(s->pcb.udp);
	while (s->dq_head)
		dgram_pop(s);
}

int net_udp_connect(struct plat_sock *s, const ip_addr_t *ip, u16_t port)
{
	if (s->family == PLAT_AF_INET && !IP_IS_V4(ip))
		return -EAFNOSUPPORT;
	return net_err_errno(udp_connect(s->pcb.udp, ip, port));
}

long net_udp_recv(struct plat_sock *s, const struct plat_iov *iov, size_t n,
		  unsigned flags, unsigned *oflags, struct plat_addr *from)
{
	struct dgram *d = s->dq_head;
	size_t off = 0;

	if (!d)
		return s->rd_shut ? 0 : -EAGAIN;
	for (size_t i = 0; i < n && off < d->p->tot_len; i++) {
		size_t k = d->p->tot_len - off;

		if (k > iov[i].len)
			k = iov[i].len;
		pbuf_copy_partial(d->p, iov[i].base, (u16_t)k, (u16_t)off);
		off += k;
	}
	if (off < d->p->tot_len && oflags)
		*oflags |= PLAT_MSG_TRUNC;
	if (from)
		net_ip_to_addr(s, &d->from, d->port, from);
	if (!(flags & PLAT_MSG_PEEK))
		dgram_pop(s);
	return (long)off;
}

/* Sending to a broadcast address needs SO_BROADCAST. */
static bool broadcast_denied(struct udp_pcb *pcb, const ip_addr_t *ip)
{
	struct netif *n;

	if (!IP_IS_V4(ip) || ip_get_option(pcb, SOF_BROADCAST))
		return false;
	NETIF_FOREACH(n)                /* 255.255.255.255, or a subnet's */
		if (ip4_addr_isbroadcast(ip_2_ip4(ip), n))
			return true;
	return false;
}

long net_udp_send(struct plat_sock *s, const struct plat_iov *iov, size_t n,
		  const struct plat_addr *to)
{
	struct udp_pcb *pcb = s->pcb.udp;
	size_t total = 0, off = 0;
	ip_addr_t ip;
	struct pbuf *p;
	err_t e;
	int r;

	if (s->wr_shut)
		return -EPIPE;
	for (size_t i = 0; i < n; i++) {
		if (iov[i].len > DGRAM_SIZE_MAX - total)
			return -EMSGSIZE;
		total += iov[i].len;
	}
	if (to && (r = net_addr_to_ip(s, to, &ip)))
		return r;
	if (!to && !(pcb->flags & UDP_FLAGS_CONNECTED))
		return -EDESTADDRREQ;
	if (to && s->family == PLAT_AF_INET && !IP_IS_V4(&ip))
		return -EAFNOSUPPORT;
	if (broadcast_denied(pcb, to ? &ip : &pcb->remote_ip))
		return -EACCES;
	if (!(p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)total, PBUF_RAM)))
		return -ENOBUFS;
	for (size_t i = 0; i < n; i++) {
		pbuf_take_at(p, iov[i].base, (u16_t)iov[i].len, (u16_t)off);
		off += iov[i].len;
	}
	e = to ? udp_sendto(pcb, p, &ip, to->port) : udp_send(pcb, p);
	pbuf_free(p);
	return e == ERR_OK ? (long)total : net_err_errno(e);
}

unsigned net_udp_poll(struct plat_sock *s, uint64_t *nread)
{
	unsigned ev = PLAT_POLL_OUT;    /* a send never waits (after SHUT_WR it
					   fails at once, as Linux's) */

	if (s->dq_head) {
		ev |= PLAT_POLL_IN;
		if (nread)
			*nread = s->dq_head->p->tot_len;
	} else if (s->rd_shut) {
		ev |= PLAT_POLL_IN;
	}
	return ev;
}
