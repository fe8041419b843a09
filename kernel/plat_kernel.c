/*
 * plat_kernel.c — jit/plat.h on bare metal.  Address space: reservations
 * and code pages are virtual ranges carved from the lower half (mm/vmm.h
 * map) by a bump allocator with a coalescing free list (see struct
 * area); nothing is mapped until plat_commit (lazily: each page on its
 * first touch, its frame reserved at commit) / plat_code_alloc.  Code pages
 * are W^X: mapped RW+NX for the emitter, then sealed R+X (never both).
 * Console = COM2, both ways (stdin framing: images/image.h), stderr on
 * COM3 when the run settings say so, and the output also on the
 * framebuffer (drivers/fbcon.h); clocks = TSC (+ RTC at boot for
 * realtime); waits sleep in `hlt` until an interrupt
 * (the one-shot timer for the deadline, the console's UART, the NIC);
 * entropy = RDSEED, falling back to RDRAND, then to virtio-rng (see
 * plat_random).  Host functions run on the service stack (below).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kernel.h"
#include "boottime.h"
#include "cpu.h"
#include "fbcon.h"
#include "image.h"             /* IMAGE_CONSOLE_EOF, _ESC */
#include "irq.h"
#include "net.h"
#include "plat.h"
#include "serial.h"
#include "pmm.h"
#include "tsc.h"
#include "virtio_rng.h"
#include "vmm.h"

#define AREA_FREE_MAX   1024            /* free ranges kept per area */
#define RESERVE_GAP     (2ull << 20)    /* unmapped space after each range */
#define CODE_GAP        (64ull << 10)

/*
 * An area hands out slots of size + gap bytes: from the lowest free range
 * big enough (first fit, split), else from the bump pointer `next`.  A
 * released slot goes back to the free list, which is kept sorted and
 * coalesced, and a free range that reaches `next` lowers `next` instead:
 * so when every instance of a spec file (or of anything) is freed, the
 * area is back where it was, and the page-table pages under it are reused
 * rather than grown (8 GiB slots in a 96 TiB window: ~12000 of them
 * without reuse).  Only if the list is full is a range leaked (logged;
 * it stays unmapped).
 */
struct area {
	const char *name;
	uintptr_t base, next, end, gap;
	uintptr_t high;                 /* highest `next` ever; starts at
					   base, like next (0 made the log's
					   high water huge when nothing ran) */
	unsigned nfree;
	bool leaked;                    /* logged once */
	struct { uintptr_t addr, size; } free[AREA_FREE_MAX];   /* by addr */
};

static struct area wasm_area = {
	.name = "wasm", .base = VMM_WASM_BASE, .next = VMM_WASM_BASE,
	.high = VMM_WASM_BASE, .end = VMM_WASM_END, .gap = RESERVE_GAP,
};
static struct area code_area = {
	.name = "code", .base = VMM_CODE_BASE, .next = VMM_CODE_BASE,
	.high = VMM_CODE_BASE, .end = VMM_CODE_END, .gap = CODE_GAP,
};

static void area_remove(struct area *a, unsigned i)
{
	memmove(&a->free[i], &a->free[i + 1], (a->nfree - i - 1) * sizeof a->free[0]);
	a->nfree--;
}

static uintptr_t area_alloc(struct area *a, size_t size)
{
	uintptr_t va, need;

	if (!size || size % PAGE_SIZE || size > a->end - a->base)
		return 0;
	need = size + a->gap;
	for (unsigned i = 0; i < a->nfree; i++) {
		if (a->free[i].size < need)
			continue;
		va = a->free[i].addr;
		a->free[i].addr += need;
		a->free[i].size -= need;
		if (!a->free[i].size)
			area_remove(a, i);
		return va;
	}
	if (need > a->end - a->next)
		return 0;
	va = a->next;
	a->next += need;
	if (a->next > a->high)
		a->high = a->next;
	return va;
}

