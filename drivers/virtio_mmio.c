/*
 * virtio_mmio.c — the virtio MMIO transport, Virtio 1.2 §4.2 (version 2,
 * "modern", only: a legacy version 1 device is refused with a log line),
 * behind drivers/virtio.h, for the microVM monitors that have no PCI
 * (QEMU microvm, Firecracker, Cloud Hypervisor).  Written against QEMU
 * 7.2's microvm machine:
 *   qemu-system-x86_64 -M microvm ... -device virtio-rng-device \
 *     -netdev user,id=n0 -device virtio-net-device,netdev=n0
 * which puts its transports at 0xfeb00000 + 512 * i and appends
 * `virtio_mmio.device=512@0xfeb00000:<irq>` for each populated one to
 * the kernel command line (auto-kernel-cmdline=on, its default).
 *
 * Devices are found from the command line and from the DSDT's LNRO0005
 * devices (virtio_mmio_parse.c; QEMU microvm lists its transports in the
 * DSDT when ACPI is on, its default, and on the command line only with
 * acpi=off; an entry in both is taken once, the command line's first):
 * the entries are checked against
 * the memory map (a range in RAM is refused: reading it would read
 * memory, and the driver would write to it), mapped uncached, and kept
 * when the first register reads the magic "virt" (a base with nothing
 * behind it reads 0 or all ones), the version is 2 and the device id is
 * not 0 (a transport with no device behind it).  Until the magic matched
 * nothing is written to the window.
 *
 * Every register below 0x100 is 32 bits wide and accessed as such (QEMU
 * ignores other widths); the device configuration from 0x100 on is read
 * a byte at a time, consistently with ConfigGeneration.
 */
#include <errno.h>
#include <string.h>
#include "acpi.h"
#include "boot_info.h"
#include "irq.h"
#include "kernel.h"
#include "pci.h"                /* pci_map */
#include "virtio.h"
#include "virtio_mmio.h"

/* registers (§4.2.2) */
#define MMIO_MAGIC              0x000
#define MMIO_VERSION            0x004
#define MMIO_DEVICE_ID          0x008
#define MMIO_DEVICE_FEATURES    0x010
#define MMIO_DEVICE_FEATURES_SEL 0x014
#define MMIO_DRIVER_FEATURES    0x020
#define MMIO_DRIVER_FEATURES_SEL 0x024
#define MMIO_QUEUE_SEL          0x030
#define MMIO_QUEUE_NUM_MAX      0x034
#define MMIO_QUEUE_NUM          0x038
#define MMIO_QUEUE_READY        0x044
#define MMIO_QUEUE_NOTIFY       0x050
#define MMIO_INTERRUPT_STATUS   0x060
#define MMIO_INTERRUPT_ACK      0x064
#define MMIO_STATUS             0x070
#define MMIO_QUEUE_DESC_LOW     0x080
#define MMIO_QUEUE_DRIVER_LOW   0x090
#define MMIO_QUEUE_DEVICE_LOW   0x0a0
#define MMIO_CONFIG_GENERATION  0x0fc
#define MMIO_CONFIG             0x100

#define MMIO_MAGIC_VALUE        0x74726976      /* "virt" */
#define MMIO_MAP_MAX            PAGE_SIZE       /* of a window we map */

static struct virtio_mmio_dev devs[VIRTIO_MMIO_MAX_DEVS];
static unsigned ndevs;

/* The interrupt handlers' arguments, one per device. */
static struct mmio_irq {
	volatile uint8_t *regs;
	virtio_mmio_irq_fn *fn;
	void *arg;
} irqs[VIRTIO_MMIO_MAX_DEVS];

static uint32_t r32(volatile uint8_t *b, unsigned off) { return *(volatile uint32_t *)(b + off); }
static void w32(volatile uint8_t *b, unsigned off, uint32_t v) { *(volatile uint32_t *)(b + off) = v; }

static const char *device_name(uint32_t id)
{
	switch (id) {
	case 1: return "net";
	case 2: return "block";
	case 4: return "rng";
	default: return "not used here";
	}
}

/* ---- finding the devices ------------------------------------------------------ */

static void refused(void *ctx, const char *entry, size_t len, const char *why)
{
	klog("virtio-mmio: command line entry \"%.*s\" refused: %s", (int)len, entry, why);
}

/* Whether [base, base + size) touches memory the map calls RAM (usable,
 * the kernel's, ACPI's): no device is there. */
