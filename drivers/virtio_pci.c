/*
 * virtio_pci.c — virtio over PCI, modern interface (Virtio 1.2 §4.1.4:
 * vendor capabilities 0x09 naming common/notify/ISR/device config regions
 * in BARs), device initialization as §3.1.1 orders it, and one split
 * virtqueue (§2.7: descriptor table, available ring, used ring), polled.
 *
 * Written against QEMU 7.2's virtio-*-pci (transitional devices have the
 * modern capabilities too) on q35:
 *   qemu-system-x86_64 -machine q35 ... -device virtio-rng-pci
 *
 * The three rings of queue 0 share one 4 KiB frame (at most
 * VIRTIO_QUEUE_MAX entries: desc at 0, avail at 512, used at 1024), so
 * their physical addresses are the frame's.  x86 keeps stores in order,
 * so a compiler barrier (plus a full fence before the notify, which is an
 * uncached MMIO write) is the ordering §2.7.13 asks for.
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
#define COMMON_NUMQ             0x12
#define COMMON_STATUS           0x14
#define COMMON_Q_SELECT         0x16
#define COMMON_Q_SIZE           0x18
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

#define VIRTIO_F_VERSION_1      32      /* feature bit (§6) */

#define RING_AVAIL_OFF          512
#define RING_USED_OFF           1024
#define RESET_WAIT_NS           100000000ull

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

/* The region a capability names: mapped, bounds-checked against need. */
static volatile uint8_t *cap_region(const struct pci_dev *d, uint8_t cap, uint32_t need)
{
	uint8_t bar = pci_cfg_read8(d, cap + CAP_BAR);
	uint32_t off = pci_cfg_read32(d, cap + CAP_OFFSET);
	uint32_t len = pci_cfg_read32(d, cap + CAP_LENGTH);
	uint64_t base = pci_bar_phys(d, bar);

	if (!base || len < need)
		return NULL;
	return pci_map(base + off, len);
}

static int find_caps(struct virtio_dev *v)
{
	const struct pci_dev *d = v->pci;
	uint8_t cap;

	if (!((pci_cfg_read32(d, 0x04) >> 16) & PCI_STATUS_CAPS))
		return -ENODEV;
	cap = pci_cfg_read8(d, PCI_CAP_PTR) & 0xfc;
	for (int i = 0; cap >= 0x40 && i < CAP_MAX; i++) {
		if (pci_cfg_read8(d, cap) == PCI_CAP_VENDOR) {
			switch (pci_cfg_read8(d, cap + CAP_CFG_TYPE)) {
			case VIRTIO_PCI_CAP_COMMON_CFG:
				if (!v->common)
					v->common = cap_region(d, cap, COMMON_LEN);
				break;
			case VIRTIO_PCI_CAP_NOTIFY_CFG:
				if (!v->notify_base) {
					v->notify_base = cap_region(d, cap, 2);
					v->notify_mult = pci_cfg_read32(d, cap + CAP_NOTIFY_MULT);
				}
				break;
			case VIRTIO_PCI_CAP_DEVICE_CFG:
				if (!v->device_cfg)
					v->device_cfg = cap_region(d, cap, 1);
				break;
			}
		}
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
	return 0;
}

static int queue_setup(struct virtio_dev *v)
{
	struct virtio_queue *q = &v->q;
	uint16_t size, noff;
	uint8_t *page;

	if (r16(v->common, COMMON_NUMQ) < 1)
		return -ENODEV;
	w16(v->common, COMMON_Q_SELECT, 0);
	size = r16(v->common, COMMON_Q_SIZE);
	if (!size)
		return -ENODEV;
	if (size > VIRTIO_QUEUE_MAX)
		size = VIRTIO_QUEUE_MAX;        /* §4.1.4.3: the driver may shrink it */
	if (!(q->phys = pmm_alloc()))
		return -ENOMEM;
	page = phys_to_virt(q->phys);
	memset(page, 0, PAGE_SIZE);
	q->index = 0;
	q->size = size;
	q->desc = (volatile struct virtq_desc *)page;
	q->avail = (volatile uint16_t *)(page + RING_AVAIL_OFF);
	q->used = (volatile uint16_t *)(page + RING_USED_OFF);
	noff = r16(v->common, COMMON_Q_NOFF);
	q->notify = (volatile uint16_t *)(v->notify_base + (uint64_t)noff * v->notify_mult);
	w16(v->common, COMMON_Q_SIZE, size);
	w32(v->common, COMMON_Q_DESCLO, (uint32_t)q->phys);
	w32(v->common, COMMON_Q_DESCHI, (uint32_t)(q->phys >> 32));
	w32(v->common, COMMON_Q_AVAILLO, (uint32_t)(q->phys + RING_AVAIL_OFF));
	w32(v->common, COMMON_Q_AVAILHI, (uint32_t)((q->phys + RING_AVAIL_OFF) >> 32));
	w32(v->common, COMMON_Q_USEDLO, (uint32_t)(q->phys + RING_USED_OFF));
	w32(v->common, COMMON_Q_USEDHI, (uint32_t)((q->phys + RING_USED_OFF) >> 32));
	w16(v->common, COMMON_Q_ENABLE, 1);
	return 0;
}

int virtio_pci_init(struct virtio_dev *v, const struct pci_dev *pci, uint64_t wanted)
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
	if (!err)
		err = queue_setup(v);
	if (err) {
		w8(v->common, COMMON_STATUS, STATUS_FAILED);
		return err;
	}
	w8(v->common, COMMON_STATUS, r8(v->common, COMMON_STATUS) | STATUS_DRIVER_OK);
	return 0;
}

long virtio_queue_xfer(struct virtio_dev *v, uint64_t phys, uint32_t len, bool write,
		       uint64_t timeout_ns)
{
	struct virtio_queue *q = &v->q;
	uint16_t slot = q->avail_idx % q->size, used_idx;
	uint64_t t0 = tsc_ns_since_entry();
	volatile uint32_t *elem;

	/* One request in flight at a time: descriptor `slot` is free. */
	q->desc[slot].addr = phys;
	q->desc[slot].len = len;
	q->desc[slot].flags = write ? VIRTQ_DESC_F_WRITE : 0;
	q->desc[slot].next = 0;
	q->avail[2 + slot] = slot;                      /* ring[slot] */
	barrier();
	q->avail[1] = ++q->avail_idx;                   /* idx */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*q->notify = q->index;
	while ((used_idx = q->used[1]) == q->last_used) {
		if (tsc_ns_since_entry() - t0 > timeout_ns)
			return -ETIMEDOUT;      /* the descriptor stays the device's */
		__asm__ volatile("pause");
	}
	barrier();
	elem = (volatile uint32_t *)(q->used + 2) + 2 * (q->last_used % q->size);
	q->last_used++;
	if (elem[0] != slot || elem[1] > len)
		return -EIO;
	return (long)elem[1];
}
