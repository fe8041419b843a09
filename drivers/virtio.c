/*
 * virtio.c — the transport-independent half of virtio (drivers/virtio.h):
 * device initialization as Virtio 1.2 §3.1.1 orders it, split virtqueues
 * (§2.7: descriptor table, available ring, used ring), polled, and
 * device configuration reads; the transport (virtio_pci.c, virtio_mmio.c)
 * supplies register access through struct virtio_transport.
 *
 * Each queue's descriptor table, available ring and used ring live in a
 * 4 KiB frame of their own (up to VIRTIO_QUEUE_MAX = 256 entries).  The
 * device is hostile like any input: used indexes are believed only up to
 * the queue size, and used elements are handed to the driver as values
 * for it to check.  x86 keeps stores in order and loads in order, so a
 * compiler barrier is the ordering §2.7.13 asks for between ring writes,
 * and a full fence separates publishing avail->idx from reading the
 * device's NO_NOTIFY flag (§2.7.10).
 */
#include <errno.h>
#include <string.h>
#include "kernel.h"
#include "pmm.h"
#include "tsc.h"
#include "virtio.h"
#include "vmm.h"

#define RESET_WAIT_NS           100000000ull
#define SIMPLE_QUEUE_SIZE       8       /* virtio_simple_setup's queue */
#define CFG_READ_TRIES          16      /* config generation retries */

static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* ---- device initialization ------------------------------------------------- */

static int reset(struct virtio_dev *v)
{
	uint64_t t0 = tsc_ns_since_entry();

	v->t->set_status(v, 0);
	while (v->t->get_status(v) != 0)
		if (tsc_ns_since_entry() - t0 > RESET_WAIT_NS)
			return -EIO;
	return 0;
}

static int negotiate(struct virtio_dev *v, uint64_t wanted)
{
	const struct virtio_transport *t = v->t;
	uint64_t offered;

	offered = t->get_features(v, 0);
	offered |= (uint64_t)t->get_features(v, 1) << 32;
	wanted = (wanted | 1ull << VIRTIO_F_VERSION_1) & offered;
	if (!(wanted & 1ull << VIRTIO_F_VERSION_1))
		return -ENODEV;         /* a legacy-only device */
	t->set_features(v, 0, (uint32_t)wanted);
	t->set_features(v, 1, (uint32_t)(wanted >> 32));
	t->set_status(v, t->get_status(v) | VIRTIO_STATUS_FEATURES_OK);
	if (!(t->get_status(v) & VIRTIO_STATUS_FEATURES_OK))
		return -ENODEV;
	v->features = wanted;
	return 0;
}

int virtio_start(struct virtio_dev *v, uint64_t wanted)
{
	int err = reset(v);

	if (err)
		return err;
	v->t->set_status(v, VIRTIO_STATUS_ACKNOWLEDGE);
	v->t->set_status(v, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	err = negotiate(v, wanted);
	if (err)
		virtio_fail(v);
	return err;
}

void virtio_fail(struct virtio_dev *v)
{
	if (v->t)
		v->t->set_status(v, v->t->get_status(v) | VIRTIO_STATUS_FAILED);
}

void virtio_ready(struct virtio_dev *v)
{
	v->t->set_status(v, v->t->get_status(v) | VIRTIO_STATUS_DRIVER_OK);
}

/* ---- queues ---------------------------------------------------------------- */

/* A zeroed frame: its physical address and its direct-map address. */
static void *ring_frame(uint64_t *phys)
{
	void *page;

	if (!(*phys = pmm_alloc()))
		return NULL;
	page = phys_to_virt(*phys);
	memset(page, 0, PAGE_SIZE);
	return page;
}

static void ring_frames_free(struct virtio_queue *q)
{
	if (q->desc_phys)
		pmm_free(q->desc_phys);
	if (q->avail_phys)
		pmm_free(q->avail_phys);
	if (q->used_phys)
		pmm_free(q->used_phys);
	q->desc_phys = q->avail_phys = q->used_phys = 0;
}

int virtio_queue_setup(struct virtio_dev *v, struct virtio_queue *q, uint16_t index,
		       uint16_t max_size)
{
	uint16_t size;
	int err;

	_Static_assert(VIRTIO_QUEUE_MAX * sizeof(struct virtq_desc) <= PAGE_SIZE &&
		       6 + 2 * VIRTIO_QUEUE_MAX <= PAGE_SIZE &&
		       6 + 8 * VIRTIO_QUEUE_MAX <= PAGE_SIZE, "rings fit a frame each");
	size = v->t->queue_max(v, index);
	if (max_size > VIRTIO_QUEUE_MAX)
		max_size = VIRTIO_QUEUE_MAX;
	if (size > max_size)
		size = max_size;        /* §4.1.4.3, §4.2.2: the driver may shrink it */
	while (size & (size - 1))
		size &= size - 1;       /* split rings: a power of 2 (§2.7) */
	if (!size)
		return -ENODEV;
	memset(q, 0, sizeof(*q));
	q->index = index;
	q->size = size;
	q->msix_vector = VIRTIO_MSI_NO_VECTOR;
	q->desc = ring_frame(&q->desc_phys);
	q->avail = ring_frame(&q->avail_phys);
	q->used = ring_frame(&q->used_phys);
	err = q->desc && q->avail && q->used ? v->t->queue_enable(v, q) : -ENOMEM;
	if (err)
		ring_frames_free(q);
	return err;
}

void virtio_queue_offer(struct virtio_queue *q, uint16_t id)
{
	q->avail[2 + q->avail_idx % q->size] = id;      /* ring[] */
	q->avail_idx++;
}

bool virtio_queue_kick(struct virtio_dev *v, struct virtio_queue *q)
{
	barrier();                      /* ring entries before the index */
	q->avail[1] = q->avail_idx;     /* idx */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);        /* idx before flags */
	if (q->used[0] & VIRTQ_USED_F_NO_NOTIFY)
		return false;
	v->t->notify(v, q);
	return true;
}

