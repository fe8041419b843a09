/*
 * test_net_sock.c — the kernel's socket layer (net/sock.c, sock_tcp.c,
 * sock_udp.c, resolve.c: jit/plat.h's plat_sock_* on lwIP's raw API)
 * compiled for the host against lwIP (Debian's source, the kernel's own
 * net/lwipopts.h) on lwIP's loopback interface, so the semantics the WASI
 * layer relies on are checked in milliseconds: non-blocking connect
 * (-EINPROGRESS, then POLL_OUT), accept queue bounded by the backlog, the
 * receive queue bounded by the window when the application does not read,
 * unread sockets (TCP and UDP) sharing one bound on the memory they hold,
 * a SYN flood's idle half-open connections recycled for a real client,
 * EOF/HUP after the peer's shutdown, reset on close with unread data
 * (ECONNRESET through SO_ERROR), writable where a send fails at once,
 * connection refused, UDP queues and
 * truncation, IPv6 listeners on "::" (IPv6 only), IPv4 peers of IPv6
 * sockets, bind errors, name resolution of
 * numeric names and "localhost".
 *
 * net_poll/net_ready are the kernel's (net/net.c); here they run lwIP's
 * loopback queue and timers.  The clock is the host's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "lwip/inet_chksum.h"
#include "lwip/init.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"   /* tcp_active_pcbs: half-open connections */
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "net.h"
#include "plat.h"
#include "net_hooks.h"          /* net_syn_recycled */
#include "sock_priv.h"          /* RX_HELD_MAX, net_sock_rx_held */

#define LOOP_NS 5000000000ull   /* a condition must hold within 5 s */

static bool started;

void net_lwip_assert(const char *msg, const char *file, int line)
{
	fprintf(stderr, "lwIP assertion \"%s\" failed at %s:%d\n", msg, file, line);
	abort();
}

bool net_ready(void)
{
	return started;
}

void net_poll(void)
{
	static bool in;

	if (!started || in)
		return;
	in = true;
	netif_poll_all();
	sys_check_timeouts();
	net_sock_background();
	in = false;
}

/* The kernel's plat_wait runs the network and sleeps until an interrupt;
 * here lwIP is the only thing there is: run it, sleep a millisecond. */
void plat_wait(uint64_t deadline_ns, int console,
	       const struct plat_wait_sock *socks, size_t n)
{
	uint64_t now = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	struct timespec ts = { .tv_nsec = 1000000 };

	net_poll();
	if (now < deadline_ns && (n == 0 || !net_socks_ready(socks, n)))
		nanosleep(&ts, NULL);
}

/* ---- helpers ------------------------------------------------------------------ */

static struct plat_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	return (struct plat_addr){ .family = PLAT_AF_INET, .addr = { a, b, c, d },
				   .port = port };
}

static struct plat_addr v6_loopback(uint16_t port)
{
	return (struct plat_addr){ .family = PLAT_AF_INET6, .addr = { [15] = 1 },
				   .port = port };
}

/* Poll until s has one of the events (true) or LOOP_NS passed. */
static bool wait_for(struct plat_sock *s, unsigned events)
{
	uint64_t t0 = plat_clock_ns(PLAT_CLOCK_MONOTONIC);

	while (plat_clock_ns(PLAT_CLOCK_MONOTONIC) - t0 < LOOP_NS) {
		if (plat_sock_poll(s, NULL) & events)
			return true;
		usleep(200);
	}
	return false;
}

static struct plat_sock *listener(int family, uint16_t *port, int backlog)
{
	struct plat_sock *l = NULL;
	struct plat_addr a = family == PLAT_AF_INET ? v4(127, 0, 0, 1, 0)
						     : (struct plat_addr){ .family = PLAT_AF_INET6 };

	CHECK(plat_sock_open(family, PLAT_SOCK_STREAM, &l) == 0);
	CHECK(plat_sock_bind(l, &a) == 0);
	CHECK(plat_sock_listen(l, backlog) == 0);
	CHECK(plat_sock_addr(l, 0, &a) == 0);
	*port = a.port;
	CHECK(*port != 0);
	return l;
}

/* A connected pair through a listener: c (client) and *srv (accepted). */
static struct plat_sock *connect_to(struct plat_sock *l, const struct plat_addr *to,
				    struct plat_sock **srv, struct plat_addr *peer)
{
	struct plat_sock *c = NULL;
	int r;

