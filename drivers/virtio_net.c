/*
 * virtio_net.c — virtio-net, Virtio 1.2 §5.1, on the modern PCI transport
 * §4.1 (drivers/virtio_pci.c) or, when there is no PCI device, on MMIO
 * §4.2 (drivers/virtio_mmio.c, device id 1), polled.  PCI ids 0x1041
 * (modern) and 0x1000 (transitional, QEMU's virtio-net-pci by default).
 * Written against QEMU 7.2:
 *   qemu-system-x86_64 -machine q35 ... -netdev user,id=n0 \
 *     -device virtio-net-pci,netdev=n0
 *   qemu-system-x86_64 -M microvm ... -netdev user,id=n0 \
 *     -device virtio-net-device,netdev=n0
 *
 * Features (§5.1.3): VERSION_1, MAC (else a random locally administered
 * address), STATUS (link up/down; else always up), MRG_RXBUF.  Nothing
 * else: no checksum offload (lwIP checks and computes every checksum; a
 * device's "data valid" would have to be taken per packet, which lwIP
 * cannot), no TSO/UFO (so no frame exceeds 1514 bytes), no control queue.
 *
 * Receive (§5.1.6.3-4): receiveq1 (queue 0) holds 2 KiB device-writable
 * buffers, two per frame of memory, descriptor i = buffer i for good
 * (VIRTIO_NET_RX_BUF_SIZE).
 * Every frame starts with the 12-byte struct virtio_net_hdr (VERSION_1
 * always has num_buffers).  With MRG_RXBUF the device may spread one
 * frame over num_buffers consecutive used elements; since our buffers
 * hold a whole 1514-byte frame plus the header and no large-packet
 * feature is negotiated, QEMU uses one, but more are handled: the
 * elements are gathered (across polls, should the device publish them one
 * at a time) up to VIRTIO_NET_MAX_FRAGS.  Everything the device wrote is
 * checked before use: the element's id must be a buffer we offered and
 * have not had back, its length must fit the buffer (and the first one
 * hold the header), num_buffers must be 1..VIRTIO_NET_MAX_FRAGS and the
 * frame 14..1514 bytes.  A bad element drops the frame with a log line
 * (rate-limited), gives the good buffers back, skips the elements the
 * device said were still to come for it (a jumbo frame from a TAP with a
 * large MTU arrives as 5+ buffers: dropped whole), and goes on.
 *
 * Transmit (§5.1.6.2): transmitq1 (queue 1), one 2 KiB buffer per frame
 * (header + frame in one descriptor: VERSION_1 implies ANY_LAYOUT), a
 * free list of buffer ids; completions are reclaimed lazily (before each
 * send and from net_poll) with interrupts for this queue suppressed
 * (VIRTQ_AVAIL_F_NO_INTERRUPT).  A completion for an id not in flight is
 * counted and ignored.
 */
#include <errno.h>
#include <string.h>
#include "kernel.h"
#include "plat.h"
#include "pmm.h"
#include "tsc.h"
#include "virtio_mmio.h"
#include "virtio_net.h"
#include "virtio_pci.h"
#include "vmm.h"

#define VIRTIO_NET_F_MAC        5
#define VIRTIO_NET_F_MRG_RXBUF  15
#define VIRTIO_NET_F_STATUS     16

/* struct virtio_net_config (§5.1.4) */
#define CFG_MAC                 0
#define CFG_STATUS              6
#define   VIRTIO_NET_S_LINK_UP  1

/* struct virtio_net_hdr (§5.1.6): flags, gso_type, hdr_len, gso_size,
 * csum_start, csum_offset, num_buffers */
#define NET_HDR_LEN             12
#define NET_HDR_NUM_BUFFERS     10

#define RX_QUEUE                0
#define TX_QUEUE                1
#define TX_BUF_SIZE             2048    /* >= NET_HDR_LEN + 1514 */
/* Receive buffers: a whole frame each, so the device needs one per frame.
 * A build with smaller ones (-DVIRTIO_NET_RX_BUF_SIZE=512, a power of 2
 * >= 512) makes the device merge buffers: a test of the gather path. */
