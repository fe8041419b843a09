/*
 * test_virtio_blk.c — drivers/virtio_blk.c (with drivers/virtio.c, the
 * virtqueue code) against a fake virtio-blk device behind a fake
 * transport, hosted (issue 11): the device answers each request from
 * the notify, as QEMU does from its own thread, and can be made hostile:
 * a used element naming a descriptor never offered, a used length larger
 * than it could write or (for a read) shorter than asked, an unknown
 * status byte, I/O errors, no answer at all (the request times out: the
 * fake clock runs 1 ms per reading), a capacity past 2^63 bytes, a bogus
 * block size, a serial with control bytes.  Also: feature negotiation
 * keeps only VERSION_1, RO, BLK_SIZE and FLUSH; devices whose serial is
 * not granted are reset and not used; the request chain's layout.
 * Built with -Ikernel -Idrivers (Makefile); the kernel's services the
 * drivers call are stubs below.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "../../drivers/virtio.c"
#include "../../drivers/virtio_blk.c"
#include "../../drivers/blk_io.c"

/* ---- the kernel's services --------------------------------------------------- */

static char last_log[512];
static unsigned nlogs;

void klog(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof last_log, fmt, ap);
	va_end(ap);
	nlogs++;
}

int ksnprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

uint64_t pmm_alloc(void)
{
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);

	if (p)
		memset(p, 0, PAGE_SIZE);
	return (uint64_t)(uintptr_t)p;
}

void pmm_free(uint64_t phys) { free((void *)(uintptr_t)phys); }
void *phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)pa; }

static uint64_t now_ns;
uint64_t tsc_ns_since_entry(void) { return now_ns += 1000000; }

const struct virtio_mmio_dev *virtio_mmio_claim(uint32_t id) { return NULL; }
int virtio_mmio_start(struct virtio_dev *v, const struct virtio_mmio_dev *d,
		      uint64_t wanted) { return -ENODEV; }

/* ---- the fake device ------------------------------------------------------------ */

enum mode { OK, BAD_ID, BIG_LEN, SHORT_IN, BAD_STATUS, IOERR, SILENT };

#define FAKE_DEVS 3
#define DISK_BYTES (64 * 512)

static struct fake {
	uint8_t status;
	uint64_t offered, accepted;
	uint8_t cfg[24];                /* capacity, ..., blk_size at 20 */
	struct virtio_queue *q;
	char serial[20];
	enum mode mode;
	uint8_t disk[DISK_BYTES];
	unsigned requests, chain_bad, flushes;
	uint32_t last_type;
} fake[FAKE_DEVS];
static struct pci_dev fake_pci[FAKE_DEVS];
static unsigned nfake;

static struct fake *dev_of(struct virtio_dev *v) { return &fake[v->pci - fake_pci]; }

static uint8_t f_get_status(struct virtio_dev *v) { return dev_of(v)->status; }
static void f_set_status(struct virtio_dev *v, uint8_t s) { dev_of(v)->status = s; }
static uint32_t f_get_features(struct virtio_dev *v, uint32_t sel)
{
	return sel < 2 ? (uint32_t)(dev_of(v)->offered >> (32 * sel)) : 0;
}
static void f_set_features(struct virtio_dev *v, uint32_t sel, uint32_t bits)
{
	struct fake *f = dev_of(v);

	if (sel < 2)
		f->accepted = (f->accepted & ~(0xffffffffull << (32 * sel))) |
			      (uint64_t)bits << (32 * sel);
}
static uint16_t f_queue_max(struct virtio_dev *v, uint16_t i) { return i == 0 ? 8 : 0; }
static int f_queue_enable(struct virtio_dev *v, struct virtio_queue *q)
{
	dev_of(v)->q = q;
	return 0;
}
static uint32_t f_cfg_len(struct virtio_dev *v) { return sizeof fake[0].cfg; }
static uint32_t f_cfg_generation(struct virtio_dev *v) { return 0; }
static uint8_t f_cfg_read8(struct virtio_dev *v, uint32_t off) { return dev_of(v)->cfg[off]; }