static bool in_ram(const struct boot_info *bi, uint64_t base, uint64_t size)
{
	for (uint32_t i = 0; i < bi->nmem && i < BOOT_MEM_MAX; i++) {
		const struct boot_mem_range *m = &bi->mem[i];
		uint64_t end = m->base + m->pages * PAGE_SIZE;

		if (m->type != BOOT_MEM_RESERVED && base < end && m->base < base + size)
			return true;
	}
	return false;
}

/* Look at one entry's window: a version 2 device with a non-zero id is
 * kept (devs[ndevs]), anything else is a log line. */
static void probe_one(const struct boot_info *bi, const struct virtio_mmio_entry *e)
{
	uint64_t len = e->size < MMIO_MAP_MAX ? e->size : MMIO_MAP_MAX;
	struct virtio_mmio_dev *d = &devs[ndevs];
	volatile uint8_t *regs;
	uint32_t magic, version, id;

	if (in_ram(bi, e->base, e->size)) {
		klog("virtio-mmio: %#lx+%#lx is RAM, not a device: skipped", e->base, e->size);
		return;
	}
	if (!(regs = pci_map(e->base, len))) {
		klog("virtio-mmio: cannot map %#lx+%#lx: skipped", e->base, len);
		return;
	}
	if ((magic = r32(regs, MMIO_MAGIC)) != MMIO_MAGIC_VALUE) {
		klog("virtio-mmio: %#lx: no device (magic %#x): skipped", e->base, magic);
		return;
	}
	version = r32(regs, MMIO_VERSION);
	id = r32(regs, MMIO_DEVICE_ID);
	if (version != 2) {
		klog("virtio-mmio: %#lx: version %u (%s): only version 2 is supported, skipped",
		     e->base, version, version == 1 ? "legacy" : "unknown");
		return;
	}
	if (!id) {
		klog("virtio-mmio: %#lx: no device behind the transport (id 0)", e->base);
		return;
	}
	*d = (struct virtio_mmio_dev){ .e = *e, .regs = regs, .device_id = id,
		.cfg_len = (uint32_t)(len - MMIO_CONFIG) };
	ndevs++;
	klog("virtio-mmio: %#lx+%#lx irq %u: device %u (%s)", e->base, e->size, e->irq,
	     id, device_name(id));
}

static void refused_acpi(void *ctx, const char *entry, size_t len, const char *why)
{
	klog("virtio-mmio: ACPI device %.*s refused: %s", (int)len, entry, why);
}

unsigned virtio_mmio_probe(const struct boot_info *bi)
{
	struct virtio_mmio_entry e[VIRTIO_MMIO_MAX_DEVS];
	unsigned n = virtio_mmio_parse_cmdline(bi->cmdline, e, 0, VIRTIO_MMIO_MAX_DEVS,
					       refused, NULL);
	unsigned from_cmdline = n;

	if (acpi.dsdt)
		n = virtio_mmio_scan_dsdt(acpi.dsdt, acpi.dsdt_len, e, n,
					  VIRTIO_MMIO_MAX_DEVS, refused_acpi, NULL);
	if (n)
		klog("virtio-mmio: %u transports named (%u on the command line, %u in "
		     "the DSDT)", n, from_cmdline, n - from_cmdline);
	for (unsigned i = 0; i < n; i++)
		probe_one(bi, &e[i]);
	return ndevs;
}

const struct virtio_mmio_dev *virtio_mmio_claim(uint32_t device_id)
{
	for (unsigned i = 0; i < ndevs; i++) {
		if (devs[i].device_id != device_id || devs[i].claimed)
			continue;
		devs[i].claimed = true;
		return &devs[i];
	}
	return NULL;
}

/* ---- struct virtio_transport ---------------------------------------------------- */

static uint8_t mmio_get_status(struct virtio_dev *v)
{
	return (uint8_t)r32(v->regs, MMIO_STATUS);
}

static void mmio_set_status(struct virtio_dev *v, uint8_t status)
{
	w32(v->regs, MMIO_STATUS, status);
}

static uint32_t mmio_get_features(struct virtio_dev *v, uint32_t sel)
{
	w32(v->regs, MMIO_DEVICE_FEATURES_SEL, sel);
	return r32(v->regs, MMIO_DEVICE_FEATURES);
}

static void mmio_set_features(struct virtio_dev *v, uint32_t sel, uint32_t bits)
{
	w32(v->regs, MMIO_DRIVER_FEATURES_SEL, sel);
	w32(v->regs, MMIO_DRIVER_FEATURES, bits);
}