#ifndef VIRTIO_NET_RX_BUF_SIZE
#define VIRTIO_NET_RX_BUF_SIZE  2048
#endif
#define TX_WAIT_NS              100000000ull    /* ring full: wait this
						   long for the device (QEMU's
						   I/O thread on a loaded host:
						   2 ms dropped one frame of a
						   burst in 3 runs) */
#define LOG_BURST               10      /* bad-element lines per second */
#define VIRTIO_ID_NET           1       /* §5: the MMIO device id */

static const uint16_t net_ids[] = { 0x1041, 0x1000 };

/* A set of `size`-byte buffers, one per queue entry, packed in frames. */
struct bufs {
	uint32_t size;                  /* a power of 2, <= PAGE_SIZE */
	uint64_t frame[VIRTIO_QUEUE_MAX];
	bool owned[VIRTIO_QUEUE_MAX];   /* rx: offered to the device; tx: in
					   flight */
};

/* A received frame being gathered from used elements. */
struct rx_gather {
	unsigned n, want;               /* elements so far / num_buffers */
	unsigned skip;                  /* elements still to come of a frame
					   that was dropped: recycled unread */
	uint16_t id[VIRTIO_NET_MAX_FRAGS];
	struct virtio_net_frag frag[VIRTIO_NET_MAX_FRAGS];
	size_t total;
};

static struct {
	struct virtio_dev dev;
	struct virtio_queue rxq, txq;
	struct bufs rx, tx;
	uint16_t tx_free[VIRTIO_QUEUE_MAX], ntx_free;
	uint16_t tx_cur;                /* the buffer tx_begin handed out */
	bool tx_open;
	struct rx_gather g;
	uint8_t mac[6];
	bool up;
	char where[32];                 /* the device, for the log */
	struct virtio_net_stats st;
	uint64_t log_window;            /* rate limit: window start (ns) */
	unsigned log_count, log_dropped;
} net;

static const struct pci_dev *net_pci;

_Static_assert(NET_HDR_LEN + VIRTIO_NET_FRAME_MAX <= TX_BUF_SIZE, "a frame fits a buffer");
_Static_assert(VIRTIO_NET_RX_BUF_SIZE >= 512 && VIRTIO_NET_RX_BUF_SIZE <= PAGE_SIZE &&
	       !(VIRTIO_NET_RX_BUF_SIZE & (VIRTIO_NET_RX_BUF_SIZE - 1)) &&
	       VIRTIO_NET_MAX_FRAGS * VIRTIO_NET_RX_BUF_SIZE >= NET_HDR_LEN + VIRTIO_NET_FRAME_MAX,
	       "receive buffers: a power of 2, a frame fits VIRTIO_NET_MAX_FRAGS of them");

static uint64_t buf_phys(const struct bufs *b, uint16_t id)
{
	unsigned per = PAGE_SIZE / b->size;

	return b->frame[id / per] + (uint64_t)(id % per) * b->size;
}

static uint8_t *buf_virt(const struct bufs *b, uint16_t id)
{
	return phys_to_virt(buf_phys(b, id));
}

/* A log line about the device, at most LOG_BURST a second. */
static void bad(const char *what, uint32_t a, uint32_t b)
{
	uint64_t now = tsc_ns_since_entry();

	if (now - net.log_window > 1000000000ull) {
		if (net.log_dropped)
			klog("virtio-net: %u more such lines suppressed", net.log_dropped);
		net.log_window = now;
		net.log_count = net.log_dropped = 0;
	}
	if (net.log_count++ < LOG_BURST)
		klog("virtio-net: %s (%u, %u): dropped", what, a, b);
	else
		net.log_dropped++;
}

static int bufs_alloc(struct bufs *b, uint16_t n, uint32_t size)
{
	unsigned per = PAGE_SIZE / size;

	b->size = size;
	for (unsigned i = 0; i < (n + per - 1) / per; i++) {
		if (!(b->frame[i] = pmm_alloc()))
			return -ENOMEM;
		memset(phys_to_virt(b->frame[i]), 0, PAGE_SIZE);
	}
	return 0;
}