	CHECK(plat_sock_open(to->family, PLAT_SOCK_STREAM, &c) == 0);
	r = plat_sock_connect(c, to);
	CHECK(r == -EINPROGRESS || r == 0);
	CHECK(wait_for(c, PLAT_POLL_OUT));
	CHECK(wait_for(l, PLAT_POLL_IN));
	*srv = NULL;
	CHECK(plat_sock_accept(l, srv, peer) == 0);
	CHECK(*srv != NULL);
	return c;
}

/* Send all of buf from a while reading into out from b; both
 * non-blocking.  The bytes received. */
static size_t pump(struct plat_sock *a, const uint8_t *buf, size_t len,
		   struct plat_sock *b, uint8_t *out, size_t cap)
{
	size_t sent = 0, got = 0;
	uint64_t t0 = plat_clock_ns(PLAT_CLOCK_MONOTONIC);

	while (got < len && plat_clock_ns(PLAT_CLOCK_MONOTONIC) - t0 < LOOP_NS) {
		if (sent < len) {
			struct plat_iov iov = { (void *)(buf + sent), len - sent };
			long n = plat_sock_send(a, &iov, 1, NULL);

			CHECK(n > 0 || n == -EAGAIN);
			if (n > 0)
				sent += (size_t)n;
		}
		struct plat_iov in = { out + got, cap - got };
		long m = plat_sock_recv(b, &in, 1, 0, NULL, NULL);

		CHECK(m > 0 || m == -EAGAIN);
		if (m > 0)
			got += (size_t)m;
		else
			usleep(100);
	}
	return got;
}

/* ---- TCP ------------------------------------------------------------------------ */

TEST(tcp_transfer_and_eof)
{
	enum { LEN = 1 << 20 };
	uint8_t *buf = malloc(LEN), *out = malloc(LEN + 1);
	uint16_t port;
	struct plat_sock *l = listener(PLAT_AF_INET, &port, 4), *srv, *c;
	struct plat_addr peer, to = v4(127, 0, 0, 1, port);
	struct plat_iov iov = { out, 16 };
	uint64_t nread;

	for (size_t i = 0; i < LEN; i++)
		buf[i] = (uint8_t)(i * 7 + (i >> 11));
	c = connect_to(l, &to, &srv, &peer);
	CHECK(peer.family == PLAT_AF_INET && peer.addr[0] == 127 && peer.port != 0);
	/* nothing to read yet: -EAGAIN, and no POLL_IN */
	CHECK(plat_sock_recv(srv, &iov, 1, 0, NULL, NULL) == -EAGAIN);
	CHECK(!(plat_sock_poll(srv, NULL) & PLAT_POLL_IN));
	CHECK_EQ_U64(pump(c, buf, LEN, srv, out, LEN + 1), LEN);
	CHECK(!memcmp(buf, out, LEN));
	/* the other way, with PEEK first */
	CHECK_EQ_U64(pump(srv, (const uint8_t *)"hello", 5, c, out, 5), 5);
	CHECK(!memcmp(out, "hello", 5));
	CHECK(plat_sock_shutdown(c, PLAT_SHUT_WR) == 0);
	CHECK(wait_for(srv, PLAT_POLL_HUP));
	CHECK(plat_sock_poll(srv, &nread) & PLAT_POLL_IN);
	CHECK_EQ_U64(nread, 0);
	CHECK(plat_sock_recv(srv, &iov, 1, 0, NULL, NULL) == 0);        /* EOF */
	/* half-closed: the server still sends, the client still reads */
	struct plat_iov pk = { out, 3 };
	CHECK(plat_sock_send(srv, &(struct plat_iov){ "abc", 3 }, 1, NULL) == 3);
	CHECK(wait_for(c, PLAT_POLL_IN));
	CHECK(plat_sock_recv(c, &pk, 1, PLAT_MSG_PEEK, NULL, NULL) == 3);
	CHECK(plat_sock_recv(c, &pk, 1, 0, NULL, NULL) == 3 && !memcmp(out, "abc", 3));
	CHECK(plat_sock_send(c, &pk, 1, NULL) == -EPIPE);
	plat_sock_close(srv);
	CHECK(wait_for(c, PLAT_POLL_HUP));
	CHECK(plat_sock_recv(c, &iov, 1, 0, NULL, NULL) == 0);
	plat_sock_close(c);
	plat_sock_close(l);
	free(buf);
	free(out);
}

