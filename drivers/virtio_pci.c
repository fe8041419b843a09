/*
 * virtio_pci.c — virtio over PCI, modern interface (Virtio 1.2 §4.1.4:
 * vendor capabilities 0x09 naming common/notify/ISR/device config regions
 * in BARs), device initialization as §3.1.1 orders it, and split
 * virtqueues (§2.7: descriptor table, available ring, used ring), polled.
 *
 * Written against QEMU 7.2's virtio-*-pci (transitional devices have the
 * modern capabilities too) on q35:
 *   qemu-system-x86_64 -machine q35 ... -device virtio-rng-pci
 *   qemu-system-x86_64 -machine q35 ... -device virtio-net-pci,netdev=n0
 *
 * Each queue's descriptor table, available ring and used ring live in a
 * 4 KiB frame of their own (up to VIRTIO_QUEUE_MAX = 256 entries).  The
 * device is hostile like any input: capability offsets and lengths are
 * checked, the notify address must lie inside the notify region, used
 * indexes are believed only up to the queue size, and used elements are
 * handed to the driver as values for it to check.  x86 keeps stores in
 * order and loads in order, so a compiler barrier is the ordering §2.7.13
 * asks for between ring writes, and a full fence separates publishing
 * avail->idx from reading the device's NO_NOTIFY flag (§2.7.10).
 */
#include <errno.h>
#include <string.h>
#include "kernel.h"
#include "pmm.h"
#include "tsc.h"
#include "virtio_pci.h"
#include "vmm.h"

/* PCI capability (§4.1.4) */
#define PCI_CAP_PTR             0x34
#define PCI_CAP_VENDOR          0x09
#define   CAP_CFG_TYPE          3       /* u8 offsets in the capability */
#define   CAP_BAR               4
#define   CAP_OFFSET            8
#define   CAP_LENGTH            12
#define   CAP_NOTIFY_MULT       16
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define CAP_MAX                 48      /* a hostile list can't loop */

/* struct virtio_pci_common_cfg (§4.1.4.3) */
#define COMMON_DFSELECT         0x00
#define COMMON_DF               0x04
#define COMMON_GFSELECT         0x08
#define COMMON_GF               0x0c
#define COMMON_MSIX_CONFIG      0x10
#define COMMON_NUMQ             0x12
#define COMMON_STATUS           0x14
#define COMMON_CFG_GENERATION   0x15
#define COMMON_Q_SELECT         0x16
#define COMMON_Q_SIZE           0x18
#define COMMON_Q_MSIX           0x1a
#define COMMON_Q_ENABLE         0x1c
#define COMMON_Q_NOFF           0x1e
#define COMMON_Q_DESCLO         0x20
#define COMMON_Q_DESCHI         0x24
#define COMMON_Q_AVAILLO        0x28
#define COMMON_Q_AVAILHI        0x2c
#define COMMON_Q_USEDLO         0x30
#define COMMON_Q_USEDHI         0x34
#define COMMON_LEN              0x38

/* device status (§2.1) */
#define STATUS_ACKNOWLEDGE      1
#define STATUS_DRIVER           2
#define STATUS_DRIVER_OK        4
#define STATUS_FEATURES_OK      8
#define STATUS_FAILED           0x80

#define RESET_WAIT_NS           100000000ull
#define SIMPLE_QUEUE_SIZE       8       /* virtio_pci_init's queue */
#define CFG_READ_TRIES          16      /* config_generation retries */

static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

static uint8_t r8(volatile uint8_t *b, unsigned off) { return *(volatile uint8_t *)(b + off); }
static uint16_t r16(volatile uint8_t *b, unsigned off) { return *(volatile uint16_t *)(b + off); }
static uint32_t r32(volatile uint8_t *b, unsigned off) { return *(volatile uint32_t *)(b + off); }
static void w8(volatile uint8_t *b, unsigned off, uint8_t v) { *(volatile uint8_t *)(b + off) = v; }
static void w16(volatile uint8_t *b, unsigned off, uint16_t v) { *(volatile uint16_t *)(b + off) = v; }
static void w32(volatile uint8_t *b, unsigned off, uint32_t v) { *(volatile uint32_t *)(b + off) = v; }

