/*
 * ethif.h — lwIP's netif on virtio-net (net/ethif.c), for net/net.c.
 */
#ifndef NET_ETHIF_H
#define NET_ETHIF_H

#include "lwip/netif.h"

/* netif_add's init function: name "en", the device's MAC, MTU 1500. */
err_t net_ethif_init(struct netif *netif);
/* Received frames into lwIP (netif->input), transmit buffers reclaimed.
 * Returns the frames passed up. */
unsigned net_ethif_poll(struct netif *netif);

#endif
