/*
 * virtio_pci.h — the virtio modern PCI transport (Virtio 1.2 §4.1) for
 * the transport-independent device and virtqueue code of
 * drivers/virtio.h.  The MSI-X vector of each queue (and of configuration
 * changes) can be set with virtio_pci_set_config_vector /
 * virtio_queue_set_vector, so an interrupt handler can note "work
 * pending" for the polling code.
 */
#ifndef DRIVERS_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_PCI_H

#include <stdint.h>
#include "pci.h"
#include "virtio.h"

#define VIRTIO_PCI_VENDOR       0x1af4

/* Find the capabilities, then virtio_start (reset, acknowledge,
 * negotiate VIRTIO_F_VERSION_1 | wanted).  0 or -errno. */
int virtio_pci_start(struct virtio_dev *v, const struct pci_dev *pci, uint64_t wanted);
/* One-queue devices: start (wanted features), queue 0 with at most 8
 * entries, DRIVER_OK.  0 or -errno. */
int virtio_pci_init(struct virtio_dev *v, const struct pci_dev *pci, uint64_t wanted);

/* MSI-X routing (§4.1.4.3, §4.1.5.1.2): map configuration changes, or
 * queue q, to MSI-X table entry `vector` (VIRTIO_MSI_NO_VECTOR: none).
 * The device reads back NO_VECTOR when it could not map it: returns 0 or
 * -EIO.  MSI-X itself is enabled in the PCI capability (drivers/pci.c).
 * May be called before or after virtio_ready.  PCI devices only. */
int virtio_pci_set_config_vector(struct virtio_dev *v, uint16_t vector);
int virtio_queue_set_vector(struct virtio_dev *v, struct virtio_queue *q,
			    uint16_t vector);

#endif
