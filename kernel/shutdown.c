/*
 * shutdown.c — how every boot ends: kernel_shutdown (the exit contract of
 * images/image.h: the line "[wasmetal] exit status N" on COM1, then
 * isa-debug-exit on port 0xf4, ACPI S5 as fallback, on a PVH boot the
 * i8042 reset that firmware-less monitors take as the end, hlt with
 * interrupts off as the last resort), panic, and the rbp backtrace used by both
 * panics and exception reports.
 */
#include <stdarg.h>
#include <string.h>
#include "kernel.h"
#include "irq.h"
#include "acpi.h"
#include "cpu.h"
#include "fbcon.h"
#include "serial.h"
#include "vmm.h"

#define ISA_DEBUG_EXIT_PORT 0xf4
#define I8042_COMMAND_PORT  0x64
#define I8042_PULSE_RESET   0xfe        /* pulse output line 0: CPU reset */
#define BACKTRACE_MAX 16

/* rbp may be garbage: read only 8-aligned, mapped, kernel-or-Wasm memory. */
static bool frame_readable(uint64_t rbp)
{
	if (!rbp || (rbp & 7))
		return false;
	return vmm_translate(rbp, NULL, NULL) && vmm_translate(rbp + 8, NULL, NULL);
}

void kernel_backtrace(uint64_t rip, uint64_t rbp)
{
	klog("  backtrace (addresses; symbolize with addr2line -e build/kernel.elf):");
	klog("    #0  %016lx", rip);
	for (int i = 1; i < BACKTRACE_MAX && frame_readable(rbp); i++) {
		const uint64_t *fp = (const uint64_t *)rbp;
		uint64_t ret = fp[1], next = fp[0];

		if (!ret)
			break;
		klog("    #%-2d %016lx", i, ret);
		if (next <= rbp)        /* stacks grow down: callers are above */
			break;
		rbp = next;
	}
}

static void log_irq_stats(void)
{
	struct irq_stats st;

	irq_get_stats(&st);
	klog("irq: %lu interrupts handled (%lu timer), %lu spurious, %lu unexpected",
	     st.handled, st.timer, st.spurious, st.unexpected);
}

__attribute__((noreturn)) void kernel_shutdown(int status)
{
	static int shutting_down;
	char line[48];

	cli();
	if (shutting_down++) {          /* a fault during shutdown */
		outb(ISA_DEBUG_EXIT_PORT, (uint8_t)status);
		for (;;)
			__asm__ volatile("hlt");
	}
	klog_flush_early();
	log_irq_stats();
	klog("shutdown: status %d after %lu us", status,
	     kernel_uptime_ns() / 1000);
	serial_drain(SERIAL_COM2);      /* the guest's last bytes, before */
	serial_drain(SERIAL_COM3);      /* the machine stops */
	ksnprintf(line, sizeof line, "[wasmetal] exit status %d\n", status);
	serial_puts(SERIAL_COM1, line);
	outb(ISA_DEBUG_EXIT_PORT, (uint8_t)status);
	acpi_poweroff();
	/* A monitor without isa-debug-exit or ACPI sleep (Firecracker) ends
	 * the VM when the guest pulses the keyboard controller's reset line
	 * (what Linux does with reboot=k); only on a PVH boot, where a reset
	 * is how such monitors stop: a firmware boot keeps halting below. */
	if (kernel_boot_info.boot_path == BOOT_PATH_PVH) {
		outb(I8042_COMMAND_PORT, I8042_PULSE_RESET);
		for (volatile int i = 0; i < 1000000; i++)
			cpu_relax();
	}
	serial_puts(SERIAL_COM1, "wasmetal: no way to power off; halting\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}

__attribute__((noreturn)) void panic(const char *fmt, ...)
{
	char msg[256], line[300];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	klog_flush_early();
	klog("PANIC: %s", msg);
	{       /* start at panic's caller: its return address and frame */
		const uint64_t *fp = (const uint64_t *)read_rbp();

		kernel_backtrace(fp[1], fp[0]);
	}
	ksnprintf(line, sizeof line, "wasmetal: kernel panic: %s\n", msg);
	serial_puts(SERIAL_COM3, line);        /* the guest's stderr */
	fbcon_write(line, strlen(line), true);
	kernel_shutdown(KERNEL_STATUS_PANIC);
}
