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
#include "wasm.h"               /* wasm_host_fn */

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
/* A module's code is ready to run (compiled or loaded from an artifact):
 * hosted, a profiler's symbol map (host/perfmap.c); nothing in the kernel. */
void plat_code_loaded(const wasm_module *m);

/* ---- the Wasm stack ----------------------------------------------------- */

/* Compiled code runs on a stack of the engine's own: jit_enter (x64/
 * entry.S) switches to an instance's Wasm stack and back, or is unwound
 * back on a trap.  The engine calls plat_stack_enter just before
 * jit_enter, with the stack it switches to ([lo, lo + size)), and
 * plat_stack_leave with the same save just after jit_enter returned.
 * Hosted, they tell AddressSanitizer (when linked in) about the switch;
 * on bare metal they do nothing. */
struct plat_stack_save {
	void *fake_stack;               /* the sanitizer's, of the old stack */
	const void *old_lo;             /* the stack we came from */
	size_t old_size;
};
void plat_stack_enter(struct plat_stack_save *s, const void *lo, size_t size);
void plat_stack_leave(const struct plat_stack_save *s);

/* The runtime's record of the innermost jit_enter running here: a slot
 * per thread (hosted) or per CPU (bare metal: the kernel runs on one),
 * which jit_enter (trap.c) sets and restores, and the fault handler reads
 * to find the running instance (docs/abi.md "Traps": not from r14).  A
 * plain address: safe to call from the fault handler. */
struct jit_ctx;
struct jit_ctx **plat_current_ctx(void);

/* ---- host calls -------------------------------------------------------- */

/* Run the host function fn for compiled code (jit_host_call).  On bare
 * metal it runs on the kernel's service stack, whose size is known
 * whatever the Wasm stack has left: a WASI call runs the file system,
 * the drivers and the network stack.  Hosted: a plain call. */
enum wasm_trap_code plat_host_call(wasm_host_fn fn, wasm_instance *inst,
				   void *env, const uint64_t *args,
				   uint64_t *results);

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
/* ---- sockets ------------------------------------------------------------- */

/*
 * Sockets for the WASI layer (wasi-baremetal/wasi_sock*.c): lwIP's raw API
 * on bare metal (net/sock.c), Linux sockets hosted (host/plat_sock.c).
 *
 * Every call is non-blocking: where it would have to wait it returns
 * -EAGAIN (accept, recv, send) or -EINPROGRESS (a stream connect, whose
 * outcome then shows as PLAT_POLL_OUT, or PLAT_POLL_ERR with the error
 * in PLAT_SO_ERROR); the WASI layer blocks, when the guest asked it to,
 * with plat_wait.  Grants (what an instance may listen on, connect to,
 * resolve) are enforced above this seam, identically on both platforms:
 * the platform does what it is asked.  Errors are negative values of the
 * platform's own errno.h (the WASI layer maps them by name).
 */
#define PLAT_AF_INET    1
#define PLAT_AF_INET6   2

/* An address and port.  IPv4 uses addr[0..3]; both in network order. */
struct plat_addr {
	uint8_t family;         /* PLAT_AF_INET / PLAT_AF_INET6 */
	uint8_t addr[16];
	uint16_t port;          /* host order */
	uint32_t scope;         /* IPv6 zone (interface index), 0 = none */
};

enum plat_sock_type {
	PLAT_SOCK_STREAM = 1,   /* TCP */
	PLAT_SOCK_DGRAM = 2,    /* UDP */
};

/* A scatter/gather element; base points into linear memory (checked by
 * the caller). */
struct plat_iov {
	void *base;
	size_t len;
};

#define PLAT_MSG_PEEK   1u      /* recv flags: leave the data queued */
#define PLAT_MSG_TRUNC  1u      /* recv out-flags: a datagram was cut */
#define PLAT_SHUT_RD    1u
#define PLAT_SHUT_WR    2u

/* plat_sock_poll and plat_wait_sock.events */
#define PLAT_POLL_IN    1u      /* data, a connection to accept, or EOF */
#define PLAT_POLL_OUT   2u      /* room to send; a connect has finished;
				   or a send fails at once (shut, dead) */
#define PLAT_POLL_HUP   4u      /* the peer closed (stream): reads end */
#define PLAT_POLL_ERR   8u      /* PLAT_SO_ERROR holds an error */

enum plat_sockopt {
	PLAT_SO_REUSEADDR,      /* int 0/1 */
	PLAT_SO_KEEPALIVE,      /* int 0/1 */
	PLAT_SO_BROADCAST,      /* int 0/1 (datagram) */
	PLAT_SO_SNDBUF,         /* int bytes */
	PLAT_SO_RCVBUF,         /* int bytes */
	PLAT_SO_ERROR,          /* get only: the pending error as a positive
				   errno value, cleared by the read */
	PLAT_TCP_NODELAY,       /* int 0/1 */
};