/* ---- receive -------------------------------------------------------------- */

static void rx_offer(uint16_t id)
{
	net.rxq.desc[id].addr = buf_phys(&net.rx, id);
	net.rxq.desc[id].len = VIRTIO_NET_RX_BUF_SIZE;
	net.rxq.desc[id].flags = VIRTQ_DESC_F_WRITE;
	net.rxq.desc[id].next = 0;
	net.rx.owned[id] = true;
	virtio_queue_offer(&net.rxq, id);
}

/* Give the gathered buffers back; start a new frame. */
static void rx_recycle(void)
{
	for (unsigned i = 0; i < net.g.n; i++)
		rx_offer(net.g.id[i]);
	memset(&net.g, 0, sizeof net.g);
}

/* Drop the frame being gathered (logged, counted); `rest` more elements
 * the device said belong to it will be skipped when they come, so they
 * are not taken for frames of their own. */
static void rx_drop(const char *what, uint32_t a, uint32_t b, unsigned rest)
{
	bad(what, a, b);
	net.st.rx_bad++;
	rx_recycle();
	net.g.skip = rest < net.rxq.size ? rest : net.rxq.size;
}

/* Elements of the current frame the device has yet to return. */
static unsigned rx_rest(void)
{
	return net.g.want > net.g.n ? net.g.want - net.g.n : 0;
}

/* Check the first element's header: num_buffers.  0 or -1 (dropped). */
static int rx_first(const uint8_t *p)
{
	uint16_t nb;

	memcpy(&nb, p + NET_HDR_NUM_BUFFERS, 2);
	if (nb == 0 || nb > VIRTIO_NET_MAX_FRAGS ||
	    (nb > 1 && !(net.dev.features & 1ull << VIRTIO_NET_F_MRG_RXBUF))) {
		rx_drop("num_buffers out of range", nb, VIRTIO_NET_MAX_FRAGS,
			nb > 1 ? nb - 1u : 0);
		return -1;
	}
	net.g.want = nb;
	return 0;
}

/* Add used element e to the frame being gathered.  1: the frame is
 * complete; 0: more elements to come; -1: dropped or skipped. */
static int rx_add(const struct virtq_used_elem *e)
{
	struct rx_gather *g = &net.g;
	const uint8_t *p;
	size_t hdr = g->n == 0 ? NET_HDR_LEN : 0;

	if (e->id >= net.rxq.size || !net.rx.owned[e->id]) {
		if (g->skip)
			g->skip--;
		else            /* not ours to offer again */
			rx_drop("used id not offered", e->id, net.rxq.size,
				rx_rest() ? rx_rest() - 1 : 0);
		return -1;
	}
	net.rx.owned[e->id] = false;
	if (g->skip) {
		g->skip--;
		rx_offer((uint16_t)e->id);
		return -1;
	}
	g->id[g->n++] = (uint16_t)e->id;
	p = buf_virt(&net.rx, (uint16_t)e->id);
	if (e->len > VIRTIO_NET_RX_BUF_SIZE || e->len < hdr) {
		rx_drop("used length out of range", e->id, e->len, rx_rest());
		return -1;
	}
	if (hdr && rx_first(p))
		return -1;
	g->frag[g->n - 1] = (struct virtio_net_frag){ p + hdr, e->len - hdr };
	g->total += e->len - hdr;
	if (g->n < g->want)
		return 0;
	if (g->total < VIRTIO_NET_FRAME_MIN || g->total > VIRTIO_NET_FRAME_MAX) {
		rx_drop("frame length out of range", (uint32_t)g->total, g->want, 0);
		return -1;
	}
	return 1;
}