static void area_free(struct area *a, uintptr_t va, size_t size)
{
	uintptr_t end = va + size + a->gap;
	unsigned i = 0;

	while (i < a->nfree && a->free[i].addr < va)
		i++;
	if ((i > 0 && a->free[i - 1].addr + a->free[i - 1].size > va) ||
	    (i < a->nfree && end > a->free[i].addr) || end > a->next) {
		klog("plat: %s range %#lx+%#lx freed twice or not ours: ignored",
		     a->name, va, size);
		return;
	}
	if (i > 0 && a->free[i - 1].addr + a->free[i - 1].size == va) {
		va = a->free[--i].addr;         /* merge with the one below */
		area_remove(a, i);
	}
	if (i < a->nfree && a->free[i].addr == end) {
		end += a->free[i].size;         /* and the one above */
		area_remove(a, i);
	}
	if (end == a->next) {                   /* the top: give it to the bump */
		a->next = va;
		return;
	}
	if (a->nfree == AREA_FREE_MAX) {
		if (!a->leaked)
			klog("plat: %s area free list full: ranges leaked", a->name);
		a->leaked = true;
		return;
	}
	memmove(&a->free[i + 1], &a->free[i], (a->nfree - i) * sizeof a->free[0]);
	a->free[i].addr = va;
	a->free[i].size = end - va;
	a->nfree++;
}