/* A peer that never reads: the sender is stopped by the window, and the
 * receiver holds at most TCP_WND bytes.  "Stopped" is a condition, not a
 * time: STALLED_SENDS sends in a row refused (the stack polled between
 * them), within LOOP_NS.  (It used to send for a fixed 2 s, and under
 * load the window was sometimes not full by then.) */
#define STALLED_SENDS 200
TEST(tcp_receive_bounded_by_window)
{
	static uint8_t chunk[65536], out[65536];
	uint16_t port;
	struct plat_sock *l = listener(PLAT_AF_INET, &port, 4), *srv, *c;
	struct plat_addr to = v4(127, 0, 0, 1, port);
	size_t sent = 0, got = 0;
	uint64_t nread = 0, t0;
	int stalled = 0;
	long n;

	c = connect_to(l, &to, &srv, NULL);
	t0 = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	while (stalled < STALLED_SENDS &&
	       plat_clock_ns(PLAT_CLOCK_MONOTONIC) - t0 < LOOP_NS) {
		n = plat_sock_send(c, &(struct plat_iov){ chunk, sizeof chunk }, 1, NULL);
		CHECK(n > 0 || n == -EAGAIN);
		if (n > 0) {
			sent += (size_t)n;
			stalled = 0;
		} else {
			stalled++;
			usleep(1000);
		}
		net_poll();
	}
	CHECK(stalled == STALLED_SENDS);
	plat_sock_poll(srv, &nread);
	CHECK(nread > 0 && nread <= TCP_WND);
	CHECK(sent <= TCP_WND + TCP_SND_BUF + 65536);
	CHECK(!(plat_sock_poll(c, NULL) & PLAT_POLL_OUT));
	/* reading reopens the window: everything arrives */
	t0 = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	while (got < sent && plat_clock_ns(PLAT_CLOCK_MONOTONIC) - t0 < LOOP_NS) {
		n = plat_sock_recv(srv, &(struct plat_iov){ out, sizeof out }, 1, 0, NULL, NULL);
		if (n > 0)
			got += (size_t)n;
		else
			usleep(200);
	}
	CHECK_EQ_U64(got, sent);
	plat_sock_close(c);
	plat_sock_close(srv);
	plat_sock_close(l);
}

/* Connections a server never reads share one bound (RX_HELD_MAX) on the
 * receive memory they hold, on top of each one's window: without it, a
 * dozen unread windows took all of the kernel's PBUF_POOL and the NIC
 * dropped every frame from then on (tests/net/hostile.sh); here, on
 * loopback, they took lwIP's heap.  A connection that has nothing queued
 * still gets its data, and closing them gives all of it back. */
#define UNREAD_CONNS 10
TEST(tcp_unread_sockets_share_a_bound)
{
	static uint8_t chunk[65536];
	uint16_t port;
	struct plat_sock *l = listener(PLAT_AF_INET, &port, 16), *srv[UNREAD_CONNS + 1],
			 *c[UNREAD_CONNS + 1];
	struct plat_addr to = v4(127, 0, 0, 1, port);
	uint64_t t0, nread, queued = 0;
	char out[8];

	for (int i = 0; i < UNREAD_CONNS; i++)
		c[i] = connect_to(l, &to, &srv[i], NULL);
	t0 = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	while (plat_clock_ns(PLAT_CLOCK_MONOTONIC) - t0 < 1500000000ull) {
		for (int i = 0; i < UNREAD_CONNS; i++) {
			long n = plat_sock_send(c[i], &(struct plat_iov){ chunk, sizeof chunk }, 1,
						NULL);

			CHECK(n > 0 || n == -EAGAIN);
		}
		usleep(1000);
	}
	for (int i = 0; i < UNREAD_CONNS; i++) {
		plat_sock_poll(srv[i], &nread);
		CHECK(nread > 0 && nread <= TCP_WND);
		queued += nread;
	}
	/* the shared bound held them back (not each a full window), and
	 * beyond it each holds at most its first segment */
	CHECK(queued < (uint64_t)UNREAD_CONNS * TCP_WND);
	CHECK(net_sock_rx_held <= RX_HELD_MAX + UNREAD_CONNS *
	      (PBUF_POOL_BUFSIZE + sizeof(struct pbuf)));
	CHECK(lwip_stats.mem.err == 0);
	c[UNREAD_CONNS] = connect_to(l, &to, &srv[UNREAD_CONNS], NULL);
	CHECK(plat_sock_send(c[UNREAD_CONNS], &(struct plat_iov){ "ping", 4 }, 1, NULL) == 4);
	CHECK(wait_for(srv[UNREAD_CONNS], PLAT_POLL_IN));
	CHECK(plat_sock_recv(srv[UNREAD_CONNS], &(struct plat_iov){ out, sizeof out }, 1, 0,
			     NULL, NULL) == 4 && !memcmp(out, "ping", 4));
	for (int i = 0; i <= UNREAD_CONNS; i++) {
		plat_sock_close(srv[i]);
		plat_sock_close(c[i]);
	}
	plat_sock_close(l);
	CHECK_EQ_U64(net_sock_rx_held, 0);
}

