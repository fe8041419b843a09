/*
 * virtio_blk.c — virtio-blk, Virtio 1.2 §5.2, on the modern PCI transport
 * §4.1 (drivers/virtio_pci.c; ids 0x1042 modern, 0x1001 transitional as
 * QEMU's virtio-blk-pci is by default) or on MMIO §4.2
 * (drivers/virtio_mmio.c, device id 2: QEMU microvm's virtio-blk-device),
 * polled.  Written against QEMU 7.2:
 *   -drive if=none,id=d0,format=raw,file=F -device virtio-blk-pci,drive=d0,serial=S
 *   -drive if=none,id=d0,format=raw,file=F -device virtio-blk-device,drive=d0,serial=S
 *
 * Features (§5.2.3): VERSION_1, RO (the disk refuses writes), BLK_SIZE
 * (the block size read-modify-write works in: a power of 2 in
 * 512..4096, else 512 with a log line), FLUSH (fsync sends
 * VIRTIO_BLK_T_FLUSH; without it the device writes through).  Nothing
 * else is accepted (virtio_start ANDs what we want with the offer).
 *
 * Configuration (§5.2.4): capacity, in 512-byte sectors whatever the
 * block size, read with the generation counter (virtio_cfg_read); a
 * capacity whose byte size does not fit an int64_t is refused.
 *
 * Requests (§5.2.6): one at a time, a chain of three descriptors 0 -> 1
 * -> 2: the 16-byte header (type, reserved, sector), the data (one page
 * at most: device-writable for IN and GET_ID), the status byte
 * (device-writable, preset to 0xff so an untouched one is an error).
 * The device is hostile: the used element must name descriptor 0 and its
 * length may not exceed what the device could write (an IN that wrote
 * less than asked is an error); the status must be OK.  A request not
 * answered in REQ_TIMEOUT_NS, or a bogus used element, is logged and
 * disables the disk (its descriptors may still be the device's): every
 * later request fails with EIO.
 */
#include <errno.h>
#include <string.h>
#include "kernel.h"
#include "pmm.h"
#include "tsc.h"
#include "virtio_blk.h"
#include "virtio_mmio.h"
#include "virtio_pci.h"
#include "vmm.h"

#define VIRTIO_ID_BLOCK         2
#define VIRTIO_BLK_F_RO         5
#define VIRTIO_BLK_F_BLK_SIZE   6
#define VIRTIO_BLK_F_FLUSH      9

/* struct virtio_blk_config (§5.2.4) */
#define CFG_CAPACITY            0       /* le64, 512-byte sectors */
#define CFG_BLK_SIZE            20      /* le32 */

/* struct virtio_blk_req (§5.2.6) */
#define VIRTIO_BLK_T_IN         0
#define VIRTIO_BLK_T_OUT        1
#define VIRTIO_BLK_T_FLUSH      4
#define VIRTIO_BLK_T_GET_ID     8
#define VIRTIO_BLK_S_OK         0
#define VIRTIO_BLK_S_IOERR      1
#define VIRTIO_BLK_S_UNSUPP     2
#define REQ_HDR_LEN             16
#define REQ_STATUS_OFF          64      /* in the header's frame */

#define REQ_TIMEOUT_NS          5000000000ull   /* TCG under load: generous */
#define QUEUE_SIZE              4       /* 3 descriptors per request */

struct virtio_blk {
	struct virtio_dev dev;
	struct virtio_queue q;
	uint64_t hdr_phys, data_phys;   /* a frame each */
	bool ro, flush, broken, kept;
	char where[24];
	char serial[VIRTIO_BLK_SERIAL_MAX + 1];
	struct blk_io io;
};

static const uint16_t blk_ids[] = { 0x1042, 0x1001 };
static struct virtio_blk disks[VIRTIO_BLK_MAX_DISKS];
static unsigned ndisks;

static void disable(struct virtio_blk *d, const char *why, uint32_t a, uint32_t b)
{
	klog("virtio-blk: %s: %s (%u, %u): disk disabled", d->where, why, a, b);
	d->broken = true;
}

/* One request: data_len bytes of the data frame (device-writable if
 * dev_writes).  0 or -errno. */