/* A request: the chain from the newest available entry, done on f->disk. */
static void f_notify(struct virtio_dev *v, struct virtio_queue *q)
{
	struct fake *f = dev_of(v);
	uint16_t head = q->avail[2 + (uint16_t)(q->avail[1] - 1) % q->size], i = head;
	volatile struct virtq_desc *d[4];
	unsigned n = 0;
	uint32_t type, written = 0, len;
	uint64_t sector;
	uint8_t *data = NULL, *status;
	volatile uint32_t *elem;

	f->requests++;
	if (f->mode == SILENT)
		return;
	while (n < 4) {
		d[n++] = &q->desc[i];
		if (!(q->desc[i].flags & VIRTQ_DESC_F_NEXT))
			break;
		i = q->desc[i].next;
	}
	if (d[0]->len != 16 || (d[0]->flags & VIRTQ_DESC_F_WRITE) ||
	    d[n - 1]->len != 1 || !(d[n - 1]->flags & VIRTQ_DESC_F_WRITE) || n > 3)
		f->chain_bad++;
	memcpy(&type, (void *)(uintptr_t)d[0]->addr, 4);
	memcpy(&sector, (uint8_t *)(uintptr_t)d[0]->addr + 8, 8);
	f->last_type = type;
	status = (uint8_t *)(uintptr_t)d[n - 1]->addr;
	len = n == 3 ? d[1]->len : 0;
	if (n == 3)
		data = (uint8_t *)(uintptr_t)d[1]->addr;
	*status = 0;
	if (type == 8) {                        /* GET_ID */
		memcpy(data, f->serial, len < 20 ? len : 20);
		written = len;
	} else if (type == 0 || type == 1) {    /* IN, OUT */
		if (sector * 512 + len > DISK_BYTES || (type == 0) != !!(d[1]->flags & VIRTQ_DESC_F_WRITE))
			*status = 1;
		else if (type == 0)
			memcpy(data, f->disk + sector * 512, len), written = len;
		else
			memcpy(f->disk + sector * 512, data, len);
	} else if (type == 4) {
		f->flushes++;
	} else {
		*status = 2;
	}
	written++;
	if (f->mode == BIG_LEN)
		written += 100;
	if (f->mode == SHORT_IN && type == 0)
		written = 1;
	if (f->mode == BAD_STATUS)
		*status = 7;
	if (f->mode == IOERR && type != 8)
		*status = 1;
	elem = (volatile uint32_t *)(q->used + 2) + 2 * (q->used[1] % q->size);
	elem[0] = f->mode == BAD_ID ? head + 3u : head;
	elem[1] = written;
	q->used[1]++;
}

static const struct virtio_transport fake_t = {
	"fake", f_get_status, f_set_status, f_get_features, f_set_features,
	f_queue_max, f_queue_enable, f_notify, f_cfg_len, f_cfg_generation, f_cfg_read8,
};

const struct pci_dev *pci_find_next(uint16_t vendor, const uint16_t *ids, unsigned nids,
				    const struct pci_dev *after)
{
	unsigned i = after ? (unsigned)(after - fake_pci) + 1 : 0;

	return i < nfake ? &fake_pci[i] : NULL;
}

int virtio_pci_start(struct virtio_dev *v, const struct pci_dev *p, uint64_t wanted)
{
	v->t = &fake_t;
	v->pci = p;
	return virtio_start(v, wanted);
}

/* n fresh devices, serials wasmetal-disk0.., capacity 64 sectors */
static void fresh(unsigned n)
{
	memset(fake, 0, sizeof fake);
	memset(disks, 0, sizeof disks);
	ndisks = 0;
	nfake = n;
	for (unsigned i = 0; i < n; i++) {
		uint64_t cap = DISK_BYTES / 512;

		fake[i].offered = 1ull << 32 | 1u << 5 | 1u << 6 | 1u << 9 | 1u << 12 | 1u << 13;
		fake[i].offered &= ~(1ull << 5);        /* RO: per test */
		memcpy(fake[i].cfg, &cap, 8);
		fake[i].cfg[20] = 0;                    /* blk_size 512 */
		fake[i].cfg[21] = 2;
		snprintf(fake[i].serial, sizeof fake[i].serial, "wasmetal-disk%u", i);
		for (unsigned j = 0; j < DISK_BYTES; j++)
			fake[i].disk[j] = (uint8_t)(j * 7 + i);
	}
}

static const char *const one[] = { "wasmetal-disk0" };

/* ---- tests ------------------------------------------------------------------------ */

