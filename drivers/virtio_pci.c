/*
 * virtio_pci.c — the virtio modern PCI transport (Virtio 1.2 §4.1.4:
 * vendor capabilities 0x09 naming common/notify/ISR/device config regions
 * in BARs) behind drivers/virtio.h, and MSI-X routing of configuration
 * changes and queues.  Device initialization and the virtqueues
 * themselves are transport-independent (drivers/virtio.c).
 *
 * Written against QEMU 7.2's virtio-*-pci (transitional devices have the
 * modern capabilities too) on q35:
 *   qemu-system-x86_64 -machine q35 ... -device virtio-rng-pci
 *   qemu-system-x86_64 -machine q35 ... -device virtio-net-pci,netdev=n0
 *
 * The device is hostile like any input: capability offsets and lengths
 * are checked, and the notify address must lie inside the notify region.
 */
#include <errno.h>
#include <string.h>
#include "kernel.h"
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

/* ---- struct virtio_transport ------------------------------------------------- */

static uint8_t pci_get_status(struct virtio_dev *v)
{
	return r8(v->common, COMMON_STATUS);
}

static void pci_set_status(struct virtio_dev *v, uint8_t status)
{
	w8(v->common, COMMON_STATUS, status);
}

static uint32_t pci_get_features(struct virtio_dev *v, uint32_t sel)
{
	w32(v->common, COMMON_DFSELECT, sel);
	return r32(v->common, COMMON_DF);
}

static void pci_set_features(struct virtio_dev *v, uint32_t sel, uint32_t bits)
{
	w32(v->common, COMMON_GFSELECT, sel);
	w32(v->common, COMMON_GF, bits);
}

static uint16_t pci_queue_max(struct virtio_dev *v, uint16_t index)
{
	if (index >= r16(v->common, COMMON_NUMQ))
		return 0;
	w16(v->common, COMMON_Q_SELECT, index);
	return r16(v->common, COMMON_Q_SIZE);
}

static void w64_split(volatile uint8_t *c, unsigned lo, uint64_t v)
{
	w32(c, lo, (uint32_t)v);
	w32(c, lo + 4, (uint32_t)(v >> 32));
}

/* The queue is selected (pci_queue_max). */
static int pci_queue_enable(struct virtio_dev *v, struct virtio_queue *q)
{
	uint64_t off = (uint64_t)r16(v->common, COMMON_Q_NOFF) * v->notify_mult;

	if (off > v->notify_len || v->notify_len - off < 2)
		return -ENODEV;         /* the notify address is not in its region */
	q->notify = (volatile uint16_t *)(v->notify_base + off);
	w16(v->common, COMMON_Q_SIZE, q->size);
	w64_split(v->common, COMMON_Q_DESCLO, q->desc_phys);
	w64_split(v->common, COMMON_Q_AVAILLO, q->avail_phys);
	w64_split(v->common, COMMON_Q_USEDLO, q->used_phys);
	w16(v->common, COMMON_Q_MSIX, q->msix_vector);
	w16(v->common, COMMON_Q_ENABLE, 1);
	return 0;
}

static void pci_notify(struct virtio_dev *v, struct virtio_queue *q)
{
	*q->notify = q->index;
}

static uint32_t pci_cfg_len(struct virtio_dev *v)
{
	return v->device_cfg ? v->device_cfg_len : 0;
}

static uint32_t pci_cfg_generation(struct virtio_dev *v)
{
	return r8(v->common, COMMON_CFG_GENERATION);
}

static uint8_t pci_dev_cfg_read8(struct virtio_dev *v, uint32_t off)
{
	return r8(v->device_cfg, off);
}

static const struct virtio_transport pci_transport = {
	.name = "pci",
	.get_status = pci_get_status, .set_status = pci_set_status,
	.get_features = pci_get_features, .set_features = pci_set_features,
	.queue_max = pci_queue_max, .queue_enable = pci_queue_enable,
	.notify = pci_notify,
	.cfg_len = pci_cfg_len, .cfg_generation = pci_cfg_generation,
	.cfg_read8 = pci_dev_cfg_read8,
};

/* ---- start, MSI-X ------------------------------------------------------------ */

int virtio_pci_start(struct virtio_dev *v, const struct pci_dev *pci, uint64_t wanted)
{
	int err;

	memset(v, 0, sizeof(*v));
	v->pci = pci;
	pci_enable(pci, PCI_CMD_MEM | PCI_CMD_MASTER);
	err = find_caps(v);
	if (err)
		return err;
	v->t = &pci_transport;
	return virtio_start(v, wanted);
}

int virtio_pci_init(struct virtio_dev *v, const struct pci_dev *pci, uint64_t wanted)
{
	int err = virtio_pci_start(v, pci, wanted);

	return err ? err : virtio_simple_setup(v);
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
