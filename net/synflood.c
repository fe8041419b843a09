/*
 * synflood.c — a SYN flood locks clients out of a listener for a second
 * after it, not 20 s: LWIP_HOOK_TCP_INPACKET_PCB (net_hooks.h; lwIP 2.1.3
 * src/core/tcp_in.c) recycles the listener's oldest idle half-open
 * connection when a SYN finds its backlog full (RFC 4987 §3.5, "Recycling
 * the Oldest Half-Open TCB").
 *
 * lwIP counts half-open connections (SYN_RCVD) against the listen backlog
 * and drops SYNs beyond it, and a half-open connection lives for
 * TCP_SYN_RCVD_TIMEOUT (20 s, fixed in tcp_priv.h).  So SYNs from addresses
 * that never answer filled the backlog, and every real client's SYN was
 * dropped until 20 s after the flood (httpd's backlog of 128 after 5000
 * SYNs: curl connected 19.4 s later; tests/net/hostile.sh).  Now the
 * half-open connection idle longest gives up its place, silently (no RST
 * to an address that is likely spoofed), once it has been idle for
 * HALF_OPEN_IDLE_TICKS: real clients get in within a second after a
 * flood, and during one that cannot refill the backlog faster than that.
 * A faster flood still fills it with young entries, and SYNs are dropped
 * (clients retry) until it ebbs: lwIP has no SYN cookies.  Connections
 * already established but not yet accepted are never recycled: they wait
 * for the application.
 */
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "net_hooks.h"

/* A half-open connection is recycled only once idle this long: 2 of lwIP's
 * 500 ms ticks, so at least 0.5 s.  A real client's handshake takes a
 * round trip, and each of its segments (a repeated SYN) makes it young
 * again.  Recycling the youngest -- a handshake in progress -- turned a
 * full backlog under mere load (10,000 connections opened and dropped,
 * httpd accepting behind) into resets for real clients. */
#define HALF_OPEN_IDLE_TICKS    2

unsigned long net_syn_recycled;

err_t net_tcp_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr, u16_t optlen,
		       u16_t opt1len, u8_t *opt2, struct pbuf *p)
{
	struct tcp_pcb_listen *l = (struct tcp_pcb_listen *)pcb;
	struct tcp_pcb *q, *oldest = NULL;

	if (pcb->state != LISTEN || (TCPH_FLAGS(hdr) & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN ||
	    l->accepts_pending < l->backlog)
		return ERR_OK;
	/* The one idle longest (tmr: lwIP's tick of its last segment; among
	 * equals the last in the list, since lwIP puts a pcb first when a
	 * segment comes for it), if idle for HALF_OPEN_IDLE_TICKS. */
	for (q = tcp_active_pcbs; q; q = q->next)
		if (q->state == SYN_RCVD && q->listener == l &&
		    (u32_t)(tcp_ticks - q->tmr) >= HALF_OPEN_IDLE_TICKS &&
		    (!oldest || (u32_t)(tcp_ticks - q->tmr) >= (u32_t)(tcp_ticks - oldest->tmr)))
			oldest = q;
	/* lwIP asks hooks not to change pcb lists; on this path (a segment
	 * for a listener) tcp_input holds no pointer into the active list,
	 * and a half-open pcb has no callbacks (no err callback to run). */
	if (oldest) {
		tcp_abandon(oldest, 0);         /* frees its place in the backlog */
		net_syn_recycled++;
	}
	return ERR_OK;
}