static int request(struct virtio_blk *d, uint32_t type, uint64_t sector,
		   uint32_t data_len, bool dev_writes)
{
	uint8_t *hdr = phys_to_virt(d->hdr_phys);
	volatile uint8_t *status = hdr + REQ_STATUS_OFF;
	volatile struct virtq_desc *desc = d->q.desc;
	uint32_t writable = (dev_writes ? data_len : 0) + 1;
	uint64_t t0 = tsc_ns_since_entry();
	struct virtq_used_elem e;
	unsigned n = 0;

	if (d->broken)
		return -EIO;
	memcpy(hdr, &type, 4);
	memset(hdr + 4, 0, 4);
	memcpy(hdr + 8, &sector, 8);
	*status = 0xff;
	desc[n] = (struct virtq_desc){ d->hdr_phys, REQ_HDR_LEN, VIRTQ_DESC_F_NEXT, 1 };
	n++;
	if (data_len) {
		desc[n] = (struct virtq_desc){ d->data_phys, data_len,
			VIRTQ_DESC_F_NEXT | (dev_writes ? VIRTQ_DESC_F_WRITE : 0), 2 };
		n++;
	}
	desc[n - 1].next = (uint16_t)n;
	desc[n] = (struct virtq_desc){ d->hdr_phys + REQ_STATUS_OFF, 1,
				       VIRTQ_DESC_F_WRITE, 0 };
	virtio_queue_offer(&d->q, 0);
	virtio_queue_kick(&d->dev, &d->q);
	while (!virtio_queue_next_used(&d->q, &e)) {
		if (tsc_ns_since_entry() - t0 > REQ_TIMEOUT_NS) {
			disable(d, "request timed out (type, sector)", type, (uint32_t)sector);
			return -ETIMEDOUT;
		}
		__asm__ volatile("pause");
	}
	if (e.id != 0) {
		disable(d, "used element names a descriptor never offered", e.id, 0);
		return -EIO;
	}
	if (e.len > writable || (dev_writes && e.len < writable)) {
		disable(d, "used length out of range (len, expected)", e.len, writable);
		return -EIO;
	}
	switch (*status) {
	case VIRTIO_BLK_S_OK:
		return 0;
	case VIRTIO_BLK_S_UNSUPP:
		return -ENOTSUP;
	case VIRTIO_BLK_S_IOERR:
		return -EIO;
	default:
		disable(d, "unknown status byte (status, type)", *status, type);
		return -EIO;
	}
}

/* struct blk_io's device side: whole blocks through the data frame. */
static int xfer(void *dev, uint64_t off, void *buf, uint32_t len, bool write)
{
	struct virtio_blk *d = dev;
	void *data = phys_to_virt(d->data_phys);
	int err;

	if (len > PAGE_SIZE || off % BLK_SECTOR)
		return -EINVAL;
	if (write && d->ro)
		return -EROFS;
	if (write)
		memcpy(data, buf, len);
	err = request(d, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, off / BLK_SECTOR,
		      len, !write);
	if (!err && !write)
		memcpy(buf, data, len);
	return err;
}

int virtio_blk_flush(struct virtio_blk *d)
{
	if (!d->flush)
		return d->broken ? -EIO : 0;
	return request(d, VIRTIO_BLK_T_FLUSH, 0, 0, false);
}

/* The serial, NUL-padded in 20 bytes (§5.2.6: not NUL-terminated when it
 * is 20 long).  0 or -errno (a device without GET_ID: -ENOTSUP). */