void plat_kernel_area_stats(void)
{
	klog("plat: wasm area %lu GiB in use (%u free ranges), high water %lu GiB; "
	     "code area %lu MiB in use (%u free ranges), high water %lu MiB",
	     (wasm_area.next - wasm_area.base) >> 30, wasm_area.nfree,
	     (wasm_area.high - wasm_area.base) >> 30,
	     (code_area.next - code_area.base) >> 20, code_area.nfree,
	     (code_area.high - code_area.base) >> 20);
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
	/* frames reserved now, mapped on first touch (mm/vmm.h) */
	return vmm_commit(va, size, VMM_WRITE | VMM_LAZY);
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

/* no profiler reads symbol maps here */
void plat_code_loaded(const wasm_module *m)
{
	(void)m;
}

/* the boot timeline (kernel/boottime.h) */
void plat_run_point(enum plat_run_point p)
{
	if (p == PLAT_RUN_LOADED)
		boot_mark(BOOT_LOAD);
	else
		boot_report_start();
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

/* stdout on the serial console, stderr on its own port when `wasmetal
 * run` gave it one (else on the console too: drivers/serial.h), and both
 * on the framebuffer when there is one (stderr drawn brighter), drawn
 * first: once the bytes are out on the serial port, a screenshot shows
 * them (tests/images/fbcon_screenshot.sh). */
void plat_console_write(int fd, const void *buf, size_t len)
{
	fbcon_write(buf, len, fd == 2);
	serial_write(fd == 2 ? SERIAL_COM3 : SERIAL_COM2, buf, len);
}

static uint64_t realtime_base_ns;       /* epoch ns at monotonic time 0 */

void plat_kernel_set_realtime(uint64_t epoch_s)
{
	uint64_t mono = tsc_ns_since_entry();
	uint64_t now = epoch_s * 1000000000ull;

	realtime_base_ns = now > mono ? now - mono : 0;
}

/* Realtime: the RTC's second at boot advanced by the TSC.  The CPU-time
 * clocks: the kernel runs one instance on one CPU with interrupts off, so
 * every cycle since kernel entry was spent on that instance (booting and
 * compiling it included, as a Linux process's CPU time includes its
 * loading; a poll_oneoff wait spins, so it counts too). */
uint64_t plat_clock_ns(enum plat_clock clock)
{
	uint64_t mono = tsc_ns_since_entry();

	return clock == PLAT_CLOCK_REALTIME ? realtime_base_ns + mono : mono;
}

/* Every clock ticks with the TSC: its period, rounded up to whole ns. */
uint64_t plat_clock_res_ns(enum plat_clock clock)
{
	uint64_t hz = tsc_hz();

	return hz >= 1000000000u || !hz ? 1 : (1000000000u + hz - 1) / hz;
}

/* ---- console input: COM2, decoded as images/image.h says ------------------ */

#define CIN_NONE (-1)           /* nothing received (yet) */
#define CIN_EOF  (-2)           /* the sender's end of input */

static struct {
	bool eof;               /* IMAGE_CONSOLE_EOF seen: stays at EOF */
	bool esc;               /* IMAGE_CONSOLE_ESC seen: next byte is data */
	int peek;               /* a decoded byte plat_console_ready saw */
} cin = { .peek = CIN_NONE };

/* The next decoded byte, CIN_NONE or CIN_EOF.  Never waits. */
static int cin_next(void)
{
	int c;

	if (cin.peek >= 0) {
		c = cin.peek;
		cin.peek = CIN_NONE;
		return c;
	}
	if (!serial_present(SERIAL_COM2))
		cin.eof = true;                 /* no port: no input, ever */
	while (!cin.eof && (c = serial_getc(SERIAL_COM2)) >= 0) {
		if (cin.esc) {
			cin.esc = false;
			return c;
		}
		if (c == IMAGE_CONSOLE_ESC)
			cin.esc = true;
		else if (c == IMAGE_CONSOLE_EOF)
			cin.eof = true;
		else
			return c;
	}
	return cin.eof ? CIN_EOF : CIN_NONE;
}

long plat_console_read(void *buf, size_t len, int wait)
{
	uint8_t *p = buf;
	size_t n = 0;
	int c;

	if (!len)
		return 0;
	while ((c = cin_next()) == CIN_NONE) {
		if (!wait)
			return -EAGAIN;
		plat_wait(UINT64_MAX, 1, NULL, 0);
	}
	/* Then whatever else is already there, without waiting. */
	while (c >= 0) {
		p[n++] = (uint8_t)c;
		if (n == len)
			break;
		c = cin_next();
	}
	return (long)n;
}

int plat_console_ready(uint64_t *nbytes)
{
	int c = cin_next();

	*nbytes = 0;
	if (c == CIN_NONE)
		return 0;
	if (c >= 0) {
		cin.peek = c;
		*nbytes = 1;    /* the UART does not say how many are queued */
	}
	return 1;
}

/* The console's UART interrupt wakes the idle loop; its handler has
 * nothing to do (the reader polls the UART). */
static void console_irq(void *arg)
{
}

void plat_kernel_console_irq_init(void)
{
	int isa = serial_isa_irq(SERIAL_COM2), vec;

	if (isa < 0)
		return;
	vec = irq_alloc_vector(console_irq, NULL, "console");
	if (vec < 0 || irq_route_isa((unsigned)isa, vec)) {
		klog("console: no interrupt for input (IRQ %d): waits poll the timer", isa);
		return;
	}
	serial_rx_irq_enable(SERIAL_COM2);
}

static bool stopping;            /* power_off has begun */

/* The power button was pressed while we idled: send what TCP still has
 * queued (at most a second), log the network's counters and the memory
 * in use, stop.  net_flush waits in plat_wait, which must not start the
 * stop again: it did, once per wakeup while TCP was not quiet, nested
 * deeper each time (after a SYN flood: 293 times, 20 s, until the
 * half-open connections timed out; tests/net/hostile.sh). */
__attribute__((noreturn)) static void power_off(void)
{
	stopping = true;
	klog("power button pressed: stopping");
	net_flush(1000000000ull);
	net_log_stats();
	heap_log_memory("power off");
	plat_kernel_area_stats();
	kernel_shutdown(KERNEL_STATUS_POWER_BUTTON);
}

/* One sleep: run the network, check what the caller waits for
 * (interrupts are off, so nothing changes behind our back between the
 * check and the hlt: an interrupt that arrives meanwhile stays pending
 * and ends the hlt at once), arm the timer for the earlier of the
 * caller's deadline and lwIP's next timeout, hlt, run the network again.
 * Callers loop. */
void plat_wait(uint64_t deadline_ns, int console,
	       const struct plat_wait_sock *socks, size_t n)
{
	uint64_t nbytes, next;

	klog_release();         /* the boot's log lines, while we would wait */
	net_poll();
	if (tsc_ns_since_entry() >= deadline_ns)
		return;
	if (console && plat_console_ready(&nbytes))
		return;
	if ((n && net_socks_ready(socks, n)) || net_work_pending())
		return;
	next = net_next_deadline();
	timer_arm(next < deadline_ns ? next : deadline_ns);
	irq_wait();     /* the timer stays armed: a later wait may want the
			   same deadline (a stale one only wakes us early) */
	if (power_button_pressed() && !stopping)
		power_off();
	net_poll();
}

/* ---- host calls on the service stack --------------------------------------- */

/*
 * Every WASI call (and every host function of an embedder) runs on this
 * stack, not on what the Wasm stack has left under the guest's frames:
 * the file system, the drivers and lwIP get SERVICE_STACK_SIZE bytes by
 * construction, with an unmapped guard page below.  A host function that
 * calls back into Wasm (an embedder's, never WASI's) and is called again
 * from there runs nested on the stack it is on (service_depth).
 */
#define SERVICE_STACK_SIZE (256u << 10)

static struct {
	uint8_t guard[PAGE_SIZE];
	uint8_t stack[SERVICE_STACK_SIZE];
} service __attribute__((aligned(PAGE_SIZE)));

static unsigned service_depth;

uint64_t kstack_call(void *top, uint64_t (*fn)(void *), void *arg);

struct host_call {
	wasm_host_fn fn;
	wasm_instance *inst;
	void *env;
	const uint64_t *args;
	uint64_t *results;
	enum wasm_trap_code code;
};

static uint64_t host_call_run(void *p)
{
	struct host_call *c = p;

	c->code = c->fn(c->inst, c->env, c->args, c->results);
	return 0;
}

void plat_kernel_service_stack_init(void)
{
	vmm_add_guard((uintptr_t)service.guard);
}

/* Nothing to tell: the kernel is not built with a sanitizer. */
void plat_stack_enter(struct plat_stack_save *s, const void *lo, size_t size)
{
}

void plat_stack_leave(const struct plat_stack_save *s)
{
}

/* One CPU runs everything (the application processors are not started). */
static struct jit_ctx *current_ctx;

struct jit_ctx **plat_current_ctx(void)
{
	return &current_ctx;
}

enum wasm_trap_code plat_host_call(wasm_host_fn fn, wasm_instance *inst,
				   void *env, const uint64_t *args,
				   uint64_t *results)
{
	struct host_call c = { fn, inst, env, args, results, WASM_TRAP_NONE };

	if (service_depth)
		return fn(inst, env, args, results);
	service_depth++;
	kstack_call(service.stack + SERVICE_STACK_SIZE, host_call_run, &c);
	service_depth--;
	return c.code;
}

/*
 * Entropy (Intel Digital Random Number Generator Software Implementation
 * Guide, §5.2.1 and §5.3.1): RDSEED (conditioned seed, straight from the
 * entropy source) may run dry under load: retry after a pause, a bounded
 * number of times.  RDRAND (DRBG output) fails only if the hardware is
 * broken: the guide's 10 retries.  A CPU with neither (QEMU's qemu64 CPU,
 * many older hosts) reads virtio-rng.
 */
#define RDSEED_TRIES    1024
#define RDRAND_TRIES    10

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
	klog("random: %s", has_rdseed ? "RDSEED" : has_rdrand ? "RDRAND" :
	     "no RDSEED/RDRAND: virtio-rng");
}

static bool rdseed64(uint64_t *v)
{
	uint8_t ok;

	for (int i = 0; i < RDSEED_TRIES; i++) {
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

	for (int i = 0; i < RDRAND_TRIES; i++) {
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
	if (!has_rdseed && !has_rdrand)
		return virtio_rng_read(buf, len) ? -EIO : 0;
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
