/*
 * net_hooks.h — lwIP's hook file (LWIP_HOOK_FILENAME, net/lwipopts.h),
 * included by lwIP's .c files that offer hooks.
 *
 * LWIP_HOOK_TCP_ISN: the initial sequence number of each connection as
 * RFC 6528 §3 computes it, ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), M a 4-microsecond clock and F a keyed hash
 * (SipHash-2-4 with a key from the platform's entropy; net/port.c).
 * lwIP's own ISN is a counter anyone can predict (blind spoofing,
 * RFC 6528 §1).
 *
 * LWIP_HOOK_TCP_INPACKET_PCB: a SYN to a listener whose backlog is full
 * recycles its oldest idle half-open connection (net/synflood.c: SYN
 * floods).
 */
#ifndef NET_HOOKS_H
#define NET_HOOKS_H

#include <stdint.h>
#include "lwip/arch.h"
#include "lwip/err.h"

struct ip_addr;
struct pbuf;
struct tcp_hdr;
struct tcp_pcb;

uint32_t net_tcp_isn(const struct ip_addr *local_ip, uint16_t local_port,
		     const struct ip_addr *remote_ip, uint16_t remote_port);
#define LWIP_HOOK_TCP_ISN net_tcp_isn

err_t net_tcp_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr, u16_t optlen,
		       u16_t opt1len, u8_t *opt2, struct pbuf *p);
#define LWIP_HOOK_TCP_INPACKET_PCB net_tcp_inpacket
/* half-open connections recycled so far (net_log_stats) */
extern unsigned long net_syn_recycled;

#endif
