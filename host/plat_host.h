/*
 * plat_host.h — the Linux-hosted platform (host/plat_host.c): the jit/plat.h
 * seam on mmap/mprotect, write(2), clock_gettime, getrandom, and the
 * SIGSEGV/SIGBUS handler that turns guard-region faults in JIT code into
 * Wasm traps (wasm_fault_redirect, DESIGN.md decisions 2 and 3).
 */
#ifndef PLAT_HOST_H
#define PLAT_HOST_H

#include <stdbool.h>
#include "plat.h"

/* Install the SIGSEGV/SIGBUS handlers (once per process) and an alternate
 * signal stack for the calling thread.  Call before running Wasm. */
void plat_host_init(void);

/* Give the calling thread its own alternate signal stack (threads other
 * than the one that called plat_host_init, before they run Wasm). */
void plat_host_thread_init(void);

/* Fault injection (STYLE.md, "at the platform seam"): after n more
 * successful plat_commit calls, every further one fails with -ENOMEM;
 * n < 0 turns injection off (the default). */
void plat_host_fail_commit_after(long n);

/* The requests fault injection can fail, counted whether or not it is on:
 * plat_reserve, plat_commit, plat_code_alloc, and malloc/calloc/realloc
 * of the runtime (the sanitizer build's CLI wraps them, tests/fault/
 * fault_inject.c, and asks plat_host_fault). */
enum plat_host_fault {
	PLAT_HOST_FAULT_RESERVE,
	PLAT_HOST_FAULT_COMMIT,
	PLAT_HOST_FAULT_CODE,
	PLAT_HOST_FAULT_ALLOC,
	PLAT_HOST_FAULT__COUNT
};
/* Request number n (from 0, counted from now) of kind fails, and with
 * `after` every later one too; n < 0: none fails (the default). */
void plat_host_fail_nth(enum plat_host_fault kind, long n, bool after);
/* Count one request of kind: true if it is to fail. */
bool plat_host_fault(enum plat_host_fault kind);
/* Requests of kind so far. */
unsigned long plat_host_fault_count(enum plat_host_fault kind);

/* The Linux fd under a socket of host/plat_sock.c (plat_wait polls it). */
int plat_host_sock_fd(const struct plat_sock *s);
/* Whether our stdin has reached its end (plat_host.c; plat_wait in
 * plat_sock.c stops waiting for the console then). */
bool plat_host_stdin_eof(void);

/* What our fd 0, 1 or 2 is, as the guest should see it (wasi.h enum
 * wasi_stdio_kind): WASI_STDIO_TERMINAL for a terminal, WASI_STDIO_FILE
 * for a regular file, WASI_STDIO_OTHER for anything else (a pipe, a
 * socket, /dev/null, a closed fd).  Used hosted and for QEMU runs, whose
 * kernel is told the same (images/image.h). */
int plat_host_stdio_kind(int fd);

/* Show plat_log diagnostics on stderr (off by default: --verbose). */
void plat_host_set_verbose(bool on);

#endif
