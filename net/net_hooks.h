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
 */
#ifndef NET_HOOKS_H
#define NET_HOOKS_H

#include <stdint.h>

struct ip_addr;

uint32_t net_tcp_isn(const struct ip_addr *local_ip, uint16_t local_port,
		     const struct ip_addr *remote_ip, uint16_t remote_port);
#define LWIP_HOOK_TCP_ISN net_tcp_isn

#endif
