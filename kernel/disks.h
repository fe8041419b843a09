/*
 * disks.h — the manifest's disk grants to WASI block-device files
 * (kernel/disks.c).
 */
#ifndef KERNEL_DISKS_H
#define KERNEL_DISKS_H

#include <stddef.h>
#include "parse/bundle_parse.h"
#include "wasi.h"

/* Probe virtio-blk (only if b has disks) and fill out[0..b->ndisks); a
 * granted disk without its device stops the boot.  Returns b->ndisks. */
size_t disks_init(const struct boot_bundle *b, struct wasi_disk *out);

#endif
