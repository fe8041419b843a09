/*
 * heap.c — the kernel heap: newlib's malloc (mallocr) grows it through
 * sbrk, which maps fresh frames page by page into its own virtual range
 * [VMM_HEAP_BASE, VMM_HEAP_BASE + VMM_HEAP_MAX) (see vmm.h).  Shrinking
 * only moves the break; pages stay mapped for the next growth.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel.h"
#include "pmm.h"
#include "vmm.h"

static uintptr_t heap_brk = VMM_HEAP_BASE;      /* current break */
static uintptr_t heap_mapped = VMM_HEAP_BASE;   /* end of mapped pages */

void *sbrk(ptrdiff_t incr);

void *sbrk(ptrdiff_t incr)
{
	uintptr_t old = heap_brk, want;

	if (incr < 0 ? (uintptr_t)-incr > heap_brk - VMM_HEAP_BASE
		     : (uintptr_t)incr > VMM_HEAP_BASE + VMM_HEAP_MAX - heap_brk) {
		errno = ENOMEM;
		return (void *)-1;
	}
	want = heap_brk + incr;
	if (want > heap_mapped) {
		uintptr_t end = ALIGN_UP(want, (uintptr_t)PAGE_SIZE);

		if (vmm_commit(heap_mapped, end - heap_mapped, VMM_WRITE)) {
			errno = ENOMEM;
			return (void *)-1;
		}
		heap_mapped = end;
	}
	heap_brk = want;
	return (void *)old;
}

void *_sbrk(ptrdiff_t incr) __attribute__((alias("sbrk")));

size_t heap_mapped_bytes(void)
{
	return heap_mapped - VMM_HEAP_BASE;
}
