/*
 * sock_tcp.c — stream sockets of jit/plat.h on lwIP's raw TCP API (lwIP
 * 2.1.3 src/include/lwip/tcp.h): listen/accept with the accept queue
 * bounded by the backlog, non-blocking connect, a receive queue that is
 * acknowledged to the window only as the application reads it, sends
 * copied into lwIP (tcp_write with TCP_WRITE_FLAG_COPY).  Common parts:
 * net/sock.c; bounds: net/sock_priv.h.
 *
 * Who owns the pcb: the socket, from tcp_new (or the accept callback)
 * until plat_sock_close hands it to lwIP (tcp_close) or lwIP frees it and
 * says so (the err callback: reset, timeout, refused), or it reaches
 * CLOSING/TIME_WAIT after both FINs -- lwIP frees those without a word,
 * so the socket lets go of the pcb when the peer's FIN arrives after ours.
 * Listening pcbs have no err/recv/sent callbacks (lwIP asserts on them).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lwip/priv/tcp_priv.h"         /* tcp_process_refused_data */
#include "lwip/tcp.h"
#include "net.h"
#include "sock_priv.h"

/* ---- the receive queue ------------------------------------------------------ */

static struct pbuf **rxq_at(struct plat_sock *s, unsigned i)
{
	return &s->rxq[(s->rx_head + i) % RXQ_MAX];
}

static void rxq_free(struct plat_sock *s)
{
	while (s->rx_n) {
		pbuf_free(*rxq_at(s, 0));
		s->rx_head = (s->rx_head + 1) % RXQ_MAX;
		s->rx_n--;
	}
	net_sock_rx_held -= s->rx_truesize;
	s->rx_len = s->rx_truesize = 0;
}

/* Tell lwIP the application took n bytes: the window opens again. */
static void window_open(struct plat_sock *s, size_t n)
{
	struct tcp_pcb *pcb = s->pcb.tcp;

	while (pcb && n) {
		u16_t k = n > 0xffff ? 0xffff : (u16_t)n;

		tcp_recved(pcb, k);
		n -= k;
	}
	/* Data lwIP holds because the queue was full: take it now rather
	 * than at its next timer (may call on_recv, or on_err). */
	if (pcb && pcb->refused_data)
		tcp_process_refused_data(pcb);
}

/* Drop the first n bytes of the queue (n <= rx_len). */
static void rxq_consume(struct plat_sock *s, size_t n)
{
	s->rx_len -= n;
	while (n) {
		struct pbuf **q = rxq_at(s, 0);
		size_t len = (*q)->tot_len, k = n < len ? n : len;
		size_t was = net_pbuf_truesize(*q), freed;

		*q = pbuf_free_header(*q, (u16_t)k);
		n -= k;
		freed = was - (*q ? net_pbuf_truesize(*q) : 0);
		s->rx_truesize -= freed;
		net_sock_rx_held -= freed;
		if (!*q) {
			s->rx_head = (s->rx_head + 1) % RXQ_MAX;
			s->rx_n--;
		}
	}
}

/* Copy from the queue into iov[0..n); nothing is consumed. */
static size_t rxq_copy(struct plat_sock *s, const struct plat_iov *iov, size_t n)
{
	unsigned qi = 0;
	size_t off = 0, total = 0;

	for (size_t i = 0; i < n && qi < s->rx_n; i++) {
		size_t done = 0;

		while (done < iov[i].len && qi < s->rx_n) {
			struct pbuf *q = *rxq_at(s, qi);
			size_t k = q->tot_len - off;

			if (k > iov[i].len - done)
				k = iov[i].len - done;
			pbuf_copy_partial(q, (uint8_t *)iov[i].base + done, (u16_t)k, (u16_t)off);
			done += k;
			off += k;
			if (off == q->tot_len) {
				qi++;
				off = 0;
			}
		}
		total += done;
	}
	return total;
}

/* ---- callbacks (run inside net_poll or an lwIP call) ------------------------ */

