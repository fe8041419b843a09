/*
 * ethif.c — lwIP's network interface (struct netif, lwIP 2.1.3
 * src/include/lwip/netif.h; "en0") on virtio-net (drivers/virtio_net.h).
 * Frames are copied both ways: a received frame into a pbuf from
 * PBUF_POOL (none left: the frame is dropped and counted), a sent pbuf
 * chain into a free transmit buffer of the driver (none free: ERR_MEM,
 * TCP retransmits).  So lwIP never holds memory the device can write.
 */
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/snmp.h"
#include "lwip/stats.h"
#include "netif/ethernet.h"
#include "ethif.h"
#include "virtio_net.h"

#define RX_BUDGET 256           /* frames per net_poll: then timers run */

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
	size_t cap;
	uint8_t *buf = virtio_net_tx_begin(&cap);

	if (!buf) {
		LINK_STATS_INC(link.memerr);
		return ERR_MEM;
	}
	if (p->tot_len > cap) {
		virtio_net_tx_commit(cap + 1);          /* gives the buffer back */
		LINK_STATS_INC(link.lenerr);
		return ERR_BUF;
	}
	pbuf_copy_partial(p, buf, p->tot_len, 0);
	virtio_net_tx_commit(p->tot_len);
	LINK_STATS_INC(link.xmit);
	return ERR_OK;
}

static void rx_frame(void *ctx, const struct virtio_net_frag *f, unsigned nfrags,
		     size_t total)
{
	struct netif *netif = ctx;
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)total, PBUF_POOL);
	u16_t off = 0;

	if (!p) {
		LINK_STATS_INC(link.memerr);
		LINK_STATS_INC(link.drop);
		return;
	}
	for (unsigned i = 0; i < nfrags; i++) {
		pbuf_take_at(p, f[i].data, (u16_t)f[i].len, off);
		off = (u16_t)(off + f[i].len);
	}
	LINK_STATS_INC(link.recv);
	if (netif->input(p, netif) != ERR_OK)
		pbuf_free(p);
}

unsigned net_ethif_poll(struct netif *netif)
{
	unsigned n = virtio_net_rx(rx_frame, netif, RX_BUDGET);

	virtio_net_tx_reclaim();
	return n;
}

err_t net_ethif_init(struct netif *netif)
{
	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->hwaddr_len = ETH_HWADDR_LEN;
	virtio_net_mac(netif->hwaddr);
	netif->mtu = 1500;
#if LWIP_IPV6
	netif->mtu6 = 1500;
#endif
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		       NETIF_FLAG_MLD6;
	netif->output = etharp_output;
	netif->output_ip6 = ethip6_output;
	netif->linkoutput = linkoutput;
	return ERR_OK;
}
