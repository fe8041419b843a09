/*
 * virtio_rng.c — virtio entropy device (Virtio 1.2 §5.4: device id 4, one
 * virtqueue "requestq"; the driver offers device-writable buffers and the
 * device fills them with entropy, returning how many bytes it wrote, which
 * may be fewer than asked).  On the modern PCI transport (virtio_pci.c),
 * else on MMIO (virtio_mmio.c, device id 4: QEMU microvm's
 * virtio-rng-device), polled.  PCI ids: 0x1044 (modern, 0x1040 + 4) and
 * 0x1005 (transitional, as QEMU's virtio-rng-pci is by default).
 *
 * Set up on first use, not at boot: a CPU with RDSEED/RDRAND never needs
 * it.  One page of the direct map is the bounce buffer.
 */
#include <errno.h>
#include <string.h>
#include "kernel.h"
#include "pmm.h"
#include "virtio_mmio.h"
#include "virtio_pci.h"
#include "virtio_rng.h"
#include "vmm.h"

#define RNG_TIMEOUT_NS  1000000000ull   /* one request; QEMU answers in us */
#define RNG_MAX_EMPTY   64              /* zero-length answers in a row */
#define VIRTIO_ID_RNG   4

static const uint16_t rng_ids[] = { 0x1044, 0x1005 };

static struct virtio_dev rng;
static uint64_t buf_phys;
static int state;                       /* 0 untried, 1 ready, <0 -errno */

static int rng_init(void)
{
	const struct pci_dev *d = pci_find(VIRTIO_PCI_VENDOR, rng_ids, 2);
	const struct virtio_mmio_dev *m = d ? NULL : virtio_mmio_claim(VIRTIO_ID_RNG);
	int err;

	if (!d && !m)
		return -ENODEV;
	if (!(buf_phys = pmm_alloc()))
		return -ENOMEM;
	if (m) {
		err = virtio_mmio_init(&rng, m, 0);
		klog("virtio-rng: mmio %#lx %s (%d)", m->e.base,
		     err ? "failed" : "ready, queue 0", err);
		return err;
	}
	err = virtio_pci_init(&rng, d, 0);
	klog("virtio-rng: %02x:%02x.%u %s (%d)", d->bus, d->dev, d->fn,
	     err ? "failed" : "ready, queue 0", err);
	return err;
}

int virtio_rng_read(void *buf, size_t len)
{
	uint8_t *p = buf;
	unsigned empty = 0;

	if (state == 0)
		state = rng_init() ? -ENODEV : 1;
	if (state < 0)
		return state;
	while (len) {
		uint32_t want = len < PAGE_SIZE ? (uint32_t)len : PAGE_SIZE;
		long got = virtio_queue_xfer(&rng, buf_phys, want, true, RNG_TIMEOUT_NS);

		if (got < 0) {
			klog("virtio-rng: request failed (%ld): device disabled", got);
			state = (int)got;
			return (int)got;
		}
		if (got == 0 && ++empty > RNG_MAX_EMPTY)
			return -EIO;
		if (got)
			empty = 0;
		memcpy(p, phys_to_virt(buf_phys), (size_t)got);
		memset(phys_to_virt(buf_phys), 0, (size_t)got);
		p += got;
		len -= (size_t)got;
	}
	return 0;
}
