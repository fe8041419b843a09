/*
 * gdt.c — the long-mode GDT (Intel SDM Vol. 3A §3.4.5 segment descriptors,
 * §8.2.3 the 16-byte TSS descriptor) and the TSS whose IST stacks run the
 * exceptions that can arrive on a broken stack: #DF, NMI, #MC and #PF
 * (DESIGN.md decision 4).  Each IST stack sits in .bss above an unmapped
 * guard page (vmm_add_guard).
 */
#include <stdint.h>
#include "kernel.h"
#include "trap.h"
#include "vmm.h"

#define IST_STACK_SIZE (16 * 1024)

struct ist_stack {
	uint8_t guard[4096];
	uint8_t stack[IST_STACK_SIZE];
} __attribute__((aligned(4096)));

_Static_assert(sizeof(struct ist_stack) % 4096 == 0, "guard alignment");

static struct ist_stack ist_stacks[IST_COUNT];
static struct tss tss;

/* null, kernel code (L=1), kernel data, TSS (two slots) */
static uint64_t gdt[5] __attribute__((aligned(16)));

#define DESC_CODE64 0x00af9a000000ffffull      /* P, DPL0, code R/X, L, G */
#define DESC_DATA   0x00cf92000000ffffull      /* P, DPL0, data R/W, G */

_Static_assert(sizeof(gdt) == 40, "GDT entries");
_Static_assert(GDT_TSS == 3 * 8, "TSS selector");

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

_Static_assert(sizeof(struct desc_ptr) == 10, "lgdt operand");

uintptr_t gdt_ist_top(unsigned i)
{
	return (uintptr_t)(ist_stacks[i - 1].stack + IST_STACK_SIZE);
}

static void gdt_set_tss(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof tss - 1;

	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 (0x89ull << 40) |              /* P, DPL0, 64-bit TSS available */
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;
}

void gdt_init(void)
{
	struct desc_ptr p = { sizeof gdt - 1, (uint64_t)(uintptr_t)gdt };

	for (unsigned i = 1; i <= IST_COUNT; i++) {
		tss.ist[i - 1] = gdt_ist_top(i);
		vmm_add_guard((uintptr_t)ist_stacks[i - 1].guard);
	}
	tss.iomap_base = sizeof tss;            /* no I/O bitmap */
	gdt[1] = DESC_CODE64;
	gdt[2] = DESC_DATA;
	gdt_set_tss();

	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movw %w2, %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		"xorl %%eax, %%eax\n\t"
		"movw %%ax, %%fs\n\t"
		"movw %%ax, %%gs\n\t"
		"movw %w3, %%ax\n\t"
		"ltr %%ax"
		: : "m"(p), "i"(GDT_KERNEL_CS), "i"(GDT_KERNEL_DS), "i"(GDT_TSS)
		: "rax", "memory");
}