TEST(tcp_backlog_bounds_accept_queue)
{
	uint16_t port;
	struct plat_sock *l = listener(PLAT_AF_INET, &port, 2), *c[5], *s;
	struct plat_addr to = v4(127, 0, 0, 1, port);
	unsigned accepted = 0;
	uint64_t t0;

	for (int i = 0; i < 5; i++) {
		CHECK(plat_sock_open(PLAT_AF_INET, PLAT_SOCK_STREAM, &c[i]) == 0);
		CHECK(plat_sock_connect(c[i], &to) == -EINPROGRESS);
	}
	t0 = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	while (plat_clock_ns(PLAT_CLOCK_MONOTONIC) - t0 < 500000000ull) {
		net_poll();
		usleep(1000);
	}
	while (plat_sock_accept(l, &s, NULL) == 0) {
		accepted++;
		plat_sock_close(s);
	}
	CHECK_EQ_U64(accepted, 2);      /* the backlog; the rest wait in SYN_SENT */
	CHECK(plat_sock_accept(l, &s, NULL) == -EAGAIN);
	CHECK(plat_sock_connect(c[4], &to) == -EALREADY);
	CHECK(plat_sock_poll(c[4], NULL) == 0);                 /* in progress */
	for (int i = 0; i < 5; i++)
		plat_sock_close(c[i]);
	plat_sock_close(l);
}

/* A SYN from 10.9.9.LAST:SPORT to 127.0.0.1:DPORT, put on the loopback
 * interface as if it had arrived: the SYN-ACK has no route back, so the
 * connection stays half-open, as one from a spoofed address does. */
