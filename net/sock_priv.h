/*
 * sock_priv.h — struct plat_sock and what net/sock.c, sock_tcp.c and
 * sock_udp.c share: jit/plat.h's sockets on lwIP's raw API (tcp_pcb,
 * udp_pcb).  Everything runs in the kernel's one thread (net_poll and the
 * plat_sock_* calls); lwIP's callbacks write the fields marked (cb), from
 * inside net_poll or an lwIP call made here.  No interrupt handler looks
 * at any of it.
 *
 * Memory stays bounded per socket:
 *   - TCP receive: what lwIP delivers is queued until the application
 *     reads it, and only then acknowledged to the window (tcp_recved), so
 *     the queue never exceeds TCP_WND bytes of data; in pbufs it is also
 *     bounded by RXQ_MAX chains and RX_TRUESIZE_MAX bytes of buffers
 *     (tiny segments), beyond which lwIP is asked to hold the data
 *     (ERR_MEM: it keeps one chain, stops taking more, retries later);
 *   - accept queue: the listen backlog (lwIP also counts half-open
 *     connections against it and drops SYNs beyond it);
 *   - UDP receive: DGRAM_MAX datagrams and DGRAM_BYTES_MAX bytes, then
 *     datagrams are dropped.
 * and for all sockets together:
 *   - the receive queues of every socket, TCP and UDP, hold at most
 *     RX_HELD_MAX bytes of pbuf memory (net_sock_rx_held), beyond which a
 *     socket takes no more than the first chain of its queue (TCP: lwIP
 *     holds the rest, one chain per connection; UDP: dropped).  Received
 *     frames live in PBUF_POOL until the application reads them, so
 *     without this a guest that accepts connections and never reads them
 *     (a dozen full windows) took the whole pool: from then on the NIC
 *     dropped every frame -- ARP, ICMP, handshakes, resets, its other
 *     sockets' data -- for as long as it held them.  Half the pool stays
 *     for everything else (tests/net/hostile.sh, unread-sockets-...).
 */
#ifndef NET_SOCK_PRIV_H
#define NET_SOCK_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "plat.h"

#define RXQ_MAX         256             /* pbuf chains queued (TCP) */
#define RX_TRUESIZE_MAX (2 * TCP_WND)   /* bytes of pbuf memory queued (TCP) */
#define DGRAM_MAX       64              /* datagrams queued (UDP) */
#define DGRAM_BYTES_MAX (256u * 1024)
#define DGRAM_SIZE_MAX  65507           /* 65535 - IPv4 and UDP headers */
#define BACKLOG_MAX     128
#define RX_HELD_MAX     ((size_t)PBUF_POOL_SIZE / 2 * (PBUF_POOL_BUFSIZE + sizeof(struct pbuf)))

enum sock_state {
	SOCK_NEW,                       /* TCP: not connected, maybe bound */
	SOCK_LISTEN,
	SOCK_CONNECTING,
	SOCK_CONNECTED,
	SOCK_DEAD,                      /* TCP: lwIP freed the pcb (reset,
					   timeout, refused); err says why */
};

struct dgram {
	struct dgram *next;
	struct pbuf *p;
	ip_addr_t from;
	u16_t port;
};

struct plat_sock {
	uint8_t family;                 /* PLAT_AF_INET / PLAT_AF_INET6 */
	uint8_t type;                   /* PLAT_SOCK_STREAM / _DGRAM */
	enum sock_state state;          /* (cb) */
	union {
		struct tcp_pcb *tcp;    /* NULL once lwIP freed it (cb) */
		struct udp_pcb *udp;
	} pcb;
	int err;                        /* pending error for PLAT_SO_ERROR,
					   positive errno (cb) */
	int dead_err;                   /* why the stream died: what recv/send
					   return once err was read (cb) */
	bool rd_shut, wr_shut;          /* shutdown(), ours */
	bool peer_fin;                  /* the peer's FIN arrived (cb) */
	bool nodelay;                   /* TCP_NODELAY, kept for accepted
					   sockets of a listener */
	bool wblocked;                  /* tcp_write ran out of memory: not
					   writable until memory is freed */
	unsigned wblock_gen;
	int sndbuf, rcvbuf;             /* SO_SNDBUF/RCVBUF as set (0: default);
					   reported, not enforced */

	/* TCP receive queue: rxq[rx_head .. rx_head+rx_n) (cb appends) */
	struct pbuf *rxq[RXQ_MAX];
	unsigned rx_head, rx_n;
	size_t rx_len, rx_truesize;

	/* Listener: accepted connections not yet taken (cb appends) */
	struct plat_sock **acq;
	unsigned acq_n, acq_cap;
	struct plat_sock *listener;     /* set while in a listener's acq */

	/* UDP receive queue (cb appends) */
	struct dgram *dq_head, *dq_tail;
	unsigned dq_n;
	size_t dq_bytes;
};

/* Bumped whenever lwIP frees send memory (a sent callback). */
extern unsigned net_sock_mem_gen;
/* Pbuf memory in all sockets' receive queues (net_pbuf_truesize). */
extern size_t net_sock_rx_held;

/* net/sock.c */
size_t net_pbuf_truesize(const struct pbuf *p);
bool net_sock_rx_full(size_t more);
int net_err_errno(err_t e);
int net_addr_to_ip(const struct plat_sock *s, const struct plat_addr *a,
		   ip_addr_t *ip);
void net_ip_to_addr(const struct plat_sock *s, const ip_addr_t *ip, u16_t port,
		    struct plat_addr *out);
bool net_addr_is_local(const ip_addr_t *ip);
void net_sock_close_later(struct tcp_pcb *pcb);

/* net/sock_tcp.c */
int net_tcp_open(struct plat_sock *s);
void net_tcp_close(struct plat_sock *s);
int net_tcp_listen(struct plat_sock *s, int backlog);
int net_tcp_accept(struct plat_sock *s, struct plat_sock **out, struct plat_addr *peer);
int net_tcp_connect(struct plat_sock *s, const ip_addr_t *ip, u16_t port);
long net_tcp_recv(struct plat_sock *s, const struct plat_iov *iov, size_t n,
		  unsigned flags);
long net_tcp_send(struct plat_sock *s, const struct plat_iov *iov, size_t n);
int net_tcp_shutdown(struct plat_sock *s, unsigned how);
unsigned net_tcp_poll(struct plat_sock *s, uint64_t *nread);
int net_tcp_setopt(struct plat_sock *s, enum plat_sockopt opt, int val);
int net_tcp_getopt(struct plat_sock *s, enum plat_sockopt opt, int *val);

/* net/sock_udp.c */
int net_udp_open(struct plat_sock *s);
void net_udp_close(struct plat_sock *s);
int net_udp_connect(struct plat_sock *s, const ip_addr_t *ip, u16_t port);
long net_udp_recv(struct plat_sock *s, const struct plat_iov *iov, size_t n,
		  unsigned flags, unsigned *oflags, struct plat_addr *from);
long net_udp_send(struct plat_sock *s, const struct plat_iov *iov, size_t n,
		  const struct plat_addr *to);
unsigned net_udp_poll(struct plat_sock *s, uint64_t *nread);

#endif
