/*
 * virtio_mmio.h — the virtio MMIO transport (Virtio 1.2 §4.2, version 2
 * only) for the transport-independent code of drivers/virtio.h, and how
 * its devices are found: the `virtio_mmio.device=` entries of the kernel
 * command line that microVM monitors give Linux (QEMU microvm,
 * Firecracker, Cloud Hypervisor), in Linux's syntax
 * <size>@<base>:<irq>[:<id>] (size with an optional K/M/G suffix).
 */
#ifndef DRIVERS_VIRTIO_MMIO_H
#define DRIVERS_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_MMIO_MAX_DEVS    16      /* entries taken from a command line */
#define VIRTIO_MMIO_SIZE_MIN    0x100   /* the registers before config space */
#define VIRTIO_MMIO_SIZE_MAX    (1ull << 20)
#define VIRTIO_MMIO_PHYS_LIMIT  (1ull << 52)    /* x86-64 MAXPHYADDR at most */
#define VIRTIO_MMIO_IRQ_MAX     255     /* an I/O APIC GSI we could route */

/* One command line entry. */
struct virtio_mmio_entry {
	uint64_t base, size;
	uint32_t irq;
};

/* ---- drivers/virtio_mmio_parse.c: pure, tested hosted ------------------------ */

/* Called for an entry that is refused: the entry's text (not
 * NUL-terminated) and why. */
typedef void virtio_mmio_reject_fn(void *ctx, const char *entry, size_t len,
				   const char *why);

/* The `virtio_mmio.device=` entries of cmdline (whitespace-separated
 * words; the rest is ignored) into out[n..max), in order, after the n
 * already there.  Refused, each with a call of reject: bad syntax, size
 * below VIRTIO_MMIO_SIZE_MIN or above VIRTIO_MMIO_SIZE_MAX, base 0, not
 * 4-byte aligned, or wrapping / reaching past VIRTIO_MMIO_PHYS_LIMIT,
 * irq above VIRTIO_MMIO_IRQ_MAX, a range overlapping an earlier entry's,
 * and entries past max.  Returns the new count.  Never reads past
 * cmdline's NUL. */
unsigned virtio_mmio_parse_cmdline(const char *cmdline, struct virtio_mmio_entry *out,
				   unsigned n, unsigned max, virtio_mmio_reject_fn *reject,
				   void *ctx);
/* The same for the LNRO0005 devices of a DSDT's AML [aml, aml + len)
 * (the whole table or its body): each found _HID's Memory32Fixed base
 * and length and its Extended Interrupt's first GSI, checked as above;
 * a _HID without both resources is refused.  Reads nothing outside. */
unsigned virtio_mmio_scan_dsdt(const uint8_t *aml, size_t len, struct virtio_mmio_entry *out,
			       unsigned n, unsigned max, virtio_mmio_reject_fn *reject,
			       void *ctx);

/* ---- drivers/virtio_mmio.c: the kernel's side ------------------------------------ */

/* A device found by virtio_mmio_probe. */
struct virtio_mmio_dev {
	struct virtio_mmio_entry e;
	volatile uint8_t *regs;         /* min(size, a page), mapped uncached */
	uint32_t cfg_len;               /* what of the config space is mapped */
	uint32_t device_id;
	bool claimed;
};

struct virtio_dev;
struct boot_info;

/* Take the command line's entries, refuse ranges in RAM (bi's memory
 * map), map the rest uncached and look at them: magic, version 2, a
 * device id other than 0.  Everything refused or skipped is a log line.
 * Returns the devices found. */
unsigned virtio_mmio_probe(const struct boot_info *bi);
/* The first unclaimed device with this id (Virtio 1.2 §5: 1 net, 4 rng),
 * now claimed, or NULL. */
const struct virtio_mmio_dev *virtio_mmio_claim(uint32_t device_id);

/* Reset, acknowledge, negotiate (drivers/virtio.h virtio_start).  0 or
 * -errno. */
int virtio_mmio_start(struct virtio_dev *v, const struct virtio_mmio_dev *d,
		      uint64_t wanted);
/* One-queue devices: start, queue 0 with at most 8 entries, DRIVER_OK. */
int virtio_mmio_init(struct virtio_dev *v, const struct virtio_mmio_dev *d,
		     uint64_t wanted);

/* The device's interrupt line: route its GSI (edge, active high, as
 * QEMU microvm and Firecracker wire it) to a new vector whose handler
 * reads InterruptStatus, acknowledges it (InterruptACK) and calls
 * fn(arg).  The vector, or -errno (no I/O APIC serves the line, no
 * vector left). */
typedef void virtio_mmio_irq_fn(void *arg);
int virtio_mmio_irq_setup(struct virtio_dev *v, virtio_mmio_irq_fn *fn, void *arg,
			  const char *name);

#endif