static void inject_syn(uint8_t last, uint16_t sport, uint16_t dport)
{
	struct pbuf *p = pbuf_alloc(PBUF_RAW, 40, PBUF_RAM);
	uint8_t *b = p->payload, ph[12];
	struct netif *n, *lo = NULL;
	uint32_t sum = 0;
	u16_t c;

	memset(b, 0, 40);
	b[0] = 0x45, b[3] = 40, b[8] = 64, b[9] = IP_PROTO_TCP;
	memcpy(b + 12, (uint8_t[4]){ 10, 9, 9, last }, 4);
	memcpy(b + 16, (uint8_t[4]){ 127, 0, 0, 1 }, 4);
	c = inet_chksum(b, 20);
	memcpy(b + 10, &c, 2);
	b[20] = (uint8_t)(sport >> 8), b[21] = (uint8_t)sport;
	b[22] = (uint8_t)(dport >> 8), b[23] = (uint8_t)dport;
	b[24] = last;                                   /* sequence number */
	b[32] = 5 << 4, b[33] = TCP_SYN, b[34] = b[35] = 0xff;
	memcpy(ph, b + 12, 8);                          /* pseudo header */
	ph[8] = 0, ph[9] = IP_PROTO_TCP, ph[10] = 0, ph[11] = 20;
	for (int i = 0; i < 12; i += 2)
		sum += (uint32_t)(ph[i] << 8 | ph[i + 1]);
	for (int i = 20; i < 40; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	b[36] = (uint8_t)(~sum >> 8), b[37] = (uint8_t)~sum;
	NETIF_FOREACH(n)
		if (ip4_addr_get_u32(netif_ip4_addr(n)) == PP_HTONL(0x7f000001))
			lo = n;
	CHECK(lo != NULL);
	if (lo)
		ip4_input(p, lo);
	else
		pbuf_free(p);
}

static unsigned half_open(void)
{
	unsigned k = 0;

	for (struct tcp_pcb *q = tcp_active_pcbs; q; q = q->next)
		k += q->state == SYN_RCVD;
	return k;
}

/* A SYN flood (SYNs from addresses that never answer) filled the listen
 * backlog with half-open connections, and lwIP dropped every real
 * client's SYN until they timed out 20 s later (httpd after 5000 SYNs:
 * tests/net/hostile.sh).  Now the oldest one idle for half a second makes
 * room; young ones (a real handshake in progress) are never recycled. */
TEST(tcp_syn_flood_recycles_half_open)
{
	uint16_t port;
	struct plat_sock *l = listener(PLAT_AF_INET, &port, 4), *srv, *c;
	struct plat_addr to = v4(127, 0, 0, 1, port);
	unsigned long before = net_syn_recycled;
	uint64_t t0;

	for (uint8_t i = 1; i <= 20; i++)
		inject_syn(i, (uint16_t)(40000 + i), port);
	net_poll();
	CHECK_EQ_U64(half_open(), 4);           /* the backlog, no more */
	CHECK_EQ_U64(net_syn_recycled - before, 0);     /* all young: dropped */
	t0 = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	while (plat_clock_ns(PLAT_CLOCK_MONOTONIC) - t0 < 1100000000ull) {
		net_poll();                     /* lwIP's ticks: they grow old */
		usleep(1000);
	}
	t0 = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	c = connect_to(l, &to, &srv, NULL);
	CHECK(plat_clock_ns(PLAT_CLOCK_MONOTONIC) - t0 < 500000000ull);
	CHECK_EQ_U64(net_syn_recycled - before, 1);
	CHECK_EQ_U64(half_open(), 3);
	CHECK(plat_sock_send(c, &(struct plat_iov){ "in", 2 }, 1, NULL) == 2);
	CHECK(wait_for(srv, PLAT_POLL_IN));
	plat_sock_close(c);
	plat_sock_close(srv);
	plat_sock_close(l);
	while (half_open()) {                   /* else they live 20 s */
		struct tcp_pcb *q = tcp_active_pcbs;

		while (q->state != SYN_RCVD)
			q = q->next;
		tcp_abort(q);
	}
}

TEST(tcp_refused_and_reset)
{
	uint16_t port;
	struct plat_sock *l = listener(PLAT_AF_INET, &port, 4), *srv, *c, *r;
	struct plat_addr to = v4(127, 0, 0, 1, port), nobody = v4(127, 0, 0, 1, 1);
	uint8_t b[8];
	int err = -1;
	long n;

	/* refused: ERR after the attempt, ECONNREFUSED in SO_ERROR, once */
	CHECK(plat_sock_open(PLAT_AF_INET, PLAT_SOCK_STREAM, &r) == 0);
	CHECK(plat_sock_connect(r, &nobody) == -EINPROGRESS);
	CHECK(wait_for(r, PLAT_POLL_ERR));
	CHECK(plat_sock_getopt(r, PLAT_SO_ERROR, &err) == 0 && err == ECONNREFUSED);
	CHECK(plat_sock_getopt(r, PLAT_SO_ERROR, &err) == 0 && err == 0);
	plat_sock_close(r);
	/* closing with unread data resets the peer */
	c = connect_to(l, &to, &srv, NULL);
	CHECK(plat_sock_send(c, &(struct plat_iov){ "unread", 6 }, 1, NULL) == 6);
	CHECK(wait_for(srv, PLAT_POLL_IN));
	plat_sock_close(srv);
	CHECK(wait_for(c, PLAT_POLL_ERR));
	n = plat_sock_recv(c, &(struct plat_iov){ b, sizeof b }, 1, 0, NULL, NULL);
	CHECK(n == -ECONNRESET);
	CHECK(plat_sock_send(c, &(struct plat_iov){ b, 1 }, 1, NULL) == -EPIPE);
	plat_sock_close(c);
	plat_sock_close(l);
}

/* Where a send fails at once (after SHUT_WR; after a reset whose error
 * was read), poll says writable, as Linux does: a writer waiting for room
 * (poll_oneoff FD_WRITE, plat_wait for OUT) must not sleep forever. */
TEST(poll_out_when_send_fails_at_once)
{
	uint16_t port;
	struct plat_sock *l = listener(PLAT_AF_INET, &port, 4), *srv, *c, *u;
	struct plat_addr to = v4(127, 0, 0, 1, port);
	struct plat_wait_sock w;
	int err = -1;

	c = connect_to(l, &to, &srv, NULL);
	CHECK(plat_sock_shutdown(c, PLAT_SHUT_WR) == 0);
	CHECK(plat_sock_send(c, &(struct plat_iov){ "x", 1 }, 1, NULL) == -EPIPE);
	CHECK(plat_sock_poll(c, NULL) & PLAT_POLL_OUT);
	plat_sock_close(c);
	plat_sock_close(srv);
	c = connect_to(l, &to, &srv, NULL);
	CHECK(plat_sock_send(c, &(struct plat_iov){ "unread", 6 }, 1, NULL) == 6);
	CHECK(wait_for(srv, PLAT_POLL_IN));
	plat_sock_close(srv);                           /* reset: unread data */
	CHECK(wait_for(c, PLAT_POLL_ERR));
	CHECK(plat_sock_getopt(c, PLAT_SO_ERROR, &err) == 0 && err == ECONNRESET);
	CHECK(plat_sock_send(c, &(struct plat_iov){ "x", 1 }, 1, NULL) == -EPIPE);
	CHECK(plat_sock_poll(c, NULL) & PLAT_POLL_OUT);
	w = (struct plat_wait_sock){ c, PLAT_POLL_OUT };
	CHECK(net_socks_ready(&w, 1));
	plat_sock_close(c);
	CHECK(plat_sock_open(PLAT_AF_INET, PLAT_SOCK_DGRAM, &u) == 0);
	CHECK(plat_sock_connect(u, &to) == 0);
	CHECK(plat_sock_shutdown(u, PLAT_SHUT_WR) == 0);
	CHECK(plat_sock_send(u, &(struct plat_iov){ "x", 1 }, 1, NULL) == -EPIPE);
	CHECK(plat_sock_poll(u, NULL) & PLAT_POLL_OUT);
	plat_sock_close(u);
	plat_sock_close(l);
}

/* "::" is IPv6's unspecified address only, as on Linux with IPV6_V6ONLY
 * (host/plat_sock.c) and in docs/manifest.md: a listener bound to it takes
 * IPv6 and refuses IPv4, so that a grant of [::] never binds IPv4 by the
 * back door; an IPv4 listener can share its port.  An unbound IPv6 socket
 * still reaches IPv4 peers (::ffff:a.b.c.d). */
TEST(tcp_v6_any_is_ipv6_only)
{
	uint16_t port;
	struct plat_sock *l = listener(PLAT_AF_INET6, &port, 4), *l4, *s6, *c4, *c6;
	struct plat_addr to4 = v4(127, 0, 0, 1, port), to6 = v6_loopback(port), p6;
	struct plat_addr any4 = v4(0, 0, 0, 0, port);
	int err = -1;
	uint8_t b[4];

	CHECK(plat_sock_open(PLAT_AF_INET, PLAT_SOCK_STREAM, &c4) == 0);
	CHECK(plat_sock_connect(c4, &to4) == -EINPROGRESS);
	CHECK(wait_for(c4, PLAT_POLL_ERR));
	CHECK(plat_sock_getopt(c4, PLAT_SO_ERROR, &err) == 0 && err == ECONNREFUSED);
	CHECK(!(plat_sock_poll(l, NULL) & PLAT_POLL_IN));
	plat_sock_close(c4);
	c6 = connect_to(l, &to6, &s6, &p6);
	CHECK(p6.family == PLAT_AF_INET6 && p6.addr[15] == 1 && !p6.addr[0]);
	CHECK_EQ_U64(pump(c6, (const uint8_t *)"six!", 4, s6, b, 4), 4);
	CHECK(!memcmp(b, "six!", 4));
	CHECK(plat_sock_open(PLAT_AF_INET, PLAT_SOCK_STREAM, &l4) == 0);
	CHECK(plat_sock_bind(l4, &any4) == 0);
	CHECK(plat_sock_listen(l4, 1) == 0);
	plat_sock_close(c6);
	plat_sock_close(s6);
	plat_sock_close(l4);
	plat_sock_close(l);
}

/* An unbound IPv6 socket connects to an IPv4 listener (::ffff:127.0.0.1). */
TEST(tcp_v6_socket_reaches_ipv4)
{
	uint16_t port;
	struct plat_sock *l = listener(PLAT_AF_INET, &port, 4), *s4, *c;
	struct plat_addr to = { .family = PLAT_AF_INET6,
				.addr = { [10] = 0xff, 0xff, 127, 0, 0, 1 }, .port = port };
	uint8_t b[4];

	c = connect_to(l, &to, &s4, NULL);
	CHECK_EQ_U64(pump(c, (const uint8_t *)"four", 4, s4, b, 4), 4);
	CHECK(!memcmp(b, "four", 4));
	plat_sock_close(c);
	plat_sock_close(s4);
	plat_sock_close(l);
}

TEST(bind_errors)
{
	uint16_t port;
	struct plat_sock *l = listener(PLAT_AF_INET, &port, 1), *a, *b;
	struct plat_addr same = v4(127, 0, 0, 1, port), foreign = v4(192, 0, 2, 1, 0);
	struct plat_addr six = v6_loopback(0);

	CHECK(plat_sock_open(PLAT_AF_INET, PLAT_SOCK_STREAM, &a) == 0);
	CHECK(plat_sock_bind(a, &same) == -EADDRINUSE);
	CHECK(plat_sock_bind(a, &foreign) == -EADDRNOTAVAIL);
	CHECK(plat_sock_bind(a, &six) == -EAFNOSUPPORT);       /* AF_INET socket */
	CHECK(plat_sock_accept(a, &b, NULL) == -EINVAL);        /* not listening */
	CHECK(plat_sock_recv(a, &(struct plat_iov){ &port, 1 }, 1, 0, NULL, NULL) == -ENOTCONN);
	plat_sock_close(a);
	plat_sock_close(l);
}

/* ---- UDP ------------------------------------------------------------------------- */

TEST(udp_datagrams)
{
	struct plat_sock *a, *b;
	struct plat_addr ba = v4(127, 0, 0, 1, 0), from, bcast = v4(255, 255, 255, 255, 9);
	uint8_t big[100], out[8];
	unsigned of = 0;
	int queued = 0;
	long n;

	memset(big, 'x', sizeof big);
	CHECK(plat_sock_open(PLAT_AF_INET, PLAT_SOCK_DGRAM, &a) == 0);
	CHECK(plat_sock_open(PLAT_AF_INET, PLAT_SOCK_DGRAM, &b) == 0);
	CHECK(plat_sock_bind(b, &ba) == 0 && plat_sock_addr(b, 0, &ba) == 0);
	CHECK(plat_sock_send(a, &(struct plat_iov){ big, 10 }, 1, &ba) == 10);
	CHECK(wait_for(b, PLAT_POLL_IN));
	/* cut to 8 bytes: TRUNC, the rest dropped; the sender's address */
	n = plat_sock_recv(b, &(struct plat_iov){ out, 8 }, 1, 0, &of, &from);
	CHECK(n == 8 && (of & PLAT_MSG_TRUNC) && from.addr[0] == 127 && from.port);
	CHECK(plat_sock_recv(b, &(struct plat_iov){ out, 8 }, 1, 0, &of, NULL) == -EAGAIN);
	/* the queue holds DGRAM_MAX (64) datagrams, then drops */
	for (int i = 0; i < 100; i++)
		CHECK(plat_sock_send(a, &(struct plat_iov){ big, 1 }, 1, &ba) == 1);
	net_poll();
	while (plat_sock_recv(b, &(struct plat_iov){ out, 8 }, 1, 0, NULL, NULL) == 1)
		queued++;
	CHECK_EQ_U64(queued, 64);
	/* connected: send without an address; too large; broadcast denied */
	CHECK(plat_sock_send(a, &(struct plat_iov){ big, 1 }, 1, NULL) == -EDESTADDRREQ);
	CHECK(plat_sock_connect(a, &ba) == 0);
	CHECK(plat_sock_send(a, &(struct plat_iov){ big, 3 }, 1, NULL) == 3);
	CHECK(plat_sock_send(a, &(struct plat_iov){ big, 70000 }, 1, NULL) == -EMSGSIZE);
	CHECK(plat_sock_send(a, &(struct plat_iov){ big, 1 }, 1, &bcast) == -EACCES);
	CHECK(wait_for(b, PLAT_POLL_IN));
	CHECK(plat_sock_recv(b, &(struct plat_iov){ out, 8 }, 1, PLAT_MSG_PEEK, NULL, NULL) == 3);
	CHECK(plat_sock_recv(b, &(struct plat_iov){ out, 8 }, 1, 0, NULL, NULL) == 3);
	plat_sock_close(a);
	plat_sock_close(b);
}

/* The same bound for datagrams: unread UDP sockets stop taking them (the
 * first of an empty queue still gets in). */
#define UNREAD_UDP 12
TEST(udp_unread_sockets_share_a_bound)
{
	struct plat_sock *a, *b[UNREAD_UDP];
	struct plat_addr ba[UNREAD_UDP];
	uint8_t d[1000] = { 0 }, out[8];
	uint64_t queued = 0;

	CHECK(plat_sock_open(PLAT_AF_INET, PLAT_SOCK_DGRAM, &a) == 0);
	for (int i = 0; i < UNREAD_UDP; i++) {
		ba[i] = v4(127, 0, 0, 1, 0);
		CHECK(plat_sock_open(PLAT_AF_INET, PLAT_SOCK_DGRAM, &b[i]) == 0);
		CHECK(plat_sock_bind(b[i], &ba[i]) == 0 && plat_sock_addr(b[i], 0, &ba[i]) == 0);
	}
	for (int k = 0; k < DGRAM_MAX; k++) {
		for (int i = 0; i < UNREAD_UDP; i++)
			CHECK(plat_sock_send(a, &(struct plat_iov){ d, sizeof d }, 1, &ba[i]) ==
			      sizeof d);
		net_poll();
	}
	for (int i = 0; i < UNREAD_UDP; i++) {
		CHECK(b[i]->dq_n >= 1);         /* every socket got some */
		queued += b[i]->dq_n;
	}
	CHECK(plat_sock_recv(b[0], &(struct plat_iov){ out, sizeof out }, 1, 0, NULL, NULL) ==
	      sizeof out);
	CHECK(queued < (uint64_t)UNREAD_UDP * DGRAM_MAX);
	CHECK(net_sock_rx_held <= RX_HELD_MAX + UNREAD_UDP *
	      (PBUF_POOL_BUFSIZE + sizeof(struct pbuf)));
	for (int i = 0; i < UNREAD_UDP; i++)
		plat_sock_close(b[i]);
	plat_sock_close(a);
	CHECK_EQ_U64(net_sock_rx_held, 0);
}

TEST(resolve_numeric_and_localhost)
{
	struct plat_addr a[2];

	CHECK(plat_resolve("10.1.2.3", 0, a, 2) == 1 && a[0].family == PLAT_AF_INET &&
	      a[0].addr[0] == 10 && a[0].addr[3] == 3);
	CHECK(plat_resolve("fe80::1", 0, a, 2) == 1 && a[0].family == PLAT_AF_INET6 &&
	      a[0].addr[0] == 0xfe && a[0].addr[15] == 1);
	CHECK(plat_resolve("10.1.2.3", PLAT_AF_INET6, a, 2) == -ENOENT);
	CHECK(plat_resolve("localhost", PLAT_AF_INET, a, 2) == 1 && a[0].addr[0] == 127);
	CHECK(plat_resolve("localhost", PLAT_AF_INET6, a, 2) == 1 &&
	      a[0].family == PLAT_AF_INET6 && a[0].addr[15] == 1);
	CHECK(plat_resolve("", 0, a, 2) == -EINVAL);
}

/* After all of it, lwIP's pools are back where they started. */
TEST(pools_released)
{
	uint64_t t0 = plat_clock_ns(PLAT_CLOCK_MONOTONIC);

	while (plat_clock_ns(PLAT_CLOCK_MONOTONIC) - t0 < 300000000ull) {
		net_poll();
		usleep(1000);
	}
	CHECK_EQ_U64(lwip_stats.memp[MEMP_PBUF_POOL]->used, 0);
	CHECK_EQ_U64(lwip_stats.memp[MEMP_TCP_PCB_LISTEN]->used, 0);
	CHECK_EQ_U64(lwip_stats.memp[MEMP_UDP_PCB]->used, 0);
	CHECK_EQ_U64(lwip_stats.memp[MEMP_TCP_SEG]->used, 0);
	CHECK_EQ_U64(net_sock_rx_held, 0);
	CHECK(lwip_stats.mem.err == 0);
}

int main(void)
{
	struct plat_sock *s;

	CHECK(plat_sock_open(PLAT_AF_INET, PLAT_SOCK_STREAM, &s) == -ENETDOWN);
	if (net_lwip_start()) {
		printf("FAIL lwip_start\n");
		return 1;
	}
	started = true;
	RUN(tcp_transfer_and_eof);
	RUN(tcp_receive_bounded_by_window);
	RUN(tcp_unread_sockets_share_a_bound);
	RUN(tcp_backlog_bounds_accept_queue);
	RUN(tcp_syn_flood_recycles_half_open);
	RUN(tcp_refused_and_reset);
	RUN(poll_out_when_send_fails_at_once);
	RUN(tcp_v6_any_is_ipv6_only);
	RUN(tcp_v6_socket_reaches_ipv4);
	RUN(bind_errors);
	RUN(udp_datagrams);
	RUN(udp_unread_sockets_share_a_bound);
	RUN(resolve_numeric_and_localhost);
	RUN(pools_released);
	CHECK_DONE();
}
