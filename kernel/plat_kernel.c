/*
 * plat_kernel.c — jit/plat.h on bare metal.  Address space: reservations
 * and code pages are virtual ranges carved from the lower half (mm/vmm.h
 * map) by a bump allocator that also reuses released ranges of the same
 * size; nothing is mapped until plat_commit / plat_code_alloc.  Code pages
 * are W^X: mapped RW+NX for the emitter, then sealed R+X (never both).
 * Console = COM2; clocks = TSC (+ RTC at boot for realtime); entropy =
 * RDSEED, falling back to RDRAND (Intel DRNG guide §5.2/§5.3: retry on
 * CF=0).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kernel.h"
#include "cpu.h"
#include "plat.h"
#include "serial.h"
#include "pmm.h"
#include "tsc.h"
#include "vmm.h"

#define AREA_FREED_MAX  256
#define RESERVE_GAP     (2ull << 20)    /* unmapped space after each range */
#define CODE_GAP        (64ull << 10)

struct area {
	uintptr_t base, next, end, gap;
	unsigned nfreed;
	struct { uintptr_t addr; size_t size; } freed[AREA_FREED_MAX];
};

static struct area wasm_area = {
	.base = VMM_WASM_BASE, .next = VMM_WASM_BASE, .end = VMM_WASM_END,
	.gap = RESERVE_GAP,
};
static struct area code_area = {
	.base = VMM_CODE_BASE, .next = VMM_CODE_BASE, .end = VMM_CODE_END,
	.gap = CODE_GAP,
};

static uintptr_t area_alloc(struct area *a, size_t size)
{
	uintptr_t va;

	if (!size || size % PAGE_SIZE)
		return 0;
	for (unsigned i = 0; i < a->nfreed; i++) {
		if (a->freed[i].size != size)
			continue;
		va = a->freed[i].addr;
		a->freed[i] = a->freed[--a->nfreed];
		return va;
	}
	if (size > a->end - a->next || a->gap > a->end - a->next - size)
		return 0;
	va = a->next;
	a->next += size + a->gap;
	return va;
}

static void area_free(struct area *a, uintptr_t va, size_t size)
{
	if (a->nfreed < AREA_FREED_MAX)
		a->freed[a->nfreed++] = (typeof(a->freed[0])){ va, size };
	/* else: the range is leaked (still unmapped), never reused */
}

/* [va, va+size) lies inside what the area has handed out. */
static bool area_contains(const struct area *a, uintptr_t va, size_t size)
{
	return va >= a->base && va < a->next && size <= a->next - va &&
	       !(va % PAGE_SIZE) && !(size % PAGE_SIZE);
}

void *plat_reserve(size_t size)
{
	return (void *)area_alloc(&wasm_area, ALIGN_UP(size, (size_t)PAGE_SIZE));
}

int plat_commit(void *addr, size_t size)
{
	uintptr_t va = (uintptr_t)addr;

	if (!area_contains(&wasm_area, va, size))
		return -EINVAL;
	return vmm_commit(va, size, VMM_WRITE);
}

void plat_release(void *addr, size_t size)
{
	uintptr_t va = (uintptr_t)addr;

	size = ALIGN_UP(size, (size_t)PAGE_SIZE);
	if (!addr || !area_contains(&wasm_area, va, size)) {
		klog("plat_release: bad range %p+%#lx ignored", addr, size);
		return;
	}
	vmm_decommit(va, size);
	area_free(&wasm_area, va, size);
}

void *plat_code_alloc(size_t size)
{
	uintptr_t va;

	size = ALIGN_UP(size, (size_t)PAGE_SIZE);
	if (!(va = area_alloc(&code_area, size)))
		return NULL;
	if (vmm_commit(va, size, VMM_WRITE)) {
		area_free(&code_area, va, size);
		return NULL;
	}
	return (void *)va;
}

int plat_code_seal(void *addr, size_t size)
{
	uintptr_t va = (uintptr_t)addr;

	size = ALIGN_UP(size, (size_t)PAGE_SIZE);
	if (!area_contains(&code_area, va, size))
		return -EINVAL;
	return vmm_protect(va, size, VMM_EXEC);         /* R X, not W */
}

void plat_code_free(void *addr, size_t size)
{
	uintptr_t va = (uintptr_t)addr;

	size = ALIGN_UP(size, (size_t)PAGE_SIZE);
	if (!addr || !area_contains(&code_area, va, size)) {
		klog("plat_code_free: bad range %p+%#lx ignored", addr, size);
		return;
	}
	vmm_decommit(va, size);
	area_free(&code_area, va, size);
}

/* ---- console, time, entropy ---------------------------------------------- */

void plat_console_write(int fd, const void *buf, size_t len)
{
	serial_write(SERIAL_COM2, buf, len);
}

static uint64_t realtime_base_ns;       /* epoch ns at monotonic time 0 */

void plat_kernel_set_realtime(uint64_t epoch_s)
{
	uint64_t mono = tsc_ns_since_entry();
	uint64_t now = epoch_s * 1000000000ull;

	realtime_base_ns = now > mono ? now - mono : 0;
}

uint64_t plat_clock_ns(enum plat_clock clock)
{
	uint64_t mono = tsc_ns_since_entry();

	return clock == PLAT_CLOCK_REALTIME ? realtime_base_ns + mono : mono;
}

uint64_t plat_clock_res_ns(enum plat_clock clock)
{
	uint64_t hz = tsc_hz();

	return hz >= 1000000000u || !hz ? 1 : (1000000000u + hz - 1) / hz;
}

static int has_rdseed = -1, has_rdrand;

static void random_detect(void)
{
	uint32_t a, b, c, d, max;

	cpuid(0, 0, &max, &b, &c, &d);
	cpuid(1, 0, &a, &b, &c, &d);
	has_rdrand = (c >> 30) & 1;
	has_rdseed = 0;
	if (max >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		has_rdseed = (b >> 18) & 1;
	}
}

static bool rdseed64(uint64_t *v)
{
	uint8_t ok;

	for (int i = 0; i < 128; i++) {
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
		cpu_relax();
	}
	return false;
}

static bool rdrand64(uint64_t *v)
{
	uint8_t ok;

	for (int i = 0; i < 10; i++) {
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

int plat_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	if (has_rdseed < 0)
		random_detect();
	while (len) {
		uint64_t v;
		size_t n = len < 8 ? len : 8;

		if (!(has_rdseed && rdseed64(&v)) && !(has_rdrand && rdrand64(&v)))
			return -EIO;
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	return 0;
}

void plat_log(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);    /* newlib: every format */
	va_end(ap);
	klog("%s", buf);
}
