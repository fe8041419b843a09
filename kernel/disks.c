/*
 * disks.c — the manifest's disk grants (`disk`, `disk-ro`;
 * docs/manifest.md "Disks") to the WASI layer's block-device files
 * (wasi.h struct wasi_disk): the virtio-blk devices are probed only when
 * there is a grant (drivers/virtio_blk.h), grant N is the device with
 * serial BUNDLE_DISK_SERIAL "N", and a grant without its device stops the
 * boot with a line saying so (the program would otherwise find its disk
 * missing, or a different one).
 */
#include <errno.h>
#include "kernel.h"
#include "disks.h"
#include "serial.h"
#include "virtio_blk.h"

static int disk_read(void *dev, uint64_t off, void *buf, size_t len)
{
	size_t done;
	int err = blk_read(virtio_blk_io(dev), off, buf, len, &done);

	return err ? err : done == len ? 0 : -EIO;
}

static int disk_write(void *dev, uint64_t off, const void *buf, size_t len)
{
	size_t done;
	int err = blk_write(virtio_blk_io(dev), off, buf, len, &done);

	return err ? err : done == len ? 0 : -EIO;
}

static int disk_sync(void *dev)
{
	return virtio_blk_flush(dev);
}

static void missing(const struct bundle_disk *bd, const char *serial)
{
	char line[300];

	ksnprintf(line, sizeof line, "wasmetal: disk %s: no virtio-blk device with "
		  "serial %s (or it failed: see the kernel log)\n", bd->guest_path, serial);
	klog("%s", line);
	serial_puts(SERIAL_COM3, line);
	kernel_shutdown(KERNEL_STATUS_BADBOOT);
}

size_t disks_init(const struct boot_bundle *b, struct wasi_disk *out)
{
	static char serials[BUNDLE_MAX_DISKS][VIRTIO_BLK_SERIAL_MAX + 1];
	const char *names[BUNDLE_MAX_DISKS];

	if (!b->ndisks)
		return 0;               /* no grant: nothing probed */
	for (size_t i = 0; i < b->ndisks; i++) {
		ksnprintf(serials[i], sizeof serials[i], BUNDLE_DISK_SERIAL "%zu", i);
		names[i] = serials[i];
	}
	virtio_blk_probe(names, (unsigned)b->ndisks);
	for (size_t i = 0; i < b->ndisks; i++) {
		const struct bundle_disk *bd = &b->disks[i];
		struct virtio_blk *d = virtio_blk_get(serials[i]);

		if (!d)
			missing(bd, serials[i]);
		out[i] = (struct wasi_disk){
			.preopen = bd->preopen, .name = bd->name,
			.read_only = bd->read_only || virtio_blk_read_only(d),
			.size = virtio_blk_io(d)->size, .dev = d,
			.read = disk_read, .write = disk_write, .sync = disk_sync,
		};
		klog("disk: %s: %s, %lu bytes%s", bd->guest_path, serials[i],
		     out[i].size, bd->read_only ? ", read-only (disk-ro)" :
		     out[i].read_only ? ", read-only (the device's)" : "");
	}
	return b->ndisks;
}
