/*
 * fwcfg.h — QEMU's firmware configuration device (fw_cfg), read-only: the
 * named files a VMM hands its guest (QEMU's `-fw_cfg name=...,file=...`).
 * `wasmetal run` passes the run settings that way (kernel/runcfg.h,
 * images/image.h).
 */
#ifndef DRIVERS_FWCFG_H
#define DRIVERS_FWCFG_H

#include <stddef.h>

/* Copy the fw_cfg file `name` into buf (cap bytes) and set *len.  0, or
 * -ENODEV (no fw_cfg: not QEMU, or bare metal), -ENOENT (no such file),
 * -E2BIG (larger than cap).  Port I/O only: works before the heap and the
 * page tables, with interrupts off. */
int fwcfg_read_file(const char *name, void *buf, size_t cap, size_t *len);

#endif
