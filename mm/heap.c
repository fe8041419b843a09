/*
 * heap.c — the kernel heap: newlib's malloc (mallocr) grows it through
 * sbrk, which maps fresh frames page by page into its own virtual range
 * [VMM_HEAP_BASE, VMM_HEAP_BASE + VMM_HEAP_MAX) (see vmm.h).  Shrinking
 * only moves the break; pages stay mapped for the next growth.
 * heap_log_memory: the memory line of the kernel log.
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

/* newlib 3.3's mallinfo (libc/stdlib/mallocr.c, built without
 * HAVE_USR_INCLUDE_MALLOC_H) fills mallocr.c's own SVID struct of ten
 * ints, not the size_t one its <malloc.h> declares for 64-bit targets: it
 * is called through the layout it really writes (so <malloc.h> is not
 * included here). */
struct newlib_mallinfo {
	int arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks,
	    keepcost;
};
struct newlib_mallinfo mallinfo(void);

/* One line about memory: free frames, the heap's bytes in use (newlib's
 * mallinfo) and mapped.  Logged at boot and when the power button stops
 * the machine, so a leak shows as the difference (tests/net/hostile.sh). */
void heap_log_memory(const char *when)
{
	struct newlib_mallinfo mi = mallinfo();

	klog("memory: %lu of %lu MiB free, kernel heap %lu KiB in use of %lu KiB mapped (%s)",
	     pmm_free_frames() * PAGE_SIZE >> 20, pmm_total_frames() * PAGE_SIZE >> 20,
	     (unsigned long)(unsigned)mi.uordblks >> 10, heap_mapped_bytes() >> 10, when);
}
