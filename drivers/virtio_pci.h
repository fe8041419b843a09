/*
 * virtio_pci.h — the virtio modern PCI transport (Virtio 1.2 §4.1) with one
 * polled split virtqueue (§2.7), enough for simple request/response
 * devices (virtio-rng).  No interrupts: the driver polls the used ring.
 */
#ifndef DRIVERS_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pci.h"

#define VIRTIO_PCI_VENDOR       0x1af4
#define VIRTIO_QUEUE_MAX        8       /* entries used per queue (fits a page) */

/* struct virtq_desc flags (§2.7.5) */
#define VIRTQ_DESC_F_NEXT       1
#define VIRTQ_DESC_F_WRITE      2       /* device writes this buffer */

struct virtio_queue {
	uint16_t index, size;
	uint16_t last_used;             /* used->idx we have consumed up to */
	uint16_t avail_idx;             /* next avail->idx */
	uint64_t phys;                  /* the page holding the three rings */
	volatile struct virtq_desc *desc;
	volatile uint16_t *avail;       /* flags, idx, ring[size], used_event */
	volatile uint16_t *used;        /* flags, idx, then {u32 id, u32 len}[] */
	volatile uint16_t *notify;
};

struct virtio_dev {
	const struct pci_dev *pci;
	volatile uint8_t *common;       /* struct virtio_pci_common_cfg */
	volatile uint8_t *notify_base;
	uint32_t notify_mult;
	volatile uint8_t *device_cfg;   /* may be NULL */
	struct virtio_queue q;
};

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* Find the capabilities, reset the device, negotiate features (we take
 * VIRTIO_F_VERSION_1 and nothing else: `wanted` is ANDed with what the
 * device offers), set up queue 0 and set DRIVER_OK.  0 or -errno. */
int virtio_pci_init(struct virtio_dev *v, const struct pci_dev *pci, uint64_t wanted);

/* Hand one buffer [phys, phys+len) to the device (device-writable if
 * write), notify it, and poll until it is returned or timeout_ns passes.
 * Returns the bytes the device wrote (its used length), or -errno. */
long virtio_queue_xfer(struct virtio_dev *v, uint64_t phys, uint32_t len, bool write,
		       uint64_t timeout_ns);

#endif
