/*
 * net.h — the kernel's network: lwIP 2.1.3 (NO_SYS=1, raw API; options
 * in net/lwipopts.h) on virtio-net (drivers/virtio_net.h), brought up
 * only when the boot bundle asks for a NIC (struct bundle_net).
 *
 *   net_init   virtio-net -> lwIP -> netif (IPv4: DHCP or static; IPv6:
 *              link-local + SLAAC) -> DNS servers -> wait for the lease
 *   net_poll   the one place lwIP runs: received frames into lwIP, the
 *              loopback queue, lwIP's timers, transmit reclaim, sockets
 *              closing in the background.  Called by the idle loop
 *              (plat_wait) and first thing by every plat_sock_* call.
 *
 * Interrupts (later): a handler calls net_note_pending() and nothing
 * else; the idle loop sees net_work_pending() and calls net_poll().
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bundle_net;
struct plat_wait_sock;

/* Bring the network up as cfg says; nothing (0) when cfg->nic is false.
 * Waits for a DHCP lease at most NET_DHCP_WAIT_NS (logged either way).
 * 0, or -errno when there is no usable NIC (logged; sockets then fail
 * with -ENETDOWN). */
int net_init(const struct bundle_net *cfg);
/* Whether lwIP runs (net_init succeeded). */
bool net_ready(void);
void net_poll(void);
/* The monotonic time (ns) at which net_poll has timed work to do (lwIP's
 * next timeout, a background close to retry); UINT64_MAX: none. */
uint64_t net_next_deadline(void);
/* For the interrupt handler: there is work for net_poll. */
void net_note_pending(void);
/* For the idle loop: work noted, or frames waiting in the device. */
bool net_work_pending(void);
/* Whether one of the sockets has an event it waits for (ERR; HUP if it
 * waits for IN, as plat.h says):
 * plat_wait returns when this is true (net/sock.c). */
bool net_socks_ready(const struct plat_wait_sock *socks, size_t n);
/* Run the network until no TCP connection has data unsent or unacked
 * (the last responses and FINs are out), at most timeout_ns. */
void net_flush(uint64_t timeout_ns);
/* Log lwIP's pool usage and the driver's counters (kernel log). */
void net_log_stats(void);

/* net/sock.c, for net_poll: retry closes that lwIP refused for lack of
 * memory, abort those past their bound; the next retry time. */
void net_sock_background(void);
uint64_t net_sock_next_deadline(void);

/* net/httpd_builtin.c: the in-kernel HTTP/1.1 server (manifest key
 * `kernel-httpd PORT:SIZE`, docs/manifest.md): serve SIZE bytes to every
 * GET on PORT, until a request for /exit.  Returns 0 or -errno. */
int net_httpd_run(uint16_t port, uint64_t size);

#endif