TEST(reads_writes_flush)
{
	struct virtio_blk *d;
	uint8_t buf[1500];
	size_t done;

	fresh(1);
	CHECK_EQ_U64(virtio_blk_probe(one, 1), 1);
	REQUIRE((d = virtio_blk_get("wasmetal-disk0")) != NULL);
	CHECK_EQ_U64(fake[0].accepted, 1ull << 32 | 1u << 6 | 1u << 9);  /* no MQ, DISCARD */
	CHECK_EQ_U64(fake[0].status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		     VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	CHECK_EQ_U64(virtio_blk_io(d)->size, DISK_BYTES);
	CHECK(!virtio_blk_read_only(d));
	CHECK(blk_read(virtio_blk_io(d), 700, buf, 1500, &done) == 0 && done == 1500);
	CHECK(buf[0] == (uint8_t)(700 * 7) && buf[1499] == (uint8_t)(2199 * 7));
	memset(buf, 0xab, sizeof buf);
	CHECK(blk_write(virtio_blk_io(d), 1000, buf, 100, &done) == 0 && done == 100);
	CHECK(fake[0].disk[999] == (uint8_t)(999 * 7) && fake[0].disk[1000] == 0xab &&
	      fake[0].disk[1099] == 0xab && fake[0].disk[1100] == (uint8_t)(1100 * 7));
	CHECK(virtio_blk_flush(d) == 0 && fake[0].flushes == 1);
	CHECK_EQ_U64(fake[0].chain_bad, 0);
}

TEST(only_granted_serials)
{
	static const char *const second[] = { "wasmetal-disk1" };

	fresh(3);
	CHECK_EQ_U64(virtio_blk_probe(second, 1), 1);
	CHECK(virtio_blk_get("wasmetal-disk1") != NULL);
	CHECK(virtio_blk_get("wasmetal-disk0") == NULL);
	CHECK_EQ_U64(fake[0].status, 0);        /* reset, left alone */
	CHECK_EQ_U64(fake[2].status, 0);
	CHECK(fake[1].status & VIRTIO_STATUS_DRIVER_OK);
	/* the same serial twice: the second is not used */
	fresh(2);
	strcpy(fake[1].serial, "wasmetal-disk0");
	CHECK_EQ_U64(virtio_blk_probe(one, 1), 1);
	CHECK_EQ_U64(fake[1].status, 0);
	/* a serial of 20 bytes with control bytes: no NUL needed, sanitized */
	fresh(1);
	memcpy(fake[0].serial, "wasmetal-disk0\n\x01xyzw", 20);
	CHECK_EQ_U64(virtio_blk_probe(one, 1), 0);
	CHECK(strstr(last_log, "\"wasmetal-disk0??xyzw\"") != NULL);
}

TEST(read_only_device)
{
	struct virtio_blk *d;
	uint8_t b = 1;
	size_t done;

	fresh(1);
	fake[0].offered |= 1u << 5;
	CHECK_EQ_U64(virtio_blk_probe(one, 1), 1);
	REQUIRE((d = virtio_blk_get("wasmetal-disk0")) != NULL);
	CHECK(virtio_blk_read_only(d));
	CHECK_EQ_U64(blk_write(virtio_blk_io(d), 0, &b, 1, &done), (uint64_t)-EROFS);
	CHECK_EQ_U64(fake[0].requests, 2);      /* GET_ID, the read: no write */
}

TEST(hostile_config)
{
	uint64_t cap = UINT64_MAX / 256;

	fresh(1);
	memcpy(fake[0].cfg, &cap, 8);
	CHECK_EQ_U64(virtio_blk_probe(one, 1), 0);
	CHECK(fake[0].status & VIRTIO_STATUS_FAILED);
	fresh(1);
	fake[0].cfg[20] = 0x34, fake[0].cfg[21] = 0x12;      /* 0x1234 */
	CHECK_EQ_U64(virtio_blk_probe(one, 1), 1);
	CHECK(virtio_blk_get("wasmetal-disk0") &&
	      virtio_blk_io(virtio_blk_get("wasmetal-disk0"))->block == 512);
	fresh(1);
	fake[0].cfg[20] = 0, fake[0].cfg[21] = 0x10;         /* 4096 */
	CHECK_EQ_U64(virtio_blk_probe(one, 1), 1);
	CHECK(virtio_blk_get("wasmetal-disk0") &&
	      virtio_blk_io(virtio_blk_get("wasmetal-disk0"))->block == 4096);
	fresh(1);
	fake[0].offered &= ~(1ull << 32);                    /* legacy only */
	CHECK_EQ_U64(virtio_blk_probe(one, 1), 0);
}

/* A device turned hostile after setup: the request fails, the disk is
 * disabled (no more requests), a log line says why. */
static void hostile(enum mode m, int want, const char *why, bool disables)
{
	struct virtio_blk *d;
	uint8_t buf[512];
	size_t done;
	unsigned before;

	fresh(1);
	CHECK_EQ_U64(virtio_blk_probe(one, 1), 1);
	if (!(d = virtio_blk_get("wasmetal-disk0")))
		return;
	fake[0].mode = m;
	nlogs = 0;
	CHECK_MSG(blk_read(virtio_blk_io(d), 0, buf, 512, &done) == want,
		  "mode %d: not %d", m, want);
	CHECK_MSG(!why || strstr(last_log, why), "mode %d: log '%s'", m, last_log);
	fake[0].mode = OK;
	before = fake[0].requests;
	CHECK_EQ_U64(blk_read(virtio_blk_io(d), 0, buf, 512, &done), disables ? (uint64_t)-EIO : 0);
	CHECK_EQ_U64(fake[0].requests, before + !disables);
}

TEST(hostile_device)
{
	hostile(BAD_ID, -EIO, "never offered", true);
	hostile(BIG_LEN, -EIO, "used length out of range", true);
	hostile(SHORT_IN, -EIO, "used length out of range", true);
	hostile(BAD_STATUS, -EIO, "unknown status", true);
	hostile(IOERR, -EIO, NULL, false);
	hostile(SILENT, -ETIMEDOUT, "timed out", true);
	CHECK(now_ns > 5000000000ull);
}

int main(void)
{
	RUN(reads_writes_flush);
	RUN(only_granted_serials);
	RUN(read_only_device);
	RUN(hostile_config);
	RUN(hostile_device);
	CHECK_DONE();
}