static void detach(struct tcp_pcb *pcb);

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct plat_sock *s = arg;
	size_t ts;

	if (!p) {                       /* the peer's FIN */
		s->peer_fin = true;
		if (pcb->state == TIME_WAIT || pcb->state == CLOSING) {
			/* Both FINs are out: lwIP frees the pcb on its own. */
			detach(pcb);
			s->pcb.tcp = NULL;
			s->state = SOCK_DEAD;
		}
		return ERR_OK;
	}
	if (s->rd_shut) {               /* shutdown(SHUT_RD): swallow it */
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	}
	ts = net_pbuf_truesize(p);
	/* Full (this queue, or all sockets' together: net/sock_priv.h): lwIP
	 * holds the data and stops taking more -- except after both FINs,
	 * when lwIP would keep it in a pcb it frees silently. */
	if (s->rx_n && (s->rx_n == RXQ_MAX || s->rx_truesize + ts > RX_TRUESIZE_MAX ||
			net_sock_rx_full(ts)) &&
	    pcb->state != TIME_WAIT && pcb->state != CLOSING)
		return ERR_MEM;
	if (s->rx_n == RXQ_MAX) {
		/* (only then) 256 chains unread and the connection over: the
		 * application is not reading; this last piece is lost. */
		pbuf_free(p);
		return ERR_OK;
	}
	*rxq_at(s, s->rx_n) = p;
	s->rx_n++;
	s->rx_len += p->tot_len;
	s->rx_truesize += ts;
	net_sock_rx_held += ts;
	return ERR_OK;
}

static err_t recv_discard(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	if (p) {
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
	}
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct plat_sock *s = arg;

	if (s)
		s->wblocked = false;
	net_sock_mem_gen++;             /* memory freed: others may write */
	return ERR_OK;
}

static void acq_remove(struct plat_sock *l, struct plat_sock *c)
{
	for (unsigned i = 0; i < l->acq_n; i++)
		if (l->acq[i] == c) {
			memmove(&l->acq[i], &l->acq[i + 1], (l->acq_n - i - 1) * sizeof *l->acq);
			l->acq_n--;
			return;
		}
}

/* lwIP freed the pcb: reset, refused, timed out, or closed after both
 * FINs (ERR_CLSD). */
static void on_err(void *arg, err_t err)
{
	struct plat_sock *s = arg;
	int e = 0;

	if (!s)
		return;
	if (err == ERR_RST)
		e = s->state == SOCK_CONNECTING ? ECONNREFUSED : ECONNRESET;
	else if (err == ERR_ABRT)
		e = ETIMEDOUT;          /* lwIP's timers: retransmissions, keepalive */
	else if (err != ERR_CLSD)
		e = -net_err_errno(err);
	s->pcb.tcp = NULL;
	s->state = SOCK_DEAD;
	s->err = s->dead_err = e;
	if (err == ERR_CLSD)
		s->peer_fin = true;
	if (s->listener) {              /* never accepted: nobody will ask */
		acq_remove(s->listener, s);
		rxq_free(s);
		free(s);
	}
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct plat_sock *s = arg;

	s->state = SOCK_CONNECTED;
	if (s->nodelay)
		tcp_nagle_disable(pcb);
	return ERR_OK;
}

static void attach(struct plat_sock *s, struct tcp_pcb *pcb)
{
	s->pcb.tcp = pcb;
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
}

static void detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, recv_discard);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
}

static err_t on_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct plat_sock *l = arg, *c;

	if (!l || err != ERR_OK || !newpcb)
		return ERR_VAL;
	if (l->acq_n >= l->acq_cap || !(c = calloc(1, sizeof *c)))
		return ERR_MEM;         /* lwIP resets it */
	c->family = l->family;
	c->type = PLAT_SOCK_STREAM;
	c->state = SOCK_CONNECTED;
	c->nodelay = l->nodelay;
	c->listener = l;
	attach(c, newpcb);
	tcp_backlog_delayed(newpcb);    /* counts against the backlog until
					   the application accepts it */
	l->acq[l->acq_n++] = c;
	return ERR_OK;
}

/* ---- the socket calls ---------------------------------------------------------- */

int net_tcp_open(struct plat_sock *s)
{
	struct tcp_pcb *pcb = tcp_new_ip_type(s->family == PLAT_AF_INET ? IPADDR_TYPE_V4
									 : IPADDR_TYPE_ANY);

	if (!pcb)
		return -ENOBUFS;
	s->state = SOCK_NEW;
	attach(s, pcb);
	return 0;
}

/* A listener's queued connections: reset and freed. */
static void acq_drop(struct plat_sock *l)
{
	while (l->acq_n) {
		struct plat_sock *c = l->acq[--l->acq_n];

		if (c->pcb.tcp) {
			detach(c->pcb.tcp);
			tcp_abort(c->pcb.tcp);
		}
		rxq_free(c);
		free(c);
	}
	free(l->acq);
	l->acq = NULL;
}

