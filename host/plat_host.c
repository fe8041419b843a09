/*
 * plat_host.c — jit/plat.h on Linux (the hosted platform).
 *
 *   reserve  = mmap(PROT_NONE, MAP_NORESERVE)      any touch faults
 *   commit   = mmap(MAP_FIXED, RW) over the range  always fresh zero pages
 *   code     = mmap RW for the emitter, then mprotect RX (never W+X)
 *   console  = write(1|2), read(0), poll(0) for readiness and waits
 *   waits    = poll(2) on fd 0 and the sockets (host/plat_sock.c) waited on
 *   clocks   = clock_gettime (realtime, monotonic, process/thread CPU time)
 *   faults   = SIGSEGV/SIGBUS on a sigaltstack -> wasm_fault_redirect ->
 *              resume at the engine's trap path, or die with a report
 *
 * Kept small on purpose (DESIGN.md: "don't grow a second kernel").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "plat_host.h"
#include "wasi.h"                /* enum wasi_stdio_kind */
#include "wasm.h"

/* ---- address space ---------------------------------------------------- */

/*
 * Fault injection: per kind, the count of requests so far and the one
 * that fails (fail_at, -1 = none; with fail_after every later one too).
 * plat_host_fail_commit_after(n) is plat_host_fail_nth(COMMIT, n, true).
 */
static struct {
	unsigned long count;
	long fail_at;
	bool fail_after;
} faults[PLAT_HOST_FAULT__COUNT] = {
	[0 ... PLAT_HOST_FAULT__COUNT - 1] = { 0, -1, false },
};

void plat_host_fail_nth(enum plat_host_fault kind, long n, bool after)
{
	__atomic_store_n(&faults[kind].fail_at, -1, __ATOMIC_SEQ_CST);
	faults[kind].fail_after = after;
	if (n >= 0)
		__atomic_store_n(&faults[kind].fail_at,
				 (long)__atomic_load_n(&faults[kind].count, __ATOMIC_SEQ_CST) + n,
				 __ATOMIC_SEQ_CST);
}

bool plat_host_fault(enum plat_host_fault kind)
{
	long at = __atomic_load_n(&faults[kind].fail_at, __ATOMIC_SEQ_CST);
	long i = (long)__atomic_fetch_add(&faults[kind].count, 1, __ATOMIC_SEQ_CST);

	return at >= 0 && (i == at || (faults[kind].fail_after && i > at));
}

unsigned long plat_host_fault_count(enum plat_host_fault kind)
{
	return __atomic_load_n(&faults[kind].count, __ATOMIC_SEQ_CST);
}

void plat_host_fail_commit_after(long n)
{
	plat_host_fail_nth(PLAT_HOST_FAULT_COMMIT, n, true);
}

