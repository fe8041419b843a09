/*
 * plat.h — the one narrow seam between portable code (jit/, wasi-baremetal/)
 * and the platform under it.  The bare-metal kernel implements it once
 * (kernel/plat_kernel.c), the Linux-hosted platform once (host/plat_host.c);
 * the Makefile picks the file.  No #ifdef PLATFORM in portable .c files.
 *
 * Portable code may also use the freestanding C headers and the C library
 * subset that both platforms provide (newlib in the kernel, glibc hosted):
 * malloc/free/realloc/calloc, string.h, snprintf/vsnprintf.
 *
 * Error convention: 0 or a negative errno-style value.
 */
#ifndef PLAT_H
#define PLAT_H

#include <stddef.h>
#include <stdint.h>

/* ---- address space ---------------------------------------------------- */

/* Reserve `size` bytes (multiple of 4 KiB) of virtual address space with no
 * access: any touch faults.  Returns NULL on failure. */
void *plat_reserve(size_t size);
/* Make [addr, addr+size) inside a reservation readable+writable and zeroed
 * (page-granular, addr and size 4 KiB aligned).  0 or -ENOMEM. */
int plat_commit(void *addr, size_t size);
/* Return a whole reservation to the platform. */
void plat_release(void *addr, size_t size);

/* Code pages: allocate writable (not executable) pages for the emitter,
 * then seal them read+execute (never W and X at once). */
void *plat_code_alloc(size_t size);
int plat_code_seal(void *addr, size_t size);
void plat_code_free(void *addr, size_t size);

/* ---- console, time, entropy ------------------------------------------ */

/* Write to the instance's console stream: fd 1 = stdout, fd 2 = stderr. */
void plat_console_write(int fd, const void *buf, size_t len);

/* The clocks of WASI's clockid, in the same order.  The CPU-time clocks
 * count the CPU time spent on the running instance: hosted, the process's
 * and the calling thread's (clock_gettime); on bare metal, where the
 * instance is the only thing the CPU runs, the time since kernel entry. */
enum plat_clock {
	PLAT_CLOCK_REALTIME = 0,
	PLAT_CLOCK_MONOTONIC = 1,
	PLAT_CLOCK_PROCESS_CPUTIME = 2,
	PLAT_CLOCK_THREAD_CPUTIME = 3,
};
/* Nanoseconds; realtime is since the Unix epoch. */
uint64_t plat_clock_ns(enum plat_clock clock);
/* Resolution in nanoseconds (>= 1). */
uint64_t plat_clock_res_ns(enum plat_clock clock);

/* Console input, the instance's stdin (the terminal or a pipe hosted, the
 * guest console's serial port on bare metal: images/image.h says how the
 * end of input travels over it).  Read up to len bytes: with wait, block
 * until at least one byte or the end of input; without, -EAGAIN when
 * nothing is there.  Returns the count (> 0), 0 at the end of input, or
 * -EIO. */
long plat_console_read(void *buf, size_t len, int wait);
/* Whether plat_console_read would not block: 1 (with *nbytes = bytes that
 * are certainly there, 0 at the end of input), else 0. */
int plat_console_ready(uint64_t *nbytes);
/* Wait until the monotonic clock reaches deadline_ns (UINT64_MAX: no
 * deadline) or, if console, until console input is ready; may return
 * early, callers check again.  The kernel spins (interrupts are off);
 * hosted, poll(2). */
void plat_wait(uint64_t deadline_ns, int console);

/* Fill buf with cryptographic-quality random bytes (RDSEED/RDRAND on bare
 * metal, getrandom hosted).  0 or -EIO. */
int plat_random(void *buf, size_t len);

/* Diagnostics for the runtime itself (not the guest's output): the kernel
 * log on bare metal (timestamped), stderr with --verbose hosted.
 * printf-style; each message ends with "\n". */
void plat_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