void net_tcp_close(struct plat_sock *s)
{
	struct tcp_pcb *pcb = s->pcb.tcp;

	if (s->state == SOCK_LISTEN) {
		acq_drop(s);
		tcp_arg(pcb, NULL);
		tcp_close(pcb);         /* a listen pcb is freed at once */
	} else if (pcb) {
		detach(pcb);
		if (s->rx_len)          /* unread data: reset (RFC 2525 2.17) */
			tcp_abort(pcb);
		else if (tcp_close(pcb) != ERR_OK)
			net_sock_close_later(pcb);
	}
	s->pcb.tcp = NULL;
	rxq_free(s);
}

int net_tcp_listen(struct plat_sock *s, int backlog)
{
	struct tcp_pcb *pcb = s->pcb.tcp, *lpcb;
	err_t e = ERR_OK;

	if (s->state == SOCK_LISTEN)
		return 0;
	if (s->state != SOCK_NEW || !pcb)
		return -EINVAL;
	backlog = backlog < 1 ? 1 : backlog > BACKLOG_MAX ? BACKLOG_MAX : backlog;
	if (!pcb->local_port &&         /* not bound: an ephemeral port */
	    (e = tcp_bind(pcb, s->family == PLAT_AF_INET ? IP4_ADDR_ANY : IP_ANY_TYPE, 0)))
		return net_err_errno(e);
	if (!(s->acq = calloc((size_t)backlog, sizeof *s->acq)))
		return -ENOMEM;
	lpcb = tcp_listen_with_backlog_and_err(pcb, (u8_t)backlog, &e);
	if (!lpcb) {
		free(s->acq);
		s->acq = NULL;
		return e == ERR_USE ? -EADDRINUSE : -ENOBUFS;
	}
	s->acq_cap = (unsigned)backlog;
	s->pcb.tcp = lpcb;              /* the old pcb is freed */
	s->state = SOCK_LISTEN;
	tcp_arg(lpcb, s);
	tcp_accept(lpcb, on_accept);
	return 0;
}

int net_tcp_accept(struct plat_sock *s, struct plat_sock **out, struct plat_addr *peer)
{
	struct plat_sock *c;

	if (s->state != SOCK_LISTEN)
		return -EINVAL;
	if (!s->acq_n)
		return -EAGAIN;
	c = s->acq[0];
	memmove(&s->acq[0], &s->acq[1], (s->acq_n - 1) * sizeof *s->acq);
	s->acq_n--;
	c->listener = NULL;
	/* Queued connections die off the queue (on_err), so this one lives. */
	tcp_backlog_accepted(c->pcb.tcp);
	if (c->nodelay)
		tcp_nagle_disable(c->pcb.tcp);
	if (peer)
		net_ip_to_addr(c, &c->pcb.tcp->remote_ip, c->pcb.tcp->remote_port, peer);
	*out = c;
	return 0;
}

/* The error a dead or shut stream reports: the pending one first. */
static long stream_error(struct plat_sock *s, long otherwise)
{
	int e = s->err;

	if (e) {
		s->err = 0;
		return -e;
	}
	return otherwise;
}

int net_tcp_connect(struct plat_sock *s, const ip_addr_t *ip, u16_t port)
{
	err_t e;

	switch (s->state) {
	case SOCK_CONNECTING: return -EALREADY;
	case SOCK_CONNECTED: return -EISCONN;
	case SOCK_LISTEN: return -EISCONN;
	case SOCK_DEAD: return (int)stream_error(s, -EINVAL);   /* lwIP's pcb is gone */
	default: break;
	}
	if (s->family == PLAT_AF_INET && !IP_IS_V4(ip))
		return -EAFNOSUPPORT;
	e = tcp_connect(s->pcb.tcp, ip, port, on_connected);
	if (e != ERR_OK)
		return net_err_errno(e);
	if (s->state == SOCK_NEW)       /* not already connected by loopback */
		s->state = SOCK_CONNECTING;
	return s->state == SOCK_CONNECTED ? 0 : -EINPROGRESS;
}

long net_tcp_recv(struct plat_sock *s, const struct plat_iov *iov, size_t n,
		  unsigned flags)
{
	size_t got;

	if (s->state == SOCK_NEW || s->state == SOCK_LISTEN)
		return -ENOTCONN;
	if (!s->rx_len) {
		if (s->rd_shut || s->peer_fin)
			return 0;
		if (s->state == SOCK_DEAD)
			return stream_error(s, 0);
		return -EAGAIN;
	}
	got = rxq_copy(s, iov, n);
	if (!(flags & PLAT_MSG_PEEK) && got) {
		rxq_consume(s, got);
		window_open(s, got);
	}
	return (long)got;
}

