/*
 * virtio_rng.h — the virtio entropy device (Virtio 1.2 §5.4), the kernel's
 * entropy source when the CPU has neither RDSEED nor RDRAND.
 */
#ifndef DRIVERS_VIRTIO_RNG_H
#define DRIVERS_VIRTIO_RNG_H

#include <stddef.h>

/* Fill buf from the device (found and set up on first use: a PCI function,
 * else a virtio-mmio device; PCI must have been enumerated and virtio-mmio
 * probed).  0, or -ENODEV (no device) / -EIO / -ETIMEDOUT. */
int virtio_rng_read(void *buf, size_t len);

#endif