struct plat_sock;       /* the platform's */

/* A new socket of family and type, unbound.  0 or -errno (-ENETDOWN:
 * this machine has no network). */
int plat_sock_open(int family, enum plat_sock_type type, struct plat_sock **out);
/* Close and free.  A stream with data not yet sent keeps sending it (and
 * closes gracefully) in the background; never waits. */
void plat_sock_close(struct plat_sock *s);
int plat_sock_bind(struct plat_sock *s, const struct plat_addr *a);
int plat_sock_listen(struct plat_sock *s, int backlog);
/* A pending connection as a new socket, and its peer (if peer).
 * -EAGAIN when none is waiting. */
int plat_sock_accept(struct plat_sock *s, struct plat_sock **out,
		     struct plat_addr *peer);
/* Stream: 0 (connected at once), -EINPROGRESS, or -errno.  Datagram:
 * sets the default destination, 0 or -errno. */
int plat_sock_connect(struct plat_sock *s, const struct plat_addr *a);
/* Receive into iov[0..n): the byte count, 0 at the end of a stream, or
 * -EAGAIN / -errno.  A datagram is read whole or cut (then *oflags gets
 * PLAT_MSG_TRUNC and the rest is dropped); from (if not NULL) gets its
 * sender. */
long plat_sock_recv(struct plat_sock *s, const struct plat_iov *iov, size_t n,
		    unsigned flags, unsigned *oflags, struct plat_addr *from);
/* Send from iov[0..n): stream: the bytes accepted (> 0, possibly fewer
 * than offered) or -EAGAIN / -errno (-EPIPE after shutdown or reset);
 * datagram: the whole datagram to `to` (NULL: the connected peer) or
 * -errno (-EMSGSIZE when it is too large). */
long plat_sock_send(struct plat_sock *s, const struct plat_iov *iov, size_t n,
		    const struct plat_addr *to);
int plat_sock_shutdown(struct plat_sock *s, unsigned how);
/* The local (peer = 0) or remote (peer = 1) address.  -ENOTCONN. */
int plat_sock_addr(struct plat_sock *s, int peer, struct plat_addr *out);
int plat_sock_getopt(struct plat_sock *s, enum plat_sockopt opt, int *val);
int plat_sock_setopt(struct plat_sock *s, enum plat_sockopt opt, int val);
/* PLAT_POLL_* bits that hold now; *nread (if not NULL) = bytes that can
 * be read at once (the next datagram's size for datagram sockets). */
unsigned plat_sock_poll(struct plat_sock *s, uint64_t *nread);

/* Addresses of `name` (a host name or a numeric address; the caller has
 * checked the grant), of family (0: either), at most max of them into out.
 * Waits for the answer (the platform bounds the time).  The count (>= 1)
 * or -errno: -ENOENT (no such name), -ETIMEDOUT, -ENETDOWN. */
int plat_resolve(const char *name, int family, struct plat_addr *out, int max);

/* ---- waiting ------------------------------------------------------------- */

/* A socket and the PLAT_POLL_IN / PLAT_POLL_OUT events waited for on it.
 * ERR always wakes; HUP (the peer will send no more) wakes a wait for IN
 * only: a writer can still write, and waits for room or an error. */
struct plat_wait_sock {
	struct plat_sock *s;
	unsigned events;
};

/* Wait until the monotonic clock reaches deadline_ns (UINT64_MAX: no
 * deadline), or console input is ready (if console), or one of the n
 * sockets has an event it waits for; may return early, callers check
 * again.  The CPU sleeps meanwhile: hlt until an interrupt on bare metal
 * (the network runs while it waits), poll(2) hosted. */
void plat_wait(uint64_t deadline_ns, int console,
	       const struct plat_wait_sock *socks, size_t n);

/* Fill buf with cryptographic-quality random bytes (RDSEED/RDRAND on bare
 * metal, getrandom hosted).  0 or -EIO. */
int plat_random(void *buf, size_t len);

/* Diagnostics for the runtime itself (not the guest's output): the kernel
 * log on bare metal (timestamped), stderr with --verbose hosted.
 * printf-style; each message ends with "\n". */
void plat_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Where the WASI runner (wasi-baremetal/wasi_run.c) is, for the kernel's
 * boot timeline (kernel/boottime.h): the module loaded (compiled, or an
 * artifact's code mapped), then _start about to be called.  Hosted:
 * nothing. */
enum plat_run_point { PLAT_RUN_LOADED, PLAT_RUN_START };
void plat_run_point(enum plat_run_point p);

#endif