/* Whether lwIP can take more now (send buffer, segments, memory). */
static bool writable(struct plat_sock *s)
{
	struct tcp_pcb *pcb = s->pcb.tcp;

	return pcb && s->state == SOCK_CONNECTED && !s->wr_shut && tcp_sndbuf(pcb) > 0 &&
	       tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN &&
	       !(s->wblocked && s->wblock_gen == net_sock_mem_gen);
}

long net_tcp_send(struct plat_sock *s, const struct plat_iov *iov, size_t n)
{
	struct tcp_pcb *pcb = s->pcb.tcp;
	size_t total = 0;
	err_t e = ERR_OK;

	if (s->wr_shut)
		return -EPIPE;
	if (s->state == SOCK_DEAD)
		return stream_error(s, -EPIPE);
	if (s->state == SOCK_CONNECTING)
		return -EAGAIN;
	if (s->state != SOCK_CONNECTED)
		return -ENOTCONN;
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		size_t done = 0;

		while (done < iov[i].len) {
			size_t room = tcp_sndbuf(pcb), k = iov[i].len - done;
			u8_t more = TCP_WRITE_FLAG_COPY;

			if (!room || tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN) {
				e = ERR_MEM;
				break;
			}
			if (k > room)
				k = room;
			if (k < iov[i].len - done || i + 1 < n)
				more |= TCP_WRITE_FLAG_MORE;
			if ((e = tcp_write(pcb, (const uint8_t *)iov[i].base + done, (u16_t)k,
					   more)) != ERR_OK)
				break;
			done += k;
		}
		total += done;
	}
	if (total) {
		tcp_output(pcb);
		return (long)total;
	}
	if (e == ERR_MEM) {
		s->wblocked = true;     /* until memory is freed somewhere */
		s->wblock_gen = net_sock_mem_gen;
		return -EAGAIN;
	}
	return e == ERR_OK ? 0 : net_err_errno(e);
}

int net_tcp_shutdown(struct plat_sock *s, unsigned how)
{
	err_t e;

	if (s->state != SOCK_CONNECTED || !s->pcb.tcp)
		return -ENOTCONN;
	if (how & PLAT_SHUT_RD && !s->rd_shut) {
		size_t n = s->rx_len;

		s->rd_shut = true;
		rxq_free(s);
		window_open(s, n);
	}
	if (how & PLAT_SHUT_WR && !s->wr_shut && s->pcb.tcp) {
		if ((e = tcp_shutdown(s->pcb.tcp, 0, 1)) != ERR_OK)
			return net_err_errno(e);
		s->wr_shut = true;
	}
	return 0;
}

unsigned net_tcp_poll(struct plat_sock *s, uint64_t *nread)
{
	unsigned ev = 0;

	switch (s->state) {
	case SOCK_NEW:
		return PLAT_POLL_OUT | PLAT_POLL_HUP;   /* as Linux: not connected */
	case SOCK_LISTEN:
		return s->acq_n ? PLAT_POLL_IN : 0;
	case SOCK_CONNECTING:
		return 0;
	default:
		break;
	}
	if (nread)
		*nread = s->rx_len;
	if (s->rx_len || s->peer_fin || s->rd_shut || s->state == SOCK_DEAD)
		ev |= PLAT_POLL_IN;
	if (s->peer_fin || s->state == SOCK_DEAD)
		ev |= PLAT_POLL_HUP;
	if (s->err)
		ev |= PLAT_POLL_ERR;
	/* Writable also where a send fails at once (shut, or dead with its
	 * error read), as Linux says: else a writer would wait forever. */
	if (writable(s) || s->wr_shut || s->state == SOCK_DEAD)
		ev |= PLAT_POLL_OUT;
	return ev;
}

int net_tcp_setopt(struct plat_sock *s, enum plat_sockopt opt, int val)
{
	if (opt != PLAT_TCP_NODELAY)
		return -ENOPROTOOPT;
	s->nodelay = val != 0;
	if (s->pcb.tcp && s->state != SOCK_LISTEN) {
		if (s->nodelay)
			tcp_nagle_disable(s->pcb.tcp);
		else
			tcp_nagle_enable(s->pcb.tcp);
	}
	return 0;
}

int net_tcp_getopt(struct plat_sock *s, enum plat_sockopt opt, int *val)
{
	if (opt != PLAT_TCP_NODELAY)
		return -ENOPROTOOPT;
	*val = s->nodelay;
	return 0;
}