static int read_serial(struct virtio_blk *d)
{
	int err = request(d, VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_SERIAL_MAX, true);

	if (err)
		return err;
	memcpy(d->serial, phys_to_virt(d->data_phys), VIRTIO_BLK_SERIAL_MAX);
	d->serial[VIRTIO_BLK_SERIAL_MAX] = 0;
	for (char *p = d->serial; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';       /* it goes into log lines */
	return 0;
}

/* Block size and capacity from the configuration.  0 or -errno. */
static int read_config(struct virtio_blk *d)
{
	uint32_t block = BLK_SECTOR, b;
	uint64_t cap;
	int err;

	if (d->dev.features & 1ull << VIRTIO_BLK_F_BLK_SIZE &&
	    !virtio_cfg_read(&d->dev, CFG_BLK_SIZE, &b, 4)) {
		if (b >= BLK_SECTOR && b <= BLK_IO_MAX && !(b & (b - 1)))
			block = b;
		else
			klog("virtio-blk: %s: block size %u ignored (not a power of 2 "
			     "in 512..4096): 512", d->where, b);
	}
	if ((err = virtio_cfg_read(&d->dev, CFG_CAPACITY, &cap, 8))) {
		klog("virtio-blk: %s: capacity unreadable (%d)", d->where, err);
		return err;
	}
	if ((err = blk_size_bytes(cap, block, &d->io.size))) {
		klog("virtio-blk: %s: capacity %#lx sectors refused (%d): more "
		     "than 2^63 bytes", d->where, cap, err);
		return err;
	}
	d->io.block = block;
	return 0;
}

static int setup(struct virtio_blk *d)
{
	int err;

	if ((err = virtio_queue_setup(&d->dev, &d->q, 0, QUEUE_SIZE)))
		return err;
	if (d->q.size < 3)
		return -ENODEV;         /* a request needs 3 descriptors */
	d->q.avail[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;     /* polled */
	if (!(d->hdr_phys = pmm_alloc()) || !(d->data_phys = pmm_alloc()))
		return -ENOMEM;
	d->ro = d->dev.features & 1ull << VIRTIO_BLK_F_RO;
	d->flush = d->dev.features & 1ull << VIRTIO_BLK_F_FLUSH;
	d->io.dev = d;
	d->io.xfer = xfer;
	if ((err = read_config(d)))
		return err;
	virtio_ready(&d->dev);
	return read_serial(d);
}

static bool granted(const char *serial, const char *const *serials, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(serial, serials[i]))
			return true;
	return false;
}

/* Set up d (started by its transport: err) and keep it if granted. */
static void probe_one(struct virtio_blk *d, int err, const char *const *serials, unsigned n)
{
	if (!err)
		err = setup(d);
	if (err) {
		klog("virtio-blk: %s: setup failed (%d): not used", d->where, err);
		virtio_fail(&d->dev);
		return;
	}
	if (!granted(d->serial, serials, n) || virtio_blk_get(d->serial)) {
		klog("virtio-blk: %s: serial \"%s\" not granted (or twice): reset, "
		     "not used", d->where, d->serial);
		d->dev.t->set_status(&d->dev, 0);
		return;
	}
	d->kept = true;
	klog("virtio-blk: %s: serial \"%s\", %lu bytes, block %u, features %#lx%s%s",
	     d->where, d->serial, d->io.size, d->io.block, d->dev.features,
	     d->ro ? ", read-only" : "", d->flush ? ", flush" : "");
}

#define BLK_WANT (1ull << VIRTIO_BLK_F_RO | 1ull << VIRTIO_BLK_F_BLK_SIZE | \
		  1ull << VIRTIO_BLK_F_FLUSH)

unsigned virtio_blk_probe(const char *const *serials, unsigned n)
{
	const struct pci_dev *p = NULL;
	const struct virtio_mmio_dev *m;
	unsigned kept = 0;

	while (ndisks < VIRTIO_BLK_MAX_DISKS &&
	       (p = pci_find_next(VIRTIO_PCI_VENDOR, blk_ids, 2, p))) {
		struct virtio_blk *d = &disks[ndisks++];

		ksnprintf(d->where, sizeof d->where, "%02x:%02x.%u", p->bus, p->dev, p->fn);
		probe_one(d, virtio_pci_start(&d->dev, p, BLK_WANT), serials, n);
	}
	while (ndisks < VIRTIO_BLK_MAX_DISKS && (m = virtio_mmio_claim(VIRTIO_ID_BLOCK))) {
		struct virtio_blk *d = &disks[ndisks++];

		ksnprintf(d->where, sizeof d->where, "mmio %#lx", m->e.base);
		probe_one(d, virtio_mmio_start(&d->dev, m, BLK_WANT), serials, n);
	}
	for (unsigned i = 0; i < ndisks; i++)
		kept += disks[i].kept;
	return kept;
}

struct virtio_blk *virtio_blk_get(const char *serial)
{
	for (unsigned i = 0; i < ndisks; i++)
		if (disks[i].kept && !strcmp(disks[i].serial, serial))
			return &disks[i];
	return NULL;
}

struct blk_io *virtio_blk_io(struct virtio_blk *d)
{
	return &d->io;
}

bool virtio_blk_read_only(const struct virtio_blk *d)
{
	return d->ro;
}