/* The region a capability names: mapped, at least `need` bytes; *len =
 * its length.  bar > 5 or an unassigned BAR: NULL. */
#define CAP_REGION_MAX          (16u << 20)     /* common/notify/device cfg */

static volatile uint8_t *cap_region(const struct pci_dev *d, uint8_t cap, uint32_t need,
				    uint32_t *len)
{
	uint8_t bar = pci_cfg_read8(d, cap + CAP_BAR);
	uint32_t off = pci_cfg_read32(d, cap + CAP_OFFSET);
	uint32_t n = pci_cfg_read32(d, cap + CAP_LENGTH);
	uint64_t base = bar <= 5 ? pci_bar_phys(d, bar) : 0;

	/* The device says where and how big: a region past any sane size
	 * (our mapping window is finite) or wrapping the address space is
	 * refused, not mapped. */
	if (!base || n < need || n > CAP_REGION_MAX || base + off < base)
		return NULL;
	if (len)
		*len = n;
	return pci_map(base + off, n);
}

static void cap_found(struct virtio_dev *v, uint8_t cap)
{
	const struct pci_dev *d = v->pci;

	switch (pci_cfg_read8(d, cap + CAP_CFG_TYPE)) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
		if (!v->common)
			v->common = cap_region(d, cap, COMMON_LEN, NULL);
		break;
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		if (!v->notify_base) {
			v->notify_base = cap_region(d, cap, 2, &v->notify_len);
			v->notify_mult = pci_cfg_read32(d, cap + CAP_NOTIFY_MULT);
		}
		break;
	case VIRTIO_PCI_CAP_DEVICE_CFG:
		if (!v->device_cfg)
			v->device_cfg = cap_region(d, cap, 1, &v->device_cfg_len);
		break;
	}
}

static int find_caps(struct virtio_dev *v)
{
	const struct pci_dev *d = v->pci;
	uint8_t cap;

	if (!((pci_cfg_read32(d, 0x04) >> 16) & PCI_STATUS_CAPS))
		return -ENODEV;
	cap = pci_cfg_read8(d, PCI_CAP_PTR) & 0xfc;
	for (int i = 0; cap >= 0x40 && i < CAP_MAX; i++) {
		if (pci_cfg_read8(d, cap) == PCI_CAP_VENDOR)
			cap_found(v, cap);
		cap = pci_cfg_read8(d, cap + 1) & 0xfc;
	}
	return v->common && v->notify_base ? 0 : -ENODEV;
}

static int reset(struct virtio_dev *v)
{
	uint64_t t0 = tsc_ns_since_entry();

	w8(v->common, COMMON_STATUS, 0);
	while (r8(v->common, COMMON_STATUS) != 0)
		if (tsc_ns_since_entry() - t0 > RESET_WAIT_NS)
			return -EIO;
	return 0;
}

static int negotiate(struct virtio_dev *v, uint64_t wanted)
{
	uint64_t offered;

	w32(v->common, COMMON_DFSELECT, 0);
	offered = r32(v->common, COMMON_DF);
	w32(v->common, COMMON_DFSELECT, 1);
	offered |= (uint64_t)r32(v->common, COMMON_DF) << 32;
	wanted = (wanted | 1ull << VIRTIO_F_VERSION_1) & offered;
	if (!(wanted & 1ull << VIRTIO_F_VERSION_1))
		return -ENODEV;         /* a legacy-only device */
	w32(v->common, COMMON_GFSELECT, 0);
	w32(v->common, COMMON_GF, (uint32_t)wanted);
	w32(v->common, COMMON_GFSELECT, 1);
	w32(v->common, COMMON_GF, (uint32_t)(wanted >> 32));
	w8(v->common, COMMON_STATUS, r8(v->common, COMMON_STATUS) | STATUS_FEATURES_OK);
	if (!(r8(v->common, COMMON_STATUS) & STATUS_FEATURES_OK))
		return -ENODEV;
	v->features = wanted;
	return 0;
}