uint16_t virtio_queue_used_pending(const struct virtio_queue *q)
{
	uint16_t n = (uint16_t)(q->used[1] - q->last_used);

	return n > q->size ? q->size : n;
}

bool virtio_queue_next_used(struct virtio_queue *q, struct virtq_used_elem *e)
{
	volatile uint32_t *elem;

	if (q->used[1] == q->last_used)
		return false;
	barrier();                      /* idx before the element */
	elem = (volatile uint32_t *)(q->used + 2) + 2 * (q->last_used % q->size);
	e->id = elem[0];
	e->len = elem[1];
	q->last_used++;
	return true;
}

/* ---- device configuration ---------------------------------------------------- */

int virtio_cfg_read(struct virtio_dev *v, uint32_t off, void *buf, uint32_t len)
{
	uint32_t n = v->t->cfg_len(v);
	uint8_t *p = buf;
	uint32_t gen;

	if (off > n || len > n - off) {
		memset(buf, 0, len);
		return -EINVAL;
	}
	for (int tries = 0; tries < CFG_READ_TRIES; tries++) {
		gen = v->t->cfg_generation(v);
		for (uint32_t i = 0; i < len; i++)
			p[i] = v->t->cfg_read8(v, off + i);
		if (v->t->cfg_generation(v) == gen)
			return 0;
	}
	return -EIO;                    /* it keeps changing under us */
}

/* ---- one-queue devices --------------------------------------------------------- */

int virtio_simple_setup(struct virtio_dev *v)
{
	int err = virtio_queue_setup(v, &v->q, 0, SIMPLE_QUEUE_SIZE);

	if (err) {
		virtio_fail(v);
		return err;
	}
	virtio_ready(v);
	return 0;
}

long virtio_queue_xfer(struct virtio_dev *v, uint64_t phys, uint32_t len, bool write,
		       uint64_t timeout_ns)
{
	struct virtio_queue *q = &v->q;
	uint16_t slot = q->avail_idx % q->size;
	uint64_t t0 = tsc_ns_since_entry();
	struct virtq_used_elem e;

	/* One request in flight at a time: descriptor `slot` is free. */
	q->desc[slot].addr = phys;
	q->desc[slot].len = len;
	q->desc[slot].flags = write ? VIRTQ_DESC_F_WRITE : 0;
	q->desc[slot].next = 0;
	virtio_queue_offer(q, slot);
	virtio_queue_kick(v, q);
	while (!virtio_queue_next_used(q, &e)) {
		if (tsc_ns_since_entry() - t0 > timeout_ns)
			return -ETIMEDOUT;      /* the descriptor stays the device's */
		__asm__ volatile("pause");
	}
	if (e.id != slot || e.len > len)
		return -EIO;
	return (long)e.len;
}
