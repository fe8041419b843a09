/*
 * virtio.h — virtio devices independent of their transport: device
 * initialization as Virtio 1.2 §3.1.1 orders it, split virtqueues
 * (§2.7), device configuration reads (§2.5.1), for several queues per
 * device of up to VIRTIO_QUEUE_MAX entries each.  Drivers poll the used
 * rings.  The transports fill in struct virtio_transport:
 *   drivers/virtio_pci.c   modern PCI (§4.1), MSI-X per queue
 *   drivers/virtio_mmio.c  MMIO version 2 (§4.2), one interrupt line
 *
 * Use: virtio_pci_start / virtio_mmio_start (features) -> virtio_queue_setup
 * per queue -> virtio_ready (DRIVER_OK).  virtio_pci_init /
 * virtio_mmio_init do all three for a device with one small queue
 * (virtio-rng), with virtio_queue_xfer for one request at a time.
 */
#ifndef DRIVERS_VIRTIO_H
#define DRIVERS_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_QUEUE_MAX        256     /* entries per queue we use at most */
#define VIRTIO_MSI_NO_VECTOR    0xffff  /* §4.1.5.1.2 */

#define VIRTIO_F_VERSION_1      32      /* feature bit (§6) */

/* device status (§2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER    2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED    0x80

/* struct virtq_desc flags (§2.7.5) */
#define VIRTQ_DESC_F_NEXT       1
#define VIRTQ_DESC_F_WRITE      2       /* device writes this buffer */
/* struct virtq_avail flags (§2.7.6) */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1    /* the driver polls: no interrupt
					   needed for this queue */
/* struct virtq_used flags (§2.7.8) */
#define VIRTQ_USED_F_NO_NOTIFY  1       /* the device polls: no notify needed */

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;            /* head of the descriptor chain (device-written:
				   check before use) */
	uint32_t len;           /* bytes written into it (likewise) */
};

/*
 * One split virtqueue.  The descriptor table, the available ring and the
 * used ring each have a frame of their own (both transports take three
 * addresses), so up to 256 entries fit: 256 x 16 B of descriptors,
 * 4 + 2 x 256 + 2 B of available ring, 4 + 8 x 256 + 2 B of used ring.
 * Owned by one driver; the interrupt path reads nothing here.
 */
struct virtio_queue {
	uint16_t index, size;           /* size: a power of 2, <= VIRTIO_QUEUE_MAX */
	uint16_t last_used;             /* used->idx we have consumed up to */
	uint16_t avail_idx;             /* our next avail->idx */
	uint16_t msix_vector;           /* PCI: VIRTIO_MSI_NO_VECTOR from setup
					   on, until virtio_queue_set_vector */
	uint64_t desc_phys, avail_phys, used_phys;
	volatile struct virtq_desc *desc;
	volatile uint16_t *avail;       /* flags, idx, ring[size], used_event */
	volatile uint16_t *used;        /* flags, idx, then virtq_used_elem[size] */
	volatile uint16_t *notify;      /* PCI: the queue's notify address */
};

struct virtio_dev;

/* What a transport does; the generic code (virtio.c) does the rest. */
struct virtio_transport {
	const char *name;
	uint8_t (*get_status)(struct virtio_dev *v);
	void (*set_status)(struct virtio_dev *v, uint8_t status);
	/* 32 feature bits from 32 * sel: offered by the device / accepted */
	uint32_t (*get_features)(struct virtio_dev *v, uint32_t sel);
	void (*set_features)(struct virtio_dev *v, uint32_t sel, uint32_t bits);
	/* The largest size queue `index` may have, 0 if it does not exist
	 * (or cannot be used); leaves the queue selected. */
	uint16_t (*queue_max)(struct virtio_dev *v, uint16_t index);
	/* Tell the device q's size and ring addresses and enable it.  0 or
	 * -errno. */
	int (*queue_enable)(struct virtio_dev *v, struct virtio_queue *q);
	void (*notify)(struct virtio_dev *v, struct virtio_queue *q);
	/* Device configuration: its length in bytes, its generation
	 * counter, one byte of it (off < length). */
	uint32_t (*cfg_len)(struct virtio_dev *v);
	uint32_t (*cfg_generation)(struct virtio_dev *v);
	uint8_t (*cfg_read8)(struct virtio_dev *v, uint32_t off);
};