int virtio_pci_start(struct virtio_dev *v, const struct pci_dev *pci, uint64_t wanted)
{
	int err;

	memset(v, 0, sizeof(*v));
	v->pci = pci;
	pci_enable(pci, PCI_CMD_MEM | PCI_CMD_MASTER);
	err = find_caps(v);
	if (!err)
		err = reset(v);
	if (err)
		return err;
	w8(v->common, COMMON_STATUS, STATUS_ACKNOWLEDGE);
	w8(v->common, COMMON_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
	err = negotiate(v, wanted);
	if (err)
		virtio_pci_fail(v);
	return err;
}

void virtio_pci_fail(struct virtio_dev *v)
{
	if (v->common)
		w8(v->common, COMMON_STATUS, r8(v->common, COMMON_STATUS) | STATUS_FAILED);
}

void virtio_pci_ready(struct virtio_dev *v)
{
	w8(v->common, COMMON_STATUS, r8(v->common, COMMON_STATUS) | STATUS_DRIVER_OK);
}

/* ---- queues ---------------------------------------------------------------- */

/* A zeroed frame: its physical address and its direct-map address. */
static void *ring_frame(uint64_t *phys)
{
	void *page;

	if (!(*phys = pmm_alloc()))
		return NULL;
	page = phys_to_virt(*phys);
	memset(page, 0, PAGE_SIZE);
	return page;
}

static void ring_frames_free(struct virtio_queue *q)
{
	if (q->desc_phys)
		pmm_free(q->desc_phys);
	if (q->avail_phys)
		pmm_free(q->avail_phys);
	if (q->used_phys)
		pmm_free(q->used_phys);
	q->desc_phys = q->avail_phys = q->used_phys = 0;
}

static void w64_split(volatile uint8_t *c, unsigned lo, uint64_t v)
{
	w32(c, lo, (uint32_t)v);
	w32(c, lo + 4, (uint32_t)(v >> 32));
}

int virtio_queue_setup(struct virtio_dev *v, struct virtio_queue *q, uint16_t index,
		       uint16_t max_size)
{
	uint16_t size, noff;
	uint64_t off;

	_Static_assert(VIRTIO_QUEUE_MAX * sizeof(struct virtq_desc) <= PAGE_SIZE &&
		       6 + 2 * VIRTIO_QUEUE_MAX <= PAGE_SIZE &&
		       6 + 8 * VIRTIO_QUEUE_MAX <= PAGE_SIZE, "rings fit a frame each");
	if (index >= r16(v->common, COMMON_NUMQ))
		return -ENODEV;
	w16(v->common, COMMON_Q_SELECT, index);
	size = r16(v->common, COMMON_Q_SIZE);
	if (max_size > VIRTIO_QUEUE_MAX)
		max_size = VIRTIO_QUEUE_MAX;
	if (size > max_size)
		size = max_size;        /* §4.1.4.3: the driver may shrink it */
	while (size & (size - 1))
		size &= size - 1;       /* split rings: a power of 2 (§2.7) */
	if (!size)
		return -ENODEV;
	noff = r16(v->common, COMMON_Q_NOFF);
	off = (uint64_t)noff * v->notify_mult;
	if (off > v->notify_len || v->notify_len - off < 2)
		return -ENODEV;         /* the notify address is not in its region */
	memset(q, 0, sizeof(*q));
	q->index = index;
	q->size = size;
	q->msix_vector = VIRTIO_MSI_NO_VECTOR;
	q->desc = ring_frame(&q->desc_phys);
	q->avail = ring_frame(&q->avail_phys);
	q->used = ring_frame(&q->used_phys);
	if (!q->desc || !q->avail || !q->used) {
		ring_frames_free(q);
		return -ENOMEM;
	}
	q->notify = (volatile uint16_t *)(v->notify_base + off);
	w16(v->common, COMMON_Q_SIZE, size);
	w64_split(v->common, COMMON_Q_DESCLO, q->desc_phys);
	w64_split(v->common, COMMON_Q_AVAILLO, q->avail_phys);
	w64_split(v->common, COMMON_Q_USEDLO, q->used_phys);
	w16(v->common, COMMON_Q_MSIX, q->msix_vector);
	w16(v->common, COMMON_Q_ENABLE, 1);
	return 0;
}

void virtio_queue_offer(struct virtio_queue *q, uint16_t id)
{
	q->avail[2 + q->avail_idx % q->size] = id;      /* ring[] */
	q->avail_idx++;
}

bool virtio_queue_kick(struct virtio_dev *v, struct virtio_queue *q)
{
	barrier();                      /* ring entries before the index */
	q->avail[1] = q->avail_idx;     /* idx */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);        /* idx before flags */
	if (q->used[0] & VIRTQ_USED_F_NO_NOTIFY)
		return false;
	*q->notify = q->index;
	return true;
}