/* §4.2.3.2: select the queue; it must not be ready yet; QueueNumMax 0
 * means it does not exist. */
static uint16_t mmio_queue_max(struct virtio_dev *v, uint16_t index)
{
	uint32_t max;

	w32(v->regs, MMIO_QUEUE_SEL, index);
	if (r32(v->regs, MMIO_QUEUE_READY))
		return 0;
	max = r32(v->regs, MMIO_QUEUE_NUM_MAX);
	return max > 0xffff ? 0xffff : (uint16_t)max;
}

static void w64_split(volatile uint8_t *r, unsigned lo, uint64_t v)
{
	w32(r, lo, (uint32_t)v);
	w32(r, lo + 4, (uint32_t)(v >> 32));
}

/* The queue is selected (mmio_queue_max). */
static int mmio_queue_enable(struct virtio_dev *v, struct virtio_queue *q)
{
	w32(v->regs, MMIO_QUEUE_NUM, q->size);
	w64_split(v->regs, MMIO_QUEUE_DESC_LOW, q->desc_phys);
	w64_split(v->regs, MMIO_QUEUE_DRIVER_LOW, q->avail_phys);
	w64_split(v->regs, MMIO_QUEUE_DEVICE_LOW, q->used_phys);
	w32(v->regs, MMIO_QUEUE_READY, 1);
	return r32(v->regs, MMIO_QUEUE_READY) == 1 ? 0 : -EIO;
}

static void mmio_notify(struct virtio_dev *v, struct virtio_queue *q)
{
	w32(v->regs, MMIO_QUEUE_NOTIFY, q->index);
}

static uint32_t mmio_cfg_len(struct virtio_dev *v)
{
	return v->mmio->cfg_len;
}

static uint32_t mmio_cfg_generation(struct virtio_dev *v)
{
	return r32(v->regs, MMIO_CONFIG_GENERATION);
}

static uint8_t mmio_cfg_read8(struct virtio_dev *v, uint32_t off)
{
	return *(volatile uint8_t *)(v->regs + MMIO_CONFIG + off);
}

static const struct virtio_transport mmio_transport = {
	.name = "mmio",
	.get_status = mmio_get_status, .set_status = mmio_set_status,
	.get_features = mmio_get_features, .set_features = mmio_set_features,
	.queue_max = mmio_queue_max, .queue_enable = mmio_queue_enable,
	.notify = mmio_notify,
	.cfg_len = mmio_cfg_len, .cfg_generation = mmio_cfg_generation,
	.cfg_read8 = mmio_cfg_read8,
};

/* ---- start, interrupts ------------------------------------------------------------ */

int virtio_mmio_start(struct virtio_dev *v, const struct virtio_mmio_dev *d,
		      uint64_t wanted)
{
	memset(v, 0, sizeof(*v));
	v->mmio = d;
	v->regs = d->regs;
	v->t = &mmio_transport;
	return virtio_start(v, wanted);
}

int virtio_mmio_init(struct virtio_dev *v, const struct virtio_mmio_dev *d,
		     uint64_t wanted)
{
	int err = virtio_mmio_start(v, d, wanted);

	return err ? err : virtio_simple_setup(v);
}

/* The line is edge-triggered: acknowledging what InterruptStatus shows
 * lets the device raise it again for the next event.  What the handler
 * missed between the read and the ack is in the used ring, which the
 * polling code reads after the interrupt. */
static void mmio_irq(void *arg)
{
	struct mmio_irq *m = arg;
	uint32_t status = r32(m->regs, MMIO_INTERRUPT_STATUS);

	if (status)
		w32(m->regs, MMIO_INTERRUPT_ACK, status);
	m->fn(m->arg);
}

int virtio_mmio_irq_setup(struct virtio_dev *v, virtio_mmio_irq_fn *fn, void *arg,
			  const char *name)
{
	struct mmio_irq *m;
	int vec, err;

	if (!v->mmio)
		return -ENODEV;
	m = &irqs[v->mmio - devs];
	*m = (struct mmio_irq){ .regs = v->regs, .fn = fn, .arg = arg };
	vec = irq_alloc_vector(mmio_irq, m, name);
	if (vec < 0)
		return vec;
	err = ioapic_route(v->mmio->e.irq, vec, false, false, irq_apic_id());
	return err ? err : vec;
}