struct virtio_dev {
	const struct virtio_transport *t;
	uint64_t features;              /* negotiated */
	struct virtio_queue q;          /* the one-queue devices' queue */
	/* PCI (virtio_pci.c) */
	const struct pci_dev *pci;
	volatile uint8_t *common;       /* struct virtio_pci_common_cfg */
	volatile uint8_t *notify_base;
	uint32_t notify_mult, notify_len;
	volatile uint8_t *device_cfg;   /* may be NULL */
	uint32_t device_cfg_len;
	/* MMIO (virtio_mmio.c) */
	const struct virtio_mmio_dev *mmio;
	volatile uint8_t *regs;         /* the register window, mapped */
};

/* With v->t and the transport's fields set: reset the device (waiting
 * for it to read back 0), ACKNOWLEDGE, DRIVER, negotiate features
 * (VIRTIO_F_VERSION_1 | wanted, ANDed with what the device offers, into
 * v->features; FEATURES_OK checked).  0 or -errno (the device is then
 * marked FAILED). */
int virtio_start(struct virtio_dev *v, uint64_t wanted);
/* Set up queue `index` with at most max_size entries (rounded down to a
 * power of 2, and to what the device offers), its rings zeroed, and
 * enable it.  0 or -errno. */
int virtio_queue_setup(struct virtio_dev *v, struct virtio_queue *q, uint16_t index,
		       uint16_t max_size);
/* DRIVER_OK: the device may now use the queues. */
void virtio_ready(struct virtio_dev *v);
/* Mark the device FAILED (§2.1) after an error during setup. */
void virtio_fail(struct virtio_dev *v);
/* One-queue devices, after the transport's start: queue 0 with at most
 * 8 entries, DRIVER_OK.  0 or -errno (FAILED). */
int virtio_simple_setup(struct virtio_dev *v);

/* Publish avail->idx = q->avail_idx (after the ring entries were
 * written) and notify the device unless it asked not to be (used->flags
 * NO_NOTIFY, §2.7.10).  Whether it notified: a notification is a trap
 * into the hypervisor, the dearest thing a driver does. */
bool virtio_queue_kick(struct virtio_dev *v, struct virtio_queue *q);
/* Put descriptor head `id` in the next available slot (not yet
 * published: virtio_queue_kick does that). */
void virtio_queue_offer(struct virtio_queue *q, uint16_t id);
/* The next used element, if the device returned one: its id and len as
 * the device wrote them (unchecked: the caller checks them against what
 * it offered).  true and q->last_used advanced, or false. */
bool virtio_queue_next_used(struct virtio_queue *q, struct virtq_used_elem *e);
/* How many used elements are waiting (device-written idx: at most
 * q->size is believed). */
uint16_t virtio_queue_used_pending(const struct virtio_queue *q);

/* Device-specific configuration, bounds-checked against its length (a
 * read past it returns 0 and -EINVAL), read consistently with the
 * configuration generation (§2.5.1). */
int virtio_cfg_read(struct virtio_dev *v, uint32_t off, void *buf, uint32_t len);

/* Hand one buffer [phys, phys+len) to the device on v->q (device-writable
 * if write), notify it, and poll until it is returned or timeout_ns
 * passes.  Returns the bytes the device wrote (its used length), or
 * -errno. */
long virtio_queue_xfer(struct virtio_dev *v, uint64_t phys, uint32_t len, bool write,
		       uint64_t timeout_ns);

#endif
