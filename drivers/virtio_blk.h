/*
 * virtio_blk.h — the virtio block device (Virtio 1.2 §5.2) on the modern
 * PCI transport (drivers/virtio_pci.h) or on MMIO (drivers/virtio_mmio.h),
 * polled, one request at a time.  Probed only when the manifest grants a
 * disk (`disk` / `disk-ro` lines, docs/manifest.md): each granted disk is
 * the device whose serial (VIRTIO_BLK_T_GET_ID) is the grant's
 * (wasmetal-disk0, wasmetal-disk1, ...), which `wasmetal run --disk`
 * gives QEMU; any other virtio-blk device (on q35, the boot disk) is reset
 * and left alone.
 */
#ifndef DRIVERS_VIRTIO_BLK_H
#define DRIVERS_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include "blk_io.h"

#define VIRTIO_BLK_MAX_DISKS    8
#define VIRTIO_BLK_SERIAL_MAX   20      /* §5.2.6: GET_ID's 20 bytes */

struct virtio_blk;

/* Set up every virtio-blk device and keep those whose serial is one of
 * serials[0..n); the others are reset.  Each device and each refusal
 * (setup failure, hostile configuration) is a log line.  The number kept. */
unsigned virtio_blk_probe(const char *const *serials, unsigned n);
/* The kept device with this serial (NULL: none). */
struct virtio_blk *virtio_blk_get(const char *serial);

/* Byte-granular I/O (drivers/blk_io.h): io->size is the disk's size in
 * bytes (its capacity, whole blocks). */
struct blk_io *virtio_blk_io(struct virtio_blk *d);
/* Whether the device is read-only (VIRTIO_BLK_F_RO). */
bool virtio_blk_read_only(const struct virtio_blk *d);
/* Make the writes so far durable: VIRTIO_BLK_T_FLUSH if the device
 * offered VIRTIO_BLK_F_FLUSH (else it writes through: nothing to do).
 * 0 or -errno. */
int virtio_blk_flush(struct virtio_blk *d);

#endif