unsigned virtio_net_rx(virtio_net_rx_fn *rx, void *ctx, unsigned budget)
{
	struct virtq_used_elem e;
	unsigned frames = 0, seen = 0;

	if (!net.up)
		return 0;
	/* At most one ring's worth per call: a device that keeps writing
	 * cannot keep us here. */
	while (frames < budget && seen < net.rxq.size &&
	       virtio_queue_next_used(&net.rxq, &e)) {
		seen++;
		if (rx_add(&e) != 1)
			continue;
		net.st.rx_frames++;
		net.st.rx_bytes += net.g.total;
		net.st.rx_merged += net.g.n > 1;
		rx(ctx, net.g.frag, net.g.n, net.g.total);
		rx_recycle();
		frames++;
	}
	if (seen)
		virtio_queue_kick(&net.dev, &net.rxq);
	return frames;
}

bool virtio_net_rx_pending(void)
{
	return net.up && virtio_queue_used_pending(&net.rxq) > 0;
}

/* ---- transmit ----------------------------------------------------------- */

void virtio_net_tx_reclaim(void)
{
	struct virtq_used_elem e;
	unsigned seen = 0;

	while (seen++ < net.txq.size && virtio_queue_next_used(&net.txq, &e)) {
		if (e.id >= net.txq.size || !net.tx.owned[e.id]) {
			bad("tx completion for an id not in flight", e.id, net.txq.size);
			net.st.tx_bad++;
			continue;
		}
		net.tx.owned[e.id] = false;
		net.tx_free[net.ntx_free++] = (uint16_t)e.id;
	}
}

bool virtio_net_tx_idle(void)
{
	if (!net.up)
		return true;
	virtio_net_tx_reclaim();
	return !net.tx_open && net.ntx_free == net.txq.size;
}

uint8_t *virtio_net_tx_begin(size_t *cap)
{
	uint64_t t0;

	if (!net.up || net.tx_open)
		return NULL;
	virtio_net_tx_reclaim();
	if (!net.ntx_free) {
		/* QEMU sends from its own thread: give it a moment. */
		t0 = tsc_ns_since_entry();
		while (!net.ntx_free && tsc_ns_since_entry() - t0 < TX_WAIT_NS) {
			__asm__ volatile("pause");
			virtio_net_tx_reclaim();
		}
		if (!net.ntx_free) {
			net.st.tx_full++;
			return NULL;
		}
	}
	net.tx_cur = net.tx_free[--net.ntx_free];
	net.tx_open = true;
	*cap = VIRTIO_NET_FRAME_MAX;
	return buf_virt(&net.tx, net.tx_cur) + NET_HDR_LEN;
}

void virtio_net_tx_commit(size_t len)
{
	uint16_t id = net.tx_cur;

	if (!net.tx_open)
		return;
	net.tx_open = false;
	if (len > VIRTIO_NET_FRAME_MAX) {
		net.tx_free[net.ntx_free++] = id;
		return;
	}
	memset(buf_virt(&net.tx, id), 0, NET_HDR_LEN);  /* no offload, no GSO */
	net.txq.desc[id].addr = buf_phys(&net.tx, id);
	net.txq.desc[id].len = (uint32_t)(NET_HDR_LEN + len);
	net.txq.desc[id].flags = 0;
	net.txq.desc[id].next = 0;
	net.tx.owned[id] = true;
	virtio_queue_offer(&net.txq, id);
	if (virtio_queue_kick(&net.dev, &net.txq))
		net.st.tx_kicks++;
	net.st.tx_frames++;
	net.st.tx_bytes += len;
}

/* ---- setup ---------------------------------------------------------------- */

static void read_mac(void)
{
	if (net.dev.features & 1ull << VIRTIO_NET_F_MAC &&
	    !virtio_cfg_read(&net.dev, CFG_MAC, net.mac, 6))
		return;
	/* No address from the device: a random unicast, locally administered. */
	if (plat_random(net.mac, 6))
		memcpy(net.mac, (uint8_t[6]){ 0x02, 0, 0, 0x12, 0x34, 0x56 }, 6);
	net.mac[0] = (uint8_t)((net.mac[0] & 0xfc) | 0x02);
}

