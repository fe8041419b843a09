/*
 * kernel.h — what every part of the bare-metal kernel (kernel/ mm/ drivers/)
 * shares: the log, panics, shutdown, the boot information and the linker's
 * symbols.  Boot order and the exit contract live in kernel/main.c.
 */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "boot_info.h"

/* Exit statuses the kernel itself produces (the module's own status is
 * 0..255 from wasi_run_module).  Chosen like sysexits(3). */
#define KERNEL_STATUS_PANIC     70      /* EX_SOFTWARE: kernel fault/panic */
#define KERNEL_STATUS_BADBOOT   66      /* EX_NOINPUT: no/invalid bundle */
#define KERNEL_STATUS_POWER_BUTTON 143  /* stopped by the ACPI power button
					   (as a process by SIGTERM: 128 + 15) */

/* linker.ld */
extern char __kernel_start[], __kernel_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_start[], __bss_end[];

/* entry.S */
extern uint64_t kernel_tsc_entry;               /* rdtsc at kernel_entry */
extern char kernel_stack_guard[], kernel_stack_bottom[], kernel_stack_top[];

/* main.c: a copy of the loader's struct (its memory is dropped later). */
extern struct boot_info kernel_boot_info;
extern bool kernel_verbose;                     /* BUNDLE_FLAG_VERBOSE */

/* log.c: "[   1234.567 us] text\n" on COM1.  Safe in trap handlers: own
 * formatter, no allocation.  Lines of the boot are kept in memory and
 * printed (with their real times) at klog_release, shutdown or a panic. */
void klog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvlog(const char *fmt, va_list ap);
void klog_flush_early(void);
/* The boot is over (the first idle wait, a network or spec boot): print
 * the lines kept since kernel entry and stop keeping them (log.c). */
void klog_release(void);
/* The formatter: %[-0][width][.prec][l|ll|z]{d,i,u,x,X,p,s,c,%}. */
int kvsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print the message on COM1 and a one-line summary on COM2, then
 * kernel_shutdown(KERNEL_STATUS_PANIC). */
__attribute__((noreturn, format(printf, 1, 2)))
void panic(const char *fmt, ...);

/* Print "[wasmetal] exit status N" on COM1 and power off (isa-debug-exit,
 * then ACPI S5, then hlt with interrupts off).  Never returns. */
__attribute__((noreturn)) void kernel_shutdown(int status);

/* Nanoseconds since kernel_entry (0 before the TSC is calibrated). */
uint64_t kernel_uptime_ns(void);

/* Log "  backtrace:" then rip and the return addresses found by walking
 * the rbp chain (only through mapped memory; at most 16 frames). */
void kernel_backtrace(uint64_t rip, uint64_t rbp);

/* plat_kernel.c: the realtime clock's base, from the RTC at boot. */
void plat_kernel_set_realtime(uint64_t epoch_s);
/* plat_kernel.c: log how much of the Wasm and code areas is in use. */
void plat_kernel_area_stats(void);
/* plat_kernel.c: the console UART's interrupt (after irq_init), and the
 * service stack's guard page (before vmm_init). */
void plat_kernel_console_irq_init(void);
void plat_kernel_service_stack_init(void);
/* mm/heap.c */
size_t heap_mapped_bytes(void);
void heap_log_memory(const char *when);

/* power.c: the ACPI power button (a VM's "stop"): after irq_init; the
 * idle loop stops the machine once it was pressed. */
void power_button_init(void);
bool power_button_pressed(void);

/* gdt.c / idt.c / traps.S */
void gdt_init(void);
void idt_init(void);

#define PAGE_SIZE 4096ul
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))

#endif
