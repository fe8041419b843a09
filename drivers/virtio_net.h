/*
 * virtio_net.h — the virtio network device (Virtio 1.2 §5.1) on the
 * modern PCI transport (drivers/virtio_pci.h) or on MMIO
 * (drivers/virtio_mmio.h): one receive and one transmit queue, polled.  Frames are copied in and out (net/ethif.c
 * copies them between the driver's DMA buffers and lwIP's pbufs), so no
 * buffer the device can write is ever handed to the stack.
 *
 * The interrupt path (MSI-X: virtio_net_set_vectors; MMIO's one line:
 * virtio_net_mmio_irq) only notes that work is pending; everything here
 * runs from net_poll().
 */
#ifndef DRIVERS_VIRTIO_NET_H
#define DRIVERS_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_NET_FRAME_MAX    1514    /* Ethernet header + MTU 1500 */
#define VIRTIO_NET_FRAME_MIN    14      /* an Ethernet header */
#define VIRTIO_NET_MAX_FRAGS    4       /* buffers one received frame may span */

/* A piece of a received frame, inside the driver's buffer: valid only
 * during the rx callback. */
struct virtio_net_frag {
	const uint8_t *data;
	size_t len;
};

struct virtio_net_stats {
	uint64_t rx_frames, rx_bytes, rx_bad;   /* bad: dropped, device wrote
						   nonsense (logged) */
	uint64_t rx_merged;                     /* frames that spanned several
						   buffers (num_buffers > 1) */
	uint64_t tx_frames, tx_bytes, tx_full;  /* full: no free tx buffer */
	uint64_t tx_kicks;                      /* frames that notified the
						   device (the others found it
						   still busy with earlier ones) */
	uint64_t tx_bad;                        /* completions for ids we never
						   gave */
};

/* Find the first virtio-net PCI function (else the first virtio-mmio
 * net device), negotiate, set up the queues,
 * fill the receive queue.  0, -ENODEV (none), or -errno (logged). */
int virtio_net_init(void);
void virtio_net_mac(uint8_t mac[6]);
/* The device's link status (VIRTIO_NET_S_LINK_UP); always up when the
 * device does not offer VIRTIO_NET_F_STATUS. */
bool virtio_net_link_up(void);

/* Pass up to budget received frames to rx (fragments in order; total is
 * their summed length, VIRTIO_NET_FRAME_MIN..VIRTIO_NET_FRAME_MAX), give
 * the buffers back to the device.  Returns the frames passed. */
typedef void virtio_net_rx_fn(void *ctx, const struct virtio_net_frag *f,
			      unsigned nfrags, size_t total);
unsigned virtio_net_rx(virtio_net_rx_fn *rx, void *ctx, unsigned budget);
/* Whether the device has returned receive buffers not yet looked at. */
bool virtio_net_rx_pending(void);

/* Transmit: a free buffer for one frame (*cap = VIRTIO_NET_FRAME_MAX)
 * after reclaiming what the device has sent, or NULL when all are in
 * flight; then virtio_net_tx_commit(len) sends it (len <= *cap). */
uint8_t *virtio_net_tx_begin(size_t *cap);
void virtio_net_tx_commit(size_t len);
/* Take back transmit buffers the device is done with. */
void virtio_net_tx_reclaim(void);
/* Whether the device has taken every frame handed to it (completions
 * reclaimed first); true without a device.  Before the machine stops:
 * QEMU drops frames still in the ring when it exits. */
bool virtio_net_tx_idle(void);

void virtio_net_get_stats(struct virtio_net_stats *s);

/* For MSI-X: the PCI function (NULL on MMIO), and routing of
 * configuration changes (link status) and of each queue to MSI-X table
 * entries (VIRTIO_MSI_NO_VECTOR: none).  0 or -errno (-ENODEV: not PCI). */
struct pci_dev;
const struct pci_dev *virtio_net_pci(void);
int virtio_net_set_vectors(uint16_t config, uint16_t rx, uint16_t tx);
/* On MMIO: the device's interrupt line (used buffers, configuration
 * changes) to a new vector that acknowledges it and calls fn(arg).  The
 * vector, or -errno (-ENODEV: not MMIO). */
int virtio_net_mmio_irq(void (*fn)(void *arg), void *arg);

#endif