static int queues_setup(void)
{
	int err;

	if ((err = virtio_queue_setup(&net.dev, &net.rxq, RX_QUEUE, VIRTIO_QUEUE_MAX)) ||
	    (err = virtio_queue_setup(&net.dev, &net.txq, TX_QUEUE, VIRTIO_QUEUE_MAX)))
		return err;
	if ((err = bufs_alloc(&net.rx, net.rxq.size, VIRTIO_NET_RX_BUF_SIZE)) ||
	    (err = bufs_alloc(&net.tx, net.txq.size, TX_BUF_SIZE)))
		return err;
	net.txq.avail[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;  /* completions: polled */
	for (uint16_t i = 0; i < net.rxq.size; i++)
		rx_offer(i);
	for (uint16_t i = 0; i < net.txq.size; i++)
		net.tx_free[net.ntx_free++] = (uint16_t)(net.txq.size - 1 - i);
	return 0;
}

/* The first virtio-net PCI function, else the first MMIO device with id
 * 1: reset, acknowledged, features negotiated. */
static int net_start(uint64_t want)
{
	const struct pci_dev *d = pci_find(VIRTIO_PCI_VENDOR, net_ids, 2);
	const struct virtio_mmio_dev *m;

	if (d) {
		ksnprintf(net.where, sizeof net.where, "%02x:%02x.%u", d->bus, d->dev, d->fn);
		net_pci = d;
		return virtio_pci_start(&net.dev, d, want);
	}
	if ((m = virtio_mmio_claim(VIRTIO_ID_NET))) {
		ksnprintf(net.where, sizeof net.where, "mmio %#lx", m->e.base);
		return virtio_mmio_start(&net.dev, m, want);
	}
	return -ENODEV;
}

int virtio_net_init(void)
{
	uint64_t want = 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS |
			1ull << VIRTIO_NET_F_MRG_RXBUF;
	int err = net_start(want);

	if (err == -ENODEV && !net.where[0])
		return -ENODEV;
	if (!err && (err = queues_setup()))
		virtio_fail(&net.dev);
	if (err) {
		klog("virtio-net: %s: setup failed (%d)", net.where, err);
		net_pci = NULL;
		return err;
	}
	read_mac();
	virtio_ready(&net.dev);
	virtio_queue_kick(&net.dev, &net.rxq);
	net.up = true;
	klog("virtio-net: %s: mac %02x:%02x:%02x:%02x:%02x:%02x, features "
	     "%#lx, queues %u/%u, link %s", net.where, net.mac[0],
	     net.mac[1], net.mac[2], net.mac[3], net.mac[4], net.mac[5],
	     net.dev.features, net.rxq.size, net.txq.size,
	     virtio_net_link_up() ? "up" : "down");
	return 0;
}

void virtio_net_mac(uint8_t mac[6])
{
	memcpy(mac, net.mac, 6);
}

bool virtio_net_link_up(void)
{
	uint16_t status;

	if (!(net.dev.features & 1ull << VIRTIO_NET_F_STATUS))
		return true;
	if (virtio_cfg_read(&net.dev, CFG_STATUS, &status, 2))
		return false;
	return status & VIRTIO_NET_S_LINK_UP;
}

void virtio_net_get_stats(struct virtio_net_stats *s)
{
	*s = net.st;
}

const struct pci_dev *virtio_net_pci(void)
{
	return net_pci;
}

int virtio_net_set_vectors(uint16_t config, uint16_t rx, uint16_t tx)
{
	int err;

	if (!net.up || !net_pci)
		return -ENODEV;
	if ((err = virtio_pci_set_config_vector(&net.dev, config)) ||
	    (err = virtio_queue_set_vector(&net.dev, &net.rxq, rx)))
		return err;
	return virtio_queue_set_vector(&net.dev, &net.txq, tx);
}

int virtio_net_mmio_irq(void (*fn)(void *arg), void *arg)
{
	if (!net.up || !net.dev.mmio)
		return -ENODEV;
	return virtio_mmio_irq_setup(&net.dev, fn, arg, "virtio-net");
}