uint16_t virtio_queue_used_pending(const struct virtio_queue *q)
{
	uint16_t n = (uint16_t)(q->used[1] - q->last_used);

	return n > q->size ? q->size : n;
}

bool virtio_queue_next_used(struct virtio_queue *q, struct virtq_used_elem *e)
{
	volatile uint32_t *elem;

	if (q->used[1] == q->last_used)
		return false;
	barrier();                      /* idx before the element */
	elem = (volatile uint32_t *)(q->used + 2) + 2 * (q->last_used % q->size);
	e->id = elem[0];
	e->len = elem[1];
	q->last_used++;
	return true;
}

/* ---- device configuration, MSI-X ------------------------------------------- */

int virtio_cfg_read(struct virtio_dev *v, uint32_t off, void *buf, uint32_t len)
{
	uint8_t *p = buf, gen;

	if (!v->device_cfg || off > v->device_cfg_len || len > v->device_cfg_len - off) {
		memset(buf, 0, len);
		return -EINVAL;
	}
	for (int tries = 0; tries < CFG_READ_TRIES; tries++) {
		gen = r8(v->common, COMMON_CFG_GENERATION);
		for (uint32_t i = 0; i < len; i++)
			p[i] = r8(v->device_cfg, off + i);
		if (r8(v->common, COMMON_CFG_GENERATION) == gen)
			return 0;
	}
	return -EIO;                    /* it keeps changing under us */
}

int virtio_pci_set_config_vector(struct virtio_dev *v, uint16_t vector)
{
	w16(v->common, COMMON_MSIX_CONFIG, vector);
	return r16(v->common, COMMON_MSIX_CONFIG) == vector ? 0 : -EIO;
}

int virtio_queue_set_vector(struct virtio_dev *v, struct virtio_queue *q,
			    uint16_t vector)
{
	w16(v->common, COMMON_Q_SELECT, q->index);
	w16(v->common, COMMON_Q_MSIX, vector);
	if (r16(v->common, COMMON_Q_MSIX) != vector)
		return -EIO;
	q->msix_vector = vector;
	return 0;
}

/* ---- one-queue devices --------------------------------------------------------- */

int virtio_pci_init(struct virtio_dev *v, const struct pci_dev *pci, uint64_t wanted)
{
	int err = virtio_pci_start(v, pci, wanted);

	if (err)
		return err;
	err = virtio_queue_setup(v, &v->q, 0, SIMPLE_QUEUE_SIZE);
	if (err) {
		virtio_pci_fail(v);
		return err;
	}
	virtio_pci_ready(v);
	return 0;
}

long virtio_queue_xfer(struct virtio_dev *v, uint64_t phys, uint32_t len, bool write,
		       uint64_t timeout_ns)
{
	struct virtio_queue *q = &v->q;
	uint16_t slot = q->avail_idx % q->size;
	uint64_t t0 = tsc_ns_since_entry();
	struct virtq_used_elem e;

	/* One request in flight at a time: descriptor `slot` is free. */
	q->desc[slot].addr = phys;
	q->desc[slot].len = len;
	q->desc[slot].flags = write ? VIRTQ_DESC_F_WRITE : 0;
	q->desc[slot].next = 0;
	virtio_queue_offer(q, slot);
	virtio_queue_kick(v, q);
	while (!virtio_queue_next_used(q, &e)) {
		if (tsc_ns_since_entry() - t0 > timeout_ns)
			return -ETIMEDOUT;      /* the descriptor stays the device's */
		__asm__ volatile("pause");
	}
	if (e.id != slot || e.len > len)
		return -EIO;
	return (long)e.len;
}