void *plat_reserve(size_t size)
{
	void *p;

	if (plat_host_fault(PLAT_HOST_FAULT_RESERVE))
		return NULL;
	p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

int plat_commit(void *addr, size_t size)
{
	if (plat_host_fault(PLAT_HOST_FAULT_COMMIT))
		return -ENOMEM;
	if (!size)
		return 0;
	/* A fixed anonymous mapping over the reserved range: zero pages even
	 * if this range was committed and released before. */
	if (mmap(addr, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		return -ENOMEM;
	return 0;
}

void plat_release(void *addr, size_t size)
{
	if (addr && size)
		munmap(addr, size);
}

void *plat_code_alloc(size_t size)
{
	void *p;

	if (plat_host_fault(PLAT_HOST_FAULT_CODE))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

int plat_code_seal(void *addr, size_t size)
{
	return mprotect(addr, size, PROT_READ | PROT_EXEC) ? -errno : 0;
}

void plat_code_free(void *addr, size_t size)
{
	if (addr && size)
		munmap(addr, size);
}

/* ---- console, time, entropy ------------------------------------------ */

/* Everything, in order: an O_NONBLOCK stdout/stderr (inherited from a
 * shell or a parent) that is full is waited for, not dropped. */
void plat_console_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	if (fd != 1 && fd != 2)
		return;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EAGAIN) {
			struct pollfd w = { .fd = fd, .events = POLLOUT };

			if (poll(&w, 1, -1) >= 0 || errno == EINTR)
				continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;         /* the reader is gone (EPIPE), or EIO */
		p += n;
		len -= (size_t)n;
	}
}

int plat_host_stdio_kind(int fd)
{
	struct stat st;

	if (isatty(fd))
		return WASI_STDIO_TERMINAL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return WASI_STDIO_FILE;
	return WASI_STDIO_OTHER;
}

static clockid_t clock_id(enum plat_clock c)
{
	switch (c) {
	case PLAT_CLOCK_MONOTONIC:
		return CLOCK_MONOTONIC;
	case PLAT_CLOCK_PROCESS_CPUTIME:
		return CLOCK_PROCESS_CPUTIME_ID;
	case PLAT_CLOCK_THREAD_CPUTIME:
		return CLOCK_THREAD_CPUTIME_ID;
	default:
		return CLOCK_REALTIME;
	}
}

uint64_t plat_clock_ns(enum plat_clock c)
{
	struct timespec ts;

	if (clock_gettime(clock_id(c), &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t plat_clock_res_ns(enum plat_clock c)
{
	struct timespec ts;
	uint64_t ns;

	if (clock_getres(clock_id(c), &ts))
		return 1;
	ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return ns ? ns : 1;
}

/* ---- console input: fd 0 as it is (terminal, pipe, file, /dev/null) ---- */

static bool stdin_eof;          /* read(0) said 0 (or fd 0 is not open) */

/* poll(2) fd 0 for timeout_ms: 1 ready (data, end of input, or an error
 * that read will report), 0 not yet. */
static int stdin_poll(int timeout_ms)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	int r;

	if (stdin_eof)
		return 1;
	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r != 0;
}

long plat_console_read(void *buf, size_t len, int wait)
{
	ssize_t n;

	if (stdin_eof)
		return 0;
	if (!len)
		return 0;
	if (!wait && !stdin_poll(0))
		return -EAGAIN;
	for (;;) {
		n = read(0, buf, len);
		if (n >= 0 || errno != EINTR)
			break;
	}
	while (n < 0 && errno == EAGAIN) {      /* an O_NONBLOCK stdin */
		if (!wait)
			return -EAGAIN;
		stdin_poll(-1);
		n = read(0, buf, len);
		if (n < 0 && errno == EINTR)
			errno = EAGAIN;
	}
	if (n < 0 && errno == EBADF)
		n = 0;                          /* fd 0 closed: nothing to read */
	if (n == 0)
		stdin_eof = true;
	return n < 0 ? -EIO : n;
}

int plat_console_ready(uint64_t *nbytes)
{
	int avail = 0;

	*nbytes = 0;
	if (!stdin_poll(0))
		return 0;
	/* FIONREAD: bytes buffered in a pipe, tty or file (0 at its end). */
	if (!stdin_eof && ioctl(0, FIONREAD, &avail) == 0 && avail > 0)
		*nbytes = (uint64_t)avail;
	return 1;
}

bool plat_host_stdin_eof(void)
{
	return stdin_eof;
}

/*
 * The Wasm stack for AddressSanitizer (make SAN=1), with its fiber
 * annotations (sanitizer/common_interface_defs.h).  Host functions and the
 * runtime's helpers are instrumented C running on the Wasm stack; when a
 * trap unwinds them (jit_unwind is noreturn), ASan unpoisons the stack
 * they leave (__asan_handle_no_return) only if it knows that this stack is
 * the current one.  Without the annotations it ignores the request, and
 * the stale poison shows later as a false stack-buffer-underflow.
 *
 * The switch itself is in jit_enter's assembly, so both halves of each
 * annotation run here, in C, on the old stack: between them and the real
 * switch only uninstrumented code runs (jit_enter, compiled Wasm), and
 * only the bookkeeping of the current stack changes.  Weak: without the
 * ASan runtime these are NULL and nothing happens.
 */
extern void __sanitizer_start_switch_fiber(void **fake_stack_save,
					   const void *bottom, size_t size)
	__attribute__((weak));
extern void __sanitizer_finish_switch_fiber(void *fake_stack_save,
					    const void **bottom_old,
					    size_t *size_old)
	__attribute__((weak));

void plat_stack_enter(struct plat_stack_save *s, const void *lo, size_t size)
{
	if (!__sanitizer_start_switch_fiber)
		return;
	__sanitizer_start_switch_fiber(&s->fake_stack, lo, size);
	__sanitizer_finish_switch_fiber(NULL, &s->old_lo, &s->old_size);
}

void plat_stack_leave(const struct plat_stack_save *s)
{
	if (!__sanitizer_start_switch_fiber)
		return;
	/* NULL: the Wasm run's own fake stack (use-after-return) dies */
	__sanitizer_start_switch_fiber(NULL, s->old_lo, s->old_size);
	__sanitizer_finish_switch_fiber(s->fake_stack, NULL, NULL);
}

/* initial-exec: no lazy allocation when the fault handler reads it */
static __thread struct jit_ctx *current_ctx __attribute__((tls_model("initial-exec")));

struct jit_ctx **plat_current_ctx(void)
{
	return &current_ctx;
}

enum wasm_trap_code plat_host_call(wasm_host_fn fn, wasm_instance *inst,
				   void *env, const uint64_t *args,
				   uint64_t *results)
{
	return fn(inst, env, args, results);
}

int plat_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The runtime's diagnostics (plat_log) are the kernel log on bare metal; in
 * a hosted run they would mix with the guest's stderr, so they are shown
 * only with --verbose.  Errors of the host platform itself go to stderr. */
static bool log_verbose;

void plat_host_set_verbose(bool on)
{
	log_verbose = on;
}

/* the boot timeline is the kernel's (kernel/boottime.h) */
void plat_run_point(enum plat_run_point p)
{
	(void)p;
}

void plat_log(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* ---- faults: SIGSEGV / SIGBUS ----------------------------------------- */

/* Async-signal-safe "0x%lx". */
static char *put_hex(char *p, uintptr_t v)
{
	char tmp[16];
	int n = 0;

	*p++ = '0';
	*p++ = 'x';
	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static void report_fatal(int sig, uintptr_t rip, uintptr_t addr)
{
	char buf[128], *p = buf;

	p = put_str(p, "wasmetal: fatal ");
	p = put_str(p, sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
	p = put_str(p, " at rip=");
	p = put_hex(p, rip);
	p = put_str(p, ", addr=");
	p = put_hex(p, addr);
	*p++ = '\n';
	(void)!write(2, buf, (size_t)(p - buf));
}

/* The SIGSEGV and SIGBUS actions before ours: the default, or a
 * sanitizer's (ASan reports the crash with its stack, libFuzzer then saves
 * the input). */
static struct sigaction old_segv, old_bus;

/* Not a Wasm fault: hand it to the previous action.  A handler is called
 * as the kernel would have; the default action is reinstated, and the
 * faulting instruction runs again and the process dies of the real signal
 * (a core, its exit status), or, for a sent signal, is raised again. */
static void chain_fault(int sig, siginfo_t *si, void *ucv)
{
	const struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;

	if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
		old->sa_sigaction(sig, si, ucv);
		return;
	}
	if (!(old->sa_flags & SA_SIGINFO) && old->sa_handler != SIG_DFL &&
	    old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
		return;
	}
	signal(sig, SIG_DFL);
	if (si->si_code <= 0)
		raise(sig);
}

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *gr = uc->uc_mcontext.gregs;
	struct wasm_fault f = {
		.rip = (uintptr_t)gr[REG_RIP],
		.addr = (uintptr_t)si->si_addr,
		.rsp = (uintptr_t)gr[REG_RSP],
		.rbp = (uintptr_t)gr[REG_RBP],
	};
	int saved_errno = errno;

	/* Only faults raised by the CPU: a kill(2)ed SIGSEGV is not a trap. */
	if (si->si_code > 0 && wasm_fault_redirect(&f)) {
		gr[REG_RIP] = (greg_t)f.new_rip;
		gr[REG_RDI] = (greg_t)f.new_rdi;
		gr[REG_RSI] = (greg_t)f.new_rsi;
		gr[REG_RSP] = (greg_t)f.new_rsp;
		errno = saved_errno;
		return;
	}
	report_fatal(sig, f.rip, f.addr);
	errno = saved_errno;
	chain_fault(sig, si, ucv);
}

#define ALTSTACK_SIZE (64u << 10)

void plat_host_thread_init(void)
{
	static __thread void *altstack;
	stack_t ss = { 0 };

	if (altstack)
		return;
	altstack = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (altstack == MAP_FAILED) {
		altstack = NULL;
		fprintf(stderr, "wasmetal: no alternate signal stack: %s\n", strerror(errno));
		return;
	}
	ss.ss_sp = altstack;
	ss.ss_size = ALTSTACK_SIZE;
	if (sigaltstack(&ss, NULL))
		fprintf(stderr, "wasmetal: sigaltstack: %s\n", strerror(errno));
}

void plat_host_init(void)
{
	static int done;
	struct sigaction sa;

	plat_host_thread_init();
	if (__atomic_exchange_n(&done, 1, __ATOMIC_SEQ_CST))
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
}
