/*
 * idt.c — the IDT (Intel SDM Vol. 3A §6.14.1 64-bit interrupt gates) for
 * all 256 vectors.  Vectors 32-255 are interrupts: they run on IST_IRQ
 * and go to irq_dispatch (kernel/irq.c).  For the 32 exception vectors:
 *
 *   #PF on a not-present page committed lazily (mm/vmm.h: Wasm memories
 *       and stacks, touched by JIT code or by kernel C code) -> mapped
 *       from its reservation (vmm_fault_lazy), the instruction retried;
 *   #PF from JIT code in a guard region -> wasm_fault_redirect -> resume at
 *       the engine's trap path (a Wasm trap, not a kernel fault);
 *   anything else -> report on COM1 (registers, CR2, rbp backtrace), one
 *       line on COM2, kernel_shutdown(KERNEL_STATUS_PANIC).  Never hangs.
 *
 * A fault inside this handler (nesting) gets a minimal report; a third
 * level exits QEMU at once.  Interrupt gates clear IF: handlers run with
 * interrupts off.
 */
#include <stdint.h>
#include <string.h>
#include "kernel.h"
#include "cpu.h"
#include "fbcon.h"
#include "irq.h"
#include "serial.h"
#include "trap.h"
#include "vmm.h"
#include "wasm.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;           /* 0x8e: present, DPL0, 64-bit interrupt gate */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

static struct idt_gate idt[256] __attribute__((aligned(16)));
static int trap_depth;

static const char *const vector_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 FP error", "#AC alignment check", "#MC machine check",
	"#XM SIMD FP exception", "#VE virtualization exception",
	"#CP control protection", "reserved 22", "reserved 23",
	"reserved 24", "reserved 25", "reserved 26", "reserved 27",
	"#HV hypervisor injection", "#VC VMM communication",
	"#SX security exception", "reserved 31",
};

static unsigned vector_ist(unsigned v)
{
	switch (v) {
	case 2: return IST_NMI;
	case 8: return IST_DF;
	case 14: return IST_PF;
	case 18: return IST_MC;
	default: return v >= 32 ? IST_IRQ : 0;
	}
}

void idt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) p = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };

	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = trap_stubs[v];

		idt[v] = (struct idt_gate){
			.off_lo = a & 0xffff, .sel = GDT_KERNEL_CS,
			.ist = vector_ist(v), .type = 0x8e,
			.off_mid = (a >> 16) & 0xffff, .off_hi = a >> 32,
		};
	}
	__asm__ volatile("lidt %0" : : "m"(p));
}

/* A Wasm guard-region fault becomes a Wasm trap: resume where the engine
 * says (DESIGN.md decision 2). */
static bool trap_wasm_redirect(struct trap_frame *f, uint64_t cr2)
{
	struct wasm_fault wf = {
		.rip = f->rip, .addr = cr2, .rsp = f->rsp,
		.rbp = f->rbp,
	};

	if (!wasm_fault_redirect(&wf))
		return false;
	f->rip = wf.new_rip;
	f->rdi = wf.new_rdi;
	f->rsi = wf.new_rsi;
	f->rsp = wf.new_rsp;
	return true;
}

static void trap_report(const struct trap_frame *f, uint64_t cr2)
{
	const char *name = vector_names[f->vector & 31];

	klog("KERNEL FAULT: %s (vector %lu), error code %#lx", name, f->vector,
	     f->error);
	if (f->vector == 14)
		klog("  cr2 %016lx  (%s, %s, %s%s%s)", cr2,
		     f->error & 1 ? "protection" : "not present",
		     f->error & 2 ? "write" : "read",
		     f->error & 4 ? "user" : "kernel",
		     f->error & 8 ? ", reserved bit" : "",
		     f->error & 16 ? ", instruction fetch" : "");
	klog("  rip %016lx  rsp %016lx  rflags %016lx", f->rip, f->rsp, f->rflags);
	klog("  cs  %04lx              ss  %04lx", f->cs, f->ss);
	klog("  rax %016lx  rbx %016lx  rcx %016lx", f->rax, f->rbx, f->rcx);
	klog("  rdx %016lx  rsi %016lx  rdi %016lx", f->rdx, f->rsi, f->rdi);
	klog("  rbp %016lx  r8  %016lx  r9  %016lx", f->rbp, f->r8, f->r9);
	klog("  r10 %016lx  r11 %016lx  r12 %016lx", f->r10, f->r11, f->r12);
	klog("  r13 %016lx  r14 %016lx  r15 %016lx", f->r13, f->r14, f->r15);
	klog("  cr0 %016lx  cr3 %016lx  cr4 %016lx", read_cr0(), read_cr3(),
	     read_cr4());
	kernel_backtrace(f->rip, f->rbp);
}

void trap_dispatch(struct trap_frame *f)
{
	uint64_t cr2;
	char line[160];

	if (f->vector >= 32) {
		irq_dispatch(f->vector);
		return;
	}
	cr2 = read_cr2();
	/* not present (error bit 0 clear), not a fetch (bit 4): a lazy page's
	   first touch?  Not while a fault is being reported: this IST stack
	   holds that report's frame. */
	if (f->vector == 14 && !(f->error & 0x11) && trap_depth == 0 &&
	    vmm_fault_lazy(cr2))
		return;
	if (++trap_depth > 2) {
		serial_puts(SERIAL_COM1, "\nwasmetal: fault while reporting a fault\n");
		outb(0xf4, KERNEL_STATUS_PANIC);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	if (trap_depth == 1 && f->vector == 14 && trap_wasm_redirect(f, cr2)) {
		trap_depth--;
		return;
	}
	klog_flush_early();
	if (trap_depth == 2) {
		klog("KERNEL FAULT while handling a fault: %s at rip %#lx, cr2 %#lx",
		     vector_names[f->vector & 31], f->rip, cr2);
	} else {
		trap_report(f, cr2);
	}
	if (f->vector == 14)
		ksnprintf(line, sizeof line, "wasmetal: kernel fault: %s at rip "
			  "%#lx, address %#lx\n", vector_names[14], f->rip, cr2);
	else
		ksnprintf(line, sizeof line, "wasmetal: kernel fault: %s at rip "
			  "%#lx\n", vector_names[f->vector & 31], f->rip);
	serial_puts(SERIAL_COM3, line);        /* the guest's stderr */
	fbcon_write(line, strlen(line), true);
	kernel_shutdown(KERNEL_STATUS_PANIC);
}
